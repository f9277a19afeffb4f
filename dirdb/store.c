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
 * The Berkeley DB environment of dirdb and a small key/value layer over
 * its databases: each call one transaction, committed to disk before
 * it returns, tried again when libdb breaks a deadlock.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <db.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <vis.h>

#include "cdefs.h"
#include "log.h"
#include "store.h"
#include "user.h"

#define STORE_MODE		0600	/* only dirdb's user reads it */
#define STORE_TRIES		4	/* runs of a deadlocked transaction */
#define STORE_CKP_WRITES	256	/* transactions between checkpoint asks */
#define STORE_CKP_KBYTES	32768	/* log written before a checkpoint */
#define STORE_CKP_MINUTES	1	/* or time since the last one */
#define STORE_LOCKS		10000	/* locks and locked objects */

/*
 * Not DB_PRIVATE: the regions live in files beside the databases, so
 * db_recover, db_hotbackup and db_dump can work on the environment from
 * outside while dirdb is stopped.  DB_RECOVER at every start: dirdb is
 * the only user of the environment, and it may have been killed.
 */
#define STORE_ENV_FLAGS	(DB_CREATE | DB_INIT_TXN | DB_INIT_LOCK |	\
	DB_INIT_LOG | DB_INIT_MPOOL | DB_RECOVER)

/*
 * A transaction body's own failure, logged where it was found.  libdb
 * returns errno values or codes in -30800..-30999, never this.
 */
#define STORE_ELOGGED		(-30000)

struct store_db {
	const char	*sd_file;
	DBTYPE		 sd_type;
	DB		*sd_db;
};

/* Each database is opened, in this order, at start-up. */
static struct store_db store_dbs[] = {
	[STORE_DB_USERS] =	{ "users.db", DB_BTREE, NULL },
	[STORE_DB_BINDINGS] =	{ "bindings.db", DB_BTREE, NULL },
	[STORE_DB_EXPIRY] =	{ "expiry.db", DB_BTREE, NULL },
	[STORE_DB_OFFLINE] =	{ "offline.db", DB_BTREE, NULL },
	[STORE_DB_OFFLINE_AGE] = { "offline_age.db", DB_BTREE, NULL },
	[STORE_DB_OFFLINE_SEQ] = { "offline_seq.db", DB_BTREE, NULL },
	[STORE_DB_OFFLINE_DUE] = { "offline_due.db", DB_BTREE, NULL },
	[STORE_DB_PSTORE_DOCS] = { "pstore_docs.db", DB_BTREE, NULL },
	[STORE_DB_PSTORE_SUBS] = { "pstore_subs.db", DB_BTREE, NULL },
	[STORE_DB_PSTORE_AUTHZ] = { "pstore_authz.db", DB_BTREE, NULL },
};

_Static_assert(sizeof(store_dbs) / sizeof(store_dbs[0]) == STORE_DB_MAX,
    "a database without a file");

/* The arguments of one key/value call, handed to its transaction. */
struct store_op {
	struct store_db	*op_db;
	const char	*op_name;
	DBT		 op_key;
	DBT		 op_val;
	int		(*op_edit)(void *, size_t, size_t *, void *);
	int		(*op_walk)(const void *, size_t, const void *, size_t,
			    void *);
	void		*op_arg;
	size_t		 op_seen;	/* values a walk has handed out */
};

static DB_ENV	*store_env;
static uint64_t	 store_cache;	/* bytes; 0: sized from the files */
static u_int	 store_writes;	/* since the last checkpoint */

static void	store_errcall(const DB_ENV *, const char *, const char *);
static uint64_t	store_cache_bytes(const char *);
static int	store_env_open(const char *);
static int	store_dbs_open(void);
static void	store_discard(void);
static void	store_checkpoint(u_int32_t, u_int32_t);
static int	store_status(const struct store_op *, int);
static int	store_code(int);
static int	store_txn(struct store_op *, int (*)(DB_TXN *,
		    struct store_op *), int);
static int	store_op_init(struct store_op *, enum store_dbid,
		    const char *, const void *, size_t);
