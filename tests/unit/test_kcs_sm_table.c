// SPDX-License-Identifier: Apache-2.0
/*
 * docs/design.md section 2, row by row: one test per row of the behaviour table
 * (test_row_*), the per-interrupt preamble (spurious interrupts, the control
 * code handshake) and the ordering rule.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sm_fixture.h"

static bool phase_holds_work(enum kcs_phase p)
{
	return p == KCS_PHASE_WRITE_DATA || p == KCS_PHASE_WRITE_END ||
	       p == KCS_PHASE_WAIT_RESPONSE || p == KCS_PHASE_READ;
}

static uint8_t status(struct fixture *fx)
{
	return fake_host_read_status(&fx->fake);
}

/* The host-visible result of a step that gives the host its OBF handshake. */
static void assert_shows(struct fixture *fx, enum kcs_phase p, enum kcs_state state, uint8_t odr)
{
	assert_in_phase(p, kcs_str_state(status(fx)), state);
	assert_in_phase(p, status(fx) & KCS_STR_OBF, KCS_STR_OBF);
	assert_in_phase(p, fake_odr(&fx->fake), odr);
}

/* The error exit, then an ordinary exchange: the channel fully recovered. */
static void assert_recovers(struct fixture *fx, enum kcs_phase p, int status_code)
{
	int r = host_error_exit(&fx->host);

	if (r < 0)
		fail_msg("in phase %s: error exit failed: %s", kcs_phase_name(p), fx->host.failed_step);
	assert_in_phase(p, r, status_code);
	assert_in_phase(p, fx->sm.phase, KCS_PHASE_IDLE);
	fixture_exchange(fx, self_test_req, sizeof(self_test_req), self_test_resp, sizeof(self_test_resp));
}

/* Row: WRITE_START | any | drop everything; error := 0x00; phase WRITE_START. */
static void test_row_write_start_any_phase(void **state)
{
	(void)state;
	for (size_t i = 0; i < NR_PHASES; i++) {
		enum kcs_phase p = all_phases[i];
		struct fixture *fx = fixture_new_default(KCS_BUF_DEFAULT);
		enum kcs_sm_event ev;

		fixture_goto_phase(fx, p);
		host_clear_obf(&fx->host);
		ev = host_write_cmd(&fx->host, KCS_CTRL_WRITE_START);
		assert_in_phase(p, ev, phase_holds_work(p) ? KCS_EV_RESTART : KCS_EV_WRITE_START);
		assert_in_phase(p, fx->sm.phase, KCS_PHASE_WRITE_START);
		assert_shows(fx, p, KCS_STATE_WRITE, 0x00);
		assert_in_phase(p, fx->sm.error, KCS_STATUS_NO_ERROR);
		assert_in_phase(p, fx->client.cancels, p == KCS_PHASE_WAIT_RESPONSE);
		/* Nothing of the old request survives into the new one. */
		fixture_exchange(fx, self_test_req, sizeof(self_test_req),
				 self_test_resp, sizeof(self_test_resp));
		fixture_free(fx);
	}
}

/* Row: WRITE_END | WRITE_DATA | phase WRITE_END. */
static void test_row_write_end_in_write_data(void **state)
{
	struct fixture *fx = *state;

	fixture_goto_phase(fx, KCS_PHASE_WRITE_DATA);
	host_clear_obf(&fx->host);
	assert_int_equal(host_write_cmd(&fx->host, KCS_CTRL_WRITE_END), KCS_EV_BYTE);
	assert_int_equal(fx->sm.phase, KCS_PHASE_WRITE_END);
	assert_shows(fx, KCS_PHASE_WRITE_DATA, KCS_STATE_WRITE, 0x00);
	host_clear_obf(&fx->host);
	assert_int_equal(host_write_data(&fx->host, get_device_id_req[1]), KCS_EV_REQUEST);
	assert_int_equal(fx->client.len, 2);
	assert_memory_equal(fx->client.msg, get_device_id_req, 2);
	assert_int_equal(fx->sm.counters.illegal_codes + fx->sm.counters.length_errors, 0);
}

