// SPDX-License-Identifier: Apache-2.0
#include "sim_port.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "host_log.h"
#include "kcs_page.h"
#include "kcs_regs.h"

static void *reg_ptr(const struct sim_port *p, uint32_t offset)
{
	return p->page + offset;
}

static void store_reg(struct sim_port *p, uint32_t offset, uint8_t value)
{
	if (p->reg_width == 4)
		__atomic_store_n((uint32_t *)reg_ptr(p, offset), htole32(value), __ATOMIC_RELAXED);
	else
		__atomic_store_n((uint8_t *)reg_ptr(p, offset), value, __ATOMIC_RELAXED);
}

static uint8_t load_reg(const struct sim_port *p, uint32_t offset)
{
	if (p->reg_width == 4)
		return (uint8_t)le32toh(__atomic_load_n((uint32_t *)reg_ptr(p, offset),
							__ATOMIC_RELAXED));
	return __atomic_load_n((uint8_t *)reg_ptr(p, offset), __ATOMIC_RELAXED);
}

/*
 * The STR byte sits at its offset in the file whatever the register width
 * (the low byte of a little-endian word is its first byte), so its lane in
 * the aligned word only depends on the host's byte order.
 */
static unsigned int byte_lane_shift(uint32_t offset)
{
	unsigned int lane = offset & 3u;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return 8u * lane;
#else
	return 8u * (3u - lane);
#endif
}

static int raise_irq(struct sim_port *p)
{
	static const uint8_t one = 1;
	ssize_t n;

	do {
		n = write(p->irq_fd, &one, 1);
	} while (n < 0 && errno == EINTR);
	/* A full FIFO already holds a pending interrupt: nothing is lost. */
	if (n < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

static int write_port(struct sim_port *p, uint8_t value, bool command)
{
	uint32_t ibf = (uint32_t)KCS_STR_IBF << p->str_shift;
	uint32_t cd = (uint32_t)KCS_STR_CD << p->str_shift;
	uint32_t old, new;

	if (p->irq_fd < 0)
		return -EBADF;
	store_reg(p, p->offs.idr, value);
	old = __atomic_load_n(p->str_word, __ATOMIC_RELAXED);
	do {
		new = (old & ~cd) | ibf | (command ? cd : 0);
	} while (!__atomic_compare_exchange_n(p->str_word, &old, new, false,
					      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	return raise_irq(p);
}

int sim_port_write_data(struct sim_port *p, uint8_t value)
{
	return write_port(p, value, false);
}

int sim_port_write_cmd(struct sim_port *p, uint8_t value)
{
	return write_port(p, value, true);
}

uint8_t sim_port_read_data(struct sim_port *p)
{
	uint8_t value = load_reg(p, p->offs.odr);

	__atomic_fetch_and(p->str_word, ~((uint32_t)KCS_STR_OBF << p->str_shift),
			   __ATOMIC_SEQ_CST);
	return value;
}

uint8_t sim_port_read_status(const struct sim_port *p)
{
	return (uint8_t)(__atomic_load_n(p->str_word, __ATOMIC_SEQ_CST) >> p->str_shift);
}

/* The daemon creates the device: a missing one most likely means no daemon. */
static int missing(const char *path, const char *dir, int error)
{
	return host_error_errno(error, "%s: %s%s%s%s", path, strerror(error),
				error == ENOENT ? " (is kcs-uiod --sim " : "",
				error == ENOENT ? dir : "",
				error == ENOENT ? " running?)" : "");
}

static int map_regs(struct sim_port *p, const char *dir)
{
	_cleanup_close_ int fd = -1;
	char path[PATH_MAX];
	struct stat st;
	void *page;

	if (stat(dir, &st) < 0)
		return missing(dir, dir, errno);
	if (!S_ISDIR(st.st_mode))
		return host_error_errno(ENOTDIR, "%s: not a directory (--sim wants the simulated device's directory)",
					dir);
	if ((size_t)snprintf(path, sizeof(path), "%s/regs", dir) >= sizeof(path))
		return host_error_errno(ENAMETOOLONG, "%s/regs: path too long", dir);

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return missing(path, dir, errno);
	if (fstat(fd, &st) < 0)
		return host_error_errno(errno, "%s: fstat: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_size != KCS_PAGE_SIZE)
		return host_error_errno(EINVAL, "%s: %s of %lld bytes, expected a regular file of %u bytes (the register page)",
					path, S_ISREG(st.st_mode) ? "file" : "not a regular file",
					(long long)st.st_size, KCS_PAGE_SIZE);

	page = mmap(NULL, KCS_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (page == MAP_FAILED)
		return host_error_errno(errno, "%s: mmap: %s", path, strerror(errno));
	p->page = page;
	return 0;
}

static int open_irq(struct sim_port *p, const char *dir)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if ((size_t)snprintf(p->irq_path, sizeof(p->irq_path), "%s/irq", dir) >= sizeof(p->irq_path))
		return host_error_errno(ENAMETOOLONG, "%s/irq: path too long", dir);

	/* Non-blocking: opening a FIFO's write end fails with ENXIO, rather
	 * than waiting, when nobody has it open for reading. */
	fd = open(p->irq_path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENXIO)
		return host_error_errno(ENXIO, "no BMC side is listening on %s (is kcs-uiod --sim %s running?)",
					p->irq_path, dir);
	if (fd < 0)
		return missing(p->irq_path, dir, errno);
	if (fstat(fd, &st) < 0)
		return host_error_errno(errno, "%s: fstat: %s", p->irq_path, strerror(errno));
	if (!S_ISFIFO(st.st_mode))
		return host_error_errno(EINVAL, "%s: not a FIFO (the simulated interrupt line)", p->irq_path);
	/* Ownership moves to @p (TAKE_FD is not -Wpedantic clean). */
	p->irq_fd = fd;
	fd = -1;
	return 0;
}

int sim_port_open(struct sim_port *p, const char *dir, const struct kcs_chip *chip,
		  unsigned int channel, bool need_irq)
{
	int r;

	memset(p, 0, sizeof(*p));
	p->irq_fd = -1;
	r = kcs_chip_channel(chip, channel, &p->offs);
	if (r < 0)
		return host_error_errno(r, "%s has no KCS channel %u", chip->name, channel);
	p->reg_width = chip->reg_width;
	p->str_shift = byte_lane_shift(p->offs.str);

	r = map_regs(p, dir);
	if (r < 0)
		return r;
	p->str_word = (uint32_t *)reg_ptr(p, p->offs.str & ~3u);

	if (need_irq) {
		r = open_irq(p, dir);
		if (r < 0) {
			sim_port_close(p);
			return r;
		}
	}
	return 0;
}

void sim_port_close(struct sim_port *p)
{
	if (p->page)
		munmap(p->page, KCS_PAGE_SIZE);
	p->page = NULL;
	p->str_word = NULL;
	if (p->irq_fd >= 0)
		close(p->irq_fd);
	p->irq_fd = -1;
}