static int	store_dbt_out(DBT *, void *, size_t);
static int	store_insert_body(DB_TXN *, struct store_op *);
static int	store_get_body(DB_TXN *, struct store_op *);
static int	store_del_body(DB_TXN *, struct store_op *);
static int	store_edit_body(DB_TXN *, struct store_op *);
static int	store_walk_body(DB_TXN *, struct store_op *);
static int	store_call_body(DB_TXN *, struct store_op *);
static int	store_range_in(const struct store_range *, const DBT *);

/*
 * libdb's own messages name files and calls, never keys or values;
 * they are made printable all the same, as anything read from disk.
 */
static void
store_errcall(const DB_ENV *env IMD_UNUSED, const char *pfx IMD_UNUSED,
    const char *msg)
{
	char	buf[1024];
	size_t	len;

	len = strnlen(msg, (sizeof(buf) - 1) / 4);
	strnvisx(buf, sizeof(buf), msg, len, VIS_SAFE | VIS_NL | VIS_CSTYLE);
	log_warnx("store: %s", buf);
}

/*
 * Unless configured, the cache holds the database as it is at start,
 * within DB_CACHE_AUTO_MIN and DB_CACHE_AUTO_MAX: a lookup that misses
 * it reads a page through the kernel, and at a million users the leaf
 * pages a REGISTER touches are spread over far more than a small cache
 * holds.  The database is its files and the log not yet checkpointed
 * into them (recovery replays it), over-counted by the log that is.
 */
static uint64_t
store_cache_bytes(const char *home)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*dir;
	uint64_t	 total = 0;
	size_t		 len;

	if (store_cache != 0)
		return (store_cache);
	if ((dir = opendir(home)) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			len = strlen(de->d_name);
			if ((strncmp(de->d_name, "log.", 4) == 0 ||
			    (len > 3 && strcmp(de->d_name + len - 3,
			    ".db") == 0)) &&
			    fstatat(dirfd(dir), de->d_name, &st, 0) == 0)
				total += (uint64_t)st.st_size;
		}
		closedir(dir);
	}
	if (total < DB_CACHE_AUTO_MIN)
		return (DB_CACHE_AUTO_MIN);
	return (total > DB_CACHE_AUTO_MAX ? DB_CACHE_AUTO_MAX : total);
}

/* Before store_open(); 0 sizes the cache from the files. */
void
store_set_cache(uint64_t bytes)
{
	store_cache = bytes;
}

static int
store_env_open(const char *home)
{
	uint64_t	cache;
	int		r;

	if ((r = db_env_create(&store_env, 0)) != 0) {
		store_env = NULL;
		log_warnx("store: environment: %s", db_strerror(r));
		return (-1);
	}
	store_env->set_errcall(store_env, store_errcall);
	/*
	 * Every commit is synchronous (the default, and DB_TXN_SYNC on each
	 * commit besides).  Log files go as soon as no recovery needs them
	 * (DB_LOG_AUTO_REMOVE): that gives up catastrophic recovery from
	 * archived logs, so a backup is a copy of the whole directory with
	 * db_hotbackup while dirdb is stopped, but the directory cannot
	 * grow without bound for want of an archiving job.  The removal
	 * makes libdb call getcwd(2) at each checkpoint, which the sandbox
	 * must allow.  Temporary files stay in the jail.  The deadlock
	 * detector runs on every conflict; dirdb alone holds no lock across
	 * calls, so only a tool working on a live environment can wait.
	 */
	cache = store_cache_bytes(home);
	log_debug("store: cache %llu bytes", (unsigned long long)cache);
	if ((r = store_env->set_cachesize(store_env,
	    (u_int32_t)(cache >> 30), (u_int32_t)(cache & ((1 << 30) - 1)),
	    1)) != 0 ||
	    (r = store_env->set_tmp_dir(store_env, home)) != 0 ||
	    (r = store_env->log_set_config(store_env, DB_LOG_AUTO_REMOVE,
	    1)) != 0 ||
	    (r = store_env->set_lk_max_locks(store_env, STORE_LOCKS)) != 0 ||
	    (r = store_env->set_lk_max_objects(store_env, STORE_LOCKS)) != 0 ||
	    (r = store_env->set_lk_detect(store_env, DB_LOCK_DEFAULT)) != 0 ||
	    (r = store_env->open(store_env, home, STORE_ENV_FLAGS,
	    STORE_MODE)) != 0) {
		log_warnx("store: environment %s: %s", home, db_strerror(r));
		return (-1);
	}
	return (0);
}

