// SPDX-License-Identifier: Apache-2.0
#include "counters_properties.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "channel.h"
#include "dbus_names.h"
#include "log.h"

/* Each counter's property name and its place in struct channel_counters. */
static const struct {
	const char *name;
	size_t offset;
} counters[] = {
#define COUNTER_FIELD(property, words, field) { property, offsetof(struct channel_counters, field) },
	CHANNEL_COUNTERS(COUNTER_FIELD)
#undef COUNTER_FIELD
};

static int property_counter(sd_bus *bus, const char *path, const char *interface,
			    const char *property, sd_bus_message *reply, void *userdata,
			    sd_bus_error *error)
{
	struct channel_counters n;
	uint64_t value;

	channel_get_counters(userdata, &n);
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		if (strcmp(counters[i].name, property) == 0) {
			memcpy(&value, (const char *)&n + counters[i].offset, sizeof(value));
			return sd_bus_message_append(reply, "t", value);
		}
	}
	return -ENOENT;
}

static int property_channel(sd_bus *bus, const char *path, const char *interface,
			    const char *property, sd_bus_message *reply, void *userdata,
			    sd_bus_error *error)
{
	return sd_bus_message_append(reply, "u", (uint32_t)channel_number(userdata));
}

static int property_chip(sd_bus *bus, const char *path, const char *interface,
			 const char *property, sd_bus_message *reply, void *userdata,
			 sd_bus_error *error)
{
	return sd_bus_message_append(reply, "s", channel_chip_name(userdata));
}

static int property_phase(sd_bus *bus, const char *path, const char *interface,
			  const char *property, sd_bus_message *reply, void *userdata,
			  sd_bus_error *error)
{
	return sd_bus_message_append(reply, "s", channel_phase_name(userdata));
}

static const sd_bus_vtable counters_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Channel", "u", property_channel, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Chip", "s", property_chip, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Phase", "s", property_phase, 0, 0),
#define COUNTER_PROPERTY(property, words, field) SD_BUS_PROPERTY(property, "t", property_counter, 0, 0),
	CHANNEL_COUNTERS(COUNTER_PROPERTY)
#undef COUNTER_PROPERTY
	SD_BUS_VTABLE_END,
};

int counters_properties_add(sd_bus *bus, const char *path, struct channel *c,
			    sd_bus_slot **ret)
{
	int r = sd_bus_add_object_vtable(bus, ret, path, CHANNEL_COUNTERS_INTERFACE,
					 counters_vtable, c);

	if (r < 0)
		return log_error_errno(r, "%s: cannot serve %s on %s: %m", channel_label(c),
				       CHANNEL_COUNTERS_INTERFACE, path);
	return 0;
}