/* Row: WRITE_END | WRITE_START (no data byte yet) | error 0x06; ERROR. */
static void test_row_write_end_in_write_start_is_length_error(void **state)
{
	struct fixture *fx = *state;

	fixture_goto_phase(fx, KCS_PHASE_WRITE_START);
	host_clear_obf(&fx->host);
	assert_int_equal(host_write_cmd(&fx->host, KCS_CTRL_WRITE_END), KCS_EV_LENGTH_ERROR);
	assert_int_equal(kcs_str_state(status(fx)), KCS_STATE_ERROR);
	assert_int_equal(fx->sm.phase, KCS_PHASE_ERROR);
	assert_int_equal(fx->sm.counters.length_errors, 1);
	assert_int_equal(fx->sm.counters.illegal_codes, 0);
	assert_int_equal(fx->client.requests, 0);
	assert_recovers(fx, KCS_PHASE_WRITE_START, KCS_STATUS_LENGTH_ERROR);
}

/* Row: WRITE_END | any other phase | error 0x02; ERROR. */
static void test_row_write_end_in_other_phases_is_illegal(void **state)
{
	(void)state;
	for (size_t i = 0; i < NR_PHASES; i++) {
		enum kcs_phase p = all_phases[i];
		struct fixture *fx;

		if (p == KCS_PHASE_WRITE_DATA || p == KCS_PHASE_WRITE_START)
			continue;
		fx = fixture_new_default(KCS_BUF_DEFAULT);
		fixture_goto_phase(fx, p);
		host_clear_obf(&fx->host);
		assert_in_phase(p, host_write_cmd(&fx->host, KCS_CTRL_WRITE_END), KCS_EV_ILLEGAL);
		assert_in_phase(p, kcs_str_state(status(fx)), KCS_STATE_ERROR);
		assert_in_phase(p, fx->sm.phase, KCS_PHASE_ERROR);
		assert_in_phase(p, fx->sm.counters.illegal_codes, 1);
		assert_in_phase(p, fx->client.cancels, p == KCS_PHASE_WAIT_RESPONSE);
		assert_recovers(fx, p, KCS_STATUS_ILLEGAL_CODE);
		fixture_free(fx);
	}
}

/* Row: ABORT | any | error 0x01 unless set; drop work; ABORT_1, state WRITE. */
static void test_row_abort_any_phase(void **state)
{
	(void)state;
	for (size_t i = 0; i < NR_PHASES; i++) {
		enum kcs_phase p = all_phases[i];
		struct fixture *fx = fixture_new_default(KCS_BUF_DEFAULT);

		fixture_goto_phase(fx, p);
		assert_in_phase(p, host_write_cmd(&fx->host, KCS_CTRL_GET_STATUS_ABORT), KCS_EV_HOST_ABORT);
		assert_in_phase(p, fx->sm.phase, KCS_PHASE_ABORT_1);
		assert_shows(fx, p, KCS_STATE_WRITE, 0x00);
		assert_in_phase(p, fx->sm.error, KCS_STATUS_ABORTED);
		assert_in_phase(p, fx->sm.in_len + fx->sm.out_len, 0);
		assert_in_phase(p, fx->client.cancels, p == KCS_PHASE_WAIT_RESPONSE);
		/* The rest of the error exit by hand: status, then idle. */
		host_clear_obf(&fx->host);
		host_write_data(&fx->host, 0x00);
		assert_shows(fx, p, KCS_STATE_READ, KCS_STATUS_ABORTED);
		(void)host_read_data(&fx->host);
		assert_in_phase(p, host_write_data(&fx->host, KCS_CTRL_READ), KCS_EV_ABORT_DONE);
		assert_shows(fx, p, KCS_STATE_IDLE, 0x00);
		(void)host_read_data(&fx->host);
		assert_in_phase(p, fx->sm.counters.host_aborts, p == KCS_PHASE_ABORT_1 || p == KCS_PHASE_ABORT_2 ? 2 : 1);
		fixture_exchange(fx, self_test_req, sizeof(self_test_req),
				 self_test_resp, sizeof(self_test_resp));
		fixture_free(fx);
	}
}

