/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The BMC side of the KCS interface (IPMI v2.0 section 9), as the behaviour
 * table of docs/design.md section 2 describes it. One struct kcs_sm per channel.
 *
 * The state machine does no I/O of its own: it touches registers only through
 * struct kcs_regs and hands complete requests to its client through
 * callbacks. It is not thread-safe; the daemon drives it from one loop.
 *
 * Functions return 0 or a negative errno.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kcs_regs.h"

#define KCS_BUF_DEFAULT 1024u
#define KCS_BUF_MAX     4096u
#define KCS_BUF_MIN     3u     /* the smallest response: NetFn/LUN, Cmd, CC */
#define KCS_REQUEST_MIN 2u     /* NetFn/LUN, Cmd */

enum kcs_phase {
	KCS_PHASE_IDLE,
	KCS_PHASE_WRITE_START,
	KCS_PHASE_WRITE_DATA,
	KCS_PHASE_WRITE_END,
	KCS_PHASE_WAIT_RESPONSE,
	KCS_PHASE_READ,
	KCS_PHASE_ABORT_1,
	KCS_PHASE_ABORT_2,
	KCS_PHASE_ERROR,
};

/* What one interrupt did, for the caller's logging. */
enum kcs_sm_event {
	KCS_EV_SPURIOUS,      /* IBF was clear: nothing to do */
	KCS_EV_BYTE,          /* a byte moved; nothing noteworthy */
	KCS_EV_WRITE_START,   /* a new request begins (nothing dropped) */
	KCS_EV_RESTART,       /* WRITE_START dropped a request or response in progress */
	KCS_EV_REQUEST,       /* a complete request went to the client */
	KCS_EV_RESPONSE_DONE, /* the host read the whole response */
	KCS_EV_HOST_ABORT,    /* the host began the error exit */
	KCS_EV_ABORT_DONE,    /* the error exit finished; channel idle */
	KCS_EV_LENGTH_ERROR,  /* request too short or past the buffer limit */
	KCS_EV_ILLEGAL,       /* illegal control code or data byte out of place */
};

struct kcs_counters {
	uint64_t requests;          /* complete requests handed up */
	uint64_t responses;         /* responses fully read by the host */
	uint64_t host_aborts;       /* ABORT control codes */
	uint64_t restarts;          /* WRITE_START that dropped work in progress */
	uint64_t length_errors;
	uint64_t illegal_codes;     /* illegal control codes and misplaced bytes */
	uint64_t stale_responses;   /* responses dropped: wrong id or phase */
	uint64_t oversize_responses;/* responses replaced by 0xCA */
	uint64_t spurious_irqs;     /* interrupts with IBF clear */
	uint64_t force_aborts;
};

struct kcs_sm_client {
	/*
	 * A complete request: @msg (@len bytes, at least KCS_REQUEST_MIN) stays
	 * valid until the next call into the state machine. Answer it with
	 * kcs_sm_respond_data() or kcs_sm_respond_cc() quoting @id.
	 */
	void (*request)(void *userdata, uint32_t id, const uint8_t *msg, size_t len);
	/*
	 * Request @id, handed up earlier, was dropped (host restart or abort,
	 * force abort): its answer would now be stale, so stop working on it.
	 */
	void (*cancel)(void *userdata, uint32_t id);
	void *userdata;
};

struct kcs_sm {
	struct kcs_regs regs;
	struct kcs_sm_client client;
	enum kcs_phase phase;
	uint8_t error;              /* status code for the next error exit */
	size_t limit;               /* largest request and response, bytes */
	uint32_t last_id;           /* id of the latest request; upstream works
				       on it exactly while phase is WAIT_RESPONSE */
	uint8_t req_hdr[2];         /* NetFn/LUN and Cmd of request last_id */
	size_t in_len;
	size_t out_len;
	size_t out_pos;
	struct kcs_counters counters;
	uint8_t in[KCS_BUF_MAX];
	uint8_t out[KCS_BUF_MAX];
};

/* @limit: KCS_BUF_MIN..KCS_BUF_MAX, else -ERANGE. Starts in phase IDLE. */
int kcs_sm_init(struct kcs_sm *sm, const struct kcs_regs *regs,
		const struct kcs_sm_client *client, size_t limit);

/*
 * Request ids continue after @last_id (kcs_sm_init() starts them at 0, so
 * the first request is 1). For tests, which reach the wrap-around past
 * UINT32_MAX, where 0 ("no request") is skipped, without 4 billion
 * requests. Call it while no request is upstream.
 */
void kcs_sm_seed_ids(struct kcs_sm *sm, uint32_t last_id);

