// SPDX-License-Identifier: Apache-2.0
/*
 * ipmi-sim-bridge: owns xyz.openbmc_project.Ipmi.Host and forwards each
 * execute call to OpenIPMI's ipmi_sim over its VM serial protocol (a TCP
 * connection to ipmi_sim's `serial 15 ... codec VM` line), so kcs-uiod can
 * be exercised against a full simulated BMC: SDRs, SEL, FRU, sensors.
 *
 * One request is in flight to ipmi_sim at a time; calls arriving meanwhile
 * wait in a queue. A request unanswered within --timeout-ms fails its call
 * with a D-Bus error; a late answer is recognised by its sequence number
 * and dropped. When ipmi_sim goes away, every waiting call fails and the
 * bridge reconnects with a growing delay.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "cleanup.h"
#include "config.h"
#include "host_bus.h"
#include "ipmi_cc.h"
#include "log.h"
#include "opt_parse.h"
#include "vm_codec.h"

#define PROG "ipmi-sim-bridge"

#define DEFAULT_HOST       "127.0.0.1"
#define DEFAULT_PORT       "9002"
#define DEFAULT_TIMEOUT_MS 3000u
#define TIMEOUT_MS_MAX     60000u

/* ipmi_sim drops requests with more data than this ("Message too long"). */
#define SIM_REQUEST_DATA_MAX 255u
/* Calls waiting for ipmi_sim beyond this are refused rather than queued. */
#define QUEUE_MAX 64u

#define BACKOFF_MIN_US (100 * UINT64_C(1000))
#define BACKOFF_MAX_US (5000 * UINT64_C(1000))

#define ERROR_NOT_CONNECTED SD_BUS_ERROR_IO_ERROR
#define ERROR_TIMEOUT       SD_BUS_ERROR_TIMEOUT
#define ERROR_QUEUE_FULL    SD_BUS_ERROR_LIMITS_EXCEEDED

/* One execute call waiting for ipmi_sim. */
struct call {
	struct call *next;
	sd_bus_message *msg;
	uint8_t netfn, lun, cmd;
	size_t len;
	uint8_t data[];
};

struct bridge {
	sd_event *event;
	sd_bus *bus;
	const char *host;
	const char *port;
	uint64_t timeout_us;
	struct sockaddr_storage addr;
	socklen_t addr_len;

	/* the connection to ipmi_sim */
	int fd;
	bool connected;
	sd_event_source *io;
	sd_event_source *retry;
	uint64_t backoff_us;
	bool quiet_retry;          /* the first failure was logged */
	struct vm_decoder decoder;
	uint8_t *out;              /* bytes the socket did not take yet */
	size_t out_len;

	/* calls: head is in flight when in_flight */
	struct call *head, *tail;
	size_t queued;
	bool in_flight;
	uint8_t seq;
	sd_event_source *timeout;

	bool ready;
};

struct bridge_options {
	const char *bus;
	const char *host;
	const char *port;
	uint64_t timeout_ms;
};

static int bridge_connect(struct bridge *b);

static struct call *call_free(struct call *c)
{
	sd_bus_message_unref(c->msg);
	free(c);
	return NULL;
}

static void call_reply_error(struct call *c, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void call_reply_error(struct call *c, const char *name, const char *fmt, ...)
{
	_cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	(void)sd_bus_error_setfv(&e, name, fmt, ap);
	va_end(ap);
	r = sd_bus_reply_method_error(c->msg, &e);
	if (r < 0)
		log_warning_errno(r, "Failed to send the error for netfn 0x%02x cmd 0x%02x: %m",
				  c->netfn, c->cmd);
}

static void call_reply(struct call *c, const struct vm_response *rsp)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r;

	if (!sd_bus_message_get_expect_reply(c->msg))
		return;
	r = sd_bus_message_new_method_return(c->msg, &reply);
	if (r >= 0)
		/* ipmi_sim answers on LUN 0: give the caller its own LUN back */
		r = sd_bus_message_append(reply, "yyyy", rsp->netfn, c->lun, rsp->cmd, rsp->cc);
	if (r >= 0)
		r = sd_bus_message_append_array(reply, 'y', rsp->data, rsp->len);
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	if (r < 0)
		log_warning_errno(r, "Failed to send the reply to netfn 0x%02x cmd 0x%02x: %m",
				  c->netfn, c->cmd);
}

