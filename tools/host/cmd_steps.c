// SPDX-License-Identifier: Apache-2.0
/*
 * kcs-host steps OP...: single register steps, one output line each, for
 * tests that need a host that restarts, aborts or breaks the protocol at a
 * chosen point. The channel is left exactly where the last op leaves it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "host_log.h"
#include "str_decode.h"

#define STEP_OPS "cmd:XX, data:XX, wait-ibf, wait-obf, read, status"

int cmd_steps_parse(int argc, char **argv, struct steps_args *a)
{
	a->ops = NULL;
	a->nr_ops = 0;
	if (argc < 2) {
		host_error("steps: needs at least one OP (%s)", STEP_OPS);
		return HOST_EXIT_USAGE;
	}
	a->ops = calloc((size_t)argc - 1, sizeof(*a->ops));
	if (!a->ops) {
		host_error("steps: out of memory");
		return HOST_EXIT_TRANSPORT;
	}
	for (int i = 1; i < argc; i++) {
		int r = step_op_parse(argv[i], &a->ops[a->nr_ops]);

		if (r == -ERANGE) {
			host_error("steps: '%s': the byte must be hex 00..ff", argv[i]);
			return HOST_EXIT_USAGE;
		}
		if (r < 0) {
			host_error("steps: unknown op '%s' (ops: %s)", argv[i], STEP_OPS);
			return HOST_EXIT_USAGE;
		}
		a->nr_ops++;
	}
	return HOST_EXIT_OK;
}

bool cmd_steps_need_irq(const struct steps_args *a)
{
	for (size_t i = 0; i < a->nr_ops; i++)
		if (step_op_writes(&a->ops[i]))
			return true;
	return false;
}

void steps_args_free(struct steps_args *a)
{
	free(a->ops);
	a->ops = NULL;
	a->nr_ops = 0;
}

static int run_op(struct host_kcs *k, const struct step_op *op)
{
	char buf[STR_DESCRIBE_MAX];
	uint8_t str;
	int r = 0;

	switch (op->kind) {
	case STEP_CMD:
		r = host_kcs_write_cmd(k, op->byte);
		if (r == 0)
			printf("cmd 0x%02x\n", op->byte);
		break;
	case STEP_DATA:
		r = host_kcs_write_data(k, op->byte);
		if (r == 0)
			printf("data 0x%02x\n", op->byte);
		break;
	case STEP_WAIT_IBF:
		r = host_kcs_wait_ibf_clear(k, &str);
		if (r == 0)
			printf("wait-ibf %s\n", str_describe(str, buf, sizeof(buf)));
		break;
	case STEP_WAIT_OBF:
		r = host_kcs_wait_obf_set(k, &str);
		if (r == 0)
			printf("wait-obf %s\n", str_describe(str, buf, sizeof(buf)));
		break;
	case STEP_READ:
		printf("read 0x%02x\n", host_kcs_read_data(k));
		break;
	case STEP_STATUS:
		printf("status %s\n", str_describe(sim_port_read_status(k->port), buf, sizeof(buf)));
		break;
	}
	return r;
}

int cmd_steps_run(struct host_ctx *h, const struct steps_args *a)
{
	struct host_kcs *k = &h->kcs;

	k->phase = "steps";
	for (size_t i = 0; i < a->nr_ops; i++) {
		k->step = (struct host_step){
			.text = "at op", .n = (unsigned int)i + 1, .of = (unsigned int)a->nr_ops,
		};
		if (run_op(k, &a->ops[i]) < 0) {
			fflush(stdout);
			host_error("steps: %s", k->err);
			return HOST_EXIT_TRANSPORT;
		}
	}
	return HOST_EXIT_OK;
}
