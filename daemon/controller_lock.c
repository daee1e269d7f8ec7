// SPDX-License-Identifier: Apache-2.0
#include "controller_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"

static const char *lock_dir(void)
{
	const char *dir = getenv(CONTROLLER_LOCK_DIR_ENV);

	return dir && *dir ? dir : CONTROLLER_LOCK_DIR_DEFAULT;
}

/* The pid the holder wrote, for the message; 0 when unreadable. */
static long holder_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

int controller_lock(struct controller_locks *l, uint64_t addr, const char *who)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;
	const char *dir = lock_dir();
	char pid[32];
	int n;

	for (unsigned int i = 0; i < l->n; i++)
		if (l->held[i].addr == addr)
			return 0;
	if (l->n >= CONTROLLER_LOCKS_MAX)
		return log_error_errno(E2BIG, "%s: too many controllers in one process: %m", who);

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return log_error_errno(errno, "%s: cannot create the lock directory %s (set %s to another): %m",
				       who, dir, CONTROLLER_LOCK_DIR_ENV);
	if (asprintf(&path, "%s/lpc-%" PRIx64 ".lock", dir, addr) < 0) {
		path = NULL;
		return log_error_errno(ENOMEM, "%s: %m", who);
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return log_error_errno(errno, "%s: cannot open the controller lock %s: %m", who, path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK)
			return log_error_errno(errno, "%s: cannot lock %s: %m", who, path);
		return log_error_errno(EBUSY, "%s: the LPC controller at 0x%" PRIx64 " is served by another kcs-uiod (pid %ld, lock %s); one process serves all channels of a controller: give every --uio to that one",
				       who, addr, holder_pid(fd), path);
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0)
		log_warning_errno(errno, "%s: cannot empty %s for the pid: %m", who, path);
	else {
		ssize_t w = pwrite(fd, pid, (size_t)n, 0);

		/* A short write sets no errno. */
		if (w != n)
			log_warning_errno(w < 0 ? errno : EIO, "%s: cannot write the pid into %s: %m", who, path);
	}
	l->held[l->n].addr = addr;
	l->held[l->n].fd = TAKE_FD(fd);
	l->n++;
	return 0;
}

void controller_unlock_all(struct controller_locks *l)
{
	for (unsigned int i = 0; i < l->n; i++)
		close(l->held[i].fd);
	l->n = 0;
}
