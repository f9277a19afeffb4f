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
 * Requests inside a dialog of one of our users with someone of another
 * domain: the NOTIFYs of a presentity elsewhere to a watcher of ours.
 * relayd put our address in the route set of the SUBSCRIBE, so they
 * come back here; the Request-URI is the watcher's device, which must
 * be one of the user's current bindings, and it is reached the way the
 * binding registered.  Anything else is no dialog of ours: 481.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "listener.h"
#include "log.h"
#include "request.h"

static int
dialog_has_totag(const struct sip_msg *msg)
{
	const struct sip_hdr	*h = sip_hdr_first(msg, SIP_HDR_TO);
	struct sip_addr		 a;

	return (sip_addr_parse(h->hdr_value.s, SIP_STR_END(&h->hdr_value),
	    &a) == 0 && a.addr_tag.len > 0);
}

static void
dialog_looked_up(struct sip_req *rq, int exists, const struct binding_rec *bs,
    uint32_t n)
{
	const struct sip_str	*ruri = &rq->rq_msg.msg_ruri;
	uint32_t		 i;

	for (i = 0; exists && i < n; i++)
		if (strlen(bs[i].b_contact) == ruri->len &&
		    strncasecmp(bs[i].b_contact, ruri->s, ruri->len) == 0) {
			rq->rq_pop_route =
			    sip_hdr_first(&rq->rq_msg, SIP_HDR_ROUTE) != NULL;
			message_fork(rq, &bs[i], 1);
			return;
		}
	req_reply(rq, 481, "Call/Transaction Does Not Exist", NULL);
}

void
dialog_request(const struct sip_msg *msg, const struct sip_peer *peer)
{
	struct sip_req	*rq;
	const struct sip_hdr *h = sip_hdr_first(msg, SIP_HDR_TO);
	struct sip_addr	 to;
	char		 toaddr[IMD_ADDRESS_MAX], todom[IMD_DOMAIN_MAX];
	char		 fromdom[IMD_DOMAIN_MAX];

	if (!dialog_has_totag(msg) ||
	    sip_addr_parse(h->hdr_value.s, SIP_STR_END(&h->hdr_value), &to) ==
	    -1 || uri_address(&to.addr_uri_str, toaddr, sizeof(toaddr),
	    todom, sizeof(todom)) == -1 ||
	    config_find_domain(listener_conf, todom) == NULL) {
		sip_reply(peer, msg, 481, "Call/Transaction Does Not Exist",
		    NULL);
		return;
	}
	if ((rq = req_hold_from(msg, peer, toaddr, todom, fromdom)) == NULL)
		return;
	rq->rq_looked_up = dialog_looked_up;
	req_lookup(rq);
}
