// SPDX-License-Identifier: Apache-2.0
/*
 * Two libevent events stand for what sd-bus asks to be woken for: a
 * persistent one on the bus fd (re-assigned only when sd-bus starts or
 * stops wanting POLLOUT, i.e. rarely) and a timer for sd-bus's deadline
 * (a heap operation, no system call). So the steady state of one method
 * call per request costs no epoll_ctl() at all.
 */
#include "bus_event.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "cleanup.h"
#include "log.h"

struct bus_event {
	sd_bus *bus;
	struct event_base *base;
	struct event *io;       /* the bus fd, EV_PERSIST */
	struct event *deadline; /* sd-bus's timeout */
	int fd;
	short what;             /* EV_READ/EV_WRITE io is assigned with, 0 = not yet */
	bool failed;
	bus_event_failed_fn failed_fn;
	void *userdata;
};

static void on_bus_ready(evutil_socket_t fd, short what, void *userdata);

static void bus_failed(struct bus_event *be, int error)
{
	if (be->failed)
		return;
	be->failed = true;
	event_del(be->io);
	event_del(be->deadline);
	log_error_errno(error, "D-Bus connection failed: %m");
	if (be->failed_fn)
		be->failed_fn(be->userdata, error);
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int arm(struct bus_event *be)
{
	uint64_t until;
	short what = EV_PERSIST;
	int events, r;

	events = sd_bus_get_events(be->bus);
	if (events < 0)
		return events;
	if (events & POLLIN)
		what |= EV_READ;
	if (events & POLLOUT)
		what |= EV_WRITE;
	if (what != be->what) {
		/* A pending event's events cannot change in place. */
		event_del(be->io);
		if (event_assign(be->io, be->base, be->fd, what, on_bus_ready, be) < 0)
			return -EINVAL;
		if (event_add(be->io, NULL) < 0)
			return -ENOMEM;
		be->what = what;
	}

	/* Absolute CLOCK_MONOTONIC usec; UINT64_MAX: none; 0: work already queued. */
	r = sd_bus_get_timeout(be->bus, &until);
	if (r < 0)
		return r;
	if (until == UINT64_MAX) {
		event_del(be->deadline);
	} else {
		uint64_t now = now_usec();
		uint64_t rel = until > now ? until - now : 0;
		struct timeval tv = {
			.tv_sec = (time_t)(rel / 1000000u),
			.tv_usec = (suseconds_t)(rel % 1000000u),
		};

		/* Replaces the timer's previous expiry, if any. */
		if (event_add(be->deadline, &tv) < 0)
			return -ENOMEM;
	}
	return 0;
}

static void on_bus_ready(evutil_socket_t fd, short what, void *userdata)
{
	struct bus_event *be = userdata;
	int r;

	do {
		r = sd_bus_process(be->bus, NULL);
		if (r < 0) {
			bus_failed(be, r);
			return;
		}
	} while (r > 0 && !be->failed);
	if (be->failed)
		return;
	r = arm(be);
	if (r < 0)
		bus_failed(be, r);
}

int bus_event_kick(struct bus_event *be)
{
	int r;

	if (be->failed)
		return -ENOTCONN;
	r = arm(be);
	if (r < 0)
		bus_failed(be, r);
	return r;
}

int bus_event_new(struct bus_event **ret, struct event_base *base, sd_bus *bus,
		  bus_event_failed_fn failed, void *userdata)
{
	_cleanup_(bus_event_freep) struct bus_event *be = NULL;
	int r;

	be = calloc(1, sizeof(*be));
	if (!be)
		return log_error_errno(ENOMEM, "Failed to allocate the D-Bus events: %m");
	be->bus = sd_bus_ref(bus);
	be->base = base;
	be->failed_fn = failed;
	be->userdata = userdata;
	be->fd = sd_bus_get_fd(bus);
	if (be->fd < 0)
		return log_error_errno(be->fd, "Failed to get the D-Bus connection's fd: %m");
	/* Assigned for real by arm(): be->what = 0 never matches. */
	be->io = event_new(base, be->fd, EV_READ | EV_PERSIST, on_bus_ready, be);
	be->deadline = evtimer_new(base, on_bus_ready, be);
	if (!be->io || !be->deadline)
		return log_error_errno(ENOMEM, "Failed to allocate the D-Bus events: %m");

	r = arm(be);
	if (r < 0)
		return log_error_errno(r, "Failed to watch the D-Bus connection: %m");
	*ret = TAKE_PTR(be);
	return 0;
}

void bus_event_free(struct bus_event *be)
{
	if (!be)
		return;
	if (be->io)
		event_free(be->io);
	if (be->deadline)
		event_free(be->deadline);
	sd_bus_unref(be->bus);
	free(be);
}
