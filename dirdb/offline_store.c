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
 * The offline queue: three databases changed in one transaction.
 *
 * offline.db: the key is the recipient's address in lower case, a NUL,
 * and the message's id, u64 big-endian; the value is the record of
 * offline_record.c.
 *
 * offline_age.db: the key is the arrival and the id, u64 big-endian
 * each; the value is the recipient's address in lower case, without
 * its NUL.  Sorted by time first, it lets a reader of old messages read
 * only those.
 *
 * offline_due.db: the key is the next try by mail and the id, u64
 * big-endian each; the value is the recipient's address in lower case,
 * without its NUL.  A message has an entry exactly when its next try is
 * not 0, so the first entry is the message that falls due first.
 *
 * offline_seq.db: one record, the last id given out, u64 big-endian.
 * Kept beside the messages and changed in the same transaction, it
 * gives ids that grow across restarts and never come back, though the
 * message that had one is gone.
 *
 * A record is longer than the key/value layer's buffers take, so this
 * module reads and writes through its own transactions, with its own
 * buffers, allocated for each call.
 */

#include <sys/types.h>

#include <db.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cdefs.h"
#include "config.h"
#include "log.h"
#include "offline.h"
#include "offline_record.h"
#include "store.h"
#include "user.h"

/* Arrival or next try, id. */
#define OFFLINE_IKEY_LEN	(8 + OFFLINE_ID_LEN)
/* Entries of the due index that lead nowhere, dropped in one call. */
#define OFFLINE_DUE_STALE_MAX	16
#define OFFLINE_SEQ_KEY		"last id"

_Static_assert(OFFLINE_KEY_MAX <= STORE_KEY_MAX, "offline key too long");

/*
 * One call's state, handed to its transaction.  A range covers the
 * keys that start with oo_key, all of them when oo_keylen is 0.  The
 * buffers come last: each is written before it is read, so a new call
 * clears only what lies before them (offline_op_new).
 */
struct offline_op {
	size_t			 oo_keylen;
	size_t			 oo_len;
	const struct offline_rec *oo_in;	/* to put or update */
	uint64_t		 oo_id;
	uint64_t		 oo_before;	/* expired: arrivals before */
	size_t			 oo_max;
	size_t			 oo_done;	/* handed out or counted */
	size_t			 oo_bad;	/* records refused */
	int			 oo_stop;
	int			 oo_full;
	int			 oo_hold;	/* update: hold, not oo_in */
	int			 oo_keys_only;	/* a range reads no value */
	size_t			 oo_valmax;	/* else at most this, if set */
	struct conf_quota	 oo_tally[OFFLINE_QUOTA_MAX]; /* put: in use */
	int			(*oo_fn)(DB_TXN *, DBC *, struct offline_op *,
				    size_t, size_t);	/* a range's callback */
	int			(*oo_cb)(const struct offline_rec *, void *);
	void			*oo_arg;
	unsigned char		 oo_key[OFFLINE_KEY_MAX];
	unsigned char		 oo_ckey[STORE_KEY_MAX]; /* at the cursor */
	unsigned char		 oo_val[OFFLINE_BUF_SIZE];
	struct offline_rec	 oo_rec;	/* offline_decode clears it */
};

/* Until the configuration says otherwise; bytes unbounded for tests. */
static struct conf_quota offline_quota[OFFLINE_QUOTA_MAX] = {
	[OFFLINE_QUOTA_USER] = { OFFLINE_PER_USER_DEFAULT, UINT32_MAX },
	[OFFLINE_QUOTA_UNAUTH] = { UINT32_MAX, UINT32_MAX },
	[OFFLINE_QUOTA_DOMAIN] = { UINT32_MAX, UINT32_MAX },
	[OFFLINE_QUOTA_SENDER] = { UINT32_MAX, UINT32_MAX },
};
static uint64_t	offline_max_age = OFFLINE_AGE_DEFAULT;

static int	offline_key(const char *, uint64_t, unsigned char *,
		    size_t *);
static struct offline_op *offline_op_new(void);
static void	offline_op_free(struct offline_op *);
static int	offline_op_key(struct offline_op *, const char *, uint64_t);
static int	offline_index(DB_TXN *, enum store_dbid, uint64_t,
		    uint64_t, const unsigned char *, int);
static int	offline_due_move(DB_TXN *, struct offline_op *, uint64_t,
		    uint64_t);
static int	offline_due_take(DB_TXN *, DBC *, struct offline_op *,
		    uint64_t);
static int	offline_due_one(DB_TXN *, DBC *, struct offline_op *,
		    size_t, size_t);
static int	offline_due_body(DB_TXN *, void *);
static int	offline_range_one(DB_TXN *, DBC *, struct store_range *,
		    size_t, size_t);
static void	offline_range_init(struct offline_op *, int (*)(DB_TXN *,
		    DBC *, struct offline_op *, size_t, size_t),
		    struct store_range *);
static int	offline_range(DB_TXN *, struct offline_op *, u_int32_t,
		    int (*)(DB_TXN *, DBC *, struct offline_op *, size_t,
		    size_t));
