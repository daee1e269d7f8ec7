// SPDX-License-Identifier: Apache-2.0
#include "host_bus.h"

#include <errno.h>
#include <string.h>

#include "cleanup.h"
#include "log.h"

bool host_bus_spec_valid(const char *spec)
{
	/* a D-Bus address is "transport:key=value,..."; sd-bus checks the rest */
	return strcmp(spec, "system") == 0 || strcmp(spec, "session") == 0 ||
	       (spec[0] != ':' && strchr(spec, ':'));
}

static int host_bus_open_address(const char *address, sd_bus **ret)
{
	_cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
	int r;

	r = sd_bus_new(&bus);
	if (r < 0)
		return log_error_errno(r, "Failed to allocate a bus: %m");
	r = sd_bus_set_address(bus, address);
	if (r < 0)
		return log_error_errno(r, "Invalid --bus address '%s': %m", address);
	r = sd_bus_set_bus_client(bus, 1);
	if (r < 0)
		return log_error_errno(r, "Failed to make '%s' a bus client: %m", address);
	r = sd_bus_start(bus);
	if (r < 0)
		return log_error_errno(r, "Failed to connect to bus '%s': %m", address);

	*ret = TAKE_PTR(bus);
	return 0;
}

int host_bus_open(const char *spec, sd_bus **ret)
{
	int r;

	if (strcmp(spec, "system") == 0) {
		r = sd_bus_open_system(ret);
		if (r < 0)
			return log_error_errno(r, "Failed to connect to the system bus: %m");
		return 0;
	}
	if (strcmp(spec, "session") == 0) {
		r = sd_bus_open_user(ret);
		if (r < 0)
			return log_error_errno(r, "Failed to connect to the session bus: %m");
		return 0;
	}
	return host_bus_open_address(spec, ret);
}

int host_bus_own(sd_bus *bus, sd_event *event, const char *spec)
{
	int r;

	r = sd_bus_request_name(bus, IPMI_HOST_SERVICE, 0);
	if (r == -EEXIST)
		return log_error_errno(r, "%s is already owned on bus '%s'", IPMI_HOST_SERVICE, spec);
	if (r < 0)
		return log_error_errno(r, "Failed to acquire %s: %m", IPMI_HOST_SERVICE);
	/* A lost bus ends the loop with EXIT_FAILURE. */
	r = sd_bus_set_exit_on_disconnect(bus, 1);
	if (r >= 0)
		r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
	if (r < 0)
		return log_error_errno(r, "Failed to attach the bus to the event loop: %m");
	return 0;
}
