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
 * The branches of a call (RFC 3261 16.6 to 16.8): the INVITE goes to
 * every destination at once, each in its own INVITE client
 * transaction.  Provisional responses go to the caller as they come;
 * the first 2xx answers the caller and the other branches get CANCEL.
 * Without a 2xx the best failure is chosen as 16.7 says: a 6xx ends
 * the others at once and wins; else the lowest status, with the
 * challenges of every 401 and 407 merged into it, and a 503 turned
 * into 500.  A branch that rings past `limit ring-time` (Timer C, 16.8)
 * is cancelled and counts as no answer; when no branch answered at
 * all the caller gets 480.
 */

#include <sys/types.h>

#include <event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "call.h"
#include "cdefs.h"
#include "listener.h"
#include "log.h"
#include "request.h"

#define CALL_GROWTH		2048	/* our Via, Record-Route */
#define CALL_CHALLENGES_MAX	8192	/* merged 401/407 challenges */
#define CALL_TOO_LARGE		-2

struct call;

struct call_branch {
	struct call	*br_call;
	struct ict	*br_ict;
	struct event	 br_timer_c;
	int		 br_pending;
	struct sip_peer	 br_peer;
};

struct call {
	struct sip_req		*cl_rq;
	int			 cl_initial;	/* not a re-INVITE */
	int			 cl_answered;	/* a 2xx went back */
	int			 cl_refused;	/* a device answered a failure */
	struct call_branch	 cl_br[BINDING_MAX_PER_USER];
	size_t			 cl_n;
	size_t			 cl_pending;
	unsigned int		 cl_best;	/* best failure so far */
	char			*cl_best_resp;	/* it, less our Via; or NULL */
	size_t			 cl_best_len;
	char			*cl_chall;	/* challenge lines gathered */
	size_t			 cl_chall_len;
};

static void
call_branch_end(struct call_branch *br)
{
	struct call	*cl = br->br_call;

	if (!br->br_pending)
		return;
	br->br_pending = 0;
	cl->cl_pending--;
	evtimer_del(&br->br_timer_c);
}

/* The request's part is over: what still rings is cancelled. */
static void
call_cleanup(struct sip_req *rq)
{
	struct call	*cl = rq->rq_fork;
	size_t		 i;

	if (cl == NULL)
		return;
	for (i = 0; i < cl->cl_n; i++) {
		struct call_branch	*br = &cl->cl_br[i];

		if (br->br_ict != NULL && br->br_pending)
			ict_cancel(br->br_ict);
		if (br->br_ict != NULL)
			ict_detach(br->br_ict, &rq->rq_peer);
		br->br_ict = NULL;
		call_branch_end(br);
	}
	if (cl->cl_initial && !cl->cl_answered) {
		calls_failed(rq);
		/* Rang out, cancelled by the caller, unreachable: missed. */
		if (!cl->cl_refused)
			call_missed(rq);
	}
	free(cl->cl_best_resp);
	free(cl->cl_chall);
	free(cl);
	rq->rq_fork = NULL;
	rq->rq_cleanup = NULL;
}

/* A response from a branch, less our Via, into a new buffer. */
static char *
call_back(const struct sip_msg *resp, size_t *len)
{
	struct sip_out	 out;
	char		*buf;
	size_t		 size = resp->msg_len + 64;

	if ((buf = malloc(size)) == NULL)
		return (NULL);
	sip_out_init(&out, buf, size);
	if (sip_print_response_back(&out, resp) == -1) {
		free(buf);
		return (NULL);
	}
	*len = out.len;
	return (buf);
}

/* The challenges of a 401 or 407, kept for the merged answer. */
static void
call_gather_challenges(struct call *cl, const struct sip_msg *resp)
{
	const struct sip_hdr	*h;
	struct sip_out		 out;
	char			*buf;
	size_t			 i;

	if ((buf = realloc(cl->cl_chall, CALL_CHALLENGES_MAX)) == NULL)
		return;
	cl->cl_chall = buf;
	sip_out_init(&out, buf, CALL_CHALLENGES_MAX);
	out.len = cl->cl_chall_len;
	for (i = 0; i < resp->msg_nhdrs; i++) {
		h = &resp->msg_hdrs[i];
		if (h->hdr_id != SIP_HDR_WWW_AUTHENTICATE &&
		    h->hdr_id != SIP_HDR_PROXY_AUTHENTICATE)
			continue;
		sip_out_printf(out.overflow ? &out : &out, "%s: %.*s\r\n",
		    sip_hdr_name(h->hdr_id), (int)h->hdr_value.len,
		    h->hdr_value.s);
	}
	if (!out.overflow)
		cl->cl_chall_len = out.len;
}

