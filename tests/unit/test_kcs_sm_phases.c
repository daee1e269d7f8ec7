// SPDX-License-Identifier: Apache-2.0
/*
 * The host's three ways out of any phase: restart with WRITE_START, the
 * error exit (ABORT), and the BMC's own force abort; plus shutdown and the
 * status code each error leaves for the error exit.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sm_fixture.h"

static bool upstream_busy(enum kcs_phase p)
{
	return p == KCS_PHASE_WAIT_RESPONSE;
}

static bool holds_work(enum kcs_phase p)
{
	return p == KCS_PHASE_WRITE_DATA || p == KCS_PHASE_WRITE_END ||
	       p == KCS_PHASE_WAIT_RESPONSE || p == KCS_PHASE_READ;
}

/*
 * The new request replaces whatever was in flight: upstream is told to stop
 * (cancel with the old id), the old id is stale from then on, and the host
 * gets the new answer, not a leftover of the old one.
 */
static void check_restart(enum kcs_phase p)
{
	struct fixture *fx = fixture_new_default(KCS_BUF_DEFAULT);
	uint32_t old, id;

	fixture_goto_phase(fx, p);
	old = fx->client.id;
	id = fixture_send_request(fx, self_test_req, sizeof(self_test_req));
	assert_in_phase(p, fx->host.events[KCS_EV_RESTART], holds_work(p));
	assert_in_phase(p, fx->sm.counters.restarts, holds_work(p));
	assert_in_phase(p, fx->client.cancels, upstream_busy(p));
	if (upstream_busy(p))
		assert_in_phase(p, fx->client.cancelled_id, old);
	assert_in_phase(p, id != old, 1);
	if (old) {
		assert_in_phase(p, kcs_sm_respond(&fx->sm, old, get_device_id_resp,
						  sizeof(get_device_id_resp)), -ESTALE);
		assert_in_phase(p, kcs_sm_respond_cc(&fx->sm, old, 0xC3), -ESTALE);
		assert_in_phase(p, fx->sm.counters.stale_responses, 2);
	}
	assert_in_phase(p, fx->sm.phase, KCS_PHASE_WAIT_RESPONSE);
	assert_in_phase(p, kcs_sm_respond(&fx->sm, id, self_test_resp, sizeof(self_test_resp)), 0);
	fixture_expect_response(fx, self_test_resp, sizeof(self_test_resp));
	fixture_free(fx);
}

/* The error exit returns 0x01 from any phase, then the channel works again. */
static void check_abort(enum kcs_phase p)
{
	struct fixture *fx = fixture_new_default(KCS_BUF_DEFAULT);
	uint32_t old;
	int r;

	fixture_goto_phase(fx, p);
	old = fx->client.id;
	r = host_error_exit(&fx->host);
	if (r < 0)
		fail_msg("in phase %s: error exit failed: %s", kcs_phase_name(p), fx->host.failed_step);
	assert_in_phase(p, r, KCS_STATUS_ABORTED);
	assert_in_phase(p, fx->sm.phase, KCS_PHASE_IDLE);
	assert_in_phase(p, fx->host.events[KCS_EV_ABORT_DONE], 1);
	assert_in_phase(p, fx->client.cancels, upstream_busy(p));
	if (old)
		assert_in_phase(p, kcs_sm_respond(&fx->sm, old, get_device_id_resp,
						  sizeof(get_device_id_resp)), -ESTALE);
	fixture_exchange(fx, self_test_req, sizeof(self_test_req), self_test_resp, sizeof(self_test_resp));
	/* The code is reset: a second error exit says "aborted", nothing older. */
	assert_in_phase(p, host_error_exit(&fx->host), KCS_STATUS_ABORTED);
	fixture_free(fx);
}

/*
 * Force abort, with and without a host byte still waiting in IDR: ERROR,
 * IBF clear, dummy in ODR, upstream cancelled; the host recovers with the
 * error exit and a normal transaction.
 */
