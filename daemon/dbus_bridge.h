/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The upstream half of a channel: each complete KCS request becomes one
 * asynchronous xyz.openbmc_project.Ipmi.Server.execute call (docs/design.md
 * section 5) with its own timeout, and the reply, or the completion code
 * standing in for a failed call (section 7), goes back to the state machine.
 *
 * A channel has at most one call in flight. Cancelling it releases the
 * call's slot, so sd-bus discards the reply and it can never reach the host.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "dbus_names.h"
#include "kcs_sm.h"

struct bus_event;

/* What a request said about itself: all a failure may log. */
struct ipmi_request_hdr {
	uint8_t netfn;
	uint8_t lun;
	uint8_t cmd;
	size_t len;             /* whole request, NetFn/LUN and Cmd included */
};

struct dbus_bridge_counters {
	uint64_t upstream_timeouts;  /* answered 0xC3 */
	uint64_t upstream_errors;    /* absent service, D-Bus errors, malformed replies */
};

struct dbus_bridge {
	sd_bus *bus;
	struct bus_event *bus_event;
	struct kcs_sm *sm;
	const char *label;           /* "ch3 ipmi_kcs3", for messages */
	uint64_t timeout_usec;
	sd_bus_slot *slot;           /* the call in flight, or NULL */
	uint32_t id;                 /* its state machine request id */
	struct ipmi_request_hdr req;
	struct dbus_bridge_counters counters;
	/* One byte past the largest buffer, so an oversize reply stays oversize. */
	uint8_t rsp[KCS_BUF_MAX + 1];
};

/* Takes a reference on @bus. @label must outlive the bridge. */
void dbus_bridge_init(struct dbus_bridge *b, sd_bus *bus, struct bus_event *be,
		      struct kcs_sm *sm, const char *label, unsigned int timeout_ms);
/* Cancels the call in flight and drops the bus reference. */
void dbus_bridge_done(struct dbus_bridge *b);

/*
 * Send request @id upstream. When the call cannot even be sent the request
 * is answered at once (0xFF) and the error returned.
 */
int dbus_bridge_execute(struct dbus_bridge *b, uint32_t id, const uint8_t *msg, size_t len);
/* Request @id was dropped by the state machine: forget its call. */
void dbus_bridge_cancel(struct dbus_bridge *b, uint32_t id);

/* --- pure helpers, unit-tested without a bus --- */

struct ipmi_request_hdr ipmi_request_hdr(const uint8_t *msg, size_t len);

/*
 * Build the KCS response to @req: (NetFn|1)<<2 | LUN, Cmd, @cc, @data.
 * The request's NetFn/LUN/Cmd are echoed whatever the reply said. Returns
 * the length written; when the response does not fit @out_size the data
 * is cut at @out_size, so the result still exceeds any buffer limit below
 * @out_size. @out_size must be at least 3.
 */
size_t bridge_build_response(const struct ipmi_request_hdr *req, uint8_t cc,
			     const uint8_t *data, size_t data_len,
			     uint8_t *out, size_t out_size);

enum bridge_failure {
	BRIDGE_FAIL_TIMEOUT,         /* no answer in time: 0xC3 */
	BRIDGE_FAIL_NO_SERVICE,      /* nobody owns the IPMI name: 0xFF */
	BRIDGE_FAIL_ERROR,           /* any other D-Bus error: 0xFF */
	BRIDGE_FAIL_MALFORMED,       /* reply of the wrong signature: 0xFF */
};

/* Classify a D-Bus error name (NULL: unknown error). */
enum bridge_failure bridge_classify_error(const char *error_name);
/* The completion code the host gets for @f. */
uint8_t bridge_failure_cc(enum bridge_failure f);

/* True when the reply's NetFn/Cmd agree with the request (request or response NetFn). */
bool bridge_reply_matches(const struct ipmi_request_hdr *req, uint8_t netfn, uint8_t cmd);
