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

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/chvalid.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlstring.h>
#include <libxml/xmlversion.h>

#include "cdefs.h"
#include "xml.h"

/* libxml2 2.12 made the error const. */
#if LIBXML_VERSION >= 21200
#define XML_ERROR	const xmlError
#else
#define XML_ERROR	xmlError
#endif

static void	xml_drop(void *, XML_ERROR *);
static void	xml_drop_generic(void *, const char *, ...);
static int	xml_char_len(const unsigned char *, size_t);

static void
xml_drop(void *ctx IMD_UNUSED, XML_ERROR *error IMD_UNUSED)
{
}

static void
xml_drop_generic(void *ctx IMD_UNUSED, const char *fmt IMD_UNUSED, ...)
{
}

void
xml_quiet(void)
{
	xmlSetStructuredErrorFunc(NULL, xml_drop);
	xmlSetGenericErrorFunc(NULL, xml_drop_generic);
}

/*
 * The length of the XML character at p, or -1.  libxml2 2.9's
 * xmlGetUTF8Char() takes a continuation byte for the lead of a two-byte
 * sequence and accepts some overlong forms, which its parser refuses in
 * a document: both are refused here too.
 */
static int
xml_char_len(const unsigned char *p, size_t left)
{
	int	c, len;

	len = left > INT_MAX ? INT_MAX : (int)left;
	if ((*p & 0xc0) == 0x80 || (c = xmlGetUTF8Char(p, &len)) < 0 ||
	    !xmlIsCharQ(c))
		return (-1);
	if (len != (c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4))
		return (-1);
	return (len);
}

int
xml_is_text(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 left;
	int			 len;

	left = strlen(s);
	while (left > 0) {
		if ((len = xml_char_len(p, left)) == -1)
			return (0);
		p += len;
		left -= len;
	}
	return (1);
}

int
xml_out(const unsigned char *buf, size_t len, char **out, size_t *outlen)
{
	char	*p;

	if (buf == NULL || len == SIZE_MAX || (p = malloc(len + 1)) == NULL)
		return (-1);
	memcpy(p, buf, len);
	p[len] = '\0';
	*out = p;
	*outlen = len;
	return (0);
}
