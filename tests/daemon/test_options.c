// SPDX-License-Identifier: Apache-2.0
/*
 * kcs-uiod's command line: every option, the defaults, and every complaint
 * word for word (one line each; main() turns them into exit status 2).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <cmocka.h>

#include "config.h"
#include "kcs_sm.h"
#include "options.h"

#define MAX_ARGS 32

struct run {
	int r;
	struct options o;
	char out[4096];
	char err[1024];
};

/* Parse a NULL-terminated argument list (argv[0] is added). */
static void parse(struct run *run, ...)
{
	char *argv[MAX_ARGS + 2] = { (char *)"kcs-uiod" };
	int argc = 1;
	va_list ap;
	FILE *out = fmemopen(run->out, sizeof(run->out), "w");
	FILE *err = fmemopen(run->err, sizeof(run->err), "w");

	assert_non_null(out);
	assert_non_null(err);
	va_start(ap, run);
	for (char *a; (a = va_arg(ap, char *)); )
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;

	memset(run->out, 0, sizeof(run->out));
	memset(run->err, 0, sizeof(run->err));
	run->r = options_parse(&run->o, argc, argv, out, err);
	fclose(out);
	fclose(err);
}

#define BASE "--sim", "/tmp/x", "--chip", "ast2600"

static void test_minimal_defaults(void **state)
{
	struct run run;

	parse(&run, BASE, "--channel", "3:ipmi_kcs3", NULL);
	assert_int_equal(run.r, OPTIONS_RUN);
	assert_string_equal(run.err, "");
	assert_int_equal(run.o.n_devices, 1);
	assert_int_equal(run.o.devices[0].kind, DEVICE_SIM);
	assert_string_equal(run.o.devices[0].path, "/tmp/x");
	assert_false(run.o.devices[0].polled);
	assert_int_equal(run.o.devices[0].n_channels, 1);
	assert_int_equal(run.o.channels[0].device, 0);
	assert_int_equal(run.o.poll_budget_us, OPTIONS_POLL_BUDGET_DEFAULT_US);
	assert_int_equal(run.o.idle_poll_ms, OPTIONS_IDLE_POLL_DEFAULT_MS);
	assert_string_equal(run.o.chip->name, "ast2600");
	assert_int_equal(run.o.n_channels, 1);
	assert_int_equal(run.o.channels[0].cfg.channel, 3);
	assert_string_equal(run.o.channels[0].name, "ipmi_kcs3");
	assert_false(run.o.channels[0].cfg.set_data_addr);
	assert_false(run.o.channels[0].cfg.set_status_addr);
	assert_int_equal(run.o.channels[0].cfg.serirq, 0);
	assert_int_equal(run.o.buffer_size, KCS_BUF_DEFAULT);
	assert_int_equal(run.o.timeout_ms, OPTIONS_TIMEOUT_DEFAULT_MS);
	assert_string_equal(run.o.bus, "system");
	assert_int_equal(run.o.log_level, LOG_INFO);
	assert_string_equal(run.o.uio_sysfs, "/sys/class/uio");
	assert_string_equal(run.o.uio_dev, "/dev");
}

