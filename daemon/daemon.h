/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kcs-uiod's event loop: one device (its interrupt fd), its channels, the
 * bus, signals and the service manager, all on one libevent base, in one
 * thread.
 */
#pragma once

#include "options.h"

/*
 * Serve until SIGTERM/SIGINT. 0 after an orderly shutdown; a negative errno
 * (already logged) when start-up or the device or bus failed.
 */
int daemon_run(const struct options *o);
