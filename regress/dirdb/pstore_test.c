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
 * Unit tests of dirdb/pstore.c, TAP on standard output: puts that
 * replace, deletes of rows there and not there, walks in key order,
 * whole and in batches, the limits of keys, values and tables, rows
 * damaged on disk, persistence across a reopen and a SIGKILL right
 * after a put, and a walk of 100,000 rows.
 */

#include <sys/types.h>

#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pstore.h"
#include "store.h"
#include "tap.h"
#include "testenv.h"

#define MAXROWS		16
#define BIGROWS		100000
#define BIGSTEP		7919	/* prime to BIGROWS: puts out of order */

/* What a walk handed out, the first MAXROWS rows of it kept. */
struct rows {
	size_t		r_n;
	size_t		r_stop;		/* stop after this many, 0 never */
	char		r_key[MAXROWS][PSTORE_KEY_MAX];
	char		r_val[MAXROWS][64];
	size_t		r_len[MAXROWS];
	int		r_sorted;	/* each key after the one before */
	char		r_last[PSTORE_KEY_MAX];
	int		r_match;	/* each value is its key (big test) */
};

static int	rows_one(const char *, const void *, size_t, void *);
static int	walk(uint32_t, const char *, size_t, struct rows *,
		    size_t *);
static int	put_str(uint32_t, const char *, const char *);
static int	has(const struct rows *, size_t, const char *, const char *);
static void	test_put(void);
static void	test_replace_del(void);
static void	test_tables(void);
static void	test_keys(void);
static void	test_values(void);
static void	test_batches(void);
static void	test_damaged(void);
static void	test_reopen(void);
static int	durable_writes(void);
static void	test_durable(void);
static void	big_key(char *, size_t, size_t);
static void	test_big(void);

static int
rows_one(const char *key, const void *val, size_t len, void *arg)
{
	struct rows	*r = arg;

	if (r->r_n > 0 && strcmp(r->r_last, key) >= 0)
		r->r_sorted = 0;
	strlcpy(r->r_last, key, sizeof(r->r_last));
	if (len != strlen(key) || memcmp(val, key, len) != 0)
		r->r_match = 0;
	if (r->r_n < MAXROWS) {
		strlcpy(r->r_key[r->r_n], key, sizeof(r->r_key[0]));
		r->r_len[r->r_n] = len;
		memcpy(r->r_val[r->r_n], val, len < sizeof(r->r_val[0]) ?
		    len : sizeof(r->r_val[0]));
	}
	r->r_n++;
	return (r->r_stop > 0 && r->r_n == r->r_stop ? -1 : 0);
}

static int
walk(uint32_t table, const char *after, size_t max, struct rows *r,
    size_t *n)
{
	size_t	stop = r->r_stop;

	memset(r, 0, sizeof(*r));
	r->r_stop = stop;
	r->r_sorted = r->r_match = 1;
	return (store_pstore_walk(table, after, max, rows_one, r, n));
}

static int
put_str(uint32_t table, const char *key, const char *val)
{
	return (store_pstore_put(table, key, val, strlen(val)));
}

/* Row i of a walk has this key and value. */
static int
has(const struct rows *r, size_t i, const char *key, const char *val)
{
	return (i < r->r_n && i < MAXROWS &&
	    strcmp(r->r_key[i], key) == 0 && r->r_len[i] == strlen(val) &&
	    memcmp(r->r_val[i], val, r->r_len[i]) == 0);
}

static void
test_put(void)
{
	struct rows	r = { 0 };
	size_t		n;

	TAP_OK(walk(PSTORE_DOCS, NULL, 0, &r, &n) == STORE_OK && n == 0 &&
	    r.r_n == 0, "a fresh table is empty");
	TAP_OK(put_str(PSTORE_DOCS, "carol@x.test", "c") == STORE_OK &&
	    put_str(PSTORE_DOCS, "alice@x.test", "a") == STORE_OK &&
	    put_str(PSTORE_DOCS, "bob@x.test", "b") == STORE_OK &&
	    put_str(PSTORE_DOCS, "alice@x.test2", "a2") == STORE_OK &&
	    put_str(PSTORE_DOCS, "alice", "a0") == STORE_OK, "five puts");
	TAP_OK(walk(PSTORE_DOCS, NULL, 0, &r, &n) == STORE_OK && n == 5 &&
	    r.r_n == 5 && has(&r, 0, "alice", "a0") &&
	    has(&r, 1, "alice@x.test", "a") &&
	    has(&r, 2, "alice@x.test2", "a2") &&
	    has(&r, 3, "bob@x.test", "b") && has(&r, 4, "carol@x.test", "c"),
	    "the walk gives them in key order, a key before its extensions");
}

