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
 * The bindings database and its expiry index.
 *
 * bindings.db: the key is the address in lower case, a NUL, and the
 * contact URI byte for byte.  An address holds no NUL, so one user's
 * bindings are adjacent and the walk from "address\0" meets no one
 * else's, not even those of an address that starts with this one.  The
 * value, version 1, every integer big-endian so the file means the
 * same on any host:
 *
 *	u8		record version, 2
 *	u16 n, n bytes	address, in lower case: the key's first part
 *	u16 n, n bytes	contact URI: the key's second part
 *	u8		source: 0 none, 4 IPv4, 6 IPv6, then
 *			  for 4: 4 bytes address, u16 port
 *			  for 6: 16 bytes address, u16 port, u32 scope id
 *	u8		transport: 0 udp, 1 tcp, 2 tls
 *	u64		stream connection id, 0 for udp
 *	u64		expiry, seconds since the epoch
 *	u32		q in thousandths, 0 to 1000, or 0xffffffff for none
 *	u16 n, n bytes	Call-ID
 *	u32		CSeq
 *	u16 n, n bytes	User-Agent
 *	u64		index time, seconds since the epoch, at most the
 *			  expiry: the binding's entry in expiry.db
 *
 * Strings hold no NUL and fit their binding_rec field with it; the
 * contact is not empty, contact and Call-ID are visible ASCII, the
 * User-Agent holds no control character.  The record ends after the
 * index time.  Version 1, written before, ends after the User-Agent
 * and is indexed at its expiry.  What is read back is checked as
 * closely as what is written, and a version this code does not know
 * is refused.
 *
 * expiry.db: the key is the binding's index time, u64 big-endian,
 * followed by the bindings key; the value is empty.  Sorted by time
 * first, it lets a sweep read only what may have expired.  The index
 * time is the expiry the binding had when its entry was made, and a
 * refresh that moves the expiry later leaves the entry where it is
 * while the entry is at least half the new lifetime away: moving it, a
 * delete and a put in the index, was a third of dirdb's work for each
 * REGISTER.  A client that refreshes at half its lifetime or sooner
 * moves its entry at most every other refresh, and the sweep seldom
 * meets the entry of a live binding; when it does (a refresh came
 * late), it moves the entry to the binding's expiry then, so a binding
 * is still removed in the first sweep after it expires.  A REGISTER
 * that brings the expiry earlier than the index time moves the entry
 * at once.  Both databases change in one transaction.  An entry whose binding is gone, or has another
 * index time, or does not decode, is stale: the sweep drops it alone.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <db.h>
#include <stdint.h>
#include <string.h>

#include "binding.h"
#include "cdefs.h"
#include "config.h"
#include "log.h"
#include "record.h"
#include "store.h"
#include "user.h"

#define BINDING_REC_VERSION	2
#define BINDING_REC_V1		1	/* no index time: indexed at expiry */
#define BINDING_EXP_LEN		8	/* the expiry heading an index key */
#define BINDING_Q_NONE		0xffffffffU
#define BINDING_Q_MAX		1000
/* Address, NUL, contact. */
#define BINDING_KEY_MAX		(IMD_ADDRESS_MAX + BINDING_CONTACT_MAX - 1)
#define BINDING_IKEY_MAX	(BINDING_EXP_LEN + BINDING_KEY_MAX)
/* Family, an IPv6 address, port and scope id. */
#define BINDING_SRC_MAX		(1 + 16 + 2 + 4)
/* The version, four counted strings at their longest and the numbers. */
#define BINDING_REC_MAX		(1 + 4 * 2 + (IMD_ADDRESS_MAX - 1) + \
	(BINDING_CONTACT_MAX - 1) + (BINDING_CALLID_MAX - 1) + \
	(BINDING_UA_MAX - 1) + BINDING_SRC_MAX + 1 + 8 + 8 + 4 + 4 + 8)
/* A read that fills this was longer than any valid record. */
#define BINDING_BUF_SIZE	(BINDING_REC_MAX + 1)

_Static_assert(BINDING_BUF_SIZE <= STORE_VAL_MAX, "binding too long");
_Static_assert(BINDING_IKEY_MAX <= STORE_KEY_MAX, "binding key too long");
_Static_assert(TRANSPORT_UDP == 0 && TRANSPORT_TCP == 1 &&
    TRANSPORT_TLS == 2, "transport numbers are on disk");

/*
 * One call's state, handed to its transaction.  A range covers the
 * keys that start with bo_key, all of them when bo_keylen is 0.
 */
