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
 * Unit tests of dirdb/offline_store.c and lib/offline.c, TAP on
 * standard output: the offline queue through the store's API, its
 * record encoding against an encoder written apart from the real one,
 * the age index, corrupted records, ids across a reopen, durability
 * across a SIGKILL right after a put, and a message's round trip
 * through a socketpair.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <db.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cdefs.h"
#include "imsg.h"
#include "log.h"
#include "offline.h"
#include "store.h"
#include "tap.h"
#include "testenv.h"

#define NOW		2000000ULL	/* the arrival of most messages */
#define AGE		1000ULL		/* the age limit of most tests */
#define NORDER		5
#define MARKER		"body-marker-never-logged"
/* A greeting to the world in Korean, in UTF-8. */
#define KOREAN		"\xec\x95\x88\xeb\x85\x95\xed\x95\x98\xec\x84\xb8" \
			"\xec\x9a\x94, \xec\x84\xb8\xea\xb3\x84!"
#define MAXLIST		64

struct rec {
	unsigned char	r_data[OFFLINE_BODY_MAX + 2048];
	size_t		r_len;
};

struct key {
	unsigned char	k_data[STORE_KEY_MAX];
	size_t		k_len;
};

struct listing {
	size_t		l_count;
	size_t		l_stop;		/* stop after this many, 0 never */
	int		l_foreign;	/* messages of another recipient */
	const char	*l_to;
	uint64_t	l_ids[MAXLIST];
	uint64_t	l_arrived[MAXLIST];
	char		l_first[MAXLIST];	/* each body's first byte */
};

/* A raw read, through a transaction of the store's. */
struct raw {
	enum store_dbid	 ra_db;
	const struct key *ra_key;
	struct rec	*ra_rec;
};


static void	msg_fill(struct offline_rec *, const char *, const char *,
		    uint64_t);
static int	msg_same(const struct offline_rec *,
		    const struct offline_rec *);
static void	rec_u8(struct rec *, unsigned int);
static void	rec_uint(struct rec *, uint64_t, size_t);
static void	rec_bytes(struct rec *, const void *, size_t);
static void	rec_str(struct rec *, const char *);
static void	rec_msg(struct rec *, unsigned int, const struct offline_rec *);
static void	key_make(struct key *, const char *, uint64_t);
static void	ikey_make(struct key *, uint64_t, uint64_t);
static int	any_body(DB_TXN *, void *);
static int	raw_body(DB_TXN *, void *);
static int	raw_get(enum store_dbid, const struct key *, struct rec *);
static int	list_one(const struct offline_rec *, void *);
static void	listing_init(struct listing *, const char *, size_t);
static int	list_user(struct listing *, const char *, size_t);
static int	walk_all(struct listing *);
static int	expired(struct listing *, uint64_t, size_t);
static int	put_simple(const char *, const char *, uint64_t, uint64_t *);
static void	test_order(void);
static void	test_prefix(void);
static void	test_reopen(void);
static void	test_first(void);
static void	test_update(void);
static void	test_cap(void);
static int	put_due(const char *, uint64_t, uint64_t *);
static void	test_due(void);
static void	test_due_lease(void);
static void	test_walk(void);
static void	test_expired(void);
static void	test_bodies(void);
static void	test_refused(void);
static void	test_encoding(void);
static void	test_corrupt(void);
static int	durable_put(void);
static void	test_durable(void);
static size_t	msg_payload(const struct offline_rec *, unsigned char *,
		    size_t);
static void	test_msg(void);
static void	test_msg_bad(void);
static void	test_log(void);
static int	put_from(const char *, const char *, uint32_t, size_t, int *);
static void	test_quota(void);
static void	test_summary(void);
static void	test_version1(void);

/* The message rec_msg() encodes, waiting, with a text body. */
static void
msg_fill(struct offline_rec *o, const char *to, const char *body,
    uint64_t arrived)
{
	memset(o, 0, sizeof(*o));
	strlcpy(o->o_to, to, sizeof(o->o_to));
	strlcpy(o->o_from, "bob@remote.test", sizeof(o->o_from));
	strlcpy(o->o_ctype, "text/plain; charset=UTF-8", sizeof(o->o_ctype));
	o->o_arrived = arrived;
	o->o_state = OFFLINE_WAITING;
	o->o_bodylen = strlen(body);
	memcpy(o->o_body, body, o->o_bodylen);
}

static int
msg_same(const struct offline_rec *a, const struct offline_rec *b)
{
	return (a->o_id == b->o_id && strcmp(a->o_to, b->o_to) == 0 &&
	    strcmp(a->o_from, b->o_from) == 0 &&
	    strcmp(a->o_ctype, b->o_ctype) == 0 &&
	    a->o_arrived == b->o_arrived && a->o_attempts == b->o_attempts &&
	    a->o_next_try == b->o_next_try && a->o_state == b->o_state &&
	    a->o_flags == b->o_flags &&
	    a->o_bodylen == b->o_bodylen &&
	    memcmp(a->o_body, b->o_body, a->o_bodylen) == 0);
}

/* An encoder of the documented layout, written apart from the real one. */
static void
rec_u8(struct rec *r, unsigned int v)
{
	if (r->r_len + 1 > sizeof(r->r_data))
		errx(1, "rec_u8: full");
	r->r_data[r->r_len++] = v;
}

static void
rec_uint(struct rec *r, uint64_t v, size_t bytes)
{
	while (bytes-- > 0)
		rec_u8(r, (v >> (8 * bytes)) & 0xff);
}

static void
rec_bytes(struct rec *r, const void *p, size_t len)
{
	if (r->r_len + len > sizeof(r->r_data))
		errx(1, "rec_bytes: full");
	memcpy(r->r_data + r->r_len, p, len);
	r->r_len += len;
}

static void
rec_str(struct rec *r, const char *s)
{
	rec_uint(r, strlen(s), 2);
	rec_bytes(r, s, strlen(s));
}

static void
rec_msg(struct rec *r, unsigned int version, const struct offline_rec *o)
{
	r->r_len = 0;
	rec_u8(r, version);
	rec_uint(r, o->o_id, 8);
	rec_str(r, o->o_to);
	rec_str(r, o->o_from);
	rec_str(r, o->o_ctype);
	rec_uint(r, o->o_arrived, 8);
	rec_uint(r, o->o_attempts, 4);
	rec_uint(r, o->o_next_try, 8);
	rec_u8(r, o->o_state);
	if (version >= 2)
		rec_u8(r, o->o_flags);
	rec_uint(r, o->o_bodylen, 4);
	rec_bytes(r, o->o_body, o->o_bodylen);
}

