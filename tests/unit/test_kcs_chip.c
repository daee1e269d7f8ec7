// SPDX-License-Identifier: Apache-2.0
/*
 * Chip descriptions against docs/design.md section 3. Every expected offset,
 * bit and register value here is written down from the design's facts,
 * never taken from lib/, so a wrong table in lib/ cannot agree with itself.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake_regs.h"
#include "kcs_chip.h"
#include "kcs_mmio.h"
#include "kcs_regs.h"
#include "sm_fixture.h"

#define BIT(n) (1u << (n))

/* ASPEED LPC registers (docs/design.md section 3). */
#define HICR0   0x000u
#define HICR2   0x008u
#define HICR4   0x010u
#define LADR3H  0x014u
#define LADR3L  0x018u
#define LADR12H 0x01Cu
#define LADR12L 0x020u
#define SIRQCR0 0x070u
#define HICR5   0x080u
#define HICRB   0x100u
#define HICRC   0x104u
#define LADR4   0x110u
#define LSADR12 0x120u

static const char *const aspeed[] = { "ast2400", "ast2500", "ast2600" };
#define NR_ASPEED (sizeof(aspeed) / sizeof(aspeed[0]))

static const struct kcs_chip_channel ast_offs[4] = {
	{ .idr = 0x024, .odr = 0x030, .str = 0x03C },
	{ .idr = 0x028, .odr = 0x034, .str = 0x040 },
	{ .idr = 0x02C, .odr = 0x038, .str = 0x044 },
	{ .idr = 0x114, .odr = 0x118, .str = 0x11C },
};

static const struct kcs_chip_channel npcm_offs[3] = {
	{ .idr = 0x10, .odr = 0x0E, .str = 0x0C },
	{ .idr = 0x22, .odr = 0x20, .str = 0x1E },
	{ .idr = 0x34, .odr = 0x32, .str = 0x30 },
};
static const uint32_t npcm_ctl[3] = { 0x18, 0x2A, 0x3C };  /* IBFIE bit 0 */
static const uint32_t npcm_ie[3] = { 0x1C, 0x2E, 0x40 };   /* IRQE bit 0, HIRQE bit 3 */

/* One register's expected change: the bits in @mask become those of @value. */
struct change {
	uint32_t off;
	uint32_t mask;
	uint32_t value;
};

struct expected {
	struct change c[16];
	size_t n;
};

static void expect_bits(struct expected *e, uint32_t off, uint32_t mask, uint32_t value)
{
	assert_true(e->n < sizeof(e->c) / sizeof(e->c[0]));
	e->c[e->n++] = (struct change){ off, mask, value & mask };
}

static void expect_reg(struct expected *e, uint32_t off, uint32_t value)
{
	expect_bits(e, off, 0xFFFFFFFFu, value);
}

