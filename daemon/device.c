// SPDX-License-Identifier: Apache-2.0
/*
 * One device's serving loop: interrupt mode with burst polling, or polled
 * mode. See device.h and docs/design.md section 10.
 *
 * The per-byte path is what this file is about. With a host that keeps up,
 * a whole request or response goes by in one burst: one wake-up and a few
 * system calls at its start and end, none per byte. Everything in the spin
 * loop is a register read, a vDSO clock read every few spins, or the state
 * machine itself.
 */
#include "device.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "kcs_storm.h"
#include "log.h"
#include "mono_clock.h"

/*
 * The longest stretch of spinning before the loop gets a turn: the bus and
 * the other devices wait that long at most. A burst that goes on (a long
 * message from a fast host) continues after one pass of the loop.
 */
#define BURST_SLICE_NS 1000000u
/* STR reads between two clock reads. */
#define SPINS_PER_CLOCK 16u
/*
 * Two clock reads this far apart, with only a few register reads between
 * them, mean the daemon itself was scheduled out: that time is not the
 * host's, so the open windows move by it instead of counting it as a miss.
 */
#define PREEMPTED_NS 20000u
/*
 * Interrupt mode: a byte the host owes is checked for after this long
 * without an interrupt. Well inside the host's 5 s per byte, and no wake-up
 * at all when the channel is idle or the request is upstream.
 */
#define LOST_IRQ_CHECK_MS 1000u
/*
 * IBF seen set by a check is looked at again this much later: only if it is
 * still set, with no interrupt in between, was the interrupt lost (and not
 * just on its way).
 */
#define LOST_IRQ_CONFIRM_MS 200u
/* After this many lost interrupts in a row: polled mode. */
#define LOST_IRQ_LIMIT 3u

struct device {
	struct event_base *base;
	struct kcs_backend *backend;
	struct channel *channels[OPTIONS_MAX_CHANNELS];
	unsigned int n_channels;
	bool force_polled;
	bool polled;
	unsigned int idle_poll_ms;
	bool masked;             /* interrupt mode: masked since the last interrupt */
	bool masked_served;      /* bytes served by polling while masked */
	bool live_served;        /* bytes served while the line was live */
	bool burst_pending;      /* a burst goes on after this pass of the loop */
	bool stopped;
	unsigned int lost_irqs;  /* interrupts lost in a row */
	bool ibf_suspect;        /* a check saw IBF... */
	uint64_t irqs;           /* interrupts taken */
	uint64_t irqs_at_suspect;/* ...when this many had been taken */
	struct kcs_storm storm;
	struct event *irq_event;
	int tick_fd;             /* polled mode: a periodic timerfd, -1 before */
	struct event *tick_event;
	struct event *burst_event;
	struct event *lost_irq_event;
	device_failed_fn failed;
	void *userdata;
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__) || (defined(__arm__) && __ARM_ARCH >= 7)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

static void fail(struct device *d, int error)
{
	if (d->stopped)
		return;
	device_stop(d);
	d->failed(d->userdata, error);
}

static void report_storm(struct device *d)
{
	if (d->backend->chip->shared_irq)
		log_error("interrupt storm on %s: %u interrupts with no KCS channel showing IBF; another LPC function (BT, snoop...) is interrupting on this shared line -- disable its kernel driver",
			  d->backend->name, KCS_STORM_THRESHOLD);
	else
		log_error("interrupt storm on %s: %u interrupts with no KCS channel showing IBF; check that the UIO node's interrupt is the KCS channel's own",
			  d->backend->name, KCS_STORM_THRESHOLD);
}

/* Every channel once (one STR read each): true when some channel had a byte. */
static bool serve_once(struct device *d)
{
	bool handled = false;
	uint64_t now;

	for (unsigned int i = 0; i < d->n_channels; i++)
		if (channel_poll(d->channels[i], &now) != KCS_EV_SPURIOUS)
			handled = true;
	return handled;
}

static uint64_t burst_until(const struct device *d)
{
	uint64_t until = 0;

	for (unsigned int i = 0; i < d->n_channels; i++)
		if (channel_burst_until(d->channels[i]) > until)
			until = channel_burst_until(d->channels[i]);
	return until;
}

/*
 * Read STR of the channels with an open window until a byte shows up (serve
 * it, and go on) or every window closes. One slice at most: true when
 * windows are still open at its end, and the caller must come back.
 */
