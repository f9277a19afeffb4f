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
 * The record of a message in offline.db, apart from the store that
 * keeps it.  The key is the recipient's address in lower case, a NUL,
 * and the message's id, u64 big-endian: an address holds no NUL, so
 * one user's messages are adjacent, in the order of their ids, and the
 * walk from "address\0" meets no one else's.  The value, version 2,
 * every integer big-endian so the file means the same on any host:
 *
 *	u8		record version, 2
 *	u64		id: the key's second part
 *	u16 n, n bytes	recipient, in lower case: the key's first part
 *	u16 n, n bytes	sender
 *	u16 n, n bytes	Content-Type
 *	u64		arrival, seconds since the epoch
 *	u32		attempts at delivery by mail
 *	u64		next try by mail, seconds since the epoch
 *	u8		state: 0 waiting, 1 mailing
 *	u8		flags: OFFLINE_F_* of lib/offline.h
 *	u32 n, n bytes	body
 *
 * Version 1 had no flags byte and is read as flags 0: a message queued
 * before the flags came is from a sender not authenticated here, and
 * neither held nor a summary.  Everything written is version 2.
 *
 * Strings hold no NUL and fit their offline_rec field with it: the
 * recipient is a valid address, the sender visible ASCII and not
 * empty, the Content-Type printable ASCII and empty only with an empty
 * body.  The body is any bytes, at most OFFLINE_BODY_MAX of them.  The
 * record ends after the body.  What is read back is checked as closely
 * as what is written, a version this code does not know is refused,
 * and a refusal is logged by the key, never by what the record holds.
 */

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "offline.h"
#include "offline_record.h"
#include "record.h"
#include "user.h"

#define OFFLINE_REC_VERSION	2
#define OFFLINE_REC_VERSION_NOFLAGS 1

_Static_assert(OFFLINE_WAITING == 0 && OFFLINE_MAILING == 1,
    "states are on disk");

/* Terminated within size, printable ASCII: a header field's value. */
static int
is_offline_text(const char *s, size_t size)
{
	size_t	i, n;

	if ((n = strnlen(s, size)) == size)
		return (0);
	for (i = 0; i < n; i++)
		if (s[i] < ' ' || s[i] > '~')
			return (0);
	return (1);
}

/* The rules of a message, for what is written and what is read. */
const char *
offline_fields_bad(const struct offline_rec *o)
{
	if (!is_valid_address(o->o_to))
		return ("invalid recipient");
	if (!is_rec_word(o->o_from, sizeof(o->o_from), 1))
		return ("invalid sender");
	if (!is_offline_text(o->o_ctype, sizeof(o->o_ctype)))
		return ("invalid Content-Type");
	if (o->o_ctype[0] == '\0' && o->o_bodylen > 0)
		return ("a body without a Content-Type");
	if (o->o_state != OFFLINE_WAITING && o->o_state != OFFLINE_MAILING)
		return ("unknown state");
	if ((o->o_flags & ~OFFLINE_F_ALL) != 0)
		return ("unknown flags");
	if (o->o_bodylen > sizeof(o->o_body))
		return ("body too long");
	return (NULL);
}

void
offline_be_put(unsigned char *p, uint64_t v)
{
	size_t	i;

	for (i = 0; i < 8; i++)
		p[i] = (v >> (8 * (7 - i))) & 0xff;
}

uint64_t
offline_be_get(const unsigned char *p)
{
	uint64_t	v = 0;
	size_t		i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return (v);
}

/* The key's first part is the address in lower case, with its NUL. */
int
offline_encode(const struct offline_rec *o, const unsigned char *key,
    uint64_t id, void *buf, size_t size, size_t *len)
{
	struct rec_buf	rb = { buf, size, 0 };

	if (rec_put_uint(&rb, OFFLINE_REC_VERSION, 1) == -1 ||
	    rec_put_uint(&rb, id, 8) == -1 ||
	    rec_put_str(&rb, (const char *)key, IMD_ADDRESS_MAX) == -1 ||
	    rec_put_str(&rb, o->o_from, sizeof(o->o_from)) == -1 ||
	    rec_put_str(&rb, o->o_ctype, sizeof(o->o_ctype)) == -1 ||
	    rec_put_uint(&rb, o->o_arrived, 8) == -1 ||
	    rec_put_uint(&rb, o->o_attempts, 4) == -1 ||
	    rec_put_uint(&rb, o->o_next_try, 8) == -1 ||
	    rec_put_uint(&rb, o->o_state, 1) == -1 ||
	    rec_put_uint(&rb, o->o_flags, 1) == -1 ||
	    rec_put_uint(&rb, o->o_bodylen, 4) == -1 ||
	    rec_put(&rb, o->o_body, o->o_bodylen) == -1) {
		log_warnx("store: offline: message %llu for %s does not "
		    "encode", (unsigned long long)id, (const char *)key);
		return (-1);
	}
	*len = rb.rb_off;
	return (0);
}

