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

#ifndef AUTHD_VERIFY_H
#define AUTHD_VERIFY_H

/*
 * Digest credentials (RFC 7616 with qop=auth, RFC 8760 for SIP, and the
 * RFC 2069 form without qop) checked against a stored HA1.
 */

#include <stdint.h>

#include "config.h"
#include "auth_msg.h"
#include "digest.h"
#include "nonce.h"

_Static_assert(NONCE_MAX == DIGEST_NONCE_MAX, "a nonce fits its message field");

int		 digest_alg_parse(const char *, enum digest_alg *);
int		 digest_nc_parse(const char *, uint32_t *);
int		 digest_req_nc(const struct digest_req *, uint32_t *);
int		 digest_verify(const struct digest_req *, const char *,
		    enum digest_alg);

#endif /* AUTHD_VERIFY_H */