static void
key_make(struct key *k, const char *to, uint64_t id)
{
	size_t	len = strlen(to), i;

	if (len + 1 + 8 > sizeof(k->k_data))
		errx(1, "key_make: too long");
	memcpy(k->k_data, to, len + 1);
	for (i = 0; i < 8; i++)
		k->k_data[len + 1 + i] = (id >> (8 * (7 - i))) & 0xff;
	k->k_len = len + 1 + 8;
}

static void
ikey_make(struct key *k, uint64_t arrived, uint64_t id)
{
	size_t	i;

	for (i = 0; i < 8; i++) {
		k->k_data[i] = (arrived >> (8 * (7 - i))) & 0xff;
		k->k_data[8 + i] = (id >> (8 * (7 - i))) & 0xff;
	}
	k->k_len = 16;
}

/* A record longer than store_kv_get() reads: plain libdb. */
static int
raw_body(DB_TXN *txn, void *arg)
{
	struct raw	*ra = arg;
	DB		*db = store_kv_db(ra->ra_db);
	DBT		 k, v;
	int		 e;

	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = (void *)ra->ra_key->k_data;
	k.size = ra->ra_key->k_len;
	v.data = ra->ra_rec->r_data;
	v.ulen = sizeof(ra->ra_rec->r_data);
	v.flags = DB_DBT_USERMEM;
	if ((e = db->get(db, txn, &k, &v, 0)) == 0)
		ra->ra_rec->r_len = v.size;
	return (e);
}

static int
raw_get(enum store_dbid db, const struct key *k, struct rec *r)
{
	struct raw	ra = { db, k, r };

	r->r_len = 0;
	return (store_kv_txn(db, "raw get", raw_body, &ra, 0));
}

static int
list_one(const struct offline_rec *o, void *arg)
{
	struct listing	*l = arg;

	if (l->l_to != NULL && strcasecmp(o->o_to, l->l_to) != 0)
		l->l_foreign++;
	if (l->l_count < MAXLIST) {
		l->l_ids[l->l_count] = o->o_id;
		l->l_arrived[l->l_count] = o->o_arrived;
		l->l_first[l->l_count] = o->o_bodylen > 0 ? o->o_body[0] : 0;
	}
	l->l_count++;
	if (l->l_stop != 0 && l->l_count == l->l_stop)
		return (-1);
	return (0);
}

static void
listing_init(struct listing *l, const char *to, size_t stop)
{
	memset(l, 0, sizeof(*l));
	l->l_to = to;
	l->l_stop = stop;
}

static int
list_user(struct listing *l, const char *to, size_t stop)
{
	listing_init(l, to, stop);
	return (store_offline_list(to, list_one, l));
}

static int
walk_all(struct listing *l)
{
	listing_init(l, NULL, 0);
	return (store_offline_walk(list_one, l));
}

static int
expired(struct listing *l, uint64_t now, size_t max)
{
	listing_init(l, NULL, 0);
	return (store_offline_expired(now, list_one, l, max));
}

static int
put_simple(const char *to, const char *body, uint64_t arrived, uint64_t *id)
{
	struct offline_rec	o;
	int			r;

	msg_fill(&o, to, body, arrived);
	r = store_offline_put(&o);
	if (id != NULL)
		*id = o.o_id;
	return (r);
}

/* Put in order, listed in order, under the address in lower case. */
static void
test_order(void)
{
	struct offline_rec	o;
	struct listing		l;
	char			body[64];
	size_t			i, put = 0, ordered = 1;

	TAP_OK(store_offline_first("a@x.test", &o) == STORE_NOTFOUND,
	    "first of an empty queue: not found");
	for (i = 0; i < NORDER; i++) {
		snprintf(body, sizeof(body), "%zu" MARKER, i);
		msg_fill(&o, "A@X.test", body, NOW);
		if (store_offline_put(&o) == STORE_OK && o.o_id != 0)
			put++;
	}
	TAP_OK(put == NORDER, "%d messages put", NORDER);
	TAP_OK(list_user(&l, "a@X.TEST", 0) == STORE_OK &&
	    l.l_count == NORDER && l.l_foreign == 0,
	    "list in another case finds them, in lower case");
	for (i = 0; i < l.l_count && i < MAXLIST; i++)
		if (l.l_first[i] != (char)('0' + i) ||
		    (i > 0 && l.l_ids[i] <= l.l_ids[i - 1]))
			ordered = 0;
	TAP_OK(ordered, "list in the order of the puts, ids increasing");
	TAP_OK(list_user(&l, "a@x.test", 2) == STORE_OK && l.l_count == 2,
	    "list stops when the callback returns -1");
}

/* a@x.test is a prefix of both others' keys but for the NUL. */
static void
test_prefix(void)
{
	struct listing	l;
	size_t		n;

	TAP_OK(put_simple("a@x.test2", "t", NOW, NULL) == STORE_OK &&
	    put_simple("ab@x.test", "u", NOW, NULL) == STORE_OK &&
	    put_simple("a@x.tes", "v", NOW, NULL) == STORE_OK,
	    "messages for a@x.test2, ab@x.test and a@x.tes");
	TAP_OK(list_user(&l, "a@x.test", 0) == STORE_OK &&
	    l.l_count == NORDER && l.l_foreign == 0,
	    "a@x.test sees only its own");
	TAP_OK(list_user(&l, "a@x.test2", 0) == STORE_OK && l.l_count == 1 &&
	    l.l_foreign == 0 && l.l_first[0] == 't',
	    "a@x.test2 sees only its own");
	TAP_OK(list_user(&l, "ab@x.test", 0) == STORE_OK && l.l_count == 1 &&
	    l.l_foreign == 0 && l.l_first[0] == 'u',
	    "ab@x.test sees only its own");
	TAP_OK(store_offline_count("a@x.test", &n) == STORE_OK &&
	    n == NORDER && store_offline_count("a@x.tes", &n) == STORE_OK &&
	    n == 1 && store_offline_count("nobody@x.test", &n) == STORE_OK &&
	    n == 0, "count of each user");
	TAP_OK(list_user(&l, "nobody@x.test", 0) == STORE_OK &&
	    l.l_count == 0, "list of an empty queue");
	TAP_OK(store_kv_txn(STORE_DB_OFFLINE, "any", any_body, NULL, 0) ==
	    STORE_OK, "any in a transaction: a@x.test and a@x.tes have "
	    "messages, a@x.te and nobody@x.test none");
}

