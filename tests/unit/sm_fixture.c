// SPDX-License-Identifier: Apache-2.0
#include "sm_fixture.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

const uint8_t get_device_id_req[2] = { 0x06 << 2, 0x01 };
const uint8_t get_device_id_resp[18] = {
	0x07 << 2, 0x01, 0x00,
	0x20, 0x81, 0x01, 0x00, 0x02, 0xBF, 0x57, 0x01, 0x00, 0x41, 0x00, 0x01, 0x02, 0x03, 0x04,
};
const uint8_t self_test_req[2] = { 0x06 << 2, 0x04 };
const uint8_t self_test_resp[5] = { 0x07 << 2, 0x04, 0x00, 0x55, 0x00 };

const enum kcs_phase all_phases[9] = {
	KCS_PHASE_IDLE, KCS_PHASE_WRITE_START, KCS_PHASE_WRITE_DATA, KCS_PHASE_WRITE_END,
	KCS_PHASE_WAIT_RESPONSE, KCS_PHASE_READ, KCS_PHASE_ABORT_1, KCS_PHASE_ABORT_2,
	KCS_PHASE_ERROR,
};

const char *const all_chips[4] = { "ast2400", "ast2500", "ast2600", "npcm7xx" };

static void client_request(void *userdata, uint32_t id, const uint8_t *msg, size_t len)
{
	struct fixture *fx = userdata;
	struct client_log *c = &fx->client;

	assert_true(len >= KCS_REQUEST_MIN && len <= KCS_BUF_MAX);
	c->requests++;
	c->id = id;
	memcpy(c->msg, msg, len);
	c->len = len;
	if (c->answer)
		c->answer_result = kcs_sm_respond(&fx->sm, id, c->answer, c->answer_len);
}

static void client_cancel(void *userdata, uint32_t id)
{
	struct fixture *fx = userdata;

	fx->client.cancels++;
	fx->client.cancelled_id = id;
}

struct fixture *fixture_new(const char *chip, const struct kcs_channel_config *cfg, size_t limit)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct kcs_sm_client client = {
		.request = client_request,
		.cancel = client_cancel,
	};
	struct kcs_page page;
	struct kcs_regs regs;

	assert_non_null(fx);
	fx->chip = kcs_chip_find(chip);
	assert_non_null(fx->chip);
	assert_int_equal(fake_regs_init(&fx->fake, fx->chip, cfg->channel), 0);
	page = fake_regs_page(&fx->fake);
	assert_int_equal(kcs_mmio_init(&fx->mmio, fx->chip, &page, cfg), 0);
	regs = kcs_mmio_regs(&fx->mmio);
	client.userdata = fx;
	assert_int_equal(kcs_sm_init(&fx->sm, &regs, &client, limit), 0);
	host_init(&fx->host, &fx->fake, &fx->sm);
	return fx;
}

void fixture_free(struct fixture *fx)
{
	if (!fx)
		return;
	fake_regs_fini(&fx->fake);
	free(fx);
}

struct fixture *fixture_new_default(size_t limit)
{
	struct kcs_channel_config cfg = { .channel = 3 };

	return fixture_new("ast2600", &cfg, limit);
}

int fixture_setup(void **state)
{
	*state = fixture_new_default(KCS_BUF_DEFAULT);
	return 0;
}

int fixture_teardown(void **state)
{
	fixture_free(*state);
	return 0;
}

uint32_t fixture_send_request(struct fixture *fx, const uint8_t *req, size_t len)
{
	unsigned int before = fx->client.requests;
	int r = host_write_transfer(&fx->host, req, len);

	if (r < 0)
		fail_msg("write transfer of %zu bytes failed: %s", len, fx->host.failed_step);
	assert_int_equal(fx->client.requests, before + 1);
	assert_int_equal(fx->client.len, len);
	assert_memory_equal(fx->client.msg, req, len);
	assert_int_equal(fx->sm.phase, fx->client.answer ? KCS_PHASE_READ : KCS_PHASE_WAIT_RESPONSE);
	return fx->client.id;
}

