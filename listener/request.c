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
 * Requests held while authd or dirdb works on them.  The receive buffer
 * is reused at once, so a held request is a private copy, parsed again;
 * each has an id for the replies of the other processes and a deadline.
 * What is held is bounded in all and per source prefix, in requests and
 * in bytes, and a request nobody authenticated is held only briefly: a
 * stranger can make us hold little, and not for long.  dirdb's lookup
 * of a held request's recipient goes and comes back here too.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/tree.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "binding.h"
#include "imd_msg.h"
#include "listener.h"
#include "log.h"
#include "prefix.h"
#include "proc.h"
#include "refusal.h"
#include "request.h"
#include "tx.h"
#include "call.h"

#define REQ_TIMEOUT	5	/* seconds the other processes may take */
#define REQ_TRIM_BYTES	(4 * 1024 * 1024) /* freed before a malloc_trim */
#define REQ_TRIM_IDLE	(256 * 1024)	/* the same, once none is held */
#define REQ_SPARES	64	/* freed records kept for reuse */

/* What one source prefix holds. */
struct req_source {
	RB_ENTRY(req_source)	 rs_node;
	struct addr_prefix	 rs_prefix;
	size_t			 rs_count;
	size_t			 rs_bytes;
	int			 rs_refusing;	/* logged once per episode */
};

/*
 * Each answer from another process names its request by id; with
 * hundreds held at once under load a list walk per answer shows.
 */
static int	req_cmp(const struct sip_req *, const struct sip_req *);
RB_HEAD(req_tree, sip_req);
RB_PROTOTYPE(req_tree, sip_req, rq_node, req_cmp);
RB_GENERATE(req_tree, sip_req, rq_node, req_cmp);

static int	req_source_cmp(const struct req_source *,
		    const struct req_source *);
RB_HEAD(req_source_tree, req_source);
RB_PROTOTYPE(req_source_tree, req_source, rs_node, req_source_cmp);
RB_GENERATE(req_source_tree, req_source, rs_node, req_source_cmp);

static TAILQ_HEAD(, sip_req)	reqs = TAILQ_HEAD_INITIALIZER(reqs);
static TAILQ_HEAD(, sip_req)	req_spares =
    TAILQ_HEAD_INITIALIZER(req_spares);
static size_t			nreq_spares;
static struct req_tree		req_ids = RB_INITIALIZER(&req_ids);
static struct req_source_tree	req_sources =
    RB_INITIALIZER(&req_sources);
static size_t			nreq;
static size_t			req_bytes;	/* held in all */
static size_t			req_freed;	/* since the last trim */
static uint32_t			req_nextid = 1;

static void	req_free(struct sip_req *);

static int
req_cmp(const struct sip_req *a, const struct sip_req *b)
{
	return (a->rq_id < b->rq_id ? -1 : a->rq_id > b->rq_id);
}

static int
req_source_cmp(const struct req_source *a, const struct req_source *b)
{
	return (prefix_cmp(&a->rs_prefix, &b->rs_prefix));
}

static struct req_source *
req_source_find(const struct sip_peer *peer)
{
	const struct conf_limits	*lim = &listener_conf->c_limits;
	struct req_source		 key;

	prefix_of_sockaddr(&peer->sp_ss, lim->lim_ipv4_prefix,
	    lim->lim_ipv6_prefix, &key.rs_prefix);
	return (RB_FIND(req_source_tree, &req_sources, &key));
}

static struct req_source *
req_source_get(const struct sip_peer *peer)
{
	const struct conf_limits	*lim = &listener_conf->c_limits;
	struct req_source		*rs;

	if ((rs = req_source_find(peer)) != NULL)
		return (rs);
	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return (NULL);
	prefix_of_sockaddr(&peer->sp_ss, lim->lim_ipv4_prefix,
	    lim->lim_ipv6_prefix, &rs->rs_prefix);
	RB_INSERT(req_source_tree, &req_sources, rs);
	return (rs);
}

/*
 * 503 with Retry-After: the bound is on what we hold for this sender,
 * and says nothing of the recipient, as a 480 or 486 would.  By the
 * time given, what the source holds has been answered.
 */
static void
req_refuse(const struct sip_msg *msg, const struct sip_peer *peer,
    struct req_source *rs, const char *what)
{
	char	retry[64], name[PREFIX_NAME_MAX];

	if (rs != NULL) {
		prefix_name(&rs->rs_prefix, name, sizeof(name));
		if (refusal_note(STAT_REFUSED_HELD, name) && !rs->rs_refusing)
			log_info("sip: %s holds %zu requests of %zu bytes, "
			    "refusing more: %s", name, rs->rs_count,
			    rs->rs_bytes, what);
		rs->rs_refusing = 1;
	}
	snprintf(retry, sizeof(retry), "Retry-After: %u\r\n",
	    listener_conf->c_limits.lim_unauth_wait);
	sip_reply(peer, msg, 503, "Service Unavailable", retry);
}

