// SPDX-License-Identifier: Apache-2.0
/*
 * Register layout and start-up configuration of the supported KCS
 * controllers. Facts from docs/design.md section 3. Shared LPC registers (HICR*)
 * are also written by kernel drivers (snoop, BT, lpc-ctrl): everything here
 * is a read-modify-write of the bits that belong to the channel.
 */
#include "kcs_chip.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define BIT(n) (1u << (n))

/* ASPEED LPC controller */
#define AST_HICR0    0x000u
#define AST_HICR2    0x008u
#define AST_HICR4    0x010u
#define   AST_HICR4_LADR12AS BIT(7)
#define   AST_HICR4_KCSENBL  BIT(2)
#define AST_LADR3H   0x014u
#define AST_LADR3L   0x018u
#define AST_LADR12H  0x01Cu
#define AST_LADR12L  0x020u
#define AST_SIRQCR0  0x070u
#define AST_HICR5    0x080u
#define AST_HICRB    0x100u
#define   AST_HICRB_LPC4E    BIT(0)
#define   AST_HICRB_IBFIE4   BIT(1)
#define AST_HICRC    0x104u
#define   AST_HICRC_IRQXE4       BIT(0)
#define   AST_HICRC_OBF4_AUTO_CLR BIT(1)
#define   AST_HICRC_TY4IRQX_SHIFT 2
#define   AST_HICRC_TY4IRQX_MASK  (3u << 2)
#define   AST_HICRC_ID4IRQX_SHIFT 4
#define   AST_HICRC_ID4IRQX_MASK  (0xFu << 4)
#define AST_LADR4    0x110u
#define AST_LSADR12  0x120u

/* Nuvoton NPCM7xx KCS block, per channel */
#define NPCM_CTL_IBFIE BIT(0)
#define NPCM_IE_IRQE   BIT(0)
#define NPCM_IE_HIRQE  BIT(3)

struct ast_channel {
	struct kcs_chip_channel regs;
	uint32_t enable_reg, enable_bits;
	uint32_t ibfie_reg, ibfie_bit;
};

static const struct ast_channel ast_channels[] = {
	{ { 0x024, 0x030, 0x03C }, AST_HICR0, BIT(5), AST_HICR2, BIT(1) },
	{ { 0x028, 0x034, 0x040 }, AST_HICR0, BIT(6), AST_HICR2, BIT(2) },
	{ { 0x02C, 0x038, 0x044 }, AST_HICR0, BIT(7), AST_HICR2, BIT(3) },
	{ { 0x114, 0x118, 0x11C }, AST_HICRB, AST_HICRB_LPC4E, AST_HICRB, AST_HICRB_IBFIE4 },
};

struct npcm_channel {
	struct kcs_chip_channel regs;
	uint32_t ctl;
	uint32_t ie;
};

static const struct npcm_channel npcm_channels[] = {
	{ { 0x10, 0x0E, 0x0C }, 0x18, 0x1C },
	{ { 0x22, 0x20, 0x1E }, 0x2A, 0x2E },
	{ { 0x34, 0x32, 0x30 }, 0x3C, 0x40 },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert(ARRAY_SIZE(ast_channels) <= KCS_CHIP_MAX_CHANNELS, "KCS_CHIP_MAX_CHANNELS too small");
_Static_assert(ARRAY_SIZE(npcm_channels) <= KCS_CHIP_MAX_CHANNELS, "KCS_CHIP_MAX_CHANNELS too small");

static const struct kcs_chip chips[] = {
	{ KCS_CHIP_AST2400, "ast2400", 4, ARRAY_SIZE(ast_channels), true, AST_LSADR12 + 4 },
	{ KCS_CHIP_AST2500, "ast2500", 4, ARRAY_SIZE(ast_channels), true, AST_LSADR12 + 4 },
	{ KCS_CHIP_AST2600, "ast2600", 4, ARRAY_SIZE(ast_channels), false, AST_LSADR12 + 4 },
	{ KCS_CHIP_NPCM7XX, "npcm7xx", 1, ARRAY_SIZE(npcm_channels), true, 0x40 + 1 },
};

const struct kcs_chip *kcs_chip_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(chips); i++)
		if (strcmp(chips[i].name, name) == 0)
			return &chips[i];
	return NULL;
}

const char *kcs_chip_names(void)
{
	return "ast2400, ast2500, ast2600, npcm7xx";
}

static bool is_aspeed(const struct kcs_chip *chip)
{
	return chip->id == KCS_CHIP_AST2400 || chip->id == KCS_CHIP_AST2500 ||
	       chip->id == KCS_CHIP_AST2600;
}

static bool channel_exists(const struct kcs_chip *chip, unsigned int channel)
{
	return channel >= 1 && channel <= chip->nr_channels;
}

