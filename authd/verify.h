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
#include "digest.h"
#include "nonce.h"

#define DIGEST_USERNAME_MAX	IMD_ADDRESS_MAX
#define DIGEST_REALM_MAX	IMD_REALM_MAX
#define DIGEST_URI_MAX		1024
#define DIGEST_RESPONSE_MAX	DIGEST_HEX_MAX
#define DIGEST_ALGNAME_MAX	16
#define DIGEST_CNONCE_MAX	256
#define DIGEST_OPAQUE_MAX	128
#define DIGEST_QOP_MAX		16
#define DIGEST_NC_LEN		8	/* hex digits, exactly */
#define DIGEST_NC_MAX		(DIGEST_NC_LEN + 1)
#define DIGEST_METHOD_MAX	32
#define DIGEST_CHALLENGE_MAX	1024

/* One set of credentials, each field a NUL-terminated string. */
struct digest_req {
	char	dr_username[DIGEST_USERNAME_MAX];
	char	dr_realm[DIGEST_REALM_MAX];
	char	dr_nonce[NONCE_MAX];
	char	dr_uri[DIGEST_URI_MAX];
	char	dr_response[DIGEST_RESPONSE_MAX];
	char	dr_algorithm[DIGEST_ALGNAME_MAX];	/* "": MD5 */
	char	dr_cnonce[DIGEST_CNONCE_MAX];
	char	dr_opaque[DIGEST_OPAQUE_MAX];
	char	dr_qop[DIGEST_QOP_MAX];			/* "" or "auth" */
	char	dr_nc[DIGEST_NC_MAX];
	char	dr_method[DIGEST_METHOD_MAX];
};

int		 digest_alg_parse(const char *, enum digest_alg *);
const char	*digest_alg_name(enum digest_alg);
int		 digest_nc_parse(const char *, uint32_t *);
int		 digest_req_nc(const struct digest_req *, uint32_t *);
int		 digest_verify(const struct digest_req *, const char *,
		    enum digest_alg);
int		 digest_challenge(char *, size_t, const char *, const char *,
		    const char *, enum digest_alg, int);

#endif /* AUTHD_VERIFY_H */
