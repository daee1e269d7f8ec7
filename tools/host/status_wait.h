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

/*
 * How the host waits: SLEEP spins briefly, then sleeps between status reads
 * (a host driver without a polling thread); SPIN never sleeps, reading STR
 * back to back as Linux's kipmid does while a transaction is in progress.
 */
enum host_wait {
	HOST_WAIT_SLEEP,
	HOST_WAIT_SPIN,
};

struct status_wait {
	uint8_t str;         /* the last STR read */
	uint64_t waited_ns;  /* how long the wait took */
};

/* Busy-wait @ns nanoseconds (host think time; no system call). */
void spin_ns(uint64_t ns);

/*
 * Poll until (STR & @mask) == @want, for at most @timeout_ns, waiting the
 * @how way. 0, or -ETIMEDOUT; @w is filled either way.
 */
int status_wait(const struct sim_port *p, uint8_t mask, uint8_t want,
		uint64_t timeout_ns, enum host_wait how, struct status_wait *w);