/* Row: other control code (0x68 on the command port too) | any | 0x02; ERROR. */
static void test_row_other_code_is_illegal(void **state)
{
	struct fixture *fx = *state;
	uint64_t illegal = 0;

	for (unsigned int code = 0; code <= 0xFF; code++) {
		if (code >= KCS_CTRL_GET_STATUS_ABORT && code <= KCS_CTRL_WRITE_END)
			continue;
		fixture_goto_phase(fx, KCS_PHASE_WRITE_DATA);
		host_clear_obf(&fx->host);
		if (host_write_cmd(&fx->host, (uint8_t)code) != KCS_EV_ILLEGAL)
			fail_msg("control code 0x%02x was not refused", code);
		if (kcs_str_state(status(fx)) != KCS_STATE_ERROR || fx->sm.phase != KCS_PHASE_ERROR)
			fail_msg("control code 0x%02x: no ERROR state", code);
		assert_int_equal(fx->sm.counters.illegal_codes, ++illegal);
		if (host_error_exit(&fx->host) != KCS_STATUS_ILLEGAL_CODE)
			fail_msg("control code 0x%02x: error exit did not report 0x02", code);
	}
	assert_int_equal(fx->client.requests, 0);
	/* READ on the command port, in every phase. */
	for (size_t i = 0; i < NR_PHASES; i++) {
		enum kcs_phase p = all_phases[i];
		struct fixture *f = fixture_new_default(KCS_BUF_DEFAULT);

		fixture_goto_phase(f, p);
		host_clear_obf(&f->host);
		assert_in_phase(p, host_write_cmd(&f->host, KCS_CTRL_READ), KCS_EV_ILLEGAL);
		assert_in_phase(p, kcs_str_state(status(f)), KCS_STATE_ERROR);
		assert_in_phase(p, f->client.cancels, p == KCS_PHASE_WAIT_RESPONSE);
		assert_recovers(f, p, KCS_STATUS_ILLEGAL_CODE);
		fixture_free(f);
	}
}

/* Row: data byte | WRITE_START, WRITE_DATA | WRITE; append; dummy; WRITE_DATA. */
static void test_row_data_in_write_start_and_write_data(void **state)
{
	struct fixture *fx = *state;
	static const uint8_t req[] = { 0x2E << 2, 0x42, 0x00, 0xFF, 0x68, 0x60, 0x61, 0x62 };

	fixture_goto_phase(fx, KCS_PHASE_WRITE_START);
	for (size_t i = 0; i + 1 < sizeof(req); i++) {
		enum kcs_phase p = fx->sm.phase;

		host_clear_obf(&fx->host);
		assert_in_phase(p, host_write_data(&fx->host, req[i]), KCS_EV_BYTE);
		assert_in_phase(p, fx->sm.phase, KCS_PHASE_WRITE_DATA);
		assert_shows(fx, p, KCS_STATE_WRITE, 0x00);
	}
	host_clear_obf(&fx->host);
	host_write_cmd(&fx->host, KCS_CTRL_WRITE_END);
	host_clear_obf(&fx->host);
	host_write_data(&fx->host, req[sizeof(req) - 1]);
	/* Bytes equal to control codes are plain data on the data port. */
	assert_int_equal(fx->client.len, sizeof(req));
	assert_memory_equal(fx->client.msg, req, sizeof(req));
}

/* Row: data byte | WRITE_END | last byte; READ; hand up with a fresh id; no ODR write. */
static void test_row_data_in_write_end_hands_request_up(void **state)
{
	struct fixture *fx = *state;
	uint32_t first;

	first = fixture_send_request(fx, get_device_id_req, sizeof(get_device_id_req));
	assert_int_equal(kcs_sm_respond(&fx->sm, first, get_device_id_resp, sizeof(get_device_id_resp)), 0);
	fixture_expect_response(fx, get_device_id_resp, sizeof(get_device_id_resp));

	fixture_goto_phase(fx, KCS_PHASE_WRITE_END);
	host_clear_obf(&fx->host);
	fake_log_clear(&fx->fake);
	assert_int_equal(host_write_data(&fx->host, get_device_id_req[1]), KCS_EV_REQUEST);
	assert_int_equal(fake_log_count(&fx->fake, fx->fake.offs.odr), 0);
	assert_int_equal(kcs_str_state(status(fx)), KCS_STATE_READ);
	assert_int_equal(status(fx) & KCS_STR_OBF, 0);
	assert_int_equal(fx->sm.phase, KCS_PHASE_WAIT_RESPONSE);
	assert_int_equal(fx->client.requests, 2);
	assert_int_not_equal(fx->client.id, 0);
	assert_int_not_equal(fx->client.id, first);
	assert_true(kcs_sm_waiting_for(&fx->sm, fx->client.id));
	assert_false(kcs_sm_waiting_for(&fx->sm, first));
	assert_int_equal(fx->sm.counters.requests, 2);
}

