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
 * INVITE client transactions (RFC 3261 17.1.1 with RFC 6026): the
 * INVITE of one branch of a call.  On UDP it is sent again (Timer A)
 * until a response comes; Timer B gives up on a silent branch.  Every
 * response is reported to the owner: provisionals, the final, and each
 * 2xx after it (Accepted, for Timer M: every 2xx goes to the caller).
 * A failure is ACKed here (17.1.1.3), again for each retransmission,
 * until Timer D.  CANCEL (9.1) waits for a provisional response when
 * none came yet.  Once the owner detaches, 2xx still go to the caller
 * it named, statelessly, and the rest is absorbed.
 */

#include <sys/types.h>
#include <sys/tree.h>

#include <event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "call.h"
#include "cdefs.h"
#include "listener.h"
#include "log.h"
#include "sip.h"
#include "tx_client.h"

/* As IST_MAX: an answered branch stays Accepted for Timer M (32 s). */
#define ICT_MAX		393216
#define ICT_TIMER_D_MS	32000	/* UDP; 0 on a reliable transport */

enum ict_state {
	ICT_CALLING,
	ICT_PROCEEDING,
	ICT_COMPLETED,
	ICT_ACCEPTED
};

struct ict {
	RB_ENTRY(ict)	 ic_node;
	char		 ic_branch[CALL_BRANCH_MAX];
	enum ict_state	 ic_state;
	struct sip_peer	 ic_peer;
	char		*ic_req;	/* the INVITE, for A, ACK and CANCEL */
	size_t		 ic_reqlen;
	char		*ic_ack;	/* our ACK of the failure */
	size_t		 ic_acklen;
	unsigned int	 ic_interval;	/* Timer A, ms */
	int		 ic_cancel;	/* to CANCEL at the first provisional */
	int		 ic_cancelled;	/* CANCEL sent */
	struct event	 ic_retrans;	/* Timer A */
	struct event	 ic_end;	/* Timer B, D, M, or the detached end */
	void		(*ic_cb)(void *, const struct sip_msg *,
			    unsigned int);
	void		*ic_arg;
	int		 ic_detached;
	struct sip_peer	 ic_up;		/* where a late 2xx goes */
};

static int	ict_cmp(struct ict *, struct ict *);
RB_HEAD(ict_tree, ict);
RB_PROTOTYPE(ict_tree, ict, ic_node, ict_cmp);
RB_GENERATE(ict_tree, ict, ic_node, ict_cmp);

static struct ict_tree	icts = RB_INITIALIZER(&icts);
static size_t		nict;

static int
ict_cmp(struct ict *a, struct ict *b)
{
	return (strcasecmp(a->ic_branch, b->ic_branch));
}

static void
ict_free(struct ict *ic)
{
	evtimer_del(&ic->ic_retrans);
	evtimer_del(&ic->ic_end);
	RB_REMOVE(ict_tree, &icts, ic);
	nict--;
	free(ic->ic_req);
	free(ic->ic_ack);
	free(ic);
}

/* The owner hears it, if there still is one. */
static void
ict_report(struct ict *ic, const struct sip_msg *resp, unsigned int status)
{
	if (ic->ic_cb != NULL)
		ic->ic_cb(ic->ic_arg, resp, status);
}

/* Our INVITE again, parsed: what ACK and CANCEL are made of. */
static int
ict_parse_req(struct ict *ic, struct sip_msg *req)
{
	struct sip_limits	lim;
	struct sip_err		err;

	sip_limits_default(&lim);
	lim.max_msg = ic->ic_reqlen;
	lim.max_line = ic->ic_reqlen;
	return (sip_parse(req, ic->ic_req, ic->ic_reqlen, &lim, 0, &err));
}

/* ACK or CANCEL of our INVITE (sip_print_sibling()). */
static int
ict_print_sibling(struct ict *ic, const char *method,
    const struct sip_msg *resp, struct sip_out *out)
{
	static struct sip_msg	req;

	if (ict_parse_req(ic, &req) == -1)
		return (-1);
	return (sip_print_sibling(out, &req, method, resp));
}

