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
 * One TLS policy for every context we make: the listener's server
 * contexts, relayd's client context, imc's.  A peer that offers only
 * what the policy leaves out fails the handshake; it gets no weaker
 * fallback.
 */

#include <openssl/ssl.h>

#include "tls_policy.h"

/* 0, or -1 with the reason in OpenSSL's error queue. */
int
tls_policy_apply(SSL_CTX *ctx, int server)
{
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_cipher_list(ctx, TLS_POLICY_CIPHERS) != 1 ||
	    SSL_CTX_set1_groups_list(ctx, TLS_POLICY_GROUPS) != 1)
		return (-1);
	/* The DHE suites: a group of the key's strength, RFC 7919's. */
	if (server && SSL_CTX_set_dh_auto(ctx, 1) != 1)
		return (-1);
	return (0);
}
