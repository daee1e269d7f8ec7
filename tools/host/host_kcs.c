// SPDX-License-Identifier: Apache-2.0
#include "host_kcs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "host_log.h"
#include "status_wait.h"
#include "str_decode.h"
#include "trace.h"

#define PHASE_WRITE      "write"
#define PHASE_READ       "read"
#define PHASE_ERROR_EXIT "error-exit"

void host_kcs_init(struct host_kcs *k, struct sim_port *port,
		   unsigned int timeout_ms, unsigned int retries)
{
	memset(k, 0, sizeof(*k));
	k->port = port;
	k->timeout_ns = (uint64_t)timeout_ms * 1000000u;
	k->retries = retries;
	k->phase = "-";
	k->step.text = "at start";
}

void host_kcs_set_think(struct host_kcs *k, uint64_t min_ns, uint64_t max_ns, uint64_t seed)
{
	k->think_min_ns = min_ns;
	k->think_max_ns = max_ns;
	k->rng = seed ? seed : 1;  /* xorshift never leaves 0 */
}

/* xorshift64*: reproducible and cheap; the delays need no quality beyond that. */
static uint64_t next_random(struct host_kcs *k)
{
	k->rng ^= k->rng >> 12;
	k->rng ^= k->rng << 25;
	k->rng ^= k->rng >> 27;
	return k->rng * 0x2545F4914F6CDD1Dull;
}

static void think(struct host_kcs *k)
{
	uint64_t span = k->think_max_ns - k->think_min_ns;

	if (!k->think_max_ns)
		return;
	spin_ns(k->think_min_ns + (span ? next_random(k) % (span + 1) : 0));
}

static void set_step(struct host_kcs *k, const char *text, unsigned int n, unsigned int of)
{
	k->step = (struct host_step){ .text = text, .n = n, .of = of };
}

static const char *describe_step(const struct host_kcs *k, char *buf, size_t len)
{
	if (k->step.of)
		snprintf(buf, len, "%s %u of %u", k->step.text, k->step.n, k->step.of);
	else if (k->step.n)
		snprintf(buf, len, "%s %u", k->step.text, k->step.n);
	else
		snprintf(buf, len, "%s", k->step.text);
	return buf;
}

__attribute__((format(printf, 3, 4)))
static int fail(struct host_kcs *k, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k->err, sizeof(k->err), fmt, ap);
	va_end(ap);
	return error;
}

static int write_port(struct host_kcs *k, uint8_t value, bool command)
{
	int r;

	think(k);
	r = command ? sim_port_write_cmd(k->port, value) : sim_port_write_data(k->port, value);

	if (r == -EPIPE)
		return fail(k, r, "the BMC side stopped listening on %s (kcs-uiod exited?)",
			    k->port->irq_path);
	if (r < 0)
		return fail(k, r, "raising the interrupt on %s: %s", k->port->irq_path, strerror(-r));
	return 0;
}

int host_kcs_write_cmd(struct host_kcs *k, uint8_t code)
{
	TRACE(k->phase, "cmd  <- 0x%02x %s", code, kcs_ctrl_name(code));
	return write_port(k, code, true);
}

int host_kcs_write_data(struct host_kcs *k, uint8_t value)
{
	TRACE(k->phase, "data <- 0x%02x", value);
	return write_port(k, value, false);
}

/* A data port write with its meaning in the trace. */
static int write_data_as(struct host_kcs *k, uint8_t value, const char *what,
			 unsigned int n, unsigned int of)
{
	if (of)
		TRACE(k->phase, "data <- 0x%02x %s %u of %u", value, what, n, of);
	else
		TRACE(k->phase, "data <- 0x%02x %s", value, what);
	return write_port(k, value, false);
}

uint8_t host_kcs_read_data(struct host_kcs *k)
{
	uint8_t value = sim_port_read_data(k->port);

	TRACE(k->phase, "data -> 0x%02x", value);
	return value;
}

/* @what, and @n after it when non-zero, name the condition: "OBF=1 for response byte 3". */
static int wait_status(struct host_kcs *k, uint8_t mask, uint8_t want, const char *what,
		       size_t n, uint8_t *str)
{
	char sbuf[STR_DESCRIBE_MAX], step[96], nbuf[24] = "";
	struct status_wait w;
	int r;

	r = status_wait(k->port, mask, want, k->timeout_ns, k->wait, &w);
	*str = w.str;
	if (r < 0) {
		if (n)
			snprintf(nbuf, sizeof(nbuf), " %zu", n);
		TRACE(k->phase, "wait %s%s TIMEOUT after %llu us: %s", what, nbuf,
		      (unsigned long long)(w.waited_ns / 1000u), str_describe(w.str, sbuf, sizeof(sbuf)));
		return fail(k, r, "timeout after %llu ms waiting for %s%s %s; %s",
			    (unsigned long long)(k->timeout_ns / 1000000u), what, nbuf,
			    describe_step(k, step, sizeof(step)),
			    str_describe(w.str, sbuf, sizeof(sbuf)));
	}
	TRACE(k->phase, "wait %s ok after %llu us: %s", what,
	      (unsigned long long)(w.waited_ns / 1000u), str_describe(w.str, sbuf, sizeof(sbuf)));
	return 0;
}