static int	offline_next_id(DB_TXN *, uint64_t *);
static void	offline_tally_add(struct conf_quota *, uint32_t);
static const char *offline_domain(const char *);
static int	offline_quota_one(DB_TXN *, DBC *, struct offline_op *,
		    size_t, size_t);
static int	offline_quota_over(const struct conf_quota *,
		    const struct offline_rec *);
static int	offline_is_full(DB_TXN *, struct offline_op *);
static int	offline_put_body(DB_TXN *, void *);
static int	offline_first_one(DB_TXN *, DBC *, struct offline_op *,
		    size_t, size_t);
static int	offline_first_body(DB_TXN *, void *);
static int	offline_get_rmw(DB_TXN *, struct offline_op *);
static int	offline_del_body(DB_TXN *, void *);
static int	offline_update_body(DB_TXN *, void *);
static int	offline_list_one(DB_TXN *, DBC *, struct offline_op *,
		    size_t, size_t);
static int	offline_list(struct offline_op *, const char *);
static int	offline_stale(DBC *, struct offline_op *, const char *);
static int	offline_index_message(DB_TXN *, DBC *, struct offline_op *,
		    size_t, size_t, u_int32_t, int *);
static int	offline_expire_one(DB_TXN *, DBC *, struct offline_op *,
		    size_t, size_t);
static int	offline_index_walk(DB_TXN *, enum store_dbid,
		    struct offline_op *, size_t, int (*)(DB_TXN *, DBC *,
		    struct offline_op *, size_t, size_t));
static int	offline_expired_body(DB_TXN *, void *);

static int
offline_key(const char *address, uint64_t id, unsigned char *key,
    size_t *len)
{
	size_t	plen;

	if (store_address_key("offline", address, key, &plen) == -1)
		return (-1);
	offline_be_put(key + plen, id);
	*len = plen + OFFLINE_ID_LEN;
	return (0);
}


/*
 * Two records and buffers are too much for the stack of an event loop,
 * and too much to get from malloc and clear for every REGISTER (each
 * asks for the user's first queued message): the last one freed waits
 * for the next call.  A nested call gets a fresh one.
 */
static struct offline_op	*offline_op_spare;

static struct offline_op *
offline_op_new(void)
{
	struct offline_op	*op;

	if ((op = offline_op_spare) != NULL)
		offline_op_spare = NULL;
	else if ((op = malloc(sizeof(*op))) == NULL) {
		log_warn("store: offline");
		return (NULL);
	}
	memset(op, 0, offsetof(struct offline_op, oo_key));
	return (op);
}

static void
offline_op_free(struct offline_op *op)
{
	if (offline_op_spare == NULL)
		offline_op_spare = op;
	else
		free(op);
}

/* The whole key with an id, the user's prefix without. */
static int
offline_op_key(struct offline_op *op, const char *address, uint64_t id)
{
	op->oo_id = id;
	if (id == 0)
		return (store_address_key("offline", address, op->oo_key,
		    &op->oo_keylen));
	return (offline_key(address, id, op->oo_key, &op->oo_keylen));
}

/*
 * Add or take away an index entry of a message, by arrival or by next
 * try; key is the address in lower case with its NUL.  One found
 * missing is logged and let be: the message is what counts.
 */
static int
offline_index(DB_TXN *txn, enum store_dbid dbid, uint64_t when, uint64_t id,
    const unsigned char *key, int add)
{
	DB		*db = store_kv_db(dbid);
	unsigned char	 ikey[OFFLINE_IKEY_LEN];
	DBT		 k, v;
	int		 r;

	offline_be_put(ikey, when);
	offline_be_put(ikey + 8, id);
	store_dbt_in(&k, ikey, sizeof(ikey));
	if (add) {
		store_dbt_in(&v, key, strlen((const char *)key));
		return (db->put(db, txn, &k, &v, DB_NOOVERWRITE));
	}
	if ((r = db->del(db, txn, &k, 0)) == DB_NOTFOUND) {
		log_warnx("store: offline: index entry of %s %llu missing",
		    (const char *)key, (unsigned long long)id);
		r = 0;
	}
	return (r);
}

/* The callbacks keep their own stop flag: the index walks use it too. */
static int
offline_range_one(DB_TXN *txn, DBC *c, struct store_range *sr,
    size_t keylen, size_t len)
{
	struct offline_op	*op = sr->sr_arg;
	int			 r;

	r = op->oo_fn(txn, c, op, keylen, len);
	sr->sr_stop = op->oo_stop;
	return (r);
}

/*
 * The range of each message whose key starts with oo_key, in key
 * order, until fn fails or sets oo_stop.  fn finds the key in oo_ckey
 * and the value in oo_val, and is told their lengths.
 */
static void
offline_range_init(struct offline_op *op, int (*fn)(DB_TXN *, DBC *,
    struct offline_op *, size_t, size_t), struct store_range *sr)
{
	memset(sr, 0, sizeof(*sr));
	sr->sr_start = op->oo_key;
	sr->sr_startlen = op->oo_keylen;
	sr->sr_prefixlen = op->oo_keylen;
	sr->sr_key = op->oo_ckey;
	sr->sr_keysize = sizeof(op->oo_ckey);
	sr->sr_val = op->oo_val;
	sr->sr_valsize = op->oo_keys_only ? 0 : op->oo_valmax != 0 ?
	    op->oo_valmax : sizeof(op->oo_val);
	sr->sr_fn = offline_range_one;
	sr->sr_arg = op;
	op->oo_fn = fn;
}

