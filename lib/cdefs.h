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

#ifndef IMD_CDEFS_H
#define IMD_CDEFS_H

/*
 * The build warns of every unused parameter, so that one left behind by
 * a change is seen.  A function whose signature is not its own to
 * choose (a libevent callback's fd and event, a peer table's dispatch
 * handler, a libxml2 or c-ares callback) marks what it does not need:
 *
 *	static void
 *	conn_timeout(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
 *
 * libbsd leaves out the BSD __unused, whose name Linux headers use for
 * struct members.
 */
#define IMD_UNUSED	__attribute__((__unused__))

#endif /* IMD_CDEFS_H */
