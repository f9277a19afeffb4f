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
 * Digest responses (RFC 7616 section 3.4.1; RFC 8760 for SIP).  Pure
 * functions: the caller finds the HA1, checks the nonce and the
 * nonce-count, and logs.  The challenge that asks for them is in
 * lib/digest.c: the listener makes most of them.
 */

#include <sys/types.h>

#include <openssl/crypto.h>

#include <string.h>
#include <strings.h>

#include "join.h"
#include "verify.h"

/* The field holds its NUL: the struct may have come over a socket. */
#define DIGEST_FITS(f)	(memchr((f), '\0', sizeof(f)) != NULL)

static size_t	digest_hexlen(enum digest_alg);
static int	digest_hexval(char);
static int	digest_is_lhex(const char *, size_t);
static int	digest_lower(const char *, char *, size_t);
static int	digest_req_fits(const struct digest_req *);
static int	digest_qop_valid(const struct digest_req *);
static int	digest_req_valid(const struct digest_req *, enum digest_alg);
static int	digest_ha2(const struct digest_req *, enum digest_alg, char *,
		    size_t);
static int	digest_expected(const struct digest_req *, const char *,
		    const char *, enum digest_alg, char *, size_t);

/* An absent algorithm means MD5 (RFC 7616 section 3.3). */
int
digest_alg_parse(const char *name, enum digest_alg *alg)
{
	if (name == NULL || *name == '\0' || strcasecmp(name, "MD5") == 0)
		*alg = DIGEST_MD5;
	else if (strcasecmp(name, "SHA-256") == 0)
		*alg = DIGEST_SHA256;
	else
		return (-1);
	return (0);
}

static size_t
digest_hexlen(enum digest_alg alg)
{
	switch (alg) {
	case DIGEST_MD5:
		return (32);
	case DIGEST_SHA256:
		return (64);
	}
	return (0);
}

static int
digest_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* The nonce-count: exactly eight hex digits (RFC 7616 section 3.4). */
int
digest_nc_parse(const char *s, uint32_t *nc)
{
	uint32_t	v = 0;
	int		i, d;

	if (strnlen(s, DIGEST_NC_MAX) != DIGEST_NC_LEN)
		return (-1);
	for (i = 0; i < DIGEST_NC_LEN; i++) {
		if ((d = digest_hexval(s[i])) == -1)
			return (-1);
		v = v << 4 | (uint32_t)d;
	}
	*nc = v;
	return (0);
}

/*
 * The count to record for these credentials.  Without qop there is
 * none, and 1 makes the nonce good for one request only, the best
 * replay defence an RFC 2069 client allows.
 */
int
digest_req_nc(const struct digest_req *dr, uint32_t *nc)
{
	if (!DIGEST_FITS(dr->dr_qop) || !DIGEST_FITS(dr->dr_nc))
		return (-1);
	if (dr->dr_qop[0] == '\0') {
		*nc = 1;
		return (0);
	}
	return (digest_nc_parse(dr->dr_nc, nc));
}

/* HA1 is stored as digest_ha1() wrote it: lower case, full length. */
static int
digest_is_lhex(const char *s, size_t len)
{
	size_t	i;

	if (strnlen(s, len + 1) != len)
		return (0);
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return (0);
	return (1);
}

/* RFC 7616 asks for lower case; some clients send upper case anyway. */
static int
digest_lower(const char *src, char *dst, size_t len)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;
	int			 d;

	if (strnlen(src, len + 1) != len)
		return (-1);
	for (i = 0; i < len; i++) {
		if ((d = digest_hexval(src[i])) == -1)
			return (-1);
		dst[i] = digits[d];
	}
	dst[len] = '\0';
	return (0);
}

static int
digest_req_fits(const struct digest_req *dr)
{
	return (DIGEST_FITS(dr->dr_username) && DIGEST_FITS(dr->dr_realm) &&
	    DIGEST_FITS(dr->dr_nonce) && DIGEST_FITS(dr->dr_uri) &&
	    DIGEST_FITS(dr->dr_response) && DIGEST_FITS(dr->dr_algorithm) &&
	    DIGEST_FITS(dr->dr_cnonce) && DIGEST_FITS(dr->dr_opaque) &&
	    DIGEST_FITS(dr->dr_qop) && DIGEST_FITS(dr->dr_nc) &&
	    DIGEST_FITS(dr->dr_method));
}

/*
 * We offer qop="auth" only.  Without qop, RFC 2617 section 3.2.2 forbids
 * cnonce and nc; with it, both are required and counts start at 1.
 */
