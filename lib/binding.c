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
 * A binding on the wire between the listener and dirdb.  The source
 * address travels as the bytes of its sockaddr: both ends are the same
 * host, and the store encodes it for the disk itself.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "binding.h"
#include "config.h"
#include "imsg.h"

#define BINDING_MSG_Q_NONE	0xffffffffU	/* q absent: -1 */
#define BINDING_MSG_Q_MAX	1000

int
binding_msg_add(struct ibuf *buf, const struct binding_rec *b)
{
	if (b->b_srclen > sizeof(b->b_src)) {
		buf->ib_error = 1;
		return (-1);
	}
	if (ibuf_add_str(buf, b->b_address, sizeof(b->b_address)) == -1 ||
	    ibuf_add_str(buf, b->b_contact, sizeof(b->b_contact)) == -1 ||
	    ibuf_add_u32(buf, b->b_srclen) == -1 ||
	    ibuf_add_data(buf, &b->b_src, b->b_srclen) == -1 ||
	    ibuf_add_u32(buf, b->b_transport) == -1 ||
	    ibuf_add_u64(buf, b->b_conn) == -1 ||
	    ibuf_add_u64(buf, b->b_expires) == -1 ||
	    ibuf_add_u32(buf, (uint32_t)b->b_q) == -1 ||
	    ibuf_add_str(buf, b->b_callid, sizeof(b->b_callid)) == -1 ||
	    ibuf_add_u32(buf, b->b_cseq) == -1 ||
	    ibuf_add_str(buf, b->b_ua, sizeof(b->b_ua)) == -1)
		return (-1);
	return (0);
}

/*
 * The caller checks imsg_get_end(): a binding may be followed by more
 * fields in some messages.  The source length is checked before its
 * bytes are read, so they never run past b_src.  The other bounds are
 * those the store checks again, so that a bad record is seen at the
 * first process it reaches: a failed bound marks the message malformed,
 * as a failed get does.
 */
int
binding_msg_get(struct imsg *imsg, struct binding_rec *b)
{
	uint32_t	q;

	memset(b, 0, sizeof(*b));
	imsg_get_str(imsg, b->b_address, sizeof(b->b_address));
	imsg_get_str(imsg, b->b_contact, sizeof(b->b_contact));
	if (imsg_get_u32(imsg, &b->b_srclen) == 0 &&
	    b->b_srclen <= sizeof(b->b_src))
		imsg_get_data(imsg, &b->b_src, b->b_srclen);
	imsg_get_u32(imsg, &b->b_transport);
	imsg_get_u64(imsg, &b->b_conn);
	imsg_get_u64(imsg, &b->b_expires);
	imsg_get_u32(imsg, &q);
	imsg_get_str(imsg, b->b_callid, sizeof(b->b_callid));
	imsg_get_u32(imsg, &b->b_cseq);
	imsg_get_str(imsg, b->b_ua, sizeof(b->b_ua));
	if (b->b_srclen > sizeof(b->b_src) || b->b_transport > TRANSPORT_TLS ||
	    (q != BINDING_MSG_Q_NONE && q > BINDING_MSG_Q_MAX))
		imsg_set_error(imsg);
	if (imsg_get_error(imsg) == -1) {
		memset(b, 0, sizeof(*b));
		return (-1);
	}
	b->b_q = q == BINDING_MSG_Q_NONE ? -1 : (int32_t)q;
	return (0);
}