/* The start-up writes docs/design.md section 3 asks for, for an ASPEED channel. */
static void aspeed_startup(const struct kcs_channel_config *cfg, struct expected *e)
{
	uint32_t data = cfg->data_addr;
	uint32_t status = cfg->set_status_addr ? cfg->status_addr : data + 1;
	bool separate = status != data + 1;
	bool high = cfg->serirq_type == KCS_SERIRQ_LEVEL_HIGH;

	switch (cfg->channel) {
	case 1:
	case 2: {
		bool ch2 = cfg->channel == 2;

		if (cfg->set_data_addr) {
			expect_bits(e, HICR4, BIT(7), ch2 ? BIT(7) : 0);           /* LADR12AS */
			expect_reg(e, LADR12H, data >> 8);
			expect_reg(e, LADR12L, data & 0xFF);
			if (separate)
				expect_bits(e, LSADR12, ch2 ? 0xFFFF0000u : 0x0000FFFFu,
					    ch2 ? status << 16 : status);
			expect_bits(e, HICRB, ch2 ? BIT(5) : BIT(4), separate ? 0xFFFFFFFFu : 0);
		}
		if (ch2 && cfg->serirq)
			expect_bits(e, HICR5, 0xFu << 16 | BIT(13), cfg->serirq << 16 | (high ? BIT(13) : 0));
		expect_bits(e, HICR0, ch2 ? BIT(6) : BIT(5), 0xFFFFFFFFu);      /* LPC1E/LPC2E */
		expect_bits(e, HICR2, ch2 ? BIT(2) : BIT(1), cfg->polled ? 0 : 0xFFFFFFFFu); /* IBF irq */
		break;
	}
	case 3:
		if (cfg->set_data_addr) {
			expect_reg(e, LADR3H, data >> 8);
			expect_reg(e, LADR3L, data & 0xFF);
		}
		if (cfg->serirq)
			expect_bits(e, HICR5, 0xFu << 20 | BIT(15), cfg->serirq << 20 | (high ? BIT(15) : 0));
		expect_bits(e, HICR0, BIT(7), BIT(7));                         /* LPC3E */
		expect_bits(e, HICR4, BIT(2), BIT(2));                         /* KCSENBL */
		expect_bits(e, HICR2, BIT(3), cfg->polled ? 0 : BIT(3));
		break;
	case 4: {
		uint32_t type = cfg->serirq_type == KCS_SERIRQ_EDGE_RISING ? 3 : high ? 1 : 0;

		if (cfg->set_data_addr)
			expect_reg(e, LADR4, status << 16 | data);
		if (cfg->serirq)
			/* ID4IRQX, TY4IRQX, OBF4_AUTO_CLR cleared */
			expect_bits(e, HICRC, 0xF0u | 0x0Cu | BIT(1), cfg->serirq << 4 | type << 2);
		expect_bits(e, HICRB, BIT(0) | BIT(1), BIT(0) | (cfg->polled ? 0 : BIT(1))); /* LPC4E, IBF irq */
		break;
	}
	default:
		fail_msg("no ASPEED channel %u", cfg->channel);
	}
}

static void npcm_startup(unsigned int ch, bool polled, struct expected *e)
{
	expect_bits(e, npcm_ie[ch - 1], BIT(0) | BIT(3), BIT(0) | BIT(3));
	expect_bits(e, npcm_ctl[ch - 1], BIT(0), polled ? 0 : BIT(0));
}

static const char *describe(const struct kcs_chip *chip, const struct kcs_channel_config *cfg,
			    uint32_t fill, char *buf, size_t len)
{
	snprintf(buf, len, "%s ch%u addr %s0x%x status %s0x%x serirq %u/%d fill 0x%08x",
		 chip->name, cfg->channel, cfg->set_data_addr ? "" : "unset ", (unsigned)cfg->data_addr,
		 cfg->set_status_addr ? "" : "unset ", (unsigned)cfg->status_addr, cfg->serirq,
		 (int)cfg->serirq_type, (unsigned)fill);
	return buf;
}

/*
 * Configure on a page filled with @fill: the registers in @e end up with
 * their channel bits changed and every other bit as it was; no other
 * register changes; exactly @e's registers are written.
 */
static void check_configure(const struct kcs_chip *chip, const struct kcs_channel_config *cfg,
			    const struct expected *e, uint32_t fill)
{
	struct fake_regs f;
	struct kcs_page page;
	char err[160] = "";
	char what[160];
	uint32_t width_mask = chip->reg_width == 4 ? 0xFFFFFFFFu : 0xFFu;

	describe(chip, cfg, fill, what, sizeof(what));
	assert_int_equal(fake_regs_init(&f, chip, cfg->channel), 0);
	fake_fill(&f, fill);
	page = fake_regs_page(&f);
	if (kcs_chip_configure(chip, &page, cfg, err, sizeof(err)) != 0)
		fail_msg("%s: refused: %s", what, err);
	assert_string_equal(err, "");

	for (uint32_t off = 0; off < KCS_PAGE_SIZE; off += chip->reg_width) {
		uint32_t want = fill & width_mask;
		bool touched = false;

		for (size_t i = 0; i < e->n; i++) {
			if (e->c[i].off != off)
				continue;
			want = (want & ~e->c[i].mask) | e->c[i].value;
			touched = true;
		}
		want &= width_mask;
		if (fake_peek(&f, off) != want)
			fail_msg("%s: register 0x%03x is 0x%08x, want 0x%08x", what, (unsigned)off,
				 (unsigned)fake_peek(&f, off), (unsigned)want);
		if (touched != (fake_log_count(&f, off) > 0))
			fail_msg("%s: register 0x%03x %s written", what, (unsigned)off,
				 touched ? "was not" : "was");
	}
	fake_regs_fini(&f);
}