/* The look a REGISTER's transaction takes (store_offline_any_in). */
static int
any_body(DB_TXN *txn, void *arg IMD_UNUSED)
{
	static const struct {
		const char	*to;
		int		 any;
	} want[] = {
		{ "a@x.test", 1 }, { "a@x.tes", 1 }, { "a@x.te", 0 },
		{ "nobody@x.test", 0 },
	};
	size_t	i;
	int	any, e;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if ((e = store_offline_any_in(txn, want[i].to, &any)) != 0)
			return (e);
		if (any != want[i].any)
			return (-1);
	}
	return (store_offline_any_in(txn, "not an address", &any) == -1 ?
	    0 : -1);
}

static void
test_reopen(void)
{
	struct offline_rec	o;
	struct listing		l;
	uint64_t		before, after;

	TAP_OK(put_simple("r@x.test", "before", NOW, &before) == STORE_OK,
	    "put before the reopen");
	store_close();
	TAP_OK(put_simple("r@x.test", "closed", NOW, NULL) == STORE_FAIL &&
	    store_offline_first("r@x.test", &o) == STORE_FAIL,
	    "put and first on a closed store fail");
	TAP_OK(store_open(testenv_dir) == 0, "reopen");
	TAP_OK(put_simple("r@x.test", "after", NOW, &after) == STORE_OK &&
	    after == before + 1, "the id after the reopen follows: %llu, %llu",
	    (unsigned long long)before, (unsigned long long)after);
	TAP_OK(list_user(&l, "r@x.test", 0) == STORE_OK && l.l_count == 2 &&
	    l.l_ids[0] == before && l.l_ids[1] == after,
	    "messages survive the reopen, in order");
}

static void
test_first(void)
{
	struct offline_rec	o, got;
	uint64_t		id1 = 0, id2 = 0;
	size_t			n;

	msg_fill(&o, "f@x.test", "one", NOW);
	strlcpy(o.o_from, "carol@x.test", sizeof(o.o_from));
	o.o_attempts = 3;
	o.o_next_try = 77;
	TAP_OK(store_offline_put(&o) == STORE_OK && (id1 = o.o_id) != 0 &&
	    put_simple("f@x.test", "two", NOW + 1, &id2) == STORE_OK,
	    "two messages for f@x.test");
	TAP_OK(store_offline_first("F@x.test", &got) == STORE_OK &&
	    msg_same(&o, &got), "first is the oldest, whole");
	strlcpy(got.o_to, "f@x.test", sizeof(got.o_to));
	TAP_OK(store_offline_first(got.o_to, &got) == STORE_OK &&
	    got.o_id == id1, "first with the address inside the record");
	TAP_OK(store_offline_del("f@x.test", id2 + 1000) == STORE_NOTFOUND &&
	    store_offline_del("g@x.test", id1) == STORE_NOTFOUND,
	    "delete of an absent message: not found");
	TAP_OK(store_offline_del("F@X.TEST", id1) == STORE_OK,
	    "delete the oldest");
	TAP_OK(store_offline_first("f@x.test", &got) == STORE_OK &&
	    got.o_id == id2 && got.o_bodylen == 3 &&
	    memcmp(got.o_body, "two", 3) == 0, "first is now the next");
	TAP_OK(store_offline_del("f@x.test", id1) == STORE_NOTFOUND,
	    "second delete: not found");
	TAP_OK(store_offline_del("f@x.test", id2) == STORE_OK &&
	    store_offline_first("f@x.test", &got) == STORE_NOTFOUND &&
	    got.o_id == 0 && store_offline_count("f@x.test", &n) ==
	    STORE_OK && n == 0, "the queue is empty after both deletes");
	TAP_OK(store_offline_del("f@x.test", 0) == STORE_FAIL &&
	    store_offline_del("not an address", 1) == STORE_FAIL,
	    "delete of id 0 or a bad address refused");
}

static void
test_update(void)
{
	struct offline_rec	u, got;
	uint64_t		id = 0;

	TAP_OK(put_simple("u@x.test", "update me", NOW, &id) == STORE_OK,
	    "a message to update");
	memset(&u, 0, sizeof(u));
	strlcpy(u.o_to, "U@x.test", sizeof(u.o_to));
	u.o_id = id;
	u.o_attempts = 2;
	u.o_next_try = NOW + 600;
	u.o_state = OFFLINE_WAITING;
	strlcpy(u.o_from, "ignored@x.test", sizeof(u.o_from));
	TAP_OK(store_offline_update(&u) == STORE_OK, "update");
	TAP_OK(store_offline_first("u@x.test", &got) == STORE_OK &&
	    got.o_attempts == 2 && got.o_next_try == NOW + 600 &&
	    got.o_state == OFFLINE_WAITING,
	    "update changed attempts and next try");
	TAP_OK(strcmp(got.o_from, "bob@remote.test") == 0 &&
	    got.o_arrived == NOW && got.o_bodylen == 9 &&
	    memcmp(got.o_body, "update me", 9) == 0,
	    "update kept sender, arrival and body");
	u.o_state = OFFLINE_MAILING;
	TAP_OK(store_offline_update(&u) == STORE_OK &&
	    store_offline_first("u@x.test", &got) == STORE_NOTFOUND,
	    "update to mailing: first passes over it");
	u.o_state = OFFLINE_WAITING;
	u.o_next_try = 0;
	TAP_OK(store_offline_update(&u) == STORE_OK &&
	    store_offline_first("u@x.test", &got) == STORE_OK,
	    "back to waiting, with no next try");
	u.o_state = 2;
	TAP_OK(store_offline_update(&u) == STORE_FAIL, "unknown state refused");
	u.o_state = OFFLINE_WAITING;
	u.o_id = id + 1000;
	TAP_OK(store_offline_update(&u) == STORE_NOTFOUND,
	    "update of an absent message: not found");
	u.o_id = 0;
	TAP_OK(store_offline_update(&u) == STORE_FAIL,
	    "update of id 0 refused");
}

static int
put_due(const char *body, uint64_t next_try, uint64_t *id)
{
	struct offline_rec	o;

	msg_fill(&o, "due@x.test", body, NOW);
	o.o_next_try = next_try;
	if (store_offline_put(&o) != STORE_OK)
		return (-1);
	*id = o.o_id;
	return (0);
}

