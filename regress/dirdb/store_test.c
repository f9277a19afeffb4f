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
 * Unit tests of dirdb/store.c and dirdb/user_store.c, TAP on standard
 * output: the users database through its API, its record encoding read
 * back with raw libdb calls, corrupted records, persistence across a
 * reopen, and durability across a SIGKILL right after a write.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <db.h>
#include <dirent.h>
#include <err.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "tap.h"
#include "testenv.h"
#include "user.h"

#define NUSERS		1000
#define MD5_A		"0123456789abcdef0123456789abcdef"
#define MD5_B		"fedcba9876543210fedcba9876543210"
#define SHA_A		"00112233445566778899aabbccddeeff" \
			"00112233445566778899aabbccddeeff"
#define SHA_B		"ffeeddccbbaa99887766554433221100" \
			"ffeeddccbbaa99887766554433221100"

struct rec {
	unsigned char	r_data[STORE_VAL_MAX + 16];
	size_t		r_len;
};

struct listing {
	size_t	l_count;
	size_t	l_stop;		/* stop after this many, 0 never */
	int	l_ordered;
	char	l_last[IMD_ADDRESS_MAX];
};


static void	user_fill(struct user_rec *, const char *, const char *,
		    const char *);
static int	user_same(const struct user_rec *, const struct user_rec *);
static void	rec_u8(struct rec *, unsigned int);
static void	rec_uint(struct rec *, uint64_t, size_t);
static void	rec_str(struct rec *, const char *);
static void	rec_user(struct rec *, unsigned int, const char *,
		    const char *);
static void	raw_open(DB_ENV **, DB **);
static void	raw_close(DB_ENV *, DB *);
static void	raw_put(const char *, size_t, const struct rec *);
static int	raw_get(const char *, struct rec *);
static void	raw_del(const char *, size_t);
static int	list_one(const struct user_rec *, void *);
static int	list_all(struct listing *, size_t);
static void	test_basic(void);
static void	test_update(void);
static void	test_delete(void);
static void	test_refused(void);
static void	test_encoding(void);
static void	test_many(void);
static void	test_reopen(void);
static void	test_corrupt(void);
static int	durable_writes(void);
static void	test_durable(void);
static void	test_files(void);
static void	test_log(void);
static void	log_dump(char *);

static void
user_fill(struct user_rec *u, const char *address, const char *md5,
    const char *sha)
{
	memset(u, 0, sizeof(*u));
	strlcpy(u->u_address, address, sizeof(u->u_address));
	strlcpy(u->u_realm, "example.org", sizeof(u->u_realm));
	strlcpy(u->u_ha1_md5, md5, sizeof(u->u_ha1_md5));
	strlcpy(u->u_ha1_sha256, sha, sizeof(u->u_ha1_sha256));
	strlcpy(u->u_mail, "alice@mail.example.org", sizeof(u->u_mail));
	u->u_created = 0x0123456789abcdefULL;
	u->u_flags = 0;
}

