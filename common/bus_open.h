/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bus a --bus option names, the same strings for kcs-uiod and every
 * tool: "system", "session", or a D-Bus address ("transport:key=value,...",
 * e.g. unix:path=/run/x/bus for a private dbus-daemon in tests).
 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

/* Whether @spec is one of the forms above; sd-bus judges an address's details. */
bool bus_spec_valid(const char *spec);

/*
 * Connect to the bus @spec names, as a client called @description (shown
 * by busctl). Logs the failure with the bus and the errno; returns 0 or a
 * negative errno.
 */
int bus_open(const char *spec, const char *description, sd_bus **ret);
