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
 * The users database: key, record encoding and checks.  The key is the
 * address in lower case, without its NUL.  The value, version 1, with
 * every integer big-endian so the file means the same on any host:
 *
 *	u8		record version, 1
 *	u16 n, n bytes	address, in lower case: the key again
 *	u16 n, n bytes	realm
 *	u16 n, n bytes	HA1 MD5: empty or 32 lower-case hex digits
 *	u16 n, n bytes	HA1 SHA-256: empty or 64 lower-case hex digits
 *	u16 n, n bytes	mail address
 *	u64		creation time, seconds since the epoch
 *	u32		flags
 *
 * Strings hold no NUL, and each fits its user_rec field with the NUL
 * added.  The record ends right after the flags.  What is read back is
 * checked as closely as what is written: a record that fails is logged
 * by its key and refused, never trusted.  A later layout takes a new
 * version byte; one this code does not know is refused, not guessed.
 */

#include <sys/types.h>

#include <db.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "config.h"
#include "log.h"
#include "record.h"
#include "store.h"
#include "user.h"

#define USER_REC_VERSION	1
/* The version, five counted strings at their longest, u64 and u32. */
#define USER_REC_MAX		(1 + 5 * 2 + 2 * (IMD_ADDRESS_MAX - 1) + \
	(IMD_REALM_MAX - 1) + USER_HA1_MD5_LEN + USER_HA1_SHA256_LEN + \
	8 + 4)
/* A read that fills this was longer than any valid record. */
#define USER_BUF_SIZE		(USER_REC_MAX + 1)

_Static_assert(USER_BUF_SIZE <= STORE_VAL_MAX, "user record too long");
_Static_assert(IMD_ADDRESS_MAX - 1 <= STORE_KEY_MAX, "address too long");

struct user_edit {
	const struct user_rec	*ue_new;
	const char		*ue_key;
	size_t			 ue_keylen;
};

struct user_walk {
	int	(*uw_cb)(const struct user_rec *, void *);
	void	*uw_arg;
	size_t	 uw_bad;
};

static int	user_key(const char *, char *, size_t *);
static int	is_user_ha1(const char *, size_t);
static int	user_check(const struct user_rec *);
static int	user_encode(const struct user_rec *, const char *, void *,
		    size_t, size_t *);
static const char *user_parse(struct rec_buf *, struct user_rec *);
static int	user_decode(const void *, size_t, const void *, size_t,
		    struct user_rec *);
static int	user_edit(void *, size_t, size_t *, void *);
static int	user_walk_one(const void *, size_t, const void *, size_t,
		    void *);

/* ASCII only: a key must not depend on the locale. */
static int
user_key(const char *address, char *key, size_t *len)
{
	size_t	i, n;

	n = strnlen(address, IMD_ADDRESS_MAX);
	if (n == 0 || n == IMD_ADDRESS_MAX) {
		log_warnx("store: users: address empty or too long");
		return (-1);
	}
	for (i = 0; i < n; i++)
		key[i] = (address[i] >= 'A' && address[i] <= 'Z') ?
		    address[i] - 'A' + 'a' : address[i];
	key[n] = '\0';
	*len = n;
	return (0);
}

/* Missing, or exactly len lower-case hex digits as lib/digest.c makes. */
static int
is_user_ha1(const char *s, size_t len)
{
	size_t	i, n;

	if ((n = strnlen(s, len + 1)) == 0)
		return (1);
	if (n != len)
		return (0);
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return (0);
	return (1);
}

/* What is written meets the rules the reader will check. */
static int
user_check(const struct user_rec *u)
{
	if (strnlen(u->u_realm, sizeof(u->u_realm)) == sizeof(u->u_realm) ||
	    strnlen(u->u_mail, sizeof(u->u_mail)) == sizeof(u->u_mail) ||
	    !is_user_ha1(u->u_ha1_md5, USER_HA1_MD5_LEN) ||
	    !is_user_ha1(u->u_ha1_sha256, USER_HA1_SHA256_LEN)) {
		log_warnx("store: users: malformed record refused");
		return (-1);
	}
	return (0);
}

