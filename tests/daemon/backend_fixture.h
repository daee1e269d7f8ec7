/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the backend tests (test_uio, test_sim) share: a scratch directory
 * per test, a chip by name, and the checks after an open whose log was
 * captured. Include after <cmocka.h>.
 */
#pragma once

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "backend.h"
#include "capture_stderr.h"
#include "kcs_chip.h"

/* A new empty directory /tmp/@prefix.XXXXXX; its path goes to @root. */
static inline void scratch_dir_make(char *root, size_t len, const char *prefix)
{
	snprintf(root, len, "/tmp/%s.XXXXXX", prefix);
	assert_non_null(mkdtemp(root));
}

static inline int scratch_dir_remove_entry(const char *path, const struct stat *st, int flag,
					   struct FTW *ftw)
{
	return remove(path);
}

/* @root and everything below it, symlinks not followed. */
static inline void scratch_dir_remove(const char *root)
{
	nftw(root, scratch_dir_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A regular file at @path holding @content ("" for an empty one). */
static inline void make_file(const char *path, const char *content)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(content, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static inline const struct kcs_chip *chip(const char *name)
{
	const struct kcs_chip *c = kcs_chip_find(name);

	assert_non_null(c);
	return c;
}

/*
 * After an open of @what that returned @r with its log captured in @log:
 * it returned @expected, and gave a backend exactly when that is 0; a
 * failure was logged as an error. On a different result the log is shown
 * before the assertion fails. Returns @log (caller frees).
 */
static inline char *check_open(const char *what, int r, int expected,
			       const struct kcs_backend *b, char *log)
{
	if (r != expected)
		fprintf(stderr, "open %s: got %d, expected %d; log:\n%s", what, r, expected, log);
	assert_int_equal(r, expected);
	if (expected == 0) {
		assert_non_null(b);
	} else {
		assert_null(b);
		assert_true(text_has(log, "<3>"));
	}
	return log;
}
