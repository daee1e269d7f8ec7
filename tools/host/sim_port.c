// SPDX-License-Identifier: Apache-2.0
#include "sim_port.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "host_log.h"

static int write_port(struct sim_port *p, uint8_t value, bool command)
{
	if (p->irq_fd < 0 && !p->irq_less)
		return -EBADF;
	sim_page_host_write(&p->regs, value, command);
	return p->irq_less ? 0 : sim_page_raise_irq(p->irq_fd);
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
	return sim_page_host_read(&p->regs);
}

uint8_t sim_port_read_status(const struct sim_port *p)
{
	return sim_page_read_str(&p->regs);
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
	if ((size_t)snprintf(path, sizeof(path), "%s/" SIM_PAGE_REGS_FILE, dir) >= sizeof(path))
		return host_error_errno(ENAMETOOLONG, "%s/" SIM_PAGE_REGS_FILE ": path too long", dir);

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return missing(path, dir, errno);
	if (fstat(fd, &st) < 0)
		return host_error_errno(errno, "%s: fstat: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_size != SIM_PAGE_SIZE)
		return host_error_errno(EINVAL, "%s: %s of %lld bytes, expected a regular file of %u bytes (the register page)",
					path, S_ISREG(st.st_mode) ? "file" : "not a regular file",
					(long long)st.st_size, SIM_PAGE_SIZE);

	page = mmap(NULL, SIM_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (page == MAP_FAILED)
		return host_error_errno(errno, "%s: mmap: %s", path, strerror(errno));
	p->regs.page = page;
	return 0;
}

static int open_irq(struct sim_port *p, const char *dir)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if ((size_t)snprintf(p->irq_path, sizeof(p->irq_path), "%s/" SIM_PAGE_IRQ_FILE, dir) >= sizeof(p->irq_path))
		return host_error_errno(ENAMETOOLONG, "%s/" SIM_PAGE_IRQ_FILE ": path too long", dir);

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

static int probe_irq_less(struct sim_port *p, const char *dir)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/" SIM_PAGE_NOIRQ_FILE, dir) >= sizeof(path))
		return host_error_errno(ENAMETOOLONG, "%s/" SIM_PAGE_NOIRQ_FILE ": path too long", dir);
	if (access(path, F_OK) == 0)
		p->irq_less = true;
	else if (errno != ENOENT)
		return host_error_errno(errno, "%s: %s", path, strerror(errno));
	return 0;
}

int sim_port_open(struct sim_port *p, const char *dir, const struct kcs_chip *chip,
		  unsigned int channel, bool need_irq)
{
	int r;

	memset(p, 0, sizeof(*p));
	p->irq_fd = -1;
	r = kcs_chip_channel(chip, channel, &p->regs.offs);
	if (r < 0)
		return host_error_errno(r, "%s has no KCS channel %u", chip->name, channel);
	p->regs.width = chip->reg_width;

	r = map_regs(p, dir);
	if (r < 0)
		return r;

	r = probe_irq_less(p, dir);
	if (r < 0) {
		sim_port_close(p);
		return r;
	}
	if (need_irq && !p->irq_less) {
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
	if (p->regs.page)
		munmap(p->regs.page, SIM_PAGE_SIZE);
	p->regs.page = NULL;
	if (p->irq_fd >= 0)
		close(p->irq_fd);
	p->irq_fd = -1;
}
