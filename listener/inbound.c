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
 * Who a request of another domain is from.  Under `inbound verified`
 * (the default) it is taken only from a server of the domain it speaks
 * for: over TLS with a certificate that names the domain, or from an
 * address that the domain's route or DNS names, which relayd answers
 * (the listener resolves nothing).  The request is held meanwhile;
 * once admitted, a MESSAGE or SUBSCRIBE goes through its method's entry
 * again and finds itself held already.  `inbound tls-verified` wants
 * the certificate; `inbound any` takes anyone, for labs.
 *
 * The rest of the inbound policy is here too: what no request may do
 * (go round in circles, use us as an open relay, speak for one of our
 * users from outside), and who is a stranger, whose From nobody
 * vouched for.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "imd_msg.h"
#include "listener.h"
#include "log.h"
#include "proc.h"
#include "refusal.h"
#include "request.h"
#include "tx.h"

#define INBOUND_REFUSED		"Sender Is Not A Server Of Its Domain"
#define INBOUND_WAIT		6	/* s: relayd answers within 4 */
#define INBOUND_THEN		5	/* s: for what follows, as req_hold */

/* The request inbound_admit() hands back to its method's entry. */
static struct sip_req	*inbound_resuming;

/*
 * A Via of our own relayd (the branch starts with the suite's tag): the
 * request went out of this suite and came back, a loop (RFC 3261 16.3).
 */
static int
inbound_is_loop(const struct sip_msg *msg)
{
	struct sip_iter	it;
	struct sip_str	v;
	struct sip_via	via;
	char		tag[32];
	size_t		len;

	len = snprintf(tag, sizeof(tag), "z9hG4bK%08x.",
	    config_loop_tag(listener_conf));
	sip_iter_init(&it, msg, SIP_HDR_VIA);
	while (sip_iter_next(&it, &v) == 1)
		if (sip_via_parse(v.s, SIP_STR_END(&v), &via) == 0 &&
		    via.via_branch.len > len &&
		    memcmp(via.via_branch.s, tag, len) == 0)
			return (1);
	return (0);
}

static unsigned int
inbound_max_forwards(const struct sip_msg *msg)
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
inbound_hops(const struct sip_msg *msg)
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
 * another domain is its server is inbound_check()'s to say.
 */
int
inbound_refused(const struct sip_msg *msg, const struct sip_peer *peer,
    const char *todom, const char *fromdom)
{
	int	to_ours = config_find_domain(listener_conf, todom) != NULL;
	int	from_ours = config_find_domain(listener_conf, fromdom) != NULL;

	if (inbound_is_loop(msg))
		sip_reply(peer, msg, 482, "Loop Detected", NULL);
	else if (inbound_max_forwards(msg) == 0)
		sip_reply(peer, msg, 483, "Too Many Hops", NULL);
	else if (!to_ours && !from_ours)
		sip_reply(peer, msg, 403, "Relaying Denied", NULL);
	else if (from_ours && inbound_hops(msg) > 1)
		sip_reply(peer, msg, 403, "Local Sender From Outside", NULL);
	else
		return (0);
	return (1);
}

/* Does the host of a domain's route send this? (Its port is its own.) */
static int
inbound_from_route(const struct sip_peer *peer, const char *domain)
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
inbound_from_stranger(const struct sip_req *rq)
{
	const char	*at = strchr(rq->rq_aor, '@');

	if (at == NULL || config_find_domain(listener_conf, at + 1) != NULL ||
	    listener_conf->c_inbound != INBOUND_ANY)
		return (0);
	return (!inbound_from_route(&rq->rq_peer, at + 1));
}

/*
 * inbound tls-verified: the request came over TLS, the certificate the
 * peer showed verified against our CA file, and it names the domain of
 * the From (RFC 5922 7.1: subjectAltName, or the CN without one; 7.2:
 * never by a wildcard).
 */
int
inbound_tls_allowed(const struct sip_peer *peer, const char *fromdom)
{
	struct conn	*c;
	X509		*cert;
	int		 ok;

	if (listener_conf->c_inbound == INBOUND_ANY)
		return (1);
	/* xmppd vouches: the From is of its stream's authenticated domain. */
	if (peer->sp_xmpp != 0)
		return (1);
	/* The worker holding the connection checked it (worker.c). */
	if (peer->sp_tls_from)
		return (1);
	if (peer->sp_transport != TRANSPORT_TLS ||
	    (c = conn_find(peer->sp_conn_id)) == NULL || c->cn_ssl == NULL ||
	    SSL_get_verify_result(c->cn_ssl) != X509_V_OK ||
	    (cert = SSL_get1_peer_certificate(c->cn_ssl)) == NULL)
		return (0);
	ok = X509_check_host(cert, fromdom, strlen(fromdom),
	    X509_CHECK_FLAG_NO_WILDCARDS, NULL) == 1;
	X509_free(cert);
	return (ok);
}

static void
inbound_refuse(struct sip_req *rq, const char *domain, const char *why)
{
	char		host[NI_MAXHOST];
	uint16_t	port;

	sip_peer_addr(&rq->rq_peer, host, sizeof(host), &port);
	if (refusal_note(STAT_REFUSED_INBOUND, host))
		log_info("inbound: %s:%u claims %s: %s, refused", host, port,
		    domain, why);
	req_reply(rq, 403, INBOUND_REFUSED, NULL);
}

static void
inbound_ask_relayd(struct sip_req *rq, const char *domain)
{
	struct imsgev	*relayd = proc_peer(PROC_RELAYD);
	struct ibuf	*buf;
	char		 host[NI_MAXHOST];
	uint16_t	 port;

	sip_peer_addr(&rq->rq_peer, host, sizeof(host), &port);
	if ((buf = imsgev_create(relayd, IMSG_RELAY_VERIFY, rq->rq_id,
	    IMD_DOMAIN_MAX + sizeof(host))) == NULL ||
	    ibuf_add_str(buf, domain, IMD_DOMAIN_MAX) == -1 ||
	    ibuf_add_str(buf, host, sizeof(host)) == -1 ||
	    imsgev_close(relayd, buf) == -1)
		fatal("%s", __func__);
}

