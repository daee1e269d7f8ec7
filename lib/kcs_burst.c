// SPDX-License-Identifier: Apache-2.0
#include "kcs_burst.h"

#define MISS_ONE   65536u
#define MISS_LIMIT (MISS_ONE / KCS_BURST_MISS_LIMIT_DIV)

void kcs_burst_init(struct kcs_burst *b, uint32_t budget_ns)
{
	*b = (struct kcs_burst){
		.budget_ns = budget_ns < KCS_BURST_BUDGET_MAX_NS ? budget_ns : KCS_BURST_BUDGET_MAX_NS,
	};
}

/* Gap sizes: 1/4 weight, the window follows the host within a few bytes. */
static uint32_t average(uint32_t avg, uint32_t sample)
{
	return (uint32_t)(((uint64_t)avg * 3u + sample) / 4u);
}

/*
 * Misses: 1/16 weight, so a fast host that is scheduled out now and then
 * keeps its window, and a host that misses every other window loses it
 * within a dozen bytes.
 */
static uint32_t miss_average(uint32_t avg, bool miss)
{
	return (uint32_t)(((uint64_t)avg * 15u + (miss ? MISS_ONE : 0)) / 16u);
}

void kcs_burst_note_gap(struct kcs_burst *b, uint64_t gap_ns)
{
	bool miss = gap_ns > b->window_ns;

	/*
	 * Only a window says anything: a gap seen after a wake-up includes the
	 * wake-up, and on a busy machine a host that shares our CPU only runs
	 * while we sleep, so it would look fast exactly when spinning is futile.
	 */
	if (!b->window_ns)
		return;
	if (!b->known) {
		b->known = true;
		b->misses = miss ? MISS_ONE : 0;
		b->gap_ns = miss ? b->budget_ns : (uint32_t)gap_ns;
	} else {
		b->misses = miss_average(b->misses, miss);
		/* A miss says "slower than the window", not how much: hits size it. */
		if (!miss)
			b->gap_ns = average(b->gap_ns, (uint32_t)gap_ns);
	}
	/* A probe that caught its byte gives the host the benefit of the doubt. */
	if (b->probing && !miss && b->misses > MISS_LIMIT / 2)
		b->misses = MISS_LIMIT / 2;
	b->window_ns = 0;
	b->probing = false;
}

uint32_t kcs_burst_next_window(struct kcs_burst *b)
{
	uint64_t window;
	uint32_t floor;

	b->window_ns = 0;
	b->probing = false;
	if (!b->budget_ns)
		return 0;
	if (!b->known || b->misses > MISS_LIMIT) {
		if (b->known && ++b->slow_bytes < KCS_BURST_PROBE_EVERY)
			return 0;
		b->slow_bytes = 0;
		b->probing = true;
		b->window_ns = b->budget_ns;
		return b->window_ns;
	}
	window = (uint64_t)b->gap_ns * KCS_BURST_WINDOW_GAPS;
	floor = b->budget_ns < KCS_BURST_WINDOW_MIN_NS ? b->budget_ns : KCS_BURST_WINDOW_MIN_NS;
	if (window < floor)
		window = floor;
	if (window > b->budget_ns)
		window = b->budget_ns;
	b->window_ns = (uint32_t)window;
	return b->window_ns;
}
