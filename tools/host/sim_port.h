/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host's side of a simulated KCS device (DESIGN.md section 5): the data
 * and status ports of one channel, on the register page DIR/regs that the
 * BMC side maps too, with DIR/irq as the interrupt line.
 *
 * Each port operation is the single atomic step the contract prescribes, so
 * the BMC side never loses a bit and sees the IDR store before IBF.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "kcs_chip.h"

struct sim_port {
	uint8_t *page;               /* DIR/regs, KCS_PAGE_SIZE bytes, MAP_SHARED */
	int irq_fd;                  /* DIR/irq, write end; -1 when not opened */
	unsigned int reg_width;      /* 4: 32-bit little-endian words, 1: bytes */
	struct kcs_chip_channel offs;
	uint32_t *str_word;          /* the aligned word holding STR */
	unsigned int str_shift;      /* STR's bit position inside *str_word */
	char irq_path[PATH_MAX];
};

/*
 * Map DIR/regs for @channel of @chip (both already validated) and, when
 * @need_irq, open DIR/irq for writing. Prints what went wrong, naming the
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
