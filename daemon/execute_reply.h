/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The reply to an xyz.openbmc_project.Ipmi.Server.execute call, decoded.
 *
 * Pure: it only reads the message (no bus traffic, no logging), so the unit
 * tests and a fuzzer (tests/fuzz/fuzz_execute_reply.c) feed it messages
 * built without a bus. The bridge logs the reason and answers the host.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

struct execute_reply {
	uint8_t netfn;
	uint8_t lun;
	uint8_t cmd;
	uint8_t cc;
	const uint8_t *data;   /* inside the message: valid while it is referenced */
	size_t data_len;
};

/*
 * Decode the body of method return @m: "yyyyay" (phosphor-host-ipmid's five
 * out-arguments: netfn, lun, cmd, cc, data) or the same in one struct,
 * "(yyyyay)". Reads from the start of the body, whatever was read before.
 * Returns 0, or a negative errno (-EBADMSG for any other signature or a
 * message that is no method return) with one line saying why in @why
 * (@why_len > 0); the reason names the signature, never the data.
 */
int execute_reply_decode(sd_bus_message *m, struct execute_reply *ret, char *why, size_t why_len);
