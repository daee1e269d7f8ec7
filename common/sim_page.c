// SPDX-License-Identifier: Apache-2.0
#include "sim_page.h"

#include <endian.h>
#include <errno.h>
#include <unistd.h>

#include "kcs_regs.h"

/* The aligned word around @offset: a byte register is one of its lanes. */
static uint32_t *word_of(const uint8_t *page, uint32_t offset)
{
	return (uint32_t *)(void *)(page + (offset & ~3u));
}

/*
 * The byte at @offset of the file is the lane of the word that the host's
 * own byte order puts there (the file's words are little-endian).
 */
static unsigned int lane_shift(uint32_t offset)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (offset & 3u) * 8;
#else
	return (3u - (offset & 3u)) * 8;
#endif
}

uint32_t sim_page_load(const uint8_t *page, uint32_t offset, unsigned int width)
{
	if (width == 1)
		return __atomic_load_n(page + offset, __ATOMIC_RELAXED);
	return le32toh(__atomic_load_n(word_of(page, offset), __ATOMIC_RELAXED));
}

void sim_page_store(uint8_t *page, uint32_t offset, unsigned int width, uint32_t value)
{
	if (width == 1)
		__atomic_store_n(page + offset, (uint8_t)value, __ATOMIC_RELAXED);
	else
		__atomic_store_n(word_of(page, offset), htole32(value), __ATOMIC_RELAXED);
}

uint8_t sim_page_read_str(const struct sim_page_channel *c)
{
	return (uint8_t)(__atomic_load_n(word_of(c->page, c->offs.str), __ATOMIC_SEQ_CST) >>
			 lane_shift(c->offs.str));
}

void sim_page_update_str(const struct sim_page_channel *c, uint8_t mask, uint8_t value)
{
	uint32_t *word = word_of(c->page, c->offs.str);
	unsigned int shift = lane_shift(c->offs.str);
	uint32_t old = __atomic_load_n(word, __ATOMIC_RELAXED), new;

	do
		new = (old & ~((uint32_t)mask << shift)) | ((uint32_t)(value & mask) << shift);
	while (!__atomic_compare_exchange_n(word, &old, new, true, __ATOMIC_SEQ_CST,
					    __ATOMIC_RELAXED));
}

static void str_set(const struct sim_page_channel *c, uint8_t bits)
{
	__atomic_fetch_or(word_of(c->page, c->offs.str),
			  (uint32_t)bits << lane_shift(c->offs.str), __ATOMIC_SEQ_CST);
}

static void str_clear(const struct sim_page_channel *c, uint8_t bits)
{
	__atomic_fetch_and(word_of(c->page, c->offs.str),
			   ~((uint32_t)bits << lane_shift(c->offs.str)), __ATOMIC_SEQ_CST);
}

/* The seq_cst STR updates order the data access before the other side sees the flag. */

void sim_page_host_write(const struct sim_page_channel *c, uint8_t value, bool command)
{
	sim_page_store(c->page, c->offs.idr, c->width, value);
	sim_page_update_str(c, KCS_STR_IBF | KCS_STR_CD, KCS_STR_IBF | (command ? KCS_STR_CD : 0));
}

uint8_t sim_page_host_read(const struct sim_page_channel *c)
{
	uint8_t value = (uint8_t)sim_page_load(c->page, c->offs.odr, c->width);

	str_clear(c, KCS_STR_OBF);
	return value;
}

uint8_t sim_page_bmc_read_idr(const struct sim_page_channel *c)
{
	uint8_t value = (uint8_t)sim_page_load(c->page, c->offs.idr, c->width);

	str_clear(c, KCS_STR_IBF);
	return value;
}

void sim_page_bmc_write_odr(const struct sim_page_channel *c, uint8_t value)
{
	sim_page_store(c->page, c->offs.odr, c->width, value);
	str_set(c, KCS_STR_OBF);
}

int sim_page_raise_irq(int irq_fd)
{
	static const uint8_t one = 1;
	ssize_t n;

	do
		n = write(irq_fd, &one, 1);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}
