// SPDX-License-Identifier: Apache-2.0
#include "host_bus.h"

#include <errno.h>

#include "log.h"

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
