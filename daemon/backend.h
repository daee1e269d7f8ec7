/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A KCS device as the event loop sees it: an interrupt fd, the register
 * page, per-channel register access, and the interrupt's acknowledge /
 * re-enable (in interrupt mode). Two implementations: uio.c (hardware through uio_pdrv_genirq)
 * and sim.c (the simulated device of docs/design.md section 6).
 *
 * All functions return 0 (or a positive count) or a negative errno, and log
 * the failure with the device, the path and the errno where it happens.
 */
#pragma once

#include <stdbool.h>

#include "kcs_chip.h"
#include "kcs_page.h"
#include "kcs_regs.h"

struct kcs_backend;

struct kcs_backend_ops {
	/*
	 * irq_fd polled readable: consume the event (UIO: read the 4-byte
	 * count; sim: drain the FIFO). Returns 0, or -EAGAIN if there was
	 * nothing to consume. The interrupt stays masked until reenable().
	 */
	int (*ack)(struct kcs_backend *b);
	/*
	 * Done with the channels for now: unmask the interrupt. Host bytes
	 * were served since the last ack() while the line was masked
	 * (@served_masked) or live (@served_live): events they raised are
	 * consumed first, so they wake nobody (UIO: only a live line counts;
	 * the simulated line's FIFO fills while masked too). The caller looks
	 * at STR once more afterwards: a byte that arrived in between is not
	 * lost.
	 */
	int (*reenable)(struct kcs_backend *b, bool served_masked, bool served_live);
	/*
	 * Register access for one channel; valid until close. @cfg->channel
	 * must exist on the chip (validated before).
	 */
	int (*channel_regs)(struct kcs_backend *b, const struct kcs_channel_config *cfg,
			    struct kcs_regs *out);
	void (*close)(struct kcs_backend *b);
};

struct kcs_backend {
	const struct kcs_backend_ops *ops;
	const struct kcs_chip *chip;
	const char *name;        /* for messages: "/dev/uio0 (kcs3)", "sim /tmp/x" */
	bool has_irq;            /* the node has an interrupt: irq_fd is its line */
	int irq_fd;              /* poll for POLLIN (when has_irq) */
	uint64_t controller_addr;/* physical address the chip's register offsets
				    count from (the controller lock's key); 0:
				    none (the simulated device locks its own file) */
	struct kcs_page page;    /* chip-level registers */
};

struct uio_location {
	const char *sysfs_root;  /* "/sys/class/uio" */
	const char *dev_dir;     /* "/dev" */
};

/*
 * @device: a UIO name (matched against sysfs .../uioN/name) or a path to a
 * /dev/uioN node. Maps map 0, checks the chip's registers fit inside it,
 * and finds out whether the node has an interrupt (without one, reading
 * /dev/uioN fails with EIO).
 */
int uio_backend_open(struct kcs_backend **ret, const char *device,
		     const struct uio_location *loc, const struct kcs_chip *chip);

/*
 * @dir is created with regs and irq when missing. A device whose directory
 * holds SIM_PAGE_NOIRQ_FILE has no interrupt line: no FIFO, has_irq false.
 */
int sim_backend_open(struct kcs_backend **ret, const char *dir,
		     const struct kcs_chip *chip);

static inline void kcs_backend_close(struct kcs_backend *b)
{
	if (b)
		b->ops->close(b);
}

static inline void kcs_backend_closep(struct kcs_backend **b)
{
	kcs_backend_close(*b);
}
