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


#ifndef DIRDB_RECORD_H
#define DIRDB_RECORD_H

/*
 * The portable encoding of stored records: big-endian integers of a
 * given width and strings as a 16-bit length and their bytes, written
 * into and read from a bounded buffer; every read checks what is left.
 * is_rec_word() is the rule of a stored word: terminated within size,
 * at least min bytes, all visible ASCII.
 */

#include <stddef.h>
#include <stdint.h>

struct rec_buf {
	unsigned char	*rb_data;
	size_t		 rb_size;
	size_t		 rb_off;
};

int	is_rec_word(const char *, size_t, size_t);
int	rec_put(struct rec_buf *, const void *, size_t);
int	rec_put_uint(struct rec_buf *, uint64_t, size_t);
int	rec_put_str(struct rec_buf *, const char *, size_t);
int	rec_get(struct rec_buf *, void *, size_t);
int	rec_get_uint(struct rec_buf *, uint64_t *, size_t);
int	rec_get_str(struct rec_buf *, char *, size_t);

#endif /* DIRDB_RECORD_H */
