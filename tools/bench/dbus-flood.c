// SPDX-License-Identifier: Apache-2.0
/*
 * dbus-flood: what any local user may do to a channel object under the
 * shipped D-Bus policy, as fast as the bus lets it: N connections, each
 * keeping W calls in flight to the channel's object, rotating through
 * Properties.GetAll (org.kcs_uio.Channel1), Introspectable.Introspect and
 * Peer.Ping. Every answer, or error, is counted and replaced by a new call
 * at once. It prints what it got once a second; nothing here is an
 * assertion, the point is what happens to the host meanwhile.
 *
 * W defaults to 100, a little under dbus-daemon's max_replies_per_connection
 * on a system bus (128): every connection holds about as many calls as the
 * bus allows, and the bus refuses none (each refusal is a log line of the
 * bus's and would measure the bus's logging instead).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "cleanup.h"
#include "mono_clock.h"
#include "config.h"
#include "bus_open.h"
#include "dbus_names.h"
#include "log.h"
#include "opt_parse.h"

#define PROG "dbus-flood"

#define CONNECTIONS_MAX 4096u
#define WINDOW_MAX 100000u
#define SECONDS_MAX 86400u
#define ERROR_KINDS 8

struct flood_options {
	const char *bus;
	const char *channel;
	uint64_t connections;
	uint64_t window;
	uint64_t seconds;
};

/* Calls that came back with an error, by error name (the first few names). */
struct error_count {
	char name[96];
	uint64_t n;
};

struct flood {
	sd_event *event;
	sd_bus **buses;
	size_t n_buses;
	char dest[256];
	char path[256];
	uint64_t answered, answered_last;
	uint64_t failed, failed_last;
	uint64_t disconnected;
	struct error_count errors[ERROR_KINDS];
	uint64_t started_us, last_us;
	unsigned int next_method;
};

static int send_one(struct flood *f, sd_bus *bus);

static void count_error(struct flood *f, const char *name)
{
	f->failed++;
	for (size_t i = 0; i < ERROR_KINDS; i++) {
		if (f->errors[i].n == 0)
			snprintf(f->errors[i].name, sizeof(f->errors[i].name), "%s", name);
		if (strcmp(f->errors[i].name, name) == 0) {
			f->errors[i].n++;
			return;
		}
	}
}

static int on_answer(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct flood *f = userdata;
	sd_bus *bus = sd_bus_message_get_bus(m);
	const sd_bus_error *e = sd_bus_message_get_error(m);
	int r;

	if (e)
		count_error(f, e->name ? e->name : "(unnamed error)");
	else
		f->answered++;
	r = send_one(f, bus);
	if (r < 0) {
		/* The connection is gone (the bus may drop a peer): stop using it. */
		f->disconnected++;
		sd_bus_close(bus);
	}
	return 0;
}

static int send_one(struct flood *f, sd_bus *bus)
{
	unsigned int method = f->next_method++ % 3;

	switch (method) {
	case 0:
		return sd_bus_call_method_async(bus, NULL, f->dest, f->path,
						"org.freedesktop.DBus.Properties", "GetAll",
						on_answer, f, "s", CHANNEL_COUNTERS_INTERFACE);
	case 1:
		return sd_bus_call_method_async(bus, NULL, f->dest, f->path,
						"org.freedesktop.DBus.Introspectable", "Introspect",
						on_answer, f, NULL);
	default:
		return sd_bus_call_method_async(bus, NULL, f->dest, f->path,
						"org.freedesktop.DBus.Peer", "Ping",
						on_answer, f, NULL);
	}
}

