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
 * NOTIFY, in the dialogs where we are the notifier (RFC 6665 4.2.2):
 * the state of the presentity in PIDF to every watcher allowed to see
 * it, "pending" without a body to those waiting for the presentity's
 * decision, a final "terminated" NOTIFY when a subscription ends, and
 * watcher information (RFC 3857) to the presentity's own winfo
 * subscriptions.  A NOTIFY answered 481, or not at all, ends its
 * subscription; one on its way holds back the next, which then carries
 * the state of the moment.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cdefs.h"
#include "listener.h"
#include "log.h"
#include "pidf.h"
#include "presence.h"
#include "tx_client.h"
#include "winfo.h"

#define NOTIFY_GROWTH		2048	/* headers around the body */

static void	notify_answer(void *, const struct sip_msg *, unsigned int);

/*
 * Whether the watcher of ps may learn where the presentity's devices
 * are (contacts, media ports, location): only one whose identity we
 * know, a user of ours who authenticated or a watcher whose server the
 * inbound policy verified.  A stranger's From is a claim anyone can
 * make, whatever the presentity decided about that address.
 */
static int
notify_shows_contacts(const struct pres_sub *ps)
{
	return (!pres_sub_is_stranger(ps));
}

static int
notify_compose(struct presentity *pr, int public, char **body,
    size_t *len)
{
	const char	*docs[PRESENCE_MAX_DOCS_LIMIT];
	size_t		 lens[PRESENCE_MAX_DOCS_LIMIT], n = 0;
	struct pres_doc	*pd;
	int		 rc;

	TAILQ_FOREACH(pd, &pr->pr_docs, pd_entry) {
		if (n == PRESENCE_MAX_DOCS_LIMIT)
			break;
		docs[n] = pd->pd_body;
		lens[n++] = pd->pd_len;
	}
	if (public)
		rc = pidf_compose_public(pr->pr_aor, docs, lens, n,
		    pr->pr_registered, body, len);
	else
		rc = pidf_compose(pr->pr_aor, docs, lens, n,
		    pr->pr_registered, body, len);
	if (rc == -1) {
		log_warnx("presence: %s: cannot compose", pr->pr_aor);
		*body = NULL;
	}
	return (rc);
}

/*
 * The PIDF the watcher of ps gets, composed once per change: whole,
 * or without contacts for a watcher not trusted with them.
 */
static int
notify_body(const struct pres_sub *ps, const char **body, size_t *len)
{
	struct presentity	*pr = ps->ps_pres;

	if (!notify_shows_contacts(ps)) {
		if (pr->pr_public == NULL && notify_compose(pr, 1,
		    &pr->pr_public, &pr->pr_publiclen) == -1)
			return (-1);
		*body = pr->pr_public;
		*len = pr->pr_publiclen;
		return (0);
	}
	if (pr->pr_body == NULL && notify_compose(pr, 0, &pr->pr_body,
	    &pr->pr_bodylen) == -1)
		return (-1);
	*body = pr->pr_body;
	*len = pr->pr_bodylen;
	return (0);
}

static const char *
notify_event_name(const struct pres_sub *ps)
{
	return (ps->ps_rec.sr_event == PRES_EVENT_WINFO ? "presence.winfo" :
	    "presence");
}

/* "<sip:user@host:port>" of the presentity at the address of our Via. */
void
pres_contact(const struct pres_sub *ps, const char *via, char *buf,
    size_t size)
{
	const char	*hp = strrchr(via, ' ');
	char		 user[IMD_LOCALPART_MAX];
	size_t		 ulen = strcspn(ps->ps_rec.sr_presentity, "@");

	if (ulen >= sizeof(user))
		ulen = sizeof(user) - 1;
	memcpy(user, ps->ps_rec.sr_presentity, ulen);
	user[ulen] = '\0';
	snprintf(buf, size, "<sip:%s@%s>", user, hp != NULL ? hp + 1 : "");
}

/*
 * A watcher of another domain behind its server (a route set came with
 * its SUBSCRIBE) is reached through relayd, like everything that leaves
 * the domain: relayd sends it to a server of the watcher's domain, and
 * follows the route set only where it names one.
 */
