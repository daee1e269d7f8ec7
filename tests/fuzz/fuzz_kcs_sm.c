// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target: the BMC state machine (lib/kcs_sm.c) driven by whatever
 * a host and the upstream side can do, on the unit tests' register page that
 * behaves like the silicon (tests/unit/fake_regs.c) with the real kcs_mmio
 * access and every chip's offsets.
 *
 * Input: two configuration bytes (chip and channel, buffer limit, whether
 * upstream answers from inside the request callback, request ids close to
 * wrapping around), then actions, each an
 * opcode byte followed by its arguments (missing bytes read as 0):
 *   host writes the command or data port, with or without the interrupt
 *   (a lost or late interrupt: the next write overwrites IDR as on silicon),
 *   a bare interrupt, host reads of the data and status ports,
 *   upstream answers (full response or completion code only) for the
 *   request in progress or for any id at all, of any length,
 *   force abort, SMS_ATN on/off, shutdown.
 * The host_driver building blocks run the interrupted writes, so every one
 * of them also checks that the BMC read IDR exactly once, left IBF clear and
 * obeyed the ordering rule (docs/design.md section 2).
 *
 * Invariants after every action:
 *  1. the STR state bits are the ones the phase implies;
 *  2. IBF is clear after every interrupt (each handled byte consumed);
 *  3. the buffer bookkeeping holds (kcs_sm_consistent());
 *  4. upstream holds a request exactly while the phase is WAIT_RESPONSE:
 *     every request handed up is answered once or cancelled once, a cancel
 *     names that request, and request ids are never reused;
 *  5. an answer for anything but the request waited on is refused
 *     (-ESTALE, counted) and changes neither ODR nor STR;
 *  6. in READ, the response is the accepted answer (or the 0xCA stand-in
 *     for an oversize one) and ODR holds its next-to-be-read byte: only
 *     accepted answers, in order, reach ODR;
 *  7. SMS_ATN is what the BMC last set; counters never go backwards.
 * At the end, whatever came before, a host driver's recovery (the error exit,
 * then an ordinary exchange) must work.
 *
 * A failed check aborts (CMOCKA_TEST_ABORT=1: the cmocka helpers abort
 * instead of exiting), which libFuzzer reports as a crash with the message.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fuzz_input.h"
#include "ipmi_cc.h"
#include "sm_fixture.h"

static uint32_t take32(struct fuzz_input *in)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | fuzz_take(in);
	return v;
}

/* What the harness knows independently of the state machine. */
struct model {
	uint32_t outstanding;       /* request upstream works on, 0: none */
	uint32_t last_id;           /* latest id handed up */
	uint8_t req_hdr[2];         /* its NetFn/LUN and Cmd, as handed up */
	unsigned int requests;      /* client callbacks seen so far */
	unsigned int cancels;
	bool sms_atn;
	uint8_t resp[KCS_BUF_MAX];  /* the accepted answer as the host must read it */
	size_t resp_len;
	struct kcs_counters counters;
};

/* An answer was accepted for the outstanding request: what the host must read. */
static void accept_answer(struct model *md, int r, const uint8_t *msg, size_t len)
{
	if (r == -EMSGSIZE) {
		md->resp[0] = md->req_hdr[0] | 0x04u;
		md->resp[1] = md->req_hdr[1];
		md->resp[2] = IPMI_CC_RESP_TOO_LONG;
		md->resp_len = 3;
	} else {
		memcpy(md->resp, msg, len);
		md->resp_len = len;
	}
	md->outstanding = 0;
}

/* The client callbacks of the fixture ran since the last look: account for them. */
static void follow_client(struct fixture *fx, struct model *md)
{
	struct client_log *c = &fx->client;

	if (c->cancels != md->cancels) {
		if (c->cancels != md->cancels + 1 || md->outstanding == 0 ||
		    c->cancelled_id != md->outstanding)
			fail_msg("cancel of id %u (%u cancels, %u seen): the request upstream holds is %u",
				 c->cancelled_id, c->cancels, md->cancels, md->outstanding);
		md->cancels = c->cancels;
		md->outstanding = 0;
	}
	if (c->requests != md->requests) {
		if (c->requests != md->requests + 1)
			fail_msg("%u requests handed up in one action", c->requests - md->requests);
		if (md->outstanding != 0)
			fail_msg("request %u handed up while %u is still upstream", c->id, md->outstanding);
		if (c->id == 0 || c->id == md->last_id)
			fail_msg("request id %u reused (previous %u)", c->id, md->last_id);
		if (c->len < KCS_REQUEST_MIN || c->len > kcs_sm_limit(&fx->sm))
			fail_msg("request of %zu bytes handed up, limit %zu", c->len, kcs_sm_limit(&fx->sm));
		md->requests = c->requests;
		md->last_id = c->id;
		md->req_hdr[0] = c->msg[0];
		md->req_hdr[1] = c->msg[1];
		md->outstanding = c->id;
		if (c->answer) {
			if (c->answer_result != 0 && c->answer_result != -EMSGSIZE)
				fail_msg("answer from inside the request callback refused: %d", c->answer_result);
			accept_answer(md, c->answer_result, c->answer, c->answer_len);
		}
	}
}