static const uint32_t fills[] = { 0x00000000u, 0xFFFFFFFFu, 0xA5A55A5Au, 0x5A5AA5A5u };
#define NR_FILLS (sizeof(fills) / sizeof(fills[0]))

static void check_aspeed_config(const struct kcs_channel_config *cfg)
{
	struct expected e = { .n = 0 };

	aspeed_startup(cfg, &e);
	for (size_t c = 0; c < NR_ASPEED; c++)
		for (size_t i = 0; i < NR_FILLS; i++)
			check_configure(kcs_chip_find(aspeed[c]), cfg, &e, fills[i]);
}

static void test_chip_table(void **state)
{
	const struct kcs_chip *c;

	(void)state;
	for (size_t i = 0; i < NR_ASPEED; i++) {
		c = kcs_chip_find(aspeed[i]);
		assert_non_null(c);
		assert_string_equal(c->name, aspeed[i]);
		assert_int_equal(c->reg_width, 4);
		assert_int_equal(c->nr_channels, 4);
		assert_non_null(strstr(kcs_chip_names(), aspeed[i]));
	}
	/* AST2400/2500: one LPC interrupt for everything; AST2600: one per channel. */
	assert_true(kcs_chip_find("ast2400")->shared_irq);
	assert_true(kcs_chip_find("ast2500")->shared_irq);
	assert_false(kcs_chip_find("ast2600")->shared_irq);
	c = kcs_chip_find("npcm7xx");
	assert_non_null(c);
	assert_int_equal(c->reg_width, 1);
	assert_int_equal(c->nr_channels, 3);
	/* The highest registers: LSADR12 (0x120, 32-bit), ch3's interrupt enable (0x40). */
	for (size_t i = 0; i < NR_ASPEED; i++)
		assert_int_equal(kcs_chip_find(aspeed[i])->page_span, LSADR12 + 4);
	assert_int_equal(c->page_span, 0x40 + 1);
	assert_non_null(strstr(kcs_chip_names(), "npcm7xx"));
}

