/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kcs-uiod's command line. Parsing is pure (no device, no bus): it only
 * fills struct options, prints --help/--version to @out and a one-line
 * complaint to @err, so the unit tests can check every message.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "dbus_names.h"
#include "kcs_burst.h"
#include "kcs_chip.h"

/* The channels of all devices together: one controller's at most. */
#define OPTIONS_MAX_CHANNELS KCS_CHIP_MAX_CHANNELS
/* One UIO node per channel at most (AST2600), or one simulated device each. */
#define OPTIONS_MAX_DEVICES  OPTIONS_MAX_CHANNELS

#define OPTIONS_TIMEOUT_DEFAULT_MS 4000u
#define OPTIONS_TIMEOUT_MAX_MS     60000u
/* --poll-budget: burst polling window budget, microseconds (0: off). */
#define OPTIONS_POLL_BUDGET_DEFAULT_US (KCS_BURST_BUDGET_DEFAULT_NS / 1000u)
#define OPTIONS_POLL_BUDGET_MAX_US     (KCS_BURST_BUDGET_MAX_NS / 1000u)
/* --idle-poll: STR poll interval of a polled-mode device, milliseconds. */
#define OPTIONS_IDLE_POLL_DEFAULT_MS   10u
#define OPTIONS_IDLE_POLL_MAX_MS       1000u

struct channel_spec {
	struct kcs_channel_config cfg;
	char name[CHANNEL_NAME_MAX + 1];
	const char *arg;           /* the SPEC as given (points into argv), for messages */
	unsigned int device;       /* index into options.devices */
};

enum device_kind {
	DEVICE_UIO,                /* --uio NAME|/dev/uioN */
	DEVICE_SIM,                /* --sim DIR */
};

/* One --uio or --sim, with the --channel and --polled that follow it. */
struct device_spec {
	enum device_kind kind;
	const char *path;          /* as given (points into argv) */
	bool polled;               /* --polled: poll even if the node has an interrupt */
	unsigned int n_channels;
};

struct options {
	struct device_spec devices[OPTIONS_MAX_DEVICES];
	unsigned int n_devices;
	const struct kcs_chip *chip;
	struct channel_spec channels[OPTIONS_MAX_CHANNELS];  /* of all devices */
	unsigned int n_channels;
	unsigned int poll_budget_us;  /* burst polling budget, 0: off */
	unsigned int idle_poll_ms;    /* polled mode's STR poll interval */
	unsigned int buffer_size;  /* bytes, KCS_BUF_MIN..KCS_BUF_MAX */
	unsigned int timeout_ms;   /* upstream execute timeout */
	const char *bus;           /* --bus: common/bus_open.h's forms */
	int log_level;             /* LOG_ERR..LOG_DEBUG */
	const char *uio_sysfs;
	const char *uio_dev;
};

/* What the caller does after options_parse(). */
enum {
	OPTIONS_RUN = 0,           /* serve */
	OPTIONS_DONE = 1,          /* --help or --version was printed: exit 0 */
};

/*
 * Parse @argv into @o (strings point into @argv). Returns OPTIONS_RUN,
 * OPTIONS_DONE, or -EINVAL after printing one line naming the bad option
 * to @err (the caller exits with status 2).
 */
int options_parse(struct options *o, int argc, char *argv[], FILE *out, FILE *err);

/* One --channel SPEC (CH:NAME[,key=value]...), not yet checked against the chip. */
int channel_spec_parse(struct channel_spec *ret, const char *spec, FILE *err);

/* D-Bus well-known name and object path of a channel. */
int channel_bus_name(const struct channel_spec *spec, char *buf, size_t len);
int channel_object_path(const struct channel_spec *spec, char *buf, size_t len);

#define CHANNEL_BUS_NAME_MAX    (sizeof(CHANNEL_BUS_NAME_PREFIX) + CHANNEL_NAME_MAX)
#define CHANNEL_OBJECT_PATH_MAX (sizeof(CHANNEL_OBJECT_PATH_PREFIX) + CHANNEL_NAME_MAX)
