/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The development tools as the IPMI host service (docs/design.md section 5):
 * owning the service's name on the bus common/bus_open.h opened.
 */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "bus_open.h"
#include "dbus_names.h"

/*
 * Take IPMI_HOST_SERVICE on @bus (opened from @spec, which the messages
 * name) and serve it from @event, whose loop then ends with a failure
 * when the bus goes away. Logs the failure; returns 0 or a negative errno
 * (-EEXIST: another process owns the name).
 */
int host_bus_own(sd_bus *bus, sd_event *event, const char *spec);