/* Remove and return the head of the queue; the caller answers and frees it. */
static struct call *bridge_pop(struct bridge *b)
{
	struct call *c = b->head;

	b->head = c->next;
	if (!b->head)
		b->tail = NULL;
	b->queued--;
	b->in_flight = false;
	b->timeout = sd_event_source_disable_unref(b->timeout);
	return c;
}

/* Answer every waiting call with an error: the connection is gone. */
static void bridge_fail_all(struct bridge *b, int error, const char *why)
{
	while (b->head) {
		struct call *c = bridge_pop(b);

		call_reply_error(c, ERROR_NOT_CONNECTED, "ipmi_sim at %s:%s: %s%s%s",
				 b->host, b->port, why, error ? ": " : "",
				 error ? strerror(error) : "");
		call_free(c);
	}
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct bridge *b = userdata;

	b->retry = sd_event_source_disable_unref(b->retry);
	(void)bridge_connect(b);
	return 0;
}

/* Close the connection (if any) and try again after the backoff. */
static void bridge_disconnect(struct bridge *b, int error, const char *why)
{
	int r;

	if (b->connected)
		log_warning_errno(error, "Lost ipmi_sim at %s:%s: %s: %m", b->host, b->port, why);
	else if (!b->quiet_retry)
		log_warning_errno(error, "Cannot connect to ipmi_sim at %s:%s: %s: %m; retrying",
				  b->host, b->port, why);
	else
		log_debug_errno(error, "Cannot connect to ipmi_sim at %s:%s: %s: %m", b->host, b->port, why);
	if (!b->connected)
		b->quiet_retry = true;
	else
		b->backoff_us = 0;

	b->connected = false;
	b->io = sd_event_source_disable_unref(b->io);
	closep(&b->fd);
	b->fd = -1;
	vm_decoder_init(&b->decoder);
	b->out_len = 0;
	bridge_fail_all(b, error, why);

	b->backoff_us = b->backoff_us ? b->backoff_us * 2 : BACKOFF_MIN_US;
	if (b->backoff_us > BACKOFF_MAX_US)
		b->backoff_us = BACKOFF_MAX_US;
	r = sd_event_add_time_relative(b->event, &b->retry, CLOCK_MONOTONIC,
				       b->backoff_us, 0, on_retry, b);
	if (r < 0) {
		log_error_errno(r, "Failed to arm the reconnect timer: %m");
		sd_event_exit(b->event, EXIT_FAILURE);
	}
}

/* Queue @p for the socket; returns false when the connection broke. */
static bool bridge_write(struct bridge *b, const uint8_t *p, size_t n)
{
	uint8_t *out;
	int r;

	if (b->out_len == 0) {
		ssize_t w = send(b->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			bridge_disconnect(b, errno, "write failed");
			return false;
		}
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		}
		if (n == 0)
			return true;
	}

	out = realloc(b->out, b->out_len + n);
	if (!out) {
		bridge_disconnect(b, ENOMEM, "out of memory");
		return false;
	}
	memcpy(out + b->out_len, p, n);
	b->out = out;
	b->out_len += n;
	r = sd_event_source_set_io_events(b->io, EPOLLIN | EPOLLOUT);
	if (r < 0) {
		bridge_disconnect(b, -r, "cannot watch the socket");
		return false;
	}
	return true;
}