static int
offline_range(DB_TXN *txn, struct offline_op *op, u_int32_t cflags,
    int (*fn)(DB_TXN *, DBC *, struct offline_op *, size_t, size_t))
{
	struct store_range	sr;

	offline_range_init(op, fn, &sr);
	sr.sr_cflags = cflags;
	return (store_kv_range(txn, STORE_DB_OFFLINE, &sr));
}

/*
 * The counter is read with DB_RMW: the write lock taken at once makes
 * puts one after the other, so two cannot both find room for one.
 */
static int
offline_next_id(DB_TXN *txn, uint64_t *id)
{
	DB		*db = store_kv_db(STORE_DB_OFFLINE_SEQ);
	unsigned char	 buf[OFFLINE_ID_LEN + 1];
	DBT		 k, v;
	uint64_t	 last = 0;
	int		 r;

	store_dbt_in(&k, OFFLINE_SEQ_KEY, sizeof(OFFLINE_SEQ_KEY) - 1);
	store_dbt_part(&v, buf, sizeof(buf));
	if ((r = db->get(db, txn, &k, &v, DB_RMW)) == 0) {
		if (v.size != OFFLINE_ID_LEN) {
			log_warnx("store: offline: malformed id counter");
			return (-1);
		}
		last = offline_be_get(buf);
	} else if (r != DB_NOTFOUND)
		return (r);
	if (last == UINT64_MAX) {
		log_warnx("store: offline: ids exhausted");
		return (-1);
	}
	*id = last + 1;
	offline_be_put(buf, *id);
	store_dbt_in(&v, buf, OFFLINE_ID_LEN);
	return (db->put(db, txn, &k, &v, 0));
}

static void
offline_tally_add(struct conf_quota *t, uint32_t bytes)
{
	t->q_msgs++;
	t->q_bytes = t->q_bytes > UINT32_MAX - bytes ? UINT32_MAX :
	    t->q_bytes + bytes;
}

/* The domain of an address: after its last '@', or all of it. */
static const char *
offline_domain(const char *address)
{
	const char	*at = strrchr(address, '@');

	return (at != NULL ? at + 1 : address);
}

/*
 * One message of the recipient, read only up to its body, counted
 * against each quota the new one (oo_in) falls under.  A summary is
 * not a message and takes no room; a record that does not read is
 * counted as a stranger's of no size, so that it is not free room.
 * The count stops once the user's queue is full whatever else holds,
 * but for a summary, which looks for another in the whole queue.
 */
static int
offline_quota_one(DB_TXN *txn IMD_UNUSED, DBC *c IMD_UNUSED,
    struct offline_op *op, size_t keylen IMD_UNUSED, size_t len)
{
	const struct offline_rec *in = op->oo_in;
	struct offline_rec	*o = &op->oo_rec;
	struct conf_quota	*t = op->oo_tally;

	memset(o, 0, offsetof(struct offline_rec, o_body));
	if (offline_decode_head(op->oo_val, len, o) != NULL)
		o->o_bodylen = 0;
	if (o->o_flags & OFFLINE_F_SUMMARY) {
		op->oo_done++;		/* a summary is there already */
		return (0);
	}
	offline_tally_add(&t[OFFLINE_QUOTA_USER], o->o_bodylen);
	if (t[OFFLINE_QUOTA_USER].q_msgs >=
	    offline_quota[OFFLINE_QUOTA_USER].q_msgs &&
	    !(in->o_flags & OFFLINE_F_SUMMARY))
		op->oo_stop = 1;
	if (o->o_flags & OFFLINE_F_AUTHED)
		return (0);
	offline_tally_add(&t[OFFLINE_QUOTA_UNAUTH], o->o_bodylen);
	if (strcasecmp(offline_domain(o->o_from),
	    offline_domain(in->o_from)) != 0)
		return (0);
	offline_tally_add(&t[OFFLINE_QUOTA_DOMAIN], o->o_bodylen);
	if (strcasecmp(o->o_from, in->o_from) == 0)
		offline_tally_add(&t[OFFLINE_QUOTA_SENDER], o->o_bodylen);
	return (0);
}

/* Would the new message take a quota past its limit?  The narrowest. */
static int
offline_quota_over(const struct conf_quota *t, const struct offline_rec *in)
{
	static const int	 order[] = { OFFLINE_QUOTA_SENDER,
	    OFFLINE_QUOTA_DOMAIN, OFFLINE_QUOTA_UNAUTH, OFFLINE_QUOTA_USER };
	const struct conf_quota	*q;
	size_t			 i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (order[i] != OFFLINE_QUOTA_USER &&
		    (in->o_flags & OFFLINE_F_AUTHED))
			continue;
		q = &offline_quota[order[i]];
		if (t[order[i]].q_msgs >= q->q_msgs ||
		    in->o_bodylen > q->q_bytes ||
		    t[order[i]].q_bytes > q->q_bytes - in->o_bodylen)
			return (order[i]);
	}
	return (-1);
}