/* The key stands for the address, so the record agrees with it. */
static int
user_encode(const struct user_rec *u, const char *key, void *buf,
    size_t size, size_t *len)
{
	struct rec_buf	b = { buf, size, 0 };

	if (rec_put_uint(&b, USER_REC_VERSION, 1) == -1 ||
	    rec_put_str(&b, key, sizeof(u->u_address)) == -1 ||
	    rec_put_str(&b, u->u_realm, sizeof(u->u_realm)) == -1 ||
	    rec_put_str(&b, u->u_ha1_md5, sizeof(u->u_ha1_md5)) == -1 ||
	    rec_put_str(&b, u->u_ha1_sha256, sizeof(u->u_ha1_sha256)) == -1 ||
	    rec_put_str(&b, u->u_mail, sizeof(u->u_mail)) == -1 ||
	    rec_put_uint(&b, u->u_created, 8) == -1 ||
	    rec_put_uint(&b, u->u_flags, 4) == -1) {
		log_warnx("store: users: record does not encode");
		return (-1);
	}
	*len = b.rb_off;
	return (0);
}

/* Returns why the record is bad, or NULL. */
static const char *
user_parse(struct rec_buf *b, struct user_rec *u)
{
	uint64_t	version, flags;

	if (b->rb_size > USER_REC_MAX)
		return ("too long");
	if (rec_get_uint(b, &version, 1) == -1)
		return ("empty");
	if (version != USER_REC_VERSION)
		return ("unknown version");
	if (rec_get_str(b, u->u_address, sizeof(u->u_address)) == -1 ||
	    rec_get_str(b, u->u_realm, sizeof(u->u_realm)) == -1 ||
	    rec_get_str(b, u->u_ha1_md5, sizeof(u->u_ha1_md5)) == -1 ||
	    rec_get_str(b, u->u_ha1_sha256, sizeof(u->u_ha1_sha256)) == -1 ||
	    rec_get_str(b, u->u_mail, sizeof(u->u_mail)) == -1 ||
	    rec_get_uint(b, &u->u_created, 8) == -1 ||
	    rec_get_uint(b, &flags, 4) == -1)
		return ("malformed field");
	if (b->rb_off != b->rb_size)
		return ("trailing bytes");
	u->u_flags = flags;
	if (!is_user_ha1(u->u_ha1_md5, USER_HA1_MD5_LEN) ||
	    !is_user_ha1(u->u_ha1_sha256, USER_HA1_SHA256_LEN))
		return ("malformed HA1");
	return (NULL);
}

/* A record filed under another key than its address is not trusted. */
static int
user_decode(const void *key, size_t keylen, const void *val, size_t len,
    struct user_rec *u)
{
	struct rec_buf	 b = { (unsigned char *)val, len, 0 };
	const char	*why;
	char		 vis[LOG_VIS_MAX * 4 + 1];

	memset(u, 0, sizeof(*u));
	if ((why = user_parse(&b, u)) == NULL &&
	    (strlen(u->u_address) != keylen ||
	    memcmp(u->u_address, key, keylen) != 0))
		why = "address is not the key";
	if (why == NULL)
		return (0);
	explicit_bzero(u, sizeof(*u));
	log_warnx("store: users: record of %s refused: %s",
	    log_vis(key, keylen, vis, sizeof(vis)), why);
	return (-1);
}

int
store_user_add(const struct user_rec *u)
{
	unsigned char	buf[USER_REC_MAX];
	char		key[IMD_ADDRESS_MAX];
	size_t		keylen, len;
	int		r = STORE_FAIL;

	if (user_key(u->u_address, key, &keylen) == -1 || user_check(u) == -1)
		return (STORE_FAIL);
	if (user_encode(u, key, buf, sizeof(buf), &len) == 0)
		r = store_kv_insert(STORE_DB_USERS, key, keylen, buf, len);
	explicit_bzero(buf, sizeof(buf));
	return (r);
}