/*
 * Everything before the body, which is all a quota needs: it may be
 * read alone (offline_quota_one).  Returns why the record is bad, or
 * NULL.
 */
static const char *
offline_parse_head(struct rec_buf *rb, struct offline_rec *o)
{
	uint64_t	version, attempts, state, flags = 0, bodylen;

	if (rec_get_uint(rb, &version, 1) == -1)
		return ("empty");
	if (version != OFFLINE_REC_VERSION &&
	    version != OFFLINE_REC_VERSION_NOFLAGS)
		return ("unknown version");
	if (rec_get_uint(rb, &o->o_id, 8) == -1 ||
	    rec_get_str(rb, o->o_to, sizeof(o->o_to)) == -1 ||
	    rec_get_str(rb, o->o_from, sizeof(o->o_from)) == -1 ||
	    rec_get_str(rb, o->o_ctype, sizeof(o->o_ctype)) == -1 ||
	    rec_get_uint(rb, &o->o_arrived, 8) == -1 ||
	    rec_get_uint(rb, &attempts, 4) == -1 ||
	    rec_get_uint(rb, &o->o_next_try, 8) == -1 ||
	    rec_get_uint(rb, &state, 1) == -1 ||
	    (version != OFFLINE_REC_VERSION_NOFLAGS &&
	    rec_get_uint(rb, &flags, 1) == -1) ||
	    rec_get_uint(rb, &bodylen, 4) == -1)
		return ("malformed field");
	if (bodylen > sizeof(o->o_body))
		return ("body too long");
	o->o_attempts = attempts;
	o->o_state = state;
	o->o_flags = flags;
	o->o_bodylen = bodylen;
	return (NULL);
}

/* The head alone, of a record whose body need not be read. */
const char *
offline_decode_head(const void *val, size_t len, struct offline_rec *o)
{
	struct rec_buf	rb = { (unsigned char *)val, len, 0 };

	return (offline_parse_head(&rb, o));
}

/* Returns why the record is bad, or NULL. */
static const char *
offline_parse(struct rec_buf *rb, struct offline_rec *o)
{
	const char	*why;

	if (rb->rb_size > OFFLINE_REC_MAX)
		return ("too long");
	if ((why = offline_parse_head(rb, o)) != NULL)
		return (why);
	if (rec_get(rb, o->o_body, o->o_bodylen) == -1)
		return ("body cut short");
	if (rb->rb_off != rb->rb_size)
		return ("trailing bytes");
	return (offline_fields_bad(o));
}

/* The key names the message in the log: address, then id. */
static void
offline_refuse(const unsigned char *key, size_t keylen, const char *why)
{
	char	vis[LOG_VIS_MAX * 4 + 1];
	size_t	n;

	n = strnlen((const char *)key, keylen);
	if (n + 1 + OFFLINE_ID_LEN == keylen)
		log_warnx("store: offline: record of %s %llu refused: %s",
		    log_vis((const char *)key, n, vis, sizeof(vis)),
		    (unsigned long long)offline_be_get(key + n + 1), why);
	else
		log_warnx("store: offline: record under malformed key %s "
		    "refused: %s", log_vis((const char *)key, keylen, vis,
		    sizeof(vis)), why);
}

/*
 * A record filed under another key than its own recipient and id is
 * not trusted; nor is a recipient with capitals, which no lookup would
 * find.
 */
int
offline_decode(const unsigned char *key, size_t keylen, const void *val,
    size_t len, struct offline_rec *o)
{
	struct rec_buf	 rb = { (unsigned char *)val, len, 0 };
	const char	*why;
	size_t		 n;

	memset(o, 0, sizeof(*o));
	if ((why = offline_parse(&rb, o)) == NULL) {
		n = strlen(o->o_to);
		if (keylen != n + 1 + OFFLINE_ID_LEN ||
		    memcmp(key, o->o_to, n + 1) != 0 ||
		    offline_be_get(key + n + 1) != o->o_id)
			why = "recipient and id are not the key";
		else if (strpbrk(o->o_to, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") !=
		    NULL)
			why = "recipient not in lower case";
	}
	if (why == NULL)
		return (0);
	memset(o, 0, sizeof(*o));
	offline_refuse(key, keylen, why);
	return (-1);
}
