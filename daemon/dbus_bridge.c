// SPDX-License-Identifier: Apache-2.0
#include "dbus_bridge.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "execute_reply.h"
#include "ipmi_cc.h"
#include "log.h"

/* --- pure helpers --- */

struct ipmi_request_hdr ipmi_request_hdr(const uint8_t *msg, size_t len)
{
	return (struct ipmi_request_hdr) {
		.netfn = len > 0 ? msg[0] >> 2 : 0,
		.lun = len > 0 ? msg[0] & 0x3 : 0,
		.cmd = len > 1 ? msg[1] : 0,
		.len = len,
	};
}

enum bridge_failure bridge_classify_error(const char *name, bool from_bus)
{
	/* The service's own errors are its own, even under the bus's names. */
	if (!from_bus)
		return BRIDGE_FAIL_SERVICE;
	if (!name)
		return BRIDGE_FAIL_BUS;
	/* The bus answers NoReply for a callee that disconnected with the call pending. */
	if (strcmp(name, SD_BUS_ERROR_NO_REPLY) == 0)
		return BRIDGE_FAIL_VANISHED;
	if (strcmp(name, SD_BUS_ERROR_SERVICE_UNKNOWN) == 0 ||
	    strcmp(name, SD_BUS_ERROR_NAME_HAS_NO_OWNER) == 0)
		return BRIDGE_FAIL_NO_SERVICE;
	return BRIDGE_FAIL_BUS;
}

uint8_t bridge_failure_cc(enum bridge_failure f)
{
	switch (f) {
	case BRIDGE_FAIL_TIMEOUT:
		return IPMI_CC_TIMEOUT;
	case BRIDGE_FAIL_NO_SERVICE:
		return IPMI_CC_NOT_SUPPORTED_STATE;
	case BRIDGE_FAIL_VANISHED:
		return IPMI_CC_RESPONSE_UNAVAILABLE;
	case BRIDGE_FAIL_BUS:
		return IPMI_CC_DEST_UNAVAILABLE;
	case BRIDGE_FAIL_SERVICE:
		break;
	}
	return IPMI_CC_UNSPECIFIED;
}

bool bridge_reply_matches(const struct ipmi_request_hdr *req, uint8_t netfn, uint8_t cmd)
{
	/* phosphor-host-ipmid echoes the request NetFn; others may send the response's. */
	return cmd == req->cmd && (netfn == req->netfn || netfn == (req->netfn | 1u));
}

/* --- the bridge --- */

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

static void on_reply(struct upstream_call *call, sd_bus_message *m, bool from_bus);
static void on_foreign(struct upstream_call *call, const char *sender);
static void on_timeout(evutil_socket_t fd, short what, void *userdata);

int dbus_bridge_init(struct dbus_bridge *b, struct upstream *upstream, struct event_base *base,
		     const struct dbus_bridge_sink *sink, const char *label, unsigned int timeout_ms)
{
	*b = (struct dbus_bridge) {
		.upstream = upstream,
		.sink = *sink,
		.label = label,
		.timeout = { .tv_sec = timeout_ms / 1000u, .tv_usec = (timeout_ms % 1000u) * 1000 },
		.call = { .reply = on_reply, .foreign = on_foreign },
	};
	b->timer = evtimer_new(base, on_timeout, b);
	if (!b->timer)
		return log_error_errno(ENOMEM, "%s: cannot allocate the upstream timer: %m", label);
	return 0;
}

static void end_call(struct dbus_bridge *b)
{
	upstream_forget(b->upstream, &b->call);
	event_del(b->timer);
}

void dbus_bridge_done(struct dbus_bridge *b)
{
	if (!b->timer)
		return;
	end_call(b);
	event_free(b->timer);
	b->timer = NULL;
}

/* Who the call went to, for messages. */
static const char *callee(const struct dbus_bridge *b)
{
	return *b->call.callee ? b->call.callee : IPMI_HOST_SERVICE;
}