/*
 * oo_full is 1 + the quota the new message would break; for a summary,
 * oo_done says whether the recipient has one already.
 */
static int
offline_is_full(DB_TXN *txn, struct offline_op *op)
{
	int	r, over;

	memset(op->oo_tally, 0, sizeof(op->oo_tally));
	op->oo_done = 0;
	op->oo_stop = 0;
	op->oo_keys_only = 0;
	op->oo_valmax = OFFLINE_HEAD_MAX;
	r = offline_range(txn, op, 0, offline_quota_one);
	op->oo_valmax = 0;
	if (r != 0)
		return (r);
	if (op->oo_in->o_flags & OFFLINE_F_SUMMARY)
		return (0);
	if ((over = offline_quota_over(op->oo_tally, op->oo_in)) != -1)
		op->oo_full = 1 + over;
	return (0);
}

/* oo_key holds the prefix; the id is added once it is known. */
static int
offline_put_body(DB_TXN *txn, void *arg)
{
	struct offline_op	*op = arg;
	DB			*db = store_kv_db(STORE_DB_OFFLINE);
	const struct offline_rec *o = op->oo_in;
	size_t			 plen = op->oo_keylen;
	DBT			 k, v;
	int			 r;

	op->oo_full = 0;
	if ((r = offline_next_id(txn, &op->oo_id)) != 0 ||
	    (r = offline_is_full(txn, op)) != 0)
		return (r);
	if (op->oo_full)
		return (-1);
	if ((o->o_flags & OFFLINE_F_SUMMARY) && op->oo_done > 0)
		return (DB_KEYEXIST);
	if (offline_encode(o, op->oo_key, op->oo_id, op->oo_val,
	    sizeof(op->oo_val), &op->oo_len) == -1)
		return (-1);
	memcpy(op->oo_ckey, op->oo_key, plen);
	offline_be_put(op->oo_ckey + plen, op->oo_id);
	store_dbt_in(&k, op->oo_ckey, plen + OFFLINE_ID_LEN);
	store_dbt_in(&v, op->oo_val, op->oo_len);
	if ((r = db->put(db, txn, &k, &v, DB_NOOVERWRITE)) == 0)
		r = offline_index(txn, STORE_DB_OFFLINE_AGE, o->o_arrived,
		    op->oo_id, op->oo_key, 1);
	if (r == 0 && o->o_next_try != 0)
		r = offline_index(txn, STORE_DB_OFFLINE_DUE, o->o_next_try,
		    op->oo_id, op->oo_key, 1);
	if (r == DB_KEYEXIST) {
		log_warnx("store: offline: id %llu already in use",
		    (unsigned long long)op->oo_id);
		return (-1);
	}
	return (r);
}

int
store_offline_put(struct offline_rec *o)
{
	return (store_offline_put_quota(o, NULL));
}

/*
 * A full queue aborts the transaction: the id it took goes back, and
 * nothing was written that needs a commit.  *full names the quota.
 */
int
store_offline_put_quota(struct offline_rec *o, int *full)
{
	struct offline_op	*op;
	const char		*why;
	char			 vis[LOG_VIS_MAX * 4 + 1];
	int			 r;

	if ((why = offline_fields_bad(o)) != NULL) {
		log_warnx("store: offline: message for %s refused: %s",
		    log_vis(o->o_to, strnlen(o->o_to, sizeof(o->o_to)), vis,
		    sizeof(vis)), why);
		return (STORE_FAIL);
	}
	if ((op = offline_op_new()) == NULL)
		return (STORE_FAIL);
	op->oo_in = o;
	if (offline_op_key(op, o->o_to, 0) == -1)
		r = STORE_FAIL;
	else
		r = store_kv_txn(STORE_DB_OFFLINE, "put", offline_put_body, op,
		    1);
	if (r == STORE_FAIL && op->oo_full) {
		log_info("store: offline: queue of %s full for %s: %u "
		    "messages, %u bytes", (const char *)op->oo_key,
		    (o->o_flags & OFFLINE_F_AUTHED) ? "an authenticated sender" :
		    o->o_from, op->oo_tally[op->oo_full - 1].q_msgs,
		    op->oo_tally[op->oo_full - 1].q_bytes);
		if (full != NULL)
			*full = op->oo_full - 1;
		r = STORE_FULL;
	} else if (r == STORE_OK)
		o->o_id = op->oo_id;
	offline_op_free(op);
	return (r);
}

void
store_offline_limits(uint32_t per_user, uint64_t max_age)
{
	offline_quota[OFFLINE_QUOTA_USER].q_msgs = per_user;
	offline_max_age = max_age;
}

void
store_offline_quotas(const struct conf_quota *quota)
{
	memcpy(offline_quota, quota, sizeof(offline_quota));
}

