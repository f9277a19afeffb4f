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
 * SUBSCRIBE (RFC 6665, RFC 3856, RFC 3857) to the presence, or the
 * watcher information, of a user of ours.  Each subscription is a
 * dialog in which we are the notifier: our To tag is its id.  A watcher
 * of our domains authenticates (401); one of another domain comes in
 * under the inbound policy.  Whether the watcher may see the presence
 * is the policy's (presence authorize) and the presentity's decision;
 * until then the subscription is pending.  Only the presentity itself
 * watches its watchers.
 *
 * A stranger (a watcher of another domain that the inbound policy did
 * not verify) gets the same answers for every address of our domains,
 * whether a user has it or not, holds at most a small share of a
 * presentity's watcher slots, and gives up its pending subscriptions to
 * a watcher we know when the presentity is full.  Every watcher and
 * every domain has its quota (presence watcher-subscriptions,
 * domain-subscriptions, domain-total, stranger-subscriptions).
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cdefs.h"
#include "listener.h"
#include "log.h"
#include "presence.h"

#define SUBSCRIBE_ALLOW_EVENTS	"Allow-Events: presence, presence.winfo\r\n"

static const struct conf_presence *
sub_conf(void)
{
	return (&listener_conf->c_presence);
}

static int
sub_event(const struct sip_msg *msg, uint32_t *event)
{
	const struct sip_hdr	*h = sip_hdr_first(msg, SIP_HDR_EVENT);
	struct sip_event	 ev;

	if (h == NULL || sip_event_parse(h->hdr_value.s,
	    SIP_STR_END(&h->hdr_value), &ev) == -1)
		return (-1);
	if (sip_str_is_ci(&ev.ev_package, "presence"))
		*event = PRES_EVENT_PRESENCE;
	else if (sip_str_is_ci(&ev.ev_package, "presence.winfo"))
		*event = PRES_EVENT_WINFO;
	else
		return (-1);
	return (0);
}

/* No Accept means the package's default type (RFC 6665 7.2). */
static int
sub_accepts(const struct sip_msg *msg, const char *subtype)
{
	struct sip_iter	it;
	struct sip_str	v;
	struct sip_ctype ct;

	if (sip_hdr_first(msg, SIP_HDR_ACCEPT) == NULL)
		return (1);
	sip_iter_init(&it, msg, SIP_HDR_ACCEPT);
	while (sip_iter_next(&it, &v) == 1) {
		if (sip_ctype_parse(v.s, SIP_STR_END(&v), &ct) == -1)
			continue;
		if ((sip_str_is_ci(&ct.ct_type, "application") ||
		    sip_str_is_ci(&ct.ct_type, "*")) &&
		    (sip_str_is_ci(&ct.ct_subtype, subtype) ||
		    sip_str_is_ci(&ct.ct_subtype, "*")))
			return (1);
	}
	return (0);
}

#define SUB_URI_TOO_LONG	1
#define SUB_TAG_TOO_LONG	2

/*
 * The URI (when asked) and the tag of a From or To header, "" for what
 * is missing: 0, or which of the two does not fit, the URI first.
 */
static int
sub_tag(const struct sip_msg *msg, enum sip_hdr_id id, char *buf,
    size_t size, char *uri, size_t urisize)
{
	struct sip_addr	a;

	buf[0] = '\0';
	if (uri != NULL)
		uri[0] = '\0';
	if (sip_first_addr(msg, id, &a) == -1)
		return (0);
	if (uri != NULL && a.addr_uri_str.len >= urisize)
		return (SUB_URI_TOO_LONG);
	if (a.addr_tag.len >= size)
		return (SUB_TAG_TOO_LONG);
	snprintf(buf, size, "%.*s", (int)a.addr_tag.len, a.addr_tag.s);
	if (uri != NULL)
		snprintf(uri, urisize, "%.*s", (int)a.addr_uri_str.len,
		    a.addr_uri_str.s);
	return (0);
}