/* Answer the request in flight with a completion code of our own. */
static void answer_failure(struct dbus_bridge *b, enum bridge_failure f, const char *reason)
{
	uint8_t cc = bridge_failure_cc(f);
	uint64_t *counter[] = {
		[BRIDGE_FAIL_TIMEOUT] = &b->counters.upstream_timeouts,
		[BRIDGE_FAIL_NO_SERVICE] = &b->counters.upstream_no_service,
		[BRIDGE_FAIL_VANISHED] = &b->counters.upstream_vanished,
		[BRIDGE_FAIL_BUS] = &b->counters.upstream_bus_errors,
		[BRIDGE_FAIL_SERVICE] = &b->counters.upstream_service_errors,
	};
	int r;

	(*counter[f])++;
	/* netfn, cmd and length identify the request; its data may hold secrets. */
	log_warning("%s: request netfn 0x%02x cmd 0x%02x (%zu bytes) failed: %s; answering 0x%02X (%s)",
		    b->label, b->req.netfn, b->req.cmd, b->req.len, reason, cc, ipmi_cc_name(cc));
	r = b->sink.answer(b->sink.userdata, b->id, cc, NULL, 0);
	if (r == -ESTALE)
		log_warning("%s: answer to netfn 0x%02x cmd 0x%02x dropped: the host moved on",
			    b->label, b->req.netfn, b->req.cmd);
}

static void on_timeout(evutil_socket_t fd, short what, void *userdata)
{
	struct dbus_bridge *b = userdata;
	char reason[UPSTREAM_NAME_MAX + 128];

	end_call(b);
	snprintf(reason, sizeof(reason), "no answer from the IPMI service %s within %lld ms",
		 callee(b), (long long)b->timeout.tv_sec * 1000 + b->timeout.tv_usec / 1000);
	answer_failure(b, BRIDGE_FAIL_TIMEOUT, reason);
}

static void on_foreign(struct upstream_call *call, const char *sender)
{
	struct dbus_bridge *b = container_of(call, struct dbus_bridge, call);

	b->counters.foreign_replies++;
	/* One line per request: a peer repeating its forgery cannot flood the log. */
	if (b->foreign_logged)
		return;
	b->foreign_logged = true;
	log_warning("%s: a reply to netfn 0x%02x cmd 0x%02x came from %s, not from the IPMI service %s: dropped, still waiting for the service",
		    b->label, b->req.netfn, b->req.cmd, *sender ? sender : "an unnamed sender", callee(b));
}

static void on_method_error(struct dbus_bridge *b, sd_bus_message *m, bool from_bus)
{
	const sd_bus_error *e = sd_bus_message_get_error(m);
	const char *name = e && e->name ? e->name : "an unnamed error";
	const char *msg = e && e->message ? e->message : "no message";
	enum bridge_failure f = bridge_classify_error(e ? e->name : NULL, from_bus);
	char reason[2 * UPSTREAM_NAME_MAX + 256];

	switch (f) {
	case BRIDGE_FAIL_NO_SERVICE:
		if (*b->call.callee)
			snprintf(reason, sizeof(reason), "%s, owner of " IPMI_HOST_SERVICE ", was gone before the call reached it (the bus: %s: %.200s)",
				 b->call.callee, name, msg);
		else
			snprintf(reason, sizeof(reason), "IPMI service not running: nobody owns " IPMI_HOST_SERVICE " (the bus: %s: %.200s)",
				 name, msg);
		break;
	case BRIDGE_FAIL_VANISHED:
		snprintf(reason, sizeof(reason), "the IPMI service %s left the bus without answering (the bus: %s: %.200s)",
			 callee(b), name, msg);
		break;
	case BRIDGE_FAIL_BUS:
		snprintf(reason, sizeof(reason), "the bus did not deliver the call to %s (%s: %.200s)",
			 callee(b), name, msg);
		break;
	default:
		snprintf(reason, sizeof(reason), "the IPMI service %s answered with the error %s: %.200s",
			 sd_bus_message_get_sender(m) ? sd_bus_message_get_sender(m) : callee(b), name, msg);
		break;
	}
	answer_failure(b, f, reason);
}