struct binding_op {
	unsigned char	 bo_key[BINDING_KEY_MAX];
	size_t		 bo_keylen;
	unsigned char	 bo_ckey[STORE_KEY_MAX];	/* at the cursor */
	unsigned char	 bo_val[BINDING_BUF_SIZE];
	size_t		 bo_len;
	uint64_t	 bo_expires;
	uint64_t	 bo_indexed;	/* the old binding's index time */
	int		 bo_old_known;	/* bo_indexed given, not read */
	uint64_t	 bo_now;
	size_t		 bo_max;
	size_t		 bo_done;	/* handed out, counted or removed */
	size_t		 bo_bad;	/* records refused */
	int		(*bo_cb)(const struct binding_rec *, void *);
	int		(*bo_cb_in)(const struct binding_rec *, uint64_t,
			    void *);	/* store_binding_list_in()'s */
	void		*bo_arg;
};

static int	is_binding_text(const char *, size_t);
static int	binding_src_tag(const struct binding_rec *);
static const char *binding_fields_bad(const struct binding_rec *);
static int	binding_key(const char *, const char *, unsigned char *,
		    size_t *);
static int	binding_put_src(struct rec_buf *,
		    const struct binding_rec *);
static int	binding_encode(const struct binding_rec *,
		    const unsigned char *, uint64_t, void *, size_t, size_t *);
static void	binding_set_indexed(struct binding_op *, uint64_t);
static int	binding_get_src(struct rec_buf *, struct binding_rec *);
static const char *binding_parse(struct rec_buf *,
		    struct binding_rec *, uint64_t *);
static void	binding_refuse(const unsigned char *, size_t, const char *);
static int	binding_decode(const unsigned char *, size_t, const void *,
		    size_t, struct binding_rec *, uint64_t *);
static uint64_t	binding_ikey_expiry(const unsigned char *);
static int	binding_index(DB_TXN *, uint64_t, const unsigned char *,
		    size_t, int);
static int	binding_unindex(DB_TXN *, const unsigned char *, size_t);
static int	binding_old_indexed(DB_TXN *, const unsigned char *, size_t,
		    uint64_t *);
static int	binding_reindex(DB_TXN *, struct binding_op *,
		    const struct binding_rec *, const unsigned char *, size_t);
static void	binding_range_init(struct binding_op *, int (*)(DB_TXN *,
		    DBC *, struct store_range *, size_t, size_t),
		    struct store_range *);
static int	binding_range(DB_TXN *, struct binding_op *, u_int32_t,
		    u_int32_t, int (*)(DB_TXN *, DBC *, struct store_range *,
		    size_t, size_t));
static int	binding_keeps_entry(uint64_t, uint64_t, uint64_t);
static int	binding_put_body(DB_TXN *, void *);
static int	binding_op_put(struct binding_op *,
		    const struct binding_rec *, uint64_t);
static int	binding_del_body(DB_TXN *, void *);
static int	binding_del_one(DB_TXN *, DBC *, struct store_range *,
		    size_t, size_t);
static int	binding_del_all_body(DB_TXN *, void *);
static int	binding_list_one(DB_TXN *, DBC *, struct store_range *,
		    size_t, size_t);
static int	binding_list(struct binding_op *, const char *);
static int	binding_expire(DB_TXN *, struct binding_op *, uint64_t,
		    const unsigned char *, size_t);
static int	binding_sweep_body(DB_TXN *, void *);

/* Terminated within size, no control character: UTF-8 may pass. */
static int
is_binding_text(const char *s, size_t size)
{
	size_t	i, n;

	if ((n = strnlen(s, size)) == size)
		return (0);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < ' ' || s[i] == 0x7f)
			return (0);
	return (1);
}

/* The source's tag on disk, -1 for a family or length not kept. */
static int
binding_src_tag(const struct binding_rec *b)
{
	if (b->b_srclen == 0)
		return (0);
	if (b->b_src.ss_family == AF_INET &&
	    b->b_srclen == sizeof(struct sockaddr_in))
		return (4);
	if (b->b_src.ss_family == AF_INET6 &&
	    b->b_srclen == sizeof(struct sockaddr_in6))
		return (6);
	return (-1);
}

/* The rules of a binding, for what is written and what is read. */
static const char *
binding_fields_bad(const struct binding_rec *b)
{
	if (!store_valid_address(b->b_address))
		return ("invalid address");
	if (!is_rec_word(b->b_contact, sizeof(b->b_contact), 1))
		return ("invalid contact");
	if (binding_src_tag(b) == -1)
		return ("invalid source address");
	if (b->b_transport > TRANSPORT_TLS)
		return ("unknown transport");
	if (b->b_q < -1 || b->b_q > BINDING_Q_MAX)
		return ("q out of range");
	if (!is_rec_word(b->b_callid, sizeof(b->b_callid), 0))
		return ("invalid Call-ID");
	if (!is_binding_text(b->b_ua, sizeof(b->b_ua)))
		return ("invalid User-Agent");
	return (NULL);
}