/* Row: data byte | READ | 0x68: next byte, then IDLE + dummy after the last. */
static void test_row_data_in_read_sends_response(void **state)
{
	struct fixture *fx = *state;
	uint32_t id = fixture_send_request(fx, get_device_id_req, sizeof(get_device_id_req));

	assert_int_equal(kcs_sm_respond(&fx->sm, id, get_device_id_resp, sizeof(get_device_id_resp)), 0);
	for (size_t i = 0; i < sizeof(get_device_id_resp); i++) {
		bool last = i + 1 == sizeof(get_device_id_resp);

		assert_int_equal(kcs_str_state(status(fx)), KCS_STATE_READ);
		host_wait_obf(&fx->host);
		assert_int_equal(host_read_data(&fx->host), get_device_id_resp[i]);
		assert_int_equal(host_write_data(&fx->host, KCS_CTRL_READ),
				 last ? KCS_EV_RESPONSE_DONE : KCS_EV_BYTE);
		assert_shows(fx, KCS_PHASE_READ, last ? KCS_STATE_IDLE : KCS_STATE_READ,
			     last ? 0x00 : get_device_id_resp[i + 1]);
	}
	assert_int_equal(fx->sm.phase, KCS_PHASE_IDLE);
	assert_int_equal(fx->sm.counters.responses, 1);
	(void)host_read_data(&fx->host);
}

/* Row: data byte | READ | byte != 0x68: error 0x02; ERROR (mid-response and last byte). */
static void test_row_data_in_read_mismatch_is_illegal(void **state)
{
	(void)state;
	for (size_t at = 0; at < sizeof(self_test_resp); at++) {
		struct fixture *fx = fixture_new_default(KCS_BUF_DEFAULT);
		uint32_t id = fixture_send_request(fx, self_test_req, sizeof(self_test_req));

		assert_int_equal(kcs_sm_respond(&fx->sm, id, self_test_resp, sizeof(self_test_resp)), 0);
		for (size_t i = 0; i < at; i++) {
			(void)host_read_data(&fx->host);
			host_write_data(&fx->host, KCS_CTRL_READ);
		}
		(void)host_read_data(&fx->host);
		assert_int_equal(host_write_data(&fx->host, 0x00), KCS_EV_ILLEGAL);
		assert_int_equal(kcs_str_state(status(fx)), KCS_STATE_ERROR);
		assert_int_equal(fx->sm.phase, KCS_PHASE_ERROR);
		assert_int_equal(fx->sm.counters.illegal_codes, 1);
		assert_int_equal(fx->sm.counters.responses, 0);
		assert_recovers(fx, KCS_PHASE_READ, KCS_STATUS_ILLEGAL_CODE);
		fixture_free(fx);
	}
}

/* Row: data byte | ABORT_1 | READ; status code to ODR; ABORT_2. */
static void test_row_data_in_abort_1_returns_status(void **state)
{
	struct fixture *fx = *state;

	fixture_goto_phase(fx, KCS_PHASE_ABORT_1);
	host_clear_obf(&fx->host);
	assert_int_equal(host_write_data(&fx->host, 0x00), KCS_EV_BYTE);
	assert_int_equal(fx->sm.phase, KCS_PHASE_ABORT_2);
	assert_shows(fx, KCS_PHASE_ABORT_1, KCS_STATE_READ, KCS_STATUS_ABORTED);
}

/* Row: data byte | ABORT_2 | any byte: IDLE; dummy; IDLE. */
static void test_row_data_in_abort_2_accepts_any_byte(void **state)
{
	static const uint8_t bytes[] = { KCS_CTRL_READ, 0x00, 0x5A, 0xFF };

	(void)state;
	for (size_t i = 0; i < sizeof(bytes); i++) {
		struct fixture *fx = fixture_new_default(KCS_BUF_DEFAULT);

		fixture_goto_phase(fx, KCS_PHASE_ABORT_2);
		assert_int_equal(host_read_data(&fx->host), KCS_STATUS_ABORTED);
		assert_int_equal(host_write_data(&fx->host, bytes[i]), KCS_EV_ABORT_DONE);
		assert_int_equal(fx->sm.phase, KCS_PHASE_IDLE);
		assert_shows(fx, KCS_PHASE_ABORT_2, KCS_STATE_IDLE, 0x00);
		assert_int_equal(fx->sm.error, KCS_STATUS_NO_ERROR);
		assert_int_equal(fx->sm.counters.illegal_codes, 0);
		fixture_exchange(fx, get_device_id_req, sizeof(get_device_id_req),
				 get_device_id_resp, sizeof(get_device_id_resp));
		fixture_free(fx);
	}
}

