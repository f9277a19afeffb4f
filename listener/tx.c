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
#include <stdio.h>
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
/* Branch, "|", the sent-by host (a name at most), ":port|", method. */
#define TX_KEY_MAX	(TX_BRANCH_MAX + IMD_DOMAIN_MAX + 64)

struct tx {
	RB_ENTRY(tx)	 tx_node;
	char		 tx_key[TX_KEY_MAX];	/* branch, sent-by, method */
	struct sip_peer	 tx_peer;
	char		*tx_resp;	/* the final response, once sent */
	size_t		 tx_resplen;
	time_t		 tx_end;	/* answered: Timer J fires then */
	TAILQ_ENTRY(tx)	 tx_done;	/* answered, oldest first */
};

static int	tx_cmp(struct tx *, struct tx *);
RB_HEAD(tx_tree, tx);
RB_PROTOTYPE(tx_tree, tx, tx_node, tx_cmp);
RB_GENERATE(tx_tree, tx, tx_node, tx_cmp);

static struct tx_tree	txs = RB_INITIALIZER(&txs);
static TAILQ_HEAD(, tx)	txs_done = TAILQ_HEAD_INITIALIZER(txs_done);
static size_t		ntx;
static struct event	tx_sweep_ev;

static void	tx_free(struct tx *);

static int
tx_cmp(struct tx *a, struct tx *b)
{
	return (strcmp(a->tx_key, b->tx_key));
}

/* Only RFC 3261 branches identify a transaction; others get none. */
static int
tx_key(const struct sip_msg *msg, char *key, size_t size)
{
	struct sip_via		 via;
	int			 n;

	if (sip_top_via(msg, &via) == -1 || via.via_branch.len < 8 ||
	    strncmp(via.via_branch.s, "z9hG4bK", 7) != 0)
		return (-1);
	n = snprintf(key, size, "%.*s|%.*s:%u|%.*s",
	    (int)via.via_branch.len, via.via_branch.s,
	    (int)via.via_host.len, via.via_host.s, via.via_port,
	    (int)msg->msg_method_str.len, msg->msg_method_str.s);
	return (n < 0 || (size_t)n >= size ? -1 : 0);
}

/* A branch too long to key a transaction: refused with its name. */
int
tx_branch_too_long(const struct sip_msg *msg)
{
	struct sip_via	via;

	return (sip_top_via(msg, &via) == 0 &&
	    via.via_branch.len > TX_BRANCH_MAX);
}

static struct tx *
tx_find(const struct sip_msg *msg)
{
	struct tx	find;

	if (tx_key(msg, find.tx_key, sizeof(find.tx_key)) == -1)
		return (NULL);
	return (RB_FIND(tx_tree, &txs, &find));
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

struct tx *
tx_new(const struct sip_msg *msg, const struct sip_peer *peer)
{
	struct tx	*tx;

	if (ntx >= TX_MAX && (tx = TAILQ_FIRST(&txs_done)) != NULL)
		tx_free(tx);
	if (ntx >= TX_MAX)
		return (NULL);
	if ((tx = calloc(1, sizeof(*tx))) == NULL)
		return (NULL);
	if (tx_key(msg, tx->tx_key, sizeof(tx->tx_key)) == -1 ||
	    RB_INSERT(tx_tree, &txs, tx) != NULL) {
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
	RB_REMOVE(tx_tree, &txs, tx);
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
