// SPDX-License-Identifier: Apache-2.0
/*
 * The state machine's API around the table: initialisation checks, answers
 * (ids, stale answers, the completion-code-only answer), counters, names,
 * clients that answer synchronously or not at all, and the same exchange on
 * every chip and channel through kcs_mmio.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sm_fixture.h"

static void test_init_argument_checks(void **state)
{
	struct fixture *fx = *state;
	struct kcs_regs regs = kcs_mmio_regs(&fx->mmio);
	struct kcs_regs no_ops = { .ops = NULL, .ctx = &fx->mmio };
	static const size_t bad[] = { 0, 1, KCS_BUF_MIN - 1, KCS_BUF_MAX + 1, (size_t)-1 };
	static struct kcs_sm sm;

	assert_int_equal(kcs_sm_init(NULL, &regs, NULL, KCS_BUF_DEFAULT), -EINVAL);
	assert_int_equal(kcs_sm_init(&sm, NULL, NULL, KCS_BUF_DEFAULT), -EINVAL);
	assert_int_equal(kcs_sm_init(&sm, &no_ops, NULL, KCS_BUF_DEFAULT), -EINVAL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(kcs_sm_init(&sm, &regs, NULL, bad[i]), -ERANGE);
	assert_int_equal(kcs_sm_init(&sm, &regs, NULL, KCS_BUF_MIN), 0);
	assert_int_equal(kcs_sm_init(&sm, &regs, NULL, KCS_BUF_MAX), 0);
	assert_int_equal(sm.phase, KCS_PHASE_IDLE);
	assert_int_equal(sm.limit, KCS_BUF_MAX);
	/* Init touches no register: the daemon force-aborts explicitly. */
	assert_int_equal(fx->fake.log_len, 0);
	assert_int_equal(fx->fake.idr_reads, 0);
}

/* With no client the request is dropped on the floor, but the protocol goes on. */
static void test_init_without_client(void **state)
{
	struct fixture *fx = *state;
	struct kcs_regs regs = kcs_mmio_regs(&fx->mmio);

	assert_int_equal(kcs_sm_init(&fx->sm, &regs, NULL, KCS_BUF_DEFAULT), 0);
	assert_int_equal(host_write_transfer(&fx->host, get_device_id_req, sizeof(get_device_id_req)), 0);
	assert_int_equal(fx->sm.phase, KCS_PHASE_WAIT_RESPONSE);
	assert_true(kcs_sm_waiting_for(&fx->sm, fx->sm.last_id));
	/* A restart would cancel: there is nobody to tell, which must be fine. */
	assert_int_equal(host_error_exit(&fx->host), KCS_STATUS_ABORTED);
	assert_int_equal(fx->client.requests, 0);
}

static void test_phase_names(void **state)
{
	static const char *const want[] = {
		[KCS_PHASE_IDLE] = "idle",
		[KCS_PHASE_WRITE_START] = "write-start",
		[KCS_PHASE_WRITE_DATA] = "write-data",
		[KCS_PHASE_WRITE_END] = "write-end",
		[KCS_PHASE_WAIT_RESPONSE] = "wait-response",
		[KCS_PHASE_READ] = "read",
		[KCS_PHASE_ABORT_1] = "abort-1",
		[KCS_PHASE_ABORT_2] = "abort-2",
		[KCS_PHASE_ERROR] = "error",
	};

	(void)state;
	for (size_t i = 0; i < NR_PHASES; i++)
		assert_string_equal(kcs_phase_name(all_phases[i]), want[all_phases[i]]);
	assert_string_equal(kcs_phase_name((enum kcs_phase)NR_PHASES), "unknown");
	assert_string_equal(kcs_phase_name((enum kcs_phase)-1), "unknown");
}

static void test_event_names(void **state)
{
	(void)state;
	for (int a = KCS_EV_SPURIOUS; a <= KCS_EV_ILLEGAL; a++) {
		const char *name = kcs_sm_event_name((enum kcs_sm_event)a);

		assert_non_null(name);
		assert_string_not_equal(name, "unknown");
		for (int b = KCS_EV_SPURIOUS; b < a; b++)
			assert_string_not_equal(name, kcs_sm_event_name((enum kcs_sm_event)b));
	}
	assert_string_equal(kcs_sm_event_name(KCS_EV_SPURIOUS), "spurious interrupt");
	assert_string_equal(kcs_sm_event_name(KCS_EV_LENGTH_ERROR), "length error");
	assert_string_equal(kcs_sm_event_name((enum kcs_sm_event)(KCS_EV_ILLEGAL + 1)), "unknown");
	assert_string_equal(kcs_sm_event_name((enum kcs_sm_event)-1), "unknown");
}

