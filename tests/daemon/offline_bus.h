/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An sd_bus that never talks to anyone, for building the messages a peer
 * would send without a bus daemon: sd_bus_message_new() wants a started
 * bus, and a message must be sealed before it can be read.
 */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

/*
 * A bus started on a socketpair (it writes its greeting into the pair and
 * never reads it; sd_bus_unref() closes both ends). 0 or a negative errno.
 */
int offline_bus_new(sd_bus **ret);

/* A method return being built on @bus: append to it, then offline_seal(). */
int offline_reply_new(sd_bus *bus, sd_bus_message **ret);
/* Seal @m as it would arrive from a peer: readable from the start. */
int offline_seal(sd_bus_message *m);