static int
digest_qop_valid(const struct digest_req *dr)
{
	uint32_t	nc;

	if (dr->dr_qop[0] == '\0')
		return (dr->dr_nc[0] == '\0' && dr->dr_cnonce[0] == '\0' ?
		    0 : -1);
	if (strcmp(dr->dr_qop, "auth") != 0 || dr->dr_cnonce[0] == '\0')
		return (-1);
	if (digest_nc_parse(dr->dr_nc, &nc) == -1 || nc == 0)
		return (-1);
	return (0);
}

static int
digest_req_valid(const struct digest_req *dr, enum digest_alg alg)
{
	enum digest_alg	named;

	if (!digest_req_fits(dr))
		return (-1);
	if (dr->dr_username[0] == '\0' || dr->dr_nonce[0] == '\0' ||
	    dr->dr_uri[0] == '\0' || dr->dr_method[0] == '\0')
		return (-1);
	/* The caller's HA1 must be for the algorithm the client used. */
	if (digest_alg_parse(dr->dr_algorithm, &named) == -1 || named != alg)
		return (-1);
	return (digest_qop_valid(dr));
}

/*
 * HA2 = H(method ":" uri) for qop=auth and for no qop alike.  The last
 * one is remembered: every REGISTER to a domain has the same method
 * and Request-URI, so the same HA2, and hashing it again was a sixth
 * of authd's work for each.  It holds nothing secret: the client sent
 * both in the clear.
 */
static int
digest_ha2(const struct digest_req *dr, enum digest_alg alg, char *hex,
    size_t hexsize)
{
	static char		 last[DIGEST_METHOD_MAX + DIGEST_URI_MAX];
	static char		 last_hex[DIGEST_HEX_MAX];
	static enum digest_alg	 last_alg;
	const char		*parts[] = { dr->dr_method, dr->dr_uri };
	char			 buf[DIGEST_METHOD_MAX + DIGEST_URI_MAX];
	ssize_t			 n;
	size_t			 len;

	if ((n = join_str(buf, sizeof(buf), ':', parts, 2)) == -1)
		return (-1);
	if (last_hex[0] == '\0' || last_alg != alg || strcmp(buf, last) != 0) {
		if (digest_hex(alg, buf, n, last_hex, sizeof(last_hex)) == -1) {
			last_hex[0] = '\0';
			return (-1);
		}
		memcpy(last, buf, n + 1);
		last_alg = alg;
	}
	if ((len = strlen(last_hex)) >= hexsize)
		return (-1);
	memcpy(hex, last_hex, len + 1);
	return (0);
}

/* The input holds the HA1, so it is wiped whatever happens. */
static int
digest_expected(const struct digest_req *dr, const char *ha1,
    const char *ha2, enum digest_alg alg, char *hex, size_t hexsize)
{
	const char	*plain[] = { ha1, dr->dr_nonce, ha2 };
	const char	*qop[] = { ha1, dr->dr_nonce, dr->dr_nc,
			    dr->dr_cnonce, dr->dr_qop, ha2 };
	char		 buf[DIGEST_HEX_MAX * 2 + NONCE_MAX + DIGEST_NC_MAX +
			    DIGEST_CNONCE_MAX + DIGEST_QOP_MAX];
	ssize_t		 n;
	int		 r;

	if (dr->dr_qop[0] == '\0')
		n = join_str(buf, sizeof(buf), ':', plain, 3);
	else
		n = join_str(buf, sizeof(buf), ':', qop, 6);
	if (n == -1)
		r = -1;
	else
		r = digest_hex(alg, buf, n, hex, hexsize);
	explicit_bzero(buf, sizeof(buf));
	return (r);
}

int
digest_verify(const struct digest_req *dr, const char *ha1,
    enum digest_alg alg)
{
	char	ha2[DIGEST_HEX_MAX], want[DIGEST_HEX_MAX], got[DIGEST_HEX_MAX];
	size_t	len;
	int	r = -1;

	if ((len = digest_hexlen(alg)) == 0 || digest_req_valid(dr, alg) == -1)
		return (-1);
	if (!digest_is_lhex(ha1, len) ||
	    digest_lower(dr->dr_response, got, len) == -1)
		return (-1);
	if (digest_ha2(dr, alg, ha2, sizeof(ha2)) == 0 &&
	    digest_expected(dr, ha1, ha2, alg, want, sizeof(want)) == 0)
		r = CRYPTO_memcmp(want, got, len) == 0 ? 0 : -1;
	explicit_bzero(want, sizeof(want));
	return (r);
}
