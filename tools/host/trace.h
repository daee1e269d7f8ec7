/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --trace: one stderr line per register step, with the time since the
 * start, the phase of the host flow and what was seen or done, so a KCS
 * hang can be diagnosed by eye:
 *
 *   trace     0.412 ms write       wait IBF=0 ok after 38 us: STR=0x89 (...)
 */
#pragma once

#include <stdbool.h>

extern bool trace_enabled;

void trace_enable(void);

__attribute__((format(printf, 2, 3)))
void trace_print(const char *phase, const char *fmt, ...);

#define TRACE(phase, ...)					\
	do {							\
		if (trace_enabled)				\
			trace_print((phase), __VA_ARGS__);	\
	} while (0)
