// SPDX-License-Identifier: Apache-2.0
#include "ipmi_msg.h"

#include <errno.h>
#include <stdio.h>

int ipmi_check_response(const uint8_t *req, const uint8_t *rsp, size_t rsp_len,
			char *err, size_t errlen)
{
	uint8_t want = req[0] | ipmi_netfn_lun(1, 0);

	if (rsp_len < IPMI_RSP_HDR_LEN) {
		snprintf(err, errlen, "response of %zu byte%s, shorter than NetFn/LUN, Cmd, CC",
			 rsp_len, rsp_len == 1 ? "" : "s");
		return -EBADMSG;
	}
	if (rsp[0] != want || rsp[1] != req[1]) {
		snprintf(err, errlen,
			 "response does not answer the request: NetFn 0x%02x LUN %u Cmd 0x%02x, expected NetFn 0x%02x LUN %u Cmd 0x%02x",
			 rsp[0] >> 2, rsp[0] & 3u, rsp[1], want >> 2, want & 3u, req[1]);
		return -EBADMSG;
	}
	return 0;
}
