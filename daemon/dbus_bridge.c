// SPDX-License-Identifier: Apache-2.0
#include "dbus_bridge.h"

#include <errno.h>
#include <string.h>

#include "bus_event.h"
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

size_t bridge_build_response(const struct ipmi_request_hdr *req, uint8_t cc,
			     const uint8_t *data, size_t data_len,
			     uint8_t *out, size_t out_size)
{
	size_t n = data_len;

	/* Whatever upstream said, the host gets the header it asked about. */
	out[0] = (uint8_t)((req->netfn | 1u) << 2 | req->lun);
	out[1] = req->cmd;
	out[2] = cc;
	if (n > out_size - 3)
		n = out_size - 3;
	if (n > 0)
		memcpy(out + 3, data, n);
	return 3 + n;
}

enum bridge_failure bridge_classify_error(const char *name)
{
	if (!name)
		return BRIDGE_FAIL_ERROR;
	if (strcmp(name, SD_BUS_ERROR_TIMEOUT) == 0 || strcmp(name, SD_BUS_ERROR_NO_REPLY) == 0)
		return BRIDGE_FAIL_TIMEOUT;
	if (strcmp(name, SD_BUS_ERROR_SERVICE_UNKNOWN) == 0 ||
	    strcmp(name, SD_BUS_ERROR_NAME_HAS_NO_OWNER) == 0)
		return BRIDGE_FAIL_NO_SERVICE;
	return BRIDGE_FAIL_ERROR;
}

uint8_t bridge_failure_cc(enum bridge_failure f)
{
	return f == BRIDGE_FAIL_TIMEOUT ? IPMI_CC_TIMEOUT : IPMI_CC_UNSPECIFIED;
}

bool bridge_reply_matches(const struct ipmi_request_hdr *req, uint8_t netfn, uint8_t cmd)
{
	/* phosphor-host-ipmid echoes the request NetFn; others may send the response's. */
	return cmd == req->cmd && (netfn == req->netfn || netfn == (req->netfn | 1u));
}

/* --- the bridge --- */

void dbus_bridge_init(struct dbus_bridge *b, sd_bus *bus, struct bus_event *be,
		      struct kcs_sm *sm, const char *label, unsigned int timeout_ms)
{
	*b = (struct dbus_bridge) {
		.bus = sd_bus_ref(bus),
		.bus_event = be,
		.sm = sm,
		.label = label,
		.timeout_usec = (uint64_t)timeout_ms * 1000u,
	};
}

void dbus_bridge_done(struct dbus_bridge *b)
{
	b->slot = sd_bus_slot_unref(b->slot);
	b->bus = sd_bus_unref(b->bus);
}

/* Answer the request in flight with a completion code of our own. */
static void answer_failure(struct dbus_bridge *b, enum bridge_failure f, const char *reason)
{
	uint8_t cc = bridge_failure_cc(f);
	int r;

	if (f == BRIDGE_FAIL_TIMEOUT)
		b->counters.upstream_timeouts++;
	else
		b->counters.upstream_errors++;

	/* netfn, cmd and length identify the request; its data may hold secrets. */
	log_warning("%s: request netfn 0x%02x cmd 0x%02x (%zu bytes) failed: %s; answering 0x%02X (%s)",
		    b->label, b->req.netfn, b->req.cmd, b->req.len, reason, cc, ipmi_cc_name(cc));
	r = kcs_sm_respond_cc(b->sm, b->id, cc);
	if (r == -ESTALE)
		log_warning("%s: answer to netfn 0x%02x cmd 0x%02x dropped: the host moved on",
			    b->label, b->req.netfn, b->req.cmd);
}

