// SPDX-License-Identifier: Apache-2.0
/*
 * The loop: the bus, signals and the service manager, and every device of
 * the controller with its channels (device.c serves them: the interrupt
 * path, burst polling, polled mode). All of it in one thread, so every
 * read-modify-write of the controller's shared registers happens here.
 */
#include "daemon.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <event2/event.h>
#include <systemd/sd-bus.h>

#include "backend.h"
#include "bus_event.h"
#include "bus_open.h"
#include "channel.h"
#include "cleanup.h"
#include "controller_lock.h"
#include "device.h"
#include "log.h"
#include "notify.h"
#include "upstream.h"

/*
 * libevent priorities: the device, the upstream connection, signals and
 * timers share the default one; the served connection (anybody's calls to
 * the channel objects) runs only when none of those has work.
 */
#define PRIORITIES        3
#define PRIORITY_SERVED   2
/* What the served connection may still write at exit before it is closed. */
#define EXIT_FLUSH_USEC   200000u

struct daemon {
	const struct options *opts;
	struct event_base *base;
	sd_bus *bus;                   /* served: the channels' names and objects */
	struct bus_event *bus_event;
	struct upstream *upstream;     /* execute calls, on a connection of their own */
	struct device *devices[OPTIONS_MAX_DEVICES];
	unsigned int n_devices;
	struct controller_locks locks;
	struct channel *channels[OPTIONS_MAX_CHANNELS];
	unsigned int n_channels;
	struct event *sigterm_event;
	struct event *sigint_event;
	struct event *sighup_event;
	struct notify *notify;
	struct event *housekeeping_event;
	bool stopping;
	int error;              /* the failure that ended the loop, 0 for none */
};

/* Leave every channel in ERROR state with its interrupt masked, then end the loop. */
static void daemon_stop(struct daemon *d, int error)
{
	if (d->stopping)
		return;
	d->stopping = true;
	d->error = error;
	if (d->housekeeping_event)
		event_del(d->housekeeping_event);
	if (d->notify)
		notify_stopping(d->notify);
	for (unsigned int i = 0; i < d->n_devices; i++)
		device_stop(d->devices[i]);
	/* Channels of a device that failed to open were never started: a no-op. */
	for (unsigned int i = 0; i < d->n_channels; i++)
		channel_stop(d->channels[i]);
	event_base_loopbreak(d->base);
}

