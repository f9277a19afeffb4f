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
 * Throttling of failed authentications.  The caller checks a key before
 * it verifies, delays or refuses as told, and reports the outcome.  All
 * times come from the caller, so the table never reads a clock.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/tree.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "join.h"
#include "throttle.h"

struct throttle_rec {
	RB_ENTRY(throttle_rec)	  tr_node;
	TAILQ_ENTRY(throttle_rec) tr_entry;	/* throttle_lru or _bans */
	const char		 *tr_key;	/* stored after the record */
	time_t			  tr_first;	/* the window starts */
	time_t			  tr_ban_end;
	unsigned int		  tr_fails;
	int			  tr_banned;
};

RB_HEAD(throttle_tree, throttle_rec);
TAILQ_HEAD(throttle_list, throttle_rec);

static int	throttle_rec_cmp(struct throttle_rec *, struct throttle_rec *);
static void	throttle_remove(struct throttle_rec *);
static int	throttle_is_over(const struct throttle_rec *, time_t);
static struct throttle_rec *throttle_find(const char *, time_t);
static struct throttle_rec *throttle_insert(const char *, time_t);
static void	throttle_evict(void);
static unsigned int throttle_delay(unsigned int);

/* Not the static variant: libbsd cannot mark its unused functions so. */
RB_PROTOTYPE(throttle_tree, throttle_rec, tr_node, throttle_rec_cmp);
RB_GENERATE(throttle_tree, throttle_rec, tr_node, throttle_rec_cmp);

static struct throttle_tree throttle_recs = RB_INITIALIZER(&throttle_recs);

/*
 * Records not banned, least recently failed first, and bans, in the
 * order they end.  A full table gives up the first of throttle_lru
 * before any ban, so a flood of new keys cannot wash a ban away.
 */
static struct throttle_list throttle_lru =
    TAILQ_HEAD_INITIALIZER(throttle_lru);
static struct throttle_list throttle_bans =
    TAILQ_HEAD_INITIALIZER(throttle_bans);

static size_t		throttle_n;
static size_t		throttle_cap = THROTTLE_TABLE_MAX;
static time_t		throttle_window = THROTTLE_WINDOW;
static time_t		throttle_ban = THROTTLE_BAN;

static int
throttle_rec_cmp(struct throttle_rec *a, struct throttle_rec *b)
{
	return (strcmp(a->tr_key, b->tr_key));
}

/*
 * A ban of 0 never bans; a window of 0 never counts.  A cap of 0 means
 * THROTTLE_TABLE_MAX.  Every record is forgotten.
 */
void
throttle_init(time_t window, time_t ban, size_t cap)
{
	struct throttle_rec	*tr;

	while ((tr = RB_MIN(throttle_tree, &throttle_recs)) != NULL)
		throttle_remove(tr);
	throttle_window = window;
	throttle_ban = ban;
	throttle_cap = cap == 0 ? THROTTLE_TABLE_MAX : cap;
}

static void
throttle_remove(struct throttle_rec *tr)
{
	TAILQ_REMOVE(tr->tr_banned ? &throttle_bans : &throttle_lru, tr,
	    tr_entry);
	RB_REMOVE(throttle_tree, &throttle_recs, tr);
	throttle_n--;
	free(tr);
}

/* A ban ends only with time; counts end with their window. */
static int
throttle_is_over(const struct throttle_rec *tr, time_t now)
{
	if (tr->tr_banned)
		return (now >= tr->tr_ban_end);
	return (now - tr->tr_first >= throttle_window);
}

static struct throttle_rec *
throttle_find(const char *key, time_t now)
{
	struct throttle_rec	 find, *tr;

	find.tr_key = key;
	tr = RB_FIND(throttle_tree, &throttle_recs, &find);
	if (tr != NULL && throttle_is_over(tr, now)) {
		throttle_remove(tr);
		tr = NULL;
	}
	return (tr);
}

static void
throttle_evict(void)
{
	struct throttle_rec	*tr;

	if ((tr = TAILQ_FIRST(&throttle_lru)) == NULL)
		tr = TAILQ_FIRST(&throttle_bans);
	if (tr != NULL)
		throttle_remove(tr);
}

/* The key lives in the same allocation: records cost what keys need. */
static struct throttle_rec *
throttle_insert(const char *key, time_t now)
{
	struct throttle_rec	*tr;
	size_t			 len;

	len = strnlen(key, THROTTLE_KEY_MAX);
	if (len == 0 || len == THROTTLE_KEY_MAX)
		return (NULL);
	if (throttle_n >= throttle_cap)
		throttle_evict();
	if ((tr = calloc(1, sizeof(*tr) + len + 1)) == NULL)
		return (NULL);
	memcpy(tr + 1, key, len + 1);
	tr->tr_key = (const char *)(tr + 1);
	tr->tr_first = now;
	RB_INSERT(throttle_tree, &throttle_recs, tr);
	TAILQ_INSERT_TAIL(&throttle_lru, tr, tr_entry);
	throttle_n++;
	return (tr);
}

/* Nothing for the first few, which are typing errors, then doubling. */
static unsigned int
throttle_delay(unsigned int fails)
{
	unsigned int	shift;

	if (fails <= THROTTLE_FREE)
		return (0);
	shift = fails - THROTTLE_FREE - 1;
	if (shift >= 8 || THROTTLE_DELAY_BASE << shift > THROTTLE_DELAY_CAP)
		return (THROTTLE_DELAY_CAP);
	return (THROTTLE_DELAY_BASE << shift);
}

