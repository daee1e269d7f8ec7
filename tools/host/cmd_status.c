// SPDX-License-Identifier: Apache-2.0
/* kcs-host status: the status register, decoded. Touches nothing. */
#include <stdio.h>

#include "commands.h"
#include "str_decode.h"

int cmd_status_run(struct host_ctx *h)
{
	char buf[STR_DESCRIBE_MAX];

	puts(str_describe(sim_port_read_status(&h->port), buf, sizeof(buf)));
	return HOST_EXIT_OK;
}