static void test_every_request_gets_a_fresh_id(void **state)
{
	struct fixture *fx = *state;
	uint32_t prev = 0;

	for (int i = 0; i < 5; i++) {
		uint32_t id = fixture_send_request(fx, get_device_id_req, sizeof(get_device_id_req));

		assert_int_not_equal(id, 0);
		assert_int_not_equal(id, prev);
		assert_false(kcs_sm_waiting_for(&fx->sm, prev));
		assert_int_equal(kcs_sm_respond(&fx->sm, id, get_device_id_resp, sizeof(get_device_id_resp)), 0);
		fixture_expect_response(fx, get_device_id_resp, sizeof(get_device_id_resp));
		prev = id;
	}
	/* The id wraps past zero, which stays "no request". */
	kcs_sm_seed_ids(&fx->sm, UINT32_MAX);
	assert_int_equal(fixture_send_request(fx, get_device_id_req, sizeof(get_device_id_req)), 1);
	assert_false(kcs_sm_waiting_for(&fx->sm, 0));
}

static void test_stale_wrong_id(void **state)
{
	struct fixture *fx = *state;
	uint32_t id = fixture_send_request(fx, get_device_id_req, sizeof(get_device_id_req));

	assert_int_equal(kcs_sm_respond(&fx->sm, id + 1, self_test_resp, sizeof(self_test_resp)), -ESTALE);
	assert_int_equal(kcs_sm_respond(&fx->sm, 0, self_test_resp, sizeof(self_test_resp)), -ESTALE);
	assert_int_equal(kcs_sm_respond_cc(&fx->sm, id - 1, 0xC3), -ESTALE);
	assert_int_equal(fx->sm.counters.stale_responses, 3);
	assert_true(kcs_sm_waiting_for(&fx->sm, id));
	assert_int_equal(kcs_sm_respond(&fx->sm, id, get_device_id_resp, sizeof(get_device_id_resp)), 0);
	fixture_expect_response(fx, get_device_id_resp, sizeof(get_device_id_resp));
}

/* The host restarted: the answer to its previous request must never reach it. */
static void test_stale_response_after_restart(void **state)
{
	struct fixture *fx = *state;
	uint32_t old = fixture_send_request(fx, get_device_id_req, sizeof(get_device_id_req));
	uint32_t id = fixture_send_request(fx, self_test_req, sizeof(self_test_req));

	assert_int_equal(fx->client.cancels, 1);
	assert_int_equal(fx->client.cancelled_id, old);
	assert_int_equal(kcs_sm_respond(&fx->sm, old, get_device_id_resp, sizeof(get_device_id_resp)), -ESTALE);
	assert_int_equal(kcs_sm_respond(&fx->sm, id, self_test_resp, sizeof(self_test_resp)), 0);
	assert_int_equal(kcs_sm_respond(&fx->sm, old, get_device_id_resp, sizeof(get_device_id_resp)), -ESTALE);
	fixture_expect_response(fx, self_test_resp, sizeof(self_test_resp));
	assert_int_equal(fx->sm.counters.stale_responses, 2);
	assert_int_equal(fx->sm.counters.restarts, 1);
}

/* A client answering from inside its cancel callback must not reach ODR. */
static struct fixture *answering_fx;
static int answer_in_cancel;

static void cancel_and_answer(void *userdata, uint32_t id)
{
	(void)userdata;
	answer_in_cancel = kcs_sm_respond_cc(&answering_fx->sm, id, 0xFF);
}