/* Row: data byte | IDLE, WAIT_RESPONSE, ERROR | 0x02 unless set; ERROR. */
static void test_row_data_in_idle_wait_response_error_is_illegal(void **state)
{
	static const enum kcs_phase phases[] = {
		KCS_PHASE_IDLE, KCS_PHASE_WAIT_RESPONSE, KCS_PHASE_ERROR,
	};
	struct fixture *fx;

	(void)state;
	for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		enum kcs_phase p = phases[i];

		fx = fixture_new_default(KCS_BUF_DEFAULT);
		fixture_goto_phase(fx, p);
		host_clear_obf(&fx->host);
		assert_in_phase(p, host_write_data(&fx->host, 0x18), KCS_EV_ILLEGAL);
		assert_in_phase(p, kcs_str_state(status(fx)), KCS_STATE_ERROR);
		assert_in_phase(p, fx->sm.phase, KCS_PHASE_ERROR);
		assert_in_phase(p, fx->sm.counters.illegal_codes, 1);
		assert_in_phase(p, fx->client.cancels, p == KCS_PHASE_WAIT_RESPONSE);
		assert_recovers(fx, p, KCS_STATUS_ILLEGAL_CODE);
		fixture_free(fx);
	}

	/* "Unless already set": a length error's code survives a stray byte. */
	fx = fixture_new_default(KCS_BUF_DEFAULT);
	fixture_goto_phase(fx, KCS_PHASE_WRITE_START);
	host_clear_obf(&fx->host);
	host_write_cmd(&fx->host, KCS_CTRL_WRITE_END);
	assert_int_equal(fx->sm.phase, KCS_PHASE_ERROR);
	host_clear_obf(&fx->host);
	assert_int_equal(host_write_data(&fx->host, 0x01), KCS_EV_ILLEGAL);
	assert_int_equal(kcs_str_state(status(fx)), KCS_STATE_ERROR);
	assert_recovers(fx, KCS_PHASE_ERROR, KCS_STATUS_LENGTH_ERROR);
	fixture_free(fx);
}

/* Row: response arrives | WAIT_RESPONSE, same id | READ; first byte to ODR. */
static void test_row_response_arrives(void **state)
{
	struct fixture *fx = *state;
	uint32_t id = fixture_send_request(fx, get_device_id_req, sizeof(get_device_id_req));

	fake_log_clear(&fx->fake);
	assert_int_equal(kcs_sm_respond(&fx->sm, id + 1, get_device_id_resp, sizeof(get_device_id_resp)),
			 -ESTALE);
	assert_int_equal(fx->fake.log_len, 0);
	assert_int_equal(fx->sm.counters.stale_responses, 1);
	assert_int_equal(fx->sm.phase, KCS_PHASE_WAIT_RESPONSE);

	assert_int_equal(kcs_sm_respond(&fx->sm, id, get_device_id_resp, sizeof(get_device_id_resp)), 0);
	assert_int_equal(fx->sm.phase, KCS_PHASE_READ);
	assert_shows(fx, KCS_PHASE_WAIT_RESPONSE, KCS_STATE_READ, get_device_id_resp[0]);
	assert_false(kcs_sm_waiting_for(&fx->sm, id));
	fixture_expect_response(fx, get_device_id_resp, sizeof(get_device_id_resp));

	/* In every other phase a response is stale: dropped, counted, no register touched. */
	for (size_t i = 0; i < NR_PHASES; i++) {
		enum kcs_phase p = all_phases[i];
		struct fixture *f;

		if (p == KCS_PHASE_WAIT_RESPONSE)
			continue;
		f = fixture_new_default(KCS_BUF_DEFAULT);
		fixture_goto_phase(f, p);
		fake_log_clear(&f->fake);
		for (uint32_t stale = 0; stale <= f->sm.last_id + 1; stale++)
			assert_in_phase(p, kcs_sm_respond(&f->sm, stale, self_test_resp,
							  sizeof(self_test_resp)) == -ESTALE, 1);
		assert_in_phase(p, f->fake.log_len, 0);
		assert_in_phase(p, f->sm.phase, p);
		assert_in_phase(p, f->sm.counters.stale_responses, f->sm.last_id + 2);
		fixture_free(f);
	}
}

