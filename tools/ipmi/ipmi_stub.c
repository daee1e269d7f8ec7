// SPDX-License-Identifier: Apache-2.0
/*
 * ipmi-stub: a stand-in for the IPMI service (phosphor-host-ipmid) that owns
 * xyz.openbmc_project.Ipmi.Host and answers execute with fixed answers and
 * injected faults, so kcs-uiod can be tested against every way an upstream
 * call can go wrong. See README.md for the commands.
 *
 * Delayed and never-answered calls keep a reference to the call message and
 * are answered from a timer (or at exit not at all), so one slow call never
 * holds up the next.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "cleanup.h"
#include "config.h"
#include "host_bus.h"
#include "ipmi_cc.h"
#include "log.h"
#include "opt_parse.h"

#define PROG "ipmi-stub"

#define NETFN_APP 0x06
#define NETFN_OEM 0x30

#define CMD_GET_DEVICE_ID    0x01
#define CMD_GET_SELF_TEST    0x04

/* OEM netfn 0x30: the fault-injection commands. */
#define OEM_ECHO       0x01  /* reply cc 0 with the request data */
#define OEM_DELAY      0x02  /* data[0..1] LE ms, then as OEM_ECHO */
#define OEM_DBUS_ERROR 0x03  /* a D-Bus error instead of a reply */
#define OEM_NO_REPLY   0x04  /* never answer */
#define OEM_MALFORMED  0x05  /* a reply with signature "s" */
#define OEM_OVERSIZE   0x06  /* cc 0 and data[0..1] LE bytes of data */
#define OEM_SERVICE_UNKNOWN 0x07  /* the error ServiceUnknown, from the service itself */
#define OEM_EXIT       0x08  /* leave the bus at once, the call unanswered */

#define STUB_ERROR_NAME SD_BUS_ERROR_FAILED
#define DELAY_MS_MAX 3600000u

/* Get Device ID (IPMI v2.0 section 20.1), data after the cc. */
static const uint8_t stub_device_id[] = {
	0x20,             /* device id */
	0x01,             /* device revision 1; no device SDRs */
	0x01,             /* firmware major 1, device available */
	0x00,             /* firmware minor .00 (BCD) */
	0x02,             /* IPMI version 2.0 */
	0xbf,             /* sensor, SDR, SEL, FRU, event receiver/generator, chassis */
	0xcf, 0xc2, 0x00, /* manufacturer: IANA 49871 (OpenBMC), LS byte first */
	0x55, 0x4b,       /* product id 0x4b55 ("KU"), LS byte first */
	0x00, 0x00, 0x00, 0x00, /* auxiliary firmware revision */
};

/* Get Self Test Results: "no error, all self tests passed". */
static const uint8_t stub_self_test[] = { 0x55, 0x00 };

enum answer_kind {
	ANSWER_REPLY,
	ANSWER_DBUS_ERROR,
	ANSWER_MALFORMED,
	ANSWER_NEVER,
	ANSWER_SERVICE_UNKNOWN,
	ANSWER_EXIT,
};

/* What one call gets back, and when. */
struct answer {
	enum answer_kind kind;
	uint8_t netfn, lun, cmd, cc;
	uint8_t *data;     /* owned */
	size_t len;
	uint64_t delay_us;
};

struct stub;

/* A call answered later (or never): it holds the call message. */
struct deferred {
	struct deferred *prev, *next;
	struct stub *stub;
	sd_bus_message *call;
	sd_event_source *timer;  /* NULL for ANSWER_NEVER */
	struct answer answer;
};

struct stub {
	sd_event *event;
	sd_bus *bus;
	uint64_t delay_us;
	struct deferred *deferred;
};

struct stub_options {
	const char *bus;
	uint64_t delay_ms;
};

static void answer_done(struct answer *a)
{
	free(a->data);
	a->data = NULL;
}