static void bridge_flush(struct bridge *b)
{
	ssize_t w = send(b->fd, b->out, b->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
	int r;

	if (w < 0) {
		if (errno != EAGAIN && errno != EINTR)
			bridge_disconnect(b, errno, "write failed");
		return;
	}
	memmove(b->out, b->out + w, b->out_len - (size_t)w);
	b->out_len -= (size_t)w;
	if (b->out_len == 0) {
		r = sd_event_source_set_io_events(b->io, EPOLLIN);
		if (r < 0)
			bridge_disconnect(b, -r, "cannot watch the socket");
	}
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata);

/* Send the call at the head of the queue if nothing is in flight. */
static void bridge_pump(struct bridge *b)
{
	uint8_t frame[VM_MSG_ENCODED_MAX(SIM_REQUEST_DATA_MAX)];
	struct call *c = b->head;
	ssize_t n;
	int r;

	if (!b->connected || b->in_flight || !c)
		return;

	b->seq++;
	n = vm_encode_msg(b->seq, c->netfn, c->lun, c->cmd, c->data, c->len,
			  frame, sizeof(frame));
	if (n < 0) {
		/* checked when the call arrived; cannot happen */
		log_error_errno((int)n, "Failed to encode netfn 0x%02x cmd 0x%02x: %m",
				c->netfn, c->cmd);
		sd_event_exit(b->event, EXIT_FAILURE);
		return;
	}

	r = sd_event_add_time_relative(b->event, &b->timeout, CLOCK_MONOTONIC,
				       b->timeout_us, 1000, on_timeout, b);
	if (r < 0) {
		log_error_errno(r, "Failed to arm the request timer: %m");
		sd_event_exit(b->event, EXIT_FAILURE);
		return;
	}
	b->in_flight = true;
	log_debug("-> seq %u netfn 0x%02x lun %u cmd 0x%02x, %zu data bytes",
		  b->seq, c->netfn, c->lun, c->cmd, c->len);
	(void)bridge_write(b, frame, (size_t)n);
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct bridge *b = userdata;
	struct call *c = bridge_pop(b);

	log_warning("ipmi_sim did not answer netfn 0x%02x cmd 0x%02x (%zu data bytes, seq %u) within %" PRIu64 " ms",
		    c->netfn, c->cmd, c->len, b->seq, b->timeout_us / 1000);
	call_reply_error(c, ERROR_TIMEOUT, "ipmi_sim did not answer within %" PRIu64 " ms",
			 b->timeout_us / 1000);
	call_free(c);
	bridge_pump(b);
	return 0;
}

static void bridge_handle_response(struct bridge *b, const struct vm_frame *f)
{
	struct vm_response rsp;
	struct call *c;

	if (vm_parse_response(f, &rsp) < 0) {
		log_warning("Dropped a message from ipmi_sim without a completion code (%zu bytes)",
			    f->len);
		return;
	}
	if (!b->in_flight || rsp.seq != b->seq) {
		/* the answer to a request that already timed out */
		log_info("Dropped a late answer from ipmi_sim: seq %u netfn 0x%02x cmd 0x%02x",
			 rsp.seq, rsp.netfn, rsp.cmd);
		return;
	}

	c = bridge_pop(b);
	if (rsp.netfn != (c->netfn | 1) || rsp.cmd != c->cmd)
		log_warning("ipmi_sim answered netfn 0x%02x cmd 0x%02x to netfn 0x%02x cmd 0x%02x",
			    rsp.netfn, rsp.cmd, c->netfn, c->cmd);
	log_debug("<- seq %u netfn 0x%02x cmd 0x%02x cc 0x%02x, %zu data bytes",
		  rsp.seq, rsp.netfn, rsp.cmd, rsp.cc, rsp.len);
	call_reply(c, &rsp);
	call_free(c);
	bridge_pump(b);
}

static const char *vm_command_name(uint8_t id)
{
	switch (id) {
	case VM_CMD_POWEROFF:    return "power off";
	case VM_CMD_RESET:       return "reset";
	case VM_CMD_ENABLE_IRQ:  return "enable the message interrupt";
	case VM_CMD_DISABLE_IRQ: return "disable the message interrupt";
	case VM_CMD_SEND_NMI:    return "an NMI";
	case VM_CMD_FORCEOFF:    return "forced power off";
	default:                 return NULL;
	}
}

/* ipmi_sim's control commands need no answer; the bridge has no host to act on. */
static void bridge_handle_command(struct bridge *b, const struct vm_frame *f)
{
	uint8_t id = f->bytes[0];
	const char *name;

	switch (id) {
	case VM_CMD_VERSION:
		if (f->len < 2 || f->bytes[1] != VM_PROTOCOL_VERSION)
			log_warning("ipmi_sim speaks VM protocol version %d, the bridge %u",
				    f->len < 2 ? -1 : f->bytes[1], VM_PROTOCOL_VERSION);
		else
			log_debug("ipmi_sim speaks VM protocol version %u", f->bytes[1]);
		return;
	case VM_CMD_NOATTN:
	case VM_CMD_ATTN:
	case VM_CMD_ATTN_IRQ:
		/* SMS attention: messages or events wait in the BMC; nobody polls them here */
		log_debug("ipmi_sim %s attention", id == VM_CMD_NOATTN ? "clears" : "sets");
		return;
	}
	name = vm_command_name(id);
	if (name)
		log_notice("ipmi_sim asks for %s; no host is attached, ignored", name);
	else
		log_debug("Ignored unknown VM command 0x%02x from ipmi_sim", id);
}

static void bridge_read(struct bridge *b)
{
	uint8_t buf[4096];
	ssize_t n = read(b->fd, buf, sizeof(buf));
	size_t pos = 0;

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			bridge_disconnect(b, errno, "read failed");
		return;
	}
	if (n == 0) {
		bridge_disconnect(b, ECONNRESET, "ipmi_sim closed the connection");
		return;
	}

	/* Every frame handler may disconnect: stop when the fd is gone. */
	while (pos < (size_t)n && b->fd >= 0) {
		struct vm_frame f;
		size_t used;
		int r;

		r = vm_decoder_feed(&b->decoder, buf + pos, (size_t)n - pos, &used, &f);
		pos += used;
		if (r < 0)
			log_warning_errno(r, "Dropped a bad frame from ipmi_sim: %m");
		else if (r > 0 && f.kind == VM_FRAME_MSG)
			bridge_handle_response(b, &f);
		else if (r > 0)
			bridge_handle_command(b, &f);
	}
}

