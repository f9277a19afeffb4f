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


#ifndef IMD_PSTORE_H
#define IMD_PSTORE_H

/*
 * The presence store: three tables of opaque values under string keys,
 * kept by dirdb in its Berkeley DB environment (IMSG_DB_PSTORE_*).
 * The listener, their only writer, encodes and decodes the values.
 * A PUT replaces the value under its key; a DEL of a missing key
 * succeeds.  LOAD gives every row of a table, in key order.
 */

#define PSTORE_DOCS		0	/* published documents */
#define PSTORE_SUBS		1	/* subscriptions (dialogs) */
#define PSTORE_AUTHZ		2	/* presentity's watcher decisions */
#define PSTORE_TABLES		3

#define PSTORE_KEY_MAX		512	/* with the NUL */
#define PSTORE_VALUE_MAX	49152

#endif /* IMD_PSTORE_H */
