// SPDX-License-Identifier: Apache-2.0
/*
 * kcs-uiod's command line. Every complaint is one line that names the
 * option and quotes the value, because the line ends up in a journal far
 * away from the unit file that caused it.
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "bus_open.h"
#include "cleanup.h"
#include "config.h"
#include "kcs_sm.h"
#include "log.h"

#define PROG "kcs-uiod"
#define SPEC_SYNTAX "CH:NAME[,addr=IO][,status=IO][,serirq=N[:low|high|edge]]"

enum {
	ARG_UIO_SYSFS = 0x100,
	ARG_UIO_DEV,
	ARG_POLLED,
	ARG_POLL_BUDGET,
	ARG_IDLE_POLL,
};

/* A --channel before any --uio/--sim: it belongs to the first device. */
#define DEVICE_PENDING UINT_MAX

static const struct option long_options[] = {
	{ "uio",         required_argument, NULL, 'u' },
	{ "sim",         required_argument, NULL, 's' },
	{ "chip",        required_argument, NULL, 'c' },
	{ "channel",     required_argument, NULL, 'C' },
	{ "buffer-size", required_argument, NULL, 'b' },
	{ "timeout",     required_argument, NULL, 't' },
	{ "bus",         required_argument, NULL, 'B' },
	{ "log-level",   required_argument, NULL, 'l' },
	{ "uio-sysfs",   required_argument, NULL, ARG_UIO_SYSFS },
	{ "uio-dev",     required_argument, NULL, ARG_UIO_DEV },
	{ "polled",      no_argument,       NULL, ARG_POLLED },
	{ "poll-budget", required_argument, NULL, ARG_POLL_BUDGET },
	{ "idle-poll",   required_argument, NULL, ARG_IDLE_POLL },
	{ "help",        no_argument,       NULL, 'h' },
	{ "version",     no_argument,       NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* Only the options with a short form have one: -b -t -B -l -h -V. */
static const char short_options[] = ":b:t:B:l:hV";

static void print_help(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " --chip CHIP (--uio NAME|/dev/uioN | --sim DIR) [--polled] --channel SPEC\n"
		"                [--channel SPEC...] [(--uio ...|--sim ...) --channel SPEC...] [OPTIONS]\n"
		"\n"
		"Serve the BMC side of IPMI KCS channels from userspace and forward each\n"
		"request to the IPMI service on D-Bus (xyz.openbmc_project.Ipmi.Host).\n"
		"One process serves one LPC controller: every device of it, each followed\n"
		"by its channels.\n"
		"\n"
		"Device:\n"
		"      --uio NAME|/dev/uioN  UIO device: its linux,uio-name or its node\n"
		"      --sim DIR             simulated device (DIR/regs, DIR/irq), created if missing\n"
		"      --polled              poll the device before it even if it has an interrupt\n"
		"                            (a node without one is always polled)\n"
		"      --chip CHIP           %s\n"
		"      --channel SPEC        " SPEC_SYNTAX "\n"
		"                            e.g. 3:ipmi_kcs3,addr=0xca2; NAME becomes the D-Bus\n"
		"                            name xyz.openbmc_project.Ipmi.Channel.NAME\n"
		"Polling:\n"
		"      --poll-budget USEC    burst polling: keep reading STR up to this long\n"
		"                            after a byte, 0..%u, 0 off (default %u)\n"
		"      --idle-poll MSEC      polled devices: STR read every MSEC when idle,\n"
		"                            1..%u (default %u)\n"
		"Service:\n"
		"  -b, --buffer-size BYTES   largest request/response, %u..%u (default %u)\n"
		"  -t, --timeout MS          upstream execute timeout, 1..%u (default %u)\n"
		"  -B, --bus BUS             system (default), session, or a D-Bus address\n"
		"  -l, --log-level LEVEL     err, warning, notice, info (default), debug\n"
		"Tests:\n"
		"      --uio-sysfs DIR       UIO class directory (default /sys/class/uio)\n"
		"      --uio-dev DIR         device node directory (default /dev)\n"
		"\n"
		"  -h, --help                show this help\n"
		"  -V, --version             show the version\n",
		kcs_chip_names(),
		OPTIONS_POLL_BUDGET_MAX_US, OPTIONS_POLL_BUDGET_DEFAULT_US,
		OPTIONS_IDLE_POLL_MAX_MS, OPTIONS_IDLE_POLL_DEFAULT_MS,
		KCS_BUF_MIN, KCS_BUF_MAX, KCS_BUF_DEFAULT,
		OPTIONS_TIMEOUT_MAX_MS, OPTIONS_TIMEOUT_DEFAULT_MS);
}

/*
 * The complaint quotes what was given, which may hold anything: every byte
 * outside printable ASCII is written as \xNN, so the message stays one line
 * and never ends in half a UTF-8 character.
 */
__attribute__((format(printf, 2, 3)))
static int usage_error(FILE *err, const char *fmt, ...)
{
	char line[1024], safe[sizeof(line) * 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(err, PROG ": %s\n", escape_printable(safe, sizeof(safe), line));
	return -EINVAL;
}

/* A whole-string unsigned number: no sign, no blanks, no trailing junk. */
static int parse_unsigned(const char *s, int base, unsigned long max, unsigned long *ret)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno == ERANGE || v > max)
		return -ERANGE;
	if (errno != 0 || *end != '\0')
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_serirq(const char *value, struct kcs_channel_config *cfg,
			const char *spec, FILE *err)
{
	const char *colon = strchr(value, ':');
	size_t len = colon ? (size_t)(colon - value) : strlen(value);
	char num[16] = "";
	unsigned long n;

	if (len < sizeof(num))
		memcpy(num, value, len);
	if (len == 0 || len >= sizeof(num) || parse_unsigned(num, 10, UINT_MAX, &n) < 0)
		return usage_error(err, "--channel '%s': serirq '%.*s' is not a number",
				   spec, (int)len, value);
	if (n == 0)
		return usage_error(err, "--channel '%s': serirq must be 1..15, not 0", spec);
	cfg->serirq = (unsigned int)n;
	cfg->serirq_type = KCS_SERIRQ_DEFAULT;
	if (!colon)
		return 0;
	if (strcmp(colon + 1, "low") == 0)
		cfg->serirq_type = KCS_SERIRQ_LEVEL_LOW;
	else if (strcmp(colon + 1, "high") == 0)
		cfg->serirq_type = KCS_SERIRQ_LEVEL_HIGH;
	else if (strcmp(colon + 1, "edge") == 0)
		cfg->serirq_type = KCS_SERIRQ_EDGE_RISING;
	else
		return usage_error(err, "--channel '%s': serirq type '%s' is not low, high or edge",
				   spec, colon + 1);
	return 0;
}

static int parse_io_address(const char *key, const char *value, uint32_t *addr,
			    bool *set, const char *spec, FILE *err)
{
	unsigned long v;
	int r;

	if (*set)
		return usage_error(err, "--channel '%s': %s= given twice", spec, key);
	r = parse_unsigned(value, 0, UINT32_MAX, &v);
	if (r < 0)
		return usage_error(err, "--channel '%s': %s '%s' is not an I/O address (e.g. 0xca2)",
				   spec, key, value);
	if (v == 0)
		return usage_error(err, "--channel '%s': %s 0 is not a usable I/O address", spec, key);
	*addr = (uint32_t)v;
	*set = true;
	return 0;
}

/* One "key=value" of a SPEC; @item is a writable copy. */
static int parse_spec_item(char *item, struct kcs_channel_config *cfg, bool *have_serirq,
			   const char *spec, FILE *err)
{
	char *value = strchr(item, '=');

	if (!value || value == item)
		return usage_error(err, "--channel '%s': '%s' is not KEY=VALUE (expected " SPEC_SYNTAX ")",
				   spec, item);
	*value++ = '\0';

	if (strcmp(item, "addr") == 0)
		return parse_io_address("addr", value, &cfg->data_addr, &cfg->set_data_addr, spec, err);
	if (strcmp(item, "status") == 0)
		return parse_io_address("status", value, &cfg->status_addr, &cfg->set_status_addr,
					spec, err);
	if (strcmp(item, "serirq") == 0) {
		if (*have_serirq)
			return usage_error(err, "--channel '%s': serirq= given twice", spec);
		*have_serirq = true;
		return parse_serirq(value, cfg, spec, err);
	}
	return usage_error(err, "--channel '%s': unknown key '%s' (expected addr=, status= or serirq=)",
			   spec, item);
}

static int parse_spec_name(const char *name, size_t len, char out[static CHANNEL_NAME_MAX + 1],
			   const char *spec, FILE *err)
{
	size_t bad = 0;

	switch (channel_name_check(name, len, &bad)) {
	case CHANNEL_NAME_OK:
		break;
	case CHANNEL_NAME_EMPTY:
		return usage_error(err, "--channel '%s': missing NAME (expected " SPEC_SYNTAX ")", spec);
	case CHANNEL_NAME_TOO_LONG:
		return usage_error(err, "--channel '%s': NAME is longer than %u characters",
				   spec, CHANNEL_NAME_MAX);
	case CHANNEL_NAME_BAD_CHAR:
		return usage_error(err, "--channel '%s': NAME may hold only A-Z a-z 0-9 _ (it becomes a D-Bus name and object path element), not '%c'",
				   spec, name[bad]);
	case CHANNEL_NAME_DIGIT_FIRST:
		return usage_error(err, "--channel '%s': NAME must not start with a digit (it becomes a D-Bus name element)",
				   spec);
	}
	memcpy(out, name, len);
	out[len] = '\0';
	return 0;
}

int channel_spec_parse(struct channel_spec *ret, const char *spec, FILE *err)
{
	_cleanup_free_ char *copy = NULL;
	struct channel_spec s;
	bool have_serirq = false;
	char *colon, *name, *rest;
	unsigned long ch;
	int r;

	memset(&s, 0, sizeof(s));
	copy = strdup(spec);
	if (!copy)
		return usage_error(err, "--channel '%s': out of memory", spec);

	colon = strchr(copy, ':');
	if (!colon)
		return usage_error(err, "--channel '%s': missing ':' (expected " SPEC_SYNTAX ")", spec);
	*colon = '\0';
	if (copy[0] == '\0')
		return usage_error(err, "--channel '%s': missing CH (expected " SPEC_SYNTAX ")", spec);
	if (parse_unsigned(copy, 10, UINT_MAX, &ch) < 0)
		return usage_error(err, "--channel '%s': channel '%s' is not a number", spec, copy);
	s.cfg.channel = (unsigned int)ch;

	name = colon + 1;
	rest = strchr(name, ',');
	r = parse_spec_name(name, rest ? (size_t)(rest - name) : strlen(name), s.name, spec, err);
	if (r < 0)
		return r;

	while (rest) {
		char *item = rest + 1;

		rest = strchr(item, ',');
		if (rest)
			*rest = '\0';
		r = parse_spec_item(item, &s.cfg, &have_serirq, spec, err);
		if (r < 0)
			return r;
	}
	*ret = s;
	return 0;
}

static int add_device(struct options *o, enum device_kind kind, const char *opt,
		      const char *path, FILE *err)
{
	if (path[0] == '\0')
		return usage_error(err, kind == DEVICE_UIO ?
				   "--uio '': expected a UIO name or a /dev/uioN path" :
				   "--sim '': expected a directory");
	for (unsigned int i = 0; i < o->n_devices; i++)
		if (o->devices[i].kind == kind && strcmp(o->devices[i].path, path) == 0)
			return usage_error(err, "%s '%s' is given twice", opt, path);
	if (o->n_devices >= OPTIONS_MAX_DEVICES)
		return usage_error(err, "%s '%s': too many devices (at most %u)", opt, path,
				   OPTIONS_MAX_DEVICES);
	o->devices[o->n_devices++] = (struct device_spec){ .kind = kind, .path = path };
	return 0;
}

static const char *device_option(const struct device_spec *d)
{
	return d->kind == DEVICE_UIO ? "--uio" : "--sim";
}

static int add_channel(struct options *o, const char *spec, FILE *err)
{
	struct channel_spec s;
	int r;

	r = channel_spec_parse(&s, spec, err);
	if (r < 0)
		return r;
	for (unsigned int i = 0; i < o->n_channels; i++) {
		if (o->channels[i].cfg.channel == s.cfg.channel)
			return usage_error(err, "--channel '%s': channel %u is given twice",
					   spec, s.cfg.channel);
		if (strcmp(o->channels[i].name, s.name) == 0)
			return usage_error(err, "--channel '%s': NAME '%s' is given twice",
					   spec, s.name);
	}
	if (o->n_channels >= OPTIONS_MAX_CHANNELS)
		return usage_error(err, "--channel '%s': too many channels (at most %u)",
				   spec, OPTIONS_MAX_CHANNELS);
	s.arg = spec;
	s.device = o->n_devices ? o->n_devices - 1 : DEVICE_PENDING;
	o->channels[o->n_channels++] = s;
	return 0;
}

static int parse_bus(struct options *o, const char *arg, FILE *err)
{
	char why[256];

	if (bus_spec_check(arg, why, sizeof(why)) < 0)
		return usage_error(err, "--bus '%s': %s", arg, why);
	o->bus = arg;
	return 0;
}

/* Name the option getopt stumbled on, as the user spelled it (long or short). */
static const char *offending_option(int argc, char *argv[], char *buf, size_t len)
{
	const char *arg = optind > 0 && optind - 1 < argc ? argv[optind - 1] : "";

	if (strncmp(arg, "--", 2) == 0) {
		const char *eq = strchr(arg, '=');

		snprintf(buf, len, "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
	} else if (optopt > 0 && optopt < 0x80) {
		snprintf(buf, len, "-%c", optopt);
	} else {
		snprintf(buf, len, "%s", arg);
	}
	return buf;
}

/* "--help=1": a known long option given a value it does not take. */
static bool takes_no_argument(const char *name)
{
	if (strncmp(name, "--", 2) != 0)
		return false;
	for (const struct option *l = long_options; l->name; l++)
		if (strcmp(l->name, name + 2) == 0)
			return l->has_arg == no_argument;
	return false;
}

/*
 * The LPC I/O ports a channel claims, when addr= sets them: data, and status
 * (data+1 unless status= says otherwise). Without addr= the ports stay what
 * firmware set, which the command line cannot know.
 */
static unsigned int channel_ports(const struct kcs_channel_config *cfg, uint32_t ports[static 2])
{
	if (!cfg->set_data_addr)
		return 0;
	ports[0] = cfg->data_addr;
	ports[1] = cfg->set_status_addr ? cfg->status_addr : cfg->data_addr + 1;
	return 2;
}

/* Two channels on one port would both answer the host's cycles. */
static int check_ports(const struct options *o, FILE *err)
{
	for (unsigned int i = 0; i < o->n_channels; i++) {
		const struct channel_spec *s = &o->channels[i];
		uint32_t mine[2];
		unsigned int n = channel_ports(&s->cfg, mine);

		if (n == 2 && mine[0] == mine[1])
			return usage_error(err, "--channel '%s': the status port 0x%x is the data port",
					   s->arg, (unsigned)mine[1]);
		for (unsigned int j = 0; j < i; j++) {
			uint32_t theirs[2];
			unsigned int m = channel_ports(&o->channels[j].cfg, theirs);

			for (unsigned int a = 0; a < n; a++)
				for (unsigned int b = 0; b < m; b++)
					if (mine[a] == theirs[b])
						return usage_error(err, "--channel '%s': I/O port 0x%x is also a port of --channel '%s'",
								   s->arg, (unsigned)mine[a], o->channels[j].arg);
		}
	}
	return 0;
}

static int check_complete(struct options *o, FILE *err)
{
	char why[256];

	for (unsigned int i = 1; i < o->n_devices; i++)
		if (o->devices[i].kind != o->devices[0].kind)
			return usage_error(err, "--uio and --sim exclude each other: one kind of device per process");
	if (o->n_devices == 0)
		return usage_error(err, "missing device: give --uio NAME|/dev/uioN or --sim DIR");
	if (!o->chip)
		return usage_error(err, "missing --chip (one of %s)", kcs_chip_names());
	if (o->n_channels == 0)
		return usage_error(err, "missing --channel " SPEC_SYNTAX);
	for (unsigned int i = 0; i < o->n_channels; i++) {
		struct channel_spec *s = &o->channels[i];

		if (s->device == DEVICE_PENDING)
			s->device = 0;
		o->devices[s->device].n_channels++;
	}
	for (unsigned int i = 0; i < o->n_devices; i++)
		if (o->devices[i].n_channels == 0)
			return usage_error(err, "%s '%s': no --channel follows it (each device is followed by its channels)",
					   device_option(&o->devices[i]), o->devices[i].path);
	for (unsigned int i = 0; i < o->n_channels; i++) {
		const struct channel_spec *s = &o->channels[i];

		if (kcs_chip_validate(o->chip, &s->cfg, why, sizeof(why)) < 0)
			return usage_error(err, "--channel '%s': %s", s->arg, why);
	}
	return check_ports(o, err);
}

/*
 * Options that take one value take it once: a second one is a mistake (two
 * settings files merged, a typo), not an override. --channel, --uio and
 * --sim repeat by design: each --uio or --sim starts a device of its own.
 */
static int check_given_once(const char *first[], int c, FILE *err)
{
	for (size_t i = 0; long_options[i].name; i++) {
		const struct option *l = &long_options[i];

		if (l->val != c || l->has_arg != required_argument || c == 'C' || c == 'u' || c == 's')
			continue;
		if (first[i])
			return usage_error(err, "--%s '%s': given twice (first '%s'); give it once",
					   l->name, optarg, first[i]);
		first[i] = optarg;
	}
	return 0;
}

int options_parse(struct options *o, int argc, char *argv[], FILE *out, FILE *err)
{
	const char *first[sizeof(long_options) / sizeof(long_options[0])] = { NULL };
	char optname[64];
	unsigned long v;
	int c, r;

	*o = (struct options) {
		.buffer_size = KCS_BUF_DEFAULT,
		.timeout_ms = OPTIONS_TIMEOUT_DEFAULT_MS,
		.bus = "system",
		.log_level = LOG_INFO,
		.uio_sysfs = "/sys/class/uio",
		.uio_dev = "/dev",
		.poll_budget_us = OPTIONS_POLL_BUDGET_DEFAULT_US,
		.idle_poll_ms = OPTIONS_IDLE_POLL_DEFAULT_MS,
	};

	/* Full re-initialisation, so the parser can run more than once (tests). */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, short_options, long_options, NULL)) >= 0) {
		r = check_given_once(first, c, err);
		if (r < 0)
			return r;
		switch (c) {
		case 'u':
		case 's':
			r = add_device(o, c == 'u' ? DEVICE_UIO : DEVICE_SIM, c == 'u' ? "--uio" : "--sim",
				       optarg, err);
			if (r < 0)
				return r;
			break;
		case ARG_POLLED:
			if (o->n_devices == 0)
				return usage_error(err, "--polled applies to the --uio or --sim before it: give the device first");
			o->devices[o->n_devices - 1].polled = true;
			break;
		case ARG_POLL_BUDGET:
			if (parse_unsigned(optarg, 10, OPTIONS_POLL_BUDGET_MAX_US, &v) < 0)
				return usage_error(err, "--poll-budget '%s': expected microseconds in 0..%u (0 turns burst polling off)",
						   optarg, OPTIONS_POLL_BUDGET_MAX_US);
			o->poll_budget_us = (unsigned int)v;
			break;
		case ARG_IDLE_POLL:
			if (parse_unsigned(optarg, 10, OPTIONS_IDLE_POLL_MAX_MS, &v) < 0 || v < 1)
				return usage_error(err, "--idle-poll '%s': expected milliseconds in 1..%u",
						   optarg, OPTIONS_IDLE_POLL_MAX_MS);
			o->idle_poll_ms = (unsigned int)v;
			break;
		case 'c':
			o->chip = kcs_chip_find(optarg);
			if (!o->chip)
				return usage_error(err, "--chip '%s': unknown chip (one of %s)",
						   optarg, kcs_chip_names());
			break;
		case 'C':
			r = add_channel(o, optarg, err);
			if (r < 0)
				return r;
			break;
		case 'b':
			if (parse_unsigned(optarg, 10, KCS_BUF_MAX, &v) < 0 || v < KCS_BUF_MIN)
				return usage_error(err, "--buffer-size '%s': expected a number of bytes in %u..%u",
						   optarg, KCS_BUF_MIN, KCS_BUF_MAX);
			o->buffer_size = (unsigned int)v;
			break;
		case 't':
			if (parse_unsigned(optarg, 10, OPTIONS_TIMEOUT_MAX_MS, &v) < 0 || v < 1)
				return usage_error(err, "--timeout '%s': expected milliseconds in 1..%u",
						   optarg, OPTIONS_TIMEOUT_MAX_MS);
			o->timeout_ms = (unsigned int)v;
			break;
		case 'B':
			r = parse_bus(o, optarg, err);
			if (r < 0)
				return r;
			break;
		case 'l':
			r = log_level_from_string(optarg);
			if (r < 0)
				return usage_error(err, "--log-level '%s': expected err, warning, notice, info or debug",
						   optarg);
			o->log_level = r;
			break;
		case ARG_UIO_SYSFS:
			o->uio_sysfs = optarg;
			break;
		case ARG_UIO_DEV:
			o->uio_dev = optarg;
			break;
		case 'h':
			print_help(out);
			return OPTIONS_DONE;
		case 'V':
			fprintf(out, PROG " " KCS_UIO_VERSION "\n");
			return OPTIONS_DONE;
		case ':':
			return usage_error(err, "option '%s' needs an argument",
					   offending_option(argc, argv, optname, sizeof(optname)));
		case '?':
		default:
			offending_option(argc, argv, optname, sizeof(optname));
			if (takes_no_argument(optname))
				return usage_error(err, "option '%s' takes no argument", optname);
			return usage_error(err, "unknown option '%s' (see --help)", optname);
		}
	}
	if (optind < argc)
		return usage_error(err, "unexpected argument '%s' (see --help)", argv[optind]);
	return check_complete(o, err);
}

/* @prefix followed by the channel's NAME. */
static int channel_name_with(const char *prefix, const struct channel_spec *spec, char *buf,
			     size_t len)
{
	int n = snprintf(buf, len, "%s%s", prefix, spec->name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int channel_bus_name(const struct channel_spec *spec, char *buf, size_t len)
{
	return channel_name_with(CHANNEL_BUS_NAME_PREFIX, spec, buf, len);
}

int channel_object_path(const struct channel_spec *spec, char *buf, size_t len)
{
	return channel_name_with(CHANNEL_OBJECT_PATH_PREFIX, spec, buf, len);
}
