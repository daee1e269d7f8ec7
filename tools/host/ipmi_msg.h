/* SPDX-License-Identifier: Apache-2.0 */
/* IPMI message framing as it crosses KCS: NetFn/LUN, Cmd, [CC,] data. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define IPMI_REQ_HDR_LEN 2u  /* NetFn<<2|LUN, Cmd */
#define IPMI_RSP_HDR_LEN 3u  /* (NetFn|1)<<2|LUN, Cmd, CC */
#define IPMI_NETFN_MAX   0x3Fu

static inline uint8_t ipmi_netfn_lun(uint8_t netfn, uint8_t lun)
{
	return (uint8_t)(netfn << 2 | (lun & 3u));
}

/*
 * Check that @rsp (@rsp_len bytes) answers @req: at least NetFn, Cmd and
 * CC, the response NetFn (request NetFn | 1) with the same LUN, the same
 * Cmd. -EBADMSG with a sentence in @err otherwise.
 */
int ipmi_check_response(const uint8_t *req, const uint8_t *rsp, size_t rsp_len,
			char *err, size_t errlen);
