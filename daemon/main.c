// SPDX-License-Identifier: Apache-2.0
/*
 * kcs-uiod: the BMC side of IPMI KCS from userspace. See daemon.c for the
 * loop and options.c for the command line.
 */
#include <stdio.h>

#include "daemon.h"
#include "log.h"
#include "options.h"

int main(int argc, char *argv[])
{
	struct options o;
	int r;

	r = options_parse(&o, argc, argv, stdout, stderr);
	if (r < 0)
		return 2;
	if (r == OPTIONS_DONE)
		return 0;

	log_set_max_level(o.log_level);
	r = daemon_run(&o);
	return r < 0 ? 1 : 0;
}
