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
 * Non-INVITE client transactions (RFC 3261 17.1.2).  A request we send
 * is retransmitted on UDP (Timer E: T1 doubling up to T2, T2 once a
 * provisional response came) until a final response arrives or Timer F
 * (64*T1) gives up.  The first final response is reported; the
 * transaction then stays Completed for Timer K (T4 on UDP, nothing on a
 * reliable transport) to absorb retransmissions of it.  Responses are
 * matched by the top Via's branch and the CSeq method (17.1.3).
 */

#include <sys/types.h>
#include <sys/tree.h>

#include <errno.h>
#include <event.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cdefs.h"
#include "listener.h"
#include "log.h"
#include "sip.h"
#include "tx_client.h"

#define TXC_T1_MS	500	/* round-trip estimate */
#define TXC_T2_MS	4000	/* longest retransmit interval */
#define TXC_T4_MS	5000	/* longest a message lives in the network */
#define TXC_MAGIC	"z9hG4bK"

enum txc_state {
	TXC_TRYING,
	TXC_PROCEEDING,
	TXC_COMPLETED		/* reported; absorbing until Timer K */
};

struct txc {
	RB_ENTRY(txc)	 tc_node;
	char		 tc_branch[TXC_BRANCH_MAX];
	char		 tc_method[TXC_METHOD_MAX];
	enum txc_state	 tc_state;
	struct sip_peer	 tc_peer;
	char		*tc_req;	/* for retransmissions: udp only */
	size_t		 tc_reqlen;
	unsigned int	 tc_interval;	/* Timer E, ms */
	unsigned int	 tc_status;	/* what tc_end reports: 408 or 503 */
	struct event	 tc_retrans;	/* Timer E */
	struct event	 tc_end;	/* Timer F, then Timer K */
	void		(*tc_cb)(void *, const struct sip_msg *,
			    unsigned int);
	void		*tc_arg;
};

static int	txc_cmp(struct txc *, struct txc *);
RB_HEAD(txc_tree, txc);
RB_PROTOTYPE(txc_tree, txc, tc_node, txc_cmp);
RB_GENERATE(txc_tree, txc, tc_node, txc_cmp);

static struct txc_tree	txcs = RB_INITIALIZER(&txcs);
static size_t		ntxc;
static unsigned int	txc_t1 = TXC_T1_MS;
static unsigned int	txc_t2 = TXC_T2_MS;
static unsigned int	txc_t4 = TXC_T4_MS;

/*
 * Parameter values compare without case (RFC 3261 7.3.1), method names
 * with it (7.1).
 */
static int
txc_cmp(struct txc *a, struct txc *b)
{
	int	r;

	if ((r = strcasecmp(a->tc_branch, b->tc_branch)) != 0)
		return (r);
	return (strcmp(a->tc_method, b->tc_method));
}

/* An absent or empty value names no transaction. */
static int
txc_str_copy(char *dst, size_t size, const struct sip_str *src)
{
	if (src->len == 0 || src->len >= size)
		return (-1);
	memcpy(dst, src->s, src->len);
	dst[src->len] = '\0';
	return (0);
}

/* The transaction a response belongs to: top Via branch, CSeq method. */
static struct txc *
txc_find(const struct sip_msg *resp)
{
	const struct sip_hdr	*cseq;
	struct sip_via		 v;
	struct sip_cseq		 cs;
	struct txc		 find;

	if ((cseq = sip_hdr_first(resp, SIP_HDR_CSEQ)) == NULL)
		return (NULL);
	if (sip_top_via(resp, &v) == -1 || sip_cseq_parse(cseq->hdr_value.s,
	    SIP_STR_END(&cseq->hdr_value), &cs) == -1)
		return (NULL);
	if (txc_str_copy(find.tc_branch, sizeof(find.tc_branch),
	    &v.via_branch) == -1 || txc_str_copy(find.tc_method,
	    sizeof(find.tc_method), &cs.cseq_method_str) == -1)
		return (NULL);
	return (RB_FIND(txc_tree, &txcs, &find));
}

static void
txc_timer_add(struct event *ev, uint64_t ms)
{
	struct timeval	tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(ev, &tv);
}

static void
txc_free(struct txc *tc)
{
	evtimer_del(&tc->tc_retrans);
	evtimer_del(&tc->tc_end);
	RB_REMOVE(txc_tree, &txcs, tc);
	ntxc--;
	free(tc->tc_req);
	free(tc);
}

/*
 * The owner hears the outcome with the transaction already Completed,
 * so a txc_cancel() from the callback finds nothing left to cancel.
 */
static void
txc_report(struct txc *tc, const struct sip_msg *resp, unsigned int status)
{
	void	(*cb)(void *, const struct sip_msg *, unsigned int);
	void	*arg;

	cb = tc->tc_cb;
	arg = tc->tc_arg;
	evtimer_del(&tc->tc_retrans);
	evtimer_del(&tc->tc_end);
	tc->tc_state = TXC_COMPLETED;
	tc->tc_cb = NULL;
	if (cb != NULL)
		cb(arg, resp, status);
}

/* Timer F or a transport error. */
static void
txc_fail(struct txc *tc, unsigned int status)
{
	char	name[CONN_NAME_MAX];

	sockaddr_name(&tc->tc_peer.sp_ss, tc->tc_peer.sp_sslen, name,
	    sizeof(name));
	log_debug("txc: %s: %s %s", name, tc->tc_method,
	    status == 408 ? "timed out" : "not sent");
	txc_report(tc, NULL, status);
	txc_free(tc);
}

