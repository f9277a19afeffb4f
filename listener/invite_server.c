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
 * INVITE server transactions (RFC 3261 17.2.1 with RFC 6026).  100
 * Trying goes out at once; a retransmitted INVITE gets the last
 * response again.  A 2xx moves the transaction to Accepted, where it
 * absorbs retransmitted INVITEs for Timer L; a failure moves it to
 * Completed, retransmitted on UDP (Timer G) until the ACK comes
 * (Confirmed, Timer I) or Timer H gives up.  CANCEL finds its INVITE
 * here, by the same top Via branch and sent-by (9.2).
 */

#include <sys/types.h>
#include <sys/tree.h>

#include <event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "cdefs.h"
#include "listener.h"
#include "log.h"
#include "tx.h"

/*
 * Transactions at once.  An answered call's stays Accepted for Timer L
 * (32 s), and its first INVITE's, answered 407, Confirmed for Timer I
 * (5 s): this bounds the rate of calls, some 10,000 a second.
 */
#define IST_MAX		393216
#define IST_KEY_MAX	(TX_BRANCH_MAX + IMD_DOMAIN_MAX + 16)

enum ist_state {
	IST_PROCEEDING,
	IST_COMPLETED,
	IST_CONFIRMED,
	IST_ACCEPTED
};

struct ist {
	RB_ENTRY(ist)	 is_node;
	struct sip_peer	 is_peer;
	enum ist_state	 is_state;
	char		*is_resp;	/* the last response sent */
	size_t		 is_resplen;
	unsigned int	 is_interval;	/* Timer G, ms */
	struct event	 is_retrans;	/* Timer G */
	struct event	 is_end;	/* Timer H, I or L */
	void		(*is_cancel)(void *);	/* the owner's, until final */
	void		*is_arg;
	/*
	 * branch|sent-by; last, and allocated to its length: a key is
	 * some 60 bytes where room for the longest is 528, and the
	 * transactions of 32 s of calls are kept.
	 */
	char		 is_key[];
};

static int	ist_cmp(struct ist *, struct ist *);
RB_HEAD(ist_tree, ist);
RB_PROTOTYPE(ist_tree, ist, is_node, ist_cmp);
RB_GENERATE(ist_tree, ist, is_node, ist_cmp);

static struct ist_tree	ists = RB_INITIALIZER(&ists);
static size_t		nist;

static int
ist_cmp(struct ist *a, struct ist *b)
{
	return (strcasecmp(a->is_key, b->is_key));
}

/* INVITE, its ACK for a failure and its CANCEL share branch and sent-by. */
static int
ist_key(const struct sip_msg *msg, char *key, size_t size)
{
	struct sip_via	via;
	int		n;

	if (sip_top_via(msg, &via) == -1 || via.via_branch.len < 8 ||
	    strncmp(via.via_branch.s, "z9hG4bK", 7) != 0)
		return (-1);
	n = snprintf(key, size, "%.*s|%.*s:%u", (int)via.via_branch.len,
	    via.via_branch.s, (int)via.via_host.len, via.via_host.s,
	    via.via_port);
	return (n < 0 || (size_t)n >= size ? -1 : 0);
}

static struct ist *
ist_find(const struct sip_msg *msg)
{
	static struct ist	*find;

	if (find == NULL &&
	    (find = calloc(1, sizeof(*find) + IST_KEY_MAX)) == NULL)
		return (NULL);
	if (ist_key(msg, find->is_key, IST_KEY_MAX) == -1)
		return (NULL);
	return (RB_FIND(ist_tree, &ists, find));
}

/* A timer of an INVITE transaction, either side's, in ms. */
void
inv_timer_add(struct event *ev, unsigned int ms)
{
	struct timeval	tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(ev, &tv);
}

static void
ist_free(struct ist *is)
{
	evtimer_del(&is->is_retrans);
	evtimer_del(&is->is_end);
	RB_REMOVE(ist_tree, &ists, is);
	nist--;
	free(is->is_resp);
	free(is);
}

/* Timer H, I or L: the transaction is over. */
static void
ist_timer_end(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct ist	*is = arg;

	if (is->is_state == IST_COMPLETED)
		log_debug("ist: %s: no ACK for the final response",
		    is->is_key);
	ist_free(is);
}

/* Timer G: the failure again, until its ACK (UDP only). */
static void
ist_timer_g(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct ist	*is = arg;

	if (is->is_state != IST_COMPLETED)
		return;
	transport_send(&is->is_peer, is->is_resp, is->is_resplen);
	is->is_interval = is->is_interval * 2 > INV_T2_MS ? INV_T2_MS :
	    is->is_interval * 2;
	inv_timer_add(&is->is_retrans, is->is_interval);
}

static int
ist_keep(struct ist *is, const char *resp, size_t len)
{
	char	*copy;

	if ((copy = malloc(len)) == NULL)
		return (-1);
	memcpy(copy, resp, len);
	free(is->is_resp);
	is->is_resp = copy;
	is->is_resplen = len;
	return (0);
}

static void
ist_trying(struct ist *is, const struct sip_msg *msg)
{
	struct sip_out	out;
	char		buf[SIP_REPLY_MAX];

	sip_out_init(&out, buf, sizeof(buf));
	if (sip_build_reply(&out, &is->is_peer, msg, 100, "Trying",
	    NULL) == -1)
		return;
	transport_send(&is->is_peer, out.buf, out.len);
	ist_keep(is, out.buf, out.len);
}

