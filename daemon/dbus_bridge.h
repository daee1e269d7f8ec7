/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The upstream half of a channel: each complete KCS request becomes one
 * asynchronous xyz.openbmc_project.Ipmi.Server.execute call (docs/design.md
 * section 5) on the upstream connection (upstream.h) with its own timeout,
 * and the reply, or the completion code standing in for a failed call
 * (section 7), goes back through the sink (the channel, which hands it to
 * its state machine).
 *
 * A channel has at most one call in flight. Cancelling it makes the
 * upstream connection forget the call, so its answer can never reach the
 * host.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <event2/event.h>
#include <systemd/sd-bus.h>

#include "dbus_names.h"
#include "kcs_sm.h"
#include "upstream.h"

/* What a request said about itself: all a failure may log. */
struct ipmi_request_hdr {
	uint8_t netfn;
	uint8_t lun;
	uint8_t cmd;
	size_t len;             /* whole request, NetFn/LUN and Cmd included */
};

/* One counter per enum bridge_failure, and the replies not from the service. */
struct dbus_bridge_counters {
	uint64_t upstream_timeouts;
	uint64_t upstream_no_service;
	uint64_t upstream_vanished;
	uint64_t upstream_bus_errors;
	uint64_t upstream_service_errors;
	uint64_t foreign_replies;
};

/*
 * Where answers go. @answer gets the request's id, the completion code and
 * the data (the header is the request's own, echoed by the state machine)
 * and returns as kcs_sm_respond_data(): 0, -ESTALE, -EMSGSIZE.
 */
struct dbus_bridge_sink {
	int (*answer)(void *userdata, uint32_t id, uint8_t cc, const uint8_t *data, size_t len);
	void *userdata;
	size_t limit;                /* largest response, bytes, for messages */
};

struct dbus_bridge {
	struct upstream *upstream;
	struct dbus_bridge_sink sink;
	const char *label;           /* "ch3 ipmi_kcs3", for messages */
	struct timeval timeout;
	struct event *timer;         /* the deadline of the call in flight */
	struct upstream_call call;   /* call.cookie != 0: a call in flight */
	uint32_t id;                 /* its state machine request id */
	bool foreign_logged;         /* a foreign reply to this call was logged */
	struct ipmi_request_hdr req;
	struct dbus_bridge_counters counters;
};

/* @upstream and @label must outlive the bridge. */
int dbus_bridge_init(struct dbus_bridge *b, struct upstream *upstream, struct event_base *base,
		     const struct dbus_bridge_sink *sink, const char *label, unsigned int timeout_ms);
/* Cancels the call in flight. */
void dbus_bridge_done(struct dbus_bridge *b);

/*
 * Send request @id upstream. When the call cannot even be sent, or its
 * timeout cannot be armed (the call is then cancelled), the request is
 * answered at once with the bus-error code (BRIDGE_FAIL_BUS) and the error
 * returned.
 */
int dbus_bridge_execute(struct dbus_bridge *b, uint32_t id, const uint8_t *msg, size_t len);
/* Request @id was dropped by the state machine: forget its call. */
void dbus_bridge_cancel(struct dbus_bridge *b, uint32_t id);

/* --- pure helpers, unit-tested without a bus --- */

struct ipmi_request_hdr ipmi_request_hdr(const uint8_t *msg, size_t len);

/*
 * Why a call brought no answer for the host; the choice of codes is
 * explained in docs/design.md section 7.
 */
enum bridge_failure {
	BRIDGE_FAIL_TIMEOUT,     /* no answer within --timeout: 0xC3 */
	BRIDGE_FAIL_NO_SERVICE,  /* nobody owned the IPMI service's name, the call went nowhere: 0xD5 */
	BRIDGE_FAIL_VANISHED,    /* the service left the bus with the call unanswered: 0xCE */
	BRIDGE_FAIL_BUS,         /* the bus refused the call or could not take it: 0xD3 */
	BRIDGE_FAIL_SERVICE,     /* the service answered with a D-Bus error or a malformed reply: 0xFF */
};

/*
 * Classify an error reply: @from_bus when the bus daemon sent it, else the
 * service did (whatever the error's name says). NULL: an unnamed error.
 */
enum bridge_failure bridge_classify_error(const char *error_name, bool from_bus);
/* The completion code the host gets for @f. */
uint8_t bridge_failure_cc(enum bridge_failure f);

/* True when the reply's NetFn/Cmd agree with the request (request or response NetFn). */
bool bridge_reply_matches(const struct ipmi_request_hdr *req, uint8_t netfn, uint8_t cmd);
