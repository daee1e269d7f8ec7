// SPDX-License-Identifier: Apache-2.0
/*
 * The bridge's call handling against a stand-in upstream connection and a
 * libevent whose timer arming can be made to fail (the link wraps both; see
 * meson.build): a request whose timeout cannot be armed is answered at once
 * with the bus-error code and its call taken back, never left to wait.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "capture_stderr.h"
#include "dbus_bridge.h"
#include "ipmi_cc.h"
#include "offline_bus.h"

/* ---- the stand-ins ---- */

static struct {
	sd_bus *bus;                 /* builds the execute messages */
	bool fail_event_add;
	unsigned int sent, forgotten;
} fake;

/* The linker sends the bridge's calls here (--wrap), and __real_ to the originals. */
int __real_event_add(struct event *ev, const struct timeval *tv);
int __wrap_event_add(struct event *ev, const struct timeval *tv);
int __wrap_upstream_new_execute(struct upstream *u, sd_bus_message **ret);
int __wrap_upstream_send(struct upstream *u, struct upstream_call *c, sd_bus_message *m);
void __wrap_upstream_forget(struct upstream *u, struct upstream_call *c);
const char *__wrap_upstream_owner(const struct upstream *u);

int __wrap_event_add(struct event *ev, const struct timeval *tv)
{
	if (fake.fail_event_add)
		return -1;
	return __real_event_add(ev, tv);
}

int __wrap_upstream_new_execute(struct upstream *u, sd_bus_message **ret)
{
	(void)u;
	return sd_bus_message_new_method_call(fake.bus, ret, IPMI_HOST_SERVICE, IPMI_HOST_PATH,
					      IPMI_HOST_INTERFACE, IPMI_HOST_EXECUTE);
}

int __wrap_upstream_send(struct upstream *u, struct upstream_call *c, sd_bus_message *m)
{
	(void)u;
	(void)m;
	fake.sent++;
	c->cookie = fake.sent;
	snprintf(c->callee, sizeof(c->callee), ":1.42");
	return 0;
}

void __wrap_upstream_forget(struct upstream *u, struct upstream_call *c)
{
	(void)u;
	if (c->cookie)
		fake.forgotten++;
	c->cookie = 0;
}

const char *__wrap_upstream_owner(const struct upstream *u)
{
	(void)u;
	return ":1.42";
}

/* ---- the sink: what the state machine would be told ---- */

struct answers {
	unsigned int n;
	uint32_t id;
	uint8_t cc;
};

static int record_answer(void *userdata, uint32_t id, uint8_t cc, const uint8_t *data, size_t len)
{
	struct answers *a = userdata;

	(void)data;
	(void)len;
	a->n++;
	a->id = id;
	a->cc = cc;
	return 0;
}

struct fixture {
	struct event_base *base;
	struct dbus_bridge bridge;
	struct answers answers;
};

static int setup(void **state)
{
	static struct fixture f;
	const struct dbus_bridge_sink sink = { .answer = record_answer, .userdata = &f.answers, .limit = 64 };

	memset(&f, 0, sizeof(f));
	memset(&fake, 0, sizeof(fake));
	assert_int_equal(offline_bus_new(&fake.bus), 0);
	f.base = event_base_new();
	assert_non_null(f.base);
	/* Any non-NULL pointer: the stand-ins never look at it. */
	assert_int_equal(dbus_bridge_init(&f.bridge, (struct upstream *)&fake, f.base, &sink,
					  "ch3 test", 4000), 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	dbus_bridge_done(&f->bridge);
	event_base_free(f->base);
	sd_bus_unref(fake.bus);
	return 0;
}

static const uint8_t get_device_id[] = { 0x06 << 2, 0x01 };

/* The usual case, for contrast: the call is in flight, nobody answered yet. */
static void test_call_in_flight(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(dbus_bridge_execute(&f->bridge, 7, get_device_id, sizeof(get_device_id)), 0);
	assert_int_equal(fake.sent, 1);
	assert_int_not_equal(f->bridge.call.cookie, 0);
	assert_int_equal(f->answers.n, 0);
	assert_int_equal(f->bridge.counters.upstream_bus_errors, 0);
}

static void test_timer_refused(void **state)
{
	struct fixture *f = *state;
	struct stderr_capture cap;
	char *log;
	int r;

	fake.fail_event_add = true;
	capture_stderr_begin(&cap);
	r = dbus_bridge_execute(&f->bridge, 7, get_device_id, sizeof(get_device_id));
	log = capture_stderr_end(&cap);
	fake.fail_event_add = false;

	assert_int_equal(r, -EIO);
	/* Answered at once, with the code of a call the bus did not carry. */
	assert_int_equal(f->answers.n, 1);
	assert_int_equal(f->answers.id, 7);
	assert_int_equal(f->answers.cc, IPMI_CC_DEST_UNAVAILABLE);
	assert_int_equal(f->bridge.counters.upstream_bus_errors, 1);
	/* The call was sent, then taken back: its answer can never reach the host. */
	assert_int_equal(fake.sent, 1);
	assert_int_equal(fake.forgotten, 1);
	assert_int_equal(f->bridge.call.cookie, 0);
	/* One line saying which request, why, and what the host got. */
	assert_non_null(strstr(log, "ch3 test: request netfn 0x06 cmd 0x01 (2 bytes) failed: cannot arm the 4000 ms timeout of the call to :1.42"));
	assert_non_null(strstr(log, "answering 0xD3"));
	assert_null(strchr(strchr(log, '\n') + 1, '\n'));
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_call_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
