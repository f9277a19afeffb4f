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
 * The mail limit of the offline queue: at most `mail limit` mails for
 * one recipient in a period, so that a stranger who sends hundreds of
 * messages to an offline user cannot make our MTA send hundreds of
 * mails.  The period starts with the first mail of a recipient.  A
 * message that falls due past the limit is held: it stays queued for
 * the user's next registration and is never mailed, and the period
 * ends with one summary mail that says how many were held, from whom.
 *
 * The summary is a record of the queue itself (OFFLINE_F_SUMMARY), so
 * that it is mailed, retried and reported like any message; it is due
 * when the period ends, and its text is written only then, from the
 * messages still held, so that it never tells of messages the user has
 * read meanwhile (with none left, it goes unmailed).
 *
 * The periods are kept in memory: a restart of dirdb starts them
 * afresh, which an attacker cannot cause.  Their number is bounded;
 * when every slot is in a running period, a recipient without one has
 * his messages held, never mailed beyond the bound.
 */

#include <sys/types.h>
#include <sys/tree.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config.h"
#include "dirdb.h"
#include "log.h"
#include "offline.h"
#include "store.h"

#define MAIL_LIMIT_WINDOWS_MAX	4096
#define MAIL_LIMIT_SENDERS_MAX	10	/* named in a summary, then "others" */
#define MAIL_LIMIT_CTYPE	"text/plain; charset=UTF-8"

/* One recipient's period. */
struct mail_window {
	RB_ENTRY(mail_window)	 mw_node;
	char			 mw_to[IMD_ADDRESS_MAX];
	uint64_t		 mw_end;	/* seconds */
	uint32_t		 mw_mailed;
};

RB_HEAD(mail_windows, mail_window);

static int	mail_window_cmp(const struct mail_window *,
		    const struct mail_window *);
/* Not the static variant: libbsd cannot mark its unused functions so. */
RB_PROTOTYPE(mail_windows, mail_window, mw_node, mail_window_cmp)
RB_GENERATE(mail_windows, mail_window, mw_node, mail_window_cmp)

static struct mail_windows	mail_windows = RB_INITIALIZER(&mail_windows);
static size_t			mail_nwindows;
static uint32_t			mail_max = OFFLINE_MAIL_MAX_DEFAULT;
static uint32_t			mail_period = OFFLINE_MAIL_PERIOD_DEFAULT;
static uint32_t			mail_max_age = OFFLINE_AGE_DEFAULT_S;
static char			mail_sender[IMD_ADDRESS_MAX];

/* What a summary tells: the held messages, by sender. */
struct mail_tally {
	uint32_t	mt_total;
	uint64_t	mt_first, mt_last;	/* arrivals */
	size_t		mt_nsenders;
	char		mt_sender[MAIL_LIMIT_SENDERS_MAX][IMD_ADDRESS_MAX];
	uint32_t	mt_count[MAIL_LIMIT_SENDERS_MAX];
	uint32_t	mt_others;	/* from senders not named */
};

static int
mail_window_cmp(const struct mail_window *a, const struct mail_window *b)
{
	return (strcmp(a->mw_to, b->mw_to));
}

static struct mail_window *
mail_window_find(const char *to)
{
	struct mail_window	key;

	if (strlcpy(key.mw_to, to, sizeof(key.mw_to)) >= sizeof(key.mw_to))
		return (NULL);
	return (RB_FIND(mail_windows, &mail_windows, &key));
}

/* Periods that ended make room; only when the table is full. */
static void
mail_window_sweep(uint64_t now)
{
	struct mail_window	*mw, *next;

	RB_FOREACH_SAFE(mw, mail_windows, &mail_windows, next) {
		if (mw->mw_end > now)
			continue;
		RB_REMOVE(mail_windows, &mail_windows, mw);
		mail_nwindows--;
		free(mw);
	}
}

