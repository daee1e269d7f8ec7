// SPDX-License-Identifier: Apache-2.0
/*
 * kcs-host: the host CPU's side of a simulated KCS device, for testing and
 * measuring kcs-uiod without hardware. See README.md.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "cleanup.h"
#include "commands.h"
#include "config.h"
#include "host_log.h"
#include "parse.h"
#include "trace.h"

#define DEFAULT_CHIP       "ast2600"
#define DEFAULT_CHANNEL    3u
#define DEFAULT_TIMEOUT_MS 5000u
#define DEFAULT_RETRIES    10u
#define TIMEOUT_MS_MAX     3600000u
#define RETRIES_MAX        1000u

struct host_options {
	const char *dir;
	const char *chip;
	unsigned long channel;
	unsigned long timeout_ms;
	unsigned long retries;
	bool trace;
	int first_arg;          /* argv index of COMMAND */
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: kcs-host --sim DIR [options] COMMAND [ARGS...]\n"
		"Play the host CPU against the simulated KCS device in DIR.\n"
		"\n"
		"Options:\n"
		"      --sim DIR          simulated device directory (regs, irq); required\n"
		"      --chip CHIP        %s (default " DEFAULT_CHIP ")\n"
		"      --channel N        KCS channel (default %u)\n"
		"      --timeout-ms MS    per-byte timeout (default %u)\n"
		"      --retries N        retries through the error exit (default %u)\n"
		"      --trace            every register step on stderr\n"
		"  -h, --help             this text\n"
		"  -V, --version          the version\n"
		"\n"
		"Commands:\n"
		"  raw NETFN CMD [DATA...]            one request; bytes in hex, 0x optional\n"
		"  bench --count N [--size BYTES] [--wait spin|sleep]\n"
		"        [--think-us MIN[:MAX]] [--seed N] [--json]\n"
		"                                     N round trips, rate and latency\n"
		"  abort                              the error exit; prints the status code\n"
		"  status                             the status register, decoded\n"
		"  steps OP...                        single register steps, one line each;\n"
		"                                     OP: cmd:XX data:XX wait-ibf wait-obf read status\n"
		"\n"
		"Exit: 0 ok, 1 non-zero completion code (bench: errors), 2 usage,\n"
		"3 KCS protocol, timeout or device error.\n",
		kcs_chip_names(), DEFAULT_CHANNEL, DEFAULT_TIMEOUT_MS, DEFAULT_RETRIES);
}

static int parse_number_option(const char *name, const char *value, unsigned long min,
			       unsigned long max, unsigned long *out)
{
	if (parse_uint(value, min, max, out) < 0) {
		host_error("--%s '%s': expected a number %lu..%lu", name, value, min, max);
		return -EINVAL;
	}
	return 0;
}

/* HOST_EXIT_OK to go on, else the exit code (-1 for --help/--version). */
static int parse_options(int argc, char **argv, struct host_options *o)
{
	enum { OPT_SIM = 0x100, OPT_CHIP, OPT_CHANNEL, OPT_TIMEOUT, OPT_RETRIES, OPT_TRACE };
	static const struct option options[] = {
		{ "sim",        required_argument, NULL, OPT_SIM },
		{ "chip",       required_argument, NULL, OPT_CHIP },
		{ "channel",    required_argument, NULL, OPT_CHANNEL },
		{ "timeout-ms", required_argument, NULL, OPT_TIMEOUT },
		{ "retries",    required_argument, NULL, OPT_RETRIES },
		{ "trace",      no_argument,       NULL, OPT_TRACE },
		{ "help",       no_argument,       NULL, 'h' },
		{ "version",    no_argument,       NULL, 'V' },
		{ 0 }
	};
	int c;

	*o = (struct host_options){
		.chip = DEFAULT_CHIP,
		.channel = DEFAULT_CHANNEL,
		.timeout_ms = DEFAULT_TIMEOUT_MS,
		.retries = DEFAULT_RETRIES,
	};
	opterr = 0;
	/* '+': options end at COMMAND, whose own options are its business. */
	while ((c = getopt_long(argc, argv, "+:hV", options, NULL)) >= 0) {
		switch (c) {
		case OPT_SIM:
			o->dir = optarg;
			break;
		case OPT_CHIP:
			o->chip = optarg;
			break;
		case OPT_CHANNEL:
			if (parse_number_option("channel", optarg, 1, 16, &o->channel) < 0)
				return HOST_EXIT_USAGE;
			break;
		case OPT_TIMEOUT:
			if (parse_number_option("timeout-ms", optarg, 1, TIMEOUT_MS_MAX, &o->timeout_ms) < 0)
				return HOST_EXIT_USAGE;
			break;
		case OPT_RETRIES:
			if (parse_number_option("retries", optarg, 0, RETRIES_MAX, &o->retries) < 0)
				return HOST_EXIT_USAGE;
			break;
		case OPT_TRACE:
			o->trace = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		case 'V':
			puts("kcs-host " KCS_UIO_VERSION);
			return -1;
		case ':':
			host_error("option '%s' needs an argument", argv[optind - 1]);
			return HOST_EXIT_USAGE;
		default:
			if (optopt)
				host_error("unknown option '-%c' (see --help)", optopt);
			else
				host_error("unknown option '%s' (see --help)", argv[optind - 1]);
			return HOST_EXIT_USAGE;
		}
	}
	if (!o->dir) {
		host_error("--sim DIR is required (see --help)");
		return HOST_EXIT_USAGE;
	}
	if (optind >= argc) {
		host_error("no COMMAND given (raw, bench, abort, status, steps; see --help)");
		return HOST_EXIT_USAGE;
	}
	o->first_arg = optind;
	return HOST_EXIT_OK;
}

