/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scope-bound cleanup, in the style of systemd: a variable declared with
 * _cleanup_free_ or _cleanup_close_ is released on every return path, so
 * an early error return cannot leak. Hand ownership on with TAKE_PTR/TAKE_FD.
 */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)

/* Return the pointer and leave NULL behind: ownership moves to the caller. */
#define TAKE_PTR(p) __extension__ ({ __typeof__(p) _p = (p); (p) = NULL; _p; })
#define TAKE_FD(fd) __extension__ ({ int _fd = (fd); (fd) = -1; _fd; })

/* Declare a cleanup function for a type with a free function that takes T*. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)		\
	static inline void func##p(type *p)		\
	{						\
		if (*p)					\
			func(*p);			\
	}
