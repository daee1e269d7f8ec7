/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Names for what a host sees on a KCS interface: the status register
 * decoded, control codes, and the status codes of the error exit. Used by
 * every message and trace line, so a hang can be read off the output.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kcs_regs.h"

/* Room for str_describe()'s longest output. */
#define STR_DESCRIBE_MAX 96

/* "IDLE", "READ", "WRITE", "ERROR". */
const char *str_state_name(enum kcs_state state);

/*
 * "STR=0x8a (state WRITE, IBF 1, OBF 0, C/D 1, SMS_ATN 0)", with ", OEM1 1"
 * and ", OEM2 1" appended when those bits are set. Returns @buf.
 */
char *str_describe(uint8_t str, char *buf, size_t len);

/* "WRITE_START", "READ"...; "illegal" for the reserved codes. */
const char *kcs_ctrl_name(uint8_t code);

/* Meaning of a status code read by the error exit, never NULL. */
const char *kcs_status_code_name(uint8_t code);
