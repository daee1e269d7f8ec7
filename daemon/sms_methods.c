// SPDX-License-Identifier: Apache-2.0
#include "sms_methods.h"

#include <errno.h>
#include <string.h>

#include "channel.h"
#include "dbus_names.h"
#include "log.h"

/* The reply to an SMS method whose action returned @r. */
static int reply(sd_bus_message *m, struct channel *c, sd_bus_error *error, int r)
{
	const char *what = sd_bus_message_get_member(m);

	if (r >= 0)
		return sd_bus_reply_method_return(m, NULL);
	log_warning_errno(r, "%s: %s over D-Bus failed: %m", channel_label(c), what);
	return sd_bus_error_setf(error, CHANNEL_SMS_ERROR, "%s: %s failed: %s", channel_label(c),
				 what, r == -ENOTCONN ? "channel is not running" : strerror(-r));
}

static int method_set_attention(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return reply(m, userdata, error, channel_set_attention(userdata, true));
}

static int method_clear_attention(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return reply(m, userdata, error, channel_set_attention(userdata, false));
}

static int method_force_abort(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return reply(m, userdata, error, channel_force_abort(userdata));
}

/*
 * UNPRIVILEGED: who may call is the D-Bus policy's decision; without it sd-bus
 * would look up the caller's credentials with a blocking call on every method.
 */
static const sd_bus_vtable sms_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD(CHANNEL_SMS_SET_ATTENTION, "", "", method_set_attention,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD(CHANNEL_SMS_CLEAR_ATTENTION, "", "", method_clear_attention,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD(CHANNEL_SMS_FORCE_ABORT, "", "", method_force_abort,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

int sms_methods_add(sd_bus *bus, const char *path, struct channel *c, sd_bus_slot **ret)
{
	int r = sd_bus_add_object_vtable(bus, ret, path, CHANNEL_SMS_INTERFACE, sms_vtable, c);

	if (r < 0)
		return log_error_errno(r, "%s: cannot serve %s on %s: %m", channel_label(c),
				       CHANNEL_SMS_INTERFACE, path);
	return 0;
}