static int
notify_relay(struct pres_sub *ps, const char *buf, size_t len, int final)
{
	const char	*domain = strchr(ps->ps_rec.sr_watcher, '@');
	uint32_t	 id;

	if (domain == NULL || (id = relay_send(domain + 1, buf, len,
	    final ? NULL : notify_answer, final ? NULL : ps)) == 0)
		return (-1);
	if (!final)
		ps->ps_relay = id;
	return (0);
}

/* Is the watcher of another domain, which nobody here authenticated? */
static int
notify_watcher_is_foreign(const struct pres_sub *ps)
{
	const char	*at = strchr(ps->ps_rec.sr_watcher, '@');

	return (at == NULL ||
	    config_find_domain(listener_conf, at + 1) == NULL);
}

/*
 * Where the NOTIFY goes when it does not go through relayd.  A watcher
 * of ours is reached as its bindings are.  A stranger only where its
 * SUBSCRIBE came from: the address or connection, never a host its
 * Contact merely names, or imd would send NOTIFYs, resent for 32 s,
 * to any host a stranger picks.
 */
static int
notify_dest(const struct pres_sub *ps, struct sip_peer *dest, char *via,
    size_t size)
{
	const struct binding_rec	*b = &ps->ps_rec.sr_target;

	if (!notify_watcher_is_foreign(ps))
		return (fork_dest(b, dest, via, size));
	memset(dest, 0, sizeof(*dest));
	memcpy(&dest->sp_ss, &b->b_src, sizeof(dest->sp_ss));
	dest->sp_sslen = b->b_srclen;
	dest->sp_transport = b->b_transport;
	dest->sp_conn_id = b->b_conn;
	return (transport_origin(dest, via, size));
}

/*
 * One NOTIFY in the dialog of ps, with the Subscription-State given,
 * and a body when there is one; the CSeq goes up by one.
 */
static int
notify_emit(struct pres_sub *ps, const char *substate, const char *ctype,
    const char *body, size_t blen, int final)
{
	struct pres_sub_rec	*r = &ps->ps_rec;
	struct sip_peer		 dest;
	struct sip_out		 out;
	struct txc		*tc;
	char			 via[128], branch[40], contact[PRES_URI_MAX];
	char			*buf;
	size_t			 size = blen + NOTIFY_GROWTH +
				    strlen(r->sr_route) + 3 * PRES_URI_MAX;
	int			 rv = -1;

	if (notify_dest(ps, &dest, via, sizeof(via)) == -1 ||
	    (buf = malloc(size)) == NULL)
		return (-1);
	pres_random_tag(branch, sizeof(branch));
	memmove(branch + 7, branch, strlen(branch) + 1);
	memcpy(branch, "z9hG4bK", 7);
	worker_branch_mark(branch, sizeof(branch));
	pres_contact(ps, via, contact, sizeof(contact));
	sip_out_init(&out, buf, size);
	sip_out_printf(&out, "NOTIFY %s SIP/2.0\r\nVia: %s;branch=%s\r\n"
	    "Max-Forwards: 70\r\n", r->sr_target.b_contact, via, branch);
	if (r->sr_route[0] != '\0')
		sip_out_printf(&out, "Route: %s\r\n", r->sr_route);
	sip_out_printf(&out, "From: <%s>;tag=%s\r\nTo: <%s>;tag=%s\r\n"
	    "Call-ID: %s\r\nCSeq: %u NOTIFY\r\nContact: %s\r\n"
	    "Event: %s%s%s\r\nSubscription-State: %s\r\n", r->sr_local_uri,
	    r->sr_id, r->sr_remote_uri, r->sr_remote_tag, r->sr_callid,
	    ++r->sr_cseq, contact, notify_event_name(ps),
	    r->sr_event_id[0] != '\0' ? ";id=" : "", r->sr_event_id, substate);
	if (blen > 0)
		sip_out_printf(&out, "Content-Type: %s\r\n", ctype);
	sip_out_printf(&out, "Content-Length: %zu\r\n\r\n", blen);
	sip_out_add(&out, body, blen);
	if (out.overflow)
		rv = -1;
	else if (r->sr_route[0] != '\0' && notify_watcher_is_foreign(ps))
		rv = notify_relay(ps, out.buf, out.len, final);
	else if ((tc = txc_start(&dest, out.buf, out.len, branch, "NOTIFY",
	    final ? NULL : notify_answer, final ? NULL : ps)) != NULL) {
		if (!final)
			ps->ps_txc = tc;
		rv = 0;
	}
	free(buf);
	return (rv);
}

