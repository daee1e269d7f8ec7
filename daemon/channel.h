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
 * channel_poll()... -> channel_stop() (ERROR state, IBF interrupt
 * masked) -> channel_free().
 *
 * Burst polling (docs/design.md section 10): after every byte that leaves
 * the channel expecting another, the channel computes until when its
 * device should keep reading STR (channel_burst_until()), from the gaps
 * this host left so far (lib/kcs_burst). An answer that puts the first
 * response byte in ODR calls the device's kick, so the read phase starts
 * polled too.
 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "backend.h"
#include "dbus_bridge.h"
#include "kcs_burst.h"
#include "kcs_sm.h"
#include "options.h"

struct channel;

/* Everything worth counting about a channel. */
struct channel_counters {
	struct kcs_counters sm;
	struct dbus_bridge_counters bridge;
};

/*
 * Every counter once: its D-Bus property (counters_properties.c), its words
 * in the SIGHUP log line (channel_log_counters()) and its field. The
 * counters object, the log line and the status line's sums follow it.
 */
#define CHANNEL_COUNTERS(X)                                                              \
	X("Requests", "requests", sm.requests)                                           \
	X("Responses", "responses", sm.responses)                                        \
	X("HostAborts", "host aborts", sm.host_aborts)                                   \
	X("Restarts", "restarts", sm.restarts)                                           \
	X("LengthErrors", "length errors", sm.length_errors)                             \
	X("IllegalCodes", "illegal codes", sm.illegal_codes)                             \
	X("StaleResponses", "stale responses", sm.stale_responses)                       \
	X("OversizeResponses", "oversize responses", sm.oversize_responses)              \
	X("SpuriousInterrupts", "spurious interrupts", sm.spurious_irqs)                 \
	X("ForceAborts", "force aborts", sm.force_aborts)                                \
	X("UpstreamTimeouts", "upstream timeouts", bridge.upstream_timeouts)             \
	X("UpstreamNoService", "upstream no service", bridge.upstream_no_service)        \
	X("UpstreamVanished", "upstream vanished", bridge.upstream_vanished)             \
	X("UpstreamBusErrors", "upstream bus errors", bridge.upstream_bus_errors)        \
	X("UpstreamServiceErrors", "upstream service errors", bridge.upstream_service_errors) \
	X("ForeignReplies", "foreign replies", bridge.foreign_replies)

/* @sum += @n, counter by counter. */
static inline void channel_counters_add(struct channel_counters *sum,
					const struct channel_counters *n)
{
#define CHANNEL_COUNTER_ADD(property, words, field) sum->field += n->field;
	CHANNEL_COUNTERS(CHANNEL_COUNTER_ADD)
#undef CHANNEL_COUNTER_ADD
}

/* Requests go to @upstream; @upstream must outlive the channel. */
int channel_new(struct channel **ret, const struct channel_spec *spec,
		const struct kcs_chip *chip, const struct options *o,
		struct upstream *upstream, struct event_base *base);
/* What to call when an answer opens a burst window (the device's loop). */
void channel_set_kick(struct channel *c, void (*kick)(void *userdata), void *userdata);
void channel_free(struct channel *c);

/* Own the channel's bus name and serve its object on @bus. */
int channel_publish(struct channel *c, sd_bus *bus);
/*
 * Configure the channel on @backend and force-abort it. @polled: leave the
 * IBF interrupt off in the controller (polled mode).
 */
int channel_start(struct channel *c, struct kcs_backend *backend, bool polled);
/* Turn the IBF interrupt off at run time (the device went to polled mode). */
void channel_set_polled(struct channel *c);
/* Leave the channel in ERROR state with its IBF interrupt masked. */
void channel_stop(struct channel *c);

/*
 * The per-byte path: read STR once and, when it shows IBF, serve the byte.
 * KCS_EV_SPURIOUS (not counted) when IBF is clear; the device counts an
 * interrupt no channel claimed with channel_count_spurious(). When serving
 * read the clock (only for a burst window), *@now gets that time: the
 * device needs no read of its own.
 */
enum kcs_sm_event channel_poll(struct channel *c, uint64_t *now);
void channel_count_spurious(struct channel *c);

/* Until when (CLOCK_MONOTONIC ns) to keep reading STR; 0: not polling. */
uint64_t channel_burst_until(const struct channel *c);
/*
 * The daemon was scheduled out for @ns from @then on: not the host's time,
 * so a window still open at @then moves by it.
 */
void channel_delay_burst(struct channel *c, uint64_t then, uint64_t ns);

/* A host byte is due (a transfer is in progress and the host's turn). */
bool channel_expects_host_byte(const struct channel *c);
/* IBF is set right now (one STR read). */
bool channel_ibf(const struct channel *c);

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