static bool burst(struct device *d)
{
	uint64_t now = mono_clock_ns();
	uint64_t slice_end = now + BURST_SLICE_NS;

	for (;;) {
		uint64_t until = burst_until(d);
		uint64_t stop = until < slice_end ? until : slice_end;
		bool served = false;

		if (until <= now || d->stopped)
			return false;
		if (now >= slice_end)
			return true;
		/*
		 * Bounded by iterations too, should the clock misbehave: no STR
		 * read is faster than a nanosecond.
		 */
		for (uint64_t spins = 1, max = stop - now;; spins++) {
			uint64_t seen = now;

			for (unsigned int i = 0; i < d->n_channels; i++) {
				struct channel *c = d->channels[i];

				/* Serving a byte opens the next window: it says when (no clock read here). */
				if (channel_burst_until(c) > seen && channel_poll(c, &now) != KCS_EV_SPURIOUS)
					served = true;
			}
			if (served || spins >= max)
				break;
			if (spins % SPINS_PER_CLOCK == 0) {
				uint64_t then = now;

				now = mono_clock_ns();
				if (now - then > PREEMPTED_NS) {
					for (unsigned int i = 0; i < d->n_channels; i++)
						channel_delay_burst(d->channels[i], then, now - then);
					stop += now - then;
					slice_end += now - then;
					max += now - then;
				}
				if (now >= stop)
					break;
			}
			cpu_relax();
		}
		if (!served)
			return burst_until(d) > now;
		if (d->masked)
			d->masked_served = true;
		else
			d->live_served = true;
	}
}

static void arm_timer(struct device *d, unsigned int ms)
{
	const struct timeval tv = { .tv_sec = ms / 1000u, .tv_usec = (ms % 1000u) * 1000u };

	if (event_add(d->lost_irq_event, &tv) < 0)
		log_warning("%s: cannot arm the lost interrupt check", d->backend->name);
}

/*
 * Armed when not pending already, and not disarmed by every interrupt: on
 * the per-byte path of a slow host that would be a timer insertion and
 * removal per byte. During a transfer it fires once a second at most; once
 * nothing is owed any more (idle, request upstream) it is disarmed.
 */
static void arm_lost_irq_check(struct device *d)
{
	for (unsigned int i = 0; i < d->n_channels; i++) {
		if (channel_expects_host_byte(d->channels[i])) {
			if (!event_pending(d->lost_irq_event, EV_TIMEOUT, NULL))
				arm_timer(d, LOST_IRQ_CHECK_MS);
			return;
		}
	}
	/* Idle, or the request is upstream: nothing is owed, no wake-up. */
	if (!d->ibf_suspect)
		event_del(d->lost_irq_event);
}

/*
 * Burst polling until the windows close, then (interrupt mode) hand the
 * line back and look at STR once more: a byte that arrived after the last
 * spin but before the line was live would raise no interrupt of its own on
 * the simulated line, and costs one read on silicon.
 */
static void continue_burst(struct device *d)
{
	for (;;) {
		int r;

		if (burst(d)) {
			/* Stay masked; the loop runs once, then the burst goes on. */
			d->burst_pending = true;
			event_active(d->burst_event, EV_TIMEOUT, 0);
			return;
		}
		if (d->stopped || d->polled)
			return;
		if (d->masked || d->live_served) {
			r = d->backend->ops->reenable(d->backend, d->masked_served, d->live_served);
			if (r < 0) {
				fail(d, r);  /* logged by the backend */
				return;
			}
			d->masked = false;
			d->masked_served = false;
			d->live_served = false;
		}
		if (!serve_once(d))
			break;
		d->live_served = true;
	}
	arm_lost_irq_check(d);
}

static void on_irq(evutil_socket_t fd, short what, void *userdata)
{
	struct device *d = userdata;
	bool handled;
	int r;

	r = d->backend->ops->ack(d->backend);
	if (r == -EAGAIN)
		return;  /* already served after an earlier re-enable */
	if (r < 0) {
		fail(d, r);  /* logged by the backend */
		return;
	}
	d->masked = true;
	d->irqs++;
	d->lost_irqs = 0;
	/* Fired for bytes of a burst that goes on after this pass: it serves them. */
	if (d->burst_pending)
		return;
	/*
	 * On a line shared by several channels only those showing IBF caused
	 * it; an interrupt that finds none is spurious for all of them.
	 */
	handled = serve_once(d);
	if (!handled)
		for (unsigned int i = 0; i < d->n_channels; i++)
			channel_count_spurious(d->channels[i]);
	if (kcs_storm_note(&d->storm, handled))
		report_storm(d);
	continue_burst(d);
}

