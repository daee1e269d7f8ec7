// SPDX-License-Identifier: Apache-2.0
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
	struct event *ev;
	int fd;
	short what;             /* EV_READ/EV_WRITE the event is assigned with */
	bool has_deadline;      /* the armed event carries a timeout */
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
	event_del(be->ev);
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
	struct timeval tv, *deadline = NULL;
	uint64_t until;
	short what = 0;
	int events, r;

	events = sd_bus_get_events(be->bus);
	if (events < 0)
		return events;
	if (events & POLLIN)
		what |= EV_READ;
	if (events & POLLOUT)
		what |= EV_WRITE;

	/* Absolute CLOCK_MONOTONIC usec, UINT64_MAX for none; 0 = work queued. */
	r = sd_bus_get_timeout(be->bus, &until);
	if (r < 0)
		return r;
	if (until != UINT64_MAX) {
		uint64_t now = now_usec();
		uint64_t rel = until > now ? until - now : 0;

		tv.tv_sec = (time_t)(rel / 1000000u);
		tv.tv_usec = (suseconds_t)(rel % 1000000u);
		deadline = &tv;
	}

	/*
	 * event_add() on a pending event only replaces its timeout, and only
	 * when given one: a change of events, or dropping a deadline, needs
	 * the event re-assigned.
	 */
	if (what != be->what || (!deadline && be->has_deadline)) {
		event_del(be->ev);
		r = event_assign(be->ev, be->base, be->fd, what, on_bus_ready, be);
		if (r < 0)
			return -EINVAL;
		be->what = what;
	}
	if (event_add(be->ev, deadline) < 0)
		return -ENOMEM;
	be->has_deadline = deadline != NULL;
	return 0;
}

static void on_bus_ready(evutil_socket_t fd, short what, void *userdata)
{
	struct bus_event *be = userdata;
	int r;

	/* Not persistent: nothing is armed until arm() runs again. */
	be->has_deadline = false;
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
		return log_error_errno(ENOMEM, "Failed to allocate the D-Bus event: %m");
	be->bus = sd_bus_ref(bus);
	be->base = base;
	be->failed_fn = failed;
	be->userdata = userdata;
	be->fd = sd_bus_get_fd(bus);
	if (be->fd < 0)
		return log_error_errno(be->fd, "Failed to get the D-Bus connection's fd: %m");
	be->what = EV_READ;
	be->ev = event_new(base, be->fd, be->what, on_bus_ready, be);
	if (!be->ev)
		return log_error_errno(ENOMEM, "Failed to allocate the D-Bus event: %m");

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
	if (be->ev)
		event_free(be->ev);
	sd_bus_unref(be->bus);
	free(be);
}