static void test_unknown_chip(void **state)
{
	struct kcs_channel_config cfg = { .channel = 1 };
	struct kcs_chip_channel offs;
	char err[160] = "";

	(void)state;
	assert_null(kcs_chip_find("ast2700"));
	assert_null(kcs_chip_find("npcm8xx"));
	assert_null(kcs_chip_find(""));
	assert_null(kcs_chip_find("ast26000"));
	assert_null(kcs_chip_find(NULL));
	assert_int_equal(kcs_chip_channel(NULL, 1, &offs), -EINVAL);
	assert_int_equal(kcs_chip_validate(NULL, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown chip"));
	assert_non_null(strstr(err, "ast2600"));
}

static void test_channel_offsets(void **state)
{
	struct kcs_chip_channel offs;

	(void)state;
	for (size_t c = 0; c < NR_ASPEED; c++) {
		const struct kcs_chip *chip = kcs_chip_find(aspeed[c]);

		for (unsigned int ch = 1; ch <= 4; ch++) {
			assert_int_equal(kcs_chip_channel(chip, ch, &offs), 0);
			assert_int_equal(offs.idr, ast_offs[ch - 1].idr);
			assert_int_equal(offs.odr, ast_offs[ch - 1].odr);
			assert_int_equal(offs.str, ast_offs[ch - 1].str);
		}
		assert_int_equal(kcs_chip_channel(chip, 0, &offs), -ENODEV);
		assert_int_equal(kcs_chip_channel(chip, 5, &offs), -ENODEV);
	}
	for (unsigned int ch = 1; ch <= 3; ch++) {
		assert_int_equal(kcs_chip_channel(kcs_chip_find("npcm7xx"), ch, &offs), 0);
		assert_int_equal(offs.idr, npcm_offs[ch - 1].idr);
		assert_int_equal(offs.odr, npcm_offs[ch - 1].odr);
		assert_int_equal(offs.str, npcm_offs[ch - 1].str);
	}
	assert_int_equal(kcs_chip_channel(kcs_chip_find("npcm7xx"), 0, &offs), -ENODEV);
	assert_int_equal(kcs_chip_channel(kcs_chip_find("npcm7xx"), 4, &offs), -ENODEV);
	assert_int_equal(kcs_chip_channel(kcs_chip_find("ast2600"), 1, NULL), -EINVAL);
}

/* The state machine reaches exactly these registers through kcs_mmio. */
static void test_mmio_uses_channel_registers(void **state)
{
	(void)state;
	for (size_t c = 0; c < NR_CHIPS; c++) {
		const struct kcs_chip *chip = kcs_chip_find(all_chips[c]);
		bool npcm = chip->reg_width == 1;

		for (unsigned int ch = 1; ch <= chip->nr_channels; ch++) {
			const struct kcs_chip_channel *o = npcm ? &npcm_offs[ch - 1] : &ast_offs[ch - 1];
			struct fake_regs f;
			struct kcs_page page;
			struct kcs_mmio m;
			struct kcs_regs regs;
			struct kcs_channel_config cfg = { .channel = ch };

			assert_int_equal(fake_regs_init(&f, chip, ch), 0);
			page = fake_regs_page(&f);
			assert_int_equal(kcs_mmio_init(&m, chip, &page, &cfg), 0);
			regs = kcs_mmio_regs(&m);
			fake_poke(&f, o->idr, 0x5A);
			fake_poke(&f, o->str, KCS_STR_IBF | KCS_STR_CD);
			assert_int_equal(regs.ops->read_str(regs.ctx), KCS_STR_IBF | KCS_STR_CD);
			assert_int_equal(regs.ops->read_idr(regs.ctx), 0x5A);
			assert_int_equal(fake_peek(&f, o->str), KCS_STR_CD);
			regs.ops->write_odr(regs.ctx, 0xC3);
			assert_int_equal(fake_peek(&f, o->odr), 0xC3);
			assert_int_equal(fake_peek(&f, o->str), KCS_STR_CD | KCS_STR_OBF);
			regs.ops->update_str(regs.ctx, KCS_STR_STATE_MASK, 0x80);
			assert_int_equal(fake_peek(&f, o->str), 0x80 | KCS_STR_CD | KCS_STR_OBF);
			assert_int_equal(f.log_len, 2);
			fake_regs_fini(&f);
		}
	}
}

static void test_mmio_init_checks(void **state)
{
	const struct kcs_chip *chip = kcs_chip_find("ast2600");
	struct fake_regs f;
	struct kcs_page page;
	struct kcs_page no_ops = { .ops = NULL };
	struct kcs_mmio m;
	struct kcs_channel_config cfg = { .channel = 1 };
	struct kcs_channel_config bad = { .channel = 5 };

	(void)state;
	assert_int_equal(fake_regs_init(&f, chip, 1), 0);
	page = fake_regs_page(&f);
	assert_int_equal(kcs_mmio_init(NULL, chip, &page, &cfg), -EINVAL);
	assert_int_equal(kcs_mmio_init(&m, NULL, &page, &cfg), -EINVAL);
	assert_int_equal(kcs_mmio_init(&m, chip, NULL, &cfg), -EINVAL);
	assert_int_equal(kcs_mmio_init(&m, chip, &no_ops, &cfg), -EINVAL);
	assert_int_equal(kcs_mmio_init(&m, chip, &page, NULL), -EINVAL);
	assert_int_equal(kcs_mmio_init(&m, chip, &page, &bad), -ENODEV);
	assert_int_equal(f.log_len, 0);
	fake_regs_fini(&f);
}

static void test_configure_aspeed_plain(void **state)
{
	(void)state;
	for (unsigned int ch = 1; ch <= 4; ch++)
		check_aspeed_config(&(struct kcs_channel_config){ .channel = ch });
}

static void test_configure_aspeed_address(void **state)
{
	static const uint32_t addrs[] = { 0xCA2, 0xCA4, 0x0000, 0xFFFE, 0x1234 };

	(void)state;
	for (unsigned int ch = 1; ch <= 4; ch++)
		for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
			check_aspeed_config(&(struct kcs_channel_config){
				.channel = ch, .set_data_addr = true, .data_addr = addrs[i] });
}

static void test_configure_aspeed_status_address(void **state)
{
	(void)state;
	for (unsigned int ch = 1; ch <= 4; ch++) {
		/* data+1 given explicitly: the usual pair, on every channel. */
		check_aspeed_config(&(struct kcs_channel_config){
			.channel = ch, .set_data_addr = true, .data_addr = 0xCA2,
			.set_status_addr = true, .status_addr = 0xCA3 });
		if (ch == 3)
			continue;
		/* SMM's separate pair: data 0xCA8, status 0xCAC. */
		check_aspeed_config(&(struct kcs_channel_config){
			.channel = ch, .set_data_addr = true, .data_addr = 0xCA8,
			.set_status_addr = true, .status_addr = 0xCAC });
		check_aspeed_config(&(struct kcs_channel_config){
			.channel = ch, .set_data_addr = true, .data_addr = 0xFFFF,
			.set_status_addr = true, .status_addr = 0x0062 });
	}
}

static void test_configure_aspeed_serirq(void **state)
{
	static const struct {
		unsigned int ch, irq;
		enum kcs_serirq_type type;
	} cases[] = {
		{ 1, 1, KCS_SERIRQ_DEFAULT }, { 1, 12, KCS_SERIRQ_DEFAULT },
		{ 2, 9, KCS_SERIRQ_DEFAULT }, { 4, 9, KCS_SERIRQ_DEFAULT },
		{ 2, 10, KCS_SERIRQ_LEVEL_LOW }, { 2, 11, KCS_SERIRQ_LEVEL_HIGH }, { 2, 15, KCS_SERIRQ_LEVEL_HIGH },
		{ 3, 10, KCS_SERIRQ_LEVEL_LOW }, { 3, 11, KCS_SERIRQ_LEVEL_HIGH }, { 3, 1, KCS_SERIRQ_LEVEL_LOW },
		{ 4, 5, KCS_SERIRQ_LEVEL_LOW }, { 4, 6, KCS_SERIRQ_LEVEL_HIGH }, { 4, 7, KCS_SERIRQ_EDGE_RISING },
		{ 4, 15, KCS_SERIRQ_LEVEL_LOW },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check_aspeed_config(&(struct kcs_channel_config){
			.channel = cases[i].ch, .serirq = cases[i].irq, .serirq_type = cases[i].type });
		/* Everything at once. */
		check_aspeed_config(&(struct kcs_channel_config){
			.channel = cases[i].ch, .serirq = cases[i].irq, .serirq_type = cases[i].type,
			.set_data_addr = true, .data_addr = 0xCA8,
			.set_status_addr = true, .status_addr = cases[i].ch == 3 ? 0xCA9 : 0xCAC });
	}
}

static void test_configure_npcm7xx(void **state)
{
	const struct kcs_chip *chip = kcs_chip_find("npcm7xx");

	(void)state;
	for (unsigned int ch = 1; ch <= 3; ch++) {
		for (int polled = 0; polled <= 1; polled++) {
			struct kcs_channel_config cfg = { .channel = ch, .polled = polled };
			struct expected e = { .n = 0 };

			npcm_startup(ch, polled, &e);
			for (size_t i = 0; i < NR_FILLS; i++)
				check_configure(chip, &cfg, &e, fills[i]);
		}
	}
}

/* Polled mode: everything as usual, but the IBF interrupt enable ends up off. */
static void test_configure_aspeed_polled(void **state)
{
	(void)state;
	for (unsigned int ch = 1; ch <= 4; ch++)
		check_aspeed_config(&(struct kcs_channel_config){
			.channel = ch, .polled = true, .set_data_addr = true, .data_addr = 0xCA2 });
}

/* A refused configuration names the problem and writes nothing. */
static void check_rejected(const char *chip_name, const struct kcs_channel_config *cfg,
			   const char *const *words)
{
	const struct kcs_chip *chip = kcs_chip_find(chip_name);
	struct fake_regs f;
	struct kcs_page page;
	char err[200] = "";
	char err2[200] = "";

	assert_non_null(chip);
	assert_int_equal(kcs_chip_validate(chip, cfg, err, sizeof(err)), -EINVAL);
	for (size_t i = 0; words[i]; i++)
		if (!strstr(err, words[i]))
			fail_msg("%s channel %u: message \"%s\" does not mention \"%s\"",
				 chip_name, cfg->channel, err, words[i]);
	/* Configure validates first: same words, not a single register write. */
	assert_int_equal(fake_regs_init(&f, chip, 1), 0);
	page = fake_regs_page(&f);
	assert_int_equal(kcs_chip_configure(chip, &page, cfg, err2, sizeof(err2)), -EINVAL);
	assert_string_equal(err2, err);
	assert_int_equal(f.log_len, 0);
	/* No buffer, or a tiny one: still refused, never overrun. */
	assert_int_equal(kcs_chip_validate(chip, cfg, NULL, 0), -EINVAL);
	memset(err2, 'x', sizeof(err2));
	assert_int_equal(kcs_chip_validate(chip, cfg, err2, 8), -EINVAL);
	assert_int_equal(strlen(err2), 7);
	assert_int_equal(err2[8], 'x');
	fake_regs_fini(&f);
}

static void test_reject_channel_3_separate_status(void **state)
{
	(void)state;
	check_rejected("ast2600", &(struct kcs_channel_config){
		.channel = 3, .set_data_addr = true, .data_addr = 0xCA2,
		.set_status_addr = true, .status_addr = 0xCA8 },
		(const char *const[]){ "channel 3", "status", "data+1", "0xca8", NULL });
}

static void test_reject_address_above_16_bits(void **state)
{
	(void)state;
	check_rejected("ast2500", &(struct kcs_channel_config){
		.channel = 2, .set_data_addr = true, .data_addr = 0x10000 },
		(const char *const[]){ "channel 2", "0x10000", "0xFFFF", NULL });
	check_rejected("ast2600", &(struct kcs_channel_config){
		.channel = 4, .set_data_addr = true, .data_addr = 0xCA2,
		.set_status_addr = true, .status_addr = 0x12345 },
		(const char *const[]){ "channel 4", "status", "0x12345", NULL });
	/* data 0xFFFF with the implied status port 0x10000 */
	check_rejected("ast2600", &(struct kcs_channel_config){
		.channel = 1, .set_data_addr = true, .data_addr = 0xFFFF },
		(const char *const[]){ "channel 1", "status", "0xFFFF", NULL });
}

static void test_reject_missing_channel(void **state)
{
	(void)state;
	check_rejected("ast2600", &(struct kcs_channel_config){ .channel = 0 },
		       (const char *const[]){ "ast2600", "channel 0", NULL });
	check_rejected("ast2400", &(struct kcs_channel_config){ .channel = 5 },
		       (const char *const[]){ "ast2400", "channel 5", NULL });
	check_rejected("npcm7xx", &(struct kcs_channel_config){ .channel = 4 },
		       (const char *const[]){ "npcm7xx", "channel 4", NULL });
}

static void test_reject_status_without_data(void **state)
{
	(void)state;
	check_rejected("ast2600", &(struct kcs_channel_config){
		.channel = 2, .set_status_addr = true, .status_addr = 0xCA3 },
		(const char *const[]){ "channel 2", "status address", "data address", NULL });
}

static void test_reject_npcm7xx_address(void **state)
{
	(void)state;
	check_rejected("npcm7xx", &(struct kcs_channel_config){
		.channel = 1, .set_data_addr = true, .data_addr = 0xCA2 },
		(const char *const[]){ "npcm7xx", "channel 1", "addr=", NULL });
	check_rejected("npcm7xx", &(struct kcs_channel_config){
		.channel = 2, .serirq = 11 },
		(const char *const[]){ "npcm7xx", "channel 2", "serirq=", NULL });
}

static void test_reject_serirq(void **state)
{
	(void)state;
	check_rejected("ast2600", &(struct kcs_channel_config){ .channel = 1, .serirq = 5 },
		       (const char *const[]){ "channel 1", "1 or 12", "5", NULL });
	check_rejected("ast2600", &(struct kcs_channel_config){
		.channel = 1, .serirq = 12, .serirq_type = KCS_SERIRQ_LEVEL_HIGH },
		(const char *const[]){ "channel 1", "SerIRQ 12", "fixed type", NULL });
	check_rejected("ast2500", &(struct kcs_channel_config){ .channel = 4, .serirq = 16 },
		       (const char *const[]){ "channel 4", "SerIRQ 16", NULL });
	check_rejected("ast2600", &(struct kcs_channel_config){
		.channel = 2, .serirq = 10, .serirq_type = KCS_SERIRQ_EDGE_RISING },
		(const char *const[]){ "channel 2", "edge", NULL });
	check_rejected("ast2600", &(struct kcs_channel_config){
		.channel = 3, .serirq = 10, .serirq_type = KCS_SERIRQ_EDGE_RISING },
		(const char *const[]){ "channel 3", "edge", NULL });
}

static void test_configure_without_page(void **state)
{
	const struct kcs_chip *chip = kcs_chip_find("ast2600");
	struct kcs_channel_config cfg = { .channel = 1 };
	struct kcs_page no_ops = { .ops = NULL };
	char err[100] = "";

	(void)state;
	assert_int_equal(kcs_chip_configure(chip, NULL, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "page"));
	assert_int_equal(kcs_chip_configure(chip, &no_ops, &cfg, err, sizeof(err)), -EINVAL);
	assert_int_equal(kcs_chip_validate(chip, NULL, err, sizeof(err)), -EINVAL);
}

/* IBF interrupt enable/mask: one bit, in one register, others untouched. */
static void test_set_ibf_irq(void **state)
{
	static const struct { uint32_t reg, bit; } ast_ibf[4] = {
		{ HICR2, BIT(1) }, { HICR2, BIT(2) }, { HICR2, BIT(3) }, { HICRB, BIT(1) },
	};

	(void)state;
	for (size_t c = 0; c < NR_CHIPS; c++) {
		const struct kcs_chip *chip = kcs_chip_find(all_chips[c]);
		bool npcm = chip->reg_width == 1;

		for (unsigned int ch = 1; ch <= chip->nr_channels; ch++) {
			uint32_t reg = npcm ? npcm_ctl[ch - 1] : ast_ibf[ch - 1].reg;
			uint32_t bit = npcm ? BIT(0) : ast_ibf[ch - 1].bit;

			for (size_t i = 0; i < NR_FILLS; i++) {
				uint32_t fill = npcm ? fills[i] & 0xFF : fills[i];
				struct fake_regs f;
				struct kcs_page page;

				assert_int_equal(fake_regs_init(&f, chip, ch), 0);
				fake_fill(&f, fill);
				page = fake_regs_page(&f);
				assert_int_equal(kcs_chip_set_ibf_irq(chip, &page, ch, true), 0);
				assert_int_equal(fake_peek(&f, reg), fill | bit);
				assert_int_equal(kcs_chip_set_ibf_irq(chip, &page, ch, false), 0);
				assert_int_equal(fake_peek(&f, reg), fill & ~bit);
				assert_int_equal(fake_log_count(&f, reg), f.log_len);
				fake_regs_fini(&f);
			}
		}
		assert_int_equal(kcs_chip_set_ibf_irq(chip, &(struct kcs_page){ 0 }, 1, true), -EINVAL);
	}
	{
		const struct kcs_chip *chip = kcs_chip_find("ast2600");
		struct fake_regs f;
		struct kcs_page page;

		assert_int_equal(fake_regs_init(&f, chip, 1), 0);
		page = fake_regs_page(&f);
		assert_int_equal(kcs_chip_set_ibf_irq(chip, &page, 0, true), -ENODEV);
		assert_int_equal(kcs_chip_set_ibf_irq(chip, &page, 5, false), -ENODEV);
		assert_int_equal(kcs_chip_set_ibf_irq(NULL, &page, 1, true), -EINVAL);
		assert_int_equal(kcs_chip_set_ibf_irq(chip, NULL, 1, true), -EINVAL);
		assert_int_equal(f.log_len, 0);
		fake_regs_fini(&f);
	}
}

/*
 * With a SerIRQ configured, every ODR write is followed at once by the
 * channel's assertion (IRQXE2/IRQXE3/IRQXE4, SIRQCR0 bit 0 for IRQ1 or bit 1
 * for IRQ12), and the assertion leaves the register's other bits alone.
 */
static void test_serirq_asserted_after_every_odr_write(void **state)
{
	static const struct {
		unsigned int ch, irq;
		uint32_t reg, bit, own;   /* own: bits the assertion may change */
	} cases[] = {
		{ 1, 1, SIRQCR0, BIT(0), BIT(0) | BIT(1) },
		{ 1, 12, SIRQCR0, BIT(1), BIT(0) | BIT(1) },
		{ 2, 10, HICR5, BIT(12), BIT(12) },
		{ 3, 11, HICR5, BIT(14), BIT(14) },
		{ 4, 6, HICRC, BIT(0), BIT(0) },
	};

	(void)state;
	for (size_t c = 0; c < NR_ASPEED; c++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct kcs_channel_config cfg = { .channel = cases[i].ch, .serirq = cases[i].irq };
			struct fixture *fx = fixture_new(aspeed[c], &cfg, KCS_BUF_DEFAULT);
			uint32_t other = 0x5A5A5A5Au & ~cases[i].own;
			size_t odr_writes = 0;

			fake_poke(&fx->fake, cases[i].reg, other);
			kcs_sm_force_abort(&fx->sm);
			assert_int_equal(host_error_exit(&fx->host), KCS_STATUS_ABORTED);
			fixture_exchange(fx, get_device_id_req, sizeof(get_device_id_req),
					 get_device_id_resp, sizeof(get_device_id_resp));
			for (size_t w = 0; w < fx->fake.log_len; w++) {
				const struct fake_write *lw = &fx->fake.log[w];

				if (lw->offset != fx->fake.offs.odr)
					continue;
				odr_writes++;
				assert_true(w + 1 < fx->fake.log_len);
				assert_int_equal(lw[1].offset, cases[i].reg);
				assert_int_equal(lw[1].value & cases[i].own, cases[i].bit);
				assert_int_equal(lw[1].value & ~cases[i].own, other);
			}
			/* force abort, abort x2, response 18 + final dummy, write transfer dummies */
			assert_true(odr_writes >= 1 + 2 + sizeof(get_device_id_resp) + 1);
			assert_int_equal(fake_log_count(&fx->fake, cases[i].reg), odr_writes);
			fixture_free(fx);
		}
	}
}

static void test_no_serirq_no_extra_writes(void **state)
{
	(void)state;
	for (size_t c = 0; c < NR_ASPEED; c++) {
		for (unsigned int ch = 1; ch <= 4; ch++) {
			struct kcs_channel_config cfg = { .channel = ch };
			struct fixture *fx = fixture_new(aspeed[c], &cfg, KCS_BUF_DEFAULT);

			kcs_sm_force_abort(&fx->sm);
			assert_int_equal(host_error_exit(&fx->host), KCS_STATUS_ABORTED);
			fixture_exchange(fx, get_device_id_req, sizeof(get_device_id_req),
					 get_device_id_resp, sizeof(get_device_id_resp));
			assert_true(fake_log_count(&fx->fake, fx->fake.offs.odr) > 0);
			assert_int_equal(fake_log_count(&fx->fake, fx->fake.offs.odr) +
					 fake_log_count(&fx->fake, fx->fake.offs.str), fx->fake.log_len);
			fixture_free(fx);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chip_table),
		cmocka_unit_test(test_unknown_chip),
		cmocka_unit_test(test_channel_offsets),
		cmocka_unit_test(test_mmio_uses_channel_registers),
		cmocka_unit_test(test_mmio_init_checks),
		cmocka_unit_test(test_configure_aspeed_plain),
		cmocka_unit_test(test_configure_aspeed_address),
		cmocka_unit_test(test_configure_aspeed_status_address),
		cmocka_unit_test(test_configure_aspeed_serirq),
		cmocka_unit_test(test_configure_npcm7xx),
		cmocka_unit_test(test_reject_channel_3_separate_status),
		cmocka_unit_test(test_reject_address_above_16_bits),
		cmocka_unit_test(test_reject_missing_channel),
		cmocka_unit_test(test_reject_status_without_data),
		cmocka_unit_test(test_reject_npcm7xx_address),
		cmocka_unit_test(test_reject_serirq),
		cmocka_unit_test(test_configure_without_page),
		cmocka_unit_test(test_set_ibf_irq),
		cmocka_unit_test(test_configure_aspeed_polled),
		cmocka_unit_test(test_serirq_asserted_after_every_odr_write),
		cmocka_unit_test(test_no_serirq_no_extra_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
