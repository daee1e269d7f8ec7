// SPDX-License-Identifier: Apache-2.0
#include "opt_parse.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "bus_open.h"
#include "log.h"

int opt_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	/* strtoull would take "-1" as a huge positive number */
	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno != 0 || *end != '\0')
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int opt_u64(const char *prog, const char *opt, const char *arg,
	    uint64_t min, uint64_t max, uint64_t *ret)
{
	if (opt_parse_u64(arg, min, max, ret) < 0) {
		fprintf(stderr, "%s: %s: '%s' is not %" PRIu64 "..%" PRIu64 "\n",
			prog, opt, arg, min, max);
		return -EINVAL;
	}
	return 0;
}

int opt_bus(const char *prog, const char *arg, const char **ret)
{
	char why[256];

	if (bus_spec_check(arg, why, sizeof(why)) < 0) {
		fprintf(stderr, "%s: --bus: '%s': %s\n", prog, arg, why);
		return -EINVAL;
	}
	*ret = arg;
	return 0;
}

int opt_log_level(const char *prog, const char *arg)
{
	int level = log_level_from_string(arg);

	if (level < 0) {
		fprintf(stderr, "%s: --log-level: '%s' is not err|warning|notice|info|debug\n",
			prog, arg);
		return -EINVAL;
	}
	log_set_max_level(level);
	return 0;
}

int opt_no_operands(const char *prog, int argc, char **argv)
{
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		return -EINVAL;
	}
	return 0;
}