/* One on its way to the MTA is not for a registration as well. */
static int
offline_first_one(DB_TXN *txn IMD_UNUSED, DBC *c IMD_UNUSED,
    struct offline_op *op, size_t keylen, size_t len)
{
	if (offline_decode(op->oo_ckey, keylen, op->oo_val, len,
	    &op->oo_rec) == -1) {
		op->oo_bad++;
		return (0);
	}
	if (op->oo_rec.o_state == OFFLINE_MAILING ||
	    (op->oo_rec.o_flags & OFFLINE_F_SUMMARY))
		return (0);
	op->oo_done = 1;
	op->oo_stop = 1;
	return (0);
}

static int
offline_first_body(DB_TXN *txn, void *arg)
{
	struct offline_op	*op = arg;

	op->oo_done = op->oo_bad = 0;
	op->oo_stop = 0;
	return (offline_range(txn, op, DB_READ_COMMITTED, offline_first_one));
}

/* Only a queue of bad records alone fails: one good message will do. */
int
store_offline_first(const char *to, struct offline_rec *o)
{
	struct offline_op	*op;
	int			 r;

	if ((op = offline_op_new()) == NULL) {
		memset(o, 0, sizeof(*o));
		return (STORE_FAIL);
	}
	/* The address may lie inside *o: take the key before the wipe. */
	r = offline_op_key(op, to, 0);
	memset(o, 0, sizeof(*o));
	if (r == -1)
		r = STORE_FAIL;
	else
		r = store_kv_txn(STORE_DB_OFFLINE, "first", offline_first_body,
		    op, 0);
	if (r == STORE_OK && op->oo_done)
		memcpy(o, &op->oo_rec, sizeof(*o));
	else if (r == STORE_OK)
		r = op->oo_bad > 0 ? STORE_FAIL : STORE_NOTFOUND;
	offline_op_free(op);
	return (r);
}

/* DB_RMW takes the write lock at once: no upgrade to deadlock on. */
static int
offline_get_rmw(DB_TXN *txn, struct offline_op *op)
{
	DB	*db = store_kv_db(STORE_DB_OFFLINE);
	DBT	 k, v;
	int	 r;

	store_dbt_in(&k, op->oo_key, op->oo_keylen);
	store_dbt_part(&v, op->oo_val, sizeof(op->oo_val));
	if ((r = db->get(db, txn, &k, &v, DB_RMW)) == 0)
		op->oo_len = v.size;
	return (r);
}

/*
 * A record that does not decode goes all the same; its index entry
 * cannot be found without the arrival, so a reader of old messages
 * drops it when it comes to it.
 */
static int
offline_del_body(DB_TXN *txn, void *arg)
{
	struct offline_op	*op = arg;
	DB			*db = store_kv_db(STORE_DB_OFFLINE);
	DBT			 k;
	int			 r;

	if ((r = offline_get_rmw(txn, op)) != 0)
		return (r);
	if (offline_decode(op->oo_key, op->oo_keylen, op->oo_val, op->oo_len,
	    &op->oo_rec) == 0) {
		if ((r = offline_index(txn, STORE_DB_OFFLINE_AGE,
		    op->oo_rec.o_arrived, op->oo_id, op->oo_key, 0)) != 0 ||
		    (r = offline_due_move(txn, op, op->oo_rec.o_next_try,
		    0)) != 0)
			return (r);
	}
	store_dbt_in(&k, op->oo_key, op->oo_keylen);
	return (db->del(db, txn, &k, 0));
}

int
store_offline_del(const char *to, uint64_t id)
{
	struct offline_op	*op;
	int			 r;

	if (id == 0) {
		log_warnx("store: offline: delete of message 0");
		return (STORE_FAIL);
	}
	if ((op = offline_op_new()) == NULL)
		return (STORE_FAIL);
	if (offline_op_key(op, to, id) == -1)
		r = STORE_FAIL;
	else
		r = store_kv_txn(STORE_DB_OFFLINE, "delete", offline_del_body,
		    op, 1);
	offline_op_free(op);
	return (r);
}

/*
 * The entry of the due index follows the next try: from when, if not
 * 0, to to, if not 0.
 */
static int
offline_due_move(DB_TXN *txn, struct offline_op *op, uint64_t from,
    uint64_t to)
{
	int	r;

	if (from == to)
		return (0);
	if (from != 0 && (r = offline_index(txn, STORE_DB_OFFLINE_DUE, from,
	    op->oo_id, op->oo_key, 0)) != 0)
		return (r);
	if (to != 0)
		return (offline_index(txn, STORE_DB_OFFLINE_DUE, to, op->oo_id,
		    op->oo_key, 1));
	return (0);
}

/*
 * The arrival stays, so its index entry stays too; the due one moves.
 * The flags stay but for a hold, which sets one.
 */