static void
ict_send_cancel(struct ict *ic)
{
	struct sip_out	out;
	char		buf[SIP_REPLY_MAX * 2];

	ic->ic_cancel = 0;
	ic->ic_cancelled = 1;
	sip_out_init(&out, buf, sizeof(buf));
	if (ict_print_sibling(ic, "CANCEL", NULL, &out) == -1 ||
	    txc_start(&ic->ic_peer, out.buf, out.len, ic->ic_branch,
	    "CANCEL", NULL, NULL) == NULL)
		log_debug("ict: %s: CANCEL not sent", ic->ic_branch);
}

static void
ict_send_ack(struct ict *ic, const struct sip_msg *resp)
{
	struct sip_out	out;
	char		buf[SIP_REPLY_MAX * 2];

	if (ic->ic_ack == NULL) {
		sip_out_init(&out, buf, sizeof(buf));
		if (ict_print_sibling(ic, "ACK", resp, &out) == -1 ||
		    (ic->ic_ack = malloc(out.len)) == NULL)
			return;
		memcpy(ic->ic_ack, out.buf, out.len);
		ic->ic_acklen = out.len;
	}
	transport_send(&ic->ic_peer, ic->ic_ack, ic->ic_acklen);
}

/* Timer A: UDP, the INVITE again, doubling (17.1.1.2). */
static void
ict_timer_a(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct ict	*ic = arg;

	if (ic->ic_state != ICT_CALLING)
		return;
	transport_send(&ic->ic_peer, ic->ic_req, ic->ic_reqlen);
	ic->ic_interval *= 2;
	inv_timer_add(&ic->ic_retrans, ic->ic_interval);
}

/* Timer B in Calling: 408 to the owner; else D, M or the detached end. */
static void
ict_timer_end(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct ict	*ic = arg;

	if (ic->ic_state == ICT_CALLING)
		ict_report(ic, NULL, 408);
	ict_free(ic);
}

struct ict *
ict_start(const struct sip_peer *dest, const char *req, size_t len,
    const char *branch, void (*cb)(void *, const struct sip_msg *,
    unsigned int), void *arg)
{
	struct ict	*ic;

	if (nict >= ICT_MAX || (ic = calloc(1, sizeof(*ic))) == NULL)
		return (NULL);
	if (strlcpy(ic->ic_branch, branch, sizeof(ic->ic_branch)) >=
	    sizeof(ic->ic_branch) || (ic->ic_req = malloc(len)) == NULL) {
		free(ic);
		return (NULL);
	}
	memcpy(ic->ic_req, req, len);
	ic->ic_reqlen = len;
	if (RB_INSERT(ict_tree, &icts, ic) != NULL) {
		free(ic->ic_req);
		free(ic);
		return (NULL);
	}
	nict++;
	ic->ic_peer = *dest;
	ic->ic_cb = cb;
	ic->ic_arg = arg;
	ic->ic_interval = INV_T1_MS;
	evtimer_set(&ic->ic_retrans, ict_timer_a, ic);
	evtimer_set(&ic->ic_end, ict_timer_end, ic);
	if (transport_send(dest, req, len) == -1) {
		ict_free(ic);
		return (NULL);
	}
	if (dest->sp_transport == TRANSPORT_UDP)
		inv_timer_add(&ic->ic_retrans, ic->ic_interval);
	inv_timer_add(&ic->ic_end, INV_64T1_MS);	/* Timer B */
	return (ic);
}

static struct ict *
ict_find(const struct sip_msg *resp)
{
	const struct sip_hdr	*h;
	struct sip_via		 v;
	struct sip_cseq		 cs;
	struct ict		 find;

	if ((h = sip_hdr_first(resp, SIP_HDR_CSEQ)) == NULL ||
	    sip_cseq_parse(h->hdr_value.s, SIP_STR_END(&h->hdr_value),
	    &cs) == -1 || cs.cseq_method != SIP_METHOD_INVITE ||
	    sip_top_via(resp, &v) == -1 || v.via_branch.len == 0 ||
	    v.via_branch.len >= sizeof(find.ic_branch))
		return (NULL);
	memcpy(find.ic_branch, v.via_branch.s, v.via_branch.len);
	find.ic_branch[v.via_branch.len] = '\0';
	return (RB_FIND(ict_tree, &icts, &find));
}