#define COUNTER_NONDECREASING(field) \
	if (now->field < md->counters.field) \
		fail_msg("counter " #field " went back from %llu to %llu", \
			 (unsigned long long)md->counters.field, (unsigned long long)now->field)

static void check_invariants(struct fixture *fx, struct model *md, bool irq_ran)
{
	const struct kcs_sm *sm = &fx->sm;
	const struct kcs_counters *now = kcs_sm_counters(sm);
	uint8_t str = fake_host_read_status(&fx->fake);
	enum kcs_phase phase = kcs_sm_phase(sm);

	follow_client(fx, md);
	if (kcs_str_state(str) != state_of_phase(phase))
		fail_msg("phase %s but STR state %s", kcs_phase_name(phase),
			 host_state_name(kcs_str_state(str)));
	if (irq_ran && (str & KCS_STR_IBF))
		fail_msg("IBF still set after the interrupt was handled (phase %s)",
			 kcs_phase_name(phase));
	if (!kcs_sm_consistent(sm))
		fail_msg("buffer bookkeeping broken in phase %s", kcs_phase_name(phase));
	if ((md->outstanding != 0) != (phase == KCS_PHASE_WAIT_RESPONSE) ||
	    (md->outstanding != 0 && !kcs_sm_waiting_for(sm, md->outstanding)))
		fail_msg("phase %s while upstream holds request %u", kcs_phase_name(phase),
			 md->outstanding);
	if (phase == KCS_PHASE_READ) {
		size_t len, sent;
		const uint8_t *out = kcs_sm_response(sm, &len, &sent);

		if (len != md->resp_len || memcmp(out, md->resp, md->resp_len) != 0)
			fail_msg("READ sends %zu bytes that are not the accepted %zu-byte answer",
				 len, md->resp_len);
		if (sent == 0 || fake_odr(&fx->fake) != md->resp[sent - 1])
			fail_msg("READ at byte %zu: ODR holds 0x%02x, not the answer's byte", sent,
				 fake_odr(&fx->fake));
	}
	if (!!(str & KCS_STR_SMS_ATN) != md->sms_atn)
		fail_msg("SMS_ATN is %d, the BMC last set %d", !!(str & KCS_STR_SMS_ATN), md->sms_atn);
	COUNTER_NONDECREASING(requests);
	COUNTER_NONDECREASING(responses);
	COUNTER_NONDECREASING(host_aborts);
	COUNTER_NONDECREASING(restarts);
	COUNTER_NONDECREASING(length_errors);
	COUNTER_NONDECREASING(illegal_codes);
	COUNTER_NONDECREASING(stale_responses);
	COUNTER_NONDECREASING(oversize_responses);
	COUNTER_NONDECREASING(spurious_irqs);
	COUNTER_NONDECREASING(force_aborts);
	md->counters = *now;
}

/*
 * Upstream answers @id with @len bytes from the input (@cc_only: with just a
 * completion code). The oracle: accepted exactly when @id is the request
 * waited on; a refused answer leaves ODR and STR alone.
 */
static void answer(struct fixture *fx, struct model *md, struct fuzz_input *in, uint32_t id, bool cc_only)
{
	struct kcs_sm *sm = &fx->sm;
	bool waited_on = md->outstanding != 0 && id == md->outstanding;
	size_t odr_writes = fake_log_count(&fx->fake, fx->fake.offs.odr);
	uint8_t str = fake_host_read_status(&fx->fake);
	uint64_t stale = kcs_sm_counters(sm)->stale_responses;
	size_t limit = kcs_sm_limit(sm);
	uint8_t msg[KCS_BUF_MAX + 8];
	size_t len = 0;
	int r;

	if (cc_only) {
		msg[0] = md->req_hdr[0] | 0x04u;
		msg[1] = md->req_hdr[1];
		msg[2] = fuzz_take(in);
		len = 3;
		r = kcs_sm_respond_cc(sm, id, msg[2]);
	} else {
		/* Mostly short answers; now and then one around or past the limit. */
		uint8_t l = fuzz_take(in);

		len = l < 0xF0 ? l % 24 : limit - 2 + (l & 0x0F) % 5;
		for (size_t i = 0; i < len; i++)
			msg[i] = fuzz_take(in);
		r = kcs_sm_respond(sm, id, msg, len);
	}

	if (!waited_on) {
		if (r != -ESTALE || kcs_sm_counters(sm)->stale_responses != stale + 1)
			fail_msg("answer for id %u (waiting on %u) returned %d", id, md->outstanding, r);
		if (fake_log_count(&fx->fake, fx->fake.offs.odr) != odr_writes ||
		    fake_host_read_status(&fx->fake) != str)
			fail_msg("refused answer for id %u reached the registers", id);
		return;
	}
	if (len < KCS_BUF_MIN) {
		if (r != -EINVAL || !kcs_sm_waiting_for(sm, id))
			fail_msg("%zu-byte answer returned %d", len, r);
		return;
	}
	if (len > limit ? r != -EMSGSIZE : r != 0)
		fail_msg("%zu-byte answer (limit %zu) returned %d", len, limit, r);
	accept_answer(md, r, msg, len);
}

