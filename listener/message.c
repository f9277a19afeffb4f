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
 * Pager-mode MESSAGE (RFC 3428) for users of our domains: the sender,
 * when it is ours, authenticates (407); dirdb says where the recipient
 * is; the request goes to every current binding at once (fork.c), or
 * its sender learns where they are (direct mode, a 302), or it waits
 * in the offline queue.  Body and Content-Type pass through untouched.
 */

#include <sys/types.h>

#include <string.h>

#include "binding.h"
#include "listener.h"
#include "offline.h"
#include "presence.h"
#include "request.h"

static void	message_deliver(struct sip_req *, int,
		    const struct binding_rec *, uint32_t);

static void
message_lookup(struct sip_req *rq)
{
	rq->rq_looked_up = message_deliver;
	req_lookup(rq);
}

void
message_request(const struct sip_msg *msg, const struct sip_peer *peer)
{
	struct sip_req	*rq;
	char		 fromdom[IMD_DOMAIN_MAX];

	if ((rq = inbound_hold_ruri(msg, peer, fromdom,
	    message_request)) != NULL)
		inbound_route(rq, fromdom, message_lookup, relay_start);
}

/* Request-Disposition: redirect (RFC 3841 9.1). */
int
message_wants_redirect(const struct sip_msg *msg)
{
	struct sip_iter	it;
	struct sip_str	v;

	sip_iter_init(&it, msg, SIP_HDR_REQUEST_DISPOSITION);
	while (sip_iter_next(&it, &v) == 1)
		if (sip_str_is_ci(&v, "redirect"))
			return (1);
	return (0);
}

/*
 * Direct mode: a sender that asks for the recipient's address gets its
 * contacts in a 302, when the recipient's domain allows direct mode
 * and the recipient's media tuple accepts it (for medium, or any when
 * NULL); else the request goes the usual way (the disposition is a
 * wish, RFC 3841 9.1).  A call's INVITE comes here too.
 */
int
message_redirect(struct sip_req *rq, const struct binding_rec *bs,
    uint32_t n, const char *medium)
{
	const struct conf_domain	*cd;
	struct sip_out			 out;
	char				 extra[SIP_REPLY_MAX / 2];
	uint32_t			 i;

	cd = config_find_domain(listener_conf, strchr(rq->rq_to, '@') + 1);
	/* A stranger would learn where the user is: presence.md. */
	if (!message_wants_redirect(&rq->rq_msg) || cd == NULL ||
	    !cd->cd_direct || inbound_from_stranger(rq) ||
	    !pres_direct_allowed(rq->rq_to, medium))
		return (0);
	sip_out_init(&out, extra, sizeof(extra));
	for (i = 0; i < n; i++)
		sip_out_printf(&out, "Contact: <%s>\r\n", bs[i].b_contact);
	sip_out_add(&out, "", 1);
	if (out.overflow)
		return (0);
	req_reply(rq, 302, "Moved Temporarily", extra);
	return (1);
}

/*
 * To a stranger an address nobody has is a user who is offline: the
 * answer the offline policy gives (202 as if kept, or 480), so that
 * MESSAGEs do not tell who our users are.  What a stranger sends to
 * nobody is dropped.
 */
static void
message_to_nobody(struct sip_req *rq)
{
	if (!inbound_from_stranger(rq))
		req_reply(rq, 404, "Not Found", NULL);
	else if (!OFFLINE_KEEPS(listener_conf->c_offline.off_policy))
		req_reply(rq, 480, "Temporarily Unavailable", NULL);
	else if (rq->rq_msg.msg_body.len > OFFLINE_BODY_MAX)
		req_reply(rq, 413, "Too large to keep for later", NULL);
	else
		req_reply(rq, 202, "Accepted", NULL);
}

static void
message_deliver(struct sip_req *rq, int exists, const struct binding_rec *bs,
    uint32_t n)
{
	if (!exists)
		message_to_nobody(rq);
	else if (n == 0 && OFFLINE_KEEPS(listener_conf->c_offline.off_policy))
		offq_store(rq);
	else if (n == 0)
		req_reply(rq, 480, "Temporarily Unavailable", NULL);
	else if (!message_redirect(rq, bs, n, NULL))
		fork_start(rq, bs, n);
}
