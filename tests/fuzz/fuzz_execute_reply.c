// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target: execute_reply_decode() (daemon/execute_reply.c), the
 * only code that reads what the IPMI service sends back.
 *
 * The input is a program that builds a method return on an offline bus
 * (tests/daemon/offline_bus.c): each opcode appends a basic value of some
 * type (or a raw type character), opens a container (array, variant,
 * struct, dict entry) with a contents signature from the input, closes one,
 * or appends a byte array. sd-bus refuses what does not fit; the message is
 * sealed as if it came from a peer and decoded.
 *
 * The oracle: decoding succeeds exactly for the signatures "yyyyay" and
 * "(yyyyay)", and then returns the bytes that were appended, in order (the
 * first four bytes are netfn, lun, cmd, cc; the rest are the data). A
 * refusal comes with one printable line saying why.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "execute_reply.h"
#include "offline_bus.h"

#define MAX_BYTES 4096

/* @n bytes of the input as a NUL-terminated string in @buf (cap > n). */
static const char *take_str(struct fuzz_input *in, char *buf, size_t cap)
{
	size_t n = fuzz_take(in) % cap;

	for (size_t i = 0; i < n; i++)
		buf[i] = (char)fuzz_take(in);
	buf[n] = '\0';
	return buf;
}

/* Every byte appended as a 'y' (alone or in an array), in order. */
struct bytes {
	uint8_t v[MAX_BYTES];
	size_t n;
	bool truncated;             /* more than MAX_BYTES: values not compared */
};

static void record(struct bytes *b, const uint8_t *v, size_t n)
{
	if (n > MAX_BYTES - b->n) {
		n = MAX_BYTES - b->n;
		b->truncated = true;
	}
	memcpy(b->v + b->n, v, n);
	b->n += n;
}

static void append_basic(sd_bus_message *m, struct fuzz_input *in, struct bytes *bytes, char type)
{
	union {
		uint8_t y;
		int b;
		int16_t n;
		uint16_t q;
		int32_t i;
		uint32_t u;
		int64_t x;
		uint64_t t;
		double d;
	} v;
	char str[64];

	memset(&v, 0, sizeof(v));
	switch (type) {
	case 's':
	case 'o':
	case 'g':
		/* Any bytes: sd-bus must refuse what is no string, path or signature. */
		(void)sd_bus_message_append_basic(m, type, take_str(in, str, sizeof(str)));
		return;
	default:
		for (size_t i = 0; i < sizeof(v); i++)
			((uint8_t *)&v)[i] = fuzz_take(in);
		if (type == 'b')
			v.b &= 1;
		if (sd_bus_message_append_basic(m, type, &v) >= 0 && type == 'y')
			record(bytes, &v.y, 1);
		return;
	}
}

static void build(sd_bus_message *m, struct fuzz_input *in, struct bytes *bytes)
{
	static const char basic[] = "yyyybnqiuxtdsog";
	static const char containers[] = "ar({v";
	char sig[16];
	uint8_t buf[256];

	while (in->left > 0) {
		uint8_t op = fuzz_take(in);

		switch (op % 6) {
		case 0:
		case 1:
			append_basic(m, in, bytes, basic[(op >> 3) % (sizeof(basic) - 1)]);
			break;
		case 2:
			/* Any type character at all. */
			append_basic(m, in, bytes, (char)fuzz_take(in));
			break;
		case 3: {
			char type = containers[(op >> 3) % (sizeof(containers) - 1)];

			if (type == '(')
				type = 'r';
			else if (type == '{')
				type = 'e';
			(void)sd_bus_message_open_container(m, type, take_str(in, sig, sizeof(sig)));
			break;
		}
		case 4:
			(void)sd_bus_message_close_container(m);
			break;
		case 5: {
			size_t n = fuzz_take(in);

			for (size_t i = 0; i < n; i++)
				buf[i] = fuzz_take(in);
			if (sd_bus_message_append_array(m, 'y', buf, n) >= 0)
				record(bytes, buf, n);
			break;
		}
		}
	}
}

static void check_reason(const char *why)
{
	if (why[0] == '\0')
		fuzz_die("refused without a reason");
	for (const char *c = why; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			fuzz_die("reason with byte 0x%02x: %s", (unsigned char)*c, why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static sd_bus *bus;
	struct fuzz_input in = { data, size };
	struct bytes *bytes = calloc(1, sizeof(*bytes));
	sd_bus_message *m = NULL;
	struct execute_reply reply;
	char why[512] = "";
	const char *sig;
	bool well_formed;
	int r;

	if (!bytes)
		fuzz_die("out of memory");
	/* One offline bus for the whole run; messages are per input. */
	r = bus ? 0 : offline_bus_new(&bus);
	if (r < 0 || (r = offline_reply_new(bus, &m)) < 0)
		fuzz_die("no message to build: %s", strerror(-r));
	build(m, &in, bytes);
	/* Open containers or a poisoned message: nothing a peer could send. */
	if (offline_seal(m) < 0)
		goto out;

	sig = sd_bus_message_get_signature(m, true);
	well_formed = sig && (strcmp(sig, "yyyyay") == 0 || strcmp(sig, "(yyyyay)") == 0);
	r = execute_reply_decode(m, &reply, why, sizeof(why));
	if (r < 0) {
		if (well_formed)
			fuzz_die("well-formed reply '%s' refused (%d): %s", sig, r, why);
		check_reason(why);
		goto out;
	}
	if (!well_formed)
		fuzz_die("reply with signature '%s' accepted", sig ? sig : "(none)");
	if (!bytes->truncated &&
	    (bytes->n < 4 || bytes->n - 4 != reply.data_len ||
	     reply.netfn != bytes->v[0] || reply.lun != bytes->v[1] ||
	     reply.cmd != bytes->v[2] || reply.cc != bytes->v[3] ||
	     (reply.data_len > 0 && memcmp(reply.data, bytes->v + 4, reply.data_len) != 0)))
		fuzz_die("decoded %zu data bytes that differ from the %zu bytes appended",
		    reply.data_len, bytes->n);
out:
	sd_bus_message_unref(m);
	free(bytes);
	return 0;
}
