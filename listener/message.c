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
 * is; the request goes to every current binding at once and the first
 * 2xx answers the sender (RFC 3261 16.7).  Body and Content-Type pass
 * through untouched.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "binding.h"
#include "imd_msg.h"
#include "listener.h"
#include "log.h"
#include "offline.h"
#include "presence.h"
#include "proc.h"
#include "request.h"
#include "tx_client.h"
#include "user.h"

#define MSG_FORWARD_TIME	40	/* seconds: Timer F and some */
#define FORWARD_GROWTH		4096	/* our Via, Date, a longer URI */
#define FORK_TOO_LARGE		-2	/* for a UDP binding */

struct fork;

struct fork_leg {
	struct fork	*lg_fork;
	struct txc	*lg_txc;	/* NULL once it answered */
};

struct fork {
	struct sip_req	*fk_rq;
	struct fork_leg	 fk_legs[BINDING_MAX_PER_USER];
	size_t		 fk_n;
	size_t		 fk_pending;
	unsigned int	 fk_best;	/* best final status so far */
	char		 fk_reason[64];
};

/* user@domain of a SIP URI, lower case; -1 for anything else. */
int
uri_address(const struct sip_str *s, char *addr, size_t size,
    char *domain, size_t dsize)
{
	struct sip_uri	u;
	char		user[IMD_LOCALPART_MAX];
	size_t		ulen;
	char		*p;

	if (sip_uri_parse(s->s, SIP_STR_END(s), &u) == -1 ||
	    (u.uri_scheme != SIP_SCHEME_SIP && u.uri_scheme != SIP_SCHEME_SIPS) ||
	    sip_str_unescape(&u.uri_user, user, sizeof(user), &ulen) == -1 ||
	    ulen == 0 || memchr(user, '\0', ulen) != NULL ||
	    u.uri_host.len >= dsize)
		return (-1);
	memcpy(domain, u.uri_host.s, u.uri_host.len);
	domain[u.uri_host.len] = '\0';
	if ((size_t)snprintf(addr, size, "%.*s@%s", (int)ulen, user, domain) >=
	    size || !is_valid_address(addr))
		return (-1);
	for (p = addr; *p != '\0'; p++)
		*p = tolower((unsigned char)*p);
	for (p = domain; *p != '\0'; p++)
		*p = tolower((unsigned char)*p);
	return (0);
}

int
from_address(const struct sip_msg *msg, char *addr, size_t size,
    char *domain, size_t dsize)
{
	const struct sip_hdr	*h = sip_hdr_first(msg, SIP_HDR_FROM);
	struct sip_addr		 a;

	if (sip_addr_parse(h->hdr_value.s, SIP_STR_END(&h->hdr_value), &a) ==
	    -1)
		return (-1);
	return (uri_address(&a.addr_uri_str, addr, size, domain,
	    dsize));
}

/* Does rq_to exist, where are its devices: then rq_looked_up. */
void
req_lookup(struct sip_req *rq)
{
	struct imsgev	*dirdb = proc_peer(PROC_DIRDB);
	struct ibuf	*buf;

	if ((buf = imsgev_create(dirdb, IMSG_DB_LOOKUP, rq->rq_id, 256)) ==
	    NULL || ibuf_add_str(buf, rq->rq_to, sizeof(rq->rq_to)) == -1 ||
	    imsgev_close(dirdb, buf) == -1)
		fatal("%s", __func__);
}

static void	message_deliver(struct sip_req *, int,
		    const struct binding_rec *, uint32_t);

static void
message_lookup(struct sip_req *rq)
{
	rq->rq_looked_up = message_deliver;
	req_lookup(rq);
}

static unsigned int
message_max_forwards(const struct sip_msg *msg)
{
	const struct sip_hdr	*h = sip_hdr_first(msg, SIP_HDR_MAX_FORWARDS);
	unsigned int		 mf;

	if (h == NULL || sip_maxfwd_parse(h->hdr_value.s,
	    SIP_STR_END(&h->hdr_value), &mf) == -1)
		return (70);
	return (mf);
}

/* Via values, in all Via headers. */
static size_t
message_hops(const struct sip_msg *msg)
{
	struct sip_iter	it;
	struct sip_str	v;
	size_t		n = 0;

	sip_iter_init(&it, msg, SIP_HDR_VIA);
	while (sip_iter_next(&it, &v) == 1)
		n++;
	return (n);
}

/*
 * What a MESSAGE may not do, answered at once: go round in circles, use
 * us as an open relay, or speak for one of our users from outside (our
 * own users reach us directly, with one Via).  Whether a sender of
 * another domain is its server is inbound.c's to say.
 */
