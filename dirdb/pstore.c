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
 * The presence store (lib/pstore.h): one database per table, each a
 * btree of opaque values filed under string keys.  The listener owns
 * the meaning of both; dirdb only keeps them.  A key is stored with its
 * NUL: since a key holds no other NUL, the btree's byte order is the
 * order of the strings, and the key followed by one more NUL is the
 * first possible key after it, where a walk in batches picks up again.
 */

#include <sys/types.h>

#include <db.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "log.h"
#include "pstore.h"
#include "store.h"

/* A read that fills this was longer than any value the store takes. */
#define PSTORE_BUF_SIZE		(PSTORE_VALUE_MAX + 1)

_Static_assert(STORE_DB_PSTORE_SUBS == STORE_DB_PSTORE_DOCS + PSTORE_SUBS &&
    STORE_DB_PSTORE_AUTHZ == STORE_DB_PSTORE_DOCS + PSTORE_AUTHZ &&
    PSTORE_TABLES == 3, "one database per table, in the same order");
_Static_assert(PSTORE_KEY_MAX + 1 <= STORE_KEY_MAX, "presence key too long");

struct pstore_put {
	const char	*pp_key;
	size_t		 pp_keylen;	/* with the NUL */
	const void	*pp_val;
	size_t		 pp_len;
	enum store_dbid	 pp_db;
};

/*
 * One walk's state.  pw_next is where the cursor starts: it moves past
 * each row as the row is handed out, so a transaction run again after
 * a deadlock goes on from there and hands out nothing twice.
 */
struct pstore_walk {
	unsigned char	 pw_next[STORE_KEY_MAX + 1];
	size_t		 pw_nextlen;
	unsigned char	 pw_key[STORE_KEY_MAX];	/* at the cursor */
	unsigned char	 pw_val[PSTORE_BUF_SIZE];
	enum store_dbid	 pw_db;
	size_t		 pw_max;	/* rows to hand out, 0 for all */
	size_t		 pw_done;	/* rows handed out */
	size_t		 pw_bad;	/* rows passed over */
	int		(*pw_cb)(const char *, const void *, size_t, void *);
	void		*pw_arg;
};

static int	pstore_db(uint32_t, const char *, enum store_dbid *);
static int	pstore_key(const char *, const char *, size_t *);
static int	pstore_put_body(DB_TXN *, void *);
static const char *pstore_row_bad(const unsigned char *, size_t, size_t);
static void	pstore_refuse(const struct pstore_walk *, size_t,
		    const char *);
static int	pstore_walk_one(DB_TXN *, DBC *, struct store_range *,
		    size_t, size_t);
static int	pstore_walk_body(DB_TXN *, void *);
static int	pstore_walk_init(struct pstore_walk *, uint32_t,
		    const char *);

static int
pstore_db(uint32_t table, const char *what, enum store_dbid *db)
{
	if (table >= PSTORE_TABLES) {
		log_warnx("store: presence %s: no table %u", what, table);
		return (-1);
	}
	*db = STORE_DB_PSTORE_DOCS + table;
	return (0);
}

/*
 * The length of a key with its NUL.  An empty key is refused: no
 * record of the listener's is filed under nothing, and one that is
 * would be a bug to hear about.
 */
static int
pstore_key(const char *what, const char *key, size_t *len)
{
	size_t	n;

	if ((n = strnlen(key, PSTORE_KEY_MAX)) == 0 || n == PSTORE_KEY_MAX) {
		log_warnx("store: presence %s: key of %s", what,
		    n == 0 ? "no bytes" : "too many bytes");
		return (-1);
	}
	*len = n + 1;
	return (0);
}

static int
pstore_put_body(DB_TXN *txn, void *arg)
{
	struct pstore_put	*pp = arg;
	DB			*db = store_kv_db(pp->pp_db);
	DBT			 k, v;

	store_dbt_in(&k, pp->pp_key, pp->pp_keylen);
	store_dbt_in(&v, pp->pp_val, pp->pp_len);
	return (db->put(db, txn, &k, &v, 0));
}

int
store_pstore_put(uint32_t table, const char *key, const void *val,
    size_t len)
{
	struct pstore_put	pp;

	memset(&pp, 0, sizeof(pp));
	if (pstore_db(table, "put", &pp.pp_db) == -1 ||
	    pstore_key("put", key, &pp.pp_keylen) == -1)
		return (STORE_FAIL);
	if (len > PSTORE_VALUE_MAX || (val == NULL && len > 0)) {
		log_warnx("store: presence put: value of %zu bytes", len);
		return (STORE_FAIL);
	}
	pp.pp_key = key;
	pp.pp_val = len > 0 ? val : "";
	pp.pp_len = len;
	return (store_kv_txn(pp.pp_db, "put", pstore_put_body, &pp, 1));
}

