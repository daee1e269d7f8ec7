/* SPDX-License-Identifier: Apache-2.0 */
/* IPMI completion codes (IPMI v2.0 table 5-2) that this project names. */
#pragma once

#include <stdint.h>

#define IPMI_CC_OK                 0x00u
#define IPMI_CC_NODE_BUSY          0xC0u
#define IPMI_CC_INVALID_COMMAND    0xC1u
#define IPMI_CC_TIMEOUT            0xC3u
#define IPMI_CC_OUT_OF_SPACE       0xC4u
#define IPMI_CC_REQ_DATA_LEN       0xC7u
#define IPMI_CC_RESP_TOO_LONG      0xCAu  /* cannot return number of requested data bytes */
#define IPMI_CC_NOT_PRESENT        0xCBu
#define IPMI_CC_INVALID_FIELD      0xCCu
#define IPMI_CC_RESPONSE_UNAVAILABLE 0xCEu  /* command response could not be provided */
#define IPMI_CC_DEST_UNAVAILABLE   0xD3u
#define IPMI_CC_NOT_SUPPORTED_STATE 0xD5u
#define IPMI_CC_UNSPECIFIED        0xFFu

/* A short English meaning for @cc, never NULL. */
const char *ipmi_cc_name(uint8_t cc);
