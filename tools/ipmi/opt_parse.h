/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Command-line values for the development tools. The opt_* helpers check
 * one option's argument and, when it is wrong, print the one-line usage
 * error "PROG: OPTION: 'ARG' is not ..." to stderr and return -EINVAL;
 * the caller exits 2.
 */
#pragma once

#include <stdint.h>

/*
 * Parse @s as an unsigned integer (decimal, or hex with 0x) within
 * [@min, @max]. Returns 0, -EINVAL when @s is not a number, -ERANGE when
 * it is out of range. Logs nothing: the caller names the option.
 */
int opt_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *ret);

/* @arg of option @opt (e.g. "--port") as a number in [@min, @max]. */
int opt_u64(const char *prog, const char *opt, const char *arg,
	    uint64_t min, uint64_t max, uint64_t *ret);

/* --bus: "system", "session" or a D-Bus address; *ret = @arg. */
int opt_bus(const char *prog, const char *arg, const char **ret);

/* --log-level: a level name; sets the log's maximum level. */
int opt_log_level(const char *prog, const char *arg);

/* After getopt: anything left in @argv from optind on is an error. */
int opt_no_operands(const char *prog, int argc, char **argv);
