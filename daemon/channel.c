// SPDX-License-Identifier: Apache-2.0
#include "channel.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include "counters_properties.h"
#include "dbus_names.h"
#include "log.h"
#include "mono_clock.h"
#include "sms_methods.h"

struct channel {
	struct channel_spec spec;
	const struct kcs_chip *chip;
	struct kcs_backend *backend;  /* not owned; set by channel_start() */
	size_t buffer_size;
	bool running;                 /* started and not stopped */
	bool polled;                  /* IBF interrupt off: served by polling only */
	char label[sizeof("ch4294967295 ") + CHANNEL_NAME_MAX];
	struct kcs_burst burst;
	uint64_t served_at;           /* CLOCK_MONOTONIC ns of the last byte served
					 with a burst window open after it; 0: none */
	bool serving;                 /* inside kcs_sm_serve() */
	void (*kick)(void *userdata); /* an answer opened a burst window */
	void *kick_userdata;
	char bus_name[CHANNEL_BUS_NAME_MAX];
	char object_path[CHANNEL_OBJECT_PATH_MAX];
	sd_bus_slot *sms_slot;
	sd_bus_slot *counters_slot;
	struct dbus_bridge bridge;
	struct kcs_sm sm;
};

static void on_request(void *userdata, uint32_t id, const uint8_t *msg, size_t len)
{
	struct channel *c = userdata;

	log_debug("%s: request netfn 0x%02x cmd 0x%02x (%zu bytes)",
		  c->label, msg[0] >> 2, msg[1], len);
	/* A failure is answered (0xFF) and logged by the bridge. */
	(void)dbus_bridge_execute(&c->bridge, id, msg, len);
}

static void on_cancel(void *userdata, uint32_t id)
{
	struct channel *c = userdata;

	dbus_bridge_cancel(&c->bridge, id);
}

/*
 * After serving a byte or answering: open or close the burst window. @now:
 * the time already read for this byte, 0 if none was; the clock is read only
 * for a window that opens. Returns the time used (or @now).
 */
static uint64_t after_byte(struct channel *c, uint64_t now)
{
	if (!kcs_sm_expects_host_byte(&c->sm) || !kcs_burst_next_window(&c->burst)) {
		c->served_at = 0;
		return now;
	}
	if (!now)
		now = mono_clock_ns();
	c->served_at = now;
	return now;
}

/* Burst window bookkeeping ends for good (stop, force abort). */
static void close_window(struct channel *c)
{
	c->served_at = 0;
}

/* The bridge's answer, built in place in the state machine's buffer. */
static int on_answer(void *userdata, uint32_t id, uint8_t cc, const uint8_t *data, size_t len)
{
	struct channel *c = userdata;
	int r = kcs_sm_respond_data(&c->sm, id, cc, data, len);

	/*
	 * Answered from inside kcs_sm_serve() (the bridge failed at once):
	 * channel_poll() opens the window for this byte, once, and its device
	 * is serving anyway.
	 */
	if (c->serving)
		return r;
	if (r == 0 || r == -EMSGSIZE) {
		after_byte(c, 0);
		if (c->served_at && c->kick)
			c->kick(c->kick_userdata);
	}
	return r;
}

int channel_new(struct channel **ret, const struct channel_spec *spec,
		const struct kcs_chip *chip, const struct options *o,
		struct upstream *upstream, struct event_base *base)
{
	struct channel *c;
	struct dbus_bridge_sink sink;
	int r;

	/* Two KCS_BUF_MAX buffers inside: allocate, never put on the stack. */
	c = calloc(1, sizeof(*c));
	if (!c)
		return log_error_errno(ENOMEM, "Failed to allocate channel %u: %m", spec->cfg.channel);
	c->spec = *spec;
	c->chip = chip;
	c->buffer_size = o->buffer_size;
	snprintf(c->label, sizeof(c->label), "ch%u %s", spec->cfg.channel, spec->name);
	sink = (struct dbus_bridge_sink){ .answer = on_answer, .userdata = c, .limit = o->buffer_size };
	r = dbus_bridge_init(&c->bridge, upstream, base, &sink, c->label, o->timeout_ms);
	if (r < 0) {
		free(c);
		return r;
	}
	kcs_burst_init(&c->burst, o->poll_budget_us * 1000u);
	*ret = c;
	return 0;
}

void channel_set_kick(struct channel *c, void (*kick)(void *userdata), void *userdata)
{
	c->kick = kick;
	c->kick_userdata = userdata;
}

void channel_free(struct channel *c)
{
	if (!c)
		return;
	channel_stop(c);
	/* The bus name goes with the connection. */
	c->sms_slot = sd_bus_slot_unref(c->sms_slot);
	c->counters_slot = sd_bus_slot_unref(c->counters_slot);
	dbus_bridge_done(&c->bridge);
	free(c);
}

