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
 * Unit tests of dirdb/binding_store.c and lib/binding.c, TAP on
 * standard output: bindings through the store's API, their record
 * encoding against an encoder written apart from the real one, the
 * expiry index through sweeps, corrupted records, persistence across a
 * reopen, a sweep over 100,000 bindings, and a binding's round trip
 * through a socketpair.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <arpa/inet.h>
#include <db.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "binding.h"
#include "cdefs.h"
#include "imsg.h"
#include "log.h"
#include "store.h"
#include "tap.h"
#include "testenv.h"

#define NOW		2000000ULL	/* the clock of most tests */
#define FAR		4000000000ULL	/* an expiry no test reaches */
#define SWEEP_NOW	1000ULL		/* before every other expiry */
#define MANY		100000
#define MANY_BASE	3000000ULL	/* MANY expiries from here on */
#define MANY_BATCH	5000		/* bindings per test transaction */
#define SWEEP_CHUNK	1000
#define SYNC_PUTS	1000		/* timed through the real API */
#define SWEEP_MS_MAX	100.0

struct rec {
	unsigned char	r_data[STORE_VAL_MAX];
	size_t		r_len;
};

struct key {
	unsigned char	k_data[STORE_KEY_MAX];
	size_t		k_len;
};

struct listing {
	size_t	l_count;
	size_t	l_stop;		/* stop after this many, 0 never */
	int	l_ordered;
	int	l_foreign;	/* bindings of another address */
	int	l_expired;	/* bindings that had expired */
	const char *l_address;
	char	l_last[IMD_ADDRESS_MAX + BINDING_CONTACT_MAX];
};

struct batch {
	int	ba_first;
	int	ba_n;
};


static double	ms_since(const struct timespec *);
static void	bind_fill(struct binding_rec *, const char *, const char *,
		    uint64_t);
static int	bind_same(const struct binding_rec *,
		    const struct binding_rec *);
static void	rec_u8(struct rec *, unsigned int);
static void	rec_uint(struct rec *, uint64_t, size_t);
static void	rec_bytes(struct rec *, const void *, size_t);
static void	rec_str(struct rec *, const char *);
static void	rec_binding(struct rec *, unsigned int, const char *,
		    const char *, uint64_t);
static void	key_make(struct key *, const char *, const char *);
static void	ikey_make(struct key *, uint64_t, const char *, const char *);
static int	count_one(const void *, size_t, const void *, size_t, void *);
static size_t	db_count(enum store_dbid);
static int	list_one(const struct binding_rec *, void *);
static int	list_user(struct listing *, const char *, uint64_t, size_t);
static int	walk_all(struct listing *, uint64_t);
static int	put_simple(const char *, const char *, uint64_t);
static int	put_at(const char *, const char *, uint64_t, uint64_t);
static void	test_basic(void);
static void	test_refused(void);
static void	test_order(void);
static void	test_delete(void);
static void	test_expired(void);
static void	test_sweep(void);
static void	test_encoding(void);
static void	test_reopen(void);
static void	test_corrupt(void);
static int	many_body(DB_TXN *, void *);
static int	many_write(void);
static void	test_many(void);
static void	test_one_txn(void);
static int	index_at(uint64_t, const char *, const char *);
static uint64_t	indexed_of(const char *, const char *);
static void	test_lazy_index(void);
static size_t	msg_payload(const struct binding_rec *, unsigned char *,
		    size_t);
static void	test_msg(void);
static void	test_msg_bad(void);
static void	test_log(void);

static double
ms_since(const struct timespec *t0)
{
	struct timespec	t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return ((t1.tv_sec - t0->tv_sec) * 1e3 +
	    (t1.tv_nsec - t0->tv_nsec) / 1e6);
}

/* The binding rec_binding() encodes: 192.0.2.1:5060 over TCP. */
static void
bind_fill(struct binding_rec *b, const char *address, const char *contact,
    uint64_t expires)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&b->b_src;

	memset(b, 0, sizeof(*b));
	strlcpy(b->b_address, address, sizeof(b->b_address));
	strlcpy(b->b_contact, contact, sizeof(b->b_contact));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(5060);
	sin->sin_addr.s_addr = htonl(0xc0000201);
	b->b_srclen = sizeof(*sin);
	b->b_transport = TRANSPORT_TCP;
	b->b_conn = 77;
	b->b_expires = expires;
	b->b_q = 500;
	strlcpy(b->b_callid, "call-1@host", sizeof(b->b_callid));
	b->b_cseq = 7;
	strlcpy(b->b_ua, "test agent", sizeof(b->b_ua));
}

