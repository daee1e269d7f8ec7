/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An in-memory register page that behaves like the silicon at one KCS
 * channel's IDR/ODR/STR offsets, for unit tests.
 *
 * The BMC reaches it through struct kcs_page (so the real kcs_mmio.c and
 * kcs_chip.c code runs on top of it); the test plays the host through the
 * fake_host_* calls. Side effects modelled, as docs/design.md section 1 states
 * them:
 *   host writes data/command port  -> IDR := byte, IBF := 1, C/D := 0/1
 *   host reads the data port       -> OBF := 0
 *   BMC reads IDR                  -> IBF := 0
 *   BMC writes ODR                 -> OBF := 1
 *   BMC writes STR                 -> OBF write-0-to-clear, IBF and C/D
 *                                     read-only, every other bit as written
 * Every other offset is plain storage. Each BMC write is logged, so chip
 * tests can compare the exact register writes, and the instant the BMC's
 * IDR read drops IBF is recorded: what a fast host polling STR sees then is
 * what the ordering rule (docs/design.md section 2) is about.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kcs_chip.h"
#include "kcs_page.h"

struct fake_write {
	uint32_t offset;
	uint32_t value;
};

/* The channel as a host polling STR saw it the instant IBF dropped. */
struct fake_snapshot {
	uint8_t str;    /* STR, IBF already clear */
	uint8_t odr;    /* ODR's byte at that instant */
};

struct fake_regs {
	const struct kcs_chip *chip;
	unsigned int channel;
	struct kcs_chip_channel offs;
	uint8_t mem[KCS_PAGE_SIZE];

	struct fake_write *log;     /* BMC writes, oldest first */
	size_t log_len;
	size_t log_cap;

	unsigned long idr_reads;    /* BMC reads of IDR so far */
	struct fake_snapshot snap;  /* taken at the latest of them */
};

/* Zeroed page; -EINVAL/-ENODEV as kcs_chip_channel(). */
int fake_regs_init(struct fake_regs *f, const struct kcs_chip *chip, unsigned int channel);
void fake_regs_fini(struct fake_regs *f);

/* The BMC's view, for kcs_mmio_init() and kcs_chip_configure(). */
struct kcs_page fake_regs_page(struct fake_regs *f);

/* The host side of the channel (LPC I/O cycles). */
void fake_host_write_data(struct fake_regs *f, uint8_t byte);
void fake_host_write_cmd(struct fake_regs *f, uint8_t byte);
uint8_t fake_host_read_data(struct fake_regs *f);
uint8_t fake_host_read_status(const struct fake_regs *f);

/* Test set-up and inspection: no side effects, nothing logged. */
uint32_t fake_peek(const struct fake_regs *f, uint32_t offset);
void fake_poke(struct fake_regs *f, uint32_t offset, uint32_t value);
/* Fill every register of the page with @pattern (truncated to the width). */
void fake_fill(struct fake_regs *f, uint32_t pattern);
uint8_t fake_odr(const struct fake_regs *f);

/* The write log. */
void fake_log_clear(struct fake_regs *f);
/* Number of logged BMC writes to @offset. */
size_t fake_log_count(const struct fake_regs *f, uint32_t offset);
