// SPDX-License-Identifier: Apache-2.0
/*
 * The BMC side of the simulated KCS device (docs/design.md section 6):
 * creates and maps its directory's register page and interrupt FIFO, whose
 * format and atomic register operations are common/sim_page.h's.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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
#include "options.h"
#include "sim_files.h"
#include "sim_page.h"

struct sim_backend {
	struct kcs_backend base;
	char *label;                /* "sim DIR", backs base.name */
	int lock_fd;                /* regs, flock()ed: one BMC side per device */
	uint8_t *regs;
	int guard;                  /* its truncation_guards slot, -1: none */
	struct sim_page_channel channels[KCS_CHIP_MAX_CHANNELS];
};

/*
 * DIR/regs is an ordinary file: anybody who may write it (the daemon's own
 * user) can also truncate it while it is mapped, and the next access to the
 * vanished page raises SIGBUS. Checking the size before every register
 * access would cost the hot path a system call, and a file lease or seal
 * cannot stop a truncation of a regular file. So the size is checked when
 * the device opens, and a SIGBUS inside the page is turned into one precise
 * error line and exit status 1: the device is gone (its registers are what
 * vanished, so no channel can be left in ERROR), and the next start refuses
 * the file until it is removed. A SIGBUS anywhere else takes its default
 * action, as if this handler did not exist. Every simulated device of the
 * process has its own slot; the handler only scans them and write()s the
 * slot's prepared message. A slot is taken by publishing its page last and
 * given back by clearing the page, so the handler never sees half a slot.
 */
static struct {
	const uint8_t *page;        /* NULL: slot free */
	char message[512];
	size_t len;
} truncation_guards[OPTIONS_MAX_DEVICES];

static void sim_backend_free(struct sim_backend *s)
{
	if (!s)
		return;
	if (s->guard >= 0)
		__atomic_store_n(&truncation_guards[s->guard].page, NULL, __ATOMIC_RELEASE);
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
	struct sim_page_channel *c = ctx;

	return sim_page_bmc_read_idr(c);
}

static void sim_write_odr(void *ctx, uint8_t value)
{
	struct sim_page_channel *c = ctx;

	sim_page_bmc_write_odr(c, value);
}

static uint8_t sim_read_str(void *ctx)
{
	struct sim_page_channel *c = ctx;

	return sim_page_read_str(c);
}

static void sim_update_str(void *ctx, uint8_t mask, uint8_t value)
{
	struct sim_page_channel *c = ctx;

	sim_page_update_str(c, mask, value);
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

/*
 * The host writes the FIFO for every byte, masked or not: what piled up
 * while bytes were served (polled) is for bytes already served. The
 * caller then looks at STR, which is the level of the line.
 */
static int sim_reenable(struct kcs_backend *b, bool served_masked, bool served_live)
{
	int r;

	if (!served_masked && !served_live)
		return 0;
	r = sim_ack(b);
	return r == -EAGAIN ? 0 : r;
}

static int sim_channel_regs(struct kcs_backend *b, const struct kcs_channel_config *cfg,
			    struct kcs_regs *out)
{
	struct sim_backend *s = (struct sim_backend *)b;
	struct kcs_chip_channel offs;
	struct sim_page_channel *c;
	int r;

	/* A channel of the chip is one of channels[] (kcs_chip.c checks). */
	r = kcs_chip_channel(b->chip, cfg->channel, &offs);
	if (r == -ENODEV)
		return log_error_errno(r, "%s: %s has no KCS channel %u: %m",
				       s->label, b->chip->name, cfg->channel);
	if (r < 0)
		return log_error_errno(r, "%s: %s channel %u: %m", s->label, b->chip->name, cfg->channel);
	c = &s->channels[cfg->channel - 1];
	*c = (struct sim_page_channel){ .page = s->regs, .offs = offs, .width = b->chip->reg_width };
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

static void on_sigbus(int sig, siginfo_t *si, void *context)
{
	const uint8_t *addr = si->si_addr;

	for (size_t i = 0; i < OPTIONS_MAX_DEVICES; i++) {
		const uint8_t *page = __atomic_load_n(&truncation_guards[i].page, __ATOMIC_ACQUIRE);

		if (page && addr >= page && addr < page + SIM_PAGE_SIZE) {
			ssize_t n = write(STDERR_FILENO, truncation_guards[i].message,
					  truncation_guards[i].len);

			(void)n;
			_exit(EXIT_FAILURE);
		}
	}
	/* SA_RESETHAND restored the default: the faulting access repeats and takes it. */
}

static int guard_truncation(struct sim_backend *s, const char *dir)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO | SA_RESETHAND };
	char safe[sizeof(truncation_guards[0].message)];
	size_t i;
	int n;

	for (i = 0; i < OPTIONS_MAX_DEVICES; i++)
		if (!__atomic_load_n(&truncation_guards[i].page, __ATOMIC_ACQUIRE))
			break;
	if (i == OPTIONS_MAX_DEVICES)
		return log_error_errno(E2BIG, "%s: more than %u simulated devices in one process: %m",
				       s->label, OPTIONS_MAX_DEVICES);

	/* Built now: the handler may only write(). */
	n = snprintf(truncation_guards[i].message, sizeof(truncation_guards[i].message),
		     "<%d>sim %s: %s/" SIM_PAGE_REGS_FILE " was truncated under the running daemon: the simulated device is gone; exiting\n",
		     LOG_ERR, escape_printable(safe, sizeof(safe) / 2, dir), safe);
	if (n < 0)
		return log_error_errno(EINVAL, "%s: %m", s->label);
	truncation_guards[i].len = strnlen(truncation_guards[i].message, sizeof(truncation_guards[i].message));
	if (sigaction(SIGBUS, &sa, NULL) < 0)
		return log_error_errno(errno, "%s: failed to install the SIGBUS handler: %m", s->label);
	__atomic_store_n(&truncation_guards[i].page, s->regs, __ATOMIC_RELEASE);
	s->guard = (int)i;
	return 0;
}

