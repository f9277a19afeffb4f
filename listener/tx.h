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


#ifndef IMD_TX_H
#define IMD_TX_H

#include "listener.h"

/*
 * The top Via branch names the transaction (RFC 3261 17.2.3); real user
 * agents send 10 to 50 characters (PJSIP: "z9hG4bKPj" and a UUID).
 */
#define TX_BRANCH_MAX	256	/* bytes */

struct tx;

int		 tx_branch_too_long(const struct sip_msg *);
int		 tx_absorb(const struct sip_msg *, const struct sip_peer *);
struct tx	*tx_new(const struct sip_msg *, const struct sip_peer *);
void		 tx_final(struct tx *, const char *, size_t);

#endif /* IMD_TX_H */
