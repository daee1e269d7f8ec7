/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The service manager's view of the daemon (sd_notify): READY=1 once every
 * channel serves, STATUS= with live counters refreshed on the caller's timer (never per
 * request), WATCHDOG=1 at half of WATCHDOG_USEC when the unit asks for it,
 * STOPPING=1 on shutdown. Without NOTIFY_SOCKET all of it is a no-op.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <event2/event.h>

/* Write the current one-line status into @buf. */
typedef void (*notify_status_fn)(void *userdata, char *buf, size_t len);

/* How often the caller should call notify_status() (it owns the timer). */
#define NOTIFY_STATUS_INTERVAL_SEC 2

struct notify;

/* Starts the watchdog timer at once: the loop's liveness is what it proves. */
int notify_new(struct notify **ret, struct event_base *base,
	       notify_status_fn status, void *userdata);
void notify_free(struct notify *n);

/* READY=1 with the first STATUS=. */
void notify_ready(struct notify *n);
/* STATUS= again if it changed; nothing without NOTIFY_SOCKET. */
void notify_status(struct notify *n);
/* NOTIFY_SOCKET is set: STATUS= updates are worth a timer. */
bool notify_listening(const struct notify *n);
void notify_stopping(struct notify *n);

static inline void notify_freep(struct notify **n)
{
	if (*n)
		notify_free(*n);
}
