/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The clock of the per-byte path. CLOCK_MONOTONIC is served by the vDSO
 * (no system call), so reading it per byte and every few spins is cheap.
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