int
inbound_refused(const struct sip_msg *msg, const struct sip_peer *peer,
    const char *todom, const char *fromdom)
{
	int	to_ours = config_find_domain(listener_conf, todom) != NULL;
	int	from_ours = config_find_domain(listener_conf, fromdom) != NULL;

	if (relay_is_loop(msg))
		sip_reply(peer, msg, 482, "Loop Detected", NULL);
	else if (message_max_forwards(msg) == 0)
		sip_reply(peer, msg, 483, "Too Many Hops", NULL);
	else if (!to_ours && !from_ours)
		sip_reply(peer, msg, 403, "Relaying Denied", NULL);
	else if (from_ours && message_hops(msg) > 1)
		sip_reply(peer, msg, 403, "Local Sender From Outside", NULL);
	else
		return (0);
	return (1);
}

/* Does the host of a domain's route send this? (Its port is its own.) */
static int
req_from_route(const struct sip_peer *peer, const char *domain)
{
	const struct conf_route		*cr;
	const struct sockaddr_in	*a, *b;
	const struct sockaddr_in6	*a6, *b6;

	if ((cr = config_find_route(listener_conf, domain)) == NULL ||
	    cr->cr_ss.ss_family != peer->sp_ss.ss_family)
		return (0);
	if (cr->cr_ss.ss_family == AF_INET) {
		a = (const struct sockaddr_in *)&cr->cr_ss;
		b = (const struct sockaddr_in *)&peer->sp_ss;
		return (a->sin_addr.s_addr == b->sin_addr.s_addr);
	}
	if (cr->cr_ss.ss_family == AF_INET6) {
		a6 = (const struct sockaddr_in6 *)&cr->cr_ss;
		b6 = (const struct sockaddr_in6 *)&peer->sp_ss;
		return (IN6_ARE_ADDR_EQUAL(&a6->sin6_addr, &b6->sin6_addr));
	}
	return (0);
}

/*
 * A stranger: a sender of another domain whose server nobody verified,
 * so that its From is whatever it wrote.  Under inbound tls-verified
 * every sender of another domain was verified; under inbound any only
 * one that comes from the host its domain's route names.
 */
int
req_from_stranger(const struct sip_req *rq)
{
	const char	*at = strchr(rq->rq_aor, '@');

	if (at == NULL || config_find_domain(listener_conf, at + 1) != NULL ||
	    listener_conf->c_inbound != INBOUND_ANY)
		return (0);
	return (!req_from_route(&rq->rq_peer, at + 1));
}

/*
 * A request for to (of todom) held, once From reads and the inbound
 * rules let it in; the sender's domain into fromdom.  NULL when it was
 * answered instead, or is held until relayd says whether its sender is
 * a server of fromdom: then it comes here again, by inbound_admit().
 */
struct sip_req *
req_hold_from(const struct sip_msg *msg, const struct sip_peer *peer,
    const char *to, const char *todom, char *fromdom)
{
	struct sip_req	*rq;
	char		 from[IMD_ADDRESS_MAX];

	if (from_address(msg, from, sizeof(from), fromdom, IMD_DOMAIN_MAX) ==
	    -1) {
		sip_reply(peer, msg, 400, "Bad From", NULL);
		return (NULL);
	}
	if ((rq = inbound_resumed(msg)) == NULL) {
		if (inbound_refused(msg, peer, todom, fromdom) ||
		    (rq = req_hold(msg, peer)) == NULL)
			return (NULL);
		if (config_find_domain(listener_conf, fromdom) == NULL &&
		    !inbound_check(rq, fromdom, inbound_admit))
			return (NULL);
	}
	strlcpy(rq->rq_to, to, sizeof(rq->rq_to));
	strlcpy(rq->rq_aor, from, sizeof(rq->rq_aor));
	return (rq);
}

void
message_request(const struct sip_msg *msg, const struct sip_peer *peer)
{
	struct sip_req	*rq;
	char		 to[IMD_ADDRESS_MAX], todom[IMD_DOMAIN_MAX];
	char		 fromdom[IMD_DOMAIN_MAX];

	if (uri_address(&msg->msg_ruri, to, sizeof(to), todom,
	    sizeof(todom)) == -1) {
		sip_reply(peer, msg, 416, "Unsupported URI Scheme", NULL);
		return;
	}
	if ((rq = req_hold_from(msg, peer, to, todom, fromdom)) == NULL)
		return;
	if (config_find_domain(listener_conf, fromdom) == NULL) {
		/* From another domain: its server, inbound.c found. */
		message_lookup(rq);
		return;
	}
	rq->rq_proxy = 1;
	rq->rq_authed = config_find_domain(listener_conf, todom) != NULL ?
	    message_lookup : relay_start;
	auth_start(rq, fromdom);
}


