// SPDX-License-Identifier: Apache-2.0
#include "host_driver.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

/* Hosts write 0x00 where the spec asks for "a dummy byte". */
#define HOST_DUMMY 0x00u

const char *host_state_name(enum kcs_state state)
{
	static const char *const names[] = { "IDLE", "READ", "WRITE", "ERROR" };

	return names[state & 3];
}

void host_init(struct host *h, struct fake_regs *fake, struct kcs_sm *sm)
{
	memset(h, 0, sizeof(*h));
	h->fake = fake;
	h->sm = sm;
}

uint8_t host_status(struct host *h)
{
	return fake_host_read_status(h->fake);
}

enum kcs_state host_state(struct host *h)
{
	return kcs_str_state(host_status(h));
}

uint8_t host_read_data(struct host *h)
{
	return fake_host_read_data(h->fake);
}

/*
 * What a fast host sees at the instant IBF drops must already be final.
 * Control codes: the BMC cannot know the code before reading it, so it must
 * show WRITE and the dummy byte first (the code's own outcome may follow).
 * Data bytes: the phase decides, so state, OBF and ODR must not change after
 * the IDR read; the exceptions are a READ-phase byte other than READ (the
 * mismatch shows only once the byte is read) and a client that answered a
 * request from inside its callback (the response is put in ODR after the
 * request was read; the host waits for OBF then anyway).
 */
static void check_ordering(struct host *h, bool command, uint8_t byte,
			   enum kcs_phase before, enum kcs_sm_event ev)
{
	const struct fake_snapshot *snap = &h->fake->snap;
	uint8_t now = host_status(h);
	const char *port = command ? "command" : "data";

	if (command) {
		if (kcs_str_state(snap->str) != KCS_STATE_WRITE || !(snap->str & KCS_STR_OBF) ||
		    snap->odr != HOST_DUMMY)
			fail_msg("ordering: control code 0x%02x in phase %s: when IBF dropped the host saw state %s, OBF %u, ODR 0x%02x; want WRITE, OBF 1, dummy 0x00 written first",
				 byte, kcs_phase_name(before), host_state_name(kcs_str_state(snap->str)),
				 snap->str & KCS_STR_OBF, snap->odr);
		return;
	}
	if (before == KCS_PHASE_READ && byte != KCS_CTRL_READ)
		return;
	if (kcs_str_state(snap->str) != kcs_str_state(now))
		fail_msg("ordering: %s byte 0x%02x in phase %s: when IBF dropped the host saw state %s, then %s",
			 port, byte, kcs_phase_name(before), host_state_name(kcs_str_state(snap->str)),
			 host_state_name(kcs_str_state(now)));
	if (ev == KCS_EV_REQUEST && h->sm->phase == KCS_PHASE_READ)
		return;
	if ((snap->str & KCS_STR_OBF) != (now & KCS_STR_OBF))
		fail_msg("ordering: %s byte 0x%02x in phase %s: when IBF dropped OBF was %u, then %u",
			 port, byte, kcs_phase_name(before), snap->str & KCS_STR_OBF, now & KCS_STR_OBF);
	if ((now & KCS_STR_OBF) && snap->odr != fake_odr(h->fake))
		fail_msg("ordering: %s byte 0x%02x in phase %s: when IBF dropped ODR held 0x%02x, then 0x%02x",
			 port, byte, kcs_phase_name(before), snap->odr, fake_odr(h->fake));
}

static enum kcs_sm_event step(struct host *h, bool command, uint8_t byte)
{
	enum kcs_phase before = h->sm->phase;
	unsigned long reads = h->fake->idr_reads;
	enum kcs_sm_event ev;

	if (command)
		fake_host_write_cmd(h->fake, byte);
	else
		fake_host_write_data(h->fake, byte);
	ev = kcs_sm_handle_irq(h->sm);
	assert_true((unsigned)ev < HOST_NR_EVENTS);
	h->events[ev]++;
	h->last_event = ev;

	if (h->fake->idr_reads != reads + 1)
		fail_msg("%s byte 0x%02x in phase %s: the BMC read IDR %lu times, want exactly once",
			 command ? "command" : "data", byte, kcs_phase_name(before),
			 h->fake->idr_reads - reads);
	if (host_status(h) & KCS_STR_IBF)
		fail_msg("%s byte 0x%02x in phase %s: IBF still set after the BMC ran",
			 command ? "command" : "data", byte, kcs_phase_name(before));
	check_ordering(h, command, byte, before, ev);
	return ev;
}

enum kcs_sm_event host_write_cmd(struct host *h, uint8_t code)
{
	return step(h, true, code);
}

