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


#ifndef IMD_PIDF_H
#define IMD_PIDF_H

/*
 * Presence documents (PIDF, RFC 3863), read and written with libxml2:
 * no DTD, no entity expansion, no network, a bound on depth and on
 * tuples.  Watcher information, which only the listener writes, is in
 * listener/winfo.h.
 *
 * pidf_check() says whether a published document may be kept for the
 * presentity user@domain: well-formed, a <presence> root in the PIDF
 * namespace whose entity names the presentity (sip:, sips: or pres:
 * URI), at most PIDF_TUPLES_MAX <tuple>s each with an id and a
 * <status> with at most one <basic>, open, closed or another single
 * word (not open or closed in capitals), and where a tuple carries our media extension (see
 * docs/presence.md), a valid one.  Unknown elements and namespaces are
 * allowed anywhere.  It returns 0, or -1 with a reason for a 400.
 *
 * pidf_compose() writes the document a watcher gets: one <presence>
 * for the presentity with every <tuple> (and every <note> and other
 * child of <presence>) of every published document, in the order
 * given, each copied whole with its namespaces, except a <basic> that
 * is neither open nor closed, which is left out.  With no document it
 * makes one tuple whose basic status is open when the presentity has a
 * registered device, closed when not.  *out is malloc'd.
 *
 * pidf_compose_public() writes the same document without what says
 * where a device is, for a watcher not trusted with it: no <contact>,
 * no <m:media> of our extension, no element of the GEOPRIV namespace
 * (RFC 4119), wherever they stand.
 *
 * pidf_direct() says whether a document's media extension accepts
 * direct mode, for the redirect of imc's direct mode;
 * pidf_direct_medium() the same for one medium ("audio", "video",
 * "text": a call's redirect), or for any when it is NULL.
 *
 * pidf_init() initialises libxml2 and silences its error output; call
 * it once before chroot and the sandbox, so that libxml2 sets itself up
 * while it still can.  Every other function also works without it.
 * Reasons are NUL-terminated printable ASCII, cut to reasonsize.
 */

#include <stddef.h>
#include <stdint.h>

#define PIDF_DEPTH_MAX		32
#define PIDF_TUPLES_MAX		32
#define PIDF_REASON_MAX		128
#define PIDF_NS			"urn:ietf:params:xml:ns:pidf"
#define PIDF_MEDIA_NS		"urn:x-imd:params:xml:ns:media"
#define PIDF_GEOPRIV_NS		"urn:ietf:params:xml:ns:pidf:geopriv10"

void	pidf_init(void);
int	pidf_check(const char *, size_t, const char *, char *, size_t);
int	pidf_compose(const char *, const char *const *, const size_t *,
	    size_t, int, char **, size_t *);
int	pidf_compose_public(const char *, const char *const *,
	    const size_t *, size_t, int, char **, size_t *);
int	pidf_direct(const char *, size_t);
int	pidf_direct_medium(const char *, size_t, const char *);

#endif /* IMD_PIDF_H */
