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
 * The registrar (RFC 3261 10.3): the user's current addresses, kept by
 * dirdb as bindings.  The listener checks the request and authenticates
 * it; dirdb checks the Call-ID/CSeq order and applies it in one go.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "binding.h"
#include "imd_msg.h"
#include "listener.h"
#include "log.h"
#include "presence.h"
#include "proc.h"
#include "request.h"
#include "user.h"

#define REG_EXPIRES_DEFAULT	3600	/* RFC 3261 10.2.1.1 suggests it */
#define REG_MIN_EXPIRES		(listener_conf->c_limits.lim_min_expires)
#define REG_MAX_EXPIRES		(listener_conf->c_limits.lim_max_expires)

/*
 * Call-ID and User-Agent are kept with each binding (binding.h): the
 * reason naming the one that does not fit, or NULL.
 */
static const char *
registrar_too_long(const struct sip_msg *msg)
{
	const struct sip_hdr	*h;

	h = sip_hdr_first(msg, SIP_HDR_CALL_ID);
	if (h->hdr_value.len >= BINDING_CALLID_MAX)
		return ("Call-ID Too Long");
	if ((h = sip_hdr_first(msg, SIP_HDR_USER_AGENT)) != NULL &&
	    h->hdr_value.len >= BINDING_UA_MAX)
		return ("User-Agent Too Long");
	return (NULL);
}

static void	registrar_apply(struct sip_req *);

void
registrar_request(const struct sip_msg *msg, const struct sip_peer *peer)
{
	struct sip_req			*rq;
	const struct conf_domain	*cd;
	char				 aor[IMD_ADDRESS_MAX];
	char				 domain[IMD_DOMAIN_MAX];
	const char			*too_long;

	if (to_address(msg, aor, sizeof(aor), domain, sizeof(domain)) ==
	    -1) {
		sip_reply(peer, msg, 400, "Bad address of record in To", NULL);
		return;
	}
	if ((cd = config_find_domain(listener_conf, domain)) == NULL) {
		sip_reply(peer, msg, 403, "Not a domain served here", NULL);
		return;
	}
	if ((too_long = registrar_too_long(msg)) != NULL) {
		sip_reply(peer, msg, 400, too_long, NULL);
		return;
	}
	if ((rq = req_hold(msg, peer)) == NULL)
		return;
	strlcpy(rq->rq_aor, aor, sizeof(rq->rq_aor));
	rq->rq_proxy = 0;
	rq->rq_authed = registrar_apply;
	auth_start(rq, cd->cd_name);
}

/* Expires of one contact: its parameter, else the header, else ours. */
static int64_t
registrar_expires(const struct sip_msg *msg, const struct sip_addr *c)
{
	const struct sip_hdr	*h;
	uint32_t		 e;

	if (c->addr_expires >= 0)
		return (c->addr_expires);
	if ((h = sip_hdr_first(msg, SIP_HDR_EXPIRES)) != NULL &&
	    sip_expires_parse(h->hdr_value.s, SIP_STR_END(&h->hdr_value),
	    &e) == 0)
		return (e);
	return (REG_EXPIRES_DEFAULT);
}

static void
registrar_fill(struct sip_req *rq, const struct sip_addr *c, int64_t exp,
    time_t now, struct binding_rec *b)
{
	const struct sip_msg	*msg = &rq->rq_msg;
	const struct sip_hdr	*h;
	struct sip_cseq		 cs;

	memset(b, 0, sizeof(*b));
	strlcpy(b->b_address, rq->rq_aor, sizeof(b->b_address));
	memcpy(b->b_contact, c->addr_uri_str.s, c->addr_uri_str.len);
	memcpy(&b->b_src, &rq->rq_peer.sp_ss, sizeof(b->b_src));
	b->b_srclen = rq->rq_peer.sp_sslen;
	b->b_transport = rq->rq_peer.sp_transport;
	b->b_conn = rq->rq_peer.sp_conn_id;
	b->b_expires = exp == 0 ? 0 : now + (exp > REG_MAX_EXPIRES ?
	    REG_MAX_EXPIRES : exp);
	b->b_q = c->addr_q;
	h = sip_hdr_first(msg, SIP_HDR_CALL_ID);
	sip_str_copy(&h->hdr_value, b->b_callid, sizeof(b->b_callid));
	if (sip_first_cseq(msg, &cs) == 0)
		b->b_cseq = cs.cseq_num;
	if ((h = sip_hdr_first(msg, SIP_HDR_USER_AGENT)) != NULL)
		sip_str_copy(&h->hdr_value, b->b_ua, sizeof(b->b_ua));
}

/*
 * Read every contact into bindings.  Returns the count, or -1 after
 * answering the request (400, 423).
 */
