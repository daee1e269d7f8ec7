// SPDX-License-Identifier: Apache-2.0
/*
 * The D-Bus bridge's pure half: how a request header is read and which
 * completion code stands in for which failure. No bus needed. (The answer
 * is built by the state machine, echoing the request: tests/unit.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dbus_bridge.h"
#include "ipmi_cc.h"

static void test_request_hdr(void **state)
{
	const uint8_t get_device_id[] = { 0x06 << 2, 0x01 };
	const uint8_t oem_lun3[] = { 0x30 << 2 | 3, 0x02, 0xe8, 0x03 };
	struct ipmi_request_hdr h;

	h = ipmi_request_hdr(get_device_id, sizeof(get_device_id));
	assert_int_equal(h.netfn, 0x06);
	assert_int_equal(h.lun, 0);
	assert_int_equal(h.cmd, 0x01);
	assert_int_equal(h.len, 2);

	h = ipmi_request_hdr(oem_lun3, sizeof(oem_lun3));
	assert_int_equal(h.netfn, 0x30);
	assert_int_equal(h.lun, 3);
	assert_int_equal(h.cmd, 0x02);
	assert_int_equal(h.len, 4);
}

static void test_classify(void **state)
{
	/* From the bus daemon: what it says about the call's delivery. */
	assert_int_equal(bridge_classify_error("org.freedesktop.DBus.Error.NoReply", true), BRIDGE_FAIL_VANISHED);
	assert_int_equal(bridge_classify_error("org.freedesktop.DBus.Error.ServiceUnknown", true), BRIDGE_FAIL_NO_SERVICE);
	assert_int_equal(bridge_classify_error("org.freedesktop.DBus.Error.NameHasNoOwner", true), BRIDGE_FAIL_NO_SERVICE);
	assert_int_equal(bridge_classify_error("org.freedesktop.DBus.Error.AccessDenied", true), BRIDGE_FAIL_BUS);
	assert_int_equal(bridge_classify_error("org.freedesktop.DBus.Error.LimitsExceeded", true), BRIDGE_FAIL_BUS);
	assert_int_equal(bridge_classify_error(NULL, true), BRIDGE_FAIL_BUS);
	/* From the service: its own errors, whatever their names say. */
	assert_int_equal(bridge_classify_error("org.freedesktop.DBus.Error.ServiceUnknown", false), BRIDGE_FAIL_SERVICE);
	assert_int_equal(bridge_classify_error("org.freedesktop.DBus.Error.NoReply", false), BRIDGE_FAIL_SERVICE);
	assert_int_equal(bridge_classify_error("org.freedesktop.DBus.Error.Timeout", false), BRIDGE_FAIL_SERVICE);
	assert_int_equal(bridge_classify_error("xyz.openbmc_project.Common.Error.InternalFailure", false), BRIDGE_FAIL_SERVICE);
	assert_int_equal(bridge_classify_error(NULL, false), BRIDGE_FAIL_SERVICE);

	assert_int_equal(bridge_failure_cc(BRIDGE_FAIL_TIMEOUT), 0xC3);
	assert_int_equal(bridge_failure_cc(BRIDGE_FAIL_NO_SERVICE), 0xD5);
	assert_int_equal(bridge_failure_cc(BRIDGE_FAIL_VANISHED), 0xCE);
	assert_int_equal(bridge_failure_cc(BRIDGE_FAIL_BUS), 0xD3);
	assert_int_equal(bridge_failure_cc(BRIDGE_FAIL_SERVICE), 0xFF);
}

static void test_reply_matches(void **state)
{
	const struct ipmi_request_hdr req = { .netfn = 0x06, .lun = 0, .cmd = 0x01, .len = 2 };

	assert_true(bridge_reply_matches(&req, 0x06, 0x01));   /* request NetFn echoed */
	assert_true(bridge_reply_matches(&req, 0x07, 0x01));   /* response NetFn */
	assert_false(bridge_reply_matches(&req, 0x0a, 0x01));
	assert_false(bridge_reply_matches(&req, 0x06, 0x02));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_hdr),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_reply_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