static void test_stale_answer_from_cancel_callback(void **state)
{
	struct fixture *fx = *state;

	answering_fx = fx;
	answer_in_cancel = 1;
	fx->sm.client.cancel = cancel_and_answer;
	fixture_send_request(fx, get_device_id_req, sizeof(get_device_id_req));
	host_clear_obf(&fx->host);
	fake_host_write_cmd(&fx->fake, KCS_CTRL_WRITE_START);
	assert_int_equal(kcs_sm_handle_irq(&fx->sm), KCS_EV_RESTART);
	assert_int_equal(answer_in_cancel, -ESTALE);
	assert_int_equal(fake_odr(&fx->fake), 0x00);
	assert_int_equal(fx->sm.phase, KCS_PHASE_WRITE_START);
}

static void test_stale_response_twice(void **state)
{
	struct fixture *fx = *state;
	uint32_t id = fixture_send_request(fx, get_device_id_req, sizeof(get_device_id_req));

	assert_int_equal(kcs_sm_respond(&fx->sm, id, get_device_id_resp, sizeof(get_device_id_resp)), 0);
	fake_log_clear(&fx->fake);
	assert_int_equal(kcs_sm_respond(&fx->sm, id, self_test_resp, sizeof(self_test_resp)), -ESTALE);
	assert_int_equal(kcs_sm_respond_cc(&fx->sm, id, 0xFF), -ESTALE);
	assert_int_equal(fx->fake.log_len, 0);
	fixture_expect_response(fx, get_device_id_resp, sizeof(get_device_id_resp));
	assert_int_equal(kcs_sm_respond(&fx->sm, id, self_test_resp, sizeof(self_test_resp)), -ESTALE);
	assert_int_equal(fx->sm.counters.stale_responses, 3);
	assert_int_equal(fx->sm.counters.responses, 1);
}

/* A malformed answer is refused without using up the request. */
static void test_respond_rejects_short_answer(void **state)
{
	struct fixture *fx = *state;
	uint32_t id = fixture_send_request(fx, get_device_id_req, sizeof(get_device_id_req));

	assert_int_equal(kcs_sm_respond(&fx->sm, id, get_device_id_resp, 2), -EINVAL);
	assert_int_equal(kcs_sm_respond(&fx->sm, id, get_device_id_resp, 0), -EINVAL);
	assert_int_equal(kcs_sm_respond(&fx->sm, id, NULL, 3), -EINVAL);
	assert_true(kcs_sm_waiting_for(&fx->sm, id));
	assert_int_equal(fx->sm.counters.stale_responses, 0);
	assert_int_equal(kcs_sm_respond(&fx->sm, id, self_test_resp, 3), 0);
	fixture_expect_response(fx, self_test_resp, 3);
}

/* respond_cc answers ((NetFn|1)<<2 | LUN, Cmd, CC) for the request it answers. */
static void test_respond_cc_echoes_header(void **state)
{
	static const uint8_t netfns[] = { 0x00, 0x06, 0x07, 0x0A, 0x2C, 0x30, 0x3E };
	struct fixture *fx = *state;

	for (size_t i = 0; i < sizeof(netfns); i++) {
		for (uint8_t lun = 0; lun < 4; lun++) {
			uint8_t cmd = (uint8_t)(0x11 * (i + 1) + lun);
			uint8_t req[3] = { (uint8_t)(netfns[i] << 2 | lun), cmd, 0xAA };
			uint8_t want[3] = { (uint8_t)((netfns[i] | 1) << 2 | lun), cmd, 0xC1 };
			uint32_t id = fixture_send_request(fx, req, sizeof(req));

			assert_int_equal(kcs_sm_respond_cc(&fx->sm, id, 0xC1), 0);
			fixture_expect_response(fx, want, sizeof(want));
		}
	}
}