/* The first final response; its retransmissions are absorbed for K. */
static void
txc_final(struct txc *tc, const struct sip_msg *resp)
{
	txc_report(tc, resp, resp->msg_status);
	if (tc->tc_peer.sp_transport == TRANSPORT_UDP) {
		/* Completed: nothing is sent again, only absorbed. */
		free(tc->tc_req);
		tc->tc_req = NULL;
		tc->tc_reqlen = 0;
		txc_timer_add(&tc->tc_end, txc_t4);
	}
	else
		txc_free(tc);
}

/* Timer E: UDP only; a provisional response means the far end is slow. */
static void
txc_timer_e(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct txc	*tc = arg;

	if (transport_send(&tc->tc_peer, tc->tc_req, tc->tc_reqlen) == -1) {
		txc_fail(tc, 503);
		return;
	}
	if (tc->tc_state == TXC_PROCEEDING || tc->tc_interval > txc_t2 / 2)
		tc->tc_interval = txc_t2;
	else
		tc->tc_interval *= 2;
	txc_timer_add(&tc->tc_retrans, tc->tc_interval);
}

/* Timer F before a final response, Timer K after it. */
static void
txc_timer_end(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct txc	*tc = arg;

	if (tc->tc_state == TXC_COMPLETED)
		txc_free(tc);
	else
		txc_fail(tc, tc->tc_status);
}

static struct txc *
txc_new(const struct sip_peer *dest, const char *req, size_t len,
    const char *branch, const char *method)
{
	struct txc	*tc;

	if ((tc = calloc(1, sizeof(*tc))) == NULL)
		return (NULL);
	if (strlcpy(tc->tc_branch, branch, sizeof(tc->tc_branch)) >=
	    sizeof(tc->tc_branch) || strlcpy(tc->tc_method, method,
	    sizeof(tc->tc_method)) >= sizeof(tc->tc_method)) {
		free(tc);
		errno = EINVAL;
		return (NULL);
	}
	/* A reliable transport retransmits for us: no copy to keep. */
	if (dest->sp_transport == TRANSPORT_UDP) {
		if ((tc->tc_req = malloc(len)) == NULL) {
			free(tc);
			return (NULL);
		}
		memcpy(tc->tc_req, req, len);
		tc->tc_reqlen = len;
	}
	tc->tc_peer = *dest;
	tc->tc_state = TXC_TRYING;
	tc->tc_interval = txc_t1;
	tc->tc_status = 408;
	evtimer_set(&tc->tc_retrans, txc_timer_e, tc);
	evtimer_set(&tc->tc_end, txc_timer_end, tc);
	return (tc);
}

/* Only an RFC 3261 branch makes the 17.1.3 match unique. */
static int
txc_args_ok(const char *req, size_t len, const char *branch,
    const char *method)
{
	return (req != NULL && len > 0 && method[0] != '\0' &&
	    strncmp(branch, TXC_MAGIC, sizeof(TXC_MAGIC) - 1) == 0 &&
	    branch[sizeof(TXC_MAGIC) - 1] != '\0');
}

struct txc *
txc_start(const struct sip_peer *dest, const char *req, size_t len,
    const char *branch, const char *method,
    void (*cb)(void *, const struct sip_msg *, unsigned int), void *arg)
{
	struct txc	*tc;

	if (!txc_args_ok(req, len, branch, method)) {
		errno = EINVAL;
		return (NULL);
	}
	if (ntxc >= TXC_MAX) {
		errno = ENOBUFS;
		return (NULL);
	}
	if ((tc = txc_new(dest, req, len, branch, method)) == NULL)
		return (NULL);
	if (RB_INSERT(txc_tree, &txcs, tc) != NULL) {
		free(tc->tc_req);
		free(tc);
		errno = EEXIST;
		return (NULL);
	}
	ntxc++;
	tc->tc_cb = cb;
	tc->tc_arg = arg;
	if (transport_send(dest, req, len) == -1) {
		/* Reported from the loop, once the caller holds the handle. */
		tc->tc_status = 503;
		txc_timer_add(&tc->tc_end, 0);
		return (tc);
	}
	txc_timer_add(&tc->tc_end, 64 * (uint64_t)txc_t1);
	if (dest->sp_transport == TRANSPORT_UDP)
		txc_timer_add(&tc->tc_retrans, tc->tc_interval);
	return (tc);
}

/* Once reported, a transaction ends by itself. */
void
txc_cancel(struct txc *tc)
{
	if (tc->tc_state != TXC_COMPLETED)
		txc_free(tc);
}

int
txc_response(const struct sip_msg *resp)
{
	struct txc	*tc;

	if (resp->msg_kind != SIP_RESPONSE || (tc = txc_find(resp)) == NULL)
		return (0);
	switch (tc->tc_state) {
	case TXC_COMPLETED:
		transport_stats.ts_retransmits++;
		break;
	case TXC_TRYING:
	case TXC_PROCEEDING:
		if (resp->msg_status < 200)
			tc->tc_state = TXC_PROCEEDING;
		else
			txc_final(tc, resp);
		break;
	}
	return (1);
}

void
txc_set_timers(unsigned int t1_ms, unsigned int t2_ms, unsigned int t4_ms)
{
	txc_t1 = t1_ms != 0 ? t1_ms : TXC_T1_MS;
	txc_t2 = t2_ms != 0 ? t2_ms : TXC_T2_MS;
	txc_t4 = t4_ms != 0 ? t4_ms : TXC_T4_MS;
}

size_t
txc_count(void)
{
	return (ntxc);
}
