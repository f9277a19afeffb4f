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
 * The location service in dirdb: one REGISTER applied after its checks
 * (RFC 3261 10.3 steps 6 to 8), the listing for imctl, the sweep of
 * expired bindings.
 */

#include <sys/types.h>

#include <db.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "binding.h"
#include "dirdb.h"
#include "imd_msg.h"
#include "log.h"
#include "proc.h"
#include "store.h"
#include "user.h"

#define LOC_SWEEP_BATCH	1000

/*
 * One REGISTER: what it asks for, the user's live bindings before it,
 * read once for the checks and for the answer, and what its one
 * transaction decided.
 */
struct loc_reg {
	char			aor[IMD_ADDRESS_MAX];
	uint32_t		star;
	uint64_t		now;
	uint32_t		n;
	struct binding_rec	b[BINDING_MAX_PER_USER];
	size_t			nold;
	struct binding_rec	old[BINDING_MAX_PER_USER];
	uint64_t		old_indexed[BINDING_MAX_PER_USER];
	unsigned int		status;
	const char		*reason;
	int			waiting;	/* messages queued for aor */
};

static void
loc_read(struct imsgev *iev, struct imsg *imsg, struct loc_reg *r)
{
	uint32_t	i;

	imsg_get_str(imsg, r->aor, sizeof(r->aor));
	imsg_get_u32(imsg, &r->star);
	imsg_get_u64(imsg, &r->now);
	imsg_get_u32(imsg, &r->n);
	/* n bounds the bindings read next. */
	if (imsg_get_error(imsg) == -1 || r->n > BINDING_MAX_PER_USER ||
	    !store_valid_address(r->aor))
		proc_fatal_imsg(iev, imsg, "register");
	for (i = 0; i < r->n; i++) {
		binding_msg_get(imsg, &r->b[i]);
		if (imsg_get_error(imsg) == -1 ||
		    strcmp(r->b[i].b_address, r->aor) != 0)
			proc_fatal_imsg(iev, imsg, "register binding");
	}
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "register");
}

static int
loc_old_one(const struct binding_rec *b, uint64_t indexed, void *arg)
{
	struct loc_reg	*r = arg;

	if (r->nold == BINDING_MAX_PER_USER)
		return (-1);
	r->old_indexed[r->nold] = indexed;
	r->old[r->nold++] = *b;
	return (0);
}

/* The live binding of the user for this contact, if there is one. */
static const struct binding_rec *
loc_old_find(const struct loc_reg *r, const char *contact)
{
	size_t	i;

	for (i = 0; i < r->nold; i++)
		if (strcmp(r->old[i].b_contact, contact) == 0)
			return (&r->old[i]);
	return (NULL);
}

/*
 * Step 7: an update from the same Call-ID must have a higher CSeq; and
 * the user may not hold more than BINDING_MAX_PER_USER.  Returns a SIP
 * status, 200 when the request may be applied.
 */
static unsigned int
loc_check(struct loc_reg *r, const char **reason)
{
	const struct binding_rec	*old;
	size_t				 added = 0;
	uint32_t			 i;

	for (i = 0; i < r->n; i++) {
		if ((old = loc_old_find(r, r->b[i].b_contact)) == NULL) {
			if (r->b[i].b_expires != 0)
				added++;
		} else if (strcmp(old->b_callid, r->b[i].b_callid) == 0 &&
		    r->b[i].b_cseq <= old->b_cseq) {
			*reason = "CSeq out of order";
			return (400);
		}
	}
	if (r->nold + added > BINDING_MAX_PER_USER) {
		*reason = "Too many bindings";
		return (403);
	}
	*reason = "OK";
	return (200);
}

/*
 * A refresh: every contact of the REGISTER is bound already and stays.
 * What it changes (expiry, Call-ID, CSeq, source) is written behind:
 * answered before it is on disk, flushed within a second (dirdb.c).  A
 * crash may lose it, leaving the binding as the last flushed REGISTER
 * made it, with its earlier expiry; a new binding or a removal is on
 * disk before its answer, and takes every refresh before it along.
 */
static int
loc_is_refresh(const struct loc_reg *r)
{
	uint32_t	i;

	if (r->star || r->n == 0)
		return (0);
	for (i = 0; i < r->n; i++)
		if (r->b[i].b_expires == 0 ||
		    loc_old_find(r, r->b[i].b_contact) == NULL)
			return (0);
	return (1);
}

/*
 * The index time of the live binding the put replaces, which spares
 * the put a read of it; NULL when there is none or it has expired.
 */
static const uint64_t *
loc_old_indexed(const struct loc_reg *r, const char *contact)
{
	const struct binding_rec	*old;

	if ((old = loc_old_find(r, contact)) == NULL)
		return (NULL);
	return (&r->old_indexed[old - r->old]);
}