int host_kcs_wait_ibf_clear(struct host_kcs *k, uint8_t *str)
{
	return wait_status(k, KCS_STR_IBF, 0, "IBF=0", 0, str);
}

int host_kcs_wait_obf_set(struct host_kcs *k, uint8_t *str)
{
	return wait_status(k, KCS_STR_OBF, KCS_STR_OBF, "OBF=1", 0, str);
}

static int expect_state(struct host_kcs *k, uint8_t str, enum kcs_state want)
{
	char sbuf[STR_DESCRIBE_MAX], step[96];

	if (kcs_str_state(str) == want)
		return 0;
	TRACE(k->phase, "state %s, expected %s", str_state_name(kcs_str_state(str)),
	      str_state_name(want));
	return fail(k, -EPROTO, "expected state %s %s, saw %s", str_state_name(want),
		    describe_step(k, step, sizeof(step)), str_describe(str, sbuf, sizeof(sbuf)));
}

/* "Clear OBF" in the spec's flows: the host clears it by reading the data port. */
static void clear_obf(struct host_kcs *k)
{
	uint8_t str = sim_port_read_status(k->port);
	uint8_t discarded;

	if (!(str & KCS_STR_OBF)) {
		TRACE(k->phase, "clear OBF: already 0");
		return;
	}
	discarded = sim_port_read_data(k->port);
	TRACE(k->phase, "clear OBF: read the data port (0x%02x discarded)", discarded);
}

/* Wait IBF=0, check the state, clear OBF: the spec's step before every write. */
static int ready_to_write(struct host_kcs *k, enum kcs_state want)
{
	uint8_t str;
	int r;

	r = host_kcs_wait_ibf_clear(k, &str);
	if (r < 0)
		return r;
	r = expect_state(k, str, want);
	if (r < 0)
		return r;
	clear_obf(k);
	return 0;
}

/*
 * Wait OBF=1 for the byte @what, check the state is still @want and read the
 * data port. The state is checked again once OBF is set, beyond the spec, as
 * Linux does: a BMC that restarted meanwhile (force abort: ERROR and a dummy
 * byte) must not pass its dummy off as data or status.
 */
static int read_byte(struct host_kcs *k, enum kcs_state want, const char *what,
		     size_t index, uint8_t *byte)
{
	uint8_t str;
	int r;

	r = wait_status(k, KCS_STR_OBF, KCS_STR_OBF, what, index, &str);
	if (r == 0)
		r = expect_state(k, str, want);
	if (r < 0)
		return r;
	*byte = sim_port_read_data(k->port);
	return 0;
}

static int write_transfer(struct host_kcs *k, const uint8_t *req, size_t len)
{
	uint8_t str;
	int r;

	k->phase = PHASE_WRITE;
	set_step(k, "before WRITE_START", 0, 0);
	r = host_kcs_wait_ibf_clear(k, &str);
	if (r < 0)
		return r;
	clear_obf(k);
	r = host_kcs_write_cmd(k, KCS_CTRL_WRITE_START);
	if (r < 0)
		return r;
	set_step(k, "after WRITE_START", 0, 0);

	for (size_t i = 0; i < len; i++) {
		r = ready_to_write(k, KCS_STATE_WRITE);
		if (r < 0)
			return r;
		if (i + 1 == len) {
			r = host_kcs_write_cmd(k, KCS_CTRL_WRITE_END);
			if (r < 0)
				return r;
			set_step(k, "after WRITE_END", 0, 0);
			r = ready_to_write(k, KCS_STATE_WRITE);
			if (r < 0)
				return r;
		}
		r = write_data_as(k, req[i], "request byte", (unsigned int)i + 1, (unsigned int)len);
		if (r < 0)
			return r;
		set_step(k, "after data byte", (unsigned int)i + 1, (unsigned int)len);
	}
	return 0;
}