static int
bind_same(const struct binding_rec *a, const struct binding_rec *b)
{
	return (strcmp(a->b_address, b->b_address) == 0 &&
	    strcmp(a->b_contact, b->b_contact) == 0 &&
	    a->b_srclen == b->b_srclen &&
	    memcmp(&a->b_src, &b->b_src, a->b_srclen) == 0 &&
	    a->b_transport == b->b_transport && a->b_conn == b->b_conn &&
	    a->b_expires == b->b_expires && a->b_q == b->b_q &&
	    strcmp(a->b_callid, b->b_callid) == 0 &&
	    a->b_cseq == b->b_cseq && strcmp(a->b_ua, b->b_ua) == 0);
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
rec_binding(struct rec *r, unsigned int version, const char *address,
    const char *contact, uint64_t expires)
{
	r->r_len = 0;
	rec_u8(r, version);
	rec_str(r, address);
	rec_str(r, contact);
	rec_u8(r, 4);
	rec_bytes(r, "\xc0\x00\x02\x01", 4);
	rec_uint(r, 5060, 2);
	rec_u8(r, 1);
	rec_uint(r, 77, 8);
	rec_uint(r, expires, 8);
	rec_uint(r, 500, 4);
	rec_str(r, "call-1@host");
	rec_uint(r, 7, 4);
	rec_str(r, "test agent");
	if (version >= 2)
		rec_uint(r, expires, 8);	/* the index time */
}

static void
key_make(struct key *k, const char *address, const char *contact)
{
	size_t	alen = strlen(address), clen = strlen(contact);

	if (alen + 1 + clen > sizeof(k->k_data))
		errx(1, "key_make: too long");
	memcpy(k->k_data, address, alen + 1);
	memcpy(k->k_data + alen + 1, contact, clen);
	k->k_len = alen + 1 + clen;
}

static void
ikey_make(struct key *k, uint64_t expires, const char *address,
    const char *contact)
{
	struct key	bk;
	int		i;

	key_make(&bk, address, contact);
	if (bk.k_len + 8 > sizeof(k->k_data))
		errx(1, "ikey_make: too long");
	for (i = 0; i < 8; i++)
		k->k_data[i] = (expires >> (8 * (7 - i))) & 0xff;
	memcpy(k->k_data + 8, bk.k_data, bk.k_len);
	k->k_len = bk.k_len + 8;
}

static int
count_one(const void *key IMD_UNUSED, size_t keylen IMD_UNUSED,
    const void *val IMD_UNUSED, size_t len IMD_UNUSED, void *arg)
{
	(*(size_t *)arg)++;
	return (0);
}

static size_t
db_count(enum store_dbid id)
{
	size_t	n = 0;

	if (store_kv_walk(id, count_one, &n) != STORE_OK)
		return ((size_t)-1);
	return (n);
}

static int
list_one(const struct binding_rec *b, void *arg)
{
	struct listing	*l = arg;
	char		 k[sizeof(l->l_last)];

	snprintf(k, sizeof(k), "%s %s", b->b_address, b->b_contact);
	if (l->l_count > 0 && strcmp(l->l_last, k) >= 0)
		l->l_ordered = 0;
	strlcpy(l->l_last, k, sizeof(l->l_last));
	if (l->l_address != NULL && strcmp(b->b_address, l->l_address) != 0)
		l->l_foreign++;
	if (b->b_expires <= NOW)
		l->l_expired++;
	l->l_count++;
	if (l->l_stop != 0 && l->l_count == l->l_stop)
		return (-1);
	return (0);
}

static int
list_user(struct listing *l, const char *address, uint64_t now, size_t stop)
{
	memset(l, 0, sizeof(*l));
	l->l_ordered = 1;
	l->l_stop = stop;
	l->l_address = address;
	return (store_binding_list(address, now, list_one, l));
}

static int
walk_all(struct listing *l, uint64_t now)
{
	memset(l, 0, sizeof(*l));
	l->l_ordered = 1;
	return (store_binding_walk(now, list_one, l));
}

static int
put_simple(const char *address, const char *contact, uint64_t expires)
{
	return (put_at(address, contact, expires, NOW));
}

/* A put at the clock now, which decides whether an index entry moves. */
static int
put_at(const char *address, const char *contact, uint64_t expires,
    uint64_t now)
{
	struct binding_rec	b;

	bind_fill(&b, address, contact, expires);
	return (store_binding_put(&b, now));
}

static void
test_basic(void)
{
	struct binding_rec		 b, got;
	struct sockaddr_in6		*sin6 = (struct sockaddr_in6 *)&b.b_src;
	size_t				 n;

	TAP_OK(store_binding_get("alice@x.test", "sip:alice@192.0.2.1",
	    &got) == STORE_NOTFOUND, "get before put: not found");
	bind_fill(&b, "alice@x.test", "sip:alice@192.0.2.1", FAR);
	TAP_OK(store_binding_put(&b, NOW) == STORE_OK, "put");
	TAP_OK(store_binding_get("alice@x.test", "sip:alice@192.0.2.1",
	    &got) == STORE_OK && bind_same(&b, &got),
	    "get returns the binding put");
	bind_fill(&b, "Alice@X.Test", "sip:alice@192.0.2.1", FAR - 1);
	memset(&b.b_src, 0, sizeof(b.b_src));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(5061);
	inet_pton(AF_INET6, "2001:db8::1", &sin6->sin6_addr);
	sin6->sin6_scope_id = 3;
	b.b_srclen = sizeof(*sin6);
	b.b_transport = TRANSPORT_TLS;
	b.b_q = -1;
	b.b_cseq = 8;
	b.b_ua[0] = '\0';
	TAP_OK(store_binding_put(&b, NOW) == STORE_OK, "put in other case");
	strlcpy(b.b_address, "alice@x.test", sizeof(b.b_address));
	TAP_OK(store_binding_get("ALICE@x.test", "sip:alice@192.0.2.1",
	    &got) == STORE_OK && bind_same(&b, &got),
	    "second put replaced the first: IPv6, TLS, no q, no agent");
	TAP_OK(store_binding_count("alice@x.test", NOW, &n) == STORE_OK &&
	    n == 1, "one binding after the replace");
	TAP_OK(store_binding_get("alice@x.test", "SIP:alice@192.0.2.1",
	    &got) == STORE_NOTFOUND,
	    "contacts are compared byte for byte");
	TAP_OK(db_count(STORE_DB_EXPIRY) == 1,
	    "the replace left one index entry");
	memset(&got, 0, sizeof(got));
	strlcpy(got.b_address, "alice@x.test", sizeof(got.b_address));
	strlcpy(got.b_contact, "sip:alice@192.0.2.1", sizeof(got.b_contact));
	TAP_OK(store_binding_get(got.b_address, got.b_contact, &got) ==
	    STORE_OK && got.b_cseq == 8, "get into the record it names");
}

static void
test_refused(void)
{
	struct binding_rec	b, got;
	size_t			n, before;

	before = db_count(STORE_DB_BINDINGS);
	n = 0;
	bind_fill(&b, "no-at-sign", "sip:x@y", FAR);
	n += store_binding_put(&b, NOW) == STORE_FAIL;
	bind_fill(&b, "bob@x.test", "", FAR);
	n += store_binding_put(&b, NOW) == STORE_FAIL;
	bind_fill(&b, "bob@x.test", "sip:bob@host x", FAR);
	n += store_binding_put(&b, NOW) == STORE_FAIL;
	bind_fill(&b, "bob@x.test", "sip:bob@host", FAR);
	memset(b.b_contact, 'c', sizeof(b.b_contact));
	n += store_binding_put(&b, NOW) == STORE_FAIL;
	bind_fill(&b, "bob@x.test", "sip:bob@host", FAR);
	b.b_transport = TRANSPORT_TLS + 1;
	n += store_binding_put(&b, NOW) == STORE_FAIL;
	bind_fill(&b, "bob@x.test", "sip:bob@host", FAR);
	b.b_q = 1001;
	n += store_binding_put(&b, NOW) == STORE_FAIL;
	b.b_q = -2;
	n += store_binding_put(&b, NOW) == STORE_FAIL;
	bind_fill(&b, "bob@x.test", "sip:bob@host", FAR);
	b.b_srclen = sizeof(struct sockaddr_in6);
	n += store_binding_put(&b, NOW) == STORE_FAIL;
	bind_fill(&b, "bob@x.test", "sip:bob@host", FAR);
	b.b_src.ss_family = AF_UNIX;
	n += store_binding_put(&b, NOW) == STORE_FAIL;
	bind_fill(&b, "bob@x.test", "sip:bob@host", FAR);
	memset(b.b_callid, 'i', sizeof(b.b_callid));
	n += store_binding_put(&b, NOW) == STORE_FAIL;
	bind_fill(&b, "bob@x.test", "sip:bob@host", FAR);
	strlcpy(b.b_ua, "agent\r\nX-Evil: 1", sizeof(b.b_ua));
	n += store_binding_put(&b, NOW) == STORE_FAIL;
	TAP_OK(n == 11, "%zu of 11 malformed bindings refused", n);
	TAP_OK(db_count(STORE_DB_BINDINGS) == before &&
	    db_count(STORE_DB_EXPIRY) == before,
	    "nothing refused was stored");
	TAP_OK(store_binding_get("bob@x.test", "", &got) == STORE_FAIL &&
	    store_binding_del("bob", "sip:bob@host") == STORE_FAIL &&
	    store_binding_del_all("") == STORE_FAIL &&
	    store_binding_count("bob@", NOW, &n) == STORE_FAIL,
	    "get, delete and count of malformed names refused");
}

/*
 * Neighbours of a@x.test whose keys sort right beside its own: a
 * longer address, a longer local part, and a shorter domain.
 */
static const char *neighbours[] = {
	"a@x.test2", "ab@x.test", "a@x.tes", "a@x.test.more",
};

static const char *a_contacts[] = {
	"sip:c@192.0.2.3", "sip:a@192.0.2.1", "sips:b@192.0.2.2",
	"sip:b@192.0.2.2;transport=tcp", "sip:b@192.0.2.2",
};

static void
test_order(void)
{
	struct listing	l;
	size_t		i, n, ok = 0;

	for (i = 0; i < sizeof(a_contacts) / sizeof(a_contacts[0]); i++)
		ok += put_simple("a@x.test", a_contacts[i], FAR) == STORE_OK;
	for (i = 0; i < sizeof(neighbours) / sizeof(neighbours[0]); i++)
		ok += put_simple(neighbours[i], "sip:n@192.0.2.9", FAR) ==
		    STORE_OK;
	TAP_OK(ok == 9, "put 5 contacts of a@x.test and 4 neighbours");
	TAP_OK(list_user(&l, "a@x.test", NOW, 0) == STORE_OK &&
	    l.l_count == 5 && l.l_foreign == 0,
	    "list: the user's 5 bindings and no neighbour's");
	TAP_OK(l.l_ordered &&
	    strcmp(l.l_last, "a@x.test sips:b@192.0.2.2") == 0,
	    "list in key order");
	TAP_OK(list_user(&l, "A@X.TEST", NOW, 2) == STORE_OK &&
	    l.l_count == 2, "list in other case, stopped after 2");
	for (i = 0, ok = 0; i < sizeof(neighbours) / sizeof(neighbours[0]);
	    i++)
		ok += list_user(&l, neighbours[i], NOW, 0) == STORE_OK &&
		    l.l_count == 1 && l.l_foreign == 0 &&
		    store_binding_count(neighbours[i], NOW, &n) == STORE_OK &&
		    n == 1;
	TAP_OK(ok == 4, "each neighbour lists and counts its one binding");
	TAP_OK(list_user(&l, "nobody@x.test", NOW, 0) == STORE_OK &&
	    l.l_count == 0, "list of a user without bindings is empty");
	TAP_OK(walk_all(&l, NOW) == STORE_OK && l.l_count == 10 &&
	    l.l_ordered, "walk: all 10 bindings in key order");
}

static void
test_delete(void)
{
	struct binding_rec	got;
	struct listing		l;
	size_t			i, n, ok = 0;

	TAP_OK(store_binding_del("A@x.test", "sip:b@192.0.2.2") == STORE_OK,
	    "delete one contact");
	TAP_OK(store_binding_get("a@x.test", "sip:b@192.0.2.2", &got) ==
	    STORE_NOTFOUND, "get after delete: not found");
	TAP_OK(store_binding_del("a@x.test", "sip:b@192.0.2.2") ==
	    STORE_NOTFOUND, "second delete: not found");
	TAP_OK(store_binding_count("a@x.test", NOW, &n) == STORE_OK && n == 4,
	    "4 bindings left");
	TAP_OK(store_binding_del_all("a@x.TEST") == STORE_OK &&
	    store_binding_count("a@x.test", NOW, &n) == STORE_OK && n == 0,
	    "delete all");
	for (i = 0; i < sizeof(neighbours) / sizeof(neighbours[0]); i++)
		ok += store_binding_count(neighbours[i], NOW, &n) ==
		    STORE_OK && n == 1;
	TAP_OK(ok == 4, "delete all left every neighbour's binding");
	TAP_OK(store_binding_del_all("a@x.test") == STORE_OK,
	    "delete all of a user without bindings");
	TAP_OK(walk_all(&l, NOW) == STORE_OK && l.l_count == 5 &&
	    db_count(STORE_DB_EXPIRY) == 5,
	    "5 bindings and 5 index entries left");
}

static void
test_expired(void)
{
	struct binding_rec	got;
	struct listing		l;
	size_t			n;

	TAP_OK(put_simple("e@x.test", "sip:e1@192.0.2.1", NOW - 1) ==
	    STORE_OK && put_simple("e@x.test", "sip:e2@192.0.2.1", NOW) ==
	    STORE_OK && put_simple("e@x.test", "sip:e3@192.0.2.1", NOW + 1) ==
	    STORE_OK, "put bindings expiring before, at and after now");
	TAP_OK(list_user(&l, "e@x.test", NOW, 0) == STORE_OK &&
	    l.l_count == 1 && l.l_expired == 0 &&
	    strcmp(l.l_last, "e@x.test sip:e3@192.0.2.1") == 0,
	    "list shows only the one expiring after now");
	TAP_OK(store_binding_count("e@x.test", NOW, &n) == STORE_OK && n == 1,
	    "count sees only the one expiring after now");
	TAP_OK(walk_all(&l, NOW) == STORE_OK && l.l_count == 6 &&
	    l.l_expired == 0, "walk hides the expired");
	TAP_OK(list_user(&l, "e@x.test", NOW - 2, 0) == STORE_OK &&
	    l.l_count == 3, "with an earlier clock all three are there");
	TAP_OK(store_binding_get("e@x.test", "sip:e1@192.0.2.1", &got) ==
	    STORE_OK && got.b_expires == NOW - 1,
	    "get returns an expired binding");
	TAP_OK(store_binding_del_all("e@x.test") == STORE_OK &&
	    db_count(STORE_DB_EXPIRY) == 5, "delete all takes the expired");
}

static void
test_sweep(void)
{
	struct binding_rec	got;
	size_t			removed, ok = 0;

	ok += put_simple("s@x.test", "sip:e1@192.0.2.1", 100) == STORE_OK;
	ok += put_simple("s@x.test", "sip:e2@192.0.2.1", 200) == STORE_OK;
	ok += put_simple("s@x.test", "sip:e3@192.0.2.1", 300) == STORE_OK;
	ok += put_simple("s@x.test", "sip:live@192.0.2.1", SWEEP_NOW + 1) ==
	    STORE_OK;
	ok += put_simple("t@x.test", "sip:e4@192.0.2.1", 150) == STORE_OK;
	ok += put_simple("t@x.test", "sip:at@192.0.2.1", SWEEP_NOW) ==
	    STORE_OK;
	ok += put_simple("t@x.test", "sip:r@192.0.2.1", 250) == STORE_OK;
	ok += put_simple("t@x.test", "sip:r@192.0.2.1", FAR) == STORE_OK;
	TAP_OK(ok == 8, "put 4 expired, 1 expiring at the sweep's now, "
	    "2 live of which 1 renewed");
	TAP_OK(store_binding_sweep(SWEEP_NOW, 0, &removed) == STORE_OK &&
	    removed == 0, "sweep of at most 0 removes nothing");
	TAP_OK(store_binding_sweep(SWEEP_NOW, 2, &removed) == STORE_OK &&
	    removed == 2, "sweep of at most 2 removes 2");
	TAP_OK(store_binding_get("s@x.test", "sip:e1@192.0.2.1", &got) ==
	    STORE_NOTFOUND && store_binding_get("t@x.test",
	    "sip:e4@192.0.2.1", &got) == STORE_NOTFOUND &&
	    store_binding_get("s@x.test", "sip:e2@192.0.2.1", &got) ==
	    STORE_OK, "the oldest two went");
	TAP_OK(store_binding_sweep(SWEEP_NOW, 100, &removed) == STORE_OK &&
	    removed == 3, "sweep removes the other 3 expired");
	TAP_OK(store_binding_get("t@x.test", "sip:r@192.0.2.1", &got) ==
	    STORE_OK && got.b_expires == FAR,
	    "a binding renewed since is not swept by its old expiry");
	TAP_OK(store_binding_get("s@x.test", "sip:live@192.0.2.1", &got) ==
	    STORE_OK && store_binding_get("t@x.test", "sip:at@192.0.2.1",
	    &got) == STORE_NOTFOUND, "expired at now goes, after now stays");
	TAP_OK(store_binding_sweep(SWEEP_NOW, 100, &removed) == STORE_OK &&
	    removed == 0, "a second sweep finds nothing");
	TAP_OK(db_count(STORE_DB_BINDINGS) == 7 &&
	    db_count(STORE_DB_EXPIRY) == 7,
	    "one index entry per binding, none stale");
}

/* The bytes on disk are the documented layout, with the version first. */
static void
test_encoding(void)
{
	struct rec	want, got;
	struct key	k;

	rec_binding(&want, 2, "s@x.test", "sip:live@192.0.2.1",
	    SWEEP_NOW + 1);
	key_make(&k, "s@x.test", "sip:live@192.0.2.1");
	TAP_OK(store_kv_get(STORE_DB_BINDINGS, k.k_data, k.k_len, got.r_data,
	    sizeof(got.r_data), &got.r_len) == STORE_OK &&
	    got.r_len == want.r_len &&
	    memcmp(got.r_data, want.r_data, want.r_len) == 0,
	    "record on disk is version 2 in the documented layout");
	ikey_make(&k, SWEEP_NOW + 1, "s@x.test", "sip:live@192.0.2.1");
	TAP_OK(store_kv_get(STORE_DB_EXPIRY, k.k_data, k.k_len, got.r_data,
	    sizeof(got.r_data), &got.r_len) == STORE_OK && got.r_len == 0,
	    "index key is the expiry, big-endian, then the key");
}

static void
test_reopen(void)
{
	struct binding_rec	got;
	struct listing		l;
	size_t			removed;

	store_close();
	TAP_OK(store_binding_get("s@x.test", "sip:live@192.0.2.1", &got) ==
	    STORE_FAIL && put_simple("s@x.test", "sip:closed", FAR) ==
	    STORE_FAIL, "get and put on a closed store fail");
	TAP_OK(store_open(testenv_dir) == 0, "reopen");
	TAP_OK(store_binding_get("s@x.test", "sip:live@192.0.2.1", &got) ==
	    STORE_OK && got.b_expires == SWEEP_NOW + 1,
	    "a binding survives the reopen");
	TAP_OK(walk_all(&l, SWEEP_NOW) == STORE_OK && l.l_count == 7,
	    "all bindings survive the reopen");
	TAP_OK(store_binding_sweep(SWEEP_NOW + 1, 10, &removed) ==
	    STORE_OK && removed == 1 && db_count(STORE_DB_EXPIRY) == 6,
	    "the index survives the reopen");
}

/* Each bad record, under its own contact, refused without a crash. */
static const char *bad_contacts[] = {
	"sip:v3", "sip:short", "sip:trail", "sip:long", "sip:other",
	"sip:nul", "sip:over", "sip:transport", "sip:q", "sip:src",
	"sip:upper", "sip:empty", "sip:space", "sip:late",
};
#define NBAD	(sizeof(bad_contacts) / sizeof(bad_contacts[0]))

static void
corrupt_make(struct rec *r, size_t i, const char *contact)
{
	rec_binding(r, i == 0 ? 3 : 1, "c@x.test", contact, FAR);
	switch (i) {
	case 1:
		r->r_len -= 3;
		break;
	case 2:
		rec_u8(r, 0);
		break;
	case 3:
		r->r_data[1] = r->r_data[2] = 0xff;
		break;
	case 4:
		rec_binding(r, 1, "c@x.test", "sip:someone", FAR);
		break;
	case 5:
		r->r_data[5] = '\0';
		break;
	case 6:
		memset(r->r_data + r->r_len, 'x', 2000);
		r->r_len += 2000;
		break;
	case 7:		/* the transport byte: after the 4 + 4 + 2 source */
		r->r_data[1 + 2 + 8 + 2 + strlen(contact) + 7] = 3;
		break;
	case 8:		/* q, after transport, connection and expiry: 1268 */
		r->r_data[1 + 2 + 8 + 2 + strlen(contact) + 7 + 1 + 16 +
		    2] = 0x04;
		break;
	case 9:		/* the source's tag */
		r->r_data[1 + 2 + 8 + 2 + strlen(contact)] = 5;
		break;
	case 10:
		rec_binding(r, 1, "C@x.test", contact, FAR);
		break;
	case 11:
		r->r_len = 0;
		break;
	case 12:
		rec_binding(r, 1, "c@x.test", "sip:sp ace", FAR);
		break;
	case 13:	/* indexed after its expiry: a sweep would be late */
		rec_binding(r, 2, "c@x.test", contact, FAR);
		r->r_data[r->r_len - 1]++;
		break;
	}
}

static void
test_corrupt(void)
{
	struct binding_rec	got;
	struct listing		l;
	struct rec		r;
	struct key		k;
	size_t			i, n, refused = 0;

	for (i = 0; i < NBAD; i++) {
		corrupt_make(&r, i, bad_contacts[i]);
		key_make(&k, i == 10 ? "C@x.test" : "c@x.test",
		    bad_contacts[i]);
		if (i == 12)
			key_make(&k, "c@x.test", "sip:sp ace");
		if (store_kv_insert(STORE_DB_BINDINGS, k.k_data, k.k_len,
		    r.r_data, r.r_len) != STORE_OK)
			errx(1, "test_corrupt: insert %zu", i);
	}
	TAP_OK(put_simple("c@x.test", "sip:good@192.0.2.1", FAR) == STORE_OK,
	    "a good binding beside %zu bad records", NBAD);
	for (i = 0; i < NBAD; i++)
		if (i != 10 && i != 12 && store_binding_get("c@x.test",
		    bad_contacts[i], &got) == STORE_FAIL &&
		    got.b_address[0] == '\0')
			refused++;
	TAP_OK(refused == NBAD - 2, "get refuses all %zu bad records it "
	    "can name", refused);
	TAP_OK(list_user(&l, "c@x.test", NOW, 0) == STORE_FAIL &&
	    l.l_count == 1, "list delivers the good binding and fails");
	TAP_OK(store_binding_count("c@x.test", NOW, &n) == STORE_FAIL &&
	    n == 0, "count fails");
	TAP_OK(walk_all(&l, NOW) == STORE_FAIL && l.l_count == 7,
	    "walk skips the bad records, delivers the good, and fails");
	TAP_OK(put_simple("c@x.test", "sip:v3", FAR) == STORE_OK &&
	    store_binding_get("c@x.test", "sip:v3", &got) == STORE_OK,
	    "a put replaces a bad record");
	TAP_OK(store_binding_del("c@x.test", "sip:short") == STORE_OK,
	    "a bad record can be deleted");
	TAP_OK(store_binding_del_all("c@x.test") == STORE_OK &&
	    list_user(&l, "c@x.test", NOW, 0) == STORE_OK && l.l_count == 0,
	    "delete all takes bad records too");
	key_make(&k, "C@x.test", "sip:upper");
	TAP_OK(store_kv_del(STORE_DB_BINDINGS, k.k_data, k.k_len) ==
	    STORE_OK && walk_all(&l, NOW) == STORE_OK && l.l_count == 6,
	    "walk succeeds once bad records are gone");
	TAP_OK(store_kv_insert(STORE_DB_EXPIRY, "\0\0\0", 3, "", 0) ==
	    STORE_OK && store_binding_sweep(NOW, 100, &i) == STORE_OK &&
	    i == 0 && db_count(STORE_DB_EXPIRY) == 6,
	    "a malformed index entry is dropped by a sweep");
}

/*
 * The 100,000 bindings go in with the test's own encoder, MANY_BATCH
 * to a transaction: one synchronous commit each through the API would
 * time the disk, not the store.
 */
static int
many_body(DB_TXN *txn, void *arg)
{
	struct batch	*ba = arg;
	DB		*bdb = store_kv_db(STORE_DB_BINDINGS);
	DB		*xdb = store_kv_db(STORE_DB_EXPIRY);
	struct rec	 r;
	struct key	 k, ik;
	char		 address[IMD_ADDRESS_MAX];
	DBT		 dk, dv;
	int		 i, e;

	for (i = ba->ba_first; i < ba->ba_first + ba->ba_n; i++) {
		snprintf(address, sizeof(address), "u%06d@many.test", i);
		rec_binding(&r, 1, address, "sip:u@192.0.2.1", MANY_BASE + i);
		key_make(&k, address, "sip:u@192.0.2.1");
		ikey_make(&ik, MANY_BASE + i, address, "sip:u@192.0.2.1");
		memset(&dk, 0, sizeof(dk));
		memset(&dv, 0, sizeof(dv));
		dk.data = k.k_data;
		dk.size = k.k_len;
		dv.data = r.r_data;
		dv.size = r.r_len;
		if ((e = bdb->put(bdb, txn, &dk, &dv, 0)) != 0)
			return (e);
		dk.data = ik.k_data;
		dk.size = ik.k_len;
		dv.size = 0;
		if ((e = xdb->put(xdb, txn, &dk, &dv, 0)) != 0)
			return (e);
	}
	return (0);
}

static int
many_write(void)
{
	struct batch	ba;

	for (ba.ba_first = 0; ba.ba_first < MANY; ba.ba_first += MANY_BATCH) {
		ba.ba_n = MANY_BATCH;
		if (store_kv_txn(STORE_DB_BINDINGS, "test put", many_body,
		    &ba, 1) != STORE_OK)
			return (-1);
	}
	return (0);
}

static void
test_many(void)
{
	struct timespec	t0;
	struct listing	l;
	char		contact[64];
	size_t		removed, total = 0, calls = 0;
	double		ms, worst = 0;
	int		i, ok = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < SYNC_PUTS; i++) {
		snprintf(contact, sizeof(contact), "sip:p%d@192.0.2.1", i);
		ok += put_simple("p@x.test", contact, FAR) == STORE_OK;
	}
	ms = ms_since(&t0);
	TAP_OK(ok == SYNC_PUTS, "%d synchronous puts", SYNC_PUTS);
	printf("# %d puts, each committed to disk: %.0f ms, %.2f ms a put\n",
	    SYNC_PUTS, ms, ms / SYNC_PUTS);
	TAP_OK(store_binding_del_all("p@x.test") == STORE_OK,
	    "delete all of %d bindings in one call", SYNC_PUTS);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	TAP_OK(many_write() == 0, "%d bindings written", MANY);
	printf("# %d bindings in transactions of %d: %.0f ms\n", MANY,
	    MANY_BATCH, ms_since(&t0));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	TAP_OK(walk_all(&l, NOW) == STORE_OK && l.l_count == MANY + 6 &&
	    l.l_ordered, "walk of %zu bindings in key order", l.l_count);
	printf("# walk decoding every binding, for comparison: %.1f ms\n",
	    ms_since(&t0));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	TAP_OK(store_binding_sweep(MANY_BASE - 1, SWEEP_CHUNK, &removed) ==
	    STORE_OK && removed == 0, "sweep with none expired");
	ms = ms_since(&t0);
	printf("# sweep over %d bindings, none expired: %.3f ms\n", MANY, ms);
	TAP_OK(ms < SWEEP_MS_MAX, "sweep with none expired under %.0f ms",
	    SWEEP_MS_MAX);
	do {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (store_binding_sweep(MANY_BASE + MANY, SWEEP_CHUNK,
		    &removed) != STORE_OK)
			break;
		if ((ms = ms_since(&t0)) > worst)
			worst = ms;
		total += removed;
		calls++;
	} while (removed > 0 && calls <= MANY / SWEEP_CHUNK + 1);
	TAP_OK(total == MANY && calls == MANY / SWEEP_CHUNK + 1,
	    "sweeps of %d remove all %zu in %zu calls", SWEEP_CHUNK, total,
	    calls - 1);
	printf("# sweep of %d expired bindings: at most %.1f ms\n",
	    SWEEP_CHUNK, worst);
	TAP_OK(db_count(STORE_DB_BINDINGS) == 6 &&
	    db_count(STORE_DB_EXPIRY) == 6, "the other bindings are left");
}