int channel_publish(struct channel *c, sd_bus *bus)
{
	int r;

	r = channel_bus_name(&c->spec, c->bus_name, sizeof(c->bus_name));
	if (r < 0)
		return log_error_errno(r, "%s: bus name too long: %m", c->label);
	r = channel_object_path(&c->spec, c->object_path, sizeof(c->object_path));
	if (r < 0)
		return log_error_errno(r, "%s: object path too long: %m", c->label);
	r = sms_methods_add(bus, c->object_path, c, &c->sms_slot);
	if (r < 0)
		return r;
	r = counters_properties_add(bus, c->object_path, c, &c->counters_slot);
	if (r < 0)
		return r;

	/* No queueing and no replacement: two daemons on one channel is a mistake. */
	r = sd_bus_request_name(bus, c->bus_name, 0);
	if (r == -EEXIST)
		return log_error_errno(r, "%s: bus name %s is already owned by another process (is another kcs-uiod serving this channel?)",
				       c->label, c->bus_name);
	if (r == -EACCES || r == -EPERM)
		return log_error_errno(r, "%s: not allowed to own bus name %s (check the D-Bus policy for kcs-uiod): %m",
				       c->label, c->bus_name);
	if (r < 0)
		return log_error_errno(r, "%s: cannot own bus name %s: %m", c->label, c->bus_name);
	log_debug("%s: owns %s, serving %s", c->label, c->bus_name, c->object_path);
	return 0;
}

int channel_start(struct channel *c, struct kcs_backend *backend, bool polled)
{
	const struct kcs_sm_client client = {
		.request = on_request,
		.cancel = on_cancel,
		.userdata = c,
	};
	struct kcs_regs regs;
	char why[256];
	int r;

	r = backend->ops->channel_regs(backend, &c->spec.cfg, &regs);
	if (r < 0)
		return r;  /* logged by the backend */
	r = kcs_sm_init(&c->sm, &regs, &client, c->buffer_size);
	if (r < 0)
		return log_error_errno(r, "%s: cannot set up the state machine: %m", c->label);

	c->spec.cfg.polled = polled;
	c->polled = polled;
	r = kcs_chip_configure(c->chip, &backend->page, &c->spec.cfg, why, sizeof(why));
	if (r < 0)
		return log_error_errno(r, "%s: cannot configure %s channel %u on %s: %s",
				       c->label, c->chip->name, c->spec.cfg.channel, backend->name, why);
	c->backend = backend;
	/* The spec: a BMC that (re)started shows ERROR, so the host knows its message is lost. */
	kcs_sm_force_abort(&c->sm);
	c->running = true;
	log_info("%s: serving %s KCS channel %u on %s as %s%s", c->label, c->chip->name,
		 c->spec.cfg.channel, backend->name, c->bus_name,
		 polled ? ", polled (IBF interrupt off)" : "");
	return 0;
}

void channel_set_polled(struct channel *c)
{
	int r;

	if (!c->running || c->polled)
		return;
	c->polled = true;
	r = kcs_chip_set_ibf_irq(c->chip, &c->backend->page, c->spec.cfg.channel, false);
	if (r < 0)
		log_warning_errno(r, "%s: cannot turn the IBF interrupt off: %m", c->label);
}

void channel_stop(struct channel *c)
{
	int r;

	if (!c->running)
		return;
	c->running = false;
	/* Drops the request upstream is working on: its call is cancelled. */
	kcs_sm_shutdown(&c->sm);
	close_window(c);
	r = kcs_chip_set_ibf_irq(c->chip, &c->backend->page, c->spec.cfg.channel, false);
	if (r < 0)
		log_warning_errno(r, "%s: cannot mask the IBF interrupt: %m", c->label);
	log_info("%s: stopped (ERROR state, IBF interrupt masked)", c->label);
}

/* The per-byte log lines: debug for the ordinary, more for what the host got wrong. */
static void log_event(struct channel *c, enum kcs_sm_event ev, enum kcs_phase before)
{
	switch (ev) {
	case KCS_EV_SPURIOUS:
	case KCS_EV_REQUEST:       /* logged by on_request() */
		break;
	case KCS_EV_BYTE:
	case KCS_EV_WRITE_START:
	case KCS_EV_RESPONSE_DONE:
	case KCS_EV_ABORT_DONE:
		/* Every byte comes here: no names looked up for a line nobody sees. */
		if (log_get_max_level() < LOG_DEBUG)
			break;
		log_debug("%s: %s (phase %s)", c->label, kcs_sm_event_name(ev),
			  kcs_phase_name(kcs_sm_phase(&c->sm)));
		break;
	case KCS_EV_RESTART:
		log_info("%s: host restarted with WRITE_START in phase %s; dropped the message in progress",
			 c->label, kcs_phase_name(before));
		break;
	case KCS_EV_HOST_ABORT:
		log_info("%s: host abort (error exit) in phase %s; status code 0x%02x",
			 c->label, kcs_phase_name(before), kcs_sm_status_code(&c->sm));
		break;
	case KCS_EV_LENGTH_ERROR:
		if (before == KCS_PHASE_WRITE_START)
			log_warning("%s: length error: WRITE_END before any data byte (a request needs NetFn and Cmd); status 0x%02x",
				    c->label, kcs_sm_status_code(&c->sm));
		else
			log_warning("%s: length error: request longer than the %zu byte buffer (--buffer-size); status 0x%02x",
				    c->label, c->buffer_size, kcs_sm_status_code(&c->sm));
		break;
	case KCS_EV_ILLEGAL:
		log_warning("%s: illegal control code or byte out of place in phase %s; status 0x%02x",
			    c->label, kcs_phase_name(before), kcs_sm_status_code(&c->sm));
		break;
	}
}

