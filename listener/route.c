/*
 * Copyright (c) 2026 The imd Authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */


/*
 * Record-Route, and the requests inside a call's dialog (RFC 3261
 * 16.4, 16.6, 16.12).  An INVITE we fork carries our Record-Route: one
 * ";lr" URI when both legs use the same address and transport, else
 * two, the callee's leg on top (16.6 step 4, "double record-routing"),
 * so each side's route set starts with the address it reaches us on.
 * A request inside the dialog names us in its Route: our values are
 * taken off and the request goes to the other side of the dialog the
 * way that side's leg reached us (calls.c), never by a location
 * lookup; a request that matches no call of ours is no relay's
 * business: 481, or 403 when its Route would send it past us.  A side
 * reached over a connection (a browser's WebSocket flow, RFC 5626)
 * that has closed is gone for good: its requests get 480 and the call
 * leaves the table.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "call.h"
#include "cdefs.h"
#include "listener.h"
#include "log.h"
#include "request.h"
#include "tx_client.h"

#define ROUTE_FORWARD_TIME	40	/* s: Timer F and some */
#define ROUTE_GROWTH		1024	/* our Via, a lower Max-Forwards */

/* Does this URI (a Route value's or a Request-URI) name us? */
int
route_names_us(const struct sip_str *uri)
{
	struct sip_uri	 u;
	char		 want[IMD_DOMAIN_MAX + 8], host[IMD_DOMAIN_MAX];
	uint16_t	 port;

	if (sip_uri_parse(uri->s, SIP_STR_END(uri), &u) == -1 ||
	    (u.uri_scheme != SIP_SCHEME_SIP && u.uri_scheme != SIP_SCHEME_SIPS)
	    || u.uri_host.len >= sizeof(host))
		return (0);
	memcpy(host, u.uri_host.s, u.uri_host.len);
	host[u.uri_host.len] = '\0';
	if (u.uri_host_type == SIP_HOST_NAME)
		return (config_find_domain(listener_conf, host) != NULL);
	port = u.uri_port;
	if (port == 0)
		port = u.uri_scheme == SIP_SCHEME_SIPS ||
		    sip_str_is_ci(&u.uri_transport, "tls") ? 5061 : 5060;
	snprintf(want, sizeof(want), "%s:%u", host, port);
	return (transport_is_ours(want));
}

/* How many Route values on top name us (0 when the first does not). */
int
route_ours(const struct sip_msg *msg)
{
	struct sip_iter	it;
	struct sip_str	v;
	struct sip_addr	a;
	int		n = 0;

	sip_iter_init(&it, msg, SIP_HDR_ROUTE);
	while (sip_iter_next(&it, &v) == 1 && n < 8) {
		if (sip_addr_parse(v.s, SIP_STR_END(&v), &a) == -1 ||
		    !route_names_us(&a.addr_uri_str))
			break;
		n++;
	}
	return (n);
}

/* Is there a Route past ours, which would send the request on? */
static int
route_beyond_us(const struct sip_msg *msg)
{
	struct sip_iter	it;
	struct sip_str	v;
	int		n = 0, ours = route_ours(msg);

	sip_iter_init(&it, msg, SIP_HDR_ROUTE);
	while (sip_iter_next(&it, &v) == 1)
		n++;
	return (n > ours);
}

/* "SIP/2.0/UDP 127.0.0.1:5060" -> "sip:127.0.0.1:5060;transport=udp;lr" */
static int
route_uri_of_via(const char *via, char *uri, size_t size)
{
	const char	*proto, *sentby;
	char		 lower[4];
	size_t		 i;
	int		 n;

	if (strncmp(via, "SIP/2.0/", 8) != 0 ||
	    (sentby = strchr(via + 8, ' ')) == NULL)
		return (-1);
	proto = via + 8;
	for (i = 0; i < 3 && proto + i < sentby; i++)
		lower[i] = proto[i] | 0x20;
	lower[i] = '\0';
	n = snprintf(uri, size, "sip:%s;transport=%s;lr", sentby + 1, lower);
	return (n < 0 || (size_t)n >= size ? -1 : 0);
}

/*
 * The Record-Route URIs of a call from the caller at in to a device at
 * out: one when the legs are alike, else the callee's leg's first.
 */