static void bridge_connected(struct bridge *b)
{
	static const uint8_t hello[][2] = {
		{ VM_CMD_VERSION, VM_PROTOCOL_VERSION },
		/* no power, reset, irq, NMI or attention: there is no host */
		{ VM_CMD_CAPABILITIES, 0 },
	};
	int r;

	b->connected = true;
	b->quiet_retry = false;
	b->backoff_us = 0;
	r = sd_event_source_set_io_events(b->io, EPOLLIN);
	if (r < 0) {
		bridge_disconnect(b, -r, "cannot watch the socket");
		return;
	}
	log_info("Connected to ipmi_sim at %s:%s", b->host, b->port);

	for (size_t i = 0; i < sizeof(hello) / sizeof(hello[0]); i++) {
		uint8_t frame[8];
		ssize_t n = vm_encode_cmd(hello[i], sizeof(hello[i]), frame, sizeof(frame));

		if (n < 0 || !bridge_write(b, frame, (size_t)n))
			return;
	}

	if (!b->ready) {
		b->ready = true;
		printf("READY\n");
		fflush(stdout);
	}
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct bridge *b = userdata;

	if (!b->connected) {
		int error = 0;
		socklen_t len = sizeof(error);

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0)
			error = errno;
		if (error)
			bridge_disconnect(b, error, "connect failed");
		else
			bridge_connected(b);
		return 0;
	}

	if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
		bridge_read(b);
	if (b->fd >= 0 && (revents & EPOLLOUT) && b->out_len)
		bridge_flush(b);
	return 0;
}

/* Start a non-blocking connect; on_io sees it finish, failures retry. */
static int bridge_connect(struct bridge *b)
{
	_cleanup_close_ int fd = -1;
	int r;

	fd = socket(b->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		bridge_disconnect(b, errno, "cannot create a socket");
		return 0;
	}
	if (connect(fd, (const struct sockaddr *)&b->addr, b->addr_len) < 0 &&
	    errno != EINPROGRESS) {
		bridge_disconnect(b, errno, "connect failed");
		return 0;
	}

	r = sd_event_add_io(b->event, &b->io, fd, EPOLLOUT, on_io, b);
	if (r < 0) {
		log_error_errno(r, "Failed to watch the ipmi_sim socket: %m");
		return sd_event_exit(b->event, EXIT_FAILURE);
	}
	b->fd = TAKE_FD(fd);
	return 0;
}

