/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A channel's xyz.openbmc_project.Ipmi.Channel.SMS interface, as kcsbridged
 * serves it (docs/design.md section 5): setAttention and clearAttention
 * (STR bit SMS_ATN) and forceAbort (channel to ERROR state), no arguments,
 * empty reply; a failure is xyz.openbmc_project.Common.Error.InternalFailure.
 */
#pragma once

#include <systemd/sd-bus.h>

struct channel;

/* Serve the methods on @path for @c; the slot in @ret keeps them served. */
int sms_methods_add(sd_bus *bus, const char *path, struct channel *c, sd_bus_slot **ret);