/*
 * The due index: the message that falls due first comes first, marked
 * mailing; a registration passes over it; its entry follows updates
 * and goes with the message.
 */
static void
test_due(void)
{
	struct offline_rec	got, u;
	uint64_t		a, b, c, next;

	TAP_OK(put_due("b", NOW + 5, &b) == 0 && put_due("a", NOW + 10, &a) ==
	    0 && put_due("c", 0, &c) == 0, "three messages, two due later");
	TAP_OK(store_offline_due(NOW, 300, &got, &next) == STORE_NOTFOUND &&
	    next == NOW + 5, "none due yet: the first falls due at +5");
	TAP_OK(store_offline_due(NOW + 5, 300, &got, &next) == STORE_OK &&
	    got.o_id == b && got.o_state == OFFLINE_MAILING &&
	    got.o_next_try == NOW + 305 && got.o_bodylen == 1,
	    "at +5 the earliest comes, mailing for the lease");
	TAP_OK(store_offline_first("due@x.test", &got) == STORE_OK &&
	    got.o_id == a, "first passes over the message being mailed");
	TAP_OK(store_offline_due(NOW + 5, 300, &got, &next) ==
	    STORE_NOTFOUND && next == NOW + 10,
	    "handed out once: next due is the other one");
	memset(&u, 0, sizeof(u));
	strlcpy(u.o_to, "due@x.test", sizeof(u.o_to));
	u.o_id = b;
	u.o_attempts = 1;
	u.o_next_try = NOW + 7;
	u.o_state = OFFLINE_WAITING;
	TAP_OK(store_offline_update(&u) == STORE_OK &&
	    store_offline_due(NOW + 7, 300, &got, &next) == STORE_OK &&
	    got.o_id == b && got.o_attempts == 1,
	    "a retry time set by update is due then");
	TAP_OK(store_offline_del("due@x.test", b) == STORE_OK &&
	    store_offline_due(NOW + 8, 300, &got, &next) == STORE_NOTFOUND &&
	    next == NOW + 10, "a deleted message leaves the due index");
	TAP_OK(store_offline_del("due@x.test", a) == STORE_OK &&
	    store_offline_due(NOW + 1000, 300, &got, &next) ==
	    STORE_NOTFOUND && next == 0,
	    "a message with no next try is never due");
	TAP_OK(store_offline_del("due@x.test", c) == STORE_OK, "clean up");
}

/* Nobody reported in time: the message is handed out again. */
static void
test_due_lease(void)
{
	struct offline_rec	got;
	uint64_t		d, next;

	TAP_OK(put_due("d", NOW, &d) == 0 &&
	    store_offline_due(NOW, 300, &got, &next) == STORE_OK &&
	    got.o_id == d, "a message due at once");
	TAP_OK(store_offline_due(NOW + 299, 300, &got, &next) ==
	    STORE_NOTFOUND && next == NOW + 300, "not again within the lease");
	TAP_OK(store_offline_due(NOW + 300, 300, &got, &next) == STORE_OK &&
	    got.o_id == d && got.o_next_try == NOW + 600,
	    "again when the lease ran out");
	TAP_OK(store_offline_del("due@x.test", d) == STORE_OK,
	    "clean up");
}

/* A refused put takes no id: the next one follows the last given. */
static void
test_cap(void)
{
	uint64_t	id, last = 0;
	size_t		n, put = 0;
	int		i;

	store_offline_limits(3, AGE);
	for (i = 0; i < 3; i++)
		if (put_simple("c@x.test", "c", NOW, &last) == STORE_OK)
			put++;
	TAP_OK(put == 3, "three messages under a cap of three");
	TAP_OK(put_simple("C@x.test", "c", NOW, &id) == STORE_FULL &&
	    id == 0, "the fourth is refused: full");
	TAP_OK(store_offline_count("c@x.test", &n) == STORE_OK && n == 3,
	    "count is still three");
	TAP_OK(put_simple("d@x.test", "d", NOW, &id) == STORE_OK &&
	    id == last + 1, "another user is not full, and no id was lost");
	TAP_OK(store_offline_del("c@x.test", last) == STORE_OK &&
	    put_simple("c@x.test", "c", NOW, &id) == STORE_OK,
	    "after a delete there is room again");
	store_offline_limits(0, AGE);
	TAP_OK(put_simple("e@x.test", "e", NOW, NULL) == STORE_FULL,
	    "a cap of 0 takes nothing");
	store_offline_limits(OFFLINE_PER_USER_DEFAULT, AGE);
}

/* So far: 5 + 3 + 2 + 1 + 3 + 1 messages of 8 users, in key order. */
static void
test_walk(void)
{
	struct listing	l;

	TAP_OK(walk_all(&l) == STORE_OK && l.l_count == 15,
	    "walk: %zu messages", l.l_count);
	TAP_OK(walk_all(&l) == STORE_OK && l.l_first[0] == 'v' &&
	    l.l_first[1] == '0' && l.l_first[NORDER] == '0' + NORDER - 1 &&
	    l.l_first[NORDER + 1] == 't' && l.l_first[NORDER + 2] == 'u',
	    "walk in key order: a@x.tes, a@x.test, a@x.test2, ab@x.test");
	listing_init(&l, NULL, 4);
	TAP_OK(store_offline_walk(list_one, &l) == STORE_OK && l.l_count == 4,
	    "walk stops when the callback returns -1");
}

