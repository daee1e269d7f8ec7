// SPDX-License-Identifier: Apache-2.0
/*
 * kcs-host bench --count N [--size BYTES] [--json]: N round trips, timed one
 * by one. 2-byte requests are Get Device ID; larger ones are the OEM echo
 * command (NetFn 0x30 Cmd 0x01) whose answer is checked byte for byte, with
 * a pattern that changes every round trip so a stale answer shows.
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "commands.h"
#include "host_log.h"
#include "ipmi_cc.h"
#include "ipmi_msg.h"
#include "mono_clock.h"
#include "parse.h"
#include "stats.h"
#include "status_wait.h"

#define BENCH_COUNT_MAX 10000000ul
#define THINK_US_MAX    1000000ul
#define NETFN_APP       0x06u
#define CMD_GET_DEV_ID  0x01u
#define NETFN_OEM       0x30u
#define CMD_OEM_ECHO    0x01u

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	interrupted = 1;
}

/* "MIN" or "MIN:MAX" microseconds. */
static int parse_think(const char *arg, struct bench_args *a)
{
	const char *colon = strchr(arg, ':');
	char min[24];
	size_t len = colon ? (size_t)(colon - arg) : strlen(arg);

	if (len == 0 || len >= sizeof(min))
		return -EINVAL;
	memcpy(min, arg, len);
	min[len] = '\0';
	if (parse_uint(min, 0, THINK_US_MAX, &a->think_min_us) < 0)
		return -EINVAL;
	a->think_max_us = a->think_min_us;
	if (colon && parse_uint(colon + 1, a->think_min_us, THINK_US_MAX, &a->think_max_us) < 0)
		return -EINVAL;
	return 0;
}

int cmd_bench_parse(int argc, char **argv, struct bench_args *a)
{
	static const struct option options[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "size",  required_argument, NULL, 's' },
		{ "json",  no_argument,       NULL, 'j' },
		{ "wait",  required_argument, NULL, 'w' },
		{ "think-us", required_argument, NULL, 't' },
		{ "seed",  required_argument, NULL, 'S' },
		{ 0 }
	};
	bool have_count = false;
	int c;

	*a = (struct bench_args){ .size = IPMI_REQ_HDR_LEN, .wait = HOST_WAIT_SLEEP, .seed = 1 };
	optind = 0;  /* a new argument vector: reset getopt */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", options, NULL)) >= 0) {
		switch (c) {
		case 'c':
			if (parse_uint(optarg, 1, BENCH_COUNT_MAX, &a->count) < 0) {
				host_error("bench: --count '%s': expected 1..%lu", optarg, BENCH_COUNT_MAX);
				return HOST_EXIT_USAGE;
			}
			have_count = true;
			break;
		case 's':
			if (parse_uint(optarg, IPMI_REQ_HDR_LEN, HOST_KCS_MSG_MAX, &a->size) < 0) {
				host_error("bench: --size '%s': expected %u..%u bytes", optarg,
					   IPMI_REQ_HDR_LEN, HOST_KCS_MSG_MAX);
				return HOST_EXIT_USAGE;
			}
			break;
		case 'j':
			a->json = true;
			break;
		case 'w':
			if (strcmp(optarg, "spin") == 0) {
				a->wait = HOST_WAIT_SPIN;
			} else if (strcmp(optarg, "sleep") == 0) {
				a->wait = HOST_WAIT_SLEEP;
			} else {
				host_error("bench: --wait '%s': expected spin or sleep", optarg);
				return HOST_EXIT_USAGE;
			}
			break;
		case 't':
			if (parse_think(optarg, a) < 0) {
				host_error("bench: --think-us '%s': expected MIN or MIN:MAX microseconds, MIN <= MAX <= %lu",
					   optarg, THINK_US_MAX);
				return HOST_EXIT_USAGE;
			}
			break;
		case 'S':
			if (parse_uint(optarg, 0, ULONG_MAX, &a->seed) < 0) {
				host_error("bench: --seed '%s': expected a number", optarg);
				return HOST_EXIT_USAGE;
			}
			break;
		case ':':
			host_error("bench: option '%s' needs an argument", argv[optind - 1]);
			return HOST_EXIT_USAGE;
		default:
			host_error("bench: unknown option '%s' (bench --count N [--size BYTES] [--wait spin|sleep] [--think-us MIN[:MAX]] [--seed N] [--json])",
				   argv[optind - 1]);
			return HOST_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		host_error("bench: unexpected argument '%s'", argv[optind]);
		return HOST_EXIT_USAGE;
	}
	if (!have_count) {
		host_error("bench: --count N is required");
		return HOST_EXIT_USAGE;
	}
	return HOST_EXIT_OK;
}

