// SPDX-License-Identifier: Apache-2.0
/* Completion code names (IPMI v2.0 table 5-2). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ipmi_cc.h"

static void test_named_codes(void **state)
{
	(void)state;
	assert_string_equal(ipmi_cc_name(IPMI_CC_OK), "command completed normally");
	assert_string_equal(ipmi_cc_name(IPMI_CC_INVALID_COMMAND), "invalid command");
	assert_string_equal(ipmi_cc_name(IPMI_CC_TIMEOUT), "timeout while processing command");
	assert_string_equal(ipmi_cc_name(IPMI_CC_RESP_TOO_LONG), "cannot return number of requested data bytes");
	assert_string_equal(ipmi_cc_name(IPMI_CC_UNSPECIFIED), "unspecified error");
}

static void test_code_ranges(void **state)
{
	(void)state;
	assert_non_null(strstr(ipmi_cc_name(0x01), "OEM"));
	assert_non_null(strstr(ipmi_cc_name(0x7E), "OEM"));
	assert_non_null(strstr(ipmi_cc_name(0x80), "command specific"));
	assert_non_null(strstr(ipmi_cc_name(0xBE), "command specific"));
	assert_non_null(strstr(ipmi_cc_name(0x7F), "reserved"));
	assert_non_null(strstr(ipmi_cc_name(0xBF), "reserved"));
	assert_non_null(strstr(ipmi_cc_name(0xD7), "reserved"));
	assert_non_null(strstr(ipmi_cc_name(0xFE), "reserved"));
}

static void test_every_code_has_a_name(void **state)
{
	(void)state;
	for (unsigned int cc = 0; cc <= 0xFF; cc++) {
		const char *name = ipmi_cc_name((uint8_t)cc);

		assert_non_null(name);
		assert_true(strlen(name) > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_named_codes),
		cmocka_unit_test(test_code_ranges),
		cmocka_unit_test(test_every_code_has_a_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
