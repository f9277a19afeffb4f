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
 * Loose routing past us inside our domain (RFC 3261 16.4, 16.12): a
 * proxy beside a device (an edge proxy, a PBX) that record-routed the
 * call stays in the dialog's path, and a request whose Route names it
 * after our own values goes to it, not straight to the device.
 *
 * Only a hop the dialog recorded is followed: the Record-Route value
 * next to ours in the 2xx that made the dialog, on the side the request
 * goes to, kept in the table of calls; any other Route value is some
 * host a party to the call wrote, and the request goes to the side's
 * leg as before.  The listener neither resolves names nor opens
 * connections: a recorded hop is followed when it is a numeric
 * address over UDP; else the request keeps to the side's leg.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <string.h>
#include <strings.h>

#include "call.h"
#include "listener.h"

/* A value's URI into buf, as the 2xx or the request spells it. */
static int
route_uri_copy(const struct sip_str *v, char *buf, size_t size)
{
	struct sip_addr	a;

	if (sip_addr_parse(v->s, SIP_STR_END(v), &a) == -1 ||
	    a.addr_uri_str.len == 0 || a.addr_uri_str.len >= size)
		return (-1);
	memcpy(buf, a.addr_uri_str.s, a.addr_uri_str.len);
	buf[a.addr_uri_str.len] = '\0';
	return (0);
}

static int
route_value_is_ours(const struct sip_str *v)
{
	struct sip_addr	a;

	return (sip_addr_parse(v->s, SIP_STR_END(v), &a) == 0 &&
	    route_names_us(&a.addr_uri_str));
}

/*
 * The hops next to ours in the Record-Route of a 2xx: above ours, the
 * callee's side (added after us), below, the caller's; "" for none.
 */
void
route_next_recorded(const struct sip_msg *resp, char *callee_side,
    char *caller_side, size_t size)
{
	struct sip_iter	it;
	struct sip_str	v, prev;
	int		seen_ours = 0, n = 0;

	callee_side[0] = caller_side[0] = '\0';
	memset(&prev, 0, sizeof(prev));
	sip_iter_init(&it, resp, SIP_HDR_RECORD_ROUTE);
	while (sip_iter_next(&it, &v) == 1 && n++ < 64) {
		if (route_value_is_ours(&v)) {
			if (!seen_ours && n > 1 &&
			    route_uri_copy(&prev, callee_side, size) == -1)
				callee_side[0] = '\0';
			seen_ours = 1;
		} else if (seen_ours) {
			if (route_uri_copy(&v, caller_side, size) == -1)
				caller_side[0] = '\0';
			return;
		}
		prev = v;
	}
}

/* The first Route value after ours, its URI into buf; -1 if none. */
static int
route_past_ours(const struct sip_msg *msg, char *buf, size_t size)
{
	struct sip_iter	it;
	struct sip_str	v;
	int		skip = route_ours(msg);

	sip_iter_init(&it, msg, SIP_HDR_ROUTE);
	while (sip_iter_next(&it, &v) == 1)
		if (skip-- <= 0)
			return (route_uri_copy(&v, buf, size));
	return (-1);
}

/* A numeric sip: URI over UDP as a destination; -1 otherwise. */
static int
route_udp_peer(const char *uri, struct sip_peer *dest)
{
	struct sip_uri		 u;
	struct sip_peer		 p;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&p.sp_ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&p.sp_ss;
	char			 host[64];
	size_t			 skip, len;

	if (sip_uri_parse(uri, uri + strlen(uri), &u) == -1 ||
	    u.uri_scheme != SIP_SCHEME_SIP ||
	    u.uri_host_type == SIP_HOST_NAME || (u.uri_transport.len > 0 &&
	    !sip_str_is_ci(&u.uri_transport, "udp")))
		return (-1);
	skip = u.uri_host_type == SIP_HOST_IPV6 ? 1 : 0;
	if (u.uri_host.len < 2 * skip + 1 ||
	    (len = u.uri_host.len - 2 * skip) >= sizeof(host))
		return (-1);
	memcpy(host, u.uri_host.s + skip, len);
	host[len] = '\0';
	memset(&p, 0, sizeof(p));
	p.sp_transport = TRANSPORT_UDP;
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(u.uri_port ? u.uri_port : 5060);
		p.sp_sslen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(u.uri_port ? u.uri_port : 5060);
		p.sp_sslen = sizeof(*sin6);
	} else
		return (-1);
	*dest = p;
	return (0);
}

/*
 * msg goes to *dest, the leg of its side, unless its Route names,
 * past ours, the hop the dialog recorded on that side: then there.
 */
void
route_next_hop(const struct sip_msg *msg, const char *recorded,
    struct sip_peer *dest)
{
	char		uri[CALL_HOP_MAX];
	struct sip_peer	p;

	if (recorded[0] == '\0' ||
	    route_past_ours(msg, uri, sizeof(uri)) == -1 ||
	    strcasecmp(uri, recorded) != 0 || route_udp_peer(uri, &p) == -1)
		return;
	*dest = p;
}