static void
fork_cleanup(struct sip_req *rq)
{
	struct fork	*fk = rq->rq_fork;
	size_t		 i;

	if (fk == NULL)
		return;
	for (i = 0; i < fk->fk_n; i++)
		if (fk->fk_legs[i].lg_txc != NULL)
			txc_cancel(fk->fk_legs[i].lg_txc);
	free(fk);
	rq->rq_fork = NULL;
}

/*
 * RFC 3261 16.7: a 6xx is final for every device; else the lowest
 * failure.
 */
static void
fork_keep_best(struct fork *fk, const struct sip_msg *resp,
    unsigned int status)
{
	int	six = status >= 600, bestsix = fk->fk_best >= 600;

	if (fk->fk_best != 0 && (bestsix > six ||
	    (bestsix == six && status >= fk->fk_best)))
		return;
	fk->fk_best = status;
	if (resp != NULL)
		snprintf(fk->fk_reason, sizeof(fk->fk_reason), "%.*s",
		    (int)resp->msg_reason.len, resp->msg_reason.s);
	else
		strlcpy(fk->fk_reason, status == 408 ? "Request Timeout" :
		    "Service Unavailable", sizeof(fk->fk_reason));
}

/* A binding answered, or gave up: the first 2xx answers the sender. */
static void
fork_answer(void *arg, const struct sip_msg *resp, unsigned int status)
{
	struct fork_leg	*lg = arg;
	struct fork	*fk = lg->lg_fork;
	struct sip_req	*rq = fk->fk_rq;
	char		 reason[64];

	lg->lg_txc = NULL;
	fk->fk_pending--;
	if (status >= 200 && status < 300) {
		snprintf(reason, sizeof(reason), "%.*s",
		    (int)resp->msg_reason.len, resp->msg_reason.s);
		req_reply(rq, status, reason, NULL);
		return;
	}
	fork_keep_best(fk, resp, status);
	if (fk->fk_pending > 0)
		return;
	/* Nobody took it: a timeout means the user is not there now. */
	if (fk->fk_best == 408 || fk->fk_best == 503)
		req_reply(rq, 480, "Temporarily Unavailable", NULL);
	else
		req_reply(rq, fk->fk_best, fk->fk_reason, NULL);
}

/*
 * Where a UDP binding is reached: the host and port of its contact when
 * they are an address, else where its REGISTER came from.
 */
