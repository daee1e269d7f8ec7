// SPDX-License-Identifier: Apache-2.0
/*
 * BMC-side KCS state machine. See kcs_sm.h and docs/design.md section 2.
 *
 * The one rule that shapes every handler: reading IDR clears IBF, and a host
 * acts the moment it sees IBF drop. So whenever the outcome of a byte is
 * known before reading it, the state bits and ODR are written first and IDR
 * is read last.
 */
#include "kcs_sm.h"

#include <errno.h>
#include <string.h>

#include "ipmi_cc.h"

#define KCS_DUMMY 0x00u

static void set_state(struct kcs_sm *sm, enum kcs_state state)
{
	sm->regs.ops->update_str(sm->regs.ctx, KCS_STR_STATE_MASK, kcs_str_state_bits(state));
}

static void write_odr(struct kcs_sm *sm, uint8_t value)
{
	sm->regs.ops->write_odr(sm->regs.ctx, value);
}

static uint8_t read_idr(struct kcs_sm *sm)
{
	return sm->regs.ops->read_idr(sm->regs.ctx);
}

/*
 * Forget the partial request, the response being read and the request being
 * processed upstream. Call before leaving the current phase: whether upstream
 * holds a request is derived from the phase.
 */
static bool drop_work(struct kcs_sm *sm)
{
	bool dropped = sm->in_len > 0 || sm->out_len > 0;

	if (sm->phase == KCS_PHASE_WAIT_RESPONSE) {
		dropped = true;
		/*
		 * Stale from here on, inside the callback too: a client that
		 * answers from its cancel path must not reach ODR. Every caller
		 * sets the final phase afterwards.
		 */
		sm->phase = KCS_PHASE_IDLE;
		if (sm->client.cancel)
			sm->client.cancel(sm->client.userdata, sm->last_id);
	}
	sm->in_len = 0;
	sm->out_len = 0;
	sm->out_pos = 0;
	return dropped;
}

/* Bookkeeping of an error. The STR state bits are the caller's: ordering. */
static enum kcs_sm_event record_error(struct kcs_sm *sm, uint8_t code, enum kcs_sm_event ev)
{
	drop_work(sm);
	sm->error = code;
	sm->phase = KCS_PHASE_ERROR;
	if (ev == KCS_EV_LENGTH_ERROR)
		sm->counters.length_errors++;
	else
		sm->counters.illegal_codes++;
	return ev;
}

/* An error found in the byte just read (control codes). */
static enum kcs_sm_event fail(struct kcs_sm *sm, uint8_t code)
{
	set_state(sm, KCS_STATE_ERROR);
	return record_error(sm, code, code == KCS_STATUS_LENGTH_ERROR ?
			    KCS_EV_LENGTH_ERROR : KCS_EV_ILLEGAL);
}

/* An error the phase decides (data bytes): ERROR shows before IBF drops. */
static enum kcs_sm_event fail_before_read(struct kcs_sm *sm, uint8_t code, enum kcs_sm_event ev)
{
	set_state(sm, KCS_STATE_ERROR);
	(void)read_idr(sm);
	return record_error(sm, code, ev);
}

static enum kcs_sm_event handle_control(struct kcs_sm *sm)
{
	uint8_t code;

	set_state(sm, KCS_STATE_WRITE);
	write_odr(sm, KCS_DUMMY);
	code = read_idr(sm);

	switch (code) {
	case KCS_CTRL_WRITE_START: {
		bool dropped = drop_work(sm);

		sm->error = KCS_STATUS_NO_ERROR;
		sm->phase = KCS_PHASE_WRITE_START;
		if (!dropped)
			return KCS_EV_WRITE_START;
		sm->counters.restarts++;
		return KCS_EV_RESTART;
	}
	case KCS_CTRL_WRITE_END:
		if (sm->phase == KCS_PHASE_WRITE_DATA) {
			sm->phase = KCS_PHASE_WRITE_END;
			return KCS_EV_BYTE;
		}
		/* No data byte yet: the message would be one byte long. */
		if (sm->phase == KCS_PHASE_WRITE_START)
			return fail(sm, KCS_STATUS_LENGTH_ERROR);
		return fail(sm, KCS_STATUS_ILLEGAL_CODE);
	case KCS_CTRL_GET_STATUS_ABORT:
		drop_work(sm);
		if (sm->error == KCS_STATUS_NO_ERROR)
			sm->error = KCS_STATUS_ABORTED;
		sm->phase = KCS_PHASE_ABORT_1;
		sm->counters.host_aborts++;
		return KCS_EV_HOST_ABORT;
	default:
		return fail(sm, KCS_STATUS_ILLEGAL_CODE);
	}
}