static void on_signal(evutil_socket_t sig, short what, void *userdata)
{
	struct daemon *d = userdata;

	if (sig == SIGHUP) {
		for (unsigned int i = 0; i < d->n_channels; i++)
			channel_log_counters(d->channels[i], LOG_NOTICE);
		return;
	}
	log_info("Received %s, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	daemon_stop(d, 0);
}

static void on_bus_failed(void *userdata, int error)
{
	daemon_stop(userdata, error);
}

static void on_device_failed(void *userdata, int error)
{
	daemon_stop(userdata, error);
}

/* Called by notify_status() and at READY=1. */
static void build_status(void *userdata, char *buf, size_t len)
{
	const struct daemon *d = userdata;
	struct channel_counters sum = { .bridge = { 0 } }, n;

	for (unsigned int i = 0; i < d->n_channels; i++) {
		channel_get_counters(d->channels[i], &n);
		channel_counters_add(&sum, &n);
	}
	snprintf(buf, len, "Serving %u channel%s: %" PRIu64 " requests, %" PRIu64
		 " responses, %" PRIu64 " upstream timeouts, %" PRIu64
		 " upstream errors, %" PRIu64 " host aborts, %" PRIu64 " restarts, %" PRIu64
		 " protocol errors",
		 d->n_channels, d->n_channels == 1 ? "" : "s",
		 sum.sm.requests, sum.sm.responses, sum.bridge.upstream_timeouts,
		 sum.bridge.upstream_no_service + sum.bridge.upstream_vanished +
		 sum.bridge.upstream_bus_errors + sum.bridge.upstream_service_errors,
		 sum.sm.host_aborts, sum.sm.restarts,
		 sum.sm.length_errors + sum.sm.illegal_codes);
}

/*
 * One timer for the slow periodic work, so an idle daemon wakes once per
 * interval for all of it (docs/design.md section 10.3): the idle check for
 * a lost interrupt, and STATUS= for the service manager.
 */
static void on_housekeeping(evutil_socket_t fd, short what, void *userdata)
{
	struct daemon *d = userdata;

	for (unsigned int i = 0; i < d->n_devices; i++)
		device_check_lost_irq(d->devices[i]);
	notify_status(d->notify);
}

/* Only when there is work for it: a service manager listening, or an interrupt to watch. */
static int start_housekeeping(struct daemon *d)
{
	const struct timeval tv = { .tv_sec = NOTIFY_STATUS_INTERVAL_SEC };
	bool needed = notify_listening(d->notify);

	for (unsigned int i = 0; i < d->n_devices; i++)
		if (!device_polled(d->devices[i]))
			needed = true;
	if (!needed)
		return 0;
	d->housekeeping_event = event_new(d->base, -1, EV_PERSIST, on_housekeeping, d);
	if (!d->housekeeping_event)
		return log_error_errno(ENOMEM, "Failed to set up the housekeeping timer: %m");
	if (event_add(d->housekeeping_event, &tv) < 0)
		return log_error_errno(EIO, "Failed to add the housekeeping timer to the loop");
	return 0;
}

static int add_signal(struct daemon *d, struct event **ev, int sig)
{
	*ev = evsignal_new(d->base, sig, on_signal, d);
	if (!*ev || event_add(*ev, NULL) < 0)
		return log_error_errno(ENOMEM, "Failed to watch signal %d: %m", sig);
	return 0;
}

static int open_backend(const struct options *o, const struct device_spec *spec,
			struct kcs_backend **ret)
{
	const struct uio_location loc = {
		.sysfs_root = o->uio_sysfs,
		.dev_dir = o->uio_dev,
	};

	if (spec->kind == DEVICE_SIM)
		return sim_backend_open(ret, spec->path, o->chip);
	return uio_backend_open(ret, spec->path, &loc, o->chip);
}

/* Open device @index, lock its controller, start its channels. */
static int start_device(struct daemon *d, unsigned int index)
{
	const struct options *o = d->opts;
	const struct device_spec *spec = &o->devices[index];
	struct kcs_backend *backend;
	struct device *dev;
	int r;

	r = open_backend(o, spec, &backend);
	if (r < 0)
		return r;  /* logged by the backend */
	if (backend->controller_addr) {
		r = controller_lock(&d->locks, backend->controller_addr, backend->name);
		if (r < 0) {
			kcs_backend_close(backend);
			return r;
		}
	}
	r = device_new(&dev, d->base, backend, spec->polled, o->idle_poll_ms, on_device_failed, d);
	if (r < 0)
		return r;
	d->devices[d->n_devices++] = dev;
	for (unsigned int i = 0; i < d->n_channels; i++) {
		if (o->channels[i].device != index)
			continue;
		r = device_add_channel(dev, d->channels[i]);
		if (r < 0)
			return log_error_errno(r, "%s: cannot add channel %s: %m", backend->name,
					       o->channels[i].arg);
	}
	return device_start(dev);
}

static int daemon_start(struct daemon *d)
{
	_cleanup_(sd_bus_unrefp) sd_bus *upstream_bus = NULL;
	const struct options *o = d->opts;
	int r;

	/* A reader of stderr going away must not take the host's BMC with it. */
	signal(SIGPIPE, SIG_IGN);

	d->base = event_base_new();
	if (!d->base || event_base_priority_init(d->base, PRIORITIES) < 0)
		return log_error_errno(ENOMEM, "Failed to create the event loop: %m");
	r = add_signal(d, &d->sigterm_event, SIGTERM);
	if (r < 0)
		return r;
	r = add_signal(d, &d->sigint_event, SIGINT);
	if (r < 0)
		return r;
	r = add_signal(d, &d->sighup_event, SIGHUP);
	if (r < 0)
		return r;
	r = notify_new(&d->notify, d->base, build_status, d);
	if (r < 0)
		return r;

	/*
	 * Own every name before touching the device: a second daemon started
	 * on the same channel by mistake stops here, before it disturbs the
	 * first one's registers.
	 */
	r = bus_open(o->bus, "kcs-uiod-upstream", &upstream_bus);
	if (r < 0)
		return r;
	r = upstream_new(&d->upstream, d->base, upstream_bus, on_bus_failed, d);
	if (r < 0)
		return r;
	r = bus_open(o->bus, "kcs-uiod", &d->bus);
	if (r < 0)
		return r;
	r = bus_event_new(&d->bus_event, d->base, d->bus, PRIORITY_SERVED, on_bus_failed, d);
	if (r < 0)
		return r;
	for (unsigned int i = 0; i < o->n_channels; i++) {
		r = channel_new(&d->channels[i], &o->channels[i], o->chip, o, d->upstream, d->base);
		if (r < 0)
			return r;
		d->n_channels++;
		r = channel_publish(d->channels[i], d->bus);
		if (r < 0)
			return r;
	}

	for (unsigned int i = 0; i < o->n_devices; i++) {
		r = start_device(d, i);
		if (r < 0)
			return r;
		if (d->stopping)
			return d->error;
	}

	/* The bus may hold queued work from start-up (method calls that arrived meanwhile). */
	r = bus_event_kick(d->bus_event);
	if (r < 0)
		return r;
	r = start_housekeeping(d);
	if (r < 0)
		return r;
	notify_ready(d->notify);
	log_info("Ready: %u channel%s on %u device%s, buffer %u bytes, upstream timeout %u ms, burst polling %s",
		 d->n_channels, d->n_channels == 1 ? "" : "s", d->n_devices, d->n_devices == 1 ? "" : "s",
		 o->buffer_size, o->timeout_ms, o->poll_budget_us ? "on" : "off");
	return 0;
}

static void daemon_free(struct daemon *d)
{
	/* Channels first: stopping one writes its registers through the backend. */
	for (unsigned int i = 0; i < d->n_channels; i++)
		channel_free(d->channels[i]);
	d->n_channels = 0;
	for (unsigned int i = 0; i < d->n_devices; i++)
		device_free(d->devices[i]);
	d->n_devices = 0;
	controller_unlock_all(&d->locks);
	bus_event_free(d->bus_event);
	/* The last method replies, if the bus takes them in time: nobody holds up the exit. */
	bus_close_within(d->bus, EXIT_FLUSH_USEC);
	upstream_free(d->upstream);
	if (d->housekeeping_event)
		event_free(d->housekeeping_event);
	notify_free(d->notify);
	if (d->sigterm_event)
		event_free(d->sigterm_event);
	if (d->sigint_event)
		event_free(d->sigint_event);
	if (d->sighup_event)
		event_free(d->sighup_event);
	if (d->base)
		event_base_free(d->base);
}

int daemon_run(const struct options *o)
{
	struct daemon d = { .opts = o };
	int r;

	r = daemon_start(&d);
	if (r >= 0 && event_base_dispatch(d.base) < 0)
		r = log_error_errno(EIO, "The event loop failed: %m");
	if (r >= 0)
		r = d.error;
	/* A failed start-up still leaves configured channels in ERROR state. */
	daemon_stop(&d, r);
	daemon_free(&d);
	if (r >= 0)
		log_info("Stopped");
	return r;
}
