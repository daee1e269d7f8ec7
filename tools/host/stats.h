/* SPDX-License-Identifier: Apache-2.0 */
/* Latency statistics for kcs-host bench. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Sort @n values in ascending order, in place. */
void stats_sort(uint64_t *values, size_t n);

/*
 * Nearest-rank percentile of @n ascending @sorted values: the smallest value
 * that at least @pct percent of the values do not exceed. @pct 0..100; 0
 * gives the minimum, 100 the maximum. 0 when @n is 0.
 */
uint64_t stats_percentile(const uint64_t *sorted, size_t n, unsigned int pct);