/* The payload binding_msg_add() writes, taken before it is sent. */
static size_t
msg_payload(const struct binding_rec *b, unsigned char *buf, size_t size)
{
	struct imsgbuf	ib;
	struct ibuf	*ibuf;
	size_t		 len;

	memset(&ib, 0, sizeof(ib));
	if ((ibuf = imsg_create(&ib, 1, 0, 0)) == NULL ||
	    binding_msg_add(ibuf, b) == -1)
		errx(1, "msg_payload");
	len = ibuf->ib_len - IMSG_HDR_SIZE;
	if (len > size)
		errx(1, "msg_payload: too long");
	memcpy(buf, ibuf->ib_data + IMSG_HDR_SIZE, len);
	ibuf_free(ibuf);
	return (len);
}

static void
test_msg(void)
{
	struct binding_rec	 b, got;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&b.b_src;
	struct imsgbuf		 wb, rb;
	struct imsg		 imsg;
	struct ibuf		*ibuf;
	int			 sv[2], r;

	bind_fill(&b, "alice@x.test", "sip:alice@[2001:db8::1]:5061", FAR);
	memset(&b.b_src, 0, sizeof(b.b_src));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(5061);
	inet_pton(AF_INET6, "2001:db8::1", &sin6->sin6_addr);
	b.b_srclen = sizeof(*sin6);
	b.b_transport = TRANSPORT_TLS;
	b.b_q = -1;
	testenv_pair(sv, &wb, &rb);
	TAP_OK((ibuf = imsg_create(&wb, 1, 0, 0)) != NULL &&
	    binding_msg_add(ibuf, &b) == 0 && imsg_close(&wb, ibuf) == 0 &&
	    imsgbuf_flush(&wb) == 0, "binding sent");
	while ((r = imsg_get(&rb, &imsg)) == 0 && imsgbuf_read(&rb) > 0)
		;
	TAP_OK(r == 1 && binding_msg_get(&imsg, &got) == 0 &&
	    imsg_get_end(&imsg) == 0 && bind_same(&b, &got),
	    "binding received whole, payload consumed exactly");
	b.b_srclen = sizeof(b.b_src) + 1;
	TAP_OK((ibuf = imsg_create(&wb, 1, 0, 0)) != NULL &&
	    binding_msg_add(ibuf, &b) == -1 && imsg_close(&wb, ibuf) == -1,
	    "a source longer than sockaddr_storage is not sent");
	imsgbuf_clear(&wb);
	imsgbuf_clear(&rb);
	close(sv[0]);
	close(sv[1]);
}

