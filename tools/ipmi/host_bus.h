/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The IPMI host service as the development tools see it: its D-Bus names
 * (DESIGN.md section 4), the bus a --bus option names, and owning the
 * service's name there.
 */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#define IPMI_HOST_SERVICE   "xyz.openbmc_project.Ipmi.Host"
#define IPMI_HOST_PATH      "/xyz/openbmc_project/Ipmi"
#define IPMI_HOST_INTERFACE "xyz.openbmc_project.Ipmi.Server"
#define IPMI_HOST_EXECUTE_IN  "yyyaya{sv}"
#define IPMI_HOST_EXECUTE_OUT "yyyyay"

#include <stdbool.h>

/* Whether @spec can name a bus: "system", "session" or "transport:..." */
bool host_bus_spec_valid(const char *spec);

/*
 * Connect to the bus @spec names: "system", "session", or a D-Bus address
 * such as "unix:path=/run/x/bus" (a private dbus-daemon in tests). Logs
 * the failure with the bus and the errno; returns 0 or a negative errno.
 */
int host_bus_open(const char *spec, sd_bus **ret);

/*
 * Take IPMI_HOST_SERVICE on @bus (opened from @spec, which the messages
 * name) and serve it from @event, whose loop then ends with a failure
 * when the bus goes away. Logs the failure; returns 0 or a negative errno
 * (-EEXIST: another process owns the name).
 */
int host_bus_own(sd_bus *bus, sd_event *event, const char *spec);
