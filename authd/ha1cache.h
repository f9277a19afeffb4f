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


#ifndef AUTHD_HA1CACHE_H
#define AUTHD_HA1CACHE_H

/*
 * The HA1s dirdb gave out, kept for a while so that the common case, a
 * user who authenticated before, costs no round trip to dirdb.  dirdb
 * says when a user's record changes; the age bound is a second line.
 */

#include <stddef.h>
#include <time.h>

#include "digest.h"

#define HA1CACHE_MAX	16384	/* users times algorithms */
#define HA1CACHE_AGE	300	/* seconds an entry is trusted */

int	ha1cache_get(const char *, enum digest_alg, time_t, char *, size_t);
void	ha1cache_put(const char *, enum digest_alg, time_t, const char *);
void	ha1cache_forget(const char *);
void	ha1cache_sweep(time_t);
size_t	ha1cache_size(void);

#endif /* AUTHD_HA1CACHE_H */
