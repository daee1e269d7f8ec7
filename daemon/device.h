/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One KCS device (a UIO node or a simulated device) and its channels, as
 * the event loop serves them (docs/design.md section 10):
 *
 *  - interrupt mode: the interrupt wakes the loop, every channel is served
 *    once, then burst polling keeps reading STR while some channel expects
 *    a host byte and its window is open (the interrupt stays masked); the
 *    interrupt is re-enabled when the windows close, and STR looked at once
 *    more so a byte that arrived in between is not lost;
 *  - polled mode (a node without an interrupt, or --polled): the channels'
 *    IBF interrupts are off in the controller, STR is read every idle-poll
 *    interval, and burst polling takes over as soon as a byte arrives.
 *
 * Never polls while a request is out at the IPMI service or when idle,
 * except polled mode's idle timer. Single-threaded, like the whole daemon.
 */
#pragma once

#include <stdbool.h>
#include <event2/event.h>

#include "backend.h"
#include "channel.h"

struct device;

/* The device failed (its interrupt fd): the daemon cannot serve it any more. */
typedef void (*device_failed_fn)(void *userdata, int error);

/*
 * Takes @backend (closed by device_free()). @force_polled: --polled.
 * @idle_poll_ms: polled mode's STR poll interval.
 */
int device_new(struct device **ret, struct event_base *base, struct kcs_backend *backend,
	       bool force_polled, unsigned int idle_poll_ms,
	       device_failed_fn failed, void *userdata);
void device_free(struct device *d);

/* Before device_start(): a channel of this device (not owned). */
int device_add_channel(struct device *d, struct channel *c);

/*
 * Start every channel (configure, force abort), watch the interrupt or
 * start the poll timer, and serve what is already pending.
 */
int device_start(struct device *d);
/* Stop every channel (ERROR state, IBF interrupt off) and every event. */
void device_stop(struct device *d);

/*
 * Interrupt mode, idle: a host byte whose interrupt never came would wait
 * forever, and an idle channel arms no timer of its own. Called from the
 * daemon's housekeeping timer (every 2 s, shared with STATUS=), it looks at
 * IBF; IBF set twice in a row with no interrupt in between is served by
 * polling and logged, and after a few of those the device goes to polled
 * mode.
 */
void device_check_lost_irq(struct device *d);

bool device_polled(const struct device *d);
const char *device_name(const struct device *d);