static void check_force_abort(enum kcs_phase p, bool byte_pending)
{
	struct fixture *fx = fixture_new_default(KCS_BUF_DEFAULT);
	uint32_t old;
	uint8_t str;
	int r;

	fixture_goto_phase(fx, p);
	old = fx->client.id;
	if (byte_pending)
		fake_host_write_data(&fx->fake, KCS_CTRL_READ);
	fake_log_clear(&fx->fake);
	kcs_sm_force_abort(&fx->sm);
	str = fake_host_read_status(&fx->fake);
	assert_in_phase(p, kcs_str_state(str), KCS_STATE_ERROR);
	assert_in_phase(p, str & (KCS_STR_IBF | KCS_STR_OBF), KCS_STR_OBF);
	assert_in_phase(p, fake_odr(&fx->fake), 0x00);
	assert_in_phase(p, fake_log_count(&fx->fake, fx->fake.offs.odr), 1);
	assert_in_phase(p, fx->sm.phase, KCS_PHASE_ERROR);
	assert_in_phase(p, fx->client.cancels, upstream_busy(p));
	if (old)
		assert_in_phase(p, kcs_sm_respond(&fx->sm, old, get_device_id_resp,
						  sizeof(get_device_id_resp)), -ESTALE);
	/* The pending byte's interrupt arrives after the fact. */
	if (byte_pending)
		assert_in_phase(p, kcs_sm_handle_irq(&fx->sm), KCS_EV_SPURIOUS);
	r = host_error_exit(&fx->host);
	if (r < 0)
		fail_msg("in phase %s: error exit failed: %s", kcs_phase_name(p), fx->host.failed_step);
	assert_in_phase(p, r, KCS_STATUS_ABORTED);
	fixture_exchange(fx, get_device_id_req, sizeof(get_device_id_req),
			 get_device_id_resp, sizeof(get_device_id_resp));
	fixture_free(fx);
}

#define PHASE_TESTS(phase, name)						\
static void test_restart_from_##name(void **state)			\
{									\
	(void)state;							\
	check_restart(phase);						\
}									\
static void test_abort_from_##name(void **state)				\
{									\
	(void)state;							\
	check_abort(phase);						\
}									\
static void test_force_abort_from_##name(void **state)			\
{									\
	(void)state;							\
	check_force_abort(phase, false);				\
	check_force_abort(phase, true);					\
}

PHASE_TESTS(KCS_PHASE_IDLE, idle)
PHASE_TESTS(KCS_PHASE_WRITE_START, write_start)
PHASE_TESTS(KCS_PHASE_WRITE_DATA, write_data)
PHASE_TESTS(KCS_PHASE_WRITE_END, write_end)
PHASE_TESTS(KCS_PHASE_WAIT_RESPONSE, wait_response)
PHASE_TESTS(KCS_PHASE_READ, read)
PHASE_TESTS(KCS_PHASE_ABORT_1, abort_1)
PHASE_TESTS(KCS_PHASE_ABORT_2, abort_2)
PHASE_TESTS(KCS_PHASE_ERROR, error)

/* A restart right after an illegal code, then ERROR again: restart from ERROR with a code set. */
static void test_restart_from_error_after_illegal_code(void **state)
{
	struct fixture *fx = *state;

	host_write_cmd(&fx->host, 0x63);
	assert_int_equal(fx->sm.phase, KCS_PHASE_ERROR);
	fixture_exchange(fx, self_test_req, sizeof(self_test_req), self_test_resp, sizeof(self_test_resp));
	assert_int_equal(fx->sm.counters.restarts, 0);
}

/*
 * FreeIPMI never aborts: after an error it starts over with WRITE_START.
 * That clears the error code, so a later error exit reports 0x01, not the
 * old 0x02.
 */
static void test_write_start_clears_error_code(void **state)
{
	struct fixture *fx = *state;

	host_write_data(&fx->host, 0x42);                  /* a byte in IDLE: 0x02 */
	assert_int_equal(fx->sm.error, KCS_STATUS_ILLEGAL_CODE);
	fixture_goto_phase(fx, KCS_PHASE_WRITE_START);
	assert_int_equal(host_error_exit(&fx->host), KCS_STATUS_ABORTED);
}

/* The status codes the error exit reports after each kind of error. */
static void test_abort_status_after_illegal_code(void **state)
{
	struct fixture *fx = *state;

	fixture_goto_phase(fx, KCS_PHASE_WRITE_DATA);
	host_write_cmd(&fx->host, 0x65);
	assert_int_equal(host_error_exit(&fx->host), KCS_STATUS_ILLEGAL_CODE);
	assert_int_equal(fx->sm.counters.illegal_codes, 1);
	assert_int_equal(fx->sm.counters.host_aborts, 1);
}

