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
 * Digest hashes of RFC 7616 / RFC 8760 in lower-case hex, and the
 * challenge (WWW-Authenticate value) that asks for them.
 */

#include <openssl/evp.h>

#include <string.h>

#include "digest.h"
#include "join.h"

/*
 * The algorithm fetched once and one context for every hash: EVP_Digest()
 * fetched the algorithm and allocated a context each time, a third of
 * the cost of hashing a short string.  The first fetch reads nothing
 * that EVP_Digest()'s own would not have.
 */
static int
digest_raw(enum digest_alg alg, const void *data, size_t len,
    unsigned char *md, unsigned int *mdlen)
{
	static EVP_MD		*types[2];
	static EVP_MD_CTX	*ctx;
	int			 i = alg == DIGEST_SHA256;

	if (types[i] == NULL && (types[i] = EVP_MD_fetch(NULL,
	    i ? "SHA256" : "MD5", NULL)) == NULL)
		return (-1);
	if (ctx == NULL && (ctx = EVP_MD_CTX_new()) == NULL)
		return (-1);
	if (EVP_DigestInit_ex(ctx, types[i], NULL) != 1 ||
	    EVP_DigestUpdate(ctx, data, len) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, mdlen) != 1)
		return (-1);
	return (0);
}

int
digest_hex(enum digest_alg alg, const void *data, size_t len, char *hex,
    size_t hexsize)
{
	static const char	 digits[] = "0123456789abcdef";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen, i;

	if (digest_raw(alg, data, len, md, &mdlen) == -1)
		return (-1);
	if (hexsize < (size_t)mdlen * 2 + 1)
		return (-1);
	for (i = 0; i < mdlen; i++) {
		hex[i * 2] = digits[md[i] >> 4];
		hex[i * 2 + 1] = digits[md[i] & 0x0f];
	}
	hex[mdlen * 2] = '\0';
	return (0);
}

/* HA1 = H(username ":" realm ":" password); the input is wiped. */
int
digest_ha1(enum digest_alg alg, const char *user, const char *realm,
    const char *password, char *hex, size_t hexsize)
{
	const char	*parts[] = { user, realm, password };
	char		 buf[1024];
	ssize_t		 n;
	int		 r;

	if ((n = join_str(buf, sizeof(buf), ':', parts, 3)) == -1) {
		explicit_bzero(buf, sizeof(buf));
		return (-1);
	}
	r = digest_hex(alg, buf, n, hex, hexsize);
	explicit_bzero(buf, sizeof(buf));
	return (r);
}

const char *
digest_alg_name(enum digest_alg alg)
{
	switch (alg) {
	case DIGEST_MD5:
		return ("MD5");
	case DIGEST_SHA256:
		return ("SHA-256");
	}
	return (NULL);
}

/*
 * What goes between the quotes of a quoted-string, escapes avoided; by
 * table, since the listener checks a realm and a nonce for most
 * REGISTERs.
 */
static int
digest_is_qdtext(const char *s)
{
	static const unsigned char	 qdtext[256] = {
		[0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7e] = 1,
		[0x80 ... 0xff] = 1,
	};
	const unsigned char		*p;

	for (p = (const unsigned char *)s; qdtext[*p]; p++)
		;
	return (*p == '\0');
}

/*
 * Appends s at *len, NUL-terminated, if it fits: 0, else -1.  Cheaper
 * than snprintf(3) for the listener, which makes a challenge for most
 * REGISTERs.
 */
static int
digest_cat(char *out, size_t outsize, size_t *len, const char *s)
{
	size_t	n = strlen(s);

	if (n >= outsize - *len)
		return (-1);
	memcpy(out + *len, s, n + 1);
	*len += n;
	return (0);
}

/* One WWW-Authenticate or Proxy-Authenticate value (RFC 7616 3.3). */
int
digest_challenge(char *out, size_t outsize, const char *realm,
    const char *nonce, const char *opaque, enum digest_alg alg, int stale)
{
	const char	*name;
	size_t		 len = 0;
	int		 has_opaque;

	if ((name = digest_alg_name(alg)) == NULL || realm == NULL ||
	    nonce == NULL || *realm == '\0' || *nonce == '\0' || outsize == 0)
		return (-1);
	has_opaque = opaque != NULL && *opaque != '\0';
	if (!digest_is_qdtext(realm) || !digest_is_qdtext(nonce) ||
	    (has_opaque && !digest_is_qdtext(opaque)))
		return (-1);
	if (digest_cat(out, outsize, &len, "Digest realm=\"") == -1 ||
	    digest_cat(out, outsize, &len, realm) == -1 ||
	    digest_cat(out, outsize, &len, "\", nonce=\"") == -1 ||
	    digest_cat(out, outsize, &len, nonce) == -1 ||
	    (has_opaque &&
	    (digest_cat(out, outsize, &len, "\", opaque=\"") == -1 ||
	    digest_cat(out, outsize, &len, opaque) == -1)) ||
	    digest_cat(out, outsize, &len, "\", algorithm=") == -1 ||
	    digest_cat(out, outsize, &len, name) == -1 ||
	    digest_cat(out, outsize, &len, ", qop=\"auth\"") == -1 ||
	    (stale && digest_cat(out, outsize, &len, ", stale=true") == -1))
		return (-1);
	return (0);
}
