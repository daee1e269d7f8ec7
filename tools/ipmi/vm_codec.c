// SPDX-License-Identifier: Apache-2.0
#include "vm_codec.h"

#include <errno.h>
#include <string.h>

uint8_t vm_checksum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += p[i];
	return (uint8_t)-sum;
}

static bool vm_is_special(uint8_t b)
{
	return b == VM_MSG_END || b == VM_CMD_END || b == VM_ESCAPE;
}

/* Append @b escaped; false when it does not fit. */
static bool vm_put(uint8_t b, uint8_t *out, size_t out_size, size_t *pos)
{
	size_t need = vm_is_special(b) ? 2 : 1;

	if (out_size - *pos < need)
		return false;
	if (need == 2) {
		out[(*pos)++] = VM_ESCAPE;
		b |= VM_ESCAPE_BIT;
	}
	out[(*pos)++] = b;
	return true;
}

static bool vm_put_all(const uint8_t *p, size_t n,
		       uint8_t *out, size_t out_size, size_t *pos)
{
	for (size_t i = 0; i < n; i++)
		if (!vm_put(p[i], out, out_size, pos))
			return false;
	return true;
}

static bool vm_put_end(uint8_t end, uint8_t *out, size_t out_size, size_t *pos)
{
	if (*pos >= out_size)
		return false;
	out[(*pos)++] = end;
	return true;
}

ssize_t vm_encode_msg(uint8_t seq, uint8_t netfn, uint8_t lun, uint8_t cmd,
		      const uint8_t *data, size_t len,
		      uint8_t *out, size_t out_size)
{
	uint8_t head[3];
	uint8_t sum;
	size_t pos = 0;

	if (netfn > 0x3f || lun > 3)
		return -EINVAL;

	head[0] = seq;
	head[1] = (uint8_t)(netfn << 2 | lun);
	head[2] = cmd;
	/* The checksum of head + data is the checksum of their two sums. */
	sum = (uint8_t)(vm_checksum(head, sizeof(head)) + vm_checksum(data, len));

	if (!vm_put_all(head, sizeof(head), out, out_size, &pos) ||
	    !vm_put_all(data, len, out, out_size, &pos) ||
	    !vm_put(sum, out, out_size, &pos) ||
	    !vm_put_end(VM_MSG_END, out, out_size, &pos))
		return -ENOBUFS;
	return (ssize_t)pos;
}

ssize_t vm_encode_cmd(const uint8_t *cmd, size_t len,
		      uint8_t *out, size_t out_size)
{
	size_t pos = 0;

	if (len == 0)
		return -EINVAL;
	if (!vm_put_all(cmd, len, out, out_size, &pos) ||
	    !vm_put_end(VM_CMD_END, out, out_size, &pos))
		return -ENOBUFS;
	return (ssize_t)pos;
}

void vm_decoder_init(struct vm_decoder *d)
{
	memset(d, 0, sizeof(*d));
}

/* A frame ended with @end: judge it and reset the decoder for the next. */
static int vm_frame_end(struct vm_decoder *d, uint8_t end, struct vm_frame *frame)
{
	bool escape = d->escape, overflow = d->overflow;
	size_t len = d->len;

	d->len = 0;
	d->escape = false;
	d->overflow = false;

	if (overflow)
		return -EMSGSIZE;
	if (escape)
		return -EILSEQ;
	if (len == 0)
		return 0;

	if (end == VM_CMD_END) {
		*frame = (struct vm_frame){ VM_FRAME_CMD, d->buf, len };
		return 1;
	}
	/* seq, netfn/lun, cmd, checksum at least; the checksum covers all */
	if (len < 4 || vm_checksum(d->buf, len) != 0)
		return -EBADMSG;
	*frame = (struct vm_frame){ VM_FRAME_MSG, d->buf, len - 1 };
	return 1;
}

int vm_decoder_feed(struct vm_decoder *d, const uint8_t *in, size_t n,
		    size_t *consumed, struct vm_frame *frame)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t b = in[i];
		int r;

		switch (b) {
		case VM_MSG_END:
		case VM_CMD_END:
			r = vm_frame_end(d, b, frame);
			if (r != 0) {
				*consumed = i + 1;
				return r;
			}
			break;
		case VM_ESCAPE:
			d->escape = true;
			break;
		default:
			if (d->escape) {
				b &= (uint8_t)~VM_ESCAPE_BIT;
				d->escape = false;
			}
			if (d->len >= sizeof(d->buf))
				d->overflow = true;
			else
				d->buf[d->len++] = b;
			break;
		}
	}
	*consumed = n;
	return 0;
}

int vm_parse_response(const struct vm_frame *frame, struct vm_response *r)
{
	const uint8_t *b = frame->bytes;

	if (frame->kind != VM_FRAME_MSG || frame->len < 4)
		return -EBADMSG;

	*r = (struct vm_response){
		.seq = b[0],
		.netfn = b[1] >> 2,
		.lun = b[1] & 3,
		.cmd = b[2],
		.cc = b[3],
		.data = b + 4,
		.len = frame->len - 4,
	};
	return 0;
}