/* Put out of order: the age index, not the id, says which is oldest. */
static void
test_expired(void)
{
	struct listing	l;
	uint64_t	id;
	int		put = 0;

	put += put_simple("old@x.test", "3", 300, NULL) == STORE_OK;
	put += put_simple("old@x.test", "1", 100, &id) == STORE_OK;
	put += put_simple("older@x.test", "2", 200, NULL) == STORE_OK;
	TAP_OK(put == 3, "three old messages");
	TAP_OK(expired(&l, AGE, 10) == STORE_OK && l.l_count == 0,
	    "nothing is older than the limit at the limit");
	TAP_OK(expired(&l, AGE + 250, 10) == STORE_OK && l.l_count == 2 &&
	    l.l_arrived[0] == 100 && l.l_arrived[1] == 200,
	    "older than the limit: the two before 250, oldest first");
	TAP_OK(expired(&l, AGE + 301, 10) == STORE_OK && l.l_count == 3 &&
	    l.l_arrived[2] == 300, "and all three a little later");
	TAP_OK(expired(&l, NOW + AGE, 2) == STORE_OK && l.l_count == 2 &&
	    l.l_arrived[0] == 100 && l.l_arrived[1] == 200,
	    "bounded by max: the two oldest of many");
	TAP_OK(expired(&l, NOW + AGE, 0) == STORE_OK && l.l_count == 0,
	    "max 0 reads nothing");
	listing_init(&l, NULL, 1);
	TAP_OK(store_offline_expired(AGE + 301, list_one, &l, 10) ==
	    STORE_OK && l.l_count == 1, "expired stops when the callback "
	    "returns -1");
	TAP_OK(store_offline_del("old@x.test", id) == STORE_OK &&
	    expired(&l, AGE + 301, 10) == STORE_OK && l.l_count == 2 &&
	    l.l_arrived[0] == 200, "a deleted message leaves the index");
	store_offline_limits(OFFLINE_PER_USER_DEFAULT, 50);
	TAP_OK(expired(&l, 260, 10) == STORE_OK && l.l_count == 1 &&
	    l.l_arrived[0] == 200, "the limit can be changed");
	store_offline_limits(OFFLINE_PER_USER_DEFAULT, AGE);
}

static void
test_bodies(void)
{
	struct offline_rec	o, got;
	size_t			i;

	msg_fill(&o, "k@x.test", KOREAN, NOW);
	TAP_OK(store_offline_put(&o) == STORE_OK &&
	    store_offline_first("k@x.test", &got) == STORE_OK &&
	    msg_same(&o, &got), "a Korean UTF-8 body comes back byte for "
	    "byte");
	msg_fill(&o, "big@x.test", "", NOW);
	o.o_bodylen = OFFLINE_BODY_MAX;
	for (i = 0; i < OFFLINE_BODY_MAX; i++)
		o.o_body[i] = (i * 7 + i / 256) & 0xff;
	TAP_OK(store_offline_put(&o) == STORE_OK &&
	    store_offline_first("big@x.test", &got) == STORE_OK &&
	    msg_same(&o, &got), "a body of %d bytes, NULs among them, comes "
	    "back byte for byte", OFFLINE_BODY_MAX);
	o.o_bodylen = OFFLINE_BODY_MAX + 1;
	TAP_OK(store_offline_put(&o) == STORE_FAIL, "a longer body refused");
	msg_fill(&o, "empty@x.test", "", NOW);
	o.o_ctype[0] = '\0';
	TAP_OK(store_offline_put(&o) == STORE_OK &&
	    store_offline_first("empty@x.test", &got) == STORE_OK &&
	    msg_same(&o, &got) && got.o_bodylen == 0,
	    "an empty body without a Content-Type comes back");
	msg_fill(&o, "empty@x.test", "x", NOW);
	o.o_ctype[0] = '\0';
	TAP_OK(store_offline_put(&o) == STORE_FAIL,
	    "a body without a Content-Type refused");
}

static void
test_refused(void)
{
	struct offline_rec	o;
	size_t			n, refused = 0;

	msg_fill(&o, "not an address", "x", NOW);
	refused += store_offline_put(&o) == STORE_FAIL;
	msg_fill(&o, "z@x.test", "x", NOW);
	memset(o.o_to, 'z', sizeof(o.o_to));
	refused += store_offline_put(&o) == STORE_FAIL;
	msg_fill(&o, "z@x.test", "x", NOW);
	memset(o.o_from, 'f', sizeof(o.o_from));
	refused += store_offline_put(&o) == STORE_FAIL;
	msg_fill(&o, "z@x.test", "x", NOW);
	o.o_from[0] = '\0';
	refused += store_offline_put(&o) == STORE_FAIL;
	msg_fill(&o, "z@x.test", "x", NOW);
	strlcpy(o.o_from, "bob @x.test", sizeof(o.o_from));
	refused += store_offline_put(&o) == STORE_FAIL;
	msg_fill(&o, "z@x.test", "x", NOW);
	strlcpy(o.o_ctype, "text/plain\r\nX: y", sizeof(o.o_ctype));
	refused += store_offline_put(&o) == STORE_FAIL;
	msg_fill(&o, "z@x.test", "x", NOW);
	memset(o.o_ctype, 't', sizeof(o.o_ctype));
	refused += store_offline_put(&o) == STORE_FAIL;
	msg_fill(&o, "z@x.test", "x", NOW);
	o.o_state = 2;
	refused += store_offline_put(&o) == STORE_FAIL;
	TAP_OK(refused == 8, "%zu of 8 bad messages refused", refused);
	TAP_OK(store_offline_count("z@x.test", &n) == STORE_OK && n == 0,
	    "nothing refused was stored");
	TAP_OK(store_offline_count("not an address", &n) == STORE_FAIL &&
	    store_offline_list("", list_one, NULL) == STORE_FAIL,
	    "count and list of a bad address refused");
}

/* The bytes on disk are the documented layout, with the version first. */
static void
test_encoding(void)
{
	struct offline_rec	o;
	struct rec		want, got;
	struct key		k;

	msg_fill(&o, "Enc@X.test", KOREAN, 0x0102030405060708ULL);
	o.o_attempts = 0x0a0b0c0d;
	o.o_next_try = 0x1112131415161718ULL;
	o.o_state = OFFLINE_MAILING;
	o.o_flags = OFFLINE_F_AUTHED | OFFLINE_F_HELD;
	TAP_OK(store_offline_put(&o) == STORE_OK, "a message to read raw");
	strlcpy(o.o_to, "enc@x.test", sizeof(o.o_to));
	rec_msg(&want, 2, &o);
	key_make(&k, "enc@x.test", o.o_id);
	TAP_OK(raw_get(STORE_DB_OFFLINE, &k, &got) == STORE_OK &&
	    got.r_len == want.r_len &&
	    memcmp(got.r_data, want.r_data, want.r_len) == 0,
	    "record on disk is version 2 in the documented layout");
	ikey_make(&k, o.o_arrived, o.o_id);
	TAP_OK(raw_get(STORE_DB_OFFLINE_AGE, &k, &got) == STORE_OK &&
	    got.r_len == strlen("enc@x.test") &&
	    memcmp(got.r_data, "enc@x.test", got.r_len) == 0,
	    "index key is arrival and id, its value the recipient");
	memcpy(k.k_data, "last id", 7);
	k.k_len = 7;
	want.r_len = 0;
	rec_uint(&want, o.o_id, 8);
	TAP_OK(raw_get(STORE_DB_OFFLINE_SEQ, &k, &got) == STORE_OK &&
	    got.r_len == 8 && memcmp(got.r_data, want.r_data, 8) == 0,
	    "the counter holds the last id, big-endian");
	msg_fill(&o, "big@x.test", "", NOW);
	TAP_OK(store_offline_first("big@x.test", &o) == STORE_OK, "the "
	    "big message");
	rec_msg(&want, 2, &o);
	key_make(&k, "big@x.test", o.o_id);
	TAP_OK(raw_get(STORE_DB_OFFLINE, &k, &got) == STORE_OK &&
	    got.r_len == want.r_len &&
	    memcmp(got.r_data, want.r_data, want.r_len) == 0,
	    "a %zu-byte record on disk, as documented", want.r_len);
}