/* WRITE_END is only accepted after a data byte: in_len >= KCS_REQUEST_MIN. */
static enum kcs_sm_event complete_request(struct kcs_sm *sm)
{
	sm->last_id++;
	if (sm->last_id == 0)
		sm->last_id = 1;
	sm->req_hdr[0] = sm->in[0];
	sm->req_hdr[1] = sm->in[1];
	sm->phase = KCS_PHASE_WAIT_RESPONSE;
	sm->counters.requests++;
	/* The client may answer from inside the callback: phase is set first. */
	if (sm->client.request)
		sm->client.request(sm->client.userdata, sm->last_id, sm->in, sm->in_len);
	return KCS_EV_REQUEST;
}

static enum kcs_sm_event handle_read_byte(struct kcs_sm *sm)
{
	bool last = sm->out_pos >= sm->out_len;

	/*
	 * Assume the host sent READ (0x68), as it must: the next byte (or IDLE
	 * and the dummy) has to be in place before IBF drops.
	 */
	if (last) {
		set_state(sm, KCS_STATE_IDLE);
		write_odr(sm, KCS_DUMMY);
	} else {
		write_odr(sm, sm->out[sm->out_pos++]);
	}
	if (read_idr(sm) != KCS_CTRL_READ)
		return fail(sm, KCS_STATUS_ILLEGAL_CODE);
	if (!last)
		return KCS_EV_BYTE;

	sm->out_len = 0;
	sm->out_pos = 0;
	sm->in_len = 0;
	sm->error = KCS_STATUS_NO_ERROR;
	sm->phase = KCS_PHASE_IDLE;
	sm->counters.responses++;
	return KCS_EV_RESPONSE_DONE;
}

static enum kcs_sm_event handle_data(struct kcs_sm *sm)
{
	switch (sm->phase) {
	case KCS_PHASE_WRITE_START:
	case KCS_PHASE_WRITE_DATA:
		if (sm->in_len >= sm->limit)
			return fail_before_read(sm, KCS_STATUS_LENGTH_ERROR, KCS_EV_LENGTH_ERROR);
		/*
		 * STR already shows WRITE: these phases are only entered through a
		 * control code, which set it. Skipping the rewrite spares silicon a
		 * read-modify-write on every request byte.
		 */
		write_odr(sm, KCS_DUMMY);
		sm->in[sm->in_len++] = read_idr(sm);
		sm->phase = KCS_PHASE_WRITE_DATA;
		return KCS_EV_BYTE;
	case KCS_PHASE_WRITE_END:
		if (sm->in_len >= sm->limit)
			return fail_before_read(sm, KCS_STATUS_LENGTH_ERROR, KCS_EV_LENGTH_ERROR);
		/* No ODR write: the host now waits for OBF, i.e. the response. */
		set_state(sm, KCS_STATE_READ);
		sm->in[sm->in_len++] = read_idr(sm);
		return complete_request(sm);
	case KCS_PHASE_READ:
		return handle_read_byte(sm);
	case KCS_PHASE_ABORT_1:
		set_state(sm, KCS_STATE_READ);
		write_odr(sm, sm->error);
		(void)read_idr(sm);
		sm->phase = KCS_PHASE_ABORT_2;
		return KCS_EV_BYTE;
	case KCS_PHASE_ABORT_2:
		/* Any byte: hosts differ between 0x68 and 0x00 here. */
		set_state(sm, KCS_STATE_IDLE);
		write_odr(sm, KCS_DUMMY);
		(void)read_idr(sm);
		sm->error = KCS_STATUS_NO_ERROR;
		sm->phase = KCS_PHASE_IDLE;
		return KCS_EV_ABORT_DONE;
	case KCS_PHASE_IDLE:
	case KCS_PHASE_WAIT_RESPONSE:
	case KCS_PHASE_ERROR:
	default:
		/* A byte nobody asked for; keep an earlier error's code. */
		return fail_before_read(sm, sm->error != KCS_STATUS_NO_ERROR ?
					sm->error : KCS_STATUS_ILLEGAL_CODE, KCS_EV_ILLEGAL);
	}
}

