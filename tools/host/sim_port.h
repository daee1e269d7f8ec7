/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host's side of a simulated KCS device (docs/design.md section 6): the
 * data and status ports of one channel, on the register page DIR/regs that
 * the BMC side maps too, with DIR/irq as the interrupt line. The format and
 * the atomic port operations are common/sim_page.h's.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "kcs_chip.h"
#include "sim_page.h"

struct sim_port {
	struct sim_page_channel regs; /* .page: DIR/regs, mapped; NULL when not */
	int irq_fd;                  /* DIR/irq, write end; -1 when not opened */
	bool irq_less;               /* DIR/noirq: the device has no interrupt line */
	char irq_path[PATH_MAX];
};

/*
 * Map DIR/regs for @channel of @chip (both already validated) and, when
 * @need_irq, open DIR/irq for writing; an interrupt-less device (DIR/noirq
 * exists) has no line to raise, and its BMC side polls STR instead. Prints what went wrong, naming the
 * path, and returns a negative errno: -ENXIO when nobody reads DIR/irq,
 * i.e. no BMC side is running.
 */
int sim_port_open(struct sim_port *p, const char *dir, const struct kcs_chip *chip,
		  unsigned int channel, bool need_irq);
void sim_port_close(struct sim_port *p);

/*
 * Write @value to the data (C/D=0) or command (C/D=1) port and raise the
 * BMC's interrupt. -EPIPE when the BMC side stopped reading DIR/irq (the
 * register write has happened then, but nobody will act on it).
 */
int sim_port_write_data(struct sim_port *p, uint8_t value);
int sim_port_write_cmd(struct sim_port *p, uint8_t value);

/* Read the data port: ODR, then OBF cleared. */
uint8_t sim_port_read_data(struct sim_port *p);

/* Read the status port. */
uint8_t sim_port_read_status(const struct sim_port *p);
