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
 * Presence across the gateway from the SIP side (RFC 8048 4): one of
 * our users subscribes to a Jabber user.  xmppd is the notifier of that
 * SIP dialog: it answers the SUBSCRIBE, sends <presence type='subscribe'/>
 * and a probe, and turns what the Jabber side says into NOTIFYs that
 * enter the listener, which takes them in the dialog it recorded when
 * the SUBSCRIBE went out (listener/dialog.c): the first NOTIFY names our
 * tag.  pending until <presence type='subscribed'/>; then each presence
 * as PIDF (available: basic open; away and xa: RPID away; dnd: busy;
 * the status: a note); <presence type='unsubscribed'/> ends the dialog
 * (terminated;reason=rejected), and so does a SUBSCRIBE with Expires 0.
 * The dialogs live here, bounded, for their Expires (at most a day).
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cdefs.h"
#include "log.h"
#include "sip.h"
#include "xmppd.h"

#define WATCH_MAX		4096	/* dialogs in all */
#define WATCH_EXPIRES_DEFAULT	3600
#define WATCH_EXPIRES_MAX	86400
#define WATCH_STR_MAX		256
#define WATCH_DOC_MAX		(4 * PRES_NOTE_MAX + 1024)
#define PRES_NOTE_MAX		512

struct watch {
	TAILQ_ENTRY(watch)	 w_entry;
	char			 w_callid[WATCH_STR_MAX];
	char			 w_their_tag[WATCH_STR_MAX];	/* watcher's */
	char			 w_our_tag[32];
	char			 w_contact[WATCH_STR_MAX];	/* R-URI */
	char			 w_watcher[IMD_ADDRESS_MAX];
	char			 w_presentity[3 * IMD_LOCALPART_MAX +
				    IMD_DOMAIN_MAX];		/* bare JID */
	char			 w_local[IMD_DOMAIN_MAX];
	char			 w_remote[IMD_DOMAIN_MAX];
	uint32_t		 w_cseq;
	time_t			 w_expires;
	int			 w_active;	/* subscribed came */
	char			 w_doc[WATCH_DOC_MAX];	/* last PIDF, or "" */
};

static TAILQ_HEAD(, watch)	watches = TAILQ_HEAD_INITIALIZER(watches);
static size_t			nwatches;

static void
watch_free(struct watch *w)
{
	TAILQ_REMOVE(&watches, w, w_entry);
	nwatches--;
	free(w);
}

static void
watch_sweep(time_t now)
{
	struct watch	*w, *next;

	for (w = TAILQ_FIRST(&watches); w != NULL; w = next) {
		next = TAILQ_NEXT(w, w_entry);
		if (w->w_expires < now)
			watch_free(w);
	}
}

static int
hdr_copy(const struct sip_msg *msg, enum sip_hdr_id id, char *buf,
    size_t size)
{
	const struct sip_hdr	*h = sip_hdr_first(msg, id);

	if (h == NULL || h->hdr_value.len == 0 || h->hdr_value.len >= size)
		return (-1);
	memcpy(buf, h->hdr_value.s, h->hdr_value.len);
	buf[h->hdr_value.len] = '\0';
	return (0);
}

/* The tag of From into buf. */
static int
from_tag(const struct sip_msg *msg, char *buf, size_t size)
{
	const struct sip_hdr	*h = sip_hdr_first(msg, SIP_HDR_FROM);
	struct sip_addr		 a;

	if (h == NULL || sip_addr_parse(h->hdr_value.s,
	    SIP_STR_END(&h->hdr_value), &a) == -1 || a.addr_tag.len == 0 ||
	    a.addr_tag.len >= size)
		return (-1);
	memcpy(buf, a.addr_tag.s, a.addr_tag.len);
	buf[a.addr_tag.len] = '\0';
	return (0);
}

static int
contact_uri(const struct sip_msg *msg, char *buf, size_t size)
{
	const struct sip_hdr	*h = sip_hdr_first(msg, SIP_HDR_CONTACT);
	struct sip_addr		 a;

	if (h == NULL || sip_contact_parse(h->hdr_value.s,
	    SIP_STR_END(&h->hdr_value), &a) == -1 || a.addr_star ||
	    a.addr_uri_str.len == 0 || a.addr_uri_str.len >= size)
		return (-1);
	memcpy(buf, a.addr_uri_str.s, a.addr_uri_str.len);
	buf[a.addr_uri_str.len] = '\0';
	return (0);
}

static struct watch *
watch_find(const char *callid, const char *tag)
{
	struct watch	*w;

	TAILQ_FOREACH(w, &watches, w_entry)
		if (strcmp(w->w_callid, callid) == 0 &&
		    strcmp(w->w_their_tag, tag) == 0)
			return (w);
	return (NULL);
}

