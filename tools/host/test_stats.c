// SPDX-License-Identifier: Apache-2.0
/* kcs-host bench statistics: nearest-rank percentiles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stats.h"

static void test_empty(void **state)
{
	assert_int_equal(stats_percentile(NULL, 0, 50), 0);
	stats_sort(NULL, 0);
}

static void test_one_value(void **state)
{
	uint64_t v[] = { 42 };

	for (unsigned int p = 0; p <= 100; p += 10)
		assert_int_equal(stats_percentile(v, 1, p), 42);
}

static void test_hundred_values(void **state)
{
	uint64_t v[100];

	/* 100, 99, ..., 1: sorting must bring them in order. */
	for (size_t i = 0; i < 100; i++)
		v[i] = 100 - i;
	stats_sort(v, 100);
	for (size_t i = 0; i < 100; i++)
		assert_int_equal(v[i], i + 1);

	/* With values 1..100 the p-th percentile is p itself. */
	assert_int_equal(stats_percentile(v, 100, 0), 1);
	assert_int_equal(stats_percentile(v, 100, 1), 1);
	assert_int_equal(stats_percentile(v, 100, 50), 50);
	assert_int_equal(stats_percentile(v, 100, 90), 90);
	assert_int_equal(stats_percentile(v, 100, 99), 99);
	assert_int_equal(stats_percentile(v, 100, 100), 100);
	assert_int_equal(stats_percentile(v, 100, 250), 100);
}

static void test_nearest_rank_rounds_up(void **state)
{
	uint64_t v[] = { 10, 20, 30, 40, 50, 60, 70, 80, 90, 1000 };

	/* rank = ceil(p * n / 100): p50 of 10 values is the 5th, p99 the 10th. */
	assert_int_equal(stats_percentile(v, 10, 50), 50);
	assert_int_equal(stats_percentile(v, 10, 51), 60);
	assert_int_equal(stats_percentile(v, 10, 90), 90);
	assert_int_equal(stats_percentile(v, 10, 91), 1000);
	assert_int_equal(stats_percentile(v, 10, 99), 1000);

	/* Three values: the median is the middle one, p34 the second. */
	assert_int_equal(stats_percentile(v, 3, 50), 20);
	assert_int_equal(stats_percentile(v, 3, 33), 10);
	assert_int_equal(stats_percentile(v, 3, 34), 20);
}

static void test_sort_duplicates_and_large(void **state)
{
	uint64_t v[] = { UINT64_MAX, 5, 5, 0, UINT64_MAX - 1, 5 };

	stats_sort(v, 6);
	assert_int_equal(v[0], 0);
	assert_int_equal(v[1], 5);
	assert_int_equal(v[3], 5);
	assert_true(v[4] == UINT64_MAX - 1);
	assert_true(v[5] == UINT64_MAX);
	assert_true(stats_percentile(v, 6, 100) == UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_one_value),
		cmocka_unit_test(test_hundred_values),
		cmocka_unit_test(test_nearest_rank_rounds_up),
		cmocka_unit_test(test_sort_duplicates_and_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
