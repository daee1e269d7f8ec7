/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The framing of OpenIPMI's "VM" serial codec, the byte stream ipmi_sim
 * speaks on a `serial 15 ADDR PORT codec VM` line (lanserv/README.vm).
 *
 * A frame is a run of bytes closed by an end byte: VM_MSG_END closes an
 * IPMI message, VM_CMD_END a control command. VM_MSG_END, VM_CMD_END and
 * VM_ESCAPE inside a frame travel as VM_ESCAPE followed by the byte with
 * bit 4 set. An IPMI message is
 *	seq, netfn << 2 | lun, cmd, [cc,] data..., checksum
 * (cc only in responses), the checksum making the sum of all its bytes
 * zero modulo 256. A control command is an id byte and its arguments.
 *
 * No I/O here: the bridge feeds received bytes to the decoder and writes
 * what the encoders produce. Functions return 0/a count or a negative errno.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VM_MSG_END 0xA0u
#define VM_CMD_END 0xA1u
#define VM_ESCAPE  0xAAu
#define VM_ESCAPE_BIT 0x10u

#define VM_PROTOCOL_VERSION 1u

/* Control command ids. From ipmi_sim: attention, power and irq requests. */
#define VM_CMD_NOATTN       0x00u
#define VM_CMD_ATTN         0x01u
#define VM_CMD_ATTN_IRQ     0x02u
#define VM_CMD_POWEROFF     0x03u
#define VM_CMD_RESET        0x04u  /* both ways: "reset the target" / "target was reset" */
#define VM_CMD_ENABLE_IRQ   0x05u
#define VM_CMD_DISABLE_IRQ  0x06u
#define VM_CMD_SEND_NMI     0x07u
#define VM_CMD_CAPABILITIES 0x08u  /* to ipmi_sim: one byte of VM_CAP_* */
#define VM_CMD_FORCEOFF     0x09u
#define VM_CMD_VERSION      0xFFu  /* both ways: one byte, the protocol version */

#define VM_CAP_POWER 0x01u
#define VM_CAP_RESET 0x02u
#define VM_CAP_IRQ   0x04u
#define VM_CAP_NMI   0x08u
#define VM_CAP_ATTN  0x10u

/*
 * The largest unescaped frame the decoder keeps: a response with the
 * largest data ipmi_sim produces (255 bytes) plus seq, netfn, cmd, cc and
 * checksum, with room to spare. Longer frames are dropped whole.
 */
#define VM_FRAME_MAX 1024u

/* Worst case encoded size of a message with @len data bytes. */
#define VM_MSG_ENCODED_MAX(len) (2u * ((len) + 4u) + 1u)

/* The byte that makes the sum of @p[0..n) plus it zero modulo 256. */
uint8_t vm_checksum(const uint8_t *p, size_t n);

/*
 * Encode a request: seq, netfn << 2 | lun, cmd, data, checksum, VM_MSG_END.
 * Returns the encoded length, -EINVAL for netfn > 0x3f or lun > 3,
 * -ENOBUFS when @out_size is too small.
 */
ssize_t vm_encode_msg(uint8_t seq, uint8_t netfn, uint8_t lun, uint8_t cmd,
		      const uint8_t *data, size_t len,
		      uint8_t *out, size_t out_size);

/* Encode a control command (@len >= 1 bytes, id first) and VM_CMD_END. */
ssize_t vm_encode_cmd(const uint8_t *cmd, size_t len,
		      uint8_t *out, size_t out_size);

enum vm_frame_kind {
	VM_FRAME_MSG,
	VM_FRAME_CMD,
};

struct vm_frame {
	enum vm_frame_kind kind;
	const uint8_t *bytes;  /* unescaped; a message's checksum removed */
	size_t len;
};

struct vm_decoder {
	uint8_t buf[VM_FRAME_MAX];
	size_t len;
	bool escape;
	bool overflow;
};

void vm_decoder_init(struct vm_decoder *d);

/*
 * Consume bytes from @in up to and including the end of the next frame;
 * *@consumed says how many. Returns 1 with *@frame filled (valid until the
 * next call) when a frame ended, 0 when all of @in was consumed without
 * ending one (the partial frame is kept for the next call), or a negative
 * errno when a frame ended but was dropped: -EMSGSIZE longer than
 * VM_FRAME_MAX, -EILSEQ ended inside an escape, -EBADMSG a message shorter
 * than seq/netfn/cmd/checksum or with a wrong checksum. Empty frames (end
 * bytes back to back) are skipped silently. Call again with the rest.
 */
int vm_decoder_feed(struct vm_decoder *d, const uint8_t *in, size_t n,
		    size_t *consumed, struct vm_frame *frame);

struct vm_response {
	uint8_t seq;
	uint8_t netfn;
	uint8_t lun;
	uint8_t cmd;
	uint8_t cc;
	const uint8_t *data;
	size_t len;
};

/* Split a decoded message frame into a response; -EBADMSG without a cc. */
int vm_parse_response(const struct vm_frame *frame, struct vm_response *r);