static void fill_request(uint8_t *req, size_t size, unsigned long seq)
{
	if (size == IPMI_REQ_HDR_LEN) {
		req[0] = ipmi_netfn_lun(NETFN_APP, 0);
		req[1] = CMD_GET_DEV_ID;
		return;
	}
	req[0] = ipmi_netfn_lun(NETFN_OEM, 0);
	req[1] = CMD_OEM_ECHO;
	for (size_t i = IPMI_REQ_HDR_LEN; i < size; i++)
		req[i] = (uint8_t)(seq * 31u + i);
}

/* 0, or -EBADMSG with @err filled. */
static int check_answer(const uint8_t *req, size_t req_len, const uint8_t *rsp,
			size_t rsp_len, char *err, size_t errlen)
{
	size_t data_len = req_len - IPMI_REQ_HDR_LEN;
	int r;

	r = ipmi_check_response(req, rsp, rsp_len, err, errlen);
	if (r < 0)
		return r;
	if (rsp[2] != IPMI_CC_OK) {
		snprintf(err, errlen, "completion code 0x%02x: %s", rsp[2], ipmi_cc_name(rsp[2]));
		return -EBADMSG;
	}
	if (req_len == IPMI_REQ_HDR_LEN)
		return 0;
	if (rsp_len - IPMI_RSP_HDR_LEN != data_len) {
		snprintf(err, errlen, "echo of %zu data bytes came back with %zu",
			 data_len, rsp_len - IPMI_RSP_HDR_LEN);
		return -EBADMSG;
	}
	for (size_t i = 0; i < data_len; i++) {
		if (rsp[IPMI_RSP_HDR_LEN + i] != req[IPMI_REQ_HDR_LEN + i]) {
			snprintf(err, errlen, "echo differs at data byte %zu: sent 0x%02x, got 0x%02x",
				 i, req[IPMI_REQ_HDR_LEN + i], rsp[IPMI_RSP_HDR_LEN + i]);
			return -EBADMSG;
		}
	}
	return 0;
}

struct bench_result {
	unsigned long ok;
	unsigned long errors;
	unsigned long by_cc[256];  /* errors that were answers with a non-zero code */
	bool stopped;             /* the BMC side stopped answering */
	bool interrupted;         /* SIGINT */
	uint64_t elapsed_ns;
	char first_error[sizeof(((struct host_kcs *)0)->err) + 48];
};

/* Which completion codes the errors were, e.g. "0xc3 x12 (Timeout ...)". */
static void print_codes(const struct bench_result *res)
{
	for (unsigned int cc = 0; cc < 256; cc++)
		if (res->by_cc[cc])
			printf("  answered 0x%02x x%lu: %s\n", cc, res->by_cc[cc], ipmi_cc_name((uint8_t)cc));
}

static const char *wait_name(enum host_wait w)
{
	return w == HOST_WAIT_SPIN ? "spinning" : "sleeping";
}

