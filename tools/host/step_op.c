// SPDX-License-Identifier: Apache-2.0
#include "step_op.h"

#include <errno.h>
#include <string.h>

#include "parse.h"

static int parse_write(const char *value, enum step_kind kind, struct step_op *op)
{
	/* A known op with a bad byte: tell it apart from an unknown op. */
	if (parse_hex_byte(value, &op->byte) < 0)
		return -ERANGE;
	op->kind = kind;
	return 0;
}

int step_op_parse(const char *s, struct step_op *op)
{
	static const struct {
		const char *name;
		enum step_kind kind;
	} plain[] = {
		{ "wait-ibf", STEP_WAIT_IBF },
		{ "wait-obf", STEP_WAIT_OBF },
		{ "read",     STEP_READ },
		{ "status",   STEP_STATUS },
	};

	if (!s || !op)
		return -EINVAL;
	if (strncmp(s, "cmd:", 4) == 0)
		return parse_write(s + 4, STEP_CMD, op);
	if (strncmp(s, "data:", 5) == 0)
		return parse_write(s + 5, STEP_DATA, op);
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		if (strcmp(s, plain[i].name) == 0) {
			op->kind = plain[i].kind;
			op->byte = 0;
			return 0;
		}
	}
	return -EINVAL;
}

bool step_op_writes(const struct step_op *op)
{
	return op->kind == STEP_CMD || op->kind == STEP_DATA;
}