static void
notify_substate(const struct pres_sub *ps, char *buf, size_t size)
{
	long	left = ps->ps_rec.sr_expires - time(NULL);

	snprintf(buf, size, "%s;expires=%ld", ps->ps_rec.sr_state ==
	    PRES_ACTIVE ? "active" : "pending", left > 0 ? left : 0);
}

/* The state of the moment to one subscription. */
void
notify_send(struct pres_sub *ps)
{
	struct presentity	*pr = ps->ps_pres;
	const char		*body = NULL;
	size_t			 len = 0;
	char			 state[64];

	if (ps->ps_txc != NULL || ps->ps_relay != 0) {
		ps->ps_again = 1;
		return;
	}
	if (ps->ps_rec.sr_event == PRES_EVENT_WINFO) {
		notify_winfo(pr, ps);
		return;
	}
	notify_substate(ps, state, sizeof(state));
	if (ps->ps_rec.sr_state == PRES_ACTIVE &&
	    notify_body(ps, &body, &len) == -1)
		return;
	if (notify_emit(ps, state, "application/pidf+xml", body, len, 0) ==
	    -1)
		log_info("presence: %s: cannot notify %s",
		    pr->pr_aor, ps->ps_rec.sr_watcher);
}

/*
 * A change of the presentity: every active presence watcher hears of
 * it.  A pending one has nothing to learn from it: its state changes
 * only with the presentity's decision (subscribe_authorize()), so a
 * stranger's pending subscriptions cost no NOTIFY per PUBLISH.
 */
void
notify_fanout(struct presentity *pr)
{
	struct pres_sub	*ps;

	TAILQ_FOREACH(ps, &pr->pr_subs, ps_entry)
		if (ps->ps_rec.sr_event == PRES_EVENT_PRESENCE &&
		    ps->ps_rec.sr_state == PRES_ACTIVE)
			notify_send(ps);
}

static const char *
notify_winfo_status(const struct pres_sub *ps)
{
	if (ps->ps_reason != NULL)
		return ("terminated");
	return (ps->ps_rec.sr_state == PRES_ACTIVE ? "active" : "pending");
}

static const char *
notify_winfo_event(const struct pres_sub *ps)
{
	const struct pres_rule_ent	*pa;

	if (ps->ps_reason != NULL)
		return (ps->ps_reason);
	pa = pres_rule_find(ps->ps_pres, ps->ps_rec.sr_watcher);
	return (pa != NULL && pa->pa_rule == PRES_RULE_ALLOW &&
	    ps->ps_rec.sr_state == PRES_ACTIVE ? "approved" : "subscribe");
}

static void
notify_winfo_entry(const struct pres_sub *ps, char *uri, size_t size,
    struct winfo_watcher *ww)
{
	snprintf(uri, size, "sip:%s", ps->ps_rec.sr_watcher);
	ww->ww_id = ps->ps_rec.sr_id;
	ww->ww_uri = uri;
	ww->ww_status = notify_winfo_status(ps);
	ww->ww_event = notify_winfo_event(ps);
	ww->ww_duration = time(NULL) - ps->ps_rec.sr_created;
}

