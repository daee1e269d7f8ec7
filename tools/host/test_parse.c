// SPDX-License-Identifier: Apache-2.0
/* kcs-host argument parsing: hex bytes, numbers, steps ops, response check. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipmi_msg.h"
#include "parse.h"
#include "step_op.h"

static void test_hex_byte_forms(void **state)
{
	static const struct {
		const char *s;
		uint8_t value;
	} ok[] = {
		{ "0", 0x00 }, { "6", 0x06 }, { "06", 0x06 }, { "0x06", 0x06 },
		{ "0X6", 0x06 }, { "ff", 0xFF }, { "0xFF", 0xFF }, { "0x00ff", 0xFF },
		{ "1a", 0x1A }, { "A0", 0xA0 },
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint8_t v = 0x55;

		assert_int_equal(parse_hex_byte(ok[i].s, &v), 0);
		assert_int_equal(v, ok[i].value);
	}
}

static void test_hex_byte_rejects(void **state)
{
	static const char *const malformed[] = {
		"", "0x", "x6", "g", "0x1g", "-1", "+1", " 1", "1 ", "0x 1", "1zz0000",
	};
	static const char *const too_big[] = { "100", "0x100", "fff", "123456789abcdef0123" };
	uint8_t v = 0x55;

	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
		assert_int_equal(parse_hex_byte(malformed[i], &v), -EINVAL);
	for (size_t i = 0; i < sizeof(too_big) / sizeof(too_big[0]); i++)
		assert_int_equal(parse_hex_byte(too_big[i], &v), -ERANGE);
	/* Failures leave the output alone. */
	assert_int_equal(v, 0x55);
}

static void test_uint(void **state)
{
	unsigned long v = 7;

	assert_int_equal(parse_uint("1", 1, 10, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(parse_uint("10", 1, 10, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(parse_uint("0", 0, 0, &v), 0);
	assert_int_equal(v, 0);

	assert_int_equal(parse_uint("0", 1, 10, &v), -ERANGE);
	assert_int_equal(parse_uint("11", 1, 10, &v), -ERANGE);
	assert_int_equal(parse_uint("99999999999999999999999", 1, 10, &v), -ERANGE);
	assert_int_equal(parse_uint("", 1, 10, &v), -EINVAL);
	assert_int_equal(parse_uint("-1", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_uint("+1", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_uint(" 1", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_uint("1x", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_uint("1e3", 0, 10000, &v), -EINVAL);
	assert_int_equal(v, 0);
}

static void test_step_ops(void **state)
{
	struct step_op op;

	assert_int_equal(step_op_parse("cmd:61", &op), 0);
	assert_int_equal(op.kind, STEP_CMD);
	assert_int_equal(op.byte, 0x61);
	assert_true(step_op_writes(&op));

	assert_int_equal(step_op_parse("data:0x68", &op), 0);
	assert_int_equal(op.kind, STEP_DATA);
	assert_int_equal(op.byte, 0x68);
	assert_true(step_op_writes(&op));

	assert_int_equal(step_op_parse("wait-ibf", &op), 0);
	assert_int_equal(op.kind, STEP_WAIT_IBF);
	assert_false(step_op_writes(&op));
	assert_int_equal(step_op_parse("wait-obf", &op), 0);
	assert_int_equal(op.kind, STEP_WAIT_OBF);
	assert_int_equal(step_op_parse("read", &op), 0);
	assert_int_equal(op.kind, STEP_READ);
	assert_int_equal(step_op_parse("status", &op), 0);
	assert_int_equal(op.kind, STEP_STATUS);
	assert_false(step_op_writes(&op));

	/* A known op with a bad byte is told apart from an unknown op. */
	assert_int_equal(step_op_parse("cmd:", &op), -ERANGE);
	assert_int_equal(step_op_parse("cmd:100", &op), -ERANGE);
	assert_int_equal(step_op_parse("data:zz", &op), -ERANGE);
	assert_int_equal(step_op_parse("cmd", &op), -EINVAL);
	assert_int_equal(step_op_parse("wait", &op), -EINVAL);
	assert_int_equal(step_op_parse("read:1", &op), -EINVAL);
	assert_int_equal(step_op_parse("", &op), -EINVAL);
}

static void test_response_check(void **state)
{
	static const uint8_t req[] = { 0x06 << 2, 0x01 };
	static const uint8_t req_lun[] = { 0x30 << 2 | 2, 0x05 };
	uint8_t rsp[] = { 0x07 << 2, 0x01, 0x00, 0x20 };
	uint8_t rsp_lun[] = { 0x31 << 2 | 2, 0x05, 0xC1 };
	char err[256];

	assert_int_equal(ipmi_check_response(req, rsp, sizeof(rsp), err, sizeof(err)), 0);
	assert_int_equal(ipmi_check_response(req, rsp, 3, err, sizeof(err)), 0);
	assert_int_equal(ipmi_check_response(req_lun, rsp_lun, sizeof(rsp_lun), err, sizeof(err)), 0);

	assert_int_equal(ipmi_check_response(req, rsp, 2, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "2 bytes"));

	rsp[1] = 0x02;
	assert_int_equal(ipmi_check_response(req, rsp, sizeof(rsp), err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "Cmd 0x02, expected NetFn 0x07 LUN 0 Cmd 0x01"));
	rsp[1] = 0x01;

	/* The request's own NetFn echoed back is not an answer. */
	rsp[0] = 0x06 << 2;
	assert_int_equal(ipmi_check_response(req, rsp, sizeof(rsp), err, sizeof(err)), -EBADMSG);
	/* Nor is the right NetFn on the wrong LUN. */
	rsp[0] = 0x07 << 2 | 1;
	assert_int_equal(ipmi_check_response(req, rsp, sizeof(rsp), err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "LUN 1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_byte_forms),
		cmocka_unit_test(test_hex_byte_rejects),
		cmocka_unit_test(test_uint),
		cmocka_unit_test(test_step_ops),
		cmocka_unit_test(test_response_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
