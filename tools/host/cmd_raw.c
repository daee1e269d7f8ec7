// SPDX-License-Identifier: Apache-2.0
/* kcs-host raw NETFN CMD [DATA...]: one request, the answer on stdout. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "host_log.h"
#include "ipmi_cc.h"
#include "ipmi_msg.h"
#include "parse.h"

static int parse_byte_arg(const char *what, const char *s, uint8_t max, uint8_t *out)
{
	int r;

	if (strncmp(s, "--", 2) == 0) {
		host_error("raw: option '%s' must come before the command", s);
		return -EINVAL;
	}
	r = parse_hex_byte(s, out);
	if (r == 0 && *out > max)
		r = -ERANGE;
	if (r < 0) {
		host_error("raw: %s '%s' is not a hex byte 00..%02x", what, s, max);
		return r;
	}
	return 0;
}

int cmd_raw_parse(int argc, char **argv, struct raw_args *a)
{
	uint8_t netfn;

	if (argc < 3) {
		host_error("raw: needs NETFN and CMD (hex), e.g. 'raw 06 01'");
		return HOST_EXIT_USAGE;
	}
	if ((size_t)argc - 1 > HOST_KCS_MSG_MAX) {
		host_error("raw: request of %d bytes, at most %u", argc - 1, HOST_KCS_MSG_MAX);
		return HOST_EXIT_USAGE;
	}
	if (parse_byte_arg("NETFN", argv[1], IPMI_NETFN_MAX, &netfn) < 0 ||
	    parse_byte_arg("CMD", argv[2], 0xFF, &a->req[1]) < 0)
		return HOST_EXIT_USAGE;
	a->req[0] = ipmi_netfn_lun(netfn, 0);
	a->len = IPMI_REQ_HDR_LEN;
	for (int i = 3; i < argc; i++)
		if (parse_byte_arg("DATA byte", argv[i], 0xFF, &a->req[a->len++]) < 0)
			return HOST_EXIT_USAGE;
	return HOST_EXIT_OK;
}

int cmd_raw_run(struct host_ctx *h, const struct raw_args *a)
{
	uint8_t rsp[HOST_KCS_MSG_MAX];
	char err[256];
	size_t len;
	int r;

	r = host_kcs_transact(&h->kcs, a->req, a->len, rsp, sizeof(rsp), &len);
	if (r < 0) {
		host_error("%s", h->kcs.err);
		return HOST_EXIT_TRANSPORT;
	}
	r = ipmi_check_response(a->req, rsp, len, err, sizeof(err));
	if (r < 0) {
		host_error("%s", err);
		return HOST_EXIT_TRANSPORT;
	}

	printf("cc 0x%02x: %s\ndata:", rsp[2], ipmi_cc_name(rsp[2]));
	for (size_t i = IPMI_RSP_HDR_LEN; i < len; i++)
		printf(" %02x", rsp[i]);
	putchar('\n');
	return rsp[2] == IPMI_CC_OK ? HOST_EXIT_OK : HOST_EXIT_CC;
}
