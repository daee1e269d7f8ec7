// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target: kcs-uiod's command line (daemon/options.c).
 *
 * The input is the argument list, NUL-separated (argv[0] is added), each
 * argument in its own allocation so a read past its end is caught. The
 * parser must never crash or leak, and:
 *  - it returns OPTIONS_RUN, OPTIONS_DONE or -EINVAL and nothing else;
 *  - -EINVAL comes with exactly one line of printable ASCII on stderr,
 *    "kcs-uiod: ..." (what was given is quoted with \xNN escapes);
 *    OPTIONS_RUN and OPTIONS_DONE with nothing on stderr;
 *  - a configuration it accepts is consistent: 1..OPTIONS_MAX_DEVICES
 *    distinct devices of one kind, each with its channels, a chip,
 *    1..OPTIONS_MAX_CHANNELS channels in all that the chip has, each valid
 *    for it (kcs_chip_validate), unique
 *    numbers and names, names that make a D-Bus name and path, LPC I/O
 *    ports that are not 0 and not shared (between channels, or data and
 *    status of one), every number within its documented range, a --bus
 *    that common/bus_open.c accepts.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "fuzz_input.h"
#include "bus_open.h"
#include "dbus_names.h"
#include "kcs_sm.h"
#include "options.h"

#define MAX_ARGS 64

/* Whether two channels claim a common LPC I/O port. */
static bool ports_overlap(const struct kcs_channel_config *a, const struct kcs_channel_config *b)
{
	uint32_t pa[2], pb[2];

	if (!a->set_data_addr || !b->set_data_addr)
		return false;
	pa[0] = a->data_addr;
	pa[1] = a->set_status_addr ? a->status_addr : a->data_addr + 1;
	pb[0] = b->data_addr;
	pb[1] = b->set_status_addr ? b->status_addr : b->data_addr + 1;
	return pa[0] == pb[0] || pa[0] == pb[1] || pa[1] == pb[0] || pa[1] == pb[1];
}