static void test_every_option_long(void **state)
{
	struct run run;

	parse(&run, "--uio", "kcs3", "--chip", "ast2500",
	      "--channel", "3:ipmi_kcs3,addr=0xca2,status=0xca3,serirq=11:high",
	      "--channel", "2:SMM_2,addr=0xca8,status=0xcac",
	      "--buffer-size", "4096", "--timeout", "60000",
	      "--bus", "unix:path=/run/x", "--log-level", "debug",
	      "--uio-sysfs", "/tmp/sys", "--uio-dev", "/tmp/dev", "--polled",
	      "--poll-budget", "0", "--idle-poll", "1000", NULL);
	assert_int_equal(run.r, OPTIONS_RUN);
	assert_int_equal(run.o.n_devices, 1);
	assert_int_equal(run.o.devices[0].kind, DEVICE_UIO);
	assert_string_equal(run.o.devices[0].path, "kcs3");
	assert_true(run.o.devices[0].polled);
	assert_int_equal(run.o.poll_budget_us, 0);
	assert_int_equal(run.o.idle_poll_ms, 1000);
	assert_string_equal(run.o.chip->name, "ast2500");
	assert_int_equal(run.o.n_channels, 2);
	assert_int_equal(run.o.channels[0].cfg.channel, 3);
	assert_true(run.o.channels[0].cfg.set_data_addr);
	assert_int_equal(run.o.channels[0].cfg.data_addr, 0xca2);
	assert_true(run.o.channels[0].cfg.set_status_addr);
	assert_int_equal(run.o.channels[0].cfg.status_addr, 0xca3);
	assert_int_equal(run.o.channels[0].cfg.serirq, 11);
	assert_int_equal(run.o.channels[0].cfg.serirq_type, KCS_SERIRQ_LEVEL_HIGH);
	assert_int_equal(run.o.channels[1].cfg.channel, 2);
	assert_string_equal(run.o.channels[1].name, "SMM_2");
	assert_int_equal(run.o.channels[1].cfg.data_addr, 0xca8);
	assert_int_equal(run.o.channels[1].cfg.status_addr, 0xcac);
	assert_int_equal(run.o.buffer_size, 4096);
	assert_int_equal(run.o.timeout_ms, 60000);
	assert_string_equal(run.o.bus, "unix:path=/run/x");
	assert_int_equal(run.o.log_level, LOG_DEBUG);
	assert_string_equal(run.o.uio_sysfs, "/tmp/sys");
	assert_string_equal(run.o.uio_dev, "/tmp/dev");
}

static void test_every_option_short(void **state)
{
	struct run run;

	parse(&run, BASE, "--channel", "4:k4,serirq=7:edge", "-b", "3", "-t", "1",
	      "-B", "session", "-l", "err", NULL);
	assert_int_equal(run.r, OPTIONS_RUN);
	assert_int_equal(run.o.buffer_size, 3);
	assert_int_equal(run.o.timeout_ms, 1);
	assert_string_equal(run.o.bus, "session");
	assert_int_equal(run.o.log_level, LOG_ERR);
	assert_int_equal(run.o.channels[0].cfg.serirq, 7);
	assert_int_equal(run.o.channels[0].cfg.serirq_type, KCS_SERIRQ_EDGE_RISING);

	parse(&run, BASE, "--channel=1:a,serirq=12", "--bus=system", "--log-level=warning", NULL);
	assert_int_equal(run.r, OPTIONS_RUN);
	assert_string_equal(run.o.bus, "system");
	assert_int_equal(run.o.log_level, LOG_WARNING);
	assert_int_equal(run.o.channels[0].cfg.serirq_type, KCS_SERIRQ_DEFAULT);

	parse(&run, BASE, "--channel", "3:a", "-l", "notice", NULL);
	assert_int_equal(run.o.log_level, LOG_NOTICE);
	parse(&run, BASE, "--channel", "3:a", "-l", "info", "--uio-dev", "/d", NULL);
	assert_int_equal(run.o.log_level, LOG_INFO);
	parse(&run, "--chip", "npcm7xx", "--sim", "d", "--channel", "1:n1", NULL);
	assert_int_equal(run.r, OPTIONS_RUN);
	assert_string_equal(run.o.chip->name, "npcm7xx");
	parse(&run, "--chip", "ast2400", "--uio", "/dev/uio0", "--channel", "1:a", NULL);
	assert_int_equal(run.r, OPTIONS_RUN);
}

static void test_help_version(void **state)
{
	struct run run;

	parse(&run, "--help", NULL);
	assert_int_equal(run.r, OPTIONS_DONE);
	assert_non_null(strstr(run.out, "Usage: kcs-uiod "));
	assert_non_null(strstr(run.out, "--channel SPEC"));
	assert_string_equal(run.err, "");
	parse(&run, "-h", NULL);
	assert_int_equal(run.r, OPTIONS_DONE);

	parse(&run, "--version", NULL);
	assert_int_equal(run.r, OPTIONS_DONE);
	assert_string_equal(run.out, "kcs-uiod " KCS_UIO_VERSION "\n");
	parse(&run, "-V", NULL);
	assert_int_equal(run.r, OPTIONS_DONE);
	assert_string_equal(run.out, "kcs-uiod " KCS_UIO_VERSION "\n");
}

struct bad_case {
	const char *args[10];
	const char *message;
};

#define SPEC "CH:NAME[,addr=IO][,status=IO][,serirq=N[:low|high|edge]]"
/* /LONG_PATH_MAX is the longest socket path (107 bytes), /LONG_PATH one more. */
#define PATH_50 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define LONG_PATH_MAX PATH_50 PATH_50 "xxxxxx"
#define LONG_PATH LONG_PATH_MAX "x"

