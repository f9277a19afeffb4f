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

#ifndef IMD_WINFO_H
#define IMD_WINFO_H

/*
 * Watcher information (RFC 3858), written with libxml2 for the
 * listener's presence.winfo subscriptions.
 *
 * winfo_compose() writes an application/watcherinfo+xml document for
 * the presence of presentity: version, state "full" or "partial", and
 * one <watcher> for each entry.  *out is malloc'd.
 */

#include <stddef.h>
#include <stdint.h>

struct winfo_watcher {
	const char	*ww_id;		/* stable per subscription */
	const char	*ww_uri;	/* sip:watcher@domain */
	const char	*ww_status;	/* pending active waiting terminated */
	const char	*ww_event;	/* subscribe approved timeout ... */
	uint32_t	 ww_duration;	/* s subscribed, 0 to leave out */
};

int	winfo_compose(const char *, uint32_t, int,
	    const struct winfo_watcher *, size_t, char **, size_t *);

#endif /* IMD_WINFO_H */