/* Row: force abort | any | ERROR; read IDR; dummy; drop work; ERROR. */
static void test_row_force_abort_any_phase(void **state)
{
	(void)state;
	for (size_t i = 0; i < NR_PHASES; i++) {
		enum kcs_phase p = all_phases[i];
		struct fixture *fx = fixture_new_default(KCS_BUF_DEFAULT);
		uint32_t id;

		fixture_goto_phase(fx, p);
		id = fx->client.id;
		fake_log_clear(&fx->fake);
		kcs_sm_force_abort(&fx->sm);
		assert_in_phase(p, fx->sm.phase, KCS_PHASE_ERROR);
		assert_shows(fx, p, KCS_STATE_ERROR, 0x00);
		assert_in_phase(p, status(fx) & KCS_STR_IBF, 0);
		assert_in_phase(p, fake_log_count(&fx->fake, fx->fake.offs.odr), 1);
		assert_in_phase(p, fx->client.cancels, p == KCS_PHASE_WAIT_RESPONSE);
		if (p == KCS_PHASE_WAIT_RESPONSE)
			assert_in_phase(p, fx->client.cancelled_id, id);
		assert_in_phase(p, fx->sm.counters.force_aborts, p == KCS_PHASE_ERROR ? 2 : 1);
		assert_in_phase(p, kcs_sm_respond(&fx->sm, id, get_device_id_resp,
						  sizeof(get_device_id_resp)), -ESTALE);
		assert_recovers(fx, p, KCS_STATUS_ABORTED);
		fixture_free(fx);
	}
}

/* Row: set/clear SMS_ATN | any | read-modify-write of bit 2 only. */
static void test_row_sms_atn_preserves_obf_and_state(void **state)
{
	unsigned int with_obf = 0;

	(void)state;
	for (size_t i = 0; i < NR_PHASES; i++) {
		enum kcs_phase p = all_phases[i];
		struct fixture *fx = fixture_new_default(KCS_BUF_DEFAULT);

		fixture_goto_phase(fx, p);
		/* OBF set first (a byte the host has not read yet), then clear. */
		for (int obf = 1; obf >= 0; obf--) {
			unsigned long reads = fx->fake.idr_reads;
			uint8_t before, odr;

			if (obf && !(status(fx) & KCS_STR_OBF))
				continue;
			with_obf += obf;
			if (!obf)
				host_clear_obf(&fx->host);
			/* The vendor bits are not ours either. */
			fake_poke(&fx->fake, fx->fake.offs.str,
				  fake_peek(&fx->fake, fx->fake.offs.str) | KCS_STR_OEM1);
			before = status(fx);
			odr = fake_odr(&fx->fake);
			fake_log_clear(&fx->fake);
			kcs_sm_set_sms_atn(&fx->sm, true);
			assert_in_phase(p, status(fx), before | KCS_STR_SMS_ATN);
			kcs_sm_set_sms_atn(&fx->sm, false);
			assert_in_phase(p, status(fx), before & ~KCS_STR_SMS_ATN);
			assert_in_phase(p, fake_odr(&fx->fake), odr);
			assert_in_phase(p, fake_log_count(&fx->fake, fx->fake.offs.odr), 0);
			assert_in_phase(p, fake_log_count(&fx->fake, fx->fake.offs.str), fx->fake.log_len);
			assert_in_phase(p, fx->fake.idr_reads, reads);
			assert_in_phase(p, fx->sm.phase, p);
			kcs_sm_set_sms_atn(&fx->sm, true);
			assert_in_phase(p, status(fx) & (KCS_STR_SMS_ATN | KCS_STR_OBF),
					KCS_STR_SMS_ATN | (before & KCS_STR_OBF));
			kcs_sm_set_sms_atn(&fx->sm, false);
		}
		fixture_free(fx);
	}
	/* Every phase but IDLE and WAIT_RESPONSE leaves a byte in ODR. */
	assert_int_equal(with_obf, NR_PHASES - 2);
}