static const struct bad_case bad_cases[] = {
	{ { "--channel", "3:" },
	  "--channel '3:': missing NAME (expected " SPEC ")" },
	{ { "--channel", "3" },
	  "--channel '3': missing ':' (expected " SPEC ")" },
	{ { "--channel", ":a" },
	  "--channel ':a': missing CH (expected " SPEC ")" },
	{ { "--channel", "x:a" },
	  "--channel 'x:a': channel 'x' is not a number" },
	{ { "--channel", "-1:a" },
	  "--channel '-1:a': channel '-1' is not a number" },
	{ { "--channel", "3:ipmi-kcs3" },
	  "--channel '3:ipmi-kcs3': NAME may hold only A-Z a-z 0-9 _ (it becomes a D-Bus name and object path element), not '-'" },
	/* What the user gave is quoted with every byte outside printable ASCII as \xNN. */
	{ { "--channel", "3:k\xc3\xa9" },
	  "--channel '3:k\\xc3\\xa9': NAME may hold only A-Z a-z 0-9 _ (it becomes a D-Bus name and object path element), not '\\xc3'" },
	{ { "--channel", "3:a\nb\x1b[2J" },
	  "--channel '3:a\\x0ab\\x1b[2J': NAME may hold only A-Z a-z 0-9 _ (it becomes a D-Bus name and object path element), not '\\x0a'" },
	{ { "--channel", "3:3kcs" },
	  "--channel '3:3kcs': NAME must not start with a digit (it becomes a D-Bus name element)" },
	{ { "--channel", "3:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
	  "--channel '3:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa': NAME is longer than 64 characters" },
	{ { "--channel", "3:a,port=1" },
	  "--channel '3:a,port=1': unknown key 'port' (expected addr=, status= or serirq=)" },
	{ { "--channel", "3:a,addr" },
	  "--channel '3:a,addr': 'addr' is not KEY=VALUE (expected " SPEC ")" },
	{ { "--channel", "3:a," },
	  "--channel '3:a,': '' is not KEY=VALUE (expected " SPEC ")" },
	{ { "--channel", "3:a,addr=zz" },
	  "--channel '3:a,addr=zz': addr 'zz' is not an I/O address (e.g. 0xca2)" },
	{ { "--channel", "3:a,addr=" },
	  "--channel '3:a,addr=': addr '' is not an I/O address (e.g. 0xca2)" },
	{ { "--channel", "3:a,addr=1,addr=2" },
	  "--channel '3:a,addr=1,addr=2': addr= given twice" },
	{ { "--channel", "3:a,status=0x1g" },
	  "--channel '3:a,status=0x1g': status '0x1g' is not an I/O address (e.g. 0xca2)" },
	{ { "--channel", "3:a,serirq=x" },
	  "--channel '3:a,serirq=x': serirq 'x' is not a number" },
	{ { "--channel", "3:a,serirq=:low" },
	  "--channel '3:a,serirq=:low': serirq '' is not a number" },
	{ { "--channel", "3:a,serirq=0" },
	  "--channel '3:a,serirq=0': serirq must be 1..15, not 0" },
	{ { "--channel", "3:a,serirq=5:rising" },
	  "--channel '3:a,serirq=5:rising': serirq type 'rising' is not low, high or edge" },
	{ { "--channel", "3:a,serirq=5,serirq=6" },
	  "--channel '3:a,serirq=5,serirq=6': serirq= given twice" },
	{ { "--channel", "3:a", "--channel", "3:b" },
	  "--channel '3:b': channel 3 is given twice" },
	{ { "--channel", "3:a", "--channel", "2:a" },
	  "--channel '2:a': NAME 'a' is given twice" },
	{ { "--channel", "1:a", "--channel", "2:b", "--channel", "3:c", "--channel", "4:d" },
	  NULL /* four is fine: checked separately below */ },
	/* Checked against the chip once everything is parsed. */
	{ { "--channel", "5:a" },
	  "--channel '5:a': ast2600 has no KCS channel 5 (channels 1..4)" },
	{ { "--channel", "0:a" },
	  "--channel '0:a': ast2600 has no KCS channel 0 (channels 1..4)" },
	{ { "--channel", "3:a,addr=0x10000" },
	  "--channel '3:a,addr=0x10000': ast2600 channel 3: LPC address 0x10000 is above 0xFFFF" },
	{ { "--channel", "3:a,addr=0xca2,status=0xca4" },
	  "--channel '3:a,addr=0xca2,status=0xca4': ast2600 channel 3: the status port is always data+1 (0xca3), cannot be 0xca4" },
	{ { "--channel", "3:a,serirq=16" },
	  "--channel '3:a,serirq=16': ast2600 channel 3: SerIRQ 16 out of range 1..15" },
	{ { "--channel", "1:a,serirq=3" },
	  "--channel '1:a,serirq=3': ast2600 channel 1: only SerIRQ 1 or 12 can be routed, not 3" },
	{ { "--channel", "1:a,serirq=12:high" },
	  "--channel '1:a,serirq=12:high': ast2600 channel 1: SerIRQ 12 has a fixed type; drop the ':TYPE'" },
	{ { "--channel", "3:a,serirq=3:edge" },
	  "--channel '3:a,serirq=3:edge': ast2600 channel 3: SerIRQ can be level low or high, not edge" },
	{ { "--channel", "3:a", "--buffer-size", "2" },
	  "--buffer-size '2': expected a number of bytes in 3..4096" },
	{ { "--channel", "3:a", "--buffer-size", "4097" },
	  "--buffer-size '4097': expected a number of bytes in 3..4096" },
	{ { "--channel", "3:a", "-b", "1k" },
	  "--buffer-size '1k': expected a number of bytes in 3..4096" },
	{ { "--channel", "3:a", "--timeout", "0" },
	  "--timeout '0': expected milliseconds in 1..60000" },
	{ { "--channel", "3:a", "-t", "60001" },
	  "--timeout '60001': expected milliseconds in 1..60000" },
	{ { "--channel", "3:a", "-t", "99999999999999999999999" },
	  "--timeout '99999999999999999999999': expected milliseconds in 1..60000" },
	{ { "--channel", "3:a", "-t", " 5" },
	  "--timeout ' 5': expected milliseconds in 1..60000" },
	{ { "--channel", "3:a", "--bus", "sys" },
	  "--bus 'sys': expected system, session or a D-Bus address (e.g. unix:path=/run/dbus/system_bus_socket)" },
	{ { "--channel", "3:a", "--bus", "x:y=z" },
	  "--bus 'x:y=z': unknown transport 'x' (expected unix, tcp, unixexec or x-machine-unix)" },
	{ { "--channel", "3:a", "--bus", "unix:path=/run/dbus/system_bus_socket;x:y=z" },
	  "--bus 'unix:path=/run/dbus/system_bus_socket;x:y=z': unknown transport 'x' (expected unix, tcp, unixexec or x-machine-unix)" },
	{ { "--channel", "3:a", "--bus", "unix:path=/" LONG_PATH },
	  "--bus 'unix:path=/" LONG_PATH "': unix: socket path of 108 bytes, must be 1..107" },
	{ { "--channel", "3:a", "--bus", "unix:path=/a,path=/b" },
	  "--bus 'unix:path=/a,path=/b': unix: path= given twice" },
	{ { "--channel", "3:a", "--bus", "unix:path=/a,abstract=b" },
	  "--bus 'unix:path=/a,abstract=b': unix: give exactly one of path= and abstract=" },
	{ { "--channel", "3:a", "--bus", "unix:guid=0" },
	  "--bus 'unix:guid=0': unix: give exactly one of path= and abstract=" },
	{ { "--channel", "3:a", "--bus", "unix:path=/a%2" },
	  "--bus 'unix:path=/a%2': path: bad %XX escape in '/a%2'" },
	{ { "--channel", "3:a", "--bus", "unix:path" },
	  "--bus 'unix:path': 'path' is not KEY=VALUE" },
	{ { "--channel", "3:a", "--bus", "tcp:host=localhost" },
	  "--bus 'tcp:host=localhost': tcp: needs host= and port=" },
	{ { "--channel", "3:a", "--bus", ";" },
	  "--bus ';': expected system, session or a D-Bus address (e.g. unix:path=/run/dbus/system_bus_socket)" },
	{ { "--channel", "3:a", "--bus", "unix:path=/a;tcp:host=h,port=1,family=ipv6;unixexec:path=/bin/x" },
	  NULL /* a list sd-bus can try in turn */ },
	{ { "--channel", "3:a", "--bus", "unix:path=/" LONG_PATH_MAX ",guid=0123456789abcdef0123456789abcdef" },
	  NULL /* the longest path that fits */ },
	/* Options that take one value take it once (--channel repeats by design). */
	{ { "--channel", "3:a", "--chip", "ast2500" },
	  "--chip 'ast2500': given twice (first 'ast2600'); give it once" },
	/* --sim and --uio repeat: each starts a device of its own, with its channels. */
	{ { "--channel", "3:a", "--sim", "/tmp/y" },
	  "--sim '/tmp/y': no --channel follows it (each device is followed by its channels)" },
	{ { "--channel", "3:a", "--sim", "/tmp/x", "--channel", "4:b" },
	  "--sim '/tmp/x' is given twice" },
	{ { "--channel", "3:a", "--polled", "--poll-budget", "1", "--poll-budget", "2" },
	  "--poll-budget '2': given twice (first '1'); give it once" },
	{ { "--channel", "3:a", "--idle-poll", "1", "--idle-poll", "2" },
	  "--idle-poll '2': given twice (first '1'); give it once" },
	{ { "--channel", "3:a", "-t", "100", "--timeout=200" },
	  "--timeout '200': given twice (first '100'); give it once" },
	{ { "--channel", "3:a", "-b", "64", "-b", "64" },
	  "--buffer-size '64': given twice (first '64'); give it once" },
	{ { "--channel", "3:a", "-B", "session", "-B", "system" },
	  "--bus 'system': given twice (first 'session'); give it once" },
	{ { "--channel", "3:a", "-l", "debug", "--log-level", "err" },
	  "--log-level 'err': given twice (first 'debug'); give it once" },
	{ { "--channel", "3:a", "--uio-sysfs", "/a", "--uio-sysfs", "/b" },
	  "--uio-sysfs '/b': given twice (first '/a'); give it once" },
	{ { "--channel", "3:a", "--uio-dev", "/a", "--uio-dev", "/b" },
	  "--uio-dev '/b': given twice (first '/a'); give it once" },
	/* LPC I/O ports: never 0, never shared between channels or within one. */
	{ { "--channel", "3:a,addr=0" },
	  "--channel '3:a,addr=0': addr 0 is not a usable I/O address" },
	{ { "--channel", "4:a,addr=0xca2,status=0" },
	  "--channel '4:a,addr=0xca2,status=0': status 0 is not a usable I/O address" },
	{ { "--channel", "4:a,addr=0xca2,status=0xca2" },
	  "--channel '4:a,addr=0xca2,status=0xca2': the status port 0xca2 is the data port" },
	{ { "--channel", "3:a,addr=0xca2", "--channel", "4:b,addr=0xca2" },
	  "--channel '4:b,addr=0xca2': I/O port 0xca2 is also a port of --channel '3:a,addr=0xca2'" },
	{ { "--channel", "3:a,addr=0xca2", "--channel", "2:b,addr=0xca3" },
	  "--channel '2:b,addr=0xca3': I/O port 0xca3 is also a port of --channel '3:a,addr=0xca2'" },
	{ { "--channel", "4:a,addr=0xca4,status=0xca8", "--channel", "1:b,addr=0xca8,status=0xcac" },
	  "--channel '1:b,addr=0xca8,status=0xcac': I/O port 0xca8 is also a port of --channel '4:a,addr=0xca4,status=0xca8'" },
	{ { "--channel", "3:a,addr=0xca2", "--channel", "4:b,addr=0xca4", "--channel", "2:c" },
	  NULL /* neighbours, and a channel that keeps its firmware address */ },
	{ { "--channel", "3:a", "--log-level", "verbose" },
	  "--log-level 'verbose': expected err, warning, notice, info or debug" },
	{ { "--channel", "3:a", "--frobnicate" },
	  "unknown option '--frobnicate' (see --help)" },
	{ { "--channel", "3:a", "--frobnicate=1" },
	  "unknown option '--frobnicate' (see --help)" },
	{ { "--channel", "3:a", "-x" },
	  "unknown option '-x' (see --help)" },
	{ { "--channel", "3:a", "--timeout" },
	  "option '--timeout' needs an argument" },
	{ { "--channel", "3:a", "-t" },
	  "option '-t' needs an argument" },
	{ { "--channel", "3:a", "--help=1" },
	  "option '--help' takes no argument" },
	{ { "--channel", "3:a", "extra" },
	  "unexpected argument 'extra' (see --help)" },
};

static void test_bad_options(void **state)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		char *argv[MAX_ARGS + 2] = { (char *)"kcs-uiod", (char *)"--sim", (char *)"/tmp/x",
					     (char *)"--chip", (char *)"ast2600" };
		int argc = 5;
		char expected[512];
		struct run run;
		FILE *out, *err;

		for (size_t j = 0; j < 10 && c->args[j]; j++)
			argv[argc++] = (char *)c->args[j];
		argv[argc] = NULL;
		out = fmemopen(run.out, sizeof(run.out), "w");
		err = fmemopen(run.err, sizeof(run.err), "w");
		memset(run.err, 0, sizeof(run.err));
		run.r = options_parse(&run.o, argc, argv, out, err);
		fclose(out);
		fclose(err);

		if (!c->message) {
			assert_int_equal(run.r, OPTIONS_RUN);
			continue;
		}
		snprintf(expected, sizeof(expected), "kcs-uiod: %s\n", c->message);
		if (run.r != -EINVAL || strcmp(run.err, expected) != 0)
			fail_msg("case %zu (%s %s): r=%d\n got: %s want: %s", i, c->args[0],
				 c->args[1] ? c->args[1] : "", run.r, run.err, expected);
	}
}