static void
test_replace_del(void)
{
	struct rows	r = { 0 };
	size_t		n;

	TAP_OK(put_str(PSTORE_DOCS, "bob@x.test", "bob's second") ==
	    STORE_OK, "put over a row");
	TAP_OK(walk(PSTORE_DOCS, NULL, 0, &r, &n) == STORE_OK && n == 5 &&
	    has(&r, 3, "bob@x.test", "bob's second"),
	    "the put replaced the value, and added no row");
	TAP_OK(store_pstore_del(PSTORE_DOCS, "bob@x.test") == STORE_OK,
	    "delete a row");
	TAP_OK(store_pstore_del(PSTORE_DOCS, "bob@x.test") == STORE_OK &&
	    store_pstore_del(PSTORE_DOCS, "nobody@x.test") == STORE_OK,
	    "delete of a missing row succeeds");
	TAP_OK(walk(PSTORE_DOCS, NULL, 0, &r, &n) == STORE_OK && n == 4 &&
	    has(&r, 2, "alice@x.test2", "a2") &&
	    has(&r, 3, "carol@x.test", "c"), "the row is gone, no other");
	TAP_OK(store_pstore_del(PSTORE_DOCS, "bob") == STORE_OK &&
	    walk(PSTORE_DOCS, NULL, 0, &r, &n) == STORE_OK && n == 4,
	    "delete takes the key whole, not a prefix");
}

static void
test_tables(void)
{
	struct rows	r = { 0 };
	size_t		n;

	TAP_OK(put_str(PSTORE_SUBS, "alice@x.test", "a dialog") ==
	    STORE_OK, "put the same key in another table");
	TAP_OK(walk(PSTORE_SUBS, NULL, 0, &r, &n) == STORE_OK && n == 1 &&
	    has(&r, 0, "alice@x.test", "a dialog"), "it has its own value");
	TAP_OK(walk(PSTORE_DOCS, NULL, 0, &r, &n) == STORE_OK && n == 4 &&
	    has(&r, 1, "alice@x.test", "a"), "the first table is unchanged");
	TAP_OK(walk(PSTORE_AUTHZ, NULL, 0, &r, &n) == STORE_OK && n == 0,
	    "the third is empty");
	TAP_OK(store_pstore_del(PSTORE_SUBS, "alice@x.test") == STORE_OK &&
	    walk(PSTORE_DOCS, NULL, 0, &r, &n) == STORE_OK && n == 4,
	    "a delete in one table leaves the others");
	TAP_OK(put_str(PSTORE_TABLES, "k", "v") == STORE_FAIL &&
	    store_pstore_del(PSTORE_TABLES, "k") == STORE_FAIL &&
	    walk(PSTORE_TABLES, NULL, 0, &r, &n) == STORE_FAIL &&
	    put_str(UINT32_MAX, "k", "v") == STORE_FAIL,
	    "a table beyond the last is refused");
}

static void
test_keys(void)
{
	struct rows	r = { 0 };
	char		key[PSTORE_KEY_MAX + 1];
	size_t		n;

	memset(key, 'k', sizeof(key));
	key[PSTORE_KEY_MAX - 1] = '\0';
	TAP_OK(put_str(PSTORE_AUTHZ, key, "longest") == STORE_OK,
	    "a key of PSTORE_KEY_MAX - 1 bytes");
	TAP_OK(walk(PSTORE_AUTHZ, NULL, 0, &r, &n) == STORE_OK && n == 1 &&
	    has(&r, 0, key, "longest"), "it comes back whole");
	TAP_OK(store_pstore_del(PSTORE_AUTHZ, key) == STORE_OK,
	    "and goes");
	key[PSTORE_KEY_MAX - 1] = 'k';
	key[PSTORE_KEY_MAX] = '\0';
	TAP_OK(put_str(PSTORE_AUTHZ, key, "too long") == STORE_FAIL &&
	    store_pstore_del(PSTORE_AUTHZ, key) == STORE_FAIL &&
	    walk(PSTORE_AUTHZ, key, 0, &r, &n) == STORE_FAIL,
	    "a key of PSTORE_KEY_MAX bytes is refused");
	TAP_OK(put_str(PSTORE_AUTHZ, "", "empty") == STORE_FAIL &&
	    store_pstore_del(PSTORE_AUTHZ, "") == STORE_FAIL,
	    "an empty key is refused");
	TAP_OK(walk(PSTORE_AUTHZ, NULL, 0, &r, &n) == STORE_OK && n == 0,
	    "nothing refused was stored");
}

