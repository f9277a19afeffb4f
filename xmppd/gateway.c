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
 * The gateway between SIP and XMPP for messages (RFC 7572), with the
 * addresses of RFC 7247: a JID's localpart is unescaped (XEP-0106) and
 * must then be an address imd can hold; a SIP user part is escaped
 * into a JID.  The resource of a full JID is not carried into SIP.
 * Error codes both ways follow RFC 7247 section 8 (the tables below).
 *
 * SIP to XMPP: relayd hands over a MESSAGE for an XMPP domain; it
 * leaves as <message type='chat'/> from our user's bare JID.
 * XMPP to SIP: a <message/> with a body, from the stream's
 * authenticated domain, enters the listener as a MESSAGE from that
 * address; a final response of 300 or more goes back as an error
 * stanza.
 */

#include <sys/types.h>

#include <ctype.h>
#include <event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cdefs.h"
#include "imd_msg.h"
#include "log.h"
#include "proc.h"
#include "sip.h"
#include "user.h"
#include "xmppd.h"

#define GW_PENDING_MAX	4096	/* stanzas the listener is answering */
#define GW_PENDING_S	64	/* past any transaction's end */
#define GW_REQ_EXTRA	1024	/* the SIP request's header lines */
#define GW_JID_MAX	(3 * IMD_ADDRESS_MAX)

/* A stanza the listener answers: where an error must go. */
struct gw_pending {
	TAILQ_ENTRY(gw_pending)	 gp_entry;
	uint32_t		 gp_id;
	char			 gp_local[IMD_DOMAIN_MAX];
	char			 gp_remote[IMD_DOMAIN_MAX];
	char			 gp_from[GW_JID_MAX];	/* the sender's JID */
	char			 gp_to[GW_JID_MAX];
	char			 gp_sid[128];	/* the stanza's id */
	int			 gp_presence;	/* a subscription request */
	int			 gp_notify;	/* a NOTIFY of watch.c */
	struct event		 gp_timer;
};

static TAILQ_HEAD(, gw_pending) pendings = TAILQ_HEAD_INITIALIZER(pendings);
static size_t			npendings;
static uint32_t			gw_ids;

/* Never 0: the listener's peer id 0 is no stanza. */
static uint32_t
gw_next_id(void)
{
	if (++gw_ids == 0)
		gw_ids = 1;
	return (gw_ids);
}

/* RFC 7247 8.1: XMPP error conditions to SIP responses. */
static const struct {
	const char	*cond;
	unsigned int	 status;
} xmpp_to_sip[] = {
	{ "bad-request", 400 },
	{ "conflict", 400 },
	{ "feature-not-implemented", 405 },
	{ "forbidden", 403 },
	{ "gone", 410 },
	{ "internal-server-error", 500 },
	{ "item-not-found", 404 },
	{ "jid-malformed", 400 },
	{ "not-acceptable", 406 },
	{ "not-allowed", 403 },
	{ "not-authorized", 401 },
	{ "policy-violation", 403 },
	{ "recipient-unavailable", 480 },
	{ "redirect", 302 },
	{ "registration-required", 400 },
	{ "remote-server-not-found", 404 },
	{ "remote-server-timeout", 408 },
	{ "resource-constraint", 500 },
	{ "service-unavailable", 503 },
	{ "subscription-required", 400 },
	{ "undefined-condition", 400 },
	{ "unexpected-request", 500 },
};