static int
binding_key(const char *address, const char *contact, unsigned char *key,
    size_t *len)
{
	size_t	n, plen;

	if (store_address_key("bindings", address, key, &plen) == -1)
		return (-1);
	if (!is_rec_word(contact, BINDING_CONTACT_MAX, 1)) {
		log_warnx("store: bindings: contact of %s empty, too long "
		    "or not printable", (const char *)key);
		return (-1);
	}
	n = strlen(contact);
	memcpy(key + plen, contact, n);
	*len = plen + n;
	return (0);
}

/* Port and addresses are in network order already: big-endian. */
static int
binding_put_src(struct rec_buf *bb, const struct binding_rec *b)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	int				 tag;

	if ((tag = binding_src_tag(b)) == -1 ||
	    rec_put_uint(bb, tag, 1) == -1)
		return (-1);
	if (tag == 4) {
		sin = (const struct sockaddr_in *)&b->b_src;
		return (rec_put(bb, &sin->sin_addr, 4) == -1 ||
		    rec_put(bb, &sin->sin_port, 2) == -1 ? -1 : 0);
	}
	if (tag == 6) {
		sin6 = (const struct sockaddr_in6 *)&b->b_src;
		return (rec_put(bb, &sin6->sin6_addr, 16) == -1 ||
		    rec_put(bb, &sin6->sin6_port, 2) == -1 ||
		    rec_put_uint(bb, sin6->sin6_scope_id, 4) == -1 ?
		    -1 : 0);
	}
	return (0);
}

/* The key's first part is the address in lower case, with its NUL. */
static int
binding_encode(const struct binding_rec *b, const unsigned char *key,
    uint64_t indexed, void *buf, size_t size, size_t *len)
{
	struct rec_buf	bb = { buf, size, 0 };

	if (rec_put_uint(&bb, BINDING_REC_VERSION, 1) == -1 ||
	    rec_put_str(&bb, (const char *)key, IMD_ADDRESS_MAX) == -1 ||
	    rec_put_str(&bb, b->b_contact, sizeof(b->b_contact)) == -1 ||
	    binding_put_src(&bb, b) == -1 ||
	    rec_put_uint(&bb, b->b_transport, 1) == -1 ||
	    rec_put_uint(&bb, b->b_conn, 8) == -1 ||
	    rec_put_uint(&bb, b->b_expires, 8) == -1 ||
	    rec_put_uint(&bb, (uint32_t)b->b_q, 4) == -1 ||
	    rec_put_str(&bb, b->b_callid, sizeof(b->b_callid)) == -1 ||
	    rec_put_uint(&bb, b->b_cseq, 4) == -1 ||
	    rec_put_str(&bb, b->b_ua, sizeof(b->b_ua)) == -1 ||
	    rec_put_uint(&bb, indexed, 8) == -1) {
		log_warnx("store: bindings: record of %s does not encode",
		    (const char *)key);
		return (-1);
	}
	*len = bb.rb_off;
	return (0);
}

/*
 * The index time is the record's last field, so that a put can encode
 * the record before its transaction and set the time once it has read
 * the binding it replaces.
 */
static void
binding_set_indexed(struct binding_op *bo, uint64_t indexed)
{
	struct rec_buf	bb = { bo->bo_val + bo->bo_len - 8, 8, 0 };

	(void)rec_put_uint(&bb, indexed, 8);
}

static int
binding_get_src(struct rec_buf *bb, struct binding_rec *b)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&b->b_src;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&b->b_src;
	uint64_t		 tag, scope;

	memset(&b->b_src, 0, sizeof(b->b_src));
	b->b_srclen = 0;
	if (rec_get_uint(bb, &tag, 1) == -1)
		return (-1);
	switch (tag) {
	case 0:
		return (0);
	case 4:
		sin->sin_family = AF_INET;
		b->b_srclen = sizeof(*sin);
		return (rec_get(bb, &sin->sin_addr, 4) == -1 ||
		    rec_get(bb, &sin->sin_port, 2) == -1 ? -1 : 0);
	case 6:
		sin6->sin6_family = AF_INET6;
		b->b_srclen = sizeof(*sin6);
		if (rec_get(bb, &sin6->sin6_addr, 16) == -1 ||
		    rec_get(bb, &sin6->sin6_port, 2) == -1 ||
		    rec_get_uint(bb, &scope, 4) == -1)
			return (-1);
		sin6->sin6_scope_id = scope;
		return (0);
	default:
		return (-1);
	}
}

