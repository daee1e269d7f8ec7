/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated KCS device's format (docs/design.md section 6), shared by
 * its BMC side (daemon/sim.c), its host side (tools/host/sim_port.c) and
 * the tests: the directory holds SIM_PAGE_REGS_FILE, the chip's register
 * page of SIM_PAGE_SIZE bytes that both sides map MAP_SHARED, and
 * SIM_PAGE_IRQ_FILE, a FIFO that is the interrupt line from host to BMC.
 *
 * ASPEED registers are 32-bit little-endian words, NPCM7xx's are bytes, each
 * at its real offset. No silicon performs the side effects, so every
 * change of STR is one atomic read-modify-write of the aligned 32-bit word
 * holding it (a byte register is a lane of that word): the two sides change
 * bits of the same word at any moment and neither may lose the other's.
 * Data registers are plain loads and stores of the register width.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "kcs_chip.h"
#include "kcs_page.h"

#define SIM_PAGE_REGS_FILE "regs"
#define SIM_PAGE_IRQ_FILE  "irq"
/*
 * Present in the directory: the device has no interrupt line. There is no
 * FIFO, the host raises nothing, and the BMC side polls STR (polled mode).
 */
#define SIM_PAGE_NOIRQ_FILE "noirq"
#define SIM_PAGE_SIZE      KCS_PAGE_SIZE

/* One channel's registers on a mapped page. */
struct sim_page_channel {
	uint8_t *page;                  /* SIM_PAGE_SIZE bytes, MAP_SHARED */
	unsigned int width;             /* register width: 4 (ASPEED) or 1 (NPCM7xx) */
	struct kcs_chip_channel offs;
};

/* Any register by offset (chip start-up configuration): no side effects. */
uint32_t sim_page_load(const uint8_t *page, uint32_t offset, unsigned int width);
void sim_page_store(uint8_t *page, uint32_t offset, unsigned int width, uint32_t value);

/* STR, read by either side. */
uint8_t sim_page_read_str(const struct sim_page_channel *c);
/* Replace the STR bits in @mask with @value's, in one atomic update. */
void sim_page_update_str(const struct sim_page_channel *c, uint8_t mask, uint8_t value);

/*
 * The host's port operations: write the data (C/D=0) or command (C/D=1)
 * port (IDR, then IBF and C/D in one update); read the data port (ODR,
 * then OBF cleared). Raising the interrupt is sim_page_raise_irq().
 */
void sim_page_host_write(const struct sim_page_channel *c, uint8_t value, bool command);
uint8_t sim_page_host_read(const struct sim_page_channel *c);

/* The BMC's: read IDR, then clear IBF; write ODR, then set OBF. */
uint8_t sim_page_bmc_read_idr(const struct sim_page_channel *c);
void sim_page_bmc_write_odr(const struct sim_page_channel *c, uint8_t value);

/*
 * Raise the interrupt: one byte into the FIFO's write end @irq_fd (opened
 * non-blocking). A full FIFO already holds a pending interrupt, so that is
 * success. Returns 0 or a negative errno (-EPIPE: nobody reads the line).
 */
int sim_page_raise_irq(int irq_fd);