/* One NOTIFY of w's dialog into the listener. */
static void
watch_notify(struct watch *w, const char *state)
{
	char	req[WATCH_DOC_MAX + 2048];
	int	n;
	size_t	blen = strlen(w->w_doc);
	int	body = strncmp(state, "active", 6) == 0 && blen > 0;

	n = snprintf(req, sizeof(req),
	    "NOTIFY %s SIP/2.0\r\n"
	    "Via: SIP/2.0/TCP xmppd.invalid;branch=z9hG4bK-xmpp-%08x\r\n"
	    "Max-Forwards: 70\r\n"
	    "From: <sip:%s>;tag=%s\r\n"
	    "To: <sip:%s>;tag=%s\r\n"
	    "Call-ID: %s\r\n"
	    "CSeq: %u NOTIFY\r\n"
	    "Contact: <sip:%s>\r\n"
	    "Event: presence\r\n"
	    "Subscription-State: %s\r\n"
	    "%s"
	    "Content-Length: %zu\r\n\r\n%s",
	    w->w_contact, arc4random(), w->w_presentity, w->w_our_tag,
	    w->w_watcher, w->w_their_tag, w->w_callid, ++w->w_cseq,
	    w->w_presentity, state, body ?
	    "Content-Type: application/pidf+xml\r\n" : "", body ? blen : 0,
	    body ? w->w_doc : "");
	if (n < 0 || (size_t)n >= sizeof(req))
		return;
	gateway_notify(w->w_local, w->w_remote, req, n);
}

static void
watch_notify_state(struct watch *w)
{
	char	state[64];

	snprintf(state, sizeof(state), "%s;expires=%lld", w->w_active ?
	    "active" : "pending", (long long)(w->w_expires - time(NULL)));
	watch_notify(w, state);
}

static void
watch_presence_out(struct watch *w, const char *type)
{
	char	text[3 * IMD_ADDRESS_MAX];
	int	n;

	n = snprintf(text, sizeof(text), "<presence from='%s' to='%s' "
	    "type='%s'/>", w->w_watcher, w->w_presentity, type);
	if (n > 0 && (size_t)n < sizeof(text) &&
	    s2s_out_send(w->w_local, w->w_remote, text, n, 0, "") == -1)
		log_info("xmpp: presence %s for %s not sent", type,
		    w->w_presentity);
}

/* A SUBSCRIBE of one of our users for a Jabber user: its SIP status. */
unsigned int
watch_subscribe(const struct sip_msg *msg)
{
	const struct sip_hdr	*h;
	struct watch		*w, key;
	char			 fu[IMD_LOCALPART_MAX], fd[IMD_DOMAIN_MAX];
	char			 tu[IMD_LOCALPART_MAX], td[IMD_DOMAIN_MAX];
	char			 jid[3 * IMD_LOCALPART_MAX];
	size_t			 fl, tl;
	uint32_t		 secs = WATCH_EXPIRES_DEFAULT;
	time_t			 now = time(NULL);

	memset(&key, 0, sizeof(key));
	if ((h = sip_hdr_first(msg, SIP_HDR_EVENT)) == NULL ||
	    h->hdr_value.len < 8 || strncasecmp(h->hdr_value.s, "presence",
	    8) != 0 || (h->hdr_value.len > 8 && h->hdr_value.s[8] != ';' &&
	    h->hdr_value.s[8] != ' '))
		return (489);
	if (gateway_hdr_uri(msg, SIP_HDR_FROM, fu, sizeof(fu), &fl, fd,
	    sizeof(fd)) == -1 || !xmppd_is_ours(fd) ||
	    gateway_hdr_uri(msg, SIP_HDR_TO, tu, sizeof(tu), &tl, td,
	    sizeof(td)) == -1 ||
	    jid_escape(jid, sizeof(jid), tu, tl) >= sizeof(jid) ||
	    hdr_copy(msg, SIP_HDR_CALL_ID, key.w_callid,
	    sizeof(key.w_callid)) == -1 ||
	    from_tag(msg, key.w_their_tag, sizeof(key.w_their_tag)) == -1 ||
	    contact_uri(msg, key.w_contact, sizeof(key.w_contact)) == -1)
		return (400);
	if ((h = sip_hdr_first(msg, SIP_HDR_EXPIRES)) != NULL &&
	    sip_expires_parse(h->hdr_value.s, SIP_STR_END(&h->hdr_value),
	    &secs) == -1)
		return (400);
	if (secs > WATCH_EXPIRES_MAX)
		secs = WATCH_EXPIRES_MAX;
	watch_sweep(now);
	if ((w = watch_find(key.w_callid, key.w_their_tag)) == NULL) {
		if (secs == 0)
			return (200);
		if (nwatches >= WATCH_MAX || (w = calloc(1, sizeof(*w))) ==
		    NULL)
			return (503);
		*w = key;
		snprintf(w->w_our_tag, sizeof(w->w_our_tag), "x%08x%08x",
		    arc4random(), arc4random());
		snprintf(w->w_watcher, sizeof(w->w_watcher), "%.*s@%s",
		    (int)fl, fu, fd);
		if ((size_t)snprintf(w->w_presentity,
		    sizeof(w->w_presentity), "%s@%s", jid, td) >=
		    sizeof(w->w_presentity)) {
			free(w);
			return (416);
		}
		strlcpy(w->w_local, fd, sizeof(w->w_local));
		strlcpy(w->w_remote, td, sizeof(w->w_remote));
		TAILQ_INSERT_TAIL(&watches, w, w_entry);
		nwatches++;
		log_info("xmpp: %s subscribes to %s", w->w_watcher,
		    w->w_presentity);
		watch_presence_out(w, "subscribe");
	}
	strlcpy(w->w_contact, key.w_contact, sizeof(w->w_contact));
	w->w_expires = now + secs;
	if (secs == 0) {
		watch_presence_out(w, "unsubscribe");
		watch_notify(w, "terminated;reason=timeout");
		watch_free(w);
		return (200);
	}
	/*
	 * A probe only once subscribed: before, the answer to it would be
	 * unsubscribed (RFC 6121 4.3.2), which stands for a refusal.
	 */
	if (w->w_active)
		watch_presence_out(w, "probe");
	watch_notify_state(w);
	return (200);
}

