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
 * The offline queue for the listener: a message stored (and committed)
 * before its sender hears 202, and handed out oldest first on the
 * recipient's next registration, each removed once it was delivered.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dirdb.h"
#include "imd_msg.h"
#include "log.h"
#include "offline.h"
#include "proc.h"
#include "store.h"
#include "user.h"

void
queue_put(struct imsgev *iev, struct imsg *imsg)
{
	struct offline_rec	*o;
	struct ibuf		*buf;
	uint32_t		 status;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		fatal("%s", __func__);
	if (offline_msg_get(imsg, o) == -1 || imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "offline put");
	switch (store_offline_put(o)) {
	case STORE_OK:
		status = OFFLINE_STORED_OK;
		break;
	case STORE_FULL:
		status = OFFLINE_STORED_FULL;
		break;
	default:
		status = OFFLINE_STORED_FAIL;
	}
	if (status == OFFLINE_STORED_OK)
		log_info("queue: message %llu for %s from %s stored",
		    (unsigned long long)o->o_id, o->o_to, o->o_from);
	else
		log_warnx("queue: message for %s from %s not stored (%s)",
		    o->o_to, o->o_from, status == OFFLINE_STORED_FULL ?
		    "queue full" :
		    "database error");
	if ((buf = imsgev_create(iev, IMSG_DB_OFFLINE_STORED,
	    imsg->hdr.ih_peerid, 16)) == NULL ||
	    ibuf_add_u32(buf, status) == -1 ||
	    ibuf_add_u64(buf, o->o_id) == -1 ||
	    imsgev_close(iev, buf) == -1)
		fatal("%s", __func__);
	free(o);
}

/* The delivered one goes, the next oldest comes back. */
void
queue_next(struct imsgev *iev, struct imsg *imsg)
{
	struct offline_rec	*o;
	struct ibuf		*buf;
	char			 address[IMD_ADDRESS_MAX];
	uint64_t		 done;
	uint32_t		 found;

	if (imsg_get_str(imsg, address, sizeof(address)) == -1 ||
	    imsg_get_u64(imsg, &done) == -1 || imsg_get_end(imsg) == -1 ||
	    !is_valid_address(address))
		proc_fatal_imsg(iev, imsg, "offline next");
	if ((o = calloc(1, sizeof(*o))) == NULL)
		fatal("%s", __func__);
	if (done != 0 && store_offline_del(address, done) == STORE_OK)
		log_info("queue: message %llu for %s delivered",
		    (unsigned long long)done, address);
	found = store_offline_first(address, o) == STORE_OK;
	if ((buf = imsgev_create(iev, IMSG_DB_OFFLINE_ITEM,
	    imsg->hdr.ih_peerid, found ? OFFLINE_MSG_MAX + 4 : 4)) == NULL ||
	    ibuf_add_u32(buf, found) == -1 ||
	    (found && offline_msg_add(buf, o) == -1) ||
	    imsgev_close(iev, buf) == -1)
		fatal("%s", __func__);
	free(o);
}

struct queue_walk {
	struct imsgev	*qw_iev;
	uint32_t	 qw_id;
};

static int
queue_list_one(const struct offline_rec *o, void *arg)
{
	struct queue_walk	*qw = arg;
	struct ibuf		*buf;

	if ((buf = imsgev_create(qw->qw_iev, IMSG_DB_QUEUE_ITEM, qw->qw_id,
	    2 * IMD_ADDRESS_MAX + 40)) == NULL ||
	    ibuf_add_u64(buf, o->o_id) == -1 ||
	    ibuf_add_str(buf, o->o_to, sizeof(o->o_to)) == -1 ||
	    ibuf_add_str(buf, o->o_from, sizeof(o->o_from)) == -1 ||
	    ibuf_add_u64(buf, o->o_arrived) == -1 ||
	    ibuf_add_u32(buf, o->o_bodylen) == -1 ||
	    ibuf_add_u32(buf, o->o_state) == -1 ||
	    ibuf_add_u32(buf, o->o_attempts) == -1 ||
	    imsgev_close(qw->qw_iev, buf) == -1)
		fatal("%s", __func__);
	return (0);
}

/* imctl show queue, through the parent: what waits, never the text. */
void
queue_list(struct imsgev *iev, struct imsg *imsg)
{
	struct queue_walk	qw;
	char			address[IMD_ADDRESS_MAX];
	int			r;

	if (imsg_get_str(imsg, address, sizeof(address)) == -1 ||
	    imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "queue list");
	qw.qw_iev = iev;
	qw.qw_id = imsg->hdr.ih_peerid;
	if (address[0] != '\0')
		r = store_offline_list(address, queue_list_one, &qw);
	else
		r = store_offline_walk(queue_list_one, &qw);
	if (r != STORE_OK)
		log_warnx("queue: listing failed");
	imsgev_compose(iev, IMSG_DB_QUEUE_END, qw.qw_id, -1, NULL, 0);
}

#define QUEUE_EXPIRE_BATCH	256

struct queue_expired {
	char		qe_to[QUEUE_EXPIRE_BATCH][IMD_ADDRESS_MAX];
	uint64_t	qe_id[QUEUE_EXPIRE_BATCH];
	size_t		qe_n;
};

static int
queue_expired_one(const struct offline_rec *o, void *arg)
{
	struct queue_expired	*qe = arg;

	if (qe->qe_n == QUEUE_EXPIRE_BATCH)
		return (-1);
	strlcpy(qe->qe_to[qe->qe_n], o->o_to, sizeof(qe->qe_to[0]));
	qe->qe_id[qe->qe_n++] = o->o_id;
	return (0);
}

/*
 * Messages older than `offline max-age` are dropped and logged; the
 * callback runs inside the store's transaction, so the deletes follow.
 */
void
queue_expire(void)
{
	struct queue_expired	*qe;
	size_t			 i;

	if ((qe = calloc(1, sizeof(*qe))) == NULL)
		return;
	if (store_offline_expired(time(NULL), queue_expired_one, qe,
	    QUEUE_EXPIRE_BATCH) == STORE_FAIL)
		log_warnx("queue: looking for expired messages failed");
	for (i = 0; i < qe->qe_n; i++)
		if (store_offline_del(qe->qe_to[i], qe->qe_id[i]) == STORE_OK)
			log_warnx("queue: message %llu for %s dropped: older "
			    "than offline max-age",
			    (unsigned long long)qe->qe_id[i], qe->qe_to[i]);
	free(qe);
}

/* The limits of the configuration in force, at start and on reload. */
void
queue_configure(const struct imd_conf *conf)
{
	store_offline_limits(conf->c_offline.off_max,
	    conf->c_offline.off_age);
}
