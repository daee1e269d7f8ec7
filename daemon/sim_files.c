// SPDX-License-Identifier: Apache-2.0
#include "sim_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "sim_page.h"

/* mkdir -p: missing parents 0755 (they may hold more than the device), DIR itself 0700. */
static int make_dir(const char *label, const char *dir)
{
	_cleanup_free_ char *p = strdup(dir);

	if (!p)
		return log_error_errno(ENOMEM, "%s: %m", label);
	for (char *slash = p + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return log_error_errno(errno, "%s: failed to create directory %s: %m", label, p);
		*slash = '/';
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return log_error_errno(errno, "%s: failed to create directory %s: %m", label, dir);
	return 0;
}

/* Ours and writable by nobody else. @what names the file in messages. */
static int check_owner(const char *label, const char *what, const struct stat *st, bool root_ok)
{
	uid_t me = geteuid();

	if (st->st_uid != me && !(root_ok && st->st_uid == 0))
		return log_error_errno(EPERM, "%s: %s belongs to uid %u, not to uid %u that kcs-uiod runs as; refusing it: %m",
				       label, what, (unsigned)st->st_uid, (unsigned)me);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return log_error_errno(EPERM, "%s: %s is writable by group or others (mode %04o); refusing it (chmod go-w, or remove it to have it created): %m",
				       label, what, (unsigned)(st->st_mode & 07777));
	return 0;
}

/* DIR itself, not a link to it, opened to anchor the files below. */
static int open_dir(const char *label, const char *dir)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (lstat(dir, &st) < 0)
		return log_error_errno(errno, "%s: cannot stat %s: %m", label, dir);
	if (S_ISLNK(st.st_mode))
		return log_error_errno(ELOOP, "%s: %s is a symbolic link; give the directory itself: %m",
				       label, dir);
	if (!S_ISDIR(st.st_mode))
		return log_error_errno(ENOTDIR, "%s: %s exists and is not a directory: %m", label, dir);
	/* O_NOFOLLOW: DIR cannot have become a link since the lstat. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(errno, "%s: failed to open directory %s: %m", label, dir);
	if (fstat(fd, &st) < 0)
		return log_error_errno(errno, "%s: cannot stat %s: %m", label, dir);
	return check_owner(label, dir, &st, true) < 0 ? -EPERM : TAKE_FD(fd);
}

static int refuse_link(const char *label, const char *path)
{
	return log_error_errno(ELOOP, "%s: %s is a symbolic link; refusing to follow it (remove it to have the file created): %m",
			       label, path);
}

static int open_regs(const char *label, int dir_fd, const char *path)
{
	const int flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
	_cleanup_close_ int fd = -1;
	struct stat st;

	fd = openat(dir_fd, SIM_PAGE_REGS_FILE, flags);
	if (fd < 0 && errno == ENOENT) {
		/* O_EXCL: never truncate a page the host side created meanwhile. */
		fd = openat(dir_fd, SIM_PAGE_REGS_FILE, flags | O_CREAT | O_EXCL, 0600);
		if (fd >= 0) {
			if (ftruncate(fd, SIM_PAGE_SIZE) < 0)
				return log_error_errno(errno, "%s: failed to size %s to %u bytes: %m",
						       label, path, SIM_PAGE_SIZE);
			return TAKE_FD(fd);
		}
		if (errno == EEXIST)
			fd = openat(dir_fd, SIM_PAGE_REGS_FILE, flags);
	}
	if (fd < 0 && errno == ELOOP)
		return refuse_link(label, path);
	if (fd < 0)
		return log_error_errno(errno, "%s: failed to open the register file %s: %m", label, path);
	if (fstat(fd, &st) < 0)
		return log_error_errno(errno, "%s: cannot stat %s: %m", label, path);
	if (!S_ISREG(st.st_mode))
		return log_error_errno(EINVAL, "%s: %s is not a regular file: %m", label, path);
	if (check_owner(label, path, &st, false) < 0)
		return -EPERM;
	if (st.st_size != SIM_PAGE_SIZE)
		return log_error_errno(EINVAL, "%s: the register file %s is %lld bytes, not %u (remove it to start from a zeroed page): %m",
				       label, path, (long long)st.st_size, SIM_PAGE_SIZE);
	return TAKE_FD(fd);
}