/*
 * A 2xx after the owner left: to the caller as it is (RFC 6026 8.4);
 * from another device than the one that answered, a dialog of its own.
 */
static void
ict_pass_2xx(struct ict *ic, const struct sip_msg *resp)
{
	struct sip_out	 out;
	char		*buf;
	size_t		 size = resp->msg_len + 64;

	calls_answered_again(resp, &ic->ic_peer);
	if ((buf = malloc(size)) == NULL)
		return;
	sip_out_init(&out, buf, size);
	if (sip_print_response_back(&out, resp) == 0)
		transport_send(&ic->ic_up, out.buf, out.len);
	free(buf);
}

/* Answered: the INVITE is not sent again, nor its ACK or CANCEL made. */
static void
ict_forget_request(struct ict *ic)
{
	free(ic->ic_req);
	ic->ic_req = NULL;
	ic->ic_reqlen = 0;
}

static void
ict_final(struct ict *ic, const struct sip_msg *resp)
{
	evtimer_del(&ic->ic_retrans);
	evtimer_del(&ic->ic_end);
	if (resp->msg_status < 300) {
		ict_forget_request(ic);
		ic->ic_state = ICT_ACCEPTED;
		inv_timer_add(&ic->ic_end, INV_64T1_MS);	/* Timer M */
		if (ic->ic_detached)
			ict_pass_2xx(ic, resp);
		ict_report(ic, resp, resp->msg_status);
		return;
	}
	ic->ic_state = ICT_COMPLETED;
	ict_send_ack(ic, resp);	/* kept for retransmitted failures */
	ict_forget_request(ic);
	inv_timer_add(&ic->ic_end, ic->ic_peer.sp_transport ==
	    TRANSPORT_UDP ? ICT_TIMER_D_MS : 0);
	ict_report(ic, resp, resp->msg_status);
}

/* Every response of an INVITE of ours: 1 when it was one. */
int
ict_response(const struct sip_msg *resp)
{
	struct ict	*ic;
	unsigned int	 st = resp->msg_status;

	if (resp->msg_kind != SIP_RESPONSE || (ic = ict_find(resp)) == NULL)
		return (0);
	switch (ic->ic_state) {
	case ICT_CALLING:
	case ICT_PROCEEDING:
		if (st >= 200) {
			ict_final(ic, resp);
			break;
		}
		if (ic->ic_state == ICT_CALLING) {
			ic->ic_state = ICT_PROCEEDING;
			evtimer_del(&ic->ic_retrans);
			if (!ic->ic_detached) {
				/* Timer B is for Calling only. */
				evtimer_del(&ic->ic_end);
			}
		}
		if (ic->ic_cancel)
			ict_send_cancel(ic);
		if (st > 100)
			ict_report(ic, resp, st);
		break;
	case ICT_COMPLETED:
		transport_stats.ts_retransmits++;
		if (st >= 300)
			ict_send_ack(ic, resp);
		break;
	case ICT_ACCEPTED:
		if (st >= 200 && st < 300) {
			if (ic->ic_detached)
				ict_pass_2xx(ic, resp);
			ict_report(ic, resp, st);
		}
		break;
	}
	return (1);
}

/* CANCEL this branch: now if it rang, else at its first provisional. */
void
ict_cancel(struct ict *ic)
{
	if (ic->ic_cancelled)
		return;
	if (ic->ic_state == ICT_PROCEEDING)
		ict_send_cancel(ic);
	else if (ic->ic_state == ICT_CALLING)
		ic->ic_cancel = 1;
}

/*
 * The owner is done with the branch: a 2xx that still comes goes to
 * up (the caller), and a branch still ringing ends after 64*T1 at the
 * latest, whatever its far end does.
 */
void
ict_detach(struct ict *ic, const struct sip_peer *up)
{
	ic->ic_cb = NULL;
	ic->ic_arg = NULL;
	ic->ic_detached = 1;
	ic->ic_up = *up;
	if (ic->ic_state == ICT_CALLING || ic->ic_state == ICT_PROCEEDING)
		inv_timer_add(&ic->ic_end, INV_64T1_MS);
}

size_t
ict_count(void)
{
	return (nict);
}
