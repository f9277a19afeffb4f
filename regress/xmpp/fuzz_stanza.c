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
 * libFuzzer harness of xmppd's XML stream reader, xmppd/parser.c.  The
 * first byte sets the size of the pieces the rest is fed in (as reads
 * from a socket would cut it), the rest is a stream.  Every stanza it
 * gives back is walked as s2s_in.c and gateway.c walk them.  The bound
 * is small (4096) so that the "stanza too large" paths run often.
 */

#include <sys/types.h>

#include <stdint.h>
#include <string.h>

#include "xmppd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t
fuzz_walk(const struct xnode *n, int depth)
{
	const struct xnode	*c;
	size_t			 sum = strlen(xnode_local(n)) + n->xn_textlen;

	if (xnode_attr(n, "from") != NULL)
		sum++;
	(void)xnode_is(n, XMPP_NS_SERVER, "message");
	(void)xnode_child(n, "body");
	for (c = n->xn_child; c != NULL && depth < 64; c = c->xn_next)
		sum += fuzz_walk(c, depth + 1);
	return (sum);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xparser	 xp;
	struct xnode	*n;
	size_t		 piece, off;
	char		 esc[256];

	if (size < 1 || xparser_init(&xp, 4096) == -1)
		return (0);
	piece = data[0] == 0 ? size : data[0];
	for (off = 1; off < size; off += piece) {
		if (xparser_feed(&xp, (const char *)data + off,
		    size - off < piece ? size - off : piece) == -1)
			break;
		if (xp.xp_opened)
			(void)xnode_attr(xp.xp_open, "to");
		while ((n = xparser_next(&xp)) != NULL) {
			(void)fuzz_walk(n, 0);
			if (n->xn_text != NULL)
				(void)xml_escape(esc, sizeof(esc), n->xn_text,
				    n->xn_textlen);
			xnode_free(n);
		}
	}
	xparser_free(&xp);
	return (0);
}
