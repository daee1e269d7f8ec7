// SPDX-License-Identifier: Apache-2.0
#include "str_decode.h"

#include <stdio.h>

const char *str_state_name(enum kcs_state state)
{
	switch (state) {
	case KCS_STATE_IDLE:  return "IDLE";
	case KCS_STATE_READ:  return "READ";
	case KCS_STATE_WRITE: return "WRITE";
	case KCS_STATE_ERROR: return "ERROR";
	}
	return "?";
}

char *str_describe(uint8_t str, char *buf, size_t len)
{
	snprintf(buf, len, "STR=0x%02x (state %s, IBF %u, OBF %u, C/D %u, SMS_ATN %u%s%s)",
		 str, str_state_name(kcs_str_state(str)),
		 !!(str & KCS_STR_IBF), !!(str & KCS_STR_OBF),
		 !!(str & KCS_STR_CD), !!(str & KCS_STR_SMS_ATN),
		 (str & KCS_STR_OEM1) ? ", OEM1 1" : "",
		 (str & KCS_STR_OEM2) ? ", OEM2 1" : "");
	return buf;
}

const char *kcs_ctrl_name(uint8_t code)
{
	switch (code) {
	case KCS_CTRL_GET_STATUS_ABORT: return "GET_STATUS/ABORT";
	case KCS_CTRL_WRITE_START:      return "WRITE_START";
	case KCS_CTRL_WRITE_END:        return "WRITE_END";
	case KCS_CTRL_READ:             return "READ";
	default:                        return "illegal";
	}
}

const char *kcs_status_code_name(uint8_t code)
{
	switch (code) {
	case KCS_STATUS_NO_ERROR:     return "no error";
	case KCS_STATUS_ABORTED:      return "aborted by command";
	case KCS_STATUS_ILLEGAL_CODE: return "illegal control code";
	case KCS_STATUS_LENGTH_ERROR: return "length error";
	case KCS_STATUS_UNSPECIFIED:  return "unspecified error";
	default:
		if (code >= 0xC0)
			return "OEM error";
		return "reserved status code";
	}
}