/* Every cut of a good payload, and each bound, refused. */
static void
test_msg_bad(void)
{
	struct binding_rec	 b, got;
	struct imsgbuf		 wb, rb;
	struct imsg		 imsg;
	unsigned char		 p[IMSG_PAYLOAD_MAX], *f;
	size_t			 len, cut, refused = 0;
	uint32_t		 v;
	int			 sv[2];

	bind_fill(&b, "alice@x.test", "sip:alice@192.0.2.1", FAR);
	len = msg_payload(&b, p, sizeof(p));
	testenv_pair(sv, &wb, &rb);
	for (cut = 0; cut < len; cut++)
		if (testenv_send(&wb, &rb, p, cut, &imsg) == 1 &&
		    binding_msg_get(&imsg, &got) == -1 &&
		    got.b_address[0] == '\0')
			refused++;
	TAP_OK(refused == len, "all %zu truncated payloads refused", len);
	p[len] = 0;
	TAP_OK(testenv_send(&wb, &rb, p, len + 1, &imsg) == 1 &&
	    binding_msg_get(&imsg, &got) == 0 && imsg_get_end(&imsg) == -1,
	    "a trailing byte is left for imsg_get_end to refuse");
	f = p + strlen("alice@x.test") + 1 + strlen("sip:alice@192.0.2.1") + 1;
	v = sizeof(b.b_src) + 1;
	memcpy(f, &v, sizeof(v));
	TAP_OK(testenv_send(&wb, &rb, p, len, &imsg) == 1 &&
	    binding_msg_get(&imsg, &got) == -1 && errno == EBADMSG,
	    "a source length beyond sockaddr_storage refused");
	v = b.b_srclen;
	memcpy(f, &v, sizeof(v));
	f += sizeof(v) + b.b_srclen;
	v = TRANSPORT_TLS + 1;
	memcpy(f, &v, sizeof(v));
	TAP_OK(testenv_send(&wb, &rb, p, len, &imsg) == 1 &&
	    binding_msg_get(&imsg, &got) == -1, "an unknown transport refused");
	v = TRANSPORT_UDP;
	memcpy(f, &v, sizeof(v));
	f += sizeof(v) + 8 + 8;
	v = 1001;
	memcpy(f, &v, sizeof(v));
	TAP_OK(testenv_send(&wb, &rb, p, len, &imsg) == 1 &&
	    binding_msg_get(&imsg, &got) == -1, "a q above 1000 refused");
	imsgbuf_clear(&wb);
	imsgbuf_clear(&rb);
	close(sv[0]);
	close(sv[1]);
}