/*
 * Bad records under bad@x.test, ids 1 to 10, before a good one with a
 * later id; index entries that lead nowhere, older than any message.
 */
static void
test_corrupt(void)
{
	struct offline_rec	o, got;
	struct listing		l;
	struct rec		r[10];
	struct key		k;
	uint64_t		good = 0;
	size_t			i, n, n0, nbad = sizeof(r) / sizeof(r[0]);
	int			ok = 1;

	if (walk_all(&l) != STORE_OK)
		errx(1, "test_corrupt: walk");
	n0 = l.l_count;
	for (i = 0; i < nbad; i++) {
		msg_fill(&o, "bad@x.test", MARKER, NOW);
		o.o_id = i + 1;
		rec_msg(&r[i], 1, &o);
	}
	rec_msg(&r[0], 3, &o);
	r[0].r_data[8] = 1;				/* v3, id 1 */
	r[1].r_len -= 3;				/* body cut */
	rec_u8(&r[2], 0);				/* trailing */
	r[3].r_data[r[3].r_len - strlen(MARKER) - 3] = 0xff; /* bodylen */
	r[4].r_data[r[4].r_len - strlen(MARKER) - 5] = 7; /* state */
	r[5].r_data[8] = 99;				/* another id */
	r[6].r_data[11] = 'B';				/* recipient */
	r[7].r_len = 0;					/* empty */
	r[8].r_data[9] = 0xff;				/* to length */
	o.o_ctype[0] = '\0';
	o.o_id = 10;
	rec_msg(&r[9], 1, &o);				/* no type */
	for (i = 0; i < nbad; i++) {
		key_make(&k, "bad@x.test", i + 1);
		if (store_kv_insert(STORE_DB_OFFLINE, k.k_data, k.k_len,
		    r[i].r_data, r[i].r_len) != STORE_OK)
			errx(1, "test_corrupt: insert %zu", i);
	}
	TAP_OK(put_simple("bad@x.test", "good", NOW, &good) == STORE_OK,
	    "a good message beside %zu bad records", nbad);
	TAP_OK(store_offline_first("bad@x.test", &got) == STORE_OK &&
	    got.o_id == good, "first passes over the bad records");
	TAP_OK(list_user(&l, "bad@x.test", 0) == STORE_FAIL &&
	    l.l_count == 1 && l.l_ids[0] == good,
	    "list delivers the good message and fails");
	TAP_OK(store_offline_count("bad@x.test", &n) == STORE_OK &&
	    n == nbad + 1, "count counts every record filed");
	TAP_OK(walk_all(&l) == STORE_FAIL && l.l_count == n0 + 1,
	    "walk skips the bad records, delivers the good, and fails");
	got.o_id = 1;
	got.o_state = OFFLINE_MAILING;
	strlcpy(got.o_to, "bad@x.test", sizeof(got.o_to));
	TAP_OK(store_offline_update(&got) == STORE_FAIL,
	    "update refuses to rewrite a bad record");
	TAP_OK(store_offline_del("bad@x.test", good) == STORE_OK,
	    "the good message goes");
	TAP_OK(store_offline_first("bad@x.test", &got) == STORE_FAIL,
	    "first of a queue of bad records alone fails");
	for (i = 0; i < nbad; i++)
		if (store_offline_del("bad@x.test", i + 1) != STORE_OK)
			ok = 0;
	TAP_OK(ok && walk_all(&l) == STORE_OK && l.l_count == n0,
	    "bad records can be deleted; walk succeeds without them");
	ikey_make(&k, 1, 12345);
	TAP_OK(store_kv_insert(STORE_DB_OFFLINE_AGE, k.k_data, k.k_len,
	    "gone@x.test", 11) == STORE_OK &&
	    store_kv_insert(STORE_DB_OFFLINE_AGE, "\0\0\0", 3, "x", 1) ==
	    STORE_OK, "an index entry to nowhere and a malformed one");
	TAP_OK(expired(&l, AGE + 250, 3) == STORE_FAIL && l.l_count == 1 &&
	    l.l_arrived[0] == 200, "expired drops both, counts them towards "
	    "max, and fails");
	TAP_OK(expired(&l, AGE + 250, 3) == STORE_OK && l.l_count == 1,
	    "expired succeeds once they are gone");
}

/* The put of the child that testenv_killed() kills. */
static int
durable_put(void)
{
	struct offline_rec	o;

	msg_fill(&o, "durable@x.test", KOREAN, NOW);
	return (store_offline_put(&o) == STORE_OK ? 0 : -1);
}

static void
test_durable(void)
{
	struct offline_rec	o, got;

	TAP_OK(testenv_killed(durable_put), "child killed right after its put");
	TAP_OK(store_open(testenv_dir) == 0, "reopen with recovery");
	msg_fill(&o, "durable@x.test", KOREAN, NOW);
	TAP_OK(store_offline_first("durable@x.test", &got) == STORE_OK &&
	    (o.o_id = got.o_id) != 0 && msg_same(&o, &got),
	    "the message put before the kill is there");
}

/* The payload offline_msg_add() writes, taken before it is sent. */
static size_t
msg_payload(const struct offline_rec *o, unsigned char *buf, size_t size)
{
	struct imsgbuf	ib;
	struct ibuf	*ibuf;
	size_t		 len;

	memset(&ib, 0, sizeof(ib));
	if ((ibuf = imsg_create(&ib, 1, 0, 0)) == NULL ||
	    offline_msg_add(ibuf, o) == -1)
		errx(1, "msg_payload");
	len = ibuf->ib_len - IMSG_HDR_SIZE;
	if (len > size)
		errx(1, "msg_payload: too long");
	memcpy(buf, ibuf->ib_data + IMSG_HDR_SIZE, len);
	ibuf_free(ibuf);
	return (len);
}