/* 0 when a request of size bytes from rs may be held; else why not. */
static const char *
req_over_bound(const struct req_source *rs, size_t size)
{
	const struct conf_limits	*lim = &listener_conf->c_limits;

	if (nreq >= lim->lim_held)
		return ("limit held-requests");
	if (req_bytes + size > lim->lim_held_bytes)
		return ("limit held-bytes");
	if (rs == NULL)
		return (NULL);
	if (rs->rs_count >= lim->lim_held_per_addr)
		return ("limit held-requests-per-address");
	if (rs->rs_bytes + size > lim->lim_held_bytes_per_addr)
		return ("limit held-bytes-per-address");
	return (NULL);
}

/*
 * Zeroed but for the header slots of its message, which sip_msg_copy()
 * fills as far as they are read: the record is 7 KB, mostly slots, and
 * clearing all of it for every request showed in the profile.
 */
static struct sip_req *
req_alloc(void)
{
	struct sip_req	*rq;
	size_t		 head = offsetof(struct sip_req, rq_msg);
	size_t		 tail = head + sizeof(rq->rq_msg);

	if ((rq = TAILQ_FIRST(&req_spares)) != NULL) {
		TAILQ_REMOVE(&req_spares, rq, rq_entry);
		nreq_spares--;
	} else if ((rq = malloc(sizeof(*rq))) == NULL)
		return (NULL);
	memset(rq, 0, head);
	memset(&rq->rq_msg, 0, offsetof(struct sip_msg, msg_hdrs));
	memset((char *)rq + tail, 0, sizeof(*rq) - tail);
	return (rq);
}

struct sip_req *
req_hold(const struct sip_msg *msg, const struct sip_peer *peer)
{
	struct sip_req		*rq = NULL;
	struct req_source	*rs;
	const char		*why;
	size_t			 size = sizeof(*rq) + msg->msg_len;

	rs = req_source_find(peer);
	if ((why = req_over_bound(rs, size)) != NULL) {
		req_refuse(msg, peer, rs, why);
		return (NULL);
	}
	if ((rs = req_source_get(peer)) == NULL ||
	    (rq = req_alloc()) == NULL ||
	    (rq->rq_buf = malloc(msg->msg_len)) == NULL) {
		if (rs != NULL && rs->rs_count == 0) {
			RB_REMOVE(req_source_tree, &req_sources, rs);
			free(rs);
		}
		free(rq);
		sip_reply(peer, msg, 500, "Server Internal Error", NULL);
		return (NULL);
	}
	rq->rq_source = rs;
	rq->rq_bytes = size;
	rs->rs_count++;
	rs->rs_bytes += size;
	req_bytes += size;
	memcpy(rq->rq_buf, msg->msg_buf, msg->msg_len);
	sip_msg_copy(&rq->rq_msg, msg, rq->rq_buf);
	if (msg->msg_method == SIP_METHOD_INVITE)
		rq->rq_ist = ist_new(&rq->rq_msg, peer);
	else if ((rq->rq_tx = tx_new(&rq->rq_msg, peer)) == NULL)
		log_debug("sip: request without transaction");
	rq->rq_peer = *peer;
	rq->rq_held_at = time(NULL);
	rq->rq_deadline = rq->rq_held_at + REQ_TIMEOUT;
	/* After the ids wrap, one still held is passed over. */
	do
		rq->rq_id = PROC_ID_MAKE(req_nextid++);
	while ((rq->rq_id & PROC_ID_COUNTER) == 0 ||
	    RB_INSERT(req_tree, &req_ids, rq) != NULL);
	TAILQ_INSERT_TAIL(&reqs, rq, rq_entry);
	nreq++;
	return (rq);
}

struct sip_req *
req_find(uint32_t id)
{
	struct sip_req	find;

	find.rq_id = id;
	return (RB_FIND(req_tree, &req_ids, &find));
}

static void
req_source_put(struct req_source *rs, size_t size)
{
	rs->rs_count--;
	rs->rs_bytes -= size;
	rs->rs_refusing = 0;
	if (rs->rs_count == 0) {
		RB_REMOVE(req_source_tree, &req_sources, rs);
		free(rs);
	}
}

void
req_release(struct sip_req *rq)
{
	if (rq->rq_cleanup != NULL)
		rq->rq_cleanup(rq);
	if (rq->rq_ist != NULL)
		ist_drop(rq->rq_ist);	/* when no final went */
	TAILQ_REMOVE(&reqs, rq, rq_entry);
	RB_REMOVE(req_tree, &req_ids, rq);
	nreq--;
	req_source_put(rq->rq_source, rq->rq_bytes);
	req_bytes -= rq->rq_bytes;
	req_freed += rq->rq_bytes;
	free(rq->rq_buf);
	req_free(rq);
}

/*
 * A few records are kept for the next requests: at this size malloc
 * takes its slow path, which showed in the profile under load.
 */