int
route_record(const struct sip_peer *in, const struct sip_peer *out,
    struct call_dest *cd)
{
	struct sip_peer	p;
	char		via[128], inuri[128];

	p = *in;
	if (transport_origin(&p, via, sizeof(via)) == -1 ||
	    route_uri_of_via(via, inuri, sizeof(inuri)) == -1)
		return (-1);
	p = *out;
	if (transport_origin(&p, via, sizeof(via)) == -1 ||
	    route_uri_of_via(via, cd->cd_rr[0], sizeof(cd->cd_rr[0])) == -1)
		return (-1);
	cd->cd_rr[1][0] = '\0';
	if (strcmp(inuri, cd->cd_rr[0]) != 0)
		strlcpy(cd->cd_rr[1], inuri, sizeof(cd->cd_rr[1]));
	return (0);
}

/* A branch of ours: the loop tag first, so a request back here is 482. */
static void
route_branch(char *branch, size_t size)
{
	snprintf(branch, size, "z9hG4bK%08x.%08x%08x",
	    config_loop_tag(listener_conf), arc4random(), arc4random());
	worker_branch_mark(branch, size);
}

/* The final answer to an in-dialog request we forwarded, to its sender. */
static void
route_answered(void *arg, const struct sip_msg *resp, unsigned int status)
{
	struct sip_req	*rq = req_find((uint32_t)(uintptr_t)arg);
	struct sip_out	 out;
	char		*buf;
	size_t		 size;

	if (rq == NULL)
		return;
	if (rq->rq_msg.msg_method == SIP_METHOD_BYE)
		calls_bye(&rq->rq_msg);
	if (resp == NULL) {
		req_reply(rq, status, status == 408 ? "Request Timeout" :
		    "Service Unavailable", NULL);
		return;
	}
	size = resp->msg_len + 64;
	if ((buf = malloc(size)) == NULL) {
		req_reply(rq, 500, "Server Internal Error", NULL);
		return;
	}
	sip_out_init(&out, buf, size);
	if (sip_print_response_back(&out, resp) == 0)
		req_forward_reply(rq, out.buf, out.len);
	else
		req_reply(rq, 500, "Server Internal Error", NULL);
	free(buf);
}

/* rq as it goes on to dest: our Via and branch, our Route values off. */
static int
route_print(const struct sip_msg *msg, struct sip_peer *dest, char *branch,
    size_t bsize, struct sip_out *out)
{
	struct sip_fwd	fw;
	char		via[128];

	if (transport_origin(dest, via, sizeof(via)) == -1)
		return (-1);
	if (msg->msg_method != SIP_METHOD_ACK || sip_branch_derived(msg,
	    config_loop_tag(listener_conf), branch, bsize) == -1)
		route_branch(branch, bsize);	/* 16.6 step 8: ACK's the same */
	memset(&fw, 0, sizeof(fw));
	fw.fw_via.s = via;
	fw.fw_via.len = strlen(via);
	fw.fw_branch.s = branch;
	fw.fw_branch.len = strlen(branch);
	fw.fw_pop_route = route_ours(msg);
	return (sip_print_request(out, msg, &fw));
}

/* A non-INVITE request of the dialog, held while the far side answers. */
static void
route_forward(const struct sip_msg *msg, const struct sip_peer *peer,
    struct sip_peer *dest)
{
	struct sip_req	*rq;
	struct sip_out	 out;
	char		 branch[CALL_BRANCH_MAX], *buf;
	size_t		 size = msg->msg_len + ROUTE_GROWTH;

	if ((rq = req_hold(msg, peer)) == NULL)
		return;
	rq->rq_authenticated = 1;	/* it is in a call of ours */
	rq->rq_deadline = time(NULL) + ROUTE_FORWARD_TIME;
	if ((buf = malloc(size)) == NULL) {
		req_reply(rq, 500, "Server Internal Error", NULL);
		return;
	}
	sip_out_init(&out, buf, size);
	if (route_print(&rq->rq_msg, dest, branch, sizeof(branch), &out) ==
	    -1)
		req_reply(rq, 500, "Server Internal Error", NULL);
	else if (txc_start(dest, out.buf, out.len, branch,
	    sip_method_name(rq->rq_msg.msg_method), route_answered,
	    (void *)(uintptr_t)rq->rq_id) == NULL)
		req_reply(rq, 503, "Service Unavailable", NULL);
	free(buf);
}

