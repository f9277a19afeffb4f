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
 * libFuzzer harness: sip_auth_parse() on the data as the value of an
 * Authorization, Proxy-Authorization or WWW-Authenticate header, then
 * every parameter unquoted into the fields authd gets, as the listener
 * does (listener/auth.c) and imc does with a challenge.  Besides the
 * sanitizers it checks that every parameter lies inside the value.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth_msg.h"
#include "sip.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
inside(const struct sip_str *s, const char *p, const char *end)
{
	if (s->len == 0)
		return;
	if (s->s < p || s->s > end || s->len > (size_t)(end - s->s))
		abort();
}

/* A parameter unquoted is never longer than it was. */
static void
unquote(const struct sip_str *s, char *buf, size_t size)
{
	if (sip_str_unquote(s, buf, size) == 0 && strlen(buf) > s->len)
		abort();
}

static void
fields(const struct sip_auth *au, const char *p, const char *end)
{
	const struct sip_str	*all[] = {
		&au->au_scheme, &au->au_username, &au->au_realm,
		&au->au_nonce, &au->au_uri, &au->au_response,
		&au->au_algorithm, &au->au_cnonce, &au->au_opaque,
		&au->au_qop, &au->au_nc, &au->au_userhash, &au->au_stale,
		&au->au_domain
	};
	size_t			 i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		inside(all[i], p, end);
}

static void
credentials(const struct sip_auth *au)
{
	struct digest_req	dr;

	unquote(&au->au_username, dr.dr_username, sizeof(dr.dr_username));
	unquote(&au->au_realm, dr.dr_realm, sizeof(dr.dr_realm));
	unquote(&au->au_nonce, dr.dr_nonce, sizeof(dr.dr_nonce));
	unquote(&au->au_uri, dr.dr_uri, sizeof(dr.dr_uri));
	unquote(&au->au_response, dr.dr_response, sizeof(dr.dr_response));
	unquote(&au->au_algorithm, dr.dr_algorithm, sizeof(dr.dr_algorithm));
	unquote(&au->au_cnonce, dr.dr_cnonce, sizeof(dr.dr_cnonce));
	unquote(&au->au_opaque, dr.dr_opaque, sizeof(dr.dr_opaque));
	unquote(&au->au_qop, dr.dr_qop, sizeof(dr.dr_qop));
	unquote(&au->au_nc, dr.dr_nc, sizeof(dr.dr_nc));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*p = (const char *)data;
	struct sip_auth	 au;
	char		 small[4];

	if (sip_auth_parse(p, p + size, &au) == -1)
		return 0;
	fields(&au, p, p + size);
	credentials(&au);
	unquote(&au.au_stale, small, sizeof(small));
	unquote(&au.au_domain, small, 0);
	return 0;
}