/* The id parameter of Event (RFC 6665 8.2.1), "" without one; or -1. */
static int
sub_event_id(const struct sip_msg *msg, char *buf, size_t size)
{
	const struct sip_hdr	*h = sip_hdr_first(msg, SIP_HDR_EVENT);
	struct sip_event	 ev;
	size_t			 i;

	buf[0] = '\0';
	if (h == NULL || sip_event_parse(h->hdr_value.s,
	    SIP_STR_END(&h->hdr_value), &ev) == -1 || ev.ev_id.len == 0)
		return (0);
	if (ev.ev_id.len >= size)
		return (-1);
	for (i = 0; i < ev.ev_id.len; i++)
		if (!sip_is_token_char((unsigned char)ev.ev_id.s[i]))
			return (-1);
	memcpy(buf, ev.ev_id.s, ev.ev_id.len);
	buf[ev.ev_id.len] = '\0';
	return (0);
}

/* Where the watcher is reached: its Contact, by the way it came. */
static int
sub_target(const struct sip_req *rq, struct binding_rec *b)
{
	const struct sip_hdr	*h;
	struct sip_addr		 c;

	memset(b, 0, sizeof(*b));
	if ((h = sip_hdr_first(&rq->rq_msg, SIP_HDR_CONTACT)) == NULL ||
	    sip_contact_parse(h->hdr_value.s, SIP_STR_END(&h->hdr_value),
	    &c) == -1 || c.addr_star ||
	    c.addr_uri_str.len >= sizeof(b->b_contact))
		return (-1);
	memcpy(b->b_contact, c.addr_uri_str.s, c.addr_uri_str.len);
	memcpy(&b->b_src, &rq->rq_peer.sp_ss, sizeof(b->b_src));
	b->b_srclen = rq->rq_peer.sp_sslen;
	b->b_transport = rq->rq_peer.sp_transport;
	b->b_conn = rq->rq_peer.sp_conn_id;
	return (0);
}

/* The Record-Route values, in order: the dialog's route set; or -1. */
static int
sub_route(const struct sip_msg *msg, char *buf, size_t size)
{
	struct sip_iter	it;
	struct sip_str	v;
	size_t		len = 0, sep;

	buf[0] = '\0';
	sip_iter_init(&it, msg, SIP_HDR_RECORD_ROUTE);
	while (sip_iter_next(&it, &v) == 1) {
		sep = len > 0 ? 2 : 0;
		if (len + sep + v.len >= size)
			return (-1);
		len += snprintf(buf + len, size - len, "%s%.*s",
		    sep > 0 ? ", " : "", (int)v.len, v.s);
	}
	return (0);
}

/*
 * What the subscription keeps of the SUBSCRIBE must fit its record
 * (presence.h); past a bound the answer names the field.  A To tag
 * too long to be ours is the 481 of sub_looked_up().  The reason, or
 * NULL when everything fits.
 */
static const char *
sub_too_long(const struct sip_msg *msg)
{
	static struct pres_sub_rec	 rec;
	const struct sip_hdr		*h;
	struct sip_addr			 c;

	switch (sub_tag(msg, SIP_HDR_FROM, rec.sr_remote_tag,
	    sizeof(rec.sr_remote_tag), rec.sr_remote_uri,
	    sizeof(rec.sr_remote_uri))) {
	case SUB_URI_TOO_LONG:
		return ("From URI Too Long");
	case SUB_TAG_TOO_LONG:
		return ("From Tag Too Long");
	}
	if (sub_tag(msg, SIP_HDR_TO, rec.sr_remote_tag,
	    sizeof(rec.sr_remote_tag), rec.sr_local_uri,
	    sizeof(rec.sr_local_uri)) == SUB_URI_TOO_LONG)
		return ("To URI Too Long");
	h = sip_hdr_first(msg, SIP_HDR_CALL_ID);
	if (h->hdr_value.len >= sizeof(rec.sr_callid))
		return ("Call-ID Too Long");
	if ((h = sip_hdr_first(msg, SIP_HDR_CONTACT)) != NULL &&
	    sip_contact_parse(h->hdr_value.s, SIP_STR_END(&h->hdr_value),
	    &c) == 0 && c.addr_uri_str.len >= sizeof(rec.sr_target.b_contact))
		return ("Contact Too Long");
	if (sub_route(msg, rec.sr_route, sizeof(rec.sr_route)) == -1)
		return ("Record-Route Too Long");
	if (sub_event_id(msg, rec.sr_event_id, sizeof(rec.sr_event_id)) == -1)
		return ("Event id Too Long Or Not A Token");
	return (NULL);
}

