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
 * Non-INVITE server transactions (RFC 3261 17.2.2): a retransmitted
 * request is absorbed while we work on it and answered again with the
 * cached final response after; Timer J keeps that for 64*T1 on UDP.
 * Transactions are matched by the top Via's branch (17.2.3), sent-by and
 * method, and their number is bounded: when the table is full, the
 * oldest answered one goes before its Timer J.  At 6,000 transactions a
 * second 32 s of them would be 192,000; a retransmission comes within a
 * few T1 of the answer, and one that finds no transaction is taken for a
 * new request (and, authenticated, refused as a replayed nonce count).
 * Timer J is the same for all, so the answered ones wait in one list
 * in the order they end, swept by one timer, not one timer each.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/tree.h>

#include <event.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cdefs.h"
#include "listener.h"
#include "log.h"
#include "stats.h"
#include "tx.h"

#define TX_T1_MS	500
#define TX_TIMER_J_MS	(64 * TX_T1_MS)
#define TX_MAX		65536
/* Branch, NUL, the sent-by host (a name at most), NUL, port, method. */
#define TX_KEY_MAX	(TX_BRANCH_MAX + IMD_DOMAIN_MAX + 64)
#define TX_BUCKETS	65536	/* a power of two */
/* The longest first Via header and method whose key is remembered. */
#define TX_VIA_MAX	512
#define TX_METHOD_MAX	32

/*
 * A transaction's key is the bytes of its branch, sent-by and method,
 * NUL-separated (none of them holds a NUL), behind a keyed hash that
 * picks one of TX_BUCKETS trees and orders it: a look-up goes to a tree
 * of one or two, where one big tree cost a cache miss a level (a tenth
 * of the suite's CPU under REGISTER load), and compares integers, the
 * bytes only where the hashes agree.  A stranger who finds keys of one
 * hash gains nothing but a balanced tree of them.
 */
struct tx_key {
	uint64_t	 tk_hash;
	size_t		 tk_len;
	char		 tk_buf[TX_KEY_MAX];
};

struct tx {
	RB_ENTRY(tx)	 tx_node;
	struct sip_peer	 tx_peer;
	char		*tx_resp;	/* the final response, once sent */
	size_t		 tx_resplen;
	time_t		 tx_end;	/* answered: Timer J fires then */
	TAILQ_ENTRY(tx)	 tx_done;	/* answered, oldest first */
	struct tx_key	 tx_key;	/* last: only tk_len bytes are set */
};

/*
 * The key of the last request keyed, by its first Via header and its
 * method: the listener looks a request up, then makes its transaction
 * from a copy, and the Via is parsed once for both.
 */
struct tx_last {
	int		 tl_valid;
	int		 tl_keyed;	/* an RFC 3261 branch */
	size_t		 tl_branchlen;
	char		 tl_via[TX_VIA_MAX];
	size_t		 tl_vialen;
	char		 tl_method[TX_METHOD_MAX];
	size_t		 tl_methodlen;
	struct tx_key	 tl_key;
};

static int	tx_cmp(struct tx *, struct tx *);
RB_HEAD(tx_tree, tx);
RB_PROTOTYPE(tx_tree, tx, tx_node, tx_cmp);
RB_GENERATE(tx_tree, tx, tx_node, tx_cmp);

static struct tx_tree	txs[TX_BUCKETS];
static TAILQ_HEAD(, tx)	txs_done = TAILQ_HEAD_INITIALIZER(txs_done);
static size_t		ntx;
static struct event	tx_sweep_ev;
static struct tx_last	tx_last;
static uint64_t		tx_seed;

static void	tx_free(struct tx *);

static int
tx_cmp(struct tx *a, struct tx *b)
{
	const struct tx_key	*ka = &a->tx_key, *kb = &b->tx_key;

	if (ka->tk_hash != kb->tk_hash)
		return (ka->tk_hash < kb->tk_hash ? -1 : 1);
	if (ka->tk_len != kb->tk_len)
		return (ka->tk_len < kb->tk_len ? -1 : 1);
	return (memcmp(ka->tk_buf, kb->tk_buf, ka->tk_len));
}

/* The tree of a hash: the buckets are zero, as RB_INIT() makes them. */
static struct tx_tree *
tx_bucket(uint64_t hash)
{
	return (&txs[(hash >> 16) & (TX_BUCKETS - 1)]);
}

