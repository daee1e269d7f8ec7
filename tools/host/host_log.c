// SPDX-License-Identifier: Apache-2.0
#include "host_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((format(printf, 1, 0)))
static void vmessage(const char *fmt, va_list ap)
{
	fputs("kcs-host: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void host_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
}

int host_error_errno(int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	return -abs(error);
}