/* A handle that failed to open is left for store_discard(). */
static int
store_dbs_open(void)
{
	struct store_db	*sd;
	size_t		 i;
	int		 r;

	for (i = 0; i < STORE_DB_MAX; i++) {
		sd = &store_dbs[i];
		if ((r = db_create(&sd->sd_db, store_env, 0)) != 0)
			sd->sd_db = NULL;
		else
			r = sd->sd_db->open(sd->sd_db, NULL, sd->sd_file, NULL,
			    sd->sd_type, DB_CREATE | DB_AUTO_COMMIT,
			    STORE_MODE);
		if (r != 0) {
			log_warnx("store: open %s: %s", sd->sd_file,
			    db_strerror(r));
			return (-1);
		}
	}
	return (0);
}

int
store_open(const char *home)
{
	if (store_env != NULL) {
		log_warnx("store: environment already open");
		return (-1);
	}
	if (store_env_open(home) == -1 || store_dbs_open() == -1) {
		store_discard();
		return (-1);
	}
	store_checkpoint(0, 0);
	log_debug("store: environment %s open", home);
	return (0);
}

/* A checkpoint at close keeps the next start's recovery short. */
void
store_close(void)
{
	if (store_env == NULL)
		return;
	store_checkpoint(0, 0);
	store_discard();
}

/* Close what is open, whether or not the environment opened whole. */
static void
store_discard(void)
{
	struct store_db	*sd;
	size_t		 i;
	int		 r;

	for (i = 0; i < STORE_DB_MAX; i++) {
		sd = &store_dbs[i];
		if (sd->sd_db == NULL)
			continue;
		if ((r = sd->sd_db->close(sd->sd_db, 0)) != 0)
			log_warnx("store: close %s: %s", sd->sd_file,
			    db_strerror(r));
		sd->sd_db = NULL;
	}
	if ((r = store_env->close(store_env, 0)) != 0)
		log_warnx("store: close environment: %s", db_strerror(r));
	store_env = NULL;
}

/*
 * A checkpoint bounds the work of recovery and lets old log files go.
 * Not after every write: each one also scans the log directory for
 * files to remove, and writes the dirty pages out.  Every
 * STORE_CKP_WRITES writes libdb is asked, and checkpoints once kbyte
 * of log (STORE_CKP_KBYTES; 0 at open and close: always) was written
 * since the last, or STORE_CKP_MINUTES passed; store_checkpoint_due()
 * asks too, once a second, for a server that writes little.  Each
 * checkpoint writes every page dirtied since the last: with the users
 * of a million spread over their btrees' leaves, each REGISTER dirties
 * pages of its own, so at one checkpoint per 4 MB of log (a few
 * thousand REGISTERs) nearly every REGISTER cost page writes, and the
 * CPU per REGISTER doubled from 10,000 users to 1,000,000.  32 MB or a
 * minute lets a page take many writes between checkpoints; recovery
 * after a crash replays at most that much log.
 */
static void
store_checkpoint(u_int32_t kbyte, u_int32_t minutes)
{
	int	r;

	store_writes = 0;
	if ((r = store_env->txn_checkpoint(store_env, kbyte, minutes, 0)) !=
	    0)
		log_warnx("store: checkpoint: %s", db_strerror(r));
}

void
store_checkpoint_due(void)
{
	if (store_env != NULL)
		store_checkpoint(STORE_CKP_KBYTES, STORE_CKP_MINUTES);
}

/*
 * After a panic every call fails until recovery, which only a restart
 * runs: better to stop and let the parent see it than to answer every
 * request with an error.
 */
static int
store_status(const struct store_op *op, int r)
{
	switch (r) {
	case 0:
		return (STORE_OK);
	case DB_KEYEXIST:
		return (STORE_EXISTS);
	case DB_NOTFOUND:
		return (STORE_NOTFOUND);
	case STORE_ELOGGED:
		return (STORE_FAIL);
	case DB_RUNRECOVERY:
		fatalx("store: %s %s: %s", op->op_db->sd_file, op->op_name,
		    db_strerror(r));
	default:
		log_warnx("store: %s %s: %s", op->op_db->sd_file, op->op_name,
		    db_strerror(r));
		return (STORE_FAIL);
	}
}