static int
loc_write(DB_TXN *txn, const struct loc_reg *r)
{
	uint32_t	i;
	int		e;

	if (r->star)
		return (store_binding_del_all_in(txn, r->aor));
	for (i = 0; i < r->n; i++) {
		if (r->b[i].b_expires == 0)
			e = store_binding_del_in(txn, r->aor,
			    r->b[i].b_contact);
		else
			e = store_binding_put_in(txn, &r->b[i], r->now,
			    loc_old_indexed(r, r->b[i].b_contact));
		if (e != 0)
			return (e);
	}
	return (0);
}

/*
 * Steps 6 to 8 in one transaction: the bindings read, checked, written,
 * and a look at the offline queue of the user, whose messages the
 * listener is to be given.  A refresh is committed behind (see
 * loc_is_refresh()), anything else synced before its answer.  It may
 * run again after a deadlock, so it starts afresh.
 */
static int
loc_txn_body(DB_TXN *txn, void *arg)
{
	struct loc_reg	*r = arg;
	int		 e;

	r->nold = 0;
	r->waiting = 0;
	store_write_behind(0);
	if (!r->star && (e = store_binding_list_in(txn, r->aor, r->now,
	    loc_old_one, r)) != 0)
		return (e);
	r->reason = "OK";
	r->status = r->star ? 200 : loc_check(r, &r->reason);
	if (r->status != 200)
		return (0);
	store_write_behind(loc_is_refresh(r));
	if ((e = loc_write(txn, r)) != 0 || r->star)
		return (e);
	return (store_offline_any_in(txn, r->aor, &r->waiting));
}

/*
 * The user's live bindings once the REGISTER is applied, worked out
 * from those before it as loc_write() changed the store, in the store's
 * order (by contact): the answer needs no second read.
 */
static int
loc_contact_cmp(const void *a, const void *b)
{
	const struct binding_rec *const	*x = a, *const *y = b;

	return (strcmp((*x)->b_contact, (*y)->b_contact));
}

static size_t
loc_after(const struct loc_reg *r, const struct binding_rec **after)
{
	size_t	n = 0, i, j;

	if (r->star)
		return (0);
	for (i = 0; i < r->nold; i++)
		after[n++] = &r->old[i];
	for (i = 0; i < r->n; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(after[j]->b_contact, r->b[i].b_contact) ==
			    0) {
				after[j] = after[--n];
				break;
			}
		if (r->b[i].b_expires != 0)
			after[n++] = &r->b[i];
	}
	qsort(after, n, sizeof(*after), loc_contact_cmp);
	return (n);
}

static void
loc_answer(struct imsgev *iev, uint32_t id, const struct loc_reg *r,
    unsigned int status, const char *reason)
{
	const struct binding_rec	*after[2 * BINDING_MAX_PER_USER];
	struct ibuf			*buf;
	size_t				 n = 0, i;

	/* loc_check() kept it within the bound the listener enforces. */
	if (status == 200 && (n = loc_after(r, after)) > BINDING_MAX_PER_USER)
		n = BINDING_MAX_PER_USER;
	if ((buf = imsgev_create(iev, IMSG_DB_REGISTER_RESULT, id,
	    IMSG_HINT_SMALL)) ==
	    NULL || ibuf_add_u32(buf, status) == -1 ||
	    ibuf_add_str(buf, reason, CTL_MESSAGE_MAX) == -1 ||
	    ibuf_add_u32(buf, n) == -1)
		fatal("%s", __func__);
	for (i = 0; i < n; i++)
		if (ibuf_add_str(buf, after[i]->b_contact,
		    sizeof(after[i]->b_contact)) == -1 ||
		    ibuf_add_u32(buf, after[i]->b_expires - r->now) == -1)
			fatal("%s", __func__);
	if (imsgev_close(iev, buf) == -1)
		fatal("%s", __func__);
}

void
loc_register(struct imsgev *iev, struct imsg *imsg)
{
	/* 44 KB: too much for the stack, and dirdb does one at a time. */
	static struct loc_reg	 reg;
	struct loc_reg		*r = &reg;

	r->nold = 0;
	loc_read(iev, imsg, r);
	if (store_binding_txn(loc_txn_body, r) != STORE_OK) {
		r->status = 500;
		r->reason = "Database error";
	}
	store_write_behind(0);
	if (r->status == 200)
		log_debug("location: %s: %u contact(s) updated", r->aor, r->n);
	loc_answer(iev, imsg->hdr.ih_peerid, r, r->status, r->reason);
	if (r->status == 200 && r->waiting)
		queue_offer(r->aor);
}

/*
 * A connection closed in the listener: the binding made over it goes,
 * unless a REGISTER since moved it to another connection.  The answer
 * says how many the user has left, for their presence.
 */