static int
offline_update_body(DB_TXN *txn, void *arg)
{
	struct offline_op	*op = arg;
	struct offline_rec	*o = &op->oo_rec;
	DB			*db = store_kv_db(STORE_DB_OFFLINE);
	DBT			 k, v;
	uint64_t		 next;
	int			 r;

	if ((r = offline_get_rmw(txn, op)) != 0)
		return (r);
	if (offline_decode(op->oo_key, op->oo_keylen, op->oo_val, op->oo_len,
	    o) == -1)
		return (-1);
	next = op->oo_hold ? 0 : op->oo_in->o_next_try;
	if ((r = offline_due_move(txn, op, o->o_next_try, next)) != 0)
		return (r);
	o->o_next_try = next;
	if (op->oo_hold) {
		o->o_state = OFFLINE_WAITING;
		o->o_flags |= OFFLINE_F_HELD;
	} else {
		o->o_attempts = op->oo_in->o_attempts;
		o->o_state = op->oo_in->o_state;
	}
	if (offline_encode(o, op->oo_key, op->oo_id, op->oo_val,
	    sizeof(op->oo_val), &op->oo_len) == -1)
		return (-1);
	store_dbt_in(&k, op->oo_key, op->oo_keylen);
	store_dbt_in(&v, op->oo_val, op->oo_len);
	return (db->put(db, txn, &k, &v, 0));
}

int
store_offline_update(const struct offline_rec *o)
{
	struct offline_op	*op;
	int			 r;

	if (o->o_id == 0 ||
	    (o->o_state != OFFLINE_WAITING && o->o_state != OFFLINE_MAILING)) {
		log_warnx("store: offline: update of message %llu refused: "
		    "no id or unknown state", (unsigned long long)o->o_id);
		return (STORE_FAIL);
	}
	if ((op = offline_op_new()) == NULL)
		return (STORE_FAIL);
	op->oo_in = o;
	if (offline_op_key(op, o->o_to, o->o_id) == -1)
		r = STORE_FAIL;
	else
		r = store_kv_txn(STORE_DB_OFFLINE, "update",
		    offline_update_body, op, 1);
	offline_op_free(op);
	return (r);
}

int
store_offline_hold(const char *to, uint64_t id)
{
	struct offline_op	*op;
	int			 r;

	if ((op = offline_op_new()) == NULL)
		return (STORE_FAIL);
	op->oo_hold = 1;
	if (id == 0 || offline_op_key(op, to, id) == -1)
		r = STORE_FAIL;
	else
		r = store_kv_txn(STORE_DB_OFFLINE, "hold",
		    offline_update_body, op, 1);
	offline_op_free(op);
	return (r);
}

/* Without a callback, only a count, and every record counts. */
static int
offline_list_one(DB_TXN *txn IMD_UNUSED, DBC *c IMD_UNUSED,
    struct offline_op *op, size_t keylen, size_t len)
{
	if (op->oo_cb == NULL) {
		op->oo_done++;
		return (0);
	}
	if (offline_decode(op->oo_ckey, keylen, op->oo_val, len,
	    &op->oo_rec) == -1) {
		op->oo_bad++;
		return (0);
	}
	op->oo_done++;
	if (op->oo_cb(&op->oo_rec, op->oo_arg) == -1)
		op->oo_stop = 1;
	return (0);
}

/* A list when oo_cb is set, else a count of the keys alone. */
static int
offline_list(struct offline_op *op, const char *name)
{
	struct store_list	sl = {
		.sl_what = "offline", .sl_items = "messages",
		.sl_done = &op->oo_done, .sl_bad = &op->oo_bad,
		.sl_out = op->oo_cb != NULL,
	};

	op->oo_keys_only = op->oo_cb == NULL;
	offline_range_init(op, offline_list_one, &sl.sl_range);
	return (store_kv_list(STORE_DB_OFFLINE, name, &sl));
}

int
store_offline_list(const char *to, int (*cb)(const struct offline_rec *,
    void *), void *arg)
{
	struct offline_op	*op;
	int			 r;

	if (cb == NULL) {
		log_warnx("store: offline: list without a callback");
		return (STORE_FAIL);
	}
	if ((op = offline_op_new()) == NULL)
		return (STORE_FAIL);
	op->oo_cb = cb;
	op->oo_arg = arg;
	if (offline_op_key(op, to, 0) == -1)
		r = STORE_FAIL;
	else
		r = offline_list(op, "list");
	offline_op_free(op);
	return (r);
}

/* The first message is enough. */
static int
offline_any_one(DB_TXN *txn IMD_UNUSED, DBC *c IMD_UNUSED,
    struct offline_op *op, size_t keylen IMD_UNUSED, size_t len IMD_UNUSED)
{
	op->oo_done++;
	op->oo_stop = 1;
	return (0);
}

/*
 * Whether any message waits for to, in the caller's transaction (a
 * REGISTER's): one cursor step, its key alone.
 */
int
store_offline_any_in(DB_TXN *txn, const char *to, int *any)
{
	struct offline_op	*op;
	int			 r;

	*any = 0;
	if ((op = offline_op_new()) == NULL)
		return (-1);
	op->oo_keys_only = 1;
	if (offline_op_key(op, to, 0) == -1)
		r = -1;
	else if ((r = offline_range(txn, op, 0, offline_any_one)) == 0)
		*any = op->oo_done > 0;
	offline_op_free(op);
	return (r);
}

