/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Messages of the kcs-host command line tool: one line on stderr, prefixed
 * "kcs-host: ". Data goes to stdout, messages never do.
 */
#pragma once

__attribute__((format(printf, 1, 2)))
void host_error(const char *fmt, ...);

/*
 * As host_error(), for failures that carry an errno; returns -|error| so a
 * caller can print and propagate in one statement. (No %m: -Wpedantic.)
 */
__attribute__((format(printf, 2, 3)))
int host_error_errno(int error, const char *fmt, ...);
