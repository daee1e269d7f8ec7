/* SPDX-License-Identifier: Apache-2.0 */
/* Numeric command-line values for the development tools. */
#pragma once

#include <stdint.h>

/*
 * Parse @s as an unsigned integer (decimal, or hex with 0x) within
 * [@min, @max]. Returns 0, -EINVAL when @s is not a number, -ERANGE when
 * it is out of range. Logs nothing: the caller names the option.
 */
int opt_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *ret);