/* RFC 3261 16.7 step 6: a 6xx first, else the lowest status. */
static void
call_keep_best(struct call *cl, const struct sip_msg *resp,
    unsigned int status)
{
	int	six = status >= 600, bestsix = cl->cl_best >= 600;
	char	*copy;
	size_t	 len = 0;

	if (resp != NULL && (status == 401 || status == 407))
		call_gather_challenges(cl, resp);
	if (cl->cl_best != 0 && (bestsix > six ||
	    (bestsix == six && status >= cl->cl_best)))
		return;
	copy = resp != NULL ? call_back(resp, &len) : NULL;
	free(cl->cl_best_resp);
	cl->cl_best = status;
	cl->cl_best_resp = copy;
	cl->cl_best_len = len;
}

/*
 * The best 401 or 407 with every branch's challenges: its own lines
 * give way to the merged ones, which hold them.
 */
static void
call_send_merged(struct sip_req *rq, struct call *cl)
{
	static struct sip_msg	 m;
	const struct sip_hdr	*h;
	struct sip_limits	 lim;
	struct sip_err		 err;
	struct sip_out		 out;
	char			*buf;
	size_t			 i, size = cl->cl_best_len + cl->cl_chall_len;

	sip_limits_default(&lim);
	lim.max_msg = lim.max_line = cl->cl_best_len;
	if (sip_parse(&m, cl->cl_best_resp, cl->cl_best_len, &lim, 0,
	    &err) == -1 || (buf = malloc(size)) == NULL) {
		req_forward_reply(rq, cl->cl_best_resp, cl->cl_best_len);
		return;
	}
	sip_out_init(&out, buf, size);
	sip_out_add(&out, m.msg_buf, strchr(m.msg_buf, '\n') + 1 - m.msg_buf);
	for (i = 0; i < m.msg_nhdrs; i++) {
		h = &m.msg_hdrs[i];
		if (h->hdr_id == SIP_HDR_WWW_AUTHENTICATE ||
		    h->hdr_id == SIP_HDR_PROXY_AUTHENTICATE)
			continue;
		sip_out_add(&out, h->hdr_name.s,
		    SIP_STR_END(&h->hdr_value) - h->hdr_name.s);
		sip_out_add(&out, "\r\n", 2);
	}
	sip_out_add(&out, cl->cl_chall, cl->cl_chall_len);
	sip_out_add(&out, "\r\n", 2);
	sip_out_add(&out, m.msg_body.s, m.msg_body.len);
	if (out.overflow)
		req_forward_reply(rq, cl->cl_best_resp, cl->cl_best_len);
	else
		req_forward_reply(rq, out.buf, out.len);
	free(buf);
}

/* No branch is left: the best failure to the caller (16.7 step 6). */
static void
call_final(struct call *cl)
{
	struct sip_req	*rq = cl->cl_rq;

	if (cl->cl_best == 503)
		req_reply(rq, 500, "Server Internal Error", NULL);
	else if (cl->cl_best_resp == NULL)
		req_reply(rq, 480, "Temporarily Unavailable", NULL);
	else if (cl->cl_chall_len > 0 &&
	    (cl->cl_best == 401 || cl->cl_best == 407))
		call_send_merged(rq, cl);
	else
		req_forward_reply(rq, cl->cl_best_resp, cl->cl_best_len);
}

/* A 6xx: every other branch is cancelled, and counts no more. */
static void
call_end_others(struct call *cl)
{
	size_t	i;

	for (i = 0; i < cl->cl_n; i++) {
		struct call_branch	*br = &cl->cl_br[i];

		if (!br->br_pending)
			continue;
		ict_cancel(br->br_ict);
		ict_detach(br->br_ict, &cl->cl_rq->rq_peer);
		br->br_ict = NULL;
		call_branch_end(br);
	}
}

static void
call_failed_branch(struct call_branch *br, const struct sip_msg *resp,
    unsigned int status)
{
	struct call	*cl = br->br_call;

	if (resp != NULL && status != 487)
		cl->cl_refused = 1;
	if (br->br_ict != NULL)
		ict_detach(br->br_ict, &cl->cl_rq->rq_peer);
	br->br_ict = NULL;
	call_branch_end(br);
	call_keep_best(cl, resp, status);
	if (status >= 600)
		call_end_others(cl);
	if (cl->cl_pending == 0)
		call_final(cl);
}

static void
call_timer_c_add(struct call_branch *br)
{
	struct timeval	tv = { listener_conf->c_limits.lim_ring_time, 0 };

	evtimer_add(&br->br_timer_c, &tv);
}

/* Timer C: nobody took the call on this device in time. */
static void
call_timer_c(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct call_branch	*br = arg;

	log_debug("call: %s: no answer in %u s", br->br_call->cl_rq->rq_to,
	    listener_conf->c_limits.lim_ring_time);
	ict_cancel(br->br_ict);
	call_failed_branch(br, NULL, 408);
}