/* Resolve --host/--port once: the address of ipmi_sim's VM line. */
static int bridge_resolve(struct bridge *b)
{
	const struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICSERV,
	};
	struct addrinfo *ai = NULL;
	int r;

	r = getaddrinfo(b->host, b->port, &hints, &ai);
	if (r != 0) {
		log_error("Cannot resolve --host '%s' (port %s): %s", b->host, b->port,
			  r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		return -EHOSTUNREACH;
	}
	/* ipmi_sim listens on one address: the first answer is the one */
	memcpy(&b->addr, ai->ai_addr, ai->ai_addrlen);
	b->addr_len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int bridge_execute(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	struct bridge *b = userdata;
	uint8_t netfn, lun, cmd;
	const void *data;
	struct call *c;
	size_t len;
	int r;

	r = sd_bus_message_read(m, "yyy", &netfn, &lun, &cmd);
	if (r < 0)
		return r;
	r = sd_bus_message_read_array(m, 'y', &data, &len);
	if (r < 0)
		return r;

	if (netfn > 0x3f || lun > 3)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "netfn 0x%02x or lun %u out of range", netfn, lun);
	if (netfn == 0x06 && cmd == 0x04) {
		/*
		 * ipmi_sim does not implement Get Self Test Results; a simulated
		 * BMC has nothing to self-test, so answer "no error" here.
		 */
		static const uint8_t passed[] = { 0x55, 0x00 };

		r = sd_bus_message_new_method_return(m, &reply);
		if (r >= 0)
			r = sd_bus_message_append(reply, "yyyy", (uint8_t)(netfn | 1), lun, cmd,
						  (uint8_t)IPMI_CC_OK);
		if (r >= 0)
			r = sd_bus_message_append_array(reply, 'y', passed, sizeof(passed));
		if (r >= 0)
			r = sd_bus_send(NULL, reply, NULL);
		return r < 0 ? r : 1;
	}
	if (len > SIM_REQUEST_DATA_MAX) {
		/* ipmi_sim would drop it silently and the call would time out */
		log_info("Refused netfn 0x%02x cmd 0x%02x: %zu data bytes, ipmi_sim takes %u",
			 netfn, cmd, len, SIM_REQUEST_DATA_MAX);
		return sd_bus_reply_method_return(m, IPMI_HOST_EXECUTE_OUT, (uint8_t)(netfn | 1), lun, cmd,
						  (uint8_t)IPMI_CC_REQ_DATA_LEN, 0u);
	}
	if (!b->connected)
		return sd_bus_error_setf(error, ERROR_NOT_CONNECTED,
					 "Not connected to ipmi_sim at %s:%s", b->host, b->port);
	if (b->queued >= QUEUE_MAX)
		return sd_bus_error_setf(error, ERROR_QUEUE_FULL,
					 "%u calls already wait for ipmi_sim", QUEUE_MAX);

	c = calloc(1, sizeof(*c) + len);
	if (!c)
		return -ENOMEM;
	c->msg = sd_bus_message_ref(m);
	c->netfn = netfn;
	c->lun = lun;
	c->cmd = cmd;
	c->len = len;
	if (len)
		memcpy(c->data, data, len);

	if (b->tail)
		b->tail->next = c;
	else
		b->head = c;
	b->tail = c;
	b->queued++;
	bridge_pump(b);
	return 1;
}

