/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Waiting for a status register condition the way a host does: by polling
 * STR. Tight polling first, because a BMC that runs its state machine on
 * every interrupt answers within microseconds; then short sleeps, so a slow
 * BMC (a request out at the IPMI service) does not cost the host a core.
 */
#pragma once

#include <stdint.h>

#include "sim_port.h"

struct status_wait {
	uint8_t str;         /* the last STR read */
	uint64_t waited_ns;  /* how long the wait took */
};

/* Nanoseconds on CLOCK_MONOTONIC. */
uint64_t monotonic_ns(void);

/*
 * Poll until (STR & @mask) == @want, for at most @timeout_ns.
 * 0, or -ETIMEDOUT; @w is filled either way.
 */
int status_wait(const struct sim_port *p, uint8_t mask, uint8_t want,
		uint64_t timeout_ns, struct status_wait *w);