static void print_result(const struct host_ctx *h, const struct bench_args *a,
			 const struct bench_result *res, uint64_t *lat)
{
	double secs = (double)res->elapsed_ns / 1e9;
	double rate = secs > 0 ? (double)res->ok / secs : 0;
	double p50, p90, p99, max;

	stats_sort(lat, res->ok);
	p50 = (double)stats_percentile(lat, res->ok, 50) / 1e3;
	p90 = (double)stats_percentile(lat, res->ok, 90) / 1e3;
	p99 = (double)stats_percentile(lat, res->ok, 99) / 1e3;
	max = (double)stats_percentile(lat, res->ok, 100) / 1e3;

	if (a->json) {
		printf("{\"count\":%lu,\"size\":%lu,\"ok\":%lu,\"errors\":%lu,\"retries\":%llu,"
		       "\"stopped\":%s,\"interrupted\":%s,\"elapsed_s\":%.6f,"
		       "\"round_trips_per_s\":%.1f,\"p50_us\":%.1f,\"p90_us\":%.1f,"
		       "\"p99_us\":%.1f,\"max_us\":%.1f,\"wait\":\"%s\"}\n",
		       a->count, a->size, res->ok, res->errors, (unsigned long long)h->kcs.retried,
		       res->stopped ? "true" : "false", res->interrupted ? "true" : "false",
		       secs, rate, p50, p90, p99, max, wait_name(a->wait));
		return;
	}
	printf("bench: %lu round trips, %lu-byte requests (%s) on %s channel %u, %s host\n",
	       a->count, a->size,
	       a->size == IPMI_REQ_HDR_LEN ? "Get Device ID" : "OEM echo, NetFn 0x30 Cmd 0x01",
	       h->chip->name, h->channel, wait_name(a->wait));
	printf("  completed: %lu ok, %lu errors, %llu retries in %.3f s%s\n",
	       res->ok, res->errors, (unsigned long long)h->kcs.retried, secs,
	       res->stopped ? " (stopped: the BMC side is not answering)" :
	       res->interrupted ? " (interrupted)" : "");
	printf("  rate:      %.1f round trips/s\n", rate);
	printf("  latency:   p50 %.1f us, p90 %.1f us, p99 %.1f us, max %.1f us\n",
	       p50, p90, p99, max);
	print_codes(res);
}

int cmd_bench_run(struct host_ctx *h, const struct bench_args *a)
{
	_cleanup_free_ uint64_t *lat = NULL;
	uint8_t req[HOST_KCS_MSG_MAX], rsp[HOST_KCS_MSG_MAX];
	struct sigaction sa = { .sa_handler = on_sigint };
	struct bench_result res = { 0 };
	char err[sizeof(((struct host_kcs *)0)->err)];
	uint64_t start;

	lat = calloc(a->count, sizeof(*lat));
	if (!lat) {
		host_error("bench: no memory for the latencies of %lu round trips", a->count);
		return HOST_EXIT_TRANSPORT;
	}
	/* No SA_RESTART: an interrupted sleep just polls again, then we stop. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	h->kcs.quiet = true;
	h->kcs.wait = a->wait;
	host_kcs_set_think(&h->kcs, (uint64_t)a->think_min_us * 1000u,
			   (uint64_t)a->think_max_us * 1000u, a->seed);

	start = mono_clock_ns();
	for (unsigned long seq = 0; seq < a->count && !interrupted; seq++) {
		uint64_t t0;
		size_t len = 0;
		int r;

		fill_request(req, a->size, seq);
		t0 = mono_clock_ns();
		r = host_kcs_transact(&h->kcs, req, a->size, rsp, sizeof(rsp), &len);
		if (r == 0) {
			lat[res.ok] = mono_clock_ns() - t0;
			r = check_answer(req, a->size, rsp, len, err, sizeof(err));
		} else {
			snprintf(err, sizeof(err), "%s", h->kcs.err);
		}
		if (r == 0) {
			res.ok++;
			continue;
		}
		if (len >= IPMI_RSP_HDR_LEN && rsp[2] != IPMI_CC_OK)
			res.by_cc[rsp[2]]++;
		if (res.errors++ == 0)
			snprintf(res.first_error, sizeof(res.first_error), "round trip %lu: %s",
				 seq + 1, err);
		if (r == -EIO || r == -EPIPE) {
			res.stopped = true;
			break;
		}
	}
	res.elapsed_ns = mono_clock_ns() - start;
	res.interrupted = interrupted;

	print_result(h, a, &res, lat);
	if (res.errors)
		host_error("bench: %lu error%s; first: %s", res.errors,
			   res.errors == 1 ? "" : "s", res.first_error);
	if (res.stopped)
		return HOST_EXIT_TRANSPORT;
	return res.errors ? HOST_EXIT_CC : HOST_EXIT_OK;
}