int kcs_sm_init(struct kcs_sm *sm, const struct kcs_regs *regs,
		const struct kcs_sm_client *client, size_t limit)
{
	if (!sm || !regs || !regs->ops)
		return -EINVAL;
	if (limit < KCS_BUF_MIN || limit > KCS_BUF_MAX)
		return -ERANGE;

	memset(sm, 0, sizeof(*sm));
	sm->regs = *regs;
	if (client)
		sm->client = *client;
	sm->limit = limit;
	sm->phase = KCS_PHASE_IDLE;
	return 0;
}

void kcs_sm_seed_ids(struct kcs_sm *sm, uint32_t last_id)
{
	sm->last_id = last_id;
}

bool kcs_sm_consistent(const struct kcs_sm *sm)
{
	return sm->limit >= KCS_BUF_MIN && sm->limit <= KCS_BUF_MAX &&
	       sm->in_len <= sm->limit && sm->out_len <= sm->limit &&
	       sm->out_pos <= sm->out_len;
}

const uint8_t *kcs_sm_response(const struct kcs_sm *sm, size_t *len, size_t *sent)
{
	*len = sm->out_len;
	*sent = sm->out_pos;
	return sm->out;
}

uint8_t kcs_sm_read_str(const struct kcs_sm *sm)
{
	return sm->regs.ops->read_str(sm->regs.ctx);
}

enum kcs_sm_event kcs_sm_poll(struct kcs_sm *sm)
{
	return kcs_sm_serve(sm, kcs_sm_read_str(sm));
}

bool kcs_sm_expects_host_byte(const struct kcs_sm *sm)
{
	switch (sm->phase) {
	case KCS_PHASE_WRITE_START:
	case KCS_PHASE_WRITE_DATA:
	case KCS_PHASE_WRITE_END:
	case KCS_PHASE_READ:
	case KCS_PHASE_ABORT_1:
	case KCS_PHASE_ABORT_2:
		return true;
	case KCS_PHASE_IDLE:
	case KCS_PHASE_WAIT_RESPONSE:
	case KCS_PHASE_ERROR:
	default:
		return false;
	}
}

enum kcs_sm_event kcs_sm_serve(struct kcs_sm *sm, uint8_t str)
{
	if (!(str & KCS_STR_IBF))
		return KCS_EV_SPURIOUS;
	if (str & KCS_STR_CD)
		return handle_control(sm);
	return handle_data(sm);
}

void kcs_sm_count_spurious(struct kcs_sm *sm)
{
	sm->counters.spurious_irqs++;
}

enum kcs_sm_event kcs_sm_handle_irq(struct kcs_sm *sm)
{
	enum kcs_sm_event ev = kcs_sm_poll(sm);

	if (ev == KCS_EV_SPURIOUS)
		kcs_sm_count_spurious(sm);
	return ev;
}

bool kcs_sm_waiting_for(const struct kcs_sm *sm, uint32_t id)
{
	return sm->phase == KCS_PHASE_WAIT_RESPONSE && sm->last_id == id;
}

static void start_read(struct kcs_sm *sm, size_t len)
{
	sm->out_len = len;
	sm->out_pos = 1;
	sm->phase = KCS_PHASE_READ;
	/* State READ was set when the request completed. */
	write_odr(sm, sm->out[0]);
}

/* NetFn|1 (the response NetFn), LUN and Cmd of the request, then @cc. */
static void put_header(struct kcs_sm *sm, uint8_t cc)
{
	sm->out[0] = sm->req_hdr[0] | 0x04u;
	sm->out[1] = sm->req_hdr[1];
	sm->out[2] = cc;
}

