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
 * Source addresses cut to the prefix that is counted as one source.
 * An IPv4 address mapped into IPv6 is the IPv4 address.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "prefix.h"

static void
prefix_cut(struct addr_prefix *ap, unsigned int bits, size_t len)
{
	size_t	i;

	if (bits > len * 8)
		bits = len * 8;
	ap->ap_bits = bits;
	for (i = 0; i < len; i++) {
		if (bits >= 8)
			bits -= 8;
		else {
			ap->ap_addr[i] &= (uint8_t)(0xff00 >> bits);
			bits = 0;
		}
	}
}

static void
prefix_v4(const void *a, unsigned int bits4, struct addr_prefix *ap)
{
	ap->ap_family = AF_INET;
	memcpy(ap->ap_addr, a, 4);
	prefix_cut(ap, bits4, 4);
}

static void
prefix_v6(const struct in6_addr *a, unsigned int bits4, unsigned int bits6,
    struct addr_prefix *ap)
{
	if (IN6_IS_ADDR_V4MAPPED(a)) {
		prefix_v4(&a->s6_addr[12], bits4, ap);
		return;
	}
	ap->ap_family = AF_INET6;
	memcpy(ap->ap_addr, a, 16);
	prefix_cut(ap, bits6, 16);
}

/* Anything but IPv4 and IPv6 is one source of family 0. */
void
prefix_of_sockaddr(const struct sockaddr_storage *ss, unsigned int bits4,
    unsigned int bits6, struct addr_prefix *ap)
{
	memset(ap, 0, sizeof(*ap));
	if (ss->ss_family == AF_INET)
		prefix_v4(&((const struct sockaddr_in *)ss)->sin_addr, bits4,
		    ap);
	else if (ss->ss_family == AF_INET6)
		prefix_v6(&((const struct sockaddr_in6 *)ss)->sin6_addr, bits4,
		    bits6, ap);
}

/* A numeric address, as getnameinfo() writes it; -1 for anything else. */
int
prefix_of_string(const char *s, unsigned int bits4, unsigned int bits6,
    struct addr_prefix *ap)
{
	struct in_addr	a4;
	struct in6_addr	a6;

	memset(ap, 0, sizeof(*ap));
	if (inet_pton(AF_INET, s, &a4) == 1)
		prefix_v4(&a4, bits4, ap);
	else if (inet_pton(AF_INET6, s, &a6) == 1)
		prefix_v6(&a6, bits4, bits6, ap);
	else
		return (-1);
	return (0);
}

int
prefix_cmp(const struct addr_prefix *a, const struct addr_prefix *b)
{
	if (a->ap_family != b->ap_family)
		return (a->ap_family < b->ap_family ? -1 : 1);
	if (a->ap_bits != b->ap_bits)
		return (a->ap_bits < b->ap_bits ? -1 : 1);
	return (memcmp(a->ap_addr, b->ap_addr, sizeof(a->ap_addr)));
}

/* "192.0.2.7", "198.51.100.0/24", "2001:db8:1:2::/64": for logs and keys. */
void
prefix_name(const struct addr_prefix *ap, char *buf, size_t size)
{
	char	host[INET6_ADDRSTRLEN];
	int	full;

	if (ap->ap_family != AF_INET && ap->ap_family != AF_INET6) {
		strlcpy(buf, "?", size);
		return;
	}
	if (inet_ntop(ap->ap_family, ap->ap_addr, host, sizeof(host)) ==
	    NULL) {
		strlcpy(buf, "?", size);
		return;
	}
	full = ap->ap_family == AF_INET ? 32 : 128;
	if (ap->ap_bits == full)
		strlcpy(buf, host, size);
	else
		snprintf(buf, size, "%s/%u", host, ap->ap_bits);
}
