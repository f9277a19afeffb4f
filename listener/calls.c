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
 * The calls the listener proxies: set up (an INVITE forked, no 2xx
 * yet) and established (a 2xx went back to the caller), each with its
 * caller, callee, state and age, and for an established one the
 * dialog's two sides as their legs reached us: that is where in-dialog
 * requests go (route.c).  A side of another domain is reached through
 * relayd instead, by its domain; a proxy beside a side that
 * record-routed the call is that side's next hop (route_next.c).  One entry per Call-ID and caller tag:
 * of the 2xx of several devices, the first names the dialog; a 2xx of
 * another device, passed on after it, makes a dialog of its own (RFC
 * 3261 13.2.2.4: the caller ACKs it and sends it BYE), an entry keyed
 * by its To tag too.  A BYE ends an entry; one idle for CALLS_IDLE_S is dropped, and the table is
 * bounded: a call that finds it full is refused 503.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/tree.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "call.h"
#include "imd_msg.h"
#include "listener.h"
#include "log.h"
#include "proc.h"
#include "request.h"
#include "stats.h"

#define CALLS_MAX	65536
#define CALLS_IDLE_S	(12 * 3600)	/* no in-dialog request for so long */
#define CALLS_ID_MAX	256
#define CALLS_TAG_MAX	128
#define CALLS_FORKS_MAX	8	/* extra dialogs of one call: a far end's
				   2xx with ever new To tags fill no table */

struct call_entry {
	RB_ENTRY(call_entry)	 ce_node;
	TAILQ_ENTRY(call_entry)	 ce_idle;	/* least recently used first */
	char			 ce_callid[CALLS_ID_MAX];
	char			 ce_ftag[CALLS_TAG_MAX]; /* the caller's */
	char			 ce_fork[CALLS_TAG_MAX]; /* another device's */
	char			 ce_ttag[CALLS_TAG_MAX]; /* the callee's, or "" */
	char			 ce_caller[IMD_ADDRESS_MAX];
	char			 ce_callee[IMD_ADDRESS_MAX];
	struct sip_peer		 ce_up;		/* the caller's leg */
	struct sip_peer		 ce_down;	/* the callee's */
	/* a side of another domain, reached through relayd, or "" */
	char			 ce_up_domain[IMD_DOMAIN_MAX];
	char			 ce_down_domain[IMD_DOMAIN_MAX];
	/* the hops next to ours the 2xx recorded, or "" (route_next.c) */
	char			 ce_up_hop[CALL_HOP_MAX];
	char			 ce_down_hop[CALL_HOP_MAX];
	enum call_state		 ce_state;
	unsigned int		 ce_nforks;	/* the first's: extra dialogs */
	time_t			 ce_start;
	time_t			 ce_active;
};

static int	ce_cmp(const struct call_entry *, const struct call_entry *);
RB_HEAD(call_tree, call_entry);
RB_PROTOTYPE(call_tree, call_entry, ce_node, ce_cmp);
RB_GENERATE(call_tree, call_entry, ce_node, ce_cmp);

static struct call_tree			calls = RB_INITIALIZER(&calls);
static TAILQ_HEAD(, call_entry)		calls_idle =
    TAILQ_HEAD_INITIALIZER(calls_idle);
static size_t				ncalls;

static int
ce_cmp(const struct call_entry *a, const struct call_entry *b)
{
	int	c;

	if ((c = strcmp(a->ce_callid, b->ce_callid)) != 0)
		return (c);
	if ((c = strcmp(a->ce_ftag, b->ce_ftag)) != 0)
		return (c);
	return (strcmp(a->ce_fork, b->ce_fork));
}

/* The value of a Call-ID, or a From or To tag, into buf; -1 if none. */
static int
calls_field(const struct sip_msg *msg, enum sip_hdr_id id, char *buf,
    size_t size)
{
	const struct sip_hdr	*h = sip_hdr_first(msg, id);
	struct sip_addr		 a;
	struct sip_str		 v;

	if (h == NULL)
		return (-1);
	if (id == SIP_HDR_CALL_ID) {
		if (sip_callid_parse(h->hdr_value.s,
		    SIP_STR_END(&h->hdr_value), &v) == -1)
			return (-1);
	} else {
		if (sip_first_addr(msg, id, &a) == -1)
			return (-1);
		v = a.addr_tag;
	}
	if (v.len == 0 || v.len >= size)
		return (-1);
	memcpy(buf, v.s, v.len);
	buf[v.len] = '\0';
	return (0);
}

