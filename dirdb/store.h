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


#ifndef IMD_STORE_H
#define IMD_STORE_H

/*
 * The directory's storage: one transactional Berkeley DB environment
 * and its databases.  Every write is committed and on disk before the
 * call returns, so an answer sent after it never promises more than a
 * restart keeps.  Addresses are keys without regard to case.
 */

#include <stddef.h>
#include <stdint.h>

struct binding_rec;
struct conf_quota;
struct offline_rec;
struct user_rec;

enum store_status {
	STORE_OK,
	STORE_EXISTS,
	STORE_NOTFOUND,
	STORE_FAIL,		/* logged where it happened */
	STORE_FULL,		/* a per-user cap is reached */
};

void	store_set_cache(uint64_t);
int	store_open(const char *);
void	store_close(void);
void	store_group_commit(int);
int	store_sync(void);
/*
 * Between store_write_behind(1) and (0) commits are written behind:
 * store_sync() does not wait for them, store_sync_behind() flushes them.
 */
void	store_write_behind(int);
int	store_sync_behind(void);
void	store_checkpoint_due(void);

/*
 * A record comes back with its address in lower case.  An update
 * replaces the realm, the HA1 values and the flags; the mail address
 * and the creation time stay as they were added.  A list calls back in
 * address order until the callback returns -1; a record that fails its
 * checks is logged and skipped, and makes the list STORE_FAIL.  The
 * callback runs inside the list's transaction: it must not call the
 * store.
 */
int	store_user_add(const struct user_rec *);
int	store_user_get(const char *, struct user_rec *);
int	store_user_del(const char *);
int	store_user_update(const struct user_rec *);
int	store_user_list(int (*)(const struct user_rec *, void *), void *);

/*
 * An import: the n records in one transaction, every one new, or none
 * of them (*at: the one that failed, STORE_EXISTS when it was there
 * already).  A page: at most max records, in address order, from the
 * first after the address after ("": from the first of all), called
 * back under the rules of a list; *n says how many.
 */
int	store_user_add_many(const struct user_rec *, size_t, size_t *);
int	store_user_page(const char *, size_t,
	    int (*)(const struct user_rec *, void *), void *, size_t *);

/*
 * Bindings are filed under the address in lower case and the contact
 * URI byte for byte: the registrar compares contacts by RFC 3261 rules
 * and hands over the one it means.  A put inserts or replaces.  A get
 * returns a binding whether or not it has expired, for the Call-ID and
 * CSeq checks; list, count and walk see only those that expire after
 * now, list and walk calling back in key order until the callback
 * returns -1, under the same rules as a list of users.  A sweep removes
 * at most max expired bindings, the oldest first, and says how many.
 */
int	store_binding_put(const struct binding_rec *, uint64_t);
int	store_binding_get(const char *, const char *, struct binding_rec *);
int	store_binding_del(const char *, const char *);
int	store_binding_del_all(const char *);
int	store_binding_list(const char *, uint64_t,
	    int (*)(const struct binding_rec *, void *), void *);
int	store_binding_count(const char *, uint64_t, size_t *);
int	store_binding_walk(uint64_t,
	    int (*)(const struct binding_rec *, void *), void *);
int	store_binding_sweep(uint64_t, size_t, size_t *);

/*
 * The same, inside one transaction that store_binding_txn() runs, for
 * a REGISTER read, checked and written at once: each returns 0, a
 * libdb code (DB_LOCK_DEADLOCK: the whole body runs again) or -1
 * after logging.  A delete of a binding that is not there is no error.
 * The list hands each binding's index time to its callback: given back
 * to the put that replaces the binding in the same transaction, it
 * spares the put a read of the binding; NULL makes the put read it.
 */
struct __db_txn;

int	store_binding_txn(int (*)(struct __db_txn *, void *), void *);
int	store_binding_list_in(struct __db_txn *, const char *, uint64_t,
	    int (*)(const struct binding_rec *, uint64_t, void *), void *);
int	store_binding_put_in(struct __db_txn *, const struct binding_rec *,
	    uint64_t, const uint64_t *);
int	store_binding_del_in(struct __db_txn *, const char *, const char *);
int	store_binding_del_all_in(struct __db_txn *, const char *);

