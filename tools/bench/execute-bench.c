// SPDX-License-Identifier: Apache-2.0
/*
 * execute-bench: the cost of the D-Bus leg alone. Calls execute on whatever
 * owns xyz.openbmc_project.Ipmi.Host, one synchronous call after another,
 * with the request shapes of `kcs-host bench`, and prints round trips per
 * second and the latency distribution. Comparing it with kcs-host bench
 * through kcs-uiod separates the KCS side from the IPMI service.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "cleanup.h"
#include "config.h"
#include "host_bus.h"
#include "log.h"
#include "mono_clock.h"
#include "opt_parse.h"

#define PROG "execute-bench"

#define SIZE_MIN 2u     /* netfn, cmd */
#define SIZE_LIMIT 4096u /* the daemon's largest buffer */
#define COUNT_MAX 100000000u
#define TIMEOUT_MS_DEFAULT 5000u
#define TIMEOUT_MS_MAX 60000u

struct bench_options {
	const char *bus;
	uint64_t count;
	uint64_t size;
	uint64_t timeout_ms;
	bool json;
};

struct bench_result {
	uint64_t ok;
	uint64_t errors;       /* D-Bus errors or replies not "yyyyay" */
	uint64_t nonzero_cc;
	uint8_t last_cc;
	double seconds;
	uint64_t *latency_ns;  /* one per successful call */
};

static void bench_result_done(struct bench_result *res)
{
	free(res->latency_ns);
}

/*
 * One execute round trip; returns 0 with *cc, or a negative errno with
 * @error set when the service answered with an error.
 */
static int bench_call(sd_bus *bus, uint8_t netfn, uint8_t cmd, const uint8_t *data,
		      size_t len, uint64_t timeout_us, uint8_t *cc, sd_bus_error *error)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
	uint8_t rnetfn, rlun, rcmd;
	const void *rdata;
	size_t rlen;
	int r;

	r = sd_bus_message_new_method_call(bus, &m, IPMI_HOST_SERVICE, IPMI_HOST_PATH,
					   IPMI_HOST_INTERFACE, IPMI_HOST_EXECUTE);
	if (r < 0)
		return r;
	r = sd_bus_message_append(m, "yyy", netfn, (uint8_t)0, cmd);
	if (r >= 0)
		r = sd_bus_message_append_array(m, 'y', data, len);
	if (r >= 0)
		r = sd_bus_message_append(m, "a{sv}", 0u);
	if (r < 0)
		return r;

	r = sd_bus_call(bus, m, timeout_us, error, &reply);
	if (r < 0)
		return r;

	r = sd_bus_message_read(reply, "yyyy", &rnetfn, &rlun, &rcmd, cc);
	if (r >= 0)
		r = sd_bus_message_read_array(reply, 'y', &rdata, &rlen);
	if (r < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_SIGNATURE,
					 "the reply is \"%s\", not \"%s\"",
					 sd_bus_message_get_signature(reply, 1), IPMI_HOST_EXECUTE_OUT);
	return 0;
}

