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

#ifndef IMD_REFUSAL_H
#define IMD_REFUSAL_H

/*
 * A flood of refusals must not flood the log.  Each refusal of a bound
 * (a connection cap, a banned source, a held-request bound...) is
 * counted by kind, a counter of the REFUSALS family in lib/stats.h, and
 * its sources are counted too.  The first of a kind in a period is
 * logged as it happens; at the end of the period one line sums up the
 * rest: "N refusals of KIND from M sources in the last minute".
 *
 * The period is a minute.  IMD_REFUSAL_PERIOD in the environment of
 * imd (seconds, 1 to 60) shortens it, for the tests only.
 */

#include "stats.h"

#define REFUSAL_PERIOD_S	60
#define REFUSAL_SOURCES_MAX	1024	/* distinct sources told apart */

/*
 * A refusal of kind id (a REFUSALS counter) of source (an address or
 * prefix as text, or NULL).  1: the caller logs this one in full; 0: it
 * is only counted.
 */
int	refusal_note(enum stats_id, const char *);

#endif /* IMD_REFUSAL_H */
