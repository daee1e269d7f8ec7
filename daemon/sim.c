// SPDX-License-Identifier: Apache-2.0
/*
 * The BMC side of the simulated KCS device (docs/design.md section 6):
 * creates and maps its directory's register page and interrupt FIFO, whose
 * format and atomic register operations are common/sim_page.h's.
 */
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
#include "sim_page.h"

#define SIM_MAX_CHANNELS 4

struct sim_channel {
	struct sim_page_channel regs;
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
		munmap(s->regs, SIM_PAGE_SIZE);
	if (s->base.irq_fd >= 0)
		close(s->base.irq_fd);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->label);
	free(s);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct sim_backend *, sim_backend_free)

static uint8_t sim_read_idr(void *ctx)
{
	struct sim_channel *c = ctx;

	return sim_page_bmc_read_idr(&c->regs);
}

static void sim_write_odr(void *ctx, uint8_t value)
{
	struct sim_channel *c = ctx;

	sim_page_bmc_write_odr(&c->regs, value);
}

static uint8_t sim_read_str(void *ctx)
{
	struct sim_channel *c = ctx;

	return sim_page_read_str(&c->regs);
}

static void sim_update_str(void *ctx, uint8_t mask, uint8_t value)
{
	struct sim_channel *c = ctx;

	sim_page_update_str(&c->regs, mask, value);
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

	return sim_page_load(s->regs, offset, width);
}

static void sim_page_write(void *ctx, uint32_t offset, unsigned int width, uint32_t value)
{
	struct sim_backend *s = ctx;

	sim_page_store(s->regs, offset, width, value);
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
		if (s->channels[i].served && (sim_page_read_str(&s->channels[i].regs) & KCS_STR_IBF))
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
	r = kcs_chip_channel(b->chip, cfg->channel, &c->regs.offs);
	if (r < 0)
		return log_error_errno(r, "%s: %s channel %u: %m", s->label, b->chip->name, cfg->channel);
	c->regs.page = s->regs;
	c->regs.width = b->chip->reg_width;
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
			if (ftruncate(fd, SIM_PAGE_SIZE) < 0)
				return log_error_errno(errno, "%s: failed to size %s to %u bytes: %m",
						       label, path, SIM_PAGE_SIZE);
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
	if (st.st_size != SIM_PAGE_SIZE)
		return log_error_errno(EINVAL, "%s: the register file %s is %lld bytes, not %u (remove it to start from a zeroed page): %m",
				       label, path, (long long)st.st_size, SIM_PAGE_SIZE);
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
	if (asprintf(&regs_path, "%s/" SIM_PAGE_REGS_FILE, dir) < 0 ||
	    asprintf(&irq_path, "%s/" SIM_PAGE_IRQ_FILE, dir) < 0)
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

	map = mmap(NULL, SIM_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, regs_fd, 0);
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
