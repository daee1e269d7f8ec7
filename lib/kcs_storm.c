// SPDX-License-Identifier: Apache-2.0
#include "kcs_storm.h"

bool kcs_storm_note(struct kcs_storm *s, bool handled)
{
	if (handled) {
		s->consecutive = 0;
		s->reported = false;
		return false;
	}
	if (s->consecutive < UINT32_MAX)
		s->consecutive++;
	if (s->reported || s->consecutive < KCS_STORM_THRESHOLD)
		return false;
	s->reported = true;
	return true;
}