enum kcs_sm_event channel_poll(struct channel *c, uint64_t *now)
{
	enum kcs_phase before;
	enum kcs_sm_event ev;
	uint64_t t = 0;
	uint8_t str;

	if (!c->running)
		return KCS_EV_SPURIOUS;
	str = kcs_sm_read_str(&c->sm);
	if (!(str & KCS_STR_IBF))
		return KCS_EV_SPURIOUS;

	/* Only a window open since the last byte makes the gap worth a clock read. */
	if (c->served_at) {
		t = mono_clock_ns();
		kcs_burst_note_gap(&c->burst, t - c->served_at);
	}
	before = kcs_sm_phase(&c->sm);
	c->serving = true;
	ev = kcs_sm_serve(&c->sm, str);
	c->serving = false;
	t = after_byte(c, t);
	if (t)
		*now = t;
	log_event(c, ev, before);
	return ev;
}

bool channel_expects_host_byte(const struct channel *c)
{
	return c->running && kcs_sm_expects_host_byte(&c->sm);
}

bool channel_ibf(const struct channel *c)
{
	return c->running && (kcs_sm_read_str(&c->sm) & KCS_STR_IBF);
}

const char *channel_phase_name(const struct channel *c)
{
	return c->running ? kcs_phase_name(kcs_sm_phase(&c->sm)) : "stopped";
}

uint64_t channel_burst_until(const struct channel *c)
{
	return c->served_at ? c->served_at + kcs_burst_window(&c->burst) : 0;
}

void channel_delay_burst(struct channel *c, uint64_t then, uint64_t ns)
{
	/* A window that had closed by @then stays closed. */
	if (channel_burst_until(c) > then)
		c->served_at += ns;
}

void channel_count_spurious(struct channel *c)
{
	if (c->running)
		kcs_sm_count_spurious(&c->sm);
}

int channel_set_attention(struct channel *c, bool on)
{
	if (!c->running)
		return -ENOTCONN;
	kcs_sm_set_sms_atn(&c->sm, on);
	log_debug("%s: SMS_ATN %s", c->label, on ? "set" : "cleared");
	return 0;
}

int channel_force_abort(struct channel *c)
{
	if (!c->running)
		return -ENOTCONN;
	log_info("%s: force abort requested over D-Bus in phase %s", c->label,
		 kcs_phase_name(kcs_sm_phase(&c->sm)));
	kcs_sm_force_abort(&c->sm);
	close_window(c);
	return 0;
}

void channel_get_counters(const struct channel *c, struct channel_counters *out)
{
	out->sm = *kcs_sm_counters(&c->sm);
	out->bridge = c->bridge.counters;
}

/* Appends ", @words @value" (no comma first) to @buf, as far as it fits. */
static size_t append_counter(char *buf, size_t len, size_t at, const char *words, uint64_t value)
{
	int r;

	if (at >= len)
		return at;
	r = snprintf(buf + at, len - at, "%s%s %" PRIu64, at ? ", " : "", words, value);
	return r > 0 ? at + (size_t)r : at;
}

void channel_log_counters(const struct channel *c, int level)
{
	struct channel_counters n;
	char text[1024]; /* 16 counters of at most 48 characters each */
	size_t at = 0;

	channel_get_counters(c, &n);
#define CHANNEL_COUNTER_TEXT(property, words, field) \
	at = append_counter(text, sizeof(text), at, words, n.field);
	CHANNEL_COUNTERS(CHANNEL_COUNTER_TEXT)
#undef CHANNEL_COUNTER_TEXT
	log_full(level, "%s: phase %s; %s", c->label, channel_phase_name(c), text);
}

const char *channel_label(const struct channel *c)
{
	return c->label;
}

unsigned int channel_number(const struct channel *c)
{
	return c->spec.cfg.channel;
}

const char *channel_chip_name(const struct channel *c)
{
	return c->chip->name;
}