int
store_user_get(const char *address, struct user_rec *u)
{
	unsigned char	buf[USER_BUF_SIZE];
	char		key[IMD_ADDRESS_MAX];
	size_t		keylen, len;
	int		r;

	/* The address may lie inside *u: take the key before the wipe. */
	r = user_key(address, key, &keylen);
	memset(u, 0, sizeof(*u));
	if (r == -1)
		return (STORE_FAIL);
	r = store_kv_get(STORE_DB_USERS, key, keylen, buf, sizeof(buf), &len);
	if (r == STORE_OK && user_decode(key, keylen, buf, len, u) == -1)
		r = STORE_FAIL;
	explicit_bzero(buf, sizeof(buf));
	return (r);
}

int
store_user_del(const char *address)
{
	char	key[IMD_ADDRESS_MAX];
	size_t	keylen;

	if (user_key(address, key, &keylen) == -1)
		return (STORE_FAIL);
	return (store_kv_del(STORE_DB_USERS, key, keylen));
}

/* The HA1 values hang on the realm, so the two change together. */
static int
user_edit(void *val, size_t size, size_t *len, void *arg)
{
	struct user_edit	*ue = arg;
	struct user_rec		 u;
	int			 r = STORE_FAIL;

	if (user_decode(ue->ue_key, ue->ue_keylen, val, *len, &u) == 0) {
		memcpy(u.u_realm, ue->ue_new->u_realm, sizeof(u.u_realm));
		memcpy(u.u_ha1_md5, ue->ue_new->u_ha1_md5,
		    sizeof(u.u_ha1_md5));
		memcpy(u.u_ha1_sha256, ue->ue_new->u_ha1_sha256,
		    sizeof(u.u_ha1_sha256));
		u.u_flags = ue->ue_new->u_flags;
		if (user_encode(&u, ue->ue_key, val, size, len) == 0)
			r = STORE_OK;
	}
	explicit_bzero(&u, sizeof(u));
	return (r);
}

int
store_user_update(const struct user_rec *u)
{
	struct user_edit	ue;
	unsigned char		buf[USER_BUF_SIZE];
	char			key[IMD_ADDRESS_MAX];
	size_t			keylen;
	int			r;

	if (user_key(u->u_address, key, &keylen) == -1 || user_check(u) == -1)
		return (STORE_FAIL);
	ue.ue_new = u;
	ue.ue_key = key;
	ue.ue_keylen = keylen;
	r = store_kv_edit(STORE_DB_USERS, key, keylen, buf, sizeof(buf),
	    user_edit, &ue);
	explicit_bzero(buf, sizeof(buf));
	return (r);
}

static int
user_walk_one(const void *key, size_t keylen, const void *val, size_t len,
    void *arg)
{
	struct user_walk	*uw = arg;
	struct user_rec		 u;
	int			 r;

	if (user_decode(key, keylen, val, len, &u) == -1) {
		uw->uw_bad++;
		return (0);
	}
	r = uw->uw_cb(&u, uw->uw_arg) == -1 ? -1 : 0;
	explicit_bzero(&u, sizeof(u));
	return (r);
}

int
store_user_list(int (*cb)(const struct user_rec *, void *), void *arg)
{
	struct user_walk	uw = { cb, arg, 0 };
	int			r;

	r = store_kv_walk(STORE_DB_USERS, user_walk_one, &uw);
	if (r == STORE_OK && uw.uw_bad > 0) {
		log_warnx("store: users: %zu records refused in a list",
		    uw.uw_bad);
		r = STORE_FAIL;
	}
	return (r);
}

struct user_many {
	const struct user_rec	*um_users;
	size_t			 um_n;
	size_t			*um_at;
};

/*
 * One transaction for the batch: libdb logs and locks once for all of
 * it, and a refused record undoes the others.  Encoded again at each
 * run, since a deadlock runs the body afresh.
 */
