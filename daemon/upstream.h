/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The upstream connection: a bus connection of its own, owning no name,
 * that carries only the execute calls to the IPMI service and their
 * replies. Whatever arrives for the channel objects comes in on the other
 * connection, so it can neither delay nor reorder this traffic.
 *
 * It follows who owns xyz.openbmc_project.Ipmi.Host (GetNameOwner at
 * start-up, NameOwnerChanged from the bus after that) and sends each call
 * to that owner's unique name. A reply is handed to its call only when it
 * comes from that unique name, or from the bus itself (the bus's own
 * errors: nobody owns the name, the callee left without answering, the
 * policy refused the call). Anything else that claims to answer a call in
 * flight is reported to the call and dropped: the host only ever gets the
 * IPMI service's answer.
 *
 * Replies are caught by a filter, not by sd-bus's reply callbacks: a
 * callback would be consumed by the first message carrying the right reply
 * serial, forged or not, and the real answer then discarded.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <event2/event.h>
#include <systemd/sd-bus.h>

#include "bus_event.h"

/* A unique name is ":" and at most 255 characters in all. */
#define UPSTREAM_NAME_MAX 256

struct upstream;
struct upstream_call;

/*
 * The reply to @c: @m is a method return or error from the callee, or an
 * error from the bus itself (@from_bus). @c is no longer in flight.
 */
typedef void (*upstream_reply_fn)(struct upstream_call *c, sd_bus_message *m, bool from_bus);
/* @sender sent a reply carrying @c's serial: dropped, @c still in flight. */
typedef void (*upstream_foreign_fn)(struct upstream_call *c, const char *sender);

/* One call in flight; embedded in its user. */
struct upstream_call {
	struct upstream_call *next;   /* the upstream's calls in flight */
	uint64_t cookie;              /* its serial; 0: not in flight */
	/* The unique name it went to; "" when nobody owned the name at call time. */
	char callee[UPSTREAM_NAME_MAX];
	upstream_reply_fn reply;
	upstream_foreign_fn foreign;
};

/* Takes a reference on @bus, a connection for upstream traffic only. */
int upstream_new(struct upstream **ret, struct event_base *base, sd_bus *bus,
		 bus_event_failed_fn failed, void *userdata);
/* Forgets the calls in flight and closes the connection. */
void upstream_free(struct upstream *u);

/* An execute call addressed to the service's current owner, to fill in. */
int upstream_new_execute(struct upstream *u, sd_bus_message **ret);
/* Send @m (from upstream_new_execute) as @c; its reply goes to @c->reply. */
int upstream_send(struct upstream *u, struct upstream_call *c, sd_bus_message *m);
/* The answer to @c is no longer wanted: whatever comes for it is dropped. */
void upstream_forget(struct upstream *u, struct upstream_call *c);

/* The unique name owning the IPMI service's name, "" when nobody does. */
const char *upstream_owner(const struct upstream *u);

static inline void upstream_freep(struct upstream **u)
{
	if (*u)
		upstream_free(*u);
}