static int
registrar_contacts(struct sip_req *rq, struct binding_rec *bs, int *star,
    time_t now)
{
	struct sip_iter	 it;
	struct sip_str	 elem;
	struct sip_addr	 c;
	int64_t		 exp;
	int		 n = 0, r;
	char		 minexp[64];

	*star = 0;
	sip_iter_init(&it, &rq->rq_msg, SIP_HDR_CONTACT);
	while ((r = sip_iter_next(&it, &elem)) == 1) {
		if (sip_contact_parse(elem.s, SIP_STR_END(&elem), &c) == -1) {
			req_reply(rq, 400, "Bad Contact", NULL);
			return (-1);
		}
		exp = registrar_expires(&rq->rq_msg, &c);
		if (c.addr_star) {
			*star = 1;
			if (exp != 0 || n > 0) {
				req_reply(rq, 400, "Contact * needs Expires 0 "
				    "and no other contact", NULL);
				return (-1);
			}
			continue;
		}
		if (*star || n == BINDING_MAX_PER_USER) {
			req_reply(rq, *star ? 400 : 403, *star ?
			    "Contact * needs Expires 0 and no other contact" :
			    "Too many contacts", NULL);
			return (-1);
		}
		if (exp != 0 && exp < REG_MIN_EXPIRES) {
			snprintf(minexp, sizeof(minexp),
			    "Min-Expires: %u\r\n", REG_MIN_EXPIRES);
			req_reply(rq, 423, "Interval Too Brief", minexp);
			return (-1);
		}
		if (c.addr_uri_str.len >= BINDING_CONTACT_MAX) {
			req_reply(rq, 400, "Contact Too Long", NULL);
			return (-1);
		}
		registrar_fill(rq, &c, exp, now, &bs[n++]);
	}
	if (r == -1) {
		req_reply(rq, 400, "Bad Contact", NULL);
		return (-1);
	}
	return (n);
}

static void
registrar_apply(struct sip_req *rq)
{
	struct binding_rec	 bs[BINDING_MAX_PER_USER];
	struct imsgev		*dirdb = proc_peer(PROC_DIRDB);
	struct ibuf		*buf;
	time_t			 now = time(NULL);
	int			 i, n, star;

	if ((n = registrar_contacts(rq, bs, &star, now)) == -1)
		return;
	outbound_register(rq, bs, &n);
	if ((buf = imsgev_create(dirdb, IMSG_DB_REGISTER, rq->rq_id,
	    IMSG_HINT_SMALL)) == NULL ||
	    ibuf_add_str(buf, rq->rq_aor, sizeof(rq->rq_aor)) == -1 ||
	    ibuf_add_u32(buf, star) == -1 || ibuf_add_u64(buf, now) == -1 ||
	    ibuf_add_u32(buf, n) == -1)
		fatal("%s", __func__);
	for (i = 0; i < n; i++)
		if (binding_msg_add(buf, &bs[i]) == -1)
			fatal("%s", __func__);
	if (imsgev_close(dirdb, buf) == -1)
		fatal("%s", __func__);
}

/* dirdb's answer: the status, and on success every current binding. */
void
registrar_result(struct imsgev *iev, struct imsg *imsg)
{
	struct sip_req	*rq;
	struct sip_out	 out;
	char		 extra[SIP_REPLY_MAX / 2], contact[BINDING_CONTACT_MAX];
	char		 reason[CTL_MESSAGE_MAX];
	uint32_t	 status, n, i, left;

	sip_out_init(&out, extra, sizeof(extra));
	imsg_get_u32(imsg, &status);
	imsg_get_str(imsg, reason, sizeof(reason));
	imsg_get_u32(imsg, &n);
	if (n > BINDING_MAX_PER_USER)	/* bounds the loop */
		imsg_set_error(imsg);
	for (i = 0; i < n && imsg_get_error(imsg) == 0; i++) {
		imsg_get_str(imsg, contact, sizeof(contact));
		imsg_get_u32(imsg, &left);
		/* not printf: most REGISTERs are answered with a binding */
		sip_out_add(&out, "Contact: <", 10);
		sip_out_add(&out, contact, strlen(contact));
		sip_out_add(&out, ">;expires=", 10);
		sip_out_uint(&out, left);
		sip_out_add(&out, "\r\n", 2);
	}
	if (imsg_get_end(imsg) == -1 || status < 200 || status > 699)
		proc_fatal_imsg(iev, imsg, "register result");
	if ((rq = req_find(imsg->hdr.ih_peerid)) == NULL)
		return;
	if (out.overflow) {
		req_reply(rq, 500, "Too many bindings to list", NULL);
		return;
	}
	if (status == 200)
		outbound_reply(rq, &out);
	sip_out_add(&out, "", 1);
	if (status == 200)
		worker_registered(rq->rq_aor, n > 0);
	req_reply(rq, status, reason, status == 200 ? extra : NULL);
}