static const sd_bus_vtable bridge_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS(IPMI_HOST_EXECUTE,
		SD_BUS_ARGS("y", netfn, "y", lun, "y", cmd, "ay", data, "a{sv}", options),
		SD_BUS_RESULT("y", netfn, "y", lun, "y", cmd, "y", cc, "ay", data),
		bridge_execute, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

static void bridge_done(struct bridge *b)
{
	/* Calls still here (after a failure) cannot be answered: the bus is closed. */
	while (b->head)
		call_free(bridge_pop(b));
	b->timeout = sd_event_source_disable_unref(b->timeout);
	b->retry = sd_event_source_disable_unref(b->retry);
	b->io = sd_event_source_disable_unref(b->io);
	closep(&b->fd);
	free(b->out);
	b->bus = sd_bus_flush_close_unref(b->bus);
	b->event = sd_event_unref(b->event);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct bridge *b = userdata;

	/* Now, while the bus is open: sd-bus closes it as the loop exits. */
	bridge_fail_all(b, 0, "the bridge is stopping");
	return sd_event_exit(b->event, 0);
}

static int bridge_run(const struct bridge_options *o)
{
	_cleanup_(bridge_done) struct bridge b = {
		.host = o->host,
		.port = o->port,
		.timeout_us = o->timeout_ms * 1000,
		.fd = -1,
	};
	int r;

	vm_decoder_init(&b.decoder);
	r = bridge_resolve(&b);
	if (r < 0)
		return r;

	r = sd_event_new(&b.event);
	if (r < 0)
		return log_error_errno(r, "Failed to create the event loop: %m");
	r = sd_event_add_signal(b.event, NULL, SIGTERM | SD_EVENT_SIGNAL_PROCMASK, on_signal, &b);
	if (r >= 0)
		r = sd_event_add_signal(b.event, NULL, SIGINT | SD_EVENT_SIGNAL_PROCMASK, on_signal, &b);
	if (r < 0)
		return log_error_errno(r, "Failed to watch SIGTERM/SIGINT: %m");

	r = bus_open(o->bus, "ipmi-sim-bridge", &b.bus);
	if (r < 0)
		return r;
	r = sd_bus_add_object_vtable(b.bus, NULL, IPMI_HOST_PATH, IPMI_HOST_INTERFACE,
				     bridge_vtable, &b);
	if (r < 0)
		return log_error_errno(r, "Failed to add %s on %s: %m",
				       IPMI_HOST_INTERFACE, IPMI_HOST_PATH);
	r = host_bus_own(b.bus, b.event, o->bus);
	if (r < 0)
		return r;

	/* READY follows once ipmi_sim accepts the connection. */
	r = bridge_connect(&b);
	if (r < 0)
		return r;

	r = sd_event_loop(b.event);
	if (r < 0)
		return log_error_errno(r, "Event loop failed: %m");
	if (r != 0)
		return log_error_errno(ECONNRESET, "Stopped after a failure (bus '%s')", o->bus);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ipmi-sim-bridge [--bus BUS] [--host HOST] [--port PORT] [--timeout-ms MS]\n"
		"                       [--log-level LEVEL]\n"
		"Own %s and forward execute to OpenIPMI's ipmi_sim\n"
		"over its VM serial protocol (lan.conf: serial 15 HOST PORT codec VM).\n"
		"\n"
		"  -B, --bus BUS         system (default), session, or a D-Bus address\n"
		"  -H, --host HOST       ipmi_sim's VM line address (default %s)\n"
		"  -p, --port PORT       its TCP port (default %s)\n"
		"  -t, --timeout-ms MS   fail a call ipmi_sim leaves unanswered this long\n"
		"                        (default %u, 1..%u)\n"
		"  -l, --log-level L     err|warning|notice|info|debug (default info;\n"
		"                        debug logs each request's netfn/cmd/length)\n"
		"  -h, --help            show this help\n"
		"  -V, --version         show the version\n"
		"\n"
		"Prints READY once connected to ipmi_sim with the name owned.\n",
		IPMI_HOST_SERVICE, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TIMEOUT_MS, TIMEOUT_MS_MAX);
}

static int parse_options(int argc, char **argv, struct bridge_options *o)
{
	static const struct option longopts[] = {
		{ "bus",        required_argument, NULL, 'B' },
		{ "host",       required_argument, NULL, 'H' },
		{ "port",       required_argument, NULL, 'p' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "log-level",  required_argument, NULL, 'l' },
		{ "help",       no_argument,       NULL, 'h' },
		{ "version",    no_argument,       NULL, 'V' },
		{ 0 },
	};
	uint64_t port;
	int c;

	while ((c = getopt_long(argc, argv, "B:H:p:t:l:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'B':
			if (opt_bus(PROG, optarg, &o->bus) < 0)
				return -EINVAL;
			break;
		case 'H':
			o->host = optarg;
			break;
		case 'p':
			/* checked here, kept as text for getaddrinfo */
			if (opt_u64(PROG, "--port", optarg, 1, 65535, &port) < 0)
				return -EINVAL;
			o->port = optarg;
			break;
		case 't':
			if (opt_u64(PROG, "--timeout-ms", optarg, 1, TIMEOUT_MS_MAX,
				    &o->timeout_ms) < 0)
				return -EINVAL;
			break;
		case 'l':
			if (opt_log_level(PROG, optarg) < 0)
				return -EINVAL;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf(PROG " %s\n", KCS_UIO_VERSION);
			return 1;
		default:
			return -EINVAL;
		}
	}
	return opt_no_operands(PROG, argc, argv);
}

int main(int argc, char **argv)
{
	struct bridge_options o = {
		.bus = "system",
		.host = DEFAULT_HOST,
		.port = DEFAULT_PORT,
		.timeout_ms = DEFAULT_TIMEOUT_MS,
	};
	int r;

	r = parse_options(argc, argv, &o);
	if (r < 0)
		return 2;
	if (r > 0)
		return 0;
	return bridge_run(&o) < 0 ? 1 : 0;
}