static struct mail_window *
mail_window_new(const char *to, uint64_t now)
{
	struct mail_window	*mw;

	if (mail_nwindows >= MAIL_LIMIT_WINDOWS_MAX)
		mail_window_sweep(now);
	if (mail_nwindows >= MAIL_LIMIT_WINDOWS_MAX ||
	    (mw = calloc(1, sizeof(*mw))) == NULL)
		return (NULL);
	strlcpy(mw->mw_to, to, sizeof(mw->mw_to));
	RB_INSERT(mail_windows, &mail_windows, mw);
	mail_nwindows++;
	return (mw);
}

/* May one more mail go to the recipient now?  It is counted if so. */
int
mail_limit_take(const char *to, uint64_t now)
{
	struct mail_window	*mw;

	if ((mw = mail_window_find(to)) == NULL &&
	    (mw = mail_window_new(to, now)) == NULL) {
		log_warnx("queue: no room to count the mail of %s: held", to);
		return (0);
	}
	if (mw->mw_end <= now) {
		mw->mw_end = now + mail_period;
		mw->mw_mailed = 0;
	}
	if (mw->mw_mailed >= mail_max)
		return (0);
	mw->mw_mailed++;
	return (1);
}

/* When the recipient's period ends: now, if none runs. */
static uint64_t
mail_window_end(const char *to, uint64_t now)
{
	struct mail_window	*mw;

	if ((mw = mail_window_find(to)) == NULL || mw->mw_end <= now)
		return (now);
	return (mw->mw_end);
}

/* Ours: `mail sender', or the postmaster of the recipient's domain. */
static void
mail_limit_from(const char *to, char *from, size_t size)
{
	if (mail_sender[0] != '\0')
		strlcpy(from, mail_sender, size);
	else
		snprintf(from, size, "postmaster@%s", strchr(to, '@') + 1);
}

/*
 * The summary of the recipient's period, due when it ends; one is
 * there already if a summary waits (STORE_EXISTS), which then tells of
 * this message too.
 */
static void
mail_limit_summary_put(const char *to, uint64_t now)
{
	struct offline_rec	*s;
	int			 r;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("queue: summary for %s", to);
		return;
	}
	strlcpy(s->o_to, to, sizeof(s->o_to));
	mail_limit_from(to, s->o_from, sizeof(s->o_from));
	s->o_arrived = now;
	s->o_next_try = mail_window_end(to, now);
	s->o_state = OFFLINE_WAITING;
	s->o_flags = OFFLINE_F_SUMMARY | OFFLINE_F_AUTHED;
	if ((r = store_offline_put(s)) == STORE_OK)
		log_info("queue: summary %llu for %s due in %llus",
		    (unsigned long long)s->o_id, to,
		    (unsigned long long)(s->o_next_try - now));
	else if (r != STORE_EXISTS)
		log_warnx("queue: summary for %s not stored", to);
	free(s);
}

/*
 * Past the limit: the message is held for the registration, and the
 * period's summary will tell of it.
 */
void
mail_limit_hold(const struct offline_rec *o, uint64_t now)
{
	if (store_offline_hold(o->o_to, o->o_id) != STORE_OK) {
		log_warnx("queue: message %llu for %s not held",
		    (unsigned long long)o->o_id, o->o_to);
		return;
	}
	log_info("queue: message %llu for %s from %s held: mail limit of %u "
	    "in %us reached", (unsigned long long)o->o_id, o->o_to, o->o_from,
	    mail_max, mail_period);
	mail_limit_summary_put(o->o_to, now);
}

static int
mail_tally_one(const struct offline_rec *o, void *arg)
{
	struct mail_tally	*mt = arg;
	size_t			 i;

	if (!(o->o_flags & OFFLINE_F_HELD))
		return (0);
	if (mt->mt_total++ == 0 || o->o_arrived < mt->mt_first)
		mt->mt_first = o->o_arrived;
	if (o->o_arrived > mt->mt_last)
		mt->mt_last = o->o_arrived;
	for (i = 0; i < mt->mt_nsenders; i++)
		if (strcasecmp(mt->mt_sender[i], o->o_from) == 0)
			break;
	if (i == mt->mt_nsenders && i < MAIL_LIMIT_SENDERS_MAX)
		strlcpy(mt->mt_sender[mt->mt_nsenders++], o->o_from,
		    sizeof(mt->mt_sender[0]));
	if (i < mt->mt_nsenders)
		mt->mt_count[i]++;
	else
		mt->mt_others++;
	return (0);
}

