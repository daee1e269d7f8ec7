/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sd-bus driven by a libevent loop: the bus fd is watched for what sd-bus
 * asks (sd_bus_get_events) and a timer follows sd-bus's own deadline
 * (sd_bus_get_timeout: method call timeouts are synthesised there).
 *
 * The work is bounded whatever the peers on the bus do:
 *  - one wake-up runs sd_bus_process() at most BUS_EVENT_BUDGET times, then
 *    returns to the loop (the device is served in between) and comes back
 *    at the next iteration for the rest;
 *  - while more than BUS_EVENT_QUEUED_MAX messages wait to be written (the
 *    bus takes our answers slower than peers send calls), the connection is
 *    only written, not read, until the queue is down to half: calls wait in
 *    the bus daemon, whose own limits bound them, not in our memory.
 *
 * Anything done outside sd-bus's dispatch that may queue output or add a
 * deadline (an async method call from the interrupt path) must be followed
 * by bus_event_kick(), or the message would wait for the next wake-up.
 */
#pragma once

#include <stdint.h>
#include <event2/event.h>
#include <systemd/sd-bus.h>

struct bus_event;

/* The bus failed (connection lost): the daemon cannot serve any more. */
typedef void (*bus_event_failed_fn)(void *userdata, int error);

#define BUS_EVENT_BUDGET     32u
#define BUS_EVENT_QUEUED_MAX 64u

/*
 * Takes a reference on @bus. @priority: the libevent priority of its events
 * (-1: the base's default).
 */
int bus_event_new(struct bus_event **ret, struct event_base *base, sd_bus *bus, int priority,
		  bus_event_failed_fn failed, void *userdata);
void bus_event_free(struct bus_event *be);

/* Re-arm from the current sd-bus events and deadline. Cheap when unchanged. */
int bus_event_kick(struct bus_event *be);

/*
 * Write what @bus has queued for at most @usec, then close it and drop the
 * reference: a peer that does not read cannot hold up an exit. NULL is fine.
 */
void bus_close_within(sd_bus *bus, uint64_t usec);

static inline void bus_event_freep(struct bus_event **be)
{
	if (*be)
		bus_event_free(*be);
}