int
store_offline_count(const char *to, size_t *n)
{
	struct offline_op	*op;
	int			 r;

	*n = 0;
	if ((op = offline_op_new()) == NULL)
		return (STORE_FAIL);
	if (offline_op_key(op, to, 0) == -1)
		r = STORE_FAIL;
	else if ((r = offline_list(op, "count")) == STORE_OK)
		*n = op->oo_done;
	offline_op_free(op);
	return (r);
}

int
store_offline_walk(int (*cb)(const struct offline_rec *, void *), void *arg)
{
	struct offline_op	*op;
	int			 r;

	if (cb == NULL) {
		log_warnx("store: offline: walk without a callback");
		return (STORE_FAIL);
	}
	if ((op = offline_op_new()) == NULL)
		return (STORE_FAIL);
	op->oo_cb = cb;
	op->oo_arg = arg;
	r = offline_list(op, "walk");
	offline_op_free(op);
	return (r);
}

/* An index entry that leads to no good message goes, and is counted. */
static int
offline_stale(DBC *c, struct offline_op *op, const char *why)
{
	log_warnx("store: offline: index entry dropped: %s", why);
	op->oo_bad++;
	return (c->del(c, 0));
}

/*
 * The message that the index entry under the cursor names by its
 * recipient, in the value, and its id, read into oo_rec with its key
 * in oo_key.  An entry that leads to no good message is dropped, and
 * *gone set.
 */
static int
offline_index_message(DB_TXN *txn, DBC *c, struct offline_op *op,
    size_t ikeylen, size_t len, u_int32_t flags, int *gone)
{
	DB	*db = store_kv_db(STORE_DB_OFFLINE);
	char	 to[IMD_ADDRESS_MAX];
	DBT	 k, v;
	int	 r;

	*gone = 1;
	if (ikeylen != OFFLINE_IKEY_LEN || len == 0 || len >= sizeof(to))
		return (offline_stale(c, op, "malformed"));
	memcpy(to, op->oo_val, len);
	to[len] = '\0';
	if (offline_key(to, offline_be_get(op->oo_ckey + 8), op->oo_key,
	    &op->oo_keylen) == -1)
		return (offline_stale(c, op, "malformed recipient"));
	store_dbt_in(&k, op->oo_key, op->oo_keylen);
	store_dbt_part(&v, op->oo_val, sizeof(op->oo_val));
	if ((r = db->get(db, txn, &k, &v, flags)) == DB_NOTFOUND)
		return (offline_stale(c, op, "no such message"));
	if (r != 0)
		return (r);
	if (offline_decode(op->oo_key, op->oo_keylen, op->oo_val, v.size,
	    &op->oo_rec) == -1)
		return (offline_stale(c, op, "message refused"));
	*gone = 0;
	return (0);
}

/*
 * The entry under the cursor names a message, which must have the
 * entry's arrival.
 */
static int
offline_expire_one(DB_TXN *txn, DBC *c, struct offline_op *op,
    size_t ikeylen, size_t len)
{
	int	r, gone;

	if (ikeylen == OFFLINE_IKEY_LEN &&
	    offline_be_get(op->oo_ckey) >= op->oo_before) {
		op->oo_stop = 1;	/* young enough, and all after it */
		return (0);
	}
	if ((r = offline_index_message(txn, c, op, ikeylen, len, 0,
	    &gone)) != 0 || gone)
		return (r);
	if (op->oo_rec.o_arrived != offline_be_get(op->oo_ckey))
		return (offline_stale(c, op, "another arrival"));
	op->oo_done++;
	if (op->oo_cb(&op->oo_rec, op->oo_arg) == -1)
		op->oo_stop = 1;
	return (0);
}

/*
 * Call fn on the entries of an index (by arrival or by next try) from
 * the first, at most max of them, until fn fails or sets oo_stop.  fn
 * finds the key in oo_ckey and the address in oo_val.
 */
static int
offline_index_walk(DB_TXN *txn, enum store_dbid dbid, struct offline_op *op,
    size_t max, int (*fn)(DB_TXN *, DBC *, struct offline_op *, size_t,
    size_t))
{
	DB	*db = store_kv_db(dbid);
	DBC	*c;
	DBT	 k, v;
	size_t	 seen;
	int	 r = 0, cr;

	op->oo_done = op->oo_bad = 0;
	op->oo_stop = 0;
	if ((r = db->cursor(db, txn, &c, 0)) != 0)
		return (r);
	store_dbt_key(&k, op->oo_ckey, 0, sizeof(op->oo_ckey));
	store_dbt_part(&v, op->oo_val, IMD_ADDRESS_MAX);
	for (seen = 0; seen < max && !op->oo_stop; seen++) {
		if ((r = c->get(c, &k, &v, DB_NEXT)) != 0)
			break;
		if ((r = fn(txn, c, op, k.size, v.size)) != 0)
			break;
	}
	if (r == DB_NOTFOUND)
		r = 0;
	if ((cr = c->close(c)) != 0 && r == 0)
		r = cr;
	return (r);
}

/*
 * The index in time order, from the oldest entry, until the first that
 * is young enough.  An entry that leads nowhere is dropped, or it
 * would be read again by every call, and counts towards max, so the
 * work of a call stays bounded whatever the index holds.  A deadlock
 * after a message was handed out is a failure, as in a list.
 */