int kcs_chip_channel(const struct kcs_chip *chip, unsigned int channel,
		     struct kcs_chip_channel *out)
{
	if (!chip || !out)
		return -EINVAL;
	if (!channel_exists(chip, channel))
		return -ENODEV;
	*out = is_aspeed(chip) ? ast_channels[channel - 1].regs : npcm_channels[channel - 1].regs;
	return 0;
}

__attribute__((format(printf, 3, 4)))
static int reject(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int validate_serirq(const struct kcs_chip *chip, const struct kcs_channel_config *cfg,
			   char *err, size_t errlen)
{
	unsigned int ch = cfg->channel;

	if (cfg->serirq == 0)
		return 0;
	if (!is_aspeed(chip))
		return reject(err, errlen, "%s channel %u: the host interrupt is routed by the host's SuperIO, not the BMC; drop serirq=",
			      chip->name, ch);
	if (cfg->serirq > 15)
		return reject(err, errlen, "%s channel %u: SerIRQ %u out of range 1..15",
			      chip->name, ch, cfg->serirq);
	if (ch == 1 && cfg->serirq != 1 && cfg->serirq != 12)
		return reject(err, errlen, "%s channel 1: only SerIRQ 1 or 12 can be routed, not %u",
			      chip->name, cfg->serirq);
	if (ch == 1 && cfg->serirq_type != KCS_SERIRQ_DEFAULT)
		return reject(err, errlen, "%s channel 1: SerIRQ %u has a fixed type; drop the ':TYPE'",
			      chip->name, cfg->serirq);
	if ((ch == 2 || ch == 3) && cfg->serirq_type == KCS_SERIRQ_EDGE_RISING)
		return reject(err, errlen, "%s channel %u: SerIRQ can be level low or high, not edge",
			      chip->name, ch);
	return 0;
}

int kcs_chip_validate(const struct kcs_chip *chip, const struct kcs_channel_config *cfg,
		      char *err, size_t errlen)
{
	unsigned int ch;

	if (!chip)
		return reject(err, errlen, "unknown chip (supported: %s)", kcs_chip_names());
	if (!cfg)
		return reject(err, errlen, "no channel configuration");
	ch = cfg->channel;
	if (!channel_exists(chip, ch))
		return reject(err, errlen, "%s has no KCS channel %u (channels 1..%u)",
			      chip->name, ch, chip->nr_channels);
	if (cfg->set_data_addr && cfg->data_addr > 0xFFFF)
		return reject(err, errlen, "%s channel %u: LPC address 0x%x is above 0xFFFF",
			      chip->name, ch, (unsigned)cfg->data_addr);
	if (cfg->set_status_addr && cfg->status_addr > 0xFFFF)
		return reject(err, errlen, "%s channel %u: status address 0x%x is above 0xFFFF",
			      chip->name, ch, (unsigned)cfg->status_addr);
	if (cfg->set_status_addr && !cfg->set_data_addr)
		return reject(err, errlen, "%s channel %u: a status address needs a data address too",
			      chip->name, ch);
	if (!is_aspeed(chip) && (cfg->set_data_addr || cfg->set_status_addr))
		return reject(err, errlen, "%s channel %u: the LPC address is set by the host's SuperIO, not the BMC; drop addr=/status=",
			      chip->name, ch);
	if (ch == 3 && cfg->set_status_addr && cfg->status_addr != cfg->data_addr + 1)
		return reject(err, errlen, "%s channel 3: the status port is always data+1 (0x%x), cannot be 0x%x",
			      chip->name, (unsigned)cfg->data_addr + 1, (unsigned)cfg->status_addr);
	if (cfg->set_data_addr && cfg->data_addr == 0xFFFF && !cfg->set_status_addr)
		return reject(err, errlen, "%s channel %u: status port data+1 would be above 0xFFFF",
			      chip->name, ch);
	return validate_serirq(chip, cfg, err, errlen);
}

static void page_update(const struct kcs_chip *chip, const struct kcs_page *page,
			uint32_t reg, uint32_t mask, uint32_t value)
{
	uint32_t v = page->ops->read(page->ctx, reg, chip->reg_width);

	page->ops->write(page->ctx, reg, chip->reg_width, (v & ~mask) | (value & mask));
}

static void page_write(const struct kcs_chip *chip, const struct kcs_page *page,
		       uint32_t reg, uint32_t value)
{
	page->ops->write(page->ctx, reg, chip->reg_width, value);
}

static void ast_set_address(const struct kcs_chip *chip, const struct kcs_page *page,
			    const struct kcs_channel_config *cfg)
{
	uint32_t data = cfg->data_addr;
	uint32_t status = cfg->set_status_addr ? cfg->status_addr : data + 1;
	bool separate = status != data + 1;

	switch (cfg->channel) {
	case 1:
	case 2: {
		bool ch2 = cfg->channel == 2;
		uint32_t en16 = ch2 ? BIT(5) : BIT(4);

		/* LADR12H/L is one register pair; LADR12AS picks the channel. */
		page_update(chip, page, AST_HICR4, AST_HICR4_LADR12AS, ch2 ? AST_HICR4_LADR12AS : 0);
		page_write(chip, page, AST_LADR12H, data >> 8);
		page_write(chip, page, AST_LADR12L, data & 0xFF);
		if (separate)
			page_update(chip, page, AST_LSADR12, ch2 ? 0xFFFF0000u : 0x0000FFFFu,
				    ch2 ? status << 16 : status);
		page_update(chip, page, AST_HICRB, en16, separate ? en16 : 0);
		break;
	}
	case 3:
		page_write(chip, page, AST_LADR3H, data >> 8);
		page_write(chip, page, AST_LADR3L, data & 0xFF);
		break;
	case 4:
		page_write(chip, page, AST_LADR4, status << 16 | data);
		break;
	}
}

static void ast_route_serirq(const struct kcs_chip *chip, const struct kcs_page *page,
			     const struct kcs_channel_config *cfg)
{
	uint32_t irq = cfg->serirq;
	bool high = cfg->serirq_type == KCS_SERIRQ_LEVEL_HIGH;

	switch (cfg->channel) {
	case 2:
		page_update(chip, page, AST_HICR5, 0xFu << 16 | BIT(13),
			    irq << 16 | (high ? BIT(13) : 0));
		break;
	case 3:
		page_update(chip, page, AST_HICR5, 0xFu << 20 | BIT(15),
			    irq << 20 | (high ? BIT(15) : 0));
		break;
	case 4: {
		uint32_t type = cfg->serirq_type == KCS_SERIRQ_EDGE_RISING ? 3u :
				high ? 1u : 0u;

		page_update(chip, page, AST_HICRC,
			    AST_HICRC_ID4IRQX_MASK | AST_HICRC_TY4IRQX_MASK | AST_HICRC_OBF4_AUTO_CLR,
			    irq << AST_HICRC_ID4IRQX_SHIFT | type << AST_HICRC_TY4IRQX_SHIFT);
		break;
	}
	default:
		/* Channel 1 has fixed routing (SIRQCR0); nothing to program. */
		break;
	}
}

int kcs_chip_configure(const struct kcs_chip *chip, const struct kcs_page *page,
		       const struct kcs_channel_config *cfg, char *err, size_t errlen)
{
	int r = kcs_chip_validate(chip, cfg, err, errlen);

	if (r < 0)
		return r;
	if (!page || !page->ops)
		return reject(err, errlen, "no register page");

	if (is_aspeed(chip)) {
		const struct ast_channel *c = &ast_channels[cfg->channel - 1];

		if (cfg->set_data_addr)
			ast_set_address(chip, page, cfg);
		if (cfg->serirq)
			ast_route_serirq(chip, page, cfg);
		page_update(chip, page, c->enable_reg, c->enable_bits, c->enable_bits);
		if (cfg->channel == 3)
			page_update(chip, page, AST_HICR4, AST_HICR4_KCSENBL, AST_HICR4_KCSENBL);
	} else {
		const struct npcm_channel *c = &npcm_channels[cfg->channel - 1];

		page_update(chip, page, c->ie, NPCM_IE_IRQE | NPCM_IE_HIRQE,
			    NPCM_IE_IRQE | NPCM_IE_HIRQE);
	}
	return kcs_chip_set_ibf_irq(chip, page, cfg->channel, !cfg->polled);
}

int kcs_chip_set_ibf_irq(const struct kcs_chip *chip, const struct kcs_page *page,
			 unsigned int channel, bool enable)
{
	uint32_t reg, bit;

	if (!chip || !page || !page->ops)
		return -EINVAL;
	if (!channel_exists(chip, channel))
		return -ENODEV;
	if (is_aspeed(chip)) {
		reg = ast_channels[channel - 1].ibfie_reg;
		bit = ast_channels[channel - 1].ibfie_bit;
	} else {
		reg = npcm_channels[channel - 1].ctl;
		bit = NPCM_CTL_IBFIE;
	}
	page_update(chip, page, reg, bit, enable ? bit : 0);
	return 0;
}

void kcs_chip_serirq_assert(const struct kcs_chip *chip, const struct kcs_page *page,
			    const struct kcs_channel_config *cfg)
{
	if (!cfg->serirq || !is_aspeed(chip))
		return;
	switch (cfg->channel) {
	case 1:
		page_update(chip, page, AST_SIRQCR0, BIT(0) | BIT(1),
			    cfg->serirq == 12 ? BIT(1) : BIT(0));
		break;
	case 2:
		page_update(chip, page, AST_HICR5, BIT(12), BIT(12));
		break;
	case 3:
		page_update(chip, page, AST_HICR5, BIT(14), BIT(14));
		break;
	case 4:
		page_update(chip, page, AST_HICRC, AST_HICRC_IRQXE4, AST_HICRC_IRQXE4);
		break;
	}
}
