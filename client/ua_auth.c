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
 * Digest authentication for the user agent (RFC 7616, RFC 8760 for
 * SIP): the best challenge of a 401 or 407 kept, and credentials for
 * each request that follows, the nonce count going up with each use of
 * one nonce so that the server can tell a replay.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "imc.h"

#define CRED_FIELD_MAX	256

struct ua_cred {
	int		 cr_valid;
	enum digest_alg	 cr_alg;
	char		 cr_realm[CRED_FIELD_MAX];
	char		 cr_nonce[CRED_FIELD_MAX];
	char		 cr_opaque[CRED_FIELD_MAX];
	int		 cr_qop;
	uint32_t	 cr_nc;
};

struct ua_cred *
ua_cred_new(void)
{
	return (calloc(1, sizeof(struct ua_cred)));
}

void
ua_cred_free(struct ua_cred *cr)
{
	freezero(cr, sizeof(*cr));
}

/* 1 for algorithms we can answer, with SHA-256 ranked first. */
static int
cred_alg(const struct sip_auth *au, enum digest_alg *alg)
{
	if (au->au_algorithm.len == 0 ||
	    sip_str_is_ci(&au->au_algorithm, "MD5")) {
		*alg = DIGEST_MD5;
		return (1);
	}
	if (sip_str_is_ci(&au->au_algorithm, "SHA-256")) {
		*alg = DIGEST_SHA256;
		return (2);
	}
	return (0);
}

static int
cred_take(struct ua_cred *cr, const struct sip_auth *au, enum digest_alg alg)
{
	memset(cr, 0, sizeof(*cr));
	cr->cr_alg = alg;
	if (sip_str_unquote(&au->au_realm, cr->cr_realm,
	    sizeof(cr->cr_realm)) == -1 ||
	    sip_str_unquote(&au->au_nonce, cr->cr_nonce,
	    sizeof(cr->cr_nonce)) == -1 ||
	    (au->au_opaque.len > 0 && sip_str_unquote(&au->au_opaque,
	    cr->cr_opaque, sizeof(cr->cr_opaque)) == -1) ||
	    strpbrk(cr->cr_nonce, "\"\\") != NULL ||
	    strpbrk(cr->cr_realm, "\"\\") != NULL ||
	    strpbrk(cr->cr_opaque, "\"\\") != NULL)
		return (-1);
	cr->cr_qop = au->au_qop.len > 0;
	cr->cr_valid = 1;
	return (0);
}

/*
 * Keep the best Digest challenge of the response: -1 when there is
 * none we can answer, else 1 when the server called our nonce stale.
 */
int
ua_cred_challenge(struct ua_cred *cr, const struct sip_msg *msg)
{
	const struct sip_hdr	*h;
	struct sip_auth		 au, best;
	enum digest_alg		 alg, best_alg = DIGEST_MD5;
	int			 rank, best_rank = 0;

	h = sip_hdr_first(msg, msg->msg_status == 401 ?
	    SIP_HDR_WWW_AUTHENTICATE : SIP_HDR_PROXY_AUTHENTICATE);
	for (; h != NULL; h = sip_hdr_next(msg, h)) {
		if (sip_auth_parse(h->hdr_value.s, SIP_STR_END(&h->hdr_value),
		    &au) == -1 || !sip_str_is_ci(&au.au_scheme, "Digest"))
			continue;
		if ((rank = cred_alg(&au, &alg)) > best_rank) {
			best = au;
			best_alg = alg;
			best_rank = rank;
		}
	}
	if (best_rank == 0 || cred_take(cr, &best, best_alg) == -1) {
		cr->cr_valid = 0;
		return (-1);
	}
	return (sip_str_is_ci(&best.au_stale, "true"));
}

static int
cred_response(struct ua_cred *cr, const struct imc_conf *conf,
    const char *method, const char *uri, const char *cnonce, char *resp)
{
	char	ha1[DIGEST_HEX_MAX], ha2[DIGEST_HEX_MAX], buf[2048];
	int	n, r;

	if (digest_ha1(cr->cr_alg, conf->c_user, cr->cr_realm,
	    conf->c_password, ha1, sizeof(ha1)) == -1)
		return (-1);
	n = snprintf(buf, sizeof(buf), "%s:%s", method, uri);
	if (n < 0 || (size_t)n >= sizeof(buf) ||
	    digest_hex(cr->cr_alg, buf, n, ha2, sizeof(ha2)) == -1)
		return (-1);
	if (cr->cr_qop)
		n = snprintf(buf, sizeof(buf), "%s:%s:%08x:%s:auth:%s", ha1,
		    cr->cr_nonce, cr->cr_nc, cnonce, ha2);
	else
		n = snprintf(buf, sizeof(buf), "%s:%s:%s", ha1, cr->cr_nonce,
		    ha2);
	r = (n < 0 || (size_t)n >= sizeof(buf)) ? -1 :
	    digest_hex(cr->cr_alg, buf, n, resp, DIGEST_HEX_MAX);
	explicit_bzero(ha1, sizeof(ha1));
	explicit_bzero(buf, sizeof(buf));
	return (r);
}

/* The value of an Authorization or Proxy-Authorization header. */
int
ua_cred_header(struct ua_cred *cr, const struct imc_conf *conf,
    const char *method, const char *uri, char *out, size_t size)
{
	char	resp[DIGEST_HEX_MAX], cnonce[24], qop[64], opaque[300];
	int	n;

	if (!cr->cr_valid)
		return (-1);
	cr->cr_nc++;
	ua_random_token(cnonce, sizeof(cnonce));
	if (cred_response(cr, conf, method, uri, cnonce, resp) == -1)
		return (-1);
	qop[0] = opaque[0] = '\0';
	if (cr->cr_qop)
		(void)snprintf(qop, sizeof(qop), ", qop=auth, nc=%08x, "
		    "cnonce=\"%s\"", cr->cr_nc, cnonce);
	if (cr->cr_opaque[0] != '\0')
		(void)snprintf(opaque, sizeof(opaque), ", opaque=\"%s\"",
		    cr->cr_opaque);
	n = snprintf(out, size, "Digest username=\"%s\", realm=\"%s\", "
	    "nonce=\"%s\", uri=\"%s\", response=\"%s\", algorithm=%s%s%s",
	    conf->c_user, cr->cr_realm, cr->cr_nonce, uri, resp,
	    cr->cr_alg == DIGEST_SHA256 ? "SHA-256" : "MD5", qop, opaque);
	explicit_bzero(resp, sizeof(resp));
	return (n < 0 || (size_t)n >= size ? -1 : 0);
}