/* The inverse, for a status an edit function returns. */
static int
store_code(int status)
{
	switch (status) {
	case STORE_OK:
		return (0);
	case STORE_EXISTS:
		return (DB_KEYEXIST);
	case STORE_NOTFOUND:
		return (DB_NOTFOUND);
	default:
		return (STORE_ELOGGED);
	}
}

/*
 * Group commit.  By default every commit is synchronous.  dirdb, which
 * answers many requests read at once, asks for commits that are only
 * written (DB_TXN_WRITE_NOSYNC: they survive the process, not the
 * machine) and calls store_sync() before any answer leaves: one fsync
 * of the log then covers every write of the batch.
 */
static uint32_t	store_commit_flags = DB_TXN_SYNC;
static int	store_unsynced;
static int	store_behind;		/* writes now are written behind */
static int	store_behind_unsynced;	/* some were, since the last flush */

void
store_group_commit(int on)
{
	store_commit_flags = on ? DB_TXN_WRITE_NOSYNC : DB_TXN_SYNC;
}

/*
 * Written behind: under group commit, what is committed while this is
 * on need not be on disk before the next answer leaves, only by the
 * next store_sync_behind().  Its commits stay in libdb's log buffer
 * (DB_TXN_NOSYNC: not even a write(2) each) until that flush, or until
 * a later commit that is not written behind writes the log out to its
 * own end.  After a crash each is whole or absent, never half there:
 * a crash of dirdb or of the machine loses the last of them.
 */
void
store_write_behind(int on)
{
	store_behind = on;
}

static int
store_flush(void)
{
	int	r;

	if (store_env == NULL)
		return (0);
	if ((r = store_env->log_flush(store_env, NULL)) != 0) {
		log_warnx("store: log flush: %s", db_strerror(r));
		return (-1);
	}
	/* The log is on disk up to its end: whatever either waited for. */
	store_unsynced = store_behind_unsynced = 0;
	return (0);
}

int
store_sync(void)
{
	return (store_unsynced ? store_flush() : 0);
}

int
store_sync_behind(void)
{
	return (store_behind_unsynced ? store_flush() : 0);
}

/*
 * Run body in a transaction of its own: commit when it returns 0,
 * abort otherwise, and run it again if libdb chose it as the victim of
 * a deadlock.
 */
static int
store_txn(struct store_op *op, int (*body)(DB_TXN *, struct store_op *),
    int write)
{
	DB_TXN	*txn;
	int	 r, ar, try;

	for (try = 0; try < STORE_TRIES; try++) {
		if ((r = store_env->txn_begin(store_env, NULL, &txn, 0)) != 0)
			break;
		if ((r = body(txn, op)) == 0)
			r = txn->commit(txn, store_behind &&
			    store_commit_flags != DB_TXN_SYNC ?
			    DB_TXN_NOSYNC : store_commit_flags);
		else if ((ar = txn->abort(txn)) != 0)
			r = ar;
		if (r != DB_LOCK_DEADLOCK)
			break;
		log_debug("store: %s %s: deadlock, again", op->op_db->sd_file,
		    op->op_name);
	}
	if (r == 0 && write && store_commit_flags != DB_TXN_SYNC) {
		if (store_behind)
			store_behind_unsynced = 1;
		else
			store_unsynced = 1;
	}
	if (r == 0 && write && ++store_writes >= STORE_CKP_WRITES)
		store_checkpoint(STORE_CKP_KBYTES, STORE_CKP_MINUTES);
	return (store_status(op, r));
}

void
store_dbt_in(DBT *d, const void *data, size_t len)
{
	memset(d, 0, sizeof(*d));
	d->data = (void *)data;
	d->size = len;
}

/*
 * For the stores' own transaction bodies: a longer value is cut at the
 * buffer's size and refused by the decoder, rather than failing the
 * whole call for want of room.  A size of 0 reads no byte: enough to
 * count.
 */
void
store_dbt_part(DBT *d, void *buf, size_t size)
{
	memset(d, 0, sizeof(*d));
	d->data = buf;
	d->ulen = d->dlen = size;
	d->flags = DB_DBT_USERMEM | DB_DBT_PARTIAL;
}

