/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging to stderr with sd-daemon priority prefixes ("<3>..."), so journald
 * keeps the levels when the daemon runs as a service. As in systemd, the
 * *_errno variants make %m print the given error and return -|error|, so a
 * failure is logged and propagated in one statement:
 *
 *	return log_error_errno(r, "Failed to open %s: %m", path);
 */
#pragma once

#include <stddef.h>
#include <syslog.h>

void log_set_max_level(int level);
int log_get_max_level(void);
/* "err", "warning", "notice", "info", "debug"; -EINVAL otherwise. */
int log_level_from_string(const char *s);

__attribute__((format(printf, 3, 4)))
int log_internal(int level, int error, const char *fmt, ...);

/*
 * Copy @in to @out (@out_size > 0 bytes, always terminated) with every byte
 * outside printable ASCII written as \xNN, cut only between whole escapes:
 * text quoted from outside (a path, an option's value) then stays one line
 * and never ends in half a UTF-8 character. Every log line goes through it.
 */
char *escape_printable(char *out, size_t out_size, const char *in);

#define log_full_errno(level, error, ...) log_internal((level), (error), __VA_ARGS__)
#define log_full(level, ...) ((void)log_internal((level), 0, __VA_ARGS__))

#define log_debug(...)   log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)    log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...)  log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...)   log_full(LOG_ERR, __VA_ARGS__)

#define log_debug_errno(error, ...)   log_full_errno(LOG_DEBUG, error, __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(LOG_WARNING, error, __VA_ARGS__)
#define log_error_errno(error, ...)   log_full_errno(LOG_ERR, error, __VA_ARGS__)