/* Bad records were logged, and the log shows the test's failures. */
static void
test_log(void)
{
	char	buf[65536], *line, *s;
	FILE	*fp;
	size_t	n;

	if ((fp = fopen(testenv_log, "r")) == NULL)
		err(1, "%s", testenv_log);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	TAP_OK(strstr(buf, "record of c@x.test sip:v3 refused: unknown "
	    "version") != NULL, "a bad record is logged by its key");
	if (!tap_failed)
		return;
	s = buf;
	while ((line = strsep(&s, "\n")) != NULL)
		if (*line != '\0')
			printf("# %s\n", line);
}

/*
 * A REGISTER's calls in one transaction (store_binding_txn): what the
 * body lists, puts and deletes commits together, or not at all.
 */
struct one_txn {
	int	fail;		/* the body fails after its writes */
	size_t	listed;
};

static int
one_txn_count(const struct binding_rec *b IMD_UNUSED,
    uint64_t indexed IMD_UNUSED, void *arg)
{
	((struct one_txn *)arg)->listed++;
	return (0);
}

static int
one_txn_body(DB_TXN *txn, void *arg)
{
	struct one_txn		*ot = arg;
	struct binding_rec	 b;
	int			 e;

	ot->listed = 0;
	if ((e = store_binding_list_in(txn, "tx@x.test", NOW, one_txn_count,
	    ot)) != 0)
		return (e);
	bind_fill(&b, "tx@x.test", "sip:tx@192.0.2.9", FAR);
	if ((e = store_binding_put_in(txn, &b, NOW, NULL)) != 0 ||
	    (e = store_binding_del_in(txn, "tx@x.test", "sip:tx@old")) != 0 ||
	    (e = store_binding_del_in(txn, "tx@x.test", "sip:none")) != 0)
		return (e);
	return (ot->fail ? -1 : 0);
}

