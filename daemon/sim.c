// SPDX-License-Identifier: Apache-2.0
/*
 * The simulated KCS device of DESIGN.md section 5: DIR/regs is the chip's
 * register page, shared with the host-side tool through MAP_SHARED, and the
 * FIFO DIR/irq is the interrupt line.
 *
 * No silicon performs the side effects here, so the BMC side does them
 * itself, and every STR change is one atomic read-modify-write of the
 * naturally aligned 32-bit word holding STR: the host changes IBF, C/D and
 * OBF in the same word at any moment, and neither side may lose the other's
 * bits.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "cleanup.h"
#include "log.h"

#define SIM_MAX_CHANNELS 4

struct sim_channel {
	uint8_t *regs;              /* the shared page */
	unsigned int width;         /* data register width: 4 or 1 */
	struct kcs_chip_channel offs;
	bool served;
};

struct sim_backend {
	struct kcs_backend base;
	char *label;                /* "sim DIR", backs base.name */
	int lock_fd;                /* regs, flock()ed: one BMC side per device */
	uint8_t *regs;
	struct sim_channel channels[SIM_MAX_CHANNELS];
};

static void sim_backend_free(struct sim_backend *s)
{
	if (!s)
		return;
	if (s->regs)
		munmap(s->regs, KCS_PAGE_SIZE);
	if (s->base.irq_fd >= 0)
		close(s->base.irq_fd);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->label);
	free(s);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct sim_backend *, sim_backend_free)

/*
 * The file holds little-endian words. An 8-bit register at an unaligned
 * offset is one byte lane of the aligned word around it.
 */
static uint32_t *word_of(uint8_t *regs, uint32_t offset)
{
	return (uint32_t *)(void *)(regs + (offset & ~3u));
}

static unsigned int lane_shift(uint32_t offset)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (offset & 3u) * 8;
#else
	return (3u - (offset & 3u)) * 8;
#endif
}

static uint32_t reg_load(uint8_t *regs, uint32_t offset, unsigned int width)
{
	if (width == 1)
		return __atomic_load_n(regs + offset, __ATOMIC_RELAXED);
	return le32toh(__atomic_load_n(word_of(regs, offset), __ATOMIC_RELAXED));
}

static void reg_store(uint8_t *regs, uint32_t offset, unsigned int width, uint32_t value)
{
	if (width == 1)
		__atomic_store_n(regs + offset, (uint8_t)value, __ATOMIC_RELAXED);
	else
		__atomic_store_n(word_of(regs, offset), htole32(value), __ATOMIC_RELAXED);
}

static uint8_t str_load(const struct sim_channel *c)
{
	return (uint8_t)(__atomic_load_n(word_of(c->regs, c->offs.str), __ATOMIC_SEQ_CST) >>
			 lane_shift(c->offs.str));
}

static uint8_t sim_read_idr(void *ctx)
{
	struct sim_channel *c = ctx;
	uint8_t v = (uint8_t)reg_load(c->regs, c->offs.idr, c->width);

	/* The seq_cst RMW orders the load before the host can see IBF clear. */
	__atomic_fetch_and(word_of(c->regs, c->offs.str),
			   ~((uint32_t)KCS_STR_IBF << lane_shift(c->offs.str)), __ATOMIC_SEQ_CST);
	return v;
}

static void sim_write_odr(void *ctx, uint8_t value)
{
	struct sim_channel *c = ctx;

	reg_store(c->regs, c->offs.odr, c->width, value);
	__atomic_fetch_or(word_of(c->regs, c->offs.str),
			  (uint32_t)KCS_STR_OBF << lane_shift(c->offs.str), __ATOMIC_SEQ_CST);
}

static uint8_t sim_read_str(void *ctx)
{
	return str_load(ctx);
}

static void sim_update_str(void *ctx, uint8_t mask, uint8_t value)
{
	struct sim_channel *c = ctx;
	uint32_t *word = word_of(c->regs, c->offs.str);
	unsigned int shift = lane_shift(c->offs.str);
	uint32_t old = __atomic_load_n(word, __ATOMIC_RELAXED), new;

	do
		new = (old & ~((uint32_t)mask << shift)) | ((uint32_t)(value & mask) << shift);
	while (!__atomic_compare_exchange_n(word, &old, new, true, __ATOMIC_SEQ_CST,
					    __ATOMIC_RELAXED));
}