static int
user_many_body(DB_TXN *txn, void *arg)
{
	struct user_many	*um = arg;
	const struct user_rec	*u;
	unsigned char		 buf[USER_REC_MAX];
	char			 key[IMD_ADDRESS_MAX];
	DB			*db = store_kv_db(STORE_DB_USERS);
	DBT			 k, v;
	size_t			 i, keylen, len;
	int			 r = 0;

	for (i = 0; i < um->um_n && r == 0; i++) {
		u = &um->um_users[i];
		*um->um_at = i;
		if (user_key(u->u_address, key, &keylen) == -1 ||
		    user_check(u) == -1 ||
		    user_encode(u, key, buf, sizeof(buf), &len) == -1) {
			r = -1;
			break;
		}
		store_dbt_in(&k, key, keylen);
		store_dbt_in(&v, buf, len);
		r = db->put(db, txn, &k, &v, DB_NOOVERWRITE);
	}
	explicit_bzero(buf, sizeof(buf));
	return (r);
}

int
store_user_add_many(const struct user_rec *users, size_t n, size_t *at)
{
	struct user_many	um = { users, n, at };

	*at = 0;
	if (n == 0)
		return (STORE_OK);
	return (store_kv_txn(STORE_DB_USERS, "insert", user_many_body, &um,
	    1));
}

struct user_page {
	int		(*up_cb)(const struct user_rec *, void *);
	void		*up_arg;
	size_t		 up_max;
	size_t		 up_done;
	size_t		 up_bad;
	unsigned char	 up_key[STORE_KEY_MAX];
	unsigned char	 up_val[USER_BUF_SIZE];
	char		 up_start[IMD_ADDRESS_MAX + 1];
	size_t		 up_startlen;
};

static int
user_page_one(DB_TXN *txn IMD_UNUSED, DBC *c IMD_UNUSED,
    struct store_range *sr, size_t keylen, size_t len)
{
	struct user_page	*up = sr->sr_arg;
	struct user_rec		 u;

	if (user_decode(up->up_key, keylen, up->up_val, len, &u) == -1)
		up->up_bad++;
	else {
		up->up_done++;
		if (up->up_cb(&u, up->up_arg) == -1)
			sr->sr_stop = 1;
		explicit_bzero(&u, sizeof(u));
	}
	if (up->up_done >= up->up_max)
		sr->sr_stop = 1;
	return (0);
}

/* Read-committed, as every walk: see store_kv_walk(). */
static int
user_page_body(DB_TXN *txn, void *arg)
{
	struct user_page	*up = arg;
	struct store_range	 sr = {
		.sr_start = up->up_start, .sr_startlen = up->up_startlen,
		.sr_key = up->up_key, .sr_keysize = sizeof(up->up_key),
		.sr_val = up->up_val, .sr_valsize = sizeof(up->up_val),
		.sr_cflags = DB_READ_COMMITTED,
		.sr_fn = user_page_one, .sr_arg = up,
	};

	up->up_done = up->up_bad = 0;
	return (store_kv_range(txn, STORE_DB_USERS, &sr));
}

/*
 * Keys hold no NUL, so the key of after with a NUL added is the least
 * key above it: the page starts at the first user after that one.
 */
int
store_user_page(const char *after, size_t max,
    int (*cb)(const struct user_rec *, void *), void *arg, size_t *n)
{
	struct user_page	*up;
	size_t			 keylen;
	int			 r = STORE_FAIL;

	*n = 0;
	if ((up = calloc(1, sizeof(*up))) == NULL) {
		log_warn("store: users: page");
		return (STORE_FAIL);
	}
	up->up_cb = cb;
	up->up_arg = arg;
	up->up_max = max;
	if (after[0] == '\0' ||
	    user_key(after, up->up_start, &keylen) == 0) {
		up->up_startlen = after[0] == '\0' ? 0 : keylen + 1;
		r = store_kv_txn(STORE_DB_USERS, "page", user_page_body, up,
		    0);
	}
	if (r == STORE_OK && up->up_bad > 0) {
		log_warnx("store: users: %zu records refused in a page",
		    up->up_bad);
		r = STORE_FAIL;
	}
	*n = up->up_done;
	freezero(up, sizeof(*up));
	return (r);
}
