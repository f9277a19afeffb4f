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
 * Presence across the gateway (RFC 8048), from the XMPP side: a
 * Jabber user's roster subscription to one of our users becomes a SIP
 * SUBSCRIBE from that user's address, which the presence agent
 * authorises as any (pending until the presentity or the administrator
 * decides, by SIP or imctl).  Its NOTIFYs reach xmppd through relayd,
 * the watcher's domain being of the XMPP network, and leave as
 * presence: the first active one as <presence type='subscribed'/>, each
 * document as <presence/> (PIDF basic closed: unavailable; RPID away,
 * busy: <show/> away, dnd; the note: <status/>); a terminated one, or
 * a SUBSCRIBE refused, as <presence type='unsubscribed'/>.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "log.h"
#include "sip.h"
#include "xmppd.h"

#define PRES_EXPIRES	86400	/* the longest presence subscription */
#define PRES_REQ_MAX	2048
#define PRES_STATUS_MAX	1024	/* bytes of <status/> text we send */
#define PRES_SUBSCRIBED_MAX 4096

/* Pairs told <presence type='subscribed'/>: told once per run. */
static char	*subscribed[PRES_SUBSCRIBED_MAX];
static size_t	 nsubscribed;

static int
pres_told(const char *pair, int add)
{
	size_t	i;

	for (i = 0; i < nsubscribed; i++)
		if (strcmp(subscribed[i], pair) == 0) {
			if (!add) {
				free(subscribed[i]);
				subscribed[i] = subscribed[--nsubscribed];
			}
			return (1);
		}
	if (add && nsubscribed < PRES_SUBSCRIBED_MAX &&
	    (subscribed[nsubscribed] = strdup(pair)) != NULL)
		nsubscribed++;
	return (0);
}

static void
pres_send(const char *local, const char *remote, const char *from,
    const char *to, const char *type, const char *inner)
{
	char	*text;
	int	 n;

	n = asprintf(&text, "<presence from='%s' to='%s'%s%s%s>%s</presence>",
	    from, to, type != NULL ? " type='" : "", type != NULL ? type : "",
	    type != NULL ? "'" : "", inner);
	if (n == -1)
		return;
	if (s2s_out_send(local, remote, text, n, 0, "") == -1)
		log_info("xmpp: presence for %s not sent", to);
	free(text);
}

/* A SUBSCRIBE refused: the Jabber user is told so. */
void
presence_refused(const char *local, const char *remote, const char *from,
    const char *to)
{
	char	bare[IMD_ADDRESS_MAX];

	if (jid_to_address(to, bare, sizeof(bare)) == -1)
		return;
	pres_send(local, remote, from, bare, "unsubscribed", "");
}

/* <presence type='subscribe'/> to one of our users: a SUBSCRIBE. */
static void
pres_subscribe(struct xstream *xs, const char *fa, const char *ta,
    const char *from, const char *to)
{
	char	req[PRES_REQ_MAX];
	int	n;

	n = snprintf(req, sizeof(req),
	    "SUBSCRIBE sip:%s SIP/2.0\r\n"
	    "Via: SIP/2.0/TCP xmppd.invalid;branch=z9hG4bK-xmpp-%08x\r\n"
	    "Max-Forwards: 70\r\n"
	    "From: <sip:%s>;tag=x%08x\r\n"
	    "To: <sip:%s>\r\n"
	    "Call-ID: xmpp-sub-%08x%08x@xmppd.invalid\r\n"
	    "CSeq: 1 SUBSCRIBE\r\n"
	    "Contact: <sip:%s>\r\n"
	    "Record-Route: <sip:xmppd.invalid;lr>\r\n"
	    "Event: presence\r\n"
	    "Accept: application/pidf+xml\r\n"
	    "Expires: %d\r\n"
	    "Content-Length: 0\r\n\r\n",
	    ta, arc4random(), fa, arc4random(), ta, arc4random(),
	    arc4random(), fa, PRES_EXPIRES);
	if (n < 0 || (size_t)n >= sizeof(req))
		return;
	log_info("xmpp: %s asks to see %s's presence", fa, ta);
	gateway_to_listener(xs, req, n, from, to, "", 1);
}

void
presence_stanza(struct xstream *xs, struct xnode *n, const char *from,
    const char *to)
{
	const char	*type = xnode_attr(n, "type");
	char		 fa[IMD_ADDRESS_MAX], ta[IMD_ADDRESS_MAX];

	if (watch_presence(from, to, n))
		return;
	if (type == NULL || strcmp(type, "subscribe") != 0) {
		log_debug("xmpp: presence %s from %s not handled",
		    type != NULL ? type : "available", from);
		return;
	}
	if (jid_to_address(from, fa, sizeof(fa)) == -1 ||
	    jid_to_address(to, ta, sizeof(ta)) == -1) {
		pres_send(xs->xs_local, xs->xs_remote, to, from,
		    "unsubscribed", "");
		return;
	}
	pres_subscribe(xs, fa, ta, from, to);
}