/* Returns why the record is bad, or NULL. */
static const char *
binding_parse(struct rec_buf *bb, struct binding_rec *b, uint64_t *indexed)
{
	uint64_t	version, transport, q, cseq;

	if (bb->rb_size > BINDING_REC_MAX)
		return ("too long");
	if (rec_get_uint(bb, &version, 1) == -1)
		return ("empty");
	if (version != BINDING_REC_VERSION && version != BINDING_REC_V1)
		return ("unknown version");
	if (rec_get_str(bb, b->b_address, sizeof(b->b_address)) == -1 ||
	    rec_get_str(bb, b->b_contact, sizeof(b->b_contact)) == -1 ||
	    binding_get_src(bb, b) == -1 ||
	    rec_get_uint(bb, &transport, 1) == -1 ||
	    rec_get_uint(bb, &b->b_conn, 8) == -1 ||
	    rec_get_uint(bb, &b->b_expires, 8) == -1 ||
	    rec_get_uint(bb, &q, 4) == -1 ||
	    rec_get_str(bb, b->b_callid, sizeof(b->b_callid)) == -1 ||
	    rec_get_uint(bb, &cseq, 4) == -1 ||
	    rec_get_str(bb, b->b_ua, sizeof(b->b_ua)) == -1)
		return ("malformed field");
	*indexed = b->b_expires;
	if (version != BINDING_REC_V1 && rec_get_uint(bb, indexed, 8) == -1)
		return ("malformed field");
	if (bb->rb_off != bb->rb_size)
		return ("trailing bytes");
	if (*indexed > b->b_expires)
		return ("index time after the expiry");
	if (q != BINDING_Q_NONE && q > BINDING_Q_MAX)
		return ("q out of range");
	b->b_q = q == BINDING_Q_NONE ? -1 : (int32_t)q;
	b->b_transport = transport;
	b->b_cseq = cseq;
	return (binding_fields_bad(b));
}

/* The key names the binding in the log: address, then contact. */
static void
binding_refuse(const unsigned char *key, size_t keylen, const char *why)
{
	char	a[LOG_VIS_MAX * 4 + 1], c[LOG_VIS_MAX * 4 + 1];
	size_t	n;

	n = strnlen((const char *)key, keylen);
	log_warnx("store: bindings: record of %s %s refused: %s",
	    log_vis((const char *)key, n, a, sizeof(a)),
	    n < keylen ? log_vis((const char *)key + n + 1, keylen - n - 1,
	    c, sizeof(c)) : "", why);
}

/*
 * A record filed under another key than its own address and contact
 * is not trusted; nor is an address with capitals, which no lookup
 * would find.
 */