static int answer_set_data(struct answer *a, const uint8_t *data, size_t len)
{
	a->data = malloc(len ? len : 1);
	if (!a->data)
		return -ENOMEM;
	if (len)
		memcpy(a->data, data, len);
	a->len = len;
	return 0;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static int stub_answer_oem(const uint8_t *data, size_t len, struct answer *a)
{
	switch (a->cmd) {
	case OEM_DELAY:
		if (len < 2)
			break;
		a->delay_us = le16(data) * UINT64_C(1000);
		/* fall through */
	case OEM_ECHO:
		return answer_set_data(a, data, len);
	case OEM_DBUS_ERROR:
		a->kind = ANSWER_DBUS_ERROR;
		return 0;
	case OEM_NO_REPLY:
		a->kind = ANSWER_NEVER;
		return 0;
	case OEM_MALFORMED:
		a->kind = ANSWER_MALFORMED;
		return 0;
	case OEM_SERVICE_UNKNOWN:
		a->kind = ANSWER_SERVICE_UNKNOWN;
		return 0;
	case OEM_EXIT:
		a->kind = ANSWER_EXIT;
		return 0;
	case OEM_OVERSIZE:
		if (len < 2)
			break;
		a->len = le16(data);
		a->data = malloc(a->len ? a->len : 1);
		if (!a->data)
			return -ENOMEM;
		/* a recognisable pattern, so a test can check what arrived */
		for (size_t i = 0; i < a->len; i++)
			a->data[i] = (uint8_t)i;
		return 0;
	default:
		a->cc = IPMI_CC_INVALID_COMMAND;
		return 0;
	}
	a->cc = IPMI_CC_REQ_DATA_LEN;
	return 0;
}

/* Decide the answer to one request; a->netfn/lun/cmd are set. */
static int stub_answer(const uint8_t *data, size_t len, struct answer *a)
{
	a->kind = ANSWER_REPLY;
	a->cc = IPMI_CC_OK;

	if (a->netfn == NETFN_OEM)
		return stub_answer_oem(data, len, a);
	if (a->netfn == NETFN_APP && a->cmd == CMD_GET_DEVICE_ID)
		return answer_set_data(a, stub_device_id, sizeof(stub_device_id));
	if (a->netfn == NETFN_APP && a->cmd == CMD_GET_SELF_TEST)
		return answer_set_data(a, stub_self_test, sizeof(stub_self_test));

	a->cc = IPMI_CC_INVALID_COMMAND;
	return 0;
}

static int stub_send(sd_bus_message *call, const struct answer *a)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r;

	switch (a->kind) {
	case ANSWER_DBUS_ERROR:
		return sd_bus_reply_method_errorf(call, STUB_ERROR_NAME,
			"ipmi-stub: injected failure for netfn 0x%02x cmd 0x%02x",
			a->netfn, a->cmd);
	case ANSWER_MALFORMED:
		return sd_bus_reply_method_return(call, "s", "not an IPMI response");
	case ANSWER_SERVICE_UNKNOWN:
		/* An error name the bus uses too: the caller must tell who sent it. */
		return sd_bus_reply_method_errorf(call, SD_BUS_ERROR_SERVICE_UNKNOWN,
			"ipmi-stub: injected ServiceUnknown for netfn 0x%02x cmd 0x%02x",
			a->netfn, a->cmd);
	case ANSWER_NEVER:
	case ANSWER_EXIT:
		return 0;
	case ANSWER_REPLY:
		break;
	}

	/* A caller that asked for no reply gets none (new_method_return refuses). */
	if (!sd_bus_message_get_expect_reply(call))
		return 0;

	r = sd_bus_message_new_method_return(call, &reply);
	if (r < 0)
		return r;
	/* As phosphor-host-ipmid: the response netfn is the request's | 1. */
	r = sd_bus_message_append(reply, "yyyy", (uint8_t)(a->netfn | 1),
				  a->lun, a->cmd, a->cc);
	if (r < 0)
		return r;
	r = sd_bus_message_append_array(reply, 'y', a->data, a->len);
	if (r < 0)
		return r;
	return sd_bus_send(NULL, reply, NULL);
}

static void deferred_free(struct deferred *d)
{
	struct stub *stub = d->stub;

	if (d->prev)
		d->prev->next = d->next;
	else
		stub->deferred = d->next;
	if (d->next)
		d->next->prev = d->prev;

	sd_event_source_disable_unref(d->timer);
	sd_bus_message_unref(d->call);
	answer_done(&d->answer);
	free(d);
}