static const struct kcs_regs_ops sim_regs_ops = {
	.read_idr = sim_read_idr,
	.write_odr = sim_write_odr,
	.read_str = sim_read_str,
	.update_str = sim_update_str,
};

/* Chip configuration: plain register accesses that land in the file. */
static uint32_t sim_page_read(void *ctx, uint32_t offset, unsigned int width)
{
	struct sim_backend *s = ctx;

	return reg_load(s->regs, offset, width);
}

static void sim_page_write(void *ctx, uint32_t offset, unsigned int width, uint32_t value)
{
	struct sim_backend *s = ctx;

	reg_store(s->regs, offset, width, value);
}

static const struct kcs_page_ops sim_page_ops = {
	.read = sim_page_read,
	.write = sim_page_write,
};

static int sim_ack(struct kcs_backend *b)
{
	struct sim_backend *s = (struct sim_backend *)b;
	size_t total = 0;
	char buf[256];

	/* Host writes coalesce: one pass of the loop serves them all. */
	for (;;) {
		ssize_t n = read(b->irq_fd, buf, sizeof(buf));

		if (n > 0) {
			total += (size_t)n;
			/* A short read emptied the FIFO: spare the EAGAIN read. */
			if ((size_t)n < sizeof(buf))
				break;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n == 0)
			/* Cannot happen: we hold the FIFO open for writing too. */
			return log_error_errno(EIO, "%s: unexpected end of file on the interrupt FIFO: %m",
					       s->label);
		return log_error_errno(errno, "%s: failed to read the interrupt FIFO: %m", s->label);
	}
	return total ? 0 : -EAGAIN;
}

/* Level-triggered: IBF still set on a served channel means "fire again". */
static int sim_reenable(struct kcs_backend *b)
{
	struct sim_backend *s = (struct sim_backend *)b;

	for (size_t i = 0; i < SIM_MAX_CHANNELS; i++)
		if (s->channels[i].served && (str_load(&s->channels[i]) & KCS_STR_IBF))
			return 1;
	return 0;
}

static int sim_channel_regs(struct kcs_backend *b, const struct kcs_channel_config *cfg,
			    struct kcs_regs *out)
{
	struct sim_backend *s = (struct sim_backend *)b;
	struct sim_channel *c;
	int r;

	if (cfg->channel < 1 || cfg->channel > SIM_MAX_CHANNELS)
		return log_error_errno(ENODEV, "%s: %s has no KCS channel %u: %m",
				       s->label, b->chip->name, cfg->channel);
	c = &s->channels[cfg->channel - 1];
	r = kcs_chip_channel(b->chip, cfg->channel, &c->offs);
	if (r < 0)
		return log_error_errno(r, "%s: %s channel %u: %m", s->label, b->chip->name, cfg->channel);
	c->regs = s->regs;
	c->width = b->chip->reg_width;
	c->served = true;
	*out = (struct kcs_regs){ .ops = &sim_regs_ops, .ctx = c };
	return 0;
}

static void sim_close(struct kcs_backend *b)
{
	sim_backend_free((struct sim_backend *)b);
}

static const struct kcs_backend_ops sim_ops = {
	.ack = sim_ack,
	.reenable = sim_reenable,
	.channel_regs = sim_channel_regs,
	.close = sim_close,
};

/* mkdir -p: every missing component, the last one a directory at the end. */
static int make_dir(const char *label, const char *dir)
{
	_cleanup_free_ char *p = strdup(dir);
	struct stat st;

	if (!p)
		return log_error_errno(ENOMEM, "%s: %m", label);
	for (char *slash = p + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return log_error_errno(errno, "%s: failed to create directory %s: %m", label, p);
		*slash = '/';
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return log_error_errno(errno, "%s: failed to create directory %s: %m", label, dir);
	if (stat(dir, &st) < 0)
		return log_error_errno(errno, "%s: cannot stat %s: %m", label, dir);
	if (!S_ISDIR(st.st_mode))
		return log_error_errno(ENOTDIR, "%s: %s exists and is not a directory: %m", label, dir);
	return 0;
}

static int open_regs(const char *label, const char *path)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		/* O_EXCL: never truncate a page the host side created meanwhile. */
		fd = open(path, O_RDWR | O_CLOEXEC | O_CREAT | O_EXCL, 0666);
		if (fd >= 0) {
			if (ftruncate(fd, KCS_PAGE_SIZE) < 0)
				return log_error_errno(errno, "%s: failed to size %s to %u bytes: %m",
						       label, path, KCS_PAGE_SIZE);
			return TAKE_FD(fd);
		}
		if (errno == EEXIST)
			fd = open(path, O_RDWR | O_CLOEXEC);
	}
	if (fd < 0)
		return log_error_errno(errno, "%s: failed to open the register file %s: %m", label, path);
	if (fstat(fd, &st) < 0)
		return log_error_errno(errno, "%s: cannot stat %s: %m", label, path);
	if (!S_ISREG(st.st_mode))
		return log_error_errno(EINVAL, "%s: %s is not a regular file: %m", label, path);
	if (st.st_size != KCS_PAGE_SIZE)
		return log_error_errno(EINVAL, "%s: the register file %s is %lld bytes, not %u (remove it to start from a zeroed page): %m",
				       label, path, (long long)st.st_size, KCS_PAGE_SIZE);
	return TAKE_FD(fd);
}