/* Preamble: an interrupt with IBF clear is spurious, in any phase. */
static void test_irq_with_ibf_clear_is_spurious(void **state)
{
	(void)state;
	for (size_t i = 0; i < NR_PHASES; i++) {
		enum kcs_phase p = all_phases[i];
		struct fixture *fx = fixture_new_default(KCS_BUF_DEFAULT);
		unsigned long reads;
		uint8_t before;

		fixture_goto_phase(fx, p);
		reads = fx->fake.idr_reads;
		before = status(fx);
		fake_log_clear(&fx->fake);
		assert_in_phase(p, kcs_sm_handle_irq(&fx->sm), KCS_EV_SPURIOUS);
		assert_in_phase(p, kcs_sm_handle_irq(&fx->sm), KCS_EV_SPURIOUS);
		assert_in_phase(p, fx->sm.counters.spurious_irqs, 2);
		assert_in_phase(p, fx->fake.idr_reads, reads);
		assert_in_phase(p, fx->fake.log_len, 0);
		assert_in_phase(p, status(fx), before);
		assert_in_phase(p, fx->sm.phase, p);
		fixture_free(fx);
	}
}

/* Preamble: every control code gets state WRITE and the dummy byte before IDR is read. */
/*
 * kcs_sm_poll (shared lines): the same work as kcs_sm_handle_irq, but an
 * interrupt with IBF clear is only counted when the caller says so.
 */
static void test_poll_leaves_spurious_to_the_caller(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(kcs_sm_poll(&fx->sm), KCS_EV_SPURIOUS);
	assert_int_equal(fx->sm.counters.spurious_irqs, 0);
	kcs_sm_count_spurious(&fx->sm);
	assert_int_equal(fx->sm.counters.spurious_irqs, 1);

	fake_host_write_cmd(&fx->fake, KCS_CTRL_WRITE_START);
	assert_int_equal(kcs_sm_poll(&fx->sm), KCS_EV_WRITE_START);
	assert_int_equal(fx->sm.phase, KCS_PHASE_WRITE_START);
	assert_int_equal(fx->sm.counters.spurious_irqs, 1);
}

static void test_control_code_handshake_before_idr_read(void **state)
{
	static const uint8_t codes[] = { 0x60, 0x61, 0x62, 0x63, 0x67, 0x68, 0x6F, 0x00, 0xFF };

	(void)state;
	for (size_t i = 0; i < sizeof(codes); i++) {
		struct fixture *fx = fixture_new_default(KCS_BUF_DEFAULT);

		fixture_goto_phase(fx, KCS_PHASE_WRITE_DATA);
		host_clear_obf(&fx->host);
		fake_poke(&fx->fake, fx->fake.offs.odr, 0xA5);
		host_write_cmd(&fx->host, codes[i]);
		assert_int_equal(kcs_str_state(fx->fake.snap.str), KCS_STATE_WRITE);
		assert_int_equal(fx->fake.snap.str & KCS_STR_OBF, KCS_STR_OBF);
		assert_int_equal(fx->fake.snap.odr, 0x00);
		fixture_free(fx);
	}
}

/* What a host polling STR sees at the instant IBF drops, data byte by data byte. */
static void expect_at_ibf_drop(struct fixture *fx, const char *what, enum kcs_state state,
			       bool obf, uint8_t odr)
{
	const struct fake_snapshot *s = &fx->fake.snap;

	if (kcs_str_state(s->str) != state || !!(s->str & KCS_STR_OBF) != obf ||
	    (obf && s->odr != odr))
		fail_msg("%s: when IBF dropped the host saw state %s OBF %u ODR 0x%02x; want %s OBF %u ODR 0x%02x",
			 what, host_state_name(kcs_str_state(s->str)), s->str & KCS_STR_OBF, s->odr,
			 host_state_name(state), obf, odr);
}