/* The domain of an address, "" without one. */
static const char *
sub_domain_of(const char *address)
{
	const char	*at = strchr(address, '@');

	return (at != NULL ? at + 1 : "");
}

struct sub_count {
	size_t	sc_watcher;	/* of this watcher */
	size_t	sc_domain;	/* of the watcher's domain */
	size_t	sc_strangers;	/* of any stranger */
};

/* What pr's presence subscriptions are, as the quotas count them. */
static void
sub_count(struct presentity *pr, const char *watcher, struct sub_count *sc)
{
	const struct pres_sub	*ps;
	const char		*wd = sub_domain_of(watcher);

	memset(sc, 0, sizeof(*sc));
	TAILQ_FOREACH(ps, &pr->pr_subs, ps_entry) {
		if (ps->ps_rec.sr_event != PRES_EVENT_PRESENCE)
			continue;
		if (strcmp(ps->ps_rec.sr_watcher, watcher) == 0)
			sc->sc_watcher++;
		if (strcmp(sub_domain_of(ps->ps_rec.sr_watcher), wd) == 0)
			sc->sc_domain++;
		if (pres_sub_is_stranger(ps))
			sc->sc_strangers++;
	}
}

/* The oldest pending subscription of a stranger to pr, or NULL. */
static struct pres_sub *
sub_evictable(struct presentity *pr)
{
	struct pres_sub	*ps;

	TAILQ_FOREACH(ps, &pr->pr_subs, ps_entry)
		if (pres_sub_is_stranger(ps) &&
		    ps->ps_rec.sr_state == PRES_PENDING)
			return (ps);
	return (NULL);
}

/*
 * Room for one more subscription of rq's watcher to pr: 0, or -1 with
 * the 403 answered.  A watcher we know may take the place of a
 * stranger who waits for the presentity's decision (RFC 6665 4.2.2:
 * "giveup", the notifier could not get an authorisation in time).
 */
static int
sub_room(struct sip_req *rq, struct presentity *pr, int stranger)
{
	const struct conf_presence	*cp = sub_conf();
	const char			*wd = sub_domain_of(rq->rq_aor);
	int				 foreign;
	struct sub_count		 sc;
	struct pres_sub			*old;

	foreign = config_find_domain(listener_conf, wd) == NULL;
	sub_count(pr, rq->rq_aor, &sc);
	if (sc.sc_watcher >= cp->pr_watcher_subs)
		req_reply(rq, 403, "Too Many Subscriptions Of Watcher", NULL);
	else if (foreign && sc.sc_domain >= cp->pr_domain_subs)
		req_reply(rq, 403, "Too Many Watchers Of Domain", NULL);
	else if (foreign && pres_domain_count(stranger ? PRES_STRANGERS_KEY :
	    wd) >= cp->pr_domain_total)
		req_reply(rq, 403, "Too Many Subscriptions Of Domain", NULL);
	else if (stranger && sc.sc_strangers >= cp->pr_stranger_subs)
		req_reply(rq, 403, "Too Many Unverified Watchers", NULL);
	else if (pr->pr_nsubs < cp->pr_max_subs)
		return (0);
	else if (!stranger && (old = sub_evictable(pr)) != NULL) {
		log_info("presence: %s: a stranger's pending subscription "
		    "makes room for %s", pr->pr_aor, rq->rq_aor);
		notify_final(old, "giveup");
		return (0);
	} else
		req_reply(rq, 403, "Too Many Watchers", NULL);
	return (-1);
}

