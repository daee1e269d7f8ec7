// SPDX-License-Identifier: Apache-2.0
/*
 * Message sizes: the run-time buffer limit (requests and responses) at
 * limit-1, limit and limit+1 for the default, a small and the largest limit,
 * and requests shorter than NetFn + Cmd.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sm_fixture.h"

#define SMALL_LIMIT 8u

static uint8_t *pattern(size_t len)
{
	uint8_t *buf = malloc(len);

	assert_non_null(buf);
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	buf[0] = 0x30 << 2;     /* an OEM NetFn, as large requests are */
	return buf;
}

/* A request of @len bytes goes up whole, and the answer comes back. */
static void check_request_fits(size_t limit, size_t len)
{
	struct fixture *fx = fixture_new_default(limit);
	uint8_t *req = pattern(len);
	uint32_t id = fixture_send_request(fx, req, len);

	assert_int_equal(kcs_sm_respond_cc(&fx->sm, id, 0x00), 0);
	assert_int_equal(fx->sm.counters.length_errors, 0);
	free(req);
	fixture_free(fx);
}

/*
 * One byte past the limit: the last byte (read in phase WRITE_END) is
 * refused, the host finds ERROR where it expects READ and runs the error
 * exit, which reports a length error. Nothing goes upstream.
 */
static void check_request_one_over(size_t limit)
{
	struct fixture *fx = fixture_new_default(limit);
	size_t len = limit + 1;
	uint8_t *req = pattern(len);
	uint8_t resp[8];
	size_t got;

	assert_int_equal(host_write_transfer(&fx->host, req, len), 0);
	assert_int_equal(fx->host.last_event, KCS_EV_LENGTH_ERROR);
	assert_int_equal(host_read_transfer(&fx->host, resp, sizeof(resp), &got), -EPROTO);
	assert_int_equal(host_error_exit(&fx->host), KCS_STATUS_LENGTH_ERROR);
	assert_int_equal(fx->client.requests, 0);
	assert_int_equal(fx->sm.counters.length_errors, 1);
	free(req);
	fixture_free(fx);
}

/* Two past: the byte past the limit is a WRITE_DATA byte; the host sees ERROR before WRITE_END. */
static void check_request_two_over(size_t limit)
{
	struct fixture *fx = fixture_new_default(limit);
	size_t len = limit + 2;
	uint8_t *req = pattern(len);

	assert_int_equal(host_write_transfer(&fx->host, req, len), -EPROTO);
	assert_non_null(strstr(fx->host.failed_step, "before WRITE_END"));
	assert_non_null(strstr(fx->host.failed_step, "ERROR"));
	assert_int_equal(host_error_exit(&fx->host), KCS_STATUS_LENGTH_ERROR);
	assert_int_equal(fx->client.requests, 0);
	assert_int_equal(fx->sm.counters.length_errors, 1);
	/* The channel is usable again. */
	fixture_exchange(fx, get_device_id_req, sizeof(get_device_id_req),
			 get_device_id_resp, KCS_BUF_MIN);
	free(req);
	fixture_free(fx);
}

/* A response of @len bytes reaches the host unchanged. */
static void check_response_fits(size_t limit, size_t len)
{
	struct fixture *fx = fixture_new_default(limit);
	uint8_t *resp = pattern(len);
	uint32_t id = fixture_send_request(fx, get_device_id_req, sizeof(get_device_id_req));

	assert_int_equal(kcs_sm_respond(&fx->sm, id, resp, len), 0);
	fixture_expect_response(fx, resp, len);
	assert_int_equal(fx->sm.counters.oversize_responses, 0);
	free(resp);
	fixture_free(fx);
}