static int
one_txn_clear(DB_TXN *txn, void *arg IMD_UNUSED)
{
	return (store_binding_del_all_in(txn, "tx@x.test"));
}

static void
test_one_txn(void)
{
	struct one_txn		ot = { 1, 0 };
	struct binding_rec	b, got;
	size_t			n, index;

	bind_fill(&b, "tx@x.test", "sip:tx@old", FAR);
	TAP_OK(store_binding_put(&b, NOW) == STORE_OK, "one txn: a binding before");
	index = db_count(STORE_DB_EXPIRY);
	TAP_OK(store_binding_txn(one_txn_body, &ot) != STORE_OK &&
	    ot.listed == 1, "a failed body lists the binding and fails");
	TAP_OK(store_binding_get("tx@x.test", "sip:tx@old", &got) ==
	    STORE_OK && store_binding_get("tx@x.test", "sip:tx@192.0.2.9",
	    &got) == STORE_NOTFOUND && db_count(STORE_DB_EXPIRY) == index,
	    "and none of its writes is left");
	ot.fail = 0;
	TAP_OK(store_binding_txn(one_txn_body, &ot) == STORE_OK,
	    "the same body commits");
	TAP_OK(store_binding_get("tx@x.test", "sip:tx@old", &got) ==
	    STORE_NOTFOUND && store_binding_get("tx@x.test",
	    "sip:tx@192.0.2.9", &got) == STORE_OK &&
	    store_binding_count("tx@x.test", NOW, &n) == STORE_OK && n == 1 &&
	    db_count(STORE_DB_EXPIRY) == index,
	    "one put and one delete, a missing delete no error, one index "
	    "entry each");
	TAP_OK(store_binding_txn(one_txn_clear, NULL) == STORE_OK &&
	    store_binding_count("tx@x.test", NOW, &n) == STORE_OK && n == 0 &&
	    db_count(STORE_DB_EXPIRY) == index - 1,
	    "delete all in a transaction takes bindings and entries");
}