static void on_method_error(struct dbus_bridge *b, sd_bus_message *m)
{
	const sd_bus_error *e = sd_bus_message_get_error(m);
	const char *name = e ? e->name : NULL;
	enum bridge_failure f = bridge_classify_error(name);
	char reason[256];

	switch (f) {
	case BRIDGE_FAIL_TIMEOUT:
		snprintf(reason, sizeof(reason), "no answer from " IPMI_HOST_SERVICE " within %llu ms (%s: %s)",
			 (unsigned long long)(b->timeout_usec / 1000u), name,
			 e && e->message ? e->message : "no message");
		break;
	case BRIDGE_FAIL_NO_SERVICE:
		snprintf(reason, sizeof(reason), "IPMI service not running (nobody owns " IPMI_HOST_SERVICE ")");
		break;
	default:
		snprintf(reason, sizeof(reason), "%s: %s", name ? name : "unknown D-Bus error",
			 e && e->message ? e->message : "no message");
		break;
	}
	answer_failure(b, f, reason);
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct dbus_bridge *b = userdata;
	struct execute_reply reply;
	char reason[384];
	size_t len;
	int r;

	/* The call is over; the slot would only keep the callback registered. */
	b->slot = sd_bus_slot_unref(b->slot);

	if (sd_bus_message_is_method_error(m, NULL)) {
		on_method_error(b, m);
		return 0;
	}

	r = execute_reply_decode(m, &reply, reason, sizeof(reason));
	if (r < 0) {
		answer_failure(b, BRIDGE_FAIL_MALFORMED, reason);
		return 0;
	}
	if (!bridge_reply_matches(&b->req, reply.netfn, reply.cmd))
		log_warning("%s: reply to netfn 0x%02x cmd 0x%02x claims netfn 0x%02x cmd 0x%02x; answering with the request's",
			    b->label, b->req.netfn, b->req.cmd, reply.netfn, reply.cmd);

	len = bridge_build_response(&b->req, reply.cc, reply.data, reply.data_len, b->rsp, sizeof(b->rsp));
	r = kcs_sm_respond(b->sm, b->id, b->rsp, len);
	if (r == -EMSGSIZE) {
		log_warning("%s: response to netfn 0x%02x cmd 0x%02x (%zu bytes) is %zu bytes, over the %zu byte buffer; answering 0x%02X (%s)",
			    b->label, b->req.netfn, b->req.cmd, b->req.len, 3 + reply.data_len,
			    b->sm->limit, IPMI_CC_RESP_TOO_LONG, ipmi_cc_name(IPMI_CC_RESP_TOO_LONG));
	} else if (r == -ESTALE) {
		log_warning("%s: response to netfn 0x%02x cmd 0x%02x dropped: the host moved on",
			    b->label, b->req.netfn, b->req.cmd);
	} else if (r < 0) {
		log_warning_errno(r, "%s: response to netfn 0x%02x cmd 0x%02x rejected: %m",
				  b->label, b->req.netfn, b->req.cmd);
	} else {
		log_debug("%s: response netfn 0x%02x cmd 0x%02x cc 0x%02x (%zu bytes)",
			  b->label, b->req.netfn, b->req.cmd, reply.cc, len);
	}
	return 0;
}

static int send_execute(struct dbus_bridge *b, const uint8_t *msg, size_t len)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	int r;

	r = sd_bus_message_new_method_call(b->bus, &m, IPMI_HOST_SERVICE, IPMI_HOST_PATH,
					   IPMI_HOST_INTERFACE, IPMI_HOST_EXECUTE);
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
	return sd_bus_call_async(b->bus, &b->slot, m, on_reply, b, b->timeout_usec);
}

int dbus_bridge_execute(struct dbus_bridge *b, uint32_t id, const uint8_t *msg, size_t len)
{
	int r;

	/* The state machine cancels before it hands up; be safe anyway. */
	b->slot = sd_bus_slot_unref(b->slot);
	b->id = id;
	b->req = ipmi_request_hdr(msg, len);

	r = send_execute(b, msg, len);
	if (r < 0) {
		char reason[128];

		snprintf(reason, sizeof(reason), "cannot call " IPMI_HOST_SERVICE ": %s", strerror(-r));
		answer_failure(b, BRIDGE_FAIL_ERROR, reason);
		return r;
	}
	/* The call is out of sd-bus's dispatch: arm its deadline (and any queued output). */
	bus_event_kick(b->bus_event);
	return 0;
}

void dbus_bridge_cancel(struct dbus_bridge *b, uint32_t id)
{
	if (!b->slot || b->id != id)
		return;
	b->slot = sd_bus_slot_unref(b->slot);
	log_debug("%s: upstream call for netfn 0x%02x cmd 0x%02x cancelled",
		  b->label, b->req.netfn, b->req.cmd);
}