static int
binding_decode(const unsigned char *key, size_t keylen, const void *val,
    size_t len, struct binding_rec *b, uint64_t *indexed)
{
	struct rec_buf	 bb = { (unsigned char *)val, len, 0 };
	const char		*why;
	size_t			 alen, clen;
	uint64_t		 at;

	memset(b, 0, sizeof(*b));
	if ((why = binding_parse(&bb, b, &at)) == NULL) {
		alen = strlen(b->b_address);
		clen = strlen(b->b_contact);
		if (keylen != alen + 1 + clen ||
		    memcmp(key, b->b_address, alen + 1) != 0 ||
		    memcmp(key + alen + 1, b->b_contact, clen) != 0)
			why = "address and contact are not the key";
		else if (strpbrk(b->b_address, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
		    != NULL)
			why = "address not in lower case";
	}
	if (why == NULL) {
		if (indexed != NULL)
			*indexed = at;
		return (0);
	}
	memset(b, 0, sizeof(*b));
	binding_refuse(key, keylen, why);
	return (-1);
}

static uint64_t
binding_ikey_expiry(const unsigned char *ikey)
{
	uint64_t	v = 0;
	size_t		i;

	for (i = 0; i < BINDING_EXP_LEN; i++)
		v = (v << 8) | ikey[i];
	return (v);
}

static size_t
binding_ikey(uint64_t expires, const unsigned char *key, size_t keylen,
    unsigned char *ikey)
{
	size_t	i;

	for (i = 0; i < BINDING_EXP_LEN; i++)
		ikey[i] = (expires >> (8 * (BINDING_EXP_LEN - 1 - i))) & 0xff;
	memcpy(ikey + BINDING_EXP_LEN, key, keylen);
	return (BINDING_EXP_LEN + keylen);
}

/*
 * Add or take away the index entry of the binding under key.  One
 * found missing is logged and let be: the binding is what counts.
 */
static int
binding_index(DB_TXN *txn, uint64_t expires, const unsigned char *key,
    size_t keylen, int add)
{
	DB		*db = store_kv_db(STORE_DB_EXPIRY);
	unsigned char	 ikey[BINDING_IKEY_MAX];
	DBT		 k, v;
	int		 r;

	store_dbt_in(&k, ikey, binding_ikey(expires, key, keylen, ikey));
	if (add) {
		store_dbt_in(&v, "", 0);
		return (db->put(db, txn, &k, &v, 0));
	}
	if ((r = db->del(db, txn, &k, 0)) == DB_NOTFOUND) {
		binding_refuse(key, keylen, "index entry missing");
		r = 0;
	}
	return (r);
}

/*
 * The index time of the binding under key, in *indexed: DB_NOTFOUND
 * when there is no binding, 1 when it does not decode (it has no time
 * to find its entry by, so the entry stays for the sweep to find
 * stale).  DB_RMW takes the write lock at once.
 */
static int
binding_old_indexed(DB_TXN *txn, const unsigned char *key, size_t keylen,
    uint64_t *indexed)
{
	DB			*db = store_kv_db(STORE_DB_BINDINGS);
	struct binding_rec	 old;
	unsigned char		 val[BINDING_BUF_SIZE];
	DBT			 k, v;
	int			 r;

	store_dbt_in(&k, key, keylen);
	store_dbt_part(&v, val, sizeof(val));
	if ((r = db->get(db, txn, &k, &v, DB_RMW)) != 0)
		return (r);
	return (binding_decode(key, keylen, val, v.size, &old, indexed) ==
	    -1 ? 1 : 0);
}

/* Before the binding under key goes, its index entry goes. */
static int
binding_unindex(DB_TXN *txn, const unsigned char *key, size_t keylen)
{
	uint64_t	indexed;
	int		r;

	if ((r = binding_old_indexed(txn, key, keylen, &indexed)) != 0)
		return (r == 1 ? 0 : r);
	return (binding_index(txn, indexed, key, keylen, 0));
}

/*
 * The range of each binding whose key starts with bo_key, in key
 * order, until fn fails or sets sr_stop.  fn finds its binding_op in
 * sr_arg, the key in bo_ckey and the value in bo_val.
 */
static void
binding_range_init(struct binding_op *bo, int (*fn)(DB_TXN *, DBC *,
    struct store_range *, size_t, size_t), struct store_range *sr)
{
	memset(sr, 0, sizeof(*sr));
	sr->sr_start = bo->bo_key;
	sr->sr_startlen = bo->bo_keylen;
	sr->sr_prefixlen = bo->bo_keylen;
	sr->sr_key = bo->bo_ckey;
	sr->sr_keysize = sizeof(bo->bo_ckey);
	sr->sr_val = bo->bo_val;
	sr->sr_valsize = sizeof(bo->bo_val);
	sr->sr_fn = fn;
	sr->sr_arg = bo;
}

static int
binding_range(DB_TXN *txn, struct binding_op *bo, u_int32_t cflags,
    u_int32_t gflags, int (*fn)(DB_TXN *, DBC *, struct store_range *,
    size_t, size_t))
{
	struct store_range	sr;

	binding_range_init(bo, fn, &sr);
	sr.sr_cflags = cflags;
	sr.sr_gflags = gflags;
	return (store_kv_range(txn, STORE_DB_BINDINGS, &sr));
}

/*
 * Whether a binding refreshed at now to expires keeps its index entry
 * of time indexed (see the top of the file): the entry must not come
 * after the expiry, and is moved now, with the record that is written
 * anyway, rather than by a sweep that would write the record again,
 * when it falls due within the first half of the new lifetime.
 */
static int
binding_keeps_entry(uint64_t indexed, uint64_t expires, uint64_t now)
{
	if (indexed > expires || indexed < now)
		return (0);
	return (indexed - now >= (expires - now) / 2);
}

/*
 * A binding that replaces one keeps or moves its index entry as
 * binding_keeps_entry() says.
 */
static int
binding_put_body(DB_TXN *txn, void *arg)
{
	struct binding_op	*bo = arg;
	DB			*db = store_kv_db(STORE_DB_BINDINGS);
	DBT			 k, v;
	int			 r, old, keep;

	if (bo->bo_old_known)
		old = 0;
	else
		old = binding_old_indexed(txn, bo->bo_key, bo->bo_keylen,
		    &bo->bo_indexed);
	if (old != 0 && old != 1 && old != DB_NOTFOUND)
		return (old);
	keep = old == 0 && binding_keeps_entry(bo->bo_indexed, bo->bo_expires,
	    bo->bo_now);
	if (old == 0 && !keep && (r = binding_index(txn, bo->bo_indexed,
	    bo->bo_key, bo->bo_keylen, 0)) != 0)
		return (r);
	binding_set_indexed(bo, keep ? bo->bo_indexed : bo->bo_expires);
	store_dbt_in(&k, bo->bo_key, bo->bo_keylen);
	store_dbt_in(&v, bo->bo_val, bo->bo_len);
	if ((r = db->put(db, txn, &k, &v, 0)) != 0 || keep)
		return (r);
	return (binding_index(txn, bo->bo_expires, bo->bo_key, bo->bo_keylen,
	    1));
}

/* now decides whether a refresh moves the index entry, nothing else. */
int
store_binding_put(const struct binding_rec *b, uint64_t now)
{
	struct binding_op	bo;

	if (binding_op_put(&bo, b, now) == -1)
		return (STORE_FAIL);
	return (store_kv_txn(STORE_DB_BINDINGS, "put", binding_put_body, &bo,
	    1));
}

/* The checks and the encoding of store_binding_put(), in bo. */
static int
binding_op_put(struct binding_op *bo, const struct binding_rec *b,
    uint64_t now)
{
	const char	*why;
	char		 vis[LOG_VIS_MAX * 4 + 1];

	memset(bo, 0, sizeof(*bo));
	if ((why = binding_fields_bad(b)) != NULL) {
		log_warnx("store: bindings: binding of %s refused: %s",
		    log_vis(b->b_address, strnlen(b->b_address,
		    sizeof(b->b_address)), vis, sizeof(vis)), why);
		return (-1);
	}
	if (binding_key(b->b_address, b->b_contact, bo->bo_key,
	    &bo->bo_keylen) == -1 ||
	    binding_encode(b, bo->bo_key, b->b_expires, bo->bo_val,
	    sizeof(bo->bo_val), &bo->bo_len) == -1)
		return (-1);
	bo->bo_expires = b->b_expires;
	bo->bo_now = now;
	return (0);
}

int
store_binding_put_in(DB_TXN *txn, const struct binding_rec *b, uint64_t now,
    const uint64_t *indexed)
{
	struct binding_op	bo;

	if (binding_op_put(&bo, b, now) == -1)
		return (-1);
	if (indexed != NULL) {
		bo.bo_old_known = 1;
		bo.bo_indexed = *indexed;
	}
	return (binding_put_body(txn, &bo));
}

int
store_binding_get(const char *address, const char *contact,
    struct binding_rec *b)
{
	unsigned char	key[BINDING_KEY_MAX], buf[BINDING_BUF_SIZE];
	size_t		keylen, len;
	int		r;

	/* The names may lie inside *b: take the key before the wipe. */
	r = binding_key(address, contact, key, &keylen);
	memset(b, 0, sizeof(*b));
	if (r == -1)
		return (STORE_FAIL);
	r = store_kv_get(STORE_DB_BINDINGS, key, keylen, buf, sizeof(buf),
	    &len);
	if (r == STORE_OK &&
	    binding_decode(key, keylen, buf, len, b, NULL) == -1)
		r = STORE_FAIL;
	return (r);
}

static int
binding_del_body(DB_TXN *txn, void *arg)
{
	struct binding_op	*bo = arg;
	DB			*db = store_kv_db(STORE_DB_BINDINGS);
	DBT			 k;
	int			 r;

	if ((r = binding_unindex(txn, bo->bo_key, bo->bo_keylen)) != 0)
		return (r);
	store_dbt_in(&k, bo->bo_key, bo->bo_keylen);
	return (db->del(db, txn, &k, 0));
}

int
store_binding_del(const char *address, const char *contact)
{
	struct binding_op	bo;

	memset(&bo, 0, sizeof(bo));
	if (binding_key(address, contact, bo.bo_key, &bo.bo_keylen) == -1)
		return (STORE_FAIL);
	return (store_kv_txn(STORE_DB_BINDINGS, "delete", binding_del_body,
	    &bo, 1));
}

int
store_binding_del_in(DB_TXN *txn, const char *address, const char *contact)
{
	struct binding_op	bo;
	int			r;

	memset(&bo, 0, sizeof(bo));
	if (binding_key(address, contact, bo.bo_key, &bo.bo_keylen) == -1)
		return (-1);
	r = binding_del_body(txn, &bo);
	return (r == DB_NOTFOUND ? 0 : r);
}

/* A record that does not decode goes all the same, and its entry stays. */
static int
binding_del_one(DB_TXN *txn, DBC *c, struct store_range *sr, size_t keylen,
    size_t len)
{
	struct binding_op	*bo = sr->sr_arg;
	struct binding_rec	 b;
	uint64_t		 indexed;
	int			 r;

	if (binding_decode(bo->bo_ckey, keylen, bo->bo_val, len, &b,
	    &indexed) == 0 &&
	    (r = binding_index(txn, indexed, bo->bo_ckey, keylen, 0)) != 0)
		return (r);
	bo->bo_done++;
	return (c->del(c, 0));
}

static int
binding_del_all_body(DB_TXN *txn, void *arg)
{
	struct binding_op	*bo = arg;

	bo->bo_done = 0;
	return (binding_range(txn, bo, 0, DB_RMW, binding_del_one));
}

int
store_binding_del_all(const char *address)
{
	struct binding_op	bo;
	int			r;

	memset(&bo, 0, sizeof(bo));
	if (store_address_key("bindings", address, bo.bo_key,
	    &bo.bo_keylen) == -1)
		return (STORE_FAIL);
	r = store_kv_txn(STORE_DB_BINDINGS, "delete all", binding_del_all_body,
	    &bo, 1);
	if (r == STORE_OK)
		log_debug("store: bindings: %zu of %s removed", bo.bo_done,
		    (const char *)bo.bo_key);
	return (r);
}

int
store_binding_del_all_in(DB_TXN *txn, const char *address)
{
	struct binding_op	bo;

	memset(&bo, 0, sizeof(bo));
	if (store_address_key("bindings", address, bo.bo_key,
	    &bo.bo_keylen) == -1)
		return (-1);
	return (binding_del_all_body(txn, &bo));
}

/* Without a callback, only a count. */
static int
binding_list_one(DB_TXN *txn IMD_UNUSED, DBC *c IMD_UNUSED,
    struct store_range *sr, size_t keylen, size_t len)
{
	struct binding_op	*bo = sr->sr_arg;
	struct binding_rec	 b;
	uint64_t		 indexed;

	if (binding_decode(bo->bo_ckey, keylen, bo->bo_val, len, &b,
	    &indexed) == -1) {
		bo->bo_bad++;
		return (0);
	}
	if (b.b_expires <= bo->bo_now)
		return (0);
	bo->bo_done++;
	if ((bo->bo_cb != NULL && bo->bo_cb(&b, bo->bo_arg) == -1) ||
	    (bo->bo_cb_in != NULL &&
	    bo->bo_cb_in(&b, indexed, bo->bo_arg) == -1))
		sr->sr_stop = 1;
	return (0);
}

/* A list when bo_cb is set, else a count. */
static int
binding_list(struct binding_op *bo, const char *name)
{
	struct store_list	sl = {
		.sl_what = "bindings", .sl_items = "bindings",
		.sl_done = &bo->bo_done, .sl_bad = &bo->bo_bad,
		.sl_out = bo->bo_cb != NULL,
	};

	binding_range_init(bo, binding_list_one, &sl.sl_range);
	return (store_kv_list(STORE_DB_BINDINGS, name, &sl));
}

int
store_binding_list(const char *address, uint64_t now,
    int (*cb)(const struct binding_rec *, void *), void *arg)
{
	struct binding_op	bo;

	memset(&bo, 0, sizeof(bo));
	if (store_address_key("bindings", address, bo.bo_key,
	    &bo.bo_keylen) == -1)
		return (STORE_FAIL);
	bo.bo_now = now;
	bo.bo_cb = cb;
	bo.bo_arg = arg;
	return (binding_list(&bo, "list"));
}

/* DB_RMW: the REGISTER writes what it reads, without a lock upgrade. */
int
store_binding_list_in(DB_TXN *txn, const char *address, uint64_t now,
    int (*cb)(const struct binding_rec *, uint64_t, void *), void *arg)
{
	struct binding_op	bo;
	int			r;

	memset(&bo, 0, sizeof(bo));
	if (store_address_key("bindings", address, bo.bo_key,
	    &bo.bo_keylen) == -1)
		return (-1);
	bo.bo_now = now;
	bo.bo_cb_in = cb;
	bo.bo_arg = arg;
	if ((r = binding_range(txn, &bo, 0, DB_RMW, binding_list_one)) == 0 &&
	    bo.bo_bad > 0) {
		log_warnx("store: bindings: %zu records refused in a "
		    "register", bo.bo_bad);
		r = -1;
	}
	return (r);
}

int
store_binding_txn(int (*body)(DB_TXN *, void *), void *arg)
{
	return (store_kv_txn(STORE_DB_BINDINGS, "register", body, arg, 1));
}

int
store_binding_count(const char *address, uint64_t now, size_t *n)
{
	struct binding_op	bo;
	int			r;

	*n = 0;
	memset(&bo, 0, sizeof(bo));
	if (store_address_key("bindings", address, bo.bo_key,
	    &bo.bo_keylen) == -1)
		return (STORE_FAIL);
	bo.bo_now = now;
	if ((r = binding_list(&bo, "count")) == STORE_OK)
		*n = bo.bo_done;
	return (r);
}

int
store_binding_walk(uint64_t now, int (*cb)(const struct binding_rec *,
    void *), void *arg)
{
	struct binding_op	bo;

	memset(&bo, 0, sizeof(bo));
	bo.bo_now = now;
	bo.bo_cb = cb;
	bo.bo_arg = arg;
	return (binding_list(&bo, "walk"));
}

/*
 * A binding refreshed since its entry was made: the entry moves to its
 * expiry now (the caller drops the old one), and the record says so.
 */
static int
binding_reindex(DB_TXN *txn, struct binding_op *bo,
    const struct binding_rec *b, const unsigned char *key, size_t keylen)
{
	DB	*db = store_kv_db(STORE_DB_BINDINGS);
	DBT	 k, v;
	size_t	 len;
	int	 r;

	if (binding_encode(b, key, b->b_expires, bo->bo_val,
	    sizeof(bo->bo_val), &len) == -1)
		return (0);
	store_dbt_in(&k, key, keylen);
	store_dbt_in(&v, bo->bo_val, len);
	if ((r = db->put(db, txn, &k, &v, 0)) != 0)
		return (r);
	return (binding_index(txn, b->b_expires, key, keylen, 1));
}

/*
 * The binding an index entry of time at or before now names: gone if
 * it has expired, its entry moved if it was refreshed since; nothing if
 * the entry is not the binding's own (another index time).
 */
static int
binding_expire(DB_TXN *txn, struct binding_op *bo, uint64_t at,
    const unsigned char *key, size_t keylen)
{
	DB			*db = store_kv_db(STORE_DB_BINDINGS);
	struct binding_rec	 b;
	uint64_t		 indexed;
	DBT			 k, v;
	int			 r;

	store_dbt_in(&k, key, keylen);
	store_dbt_part(&v, bo->bo_val, sizeof(bo->bo_val));
	if ((r = db->get(db, txn, &k, &v, DB_RMW)) == DB_NOTFOUND)
		return (0);
	if (r != 0)
		return (r);
	if (binding_decode(key, keylen, bo->bo_val, v.size, &b,
	    &indexed) == -1 || indexed != at)
		return (0);
	if (b.b_expires > bo->bo_now)
		return (binding_reindex(txn, bo, &b, key, keylen));
	if ((r = db->del(db, txn, &k, 0)) == 0)
		bo->bo_done++;
	return (r);
}

/*
 * The index in time order, from the oldest entry: every entry read
 * has expired, until the first that has not.  Stale and malformed
 * entries go as well and count towards max, so a call's work stays
 * bounded whatever the index holds.
 */
static int
binding_sweep_body(DB_TXN *txn, void *arg)
{
	struct binding_op	*bo = arg;
	DB			*db = store_kv_db(STORE_DB_EXPIRY);
	DBC			*c;
	DBT			 k, v;
	size_t			 seen;
	int			 r, cr;

	bo->bo_done = 0;
	if ((r = db->cursor(db, txn, &c, 0)) != 0)
		return (r);
	store_dbt_key(&k, bo->bo_ckey, 0, sizeof(bo->bo_ckey));
	store_dbt_part(&v, bo->bo_val, sizeof(bo->bo_val));
	for (seen = 0; seen < bo->bo_max; seen++) {
		if ((r = c->get(c, &k, &v, DB_NEXT | DB_RMW)) != 0)
			break;
		if (k.size <= BINDING_EXP_LEN)
			log_warnx("store: bindings: malformed index entry "
			    "dropped");
		else if (binding_ikey_expiry(bo->bo_ckey) > bo->bo_now)
			break;
		else if ((r = binding_expire(txn, bo,
		    binding_ikey_expiry(bo->bo_ckey),
		    bo->bo_ckey + BINDING_EXP_LEN,
		    k.size - BINDING_EXP_LEN)) != 0)
			break;
		if ((r = c->del(c, 0)) != 0)
			break;
	}
	if (r == DB_NOTFOUND)
		r = 0;
	if ((cr = c->close(c)) != 0 && r == 0)
		r = cr;
	return (r);
}

int
store_binding_sweep(uint64_t now, size_t max, size_t *removed)
{
	struct binding_op	bo;
	int			r;

	*removed = 0;
	if (max == 0)
		return (STORE_OK);
	memset(&bo, 0, sizeof(bo));
	bo.bo_now = now;
	bo.bo_max = max;
	r = store_kv_txn(STORE_DB_EXPIRY, "sweep", binding_sweep_body, &bo, 1);
	if (r == STORE_OK)
		*removed = bo.bo_done;
	return (r);
}
