/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Register access for one KCS channel, as the BMC sees it.
 *
 * Three implementations stand behind this interface: memory-mapped silicon
 * (kcs_mmio.c, the hardware does the side effects), the simulated device
 * (daemon/sim.c, atomics on a shared file) and the fake register map of the
 * unit tests. The state machine only ever talks to this struct.
 */
#pragma once

#include <stdint.h>

/* Status register (STR) bits, IPMI v2.0 section 9.7. */
#define KCS_STR_OBF      0x01u  /* output buffer full; write-0-to-clear on ASPEED */
#define KCS_STR_IBF      0x02u  /* input buffer full; read-only for the BMC */
#define KCS_STR_SMS_ATN  0x04u
#define KCS_STR_CD       0x08u  /* last host write went to the command port */
#define KCS_STR_OEM1     0x10u
#define KCS_STR_OEM2     0x20u
#define KCS_STR_STATE_SHIFT 6
#define KCS_STR_STATE_MASK  0xC0u

enum kcs_state {
	KCS_STATE_IDLE  = 0,
	KCS_STATE_READ  = 1,
	KCS_STATE_WRITE = 2,
	KCS_STATE_ERROR = 3,
};

static inline uint8_t kcs_str_state_bits(enum kcs_state s)
{
	return (uint8_t)((unsigned)s << KCS_STR_STATE_SHIFT);
}

static inline enum kcs_state kcs_str_state(uint8_t str)
{
	return (enum kcs_state)((str & KCS_STR_STATE_MASK) >> KCS_STR_STATE_SHIFT);
}

/* Control codes the host writes to the command port (READ goes to data). */
enum kcs_ctrl {
	KCS_CTRL_GET_STATUS_ABORT = 0x60,
	KCS_CTRL_WRITE_START      = 0x61,
	KCS_CTRL_WRITE_END        = 0x62,
	KCS_CTRL_READ             = 0x68,
};

/* Status codes returned to the host by the error exit (abort) sequence. */
enum kcs_status_code {
	KCS_STATUS_NO_ERROR     = 0x00,
	KCS_STATUS_ABORTED      = 0x01,
	KCS_STATUS_ILLEGAL_CODE = 0x02,
	KCS_STATUS_LENGTH_ERROR = 0x06,
	KCS_STATUS_UNSPECIFIED  = 0xFF,
};

struct kcs_regs_ops {
	/* Read the input data register. Clears IBF (silicon or emulated). */
	uint8_t (*read_idr)(void *ctx);
	/* Write the output data register. Sets OBF. */
	void (*write_odr)(void *ctx, uint8_t value);
	uint8_t (*read_str)(void *ctx);
	/*
	 * Replace the STR bits in @mask by those of @value in one
	 * read-modify-write, leaving every other bit as it is. @mask only ever
	 * holds BMC-writable bits (state, SMS_ATN); OBF, IBF and C/D are never
	 * changed through this call, so an implementation on write-0-to-clear
	 * silicon must write back the OBF value it read.
	 */
	void (*update_str)(void *ctx, uint8_t mask, uint8_t value);
};

struct kcs_regs {
	const struct kcs_regs_ops *ops;
	void *ctx;
};