/* RFC 7247 8.2: SIP responses to XMPP error conditions and types. */
static const struct {
	unsigned int	 status;
	const char	*cond;
	const char	*type;
} sip_to_xmpp[] = {
	{ 400, "bad-request", "modify" },
	{ 401, "not-authorized", "auth" },
	{ 402, "payment-required", "auth" },
	{ 403, "forbidden", "auth" },
	{ 404, "item-not-found", "cancel" },
	{ 405, "not-allowed", "cancel" },
	{ 406, "not-acceptable", "modify" },
	{ 407, "registration-required", "auth" },
	{ 408, "remote-server-timeout", "wait" },
	{ 410, "gone", "modify" },
	{ 413, "policy-violation", "modify" },
	{ 414, "jid-malformed", "modify" },
	{ 415, "bad-request", "modify" },
	{ 416, "jid-malformed", "modify" },
	{ 420, "feature-not-implemented", "cancel" },
	{ 421, "not-acceptable", "modify" },
	{ 423, "resource-constraint", "wait" },
	{ 480, "recipient-unavailable", "wait" },
	{ 481, "item-not-found", "cancel" },
	{ 482, "not-acceptable", "cancel" },
	{ 483, "not-acceptable", "cancel" },
	{ 484, "item-not-found", "cancel" },
	{ 485, "item-not-found", "cancel" },
	{ 486, "recipient-unavailable", "wait" },
	{ 488, "not-acceptable", "cancel" },
	{ 493, "bad-request", "modify" },
	{ 500, "internal-server-error", "wait" },
	{ 501, "feature-not-implemented", "cancel" },
	{ 502, "remote-server-not-found", "cancel" },
	{ 503, "service-unavailable", "cancel" },
	{ 504, "remote-server-timeout", "wait" },
	{ 505, "not-acceptable", "cancel" },
	{ 513, "policy-violation", "modify" },
	{ 600, "service-unavailable", "cancel" },
	{ 603, "service-unavailable", "cancel" },
	{ 604, "item-not-found", "cancel" },
	{ 606, "not-acceptable", "cancel" },
};

#define NELEMS(a)	(sizeof(a) / sizeof((a)[0]))

unsigned int
xmpp_error_to_sip(const char *cond)
{
	size_t	i;

	for (i = 0; i < NELEMS(xmpp_to_sip); i++)
		if (strcmp(xmpp_to_sip[i].cond, cond) == 0)
			return (xmpp_to_sip[i].status);
	return (400);	/* undefined-condition */
}

/* The condition for a SIP status, its type in *type. */
const char *
sip_to_xmpp_error(unsigned int status, const char **type)
{
	size_t	i;

	for (i = 0; i < NELEMS(sip_to_xmpp); i++) {
		if (sip_to_xmpp[i].status == status) {
			*type = sip_to_xmpp[i].type;
			return (sip_to_xmpp[i].cond);
		}
	}
	*type = status >= 500 ? "wait" : "cancel";
	return (status >= 500 && status < 600 ? "internal-server-error" :
	    status >= 300 && status < 400 ? "redirect" :
	    "service-unavailable");
}

/* XEP-0106 escapes, in the order of the specification. */
static const struct {
	char		 c;
	const char	*esc;
} jid_escapes[] = {
	{ ' ', "\\20" }, { '"', "\\22" }, { '&', "\\26" }, { '\'', "\\27" },
	{ '/', "\\2f" }, { ':', "\\3a" }, { '<', "\\3c" }, { '>', "\\3e" },
	{ '@', "\\40" }, { '\\', "\\5c" },
};

/* A SIP user (escapes decoded) as a JID localpart; length, as snprintf. */
size_t
jid_escape(char *out, size_t size, const char *user, size_t len)
{
	size_t		 i, j, n = 0;
	const char	*rep;
	char		 one[2] = { 0, 0 };

	for (i = 0; i < len; i++) {
		one[0] = user[i];
		rep = one;
		for (j = 0; j < NELEMS(jid_escapes); j++)
			if (jid_escapes[j].c == user[i])
				rep = jid_escapes[j].esc;
		if (n + strlen(rep) < size)
			memcpy(out + n, rep, strlen(rep));
		n += strlen(rep);
	}
	if (size > 0)
		out[n < size ? n : size - 1] = '\0';
	return (n);
}

static int
jid_unescape(const char *s, size_t len, char *out, size_t size)
{
	size_t	i, j, n = 0;
	int	hit;

	for (i = 0; i < len; i++) {
		hit = 0;
		for (j = 0; j < NELEMS(jid_escapes) && s[i] == '\\'; j++) {
			if (len - i >= 3 && strncasecmp(s + i,
			    jid_escapes[j].esc, 3) == 0) {
				if (n + 1 >= size)
					return (-1);
				out[n++] = jid_escapes[j].c;
				i += 2;
				hit = 1;
				break;
			}
		}
		if (hit)
			continue;
		if (n + 1 >= size)
			return (-1);
		out[n++] = s[i];
	}
	out[n] = '\0';
	return (0);
}