static int open_irq(const char *label, int dir_fd, const char *path)
{
	_cleanup_close_ int fd = -1;
	struct stat st, opened;

	if (mkfifoat(dir_fd, SIM_PAGE_IRQ_FILE, 0600) < 0 && errno != EEXIST)
		return log_error_errno(errno, "%s: failed to create the interrupt FIFO %s: %m", label, path);
	/* Before open: opening some other kind of file could have side effects. */
	if (fstatat(dir_fd, SIM_PAGE_IRQ_FILE, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return log_error_errno(errno, "%s: cannot stat %s: %m", label, path);
	if (S_ISLNK(st.st_mode))
		return refuse_link(label, path);
	if (!S_ISFIFO(st.st_mode))
		return log_error_errno(EINVAL, "%s: %s exists and is not a FIFO (remove it to have one created): %m",
				       label, path);
	if (check_owner(label, path, &st, false) < 0)
		return -EPERM;
	/* Read-write: we are a writer too, so the FIFO never reports EOF. */
	fd = openat(dir_fd, SIM_PAGE_IRQ_FILE, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ELOOP)
		return refuse_link(label, path);
	if (fd < 0)
		return log_error_errno(errno, "%s: failed to open the interrupt FIFO %s: %m", label, path);
	if (fstat(fd, &opened) < 0)
		return log_error_errno(errno, "%s: cannot stat %s: %m", label, path);
	if (opened.st_dev != st.st_dev || opened.st_ino != st.st_ino)
		return log_error_errno(EAGAIN, "%s: %s was replaced while being opened: %m", label, path);
	return TAKE_FD(fd);
}

/* 1 when DIR holds the marker of an interrupt-less device, 0 when not. */
static int irq_less(const char *label, int dir_fd, const char *dir)
{
	struct stat st;

	if (fstatat(dir_fd, SIM_PAGE_NOIRQ_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	return log_error_errno(errno, "%s: cannot check for %s/" SIM_PAGE_NOIRQ_FILE ": %m", label, dir);
}

int sim_files_open(const char *label, const char *given, struct sim_files *ret)
{
	_cleanup_free_ char *dir = strdup(given), *regs_path = NULL, *irq_path = NULL;
	_cleanup_close_ int dir_fd = -1, regs_fd = -1;
	size_t len;
	int irq_fd, r;

	if (!dir)
		return log_error_errno(ENOMEM, "%s: %m", label);
	/* "link/" would resolve the link before lstat() and O_NOFOLLOW see it. */
	for (len = strlen(dir); len > 1 && dir[len - 1] == '/'; len--)
		dir[len - 1] = '\0';

	if (asprintf(&regs_path, "%s/" SIM_PAGE_REGS_FILE, dir) < 0) {
		regs_path = NULL;
		return log_error_errno(ENOMEM, "%s: %m", label);
	}
	if (asprintf(&irq_path, "%s/" SIM_PAGE_IRQ_FILE, dir) < 0) {
		irq_path = NULL;
		return log_error_errno(ENOMEM, "%s: %m", label);
	}
	r = make_dir(label, dir);
	if (r < 0)
		return r;
	dir_fd = open_dir(label, dir);
	if (dir_fd < 0)
		return dir_fd;
	regs_fd = open_regs(label, dir_fd, regs_path);
	if (regs_fd < 0)
		return regs_fd;
	r = irq_less(label, dir_fd, dir);
	if (r < 0)
		return r;
	irq_fd = r ? -1 : open_irq(label, dir_fd, irq_path);
	if (irq_fd < 0 && !r)
		return irq_fd;
	*ret = (struct sim_files){ .regs_fd = TAKE_FD(regs_fd), .irq_fd = irq_fd };
	return 0;
}