int
throttle_check(const char *key, time_t now, unsigned int *delay_ms)
{
	struct throttle_rec	*tr;

	*delay_ms = 0;
	if ((tr = throttle_find(key, now)) == NULL)
		return (THROTTLE_OK);
	if (tr->tr_banned)
		return (THROTTLE_BANNED);
	if ((*delay_ms = throttle_delay(tr->tr_fails)) == 0)
		return (THROTTLE_OK);
	return (THROTTLE_DELAY);
}

/*
 * One more failure of key; the max_failures-th within the window starts
 * a ban, and 0 never does.  Returns 1 exactly when this failure starts
 * a ban, so it is logged once.
 */
int
throttle_fail(const char *key, time_t now, unsigned int max_failures)
{
	struct throttle_rec	*tr;

	if ((tr = throttle_find(key, now)) == NULL &&
	    (tr = throttle_insert(key, now)) == NULL)
		return (0);
	if (tr->tr_banned)
		return (0);
	if (tr->tr_fails < UINT_MAX)
		tr->tr_fails++;
	TAILQ_REMOVE(&throttle_lru, tr, tr_entry);
	if (max_failures == 0 || throttle_ban <= 0 ||
	    tr->tr_fails < max_failures) {
		TAILQ_INSERT_TAIL(&throttle_lru, tr, tr_entry);
		return (0);
	}
	tr->tr_banned = 1;
	tr->tr_ban_end = now + throttle_ban;
	TAILQ_INSERT_TAIL(&throttle_bans, tr, tr_entry);
	return (1);
}

/*
 * A success forgets the failures but never lifts a ban.  Never call it
 * with a source alone: an address that could clear its count by logging
 * in to its own account could guess other passwords without end.
 */
void
throttle_success(const char *key)
{
	struct throttle_rec	 find, *tr;

	find.tr_key = key;
	tr = RB_FIND(throttle_tree, &throttle_recs, &find);
	if (tr != NULL && !tr->tr_banned)
		throttle_remove(tr);
}

void
throttle_sweep(time_t now)
{
	struct throttle_rec	*tr, *next;

	TAILQ_FOREACH_SAFE(tr, &throttle_lru, tr_entry, next)
		if (throttle_is_over(tr, now))
			throttle_remove(tr);
	TAILQ_FOREACH_SAFE(tr, &throttle_bans, tr_entry, next)
		if (throttle_is_over(tr, now))
			throttle_remove(tr);
}

size_t
throttle_size(void)
{
	return (throttle_n);
}

/*
 * authd's keys: the source prefix, the source and user together, and
 * the user alone.  Only the first two are ever banned.  Each failure
 * from a source counts against it, so a source is banned after
 * THROTTLE_SOURCE_FAILURES within the window and makes at most that
 * many pair and user records before its ban: the table holds no more
 * than 2 * THROTTLE_SOURCE_FAILURES + 1 records for one source.
 */
static int
throttle_pair_key(const char *source, const char *user, char *key,
    size_t size)
{
	const char	*parts[] = { source, user };

	return (join_str(key, size, ' ', parts, 2) == -1 ? -1 : 0);
}

/*
 * THROTTLE_BANNED when the source or the pair is banned.  Otherwise
 * *delay is what every answer waits, and *fail_delay what a failure
 * waits: the user's own count slows guesses at it from everywhere but
 * never holds back the right password.
 */
int
throttle_auth_check(const char *source, const char *user, time_t now,
    unsigned int *delay, unsigned int *fail_delay)
{
	char		pair[THROTTLE_KEY_MAX];
	unsigned int	d1 = 0, d2 = 0, d3 = 0;
	int		s1, s2 = THROTTLE_OK;

	s1 = throttle_check(source, now, &d1);
	if (throttle_pair_key(source, user, pair, sizeof(pair)) == 0)
		s2 = throttle_check(pair, now, &d2);
	(void)throttle_check(user, now, &d3);
	*delay = d1 > d2 ? d1 : d2;
	*fail_delay = d3 > *delay ? d3 : *delay;
	if (s1 == THROTTLE_BANNED || s2 == THROTTLE_BANNED)
		return (THROTTLE_BANNED);
	return (*delay > 0 || *fail_delay > 0 ? THROTTLE_DELAY : THROTTLE_OK);
}

/* THROTTLE_BAN_* for the bans this failure started. */
int
throttle_auth_fail(const char *source, const char *user, time_t now)
{
	char	pair[THROTTLE_KEY_MAX];
	int	bans = 0;

	(void)throttle_fail(user, now, 0);
	if (throttle_pair_key(source, user, pair, sizeof(pair)) == 0 &&
	    throttle_fail(pair, now, THROTTLE_FAILURES) == 1)
		bans |= THROTTLE_BAN_PAIR;
	if (throttle_fail(source, now, THROTTLE_SOURCE_FAILURES) == 1)
		bans |= THROTTLE_BAN_SOURCE;
	return (bans);
}

/* The user's and the pair's counts go; the source's stays. */
void
throttle_auth_success(const char *source, const char *user)
{
	char	pair[THROTTLE_KEY_MAX];

	throttle_success(user);
	if (throttle_pair_key(source, user, pair, sizeof(pair)) == 0)
		throttle_success(pair);
}
