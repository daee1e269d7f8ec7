/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host's KCS flows, written from IPMI v2.0 section 9 (docs/design.md section
 * 1): write transfer, read transfer, and the error exit, with the retry
 * policy of the Linux driver (error exit, then the whole transaction again,
 * up to --retries times). Every step checks the state bits where the spec
 * says to, and every failure leaves a sentence in err that names the step
 * and the status seen.
 *
 * Functions return 0 or a negative errno.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_port.h"
#include "status_wait.h"

/* The largest message any BMC buffer of this project holds. */
#define HOST_KCS_MSG_MAX 4096u

/* The last register step, for messages: "after data byte 3 of 10". */
struct host_step {
	const char *text;   /* "after WRITE_START", "before ABORT", ... */
	unsigned int n;     /* byte number, 0 when none */
	unsigned int of;    /* total bytes, 0 when unknown */
};

struct host_kcs {
	struct sim_port *port;
	uint64_t timeout_ns;        /* per byte, i.e. per wait */
	unsigned int retries;       /* repeats after the first attempt */
	bool quiet;                 /* no per-retry warnings on stderr */
	enum host_wait wait;        /* how status waits poll */
	uint64_t think_min_ns;      /* busy delay before every port write, */
	uint64_t think_max_ns;      /* uniform in [min, max]; 0..0: none */
	uint64_t rng;               /* xorshift state for the delays */
	uint64_t retried;           /* attempts repeated, over all calls */
	const char *phase;          /* flow being run, for --trace */
	struct host_step step;
	char err[768];              /* why the last call failed */
};

void host_kcs_init(struct host_kcs *k, struct sim_port *port,
		   unsigned int timeout_ms, unsigned int retries);

/*
 * Think time: before every port write, busy-wait a random time in
 * [@min_ns, @max_ns], from a sequence fixed by @seed. Exercises a BMC's
 * polling window at its boundary without system calls on the host side.
 */
void host_kcs_set_think(struct host_kcs *k, uint64_t min_ns, uint64_t max_ns, uint64_t seed);

/*
 * Send request @req (NetFn/LUN, Cmd, data; 1..HOST_KCS_MSG_MAX bytes) and
 * read the response into @rsp (@rsp_size bytes). On a protocol failure run
 * the error exit and start again, up to k->retries times.
 *   -ETIMEDOUT, -EPROTO (state not as the spec expects), -EMSGSIZE
 *               (response larger than @rsp_size): the last attempt failed so
 *   -EIO        the error exit failed too: the BMC side is not answering
 *   -EPIPE      the BMC side stopped reading its interrupt FIFO
 * The response is not checked against the request: that is the caller's.
 */
int host_kcs_transact(struct host_kcs *k, const uint8_t *req, size_t req_len,
		      uint8_t *rsp, size_t rsp_size, size_t *rsp_len);

/* The error exit on its own; @status gets the BMC's status code. */
int host_kcs_error_exit(struct host_kcs *k, uint8_t *status);

/*
 * Single traced register steps, for "kcs-host steps". The waits return
 * -ETIMEDOUT after k->timeout_ns and leave the STR seen in @str.
 */
int host_kcs_write_cmd(struct host_kcs *k, uint8_t code);
int host_kcs_write_data(struct host_kcs *k, uint8_t value);
uint8_t host_kcs_read_data(struct host_kcs *k);
int host_kcs_wait_ibf_clear(struct host_kcs *k, uint8_t *str);
int host_kcs_wait_obf_set(struct host_kcs *k, uint8_t *str);
