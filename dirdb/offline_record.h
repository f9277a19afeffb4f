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

#ifndef DIRDB_OFFLINE_RECORD_H
#define DIRDB_OFFLINE_RECORD_H

/*
 * The codec of a queued message, offline_record.c, which describes
 * the record; the store is offline_store.c.  offline_encode() and
 * offline_decode() return 0 or -1 and log why; offline_fields_bad()
 * and offline_decode_head() return why a message or a record is bad,
 * or NULL.
 */

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "offline.h"

#define OFFLINE_ID_LEN		8
/* Address, NUL, id. */
#define OFFLINE_KEY_MAX		(IMD_ADDRESS_MAX + OFFLINE_ID_LEN)
/* The version, the numbers and three counted strings: all but the body. */
#define OFFLINE_HEAD_MAX	(1 + 8 + 3 * 2 + 2 * (IMD_ADDRESS_MAX - 1) + \
	(OFFLINE_CTYPE_MAX - 1) + 8 + 4 + 8 + 1 + 1 + 4)
#define OFFLINE_REC_MAX		(OFFLINE_HEAD_MAX + OFFLINE_BODY_MAX)
/* A read that fills this was longer than any valid record. */
#define OFFLINE_BUF_SIZE	(OFFLINE_REC_MAX + 1)

void		 offline_be_put(unsigned char *, uint64_t);
uint64_t	 offline_be_get(const unsigned char *);
const char	*offline_fields_bad(const struct offline_rec *);
int		 offline_encode(const struct offline_rec *,
		    const unsigned char *, uint64_t, void *, size_t, size_t *);
const char	*offline_decode_head(const void *, size_t,
		    struct offline_rec *);
int		 offline_decode(const unsigned char *, size_t, const void *,
		    size_t, struct offline_rec *);

#endif /* DIRDB_OFFLINE_RECORD_H */