/* Pending, active, or -1: the presentity refuses this watcher. */
static int
sub_decide(struct presentity *pr, const char *watcher, uint32_t event)
{
	const struct pres_rule_ent	*pa;
	const char			*wd, *pd;

	if (event == PRES_EVENT_WINFO || strcmp(watcher, pr->pr_aor) == 0)
		return (PRES_ACTIVE);
	if ((pa = pres_rule_find(pr, watcher)) != NULL)
		return (pa->pa_rule == PRES_RULE_ALLOW ? PRES_ACTIVE : -1);
	switch (sub_conf()->pr_authorize) {
	case PRESENCE_AUTH_AUTO:
		return (PRES_ACTIVE);
	case PRESENCE_AUTH_DOMAIN:
		wd = strchr(watcher, '@');
		pd = strchr(pr->pr_aor, '@');
		return (wd != NULL && pd != NULL && strcmp(wd, pd) == 0 ?
		    PRES_ACTIVE : PRES_PENDING);
	default:
		return (PRES_PENDING);
	}
}

static void
sub_reply_ok(struct sip_req *rq, struct pres_sub *ps, uint32_t secs)
{
	struct sip_peer	dest;
	char		extra[PRES_URI_MAX + PRES_ROUTE_MAX + 64], via[128];
	char		contact[PRES_URI_MAX];

	contact[0] = '\0';
	if (fork_dest(&ps->ps_rec.sr_target, &dest, via, sizeof(via)) ==
	    0)
		pres_contact(ps, via, contact, sizeof(contact));
	/* RFC 3261 12.1.1: the route set goes back to the watcher too. */
	snprintf(extra, sizeof(extra), "Expires: %u\r\nContact: %s\r\n"
	    "%s%s%s", secs, contact, ps->ps_rec.sr_route[0] != '\0' ?
	    "Record-Route: " : "", ps->ps_rec.sr_route,
	    ps->ps_rec.sr_route[0] != '\0' ? "\r\n" : "");
	req_reply_tag(rq, 200, "OK", extra, ps->ps_rec.sr_id);
}

/*
 * The 200, then the NOTIFY that must follow it; with Expires 0 the
 * last one.  -1 when the subscription ended here.
 */
static int
sub_granted(struct sip_req *rq, struct pres_sub *ps, uint32_t secs)
{
	sub_reply_ok(rq, ps, secs);
	if (secs == 0) {
		/* A fetch, or the watcher's own end: no reason to give. */
		notify_final(ps, NULL);
		return (-1);
	}
	pres_sub_save(ps);
	notify_send(ps);
	return (0);
}

/*
 * The dialog of a new subscription, from its SUBSCRIBE into rec: 0, or
 * the status to answer and its reason.
 */
static unsigned int
sub_rec_dialog(const struct sip_req *rq, struct pres_sub_rec *rec,
    const char **why)
{
	const struct sip_msg	*msg = &rq->rq_msg;
	const struct sip_hdr	*h;

	if (sub_target(rq, &rec->sr_target) == -1) {
		*why = "Bad Or Missing Contact";
		return (400);
	}
	/* subscribe_request() saw every field fit (sub_too_long()). */
	h = sip_hdr_first(msg, SIP_HDR_CALL_ID);
	if (sub_tag(msg, SIP_HDR_FROM, rec->sr_remote_tag,
	    sizeof(rec->sr_remote_tag), rec->sr_remote_uri,
	    sizeof(rec->sr_remote_uri)) != 0 ||
	    sub_tag(msg, SIP_HDR_TO, rec->sr_id, sizeof(rec->sr_id),
	    rec->sr_local_uri, sizeof(rec->sr_local_uri)) != 0 ||
	    h->hdr_value.len >= sizeof(rec->sr_callid) ||
	    sub_route(msg, rec->sr_route, sizeof(rec->sr_route)) == -1 ||
	    sub_event_id(msg, rec->sr_event_id,
	    sizeof(rec->sr_event_id)) == -1) {
		*why = "Server Internal Error";
		return (500);
	}
	if (rec->sr_remote_tag[0] == '\0' || rec->sr_remote_uri[0] == '\0') {
		*why = "From Without A Tag";
		return (400);
	}
	snprintf(rec->sr_callid, sizeof(rec->sr_callid), "%.*s",
	    (int)h->hdr_value.len, h->hdr_value.s);
	return (0);
}

