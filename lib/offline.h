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

#ifndef IMD_OFFLINE_H
#define IMD_OFFLINE_H

/*
 * A message kept for a user who was offline when it came: dirdb holds
 * it until the user registers again and takes it with a 2xx, or until
 * it is old enough to go out as mail.
 */

#include <stdint.h>

#include "config.h"

#define OFFLINE_CTYPE_MAX	128	/* Content-Type, with its NUL */
#define OFFLINE_BODY_MAX	60000	/* bytes of a body */

/* What a queue holds until the configuration says otherwise. */
#define OFFLINE_PER_USER_DEFAULT 100
#define OFFLINE_AGE_DEFAULT	(24 * 60 * 60)	/* seconds before mail */

/*
 * o_flags.  AUTHED: the sender was digest-authenticated as one of our
 * users (a record older than the flags reads as not).  HELD: kept for
 * the next registration, never mailed, since its recipient's mail
 * limit was reached when it fell due.  SUMMARY: not a message but the
 * one mail of a period that tells of the held ones; dirdb writes its
 * text when it falls due.
 */
#define OFFLINE_F_AUTHED	0x01
#define OFFLINE_F_HELD		0x02
#define OFFLINE_F_SUMMARY	0x04
#define OFFLINE_F_ALL		0x07

enum offline_state {
	OFFLINE_WAITING,	/* for the user's next registration */
	OFFLINE_MAILING,	/* handed to mail, tried again at o_next_try */
};

struct offline_rec {
	uint64_t	o_id;		/* the store's, increasing */
	char		o_to[IMD_ADDRESS_MAX];		/* the recipient */
	char		o_from[IMD_ADDRESS_MAX];	/* the sender */
	char		o_ctype[OFFLINE_CTYPE_MAX];	/* Content-Type */
	uint64_t	o_arrived;	/* seconds since the epoch */
	uint32_t	o_attempts;	/* of delivery by mail */
	uint64_t	o_next_try;	/* seconds; the mail back-off */
	uint32_t	o_state;	/* enum offline_state */
	uint32_t	o_flags;	/* OFFLINE_F_* */
	uint32_t	o_bodylen;
	unsigned char	o_body[OFFLINE_BODY_MAX];
};

/*
 * The longest payload offline_msg_add() writes: the numbers, three
 * strings with their NULs, the body.  Well under IMSG_PAYLOAD_MAX, so
 * a message may carry a request id and a status besides.
 */
#define OFFLINE_MSG_MAX		(8 + 2 * IMD_ADDRESS_MAX + \
	OFFLINE_CTYPE_MAX + 8 + 4 + 8 + 4 + 4 + 4 + OFFLINE_BODY_MAX)

struct ibuf;
struct imsg;

int	offline_msg_add(struct ibuf *, const struct offline_rec *);
int	offline_msg_get(struct imsg *, struct offline_rec *);

/*
 * A queued message as `imctl show queue` lists it, from dirdb through
 * the parent: who, when, how big, how far; never the text.
 */
struct offline_item {
	uint64_t	oi_id;
	char		oi_to[IMD_ADDRESS_MAX];
	char		oi_from[IMD_ADDRESS_MAX];
	uint64_t	oi_arrived;
	uint32_t	oi_bytes;
	uint32_t	oi_state;	/* enum offline_state */
	uint32_t	oi_attempts;
};
#define OFFLINE_ITEM_MAX	(2 * IMD_ADDRESS_MAX + 40)

int	offline_item_add(struct ibuf *, const struct offline_item *);
void	offline_item_get(struct imsg *, struct offline_item *);

#endif /* IMD_OFFLINE_H */