static int open_irq(const char *label, const char *path)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (mkfifo(path, 0666) < 0 && errno != EEXIST)
		return log_error_errno(errno, "%s: failed to create the interrupt FIFO %s: %m", label, path);
	/* Before open: opening some other kind of file could have side effects. */
	if (stat(path, &st) < 0)
		return log_error_errno(errno, "%s: cannot stat %s: %m", label, path);
	if (!S_ISFIFO(st.st_mode))
		return log_error_errno(EINVAL, "%s: %s exists and is not a FIFO (remove it to have one created): %m",
				       label, path);
	/* Read-write: we are a writer too, so the FIFO never reports EOF. */
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(errno, "%s: failed to open the interrupt FIFO %s: %m", label, path);
	if (fstat(fd, &st) < 0)
		return log_error_errno(errno, "%s: cannot stat %s: %m", label, path);
	if (!S_ISFIFO(st.st_mode))
		return log_error_errno(EINVAL, "%s: %s is not a FIFO: %m", label, path);
	return TAKE_FD(fd);
}

int sim_backend_open(struct kcs_backend **ret, const char *dir, const struct kcs_chip *chip)
{
	_cleanup_(sim_backend_freep) struct sim_backend *s = NULL;
	_cleanup_free_ char *regs_path = NULL, *irq_path = NULL;
	_cleanup_close_ int regs_fd = -1;
	void *map;
	int r;

	if (!ret || !dir || !*dir || !chip)
		return -EINVAL;

	s = calloc(1, sizeof(*s));
	if (!s)
		return log_error_errno(ENOMEM, "sim %s: %m", dir);
	s->base.irq_fd = -1;
	s->lock_fd = -1;
	if (asprintf(&s->label, "sim %s", dir) < 0) {
		s->label = NULL;
		return log_error_errno(ENOMEM, "sim %s: %m", dir);
	}
	if (asprintf(&regs_path, "%s/regs", dir) < 0 || asprintf(&irq_path, "%s/irq", dir) < 0)
		return log_error_errno(ENOMEM, "%s: %m", s->label);

	r = make_dir(s->label, dir);
	if (r < 0)
		return r;
	regs_fd = open_regs(s->label, regs_path);
	if (regs_fd < 0)
		return regs_fd;
	/* Two BMC sides on one device would corrupt each other's handshakes. */
	if (flock(regs_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return log_error_errno(EBUSY, "%s: %s is in use by another kcs-uiod: %m",
					       s->label, regs_path);
		return log_error_errno(errno, "%s: failed to lock %s: %m", s->label, regs_path);
	}
	s->base.irq_fd = open_irq(s->label, irq_path);
	if (s->base.irq_fd < 0)
		return s->base.irq_fd;

	map = mmap(NULL, KCS_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, regs_fd, 0);
	if (map == MAP_FAILED)
		return log_error_errno(errno, "%s: failed to map %s: %m", s->label, regs_path);
	s->regs = map;
	s->lock_fd = TAKE_FD(regs_fd);

	s->base.ops = &sim_ops;
	s->base.chip = chip;
	s->base.name = s->label;
	s->base.page = (struct kcs_page){ .ops = &sim_page_ops, .ctx = s };

	log_info("%s: simulated %s, registers %s, interrupt %s", s->label, chip->name,
		 regs_path, irq_path);
	*ret = &TAKE_PTR(s)->base;
	return 0;
}