/*
 * A key is read whole into a buffer of the longest key the store
 * takes: cut, it could pass for another.  It may hold a key to start
 * from.
 */
void
store_dbt_key(DBT *d, void *buf, size_t len, size_t size)
{
	memset(d, 0, sizeof(*d));
	d->data = buf;
	d->size = len;
	d->ulen = size;
	d->flags = DB_DBT_USERMEM;
}

/*
 * A partial read into the caller's memory never fails for want of
 * room: a longer value is cut at the buffer's size, and the caller's
 * decoder rejects what fills the buffer.
 */
static int
store_dbt_out(DBT *d, void *buf, size_t size)
{
	if (size == 0 || size > STORE_VAL_MAX) {
		log_warnx("store: buffer of %zu bytes", size);
		return (-1);
	}
	memset(d, 0, sizeof(*d));
	d->data = buf;
	d->ulen = d->dlen = size;
	d->flags = DB_DBT_USERMEM | DB_DBT_PARTIAL;
	return (0);
}

static int
store_op_init(struct store_op *op, enum store_dbid id, const char *name,
    const void *key, size_t keylen)
{
	memset(op, 0, sizeof(*op));
	if (store_env == NULL) {
		log_warnx("store: %s: environment not open", name);
		return (-1);
	}
	if (id >= STORE_DB_MAX) {
		log_warnx("store: %s: no such database", name);
		return (-1);
	}
	op->op_db = &store_dbs[id];
	op->op_name = name;
	if (key != NULL) {
		if (keylen == 0 || keylen > STORE_KEY_MAX) {
			log_warnx("store: %s %s: key of %zu bytes",
			    op->op_db->sd_file, name, keylen);
			return (-1);
		}
		store_dbt_in(&op->op_key, key, keylen);
	}
	return (0);
}

static int
store_insert_body(DB_TXN *txn, struct store_op *op)
{
	return (op->op_db->sd_db->put(op->op_db->sd_db, txn, &op->op_key,
	    &op->op_val, DB_NOOVERWRITE));
}

int
store_kv_insert(enum store_dbid id, const void *key, size_t keylen,
    const void *val, size_t len)
{
	struct store_op	op;

	if (store_op_init(&op, id, "insert", key, keylen) == -1)
		return (STORE_FAIL);
	if (len > STORE_VAL_MAX) {
		log_warnx("store: %s insert: value of %zu bytes",
		    op.op_db->sd_file, len);
		return (STORE_FAIL);
	}
	store_dbt_in(&op.op_val, val, len);
	return (store_txn(&op, store_insert_body, 1));
}

static int
store_get_body(DB_TXN *txn, struct store_op *op)
{
	return (op->op_db->sd_db->get(op->op_db->sd_db, txn, &op->op_key,
	    &op->op_val, 0));
}

int
store_kv_get(enum store_dbid id, const void *key, size_t keylen, void *buf,
    size_t size, size_t *len)
{
	struct store_op	op;
	int		r;

	*len = 0;
	if (store_op_init(&op, id, "get", key, keylen) == -1 ||
	    store_dbt_out(&op.op_val, buf, size) == -1)
		return (STORE_FAIL);
	if ((r = store_txn(&op, store_get_body, 0)) == STORE_OK)
		*len = op.op_val.size;
	return (r);
}

static int
store_del_body(DB_TXN *txn, struct store_op *op)
{
	return (op->op_db->sd_db->del(op->op_db->sd_db, txn, &op->op_key, 0));
}

int
store_kv_del(enum store_dbid id, const void *key, size_t keylen)
{
	struct store_op	op;

	if (store_op_init(&op, id, "delete", key, keylen) == -1)
		return (STORE_FAIL);
	return (store_txn(&op, store_del_body, 1));
}