/* RFC 8048 4.2: XMPP presence as a PIDF document. */
static void
watch_pidf(struct watch *w, const struct xnode *n, int available)
{
	const struct xnode	*show = xnode_child(n, "show");
	const struct xnode	*status = xnode_child(n, "status");
	const char		*act = NULL;
	char			 note[PRES_NOTE_MAX * 6 + 1] = "";

	if (available && show != NULL && show->xn_text != NULL) {
		if (strcmp(show->xn_text, "away") == 0 ||
		    strcmp(show->xn_text, "xa") == 0)
			act = "away";
		else if (strcmp(show->xn_text, "dnd") == 0)
			act = "busy";
	}
	if (status != NULL && status->xn_text != NULL &&
	    status->xn_textlen <= PRES_NOTE_MAX &&
	    is_utf8(status->xn_text, status->xn_textlen))
		xml_escape(note, sizeof(note), status->xn_text,
		    status->xn_textlen);
	snprintf(w->w_doc, sizeof(w->w_doc), "<?xml version=\"1.0\" "
	    "encoding=\"UTF-8\"?>\n<presence xmlns=\"urn:ietf:params:xml:ns:"
	    "pidf\" xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" "
	    "xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" entity=\"pres:%s"
	    "\"><tuple id=\"xmpp\"><status><basic>%s</basic></status></tuple>"
	    "%s%s%s%s%s%s</presence>", w->w_presentity, available ? "open" :
	    "closed", note[0] != '\0' ? "<note>" : "", note,
	    note[0] != '\0' ? "</note>" : "", act != NULL ?
	    "<dm:person id=\"p\"><rpid:activities><rpid:" : "",
	    act != NULL ? act : "", act != NULL ?
	    "/></rpid:activities></dm:person>" : "");
}

/*
 * Presence from a Jabber user for one of our users: for every dialog
 * of that watcher with that presentity, a NOTIFY.  1 when it was for
 * such a dialog.
 */
int
watch_presence(const char *from, const char *to, const struct xnode *n)
{
	struct watch	*w, *next;
	const char	*type = xnode_attr(n, "type");
	char		 fa[IMD_ADDRESS_MAX], ta[IMD_ADDRESS_MAX];
	int		 hit = 0;

	if (jid_to_address(from, fa, sizeof(fa)) == -1 ||
	    jid_to_address(to, ta, sizeof(ta)) == -1)
		return (0);
	watch_sweep(time(NULL));
	for (w = TAILQ_FIRST(&watches); w != NULL; w = next) {
		next = TAILQ_NEXT(w, w_entry);
		if (strcasecmp(w->w_presentity, fa) != 0 ||
		    strcmp(w->w_watcher, ta) != 0)
			continue;
		hit = 1;
		if (type != NULL && strcmp(type, "unsubscribed") == 0) {
			watch_notify(w, "terminated;reason=rejected");
			watch_free(w);
			continue;
		}
		if (type != NULL && strcmp(type, "subscribed") == 0)
			w->w_active = 1;
		else if (type == NULL || strcmp(type, "unavailable") == 0) {
			w->w_active = 1;
			watch_pidf(w, n, type == NULL);
		} else
			continue;
		watch_notify_state(w);
	}
	return (hit);
}
