/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bus a --bus option names, the same strings for kcs-uiod and every
 * tool: "system", "session", or a D-Bus address ("transport:key=value,...",
 * e.g. unix:path=/run/x/bus for a private dbus-daemon in tests).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-bus.h>

/*
 * Whether @spec is one of the forms above and, for an address, one sd-bus
 * can connect with: a ';'-separated list of TRANSPORT:KEY=VALUE[,...]
 * whose every element names a transport sd-bus knows (unix, tcp, unixexec,
 * x-machine-unix) with the keys it requires, valid %XX escapes, and a unix
 * socket path that fits a socket address. 0, or -EINVAL with one line
 * saying why in @why (NULL: no reason wanted). Connecting is still the
 * only test of whether anybody listens there.
 */
int bus_spec_check(const char *spec, char *why, size_t why_len);

/*
 * Connect to the bus @spec names, as a client called @description (shown
 * by busctl). Logs the failure with the bus and the errno; returns 0 or a
 * negative errno.
 */
int bus_open(const char *spec, const char *description, sd_bus **ret);
