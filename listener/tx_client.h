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

#ifndef IMD_TX_CLIENT_H
#define IMD_TX_CLIENT_H

/*
 * Non-INVITE client transactions (RFC 3261 17.1.2) for the requests the
 * listener sends itself.
 *
 * txc_start() sends a printed request whose top Via carries branch and
 * whose CSeq names method, keeps its own copies of dest and (on UDP,
 * for retransmissions) of the request, and returns a handle; or NULL
 * with errno set: EINVAL for a branch without the RFC 3261 magic cookie
 * or longer than TXC_BRANCH_MAX - 1, an empty method or one longer than
 * TXC_METHOD_MAX - 1, or an empty request; EEXIST when a transaction
 * with that branch and method is running; ENOBUFS when TXC_MAX are
 * running; ENOMEM.
 *
 * The callback, if not NULL, runs exactly once, from the event loop and
 * never from inside txc_start(): with the first final response and its
 * status, or with NULL and 408 when Timer F fires, or with NULL and 503
 * when the transport fails.  The response refers to the receive buffer
 * and lives only until the callback returns.  Provisional responses
 * only slow the retransmissions down and are not reported.  The handle
 * belongs to the caller until the callback returns or txc_cancel() is
 * called, and must not be used after that; txc_cancel() from inside
 * the callback does nothing.
 *
 * txc_response() takes every response the listener receives and
 * returns 1 if it belonged to a client transaction (consumed), else 0.
 *
 * txc_set_timers() sets T1, T2 and T4 in milliseconds for transactions
 * started afterwards; 0 restores a default (500, 4000, 5000).  Only
 * tests call it, so that Timer F (64*T1) does not take 32 seconds.
 */

#include "listener.h"

/*
 * Transactions at once.  A completed UDP transaction stays for Timer K
 * (5 s), so this bounds the rate of requests we send: 262144 allows
 * some 50000 a second.
 */
#define TXC_MAX		262144
#define TXC_BRANCH_MAX	128
#define TXC_METHOD_MAX	32

struct txc;

struct txc	*txc_start(const struct sip_peer *, const char *, size_t,
		    const char *, const char *,
		    void (*)(void *, const struct sip_msg *, unsigned int),
		    void *);
void		 txc_cancel(struct txc *);
int		 txc_response(const struct sip_msg *);
void		 txc_set_timers(unsigned int, unsigned int, unsigned int);
size_t		 txc_count(void);

#endif /* IMD_TX_CLIENT_H */