static void test_missing_and_conflicting(void **state)
{
	struct run run;

	parse(&run, "--chip", "ast2600", "--channel", "3:a", NULL);
	assert_int_equal(run.r, -EINVAL);
	assert_string_equal(run.err, "kcs-uiod: missing device: give --uio NAME|/dev/uioN or --sim DIR\n");

	parse(&run, "--uio", "k", "--sim", "d", "--chip", "ast2600", "--channel", "3:a", NULL);
	assert_int_equal(run.r, -EINVAL);
	assert_string_equal(run.err, "kcs-uiod: --uio and --sim exclude each other: one kind of device per process\n");

	parse(&run, "--sim", "d", "--channel", "3:a", NULL);
	assert_int_equal(run.r, -EINVAL);
	assert_string_equal(run.err, "kcs-uiod: missing --chip (one of ast2400, ast2500, ast2600, npcm7xx)\n");

	parse(&run, "--sim", "d", "--chip", "ast2700", "--channel", "3:a", NULL);
	assert_int_equal(run.r, -EINVAL);
	assert_string_equal(run.err, "kcs-uiod: --chip 'ast2700': unknown chip (one of ast2400, ast2500, ast2600, npcm7xx)\n");

	parse(&run, "--sim", "d", "--chip", "ast2600", NULL);
	assert_int_equal(run.r, -EINVAL);
	assert_string_equal(run.err, "kcs-uiod: missing --channel CH:NAME[,addr=IO][,status=IO][,serirq=N[:low|high|edge]]\n");

	parse(&run, "--sim", "", "--chip", "ast2600", "--channel", "3:a", NULL);
	assert_string_equal(run.err, "kcs-uiod: --sim '': expected a directory\n");
	parse(&run, "--uio", "", "--chip", "ast2600", "--channel", "3:a", NULL);
	assert_string_equal(run.err, "kcs-uiod: --uio '': expected a UIO name or a /dev/uioN path\n");

	/* NPCM7xx: the host's SuperIO owns addresses and SerIRQ. */
	parse(&run, "--sim", "d", "--chip", "npcm7xx", "--channel", "4:a", NULL);
	assert_string_equal(run.err, "kcs-uiod: --channel '4:a': npcm7xx has no KCS channel 4 (channels 1..3)\n");
	parse(&run, "--sim", "d", "--chip", "npcm7xx", "--channel", "1:a,addr=0xca2", NULL);
	assert_int_equal(run.r, -EINVAL);
	assert_non_null(strstr(run.err, "drop addr=/status="));

	/* Five channels cannot all be distinct on any chip. */
	parse(&run, BASE, "--channel", "1:a", "--channel", "2:b", "--channel", "3:c",
	      "--channel", "4:d", "--channel", "5:e", NULL);
	assert_int_equal(run.r, -EINVAL);
	assert_string_equal(run.err, "kcs-uiod: --channel '5:e': too many channels (at most 4)\n");
}