/* One byte over: the host gets the request's header with 0xCA instead. */
static void check_response_one_over(size_t limit)
{
	struct fixture *fx = fixture_new_default(limit);
	uint8_t *resp = pattern(limit + 1);
	const uint8_t want[3] = { (0x06 | 1) << 2, 0x01, 0xCA };
	uint32_t id = fixture_send_request(fx, get_device_id_req, sizeof(get_device_id_req));

	assert_int_equal(kcs_sm_respond(&fx->sm, id, resp, limit + 1), -EMSGSIZE);
	assert_int_equal(fx->sm.counters.oversize_responses, 1);
	fixture_expect_response(fx, want, sizeof(want));
	assert_int_equal(fx->sm.counters.responses, 1);
	free(resp);
	fixture_free(fx);
}

static void check_limit(size_t limit)
{
	check_request_fits(limit, limit - 1);
	check_request_fits(limit, limit);
	check_request_one_over(limit);
	check_request_two_over(limit);
	if (limit - 1 >= KCS_BUF_MIN)
		check_response_fits(limit, limit - 1);
	check_response_fits(limit, limit);
	check_response_one_over(limit);
}

static void test_limit_default_1024(void **state)
{
	(void)state;
	assert_int_equal(KCS_BUF_DEFAULT, 1024);
	check_limit(KCS_BUF_DEFAULT);
}

static void test_limit_small(void **state)
{
	(void)state;
	check_limit(SMALL_LIMIT);
}

static void test_limit_4096(void **state)
{
	(void)state;
	assert_int_equal(KCS_BUF_MAX, 4096);
	check_limit(KCS_BUF_MAX);
}

/* The smallest limit still carries a 2-byte request and a 3-byte answer. */
static void test_limit_minimum_3(void **state)
{
	(void)state;
	check_limit(KCS_BUF_MIN);
}

/* WRITE_START, WRITE_END, one byte: shorter than NetFn + Cmd. */
static void test_request_of_one_byte_is_length_error(void **state)
{
	struct fixture *fx = *state;
	static const uint8_t one[] = { 0x18 };

	assert_int_equal(host_write_transfer(&fx->host, one, sizeof(one)), -EPROTO);
	assert_non_null(strstr(fx->host.failed_step, "after WRITE_END"));
	assert_int_equal(fx->host.last_event, KCS_EV_LENGTH_ERROR);
	/* The last byte still arrives: a host that does not check state sends it. */
	host_clear_obf(&fx->host);
	assert_int_equal(host_write_data(&fx->host, one[0]), KCS_EV_ILLEGAL);
	assert_int_equal(host_error_exit(&fx->host), KCS_STATUS_LENGTH_ERROR);
	assert_int_equal(fx->client.requests, 0);
	assert_int_equal(fx->sm.counters.length_errors, 1);
	assert_int_equal(fx->sm.counters.requests, 0);
}

/* WRITE_START then WRITE_END with no byte at all. */
static void test_request_of_no_byte_is_length_error(void **state)
{
	struct fixture *fx = *state;

	host_write_cmd(&fx->host, KCS_CTRL_WRITE_START);
	host_clear_obf(&fx->host);
	assert_int_equal(host_write_cmd(&fx->host, KCS_CTRL_WRITE_END), KCS_EV_LENGTH_ERROR);
	assert_int_equal(host_error_exit(&fx->host), KCS_STATUS_LENGTH_ERROR);
	assert_int_equal(fx->client.requests, 0);
}

/* Two bytes is the shortest request there is. */
static void test_request_of_two_bytes_goes_up(void **state)
{
	struct fixture *fx = *state;

	fixture_exchange(fx, get_device_id_req, sizeof(get_device_id_req),
			 get_device_id_resp, sizeof(get_device_id_resp));
	assert_int_equal(fx->sm.counters.length_errors, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit_default_1024),
		cmocka_unit_test(test_limit_small),
		cmocka_unit_test(test_limit_4096),
		cmocka_unit_test(test_limit_minimum_3),
		cmocka_unit_test_setup_teardown(test_request_of_one_byte_is_length_error, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_request_of_no_byte_is_length_error, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_request_of_two_bytes_goes_up, fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
