/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Collect what the code under test logs: between capture_stderr_begin() and
 * capture_stderr_end(), stdio's stderr is a memory stream, and the end call
 * returns everything logged meanwhile (caller frees).
 *
 * The FILE is swapped rather than fd 2 redirected so that sanitizer and
 * valgrind reports, which write to fd 2 directly, stay visible in the test
 * log even when they abort the process in the middle of a capture. Keep
 * cmocka assertions outside the captured stretch.
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stderr_capture {
	FILE *saved;
	FILE *stream;
	char *text;
	size_t len;
};

static inline void capture_stderr_begin(struct stderr_capture *c)
{
	fflush(stderr);
	c->text = NULL;
	c->len = 0;
	c->stream = open_memstream(&c->text, &c->len);
	if (!c->stream) {
		perror("capture_stderr_begin");
		abort();
	}
	c->saved = stderr;
	stderr = c->stream;
}

static inline char *capture_stderr_end(struct stderr_capture *c)
{
	stderr = c->saved;
	if (fclose(c->stream) != 0 || !c->text) {
		perror("capture_stderr_end");
		abort();
	}
	return c->text;
}

/* Echo the captured text so a failing assertion shows what was logged. */
static inline int text_has(const char *text, const char *needle)
{
	if (strstr(text, needle))
		return 1;
	fprintf(stderr, "expected \"%s\" in the log:\n%s", needle, text);
	return 0;
}