void
loc_unbind(struct imsgev *iev, struct imsg *imsg)
{
	struct binding_rec	 b;
	char			 aor[IMD_ADDRESS_MAX];
	char			 contact[BINDING_CONTACT_MAX];
	uint64_t		 conn;
	uint32_t		 left;
	size_t			 n = 0;
	struct ibuf		*buf;

	imsg_get_u64(imsg, &conn);
	imsg_get_str(imsg, aor, sizeof(aor));
	imsg_get_str(imsg, contact, sizeof(contact));
	if (imsg_get_end(imsg) == -1 || !is_valid_address(aor) || conn == 0)
		proc_fatal_imsg(iev, imsg, "unbind");
	if (store_binding_get(aor, contact, &b) == STORE_OK &&
	    b.b_conn == conn && b.b_transport != TRANSPORT_UDP &&
	    store_binding_del(aor, contact) == STORE_OK)
		log_debug("location: %s: binding %s gone with its connection",
		    aor, contact);
	if (store_binding_count(aor, time(NULL), &n) != STORE_OK)
		n = 1;	/* as if still there: presence stays as it was */
	left = n;
	if ((buf = imsgev_create(iev, IMSG_DB_UNBOUND, 0, sizeof(aor) + 8)) ==
	    NULL || ibuf_add_str(buf, aor, sizeof(aor)) == -1 ||
	    ibuf_add_u32(buf, left) == -1 || imsgev_close(iev, buf) == -1)
		fatal("%s", __func__);
}

/* Bounded work per tick: a large backlog drains over several ticks. */
void
loc_sweep(void)
{
	size_t	removed;

	if (store_binding_sweep(time(NULL), LOC_SWEEP_BATCH, &removed) ==
	    STORE_OK && removed > 0)
		log_debug("location: %zu expired binding(s) removed", removed);
}

struct loc_walk {
	struct imsgev	*iev;
	uint32_t	 id;
	const char	*address;	/* "" for every user */
};

static int
loc_walk_one(const struct binding_rec *b, void *arg)
{
	struct loc_walk	*lw = arg;
	struct ibuf	*buf;

	if (lw->address[0] != '\0' && strcmp(lw->address, b->b_address) != 0)
		return (0);
	if ((buf = imsgev_create(lw->iev, IMSG_DB_BINDING_ITEM, lw->id,
	    sizeof(*b))) == NULL || binding_msg_add(buf, b) == -1 ||
	    imsgev_close(lw->iev, buf) == -1)
		fatal("%s", __func__);
	return (0);
}

/* imctl show bindings, through the parent. */
void
loc_list(struct imsgev *iev, struct imsg *imsg)
{
	struct loc_walk	lw;
	char		address[IMD_ADDRESS_MAX];
	uint64_t	now = time(NULL);
	int		r;

	imsg_get_str(imsg, address, sizeof(address));
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "binding list");
	lw.iev = iev;
	lw.id = imsg->hdr.ih_peerid;
	lw.address = address;
	if (address[0] != '\0')
		r = store_binding_list(address, now, loc_walk_one, &lw);
	else
		r = store_binding_walk(now, loc_walk_one, &lw);
	if (r != STORE_OK)
		log_warnx("location: listing bindings failed");
	imsgev_compose(iev, IMSG_DB_BINDING_END, lw.id, -1, NULL, 0);
}

struct loc_found {
	struct ibuf	*buf;
	uint32_t	 n;
};

static int
loc_found_one(const struct binding_rec *b, void *arg)
{
	struct loc_found	*lf = arg;

	if (lf->n == BINDING_MAX_PER_USER)
		return (-1);
	if (binding_msg_add(lf->buf, b) == -1)
		return (-1);
	lf->n++;
	return (0);
}

/*
 * The listener's question before it delivers: does the user exist, and
 * where is it now.
 */
void
loc_lookup(struct imsgev *iev, struct imsg *imsg)
{
	struct user_rec	 u;
	struct loc_found lf;
	struct ibuf	*items, *buf;
	char		 address[IMD_ADDRESS_MAX];
	uint32_t	 exists;

	imsg_get_str(imsg, address, sizeof(address));
	if (imsg_get_end(imsg) == -1 || !is_valid_address(address))
		proc_fatal_imsg(iev, imsg, "lookup");
	exists = store_user_get(address, &u) == STORE_OK;
	explicit_bzero(&u, sizeof(u));
	if ((items = imsgev_create(iev, IMSG_NONE, 0, 4096)) == NULL)
		fatal("%s", __func__);
	lf.buf = items;
	lf.n = 0;
	if (exists && store_binding_list(address, time(NULL), loc_found_one,
	    &lf) != STORE_OK)
		log_warnx("location: lookup of %s failed", address);
	if ((buf = imsgev_create(iev, IMSG_DB_LOOKUP_RESULT,
	    imsg->hdr.ih_peerid, items->ib_len)) == NULL ||
	    ibuf_add_u32(buf, exists) == -1 || ibuf_add_u32(buf, lf.n) == -1 ||
	    (lf.n > 0 && ibuf_add_data(buf, items->ib_data + IMSG_HDR_SIZE,
	    items->ib_len - IMSG_HDR_SIZE) == -1) ||
	    imsgev_close(iev, buf) == -1)
		fatal("%s", __func__);
	ibuf_free(items);
}