static void
sub_new(struct sip_req *rq, struct presentity *pr, uint32_t event,
    uint32_t secs)
{
	struct pres_sub_rec	 rec;
	struct pres_sub		*ps;
	const char		*why;
	unsigned int		 status;
	int			 state, stranger = inbound_from_stranger(rq);

	if ((state = sub_decide(pr, rq->rq_aor, event)) == -1) {
		req_reply(rq, 403, "Watcher Blocked", NULL);
		return;
	}
	memset(&rec, 0, sizeof(rec));
	rec.sr_flags = stranger ? PRES_SUB_STRANGER : 0;
	if ((status = sub_rec_dialog(rq, &rec, &why)) != 0) {
		req_reply(rq, status, why, NULL);
		return;
	}
	/* Last: it may end a stranger's subscription to make room. */
	if (sub_room(rq, pr, stranger) == -1)
		return;
	rec.sr_version = PRES_REC_VERSION;
	rec.sr_event = event;
	rec.sr_state = state;
	rec.sr_created = time(NULL);
	rec.sr_expires = rec.sr_created + secs;
	strlcpy(rec.sr_presentity, pr->pr_aor, sizeof(rec.sr_presentity));
	strlcpy(rec.sr_watcher, rq->rq_aor, sizeof(rec.sr_watcher));
	pres_random_tag(rec.sr_id, sizeof(rec.sr_id));
	if ((ps = pres_sub_add(pr, &rec)) == NULL) {
		req_reply(rq, 500, "Server Internal Error", NULL);
		return;
	}
	/* Expires 0 is a fetch: the state once (RFC 6665 4.4.3). */
	if (sub_granted(rq, ps, secs) == 0 && event == PRES_EVENT_PRESENCE)
		notify_winfo(pr, ps);
}

/* A refresh, or with Expires 0 the end, of a subscription we know. */
static void
sub_refresh(struct sip_req *rq, struct pres_sub *ps, uint32_t secs)
{
	struct binding_rec	target;

	if (sub_target(rq, &target) == 0)
		ps->ps_rec.sr_target = target;
	pres_sub_set_stranger(ps, inbound_from_stranger(rq));
	ps->ps_rec.sr_expires = time(NULL) + secs;
	sub_granted(rq, ps, secs);
}

static void
sub_looked_up(struct sip_req *rq, int exists,
    const struct binding_rec *bs IMD_UNUSED, uint32_t n)
{
	struct presentity	*pr;
	struct pres_sub		*ps;
	char			 totag[PRES_ID_MAX], fromtag[PRES_TAG_MAX];
	char			 id[PRES_EVENT_ID_MAX];
	uint32_t		 event;
	int64_t			 secs;

	/*
	 * To a stranger an address nobody has looks like a user who has
	 * not decided about it: the same 200, the same pending NOTIFY,
	 * the same quotas (docs/presence.md, "Strangers").
	 */
	if (!exists && !inbound_from_stranger(rq)) {
		req_reply(rq, 404, "Not Found", NULL);
		return;
	}
	pr = pres_get(rq->rq_to, 1);
	pr->pr_registered = n > 0;
	if ((secs = pres_expires(rq)) == -1 ||
	    sub_event(&rq->rq_msg, &event) == -1)
		return;
	/* A To tag longer than ours is none of ours: 481. */
	if (sub_tag(&rq->rq_msg, SIP_HDR_TO, totag, sizeof(totag), NULL,
	    0) == 0 && totag[0] == '\0') {
		sub_new(rq, pr, event, secs);
		return;
	}
	if (totag[0] == '\0' ||
	    sub_tag(&rq->rq_msg, SIP_HDR_FROM, fromtag, sizeof(fromtag), NULL,
	    0) != 0 || sub_event_id(&rq->rq_msg, id, sizeof(id)) == -1 ||
	    (ps = pres_sub_find(totag)) == NULL || ps->ps_pres != pr ||
	    strcmp(ps->ps_rec.sr_remote_tag, fromtag) != 0 ||
	    ps->ps_rec.sr_event != event ||
	    strcmp(ps->ps_rec.sr_event_id, id) != 0) {
		req_reply(rq, 481, "Subscription Does Not Exist", NULL);
		return;
	}
	sub_refresh(rq, ps, secs);
}

