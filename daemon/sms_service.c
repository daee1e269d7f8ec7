// SPDX-License-Identifier: Apache-2.0
#include "sms_service.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "channel.h"
#include "log.h"

static int internal_failure(struct channel *c, sd_bus_error *error, int r, const char *what)
{
	log_warning_errno(r, "%s: %s over D-Bus failed: %m", c->label, what);
	return sd_bus_error_setf(error, INTERNAL_FAILURE, "%s: %s failed: %s",
				 c->label, what, r == -ENOTCONN ? "channel is not running" : strerror(-r));
}

static int method_set_attention(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct channel *c = userdata;
	int r = channel_set_attention(c, true);

	if (r < 0)
		return internal_failure(c, error, r, "setAttention");
	return sd_bus_reply_method_return(m, NULL);
}

static int method_clear_attention(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct channel *c = userdata;
	int r = channel_set_attention(c, false);

	if (r < 0)
		return internal_failure(c, error, r, "clearAttention");
	return sd_bus_reply_method_return(m, NULL);
}

static int method_force_abort(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct channel *c = userdata;
	int r = channel_force_abort(c);

	if (r < 0)
		return internal_failure(c, error, r, "forceAbort");
	return sd_bus_reply_method_return(m, NULL);
}

/*
 * UNPRIVILEGED: who may call is the D-Bus policy's decision; without it sd-bus
 * would look up the caller's credentials with a blocking call on every method.
 */
static const sd_bus_vtable sms_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("setAttention", "", "", method_set_attention, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("clearAttention", "", "", method_clear_attention, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("forceAbort", "", "", method_force_abort, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

static int property_chip(sd_bus *bus, const char *path, const char *interface,
			 const char *property, sd_bus_message *reply, void *userdata,
			 sd_bus_error *error)
{
	const struct channel *c = userdata;

	return sd_bus_message_append(reply, "s", c->chip->name);
}

static int property_phase(sd_bus *bus, const char *path, const char *interface,
			  const char *property, sd_bus_message *reply, void *userdata,
			  sd_bus_error *error)
{
	const struct channel *c = userdata;

	return sd_bus_message_append(reply, "s", c->running ? kcs_phase_name(c->sm.phase) : "stopped");
}

/* Counters are read in place: the loop is single-threaded. */
#define COUNTER(name, field) \
	SD_BUS_PROPERTY(name, "t", NULL, offsetof(struct channel, field), 0)

static const sd_bus_vtable channel1_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Channel", "u", NULL, offsetof(struct channel, spec.cfg.channel),
			SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Chip", "s", property_chip, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Phase", "s", property_phase, 0, 0),
	COUNTER("Requests", sm.counters.requests),
	COUNTER("Responses", sm.counters.responses),
	COUNTER("HostAborts", sm.counters.host_aborts),
	COUNTER("Restarts", sm.counters.restarts),
	COUNTER("LengthErrors", sm.counters.length_errors),
	COUNTER("IllegalCodes", sm.counters.illegal_codes),
	COUNTER("StaleResponses", sm.counters.stale_responses),
	COUNTER("OversizeResponses", sm.counters.oversize_responses),
	COUNTER("SpuriousInterrupts", sm.counters.spurious_irqs),
	COUNTER("ForceAborts", sm.counters.force_aborts),
	COUNTER("UpstreamTimeouts", bridge.counters.upstream_timeouts),
	COUNTER("UpstreamErrors", bridge.counters.upstream_errors),
	SD_BUS_VTABLE_END,
};

_Static_assert(sizeof(((struct channel *)0)->spec.cfg.channel) == sizeof(uint32_t),
	       "Channel is read in place as a D-Bus 'u'");

int sms_service_start(struct sms_service *s, sd_bus *bus, struct channel *c)
{
	int r;

	memset(s, 0, sizeof(*s));
	r = channel_bus_name(&c->spec, s->name, sizeof(s->name));
	if (r < 0)
		return log_error_errno(r, "%s: bus name too long: %m", c->label);
	r = channel_object_path(&c->spec, s->path, sizeof(s->path));
	if (r < 0)
		return log_error_errno(r, "%s: object path too long: %m", c->label);
	s->bus = sd_bus_ref(bus);

	r = sd_bus_add_object_vtable(bus, &s->sms_slot, s->path, SMS_INTERFACE, sms_vtable, c);
	if (r < 0)
		return log_error_errno(r, "%s: cannot serve %s on %s: %m", c->label, SMS_INTERFACE, s->path);
	r = sd_bus_add_object_vtable(bus, &s->channel1_slot, s->path, CHANNEL1_INTERFACE,
				     channel1_vtable, c);
	if (r < 0)
		return log_error_errno(r, "%s: cannot serve %s on %s: %m", c->label, CHANNEL1_INTERFACE, s->path);

	/* No queueing and no replacement: two daemons on one channel is a mistake. */
	r = sd_bus_request_name(bus, s->name, 0);
	if (r == -EEXIST)
		return log_error_errno(r, "%s: bus name %s is already owned by another process (is another kcs-uiod serving this channel?)",
				       c->label, s->name);
	if (r == -EACCES || r == -EPERM)
		return log_error_errno(r, "%s: not allowed to own bus name %s (check the D-Bus policy for kcs-uiod): %m",
				       c->label, s->name);
	if (r < 0)
		return log_error_errno(r, "%s: cannot own bus name %s: %m", c->label, s->name);
	log_debug("%s: owns %s, serving %s", c->label, s->name, s->path);
	return 0;
}

void sms_service_stop(struct sms_service *s)
{
	s->sms_slot = sd_bus_slot_unref(s->sms_slot);
	s->channel1_slot = sd_bus_slot_unref(s->channel1_slot);
	s->bus = sd_bus_unref(s->bus);
}
