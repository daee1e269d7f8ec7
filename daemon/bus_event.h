/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sd-bus driven by a libevent loop: the bus fd is watched for what sd-bus
 * asks (sd_bus_get_events) and a timer follows sd-bus's own deadline
 * (sd_bus_get_timeout: method call timeouts are synthesised there). On
 * every wake-up sd_bus_process() runs until it has nothing left, then both
 * are re-armed.
 *
 * Anything done outside sd-bus's dispatch that may queue output or add a
 * deadline (an async method call from the interrupt path) must be followed
 * by bus_event_kick(), or the message would wait for the next wake-up.
 */
#pragma once

#include <event2/event.h>
#include <systemd/sd-bus.h>

struct bus_event;

/* The bus failed (connection lost): the daemon cannot serve any more. */
typedef void (*bus_event_failed_fn)(void *userdata, int error);

/* Takes a reference on @bus. */
int bus_event_new(struct bus_event **ret, struct event_base *base, sd_bus *bus,
		  bus_event_failed_fn failed, void *userdata);
void bus_event_free(struct bus_event *be);

/* Re-arm from the current sd-bus events and deadline. Cheap when unchanged. */
int bus_event_kick(struct bus_event *be);

static inline void bus_event_freep(struct bus_event **be)
{
	if (*be)
		bus_event_free(*be);
}
