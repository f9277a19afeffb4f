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


#include <string.h>

#include "record.h"

/* Terminated within size, at least min bytes, all visible ASCII. */
int
is_rec_word(const char *s, size_t size, size_t min)
{
	size_t	i, n;

	if ((n = strnlen(s, size)) == size || n < min)
		return (0);
	for (i = 0; i < n; i++)
		if (s[i] < '!' || s[i] > '~')
			return (0);
	return (1);
}

int
rec_put(struct rec_buf *rb, const void *data, size_t len)
{
	if (len > rb->rb_size - rb->rb_off)
		return (-1);
	memcpy(rb->rb_data + rb->rb_off, data, len);
	rb->rb_off += len;
	return (0);
}

int
rec_put_uint(struct rec_buf *rb, uint64_t v, size_t bytes)
{
	unsigned char	be[8];
	size_t		i;

	if (bytes > sizeof(be))
		return (-1);
	for (i = 0; i < bytes; i++)
		be[i] = (v >> (8 * (bytes - 1 - i))) & 0xff;
	return (rec_put(rb, be, bytes));
}

/* The string must hold its NUL within fieldsize; the NUL is not stored. */
int
rec_put_str(struct rec_buf *rb, const char *s, size_t fieldsize)
{
	size_t	len;

	if ((len = strnlen(s, fieldsize)) == fieldsize)
		return (-1);
	if (rec_put_uint(rb, len, 2) == -1 || rec_put(rb, s, len) == -1)
		return (-1);
	return (0);
}

int
rec_get(struct rec_buf *rb, void *data, size_t len)
{
	if (len > rb->rb_size - rb->rb_off)
		return (-1);
	memcpy(data, rb->rb_data + rb->rb_off, len);
	rb->rb_off += len;
	return (0);
}

int
rec_get_uint(struct rec_buf *rb, uint64_t *v, size_t bytes)
{
	unsigned char	be[8];
	size_t		i;

	if (bytes > sizeof(be) || rec_get(rb, be, bytes) == -1)
		return (-1);
	*v = 0;
	for (i = 0; i < bytes; i++)
		*v = (*v << 8) | be[i];
	return (0);
}

/* A stored string must fit dst with its NUL and hold no NUL itself. */
int
rec_get_str(struct rec_buf *rb, char *dst, size_t dstsize)
{
	uint64_t	len;

	if (rec_get_uint(rb, &len, 2) == -1 || len >= dstsize ||
	    rec_get(rb, dst, len) == -1 || memchr(dst, '\0', len) != NULL)
		return (-1);
	dst[len] = '\0';
	return (0);
}
