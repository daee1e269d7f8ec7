// SPDX-License-Identifier: Apache-2.0
#include "stats.h"

#include <stdlib.h>

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a;
	uint64_t y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

void stats_sort(uint64_t *values, size_t n)
{
	if (n > 1)
		qsort(values, n, sizeof(*values), cmp_u64);
}

uint64_t stats_percentile(const uint64_t *sorted, size_t n, unsigned int pct)
{
	size_t rank;

	if (n == 0)
		return 0;
	if (pct > 100)
		pct = 100;
	/* rank = ceil(pct * n / 100), computed without floating point */
	rank = (pct * n + 99) / 100;
	if (rank == 0)
		rank = 1;
	return sorted[rank - 1];
}
