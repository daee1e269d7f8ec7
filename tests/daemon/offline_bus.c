// SPDX-License-Identifier: Apache-2.0
#include "offline_bus.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

int offline_bus_new(sd_bus **ret)
{
	sd_bus *bus = NULL;
	int sv[2], r;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
		return -errno;
	r = sd_bus_new(&bus);
	if (r < 0)
		goto fail_fds;
	/* Input and output on the two ends: the bus owns and closes both. */
	r = sd_bus_set_fd(bus, sv[0], sv[1]);
	if (r < 0)
		goto fail_fds;
	r = sd_bus_start(bus);
	if (r < 0) {
		sd_bus_unref(bus);
		return r;
	}
	*ret = bus;
	return 0;

fail_fds:
	sd_bus_unref(bus);
	close(sv[0]);
	close(sv[1]);
	return r;
}

int offline_reply_new(sd_bus *bus, sd_bus_message **ret)
{
	return sd_bus_message_new(bus, ret, SD_BUS_MESSAGE_METHOD_RETURN);
}

int offline_seal(sd_bus_message *m)
{
	static uint64_t cookie;
	int r;

	r = sd_bus_message_seal(m, ++cookie, 0);
	if (r < 0)
		return r;
	r = sd_bus_message_rewind(m, true);
	return r < 0 ? r : 0;
}