/* respond_data: header echoed from the request, data copied once, limits as respond. */
static void test_respond_data(void **state)
{
	struct fixture *fx = *state;
	static uint8_t big[KCS_BUF_DEFAULT];
	const uint8_t ca[3] = { 0x1C, 0x01, 0xCA };
	uint32_t id;

	id = fixture_send_request(fx, get_device_id_req, sizeof(get_device_id_req));
	assert_int_equal(kcs_sm_respond_data(&fx->sm, id + 1, 0, NULL, 0), -ESTALE);
	assert_int_equal(kcs_sm_respond_data(&fx->sm, id, 0, NULL, 1), -EINVAL);
	assert_int_equal(kcs_sm_respond_data(&fx->sm, id, get_device_id_resp[2],
					     get_device_id_resp + 3, sizeof(get_device_id_resp) - 3), 0);
	fixture_expect_response(fx, get_device_id_resp, sizeof(get_device_id_resp));
	assert_int_equal(kcs_sm_counters(&fx->sm)->stale_responses, 1);

	/* Exactly the limit fits; one more byte is 0xCA. */
	id = fixture_send_request(fx, (const uint8_t[]){ 0x1C, 0x01 }, 2);
	assert_int_equal(kcs_sm_respond_data(&fx->sm, id, 0, big, KCS_BUF_DEFAULT - 3), 0);
	assert_int_equal(kcs_sm_phase(&fx->sm), KCS_PHASE_READ);
	assert_int_equal(host_error_exit(&fx->host), KCS_STATUS_ABORTED);
	id = fixture_send_request(fx, (const uint8_t[]){ 0x1C, 0x01 }, 2);
	assert_int_equal(kcs_sm_respond_data(&fx->sm, id, 0, big, KCS_BUF_DEFAULT - 2), -EMSGSIZE);
	fixture_expect_response(fx, ca, sizeof(ca));
	assert_int_equal(kcs_sm_counters(&fx->sm)->oversize_responses, 1);
}

/* The accessors the daemon uses instead of the struct's fields. */
static void test_accessors(void **state)
{
	static const bool expects[] = {
		[KCS_PHASE_IDLE] = false,
		[KCS_PHASE_WRITE_START] = true,
		[KCS_PHASE_WRITE_DATA] = true,
		[KCS_PHASE_WRITE_END] = true,
		[KCS_PHASE_WAIT_RESPONSE] = false,
		[KCS_PHASE_READ] = true,
		[KCS_PHASE_ABORT_1] = true,
		[KCS_PHASE_ABORT_2] = true,
		[KCS_PHASE_ERROR] = false,
	};
	struct fixture *fx = *state;

	assert_int_equal(kcs_sm_limit(&fx->sm), KCS_BUF_DEFAULT);
	for (size_t i = 0; i < NR_PHASES; i++) {
		struct fixture *f = fixture_new_default(KCS_BUF_DEFAULT);

		fixture_goto_phase(f, all_phases[i]);
		assert_in_phase(all_phases[i], kcs_sm_phase(&f->sm), all_phases[i]);
		assert_in_phase(all_phases[i], kcs_sm_expects_host_byte(&f->sm), expects[all_phases[i]]);
		fixture_free(f);
	}
	fixture_goto_phase(fx, KCS_PHASE_WRITE_DATA);
	fake_host_write_cmd(&fx->fake, 0x99);
	assert_int_equal(kcs_sm_poll(&fx->sm), KCS_EV_ILLEGAL);
	assert_int_equal(kcs_sm_status_code(&fx->sm), KCS_STATUS_ILLEGAL_CODE);
}

/* kcs_sm_consistent() holds in every phase and catches broken bookkeeping. */
static void test_consistent(void **state)
{
	struct fixture *fx = *state;

	assert_true(kcs_sm_consistent(&fx->sm));
	for (size_t i = 0; i < NR_PHASES; i++) {
		struct fixture *f = fixture_new_default(KCS_BUF_DEFAULT);

		fixture_goto_phase(f, all_phases[i]);
		assert_in_phase(all_phases[i], kcs_sm_consistent(&f->sm), true);
		fixture_free(f);
	}
	/* Each bound on its own (the struct is the test's to break here). */
	fixture_goto_phase(fx, KCS_PHASE_READ);
	fx->sm.out_pos = fx->sm.out_len + 1;
	assert_false(kcs_sm_consistent(&fx->sm));
	fx->sm.out_pos = 1;
	fx->sm.out_len = fx->sm.limit + 1;
	assert_false(kcs_sm_consistent(&fx->sm));
	fx->sm.out_len = 3;
	fx->sm.in_len = fx->sm.limit + 1;
	assert_false(kcs_sm_consistent(&fx->sm));
	fx->sm.in_len = 0;
	assert_true(kcs_sm_consistent(&fx->sm));
	fx->sm.limit = KCS_BUF_MAX + 1;
	assert_false(kcs_sm_consistent(&fx->sm));
}