/* The longest record, every field full, goes whole. */
static void
test_msg(void)
{
	struct offline_rec	 o, got;
	struct imsgbuf		 wb, rb;
	struct imsg		 imsg;
	struct ibuf		*ibuf;
	size_t			 i;
	int			 sv[2], r;

	msg_fill(&o, "", "", NOW);
	memset(o.o_to, 't', sizeof(o.o_to) - 1);
	memset(o.o_from, 'f', sizeof(o.o_from) - 1);
	memset(o.o_ctype, 'c', sizeof(o.o_ctype) - 1);
	o.o_id = UINT64_MAX;
	o.o_attempts = 9;
	o.o_next_try = NOW + 60;
	o.o_state = OFFLINE_MAILING;
	o.o_bodylen = OFFLINE_BODY_MAX;
	for (i = 0; i < OFFLINE_BODY_MAX; i++)
		o.o_body[i] = (i * 13) & 0xff;
	testenv_pair(sv, &wb, &rb);
	TAP_OK((ibuf = imsg_create(&wb, 1, 0, 0)) != NULL &&
	    offline_msg_add(ibuf, &o) == 0 &&
	    ibuf->ib_len - IMSG_HDR_SIZE == OFFLINE_MSG_MAX &&
	    imsg_close(&wb, ibuf) == 0 && imsgbuf_flush(&wb) == 0,
	    "the longest message sent: %d bytes", OFFLINE_MSG_MAX);
	while ((r = imsg_get(&rb, &imsg)) == 0 && imsgbuf_read(&rb) > 0)
		;
	TAP_OK(r == 1 && offline_msg_get(&imsg, &got) == 0 &&
	    imsg_get_end(&imsg) == 0 && msg_same(&o, &got),
	    "received whole, payload consumed exactly");
	o.o_bodylen = OFFLINE_BODY_MAX + 1;
	TAP_OK((ibuf = imsg_create(&wb, 1, 0, 0)) != NULL &&
	    offline_msg_add(ibuf, &o) == -1 && imsg_close(&wb, ibuf) == -1,
	    "a body longer than the field is not sent");
	imsgbuf_clear(&wb);
	imsgbuf_clear(&rb);
	close(sv[0]);
	close(sv[1]);
}

/* Every cut of a short payload, and each bound, refused. */
static void
test_msg_bad(void)
{
	static unsigned char	 p[IMSG_PAYLOAD_MAX];
	struct offline_rec	 o, got;
	struct imsgbuf		 wb, rb;
	struct imsg		 imsg;
	unsigned char		*f;
	size_t			 len, cut, refused = 0;
	uint32_t		 v;
	int			 sv[2];

	msg_fill(&o, "a@x.test", KOREAN, NOW);
	len = msg_payload(&o, p, sizeof(p));
	testenv_pair(sv, &wb, &rb);
	for (cut = 0; cut < len; cut++)
		if (testenv_send(&wb, &rb, p, cut, &imsg) == 1 &&
		    offline_msg_get(&imsg, &got) == -1 &&
		    got.o_to[0] == '\0')
			refused++;
	TAP_OK(refused == len, "all %zu truncated payloads refused", len);
	p[len] = 0;
	TAP_OK(testenv_send(&wb, &rb, p, len + 1, &imsg) == 1 &&
	    offline_msg_get(&imsg, &got) == 0 && imsg_get_end(&imsg) == -1,
	    "a trailing byte is left for imsg_get_end to refuse");
	f = p + len - strlen(KOREAN) - 4;
	v = OFFLINE_BODY_MAX + 1;
	memcpy(f, &v, sizeof(v));
	TAP_OK(testenv_send(&wb, &rb, p, len, &imsg) == 1 &&
	    offline_msg_get(&imsg, &got) == -1 && errno == EBADMSG,
	    "a body length beyond the field refused");
	v = strlen(KOREAN) + 1;
	memcpy(f, &v, sizeof(v));
	TAP_OK(testenv_send(&wb, &rb, p, len, &imsg) == 1 &&
	    offline_msg_get(&imsg, &got) == -1,
	    "a body length beyond the payload refused");
	v = strlen(KOREAN);
	memcpy(f, &v, sizeof(v));
	f -= sizeof(v);
	v = 0x80;
	memcpy(f, &v, sizeof(v));
	TAP_OK(testenv_send(&wb, &rb, p, len, &imsg) == 1 &&
	    offline_msg_get(&imsg, &got) == -1 && errno == EBADMSG,
	    "an unknown flag refused");
	v = 0;
	memcpy(f, &v, sizeof(v));
	f -= sizeof(v);
	v = 2;
	memcpy(f, &v, sizeof(v));
	TAP_OK(testenv_send(&wb, &rb, p, len, &imsg) == 1 &&
	    offline_msg_get(&imsg, &got) == -1 && errno == EBADMSG,
	    "an unknown state refused");
	msg_fill(&o, "big@x.test", "", NOW);
	o.o_bodylen = OFFLINE_BODY_MAX;
	len = msg_payload(&o, p, sizeof(p));
	TAP_OK(testenv_send(&wb, &rb, p, len - 1, &imsg) == 1 &&
	    offline_msg_get(&imsg, &got) == -1 &&
	    testenv_send(&wb, &rb, p, len - OFFLINE_BODY_MAX / 2, &imsg) == 1 &&
	    offline_msg_get(&imsg, &got) == -1,
	    "a long body cut short refused");
	imsgbuf_clear(&wb);
	imsgbuf_clear(&rb);
	close(sv[0]);
	close(sv[1]);
}

/* A message of len bytes from from, its quota on STORE_FULL in *quota. */
static int
put_from(const char *to, const char *from, uint32_t flags, size_t len,
    int *quota)
{
	struct offline_rec	o;

	msg_fill(&o, to, "", NOW);
	strlcpy(o.o_from, from, sizeof(o.o_from));
	o.o_flags = flags;
	memset(o.o_body, 'x', len);
	o.o_bodylen = len;
	*quota = -1;
	return (store_offline_put_quota(&o, quota));
}

/*
 * Each share of q@x.test's queue: 2 messages from one stranger, 3 from
 * one domain, 4 from strangers in all, 6 for the user; bytes likewise.
 * An authenticated sender is bound by the user's limit alone.
 */
