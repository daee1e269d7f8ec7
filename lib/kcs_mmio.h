/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct kcs_regs on top of a register page: the silicon's own side effects
 * (IBF cleared by the IDR read, OBF set by the ODR write) do the work, so
 * this is plain loads and stores at the chip's offsets, plus the host SerIRQ
 * assertion after each ODR write when the channel routes one.
 */
#pragma once

#include "kcs_chip.h"
#include "kcs_regs.h"

struct kcs_mmio {
	const struct kcs_chip *chip;
	struct kcs_page page;
	struct kcs_chip_channel offs;
	struct kcs_channel_config cfg;
};

/* -EINVAL/-ENODEV as kcs_chip_channel(). */
int kcs_mmio_init(struct kcs_mmio *m, const struct kcs_chip *chip,
		  const struct kcs_page *page, const struct kcs_channel_config *cfg);
struct kcs_regs kcs_mmio_regs(struct kcs_mmio *m);