static void
sub_authed(struct sip_req *rq)
{
	uint32_t	event = PRES_EVENT_PRESENCE;

	sub_event(&rq->rq_msg, &event);
	if (!pres_ready()) {
		req_reply(rq, 503, "Presence Loading", "Retry-After: 1\r\n");
		return;
	}
	if (event == PRES_EVENT_WINFO && strcmp(rq->rq_aor, rq->rq_to) != 0) {
		req_reply(rq, 403, "Only The Presentity Watches Its Watchers",
		    NULL);
		return;
	}
	rq->rq_looked_up = sub_looked_up;
	req_lookup(rq);
}

/*
 * Whose presence: in a dialog of ours the subscription says (the
 * Request-URI is then our Contact); in another dialog the To, since
 * the Request-URI is then the notifier's device, whose host names no
 * domain to relay to; else the Request-URI.
 */
static int
sub_presentity(const struct sip_msg *msg, char *to, size_t size,
    char *domain, size_t dsize)
{
	struct pres_sub	*ps;
	char		 totag[PRES_TAG_MAX];
	const char	*at;

	if (sub_tag(msg, SIP_HDR_TO, totag, sizeof(totag), NULL, 0) == 0 &&
	    totag[0] != '\0' && (ps = pres_sub_find(totag)) != NULL) {
		at = strchr(ps->ps_rec.sr_presentity, '@');
		strlcpy(to, ps->ps_rec.sr_presentity, size);
		strlcpy(domain, at != NULL ? at + 1 : "", dsize);
		return (0);
	}
	if (totag[0] != '\0')
		return (to_address(msg, to, size, domain, dsize));
	return (uri_address(&msg->msg_ruri, to, size, domain, dsize));
}

void
subscribe_request(const struct sip_msg *msg, const struct sip_peer *peer)
{
	struct sip_req	*rq;
	char		 to[IMD_ADDRESS_MAX], todom[IMD_DOMAIN_MAX];
	char		 fromdom[IMD_DOMAIN_MAX];
	const char	*too_long;
	uint32_t	 event;

	if (sub_presentity(msg, to, sizeof(to), todom, sizeof(todom)) == -1) {
		sip_reply(peer, msg, 416, "Unsupported URI Scheme", NULL);
		return;
	}
	if (sub_event(msg, &event) == -1) {
		sip_reply(peer, msg, 489, "Bad Event", SUBSCRIBE_ALLOW_EVENTS);
		return;
	}
	if (!sub_accepts(msg, event == PRES_EVENT_WINFO ?
	    "watcherinfo+xml" : "pidf+xml")) {
		sip_reply(peer, msg, 406, "Not Acceptable", NULL);
		return;
	}
	if ((rq = inbound_hold(msg, peer, to, todom, fromdom,
	    subscribe_request)) == NULL)
		return;
	if (config_find_domain(listener_conf, todom) == NULL) {
		/* Our watcher, someone else's presentity: relayd's. */
		rq->rq_proxy = 1;
		rq->rq_authed = relay_start;
		auth_start(rq, fromdom);
		return;
	}
	if ((too_long = sub_too_long(msg)) != NULL) {
		req_reply(rq, 400, too_long, NULL);
		return;
	}
	if (config_find_domain(listener_conf, fromdom) == NULL) {
		sub_authed(rq);
		return;
	}
	rq->rq_authed = sub_authed;
	auth_start(rq, fromdom);
}

/* The presentity decided about a watcher: its subscriptions follow. */
void
subscribe_authorize(struct presentity *pr, const char *watcher,
    uint32_t rule)
{
	struct pres_sub	*ps, *next;

	for (ps = TAILQ_FIRST(&pr->pr_subs); ps != NULL; ps = next) {
		next = TAILQ_NEXT(ps, ps_entry);
		if (ps->ps_rec.sr_event != PRES_EVENT_PRESENCE ||
		    strcmp(ps->ps_rec.sr_watcher, watcher) != 0)
			continue;
		if (rule == PRES_RULE_BLOCK)
			notify_final(ps, "rejected");
		else if (ps->ps_rec.sr_state == PRES_PENDING) {
			ps->ps_rec.sr_state = PRES_ACTIVE;
			pres_sub_save(ps);
			notify_send(ps);
			notify_winfo(pr, ps);
		}
	}
}
