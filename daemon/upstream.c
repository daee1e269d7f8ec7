// SPDX-License-Identifier: Apache-2.0
#include "upstream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "dbus_names.h"
#include "log.h"

#define BUS_DRIVER "org.freedesktop.DBus"

struct upstream {
	sd_bus *bus;
	struct bus_event *bus_event;
	sd_bus_slot *owner_match;
	sd_bus_slot *filter;
	struct upstream_call *calls;        /* in flight */
	char owner[UPSTREAM_NAME_MAX];      /* "" = nobody */
};

static void set_owner(struct upstream *u, const char *owner)
{
	if (strcmp(u->owner, owner) == 0)
		return;
	if (*owner)
		log_info("%s is now served by %s", IPMI_HOST_SERVICE, owner);
	else
		log_warning("%s has no owner now: requests fail until the IPMI service is back",
			    IPMI_HOST_SERVICE);
	snprintf(u->owner, sizeof(u->owner), "%s", owner);
}

static int on_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct upstream *u = userdata;
	const char *name, *old_owner, *new_owner;
	int r;

	r = sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner);
	if (r < 0) {
		log_warning_errno(r, "Ignoring a NameOwnerChanged signal that cannot be read: %m");
		return 0;
	}
	if (strcmp(name, IPMI_HOST_SERVICE) == 0)
		set_owner(u, new_owner);
	return 0;
}

static struct upstream_call *find_call(struct upstream *u, uint64_t cookie)
{
	for (struct upstream_call *c = u->calls; c; c = c->next)
		if (c->cookie == cookie)
			return c;
	return NULL;
}

/* Who may answer @c: the name it was sent to, or, sent to nobody, the owner since. */
static bool from_callee(const struct upstream *u, const struct upstream_call *c, const char *sender)
{
	const char *callee = *c->callee ? c->callee : u->owner;

	return *callee && strcmp(sender, callee) == 0;
}

static int on_message(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct upstream *u = userdata;
	struct upstream_call *c;
	const char *sender;
	uint64_t cookie;
	uint8_t type;
	bool from_bus;

	/* Signals go on to the owner match; calls get sd-bus's "unknown object". */
	if (sd_bus_message_get_type(m, &type) < 0 ||
	    (type != SD_BUS_MESSAGE_METHOD_RETURN && type != SD_BUS_MESSAGE_METHOD_ERROR))
		return 0;
	if (sd_bus_message_get_reply_cookie(m, &cookie) < 0)
		return 0;
	sender = sd_bus_message_get_sender(m);
	if (!sender)
		sender = "";
	c = find_call(u, cookie);
	if (!c) {
		/* A cancelled call's late answer, or a guess at a serial. */
		log_debug("Dropping a reply to serial %llu from %s: no such call in flight",
			  (unsigned long long)cookie, *sender ? sender : "an unnamed sender");
		return 1;
	}
	from_bus = strcmp(sender, BUS_DRIVER) == 0;
	if (!from_bus && !from_callee(u, c, sender)) {
		c->foreign(c, sender);
		return 1;
	}
	upstream_forget(u, c);
	c->reply(c, m, from_bus);
	return 1;
}

int upstream_new(struct upstream **ret, struct event_base *base, sd_bus *bus,
		 bus_event_failed_fn failed, void *userdata)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(upstream_freep) struct upstream *u = NULL;
	const char *owner = "";
	int r;

	u = calloc(1, sizeof(*u));
	if (!u)
		return log_error_errno(ENOMEM, "Failed to allocate the upstream connection: %m");
	u->bus = sd_bus_ref(bus);

	/* sd-bus checks the sender too: a peer cannot fake the bus's signal. */
	r = sd_bus_add_match(bus, &u->owner_match,
			     "type='signal',sender='" BUS_DRIVER "',path='/org/freedesktop/DBus',"
			     "interface='" BUS_DRIVER "',member='NameOwnerChanged',"
			     "arg0='" IPMI_HOST_SERVICE "'",
			     on_owner_changed, u);
	if (r < 0)
		return log_error_errno(r, "Failed to follow the owner of %s: %m", IPMI_HOST_SERVICE);
	r = sd_bus_add_filter(bus, &u->filter, on_message, u);
	if (r < 0)
		return log_error_errno(r, "Failed to add the upstream reply filter: %m");

	/* After the match: an owner change from now on is seen either way. */
	r = sd_bus_call_method(bus, BUS_DRIVER, "/org/freedesktop/DBus", BUS_DRIVER, "GetNameOwner",
			       &error, &reply, "s", IPMI_HOST_SERVICE);
	if (r >= 0) {
		r = sd_bus_message_read(reply, "s", &owner);
		if (r < 0)
			return log_error_errno(r, "Failed to read the owner of %s: %m", IPMI_HOST_SERVICE);
	} else if (!sd_bus_error_has_name(&error, SD_BUS_ERROR_NAME_HAS_NO_OWNER)) {
		return log_error_errno(r, "Failed to ask the bus who owns %s: %s", IPMI_HOST_SERVICE,
				       error.message ? error.message : strerror(-r));
	}
	set_owner(u, owner);

	r = bus_event_new(&u->bus_event, base, bus, -1, failed, userdata);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(u);
	return 0;
}

void upstream_free(struct upstream *u)
{
	if (!u)
		return;
	while (u->calls)
		upstream_forget(u, u->calls);
	bus_event_free(u->bus_event);
	u->filter = sd_bus_slot_unref(u->filter);
	u->owner_match = sd_bus_slot_unref(u->owner_match);
	/* Only cancelled calls can be queued: nothing worth waiting for. */
	bus_close_within(u->bus, 0);
	free(u);
}

int upstream_new_execute(struct upstream *u, sd_bus_message **ret)
{
	/* Nobody owns it as far as we know: the bus itself tells the call so. */
	return sd_bus_message_new_method_call(u->bus, ret, *u->owner ? u->owner : IPMI_HOST_SERVICE,
					      IPMI_HOST_PATH, IPMI_HOST_INTERFACE, IPMI_HOST_EXECUTE);
}

int upstream_send(struct upstream *u, struct upstream_call *c, sd_bus_message *m)
{
	const char *dest;
	uint64_t cookie;
	int r;

	upstream_forget(u, c);
	r = sd_bus_send(u->bus, m, &cookie);
	if (r < 0)
		return r;
	/* Only now: sealing the message moves its header fields. */
	dest = sd_bus_message_get_destination(m);
	c->cookie = cookie;
	snprintf(c->callee, sizeof(c->callee), "%s", dest && *dest == ':' ? dest : "");
	c->next = u->calls;
	u->calls = c;
	/* Sent outside sd-bus's dispatch: make sure the loop writes it. */
	(void)bus_event_kick(u->bus_event);
	return 0;
}

void upstream_forget(struct upstream *u, struct upstream_call *c)
{
	for (struct upstream_call **p = &u->calls; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	c->next = NULL;
	c->cookie = 0;
}

const char *upstream_owner(const struct upstream *u)
{
	return u->owner;
}