/* FNV-1a from a random start: an order, not a defence (see above). */
static uint64_t
tx_hash(const char *p, size_t len)
{
	uint64_t	h;
	size_t		i;

	if (tx_seed == 0)
		tx_seed = ((uint64_t)arc4random() << 32 | arc4random()) | 1;
	h = 14695981039346656037ULL ^ tx_seed;
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	return (h);
}

static int
tx_key_add(struct tx_key *k, const void *p, size_t len)
{
	if (len > sizeof(k->tk_buf) - k->tk_len)
		return (-1);
	memcpy(k->tk_buf + k->tk_len, p, len);
	k->tk_len += len;
	return (0);
}

/* Only RFC 3261 branches identify a transaction; others get none. */
static int
tx_key_make(const struct sip_msg *msg, const struct sip_via *via,
    struct tx_key *k)
{
	unsigned char	port[2] = { via->via_port >> 8, via->via_port & 0xff };

	k->tk_len = 0;
	if (via->via_branch.len < 8 ||
	    strncmp(via->via_branch.s, "z9hG4bK", 7) != 0 ||
	    tx_key_add(k, via->via_branch.s, via->via_branch.len) == -1 ||
	    tx_key_add(k, "", 1) == -1 ||
	    tx_key_add(k, via->via_host.s, via->via_host.len) == -1 ||
	    tx_key_add(k, "", 1) == -1 ||
	    tx_key_add(k, port, sizeof(port)) == -1 ||
	    tx_key_add(k, msg->msg_method_str.s,
	    msg->msg_method_str.len) == -1)
		return (-1);
	k->tk_hash = tx_hash(k->tk_buf, k->tk_len);
	return (0);
}

/* Is msg's first Via and method the one tx_last was made from? */
static int
tx_last_is(const struct sip_msg *msg, const struct sip_hdr *h)
{
	return (tx_last.tl_valid && h->hdr_value.len == tx_last.tl_vialen &&
	    msg->msg_method_str.len == tx_last.tl_methodlen &&
	    memcmp(h->hdr_value.s, tx_last.tl_via, tx_last.tl_vialen) == 0 &&
	    memcmp(msg->msg_method_str.s, tx_last.tl_method,
	    tx_last.tl_methodlen) == 0);
}

/*
 * What the top Via says of msg's transaction, from tx_last when msg
 * has the same first Via and method as the request keyed last.  NULL
 * when msg has no parseable top Via.
 */
static const struct tx_last *
tx_parse(const struct sip_msg *msg)
{
	const struct sip_hdr	*h;
	struct sip_via		 via;

	if ((h = sip_hdr_first(msg, SIP_HDR_VIA)) != NULL &&
	    tx_last_is(msg, h))
		return (&tx_last);
	tx_last.tl_valid = 0;
	if (sip_top_via(msg, &via) == -1)
		return (NULL);
	tx_last.tl_branchlen = via.via_branch.len;
	tx_last.tl_keyed = via.via_branch.len <= TX_BRANCH_MAX &&
	    tx_key_make(msg, &via, &tx_last.tl_key) == 0;
	if (h != NULL && h->hdr_value.len <= sizeof(tx_last.tl_via) &&
	    msg->msg_method_str.len <= sizeof(tx_last.tl_method)) {
		memcpy(tx_last.tl_via, h->hdr_value.s, h->hdr_value.len);
		tx_last.tl_vialen = h->hdr_value.len;
		memcpy(tx_last.tl_method, msg->msg_method_str.s,
		    msg->msg_method_str.len);
		tx_last.tl_methodlen = msg->msg_method_str.len;
		tx_last.tl_valid = 1;
	}
	return (&tx_last);
}

/* A branch too long to key a transaction: refused with its name. */
int
tx_branch_too_long(const struct sip_msg *msg)
{
	const struct tx_last	*tl;

	return ((tl = tx_parse(msg)) != NULL &&
	    tl->tl_branchlen > TX_BRANCH_MAX);
}