static void
test_values(void)
{
	struct rows	 r = { 0 };
	unsigned char	*big;
	size_t		 i, n;

	if ((big = malloc(PSTORE_VALUE_MAX + 1)) == NULL)
		err(1, NULL);
	for (i = 0; i < PSTORE_VALUE_MAX + 1; i++)
		big[i] = i * 31 + 7;
	TAP_OK(store_pstore_put(PSTORE_SUBS, "big", big, PSTORE_VALUE_MAX) ==
	    STORE_OK, "a value of PSTORE_VALUE_MAX bytes");
	TAP_OK(store_pstore_put(PSTORE_SUBS, "bigger", big,
	    PSTORE_VALUE_MAX + 1) == STORE_FAIL,
	    "a value of PSTORE_VALUE_MAX + 1 bytes is refused");
	TAP_OK(store_pstore_put(PSTORE_SUBS, "empty", NULL, 0) == STORE_OK,
	    "an empty value");
	TAP_OK(walk(PSTORE_SUBS, NULL, 0, &r, &n) == STORE_OK && n == 2 &&
	    strcmp(r.r_key[0], "big") == 0 &&
	    r.r_len[0] == PSTORE_VALUE_MAX &&
	    memcmp(r.r_val[0], big, sizeof(r.r_val[0])) == 0 &&
	    strcmp(r.r_key[1], "empty") == 0 && r.r_len[1] == 0,
	    "both come back at their length");
	free(big);
	TAP_OK(store_pstore_del(PSTORE_SUBS, "big") == STORE_OK &&
	    store_pstore_del(PSTORE_SUBS, "empty") == STORE_OK,
	    "delete them");
}

/* Batches taken up after the last key give the whole walk once. */
static void
test_batches(void)
{
	struct rows	r = { 0 };
	char		last[PSTORE_KEY_MAX];
	size_t		n, total = 0, calls = 0;
	int		ok = 1;

	last[0] = '\0';
	do {
		if (walk(PSTORE_DOCS, last[0] == '\0' ? NULL : last, 3, &r,
		    &n) != STORE_OK || !r.r_sorted)
			ok = 0;
		if (total == 0 && !has(&r, 0, "alice", "a0"))
			ok = 0;
		if (total == 3 && !has(&r, 0, "carol@x.test", "c"))
			ok = 0;
		total += n;
		strlcpy(last, r.r_last, sizeof(last));
	} while (ok && n == 3 && ++calls < 10);
	TAP_OK(ok && total == 4 && n == 1,
	    "batches of 3 give 3 rows, then 1: %zu in all", total);
	TAP_OK(walk(PSTORE_DOCS, "alice@x.test2", 0, &r, &n) == STORE_OK &&
	    n == 1 && has(&r, 0, "carol@x.test", "c"),
	    "a walk starts after its key");
	TAP_OK(walk(PSTORE_DOCS, "b", 0, &r, &n) == STORE_OK && n == 1 &&
	    has(&r, 0, "carol@x.test", "c"),
	    "after a key not in the table, at the next one");
	TAP_OK(walk(PSTORE_DOCS, "zzz", 0, &r, &n) == STORE_OK && n == 0,
	    "after the last key, nothing");
	r.r_stop = 2;
	TAP_OK(walk(PSTORE_DOCS, NULL, 0, &r, &n) == STORE_OK && n == 2 &&
	    r.r_n == 2, "a callback stops the walk");
	r.r_stop = 0;
}

/*
 * Rows that no put would write, filed behind the store's back: they
 * are passed over, the rows around them still come.
 */
static void
test_damaged(void)
{
	struct rows	r = { 0 };
	size_t		n;

	TAP_OK(store_kv_insert(STORE_DB_PSTORE_DOCS, "amy", 3, "x", 1) ==
	    STORE_OK &&
	    store_kv_insert(STORE_DB_PSTORE_DOCS, "b\0b", 4, "x", 1) ==
	    STORE_OK && store_kv_insert(STORE_DB_PSTORE_DOCS, "\0", 1, "x",
	    1) == STORE_OK, "three damaged rows filed");
	TAP_OK(walk(PSTORE_DOCS, NULL, 0, &r, &n) == STORE_OK && n == 4 &&
	    has(&r, 0, "alice", "a0") && has(&r, 3, "carol@x.test", "c"),
	    "the walk passes over them");
	TAP_OK(store_kv_del(STORE_DB_PSTORE_DOCS, "amy", 3) == STORE_OK &&
	    store_kv_del(STORE_DB_PSTORE_DOCS, "b\0b", 4) == STORE_OK &&
	    store_kv_del(STORE_DB_PSTORE_DOCS, "\0", 1) == STORE_OK,
	    "removed again");
}

