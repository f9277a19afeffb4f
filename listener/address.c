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
 * The address a SIP URI names: user@domain, lower case, as users are
 * kept.  Only the listener reads SIP, so these live beside it and not
 * in lib/user.c, which the other processes link.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "request.h"
#include "sip.h"
#include "user.h"

/* user@domain of a parsed SIP URI, lower case; -1 for anything else. */
static int
parsed_uri_address(const struct sip_uri *u, char *addr, size_t size,
    char *domain, size_t dsize)
{
	char	user[IMD_LOCALPART_MAX];
	size_t	ulen;

	if ((u->uri_scheme != SIP_SCHEME_SIP &&
	    u->uri_scheme != SIP_SCHEME_SIPS) ||
	    sip_str_unescape(&u->uri_user, user, sizeof(user), &ulen) == -1 ||
	    ulen == 0 || memchr(user, '\0', ulen) != NULL ||
	    u->uri_host.len >= dsize)
		return (-1);
	/* user@host without snprintf(3): this runs twice per request */
	if (ulen + 1 + u->uri_host.len >= size)
		return (-1);
	memcpy(addr, user, ulen);
	addr[ulen] = '@';
	memcpy(addr + ulen + 1, u->uri_host.s, u->uri_host.len);
	addr[ulen + 1 + u->uri_host.len] = '\0';
	if (address_lower(addr) == -1)
		return (-1);
	/* A valid address has one @, and its domain fits: checked above. */
	memcpy(domain, addr + ulen + 1, u->uri_host.len + 1);
	return (0);
}

/* user@domain of a SIP URI, lower case; -1 for anything else. */
int
uri_address(const struct sip_str *s, char *addr, size_t size,
    char *domain, size_t dsize)
{
	struct sip_uri	u;

	if (sip_uri_parse(s->s, SIP_STR_END(s), &u) == -1)
		return (-1);
	return (parsed_uri_address(&u, addr, size, domain, dsize));
}

/* The address of the URI in a From or To header. */
static int
hdr_address(const struct sip_msg *msg, enum sip_hdr_id id, char *addr,
    size_t size, char *domain, size_t dsize)
{
	struct sip_addr	a;

	/* the URI as sip_addr_parse() parsed it, not parsed again */
	if (sip_first_addr(msg, id, &a) == -1)
		return (-1);
	return (parsed_uri_address(&a.addr_uri, addr, size, domain, dsize));
}

int
from_address(const struct sip_msg *msg, char *addr, size_t size,
    char *domain, size_t dsize)
{
	return (hdr_address(msg, SIP_HDR_FROM, addr, size, domain, dsize));
}

int
to_address(const struct sip_msg *msg, char *addr, size_t size,
    char *domain, size_t dsize)
{
	return (hdr_address(msg, SIP_HDR_TO, addr, size, domain, dsize));
}
