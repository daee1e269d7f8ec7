/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the libFuzzer targets share: reading their input a byte at a time
 * (past the end every byte reads as 0, so any input is a whole program),
 * and failing with a message libFuzzer shows beside the crash.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct fuzz_input {
	const uint8_t *p;
	size_t left;
};

static inline uint8_t fuzz_take(struct fuzz_input *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

__attribute__((format(printf, 1, 2), noreturn))
static inline void fuzz_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* libFuzzer's entry point, declared for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
