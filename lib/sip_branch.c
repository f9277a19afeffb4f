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
 * The branch of a request forwarded without a transaction (RFC 3261
 * 16.6 step 8, 16.11): the ACK of a 2xx.  It is derived from the
 * incoming top Via's branch and sent-by, so that each retransmission
 * leaves with the branch the first one had and the next hop sees the
 * same request again; the suite's loop tag goes first, as in every
 * branch of ours.  The hash (FNV-1a, 64 bits) needs no secret: a
 * sender who makes two of its own requests collide only confuses
 * itself.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sip.h"

static uint64_t
branch_hash(uint64_t h, const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return ((h ^ '|') * 1099511628211ULL);
}

int
sip_branch_derived(const struct sip_msg *msg, uint32_t tag, char *branch,
    size_t size)
{
	struct sip_via	via;
	char		port[8];
	uint64_t	h = 14695981039346656037ULL;
	int		n;

	if (sip_top_via(msg, &via) == -1 || via.via_branch.len == 0)
		return (-1);
	snprintf(port, sizeof(port), "%u", via.via_port);
	h = branch_hash(h, via.via_branch.s, via.via_branch.len);
	h = branch_hash(h, via.via_host.s, via.via_host.len);
	h = branch_hash(h, port, strlen(port));
	n = snprintf(branch, size, "z9hG4bK%08x.%016llx", tag,
	    (unsigned long long)h);
	return (n < 0 || (size_t)n >= size ? -1 : 0);
}
