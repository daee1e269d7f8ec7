/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One kcs-uiod per LPC controller. Every channel of a controller shares its
 * interrupt enable and SerIRQ registers, and kcs-uiod changes them with
 * plain read-modify-writes: two processes on one controller could lose each
 * other's bits. So the process takes an exclusive lock named after the
 * controller's physical address (where its registers start: the UIO node's
 * map 0 addr + offset) in a lock directory, /run/kcs-uio unless
 * KCS_UIOD_LOCK_DIR names another; a second
 * process on the same controller is refused with the first one's pid.
 * Several UIO nodes of one controller in one process share the lock.
 *
 * (The simulated device needs none of this: it locks its register file.)
 */
#pragma once

#include <stdint.h>

#define CONTROLLER_LOCK_DIR_DEFAULT "/run/kcs-uio"
#define CONTROLLER_LOCK_DIR_ENV     "KCS_UIOD_LOCK_DIR"
#define CONTROLLER_LOCKS_MAX        4u

struct controller_locks {
	struct {
		uint64_t addr;
		int fd;
	} held[CONTROLLER_LOCKS_MAX];
	unsigned int n;
};

/*
 * Lock the controller at @addr for this process (again: a no-op). @who names
 * the device in messages. 0, or a negative errno after one log line: -EBUSY
 * when another process holds it.
 */
int controller_lock(struct controller_locks *l, uint64_t addr, const char *who);
/* Release every lock (the files stay; the next process reuses them). */
void controller_unlock_all(struct controller_locks *l);
