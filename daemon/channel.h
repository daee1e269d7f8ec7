/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One KCS channel: the state machine on the device's registers, its
 * upstream bridge and its D-Bus face (docs/design.md section 5): the bus
 * name xyz.openbmc_project.Ipmi.Channel.<NAME> and, on the object
 * /xyz/openbmc_project/Ipmi/Channel/<NAME>, the SMS methods
 * (sms_methods.h) and the counters (counters_properties.h), which reach
 * the channel through the functions below. The state machine's requests go
 * to the bridge and its cancellations cancel the bridge's call.
 *
 * Life cycle: channel_new() (no hardware access) -> channel_publish() (bus
 * name and object) -> channel_start() (configure, force abort) ->
 * channel_handle_irq()... -> channel_stop() (ERROR state, IBF interrupt
 * masked) -> channel_free().
 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "backend.h"
#include "dbus_bridge.h"
#include "kcs_sm.h"
#include "options.h"

struct channel;

/* Everything worth counting about a channel. */
struct channel_counters {
	struct kcs_counters sm;
	struct dbus_bridge_counters bridge;
};

/* Requests go to @upstream; @upstream must outlive the channel. */
int channel_new(struct channel **ret, const struct channel_spec *spec,
		const struct kcs_chip *chip, const struct options *o,
		struct upstream *upstream, struct event_base *base);
void channel_free(struct channel *c);

/* Own the channel's bus name and serve its object on @bus. */
int channel_publish(struct channel *c, sd_bus *bus);
/* Configure the channel on @backend and force-abort it. */
int channel_start(struct channel *c, struct kcs_backend *backend);
/* Leave the channel in ERROR state with its IBF interrupt masked. */
void channel_stop(struct channel *c);

/*
 * Run on every interrupt of the channel's device: the per-byte path.
 * @shared: the device has several channels, so IBF clear is not counted
 * here; channel_count_spurious() counts an interrupt no channel claimed.
 */
enum kcs_sm_event channel_handle_irq(struct channel *c, bool shared);
void channel_count_spurious(struct channel *c);

/* SMS methods; -ENOTCONN when the channel is not running. */
int channel_set_attention(struct channel *c, bool on);
int channel_force_abort(struct channel *c);

void channel_get_counters(const struct channel *c, struct channel_counters *out);
/* "ch3 ipmi_kcs3", for messages. */
const char *channel_label(const struct channel *c);
/* The channel's number on the chip, and the chip's name. */
unsigned int channel_number(const struct channel *c);
const char *channel_chip_name(const struct channel *c);
/* The state machine's phase, "stopped" when the channel is not running. */
const char *channel_phase_name(const struct channel *c);
/* One line of counters at @level (SIGHUP). */
void channel_log_counters(const struct channel *c, int level);

static inline void channel_freep(struct channel **c)
{
	if (*c)
		channel_free(*c);
}
