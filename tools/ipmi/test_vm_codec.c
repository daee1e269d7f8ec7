// SPDX-License-Identifier: Apache-2.0
/* Unit tests for the VM serial framing (vm_codec.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vm_codec.h"

/* Feed all of @in, expecting exactly one frame at its very end. */
static int feed_one(struct vm_decoder *d, const uint8_t *in, size_t n, struct vm_frame *f)
{
	size_t used = 0;
	int r = vm_decoder_feed(d, in, n, &used, f);

	assert_int_equal(used, n);
	return r;
}

static void test_checksum(void **state)
{
	const uint8_t get_device_id[] = { 0x07, 0x18, 0x01 };
	const uint8_t zero_sum[] = { 0x80, 0x80 };
	uint8_t all[4];

	assert_int_equal(vm_checksum(NULL, 0), 0x00);
	assert_int_equal(vm_checksum(zero_sum, sizeof(zero_sum)), 0x00);
	assert_int_equal(vm_checksum(get_device_id, sizeof(get_device_id)), 0xe0);

	/* appending the checksum makes the whole sum zero */
	memcpy(all, get_device_id, 3);
	all[3] = vm_checksum(get_device_id, 3);
	assert_int_equal(vm_checksum(all, sizeof(all)), 0x00);
}

static void test_encode_request(void **state)
{
	const uint8_t want[] = { 0x07, 0x18, 0x01, 0xe0, VM_MSG_END };
	uint8_t out[32];

	assert_int_equal(vm_encode_msg(0x07, 0x06, 0, 0x01, NULL, 0, out, sizeof(out)),
			 sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

static void test_encode_escapes(void **state)
{
	const uint8_t data[] = { 0xa0, 0x11, 0xa1, 0xaa, 0xb0 };
	/* seq 0x02, netfn 0x30 lun 0 -> 0xc0, cmd 0x01; the checksum is 0x91 */
	const uint8_t want[] = {
		0x02, 0xc0, 0x01,
		0xaa, 0xb0, 0x11, 0xaa, 0xb1, 0xaa, 0xba, 0xb0,
		0x91, VM_MSG_END,
	};
	uint8_t out[64];

	assert_int_equal(vm_encode_msg(0x02, 0x30, 0, 0x01, data, sizeof(data), out, sizeof(out)),
			 sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

static void test_encode_escapes_checksum_and_header(void **state)
{
	/* seq 0xaa must be escaped; checksum -(0xaa + 0x18 + 0x01 + 0x1d) = 0x20 */
	const uint8_t data[] = { 0x1d };
	const uint8_t want[] = { 0xaa, 0xba, 0x18, 0x01, 0x1d, 0x20, VM_MSG_END };
	/* a checksum equal to 0xa0 is escaped too: -(0x00+0x18+0x48) = 0xa0 */
	const uint8_t want2[] = { 0x00, 0x18, 0x48, 0xaa, 0xb0, VM_MSG_END };
	uint8_t out[32];

	assert_int_equal(vm_encode_msg(0xaa, 0x06, 0, 0x01, data, 1, out, sizeof(out)),
			 sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(vm_encode_msg(0x00, 0x06, 0, 0x48, NULL, 0, out, sizeof(out)),
			 sizeof(want2));
	assert_memory_equal(out, want2, sizeof(want2));
}

static void test_encode_limits(void **state)
{
	const uint8_t data[] = { 0xa0, 0xa0 };
	const uint8_t cmd[] = { VM_CMD_CAPABILITIES, 0x00 };
	uint8_t out[8];

	assert_int_equal(vm_encode_msg(0, 0x40, 0, 1, NULL, 0, out, sizeof(out)), -EINVAL);
	assert_int_equal(vm_encode_msg(0, 0x06, 4, 1, NULL, 0, out, sizeof(out)), -EINVAL);
	/* 3 header + 4 escaped data + checksum + end = 9 > 8 */
	assert_int_equal(vm_encode_msg(0, 0x06, 0, 1, data, sizeof(data), out, sizeof(out)),
			 -ENOBUFS);
	assert_int_equal(vm_encode_msg(0, 0x06, 0, 1, NULL, 0, out, 4), -ENOBUFS);
	assert_int_equal(vm_encode_cmd(cmd, 0, out, sizeof(out)), -EINVAL);
	assert_int_equal(vm_encode_cmd(cmd, sizeof(cmd), out, 2), -ENOBUFS);
}

static void test_encode_cmd(void **state)
{
	const uint8_t version[] = { VM_CMD_VERSION, VM_PROTOCOL_VERSION };
	const uint8_t want[] = { 0xff, 0x01, VM_CMD_END };
	const uint8_t odd[] = { 0xa1 };
	const uint8_t want_odd[] = { 0xaa, 0xb1, VM_CMD_END };
	uint8_t out[8];

	assert_int_equal(vm_encode_cmd(version, sizeof(version), out, sizeof(out)), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(vm_encode_cmd(odd, 1, out, sizeof(out)), sizeof(want_odd));
	assert_memory_equal(out, want_odd, sizeof(want_odd));
}

/* A Get Device ID answer as ipmi_sim 2.0.33 sent it. */
static const uint8_t sim_device_id[] = {
	0x07, 0x1c, 0x01, 0x00, 0x00, 0x03, 0x09, 0x08, 0x02, 0x9f,
	0x91, 0x12, 0x00, 0x02, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x73, VM_MSG_END,
};

static void test_decode_response(void **state)
{
	struct vm_decoder d;
	struct vm_frame f;
	struct vm_response r;

	vm_decoder_init(&d);
	assert_int_equal(feed_one(&d, sim_device_id, sizeof(sim_device_id), &f), 1);
	assert_int_equal(f.kind, VM_FRAME_MSG);
	assert_int_equal(f.len, sizeof(sim_device_id) - 2);  /* no checksum, no end */

	assert_int_equal(vm_parse_response(&f, &r), 0);
	assert_int_equal(r.seq, 0x07);
	assert_int_equal(r.netfn, 0x07);
	assert_int_equal(r.lun, 0);
	assert_int_equal(r.cmd, 0x01);
	assert_int_equal(r.cc, 0x00);
	assert_int_equal(r.len, 15);
	assert_memory_equal(r.data, sim_device_id + 4, 15);
}

static void test_decode_split_reads(void **state)
{
	struct vm_decoder d;
	struct vm_frame f;
	size_t used;

	vm_decoder_init(&d);
	/* one byte per read: no frame until the end byte */
	for (size_t i = 0; i + 1 < sizeof(sim_device_id); i++) {
		assert_int_equal(vm_decoder_feed(&d, sim_device_id + i, 1, &used, &f), 0);
		assert_int_equal(used, 1);
	}
	assert_int_equal(feed_one(&d, sim_device_id + sizeof(sim_device_id) - 1, 1, &f), 1);
	assert_int_equal(f.len, sizeof(sim_device_id) - 2);
	assert_memory_equal(f.bytes, sim_device_id, f.len);
}

static void test_decode_split_escape(void **state)
{
	/* the escape byte and the byte it escapes arrive in different reads */
	uint8_t data[] = { 0xa0, 0xaa, 0xa1 };
	uint8_t enc[32];
	ssize_t n = vm_encode_msg(0x05, 0x30, 1, 0x01, data, sizeof(data), enc, sizeof(enc));
	struct vm_decoder d;
	struct vm_frame f;
	struct vm_response r;
	size_t used;

	assert_true(n > 4);
	assert_int_equal(enc[3], VM_ESCAPE);
	vm_decoder_init(&d);
	assert_int_equal(vm_decoder_feed(&d, enc, 4, &used, &f), 0);
	assert_int_equal(feed_one(&d, enc + 4, (size_t)n - 4, &f), 1);

	/* a request decodes like a response whose first data byte is the "cc" */
	assert_int_equal(vm_parse_response(&f, &r), 0);
	assert_int_equal(r.seq, 0x05);
	assert_int_equal(r.netfn, 0x30);
	assert_int_equal(r.lun, 1);
	assert_int_equal(r.cc, 0xa0);
	assert_int_equal(r.len, 2);
	assert_int_equal(r.data[0], 0xaa);
	assert_int_equal(r.data[1], 0xa1);
}

static void test_decode_several_frames_one_read(void **state)
{
	uint8_t buf[64];
	size_t n = 0, pos = 0, used;
	struct vm_decoder d;
	struct vm_frame f;

	/* VERSION and NOATTN commands, as ipmi_sim sends on connect, then a message */
	const uint8_t hello[] = { 0xff, 0x01, VM_CMD_END, 0x00, VM_CMD_END };

	memcpy(buf, hello, sizeof(hello));
	n = sizeof(hello);
	memcpy(buf + n, sim_device_id, sizeof(sim_device_id));
	n += sizeof(sim_device_id);

	vm_decoder_init(&d);
	assert_int_equal(vm_decoder_feed(&d, buf, n, &used, &f), 1);
	assert_int_equal(used, 3);
	assert_int_equal(f.kind, VM_FRAME_CMD);
	assert_int_equal(f.len, 2);
	assert_int_equal(f.bytes[0], VM_CMD_VERSION);
	assert_int_equal(f.bytes[1], 1);
	pos += used;

	assert_int_equal(vm_decoder_feed(&d, buf + pos, n - pos, &used, &f), 1);
	assert_int_equal(f.kind, VM_FRAME_CMD);
	assert_int_equal(f.len, 1);
	assert_int_equal(f.bytes[0], VM_CMD_NOATTN);
	pos += used;

	assert_int_equal(vm_decoder_feed(&d, buf + pos, n - pos, &used, &f), 1);
	assert_int_equal(f.kind, VM_FRAME_MSG);
	pos += used;
	assert_int_equal(pos, n);
}

static void test_decode_bad_checksum(void **state)
{
	uint8_t bad[sizeof(sim_device_id)];
	struct vm_decoder d;
	struct vm_frame f;

	memcpy(bad, sim_device_id, sizeof(bad));
	bad[5] ^= 0x01;
	vm_decoder_init(&d);
	assert_int_equal(feed_one(&d, bad, sizeof(bad), &f), -EBADMSG);
	/* the decoder is clean for the next frame */
	assert_int_equal(feed_one(&d, sim_device_id, sizeof(sim_device_id), &f), 1);
	assert_int_equal(f.len, sizeof(sim_device_id) - 2);
}

static void test_decode_short_message(void **state)
{
	/* seq, netfn, checksum: no cmd; the sum is zero but it is too short */
	const uint8_t shortmsg[] = { 0x01, 0x1c, 0xe3, VM_MSG_END };
	struct vm_decoder d;
	struct vm_frame f;
	struct vm_frame nocc = { VM_FRAME_MSG, shortmsg, 3 };
	struct vm_response r;

	vm_decoder_init(&d);
	assert_int_equal(feed_one(&d, shortmsg, sizeof(shortmsg), &f), -EBADMSG);
	assert_int_equal(vm_parse_response(&nocc, &r), -EBADMSG);
}

static void test_decode_empty_frames_skipped(void **state)
{
	const uint8_t empties[] = { VM_MSG_END, VM_CMD_END, VM_MSG_END };
	struct vm_decoder d;
	struct vm_frame f;

	vm_decoder_init(&d);
	assert_int_equal(feed_one(&d, empties, sizeof(empties), &f), 0);
}

static void test_decode_ends_in_escape(void **state)
{
	const uint8_t broken[] = { 0x01, 0x02, VM_ESCAPE, VM_MSG_END };
	struct vm_decoder d;
	struct vm_frame f;

	vm_decoder_init(&d);
	assert_int_equal(feed_one(&d, broken, sizeof(broken), &f), -EILSEQ);
	assert_int_equal(feed_one(&d, sim_device_id, sizeof(sim_device_id), &f), 1);
}

static void test_decode_overflow(void **state)
{
	static uint8_t big[VM_FRAME_MAX + 10];
	struct vm_decoder d;
	struct vm_frame f;

	memset(big, 0x11, sizeof(big));
	big[sizeof(big) - 1] = VM_MSG_END;
	vm_decoder_init(&d);
	assert_int_equal(feed_one(&d, big, sizeof(big), &f), -EMSGSIZE);
	assert_int_equal(feed_one(&d, sim_device_id, sizeof(sim_device_id), &f), 1);
}

static void test_round_trip_all_bytes(void **state)
{
	uint8_t data[256], enc[VM_MSG_ENCODED_MAX(256)];
	struct vm_decoder d;
	struct vm_frame f;
	ssize_t n;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	n = vm_encode_msg(0xa1, 0x3f, 3, 0xaa, data, sizeof(data), enc, sizeof(enc));
	assert_true(n > 0);
	/* an end byte appears only at the end */
	for (ssize_t i = 0; i + 1 < n; i++)
		assert_true(enc[i] != VM_MSG_END && enc[i] != VM_CMD_END);

	vm_decoder_init(&d);
	assert_int_equal(feed_one(&d, enc, (size_t)n, &f), 1);
	assert_int_equal(f.len, 3 + sizeof(data));
	assert_int_equal(f.bytes[0], 0xa1);
	assert_int_equal(f.bytes[1], 0x3f << 2 | 3);
	assert_int_equal(f.bytes[2], 0xaa);
	assert_memory_equal(f.bytes + 3, data, sizeof(data));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_encode_request),
		cmocka_unit_test(test_encode_escapes),
		cmocka_unit_test(test_encode_escapes_checksum_and_header),
		cmocka_unit_test(test_encode_limits),
		cmocka_unit_test(test_encode_cmd),
		cmocka_unit_test(test_decode_response),
		cmocka_unit_test(test_decode_split_reads),
		cmocka_unit_test(test_decode_split_escape),
		cmocka_unit_test(test_decode_several_frames_one_read),
		cmocka_unit_test(test_decode_bad_checksum),
		cmocka_unit_test(test_decode_short_message),
		cmocka_unit_test(test_decode_empty_frames_skipped),
		cmocka_unit_test(test_decode_ends_in_escape),
		cmocka_unit_test(test_decode_overflow),
		cmocka_unit_test(test_round_trip_all_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