static void check_config(const struct options *o)
{
	char why[256], buf[CHANNEL_OBJECT_PATH_MAX + CHANNEL_BUS_NAME_MAX];

	if (o->n_devices < 1 || o->n_devices > OPTIONS_MAX_DEVICES)
		fuzz_die("accepted %u devices", o->n_devices);
	for (unsigned int i = 0; i < o->n_devices; i++) {
		const struct device_spec *d = &o->devices[i];
		unsigned int n = 0;

		if (d->kind != o->devices[0].kind)
			fuzz_die("accepted two kinds of device");
		if (!d->path || !d->path[0])
			fuzz_die("accepted an empty device");
		for (unsigned int j = 0; j < i; j++)
			if (strcmp(o->devices[j].path, d->path) == 0)
				fuzz_die("accepted device '%s' twice", d->path);
		for (unsigned int j = 0; j < o->n_channels; j++)
			n += o->channels[j].device == i;
		if (n == 0 || n != d->n_channels)
			fuzz_die("device '%s' with %u channels (counted %u)", d->path, n, d->n_channels);
	}
	if (o->poll_budget_us > OPTIONS_POLL_BUDGET_MAX_US)
		fuzz_die("accepted poll budget %u", o->poll_budget_us);
	if (o->idle_poll_ms < 1 || o->idle_poll_ms > OPTIONS_IDLE_POLL_MAX_MS)
		fuzz_die("accepted idle poll %u", o->idle_poll_ms);
	if (!o->chip)
		fuzz_die("accepted without a chip");
	if (o->n_channels < 1 || o->n_channels > OPTIONS_MAX_CHANNELS ||
	    o->n_channels > o->chip->nr_channels)
		fuzz_die("accepted %u channels on %s", o->n_channels, o->chip->name);
	for (unsigned int i = 0; i < o->n_channels; i++) {
		const struct channel_spec *s = &o->channels[i];

		if (kcs_chip_validate(o->chip, &s->cfg, why, sizeof(why)) < 0)
			fuzz_die("accepted channel '%s' that the chip refuses: %s", s->arg, why);
		if (!channel_name_valid(s->name))
			fuzz_die("accepted channel name '%s'", s->name);
		if (channel_bus_name(s, buf, sizeof(buf)) < 0 || channel_object_path(s, buf, sizeof(buf)) < 0)
			fuzz_die("channel name '%s' makes no bus name or path", s->name);
		if (s->cfg.set_data_addr && (s->cfg.data_addr == 0 ||
					     (s->cfg.set_status_addr && s->cfg.status_addr == 0)))
			fuzz_die("accepted I/O port 0 in '%s'", s->arg);
		for (unsigned int j = 0; j < i; j++) {
			if (o->channels[j].cfg.channel == s->cfg.channel ||
			    strcmp(o->channels[j].name, s->name) == 0)
				fuzz_die("accepted channels '%s' and '%s' twice", o->channels[j].arg, s->arg);
			if (ports_overlap(&o->channels[j].cfg, &s->cfg))
				fuzz_die("accepted channels '%s' and '%s' on one I/O port", o->channels[j].arg, s->arg);
		}
		if (s->cfg.set_data_addr && s->cfg.set_status_addr && s->cfg.status_addr == s->cfg.data_addr)
			fuzz_die("accepted status port = data port in '%s'", s->arg);
	}
	if (o->buffer_size < KCS_BUF_MIN || o->buffer_size > KCS_BUF_MAX)
		fuzz_die("accepted buffer size %u", o->buffer_size);
	if (o->timeout_ms < 1 || o->timeout_ms > OPTIONS_TIMEOUT_MAX_MS)
		fuzz_die("accepted timeout %u", o->timeout_ms);
	if (o->log_level < LOG_ERR || o->log_level > LOG_DEBUG)
		fuzz_die("accepted log level %d", o->log_level);
	if (!o->bus || bus_spec_check(o->bus, why, sizeof(why)) < 0)
		fuzz_die("accepted --bus '%s'", o->bus ? o->bus : "(none)");
	if (!o->uio_sysfs || !o->uio_dev)
		fuzz_die("no UIO directories");
}

/* One line of printable ASCII: whatever was given is quoted escaped. */
static bool one_safe_line(const char *s, size_t len)
{
	if (len == 0 || s[len - 1] != '\n')
		return false;
	for (size_t i = 0; i + 1 < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 2] = { NULL };
	char *out_buf = NULL, *err_buf = NULL;
	size_t out_len = 0, err_len = 0;
	FILE *out, *err;
	struct options o;
	int argc = 0, r;

	argv[argc++] = strdup("kcs-uiod");
	for (size_t start = 0; start <= size && argc <= MAX_ARGS; ) {
		const uint8_t *nul = memchr(data + start, '\0', size - start);
		size_t len = nul ? (size_t)(nul - (data + start)) : size - start;

		argv[argc++] = strndup((const char *)data + start, len);
		start += len + 1;
	}
	out = open_memstream(&out_buf, &out_len);
	err = open_memstream(&err_buf, &err_len);
	if (!out || !err)
		fuzz_die("open_memstream: %s", strerror(errno));

	r = options_parse(&o, argc, argv, out, err);
	fclose(out);
	fclose(err);

	switch (r) {
	case OPTIONS_RUN:
		check_config(&o);
		/* fall through */
	case OPTIONS_DONE:
		if (err_len != 0)
			fuzz_die("returned %d with a complaint: %s", r, err_buf);
		break;
	case -EINVAL:
		if (!one_safe_line(err_buf, err_len) || strncmp(err_buf, "kcs-uiod: ", 10) != 0)
			fuzz_die("refusal is not one printable 'kcs-uiod: ' line: '%s'", err_buf);
		break;
	default:
		fuzz_die("options_parse returned %d", r);
	}

	free(out_buf);
	free(err_buf);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