/*
 * May rq's sender speak for domain?  1: yes, go on now; 0: rq is
 * answered, or held until relayd tells, and then next(rq) runs.
 */
int
inbound_check(struct sip_req *rq, const char *domain,
    void (*next)(struct sip_req *))
{
	if (listener_conf->c_inbound == INBOUND_ANY)
		return (1);
	if (inbound_tls_allowed(&rq->rq_peer, domain))
		return (1);
	if (listener_conf->c_inbound == INBOUND_TLS_VERIFIED) {
		inbound_refuse(rq, domain, "no TLS certificate naming it");
		return (0);
	}
	if (strlcpy(rq->rq_server, domain, sizeof(rq->rq_server)) >=
	    sizeof(rq->rq_server)) {
		inbound_refuse(rq, "?", "domain too long");
		return (0);
	}
	rq->rq_authed = next;
	rq->rq_deadline = time(NULL) + INBOUND_WAIT;
	inbound_ask_relayd(rq, domain);
	return (0);
}

/* IMSG_RELAY_VERIFIED: u32 enum inbound_verdict. */
void
inbound_verified(struct imsgev *iev, struct imsg *imsg)
{
	struct sip_req	*rq;
	uint32_t	 verdict;

	imsg_get_u32(imsg, &verdict);
	if (imsg_get_end(imsg) == -1 || verdict > INBOUND_BUSY)
		proc_fatal_imsg(iev, imsg, "verified");
	if ((rq = req_find(imsg->hdr.ih_peerid)) == NULL) {
		log_debug("inbound: verdict for a request that is gone");
		return;
	}
	switch (verdict) {
	case INBOUND_YES:
		rq->rq_deadline = time(NULL) + INBOUND_THEN;
		rq->rq_authed(rq);
		break;
	case INBOUND_BUSY:
		req_reply(rq, 503, "Server Verification Busy",
		    "Retry-After: 5\r\n");
		break;
	default:
		inbound_refuse(rq, rq->rq_server,
		    "not an address of its route or DNS");
	}
}

/*
 * An admitted MESSAGE or SUBSCRIBE from another domain: its method's
 * entry runs again and inbound_hold() gives it this request.  When
 * the entry answered it without holding (nothing it checked can have
 * changed, but the presentity may be gone), the held copy is dropped.
 */
static void
inbound_admit(struct sip_req *rq)
{
	inbound_resuming = rq;
	rq->rq_resume(&rq->rq_msg, &rq->rq_peer);
	if (inbound_resuming == rq) {
		inbound_resuming = NULL;
		if (rq->rq_tx != NULL)
			tx_final(rq->rq_tx, NULL, 0);
		req_release(rq);
	}
}

/* The request being admitted, when msg is its copy; else NULL. */
static struct sip_req *
inbound_resumed(const struct sip_msg *msg)
{
	struct sip_req	*rq = inbound_resuming;

	if (rq == NULL || msg != &rq->rq_msg)
		return (NULL);
	inbound_resuming = NULL;
	return (rq);
}

/*
 * A request for to (of todom) held, once From reads and the inbound
 * rules let it in; the sender's domain into fromdom.  NULL when it was
 * answered instead, or is held until relayd says whether its sender is
 * a server of fromdom: then it comes here again, through entry, its
 * method's, which inbound_admit() calls.
 */
struct sip_req *
inbound_hold(const struct sip_msg *msg, const struct sip_peer *peer,
    const char *to, const char *todom, char *fromdom,
    void (*entry)(const struct sip_msg *, const struct sip_peer *))
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
		rq->rq_resume = entry;
		if (config_find_domain(listener_conf, fromdom) == NULL &&
		    !inbound_check(rq, fromdom, inbound_admit))
			return (NULL);
	}
	strlcpy(rq->rq_to, to, sizeof(rq->rq_to));
	strlcpy(rq->rq_aor, from, sizeof(rq->rq_aor));
	return (rq);
}

/*
 * A MESSAGE or an INVITE for the user its Request-URI names, held as
 * inbound_hold() says; 416 for a URI that names no user.
 */
struct sip_req *
inbound_hold_ruri(const struct sip_msg *msg, const struct sip_peer *peer,
    char *fromdom, void (*entry)(const struct sip_msg *,
    const struct sip_peer *))
{
	char	to[IMD_ADDRESS_MAX], todom[IMD_DOMAIN_MAX];

	if (uri_address(&msg->msg_ruri, to, sizeof(to), todom,
	    sizeof(todom)) == -1) {
		sip_reply(peer, msg, 416, "Unsupported URI Scheme", NULL);
		return (NULL);
	}
	return (inbound_hold(msg, peer, to, todom, fromdom, entry));
}

/*
 * Where a held request goes on: from another domain (its server passed
 * the inbound policy) to ours() at once; from one of our users after
 * digest authentication (407), to ours() for a user of ours, else to
 * abroad().
 */
void
inbound_route(struct sip_req *rq, const char *fromdom,
    void (*ours)(struct sip_req *), void (*abroad)(struct sip_req *))
{
	if (config_find_domain(listener_conf, fromdom) == NULL) {
		ours(rq);
		return;
	}
	rq->rq_proxy = 1;
	rq->rq_authed = config_find_domain(listener_conf,
	    strchr(rq->rq_to, '@') + 1) != NULL ? ours : abroad;
	auth_start(rq, fromdom);
}
