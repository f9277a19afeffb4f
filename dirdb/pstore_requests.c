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
 * The presence store for the listener: it puts and deletes rows, each
 * answered once the change is durable (the write hook syncs the log
 * before any answer leaves), and loads whole tables at its start.
 *
 * A table may hold many rows of up to PSTORE_VALUE_MAX bytes: a load
 * goes out in batches, one per turn of the event loop, so requests of
 * the other processes are served in between, and a batch waits while
 * the listener has not taken what was sent before, so dirdb never
 * holds more than a bounded amount of a load in memory.  Loads run one
 * after the other, in the order they were asked for.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <event.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "dirdb.h"
#include "imd_msg.h"
#include "log.h"
#include "proc.h"
#include "pstore.h"
#include "store.h"

#define PRESENCE_LOAD_ROWS	256		/* rows of a batch */
#define PRESENCE_LOAD_QUEUED	(1024 * 1024)	/* bytes waiting to go */
#define PRESENCE_LOAD_WAIT_US	5000		/* before looking again */

struct presence_load {
	TAILQ_ENTRY(presence_load) pl_entry;
	struct imsgev		*pl_iev;
	uint32_t		 pl_id;
	uint32_t		 pl_table;
	char			 pl_last[PSTORE_KEY_MAX]; /* last sent */
	int			 pl_started;	/* pl_last holds a key */
	int			 pl_paused;	/* the batch filled the queue */
	size_t			 pl_rows;
};

static TAILQ_HEAD(, presence_load) presence_loads =
    TAILQ_HEAD_INITIALIZER(presence_loads);
static struct event	presence_load_ev;

static void	presence_done(struct imsgev *, uint32_t, int);
static void	presence_put(struct imsgev *, struct imsg *);
static void	presence_del(struct imsgev *, struct imsg *);
static void	presence_load(struct imsgev *, struct imsg *);
static int	presence_load_one(const char *, const void *, size_t,
		    void *);
static int	presence_load_batch(struct presence_load *);
static void	presence_load_run(int, short, void *);
static void	presence_load_arm(long);

void
presence_init(void)
{
	evtimer_set(&presence_load_ev, presence_load_run, NULL);
}

/* The listener's presence requests, from dirdb_dispatch_listener(). */
void
presence_dispatch(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_DB_PSTORE_PUT:
		presence_put(iev, imsg);
		break;
	case IMSG_DB_PSTORE_DEL:
		presence_del(iev, imsg);
		break;
	case IMSG_DB_PSTORE_LOAD:
		presence_load(iev, imsg);
		break;
	default:
		proc_fatal_imsg(iev, imsg, "unexpected");
	}
}

static void
presence_done(struct imsgev *iev, uint32_t id, int ok)
{
	struct ibuf	*buf;

	if ((buf = imsgev_create(iev, IMSG_DB_PSTORE_DONE, id, 4)) == NULL ||
	    ibuf_add_u32(buf, ok ? 1 : 0) == -1 ||
	    imsgev_close(iev, buf) == -1)
		fatal("%s", __func__);
}

/* Static: one value at a time, and too large for the stack's comfort. */
static void
presence_put(struct imsgev *iev, struct imsg *imsg)
{
	static unsigned char	 val[PSTORE_VALUE_MAX];
	char			 key[PSTORE_KEY_MAX];
	uint32_t		 table, len;

	imsg_get_u32(imsg, &table);
	imsg_get_str(imsg, key, sizeof(key));
	imsg_get_u32(imsg, &len);
	if (len <= sizeof(val))		/* never past val */
		imsg_get_data(imsg, val, len);
	if (imsg_get_end(imsg) == -1 || len > sizeof(val) ||
	    table >= PSTORE_TABLES || key[0] == '\0')
		proc_fatal_imsg(iev, imsg, "presence put");
	presence_done(iev, imsg->hdr.ih_peerid,
	    store_pstore_put(table, key, val, len) == STORE_OK);
}

static void
presence_del(struct imsgev *iev, struct imsg *imsg)
{
	char		key[PSTORE_KEY_MAX];
	uint32_t	table;

	imsg_get_u32(imsg, &table);
	imsg_get_str(imsg, key, sizeof(key));
	if (imsg_get_end(imsg) == -1 || table >= PSTORE_TABLES ||
	    key[0] == '\0')
		proc_fatal_imsg(iev, imsg, "presence delete");
	presence_done(iev, imsg->hdr.ih_peerid,
	    store_pstore_del(table, key) == STORE_OK);
}

