// SPDX-License-Identifier: Apache-2.0
/* kcs-host abort: the host's error exit on its own, and the status it reads. */
#include <stdio.h>

#include "commands.h"
#include "host_log.h"
#include "str_decode.h"

int cmd_abort_run(struct host_ctx *h)
{
	uint8_t status;
	int r;

	r = host_kcs_error_exit(&h->kcs, &status);
	if (r < 0) {
		host_error("error exit: %s", h->kcs.err);
		return HOST_EXIT_TRANSPORT;
	}
	printf("status 0x%02x: %s\n", status, kcs_status_code_name(status));
	return HOST_EXIT_OK;
}