/*
 * The offline queue, filed under the recipient in lower case and an id
 * the put assigns and writes into the record, so each user's messages
 * come in the order they were put.  A put fails with STORE_FULL when
 * the user already has as many as the limits allow; the limits hold
 * until changed.  The quotas count messages and body bytes already
 * queued for the recipient: every message against the user's quota,
 * and those of senders not authenticated (no OFFLINE_F_AUTHED) against
 * the strangers' one, their domain's and their own; put_quota says
 * which one a refused message would break.  A summary takes no room
 * and there is one per recipient at most: a second is STORE_EXISTS.
 * First gives the oldest message, del removes one, update changes
 * only its attempts, next try and state, hold marks a message held:
 * waiting, never due for mail.  Count is of the records filed, whether
 * or not they pass their checks.  List, walk and expired call back
 * under the rules of a list of users, and first passes over a record
 * that fails its checks, logged.  Expired hands out the messages older
 * than the age limit, the oldest first, reading at most max index
 * entries; it removes nothing but index entries that lead to no good
 * message.
 *
 * A message with a next try (o_next_try not 0) is due for mail from
 * then on.  First passes over a message being mailed, and a summary.
 * Due hands out the message due the earliest, if that is at or before
 * now, marked mailing with a next try of now plus the lease, so it is
 * handed out again only if nobody reports on it in time; otherwise
 * STORE_NOTFOUND and *next, the time the earliest falls due, or 0 for
 * none.
 */
void	store_offline_limits(uint32_t, uint64_t);
void	store_offline_quotas(const struct conf_quota *);
int	store_offline_put(struct offline_rec *);
int	store_offline_put_quota(struct offline_rec *, int *);
int	store_offline_hold(const char *, uint64_t);
int	store_offline_first(const char *, struct offline_rec *);
int	store_offline_del(const char *, uint64_t);
int	store_offline_update(const struct offline_rec *);
int	store_offline_count(const char *, size_t *);
int	store_offline_any_in(struct __db_txn *, const char *, int *);
int	store_offline_list(const char *,
	    int (*)(const struct offline_rec *, void *), void *);
int	store_offline_walk(int (*)(const struct offline_rec *, void *),
	    void *);
int	store_offline_expired(uint64_t,
	    int (*)(const struct offline_rec *, void *), void *, size_t);
int	store_offline_due(uint64_t, uint64_t, struct offline_rec *,
	    uint64_t *);

/*
 * The presence store of lib/pstore.h: in table, opaque values of at
 * most PSTORE_VALUE_MAX bytes under keys of 1 to PSTORE_KEY_MAX - 1
 * bytes.  A put replaces, a del of a missing key is STORE_OK.  A walk
 * calls back in key order, from the first key after after (NULL: from
 * the first of all), until the callback returns -1 or max rows (0: no
 * limit) were handed out, and says in *n how many were.  Taking up
 * again after the last key handed out walks a large table in batches.
 * A row that breaks the rules of a put is logged and passed over.  The
 * callback runs inside the walk's transaction: it must not call the
 * store.
 */
int	store_pstore_put(uint32_t, const char *, const void *, size_t);
int	store_pstore_del(uint32_t, const char *);
int	store_pstore_walk(uint32_t, const char *, size_t,
	    int (*)(const char *, const void *, size_t, void *), void *,
	    size_t *);

/*
 * Below, the key/value layer the record modules share; the rest of
 * dirdb uses only the calls above.  Values are opaque bytes: each
 * module encodes and checks its own records.
 */

/* One entry per database; its file name is in store.c. */
enum store_dbid {
	STORE_DB_USERS,
	STORE_DB_BINDINGS,
	STORE_DB_EXPIRY,
	STORE_DB_OFFLINE,
	STORE_DB_OFFLINE_AGE,
	STORE_DB_OFFLINE_SEQ,
	STORE_DB_OFFLINE_DUE,
	STORE_DB_PSTORE_DOCS,	/* the tables of lib/pstore.h, in order */
	STORE_DB_PSTORE_SUBS,
	STORE_DB_PSTORE_AUTHZ,
	STORE_DB_MAX
};