/* DB_RMW takes the write lock at once: no upgrade to deadlock on. */
static int
store_edit_body(DB_TXN *txn, struct store_op *op)
{
	DB	*db = op->op_db->sd_db;
	DBT	 val;
	size_t	 len;
	int	 r;

	if ((r = db->get(db, txn, &op->op_key, &op->op_val, DB_RMW)) != 0)
		return (r);
	len = op->op_val.size;
	if ((r = op->op_edit(op->op_val.data, op->op_val.ulen, &len,
	    op->op_arg)) != STORE_OK)
		return (store_code(r));
	if (len > op->op_val.ulen) {
		log_warnx("store: %s edit: value outgrew its buffer",
		    op->op_db->sd_file);
		return (STORE_ELOGGED);
	}
	store_dbt_in(&val, op->op_val.data, len);
	return (db->put(db, txn, &op->op_key, &val, 0));
}

int
store_kv_edit(enum store_dbid id, const void *key, size_t keylen, void *buf,
    size_t size, int (*edit)(void *, size_t, size_t *, void *), void *arg)
{
	struct store_op	op;

	if (store_op_init(&op, id, "edit", key, keylen) == -1 ||
	    store_dbt_out(&op.op_val, buf, size) == -1)
		return (STORE_FAIL);
	op.op_edit = edit;
	op.op_arg = arg;
	return (store_txn(&op, store_edit_body, 1));
}

/*
 * Read-committed: a lock on each page is dropped as the cursor leaves
 * it, or a long walk would fill the lock table.  dirdb is the only
 * writer and it is busy walking, so nothing changes under the cursor.
 * Once a value has been handed out, running the walk again would hand
 * it out twice: a deadlock after that point is a failure.
 */
static int
store_walk_body(DB_TXN *txn, struct store_op *op)
{
	static unsigned char	 key[STORE_KEY_MAX], val[STORE_VAL_MAX];
	DBC			*c;
	DBT			 k, v;
	int			 r, cr;

	if ((r = op->op_db->sd_db->cursor(op->op_db->sd_db, txn, &c,
	    DB_READ_COMMITTED)) != 0)
		return (r);
	store_dbt_out(&k, key, sizeof(key));
	store_dbt_out(&v, val, sizeof(val));
	while ((r = c->get(c, &k, &v, DB_NEXT)) == 0) {
		op->op_seen++;
		if (op->op_walk(key, k.size, val, v.size, op->op_arg) == -1)
			break;
	}
	explicit_bzero(val, sizeof(val));
	if (r == DB_NOTFOUND)
		r = 0;
	if ((cr = c->close(c)) != 0 && r == 0)
		r = cr;
	if (r == DB_LOCK_DEADLOCK && op->op_seen > 0) {
		log_warnx("store: %s walk: deadlock after %zu values",
		    op->op_db->sd_file, op->op_seen);
		r = STORE_ELOGGED;
	}
	return (r);
}

int
store_kv_walk(enum store_dbid id,
    int (*walk)(const void *, size_t, const void *, size_t, void *),
    void *arg)
{
	struct store_op	op;

	if (store_op_init(&op, id, "walk", NULL, 0) == -1)
		return (STORE_FAIL);
	op.op_walk = walk;
	op.op_arg = arg;
	return (store_txn(&op, store_walk_body, 0));
}

/* A module's own body and its argument, carried in op_arg. */
struct store_call {
	int	(*sc_body)(DB_TXN *, void *);
	void	*sc_arg;
};

static int
store_call_body(DB_TXN *txn, struct store_op *op)
{
	struct store_call	*sc = op->op_arg;
	int			 r;

	if ((r = sc->sc_body(txn, sc->sc_arg)) == -1)
		r = STORE_ELOGGED;
	return (r);
}

int
store_kv_txn(enum store_dbid id, const char *name,
    int (*body)(DB_TXN *, void *), void *arg, int write)
{
	struct store_op		op;
	struct store_call	sc;

	if (store_op_init(&op, id, name, NULL, 0) == -1)
		return (STORE_FAIL);
	sc.sc_body = body;
	sc.sc_arg = arg;
	op.op_arg = &sc;
	return (store_txn(&op, store_call_body, write));
}

/*
 * A range ends at the first key that does not start with the prefix:
 * in a btree every key that does lies between the start and that one.
 */
static int
store_range_in(const struct store_range *sr, const DBT *k)
{
	if (sr->sr_prefixlen == 0)
		return (1);
	return (k->size >= sr->sr_prefixlen &&
	    memcmp(sr->sr_key, sr->sr_start, sr->sr_prefixlen) == 0);
}

