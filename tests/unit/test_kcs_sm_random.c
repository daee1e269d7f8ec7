// SPDX-License-Identifier: Apache-2.0
/*
 * A misbehaving host must never wedge the channel. Thousands of seeded,
 * reproducible sequences of arbitrary host register writes and reads,
 * interleaved with upstream answers (current and stale), force aborts and
 * SMS_ATN changes, each followed by what a real host driver does after
 * trouble: the error exit, then an ordinary exchange, which must succeed.
 *
 * After every step the invariants that hold whatever the host does:
 *  - the BMC consumed the byte (IBF clear);
 *  - the STR state bits are the ones the phase implies;
 *  - SMS_ATN is what the BMC last set it to;
 *  - a stale answer is refused and never reaches ODR.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sm_fixture.h"

#define SEQUENCES 3000
#define STEPS_MAX 48

/* xorshift32: small, seedable, the same on every machine. */
static uint32_t next(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* Mostly the codes a host uses, sometimes anything at all. */
static uint8_t random_code(uint32_t *s)
{
	static const uint8_t codes[] = {
		KCS_CTRL_WRITE_START, KCS_CTRL_WRITE_END, KCS_CTRL_GET_STATUS_ABORT, KCS_CTRL_READ,
	};
	uint32_t r = next(s);

	return r % 8 ? codes[r % 4] : (uint8_t)(r >> 8);
}

static uint8_t random_data(uint32_t *s)
{
	uint32_t r = next(s);

	return r % 3 ? KCS_CTRL_READ : (uint8_t)(r >> 8);
}

static void check_invariants(struct fixture *fx, bool sms_atn, uint32_t seed, int step)
{
	uint8_t str = fake_host_read_status(&fx->fake);

	if (str & KCS_STR_IBF)
		fail_msg("seed %u step %d: IBF still set", seed, step);
	if (kcs_str_state(str) != state_of_phase(fx->sm.phase))
		fail_msg("seed %u step %d: phase %s but STR state %u", seed, step,
			 kcs_phase_name(fx->sm.phase), kcs_str_state(str));
	if (!!(str & KCS_STR_SMS_ATN) != sms_atn)
		fail_msg("seed %u step %d: SMS_ATN %d, want %d", seed, step,
			 !!(str & KCS_STR_SMS_ATN), sms_atn);
}

static void answer(struct fixture *fx, uint32_t *s, uint32_t seed, int step)
{
	uint32_t id = fx->client.id;
	bool stale = next(s) % 4 == 0;
	uint8_t odr = fake_odr(&fx->fake);
	bool waiting;
	int r;

	if (stale) {
		r = kcs_sm_respond(&fx->sm, id - 1, get_device_id_resp, sizeof(get_device_id_resp));
		if (r != -ESTALE || fake_odr(&fx->fake) != odr)
			fail_msg("seed %u step %d: stale answer for id %u accepted (%d)",
				 seed, step, id - 1, r);
		return;
	}
	waiting = fx->sm.phase == KCS_PHASE_WAIT_RESPONSE;
	r = kcs_sm_respond(&fx->sm, id, get_device_id_resp, sizeof(get_device_id_resp));
	if (!waiting) {
		/* Not waiting (never asked, already answered, dropped): refused. */
		if (r != -ESTALE || fake_odr(&fx->fake) != odr)
			fail_msg("seed %u step %d: answer for id %u accepted in phase %s (%d)",
				 seed, step, id, kcs_phase_name(fx->sm.phase), r);
		return;
	}
	/* -EMSGSIZE: the 18-byte answer exceeds the 16-byte limit, 0xCA went out. */
	if (r != 0 && r != -EMSGSIZE)
		fail_msg("seed %u step %d: answer refused with %d", seed, step, r);
}

static void run_sequence(uint32_t seed)
{
	struct fixture *fx = fixture_new_default(16);
	uint32_t s = seed * 2654435761u + 1;
	int steps = (int)(next(&s) % STEPS_MAX) + 1;
	bool sms_atn = false;
	int status;

	for (int step = 0; step < steps; step++) {
		switch (next(&s) % 10) {
		case 0:
		case 1:
		case 2:
			fake_host_write_cmd(&fx->fake, random_code(&s));
			(void)kcs_sm_handle_irq(&fx->sm);
			break;
		case 3:
		case 4:
		case 5:
			fake_host_write_data(&fx->fake, random_data(&s));
			(void)kcs_sm_handle_irq(&fx->sm);
			break;
		case 6:
			(void)fake_host_read_data(&fx->fake);
			/* A spurious interrupt on top, now and then. */
			(void)kcs_sm_handle_irq(&fx->sm);
			break;
		case 7:
			answer(fx, &s, seed, step);
			break;
		case 8:
			sms_atn = next(&s) & 1;
			kcs_sm_set_sms_atn(&fx->sm, sms_atn);
			break;
		case 9:
			if (next(&s) % 4 == 0)
				kcs_sm_force_abort(&fx->sm);
			break;
		}
		check_invariants(fx, sms_atn, seed, step);
	}

	/* What a host driver does after trouble: the error exit, then carry on. */
	status = host_error_exit(&fx->host);
	if (status < 0)
		fail_msg("seed %u: error exit failed at %s", seed, fx->host.failed_step);
	fixture_exchange(fx, self_test_req, sizeof(self_test_req),
			 self_test_resp, sizeof(self_test_resp));
	check_invariants(fx, sms_atn, seed, steps);
	fixture_free(fx);
}

static void test_misbehaving_host_never_wedges_the_channel(void **state)
{
	(void)state;
	for (uint32_t seed = 1; seed <= SEQUENCES; seed++)
		run_sequence(seed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misbehaving_host_never_wedges_the_channel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