static struct tx *
tx_find(const struct sip_msg *msg)
{
	const struct tx_last	*tl;
	static struct tx	 find;

	if ((tl = tx_parse(msg)) == NULL || !tl->tl_keyed)
		return (NULL);
	find.tx_key.tk_hash = tl->tl_key.tk_hash;
	find.tx_key.tk_len = tl->tl_key.tk_len;
	memcpy(find.tx_key.tk_buf, tl->tl_key.tk_buf, tl->tl_key.tk_len);
	return (RB_FIND(tx_tree, tx_bucket(find.tx_key.tk_hash), &find));
}

/*
 * A retransmission: answered from the cache when the transaction has
 * its final response, swallowed while it is still being worked on.
 */
int
tx_absorb(const struct sip_msg *msg, const struct sip_peer *peer)
{
	struct tx	*tx;

	if ((tx = tx_find(msg)) == NULL)
		return (0);
	transport_stats.ts_retransmits++;
	if (tx->tx_resp != NULL)
		transport_send(peer, tx->tx_resp, tx->tx_resplen);
	return (1);
}

/* Allocated to the length of its key, and not zeroed beyond it. */
struct tx *
tx_new(const struct sip_msg *msg, const struct sip_peer *peer)
{
	const struct tx_last	*tl;
	struct tx		*tx;

	if (ntx >= TX_MAX && (tx = TAILQ_FIRST(&txs_done)) != NULL)
		tx_free(tx);
	if (ntx >= TX_MAX)
		return (NULL);
	if ((tl = tx_parse(msg)) == NULL || !tl->tl_keyed)
		return (NULL);
	if ((tx = malloc(offsetof(struct tx, tx_key.tk_buf) +
	    tl->tl_key.tk_len)) == NULL)
		return (NULL);
	memset(tx, 0, offsetof(struct tx, tx_key));
	tx->tx_key.tk_hash = tl->tl_key.tk_hash;
	tx->tx_key.tk_len = tl->tl_key.tk_len;
	memcpy(tx->tx_key.tk_buf, tl->tl_key.tk_buf, tl->tl_key.tk_len);
	if (RB_INSERT(tx_tree, tx_bucket(tx->tx_key.tk_hash), tx) != NULL) {
		free(tx);
		return (NULL);
	}
	tx->tx_peer = *peer;
	ntx++;
	stats_add(STAT_SIP_TRANSACTIONS, 1);
	return (tx);
}

static void
tx_free(struct tx *tx)
{
	if (tx->tx_resp != NULL)
		TAILQ_REMOVE(&txs_done, tx, tx_done);
	RB_REMOVE(tx_tree, tx_bucket(tx->tx_key.tk_hash), tx);
	ntx--;
	stats_add(STAT_SIP_TRANSACTIONS, -1);
	free(tx->tx_resp);
	free(tx);
}

static time_t
tx_now(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (ts.tv_sec);
}

/* Once a second while any wait: those whose Timer J fired go. */
static void
tx_sweep(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg IMD_UNUSED)
{
	struct timeval	 tv = { 1, 0 };
	struct tx	*tx;
	time_t		 now = tx_now();

	while ((tx = TAILQ_FIRST(&txs_done)) != NULL && tx->tx_end <= now)
		tx_free(tx);
	if (!TAILQ_EMPTY(&txs_done))
		evtimer_add(&tx_sweep_ev, &tv);
}

/*
 * Send the final response and keep it for retransmissions: Timer J on
 * UDP; a reliable transport retransmits nothing, so the state goes now.
 */
void
tx_final(struct tx *tx, const char *resp, size_t len)
{
	struct timeval	tv = { 1, 0 };

	if (resp == NULL) {
		tx_free(tx);
		return;
	}
	transport_send(&tx->tx_peer, resp, len);
	if (tx->tx_peer.sp_transport != TRANSPORT_UDP ||
	    (tx->tx_resp = malloc(len)) == NULL) {
		tx_free(tx);
		return;
	}
	memcpy(tx->tx_resp, resp, len);
	tx->tx_resplen = len;
	tx->tx_end = tx_now() + TX_TIMER_J_MS / 1000;
	TAILQ_INSERT_TAIL(&txs_done, tx, tx_done);
	if (!event_initialized(&tx_sweep_ev))
		evtimer_set(&tx_sweep_ev, tx_sweep, NULL);
	if (!evtimer_pending(&tx_sweep_ev, NULL))
		evtimer_add(&tx_sweep_ev, &tv);
}