static int no_arguments(int argc, char **argv)
{
	if (argc > 1) {
		host_error("%s: unexpected argument '%s'", argv[0], argv[1]);
		return HOST_EXIT_USAGE;
	}
	return HOST_EXIT_OK;
}

enum command_id { CMD_RAW, CMD_BENCH, CMD_STEPS, CMD_ABORT, CMD_STATUS };

static int find_command(const char *name, enum command_id *id)
{
	static const struct {
		const char *name;
		enum command_id id;
	} commands[] = {
		{ "raw", CMD_RAW },
		{ "bench", CMD_BENCH },
		{ "steps", CMD_STEPS },
		{ "abort", CMD_ABORT },
		{ "status", CMD_STATUS },
	};

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(name, commands[i].name) == 0) {
			*id = commands[i].id;
			return 0;
		}
	}
	host_error("unknown command '%s' (raw, bench, abort, status, steps; see --help)", name);
	return -EINVAL;
}

int main(int argc, char **argv)
{
	static struct raw_args raw;
	_cleanup_(steps_args_free) struct steps_args steps = { 0 };
	struct bench_args bench;
	struct host_options o;
	struct host_ctx h = { 0 };
	enum command_id cmd;
	bool need_irq = true;
	int cargc, r;
	char **cargv;

	r = parse_options(argc, argv, &o);
	if (r != HOST_EXIT_OK)
		return r < 0 ? HOST_EXIT_OK : r;
	cargc = argc - o.first_arg;
	cargv = argv + o.first_arg;

	h.dir = o.dir;
	h.channel = (unsigned int)o.channel;
	h.chip = kcs_chip_find(o.chip);
	if (!h.chip) {
		host_error("--chip '%s': unknown chip (supported: %s)", o.chip, kcs_chip_names());
		return HOST_EXIT_USAGE;
	}
	if (kcs_chip_channel(h.chip, h.channel, &(struct kcs_chip_channel){ 0 }) < 0) {
		host_error("--channel %u: %s has KCS channels 1..%u", h.channel, h.chip->name,
			   h.chip->nr_channels);
		return HOST_EXIT_USAGE;
	}

	if (find_command(cargv[0], &cmd) < 0)
		return HOST_EXIT_USAGE;
	switch (cmd) {
	case CMD_RAW:
		r = cmd_raw_parse(cargc, cargv, &raw);
		break;
	case CMD_BENCH:
		r = cmd_bench_parse(cargc, cargv, &bench);
		break;
	case CMD_STEPS:
		r = cmd_steps_parse(cargc, cargv, &steps);
		need_irq = cmd_steps_need_irq(&steps);
		break;
	case CMD_ABORT:
		r = no_arguments(cargc, cargv);
		break;
	case CMD_STATUS:
		r = no_arguments(cargc, cargv);
		need_irq = false;
		break;
	}
	if (r != HOST_EXIT_OK)
		return r;

	/* A BMC side that goes away must show as EPIPE, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	/*
	 * The polling sleeps are 20-50 us; the default 50 us of timer slack
	 * would more than double them and blur bench latencies.
	 */
	(void)prctl(PR_SET_TIMERSLACK, 5000ul);
	if (o.trace)
		trace_enable();
	r = sim_port_open(&h.port, h.dir, h.chip, h.channel, need_irq);
	if (r < 0)
		return HOST_EXIT_TRANSPORT;
	host_kcs_init(&h.kcs, &h.port, (unsigned int)o.timeout_ms, (unsigned int)o.retries);

	switch (cmd) {
	case CMD_RAW:
		r = cmd_raw_run(&h, &raw);
		break;
	case CMD_BENCH:
		r = cmd_bench_run(&h, &bench);
		break;
	case CMD_STEPS:
		r = cmd_steps_run(&h, &steps);
		break;
	case CMD_ABORT:
		r = cmd_abort_run(&h);
		break;
	case CMD_STATUS:
		r = cmd_status_run(&h);
		break;
	}
	sim_port_close(&h.port);

	if (fflush(stdout) != 0 || ferror(stdout)) {
		host_error("writing stdout: %s", strerror(errno));
		return HOST_EXIT_TRANSPORT;
	}
	return r;
}