static void on_tick(evutil_socket_t fd, short what, void *userdata)
{
	struct device *d = userdata;
	uint64_t expirations;

	/* Consume the expirations; a missed tick or two changes nothing. */
	if (fd >= 0 && read(fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		log_debug("%s: reading the poll timer: %m", d->backend->name);
	if (serve_once(d))
		continue_burst(d);
}

static void on_burst(evutil_socket_t fd, short what, void *userdata)
{
	struct device *d = userdata;

	d->burst_pending = false;
	/*
	 * A slice only reads the channels with a window open, and interrupts
	 * are left to the burst: the others get one STR read here, so a
	 * neighbour's long message delays their bytes by a slice, not by the
	 * whole message.
	 */
	serve_once(d);
	continue_burst(d);
}

static void on_kick(void *userdata)
{
	struct device *d = userdata;

	if (!d->stopped) {
		d->burst_pending = true;
		event_active(d->burst_event, EV_TIMEOUT, 0);
	}
}

/*
 * A periodic timerfd rather than a libevent timer: libevent's own clock is
 * coarse here, and its persistent timers woke the loop about 1.4 times per
 * interval; its precise mode costs a timerfd_settime() on every wake-up,
 * the per-byte ones included. This costs one read() per tick.
 */
static int start_polling(struct device *d)
{
	const struct timespec interval = {
		.tv_sec = d->idle_poll_ms / 1000u,
		.tv_nsec = (long)(d->idle_poll_ms % 1000u) * 1000000L,
	};
	const struct itimerspec its = { .it_interval = interval, .it_value = interval };

	d->tick_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->tick_fd < 0)
		return log_error_errno(errno, "%s: failed to create the %u ms poll timer: %m",
				       d->backend->name, d->idle_poll_ms);
	if (timerfd_settime(d->tick_fd, 0, &its, NULL) < 0)
		return log_error_errno(errno, "%s: failed to start the %u ms poll timer: %m",
				       d->backend->name, d->idle_poll_ms);
	d->tick_event = event_new(d->base, d->tick_fd, EV_READ | EV_PERSIST, on_tick, d);
	if (!d->tick_event)
		return log_error_errno(ENOMEM, "%s: failed to watch the %u ms poll timer: %m",
				       d->backend->name, d->idle_poll_ms);
	/* libevent says nothing of why; epoll_ctl() failing is an I/O matter. */
	if (event_add(d->tick_event, NULL) < 0)
		return log_error_errno(EIO, "%s: failed to add the %u ms poll timer to the loop",
				       d->backend->name, d->idle_poll_ms);
	return 0;
}

static void go_polled(struct device *d)
{
	int r;

	log_error("%s: %u host bytes in a row waited with IBF set and no interrupt: switching to polled mode (STR every %u ms); check the UIO node's interrupts property and /proc/interrupts",
		  d->backend->name, d->lost_irqs, d->idle_poll_ms);
	event_del(d->irq_event);
	event_del(d->lost_irq_event);
	d->polled = true;
	for (unsigned int i = 0; i < d->n_channels; i++)
		channel_set_polled(d->channels[i]);
	r = start_polling(d);
	if (r < 0)
		fail(d, r);
}

static void on_lost_irq(evutil_socket_t fd, short what, void *userdata)
{
	struct device *d = userdata;
	bool pending = false;

	/* Masked: a burst is in progress and serves what comes. */
	if (d->stopped || d->polled || d->masked)
		return;
	for (unsigned int i = 0; i < d->n_channels; i++)
		if (channel_ibf(d->channels[i]))
			pending = true;
	if (!pending) {
		/* The host is slow or stopped half way: its byte will interrupt. */
		d->ibf_suspect = false;
		return;
	}
	if (!d->ibf_suspect || d->irqs != d->irqs_at_suspect) {
		/* Maybe the interrupt is on its way: look again shortly. */
		d->ibf_suspect = true;
		d->irqs_at_suspect = d->irqs;
		arm_timer(d, LOST_IRQ_CONFIRM_MS);
		return;
	}
	d->ibf_suspect = false;
	if (++d->lost_irqs < LOST_IRQ_LIMIT)
		log_warning("%s: a host byte waited over %u ms with IBF set and no interrupt; served it by polling",
			    d->backend->name, LOST_IRQ_CONFIRM_MS);
	else
		go_polled(d);
	if (d->stopped)
		return;
	serve_once(d);
	continue_burst(d);
}

void device_check_lost_irq(struct device *d)
{
	if (!event_pending(d->lost_irq_event, EV_TIMEOUT, NULL))
		on_lost_irq(-1, EV_TIMEOUT, d);
}

int device_new(struct device **ret, struct event_base *base, struct kcs_backend *backend,
	       bool force_polled, unsigned int idle_poll_ms,
	       device_failed_fn failed, void *userdata)
{
	struct device *d = calloc(1, sizeof(*d));
	int r;

	if (!d) {
		/* Logged before the close: the name may live in the backend. */
		r = log_error_errno(ENOMEM, "%s: %m", backend->name);
		kcs_backend_close(backend);
		return r;
	}
	d->base = base;
	d->backend = backend;
	d->tick_fd = -1;
	d->force_polled = force_polled;
	d->idle_poll_ms = idle_poll_ms;
	d->failed = failed;
	d->userdata = userdata;
	d->burst_event = event_new(base, -1, 0, on_burst, d);
	d->lost_irq_event = evtimer_new(base, on_lost_irq, d);
	if (!d->burst_event || !d->lost_irq_event) {
		r = log_error_errno(ENOMEM, "%s: failed to set up the polling events: %m",
				    backend->name);
		device_free(d);  /* closes the backend */
		return r;
	}
	*ret = d;
	return 0;
}

int device_add_channel(struct device *d, struct channel *c)
{
	if (d->n_channels >= OPTIONS_MAX_CHANNELS)
		return -E2BIG;
	d->channels[d->n_channels++] = c;
	return 0;
}

static void log_mode(const struct device *d)
{
	const char *name = d->backend->name;

	if (!d->polled)
		return;
	if (d->force_polled && d->backend->has_irq)
		log_info("%s: polled mode (--polled; the node's interrupt is left masked), STR every %u ms when idle",
			 name, d->idle_poll_ms);
	else if (d->force_polled)
		log_info("%s: polled mode (--polled; the node has no interrupt anyway), STR every %u ms when idle",
			 name, d->idle_poll_ms);
	else
		log_info("%s: the node has no interrupt: polled mode, STR every %u ms when idle (--idle-poll)",
			 name, d->idle_poll_ms);
}

int device_start(struct device *d)
{
	int r;

	d->polled = d->force_polled || !d->backend->has_irq;
	for (unsigned int i = 0; i < d->n_channels; i++) {
		r = channel_start(d->channels[i], d->backend, d->polled);
		if (r < 0)
			return r;
		channel_set_kick(d->channels[i], on_kick, d);
	}
	log_mode(d);
	if (d->polled) {
		r = start_polling(d);
		if (r < 0)
			return r;
		on_tick(-1, 0, d);
	} else {
		d->irq_event = event_new(d->base, d->backend->irq_fd, EV_READ | EV_PERSIST, on_irq, d);
		if (!d->irq_event)
			return log_error_errno(ENOMEM, "Failed to watch the interrupt of %s: %m",
					       d->backend->name);
		if (event_add(d->irq_event, NULL) < 0)
			return log_error_errno(EIO, "Failed to add the interrupt of %s to the loop",
					       d->backend->name);
		/* An earlier run may have left the line masked; a pending byte is served now. */
		d->masked = true;
		continue_burst(d);
	}
	return d->stopped ? -EIO : 0;
}

void device_stop(struct device *d)
{
	if (d->stopped)
		return;
	d->stopped = true;
	for (unsigned int i = 0; i < d->n_channels; i++)
		channel_stop(d->channels[i]);
	if (d->irq_event)
		event_del(d->irq_event);
	if (d->tick_event)
		event_del(d->tick_event);
	event_del(d->burst_event);
	event_del(d->lost_irq_event);
}

void device_free(struct device *d)
{
	if (!d)
		return;
	if (d->irq_event)
		event_free(d->irq_event);
	if (d->tick_event)
		event_free(d->tick_event);
	if (d->tick_fd >= 0)
		close(d->tick_fd);
	if (d->burst_event)
		event_free(d->burst_event);
	if (d->lost_irq_event)
		event_free(d->lost_irq_event);
	kcs_backend_close(d->backend);
	free(d);
}

bool device_polled(const struct device *d)
{
	return d->polled;
}

const char *device_name(const struct device *d)
{
	return d->backend->name;
}
