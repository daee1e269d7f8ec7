/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One KCS channel under test: the fake register page, the real kcs_mmio
 * access on top of it, the real state machine, a recording client standing
 * in for the upstream IPMI service, and the host driver.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fake_regs.h"
#include "host_driver.h"
#include "kcs_chip.h"
#include "kcs_mmio.h"
#include "kcs_sm.h"

/* The upstream side: records what the state machine hands up. */
struct client_log {
	unsigned int requests;
	uint32_t id;                  /* latest request */
	uint8_t msg[KCS_BUF_MAX];
	size_t len;
	unsigned int cancels;
	uint32_t cancelled_id;        /* latest cancel */
	/* Answer every request from inside the callback with this, if set. */
	const uint8_t *answer;
	size_t answer_len;
	int answer_result;
};

struct fixture {
	const struct kcs_chip *chip;
	struct fake_regs fake;
	struct kcs_mmio mmio;
	struct kcs_sm sm;
	struct host host;
	struct client_log client;
};

/* Get Device ID (NetFn App 0x06, Cmd 0x01) and an answer with 15 data bytes. */
extern const uint8_t get_device_id_req[2];
extern const uint8_t get_device_id_resp[18];
/* Get Self Test Results (NetFn App, Cmd 0x04): a second, different exchange. */
extern const uint8_t self_test_req[2];
extern const uint8_t self_test_resp[5];

/* Every phase, in enum order, for "in every phase" loops. */
extern const enum kcs_phase all_phases[9];
#define NR_PHASES (sizeof(all_phases) / sizeof(all_phases[0]))

/* Every chip lib/kcs_chip.c knows, for "on every chip" loops. */
extern const char *const all_chips[4];
#define NR_CHIPS (sizeof(all_chips) / sizeof(all_chips[0]))

struct fixture *fixture_new(const char *chip, const struct kcs_channel_config *cfg, size_t limit);
/* ast2600 channel 3 with buffer limit @limit: the suite's usual channel. */
struct fixture *fixture_new_default(size_t limit);
void fixture_free(struct fixture *fx);

/* cmocka set-up/tear-down: ast2600 channel 3, default buffer limit. */
int fixture_setup(void **state);
int fixture_teardown(void **state);

/* Host write transfer of @req, asserting it went through and was handed up
 * unchanged. Returns the request's id. */
uint32_t fixture_send_request(struct fixture *fx, const uint8_t *req, size_t len);
/* Host read transfer, asserting it went through and returned @resp. */
void fixture_expect_response(struct fixture *fx, const uint8_t *resp, size_t len);
/* Both, with the client answering @resp in between. */
void fixture_exchange(struct fixture *fx, const uint8_t *req, size_t req_len,
		      const uint8_t *resp, size_t resp_len);

/*
 * Drive the channel into @phase by ordinary host steps (ERROR: a start-up
 * force abort, so the status code stays 0x00). READ stops after the host
 * read the first response byte.
 */
void fixture_goto_phase(struct fixture *fx, enum kcs_phase phase);

/* The STR state bits a phase shows (docs/design.md section 2.1). */
enum kcs_state state_of_phase(enum kcs_phase phase);

/* assert_int_equal for loops over phases: the failure names the phase. */
#define assert_in_phase(phase, a, b) do {					\
	unsigned long long a_ = (unsigned long long)(a);			\
	unsigned long long b_ = (unsigned long long)(b);			\
	if (a_ != b_)								\
		fail_msg("in phase %s: %s is 0x%llx, want 0x%llx",		\
			 kcs_phase_name(phase), #a, a_, b_);			\
} while (0)
