// SPDX-License-Identifier: Apache-2.0
#include "kcs_mmio.h"

#include <errno.h>
#include <string.h>

static uint8_t mmio_read_idr(void *ctx)
{
	struct kcs_mmio *m = ctx;

	return (uint8_t)m->page.ops->read(m->page.ctx, m->offs.idr, m->chip->reg_width);
}

static void mmio_write_odr(void *ctx, uint8_t value)
{
	struct kcs_mmio *m = ctx;

	m->page.ops->write(m->page.ctx, m->offs.odr, m->chip->reg_width, value);
	kcs_chip_serirq_assert(m->chip, &m->page, &m->cfg);
}

static uint8_t mmio_read_str(void *ctx)
{
	struct kcs_mmio *m = ctx;

	return (uint8_t)m->page.ops->read(m->page.ctx, m->offs.str, m->chip->reg_width);
}

/*
 * A plain read-modify-write: OBF is written back as read, so a 1 stays a 1
 * (writing 1 to a write-0-to-clear bit does nothing) and a 0 clears nothing.
 */
static void mmio_update_str(void *ctx, uint8_t mask, uint8_t value)
{
	struct kcs_mmio *m = ctx;
	uint32_t str = m->page.ops->read(m->page.ctx, m->offs.str, m->chip->reg_width);

	str = (str & ~(uint32_t)mask) | (value & mask);
	m->page.ops->write(m->page.ctx, m->offs.str, m->chip->reg_width, str);
}

static const struct kcs_regs_ops kcs_mmio_ops = {
	.read_idr = mmio_read_idr,
	.write_odr = mmio_write_odr,
	.read_str = mmio_read_str,
	.update_str = mmio_update_str,
};

int kcs_mmio_init(struct kcs_mmio *m, const struct kcs_chip *chip,
		  const struct kcs_page *page, const struct kcs_channel_config *cfg)
{
	int r;

	if (!m || !chip || !page || !page->ops || !cfg)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	r = kcs_chip_channel(chip, cfg->channel, &m->offs);
	if (r < 0)
		return r;
	m->chip = chip;
	m->page = *page;
	m->cfg = *cfg;
	return 0;
}

struct kcs_regs kcs_mmio_regs(struct kcs_mmio *m)
{
	return (struct kcs_regs){ .ops = &kcs_mmio_ops, .ctx = m };
}
