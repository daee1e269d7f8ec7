// SPDX-License-Identifier: Apache-2.0
#include "trace.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "mono_clock.h"
#include "status_wait.h"

bool trace_enabled;
static uint64_t trace_start_ns;

void trace_enable(void)
{
	trace_start_ns = mono_clock_ns();
	trace_enabled = true;
}

void trace_print(const char *phase, const char *fmt, ...)
{
	uint64_t t = mono_clock_ns() - trace_start_ns;
	va_list ap;

	fprintf(stderr, "trace %9.3f ms %-11s ", (double)t / 1e6, phase);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
