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
 * libFuzzer harness: pidf_check() on the data as a document published
 * for alice@site1.test; a document it keeps goes through pidf_compose()
 * alone, twice over and pidf_direct().  The data cut at its NULs also
 * gives the strings of a winfo_compose().  Besides the sanitizers it
 * checks two properties: a document composed from one that was kept is
 * kept itself, and a watcher information document is well-formed.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "pidf.h"
#include "winfo.h"

#define PRESENTITY	"alice@site1.test"
#define PIECES_MAX	(1 + 4 * 8)	/* the presentity, 8 watchers */
#define PIECE_MAX	256

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	pidf_init();
	return 0;
}

static void
compose(const char *doc, size_t len)
{
	const char	*docs[2] = { doc, doc };
	size_t		 lens[2] = { len, len };
	char		 reason[PIDF_REASON_MAX];
	char		*out;
	size_t		 outlen;

	if (pidf_compose(PRESENTITY, docs, lens, 1, 1, &out, &outlen) == 0) {
		if (pidf_check(out, outlen, PRESENTITY, reason,
		    sizeof(reason)) == -1)
			abort();
		free(out);
	}
	if (pidf_compose(PRESENTITY, docs, lens, 2, 0, &out, &outlen) == 0)
		free(out);
	pidf_direct(doc, len);
}

static void
well_formed(const char *doc, size_t len)
{
	xmlDocPtr	xd;

	xd = xmlReadMemory(doc, len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (xd == NULL)
		abort();
	xmlFreeDoc(xd);
}

/* Pieces end at a NUL or the end of the data; each is copied with its own. */
static size_t
cut(const uint8_t *data, size_t size, char pieces[][PIECE_MAX], size_t max)
{
	const uint8_t	*nul;
	size_t		 n, len;

	for (n = 0; n < max && size > 0; n++) {
		if ((nul = memchr(data, '\0', size)) == NULL)
			len = size;
		else
			len = nul - data;
		if (len >= PIECE_MAX)
			len = PIECE_MAX - 1;
		memcpy(pieces[n], data, len);
		pieces[n][len] = '\0';
		if (nul == NULL || (size_t)(nul - data) != len)
			break;
		data += len + 1;
		size -= len + 1;
	}
	return (n);
}

static void
watchers(const uint8_t *data, size_t size)
{
	static char		 pieces[PIECES_MAX][PIECE_MAX];
	struct winfo_watcher	 ww[8];
	char			*out;
	size_t			 n, i, outlen;

	if ((n = cut(data, size, pieces, PIECES_MAX)) == 0)
		return;
	for (i = 0; 1 + 4 * i + 3 < n; i++) {
		ww[i].ww_id = pieces[1 + 4 * i];
		ww[i].ww_uri = pieces[1 + 4 * i + 1];
		ww[i].ww_status = pieces[1 + 4 * i + 2];
		ww[i].ww_event = pieces[1 + 4 * i + 3];
		ww[i].ww_duration = strlen(ww[i].ww_event) * 97;
	}
	if (winfo_compose(pieces[0], size, size & 1, ww, i, &out,
	    &outlen) == 0) {
		well_formed(out, outlen);
		free(out);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*doc = (const char *)data;
	char		 reason[PIDF_REASON_MAX];

	if (pidf_check(doc, size, PRESENTITY, reason, sizeof(reason)) == 0)
		compose(doc, size);
	watchers(data, size);
	return 0;
}