static void test_abort_status_after_length_error(void **state)
{
	struct fixture *fx = fixture_new_default(8);
	uint8_t req[10] = { 0x18, 0x01 };

	(void)state;
	assert_int_equal(host_write_transfer(&fx->host, req, sizeof(req)), -EPROTO);
	assert_int_equal(host_error_exit(&fx->host), KCS_STATUS_LENGTH_ERROR);
	assert_int_equal(fx->sm.counters.length_errors, 1);
	fixture_free(fx);
}

static void test_abort_status_after_read_mismatch(void **state)
{
	struct fixture *fx = *state;

	fixture_goto_phase(fx, KCS_PHASE_READ);
	(void)host_read_data(&fx->host);
	host_write_data(&fx->host, 0x00);
	assert_int_equal(host_error_exit(&fx->host), KCS_STATUS_ILLEGAL_CODE);
}

/* A second ABORT during the error exit keeps the original code. */
static void test_abort_twice_keeps_error_code(void **state)
{
	struct fixture *fx = *state;

	host_write_data(&fx->host, 0x42);
	host_write_cmd(&fx->host, KCS_CTRL_GET_STATUS_ABORT);
	assert_int_equal(host_error_exit(&fx->host), KCS_STATUS_ILLEGAL_CODE);
	assert_int_equal(fx->sm.counters.host_aborts, 2);
}

/* Shutdown: state ERROR (nobody answers), work dropped, upstream cancelled. */
static void test_shutdown_in_every_phase(void **state)
{
	(void)state;
	for (size_t i = 0; i < NR_PHASES; i++) {
		enum kcs_phase p = all_phases[i];
		struct fixture *fx = fixture_new_default(KCS_BUF_DEFAULT);
		unsigned long reads;
		uint32_t old;

		fixture_goto_phase(fx, p);
		old = fx->client.id;
		reads = fx->fake.idr_reads;
		fake_log_clear(&fx->fake);
		kcs_sm_shutdown(&fx->sm);
		assert_in_phase(p, kcs_str_state(fake_host_read_status(&fx->fake)), KCS_STATE_ERROR);
		assert_in_phase(p, fx->sm.phase, KCS_PHASE_ERROR);
		assert_in_phase(p, fx->client.cancels, upstream_busy(p));
		assert_in_phase(p, fx->sm.in_len + fx->sm.out_len, 0);
		/* Only the state bits change: no ODR write, no IDR read. */
		assert_in_phase(p, fake_log_count(&fx->fake, fx->fake.offs.odr), 0);
		assert_in_phase(p, fx->fake.idr_reads, reads);
		if (old)
			assert_in_phase(p, kcs_sm_respond_cc(&fx->sm, old, 0x00), -ESTALE);
		fixture_free(fx);
	}
}

int main(void)
{
#define PHASE_ENTRIES(name)							\
		cmocka_unit_test(test_restart_from_##name),			\
		cmocka_unit_test(test_abort_from_##name),			\
		cmocka_unit_test(test_force_abort_from_##name)
	const struct CMUnitTest tests[] = {
		PHASE_ENTRIES(idle),
		PHASE_ENTRIES(write_start),
		PHASE_ENTRIES(write_data),
		PHASE_ENTRIES(write_end),
		PHASE_ENTRIES(wait_response),
		PHASE_ENTRIES(read),
		PHASE_ENTRIES(abort_1),
		PHASE_ENTRIES(abort_2),
		PHASE_ENTRIES(error),
		cmocka_unit_test_setup_teardown(test_restart_from_error_after_illegal_code, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_write_start_clears_error_code, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_abort_status_after_illegal_code, fixture_setup, fixture_teardown),
		cmocka_unit_test(test_abort_status_after_length_error),
		cmocka_unit_test_setup_teardown(test_abort_status_after_read_mismatch, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_abort_twice_keeps_error_code, fixture_setup, fixture_teardown),
		cmocka_unit_test(test_shutdown_in_every_phase),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