static void test_ordering_fast_host_sees_final_state(void **state)
{
	struct fixture *fx = *state;
	struct host *h = &fx->host;
	uint32_t id;

	/* Write transfer. */
	host_write_cmd(h, KCS_CTRL_WRITE_START);
	host_clear_obf(h);
	host_write_data(h, get_device_id_req[0]);
	expect_at_ibf_drop(fx, "request byte", KCS_STATE_WRITE, true, 0x00);
	host_clear_obf(h);
	host_write_cmd(h, KCS_CTRL_WRITE_END);
	host_clear_obf(h);
	host_write_data(h, get_device_id_req[1]);
	expect_at_ibf_drop(fx, "last request byte", KCS_STATE_READ, false, 0);
	id = fx->client.id;

	/* Read transfer: every READ byte finds the next byte, the last one IDLE. */
	assert_int_equal(kcs_sm_respond(&fx->sm, id, get_device_id_resp, sizeof(get_device_id_resp)), 0);
	for (size_t i = 0; i < sizeof(get_device_id_resp); i++) {
		bool last = i + 1 == sizeof(get_device_id_resp);

		assert_int_equal(host_read_data(h), get_device_id_resp[i]);
		host_write_data(h, KCS_CTRL_READ);
		expect_at_ibf_drop(fx, last ? "final READ" : "READ", last ? KCS_STATE_IDLE : KCS_STATE_READ,
				   true, last ? 0x00 : get_device_id_resp[i + 1]);
	}
	(void)host_read_data(h);

	/* Error exit. */
	host_write_cmd(h, KCS_CTRL_GET_STATUS_ABORT);
	host_clear_obf(h);
	host_write_data(h, 0x00);
	expect_at_ibf_drop(fx, "abort status request", KCS_STATE_READ, true, KCS_STATUS_ABORTED);
	(void)host_read_data(h);
	host_write_data(h, KCS_CTRL_READ);
	expect_at_ibf_drop(fx, "abort end", KCS_STATE_IDLE, true, 0x00);
	(void)host_read_data(h);

	/* Errors the phase decides show before IBF drops too. */
	host_write_data(h, 0x18);
	expect_at_ibf_drop(fx, "data byte in IDLE", KCS_STATE_ERROR, false, 0);
	host_write_data(h, 0x18);
	expect_at_ibf_drop(fx, "data byte in ERROR", KCS_STATE_ERROR, false, 0);
}

static void test_ordering_length_error_shows_before_ibf_drops(void **state)
{
	struct fixture *fx = fixture_new_default(KCS_BUF_MIN);
	struct host *h = &fx->host;

	(void)state;
	host_write_cmd(h, KCS_CTRL_WRITE_START);
	for (unsigned int i = 0; i < KCS_BUF_MIN; i++) {
		host_clear_obf(h);
		host_write_data(h, (uint8_t)i);
	}
	host_clear_obf(h);
	host_write_data(h, 0x33);
	expect_at_ibf_drop(fx, "byte past the limit", KCS_STATE_ERROR, false, 0);
	fixture_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row_write_start_any_phase),
		cmocka_unit_test_setup_teardown(test_row_write_end_in_write_data, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_row_write_end_in_write_start_is_length_error, fixture_setup, fixture_teardown),
		cmocka_unit_test(test_row_write_end_in_other_phases_is_illegal),
		cmocka_unit_test(test_row_abort_any_phase),
		cmocka_unit_test_setup_teardown(test_row_other_code_is_illegal, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_row_data_in_write_start_and_write_data, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_row_data_in_write_end_hands_request_up, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_row_data_in_read_sends_response, fixture_setup, fixture_teardown),
		cmocka_unit_test(test_row_data_in_read_mismatch_is_illegal),
		cmocka_unit_test_setup_teardown(test_row_data_in_abort_1_returns_status, fixture_setup, fixture_teardown),
		cmocka_unit_test(test_row_data_in_abort_2_accepts_any_byte),
		cmocka_unit_test(test_row_data_in_idle_wait_response_error_is_illegal),
		cmocka_unit_test_setup_teardown(test_row_response_arrives, fixture_setup, fixture_teardown),
		cmocka_unit_test(test_row_force_abort_any_phase),
		cmocka_unit_test(test_row_sms_atn_preserves_obf_and_state),
		cmocka_unit_test(test_irq_with_ibf_clear_is_spurious),
		cmocka_unit_test_setup_teardown(test_poll_leaves_spurious_to_the_caller, fixture_setup, fixture_teardown),
		cmocka_unit_test(test_control_code_handshake_before_idr_read),
		cmocka_unit_test_setup_teardown(test_ordering_fast_host_sees_final_state, fixture_setup, fixture_teardown),
		cmocka_unit_test(test_ordering_length_error_shows_before_ibf_drops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