/* A period in words: "1 hour", "90 seconds". */
static void
mail_duration(uint32_t s, char *buf, size_t size)
{
	uint32_t	 n = s;
	const char	*unit = "second";

	if (s >= 24 * 3600 && s % (24 * 3600) == 0) {
		n = s / (24 * 3600);
		unit = "day";
	} else if (s >= 3600 && s % 3600 == 0) {
		n = s / 3600;
		unit = "hour";
	} else if (s >= 60 && s % 60 == 0) {
		n = s / 60;
		unit = "minute";
	}
	snprintf(buf, size, "%u %s%s", n, unit, n == 1 ? "" : "s");
}

static void
mail_time(uint64_t t, char *buf, size_t size)
{
	struct tm	tm;
	time_t		tt = t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, size, "%llu", (unsigned long long)t);
}

/* The text of a summary; the addresses are visible ASCII (the store's). */
static void
mail_limit_text(const struct mail_tally *mt, struct offline_rec *s)
{
	char	period[32], age[32], first[40], last[40];
	char	*p = (char *)s->o_body;
	size_t	 size = sizeof(s->o_body), len, i;

	mail_duration(mail_period, period, sizeof(period));
	mail_duration(mail_max_age, age, sizeof(age));
	mail_time(mt->mt_first, first, sizeof(first));
	mail_time(mt->mt_last, last, sizeof(last));
	len = snprintf(p, size, "%u more instant message%s came for %s "
	    "between %s and %s, past the %u mail%s that are sent for you "
	    "in %s.\r\nThey were not mailed one by one: they wait for you, "
	    "and reach you when you next sign in (if within %s).\r\n\r\n",
	    mt->mt_total, mt->mt_total == 1 ? "" : "s", s->o_to, first, last,
	    mail_max, mail_max == 1 ? "" : "s", period, age);
	for (i = 0; i < mt->mt_nsenders && len < size; i++)
		len += snprintf(p + len, size - len, "  %u from %s\r\n",
		    mt->mt_count[i], mt->mt_sender[i]);
	if (mt->mt_others > 0 && len < size)
		len += snprintf(p + len, size - len, "  %u from other "
		    "senders\r\n", mt->mt_others);
	s->o_bodylen = len < size ? len : size - 1;
	strlcpy(s->o_ctype, MAIL_LIMIT_CTYPE, sizeof(s->o_ctype));
}

/*
 * The summary s, due and marked mailing, gets its text; -1 when no
 * message is held any more (the caller drops it).
 */
int
mail_limit_summary(struct offline_rec *s)
{
	struct mail_tally	*mt;
	int			 r = -1;

	if ((mt = calloc(1, sizeof(*mt))) == NULL)
		return (-1);
	if (store_offline_list(s->o_to, mail_tally_one, mt) == STORE_OK &&
	    mt->mt_total > 0) {
		mail_limit_text(mt, s);
		log_info("queue: summary %llu for %s: %u messages held",
		    (unsigned long long)s->o_id, s->o_to, mt->mt_total);
		r = 0;
	} else
		log_info("queue: summary %llu for %s dropped: nothing held",
		    (unsigned long long)s->o_id, s->o_to);
	free(mt);
	return (r);
}

void
mail_limit_configure(const struct imd_conf *conf)
{
	mail_max = conf->c_offline.off_mail_max;
	mail_period = conf->c_offline.off_mail_period;
	mail_max_age = conf->c_offline.off_age;
	strlcpy(mail_sender, conf->c_mail_sender, sizeof(mail_sender));
}
