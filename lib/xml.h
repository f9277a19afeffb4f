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

#ifndef IMD_XML_H
#define IMD_XML_H

/*
 * The libxml2 plumbing that lib/pidf.c, listener/winfo.c and imc share.
 *
 * xml_quiet() sends every libxml2 error of the calling thread to a
 * handler that drops it: a document from the network must never write
 * to our standard error.  The parsers read the errors from their own
 * context instead.  libxml2 keeps the handlers per thread, so each
 * entry point calls it.
 *
 * xml_is_text() says whether a C string is UTF-8 made only of
 * characters XML 1.0 allows, so that what we write stays well-formed
 * after escaping.
 *
 * xml_out() copies a serialized document into a buffer from malloc(3),
 * NUL-terminated, that the caller releases with free(3) whatever
 * allocator libxml2 was built with.
 */

#include <stddef.h>

void	xml_quiet(void);
int	xml_is_text(const char *);
int	xml_out(const unsigned char *, size_t, char **, size_t *);

#endif /* IMD_XML_H */