/* A call by Call-ID and caller tag; fork: an extra dialog's To tag, or "". */
static struct call_entry *
calls_find(const char *callid, const char *tag, const char *fork)
{
	struct call_entry	key;

	if (strlcpy(key.ce_callid, callid, sizeof(key.ce_callid)) >=
	    sizeof(key.ce_callid) || strlcpy(key.ce_ftag, tag,
	    sizeof(key.ce_ftag)) >= sizeof(key.ce_ftag) ||
	    strlcpy(key.ce_fork, fork, sizeof(key.ce_fork)) >=
	    sizeof(key.ce_fork))
		return (NULL);
	return (RB_FIND(call_tree, &calls, &key));
}

/* The ids of an in-dialog request: Call-ID, From tag, To tag. */
struct calls_ids {
	char	ci_callid[CALLS_ID_MAX];
	char	ci_ftag[CALLS_TAG_MAX];
	char	ci_ttag[CALLS_TAG_MAX];
};

static int
calls_ids(const struct sip_msg *msg, struct calls_ids *ci)
{
	if (calls_field(msg, SIP_HDR_CALL_ID, ci->ci_callid,
	    sizeof(ci->ci_callid)) == -1 || calls_field(msg, SIP_HDR_FROM,
	    ci->ci_ftag, sizeof(ci->ci_ftag)) == -1 ||
	    calls_field(msg, SIP_HDR_TO, ci->ci_ttag, sizeof(ci->ci_ttag)) ==
	    -1)
		return (-1);
	return (0);
}

/* The entry of a call's INVITE (Call-ID and From tag). */
static struct call_entry *
calls_of(const struct sip_msg *msg)
{
	char	callid[CALLS_ID_MAX], tag[CALLS_TAG_MAX];

	if (calls_field(msg, SIP_HDR_CALL_ID, callid, sizeof(callid)) == -1 ||
	    calls_field(msg, SIP_HDR_FROM, tag, sizeof(tag)) == -1)
		return (NULL);
	return (calls_find(callid, tag, ""));
}

static void
calls_free(struct call_entry *ce)
{
	RB_REMOVE(call_tree, &calls, ce);
	TAILQ_REMOVE(&calls_idle, ce, ce_idle);
	if (ce->ce_state == CALL_ESTABLISHED)
		stats_add(STAT_SIP_DIALOGS, -1);
	ncalls--;
	free(ce);
}

static void
calls_touch(struct call_entry *ce, time_t now)
{
	ce->ce_active = now;
	TAILQ_REMOVE(&calls_idle, ce, ce_idle);
	TAILQ_INSERT_TAIL(&calls_idle, ce, ce_idle);
}

/* Dialogs nobody used for CALLS_IDLE_S: their ends went without a BYE. */
static void
calls_expire(time_t now)
{
	struct call_entry	*ce;

	while ((ce = TAILQ_FIRST(&calls_idle)) != NULL &&
	    ce->ce_state == CALL_ESTABLISHED &&
	    now - ce->ce_active > CALLS_IDLE_S)
		calls_free(ce);
}

/* The domain of address when it is not ours, else "". */
static void
calls_domain(const char *address, char *domain, size_t size)
{
	const char	*at = strchr(address, '@');

	domain[0] = '\0';
	if (at != NULL && config_find_domain(listener_conf, at + 1) == NULL)
		strlcpy(domain, at + 1, size);
}

/* A call is set up: its entry; -1 when the table is full or ids are bad. */
int
calls_setup(const struct sip_req *rq)
{
	struct call_entry	*ce;
	time_t			 now = time(NULL);

	calls_expire(now);
	if (ncalls >= CALLS_MAX || (ce = calloc(1, sizeof(*ce))) == NULL)
		return (-1);
	if (calls_field(&rq->rq_msg, SIP_HDR_CALL_ID, ce->ce_callid,
	    sizeof(ce->ce_callid)) == -1 || calls_field(&rq->rq_msg,
	    SIP_HDR_FROM, ce->ce_ftag, sizeof(ce->ce_ftag)) == -1 ||
	    RB_INSERT(call_tree, &calls, ce) != NULL) {
		free(ce);
		return (-1);
	}
	strlcpy(ce->ce_caller, rq->rq_aor, sizeof(ce->ce_caller));
	strlcpy(ce->ce_callee, rq->rq_to, sizeof(ce->ce_callee));
	calls_domain(rq->rq_aor, ce->ce_up_domain, sizeof(ce->ce_up_domain));
	calls_domain(rq->rq_to, ce->ce_down_domain,
	    sizeof(ce->ce_down_domain));
	ce->ce_up = rq->rq_peer;
	ce->ce_state = CALL_TRYING;
	ce->ce_start = ce->ce_active = now;
	TAILQ_INSERT_TAIL(&calls_idle, ce, ce_idle);
	ncalls++;
	return (0);
}