static void run(struct fixture *fx, struct model *md, struct fuzz_input *in)
{
	while (in->left > 0) {
		uint8_t op = fuzz_take(in);
		bool irq_ran = false;

		switch (op % 16) {
		case 0:
		case 1:
		case 2:
			host_write_cmd(&fx->host, op < 0x80 ? KCS_CTRL_GET_STATUS_ABORT + op % 3 : fuzz_take(in));
			irq_ran = true;
			break;
		case 3:
		case 4:
		case 5:
			host_write_data(&fx->host, op < 0x80 ? KCS_CTRL_READ : fuzz_take(in));
			irq_ran = true;
			break;
		case 6:
			fake_host_write_cmd(&fx->fake, fuzz_take(in));
			break;
		case 7:
			fake_host_write_data(&fx->fake, fuzz_take(in));
			break;
		case 8:
			(void)kcs_sm_handle_irq(&fx->sm);
			irq_ran = true;
			break;
		case 9:
			(void)fake_host_read_data(&fx->fake);
			break;
		case 10:
			answer(fx, md, in, md->last_id, op & 0x80);
			break;
		case 11:
			answer(fx, md, in, take32(in), op & 0x80);
			break;
		case 12:
			kcs_sm_force_abort(&fx->sm);
			break;
		case 13:
			md->sms_atn = op & 0x80;
			kcs_sm_set_sms_atn(&fx->sm, md->sms_atn);
			break;
		case 14:
			if (op & 0x80)
				kcs_sm_shutdown(&fx->sm);
			break;
		case 15:
			(void)fake_host_read_status(&fx->fake);
			break;
		}
		check_invariants(fx, md, irq_ran);
	}
}

/* A host driver after trouble: the error exit, then an ordinary exchange. */
static void recover(struct fixture *fx, struct model *md)
{
	const uint8_t want[3] = { self_test_req[0] | 0x04u, self_test_req[1], 0x00 };
	uint32_t id;
	int status;

	/* A write whose interrupt never came is served now. */
	if (fake_host_read_status(&fx->fake) & KCS_STR_IBF) {
		(void)kcs_sm_handle_irq(&fx->sm);
		check_invariants(fx, md, true);
	}
	fx->client.answer = NULL;
	status = host_error_exit(&fx->host);
	if (status < 0)
		fail_msg("error exit failed: %s", fx->host.failed_step);
	check_invariants(fx, md, true);
	id = fixture_send_request(fx, self_test_req, sizeof(self_test_req));
	follow_client(fx, md);
	assert_int_equal(kcs_sm_respond_cc(&fx->sm, id, 0x00), 0);
	md->outstanding = 0;
	fixture_expect_response(fx, want, sizeof(want));
	check_invariants(fx, md, true);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* A failed cmocka check outside a test aborts: a crash libFuzzer sees. */
	setenv("CMOCKA_TEST_ABORT", "1", 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A 3-byte limit admits Get Device ID's request but no answer with data. */
	static const size_t limits[] = { 3, 4, 5, 8, 16, 64, KCS_BUF_DEFAULT, KCS_BUF_MAX };
	static const uint8_t inline_answer[] = { 0x1c, 0x01, 0x00, 0x20 };
	struct fuzz_input in = { data, size };
	uint8_t cfg = fuzz_take(&in), lim = fuzz_take(&in);
	const char *chip_name = all_chips[cfg % NR_CHIPS];
	const struct kcs_chip *chip = kcs_chip_find(chip_name);
	struct kcs_channel_config ch = { .channel = 1 + (cfg >> 2) % chip->nr_channels };
	struct fixture *fx = fixture_new(chip_name, &ch, limits[lim % 8]);
	struct model md = { 0 };

	if (cfg & 0x80) {
		fx->client.answer = inline_answer;
		fx->client.answer_len = 3 + (lim >> 3) % 2;
	}
	/* Request ids about to wrap: 0 must be skipped. */
	if (lim & 0x10)
		kcs_sm_seed_ids(&fx->sm, UINT32_MAX - 1);
	run(fx, &md, &in);
	recover(fx, &md);
	fixture_free(fx);
	return 0;
}