static void
fork_udp_dest(const struct binding_rec *b, struct sip_peer *dest)
{
	struct sip_uri		 u;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&dest->sp_ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&dest->sp_ss;
	char			 host[64];
	size_t			 len, skip;

	if (sip_uri_parse(b->b_contact, b->b_contact + strlen(b->b_contact),
	    &u) == -1 || u.uri_host_type == SIP_HOST_NAME)
		return;
	/* An IPv6 host keeps its brackets in the URI. */
	skip = u.uri_host_type == SIP_HOST_IPV6 ? 1 : 0;
	len = u.uri_host.len - 2 * skip;
	if (u.uri_host.len < 2 * skip || len >= sizeof(host))
		return;
	memcpy(host, u.uri_host.s + skip, len);
	host[len] = '\0';
	memset(&dest->sp_ss, 0, sizeof(dest->sp_ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(u.uri_port ? u.uri_port : 5060);
		dest->sp_sslen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(u.uri_port ? u.uri_port : 5060);
		dest->sp_sslen = sizeof(*sin6);
	} else {
		memcpy(&dest->sp_ss, &b->b_src, sizeof(dest->sp_ss));
		dest->sp_sslen = b->b_srclen;
	}
}

/*
 * How a request of ours reaches a binding: destination, socket or
 * connection, and our Via.
 */
int
message_dest(const struct binding_rec *b, struct sip_peer *dest, char *via,
    size_t size)
{
	memset(dest, 0, sizeof(*dest));
	memcpy(&dest->sp_ss, &b->b_src, sizeof(dest->sp_ss));
	dest->sp_sslen = b->b_srclen;
	dest->sp_transport = b->b_transport;
	dest->sp_conn_id = b->b_conn;
	if (dest->sp_transport == TRANSPORT_UDP)
		fork_udp_dest(b, dest);
	return (transport_origin(dest, via, size));
}

/* One copy of the request to one binding, over its own transport. */
static int
fork_leg_start(struct fork *fk, const struct binding_rec *b)
{
	struct sip_req	*rq = fk->fk_rq;
	struct fork_leg	*lg = &fk->fk_legs[fk->fk_n];
	struct sip_peer	 dest;
	struct sip_fwd	 fw;
	struct sip_out	 out;
	char		 via[128], branch[40], date[SIP_DATE_LINE_MAX];
	char		*buf;
	size_t		 size = rq->rq_msg.msg_len + FORWARD_GROWTH;
	int		 r = 0;

	if (message_dest(b, &dest, via, sizeof(via)) == -1)
		return (-1);
	sip_date_line(&rq->rq_msg, time(NULL), date, sizeof(date));
	snprintf(branch, sizeof(branch), "z9hG4bK%08x%08x", arc4random(),
	    arc4random());
	memset(&fw, 0, sizeof(fw));
	fw.fw_ruri.s = b->b_contact;
	fw.fw_ruri.len = strlen(b->b_contact);
	fw.fw_via.s = via;
	fw.fw_via.len = strlen(via);
	fw.fw_branch.s = branch;
	fw.fw_branch.len = strlen(branch);
	fw.fw_drop_proxy_auth = 1;
	fw.fw_pop_route = rq->rq_pop_route;
	fw.fw_extra.s = date;
	fw.fw_extra.len = strlen(date);
	if ((buf = malloc(size)) == NULL)
		return (-1);
	sip_out_init(&out, buf, size);
	lg->lg_fork = fk;
	if (sip_print_request(&out, &rq->rq_msg, &fw) == -1)
		r = -1;
	else if (dest.sp_transport == TRANSPORT_UDP && out.len > SIP_UDP_MAX)
		r = FORK_TOO_LARGE;	/* RFC 3261 18.1.1: not this path */
	else if ((lg->lg_txc = txc_start(&dest, out.buf, out.len, branch,
	    sip_method_name(rq->rq_msg.msg_method), fork_answer, lg)) == NULL)
		r = -1;
	else {
		fk->fk_n++;
		fk->fk_pending++;
	}
	free(buf);
	return (r);
}

void
message_fork(struct sip_req *rq, const struct binding_rec *bs, uint32_t n)
{
	struct fork	*fk;
	uint32_t	 i, too_large = 0;
	int		 r;

	if ((fk = calloc(1, sizeof(*fk))) == NULL) {
		req_reply(rq, 500, "Server Internal Error", NULL);
		return;
	}
	fk->fk_rq = rq;
	rq->rq_fork = fk;
	rq->rq_cleanup = fork_cleanup;
	rq->rq_deadline = time(NULL) + MSG_FORWARD_TIME;
	for (i = 0; i < n; i++)
		if ((r = fork_leg_start(fk, &bs[i])) == FORK_TOO_LARGE)
			too_large++;
		else if (r == -1)
			log_debug("message: %s: binding %s unreachable",
			    rq->rq_to, bs[i].b_contact);
	if (fk->fk_n == 0 && too_large > 0)
		req_reply(rq, 513, "Message Too Large For UDP", NULL);
	else if (fk->fk_n == 0)
		req_reply(rq, 480, "Temporarily Unavailable", NULL);
}

void
message_lookup_result(struct imsgev *iev, struct imsg *imsg)
{
	struct binding_rec	 bs[BINDING_MAX_PER_USER];
	struct sip_req		*rq;
	uint32_t		 exists, n, i;

	if (imsg_get_u32(imsg, &exists) == -1 ||
	    imsg_get_u32(imsg, &n) == -1 || n > BINDING_MAX_PER_USER)
		proc_fatal_imsg(iev, imsg, "lookup result");
	for (i = 0; i < n; i++)
		if (binding_msg_get(imsg, &bs[i]) == -1)
			proc_fatal_imsg(iev, imsg, "lookup result");
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "lookup result");
	if ((rq = req_find(imsg->hdr.ih_peerid)) != NULL &&
	    rq->rq_looked_up != NULL)
		rq->rq_looked_up(rq, exists, bs, n);
}

/* Request-Disposition: redirect (RFC 3841 9.1). */
static int
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
 * and the recipient's media tuple accepts it; else the message goes
 * the usual way (the disposition is a wish, RFC 3841 9.1).
 */
static int
message_redirect(struct sip_req *rq, const struct binding_rec *bs,
    uint32_t n)
{
	const struct conf_domain	*cd;
	struct sip_out			 out;
	char				 extra[SIP_REPLY_MAX / 2];
	uint32_t			 i;

	cd = config_find_domain(listener_conf, strchr(rq->rq_to, '@') + 1);
	/* A stranger would learn where the user is: presence.md. */
	if (!message_wants_redirect(&rq->rq_msg) || cd == NULL ||
	    !cd->cd_direct || req_from_stranger(rq) ||
	    !pres_direct_allowed(rq->rq_to))
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
	if (!req_from_stranger(rq))
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
		queue_store(rq);
	else if (n == 0)
		req_reply(rq, 480, "Temporarily Unavailable", NULL);
	else if (!message_redirect(rq, bs, n))
		message_fork(rq, bs, n);
}