static int deferred_fire(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct deferred *d = userdata;
	int r;

	r = stub_send(d->call, &d->answer);
	if (r < 0)
		log_warning_errno(r, "Failed to send the delayed answer to netfn 0x%02x cmd 0x%02x: %m",
				  d->answer.netfn, d->answer.cmd);
	deferred_free(d);
	return 0;
}

/* Keep @call and answer it after a->delay_us, or never; takes a->data. */
static int stub_defer(struct stub *stub, sd_bus_message *call, struct answer *a)
{
	_cleanup_free_ struct deferred *d = calloc(1, sizeof(*d));
	int r;

	if (!d)
		return -ENOMEM;

	if (a->kind != ANSWER_NEVER) {
		/* accuracy 1 us: the default would let the timer slip by 250 ms */
		r = sd_event_add_time_relative(stub->event, &d->timer, CLOCK_MONOTONIC,
					       a->delay_us, 1, deferred_fire, d);
		if (r < 0)
			return log_error_errno(r, "Failed to add a reply timer: %m");
	}

	d->stub = stub;
	d->call = sd_bus_message_ref(call);
	d->answer = *a;
	a->data = NULL;
	d->next = stub->deferred;
	if (d->next)
		d->next->prev = d;
	stub->deferred = TAKE_PTR(d);
	return 1;
}

static int stub_execute(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct stub *stub = userdata;
	_cleanup_(answer_done) struct answer a = { 0 };
	const void *data;
	size_t len;
	int r;

	r = sd_bus_message_read(m, "yyy", &a.netfn, &a.lun, &a.cmd);
	if (r < 0)
		return r;
	r = sd_bus_message_read_array(m, 'y', &data, &len);
	if (r < 0)
		return r;
	/* The options dict carries nothing the stub uses. */

	log_debug("execute netfn 0x%02x lun %u cmd 0x%02x, %zu data bytes",
		  a.netfn, a.lun, a.cmd, len);

	r = stub_answer(data, len, &a);
	if (r < 0)
		return log_error_errno(r, "Failed to build the answer to netfn 0x%02x cmd 0x%02x: %m",
				       a.netfn, a.cmd);

	if (a.kind == ANSWER_EXIT) {
		/* Dying mid-call, as a crashing service would: no flush, no answer. */
		log_info("exiting with a call unanswered (OEM 0x%02x)", OEM_EXIT);
		_exit(0);
	}
	if (a.kind != ANSWER_NEVER)
		a.delay_us += stub->delay_us;
	if (a.kind != ANSWER_NEVER && a.delay_us == 0)
		return stub_send(m, &a);
	return stub_defer(stub, m, &a);
}

/*
 * sd-bus holds replies to a vtable method to the declared out signature, so
 * the malformed reply could not be sent from there. execute is therefore
 * dispatched from an object callback, which sees each call before the
 * vtable; the vtable stays for introspection only.
 */
static int stub_message(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	if (!sd_bus_message_is_method_call(m, IPMI_HOST_INTERFACE, IPMI_HOST_EXECUTE))
		return 0;
	if (!sd_bus_message_has_signature(m, IPMI_HOST_EXECUTE_IN))
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "execute takes \"%s\", not \"%s\"", IPMI_HOST_EXECUTE_IN,
					 sd_bus_message_get_signature(m, 1));
	return stub_execute(m, userdata, error);
}

