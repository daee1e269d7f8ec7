// SPDX-License-Identifier: Apache-2.0
/*
 * kcs_sm_bench: the BMC state machine's own cost per IPMI exchange.
 *
 * Runs COUNT Get Device ID exchanges (a 2-byte request, an 18-byte
 * response: header, Cmd, CC and 15 data bytes) through kcs_sm, with the
 * host played inline by the spec's write and read transfers. The registers
 * are three bytes in memory behind struct kcs_regs_ops: no logging, no
 * checking, so what is measured is the state machine (plus the few loads
 * and stores silicon would do itself).
 *
 * It prints counts, never times: run it under callgrind for instructions
 * (tools/bench/sm-cost.sh does, and divides).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kcs_regs.h"
#include "kcs_sm.h"

#define DEFAULT_COUNT 100000ul

struct mem_regs {
	uint8_t idr;
	uint8_t odr;
	uint8_t str;
};

static uint8_t mem_read_idr(void *ctx)
{
	struct mem_regs *r = ctx;

	r->str &= (uint8_t)~KCS_STR_IBF;
	return r->idr;
}

static void mem_write_odr(void *ctx, uint8_t value)
{
	struct mem_regs *r = ctx;

	r->odr = value;
	r->str |= KCS_STR_OBF;
}

static uint8_t mem_read_str(void *ctx)
{
	struct mem_regs *r = ctx;

	return r->str;
}

static void mem_update_str(void *ctx, uint8_t mask, uint8_t value)
{
	struct mem_regs *r = ctx;

	r->str = (uint8_t)((r->str & ~mask) | (value & mask));
}

static const struct kcs_regs_ops mem_regs_ops = {
	.read_idr = mem_read_idr,
	.write_odr = mem_write_odr,
	.read_str = mem_read_str,
	.update_str = mem_update_str,
};

static const uint8_t request[2] = { 0x06 << 2, 0x01 };
static const uint8_t response[18] = {
	0x07 << 2, 0x01, 0x00,
	0x20, 0x81, 0x01, 0x00, 0x02, 0xBF, 0x57, 0x01, 0x00, 0x41, 0x00, 0x01, 0x02, 0x03, 0x04,
};

struct bench {
	struct mem_regs regs;
	struct kcs_sm sm;
	uint32_t pending_id;
	uint8_t got[sizeof(response)];
	size_t got_len;
	unsigned long irqs;
};

static void bench_request(void *userdata, uint32_t id, const uint8_t *msg, size_t len)
{
	struct bench *b = userdata;

	(void)msg;
	(void)len;
	b->pending_id = id;
}

/* The host's port writes: each raises the BMC interrupt. */
static void host_write(struct bench *b, uint8_t byte, uint8_t cd)
{
	b->regs.idr = byte;
	b->regs.str = (uint8_t)((b->regs.str & ~KCS_STR_CD) | KCS_STR_IBF | cd);
	b->irqs++;
	kcs_sm_handle_irq(&b->sm);
}

static uint8_t host_read(struct bench *b)
{
	b->regs.str &= (uint8_t)~KCS_STR_OBF;
	return b->regs.odr;
}

/*
 * One exchange. The host's "wait" steps are free here: single-threaded, the
 * BMC has always run by the time the host looks. Kept out of line so that
 * callgrind can collect exactly this function (--toggle-collect).
 */
__attribute__((noinline))
static void bench_exchange(struct bench *b)
{
	host_read(b);
	host_write(b, KCS_CTRL_WRITE_START, KCS_STR_CD);
	host_read(b);
	host_write(b, request[0], 0);
	host_read(b);
	host_write(b, KCS_CTRL_WRITE_END, KCS_STR_CD);
	host_read(b);
	host_write(b, request[1], 0);

	kcs_sm_respond(&b->sm, b->pending_id, response, sizeof(response));

	b->got_len = 0;
	while (kcs_str_state(b->regs.str) == KCS_STATE_READ) {
		uint8_t byte = host_read(b);

		if (b->got_len < sizeof(b->got))
			b->got[b->got_len] = byte;
		b->got_len++;
		host_write(b, KCS_CTRL_READ, 0);
	}
	host_read(b);   /* the dummy byte that comes with IDLE */
}

static int parse_count(const char *arg, unsigned long *count)
{
	char *end;

	errno = 0;
	*count = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || *count == 0 || arg[0] == '-')
		return -EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	struct bench *b;
	struct kcs_regs regs;
	struct kcs_sm_client client = { .request = bench_request };
	unsigned long count = DEFAULT_COUNT;
	int r;

	if (argc > 2 || (argc == 2 && parse_count(argv[1], &count) < 0)) {
		fprintf(stderr, "usage: %s [COUNT]   (COUNT: exchanges, a positive integer, default %lu)\n",
			argv[0], DEFAULT_COUNT);
		return 2;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		fprintf(stderr, "kcs_sm_bench: out of memory\n");
		return 1;
	}
	regs = (struct kcs_regs){ .ops = &mem_regs_ops, .ctx = &b->regs };
	client.userdata = b;
	r = kcs_sm_init(&b->sm, &regs, &client, KCS_BUF_DEFAULT);
	if (r < 0) {
		fprintf(stderr, "kcs_sm_bench: kcs_sm_init: %s\n", strerror(-r));
		free(b);
		return 1;
	}

	for (unsigned long i = 0; i < count; i++)
		bench_exchange(b);

	/* A figure is only worth printing if every exchange really happened. */
	if (kcs_sm_counters(&b->sm)->responses != count || b->got_len != sizeof(response) ||
	    memcmp(b->got, response, sizeof(response)) != 0 || kcs_sm_phase(&b->sm) != KCS_PHASE_IDLE) {
		fprintf(stderr, "kcs_sm_bench: exchanges went wrong: %llu of %lu responses, last one %zu bytes\n",
			(unsigned long long)kcs_sm_counters(&b->sm)->responses, count, b->got_len);
		free(b);
		return 1;
	}
	printf("exchanges: %lu\n", count);
	printf("request bytes per exchange: %zu\n", sizeof(request));
	printf("response bytes per exchange: %zu\n", sizeof(response));
	printf("message bytes per exchange: %zu\n", sizeof(request) + sizeof(response));
	printf("interrupts per exchange: %lu\n", b->irqs / count);
	free(b);
	return 0;
}