/* One process per controller: every device followed by its own channels. */
static void test_devices(void **state)
{
	struct run run;

	parse(&run, "--chip", "ast2600", "--uio", "kcs1", "--channel", "1:k1",
	      "--uio", "kcs3", "--polled", "--channel", "3:k3", "--channel", "4:k4",
	      "--uio", "/dev/uio9", "--channel", "2:k2", NULL);
	assert_int_equal(run.r, OPTIONS_RUN);
	assert_string_equal(run.err, "");
	assert_int_equal(run.o.n_devices, 3);
	assert_string_equal(run.o.devices[1].path, "kcs3");
	assert_false(run.o.devices[0].polled);
	assert_true(run.o.devices[1].polled);
	assert_false(run.o.devices[2].polled);
	assert_int_equal(run.o.devices[1].n_channels, 2);
	assert_int_equal(run.o.n_channels, 4);
	assert_int_equal(run.o.channels[0].device, 0);
	assert_int_equal(run.o.channels[1].device, 1);
	assert_int_equal(run.o.channels[2].device, 1);
	assert_int_equal(run.o.channels[3].device, 2);

	/* Channels before the first device belong to it (the single-device form). */
	parse(&run, "--chip", "ast2600", "--channel", "3:a", "--sim", "d", "--polled", NULL);
	assert_int_equal(run.r, OPTIONS_RUN);
	assert_int_equal(run.o.channels[0].device, 0);
	assert_true(run.o.devices[0].polled);

	parse(&run, "--chip", "ast2600", "--polled", "--sim", "d", "--channel", "3:a", NULL);
	assert_string_equal(run.err, "kcs-uiod: --polled applies to the --uio or --sim before it: give the device first\n");
	parse(&run, "--chip", "ast2600", "--sim", "d", "--channel", "3:a", "--sim", "e", NULL);
	assert_string_equal(run.err, "kcs-uiod: --sim 'e': no --channel follows it (each device is followed by its channels)\n");
	parse(&run, "--chip", "ast2600", "--uio", "k", "--channel", "3:a", "--uio", "k", "--channel", "4:b", NULL);
	assert_string_equal(run.err, "kcs-uiod: --uio 'k' is given twice\n");
	parse(&run, "--chip", "ast2600", "--sim", "d", "--channel", "3:a", "--sim", "e", "--channel", "3:b", NULL);
	assert_string_equal(run.err, "kcs-uiod: --channel '3:b': channel 3 is given twice\n");
	parse(&run, BASE, "--channel", "3:a", "--poll-budget", "10001", NULL);
	assert_string_equal(run.err, "kcs-uiod: --poll-budget '10001': expected microseconds in 0..10000 (0 turns burst polling off)\n");
	parse(&run, BASE, "--channel", "3:a", "--idle-poll", "0", NULL);
	assert_string_equal(run.err, "kcs-uiod: --idle-poll '0': expected milliseconds in 1..1000\n");
	parse(&run, BASE, "--channel", "3:a", "--polled=1", NULL);
	assert_string_equal(run.err, "kcs-uiod: option '--polled' takes no argument\n");
}

static void test_names(void **state)
{
	struct channel_spec s;
	char buf[CHANNEL_OBJECT_PATH_MAX];
	char tiny[8];

	assert_int_equal(channel_spec_parse(&s, "3:ipmi_kcs3", stderr), 0);
	assert_int_equal(channel_bus_name(&s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "xyz.openbmc_project.Ipmi.Channel.ipmi_kcs3");
	assert_int_equal(channel_object_path(&s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/xyz/openbmc_project/Ipmi/Channel/ipmi_kcs3");
	assert_int_equal(channel_bus_name(&s, tiny, sizeof(tiny)), -ENAMETOOLONG);

	/* The longest NAME still fits the buffers the header sizes. */
	assert_int_equal(channel_spec_parse(&s, "1:a234567890123456789012345678901234567890123456789012345678901234", stderr), 0);
	assert_int_equal(channel_object_path(&s, buf, sizeof(buf)), 0);
	assert_int_equal(channel_bus_name(&s, buf, CHANNEL_BUS_NAME_MAX), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_every_option_long),
		cmocka_unit_test(test_every_option_short),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_missing_and_conflicting),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
