/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The commands of kcs-host. Each parses its own arguments first (argv[0] is
 * the command name), so usage errors come out before the device is touched,
 * then runs against the opened channel. Both return a process exit code.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host_kcs.h"
#include "kcs_chip.h"
#include "sim_port.h"
#include "step_op.h"

enum host_exit {
	HOST_EXIT_OK = 0,
	HOST_EXIT_CC = 1,        /* raw: non-zero completion code; bench: errors */
	HOST_EXIT_USAGE = 2,
	HOST_EXIT_TRANSPORT = 3, /* KCS protocol, timeout, device or BMC missing */
};

struct host_ctx {
	const char *dir;
	const struct kcs_chip *chip;
	unsigned int channel;
	struct sim_port port;
	struct host_kcs kcs;
};

struct raw_args {
	uint8_t req[HOST_KCS_MSG_MAX];
	size_t len;
};

struct bench_args {
	unsigned long count;
	unsigned long size;
	bool json;
	enum host_wait wait;           /* --wait spin|sleep */
	unsigned long think_min_us;    /* --think-us MIN[:MAX] */
	unsigned long think_max_us;
	unsigned long seed;            /* --seed N */
};

struct steps_args {
	struct step_op *ops;     /* malloc'ed, nr_ops entries */
	size_t nr_ops;
};

int cmd_raw_parse(int argc, char **argv, struct raw_args *a);
int cmd_raw_run(struct host_ctx *h, const struct raw_args *a);

int cmd_bench_parse(int argc, char **argv, struct bench_args *a);
int cmd_bench_run(struct host_ctx *h, const struct bench_args *a);

int cmd_steps_parse(int argc, char **argv, struct steps_args *a);
bool cmd_steps_need_irq(const struct steps_args *a);
int cmd_steps_run(struct host_ctx *h, const struct steps_args *a);
void steps_args_free(struct steps_args *a);

int cmd_abort_run(struct host_ctx *h);
int cmd_status_run(struct host_ctx *h);