int sim_backend_open(struct kcs_backend **ret, const char *dir, const struct kcs_chip *chip)
{
	_cleanup_(sim_backend_freep) struct sim_backend *s = NULL;
	_cleanup_close_ int regs_fd = -1;
	struct sim_files files;
	void *map;
	int r;

	if (!ret || !dir || !*dir || !chip)
		return -EINVAL;

	s = calloc(1, sizeof(*s));
	if (!s)
		return log_error_errno(ENOMEM, "sim %s: %m", dir);
	s->base.irq_fd = -1;
	s->lock_fd = -1;
	s->guard = -1;
	if (asprintf(&s->label, "sim %s", dir) < 0) {
		s->label = NULL;
		return log_error_errno(ENOMEM, "sim %s: %m", dir);
	}

	r = sim_files_open(s->label, dir, &files);
	if (r < 0)
		return r;
	regs_fd = files.regs_fd;
	s->base.irq_fd = files.irq_fd;
	s->base.has_irq = files.irq_fd >= 0;
	/* Two BMC sides on one device would corrupt each other's handshakes. */
	if (flock(regs_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return log_error_errno(EBUSY, "%s: %s/" SIM_PAGE_REGS_FILE " is in use by another kcs-uiod: %m",
					       s->label, dir);
		return log_error_errno(errno, "%s: failed to lock %s/" SIM_PAGE_REGS_FILE ": %m",
				       s->label, dir);
	}

	map = mmap(NULL, SIM_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, regs_fd, 0);
	if (map == MAP_FAILED)
		return log_error_errno(errno, "%s: failed to map %s/" SIM_PAGE_REGS_FILE ": %m",
				       s->label, dir);
	s->regs = map;
	s->lock_fd = TAKE_FD(regs_fd);
	r = guard_truncation(s, dir);
	if (r < 0)
		return r;

	s->base.ops = &sim_ops;
	s->base.chip = chip;
	s->base.name = s->label;
	s->base.page = (struct kcs_page){ .ops = &sim_page_ops, .ctx = s };

	if (s->base.has_irq)
		log_info("%s: simulated %s, registers %s/" SIM_PAGE_REGS_FILE ", interrupt %s/" SIM_PAGE_IRQ_FILE,
			 s->label, chip->name, dir, dir);
	else
		log_info("%s: simulated %s, registers %s/" SIM_PAGE_REGS_FILE ", interrupt none (" SIM_PAGE_NOIRQ_FILE ")",
			 s->label, chip->name, dir);
	*ret = &TAKE_PTR(s)->base;
	return 0;
}