static int
offline_expired_body(DB_TXN *txn, void *arg)
{
	struct offline_op	*op = arg;
	int			 r;

	r = offline_index_walk(txn, STORE_DB_OFFLINE_AGE, op, op->oo_max,
	    offline_expire_one);
	if (r == DB_LOCK_DEADLOCK && op->oo_done > 0) {
		log_warnx("store: offline: deadlock after %zu old messages",
		    op->oo_done);
		return (-1);
	}
	return (r);
}

/* Older than the age limit: arrived before now less the limit. */
int
store_offline_expired(uint64_t now, int (*cb)(const struct offline_rec *,
    void *), void *arg, size_t max)
{
	struct offline_op	*op;
	int			 r;

	if (cb == NULL) {
		log_warnx("store: offline: expired without a callback");
		return (STORE_FAIL);
	}
	if (max == 0 || now <= offline_max_age)
		return (STORE_OK);
	if ((op = offline_op_new()) == NULL)
		return (STORE_FAIL);
	op->oo_before = now - offline_max_age;
	op->oo_max = max;
	op->oo_cb = cb;
	op->oo_arg = arg;
	r = store_kv_txn(STORE_DB_OFFLINE_AGE, "expired",
	    offline_expired_body, op, 1);
	if (r == STORE_OK && op->oo_bad > 0) {
		log_warnx("store: offline: %zu index entries dropped",
		    op->oo_bad);
		r = STORE_FAIL;
	}
	offline_op_free(op);
	return (r);
}

/*
 * The message under the due entry at the cursor, in oo_rec, becomes
 * mailing until now plus the lease: its record and its entry change.
 */
static int
offline_due_take(DB_TXN *txn, DBC *c, struct offline_op *op, uint64_t until)
{
	DB	*db = store_kv_db(STORE_DB_OFFLINE);
	DBT	 k, v;
	int	 r;

	op->oo_rec.o_state = OFFLINE_MAILING;
	op->oo_rec.o_next_try = until;
	if (offline_encode(&op->oo_rec, op->oo_key, op->oo_id, op->oo_val,
	    sizeof(op->oo_val), &op->oo_len) == -1)
		return (-1);
	store_dbt_in(&k, op->oo_key, op->oo_keylen);
	store_dbt_in(&v, op->oo_val, op->oo_len);
	if ((r = db->put(db, txn, &k, &v, 0)) != 0 || (r = c->del(c, 0)) != 0)
		return (r);
	return (offline_index(txn, STORE_DB_OFFLINE_DUE, until, op->oo_id,
	    op->oo_key, 1));
}

/*
 * The entry under the cursor: not yet due ends the search; one that
 * leads to no good message with that next try is dropped; else the
 * message is taken.
 */
static int
offline_due_one(DB_TXN *txn, DBC *c, struct offline_op *op, size_t ikeylen,
    size_t len)
{
	uint64_t	due;
	int		r, gone;

	if (ikeylen == OFFLINE_IKEY_LEN &&
	    (due = offline_be_get(op->oo_ckey)) > op->oo_before) {
		op->oo_id = due;	/* the answer: when the first falls due */
		op->oo_stop = 1;
		return (0);
	}
	if ((r = offline_index_message(txn, c, op, ikeylen, len, DB_RMW,
	    &gone)) != 0 || gone)
		return (r);
	if (op->oo_rec.o_next_try != (due = offline_be_get(op->oo_ckey)))
		return (offline_stale(c, op, "another next try"));
	op->oo_id = op->oo_rec.o_id;
	op->oo_done = 1;
	op->oo_stop = 1;
	return (offline_due_take(txn, c, op, op->oo_before + op->oo_max));
}

/*
 * From the first entry of the due index; a stale entry is dropped and
 * the next one read, at most OFFLINE_DUE_STALE_MAX of them in a call.
 */
static int
offline_due_body(DB_TXN *txn, void *arg)
{
	struct offline_op	*op = arg;

	op->oo_id = 0;
	return (offline_index_walk(txn, STORE_DB_OFFLINE_DUE, op,
	    OFFLINE_DUE_STALE_MAX, offline_due_one));
}

int
store_offline_due(uint64_t now, uint64_t lease, struct offline_rec *o,
    uint64_t *next)
{
	struct offline_op	*op;
	int			 r;

	*next = 0;
	memset(o, 0, sizeof(*o));
	if ((op = offline_op_new()) == NULL)
		return (STORE_FAIL);
	op->oo_before = now;
	op->oo_max = lease;
	r = store_kv_txn(STORE_DB_OFFLINE_DUE, "due", offline_due_body, op, 1);
	if (r == STORE_OK && op->oo_done)
		memcpy(o, &op->oo_rec, sizeof(*o));
	else if (r == STORE_OK) {
		*next = op->oo_id;
		r = STORE_NOTFOUND;
	}
	if (op->oo_bad > 0)
		log_warnx("store: offline: %zu due entries dropped",
		    op->oo_bad);
	offline_op_free(op);
	return (r);
}