static void
test_reopen(void)
{
	struct rows	r = { 0 };
	size_t		n;

	store_close();
	TAP_OK(put_str(PSTORE_DOCS, "k", "v") == STORE_FAIL &&
	    store_pstore_del(PSTORE_DOCS, "k") == STORE_FAIL &&
	    walk(PSTORE_DOCS, NULL, 0, &r, &n) == STORE_FAIL,
	    "a closed store refuses every call");
	TAP_OK(store_open(testenv_dir) == 0, "reopen");
	TAP_OK(walk(PSTORE_DOCS, NULL, 0, &r, &n) == STORE_OK && n == 4 &&
	    has(&r, 0, "alice", "a0") && has(&r, 3, "carol@x.test", "c"),
	    "the rows survive the reopen");
}

/*
 * The writes of the child that testenv_killed() kills: with group
 * commit, and the sync dirdb makes before its answers leave.
 */
static int
durable_writes(void)
{
	store_group_commit(1);
	if (put_str(PSTORE_AUTHZ, "durable", "yes") != STORE_OK ||
	    store_pstore_del(PSTORE_DOCS, "alice") != STORE_OK ||
	    store_sync() == -1)
		return (-1);
	return (0);
}

static void
test_durable(void)
{
	struct rows	r = { 0 };
	size_t		n;

	TAP_OK(testenv_killed(durable_writes),
	    "child killed right after its put, delete and sync");
	TAP_OK(store_open(testenv_dir) == 0, "reopen with recovery");
	TAP_OK(walk(PSTORE_AUTHZ, NULL, 0, &r, &n) == STORE_OK && n == 1 &&
	    has(&r, 0, "durable", "yes"), "the put is there");
	TAP_OK(walk(PSTORE_DOCS, NULL, 0, &r, &n) == STORE_OK && n == 3 &&
	    has(&r, 0, "alice@x.test", "a"), "the delete is there");
}

static void
big_key(char *key, size_t size, size_t i)
{
	snprintf(key, size, "watcher%06zu@big.test", i);
}

/* Group commit, as in dirdb: 100,000 synchronous commits take long. */
static void
test_big(void)
{
	struct rows	r = { 0 };
	char		key[PSTORE_KEY_MAX], last[PSTORE_KEY_MAX];
	size_t		i, n, total, fails = 0;
	time_t		t0;
	int		ok = 1;

	t0 = time(NULL);
	store_group_commit(1);
	for (i = 0; i < BIGROWS; i++) {
		big_key(key, sizeof(key), i * BIGSTEP % BIGROWS);
		if (put_str(PSTORE_SUBS, key, key) != STORE_OK)
			fails++;
	}
	TAP_OK(fails == 0 && store_sync() == 0,
	    "%d rows put out of order, %zu failed (%lld s)", BIGROWS, fails,
	    (long long)(time(NULL) - t0));
	store_group_commit(0);
	TAP_OK(walk(PSTORE_SUBS, NULL, 0, &r, &n) == STORE_OK &&
	    n == BIGROWS && r.r_n == BIGROWS && r.r_sorted && r.r_match,
	    "one walk gives %zu rows, in key order, each with its value", n);
	big_key(key, sizeof(key), 0);
	big_key(last, sizeof(last), BIGROWS - 1);
	TAP_OK(strcmp(r.r_key[0], key) == 0 && strcmp(r.r_last, last) == 0,
	    "from the first key to the last");
	last[0] = '\0';
	total = 0;
	do {
		if (walk(PSTORE_SUBS, last[0] == '\0' ? NULL : last, 256, &r,
		    &n) != STORE_OK || !r.r_sorted || !r.r_match)
			ok = 0;
		total += n;
		strlcpy(last, r.r_last, sizeof(last));
	} while (ok && n == 256);
	TAP_OK(ok && total == BIGROWS,
	    "batches of 256 give the %zu rows once each", total);
}

int
main(void)
{
	testenv_setup("pstore");
	TAP_OK(store_open(testenv_dir) == 0, "open a fresh environment");
	test_put();
	test_replace_del();
	test_tables();
	test_keys();
	test_values();
	test_batches();
	test_damaged();
	test_reopen();
	test_durable();
	test_big();
	store_close();
	return (TAP_DONE());
}
