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
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "cleanup.h"
#include "log.h"
#include "mono_clock.h"

struct bus_event {
	sd_bus *bus;
	struct event_base *base;
	struct event *io;       /* the bus fd, EV_PERSIST */
	struct event *deadline; /* sd-bus's timeout */
	int fd;
	short what;             /* EV_READ/EV_WRITE io is assigned with, 0 = not yet */
	bool failed;
	bool paused;            /* too much queued for writing: not reading */
	uint64_t pauses;        /* since the last warning */
	uint64_t warned_usec;   /* when the last pause was logged, 0 = never */
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

/* Backpressure with hysteresis: stop reading above the limit, resume at half. */
static int update_paused(struct bus_event *be)
{
	uint64_t queued;
	int r;

	r = sd_bus_get_n_queued_write(be->bus, &queued);
	if (r < 0)
		return r;
	if (!be->paused && queued > BUS_EVENT_QUEUED_MAX) {
		uint64_t now = mono_clock_us();

		be->paused = true;
		be->pauses++;
		/* A flood pauses many times a second: one line a minute says it. */
		if (!be->warned_usec || now - be->warned_usec >= 60000000u) {
			const char *name = NULL;

			(void)sd_bus_get_description(be->bus, &name);
			log_warning("D-Bus connection %s: %" PRIu64 " messages waiting to be written; not reading more until half are out (paused %" PRIu64 " time%s since the last such message). Something on the bus calls faster than it takes the answers.",
				    name ? name : "?", queued, be->pauses, be->pauses == 1 ? "" : "s");
			be->warned_usec = now;
			be->pauses = 0;
		}
	} else if (be->paused && queued <= BUS_EVENT_QUEUED_MAX / 2) {
		be->paused = false;
	}
	return 0;
}

static int arm(struct bus_event *be)
{
	uint64_t until;
	short what = EV_PERSIST;
	int events, r;

	events = sd_bus_get_events(be->bus);
	if (events < 0)
		return events;
	r = update_paused(be);
	if (r < 0)
		return r;
	if ((events & POLLIN) && !be->paused)
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
	/* Paused, "work queued" is messages already read: they wait too. */
	if (until == UINT64_MAX || (be->paused && until == 0)) {
		event_del(be->deadline);
	} else {
		uint64_t now = mono_clock_us();
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

	for (unsigned int n = 0; n < BUS_EVENT_BUDGET && !be->failed; n++) {
		r = update_paused(be);
		if (r < 0) {
			bus_failed(be, r);
			return;
		}
		/*
		 * Paused, only a writable socket calls sd_bus_process(): it writes
		 * first and returns, and reads only when it could write nothing.
		 */
		if (be->paused && !(what & EV_WRITE))
			break;
		r = sd_bus_process(be->bus, NULL);
		if (r < 0) {
			bus_failed(be, r);
			return;
		}
		if (r == 0 || be->paused)
			break;
	}
	if (be->failed)
		return;
	/* Anything left (budget spent) shows as a readable fd or a zero deadline. */
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

int bus_event_new(struct bus_event **ret, struct event_base *base, sd_bus *bus, int priority,
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
	if (priority >= 0 && (event_priority_set(be->io, priority) < 0 ||
			      event_priority_set(be->deadline, priority) < 0))
		return log_error_errno(EINVAL, "Failed to give the D-Bus events priority %d: %m", priority);

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

void bus_close_within(sd_bus *bus, uint64_t usec)
{
	uint64_t deadline = mono_clock_us() + usec, queued = 0;

	if (!bus)
		return;
	/* sd_bus_flush() would wait for the last byte, however long a peer takes. */
	while (sd_bus_get_n_queued_write(bus, &queued) >= 0 && queued > 0) {
		struct pollfd p = { .fd = sd_bus_get_fd(bus), .events = POLLOUT };
		uint64_t now = mono_clock_us();

		if (p.fd < 0 || now >= deadline)
			break;
		if (poll(&p, 1, (int)((deadline - now + 999u) / 1000u)) <= 0)
			break;
		/* Writes first; reads only when nothing could be written. */
		if (sd_bus_process(bus, NULL) < 0)
			break;
	}
	if (queued > 0)
		log_notice("Closing a D-Bus connection with %" PRIu64 " message%s unsent after %" PRIu64 " ms",
			   queued, queued == 1 ? "" : "s", usec / 1000u);
	sd_bus_close_unref(bus);
}