/*
 * A provisional response from the device at down: the call rings, and
 * the first one with a To tag opens the early dialog (RFC 3261 12.1),
 * in which PRACK and UPDATE already come (RFC 3262, 3311).
 */
void
calls_ringing(const struct sip_req *rq, const struct sip_msg *resp,
    const struct sip_peer *down)
{
	struct call_entry	*ce;

	if ((ce = calls_of(&rq->rq_msg)) == NULL ||
	    ce->ce_state == CALL_ESTABLISHED)
		return;
	ce->ce_state = CALL_RINGING;
	if (ce->ce_ttag[0] == '\0' && calls_field(resp, SIP_HDR_TO,
	    ce->ce_ttag, sizeof(ce->ce_ttag)) == 0)
		ce->ce_down = *down;
}

/*
 * The first 2xx: the dialog, and where its callee's side is (another
 * device than the early dialog's, when another one answered).
 */
int
calls_answered(const struct sip_req *rq, const struct sip_msg *resp,
    const struct sip_peer *down)
{
	struct call_entry	*ce;

	if ((ce = calls_of(&rq->rq_msg)) == NULL)
		return (-1);
	if (ce->ce_state == CALL_ESTABLISHED)
		return (0);
	ce->ce_ttag[0] = '\0';
	if (calls_field(resp, SIP_HDR_TO, ce->ce_ttag,
	    sizeof(ce->ce_ttag)) == -1)
		ce->ce_ttag[0] = '\0';
	ce->ce_down = *down;
	route_next_recorded(resp, ce->ce_down_hop, ce->ce_up_hop,
	    CALL_HOP_MAX);
	ce->ce_state = CALL_ESTABLISHED;
	stats_add(STAT_SIP_DIALOGS, 1);
	calls_touch(ce, time(NULL));
	return (0);
}

/* The call ended before any 2xx. */
void
calls_failed(const struct sip_req *rq)
{
	struct call_entry	*ce;

	if ((ce = calls_of(&rq->rq_msg)) != NULL &&
	    ce->ce_state != CALL_ESTABLISHED)
		calls_free(ce);
}

/*
 * The dialog of an in-dialog request, the first 2xx's or another
 * device's; *from_caller says which side sent it (its From tag is the
 * caller's).
 */
static struct call_entry *
calls_dialog(const struct calls_ids *ci, int *from_caller)
{
	struct call_entry	*ce;

	*from_caller = 1;
	if ((ce = calls_find(ci->ci_callid, ci->ci_ftag, "")) != NULL &&
	    ce->ce_ttag[0] != '\0' && strcmp(ce->ce_ttag, ci->ci_ttag) == 0)
		return (ce);
	if ((ce = calls_find(ci->ci_callid, ci->ci_ftag, ci->ci_ttag)) !=
	    NULL)
		return (ce);
	*from_caller = 0;
	if ((ce = calls_find(ci->ci_callid, ci->ci_ttag, "")) != NULL &&
	    ce->ce_ttag[0] != '\0' && strcmp(ce->ce_ttag, ci->ci_ftag) == 0)
		return (ce);
	return (calls_find(ci->ci_callid, ci->ci_ttag, ci->ci_ftag));
}

/*
 * An in-dialog request: 0 and where it goes when it is in an
 * established or early dialog of a call of ours, else -1: to *dest, or
 * through relayd to domain when that is not "".  From the caller it
 * goes to the callee's side, from the callee to the caller's.
 */
int
calls_route(const struct sip_msg *msg, struct sip_peer *dest, char *domain,
    size_t size)
{
	struct call_entry	*ce;
	struct calls_ids	 ci;
	int			 from_caller;

	if (calls_ids(msg, &ci) == -1 ||
	    (ce = calls_dialog(&ci, &from_caller)) == NULL)
		return (-1);
	*dest = from_caller ? ce->ce_down : ce->ce_up;
	strlcpy(domain, from_caller ? ce->ce_down_domain : ce->ce_up_domain,
	    size);
	if (domain[0] == '\0')
		route_next_hop(msg, from_caller ? ce->ce_down_hop :
		    ce->ce_up_hop, dest);
	calls_touch(ce, time(NULL));
	return (0);
}

/*
 * A 2xx passed on to the caller after the call was answered, from
 * another device (down) than the one that answered first, or through
 * relayd (down zero): a dialog of its own, on the first one's sides.
 */
