/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interrupt storm detection: an interrupt line that keeps firing with no
 * channel showing IBF (another LPC function left interrupting on a line we
 * share) is worth one loud report, not one line per interrupt.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define KCS_STORM_THRESHOLD 1000u

struct kcs_storm {
	uint32_t consecutive;   /* interrupts in a row that found no work */
	bool reported;
};

/*
 * Account one interrupt. @handled: some channel had IBF set. Returns true
 * exactly once per storm: when the threshold of consecutive empty interrupts
 * is crossed. A real interrupt ends the storm.
 */
bool kcs_storm_note(struct kcs_storm *s, bool handled);