/* kcs_sm_response(): the answer given, and how far the host has read it. */
static void test_response_view(void **state)
{
	struct fixture *fx = *state;
	uint32_t id = fixture_send_request(fx, self_test_req, sizeof(self_test_req));
	const uint8_t *out;
	size_t len, sent;

	assert_int_equal(kcs_sm_respond(&fx->sm, id, self_test_resp, sizeof(self_test_resp)), 0);
	out = kcs_sm_response(&fx->sm, &len, &sent);
	assert_int_equal(len, sizeof(self_test_resp));
	assert_memory_equal(out, self_test_resp, len);
	assert_int_equal(sent, 1);
	assert_int_equal(fake_odr(&fx->fake), self_test_resp[0]);
	fixture_expect_response(fx, self_test_resp, sizeof(self_test_resp));
	(void)kcs_sm_response(&fx->sm, &len, &sent);
	assert_int_equal(sent, len);
}

/* serve() acts on the STR value given; read_str() is the one register read. */
static void test_serve_with_str_read_once(void **state)
{
	struct fixture *fx = *state;
	uint8_t str;

	str = kcs_sm_read_str(&fx->sm);
	assert_int_equal(kcs_sm_serve(&fx->sm, str), KCS_EV_SPURIOUS);
	assert_int_equal(kcs_sm_counters(&fx->sm)->spurious_irqs, 0);
	fake_host_write_cmd(&fx->fake, KCS_CTRL_WRITE_START);
	str = kcs_sm_read_str(&fx->sm);
	assert_true(str & KCS_STR_IBF);
	assert_int_equal(kcs_sm_serve(&fx->sm, str), KCS_EV_WRITE_START);
	assert_int_equal(kcs_sm_phase(&fx->sm), KCS_PHASE_WRITE_START);
	assert_false(kcs_sm_read_str(&fx->sm) & KCS_STR_IBF);
}

/* The client may answer from inside its request callback. */
static void test_answer_from_request_callback(void **state)
{
	struct fixture *fx = *state;
	uint8_t big[KCS_BUF_DEFAULT + 1] = { 0x1C, 0x01, 0x00 };
	const uint8_t ca[3] = { 0x1C, 0x01, 0xCA };

	fx->client.answer = get_device_id_resp;
	fx->client.answer_len = sizeof(get_device_id_resp);
	fixture_send_request(fx, get_device_id_req, sizeof(get_device_id_req));
	assert_int_equal(fx->client.answer_result, 0);
	fixture_expect_response(fx, get_device_id_resp, sizeof(get_device_id_resp));

	fx->client.answer = big;
	fx->client.answer_len = sizeof(big);
	fixture_send_request(fx, get_device_id_req, sizeof(get_device_id_req));
	assert_int_equal(fx->client.answer_result, -EMSGSIZE);
	fixture_expect_response(fx, ca, sizeof(ca));
}