static int read_transfer(struct host_kcs *k, uint8_t *rsp, size_t size, size_t *len)
{
	char sbuf[STR_DESCRIBE_MAX], step[96];
	uint8_t str, byte;
	size_t n = 0;
	int r;

	k->phase = PHASE_READ;
	for (;;) {
		r = host_kcs_wait_ibf_clear(k, &str);
		if (r < 0)
			return r;

		switch (kcs_str_state(str)) {
		case KCS_STATE_READ:
			r = read_byte(k, KCS_STATE_READ, "OBF=1 for response byte", n + 1, &byte);
			if (r < 0)
				return r;
			if (n >= size)
				return fail(k, -EMSGSIZE, "response longer than %zu bytes", size);
			rsp[n++] = byte;
			TRACE(k->phase, "data -> 0x%02x response byte %zu", byte, n);
			r = write_data_as(k, KCS_CTRL_READ, "READ", 0, 0);
			if (r < 0)
				return r;
			set_step(k, "after READ for response byte", (unsigned int)n + 1, 0);
			break;
		case KCS_STATE_IDLE:
			r = read_byte(k, KCS_STATE_IDLE, "OBF=1 for the dummy byte", 0, &byte);
			if (r < 0)
				return r;
			TRACE(k->phase, "dummy byte 0x%02x: response complete, %zu bytes",
			      byte, n);
			*len = n;
			return 0;
		default:
			return fail(k, -EPROTO, "expected state READ or IDLE %s, saw %s",
				    describe_step(k, step, sizeof(step)),
				    str_describe(str, sbuf, sizeof(sbuf)));
		}
	}
}

int host_kcs_error_exit(struct host_kcs *k, uint8_t *status)
{
	uint8_t str, dummy;
	int r;

	k->phase = PHASE_ERROR_EXIT;
	set_step(k, "before ABORT", 0, 0);
	r = host_kcs_wait_ibf_clear(k, &str);
	if (r < 0)
		return r;
	r = host_kcs_write_cmd(k, KCS_CTRL_GET_STATUS_ABORT);
	if (r < 0)
		return r;
	set_step(k, "after ABORT", 0, 0);
	r = host_kcs_wait_ibf_clear(k, &str);
	if (r < 0)
		return r;
	clear_obf(k);
	r = write_data_as(k, 0x00, "(error exit: ask for the status code)", 0, 0);
	if (r < 0)
		return r;
	set_step(k, "after 0x00 to the data port (error exit)", 0, 0);

	r = host_kcs_wait_ibf_clear(k, &str);
	if (r < 0)
		return r;
	r = expect_state(k, str, KCS_STATE_READ);
	if (r < 0)
		return r;
	r = read_byte(k, KCS_STATE_READ, "OBF=1 for the status code", 0, status);
	if (r < 0)
		return r;
	TRACE(k->phase, "status code 0x%02x: %s", *status, kcs_status_code_name(*status));
	r = write_data_as(k, KCS_CTRL_READ, "READ", 0, 0);
	if (r < 0)
		return r;
	set_step(k, "after READ for the dummy byte (error exit)", 0, 0);

	r = host_kcs_wait_ibf_clear(k, &str);
	if (r < 0)
		return r;
	r = expect_state(k, str, KCS_STATE_IDLE);
	if (r < 0)
		return r;
	r = read_byte(k, KCS_STATE_IDLE, "OBF=1 for the dummy byte", 0, &dummy);
	if (r < 0)
		return r;
	TRACE(k->phase, "dummy byte 0x%02x: error exit complete", dummy);
	return 0;
}

static int attempt(struct host_kcs *k, const uint8_t *req, size_t req_len,
		   uint8_t *rsp, size_t rsp_size, size_t *rsp_len)
{
	int r = write_transfer(k, req, req_len);

	if (r < 0)
		return r;
	return read_transfer(k, rsp, rsp_size, rsp_len);
}

int host_kcs_transact(struct host_kcs *k, const uint8_t *req, size_t req_len,
		      uint8_t *rsp, size_t rsp_size, size_t *rsp_len)
{
	unsigned int attempts = k->retries + 1;
	char first[sizeof(k->err)];

	if (req_len == 0 || req_len > HOST_KCS_MSG_MAX)
		return fail(k, -EINVAL, "request of %zu bytes (1..%u)", req_len, HOST_KCS_MSG_MAX);

	for (unsigned int i = 1;; i++) {
		uint8_t status;
		int r, e;

		if (i > 1)
			TRACE("-", "attempt %u of %u", i, attempts);
		r = attempt(k, req, req_len, rsp, rsp_size, rsp_len);
		if (r == 0)
			return 0;
		if (r == -EPIPE)
			return r;

		/* The error exit overwrites err: keep the reason it was needed. */
		memcpy(first, k->err, sizeof(first));
		e = host_kcs_error_exit(k, &status);
		if (e == -EPIPE)
			return e;
		if (e < 0) {
			char exit_err[sizeof(k->err)];

			memcpy(exit_err, k->err, sizeof(exit_err));
			fail(k, -EIO, "%s; the error exit failed too: %s", first, exit_err);
			return -EIO;
		}
		if (i == attempts) {
			fail(k, r, "%s (error exit status 0x%02x: %s; gave up after %u attempt%s)",
			     first, status, kcs_status_code_name(status), attempts,
			     attempts == 1 ? "" : "s");
			return r;
		}
		if (!k->quiet)
			host_error("attempt %u of %u failed: %s; error exit status 0x%02x (%s), retrying",
				   i, attempts, first, status, kcs_status_code_name(status));
		k->retried++;
	}
}