int
store_pstore_del(uint32_t table, const char *key)
{
	enum store_dbid	db;
	size_t		keylen;
	int		r;

	if (pstore_db(table, "delete", &db) == -1 ||
	    pstore_key("delete", key, &keylen) == -1)
		return (STORE_FAIL);
	if ((r = store_kv_del(db, key, keylen)) == STORE_NOTFOUND)
		r = STORE_OK;
	return (r);
}

/*
 * Only dirdb writes these files, so a row that breaks the rules of a
 * put is damage: it is not handed to the listener, which would trust
 * it, and it does not stop the rest from loading.
 */
static const char *
pstore_row_bad(const unsigned char *key, size_t keylen, size_t len)
{
	if (keylen < 2 || keylen > PSTORE_KEY_MAX)
		return ("key of a wrong length");
	if (key[keylen - 1] != '\0' || memchr(key, '\0', keylen - 1) != NULL)
		return ("key not a string");
	if (len > PSTORE_VALUE_MAX)
		return ("value too long");
	return (NULL);
}

static void
pstore_refuse(const struct pstore_walk *pw, size_t keylen, const char *why)
{
	char	vis[LOG_VIS_MAX * 4 + 1];

	if (keylen > 0 && pw->pw_key[keylen - 1] == '\0')
		keylen--;
	log_warnx("store: presence: row %s of table %u passed over: %s",
	    log_vis((const char *)pw->pw_key, keylen, vis, sizeof(vis)),
	    (u_int)(pw->pw_db - STORE_DB_PSTORE_DOCS), why);
}

static int
pstore_walk_one(DB_TXN *txn IMD_UNUSED, DBC *c IMD_UNUSED,
    struct store_range *sr, size_t keylen, size_t len)
{
	struct pstore_walk	*pw = sr->sr_arg;
	const char		*why;

	if ((why = pstore_row_bad(pw->pw_key, keylen, len)) != NULL) {
		pstore_refuse(pw, keylen, why);
		pw->pw_bad++;
	} else {
		pw->pw_done++;
		if (pw->pw_cb((const char *)pw->pw_key, pw->pw_val, len,
		    pw->pw_arg) == -1)
			sr->sr_stop = 1;
	}
	memcpy(pw->pw_next, pw->pw_key, keylen);
	pw->pw_next[keylen] = '\0';
	pw->pw_nextlen = keylen + 1;
	if (pw->pw_max > 0 && pw->pw_done >= pw->pw_max)
		sr->sr_stop = 1;
	return (0);
}

/*
 * Read-committed, as every walk of the store: a lock on each page is
 * let go as the cursor leaves it, or a walk of a large table would
 * fill the lock table.
 */
static int
pstore_walk_body(DB_TXN *txn, void *arg)
{
	struct pstore_walk	*pw = arg;
	struct store_range	 sr = {
		.sr_start = pw->pw_next, .sr_startlen = pw->pw_nextlen,
		.sr_key = pw->pw_key, .sr_keysize = sizeof(pw->pw_key),
		.sr_val = pw->pw_val, .sr_valsize = sizeof(pw->pw_val),
		.sr_cflags = DB_READ_COMMITTED,
		.sr_fn = pstore_walk_one, .sr_arg = pw,
	};

	return (store_kv_range(txn, pw->pw_db, &sr));
}

/* The walk starts after the key after, or at the first for NULL. */
static int
pstore_walk_init(struct pstore_walk *pw, uint32_t table, const char *after)
{
	size_t	len;

	if (pstore_db(table, "walk", &pw->pw_db) == -1)
		return (-1);
	if (after == NULL)
		return (0);
	if (pstore_key("walk", after, &len) == -1)
		return (-1);
	memcpy(pw->pw_next, after, len);
	pw->pw_next[len] = '\0';
	pw->pw_nextlen = len + 1;
	return (0);
}

int
store_pstore_walk(uint32_t table, const char *after, size_t max,
    int (*cb)(const char *, const void *, size_t, void *), void *arg,
    size_t *n)
{
	struct pstore_walk	*pw;
	int			 r;

	*n = 0;
	if ((pw = calloc(1, sizeof(*pw))) == NULL) {
		log_warn("store: presence walk");
		return (STORE_FAIL);
	}
	pw->pw_max = max;
	pw->pw_cb = cb;
	pw->pw_arg = arg;
	if (pstore_walk_init(pw, table, after) == -1)
		r = STORE_FAIL;
	else
		r = store_kv_txn(pw->pw_db, "walk", pstore_walk_body, pw, 0);
	if (pw->pw_bad > 0)
		log_warnx("store: presence: %zu rows of table %u passed over",
		    pw->pw_bad, table);
	*n = pw->pw_done;
	freezero(pw, sizeof(*pw));
	return (r);
}
