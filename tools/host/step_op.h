/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One operation of "kcs-host steps": a single host-side register step, so
 * tests can play hosts that restart, abort or break the protocol mid-way.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum step_kind {
	STEP_CMD,       /* cmd:XX   write XX to the command port */
	STEP_DATA,      /* data:XX  write XX to the data port */
	STEP_WAIT_IBF,  /* wait-ibf wait for IBF=0 */
	STEP_WAIT_OBF,  /* wait-obf wait for OBF=1 */
	STEP_READ,      /* read     read the data port */
	STEP_STATUS,    /* status   read the status port */
};

struct step_op {
	enum step_kind kind;
	uint8_t byte;   /* STEP_CMD, STEP_DATA */
};

/* 0, -EINVAL (unknown op) or -ERANGE (cmd:/data: byte not hex 00..ff). */
int step_op_parse(const char *s, struct step_op *op);

/* True when the op writes a port, i.e. needs the BMC's irq FIFO. */
bool step_op_writes(const struct step_op *op);
