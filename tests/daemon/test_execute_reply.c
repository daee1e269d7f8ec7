// SPDX-License-Identifier: Apache-2.0
/*
 * Decoding execute's reply (daemon/execute_reply.c) from messages built on
 * an offline bus: both accepted shapes, and a reason for everything else.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "execute_reply.h"
#include "offline_bus.h"

static const uint8_t device_id[] = { 0x20, 0x81, 0x01 };

static int setup(void **state)
{
	sd_bus *bus = NULL;

	assert_int_equal(offline_bus_new(&bus), 0);
	*state = bus;
	return 0;
}

static int teardown(void **state)
{
	sd_bus_unref(*state);
	return 0;
}

static sd_bus_message *reply_new(sd_bus *bus)
{
	sd_bus_message *m = NULL;

	assert_int_equal(offline_reply_new(bus, &m), 0);
	return m;
}

static void test_plain(void **state)
{
	sd_bus_message *m = reply_new(*state);
	struct execute_reply r;
	char why[256] = "";

	assert_true(sd_bus_message_append(m, "yyyy", 0x06, 2, 0x01, 0x00) >= 0);
	assert_int_equal(sd_bus_message_append_array(m, 'y', device_id, sizeof(device_id)), 0);
	assert_int_equal(offline_seal(m), 0);
	/* Read past the start first: decoding rewinds. */
	assert_true(sd_bus_message_skip(m, "yy") >= 0);

	assert_int_equal(execute_reply_decode(m, &r, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_int_equal(r.netfn, 0x06);
	assert_int_equal(r.lun, 2);
	assert_int_equal(r.cmd, 0x01);
	assert_int_equal(r.cc, 0x00);
	assert_int_equal(r.data_len, sizeof(device_id));
	assert_memory_equal(r.data, device_id, sizeof(device_id));
	sd_bus_message_unref(m);
}

static void test_wrapped_empty_data(void **state)
{
	sd_bus_message *m = reply_new(*state);
	struct execute_reply r;
	char why[256];

	assert_true(sd_bus_message_append(m, "(yyyyay)", 0x07, 0, 0x04, 0xC1, 0) >= 0);
	assert_int_equal(offline_seal(m), 0);
	assert_int_equal(execute_reply_decode(m, &r, why, sizeof(why)), 0);
	assert_int_equal(r.netfn, 0x07);
	assert_int_equal(r.cmd, 0x04);
	assert_int_equal(r.cc, 0xC1);
	assert_int_equal(r.data_len, 0);
	sd_bus_message_unref(m);
}

static void test_wrong_signatures(void **state)
{
	static const char *const sigs[] = { "", "yyyy", "yyyyayy", "((yyyyay))", "yyyyas", "(yyyyay)y" };
	char why[256];

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sd_bus_message *m = reply_new(*state);
		struct execute_reply r = { .netfn = 0x55 };
		char want[256];

		/* Zeros for every value and array length; extra arguments are not read. */
		assert_true(sd_bus_message_append(m, sigs[i], 0, 0, 0, 0, 0, 0, 0, 0) >= 0);
		assert_int_equal(offline_seal(m), 0);
		assert_string_equal(sd_bus_message_get_signature(m, true), sigs[i]);
		assert_int_equal(execute_reply_decode(m, &r, why, sizeof(why)), -EBADMSG);
		snprintf(want, sizeof(want), "malformed reply: signature '%s', expected 'yyyyay' or '(yyyyay)'",
			 sigs[i]);
		assert_string_equal(why, want);
		assert_int_equal(r.netfn, 0x55);  /* untouched */
		sd_bus_message_unref(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_wrapped_empty_data),
		cmocka_unit_test(test_wrong_signatures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
