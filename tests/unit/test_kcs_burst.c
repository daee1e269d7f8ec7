// SPDX-License-Identifier: Apache-2.0
/*
 * The burst polling window (lib/kcs_burst.c): pure arithmetic on the gaps
 * the caller measured, no clock. A fast host gets a window a few of its
 * gaps long, a slow one none (but an occasional probe), and the budget
 * bounds everything.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "kcs_burst.h"

#define US 1000u

/* @n bytes of a host leaving @gap_ns each: CPU spent spinning, in ns. */
static uint64_t bytes(struct kcs_burst *b, uint64_t gap_ns, unsigned int n)
{
	uint64_t spent = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint32_t w = kcs_burst_next_window(b);

		spent += gap_ns < w ? gap_ns : w;
		kcs_burst_note_gap(b, gap_ns);
	}
	return spent;
}

static void test_off(void **state)
{
	struct kcs_burst b;

	(void)state;
	kcs_burst_init(&b, 0);
	assert_int_equal(bytes(&b, 1 * US, 2 * KCS_BURST_PROBE_EVERY), 0);
	assert_int_equal(kcs_burst_next_window(&b), 0);
}

static void test_first_window_is_a_probe(void **state)
{
	struct kcs_burst b;

	(void)state;
	kcs_burst_init(&b, 50 * US);
	assert_int_equal(kcs_burst_next_window(&b), 50 * US);
	/* No byte came in its window's time: still unknown, probing again. */
	assert_int_equal(kcs_burst_next_window(&b), 50 * US);
}

static void test_fast_host_gets_a_few_gaps(void **state)
{
	struct kcs_burst b;

	(void)state;
	kcs_burst_init(&b, 50 * US);
	bytes(&b, 5 * US, 1);
	assert_int_equal(kcs_burst_next_window(&b), KCS_BURST_WINDOW_GAPS * 5 * US);
	kcs_burst_note_gap(&b, 5 * US);
	/* Tiny gaps: the floor absorbs the jitter of a host scheduled out briefly. */
	bytes(&b, 100, 20);
	assert_int_equal(kcs_burst_next_window(&b), KCS_BURST_WINDOW_MIN_NS);
	kcs_burst_note_gap(&b, 100);
}

static void test_floor_never_exceeds_budget(void **state)
{
	struct kcs_burst b;

	(void)state;
	kcs_burst_init(&b, 3 * US);
	bytes(&b, 100, 5);
	assert_int_equal(kcs_burst_next_window(&b), 3 * US);
}

/* A window never outgrows the budget, however the host slows down. */
static void test_budget_bounds_the_window(void **state)
{
	struct kcs_burst b;

	(void)state;
	kcs_burst_init(&b, 50 * US);
	bytes(&b, 2 * US, 8);
	for (unsigned int i = 0; i < 100; i++) {
		assert_true(kcs_burst_next_window(&b) <= 50 * US);
		kcs_burst_note_gap(&b, 40 * US);
	}
}

static void test_slow_host_costs_one_probe_per_period(void **state)
{
	struct kcs_burst b;
	uint64_t spent;

	(void)state;
	kcs_burst_init(&b, 50 * US);
	/* A host that sleeps a millisecond between status reads. */
	spent = bytes(&b, 1000 * US, 10 * KCS_BURST_PROBE_EVERY);
	/* The first window, then one per period. */
	assert_true(spent == 10ull * 50 * US);
}

static void test_slow_host_turning_fast_is_found(void **state)
{
	struct kcs_burst b;
	unsigned int n = 0;

	(void)state;
	kcs_burst_init(&b, 50 * US);
	bytes(&b, 1000 * US, 100);
	/* Now fast: within one probe period the window is back... */
	while (kcs_burst_next_window(&b) == 0) {
		kcs_burst_note_gap(&b, 2 * US);
		assert_true(++n <= KCS_BURST_PROBE_EVERY);
	}
	kcs_burst_note_gap(&b, 2 * US);
	/* ...and within a few bytes it is this host's. */
	bytes(&b, 2 * US, 24);
	assert_int_equal(kcs_burst_next_window(&b), KCS_BURST_WINDOW_MIN_NS);
}

