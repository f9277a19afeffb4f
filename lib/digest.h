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


#ifndef IMD_DIGEST_H
#define IMD_DIGEST_H

#include <stddef.h>

enum digest_alg {
	DIGEST_MD5,
	DIGEST_SHA256,
};

#define DIGEST_HEX_MAX	65	/* SHA-256 in hex and the NUL */

int	digest_hex(enum digest_alg, const void *, size_t, char *, size_t);
int	digest_ha1(enum digest_alg, const char *, const char *, const char *,
	    char *, size_t);
const char *digest_alg_name(enum digest_alg);
int	digest_challenge(char *, size_t, const char *, const char *,
	    const char *, enum digest_alg, int);

#endif /* IMD_DIGEST_H */
