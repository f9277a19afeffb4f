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

#ifndef AUTHD_NONCE_H
#define AUTHD_NONCE_H

/*
 * Nonces that authd can verify without remembering them, and the one
 * piece of state it does keep: the highest nonce-count seen per nonce.
 *
 * A nonce is NONCE_LEN lower-case hex digits of NONCE_RAW_LEN bytes: the
 * issue time (8 bytes, seconds, big-endian), 8 random bytes, and the
 * first 16 bytes of HMAC-SHA256(secret, time || random).
 */

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define NONCE_RAW_LEN		32
#define NONCE_LEN		(NONCE_RAW_LEN * 2)
#define NONCE_MAX		(NONCE_LEN + 1)	/* hex and the NUL */
#define NONCE_SECRET_MIN	16		/* bytes */
#define NONCE_SECRET_MAX	64
#define NONCE_SKEW		5	/* seconds a nonce may come early */
#define NONCE_LIFETIME		300	/* seconds, a default for callers */
#define NONCE_COUNT_MAX		65536	/* default cap on tracked nonces */

enum nonce_status {
	NONCE_BAD = -1,		/* forged, malformed, or a replayed count */
	NONCE_OK = 0,
	NONCE_STALE = 1,	/* authentic but too old: stale=true */
};

int	nonce_init(const unsigned char *, size_t);
int	nonce_make(time_t, char *, size_t);
int	nonce_check(const char *, time_t, time_t);

void	nonce_count_init(size_t);
int	nonce_count_check(const char *, uint32_t);
void	nonce_sweep(time_t, time_t);
size_t	nonce_count_size(void);

#endif /* AUTHD_NONCE_H */