static void print_errors(const struct flood *f)
{
	for (size_t i = 0; i < ERROR_KINDS && f->errors[i].n; i++)
		printf("%s %s %" PRIu64, i ? "," : " errors:", f->errors[i].name, f->errors[i].n);
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct flood *f = userdata;
	double dt = (double)(usec - f->last_us) / 1e6;
	int r;

	printf("t=%.0fs answered %.0f/s failed %.0f/s",
	       (double)(usec - f->started_us) / 1e6,
	       dt > 0 ? (double)(f->answered - f->answered_last) / dt : 0,
	       dt > 0 ? (double)(f->failed - f->failed_last) / dt : 0);
	print_errors(f);
	printf("\n");
	fflush(stdout);
	f->answered_last = f->answered;
	f->failed_last = f->failed;
	f->last_us = usec;
	r = sd_event_source_set_time(s, usec + 1000000u);
	if (r < 0)
		return r;
	return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

static int on_end(sd_event_source *s, uint64_t usec, void *userdata)
{
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

static void flood_done(struct flood *f)
{
	/* No flush: whatever is queued is the flood's, nobody waits for it. */
	for (size_t i = 0; i < f->n_buses; i++)
		sd_bus_close_unref(f->buses[i]);
	free(f->buses);
	sd_event_unref(f->event);
}

static int connect_all(struct flood *f, const struct flood_options *o)
{
	f->buses = calloc(o->connections, sizeof(*f->buses));
	if (!f->buses)
		return log_error_errno(ENOMEM, "Failed to allocate %" PRIu64 " connections: %m", o->connections);
	for (uint64_t i = 0; i < o->connections; i++) {
		sd_bus *bus = NULL;
		const char *unique;
		int r;

		if (bus_open(o->bus, "dbus-flood", &bus) < 0)
			return -EIO;
		f->buses[f->n_buses++] = bus;
		/* One at a time, Hello done: the bus limits half-open connections. */
		r = sd_bus_get_unique_name(bus, &unique);
		if (r < 0)
			return log_error_errno(r, "Connection %" PRIu64 " was refused by the bus: %m", i + 1);
		r = sd_bus_attach_event(bus, f->event, SD_EVENT_PRIORITY_NORMAL);
		if (r < 0)
			return log_error_errno(r, "Failed to attach connection %" PRIu64 ": %m", i + 1);
	}
	return 0;
}

static int flood_run(const struct flood_options *o)
{
	_cleanup_(flood_done) struct flood f = { 0 };
	int r;

	snprintf(f.dest, sizeof(f.dest), CHANNEL_BUS_NAME_PREFIX "%s", o->channel);
	snprintf(f.path, sizeof(f.path), CHANNEL_OBJECT_PATH_PREFIX "%s", o->channel);
	r = sd_event_default(&f.event);
	if (r < 0)
		return log_error_errno(r, "Failed to create the event loop: %m");
	r = sd_event_add_signal(f.event, NULL, SIGTERM | SD_EVENT_SIGNAL_PROCMASK, on_signal, NULL);
	if (r >= 0)
		r = sd_event_add_signal(f.event, NULL, SIGINT | SD_EVENT_SIGNAL_PROCMASK, on_signal, NULL);
	if (r < 0)
		return log_error_errno(r, "Failed to watch SIGTERM/SIGINT: %m");

	r = connect_all(&f, o);
	if (r < 0)
		return r;
	for (size_t i = 0; i < f.n_buses; i++)
		for (uint64_t w = 0; w < o->window; w++) {
			r = send_one(&f, f.buses[i]);
			if (r < 0)
				return log_error_errno(r, "Failed to send on connection %zu: %m", i + 1);
		}

	f.started_us = f.last_us = mono_clock_us();
	r = sd_event_add_time(f.event, NULL, CLOCK_MONOTONIC, f.started_us + 1000000u, 0, on_tick, &f);
	if (r >= 0 && o->seconds)
		r = sd_event_add_time(f.event, NULL, CLOCK_MONOTONIC,
				      f.started_us + o->seconds * 1000000u, 0, on_end, &f);
	if (r < 0)
		return log_error_errno(r, "Failed to add a timer: %m");
	printf("READY %zu connections, %" PRIu64 " calls in flight each, to %s %s\n",
	       f.n_buses, o->window, f.dest, f.path);
	fflush(stdout);

	r = sd_event_loop(f.event);
	if (r < 0)
		return log_error_errno(r, "Event loop failed: %m");
	printf("total: answered %" PRIu64 ", failed %" PRIu64 ", connections lost %" PRIu64,
	       f.answered, f.failed, f.disconnected);
	print_errors(&f);
	printf(" in %.1f s\n", (double)(mono_clock_us() - f.started_us) / 1e6);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: dbus-flood --bus ADDRESS --channel NAME [--connections N] [--window W] [--seconds S]\n"
		"Keep W calls in flight on each of N connections to channel NAME's object\n"
		"(Properties.GetAll, Introspect, Ping in turn) and print the answers per second.\n"
		"\n"
		"  -B, --bus BUS          system, session, or a D-Bus address\n"
		"  -c, --channel NAME     the channel name, e.g. ipmi_kcs3\n"
		"  -n, --connections N    connections (default 240)\n"
		"  -w, --window W         calls in flight per connection (default 100)\n"
		"  -s, --seconds S        stop after S seconds (default 0: at SIGTERM/SIGINT)\n"
		"  -h, --help; -V, --version\n"
		"Prints READY once every connection is up and its calls are sent.\n");
}

static int parse_options(int argc, char **argv, struct flood_options *o)
{
	static const struct option longopts[] = {
		{ "bus",         required_argument, NULL, 'B' },
		{ "channel",     required_argument, NULL, 'c' },
		{ "connections", required_argument, NULL, 'n' },
		{ "window",      required_argument, NULL, 'w' },
		{ "seconds",     required_argument, NULL, 's' },
		{ "help",        no_argument,       NULL, 'h' },
		{ "version",     no_argument,       NULL, 'V' },
		{ 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "B:c:n:w:s:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'B':
			if (opt_bus(PROG, optarg, &o->bus) < 0)
				return -EINVAL;
			break;
		case 'c':
			if (!channel_name_valid(optarg)) {
				fprintf(stderr, PROG ": --channel: a channel name is 1 to %u of [A-Za-z0-9_], not starting with a digit\n",
					CHANNEL_NAME_MAX);
				return -EINVAL;
			}
			o->channel = optarg;
			break;
		case 'n':
			if (opt_u64(PROG, "--connections", optarg, 1, CONNECTIONS_MAX, &o->connections) < 0)
				return -EINVAL;
			break;
		case 'w':
			if (opt_u64(PROG, "--window", optarg, 1, WINDOW_MAX, &o->window) < 0)
				return -EINVAL;
			break;
		case 's':
			if (opt_u64(PROG, "--seconds", optarg, 0, SECONDS_MAX, &o->seconds) < 0)
				return -EINVAL;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf(PROG " %s\n", KCS_UIO_VERSION);
			return 1;
		default:
			return -EINVAL;
		}
	}
	if (opt_no_operands(PROG, argc, argv) < 0)
		return -EINVAL;
	if (!o->bus || !o->channel) {
		fprintf(stderr, PROG ": --bus and --channel are required\n");
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct flood_options o = { .connections = 240, .window = 100 };
	int r;

	r = parse_options(argc, argv, &o);
	if (r < 0)
		return 2;
	if (r > 0)
		return 0;
	return flood_run(&o) < 0 ? 1 : 0;
}