void
calls_answered_again(const struct sip_msg *resp, const struct sip_peer *down)
{
	struct call_entry	*first, *ce;
	struct calls_ids	 ci;

	if (calls_ids(resp, &ci) == -1 ||
	    (first = calls_find(ci.ci_callid, ci.ci_ftag, "")) == NULL ||
	    first->ce_state != CALL_ESTABLISHED ||
	    strcmp(first->ce_ttag, ci.ci_ttag) == 0 ||
	    calls_find(ci.ci_callid, ci.ci_ftag, ci.ci_ttag) != NULL)
		return;
	if (first->ce_nforks >= CALLS_FORKS_MAX) {
		log_info("call: %s: more than %d dialogs, one more not kept",
		    first->ce_callee, CALLS_FORKS_MAX);
		return;
	}
	if (ncalls >= CALLS_MAX || (ce = malloc(sizeof(*ce))) == NULL)
		return;
	*ce = *first;
	strlcpy(ce->ce_fork, ci.ci_ttag, sizeof(ce->ce_fork));
	strlcpy(ce->ce_ttag, ci.ci_ttag, sizeof(ce->ce_ttag));
	if (ce->ce_down_domain[0] == '\0')
		ce->ce_down = *down;
	route_next_recorded(resp, ce->ce_down_hop, ce->ce_up_hop,
	    CALL_HOP_MAX);
	if (RB_INSERT(call_tree, &calls, ce) != NULL) {
		free(ce);
		return;
	}
	first->ce_nforks++;
	ce->ce_nforks = CALLS_FORKS_MAX;	/* no forks of its own */
	ce->ce_start = ce->ce_active = time(NULL);
	TAILQ_INSERT_TAIL(&calls_idle, ce, ce_idle);
	ncalls++;
	stats_add(STAT_SIP_DIALOGS, 1);
}

/*
 * The entry of an in-dialog request, whichever side sent it: its own
 * dialog, else the call of its Call-ID and either tag, early or not.
 */
static struct call_entry *
calls_of_dialog(const struct sip_msg *msg)
{
	struct call_entry	*ce;
	struct calls_ids	 ci;
	int			 from_caller;

	if (calls_ids(msg, &ci) == -1)
		return (NULL);
	if ((ce = calls_dialog(&ci, &from_caller)) == NULL &&
	    (ce = calls_find(ci.ci_callid, ci.ci_ftag, "")) == NULL)
		ce = calls_find(ci.ci_callid, ci.ci_ttag, "");
	return (ce);
}

/* A BYE was answered: the dialog is over, whoever sent it. */
void
calls_bye(const struct sip_msg *msg)
{
	struct call_entry	*ce;
	struct calls_ids	 ci;
	int			 from_caller;

	if (calls_ids(msg, &ci) == -1)
		return;
	if ((ce = calls_dialog(&ci, &from_caller)) != NULL &&
	    ce->ce_state == CALL_ESTABLISHED)
		calls_free(ce);
}

/*
 * A side of the call can no longer be reached (a browser closed the
 * connection its flow was): whatever its state, the call is over.
 */
void
calls_gone(const struct sip_msg *msg)
{
	struct call_entry	*ce;

	if ((ce = calls_of_dialog(msg)) != NULL)
		calls_free(ce);
}

static const char *
calls_state_name(enum call_state st)
{
	switch (st) {
	case CALL_TRYING:
		return ("trying");
	case CALL_RINGING:
		return ("ringing");
	case CALL_ESTABLISHED:
		return ("established");
	}
	return ("?");
}

/* imctl show calls: every call, oldest activity first. */
void
calls_ctl_list(struct imsgev *iev, struct imsg *imsg)
{
	struct call_entry	*ce;
	struct ibuf		*buf;
	uint32_t		 id = imsg->hdr.ih_peerid;
	time_t			 now = time(NULL);

	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "calls");
	TAILQ_FOREACH(ce, &calls_idle, ce_idle) {
		if ((buf = imsgev_create(iev, IMSG_LSN_CALL_ITEM, id,
		    2 * IMD_ADDRESS_MAX + 48)) == NULL ||
		    ibuf_add_str(buf, ce->ce_caller, IMD_ADDRESS_MAX) == -1 ||
		    ibuf_add_str(buf, ce->ce_callee, IMD_ADDRESS_MAX) == -1 ||
		    ibuf_add_str(buf, calls_state_name(ce->ce_state), 32) ==
		    -1 || ibuf_add_u64(buf, now - ce->ce_start) == -1 ||
		    imsgev_close(iev, buf) == -1)
			fatal("%s", __func__);
	}
	if (imsgev_compose(iev, IMSG_LSN_END, id, -1, NULL, 0) == -1)
		fatal("%s", __func__);
}

size_t
calls_count(void)
{
	return (ncalls);
}