static void test_pauses_stop_spinning(void **state)
{
	struct kcs_burst b;

	(void)state;
	kcs_burst_init(&b, 50 * US);
	bytes(&b, 3 * US, 10);
	/* A host scheduled out for ten seconds once: still spun for. */
	bytes(&b, 10000000000ull, 1);
	assert_int_equal(kcs_burst_next_window(&b), KCS_BURST_WINDOW_GAPS * 3 * US);
	kcs_burst_note_gap(&b, 3 * US);
	/* One that keeps missing: not any more. */
	bytes(&b, 10000000000ull, 10);
	assert_int_equal(kcs_burst_next_window(&b), 0);
}

/*
 * Gaps seen without a window teach nothing: they include the wake-up, and
 * a host sharing our CPU looks fast exactly when we do not spin.
 */
static void test_gaps_without_window_ignored(void **state)
{
	struct kcs_burst b;

	(void)state;
	kcs_burst_init(&b, 50 * US);
	for (unsigned int i = 0; i < 50; i++)
		kcs_burst_note_gap(&b, 1 * US);
	assert_false(b.known);
	assert_int_equal(kcs_burst_next_window(&b), 50 * US);
}

/*
 * A host whose gaps are half tiny, half long (it sleeps whenever the BMC
 * is not instant): the long ones miss, so the channel stops spinning and
 * spends little more than one probe per period from then on.
 */
static void test_bimodal_host_is_not_spun_for(void **state)
{
	struct kcs_burst b;
	uint64_t spent = 0;

	(void)state;
	kcs_burst_init(&b, 50 * US);
	for (unsigned int i = 0; i < 4 * KCS_BURST_PROBE_EVERY; i++)
		spent += bytes(&b, i % 2 ? 2 * US : 300 * US, 1);
	/* Well under a microsecond per byte on average. */
	assert_true(spent / (4 * KCS_BURST_PROBE_EVERY) < 1 * US);
}

/* The window that was open decides what misses; hits size the next one. */
static void test_window_follows_the_host(void **state)
{
	struct kcs_burst b;
	uint32_t misses;

	(void)state;
	kcs_burst_init(&b, 50 * US);
	bytes(&b, 2 * US, 8);
	assert_int_equal(kcs_burst_next_window(&b), KCS_BURST_WINDOW_MIN_NS);
	/* 20 us: within the budget, past the 10 us window: a miss. */
	kcs_burst_note_gap(&b, 20 * US);
	misses = b.misses;
	assert_true(misses > 0);
	/* 8 us gaps fit and grow the window. */
	bytes(&b, 8 * US, 8);
	assert_true(b.misses < misses);
	assert_true(kcs_burst_next_window(&b) > 20 * US);
}

static void test_budget_is_capped(void **state)
{
	struct kcs_burst b;

	(void)state;
	kcs_burst_init(&b, UINT32_MAX);
	assert_int_equal(b.budget_ns, KCS_BURST_BUDGET_MAX_NS);
	assert_int_equal(kcs_burst_next_window(&b), KCS_BURST_BUDGET_MAX_NS);
	/* Gaps beyond what 32 bits hold are misses, not "fast" after wrapping. */
	kcs_burst_note_gap(&b, UINT64_MAX);
	assert_int_equal(kcs_burst_next_window(&b), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_first_window_is_a_probe),
		cmocka_unit_test(test_fast_host_gets_a_few_gaps),
		cmocka_unit_test(test_floor_never_exceeds_budget),
		cmocka_unit_test(test_budget_bounds_the_window),
		cmocka_unit_test(test_slow_host_costs_one_probe_per_period),
		cmocka_unit_test(test_slow_host_turning_fast_is_found),
		cmocka_unit_test(test_pauses_stop_spinning),
		cmocka_unit_test(test_gaps_without_window_ignored),
		cmocka_unit_test(test_bimodal_host_is_not_spun_for),
		cmocka_unit_test(test_window_follows_the_host),
		cmocka_unit_test(test_budget_is_capped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
