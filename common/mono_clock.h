/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one monotonic clock of the daemon and the tools. CLOCK_MONOTONIC is
 * served by the vDSO (no system call), so the daemon's per-byte path can
 * read it per byte and every few spins.
 */
#pragma once

#include <stdint.h>
#include <time.h>

static inline uint64_t mono_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The same clock in microseconds, sd-bus's unit for timeouts. */
static inline uint64_t mono_clock_us(void)
{
	return mono_clock_ns() / 1000u;
}
