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
 * come back here.  Only dialogs we know are served: each SUBSCRIBE of
 * ours that went out through relayd is recorded (Call-ID, our From
 * tag, the presentity's domain), completed with the notifier's tag
 * from its 2xx or its first NOTIFY, whichever comes first (RFC 6665
 * 4.1.2.4), and kept for the subscription's Expires.  A NOTIFY must
 * match Call-ID and both tags, and come from a server of that domain
 * (inbound.c); then its Request-URI must be one of the watcher's
 * current bindings, reached the way the binding registered.  Anything
 * else is no dialog of ours: 481, whatever user it names, so nobody
 * learns from the answer which contacts exist.
 */

#include <sys/types.h>
#include <sys/tree.h>

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "listener.h"
#include "log.h"
#include "request.h"
#include "stats.h"

#define DLG_OUT_MAX		8192	/* subscriptions of ours elsewhere */
#define DLG_CALLID_MAX		256
#define DLG_TAG_MAX		128
#define DLG_EXPIRES_DEFAULT	3600	/* RFC 3856 6.4 */
#define DLG_EXPIRES_MAX		86400
#define DLG_GRACE_S		64	/* the final NOTIFY after the end */

struct dlg_out {
	RB_ENTRY(dlg_out)	 do_node;
	char			 do_callid[DLG_CALLID_MAX];
	char			 do_local[DLG_TAG_MAX];	/* our From tag */
	char			 do_remote[DLG_TAG_MAX]; /* "" until known */
	char			 do_domain[IMD_DOMAIN_MAX]; /* its notifier's */
	char			 do_user[IMD_ADDRESS_MAX];  /* our watcher */
	time_t			 do_expires;
};

static int	dlg_cmp(const struct dlg_out *, const struct dlg_out *);
RB_HEAD(dlg_tree, dlg_out);
RB_PROTOTYPE(dlg_tree, dlg_out, do_node, dlg_cmp);
RB_GENERATE(dlg_tree, dlg_out, do_node, dlg_cmp);

static struct dlg_tree	dlg_outs = RB_INITIALIZER(&dlg_outs);
static size_t		dlg_nouts;

static int
dlg_cmp(const struct dlg_out *a, const struct dlg_out *b)
{
	int	c;

	if ((c = strcmp(a->do_callid, b->do_callid)) != 0)
		return (c);
	return (strcmp(a->do_local, b->do_local));
}

/* The Call-ID into buf; -1 when absent, malformed or too long. */
static int
dlg_callid(const struct sip_msg *msg, char *buf, size_t size)
{
	const struct sip_hdr	*h = sip_hdr_first(msg, SIP_HDR_CALL_ID);
	struct sip_str		 id;

	if (h == NULL || sip_callid_parse(h->hdr_value.s,
	    SIP_STR_END(&h->hdr_value), &id) == -1 || id.len == 0 ||
	    id.len >= size)
		return (-1);
	memcpy(buf, id.s, id.len);
	buf[id.len] = '\0';
	return (0);
}

/* The tag of From or To into buf, "" without one; -1 when too long. */
static int
dlg_tag(const struct sip_msg *msg, enum sip_hdr_id which, char *buf,
    size_t size)
{
	struct sip_addr	a;

	buf[0] = '\0';
	if (sip_first_addr(msg, which, &a) == -1 || a.addr_tag.len >= size)
		return (-1);
	if (a.addr_tag.len > 0)		/* else its pointer may be NULL */
		memcpy(buf, a.addr_tag.s, a.addr_tag.len);
	buf[a.addr_tag.len] = '\0';
	return (0);
}

static uint32_t
dlg_expires(const struct sip_msg *msg, uint32_t dflt)
{
	const struct sip_hdr	*h = sip_hdr_first(msg, SIP_HDR_EXPIRES);
	uint32_t		 secs;

	if (h == NULL || sip_expires_parse(h->hdr_value.s,
	    SIP_STR_END(&h->hdr_value), &secs) == -1)
		return (dflt);
	return (secs > DLG_EXPIRES_MAX ? DLG_EXPIRES_MAX : secs);
}

static void
dlg_free(struct dlg_out *d)
{
	RB_REMOVE(dlg_tree, &dlg_outs, d);
	dlg_nouts--;
	stats_add(STAT_SIP_DIALOGS, -1);
	free(d);
}

static void
dlg_sweep(time_t now)
{
	struct dlg_out	*d, *next;

	RB_FOREACH_SAFE(d, dlg_tree, &dlg_outs, next)
		if (d->do_expires < now)
			dlg_free(d);
}

/* The dialog that msg (a SUBSCRIBE of ours, or its answer) is in. */
static struct dlg_out *
dlg_find_ours(const struct sip_msg *msg)
{
	struct dlg_out	 key, *d;

	if (dlg_callid(msg, key.do_callid, sizeof(key.do_callid)) == -1 ||
	    dlg_tag(msg, SIP_HDR_FROM, key.do_local, sizeof(key.do_local)) ==
	    -1 || (d = RB_FIND(dlg_tree, &dlg_outs, &key)) == NULL)
		return (NULL);
	if (d->do_expires < time(NULL)) {
		dlg_free(d);
		return (NULL);
	}
	return (d);
}

static struct dlg_out *
dlg_new(const struct sip_req *rq, const char *domain)
{
	struct dlg_out	*d;

	if (dlg_nouts >= DLG_OUT_MAX)
		dlg_sweep(time(NULL));
	if (dlg_nouts >= DLG_OUT_MAX || (d = calloc(1, sizeof(*d))) == NULL)
		return (NULL);
	if (dlg_callid(&rq->rq_msg, d->do_callid, sizeof(d->do_callid)) ==
	    -1 || dlg_tag(&rq->rq_msg, SIP_HDR_FROM, d->do_local,
	    sizeof(d->do_local)) == -1 || d->do_local[0] == '\0' ||
	    dlg_tag(&rq->rq_msg, SIP_HDR_TO, d->do_remote,
	    sizeof(d->do_remote)) == -1 ||
	    strlcpy(d->do_domain, domain, sizeof(d->do_domain)) >=
	    sizeof(d->do_domain) ||
	    strlcpy(d->do_user, rq->rq_aor, sizeof(d->do_user)) >=
	    sizeof(d->do_user)) {
		free(d);
		return (NULL);
	}
	if (RB_INSERT(dlg_tree, &dlg_outs, d) != NULL) {
		free(d);
		return (NULL);
	}
	dlg_nouts++;
	stats_add(STAT_SIP_DIALOGS, 1);
	return (d);
}

/*
 * A SUBSCRIBE of our user rq->rq_aor for domain goes out: its dialog
 * is recorded, or refreshed.  -1 when it cannot be (no From tag, ids
 * too long, the table full): then it must not go.
 */
int
dialog_out_subscribe(const struct sip_req *rq, const char *domain)
{
	struct dlg_out	*d;
	uint32_t	 secs;

	if ((d = dlg_find_ours(&rq->rq_msg)) == NULL &&
	    (d = dlg_new(rq, domain)) == NULL) {
		log_warnx("dialog: cannot follow a subscription of %s to %s "
		    "(%zu followed)", rq->rq_aor, domain, dlg_nouts);
		return (-1);
	}
	secs = dlg_expires(&rq->rq_msg, DLG_EXPIRES_DEFAULT);
	d->do_expires = time(NULL) + secs + DLG_GRACE_S;
	return (0);
}

/*
 * The final answer to a SUBSCRIBE of ours, from relayd (resp, or NULL
 * for one relayd made itself): a 2xx names the notifier's tag and the
 * Expires it granted; a failure ends a dialog that never began, or
 * that the notifier no longer knows.
 */
void
dialog_out_answered(const struct sip_req *rq, unsigned int status,
    const char *resp, size_t len)
{
	static struct sip_msg	 msg;
	struct sip_limits	 lim;
	struct sip_err		 err;
	struct dlg_out		*d;
	uint32_t		 secs;

	if ((d = dlg_find_ours(&rq->rq_msg)) == NULL)
		return;
	if (status >= 300) {
		if (d->do_remote[0] == '\0' || status == 481)
			dlg_free(d);
		return;
	}
	sip_limits_from_conf(&lim);
	if (resp == NULL || sip_parse(&msg, resp, len, &lim, 0, &err) == -1)
		return;
	if (d->do_remote[0] == '\0' && dlg_tag(&msg, SIP_HDR_TO,
	    d->do_remote, sizeof(d->do_remote)) == -1)
		d->do_remote[0] = '\0';
	secs = dlg_expires(&msg, dlg_expires(&rq->rq_msg,
	    DLG_EXPIRES_DEFAULT));
	d->do_expires = time(NULL) + secs + DLG_GRACE_S;
}

/* The dialog a NOTIFY claims to be in: our tag is its To tag. */
static struct dlg_out *
dlg_find_theirs(const struct sip_msg *msg, char *remote, size_t size)
{
	struct dlg_out	 key, *d;

	if (dlg_callid(msg, key.do_callid, sizeof(key.do_callid)) == -1 ||
	    dlg_tag(msg, SIP_HDR_TO, key.do_local, sizeof(key.do_local)) ==
	    -1 || key.do_local[0] == '\0' ||
	    dlg_tag(msg, SIP_HDR_FROM, remote, size) == -1 ||
	    remote[0] == '\0' ||
	    (d = RB_FIND(dlg_tree, &dlg_outs, &key)) == NULL ||
	    d->do_expires < time(NULL) ||
	    (d->do_remote[0] != '\0' && strcmp(d->do_remote, remote) != 0))
		return (NULL);
	return (d);
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
			fork_start(rq, &bs[i], 1);
			return;
		}
	req_reply(rq, 481, "Call/Transaction Does Not Exist", NULL);
}

