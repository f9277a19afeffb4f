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
 * Strings joined with a separator: the digest's inputs, authd's
 * throttle keys and addresses.  snprintf() made them at about a sixth
 * of authd's cost per REGISTER, most of it in parsing its format.
 */

#include <sys/types.h>

#include <string.h>

#include "join.h"

/*
 * parts[0] sep parts[1] ... sep parts[n - 1] and a NUL in dst.  Returns
 * the length without the NUL, or -1 when it does not fit in size.
 */
ssize_t
join_str(char *dst, size_t size, char sep, const char *const *parts,
    size_t n)
{
	size_t	i, len, off = 0;

	for (i = 0; i < n; i++) {
		len = strlen(parts[i]);
		/* This part, a separator or the NUL. */
		if (size - off <= len)
			return (-1);
		memcpy(dst + off, parts[i], len);
		off += len;
		dst[off++] = i + 1 < n ? sep : '\0';
	}
	if (n == 0) {
		if (size == 0)
			return (-1);
		dst[off++] = '\0';
	}
	return (off - 1);
}
