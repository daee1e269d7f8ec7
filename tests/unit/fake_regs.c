// SPDX-License-Identifier: Apache-2.0
#include "fake_regs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "kcs_regs.h"

/* Registers are little-endian words of the chip's width (4 or 1 bytes). */
static uint32_t load(const struct fake_regs *f, uint32_t offset)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < f->chip->reg_width; i++)
		v |= (uint32_t)f->mem[offset + i] << (8 * i);
	return v;
}

static void store(struct fake_regs *f, uint32_t offset, uint32_t value)
{
	for (unsigned int i = 0; i < f->chip->reg_width; i++)
		f->mem[offset + i] = (uint8_t)(value >> (8 * i));
}

/* A wrong width or a stray offset is a bug in the code under test. */
static void check_access(const struct fake_regs *f, uint32_t offset, unsigned int width)
{
	if (width != f->chip->reg_width)
		fail_msg("%s: %u-byte access at 0x%03x, registers are %u bytes wide",
			 f->chip->name, width, (unsigned)offset, f->chip->reg_width);
	if (offset % width != 0 || offset > KCS_PAGE_SIZE - width)
		fail_msg("%s: access at 0x%03x is unaligned or outside the page",
			 f->chip->name, (unsigned)offset);
	/* The daemon may map no more than the chip says it uses. */
	if (offset + width > f->chip->page_span)
		fail_msg("%s: access at 0x%03x is past the chip's page span 0x%03x",
			 f->chip->name, (unsigned)offset, (unsigned)f->chip->page_span);
}

static void log_write(struct fake_regs *f, uint32_t offset, uint32_t value)
{
	if (f->log_len == f->log_cap) {
		size_t cap = f->log_cap ? 2 * f->log_cap : 64;
		struct fake_write *log = realloc(f->log, cap * sizeof(*log));

		assert_non_null(log);
		f->log = log;
		f->log_cap = cap;
	}
	f->log[f->log_len++] = (struct fake_write){ .offset = offset, .value = value };
}

static void str_clear(struct fake_regs *f, uint8_t bits)
{
	store(f, f->offs.str, load(f, f->offs.str) & ~(uint32_t)bits);
}

static void str_set(struct fake_regs *f, uint8_t bits)
{
	store(f, f->offs.str, load(f, f->offs.str) | bits);
}

static uint32_t page_read(void *ctx, uint32_t offset, unsigned int width)
{
	struct fake_regs *f = ctx;
	uint32_t v;

	check_access(f, offset, width);
	v = load(f, offset);
	if (offset == f->offs.idr) {
		str_clear(f, KCS_STR_IBF);
		f->idr_reads++;
		f->snap = (struct fake_snapshot){
			.str = (uint8_t)load(f, f->offs.str),
			.odr = (uint8_t)load(f, f->offs.odr),
		};
	}
	return v;
}

static void page_write(void *ctx, uint32_t offset, unsigned int width, uint32_t value)
{
	struct fake_regs *f = ctx;

	check_access(f, offset, width);
	log_write(f, offset, value);
	if (offset == f->offs.idr)
		fail_msg("%s channel %u: the BMC wrote IDR (0x%03x), a register only the host writes",
			 f->chip->name, f->channel, (unsigned)offset);
	if (offset == f->offs.odr) {
		store(f, offset, value);
		str_set(f, KCS_STR_OBF);
		return;
	}
	if (offset == f->offs.str) {
		uint32_t old = load(f, offset);
		uint32_t hw = KCS_STR_IBF | KCS_STR_CD;
		uint32_t v = (value & ~(hw | KCS_STR_OBF)) | (old & hw);

		/* Write-0-to-clear: a written 1 leaves OBF as it was. */
		if ((old & KCS_STR_OBF) && (value & KCS_STR_OBF))
			v |= KCS_STR_OBF;
		store(f, offset, v);
		return;
	}
	store(f, offset, value);
}

static const struct kcs_page_ops fake_page_ops = {
	.read = page_read,
	.write = page_write,
};

int fake_regs_init(struct fake_regs *f, const struct kcs_chip *chip, unsigned int channel)
{
	int r;

	memset(f, 0, sizeof(*f));
	r = kcs_chip_channel(chip, channel, &f->offs);
	if (r < 0)
		return r;
	f->chip = chip;
	f->channel = channel;
	return 0;
}

void fake_regs_fini(struct fake_regs *f)
{
	free(f->log);
	f->log = NULL;
	f->log_len = f->log_cap = 0;
}

struct kcs_page fake_regs_page(struct fake_regs *f)
{
	return (struct kcs_page){ .ops = &fake_page_ops, .ctx = f };
}

static void host_write(struct fake_regs *f, uint8_t byte, bool command)
{
	store(f, f->offs.idr, byte);
	if (command)
		str_set(f, KCS_STR_IBF | KCS_STR_CD);
	else
		store(f, f->offs.str, (load(f, f->offs.str) & ~(uint32_t)KCS_STR_CD) | KCS_STR_IBF);
}

void fake_host_write_data(struct fake_regs *f, uint8_t byte)
{
	host_write(f, byte, false);
}

void fake_host_write_cmd(struct fake_regs *f, uint8_t byte)
{
	host_write(f, byte, true);
}

uint8_t fake_host_read_data(struct fake_regs *f)
{
	uint8_t v = (uint8_t)load(f, f->offs.odr);

	str_clear(f, KCS_STR_OBF);
	return v;
}

uint8_t fake_host_read_status(const struct fake_regs *f)
{
	return (uint8_t)load(f, f->offs.str);
}

uint32_t fake_peek(const struct fake_regs *f, uint32_t offset)
{
	assert_true(offset % f->chip->reg_width == 0 && offset < KCS_PAGE_SIZE);
	return load(f, offset);
}

void fake_poke(struct fake_regs *f, uint32_t offset, uint32_t value)
{
	assert_true(offset % f->chip->reg_width == 0 && offset < KCS_PAGE_SIZE);
	store(f, offset, value);
}

void fake_fill(struct fake_regs *f, uint32_t pattern)
{
	for (uint32_t off = 0; off < KCS_PAGE_SIZE; off += f->chip->reg_width)
		store(f, off, pattern);
}

uint8_t fake_odr(const struct fake_regs *f)
{
	return (uint8_t)load(f, f->offs.odr);
}

void fake_log_clear(struct fake_regs *f)
{
	f->log_len = 0;
}

size_t fake_log_count(const struct fake_regs *f, uint32_t offset)
{
	size_t n = 0;

	for (size_t i = 0; i < f->log_len; i++)
		n += f->log[i].offset == offset;
	return n;
}