/*
 * The NOTIFY's sender serves the dialog's domain: the dialog may have
 * gone meanwhile; its first NOTIFY names the notifier's tag.
 */
static void
dialog_admitted(struct sip_req *rq)
{
	struct dlg_out	*d;
	char		 remote[DLG_TAG_MAX];

	if ((d = dlg_find_theirs(&rq->rq_msg, remote, sizeof(remote))) ==
	    NULL) {
		req_reply(rq, 481, "Call/Transaction Does Not Exist", NULL);
		return;
	}
	if (d->do_remote[0] == '\0')
		strlcpy(d->do_remote, remote, sizeof(d->do_remote));
	rq->rq_looked_up = dialog_looked_up;
	req_lookup(rq);
}

static void
dialog_unknown(const struct sip_msg *msg, const struct sip_peer *peer)
{
	char		host[NI_MAXHOST];
	uint16_t	port;

	sip_peer_addr(peer, host, sizeof(host), &port);
	log_debug("dialog: %s:%u: NOTIFY for no dialog of ours", host, port);
	sip_reply(peer, msg, 481, "Call/Transaction Does Not Exist", NULL);
}

void
dialog_request(const struct sip_msg *msg, const struct sip_peer *peer)
{
	struct sip_req	*rq;
	struct dlg_out	*d;
	char		 remote[DLG_TAG_MAX], from[IMD_ADDRESS_MAX];
	char		 fromdom[IMD_DOMAIN_MAX];

	if ((d = dlg_find_theirs(msg, remote, sizeof(remote))) == NULL) {
		dialog_unknown(msg, peer);
		return;
	}
	if (from_address(msg, from, sizeof(from), fromdom, sizeof(fromdom)) ==
	    -1) {
		sip_reply(peer, msg, 400, "Bad From", NULL);
		return;
	}
	if (inbound_refused(msg, peer, strchr(d->do_user, '@') + 1, fromdom) ||
	    (rq = req_hold(msg, peer)) == NULL)
		return;
	strlcpy(rq->rq_to, d->do_user, sizeof(rq->rq_to));
	strlcpy(rq->rq_aor, from, sizeof(rq->rq_aor));
	if (inbound_check(rq, d->do_domain, dialog_admitted))
		dialog_admitted(rq);
}