/* 1 when expiry.db has the entry of time at for the binding. */
static int
index_at(uint64_t at, const char *address, const char *contact)
{
	struct rec	got;
	struct key	k;

	ikey_make(&k, at, address, contact);
	return (store_kv_get(STORE_DB_EXPIRY, k.k_data, k.k_len, got.r_data,
	    sizeof(got.r_data), &got.r_len) == STORE_OK);
}

/* The index time the record on disk holds, its last 8 bytes. */
static uint64_t
indexed_of(const char *address, const char *contact)
{
	struct rec	got;
	struct key	k;
	uint64_t	v = 0;
	size_t		i;

	key_make(&k, address, contact);
	if (store_kv_get(STORE_DB_BINDINGS, k.k_data, k.k_len, got.r_data,
	    sizeof(got.r_data), &got.r_len) != STORE_OK || got.r_len < 8)
		return (0);
	for (i = got.r_len - 8; i < got.r_len; i++)
		v = v << 8 | got.r_data[i];
	return (v);
}

/*
 * A refresh that moves the expiry later leaves the index entry where
 * it was made while the entry is at least half the new lifetime away;
 * the sweep that reaches the entry of a binding refreshed since moves
 * it to the expiry, and the binding goes in the first sweep at or
 * after its expiry, as before.  A refresh in the second half of the
 * entry's time, or one that brings the expiry earlier, moves the entry
 * at once.  The times are after every binding the other tests left.
 */