static void on_reply(struct upstream_call *call, sd_bus_message *m, bool from_bus)
{
	struct dbus_bridge *b = container_of(call, struct dbus_bridge, call);
	struct execute_reply reply;
	char why[384];
	int r;

	event_del(b->timer);
	if (sd_bus_message_is_method_error(m, NULL)) {
		on_method_error(b, m, from_bus);
		return;
	}

	r = execute_reply_decode(m, &reply, why, sizeof(why));
	if (r < 0) {
		char reason[UPSTREAM_NAME_MAX + sizeof(why) + 32];

		snprintf(reason, sizeof(reason), "the IPMI service %s sent a %s", callee(b), why);
		answer_failure(b, BRIDGE_FAIL_SERVICE, reason);
		return;
	}
	if (!bridge_reply_matches(&b->req, reply.netfn, reply.cmd))
		log_warning("%s: reply to netfn 0x%02x cmd 0x%02x claims netfn 0x%02x cmd 0x%02x; answering with the request's",
			    b->label, b->req.netfn, b->req.cmd, reply.netfn, reply.cmd);

	/* The data goes from the message straight into the response buffer. */
	r = b->sink.answer(b->sink.userdata, b->id, reply.cc, reply.data, reply.data_len);
	if (r == -EMSGSIZE) {
		log_warning("%s: response to netfn 0x%02x cmd 0x%02x (%zu bytes) is %zu bytes, over the %zu byte buffer; answering 0x%02X (%s)",
			    b->label, b->req.netfn, b->req.cmd, b->req.len, 3 + reply.data_len,
			    b->sink.limit, IPMI_CC_RESP_TOO_LONG, ipmi_cc_name(IPMI_CC_RESP_TOO_LONG));
	} else if (r == -ESTALE) {
		log_warning("%s: response to netfn 0x%02x cmd 0x%02x dropped: the host moved on",
			    b->label, b->req.netfn, b->req.cmd);
	} else if (r < 0) {
		log_warning_errno(r, "%s: response to netfn 0x%02x cmd 0x%02x rejected: %m",
				  b->label, b->req.netfn, b->req.cmd);
	} else {
		log_debug("%s: response netfn 0x%02x cmd 0x%02x cc 0x%02x (%zu bytes)",
			  b->label, b->req.netfn, b->req.cmd, reply.cc, 3 + reply.data_len);
	}
}

static int send_execute(struct dbus_bridge *b, const uint8_t *msg, size_t len)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	int r;

	r = upstream_new_execute(b->upstream, &m);
	if (r < 0)
		return r;
	r = sd_bus_message_append(m, "yyy", b->req.netfn, b->req.lun, b->req.cmd);
	if (r < 0)
		return r;
	r = sd_bus_message_append_array(m, 'y', msg + 2, len - 2);
	if (r < 0)
		return r;
	/* Options: kcsbridged sends none, and so do we. */
	r = sd_bus_message_append(m, "a{sv}", 0);
	if (r < 0)
		return r;
	return upstream_send(b->upstream, &b->call, m);
}

int dbus_bridge_execute(struct dbus_bridge *b, uint32_t id, const uint8_t *msg, size_t len)
{
	int r;

	/* The state machine cancels before it hands up; be safe anyway. */
	end_call(b);
	b->id = id;
	b->req = ipmi_request_hdr(msg, len);
	b->foreign_logged = false;

	r = send_execute(b, msg, len);
	if (r < 0) {
		char reason[UPSTREAM_NAME_MAX + 128];

		snprintf(reason, sizeof(reason), "cannot send the call to %s: %s",
			 *upstream_owner(b->upstream) ? upstream_owner(b->upstream) : IPMI_HOST_SERVICE,
			 strerror(-r));
		answer_failure(b, BRIDGE_FAIL_BUS, reason);
		return r;
	}
	/* Without its timer the call could wait for ever: take it back and say so now. */
	if (event_add(b->timer, &b->timeout) < 0) {
		char reason[UPSTREAM_NAME_MAX + 128];

		snprintf(reason, sizeof(reason), "cannot arm the %lld ms timeout of the call to %s (libevent refused the timer); call cancelled",
			 (long long)b->timeout.tv_sec * 1000 + b->timeout.tv_usec / 1000, callee(b));
		end_call(b);
		answer_failure(b, BRIDGE_FAIL_BUS, reason);
		return -EIO;
	}
	return 0;
}

void dbus_bridge_cancel(struct dbus_bridge *b, uint32_t id)
{
	if (!b->call.cookie || b->id != id)
		return;
	end_call(b);
	log_debug("%s: upstream call for netfn 0x%02x cmd 0x%02x cancelled",
		  b->label, b->req.netfn, b->req.cmd);
}
