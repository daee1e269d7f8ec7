/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A channel's org.kcs_uio.Channel1 interface, this project's own
 * (docs/design.md section 5): read-only properties Channel (u), Chip (s),
 * Phase (s) and the counters (t) Requests, Responses, HostAborts, Restarts,
 * LengthErrors, IllegalCodes, StaleResponses, OversizeResponses,
 * SpuriousInterrupts, ForceAborts, UpstreamTimeouts, UpstreamNoService,
 * UpstreamVanished, UpstreamBusErrors, UpstreamServiceErrors and
 * ForeignReplies (the failures of docs/design.md section 7). They
 * change with every transfer, so no PropertiesChanged signal is sent
 * (EmitsChangedSignal=false): read them when needed.
 */
#pragma once

#include <systemd/sd-bus.h>

struct channel;

/* Serve the properties on @path for @c; the slot in @ret keeps them served. */
int counters_properties_add(sd_bus *bus, const char *path, struct channel *c,
			    sd_bus_slot **ret);
