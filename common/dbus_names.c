// SPDX-License-Identifier: Apache-2.0
#include "dbus_names.h"

#include <string.h>

static bool is_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

enum channel_name_fault channel_name_check(const char *name, size_t len, size_t *bad)
{
	if (len == 0)
		return CHANNEL_NAME_EMPTY;
	if (len > CHANNEL_NAME_MAX)
		return CHANNEL_NAME_TOO_LONG;
	for (size_t i = 0; i < len; i++) {
		if (!is_name_char(name[i])) {
			if (bad)
				*bad = i;
			return CHANNEL_NAME_BAD_CHAR;
		}
	}
	if (name[0] >= '0' && name[0] <= '9')
		return CHANNEL_NAME_DIGIT_FIRST;
	return CHANNEL_NAME_OK;
}

bool channel_name_valid(const char *name)
{
	return channel_name_check(name, strlen(name), NULL) == CHANNEL_NAME_OK;
}
