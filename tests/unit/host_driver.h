/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host side of a KCS channel for unit tests: the IPMI v2.0 section 9 host
 * flows (write transfer, read transfer, error exit) exactly as docs/design.md
 * section 1 lists them, over a fake register page, stepping the BMC state
 * machine once after every host port write (the interrupt).
 *
 * Everything is single-threaded: host write -> kcs_sm_handle_irq -> host
 * looks. So a "wait" that would not be satisfied right after the BMC ran is a
 * host time-out, i.e. a BMC bug, and fails the test at once. A state the host
 * did not expect is what a real host driver reacts to (it bails out to the
 * error exit): the flows return -EPROTO and h->failed_step says where.
 *
 * After every step the driver also checks the ordering rule against the
 * snapshot the fake took when the BMC's IDR read dropped IBF: for a control
 * code the BMC must already show state WRITE with the dummy byte in ODR;
 * for a data byte (the phase decides its outcome) it must already show the
 * final state, OBF and ODR.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fake_regs.h"
#include "kcs_regs.h"
#include "kcs_sm.h"

#define HOST_NR_EVENTS (KCS_EV_ILLEGAL + 1)

struct host {
	struct fake_regs *fake;
	struct kcs_sm *sm;
	/* What kcs_sm_handle_irq returned, per event, over all steps so far. */
	unsigned int events[HOST_NR_EVENTS];
	enum kcs_sm_event last_event;
	/* Why the latest flow returned -EPROTO. */
	char failed_step[160];
};

void host_init(struct host *h, struct fake_regs *fake, struct kcs_sm *sm);

/*
 * Building blocks, for scripting any (mis)behaviour.
 * host_write_cmd/host_write_data: write the port, run the BMC once, then
 * check that it consumed the byte (exactly one IDR read, IBF clear) and
 * obeyed the ordering rule. They do not wait for anything beforehand.
 */
enum kcs_sm_event host_write_cmd(struct host *h, uint8_t code);
enum kcs_sm_event host_write_data(struct host *h, uint8_t byte);
uint8_t host_read_data(struct host *h);
uint8_t host_status(struct host *h);
enum kcs_state host_state(struct host *h);
/* Fail the test: a real host would time out here. */
void host_wait_ibf_clear(struct host *h);
void host_wait_obf(struct host *h);
/* Read the data port if OBF is set, as host drivers do before a write. */
void host_clear_obf(struct host *h);
/* 0, or -EPROTO with h->failed_step naming @step and the state seen. */
int host_expect_state(struct host *h, enum kcs_state want, const char *step);

/* The spec's flows. 0, or -EPROTO when the BMC showed a state the flow does
 * not allow at that step (the caller then runs the error exit). */
int host_write_transfer(struct host *h, const uint8_t *msg, size_t len);
/* Reads the response into @buf (at most @cap bytes) and its length into
 * *@len; -EMSGSIZE when it was longer than @cap. */
int host_read_transfer(struct host *h, uint8_t *buf, size_t cap, size_t *len);
/* The status code the BMC returned (0..255), or -EPROTO. */
int host_error_exit(struct host *h);

const char *host_state_name(enum kcs_state state);
