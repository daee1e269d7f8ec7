// SPDX-License-Identifier: Apache-2.0
#include "execute_reply.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dbus_names.h"

#define WRAPPED "(" IPMI_HOST_EXECUTE_OUT ")"
#define EXPECTED "expected '" IPMI_HOST_EXECUTE_OUT "' or '" WRAPPED "'"

static int read_fields(sd_bus_message *m, bool wrapped, struct execute_reply *ret)
{
	const void *data = NULL;
	size_t data_len = 0;
	int r;

	if (wrapped) {
		r = sd_bus_message_enter_container(m, SD_BUS_TYPE_STRUCT, IPMI_HOST_EXECUTE_OUT);
		if (r < 0)
			return r;
	}
	r = sd_bus_message_read(m, "yyyy", &ret->netfn, &ret->lun, &ret->cmd, &ret->cc);
	if (r < 0)
		return r;
	r = sd_bus_message_read_array(m, 'y', &data, &data_len);
	if (r < 0)
		return r;
	if (wrapped) {
		r = sd_bus_message_exit_container(m);
		if (r < 0)
			return r;
	}
	ret->data = data;
	ret->data_len = data_len;
	return 0;
}

int execute_reply_decode(sd_bus_message *m, struct execute_reply *ret, char *why, size_t why_len)
{
	struct execute_reply reply = { 0 };
	const char *sig;
	bool wrapped;
	uint8_t type = 0;
	int r;

	r = sd_bus_message_get_type(m, &type);
	if (r < 0 || type != SD_BUS_MESSAGE_METHOD_RETURN) {
		snprintf(why, why_len, "malformed reply: not a method return (message type %u)", type);
		return -EBADMSG;
	}
	sig = sd_bus_message_get_signature(m, true);
	if (sig && strcmp(sig, IPMI_HOST_EXECUTE_OUT) == 0) {
		wrapped = false;
	} else if (sig && strcmp(sig, WRAPPED) == 0) {
		wrapped = true;
	} else {
		/* A D-Bus signature is printable ASCII: safe to quote (at most 255 characters). */
		snprintf(why, why_len, "malformed reply: signature '%s', " EXPECTED, sig ? sig : "");
		return -EBADMSG;
	}

	r = sd_bus_message_rewind(m, true);
	if (r >= 0)
		r = read_fields(m, wrapped, &reply);
	if (r < 0) {
		snprintf(why, why_len, "malformed reply: cannot read signature '%s': %s", sig, strerror(-r));
		return r;
	}
	*ret = reply;
	return 0;
}