enum kcs_sm_event host_write_data(struct host *h, uint8_t byte)
{
	return step(h, false, byte);
}

void host_wait_ibf_clear(struct host *h)
{
	if (host_status(h) & KCS_STR_IBF)
		fail_msg("host time-out: IBF stays set (phase %s)", kcs_phase_name(h->sm->phase));
}

void host_wait_obf(struct host *h)
{
	if (!(host_status(h) & KCS_STR_OBF))
		fail_msg("host time-out: OBF never set (phase %s, state %s)",
			 kcs_phase_name(h->sm->phase), host_state_name(host_state(h)));
}

void host_clear_obf(struct host *h)
{
	if (host_status(h) & KCS_STR_OBF)
		(void)host_read_data(h);
}

int host_expect_state(struct host *h, enum kcs_state want, const char *step_name)
{
	enum kcs_state got = host_state(h);

	if (got == want)
		return 0;
	snprintf(h->failed_step, sizeof(h->failed_step), "%s: state %s, expected %s",
		 step_name, host_state_name(got), host_state_name(want));
	return -EPROTO;
}

/*
 * Every write is preceded by "wait IBF=0"; before each data byte and before
 * WRITE_END the host checks WRITE and clears OBF (the spec's flow chart:
 * the check follows every write, WRITE_END's included).
 */
int host_write_transfer(struct host *h, const uint8_t *msg, size_t len)
{
	int r;

	if (len == 0)
		return -EINVAL;
	h->failed_step[0] = '\0';
	host_wait_ibf_clear(h);
	host_clear_obf(h);
	host_write_cmd(h, KCS_CTRL_WRITE_START);
	for (size_t i = 0; i + 1 < len; i++) {
		host_wait_ibf_clear(h);
		r = host_expect_state(h, KCS_STATE_WRITE, i ? "write transfer: data byte" :
				      "write transfer: after WRITE_START");
		if (r < 0)
			return r;
		host_clear_obf(h);
		host_write_data(h, msg[i]);
	}
	host_wait_ibf_clear(h);
	r = host_expect_state(h, KCS_STATE_WRITE, len > 1 ? "write transfer: before WRITE_END" :
			      "write transfer: after WRITE_START");
	if (r < 0)
		return r;
	host_clear_obf(h);
	host_write_cmd(h, KCS_CTRL_WRITE_END);
	host_wait_ibf_clear(h);
	r = host_expect_state(h, KCS_STATE_WRITE, "write transfer: after WRITE_END");
	if (r < 0)
		return r;
	host_clear_obf(h);
	host_write_data(h, msg[len - 1]);
	return 0;
}

int host_read_transfer(struct host *h, uint8_t *buf, size_t cap, size_t *len)
{
	size_t n = 0;

	h->failed_step[0] = '\0';
	host_wait_ibf_clear(h);
	for (;;) {
		enum kcs_state state = host_state(h);
		uint8_t byte;

		if (state == KCS_STATE_IDLE) {
			host_wait_obf(h);
			(void)host_read_data(h);
			*len = n;
			return n > cap ? -EMSGSIZE : 0;
		}
		if (state != KCS_STATE_READ) {
			*len = n;
			snprintf(h->failed_step, sizeof(h->failed_step),
				 "read transfer: state %s after %zu bytes", host_state_name(state), n);
			return -EPROTO;
		}
		if (n > KCS_BUF_MAX + 1)
			fail_msg("read transfer: the BMC keeps state READ past %zu bytes", n);
		host_wait_obf(h);
		byte = host_read_data(h);
		if (n < cap)
			buf[n] = byte;
		n++;
		host_write_data(h, KCS_CTRL_READ);
		host_wait_ibf_clear(h);
	}
}

int host_error_exit(struct host *h)
{
	uint8_t status;
	int r;

	h->failed_step[0] = '\0';
	host_wait_ibf_clear(h);
	host_write_cmd(h, KCS_CTRL_GET_STATUS_ABORT);
	host_wait_ibf_clear(h);
	host_clear_obf(h);
	host_write_data(h, HOST_DUMMY);
	host_wait_ibf_clear(h);
	r = host_expect_state(h, KCS_STATE_READ, "error exit: status byte");
	if (r < 0)
		return r;
	host_wait_obf(h);
	status = host_read_data(h);
	host_write_data(h, KCS_CTRL_READ);
	host_wait_ibf_clear(h);
	r = host_expect_state(h, KCS_STATE_IDLE, "error exit: end");
	if (r < 0)
		return r;
	host_wait_obf(h);
	(void)host_read_data(h);
	return status;
}