static int bench_run(sd_bus *bus, const struct bench_options *o, struct bench_result *res)
{
	_cleanup_free_ uint8_t *data = NULL;
	uint8_t netfn = 0x06, cmd = 0x01;  /* Get Device ID */
	size_t len = o->size - SIZE_MIN;
	uint64_t start;

	if (len) {
		netfn = 0x30;  /* ipmi-stub's echo; others answer 0xc1, a round trip still */
		data = malloc(len);
		if (!data)
			return -ENOMEM;
		for (size_t i = 0; i < len; i++)
			data[i] = (uint8_t)i;
	}
	res->latency_ns = calloc(o->count, sizeof(*res->latency_ns));
	if (!res->latency_ns)
		return log_error_errno(ENOMEM, "Cannot hold %" PRIu64 " latencies: %m", o->count);

	start = mono_clock_ns();
	for (uint64_t i = 0; i < o->count; i++) {
		_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
		uint64_t t0 = mono_clock_ns();
		uint8_t cc;
		int r;

		r = bench_call(bus, netfn, cmd, data, len, o->timeout_ms * 1000, &cc, &error);
		if (r < 0) {
			if (res->errors++ == 0)
				log_warning_errno(r, "Call %" PRIu64 " failed: %s (%s); later failures are only counted",
						  i, error.message ? error.message : strerror(-r),
						  error.name ? error.name : "no D-Bus error");
			continue;
		}
		res->latency_ns[res->ok++] = mono_clock_ns() - t0;
		res->last_cc = cc;
		if (cc != 0)
			res->nonzero_cc++;
	}
	res->seconds = (double)(mono_clock_ns() - start) / 1e9;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted @v, in microseconds. */
static double percentile_us(const uint64_t *v, uint64_t n, unsigned p)
{
	uint64_t rank;

	if (n == 0)
		return 0;
	rank = (n * p + 99) / 100;
	return (double)v[rank ? rank - 1 : 0] / 1000.0;
}

static void bench_print(const struct bench_options *o, struct bench_result *res)
{
	double rate = res->seconds > 0 ? (double)res->ok / res->seconds : 0;
	double p50, p90, p99, max;

	qsort(res->latency_ns, res->ok, sizeof(*res->latency_ns), cmp_u64);
	p50 = percentile_us(res->latency_ns, res->ok, 50);
	p90 = percentile_us(res->latency_ns, res->ok, 90);
	p99 = percentile_us(res->latency_ns, res->ok, 99);
	max = percentile_us(res->latency_ns, res->ok, 100);

	if (o->json) {
		printf("{\"count\":%" PRIu64 ",\"size\":%" PRIu64 ",\"ok\":%" PRIu64
		       ",\"errors\":%" PRIu64 ",\"nonzero_cc\":%" PRIu64
		       ",\"seconds\":%.6f,\"round_trips_per_s\":%.1f"
		       ",\"latency_us\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"max\":%.1f}}\n",
		       o->count, o->size, res->ok, res->errors, res->nonzero_cc,
		       res->seconds, rate, p50, p90, p99, max);
		return;
	}
	printf("%" PRIu64 " round trips of %" PRIu64 "-byte requests in %.3f s: %.1f round trips/s\n",
	       res->ok, o->size, res->seconds, rate);
	printf("latency us: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n", p50, p90, p99, max);
	printf("errors %" PRIu64 ", non-zero cc %" PRIu64 " (last cc 0x%02x)\n",
	       res->errors, res->nonzero_cc, res->last_cc);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: execute-bench --count N [--bus BUS] [--size BYTES] [--timeout-ms MS] [--json]\n"
		"Call %s execute N times in a row and report\n"
		"round trips/s and latency percentiles.\n"
		"\n"
		"  -B, --bus BUS          system (default), session, or a D-Bus address\n"
		"  -n, --count N          number of calls (required)\n"
		"  -s, --size BYTES       request size incl. netfn and cmd (default 2: Get Device ID;\n"
		"                         more: OEM 0x30/0x01 echo with BYTES-2 data bytes), 2..%u\n"
		"  -t, --timeout-ms MS    per-call timeout (default %u)\n"
		"  -j, --json             one JSON object instead of text\n"
		"  -h, --help; -V, --version\n",
		IPMI_HOST_SERVICE, SIZE_LIMIT, TIMEOUT_MS_DEFAULT);
}

static int parse_options(int argc, char **argv, struct bench_options *o)
{
	static const struct option longopts[] = {
		{ "bus",        required_argument, NULL, 'B' },
		{ "count",      required_argument, NULL, 'n' },
		{ "size",       required_argument, NULL, 's' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "json",       no_argument,       NULL, 'j' },
		{ "help",       no_argument,       NULL, 'h' },
		{ "version",    no_argument,       NULL, 'V' },
		{ 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "B:n:s:t:jhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'B':
			if (opt_bus(PROG, optarg, &o->bus) < 0)
				return -EINVAL;
			break;
		case 'n':
			if (opt_u64(PROG, "--count", optarg, 1, COUNT_MAX, &o->count) < 0)
				return -EINVAL;
			break;
		case 's':
			if (opt_u64(PROG, "--size", optarg, SIZE_MIN, SIZE_LIMIT, &o->size) < 0)
				return -EINVAL;
			break;
		case 't':
			if (opt_u64(PROG, "--timeout-ms", optarg, 1, TIMEOUT_MS_MAX,
				    &o->timeout_ms) < 0)
				return -EINVAL;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf(PROG " %s\n", KCS_UIO_VERSION);
			return 1;
		default:
			return -EINVAL;
		}
	}
	if (opt_no_operands(PROG, argc, argv) < 0)
		return -EINVAL;
	if (o->count == 0) {
		fprintf(stderr, PROG ": --count is required\n");
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_options o = {
		.bus = "system",
		.size = SIZE_MIN,
		.timeout_ms = TIMEOUT_MS_DEFAULT,
	};
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_(bench_result_done) struct bench_result res = { 0 };
	int r;

	r = parse_options(argc, argv, &o);
	if (r < 0)
		return 2;
	if (r > 0)
		return 0;

	if (bus_open(o.bus, "execute-bench", &bus) < 0)
		return 1;
	r = bench_run(bus, &o, &res);
	if (r < 0)
		return 1;
	bench_print(&o, &res);
	return res.errors ? 1 : 0;
}
