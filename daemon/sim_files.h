/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated device's directory and files (common/sim_page.h's format),
 * created and opened so that nobody else can redirect or share them: the
 * daemon writes into DIR/regs whatever the host side puts there, so DIR,
 * regs and irq must be the daemon user's own.
 *
 * Rules (docs/design.md section 8):
 *  - DIR is created (with missing parents) mode 0700 when missing; regs
 *    (zeroed, the page size) and irq (a FIFO) mode 0600.
 *  - DIR, regs and irq must not be symbolic links (the last component of
 *    DIR and the two file names; directories above DIR may be links, as
 *    /var/run is), and are opened relative to DIR's file descriptor.
 *  - Each must belong to the user the daemon runs as (DIR may also belong
 *    to root) and be writable by nobody else: no group or other write bit.
 *  - regs must be a regular file of exactly the page size, irq a FIFO.
 * Every refusal is one logged line naming the path and the rule.
 */
#pragma once

struct sim_files {
	int regs_fd;    /* O_RDWR */
	int irq_fd;     /* O_RDWR | O_NONBLOCK: the daemon is a writer too;
			   -1 when DIR holds SIM_PAGE_NOIRQ_FILE (no interrupt line) */
};

/*
 * Create what is missing under @dir and open it. @label prefixes every
 * message. 0 with both descriptors (the caller closes them), or a negative
 * errno after logging why.
 */
int sim_files_open(const char *label, const char *dir, struct sim_files *ret);
