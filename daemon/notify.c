// SPDX-License-Identifier: Apache-2.0
#include "notify.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "cleanup.h"
#include "log.h"

struct notify {
	struct event_base *base;
	struct event *watchdog_timer;
	bool listening;         /* NOTIFY_SOCKET is set */
	notify_status_fn status_fn;
	void *userdata;
	bool warned;
	char last_status[256];
};

static void send_state(struct notify *n, const char *state)
{
	int r = sd_notify(0, state);

	/* A broken notify socket is worth one line, not one per status update. */
	if (r < 0 && !n->warned) {
		n->warned = true;
		log_warning_errno(r, "Failed to notify the service manager (%.*s): %m",
				  (int)strcspn(state, "="), state);
	}
}

static void refresh_status(struct notify *n)
{
	char status[sizeof(n->last_status)];
	char msg[sizeof(status) + sizeof("STATUS=")];

	n->status_fn(n->userdata, status, sizeof(status));
	if (strcmp(status, n->last_status) == 0)
		return;
	memcpy(n->last_status, status, sizeof(status));
	snprintf(msg, sizeof(msg), "STATUS=%s", status);
	send_state(n, msg);
}

void notify_status(struct notify *n)
{
	if (n->listening)
		refresh_status(n);
}

bool notify_listening(const struct notify *n)
{
	return n->listening;
}

static void on_watchdog_timer(evutil_socket_t fd, short what, void *userdata)
{
	send_state(userdata, "WATCHDOG=1");
}

static int add_timer(struct notify *n, struct event **ev, uint64_t usec,
		     event_callback_fn cb, const char *what)
{
	struct timeval tv = {
		.tv_sec = (time_t)(usec / 1000000u),
		.tv_usec = (suseconds_t)(usec % 1000000u),
	};

	*ev = event_new(n->base, -1, EV_PERSIST, cb, n);
	if (!*ev || event_add(*ev, &tv) < 0)
		return log_error_errno(ENOMEM, "Failed to set up the %s timer: %m", what);
	return 0;
}

int notify_new(struct notify **ret, struct event_base *base,
	       notify_status_fn status, void *userdata)
{
	_cleanup_(notify_freep) struct notify *n = NULL;
	uint64_t usec;
	int r;

	n = calloc(1, sizeof(*n));
	if (!n)
		return log_error_errno(ENOMEM, "Failed to allocate the notifier: %m");
	n->base = base;
	n->status_fn = status;
	n->userdata = userdata;
	n->listening = getenv("NOTIFY_SOCKET") != NULL;

	r = sd_watchdog_enabled(0, &usec);
	if (r < 0)
		log_warning_errno(r, "Ignoring the watchdog settings (WATCHDOG_USEC/WATCHDOG_PID): %m");
	if (r > 0) {
		r = add_timer(n, &n->watchdog_timer, usec / 2, on_watchdog_timer, "watchdog");
		if (r < 0)
			return r;
		log_debug("Watchdog enabled: pinging every %llu ms", (unsigned long long)(usec / 2000u));
	}
	*ret = TAKE_PTR(n);
	return 0;
}

void notify_ready(struct notify *n)
{
	char msg[sizeof(n->last_status) + sizeof("READY=1\nSTATUS=")];

	n->status_fn(n->userdata, n->last_status, sizeof(n->last_status));
	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", n->last_status);
	send_state(n, msg);
}

void notify_stopping(struct notify *n)
{
	send_state(n, "STOPPING=1\nSTATUS=Shutting down");
}

void notify_free(struct notify *n)
{
	if (!n)
		return;
	if (n->watchdog_timer)
		event_free(n->watchdog_timer);
	free(n);
}