/*
 * A JID as an imd address: the bare JID, its localpart unescaped and
 * lower case; -1 when there is none (a domain JID) or it is not an
 * address imd can hold, which RFC 7247 calls unmappable.
 */
int
jid_to_address(const char *jid, char *addr, size_t size)
{
	const char	*at, *slash;
	char		 local[IMD_LOCALPART_MAX];
	size_t		 dlen;

	slash = strchr(jid, '/');
	dlen = slash != NULL ? (size_t)(slash - jid) : strlen(jid);
	if ((at = memchr(jid, '@', dlen)) == NULL || at == jid)
		return (-1);
	if (jid_unescape(jid, at - jid, local, sizeof(local)) == -1)
		return (-1);
	if ((size_t)snprintf(addr, size, "%s@%.*s", local,
	    (int)(dlen - (at - jid) - 1), at + 1) >= size)
		return (-1);
	return (address_lower(addr));
}

int
is_utf8(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n, k;
	uint32_t		 cp;

	while (i < len) {
		if (p[i] < 0x80) {
			if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
			    p[i] != '\r')
				return (0);	/* not an XML character */
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = p[i] & 0x1f;
		} else if ((p[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = p[i] & 0x0f;
		} else if ((p[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = p[i] & 0x07;
		} else
			return (0);
		if (len - i <= n)
			return (0);
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return (0);
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe ||
		    cp == 0xffff)
			return (0);
		i += n + 1;
	}
	return (1);
}

/* The address of a From or To, with its user part as received. */
int
gateway_hdr_uri(const struct sip_msg *msg, int id, char *user,
    size_t usize, size_t *ulen, char *domain, size_t dsize)
{
	const struct sip_hdr	*h = sip_hdr_first(msg, (enum sip_hdr_id)id);
	struct sip_addr		 a;

	if (h == NULL || sip_addr_parse(h->hdr_value.s,
	    SIP_STR_END(&h->hdr_value), &a) == -1 ||
	    (a.addr_uri.uri_scheme != SIP_SCHEME_SIP &&
	    a.addr_uri.uri_scheme != SIP_SCHEME_SIPS) ||
	    sip_str_unescape(&a.addr_uri.uri_user, user, usize, ulen) == -1 ||
	    *ulen == 0 || a.addr_uri.uri_host.len >= dsize)
		return (-1);
	memcpy(domain, a.addr_uri.uri_host.s, a.addr_uri.uri_host.len);
	domain[a.addr_uri.uri_host.len] = '\0';
	for (char *p = domain; *p != '\0'; p++)
		*p = tolower((unsigned char)*p);
	return (0);
}

static int
gw_is_text_plain(const struct sip_msg *msg)
{
	const struct sip_hdr	*h = sip_hdr_first(msg, SIP_HDR_CONTENT_TYPE);
	struct sip_ctype	 ct;

	return (h != NULL && sip_ctype_parse(h->hdr_value.s,
	    SIP_STR_END(&h->hdr_value), &ct) == 0 &&
	    sip_str_is_ci(&ct.ct_type, "text") &&
	    sip_str_is_ci(&ct.ct_subtype, "plain"));
}

void
gateway_answer(uint32_t job, unsigned int status, const char *reason)
{
	struct imsgev	*relayd = proc_peer(PROC_RELAYD);
	struct ibuf	*buf;

	if ((buf = imsgev_create(relayd, IMSG_XMPP_SENT, job, 80)) == NULL ||
	    ibuf_add_u32(buf, status) == -1 ||
	    ibuf_add_str(buf, reason, 64) == -1 ||
	    imsgev_close(relayd, buf) == -1)
		fatal("%s", __func__);
}

/* A SIP MESSAGE of our user as <message/>, into s2s_out_send(). */
static void
gw_sip_message(uint32_t job, const struct sip_msg *msg)
{
	char	 fuser[IMD_LOCALPART_MAX], fdom[IMD_DOMAIN_MAX];
	char	 tuser[IMD_LOCALPART_MAX], tdom[IMD_DOMAIN_MAX];
	char	 fjid[GW_JID_MAX], tjid[GW_JID_MAX], id[40], *text, *body;
	size_t	 flen, tlen, blen, n;
	uint32_t r = arc4random();

	if (gateway_hdr_uri(msg, SIP_HDR_FROM, fuser, sizeof(fuser), &flen, fdom,
	    sizeof(fdom)) == -1 || !xmppd_is_ours(fdom) ||
	    gateway_hdr_uri(msg, SIP_HDR_TO, tuser, sizeof(tuser), &tlen, tdom,
	    sizeof(tdom)) == -1) {
		gateway_answer(job, 416, "Address Not Mappable To XMPP");
		return;
	}
	if (!gw_is_text_plain(msg)) {
		gateway_answer(job, 415, "Only text/plain Goes To XMPP");
		return;
	}
	if (!is_utf8(msg->msg_body.s, msg->msg_body.len)) {
		gateway_answer(job, 400, "Body Is Not UTF-8 Text");
		return;
	}
	if (jid_escape(fjid, sizeof(fjid), fuser, flen) >= sizeof(fjid) ||
	    jid_escape(tjid, sizeof(tjid), tuser, tlen) >= sizeof(tjid)) {
		gateway_answer(job, 416, "Address Not Mappable To XMPP");
		return;
	}
	blen = 6 * msg->msg_body.len + 1;
	n = blen + 4 * GW_JID_MAX + 2 * IMD_DOMAIN_MAX + 256;
	if ((body = malloc(blen)) == NULL || (text = malloc(n)) == NULL) {
		free(body);
		gateway_answer(job, 500, "Out Of Memory");
		return;
	}
	xml_escape(body, blen, msg->msg_body.s, msg->msg_body.len);
	snprintf(id, sizeof(id), "imd-%08x-%u", r, job);
	n = snprintf(text, n, "<message from='%s@%s' to='%s@%s' type='chat' "
	    "id='%s'><body>%s</body></message>", fjid, fdom, tjid, tdom, id,
	    body);
	free(body);
	if (s2s_out_send(fdom, tdom, text, n, job, id) == -1)
		gateway_answer(job, 503, "XMPP Service Busy");
	free(text);
}

/* IMSG_XMPP_SEND: str domain, u32 length, the request. */
void
gateway_sip_request(struct imsgev *iev, struct imsg *imsg)
{
	static struct sip_msg	 msg;
	struct sip_limits	 lim;
	struct sip_err		 err;
	char			 domain[IMD_DOMAIN_MAX], *req;
	uint32_t		 len, job = imsg->hdr.ih_peerid;

	imsg_get_str(imsg, domain, sizeof(domain));
	imsg_get_u32(imsg, &len);
	if (imsg_get_error(imsg) == -1 || len == 0 ||
	    len > imsg->len - imsg->off)
		proc_fatal_imsg(iev, imsg, "xmpp send");
	if ((req = malloc(len)) == NULL) {
		gateway_answer(job, 500, "Out Of Memory");
		return;
	}
	imsg_get_data(imsg, req, len);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "xmpp send");
	sip_limits_default(&lim);
	if (sip_parse(&msg, req, len, &lim, 0, &err) == -1)
		gateway_answer(job, 500, "Unparsable Request");
	else if (msg.msg_method == SIP_METHOD_MESSAGE)
		gw_sip_message(job, &msg);
	else if (msg.msg_method == SIP_METHOD_NOTIFY)
		gateway_answer(job, presence_notify(&msg), "OK");
	else if (msg.msg_method == SIP_METHOD_SUBSCRIBE)
		gateway_answer(job, watch_subscribe(&msg), "Subscription");
	else
		gateway_answer(job, 501, "Not Implemented For XMPP");
	free(req);
}

static void
gw_pending_free(struct gw_pending *gp)
{
	evtimer_del(&gp->gp_timer);
	TAILQ_REMOVE(&pendings, gp, gp_entry);
	npendings--;
	free(gp);
}

static void
gw_pending_expire(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	gw_pending_free(arg);
}

/* An error stanza back to the sender of a stanza, over our stream. */
static void
gw_stanza_error(const char *local, const char *remote, const char *from,
    const char *to, const char *sid, const char *cond, const char *type)
{
	char	 text[4 * GW_JID_MAX + 512], eid[3 * 128], efrom[3 * GW_JID_MAX];
	char	 eto[3 * GW_JID_MAX];
	int	 n;

	if (xml_escape(eid, sizeof(eid), sid, strlen(sid)) >= sizeof(eid))
		eid[0] = '\0';		/* an id too long to echo */
	if (xml_escape(efrom, sizeof(efrom), from, strlen(from)) >=
	    sizeof(efrom) || xml_escape(eto, sizeof(eto), to, strlen(to)) >=
	    sizeof(eto))
		return;
	n = snprintf(text, sizeof(text), "<message type='error' from='%s' "
	    "to='%s'%s%s%s><error type='%s'><%s xmlns='" XMPP_NS_STANZAS
	    "'/></error></message>", eto, efrom, eid[0] != '\0' ? " id='" :
	    "", eid, eid[0] != '\0' ? "'" : "", type, cond);
	if (n < 0 || (size_t)n >= sizeof(text) ||
	    s2s_out_send(local, remote, text, n, 0, "") == -1)
		log_info("xmpp: error stanza for %s not sent", from);
}

/* The SIP request for a stanza: bounded, From the sender's address. */
static char *
gw_sip_for(const char *from, const char *to, const struct xnode *body,
    uint32_t id, size_t *lenp)
{
	size_t	 size = body->xn_textlen + GW_REQ_EXTRA + 4 * IMD_ADDRESS_MAX;
	char	*req;
	int	 n;

	if ((req = malloc(size)) == NULL)
		return (NULL);
	n = snprintf(req, size,
	    "MESSAGE sip:%s SIP/2.0\r\n"
	    "Via: SIP/2.0/TCP xmppd.invalid;branch=z9hG4bK-xmpp-%08x-%u\r\n"
	    "Max-Forwards: 70\r\n"
	    "From: <sip:%s>;tag=x%08x\r\n"
	    "To: <sip:%s>\r\n"
	    "Call-ID: xmpp-%08x-%u@xmppd.invalid\r\n"
	    "CSeq: 1 MESSAGE\r\n"
	    "Content-Type: text/plain;charset=UTF-8\r\n"
	    "Content-Length: %zu\r\n\r\n",
	    to, arc4random(), id, from, arc4random(), to, arc4random(), id,
	    body->xn_textlen);
	if (n < 0 || (size_t)n + body->xn_textlen > size) {
		free(req);
		return (NULL);
	}
	memcpy(req + n, body->xn_text, body->xn_textlen);
	*lenp = n + body->xn_textlen;
	return (req);
}

/* A filled pending record, kept; its request goes to the listener. */
/*
 * It goes to the listener worker that owns the address the request is
 * about (a presentity's subscriptions live there; any worker takes a
 * MESSAGE): the bare JID, before any resource.
 */
static struct imsgev *
gw_listener_for(const char *jid)
{
	char	bare[IMD_ADDRESS_MAX];

	strlcpy(bare, jid, sizeof(bare));
	bare[strcspn(bare, "/")] = '\0';
	return (proc_worker_peer(proc_worker_of(bare)));
}

static void
gw_pending_send(struct gw_pending *gp, const char *owner, const char *req,
    size_t len)
{
	struct imsgev	*listener = gw_listener_for(owner);
	struct timeval	 tv = { GW_PENDING_S, 0 };
	struct ibuf	*buf;

	gp->gp_id = gw_next_id();
	evtimer_set(&gp->gp_timer, gw_pending_expire, gp);
	evtimer_add(&gp->gp_timer, &tv);
	TAILQ_INSERT_TAIL(&pendings, gp, gp_entry);
	npendings++;
	if ((buf = imsgev_create(listener, IMSG_XMPP_REQUEST, gp->gp_id,
	    len)) == NULL || ibuf_add_data(buf, req, len) == -1 ||
	    imsgev_close(listener, buf) == -1)
		fatal("%s", __func__);
}

static struct gw_pending *
gw_pending_new(size_t len)
{
	if (npendings >= GW_PENDING_MAX || len > IMSG_PAYLOAD_MAX - 64)
		return (NULL);
	return (calloc(1, sizeof(struct gw_pending)));
}

/*
 * A SIP request for the listener, standing for a stanza of xs: an
 * error for it goes back to jfrom (presence: a refused subscription).
 */
void
gateway_to_listener(struct xstream *xs, const char *req, size_t len,
    const char *jfrom, const char *jto, const char *sid, int presence)
{
	struct gw_pending	*gp;

	if ((gp = gw_pending_new(len)) == NULL) {
		if (!presence)
			gw_stanza_error(xs->xs_local, xs->xs_remote, jfrom,
			    jto, sid, "resource-constraint", "wait");
		return;
	}
	gp->gp_presence = presence;
	strlcpy(gp->gp_local, xs->xs_local, sizeof(gp->gp_local));
	strlcpy(gp->gp_remote, xs->xs_remote, sizeof(gp->gp_remote));
	strlcpy(gp->gp_from, jfrom, sizeof(gp->gp_from));
	strlcpy(gp->gp_to, jto, sizeof(gp->gp_to));
	strlcpy(gp->gp_sid, sid, sizeof(gp->gp_sid));
	gw_pending_send(gp, jto, req, len);
}

/* A NOTIFY of a dialog xmppd serves (watch.c): its answer is dropped. */
void
gateway_notify(const char *local, const char *remote, const char *req,
    size_t len)
{
	struct gw_pending	*gp;

	if ((gp = gw_pending_new(len)) == NULL)
		return;
	gp->gp_notify = 1;
	strlcpy(gp->gp_local, local, sizeof(gp->gp_local));
	strlcpy(gp->gp_remote, remote, sizeof(gp->gp_remote));
	gw_pending_send(gp, remote, req, len);
}

static void
gw_to_listener(struct xstream *xs, const char *from, const char *to,
    const char *jfrom, const char *jto, const char *sid,
    const struct xnode *body)
{
	char	*req;
	size_t	 len;

	if ((req = gw_sip_for(from, to, body, gw_ids + 1, &len)) == NULL) {
		gw_stanza_error(xs->xs_local, xs->xs_remote, jfrom, jto, sid,
		    "policy-violation", "modify");
		return;
	}
	gateway_to_listener(xs, req, len, jfrom, jto, sid, 0);
	free(req);
}

/* The domain of a JID: after the @, before the /. */
static int
jid_domain(const char *jid, char *out, size_t size)
{
	const char	*at = strchr(jid, '@'), *d = at != NULL ? at + 1 : jid;
	size_t		 len = strcspn(d, "/");

	if (len == 0 || len >= size)
		return (-1);
	for (size_t i = 0; i < len; i++)
		out[i] = tolower((unsigned char)d[i]);
	out[len] = '\0';
	return (0);
}

/*
 * An IQ get or set must have an answer (RFC 6120 8.2.3): the gateway
 * serves none, so <service-unavailable/>; results and errors end here.
 */
static void
gw_iq(struct xstream *xs, const char *from, const char *to,
    const char *type, const char *id)
{
	char	text[4 * GW_JID_MAX + 512], eid[3 * 128];
	char	efrom[3 * GW_JID_MAX], eto[3 * GW_JID_MAX];
	int	n;

	if (type == NULL || (strcmp(type, "get") != 0 &&
	    strcmp(type, "set") != 0))
		return;
	if (xml_escape(eid, sizeof(eid), id, strlen(id)) >= sizeof(eid) ||
	    xml_escape(efrom, sizeof(efrom), from, strlen(from)) >=
	    sizeof(efrom) || xml_escape(eto, sizeof(eto), to, strlen(to)) >=
	    sizeof(eto))
		return;
	n = snprintf(text, sizeof(text), "<iq type='error' from='%s' to='%s' "
	    "id='%s'><error type='cancel'><service-unavailable xmlns='"
	    XMPP_NS_STANZAS "'/></error></iq>", eto, efrom, eid);
	if (n > 0 && (size_t)n < sizeof(text))
		(void)s2s_out_send(xs->xs_local, xs->xs_remote, text, n, 0,
		    "");
}

/* A stanza from an authenticated peer domain. */
void
gateway_stanza(struct xstream *xs, struct xnode *n)
{
	const char	*from = xnode_attr(n, "from"), *to = xnode_attr(n, "to");
	const char	*type = xnode_attr(n, "type"), *id = xnode_attr(n, "id");
	const struct xnode *body, *err, *c;
	char		 fdom[IMD_DOMAIN_MAX], tdom[IMD_DOMAIN_MAX];
	char		 fa[IMD_ADDRESS_MAX], ta[IMD_ADDRESS_MAX];

	if (from == NULL || jid_domain(from, fdom, sizeof(fdom)) == -1 ||
	    strcmp(fdom, xs->xs_remote) != 0) {
		stream_error(xs, "invalid-from", "a stanza from another domain "
		    "than the stream's");
		return;
	}
	if (to == NULL || jid_domain(to, tdom, sizeof(tdom)) == -1 ||
	    strcmp(tdom, xs->xs_local) != 0) {
		stream_error(xs, "host-unknown", "a stanza for another domain "
		    "than the stream's");
		return;
	}
	if (id == NULL)
		id = "";
	if (xnode_is(n, XMPP_NS_SERVER, "presence")) {
		presence_stanza(xs, n, from, to);
		return;
	}
	if (xnode_is(n, XMPP_NS_SERVER, "iq")) {
		gw_iq(xs, from, to, type, id);
		return;
	}
	if (!xnode_is(n, XMPP_NS_SERVER, "message")) {
		log_debug("xmpp: %s from %s not handled", xnode_local(n), from);
		return;
	}
	if (type != NULL && strcmp(type, "error") == 0) {
		err = xnode_child(n, "error");
		c = err != NULL ? err->xn_child : NULL;
		if (s2s_out_error_for(id, from, c != NULL ?
		    xmpp_error_to_sip(xnode_local(c)) : 400, c != NULL ?
		    xnode_local(c) : "undefined-condition") == -1)
			log_debug("xmpp: error from %s for no request", from);
		return;
	}
	if (type != NULL && strcmp(type, "chat") != 0 &&
	    strcmp(type, "normal") != 0) {
		gw_stanza_error(xs->xs_local, xs->xs_remote, from, to, id,
		    "service-unavailable", "cancel");
		return;
	}
	if ((body = xnode_child(n, "body")) == NULL || body->xn_text == NULL)
		return;		/* chat states, receipts: nothing for SIP */
	if (jid_to_address(from, fa, sizeof(fa)) == -1) {
		log_info("xmpp: sender %s cannot be mapped to SIP", from);
		gw_stanza_error(xs->xs_local, xs->xs_remote, from, to, id,
		    "jid-malformed", "modify");
		return;
	}
	if (jid_to_address(to, ta, sizeof(ta)) == -1) {
		gw_stanza_error(xs->xs_local, xs->xs_remote, from, to, id,
		    "item-not-found", "cancel");
		return;
	}
	gw_to_listener(xs, fa, ta, from, to, id, body);
}

/* IMSG_XMPP_RESPONSE: u32 status, str reason. */
void
gateway_sip_response(struct imsgev *iev, struct imsg *imsg)
{
	struct gw_pending	*gp;
	const char		*cond, *type;
	char			 reason[64];
	uint32_t		 status;

	imsg_get_u32(imsg, &status);
	imsg_get_str(imsg, reason, sizeof(reason));
	if (imsg_get_end(imsg) == -1 || status < 200 || status > 699)
		proc_fatal_imsg(iev, imsg, "xmpp response");
	TAILQ_FOREACH(gp, &pendings, gp_entry)
		if (gp->gp_id == imsg->hdr.ih_peerid)
			break;
	if (gp == NULL)
		return;
	log_debug("xmpp: message %s from %s: %u %s", gp->gp_sid, gp->gp_from,
	    status, reason);
	if (gp->gp_notify)
		;		/* the listener said what became of it */
	else if (status >= 300 && gp->gp_presence)
		presence_refused(gp->gp_local, gp->gp_remote, gp->gp_to,
		    gp->gp_from);
	else if (status >= 300) {
		cond = sip_to_xmpp_error(status, &type);
		gw_stanza_error(gp->gp_local, gp->gp_remote, gp->gp_from,
		    gp->gp_to, gp->gp_sid, cond, type);
	}
	gw_pending_free(gp);
}
