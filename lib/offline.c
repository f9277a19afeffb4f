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
 * An offline message on the wire between dirdb and the processes that
 * queue and deliver it.  The body travels as its length and its bytes,
 * whatever they are: a body is the sender's, never interpreted here.
 */

#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "imsg.h"
#include "offline.h"

/* Room left in the largest message for a request id and a status. */
_Static_assert(OFFLINE_MSG_MAX + 64 <= IMSG_PAYLOAD_MAX,
    "an offline message does not fit an imsg");

int
offline_msg_add(struct ibuf *buf, const struct offline_rec *o)
{
	if (o->o_bodylen > sizeof(o->o_body)) {
		buf->ib_error = 1;
		return (-1);
	}
	if (ibuf_add_u64(buf, o->o_id) == -1 ||
	    ibuf_add_str(buf, o->o_to, sizeof(o->o_to)) == -1 ||
	    ibuf_add_str(buf, o->o_from, sizeof(o->o_from)) == -1 ||
	    ibuf_add_str(buf, o->o_ctype, sizeof(o->o_ctype)) == -1 ||
	    ibuf_add_u64(buf, o->o_arrived) == -1 ||
	    ibuf_add_u32(buf, o->o_attempts) == -1 ||
	    ibuf_add_u64(buf, o->o_next_try) == -1 ||
	    ibuf_add_u32(buf, o->o_state) == -1 ||
	    ibuf_add_u32(buf, o->o_flags) == -1 ||
	    ibuf_add_u32(buf, o->o_bodylen) == -1 ||
	    ibuf_add_data(buf, o->o_body, o->o_bodylen) == -1)
		return (-1);
	return (0);
}

int
offline_item_add(struct ibuf *buf, const struct offline_item *oi)
{
	if (ibuf_add_u64(buf, oi->oi_id) == -1 ||
	    ibuf_add_str(buf, oi->oi_to, sizeof(oi->oi_to)) == -1 ||
	    ibuf_add_str(buf, oi->oi_from, sizeof(oi->oi_from)) == -1 ||
	    ibuf_add_u64(buf, oi->oi_arrived) == -1 ||
	    ibuf_add_u32(buf, oi->oi_bytes) == -1 ||
	    ibuf_add_u32(buf, oi->oi_state) == -1 ||
	    ibuf_add_u32(buf, oi->oi_attempts) == -1)
		return (-1);
	return (0);
}

/* The caller checks imsg_get_end(), which reports a failed get. */
void
offline_item_get(struct imsg *imsg, struct offline_item *oi)
{
	imsg_get_u64(imsg, &oi->oi_id);
	imsg_get_str(imsg, oi->oi_to, sizeof(oi->oi_to));
	imsg_get_str(imsg, oi->oi_from, sizeof(oi->oi_from));
	imsg_get_u64(imsg, &oi->oi_arrived);
	imsg_get_u32(imsg, &oi->oi_bytes);
	imsg_get_u32(imsg, &oi->oi_state);
	imsg_get_u32(imsg, &oi->oi_attempts);
}

/*
 * The caller checks imsg_get_end(): a message may carry more fields
 * after the record.  The body's length is checked before its bytes are
 * read, so they never run past o_body; the state must be one the store
 * takes, so that a bad record is seen at the first process it reaches:
 * a failed bound marks the message malformed, as a failed get does.
 */
int
offline_msg_get(struct imsg *imsg, struct offline_rec *o)
{
	memset(o, 0, sizeof(*o));
	imsg_get_u64(imsg, &o->o_id);
	imsg_get_str(imsg, o->o_to, sizeof(o->o_to));
	imsg_get_str(imsg, o->o_from, sizeof(o->o_from));
	imsg_get_str(imsg, o->o_ctype, sizeof(o->o_ctype));
	imsg_get_u64(imsg, &o->o_arrived);
	imsg_get_u32(imsg, &o->o_attempts);
	imsg_get_u64(imsg, &o->o_next_try);
	imsg_get_u32(imsg, &o->o_state);
	imsg_get_u32(imsg, &o->o_flags);
	if (imsg_get_u32(imsg, &o->o_bodylen) == 0 &&
	    o->o_bodylen <= sizeof(o->o_body))
		imsg_get_data(imsg, o->o_body, o->o_bodylen);
	if ((o->o_state != OFFLINE_WAITING && o->o_state != OFFLINE_MAILING) ||
	    (o->o_flags & ~OFFLINE_F_ALL) != 0 ||
	    o->o_bodylen > sizeof(o->o_body))
		imsg_set_error(imsg);
	if (imsg_get_error(imsg) == -1) {
		memset(o, 0, sizeof(*o));
		return (-1);
	}
	return (0);
}