int
store_kv_range(DB_TXN *txn, enum store_dbid id, struct store_range *sr)
{
	DB		*db;
	DBC		*c;
	DBT		 k, v;
	u_int32_t	 how;
	int		 r, cr;

	if ((db = store_kv_db(id)) == NULL ||
	    sr->sr_startlen > sr->sr_keysize ||
	    sr->sr_prefixlen > sr->sr_startlen) {
		log_warnx("store: range: bad arguments");
		return (STORE_ELOGGED);
	}
	if ((r = db->cursor(db, txn, &c, sr->sr_cflags)) != 0)
		return (r);
	if (sr->sr_startlen > 0)
		memcpy(sr->sr_key, sr->sr_start, sr->sr_startlen);
	store_dbt_key(&k, sr->sr_key, sr->sr_startlen, sr->sr_keysize);
	store_dbt_part(&v, sr->sr_val, sr->sr_valsize);
	how = sr->sr_startlen > 0 ? DB_SET_RANGE : DB_FIRST;
	sr->sr_stop = 0;
	while ((r = c->get(c, &k, &v, how | sr->sr_gflags)) == 0 &&
	    store_range_in(sr, &k)) {
		if ((r = sr->sr_fn(txn, c, sr, k.size, v.size)) != 0 ||
		    sr->sr_stop)
			break;
		how = DB_NEXT;
	}
	if (r == DB_NOTFOUND)
		r = 0;
	if ((cr = c->close(c)) != 0 && r == 0)
		r = cr;
	return (r);
}

static int
store_list_body(DB_TXN *txn, void *arg)
{
	struct store_list	*sl = arg;
	int			 r;

	*sl->sl_done = *sl->sl_bad = 0;
	r = store_kv_range(txn, sl->sl_db, &sl->sl_range);
	if (r == DB_LOCK_DEADLOCK && sl->sl_out && *sl->sl_done > 0) {
		log_warnx("store: %s: deadlock after %zu %s", sl->sl_what,
		    *sl->sl_done, sl->sl_items);
		return (-1);
	}
	return (r);
}

int
store_kv_list(enum store_dbid id, const char *name, struct store_list *sl)
{
	int	r;

	sl->sl_db = id;
	sl->sl_range.sr_cflags = DB_READ_COMMITTED;
	r = store_kv_txn(id, name, store_list_body, sl, 0);
	if (r == STORE_OK && *sl->sl_bad > 0) {
		log_warnx("store: %s: %zu records refused in a %s",
		    sl->sl_what, *sl->sl_bad, name);
		r = STORE_FAIL;
	}
	return (r);
}

/* NULL while the environment is shut: store_kv_txn() refuses then. */
DB *
store_kv_db(enum store_dbid id)
{
	if (id >= STORE_DB_MAX)
		return (NULL);
	return (store_dbs[id].sd_db);
}

/*
 * is_valid_address(), remembering the last address it passed: a
 * REGISTER's address is checked up to six times (the request, the
 * keys of its bindings and offline queue, the records written and
 * read), each a walk of it byte by byte.
 */
int
store_valid_address(const char *address)
{
	static char	last[IMD_ADDRESS_MAX];
	size_t		n;

	if (last[0] != '\0' && strcmp(address, last) == 0)
		return (1);
	if (!is_valid_address(address))
		return (0);
	n = strlen(address);
	memcpy(last, address, n + 1);
	return (1);
}

/*
 * The key prefix of an address: the address checked, lower-cased in
 * ASCII only (a key must not depend on the locale), with its NUL, so
 * that one user's records sort together and apart from any other's.
 */
int
store_address_key(const char *what, const char *address, unsigned char *key,
    size_t *len)
{
	char	vis[LOG_VIS_MAX * 4 + 1];
	size_t	i, n;

	if (!store_valid_address(address)) {
		n = strnlen(address, IMD_ADDRESS_MAX);
		log_warnx("store: %s: invalid address %s", what,
		    log_vis(address, n, vis, sizeof(vis)));
		return (-1);
	}
	n = strlen(address);
	for (i = 0; i < n; i++)
		key[i] = (address[i] >= 'A' && address[i] <= 'Z') ?
		    address[i] - 'A' + 'a' : address[i];
	key[n] = '\0';
	*len = n + 1;
	return (0);
}