static int
user_same(const struct user_rec *a, const struct user_rec *b)
{
	return (strcmp(a->u_address, b->u_address) == 0 &&
	    strcmp(a->u_realm, b->u_realm) == 0 &&
	    strcmp(a->u_ha1_md5, b->u_ha1_md5) == 0 &&
	    strcmp(a->u_ha1_sha256, b->u_ha1_sha256) == 0 &&
	    strcmp(a->u_mail, b->u_mail) == 0 &&
	    a->u_created == b->u_created && a->u_flags == b->u_flags);
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
rec_str(struct rec *r, const char *s)
{
	size_t	len = strlen(s);

	rec_uint(r, len, 2);
	if (r->r_len + len > sizeof(r->r_data))
		errx(1, "rec_str: full");
	memcpy(r->r_data + r->r_len, s, len);
	r->r_len += len;
}

static void
rec_user(struct rec *r, unsigned int version, const char *address,
    const char *md5)
{
	r->r_len = 0;
	rec_u8(r, version);
	rec_str(r, address);
	rec_str(r, "example.org");
	rec_str(r, md5);
	rec_str(r, SHA_A);
	rec_str(r, "alice@mail.example.org");
	rec_uint(r, 0x0123456789abcdefULL, 8);
	rec_uint(r, 0, 4);
}

/* Join the environment as an outside tool would, with the store shut. */
static void
raw_open(DB_ENV **env, DB **db)
{
	int	r;

	if ((r = db_env_create(env, 0)) != 0 ||
	    (r = (*env)->open(*env, testenv_dir, DB_INIT_TXN | DB_INIT_LOCK |
	    DB_INIT_LOG | DB_INIT_MPOOL, 0)) != 0 ||
	    (r = db_create(db, *env, 0)) != 0 ||
	    (r = (*db)->open(*db, NULL, "users.db", NULL, DB_BTREE,
	    DB_AUTO_COMMIT, 0)) != 0)
		errx(1, "raw_open: %s", db_strerror(r));
}

static void
raw_close(DB_ENV *env, DB *db)
{
	db->close(db, 0);
	env->close(env, 0);
}

static void
raw_put(const char *key, size_t keylen, const struct rec *r)
{
	DB_ENV	*env;
	DB	*db;
	DBT	 k, v;
	int	 e;

	raw_open(&env, &db);
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = (void *)key;
	k.size = keylen;
	v.data = (void *)r->r_data;
	v.size = r->r_len;
	if ((e = db->put(db, NULL, &k, &v, DB_AUTO_COMMIT)) != 0)
		errx(1, "raw_put: %s", db_strerror(e));
	raw_close(env, db);
}

static int
raw_get(const char *key, struct rec *r)
{
	DB_ENV	*env;
	DB	*db;
	DBT	 k, v;
	int	 e;

	raw_open(&env, &db);
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = (void *)key;
	k.size = strlen(key);
	v.data = r->r_data;
	v.ulen = sizeof(r->r_data);
	v.flags = DB_DBT_USERMEM;
	e = db->get(db, NULL, &k, &v, 0);
	r->r_len = v.size;
	raw_close(env, db);
	return (e);
}

static void
raw_del(const char *key, size_t keylen)
{
	DB_ENV	*env;
	DB	*db;
	DBT	 k;
	int	 e;

	raw_open(&env, &db);
	memset(&k, 0, sizeof(k));
	k.data = (void *)key;
	k.size = keylen;
	if ((e = db->del(db, NULL, &k, DB_AUTO_COMMIT)) != 0)
		errx(1, "raw_del: %s", db_strerror(e));
	raw_close(env, db);
}

static int
list_one(const struct user_rec *u, void *arg)
{
	struct listing	*l = arg;

	if (l->l_count > 0 && strcmp(l->l_last, u->u_address) >= 0)
		l->l_ordered = 0;
	strlcpy(l->l_last, u->u_address, sizeof(l->l_last));
	l->l_count++;
	if (l->l_stop != 0 && l->l_count == l->l_stop)
		return (-1);
	return (0);
}

static int
list_all(struct listing *l, size_t stop)
{
	memset(l, 0, sizeof(*l));
	l->l_ordered = 1;
	l->l_stop = stop;
	return (store_user_list(list_one, l));
}

static void
test_basic(void)
{
	struct user_rec	u, got;

	user_fill(&u, "alice@example.org", MD5_A, SHA_A);
	TAP_OK(store_user_get("alice@example.org", &got) == STORE_NOTFOUND,
	    "get before add: not found");
	TAP_OK(store_user_add(&u) == STORE_OK, "add");
	TAP_OK(store_user_get("alice@example.org", &got) == STORE_OK &&
	    user_same(&u, &got), "get returns the record added");
	TAP_OK(store_user_add(&u) == STORE_EXISTS, "second add: exists");
	user_fill(&u, "ALICE@Example.ORG", MD5_B, SHA_B);
	TAP_OK(store_user_add(&u) == STORE_EXISTS,
	    "add in other case: exists");
	TAP_OK(store_user_get("Alice@EXAMPLE.org", &got) == STORE_OK &&
	    strcmp(got.u_address, "alice@example.org") == 0 &&
	    strcmp(got.u_ha1_md5, MD5_A) == 0,
	    "get in other case finds the first record");
	user_fill(&u, "Bob@Example.org", MD5_B, "");
	TAP_OK(store_user_add(&u) == STORE_OK &&
	    store_user_get("bob@example.org", &got) == STORE_OK &&
	    strcmp(got.u_address, "bob@example.org") == 0 &&
	    got.u_ha1_sha256[0] == '\0',
	    "add in mixed case stores the address in lower case");
}

static void
test_update(void)
{
	struct user_rec	u, got;

	user_fill(&u, "ALICE@example.org", MD5_B, SHA_B);
	strlcpy(u.u_realm, "other.example", sizeof(u.u_realm));
	strlcpy(u.u_mail, "changed@example.org", sizeof(u.u_mail));
	u.u_created = 42;
	u.u_flags = USER_F_DISABLED;
	TAP_OK(store_user_update(&u) == STORE_OK, "update");
	TAP_OK(store_user_get("alice@example.org", &got) == STORE_OK &&
	    strcmp(got.u_ha1_md5, MD5_B) == 0 &&
	    strcmp(got.u_ha1_sha256, SHA_B) == 0 &&
	    strcmp(got.u_realm, "other.example") == 0 &&
	    got.u_flags == USER_F_DISABLED,
	    "update replaced realm, HA1 values and flags");
	TAP_OK(strcmp(got.u_mail, "alice@mail.example.org") == 0 &&
	    got.u_created == 0x0123456789abcdefULL,
	    "update kept mail address and creation time");
	user_fill(&u, "nobody@example.org", MD5_B, SHA_B);
	TAP_OK(store_user_update(&u) == STORE_NOTFOUND,
	    "update of an absent user: not found");
	TAP_OK(store_user_get("nobody@example.org", &got) == STORE_NOTFOUND,
	    "update of an absent user created nothing");
}

static void
test_delete(void)
{
	struct user_rec	got;

	TAP_OK(store_user_del("Bob@EXAMPLE.org") == STORE_OK,
	    "delete in other case");
	TAP_OK(store_user_get("bob@example.org", &got) == STORE_NOTFOUND,
	    "get after delete: not found");
	TAP_OK(store_user_del("bob@example.org") == STORE_NOTFOUND,
	    "second delete: not found");
	TAP_OK(store_user_get("alice@example.org", &got) == STORE_OK,
	    "delete left the other user");
}

static void
test_refused(void)
{
	struct user_rec	u, got;

	user_fill(&u, "", MD5_A, SHA_A);
	TAP_OK(store_user_add(&u) == STORE_FAIL, "empty address refused");
	user_fill(&u, "carol@example.org", MD5_A, SHA_A);
	memset(u.u_address, 'a', sizeof(u.u_address));
	TAP_OK(store_user_add(&u) == STORE_FAIL,
	    "unterminated address refused");
	user_fill(&u, "carol@example.org", MD5_A, SHA_A);
	u.u_ha1_md5[3] = 'A';
	TAP_OK(store_user_add(&u) == STORE_FAIL, "upper-case HA1 refused");
	user_fill(&u, "carol@example.org", "abc", SHA_A);
	TAP_OK(store_user_add(&u) == STORE_FAIL, "short HA1 refused");
	user_fill(&u, "carol@example.org", MD5_A, SHA_A);
	memset(u.u_realm, 'r', sizeof(u.u_realm));
	TAP_OK(store_user_add(&u) == STORE_FAIL,
	    "unterminated realm refused");
	TAP_OK(store_user_get("carol@example.org", &got) == STORE_NOTFOUND,
	    "nothing refused was stored");
	memset(u.u_address, 'a', sizeof(u.u_address));
	TAP_OK(store_user_get(u.u_address, &got) == STORE_FAIL &&
	    store_user_del(u.u_address) == STORE_FAIL,
	    "get and delete of an unterminated address refused");
}

/* The bytes on disk are the documented layout, with the version first. */
static void
test_encoding(void)
{
	struct rec	want, got;

	store_close();
	rec_user(&want, 1, "alice@example.org", MD5_B);
	/* test_update left these values. */
	want.r_len = 0;
	rec_u8(&want, 1);
	rec_str(&want, "alice@example.org");
	rec_str(&want, "other.example");
	rec_str(&want, MD5_B);
	rec_str(&want, SHA_B);
	rec_str(&want, "alice@mail.example.org");
	rec_uint(&want, 0x0123456789abcdefULL, 8);
	rec_uint(&want, USER_F_DISABLED, 4);
	TAP_OK(raw_get("alice@example.org", &got) == 0 &&
	    got.r_len == want.r_len &&
	    memcmp(got.r_data, want.r_data, want.r_len) == 0,
	    "record on disk is version 1 in the documented layout");
	TAP_OK(raw_get("ALICE@example.org", &got) == DB_NOTFOUND,
	    "key on disk is in lower case");
	TAP_OK(store_open(testenv_dir) == 0, "reopen after raw access");
}

static void
test_many(void)
{
	struct user_rec	u;
	struct listing	l;
	char		address[IMD_ADDRESS_MAX];
	int		i, added = 0, r;

	TAP_OK(store_user_del("alice@example.org") == STORE_OK,
	    "empty the database");
	/* Added backwards: the order of a list is the database's own. */
	for (i = NUSERS - 1; i >= 0; i--) {
		snprintf(address, sizeof(address), "User%04d@example.org", i);
		user_fill(&u, address, MD5_A, SHA_A);
		u.u_created = i;
		if (store_user_add(&u) == STORE_OK)
			added++;
	}
	TAP_OK(added == NUSERS, "%d users added", NUSERS);
	r = list_all(&l, 0);
	TAP_OK(r == STORE_OK && l.l_count == NUSERS,
	    "list: %zu users", l.l_count);
	TAP_OK(l.l_ordered && strcmp(l.l_last, "user0999@example.org") == 0,
	    "list in key order");
	r = list_all(&l, 10);
	TAP_OK(r == STORE_OK && l.l_count == 10,
	    "list stops when the callback returns -1");
}

static void
test_reopen(void)
{
	struct user_rec	got;
	struct listing	l;

	store_close();
	TAP_OK(store_user_get("user0500@example.org", &got) == STORE_FAIL,
	    "get on a closed store fails");
	TAP_OK(store_open(testenv_dir) == 0, "reopen");
	TAP_OK(store_user_get("USER0500@example.org", &got) == STORE_OK &&
	    got.u_created == 500 && strcmp(got.u_ha1_md5, MD5_A) == 0,
	    "a user survives the reopen");
	TAP_OK(list_all(&l, 0) == STORE_OK && l.l_count == NUSERS,
	    "all users survive the reopen");
}

/* Each bad record, under its own key, refused without a crash. */
static void
test_corrupt(void)
{
	static const char *keys[] = {
		"v2@example.org", "short@example.org", "trail@example.org",
		"long@example.org", "other@example.org", "nul@example.org",
		"over@example.org", "hex@example.org", "empty@example.org",
	};
	struct rec	r[sizeof(keys) / sizeof(keys[0])];
	struct user_rec	got;
	struct listing	l;
	char		bigkey[STORE_KEY_MAX + 100];
	size_t		i, n = sizeof(keys) / sizeof(keys[0]), refused = 0;

	rec_user(&r[0], 2, keys[0], MD5_A);
	rec_user(&r[1], 1, keys[1], MD5_A);
	r[1].r_len -= 3;
	rec_user(&r[2], 1, keys[2], MD5_A);
	rec_u8(&r[2], 0);
	rec_user(&r[3], 1, keys[3], MD5_A);
	r[3].r_data[2] = 0xff;		/* address length 0x00ff + 0xff00 */
	r[3].r_data[1] = 0xff;
	rec_user(&r[4], 1, "someone@example.org", MD5_A);
	rec_user(&r[5], 1, keys[5], MD5_A);
	r[5].r_data[5] = '\0';
	rec_user(&r[6], 1, keys[6], MD5_A);
	memset(r[6].r_data + r[6].r_len, 'x',
	    sizeof(r[6].r_data) - r[6].r_len);
	r[6].r_len = sizeof(r[6].r_data);	/* beyond any buffer */
	rec_user(&r[7], 1, keys[7], "0123456789ABCDEF0123456789abcdef");
	r[8].r_len = 0;

	store_close();
	for (i = 0; i < n; i++)
		raw_put(keys[i], strlen(keys[i]), &r[i]);
	memset(bigkey, 'k', sizeof(bigkey));
	raw_put(bigkey, sizeof(bigkey), &r[4]);
	TAP_OK(store_open(testenv_dir) == 0, "reopen with corrupted records");
	for (i = 0; i < n; i++)
		if (store_user_get(keys[i], &got) == STORE_FAIL &&
		    got.u_address[0] == '\0')
			refused++;
	TAP_OK(refused == n, "get refuses all %zu bad records", n);
	TAP_OK(list_all(&l, 0) == STORE_FAIL && l.l_count == NUSERS,
	    "list skips bad records, delivers the good, and fails");
	TAP_OK(store_user_update(&(struct user_rec){ .u_address =
	    "v2@example.org" }) == STORE_FAIL,
	    "update refuses to rewrite a bad record");
	for (i = 0, refused = 0; i < n; i++)
		if (store_user_del(keys[i]) == STORE_OK)
			refused++;
	TAP_OK(refused == n, "bad records can be deleted");
	store_close();
	raw_del(bigkey, sizeof(bigkey));
	TAP_OK(store_open(testenv_dir) == 0 && list_all(&l, 0) == STORE_OK &&
	    l.l_count == NUSERS, "list succeeds once bad records are gone");
}

/* The writes of the child that testenv_killed() kills. */
static int
durable_writes(void)
{
	struct user_rec	u;

	user_fill(&u, "durable@example.org", MD5_A, SHA_A);
	if (store_user_add(&u) != STORE_OK)
		return (-1);
	u.u_flags = USER_F_DISABLED;
	strlcpy(u.u_ha1_md5, MD5_B, sizeof(u.u_ha1_md5));
	if (store_user_update(&u) != STORE_OK ||
	    store_user_del("user0001@example.org") != STORE_OK)
		return (-1);
	return (0);
}

static void
test_durable(void)
{
	struct user_rec	got;

	TAP_OK(testenv_killed(durable_writes),
	    "child killed right after its writes");
	TAP_OK(store_open(testenv_dir) == 0, "reopen with recovery");
	TAP_OK(store_user_get("durable@example.org", &got) == STORE_OK,
	    "user added before the kill is there");
	TAP_OK(got.u_flags == USER_F_DISABLED &&
	    strcmp(got.u_ha1_md5, MD5_B) == 0,
	    "update before the kill is there");
	TAP_OK(store_user_get("user0001@example.org", &got) ==
	    STORE_NOTFOUND, "delete before the kill is there");
}

/* Regions and logs in the directory: outside tools can work on it. */
static void
test_files(void)
{
	char		path[PATH_MAX];
	struct stat	sb;

	testenv_path(path, sizeof(path), "users.db");
	TAP_OK(stat(path, &sb) == 0 && (sb.st_mode & 077) == 0,
	    "users.db is there, mode 0600");
	testenv_path(path, sizeof(path), "__db.001");
	TAP_OK(stat(path, &sb) == 0, "regions are files, not private");
	testenv_path(path, sizeof(path), "log.0000000001");
	TAP_OK(stat(path, &sb) == 0, "log files beside the databases");
}

/* Whatever was logged, no HA1 value was. */
static void
test_log(void)
{
	static const char *secrets[] = { MD5_A, MD5_B, SHA_A, SHA_B };
	char	buf[65536];
	FILE	*fp;
	size_t	i, n;
	int	clean = 1;

	if ((fp = fopen(testenv_log, "r")) == NULL)
		err(1, "%s", testenv_log);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		if (strstr(buf, secrets[i]) != NULL)
			clean = 0;
	TAP_OK(n > 0 && strstr(buf, "refused") != NULL,
	    "bad records were logged");
	TAP_OK(clean, "no HA1 value in the log");
	if (tap_failed)
		log_dump(buf);
}

/* The log is out of sight in a file: show it when something failed. */
static void
log_dump(char *buf)
{
	char	*line;

	while ((line = strsep(&buf, "\n")) != NULL)
		if (*line != '\0')
			printf("# %s\n", line);
}

int
main(void)
{
	char	path[PATH_MAX];

	testenv_setup("store");
	testenv_path(path, sizeof(path), "missing");
	TAP_OK(store_open(path) == -1, "open of a missing directory fails");
	TAP_OK(store_open(testenv_dir) == 0, "open a fresh environment");
	TAP_OK(store_open(testenv_dir) == -1, "second open refused");
	test_basic();
	test_update();
	test_delete();
	test_refused();
	test_encoding();
	test_many();
	test_reopen();
	test_corrupt();
	test_durable();
	test_files();
	store_close();
	test_log();
	return (TAP_DONE());
}
