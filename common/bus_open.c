// SPDX-License-Identifier: Apache-2.0
#include "bus_open.h"

#include <string.h>

#include "cleanup.h"
#include "log.h"

bool bus_spec_valid(const char *spec)
{
	return strcmp(spec, "system") == 0 || strcmp(spec, "session") == 0 ||
	       (strchr(spec, ':') && strchr(spec, '='));
}

static int bus_open_address(const char *address, const char *description, sd_bus **ret)
{
	_cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
	int r;

	r = sd_bus_new(&bus);
	if (r < 0)
		return log_error_errno(r, "Failed to allocate a bus connection: %m");
	(void)sd_bus_set_description(bus, description);
	r = sd_bus_set_address(bus, address);
	if (r < 0)
		return log_error_errno(r, "--bus '%s': not a valid D-Bus address: %m", address);
	r = sd_bus_set_bus_client(bus, true);
	if (r < 0)
		return log_error_errno(r, "Failed to set up the bus connection: %m");
	r = sd_bus_start(bus);
	if (r < 0)
		return log_error_errno(r, "Failed to connect to the bus at %s: %m", address);
	*ret = TAKE_PTR(bus);
	return 0;
}

int bus_open(const char *spec, const char *description, sd_bus **ret)
{
	int r;

	if (strcmp(spec, "system") == 0) {
		r = sd_bus_open_system_with_description(ret, description);
		if (r < 0)
			return log_error_errno(r, "Failed to connect to the system bus: %m");
		return 0;
	}
	if (strcmp(spec, "session") == 0) {
		r = sd_bus_open_user_with_description(ret, description);
		if (r < 0)
			return log_error_errno(r, "Failed to connect to the session bus: %m");
		return 0;
	}
	return bus_open_address(spec, description, ret);
}
