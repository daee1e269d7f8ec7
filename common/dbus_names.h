/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The D-Bus contract (docs/design.md section 5), named once for the daemon,
 * the development tools and the tests: the IPMI service kcs-uiod calls, and
 * the per-channel objects it serves (kcsbridged's names, plus this
 * project's counters interface).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Upstream: the IPMI service every complete request goes to. */
#define IPMI_HOST_SERVICE     "xyz.openbmc_project.Ipmi.Host"
#define IPMI_HOST_PATH        "/xyz/openbmc_project/Ipmi"
#define IPMI_HOST_INTERFACE   "xyz.openbmc_project.Ipmi.Server"
#define IPMI_HOST_EXECUTE     "execute"
#define IPMI_HOST_EXECUTE_IN  "yyyaya{sv}"  /* netfn, lun, cmd, data, options */
#define IPMI_HOST_EXECUTE_OUT "yyyyay"      /* netfn, lun, cmd, cc, data */

/* Served per channel NAME: PREFIX + NAME for both the bus name and the object. */
#define CHANNEL_BUS_NAME_PREFIX    "xyz.openbmc_project.Ipmi.Channel."
#define CHANNEL_OBJECT_PATH_PREFIX "/xyz/openbmc_project/Ipmi/Channel/"

/*
 * The NAME of a channel becomes a D-Bus name element and an object path
 * element: 1..CHANNEL_NAME_MAX characters of A-Z a-z 0-9 _, the first not
 * a digit.
 */
#define CHANNEL_NAME_MAX 64u

/* Which part of the rule a NAME breaks, for a precise message. */
enum channel_name_fault {
	CHANNEL_NAME_OK,
	CHANNEL_NAME_EMPTY,
	CHANNEL_NAME_TOO_LONG,
	CHANNEL_NAME_BAD_CHAR,     /* the first such character at *@bad */
	CHANNEL_NAME_DIGIT_FIRST,
};

/* @name of @len bytes (need not be terminated); @bad may be NULL. */
enum channel_name_fault channel_name_check(const char *name, size_t len, size_t *bad);

/* Whether the string @name is a channel NAME. */
bool channel_name_valid(const char *name);

/* The SMS methods, as kcsbridged serves them: no arguments, empty reply. */
#define CHANNEL_SMS_INTERFACE       "xyz.openbmc_project.Ipmi.Channel.SMS"
#define CHANNEL_SMS_SET_ATTENTION   "setAttention"
#define CHANNEL_SMS_CLEAR_ATTENTION "clearAttention"
#define CHANNEL_SMS_FORCE_ABORT     "forceAbort"
/* The error every failed SMS method returns. */
#define CHANNEL_SMS_ERROR           "xyz.openbmc_project.Common.Error.InternalFailure"

/* This project's read-only properties: channel, chip, phase, counters. */
#define CHANNEL_COUNTERS_INTERFACE  "org.kcs_uio.Channel1"