/* Run once per IBF interrupt (or whenever STR may show IBF). */
enum kcs_sm_event kcs_sm_handle_irq(struct kcs_sm *sm);

/*
 * As kcs_sm_handle_irq(), but IBF clear is not counted as spurious: on a
 * line shared by several channels an interrupt belongs to whichever channel
 * shows IBF. The caller counts the interrupt that no channel claimed with
 * kcs_sm_count_spurious().
 */
enum kcs_sm_event kcs_sm_poll(struct kcs_sm *sm);
void kcs_sm_count_spurious(struct kcs_sm *sm);

/*
 * The two halves of kcs_sm_poll(), for a caller that watches STR itself
 * (burst polling): one STR read, and serving the byte that STR value
 * announces (SPURIOUS, not counted, when it shows IBF clear). The register
 * is read once per byte either way.
 */
uint8_t kcs_sm_read_str(const struct kcs_sm *sm);
enum kcs_sm_event kcs_sm_serve(struct kcs_sm *sm, uint8_t str);

/*
 * Answer request @id with @msg (NetFn|1/LUN, Cmd, CC, data...).
 * -ESTALE when @id is not the request the channel waits for (counted and
 * dropped), -EINVAL when @len < 3. A response longer than the limit is
 * replaced by the request's header with CC 0xCA, counted, and -EMSGSIZE
 * returned so the caller can log it; the host still gets its answer.
 * The daemon answers with kcs_sm_respond_data(); this whole-message form
 * stays for the unit tests, the fuzzer and the bench, which answer with
 * canned responses (header included) and check the short-message case.
 */
int kcs_sm_respond(struct kcs_sm *sm, uint32_t id, const uint8_t *msg, size_t len);

/*
 * Answer request @id with completion code @cc and @data (@len bytes, may be
 * 0): the request's NetFn (as a response), LUN and Cmd are echoed, and the
 * response is built once, in the state machine's own buffer. -ESTALE and
 * -EMSGSIZE (3 + @len over the limit: 0xCA sent instead) as above.
 */
int kcs_sm_respond_data(struct kcs_sm *sm, uint32_t id, uint8_t cc,
			const uint8_t *data, size_t len);

/*
 * Answer request @id with only a completion code, echoing the request's
 * NetFn (as a response) and Cmd. -ESTALE as above.
 */
int kcs_sm_respond_cc(struct kcs_sm *sm, uint32_t id, uint8_t cc);

/* Start-up, D-Bus forceAbort: state ERROR, drop everything, clear IBF. */
void kcs_sm_force_abort(struct kcs_sm *sm);

/* Read-modify-write of STR.SMS_ATN only (OBF and the state are preserved). */
void kcs_sm_set_sms_atn(struct kcs_sm *sm, bool on);

/* Shutdown: state ERROR so the host knows nobody answers; drops all work. */
void kcs_sm_shutdown(struct kcs_sm *sm);

/* True while request @id is the one the channel waits on. */
bool kcs_sm_waiting_for(const struct kcs_sm *sm, uint32_t id);

static inline const struct kcs_counters *kcs_sm_counters(const struct kcs_sm *sm)
{
	return &sm->counters;
}

static inline enum kcs_phase kcs_sm_phase(const struct kcs_sm *sm)
{
	return sm->phase;
}

/* The status code the next error exit reports (KCS_STATUS_*). */
static inline uint8_t kcs_sm_status_code(const struct kcs_sm *sm)
{
	return sm->error;
}

/* Largest request and response, bytes. */
static inline size_t kcs_sm_limit(const struct kcs_sm *sm)
{
	return sm->limit;
}

/*
 * The buffer bookkeeping holds: the limit within KCS_BUF_MIN..KCS_BUF_MAX,
 * the request and the response within the limit, the bytes sent within the
 * response. What the fuzzer and the unit tests check after every step.
 */
bool kcs_sm_consistent(const struct kcs_sm *sm);

/*
 * The response in the buffer (@len bytes, NetFn to the last data byte) and
 * how many of them went to ODR so far (@sent). Meaningful in phase READ,
 * where ODR holds byte @sent - 1; for tests that compare it with the answer
 * they gave.
 */
const uint8_t *kcs_sm_response(const struct kcs_sm *sm, size_t *len, size_t *sent);

/*
 * The host is in the middle of a transfer and its next byte is due: write
 * phases, the read phase and the error exit. Not while the request is out
 * upstream, when idle, or in ERROR (the host has yet to notice).
 */
bool kcs_sm_expects_host_byte(const struct kcs_sm *sm);

const char *kcs_phase_name(enum kcs_phase phase);
const char *kcs_sm_event_name(enum kcs_sm_event ev);