static void
presence_load(struct imsgev *iev, struct imsg *imsg)
{
	struct presence_load	*pl;
	uint32_t		 table;

	imsg_get_u32(imsg, &table);
	if (imsg_get_end(imsg) == -1 || table >= PSTORE_TABLES)
		proc_fatal_imsg(iev, imsg, "presence load");
	if ((pl = calloc(1, sizeof(*pl))) == NULL)
		fatal("%s", __func__);
	pl->pl_iev = iev;
	pl->pl_id = imsg->hdr.ih_peerid;
	pl->pl_table = table;
	if (TAILQ_EMPTY(&presence_loads))
		presence_load_arm(0);
	TAILQ_INSERT_TAIL(&presence_loads, pl, pl_entry);
}

/* The walk stops once the queue to the listener is full enough. */
static int
presence_load_one(const char *key, const void *val, size_t len, void *arg)
{
	struct presence_load	*pl = arg;
	struct ibuf		*buf;

	if ((buf = imsgev_create(pl->pl_iev, IMSG_DB_PSTORE_ITEM, pl->pl_id,
	    len + PSTORE_KEY_MAX + 8)) == NULL ||
	    ibuf_add_u32(buf, pl->pl_table) == -1 ||
	    ibuf_add_str(buf, key, PSTORE_KEY_MAX) == -1 ||
	    ibuf_add_u32(buf, len) == -1 ||
	    ibuf_add_data(buf, val, len) == -1 ||
	    imsgev_close(pl->pl_iev, buf) == -1)
		fatal("%s", __func__);
	strlcpy(pl->pl_last, key, sizeof(pl->pl_last));
	pl->pl_started = 1;
	pl->pl_rows++;
	if (pl->pl_iev->iev_ibuf.ib_queued < PRESENCE_LOAD_QUEUED)
		return (0);
	pl->pl_paused = 1;
	return (-1);
}

/*
 * Returns 1 when the table is done.  A load that fails cannot be
 * finished: the listener would take the rows it got for all it has and
 * forget the rest, so dirdb stops instead, and the suite with it; the
 * next start runs recovery on the environment.
 */
static int
presence_load_batch(struct presence_load *pl)
{
	size_t	n;

	pl->pl_paused = 0;
	if (store_pstore_walk(pl->pl_table, pl->pl_started ? pl->pl_last :
	    NULL, PRESENCE_LOAD_ROWS, presence_load_one, pl, &n) != STORE_OK)
		fatalx("presence: load of table %u failed after %zu rows",
		    pl->pl_table, pl->pl_rows);
	return (!pl->pl_paused && n < PRESENCE_LOAD_ROWS);
}

static void
presence_load_run(int fd IMD_UNUSED, short event IMD_UNUSED,
    void *arg IMD_UNUSED)
{
	struct presence_load	*pl;
	struct ibuf		*buf;

	if ((pl = TAILQ_FIRST(&presence_loads)) == NULL)
		return;
	if (pl->pl_iev->iev_ibuf.ib_queued >= PRESENCE_LOAD_QUEUED) {
		presence_load_arm(PRESENCE_LOAD_WAIT_US);
		return;
	}
	if (presence_load_batch(pl)) {
		if ((buf = imsgev_create(pl->pl_iev, IMSG_DB_PSTORE_END,
		    pl->pl_id, 4)) == NULL ||
		    ibuf_add_u32(buf, pl->pl_table) == -1 ||
		    imsgev_close(pl->pl_iev, buf) == -1)
			fatal("%s", __func__);
		log_debug("presence: table %u loaded, %zu rows",
		    pl->pl_table, pl->pl_rows);
		TAILQ_REMOVE(&presence_loads, pl, pl_entry);
		free(pl);
	}
	if (!TAILQ_EMPTY(&presence_loads))
		presence_load_arm(0);
}

static void
presence_load_arm(long usec)
{
	struct timeval	tv = { 0, usec };

	evtimer_add(&presence_load_ev, &tv);
}