void fixture_expect_response(struct fixture *fx, const uint8_t *resp, size_t len)
{
	uint8_t *buf = malloc(KCS_BUF_MAX);
	size_t got = 0;
	int r;

	assert_non_null(buf);
	r = host_read_transfer(&fx->host, buf, KCS_BUF_MAX, &got);
	if (r < 0) {
		free(buf);
		fail_msg("read transfer failed (%d): %s", r, fx->host.failed_step);
	}
	assert_int_equal(got, len);
	assert_memory_equal(buf, resp, len);
	free(buf);
	assert_int_equal(fx->sm.phase, KCS_PHASE_IDLE);
}

void fixture_exchange(struct fixture *fx, const uint8_t *req, size_t req_len,
		      const uint8_t *resp, size_t resp_len)
{
	uint32_t id = fixture_send_request(fx, req, req_len);

	assert_true(kcs_sm_waiting_for(&fx->sm, id));
	assert_int_equal(kcs_sm_respond(&fx->sm, id, resp, resp_len), 0);
	fixture_expect_response(fx, resp, resp_len);
}

void fixture_goto_phase(struct fixture *fx, enum kcs_phase phase)
{
	struct host *h = &fx->host;

	switch (phase) {
	case KCS_PHASE_IDLE:
		break;
	case KCS_PHASE_WRITE_START:
	case KCS_PHASE_WRITE_DATA:
	case KCS_PHASE_WRITE_END:
	case KCS_PHASE_WAIT_RESPONSE:
	case KCS_PHASE_READ:
		host_clear_obf(h);
		host_write_cmd(h, KCS_CTRL_WRITE_START);
		if (phase == KCS_PHASE_WRITE_START)
			break;
		host_clear_obf(h);
		host_write_data(h, get_device_id_req[0]);
		if (phase == KCS_PHASE_WRITE_DATA)
			break;
		host_clear_obf(h);
		host_write_cmd(h, KCS_CTRL_WRITE_END);
		if (phase == KCS_PHASE_WRITE_END)
			break;
		host_clear_obf(h);
		host_write_data(h, get_device_id_req[1]);
		assert_int_equal(fx->client.len, sizeof(get_device_id_req));
		if (phase == KCS_PHASE_WAIT_RESPONSE)
			break;
		assert_int_equal(kcs_sm_respond(&fx->sm, fx->client.id, get_device_id_resp,
						sizeof(get_device_id_resp)), 0);
		host_wait_obf(h);
		assert_int_equal(host_read_data(h), get_device_id_resp[0]);
		host_write_data(h, KCS_CTRL_READ);
		break;
	case KCS_PHASE_ABORT_1:
	case KCS_PHASE_ABORT_2:
		host_write_cmd(h, KCS_CTRL_GET_STATUS_ABORT);
		if (phase == KCS_PHASE_ABORT_1)
			break;
		host_clear_obf(h);
		host_write_data(h, 0x00);
		break;
	case KCS_PHASE_ERROR:
		kcs_sm_force_abort(&fx->sm);
		break;
	}
	assert_int_equal(fx->sm.phase, phase);
}

enum kcs_state state_of_phase(enum kcs_phase phase)
{
	switch (phase) {
	case KCS_PHASE_IDLE:
		return KCS_STATE_IDLE;
	case KCS_PHASE_WRITE_START:
	case KCS_PHASE_WRITE_DATA:
	case KCS_PHASE_WRITE_END:
	case KCS_PHASE_ABORT_1:
		return KCS_STATE_WRITE;
	case KCS_PHASE_WAIT_RESPONSE:
	case KCS_PHASE_READ:
	case KCS_PHASE_ABORT_2:
		return KCS_STATE_READ;
	case KCS_PHASE_ERROR:
	default:
		return KCS_STATE_ERROR;
	}
}
