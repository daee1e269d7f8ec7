// SPDX-License-Identifier: Apache-2.0
#include "bus_open.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "cleanup.h"
#include "log.h"

/* Keys an address element gives, unescaped; unknown keys are ignored, as sd-bus does. */
struct bus_address_keys {
	bool has_path, has_abstract, has_host, has_port, has_machine, has_pid, has_guid;
	size_t path_len, abstract_len;
	const char *family;         /* points into the spec, not terminated */
	size_t family_len;
};

__attribute__((format(printf, 3, 4)))
static int reject(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (why && why_len > 0) {
		va_start(ap, fmt);
		vsnprintf(why, why_len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* The length of VALUE (@len bytes, %XX escapes) once unescaped; -EINVAL on a bad escape. */
static ssize_t unescaped_length(const char *value, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; n++) {
		if (value[i] != '%') {
			i++;
			continue;
		}
		if (len - i < 3 || !isxdigit((unsigned char)value[i + 1]) ||
		    !isxdigit((unsigned char)value[i + 2]))
			return -EINVAL;
		i += 3;
	}
	return (ssize_t)n;
}

static bool key_is(const char *key, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(key, name, len) == 0;
}

/*
 * One "KEY=VALUE" of the element @transport: record what the transport's
 * checks below need; a known key given twice is refused, as sd-bus does.
 */
static int check_key(const char *transport, const char *item, size_t len,
		     struct bus_address_keys *k, char *why, size_t why_len)
{
	const char *eq = memchr(item, '=', len);
	bool unix_socket = strcmp(transport, "unix") == 0;
	bool tcp = strcmp(transport, "tcp") == 0;
	bool machine = strcmp(transport, "x-machine-unix") == 0;
	size_t key_len, value_len;
	size_t *length = NULL;
	bool *seen = NULL;
	const char *value;
	ssize_t n;

	if (!eq || eq == item)
		return reject(why, why_len, "'%.*s' is not KEY=VALUE", (int)len, item);
	key_len = (size_t)(eq - item);
	value = eq + 1;
	value_len = len - key_len - 1;
	n = unescaped_length(value, value_len);
	if (n < 0)
		return reject(why, why_len, "%.*s: bad %%XX escape in '%.*s'", (int)key_len, item,
			      (int)value_len, value);

	if (key_is(item, key_len, "guid")) {
		seen = &k->has_guid;
	} else if ((unix_socket || strcmp(transport, "unixexec") == 0) && key_is(item, key_len, "path")) {
		seen = &k->has_path;
		length = &k->path_len;
	} else if (unix_socket && key_is(item, key_len, "abstract")) {
		seen = &k->has_abstract;
		length = &k->abstract_len;
	} else if (tcp && key_is(item, key_len, "host")) {
		seen = &k->has_host;
	} else if (tcp && key_is(item, key_len, "port")) {
		seen = &k->has_port;
	} else if (tcp && key_is(item, key_len, "family")) {
		k->family = value;
		k->family_len = value_len;
	} else if (machine && key_is(item, key_len, "machine")) {
		seen = &k->has_machine;
	} else if (machine && key_is(item, key_len, "pid")) {
		seen = &k->has_pid;
	}
	if (seen && *seen)
		return reject(why, why_len, "%s: %.*s= given twice", transport, (int)key_len, item);
	if (seen)
		*seen = true;
	if (length)
		*length = (size_t)n;
	return 0;
}

/* Does @transport have what sd-bus needs to connect? */
static int check_required(const char *transport, const struct bus_address_keys *k,
			  char *why, size_t why_len)
{
	const size_t sun_path = sizeof(((struct sockaddr_un *)0)->sun_path);

	if (strcmp(transport, "unix") == 0) {
		if (k->has_path == k->has_abstract)
			return reject(why, why_len, "unix: give exactly one of path= and abstract=");
		/* Both need a terminating NUL in sun_path; abstract also its leading one. */
		if (k->has_path && (k->path_len == 0 || k->path_len >= sun_path))
			return reject(why, why_len, "unix: socket path of %zu bytes, must be 1..%zu",
				      k->path_len, sun_path - 1);
		if (k->has_abstract && k->abstract_len >= sun_path - 1)
			return reject(why, why_len, "unix: abstract socket name of %zu bytes, must be at most %zu",
				      k->abstract_len, sun_path - 2);
	} else if (strcmp(transport, "tcp") == 0) {
		if (!k->has_host || !k->has_port)
			return reject(why, why_len, "tcp: needs host= and port=");
		if (k->family && !(k->family_len == 4 && (memcmp(k->family, "ipv4", 4) == 0 ||
							   memcmp(k->family, "ipv6", 4) == 0)))
			return reject(why, why_len, "tcp: family must be ipv4 or ipv6");
	} else if (strcmp(transport, "unixexec") == 0) {
		if (!k->has_path || k->path_len == 0)
			return reject(why, why_len, "unixexec: needs path=");
	} else if (k->has_machine == k->has_pid) {
		return reject(why, why_len, "x-machine-unix: give exactly one of machine= and pid=");
	}
	return 0;
}

/* One element of the address list, @len bytes. */
static int check_address(const char *a, size_t len, char *why, size_t why_len)
{
	static const char *const transports[] = { "unix", "tcp", "unixexec", "x-machine-unix" };
	struct bus_address_keys k = { 0 };
	const char *colon = memchr(a, ':', len);
	const char *transport = NULL;
	const char *p, *end = a + len;
	int r;

	for (size_t i = 0; colon && i < sizeof(transports) / sizeof(transports[0]); i++)
		if (key_is(a, (size_t)(colon - a), transports[i]))
			transport = transports[i];
	if (!transport)
		return reject(why, why_len, "unknown transport '%.*s' (expected unix, tcp, unixexec or x-machine-unix)",
			      colon ? (int)(colon - a) : (int)len, a);
	for (p = colon + 1; p < end; ) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t item_len = comma ? (size_t)(comma - p) : (size_t)(end - p);

		r = check_key(transport, p, item_len, &k, why, why_len);
		if (r < 0)
			return r;
		p += item_len + 1;
	}
	return check_required(transport, &k, why, why_len);
}

int bus_spec_check(const char *spec, char *why, size_t why_len)
{
	bool any = false;
	int r;

	if (strcmp(spec, "system") == 0 || strcmp(spec, "session") == 0)
		return 0;
	if (!strchr(spec, ':'))
		return reject(why, why_len, "expected system, session or a D-Bus address (e.g. unix:path=/run/dbus/system_bus_socket)");
	for (const char *a = spec; *a; ) {
		size_t len = strcspn(a, ";");

		if (len > 0) {
			r = check_address(a, len, why, why_len);
			if (r < 0)
				return r;
			any = true;
		}
		a += len + (a[len] == ';');
	}
	if (!any)
		return reject(why, why_len, "no address between the ';'");
	return 0;
}

static int bus_open_address(const char *address, const char *description, sd_bus **ret)
{
	_cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
	int r;

	r = sd_bus_new(&bus);
	if (r < 0)
		return log_error_errno(r, "Failed to allocate a bus connection: %m");
	(void)sd_bus_set_description(bus, description);
	r = sd_bus_set_address(bus, address);
	if (r < 0)
		return log_error_errno(r, "--bus '%s': not a valid D-Bus address: %m", address);
	r = sd_bus_set_bus_client(bus, true);
	if (r < 0)
		return log_error_errno(r, "Failed to set up the bus connection: %m");
	r = sd_bus_start(bus);
	if (r < 0)
		return log_error_errno(r, "Failed to connect to the bus at %s: %m", address);
	*ret = TAKE_PTR(bus);
	return 0;
}

int bus_open(const char *spec, const char *description, sd_bus **ret)
{
	int r;

	if (strcmp(spec, "system") == 0) {
		r = sd_bus_open_system_with_description(ret, description);
		if (r < 0)
			return log_error_errno(r, "Failed to connect to the system bus: %m");
		return 0;
	}
	if (strcmp(spec, "session") == 0) {
		r = sd_bus_open_user_with_description(ret, description);
		if (r < 0)
			return log_error_errno(r, "Failed to connect to the session bus: %m");
		return 0;
	}
	return bus_open_address(spec, description, ret);
}
