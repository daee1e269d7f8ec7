/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Burst polling window of one channel: after the BMC served a host byte and
 * the channel expects another, how long to keep reading STR before going
 * back to sleep on the interrupt (docs/design.md section 10).
 *
 * A host driver that busy-polls STR writes its next byte within a few
 * microseconds of seeing IBF drop; one that sleeps between status reads
 * comes back after a timer tick. Spinning pays for the first kind (no
 * wake-up, no system call per byte) and is pure waste for the second, and
 * so is a window much longer than the gaps this host leaves. Two moving
 * averages over the windows given out decide: how often the byte came
 * later than the window, and how long the gaps were when it came in time.
 * While few windows miss, the window is a few such gaps long; once more
 * than one in KCS_BURST_MISS_LIMIT_DIV misses, the channel stops spinning
 * and only probes now and then.
 *
 * Pure: no clock of its own, the caller passes the gaps it measured
 * (nanoseconds on any monotonic clock). No I/O, no allocation.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* The daemon's default budget, and the largest one it accepts. */
#define KCS_BURST_BUDGET_DEFAULT_NS 50000u
#define KCS_BURST_BUDGET_MAX_NS     10000000u
/* Never spin shorter than this (or the budget): scheduling jitter of a fast host. */
#define KCS_BURST_WINDOW_MIN_NS     10000u
/* The window is this many average (fitting) gaps long. */
#define KCS_BURST_WINDOW_GAPS       4u
/*
 * Stop spinning when more than 1/this of the gaps miss the window: a miss
 * costs one window (about one wake-up's worth for a fast host), a hit saves
 * a wake-up.
 */
#define KCS_BURST_MISS_LIMIT_DIV    4u
/*
 * While the averages say "slow", every this many bytes one full-budget
 * window probes whether the host turned fast; only a window tells. The
 * cost for a host that stays slow is one budget per this many bytes.
 */
#define KCS_BURST_PROBE_EVERY       256u

struct kcs_burst {
	uint32_t budget_ns;  /* 0: never spin */
	uint32_t gap_ns;     /* moving average of the gaps that fit the budget */
	uint32_t misses;     /* moving average of misses, 1/65536ths */
	uint32_t window_ns;  /* the window last given out; 0: none open */
	bool known;          /* at least one gap seen */
	bool probing;        /* the open window is a probe */
	uint32_t slow_bytes; /* bytes since the last window while "slow" */
};

/* @budget_ns: longest window, 0 turns polling off; capped at KCS_BURST_BUDGET_MAX_NS. */
void kcs_burst_init(struct kcs_burst *b, uint32_t budget_ns);

/*
 * The host's next byte showed up @gap_ns after the previous one was served
 * (seen while spinning, or after the interrupt or a timer woke the caller).
 * With a window open, a gap longer than it is a miss; with none open the
 * gap teaches nothing (it includes the caller's own wake-up).
 */
void kcs_burst_note_gap(struct kcs_burst *b, uint64_t gap_ns);

/*
 * A byte was served and the channel expects another: how long to keep
 * reading STR, in nanoseconds; 0: go back to the interrupt at once. The
 * first window of a channel is a probe (the full budget), as is one in
 * KCS_BURST_PROBE_EVERY while the host looks slow.
 */
uint32_t kcs_burst_next_window(struct kcs_burst *b);

/* The window last given out, until the next gap is noted; 0: none. */
static inline uint32_t kcs_burst_window(const struct kcs_burst *b)
{
	return b->window_ns;
}
