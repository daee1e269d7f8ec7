// SPDX-License-Identifier: Apache-2.0
#include "ipmi_cc.h"

const char *ipmi_cc_name(uint8_t cc)
{
	switch (cc) {
	case 0x00: return "command completed normally";
	case 0xC0: return "node busy";
	case 0xC1: return "invalid command";
	case 0xC2: return "command invalid for given LUN";
	case 0xC3: return "timeout while processing command";
	case 0xC4: return "out of space";
	case 0xC5: return "reservation canceled or invalid";
	case 0xC6: return "request data truncated";
	case 0xC7: return "request data length invalid";
	case 0xC8: return "request data field length limit exceeded";
	case 0xC9: return "parameter out of range";
	case 0xCA: return "cannot return number of requested data bytes";
	case 0xCB: return "requested sensor, data, or record not present";
	case 0xCC: return "invalid data field in request";
	case 0xCD: return "command illegal for specified sensor or record type";
	case 0xCE: return "command response could not be provided";
	case 0xCF: return "cannot execute duplicated request";
	case 0xD0: return "SDR repository in update mode";
	case 0xD1: return "device in firmware update mode";
	case 0xD2: return "BMC initialization in progress";
	case 0xD3: return "destination unavailable";
	case 0xD4: return "insufficient privilege level";
	case 0xD5: return "command not supported in present state";
	case 0xD6: return "command sub-function disabled or unavailable";
	case 0xFF: return "unspecified error";
	default:
		if (cc >= 0x01 && cc <= 0x7E)
			return "device specific (OEM) completion code";
		if (cc >= 0x80 && cc <= 0xBE)
			return "command specific completion code";
		return "reserved completion code";
	}
}