/* One winfo document to one winfo subscription: full, or one watcher. */
static void
notify_winfo_one(struct pres_sub *ws, const struct pres_sub *changed)
{
	struct presentity	*pr = ws->ps_pres;
	struct winfo_watcher	*ww;
	struct pres_sub		*ps;
	char			(*uris)[PRES_URI_MAX];
	char			 state[64], *body = NULL;
	size_t			 n = 0, len;

	if ((ww = calloc(pr->pr_nsubs + 1, sizeof(*ww))) == NULL ||
	    (uris = calloc(pr->pr_nsubs + 1, sizeof(*uris))) == NULL) {
		free(ww);
		return;
	}
	if (changed != NULL)
		notify_winfo_entry(changed, uris[n], sizeof(uris[n]), &ww[n]),
		    n++;
	else
		TAILQ_FOREACH(ps, &pr->pr_subs, ps_entry)
			if (ps->ps_rec.sr_event == PRES_EVENT_PRESENCE) {
				notify_winfo_entry(ps, uris[n],
				    sizeof(uris[n]), &ww[n]);
				n++;
			}
	notify_substate(ws, state, sizeof(state));
	if (winfo_compose(pr->pr_aor, ws->ps_winfo_version++, changed == NULL,
	    ww, n, &body, &len) == 0)
		notify_emit(ws, state, "application/watcherinfo+xml", body,
		    len, 0);
	free(body);
	free(uris);
	free(ww);
}

/*
 * Watcher information: to one winfo subscription (ws, the first NOTIFY:
 * full state), or, with ws a presence subscription that changed, to
 * every winfo subscription of its presentity (partial state).
 */
void
notify_winfo(struct presentity *pr, struct pres_sub *ps)
{
	struct pres_sub	*ws;

	if (ps->ps_rec.sr_event == PRES_EVENT_WINFO) {
		notify_winfo_one(ps, NULL);
		return;
	}
	TAILQ_FOREACH(ws, &pr->pr_subs, ps_entry)
		if (ws->ps_rec.sr_event == PRES_EVENT_WINFO &&
		    ws->ps_rec.sr_state == PRES_ACTIVE)
			notify_winfo_one(ws, ps);
}

/*
 * The end of a subscription: a last NOTIFY, "terminated" with the
 * reason, or none when the watcher ended it (RFC 6665 4.2.2), nobody
 * waiting for its answer.  A watcher allowed to see the presence gets
 * it once more in that NOTIFY: for a fetch (Expires 0, 4.4.3) it is
 * the whole point.  The presentity's winfo watchers hear of it; then
 * the subscription is gone.
 */
void
notify_final(struct pres_sub *ps, const char *reason)
{
	struct presentity	*pr = ps->ps_pres;
	const char		*body = NULL;
	size_t			 len = 0;
	char			 state[64];

	if (reason != NULL)
		snprintf(state, sizeof(state), "terminated;reason=%s", reason);
	else
		strlcpy(state, "terminated", sizeof(state));
	if (ps->ps_txc != NULL) {
		txc_cancel(ps->ps_txc);
		ps->ps_txc = NULL;
	}
	if (ps->ps_relay != 0) {
		relay_forget(ps->ps_relay);
		ps->ps_relay = 0;
	}
	if (ps->ps_rec.sr_event == PRES_EVENT_PRESENCE &&
	    ps->ps_rec.sr_state == PRES_ACTIVE &&
	    (reason == NULL || strcmp(reason, "timeout") == 0) &&
	    notify_body(ps, &body, &len) == -1)
		len = 0;
	notify_emit(ps, state, "application/pidf+xml", body, len, 1);
	/* RFC 3857 3.2: an ended subscription is a "timeout" to winfo. */
	ps->ps_reason = reason != NULL ? reason : "timeout";
	if (ps->ps_rec.sr_event == PRES_EVENT_PRESENCE)
		notify_winfo(pr, ps);
	pres_sub_del(ps);
}

static void
notify_answer(void *arg, const struct sip_msg *resp IMD_UNUSED,
    unsigned int status)
{
	struct pres_sub	*ps = arg;

	ps->ps_txc = NULL;
	ps->ps_relay = 0;
	if (status == 481 || status == 408) {
		/* The watcher is gone: RFC 6665 4.2.2. */
		log_debug("presence: %s: %s answered %u, subscription ends",
		    ps->ps_pres->pr_aor, ps->ps_rec.sr_watcher, status);
		ps->ps_reason = status == 481 ? "noresource" : "timeout";
		if (ps->ps_rec.sr_event == PRES_EVENT_PRESENCE)
			notify_winfo(ps->ps_pres, ps);
		pres_sub_del(ps);
		return;
	}
	if (ps->ps_again) {
		ps->ps_again = 0;
		notify_send(ps);
	}
}