static void
route_cancelled(void *arg)
{
	req_reply(arg, 487, "Request Terminated", NULL);
}

/*
 * A re-INVITE: one branch, to the other side, no Record-Route; to a
 * side of another domain through relayd.
 */
static void
route_reinvite(const struct sip_msg *msg, const struct sip_peer *peer,
    const struct sip_peer *dest, const char *domain)
{
	struct sip_req		*rq;
	struct call_dest	 cd;

	if ((rq = req_hold(msg, peer)) == NULL)
		return;
	if (rq->rq_ist == NULL) {
		req_reply(rq, 500, "Server Internal Error", NULL);
		return;
	}
	rq->rq_authenticated = 1;
	ist_set_owner(rq->rq_ist, route_cancelled, rq);
	if (domain[0] != '\0') {
		call_relay_start(rq, domain, 0);
		return;
	}
	rq->rq_pop_route = route_ours(&rq->rq_msg);
	memset(&cd, 0, sizeof(cd));
	cd.cd_peer = *dest;
	call_fork(rq, &cd, 1, 0);
}

/* Is dest a connection that closed (a flow that failed)? */
static int
route_flow_gone(const struct sip_peer *dest)
{
	return (dest->sp_transport != TRANSPORT_UDP &&
	    worker_conn_is_ours(dest->sp_conn_id) &&
	    conn_find(dest->sp_conn_id) == NULL);
}

/*
 * A request with a To tag: 1 when it was ours to serve (forwarded in a
 * call's dialog, or refused), 0 for the other dialogs of the listener
 * (subscriptions: presence and dialog.c).
 */
int
route_in_dialog(const struct sip_msg *msg, const struct sip_peer *peer)
{
	struct sip_peer	dest;
	char		domain[IMD_DOMAIN_MAX];

	if (calls_route(msg, &dest, domain, sizeof(domain)) == 0) {
		if (domain[0] == '\0' && route_flow_gone(&dest)) {
			calls_gone(msg);
			sip_reply(peer, msg, 480, "Temporarily Unavailable",
			    NULL);
		} else if (msg->msg_method == SIP_METHOD_INVITE)
			route_reinvite(msg, peer, &dest, domain);
		else if (domain[0] != '\0')
			call_relay_request(msg, peer, domain);
		else
			route_forward(msg, peer, &dest);
		return (1);
	}
	switch (msg->msg_method) {
	case SIP_METHOD_NOTIFY:
	case SIP_METHOD_SUBSCRIBE:
	case SIP_METHOD_MESSAGE:
	case SIP_METHOD_PUBLISH:
	case SIP_METHOD_OPTIONS:
	case SIP_METHOD_REGISTER:
		return (0);
	default:
		break;
	}
	/* Another listener worker may hold the call. */
	if (worker_pass_on(peer, msg->msg_buf, msg->msg_len))
		return (1);
	if (route_beyond_us(msg) || (route_ours(msg) > 0 &&
	    !route_names_us(&msg->msg_ruri)))
		sip_reply(peer, msg, 403, "Relaying Denied", NULL);
	else
		sip_reply(peer, msg, 481, "Call/Transaction Does Not Exist",
		    NULL);
	return (1);
}

/*
 * An ACK no transaction of ours absorbed: the ACK of a 2xx, which goes
 * on statelessly in its dialog (RFC 3261 16.11); else it is dropped.
 */
int
route_ack(const struct sip_msg *msg, const struct sip_peer *peer IMD_UNUSED)
{
	struct sip_peer	 dest;
	struct sip_out	 out;
	char		 branch[CALL_BRANCH_MAX], *buf;
	char		 domain[IMD_DOMAIN_MAX];
	size_t		 size = msg->msg_len + ROUTE_GROWTH;

	if (calls_route(msg, &dest, domain, sizeof(domain)) == -1)
		return (0);
	if (domain[0] != '\0') {
		call_relay_ack(msg, domain);
		return (1);
	}
	if (route_flow_gone(&dest))
		return (1);	/* dropped: its call is over (route_in_dialog) */
	if ((buf = malloc(size)) == NULL)
		return (0);
	sip_out_init(&out, buf, size);
	if (route_print(msg, &dest, branch, sizeof(branch), &out) == 0)
		transport_send(&dest, out.buf, out.len);
	free(buf);
	return (1);
}
