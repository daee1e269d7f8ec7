/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Command-line value parsing for kcs-host. Pure functions: no messages, the
 * caller names the option or argument in its own error.
 *
 * Functions return 0, -EINVAL (not a number of the expected form) or
 * -ERANGE (a number, but outside the allowed range).
 */
#pragma once

#include <stdint.h>

/* One byte in hex, "0x" optional: "6", "06", "0x06", "0XfF". */
int parse_hex_byte(const char *s, uint8_t *out);

/* A decimal integer in [@min, @max]; no sign, no trailing characters. */
int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);