#define STORE_KEY_MAX	1024	/* bytes of a key a walk returns */
#define STORE_VAL_MAX	8192	/* bytes of a value a walk returns */

/*
 * An insert never replaces: STORE_EXISTS.  A get, an edit or a walk
 * reads at most the buffer's size (a walk's are STORE_KEY_MAX and
 * STORE_VAL_MAX): a value that fills the buffer may have been longer,
 * so callers size buffers beyond their longest record and reject what
 * fills them.  An edit function changes the value in place and returns
 * a store_status, STORE_OK to write it back; a walk function returns 0
 * to go on, -1 to stop.
 */
int	store_kv_insert(enum store_dbid, const void *, size_t, const void *,
	    size_t);
int	store_kv_get(enum store_dbid, const void *, size_t, void *, size_t,
	    size_t *);
int	store_kv_del(enum store_dbid, const void *, size_t);
int	store_kv_edit(enum store_dbid, const void *, size_t, void *, size_t,
	    int (*)(void *, size_t, size_t *, void *), void *);
int	store_kv_walk(enum store_dbid,
	    int (*)(const void *, size_t, const void *, size_t, void *),
	    void *);

/*
 * For a module whose one change spans several keys or databases: its
 * body runs in one transaction with the commit, retries and checkpoints
 * of the calls above, on the handles store_kv_db() gives.  The body
 * returns 0 to commit, a libdb error, or -1 for a failure it logged; it
 * may run again after a deadlock, so it starts afresh each time.  The
 * last argument is 1 for a transaction that writes.
 */
struct __db;
struct __db_dbt;
struct __db_txn;
struct __dbc;

int	store_kv_txn(enum store_dbid, const char *,
	    int (*)(struct __db_txn *, void *), void *, int);
struct __db *store_kv_db(enum store_dbid);
int	store_valid_address(const char *);
int	store_address_key(const char *, const char *, unsigned char *,
	    size_t *);
void	store_dbt_in(struct __db_dbt *, const void *, size_t);
void	store_dbt_part(struct __db_dbt *, void *, size_t);
void	store_dbt_key(struct __db_dbt *, void *, size_t, size_t);

/*
 * A cursor walk for such a body: from sr_start (the first key when
 * sr_startlen is 0) in key order, over the keys that share the first
 * sr_prefixlen bytes of sr_start, until the callback fails or sets
 * sr_stop.  The callback finds the key in sr_key and the value in
 * sr_val, read as store_dbt_key() and store_dbt_part() read them, and
 * is told their lengths; it may work on the cursor.  sr_cflags go to
 * the cursor, sr_gflags to each read.
 */
struct store_range {
	const void	*sr_start;
	size_t		 sr_startlen;
	size_t		 sr_prefixlen;
	unsigned char	*sr_key;
	size_t		 sr_keysize;
	void		*sr_val;
	size_t		 sr_valsize;	/* 0 reads no value */
	uint32_t	 sr_cflags;
	uint32_t	 sr_gflags;
	int		 sr_stop;
	int		(*sr_fn)(struct __db_txn *, struct __dbc *,
			    struct store_range *, size_t, size_t);
	void		*sr_arg;
};

int	store_kv_range(struct __db_txn *, enum store_dbid,
	    struct store_range *);

/*
 * A list or a count over a range, in a transaction of its own and
 * read-committed, as store_kv_walk() and for the same reason: a walk
 * over every record would otherwise fill the lock table.  The range's
 * callback counts in *sl_done what it took and in *sl_bad what it
 * refused; sl_cflags is set here.  What went out to a caller (sl_out)
 * cannot be taken back, so a deadlock after one is a failure, not a
 * reason to run again.  A record refused fails the whole, once the
 * walk is over.  sl_what and sl_items name the module and its records
 * in the log.
 */
struct store_list {
	struct store_range	 sl_range;
	enum store_dbid		 sl_db;		/* set by store_kv_list() */
	const char		*sl_what;
	const char		*sl_items;
	size_t			*sl_done;
	size_t			*sl_bad;
	int			 sl_out;
};

int	store_kv_list(enum store_dbid, const char *, struct store_list *);

#endif /* IMD_STORE_H */
