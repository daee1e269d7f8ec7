/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A channel's D-Bus face (DESIGN.md section 4): the bus name
 * xyz.openbmc_project.Ipmi.Channel.<NAME> and, on the object
 * /xyz/openbmc_project/Ipmi/Channel/<NAME>:
 *
 *  - xyz.openbmc_project.Ipmi.Channel.SMS: setAttention, clearAttention,
 *    forceAbort (no arguments, empty reply; failures are
 *    xyz.openbmc_project.Common.Error.InternalFailure), as kcsbridged;
 *  - org.kcs_uio.Channel1, this project's own: read-only properties
 *    Channel (u), Chip (s), Phase (s) and the counters (t) Requests,
 *    Responses, HostAborts, Restarts, LengthErrors, IllegalCodes,
 *    StaleResponses, OversizeResponses, SpuriousInterrupts, ForceAborts,
 *    UpstreamTimeouts, UpstreamErrors. They change with every transfer, so
 *    no PropertiesChanged signal is sent (EmitsChangedSignal=false): read
 *    them when needed.
 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "options.h"

#define SMS_INTERFACE       "xyz.openbmc_project.Ipmi.Channel.SMS"
#define CHANNEL1_INTERFACE  "org.kcs_uio.Channel1"
#define INTERNAL_FAILURE    "xyz.openbmc_project.Common.Error.InternalFailure"

struct channel;

struct sms_service {
	sd_bus *bus;
	sd_bus_slot *sms_slot;
	sd_bus_slot *channel1_slot;
	char name[CHANNEL_BUS_NAME_MAX];
	char path[CHANNEL_OBJECT_PATH_MAX];
};

/* Serve @c's object and own its bus name (synchronously: start-up only). */
int sms_service_start(struct sms_service *s, sd_bus *bus, struct channel *c);
/* Stop serving the object; the name goes with the connection. */
void sms_service_stop(struct sms_service *s);