/* Every counter, after a scripted session that moves each one. */
static void test_every_counter(void **state)
{
	struct fixture *fx = *state;
	struct host *h = &fx->host;
	uint8_t big[KCS_BUF_DEFAULT + 1] = { 0x1C, 0x01, 0x00 };
	uint8_t long_req[KCS_BUF_DEFAULT + 2] = { 0x18, 0x01 };
	const struct kcs_counters want = {
		.requests = 3,
		.responses = 2,
		.host_aborts = 3,
		.restarts = 2,
		.length_errors = 2,
		.illegal_codes = 2,
		.stale_responses = 2,
		.oversize_responses = 1,
		.spurious_irqs = 3,
		.force_aborts = 1,
	};
	uint32_t id;

	kcs_sm_force_abort(&fx->sm);                           /* force_aborts 1 */
	assert_int_equal(host_error_exit(h), KCS_STATUS_ABORTED); /* host_aborts 1 */
	fixture_exchange(fx, get_device_id_req, sizeof(get_device_id_req),
			 get_device_id_resp, sizeof(get_device_id_resp)); /* requests 1, responses 1 */
	id = fixture_send_request(fx, get_device_id_req, sizeof(get_device_id_req)); /* requests 2 */
	assert_int_equal(kcs_sm_respond(&fx->sm, id, big, sizeof(big)), -EMSGSIZE); /* oversize 1 */
	assert_int_equal(kcs_sm_respond(&fx->sm, id, big, 3), -ESTALE); /* stale 1 */
	fixture_expect_response(fx, (const uint8_t[]){ 0x1C, 0x01, 0xCA }, 3); /* responses 2 */
	fixture_goto_phase(fx, KCS_PHASE_WRITE_DATA);
	fixture_send_request(fx, self_test_req, sizeof(self_test_req)); /* restarts 1, requests 3 */
	fixture_goto_phase(fx, KCS_PHASE_WRITE_START);             /* restarts 2 (cancel) */
	assert_int_equal(kcs_sm_respond(&fx->sm, fx->client.id, self_test_resp, 3), -ESTALE); /* stale 2 */
	host_write_cmd(h, KCS_CTRL_WRITE_END);                    /* length_errors 1 */
	assert_int_equal(host_error_exit(h), KCS_STATUS_LENGTH_ERROR); /* host_aborts 2 */
	assert_int_equal(host_write_transfer(h, long_req, sizeof(long_req)), -EPROTO); /* length_errors 2 */
	host_write_cmd(h, 0x6A);                                  /* illegal 1 */
	host_write_data(h, 0x00);                                 /* illegal 2 */
	assert_int_equal(host_error_exit(h), KCS_STATUS_ILLEGAL_CODE); /* host_aborts 3 */
	for (int i = 0; i < 3; i++)
		kcs_sm_handle_irq(&fx->sm);                       /* spurious 3 */

	assert_int_equal(fx->sm.counters.requests, want.requests);
	assert_int_equal(fx->sm.counters.responses, want.responses);
	assert_int_equal(fx->sm.counters.host_aborts, want.host_aborts);
	assert_int_equal(fx->sm.counters.restarts, want.restarts);
	assert_int_equal(fx->sm.counters.length_errors, want.length_errors);
	assert_int_equal(fx->sm.counters.illegal_codes, want.illegal_codes);
	assert_int_equal(fx->sm.counters.stale_responses, want.stale_responses);
	assert_int_equal(fx->sm.counters.oversize_responses, want.oversize_responses);
	assert_int_equal(fx->sm.counters.spurious_irqs, want.spurious_irqs);
	assert_int_equal(fx->sm.counters.force_aborts, want.force_aborts);
	assert_memory_equal(kcs_sm_counters(&fx->sm), &want, sizeof(want));
}

/* The same exchange on every chip and channel, touching only that channel's ODR and STR. */
static void test_exchange_on_every_chip_and_channel(void **state)
{
	(void)state;
	for (size_t c = 0; c < NR_CHIPS; c++) {
		const struct kcs_chip *chip = kcs_chip_find(all_chips[c]);

		assert_non_null(chip);
		for (unsigned int ch = 1; ch <= chip->nr_channels; ch++) {
			struct kcs_channel_config cfg = { .channel = ch };
			struct fixture *fx = fixture_new(all_chips[c], &cfg, KCS_BUF_DEFAULT);

			kcs_sm_force_abort(&fx->sm);
			assert_int_equal(host_error_exit(&fx->host), KCS_STATUS_ABORTED);
			fixture_exchange(fx, get_device_id_req, sizeof(get_device_id_req),
					 get_device_id_resp, sizeof(get_device_id_resp));
			kcs_sm_set_sms_atn(&fx->sm, true);
			assert_true(fake_host_read_status(&fx->fake) & KCS_STR_SMS_ATN);
			assert_int_equal(fake_log_count(&fx->fake, fx->fake.offs.odr) +
					 fake_log_count(&fx->fake, fx->fake.offs.str), fx->fake.log_len);
			fixture_free(fx);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_argument_checks, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_init_without_client, fixture_setup, fixture_teardown),
		cmocka_unit_test(test_phase_names),
		cmocka_unit_test(test_event_names),
		cmocka_unit_test_setup_teardown(test_every_request_gets_a_fresh_id, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_stale_wrong_id, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_stale_response_after_restart, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_stale_response_twice, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_stale_answer_from_cancel_callback, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_respond_rejects_short_answer, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_respond_cc_echoes_header, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_answer_from_request_callback, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_respond_data, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_accessors, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_consistent, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_response_view, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_serve_with_str_read_once, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_every_counter, fixture_setup, fixture_teardown),
		cmocka_unit_test(test_exchange_on_every_chip_and_channel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