/* What a PIDF document says, as XMPP presence says it. */
struct pres_state {
	int	ps_open;
	char	ps_show[8];		/* "", away, dnd */
	char	ps_note[PRES_STATUS_MAX];
};

static void
pres_walk(const struct xnode *n, struct pres_state *st)
{
	const struct xnode	*c;
	const char		*l = xnode_local(n);

	if (strcmp(l, "basic") == 0 && n->xn_text != NULL &&
	    strcmp(n->xn_text, "open") == 0)
		st->ps_open = 1;
	else if (strcmp(l, "note") == 0 && n->xn_text != NULL &&
	    xml_escape(st->ps_note, sizeof(st->ps_note), n->xn_text,
	    n->xn_textlen) >= sizeof(st->ps_note))
		st->ps_note[0] = '\0';	/* too long: no status at all */
	else if (strcmp(l, "away") == 0 || strcmp(l, "vacation") == 0)
		strlcpy(st->ps_show, "away", sizeof(st->ps_show));
	else if (strcmp(l, "busy") == 0 || strcmp(l, "on-the-phone") == 0 ||
	    strcmp(l, "meeting") == 0)
		strlcpy(st->ps_show, "dnd", sizeof(st->ps_show));
	for (c = n->xn_child; c != NULL; c = c->xn_next)
		pres_walk(c, st);
}

/* The document through the stream reader: its children are stanzas. */
static int
pres_read(const char *doc, size_t len, struct pres_state *st)
{
	struct xparser	 xp;
	struct xnode	*n;
	int		 r;

	if (xparser_init(&xp, xmppd_conf->c_xmpp.x_stanza_size) == -1)
		return (-1);
	r = xparser_feed(&xp, doc, len);
	while ((n = xparser_next(&xp)) != NULL) {
		pres_walk(n, st);
		xnode_free(n);
	}
	xparser_free(&xp);
	return (r);
}

/* A NOTIFY for a watcher of the XMPP network: its SIP status. */
unsigned int
presence_notify(const struct sip_msg *msg)
{
	const struct sip_hdr	*h;
	struct pres_state	 st;
	char			 fu[IMD_LOCALPART_MAX], fd[IMD_DOMAIN_MAX];
	char			 tu[IMD_LOCALPART_MAX], td[IMD_DOMAIN_MAX];
	char			 from[IMD_ADDRESS_MAX], to[IMD_ADDRESS_MAX];
	char			 pair[2 * IMD_ADDRESS_MAX], inner[PRES_STATUS_MAX + 64];
	size_t			 fl, tl;

	if (gateway_hdr_uri(msg, SIP_HDR_FROM, fu, sizeof(fu), &fl, fd,
	    sizeof(fd)) == -1 || !xmppd_is_ours(fd) ||
	    gateway_hdr_uri(msg, SIP_HDR_TO, tu, sizeof(tu), &tl, td,
	    sizeof(td)) == -1 ||
	    (h = sip_hdr_first(msg, SIP_HDR_SUBSCRIPTION_STATE)) == NULL)
		return (400);
	snprintf(from, sizeof(from), "%.*s@%s", (int)fl, fu, fd);
	snprintf(to, sizeof(to), "%.*s@%s", (int)tl, tu, td);
	snprintf(pair, sizeof(pair), "%s %s", from, to);
	if (h->hdr_value.len >= 10 &&
	    strncasecmp(h->hdr_value.s, "terminated", 10) == 0) {
		pres_told(pair, 0);
		pres_send(fd, td, from, to, "unsubscribed", "");
		return (200);
	}
	if (h->hdr_value.len < 6 || strncasecmp(h->hdr_value.s, "active",
	    6) != 0)
		return (200);	/* pending: the presentity decides */
	if (!pres_told(pair, 1))
		pres_send(fd, td, from, to, "subscribed", "");
	if (msg->msg_body.len == 0)
		return (200);
	memset(&st, 0, sizeof(st));
	if (pres_read(msg->msg_body.s, msg->msg_body.len, &st) == -1)
		log_debug("xmpp: presence of %s: document not read whole",
		    from);
	snprintf(inner, sizeof(inner), "%s%s%s%s%s%s",
	    st.ps_show[0] != '\0' ? "<show>" : "", st.ps_show,
	    st.ps_show[0] != '\0' ? "</show>" : "",
	    st.ps_note[0] != '\0' ? "<status>" : "", st.ps_note,
	    st.ps_note[0] != '\0' ? "</status>" : "");
	pres_send(fd, td, from, to, st.ps_open ? NULL : "unavailable", inner);
	return (200);
}