static void
test_lazy_index(void)
{
	const char		*a = "lazy@x.test", *c = "sip:lazy@192.0.2.1";
	const char		*c2 = "sip:short@192.0.2.1";
	const char		*c3 = "sip:late@192.0.2.1";
	const uint64_t		 t = MANY_BASE + MANY + 1000;
	struct binding_rec	 got;
	size_t			 entries, removed;

	entries = db_count(STORE_DB_EXPIRY);
	TAP_OK(put_at(a, c, t + 10, t) == STORE_OK && index_at(t + 10, a, c) &&
	    indexed_of(a, c) == t + 10, "a new binding is indexed at its "
	    "expiry");
	TAP_OK(put_at(a, c, t + 20, t) == STORE_OK && index_at(t + 10, a, c) &&
	    !index_at(t + 20, a, c) && indexed_of(a, c) == t + 10 &&
	    db_count(STORE_DB_EXPIRY) == entries + 1,
	    "a refresh to a later expiry leaves an entry half its lifetime "
	    "away");
	TAP_OK(store_binding_get(a, c, &got) == STORE_OK &&
	    got.b_expires == t + 20, "the binding has the new expiry");
	TAP_OK(store_binding_sweep(t + 10, 100, &removed) == STORE_OK &&
	    removed == 0 && store_binding_get(a, c, &got) == STORE_OK &&
	    got.b_expires == t + 20, "the sweep at the old expiry keeps the "
	    "refreshed binding");
	TAP_OK(!index_at(t + 10, a, c) && index_at(t + 20, a, c) &&
	    indexed_of(a, c) == t + 20 &&
	    db_count(STORE_DB_EXPIRY) == entries + 1,
	    "and moves its entry to the expiry");
	TAP_OK(put_at(a, c, t + 30, t + 10) == STORE_OK &&
	    store_binding_sweep(t + 29, 100, &removed) == STORE_OK &&
	    removed == 0 && index_at(t + 30, a, c),
	    "refreshed again: the next sweep moves it again");
	TAP_OK(store_binding_sweep(t + 30, 100, &removed) == STORE_OK &&
	    removed == 1 && store_binding_get(a, c, &got) == STORE_NOTFOUND &&
	    db_count(STORE_DB_EXPIRY) == entries,
	    "the sweep at the expiry removes the binding and its entry");
	TAP_OK(put_at(a, c2, t + 50, t) == STORE_OK &&
	    put_at(a, c2, t + 40, t) == STORE_OK && index_at(t + 40, a, c2) &&
	    !index_at(t + 50, a, c2) && indexed_of(a, c2) == t + 40,
	    "an earlier expiry moves the entry at once");
	TAP_OK(store_binding_sweep(t + 40, 100, &removed) == STORE_OK &&
	    removed == 1 && db_count(STORE_DB_EXPIRY) == entries,
	    "and the sweep at that expiry removes the binding");
	TAP_OK(put_at(a, c3, t + 100, t) == STORE_OK &&
	    put_at(a, c3, t + 160, t + 60) == STORE_OK &&
	    index_at(t + 160, a, c3) && !index_at(t + 100, a, c3) &&
	    indexed_of(a, c3) == t + 160,
	    "a refresh with its entry due within half the lifetime moves it");
	TAP_OK(put_at(a, c3, t + 300, t + 170) == STORE_OK &&
	    index_at(t + 300, a, c3) && !index_at(t + 160, a, c3),
	    "so does one after the entry fell due");
	TAP_OK(store_binding_sweep(t + 300, 100, &removed) == STORE_OK &&
	    removed == 1 && db_count(STORE_DB_EXPIRY) == entries,
	    "and the sweep at its expiry removes it");
}

int
main(void)
{
	testenv_setup("binding");
	TAP_OK(store_open(testenv_dir) == 0, "open a fresh environment");
	test_basic();
	test_refused();
	test_order();
	test_delete();
	test_expired();
	test_sweep();
	test_encoding();
	test_reopen();
	test_corrupt();
	test_many();
	test_one_txn();
	test_lazy_index();
	store_close();
	test_msg();
	test_msg_bad();
	test_log();
	return (TAP_DONE());
}