static void
test_quota(void)
{
	struct conf_quota	q[OFFLINE_QUOTA_MAX] = {
		[OFFLINE_QUOTA_USER] = { 6, 100000 },
		[OFFLINE_QUOTA_UNAUTH] = { 4, 100000 },
		[OFFLINE_QUOTA_DOMAIN] = { 3, 100000 },
		[OFFLINE_QUOTA_SENDER] = { 2, 1500 },
	};
	const char		*to = "q@x.test";
	int			 r1, r2, r3, which;

	store_offline_quotas(q);
	r1 = put_from(to, "m1@evil.test", 0, 10, &which);
	r2 = put_from(to, "M1@Evil.test", 0, 10, &which);
	r3 = put_from(to, "m1@evil.test", 0, 10, &which);
	TAP_OK(r1 == STORE_OK && r2 == STORE_OK && r3 == STORE_FULL &&
	    which == OFFLINE_QUOTA_SENDER,
	    "a stranger's third message: his own share is full (%d)", which);
	TAP_OK(put_from(to, "m2@evil.test", 0, 10, &which) == STORE_OK &&
	    put_from(to, "m3@evil.test", 0, 10, &which) == STORE_FULL &&
	    which == OFFLINE_QUOTA_DOMAIN,
	    "another of his domain: the domain's share is full (%d)", which);
	TAP_OK(put_from(to, "n1@other.test", 0, 10, &which) == STORE_OK &&
	    put_from(to, "n2@third.test", 0, 10, &which) == STORE_FULL &&
	    which == OFFLINE_QUOTA_UNAUTH,
	    "a fifth stranger: the strangers' share is full (%d)", which);
	TAP_OK(put_from(to, "a@x.test", OFFLINE_F_AUTHED, 10, &which) ==
	    STORE_OK && put_from(to, "a@x.test", OFFLINE_F_AUTHED, 10,
	    &which) == STORE_OK && put_from(to, "b@x.test", OFFLINE_F_AUTHED,
	    10, &which) == STORE_FULL && which == OFFLINE_QUOTA_USER,
	    "authenticated senders fill the rest, then the queue is full");
	TAP_OK(put_from("q2@x.test", "big@evil.test", 0, 1000, &which) ==
	    STORE_OK && put_from("q2@x.test", "big@evil.test", 0, 501,
	    &which) == STORE_FULL && which == OFFLINE_QUOTA_SENDER &&
	    put_from("q2@x.test", "big@evil.test", 0, 500, &which) ==
	    STORE_OK, "bytes: 1000 + 501 over 1500, 1000 + 500 not");
	memset(q, 0xff, sizeof(q));
	q[OFFLINE_QUOTA_USER].q_msgs = OFFLINE_PER_USER_DEFAULT;
	store_offline_quotas(q);
}

/* One summary per recipient, no room taken, never handed to a device. */
static void
test_summary(void)
{
	struct offline_rec	s, got;
	uint64_t		id;

	msg_fill(&s, "s@x.test", "", NOW);
	strlcpy(s.o_from, "postmaster@x.test", sizeof(s.o_from));
	s.o_ctype[0] = '\0';
	s.o_flags = OFFLINE_F_SUMMARY | OFFLINE_F_AUTHED;
	TAP_OK(store_offline_put(&s) == STORE_OK, "a summary is stored");
	TAP_OK(store_offline_put(&s) == STORE_EXISTS, "a second is not");
	TAP_OK(store_offline_first("s@x.test", &got) == STORE_NOTFOUND,
	    "first passes over a summary");
	TAP_OK(put_simple("s@x.test", "held", NOW, &id) == STORE_OK &&
	    store_offline_hold("s@x.test", id) == STORE_OK &&
	    store_offline_first("s@x.test", &got) == STORE_OK &&
	    got.o_id == id && (got.o_flags & OFFLINE_F_HELD) &&
	    got.o_next_try == 0 && got.o_state == OFFLINE_WAITING,
	    "a held message: waiting, never due, flagged");
}

/* A record of version 1, before the flags: not authenticated. */
static void
test_version1(void)
{
	struct offline_rec	o, got;
	struct rec		r;
	struct key		k;
	int			which;

	msg_fill(&o, "v1@x.test", "old", NOW);
	o.o_id = 1000000;
	strlcpy(o.o_from, "a@x.test", sizeof(o.o_from));
	rec_msg(&r, 1, &o);
	key_make(&k, "v1@x.test", o.o_id);
	if (store_kv_insert(STORE_DB_OFFLINE, k.k_data, k.k_len, r.r_data,
	    r.r_len) != STORE_OK)
		errx(1, "test_version1: insert");
	TAP_OK(store_offline_first("v1@x.test", &got) == STORE_OK &&
	    msg_same(&got, &o) && got.o_flags == 0,
	    "a version 1 record reads, as not authenticated");
	store_offline_limits(1, AGE);
	TAP_OK(put_from("v1@x.test", "a@x.test", OFFLINE_F_AUTHED, 1,
	    &which) == STORE_FULL, "and counts against the queue");
	store_offline_limits(OFFLINE_PER_USER_DEFAULT, AGE);
}

/* Bad records were logged by their keys, never by their bodies. */
static void
test_log(void)
{
	static char	buf[1 << 20];
	char		*line, *s;
	FILE		*fp;
	size_t		 n;

	if ((fp = fopen(testenv_log, "r")) == NULL)
		err(1, "%s", testenv_log);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	TAP_OK(strstr(buf, "record of bad@x.test 1 refused: unknown "
	    "version") != NULL, "a bad record is logged by its key");
	TAP_OK(strstr(buf, MARKER) == NULL && strstr(buf, KOREAN) == NULL,
	    "no body reached the log");
	if (!tap_failed)
		return;
	s = buf;
	while ((line = strsep(&s, "\n")) != NULL)
		if (*line != '\0')
			printf("# %s\n", line);
}

int
main(void)
{
	testenv_setup("offline");
	store_offline_limits(OFFLINE_PER_USER_DEFAULT, AGE);
	TAP_OK(store_open(testenv_dir) == 0, "open a fresh environment");
	test_order();
	test_prefix();
	test_reopen();
	test_first();
	test_update();
	test_due();
	test_due_lease();
	test_cap();
	test_walk();
	test_expired();
	test_bodies();
	test_refused();
	test_encoding();
	test_corrupt();
	test_durable();
	test_quota();
	test_summary();
	test_version1();
	store_close();
	test_msg();
	test_msg_bad();
	test_log();
	return (TAP_DONE());
}