static int check_waiting(struct kcs_sm *sm, uint32_t id)
{
	if (kcs_sm_waiting_for(sm, id))
		return 0;
	sm->counters.stale_responses++;
	return -ESTALE;
}

/* A response over the limit: the host gets the request's header with 0xCA. */
static int respond_too_long(struct kcs_sm *sm)
{
	sm->counters.oversize_responses++;
	put_header(sm, IPMI_CC_RESP_TOO_LONG);
	start_read(sm, 3);
	return -EMSGSIZE;
}

int kcs_sm_respond_cc(struct kcs_sm *sm, uint32_t id, uint8_t cc)
{
	return kcs_sm_respond_data(sm, id, cc, NULL, 0);
}

int kcs_sm_respond_data(struct kcs_sm *sm, uint32_t id, uint8_t cc,
			const uint8_t *data, size_t len)
{
	int r = check_waiting(sm, id);

	if (r < 0)
		return r;
	if (len && !data)
		return -EINVAL;
	if (len > sm->limit - 3)
		return respond_too_long(sm);
	put_header(sm, cc);
	if (len)
		memcpy(sm->out + 3, data, len);
	start_read(sm, 3 + len);
	return 0;
}

int kcs_sm_respond(struct kcs_sm *sm, uint32_t id, const uint8_t *msg, size_t len)
{
	int r = check_waiting(sm, id);

	if (r < 0)
		return r;
	if (!msg || len < KCS_BUF_MIN)
		return -EINVAL;
	if (len > sm->limit)
		return respond_too_long(sm);
	memcpy(sm->out, msg, len);
	start_read(sm, len);
	return 0;
}

void kcs_sm_force_abort(struct kcs_sm *sm)
{
	drop_work(sm);
	set_state(sm, KCS_STATE_ERROR);
	(void)read_idr(sm);
	write_odr(sm, KCS_DUMMY);
	sm->phase = KCS_PHASE_ERROR;
	sm->counters.force_aborts++;
}

void kcs_sm_shutdown(struct kcs_sm *sm)
{
	drop_work(sm);
	set_state(sm, KCS_STATE_ERROR);
	sm->phase = KCS_PHASE_ERROR;
}

void kcs_sm_set_sms_atn(struct kcs_sm *sm, bool on)
{
	sm->regs.ops->update_str(sm->regs.ctx, KCS_STR_SMS_ATN, on ? KCS_STR_SMS_ATN : 0);
}

const char *kcs_phase_name(enum kcs_phase phase)
{
	static const char *const names[] = {
		[KCS_PHASE_IDLE] = "idle",
		[KCS_PHASE_WRITE_START] = "write-start",
		[KCS_PHASE_WRITE_DATA] = "write-data",
		[KCS_PHASE_WRITE_END] = "write-end",
		[KCS_PHASE_WAIT_RESPONSE] = "wait-response",
		[KCS_PHASE_READ] = "read",
		[KCS_PHASE_ABORT_1] = "abort-1",
		[KCS_PHASE_ABORT_2] = "abort-2",
		[KCS_PHASE_ERROR] = "error",
	};

	if ((unsigned)phase >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[phase];
}

const char *kcs_sm_event_name(enum kcs_sm_event ev)
{
	static const char *const names[] = {
		[KCS_EV_SPURIOUS] = "spurious interrupt",
		[KCS_EV_BYTE] = "byte",
		[KCS_EV_WRITE_START] = "write start",
		[KCS_EV_RESTART] = "host restarted a transfer",
		[KCS_EV_REQUEST] = "request",
		[KCS_EV_RESPONSE_DONE] = "response read",
		[KCS_EV_HOST_ABORT] = "host abort",
		[KCS_EV_ABORT_DONE] = "error exit finished",
		[KCS_EV_LENGTH_ERROR] = "length error",
		[KCS_EV_ILLEGAL] = "illegal control code or byte",
	};

	if ((unsigned)ev >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[ev];
}