static void
req_free(struct sip_req *rq)
{
	if (nreq_spares >= REQ_SPARES) {
		free(rq);
		return;
	}
	TAILQ_INSERT_HEAD(&req_spares, rq, rq_entry);
	nreq_spares++;
}

/* The final response, through the transaction when there is one. */
void
req_reply(struct sip_req *rq, unsigned int status, const char *reason,
    const char *extra)
{
	req_reply_tag(rq, status, reason, extra, NULL);
}

void
req_reply_tag(struct sip_req *rq, unsigned int status, const char *reason,
    const char *extra, const char *totag)
{
	struct sip_out	out;
	char		stack[SIP_REPLY_MAX], *buf = stack;
	size_t		size = sip_reply_size(&rq->rq_msg, extra);

	/* A request with long headers gets a reply that holds them. */
	if (size <= sizeof(stack))
		size = sizeof(stack);
	else if ((buf = malloc(size)) == NULL)
		size = 0;
	sip_out_init(&out, buf, size);
	if (size > 0 && sip_build_reply_tag(&out, &rq->rq_peer, &rq->rq_msg,
	    status, reason, extra, totag) == 0)
		req_forward_reply(rq, out.buf, out.len);
	else {
		if (rq->rq_tx != NULL)
			tx_final(rq->rq_tx, NULL, 0);
		req_release(rq);
	}
	if (buf != stack)
		free(buf);
}

/* A response from further on, passed back as it is. */
void
req_forward_reply(struct sip_req *rq, const char *resp, size_t len)
{
	if (rq->rq_ist != NULL)
		ist_respond(rq->rq_ist, resp, len);
	else if (rq->rq_tx != NULL)
		tx_final(rq->rq_tx, resp, len);
	else
		transport_send(&rq->rq_peer, resp, len);
	req_release(rq);
}

/*
 * A request passed digest authentication: it may wait its full time,
 * and its connection is one of a known client's.
 */
void
req_authenticated(struct sip_req *rq)
{
	rq->rq_authenticated = 1;
	conn_authenticated(rq->rq_peer.sp_conn_id);
}

/*
 * Freed memory goes back to the system once a good deal of it was
 * freed: a flood of large requests would otherwise leave the listener
 * at its peak size for good, its heap too fragmented to shrink by
 * itself.  When the last held request is gone, less will do: the end
 * of a flood should not leave up to 4 MB behind until the next one.
 */
static void
req_trim(void)
{
	if (req_freed < REQ_TRIM_BYTES &&
	    (nreq > 0 || req_freed < REQ_TRIM_IDLE))
		return;
	req_freed = 0;
#ifdef __GLIBC__
	(void)malloc_trim(0);
#endif
}

/*
 * Requests nobody answered in time get 500, and their ids are forgotten;
 * a stranger's request that waited its shorter time for the recipient's
 * devices gets 408.
 */
void
req_sweep(void)
{
	struct sip_req	*rq, *next;
	time_t		 now = time(NULL);
	time_t		 wait = listener_conf->c_limits.lim_unauth_wait;

	for (rq = TAILQ_FIRST(&reqs); rq != NULL; rq = next) {
		next = TAILQ_NEXT(rq, rq_entry);
		if (now > rq->rq_deadline) {
			log_warnx("sip: request %u timed out inside the suite",
			    rq->rq_id);
			req_reply(rq, 500, "Server Internal Error", NULL);
		} else if (!rq->rq_authenticated &&
		    now - rq->rq_held_at >= wait)
			req_reply(rq, 408, "Request Timeout", NULL);
	}
	req_trim();
}

/* Does rq_to exist, where are its devices: then rq_looked_up. */
void
req_lookup(struct sip_req *rq)
{
	struct imsgev	*dirdb = proc_peer(PROC_DIRDB);
	struct ibuf	*buf;

	if ((buf = imsgev_create(dirdb, IMSG_DB_LOOKUP, rq->rq_id, 256)) ==
	    NULL || ibuf_add_str(buf, rq->rq_to, sizeof(rq->rq_to)) == -1 ||
	    imsgev_close(dirdb, buf) == -1)
		fatal("%s", __func__);
}

/* IMSG_DB_LOOKUP_RESULT: u32 exists, u32 n, n bindings. */
void
req_lookup_result(struct imsgev *iev, struct imsg *imsg)
{
	struct binding_rec	 bs[BINDING_MAX_PER_USER];
	struct sip_req		*rq;
	uint32_t		 exists, n, i;

	imsg_get_u32(imsg, &exists);
	imsg_get_u32(imsg, &n);
	if (n > BINDING_MAX_PER_USER)	/* bounds the loop */
		imsg_set_error(imsg);
	for (i = 0; i < n && imsg_get_error(imsg) == 0; i++)
		binding_msg_get(imsg, &bs[i]);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "lookup result");
	if ((rq = req_find(imsg->hdr.ih_peerid)) != NULL &&
	    rq->rq_looked_up != NULL)
		rq->rq_looked_up(rq, exists, bs, n);
}