static const sd_bus_vtable stub_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS(IPMI_HOST_EXECUTE,
		SD_BUS_ARGS("y", netfn, "y", lun, "y", cmd, "ay", data, "a{sv}", options),
		SD_BUS_RESULT("y", netfn, "y", lun, "y", cmd, "y", cc, "ay", data),
		stub_execute, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

static void stub_done(struct stub *stub)
{
	/* Calls never answered are dropped here; their callers see the bus close. */
	while (stub->deferred)
		deferred_free(stub->deferred);
	stub->bus = sd_bus_flush_close_unref(stub->bus);
	stub->event = sd_event_unref(stub->event);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

static int stub_run(const struct stub_options *o)
{
	_cleanup_(stub_done) struct stub stub = {
		.delay_us = o->delay_ms * 1000,
	};
	int r;

	r = sd_event_new(&stub.event);
	if (r < 0)
		return log_error_errno(r, "Failed to create the event loop: %m");
	r = sd_event_add_signal(stub.event, NULL, SIGTERM | SD_EVENT_SIGNAL_PROCMASK,
				on_signal, NULL);
	if (r >= 0)
		r = sd_event_add_signal(stub.event, NULL, SIGINT | SD_EVENT_SIGNAL_PROCMASK,
					on_signal, NULL);
	if (r < 0)
		return log_error_errno(r, "Failed to watch SIGTERM/SIGINT: %m");

	r = bus_open(o->bus, "ipmi-stub", &stub.bus);
	if (r < 0)
		return r;
	r = sd_bus_add_object(stub.bus, NULL, IPMI_HOST_PATH, stub_message, &stub);
	if (r >= 0)
		r = sd_bus_add_object_vtable(stub.bus, NULL, IPMI_HOST_PATH, IPMI_HOST_INTERFACE,
					     stub_vtable, &stub);
	if (r < 0)
		return log_error_errno(r, "Failed to add %s on %s: %m",
				       IPMI_HOST_INTERFACE, IPMI_HOST_PATH);
	r = host_bus_own(stub.bus, stub.event, o->bus);
	if (r < 0)
		return r;

	printf("READY\n");
	fflush(stdout);

	r = sd_event_loop(stub.event);
	if (r < 0)
		return log_error_errno(r, "Event loop failed: %m");
	if (r != 0)
		return log_error_errno(ECONNRESET, "Lost the bus '%s'", o->bus);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ipmi-stub [--bus system|session|ADDRESS] [--delay-ms MS] [--log-level LEVEL]\n"
		"Own %s and answer execute like a tiny IPMI service.\n"
		"\n"
		"  -B, --bus BUS       system (default), session, or a D-Bus address\n"
		"  -d, --delay-ms MS   delay every reply by MS milliseconds (default 0)\n"
		"  -l, --log-level L   err|warning|notice|info|debug (default info;\n"
		"                      debug logs each call's netfn/cmd/length)\n"
		"  -h, --help          show this help\n"
		"  -V, --version       show the version\n"
		"\n"
		"Answers: 06/01 Get Device ID, 06/04 Get Self Test Results; OEM netfn 0x30:\n"
		"  01 echo data, 02 delay data[0..1] LE ms then echo, 03 D-Bus error,\n"
		"  04 never reply, 05 malformed reply (\"s\"), 06 reply data[0..1] LE bytes,\n"
		"  07 the error ServiceUnknown (sent by the stub itself), 08 exit at once unanswered;\n"
		"  anything else cc 0xc1. Prints READY once the name is owned.\n",
		IPMI_HOST_SERVICE);
}

/* Returns 0, 1 for "done, exit 0" (help, version), or -EINVAL (usage). */
static int parse_options(int argc, char **argv, struct stub_options *o)
{
	static const struct option longopts[] = {
		{ "bus",      required_argument, NULL, 'B' },
		{ "delay-ms", required_argument, NULL, 'd' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help",     no_argument,       NULL, 'h' },
		{ "version",  no_argument,       NULL, 'V' },
		{ 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "B:d:l:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'B':
			if (opt_bus(PROG, optarg, &o->bus) < 0)
				return -EINVAL;
			break;
		case 'd':
			if (opt_u64(PROG, "--delay-ms", optarg, 0, DELAY_MS_MAX, &o->delay_ms) < 0)
				return -EINVAL;
			break;
		case 'l':
			if (opt_log_level(PROG, optarg) < 0)
				return -EINVAL;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf(PROG " %s\n", KCS_UIO_VERSION);
			return 1;
		default:
			/* getopt printed which option */
			return -EINVAL;
		}
	}
	return opt_no_operands(PROG, argc, argv);
}

int main(int argc, char **argv)
{
	struct stub_options o = { .bus = "system" };
	int r;

	r = parse_options(argc, argv, &o);
	if (r < 0)
		return 2;
	if (r > 0)
		return 0;
	return stub_run(&o) < 0 ? 1 : 0;
}
