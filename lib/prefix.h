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


#ifndef IMD_PREFIX_H
#define IMD_PREFIX_H

/*
 * The part of a source address that counts as one stranger: an IPv4
 * address (or a shorter prefix), and for IPv6 a /64 by default, since
 * one host is commonly given a whole /64.  Connection counts, held
 * requests and authentication failures are all kept per prefix.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stdint.h>

#define PREFIX_NAME_MAX	64	/* "ffff:...:ffff/128" and a NUL */

struct addr_prefix {
	int		ap_family;	/* AF_INET, AF_INET6 or 0 */
	uint8_t		ap_bits;
	uint8_t		ap_addr[16];	/* bits past ap_bits are zero */
};

void	prefix_of_sockaddr(const struct sockaddr_storage *, unsigned int,
	    unsigned int, struct addr_prefix *);
int	prefix_of_string(const char *, unsigned int, unsigned int,
	    struct addr_prefix *);
int	prefix_cmp(const struct addr_prefix *, const struct addr_prefix *);
void	prefix_name(const struct addr_prefix *, char *, size_t);

#endif /* IMD_PREFIX_H */
