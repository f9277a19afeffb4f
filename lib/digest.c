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
 * Digest hashes of RFC 7616 / RFC 8760 in lower-case hex.
 */

#include <openssl/evp.h>

#include <stdio.h>
#include <string.h>

#include "digest.h"

int
digest_hex(enum digest_alg alg, const void *data, size_t len, char *hex,
    size_t hexsize)
{
	static const char	 digits[] = "0123456789abcdef";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen, i;
	const EVP_MD		*type;

	type = alg == DIGEST_SHA256 ? EVP_sha256() : EVP_md5();
	if (EVP_Digest(data, len, md, &mdlen, type, NULL) != 1)
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
	char	buf[1024];
	int	n, r;

	n = snprintf(buf, sizeof(buf), "%s:%s:%s", user, realm, password);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		explicit_bzero(buf, sizeof(buf));
		return (-1);
	}
	r = digest_hex(alg, buf, n, hex, hexsize);
	explicit_bzero(buf, sizeof(buf));
	return (r);
}
