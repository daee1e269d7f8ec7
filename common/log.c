// SPDX-License-Identifier: Apache-2.0
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int max_level = LOG_INFO;

void log_set_max_level(int level)
{
	max_level = level;
}

int log_get_max_level(void)
{
	return max_level;
}

int log_level_from_string(const char *s)
{
	static const char *const names[] = {
		[LOG_ERR] = "err", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
		[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
	};

	for (int i = LOG_ERR; i <= LOG_DEBUG; i++)
		if (names[i] && s && strcmp(s, names[i]) == 0)
			return i;
	return -EINVAL;
}

char *escape_printable(char *out, size_t out_size, const char *in)
{
	size_t n = 0;

	for (const unsigned char *c = (const unsigned char *)in; *c; c++) {
		if (*c >= 0x20 && *c < 0x7f) {
			if (n + 1 >= out_size)
				break;
			out[n++] = (char)*c;
		} else {
			if (n + 4 >= out_size)
				break;
			snprintf(out + n, 5, "\\x%02x", *c);
			n += 4;
		}
	}
	out[n] = '\0';
	return out;
}

int log_internal(int level, int error, const char *fmt, ...)
{
	int saved = errno;
	char line[1024], safe[sizeof(line) * 4];
	va_list ap;

	if (error < 0)
		error = -error;
	if (level > max_level)
		return -error;

	/* %m prints the error being logged, not whatever errno holds. */
	errno = error;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One write per line so concurrent writers cannot interleave a line. */
	fprintf(stderr, "<%d>%s\n", level, escape_printable(safe, sizeof(safe), line));
	errno = saved;
	return -error;
}
