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
 * Connection ids across listener workers: an id names the worker that
 * holds the connection (bits 56-63) and the listen it came to (bits
 * 48-55), so that any worker can address any connection; bytes for
 * another worker's go to it to be written (listener/worker.c).
 */

#include <sys/types.h>
#include <sys/socket.h>

#include "imd_msg.h"
#include "listener.h"
#include "log.h"
#include "proc.h"
#include "stats.h"

#define CONN_WORKER_SHIFT	56
#define CONN_LISTEN_SHIFT	48
#define CONN_COUNTER		((1ULL << CONN_LISTEN_SHIFT) - 1)

uint64_t
worker_conn_id(const struct transport_listen *tl, uint64_t n)
{
	return ((uint64_t)proc_worker << CONN_WORKER_SHIFT |
	    (uint64_t)(tl->tl_index & 0xff) << CONN_LISTEN_SHIFT |
	    (n & CONN_COUNTER));
}

int
worker_conn_is_ours(uint64_t id)
{
	return ((id >> CONN_WORKER_SHIFT) == proc_worker);
}

unsigned int
worker_conn_listen(uint64_t id)
{
	return ((id >> CONN_LISTEN_SHIFT) & 0xff);
}

/*
 * About a connection: IMSG_WRK_CONN_AUTHED to the worker that holds it,
 * IMSG_WRK_CONN_CLOSED from it to every other worker.
 */
void
worker_conn_note(uint64_t id, uint32_t type)
{
	struct imsgev	*iev;
	unsigned int	 w, holder = id >> CONN_WORKER_SHIFT;

	for (w = 0; w < proc_nworkers; w++) {
		if (w == proc_worker || (type == IMSG_WRK_CONN_AUTHED &&
		    w != holder) || (iev = worker_channel(w)) == NULL)
			continue;
		if (imsgev_compose(iev, type, 0, -1, &id, sizeof(id)) == -1)
			fatal("%s", __func__);
	}
}

/*
 * The channel to worker w, or NULL while WORKER_QUEUE_MAX bytes wait on
 * it: the hand-off is dropped and counted.
 */
struct imsgev *
worker_channel(unsigned int w)
{
	struct imsgev	*iev;

	if ((iev = proc_worker_peer(w)) == NULL)
		fatalx("no channel to listener %u", w);
	if (iev->iev_ibuf.ib_queued > WORKER_QUEUE_MAX) {
		stats_inc(STAT_HANDOFF_DROPPED);
		return (NULL);
	}
	return (iev);
}

/* Bytes for a connection another worker holds: it writes them. */
int
worker_send(const struct sip_peer *peer, const char *buf, size_t len)
{
	unsigned int	 w = peer->sp_conn_id >> CONN_WORKER_SHIFT;
	struct imsgev	*iev;
	struct ibuf	*b;

	if (w >= proc_nworkers || len > IMSG_PAYLOAD_MAX - 16 ||
	    (iev = worker_channel(w)) == NULL)
		return (-1);
	if ((b = imsgev_create(iev, IMSG_WRK_SEND, 0, len + 12)) == NULL ||
	    ibuf_add_u64(b, peer->sp_conn_id) == -1 ||
	    ibuf_add_u32(b, len) == -1 || ibuf_add_data(b, buf, len) == -1 ||
	    imsgev_close(iev, b) == -1)
		fatal("%s", __func__);
	stats_inc(STAT_HANDOFF_CONNECTION);
	return (0);
}

