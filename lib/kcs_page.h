/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Access to the controller's register page (ASPEED LPC or Nuvoton KCS block)
 * by byte offset. Chip start-up configuration goes through this, and so does
 * kcs_mmio.c's channel access on real silicon. The daemon backs it with a
 * volatile mapping (UIO) or the simulated device's file; the tests with an
 * in-memory model.
 */
#pragma once

#include <stdint.h>

struct kcs_page_ops {
	/* @width is the register width in bytes: 1 (NPCM7xx) or 4 (ASPEED). */
	uint32_t (*read)(void *ctx, uint32_t offset, unsigned int width);
	void (*write)(void *ctx, uint32_t offset, unsigned int width, uint32_t value);
};

struct kcs_page {
	const struct kcs_page_ops *ops;
	void *ctx;
};

/* Size of the register page every supported chip fits in. */
#define KCS_PAGE_SIZE 0x1000u
