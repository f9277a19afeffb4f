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
 * Refusals counted, their sources told apart, one summary a period
 * (lib/refusal.h).  Nothing is held while no refusal comes: the timer
 * is armed by the first refusal of a period.
 */

#include <sys/types.h>

#include <event.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "log.h"
#include "refusal.h"

/* One kind's period: how many, and a set of its sources' hashes. */
struct refusal_kind {
	uint64_t	rk_count;
	size_t		rk_nsources;
	int		rk_full;	/* more sources than the set holds */
	uint64_t	rk_sources[REFUSAL_SOURCES_MAX];
};

static struct refusal_kind	*refusal_kinds[STAT_MAX];
static struct event		 refusal_ev;
static int			 refusal_armed;
static unsigned int		 refusal_period;
static uint64_t			 refusal_seed;

static unsigned int
refusal_period_s(void)
{
	const char	*s;
	long		 n;

	if (refusal_period != 0)
		return (refusal_period);
	refusal_period = REFUSAL_PERIOD_S;
	if ((s = getenv("IMD_REFUSAL_PERIOD")) != NULL &&
	    (n = strtol(s, NULL, 10)) >= 1 && n <= REFUSAL_PERIOD_S)
		refusal_period = n;
	refusal_seed = arc4random();
	return (refusal_period);
}

/* FNV-1a of the source, seeded: a stranger cannot aim at the set. */
static uint64_t
refusal_hash(const char *source)
{
	uint64_t	h = 14695981039346656037ULL ^ refusal_seed;

	for (; *source != '\0'; source++)
		h = (h ^ (unsigned char)*source) * 1099511628211ULL;
	return (h | 1);		/* 0 marks a free slot */
}

/* Open addressing; a full set stops telling sources apart. */
static void
refusal_source(struct refusal_kind *rk, uint64_t h)
{
	size_t	i, n;

	i = h % REFUSAL_SOURCES_MAX;
	for (n = 0; n < REFUSAL_SOURCES_MAX; n++) {
		if (rk->rk_sources[i] == h)
			return;
		if (rk->rk_sources[i] == 0)
			break;
		i = (i + 1) % REFUSAL_SOURCES_MAX;
	}
	if (n == REFUSAL_SOURCES_MAX || rk->rk_nsources + 1 >=
	    REFUSAL_SOURCES_MAX) {
		rk->rk_full = 1;
		return;
	}
	rk->rk_sources[i] = h;
	rk->rk_nsources++;
}

/* The kind's name: the value of its counter's label. */
static void
refusal_name(enum stats_id id, char *buf, size_t size)
{
	const char	*l = stats_counters[id].sc_labels, *q;

	if ((l = strchr(l, '"')) == NULL || (q = strchr(l + 1, '"')) == NULL)
		strlcpy(buf, "?", size);
	else
		strlcpy(buf, l + 1, size < (size_t)(q - l) ? size :
		    (size_t)(q - l));
}

/* The period ends: a line for each kind refused more than once. */
static void
refusal_summary(int fd IMD_UNUSED, short ev IMD_UNUSED, void *arg IMD_UNUSED)
{
	struct refusal_kind	*rk;
	char			 name[64], when[32];
	int			 id;

	refusal_armed = 0;
	if (refusal_period == 60)
		strlcpy(when, "minute", sizeof(when));
	else
		snprintf(when, sizeof(when), "%u s", refusal_period);
	for (id = 0; id < STAT_MAX; id++) {
		if ((rk = refusal_kinds[id]) == NULL)
			continue;
		refusal_name(id, name, sizeof(name));
		if (rk->rk_count > 1)
			log_info("%llu refusals of %s from %s%zu sources in "
			    "the last %s", (unsigned long long)rk->rk_count,
			    name, rk->rk_full ? "at least " : "",
			    rk->rk_nsources, when);
		free(rk);
		refusal_kinds[id] = NULL;
	}
}

int
refusal_note(enum stats_id id, const char *source)
{
	struct refusal_kind	*rk;
	struct timeval		 tv = { 0, 0 };
	int			 first = 0;

	stats_inc(id);
	tv.tv_sec = refusal_period_s();
	if ((rk = refusal_kinds[id]) == NULL) {
		/* Out of memory: still counted, never logged one by one. */
		if ((rk = calloc(1, sizeof(*rk))) == NULL)
			return (0);
		refusal_kinds[id] = rk;
		first = 1;
	}
	rk->rk_count++;
	if (source != NULL)
		refusal_source(rk, refusal_hash(source));
	if (!refusal_armed) {
		evtimer_set(&refusal_ev, refusal_summary, NULL);
		evtimer_add(&refusal_ev, &tv);
		refusal_armed = 1;
	}
	return (first);
}