/* Every response of a branch's transaction, or 408/503 without one. */
static void
call_branch_answer(void *arg, const struct sip_msg *resp,
    unsigned int status)
{
	struct call_branch	*br = arg;
	struct call		*cl = br->br_call;
	struct sip_req		*rq = cl->cl_rq;
	char			*buf;
	size_t			 len;

	if (status >= 300 || resp == NULL) {
		call_failed_branch(br, resp, status);
		return;
	}
	if ((buf = call_back(resp, &len)) == NULL)
		return;
	if (status < 200) {
		call_timer_c_add(br);
		if (cl->cl_initial)
			calls_ringing(rq, resp, &br->br_peer);
		ist_respond(rq->rq_ist, buf, len);
	} else {
		call_branch_end(br);
		cl->cl_answered = 1;
		if (cl->cl_initial)
			calls_answered(rq, resp, &br->br_peer);
		req_forward_reply(rq, buf, len);	/* cleanup: CANCELs */
	}
	free(buf);
}

/* One copy of the INVITE to one destination. */
static int
call_branch_start(struct call *cl, const struct call_dest *cd)
{
	struct sip_req		*rq = cl->cl_rq;
	struct call_branch	*br = &cl->cl_br[cl->cl_n];
	struct sip_fwd		 fw;
	struct sip_out		 out;
	char			 via[128], branch[CALL_BRANCH_MAX], rr[300];
	char			*buf;
	size_t			 size = rq->rq_msg.msg_len + CALL_GROWTH;
	int			 r = 0;

	br->br_peer = cd->cd_peer;
	if (transport_origin(&br->br_peer, via, sizeof(via)) == -1)
		return (-1);
	snprintf(branch, sizeof(branch), "z9hG4bK%08x.%08x%08x",
	    config_loop_tag(listener_conf), arc4random(), arc4random());
	worker_branch_mark(branch, sizeof(branch));
	rr[0] = '\0';
	if (cd->cd_rr[0][0] != '\0')
		snprintf(rr, sizeof(rr), "Record-Route: <%s>\r\n%s%s%s",
		    cd->cd_rr[0], cd->cd_rr[1][0] != '\0' ?
		    "Record-Route: <" : "", cd->cd_rr[1],
		    cd->cd_rr[1][0] != '\0' ? ">\r\n" : "");
	memset(&fw, 0, sizeof(fw));
	if (cd->cd_ruri != NULL) {
		fw.fw_ruri.s = cd->cd_ruri;
		fw.fw_ruri.len = strlen(cd->cd_ruri);
	}
	fw.fw_via.s = via;
	fw.fw_via.len = strlen(via);
	fw.fw_branch.s = branch;
	fw.fw_branch.len = strlen(branch);
	fw.fw_head.s = rr;
	fw.fw_head.len = strlen(rr);
	fw.fw_drop_proxy_auth = cl->cl_initial;
	fw.fw_pop_route = rq->rq_pop_route;
	if ((buf = malloc(size)) == NULL)
		return (-1);
	sip_out_init(&out, buf, size);
	br->br_call = cl;
	if (sip_print_request(&out, &rq->rq_msg, &fw) == -1)
		r = -1;
	else if (br->br_peer.sp_transport == TRANSPORT_UDP &&
	    out.len > SIP_UDP_MAX)
		r = CALL_TOO_LARGE;
	else if ((br->br_ict = ict_start(&br->br_peer, out.buf, out.len,
	    branch, call_branch_answer, br)) == NULL)
		r = -1;
	else {
		evtimer_set(&br->br_timer_c, call_timer_c, br);
		call_timer_c_add(br);
		br->br_pending = 1;
		cl->cl_n++;
		cl->cl_pending++;
	}
	free(buf);
	return (r);
}

/*
 * rq, held with its INVITE server transaction, forks to n destinations
 * (initial: a new call, not a re-INVITE).  -1 when no branch started:
 * rq is answered then.
 */
int
call_fork(struct sip_req *rq, const struct call_dest *ds, size_t n,
    int initial)
{
	struct call	*cl;
	size_t		 i, too_large = 0;
	int		 r;

	if ((cl = calloc(1, sizeof(*cl))) == NULL) {
		req_reply(rq, 500, "Server Internal Error", NULL);
		return (-1);
	}
	cl->cl_rq = rq;
	cl->cl_initial = initial;
	rq->rq_fork = cl;
	rq->rq_cleanup = call_cleanup;
	/* It rings: held for ring-time, a stranger's only briefly. */
	if (!inbound_from_stranger(rq))
		rq->rq_authenticated = 1;
	rq->rq_deadline = time(NULL) + listener_conf->c_limits.lim_ring_time +
	    INV_64T1_MS / 1000 + 8;
	for (i = 0; i < n && i < BINDING_MAX_PER_USER; i++)
		if ((r = call_branch_start(cl, &ds[i])) == CALL_TOO_LARGE)
			too_large++;
	if (cl->cl_n > 0)
		return (0);
	if (too_large > 0)
		req_reply(rq, 513, "Message Too Large For UDP", NULL);
	else
		req_reply(rq, 480, "Temporarily Unavailable", NULL);
	return (-1);
}
