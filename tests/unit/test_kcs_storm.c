// SPDX-License-Identifier: Apache-2.0
/* Interrupt storm detection: one report per storm, at the threshold. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "kcs_storm.h"

/* Empty interrupts until the report; returns how many it took. */
static uint32_t empties_until_report(struct kcs_storm *s, uint32_t max)
{
	for (uint32_t i = 1; i <= max; i++)
		if (kcs_storm_note(s, false))
			return i;
	return 0;
}

static void test_storm_reported_at_threshold(void **state)
{
	struct kcs_storm s = { 0 };

	(void)state;
	assert_int_equal(empties_until_report(&s, 10 * KCS_STORM_THRESHOLD), KCS_STORM_THRESHOLD);
}

static void test_storm_reported_once(void **state)
{
	struct kcs_storm s = { 0 };

	(void)state;
	assert_int_equal(empties_until_report(&s, KCS_STORM_THRESHOLD), KCS_STORM_THRESHOLD);
	assert_int_equal(empties_until_report(&s, 50 * KCS_STORM_THRESHOLD), 0);
	/* The count saturates instead of wrapping into a second report. */
	s.consecutive = UINT32_MAX - 1;
	assert_int_equal(empties_until_report(&s, 3), 0);
	assert_int_equal(s.consecutive, UINT32_MAX);
}

static void test_real_interrupt_ends_storm(void **state)
{
	struct kcs_storm s = { 0 };

	(void)state;
	assert_int_equal(empties_until_report(&s, KCS_STORM_THRESHOLD), KCS_STORM_THRESHOLD);
	assert_false(kcs_storm_note(&s, true));
	assert_int_equal(empties_until_report(&s, 10 * KCS_STORM_THRESHOLD), KCS_STORM_THRESHOLD);
}

/* Empty interrupts interleaved with real ones never add up to a storm. */
static void test_real_interrupt_resets_count(void **state)
{
	struct kcs_storm s = { 0 };

	(void)state;
	for (int round = 0; round < 20; round++) {
		assert_int_equal(empties_until_report(&s, KCS_STORM_THRESHOLD - 1), 0);
		assert_false(kcs_storm_note(&s, true));
	}
	for (int i = 0; i < 5 * (int)KCS_STORM_THRESHOLD; i++)
		assert_false(kcs_storm_note(&s, true));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storm_reported_at_threshold),
		cmocka_unit_test(test_storm_reported_once),
		cmocka_unit_test(test_real_interrupt_ends_storm),
		cmocka_unit_test(test_real_interrupt_resets_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