/* A new INVITE: its transaction, and 100 Trying at once (17.2.1). */
struct ist *
ist_new(const struct sip_msg *msg, const struct sip_peer *peer)
{
	struct ist	*is;
	char		 key[IST_KEY_MAX];
	size_t		 len;

	if (nist >= IST_MAX || ist_key(msg, key, sizeof(key)) == -1)
		return (NULL);
	len = strlen(key) + 1;
	if ((is = calloc(1, sizeof(*is) + len)) == NULL)
		return (NULL);
	memcpy(is->is_key, key, len);
	if (RB_INSERT(ist_tree, &ists, is) != NULL) {
		free(is);
		return (NULL);
	}
	nist++;
	is->is_peer = *peer;
	is->is_state = IST_PROCEEDING;
	evtimer_set(&is->is_retrans, ist_timer_g, is);
	evtimer_set(&is->is_end, ist_timer_end, is);
	ist_trying(is, msg);
	return (is);
}

/*
 * A retransmitted INVITE gets the last response again (none in
 * Accepted: the 2xx is the caller's to retransmit); the ACK of a
 * failure ends the retransmissions.  1 when msg was absorbed.
 */
int
ist_absorb(const struct sip_msg *msg, const struct sip_peer *peer)
{
	struct ist	*is;

	if ((is = ist_find(msg)) == NULL)
		return (0);
	if (msg->msg_method == SIP_METHOD_INVITE) {
		transport_stats.ts_retransmits++;
		if (is->is_state != IST_ACCEPTED && is->is_resp != NULL)
			transport_send(peer, is->is_resp, is->is_resplen);
		return (1);
	}
	if (msg->msg_method != SIP_METHOD_ACK)
		return (0);
	if (is->is_state == IST_COMPLETED) {
		is->is_state = IST_CONFIRMED;
		evtimer_del(&is->is_retrans);
		inv_timer_add(&is->is_end, is->is_peer.sp_transport ==
		    TRANSPORT_UDP ? INV_T4_MS : 0);
	}
	/* An ACK for a 2xx has a branch of its own: not ours to absorb. */
	return (is->is_state != IST_ACCEPTED);
}

static unsigned int
ist_status(const char *resp, size_t len)
{
	unsigned int	status = 0;

	if (len > 12 && memcmp(resp, "SIP/2.0 ", 8) == 0)
		status = (resp[8] - '0') * 100 + (resp[9] - '0') * 10 +
		    (resp[10] - '0');
	return (status);
}

/*
 * A response to the caller: a provisional is kept for retransmitted
 * INVITEs; a 2xx goes every time it comes (RFC 6026); the first final
 * ends the owner's part.
 */
void
ist_respond(struct ist *is, const char *resp, size_t len)
{
	unsigned int	status = ist_status(resp, len);

	if (is->is_state == IST_ACCEPTED && status >= 200 && status < 300) {
		transport_send(&is->is_peer, resp, len);
		return;
	}
	if (is->is_state != IST_PROCEEDING)
		return;
	transport_send(&is->is_peer, resp, len);
	if (status < 200) {
		ist_keep(is, resp, len);
		return;
	}
	is->is_cancel = NULL;
	is->is_arg = NULL;
	if (status < 300) {
		is->is_state = IST_ACCEPTED;
		free(is->is_resp);
		is->is_resp = NULL;
		inv_timer_add(&is->is_end, INV_64T1_MS);	/* Timer L */
		return;
	}
	is->is_state = IST_COMPLETED;
	if (ist_keep(is, resp, len) == -1) {
		ist_free(is);
		return;
	}
	inv_timer_add(&is->is_end, INV_64T1_MS);	/* Timer H */
	if (is->is_peer.sp_transport == TRANSPORT_UDP) {
		is->is_interval = INV_T1_MS;
		inv_timer_add(&is->is_retrans, is->is_interval);
	}
}

/*
 * A 2xx that came again after the final answer, from a hop that keeps
 * no state of the caller (relayd): the transaction, Accepted, has it.
 */
void
ist_respond_again(const struct sip_msg *resp, const char *buf, size_t len)
{
	struct ist	*is;

	if ((is = ist_find(resp)) != NULL && is->is_state == IST_ACCEPTED)
		ist_respond(is, buf, len);
}

/* The owner goes without a final response (it could not build one). */
void
ist_drop(struct ist *is)
{
	if (is->is_state == IST_PROCEEDING)
		ist_free(is);
}

/* Who hears of a CANCEL until the final response. */
void
ist_set_owner(struct ist *is, void (*cancel)(void *), void *arg)
{
	is->is_cancel = cancel;
	is->is_arg = arg;
}

/*
 * A CANCEL: 0 when it matches no INVITE of ours; else 200 to it at
 * once, and the owner, if the INVITE has no final response yet, hears
 * of it.
 */
int
ist_cancel(const struct sip_msg *msg, const struct sip_peer *peer)
{
	struct ist	*is;
	void		(*cb)(void *);

	if ((is = ist_find(msg)) == NULL)
		return (0);
	sip_reply(peer, msg, 200, "OK", NULL);
	if ((cb = is->is_cancel) != NULL) {
		is->is_cancel = NULL;
		cb(is->is_arg);
	}
	return (1);
}

size_t
ist_count(void)
{
	return (nist);
}
