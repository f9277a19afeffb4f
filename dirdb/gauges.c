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
 * dirdb's numbers for show stats and metricsd: how many bindings and
 * offline messages the database holds.  Berkeley DB counts them by
 * walking the tree, so a count is kept for GAUGES_MAX_AGE seconds:
 * scrapes every few seconds cost one walk a period, not one each.
 */

#include <sys/types.h>

#include <db.h>
#include <stdlib.h>
#include <time.h>

#include "dirdb.h"
#include "log.h"
#include "stats.h"
#include "store.h"

#define GAUGES_MAX_AGE	10	/* seconds */

/* Keys in one table; 0 when it cannot say. */
static uint64_t
gauges_count(enum store_dbid id)
{
	DB		*db;
	DB_BTREE_STAT	*sp;
	uint64_t	 n;

	if ((db = store_kv_db(id)) == NULL ||
	    db->stat(db, NULL, &sp, DB_READ_COMMITTED) != 0)
		return (0);
	n = sp->bt_nkeys;
	free(sp);
	return (n);
}

/* The stats_before_answer() hook. */
void
gauges_update(void)
{
	static time_t	last;
	time_t		now = time(NULL);

	if (last != 0 && now - last < GAUGES_MAX_AGE && now >= last)
		return;
	last = now;
	stats_set(STAT_BINDINGS, gauges_count(STORE_DB_BINDINGS));
	stats_set(STAT_OFFLINE, gauges_count(STORE_DB_OFFLINE));
}
