// SPDX-License-Identifier: Apache-2.0
/* kcs-host status decoding, as every message and trace line shows it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "str_decode.h"

static void test_describe(void **state)
{
	char buf[STR_DESCRIBE_MAX];

	assert_string_equal(str_describe(0x00, buf, sizeof(buf)),
			    "STR=0x00 (state IDLE, IBF 0, OBF 0, C/D 0, SMS_ATN 0)");
	assert_string_equal(str_describe(0x8a, buf, sizeof(buf)),
			    "STR=0x8a (state WRITE, IBF 1, OBF 0, C/D 1, SMS_ATN 0)");
	assert_string_equal(str_describe(0x45, buf, sizeof(buf)),
			    "STR=0x45 (state READ, IBF 0, OBF 1, C/D 0, SMS_ATN 1)");
	/* The longest form fits the documented size. */
	assert_string_equal(str_describe(0xff, buf, sizeof(buf)),
			    "STR=0xff (state ERROR, IBF 1, OBF 1, C/D 1, SMS_ATN 1, OEM1 1, OEM2 1)");
	assert_true(strlen(buf) < STR_DESCRIBE_MAX);
}

static void test_names(void **state)
{
	assert_string_equal(kcs_ctrl_name(0x61), "WRITE_START");
	assert_string_equal(kcs_ctrl_name(0x62), "WRITE_END");
	assert_string_equal(kcs_ctrl_name(0x60), "GET_STATUS/ABORT");
	assert_string_equal(kcs_ctrl_name(0x68), "READ");
	assert_string_equal(kcs_ctrl_name(0x63), "illegal");
	assert_string_equal(kcs_ctrl_name(0x00), "illegal");

	assert_string_equal(kcs_status_code_name(0x00), "no error");
	assert_string_equal(kcs_status_code_name(0x01), "aborted by command");
	assert_string_equal(kcs_status_code_name(0x02), "illegal control code");
	assert_string_equal(kcs_status_code_name(0x06), "length error");
	assert_string_equal(kcs_status_code_name(0xC0), "OEM error");
	assert_string_equal(kcs_status_code_name(0xFE), "OEM error");
	assert_string_equal(kcs_status_code_name(0xFF), "unspecified error");
	assert_string_equal(kcs_status_code_name(0x03), "reserved status code");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
