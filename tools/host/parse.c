// SPDX-License-Identifier: Apache-2.0
#include "parse.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdlib.h>

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int parse_hex_byte(const char *s, uint8_t *out)
{
	unsigned int value = 0;
	bool too_big = false;

	if (!s || !out)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (*s == '\0')
		return -EINVAL;
	for (; *s; s++) {
		int d = hex_digit(*s);

		if (d < 0)
			return -EINVAL;
		/* Keep scanning so "0x1zz" is reported as malformed, not too big. */
		value = value * 16 + (unsigned int)d;
		if (value > 0xFF) {
			too_big = true;
			value = 0x100;
		}
	}
	if (too_big)
		return -ERANGE;
	*out = (uint8_t)value;
	return 0;
}

int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long value;
	char *end;

	if (!s || !out || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	value = strtoul(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || value < min || value > max)
		return -ERANGE;
	*out = value;
	return 0;
}
