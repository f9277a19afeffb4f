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
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/tree.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "listener.h"
#include "log.h"
#include "request.h"
#include "tx.h"

#define REQ_MAX		16384	/* held at once */
#define REQ_TIMEOUT	5	/* seconds the other processes may take */

/*
 * Each answer from another process names its request by id; with
 * hundreds held at once under load a list walk per answer shows.
 */
static int	req_cmp(const struct sip_req *, const struct sip_req *);
RB_HEAD(req_tree, sip_req);
RB_PROTOTYPE(req_tree, sip_req, rq_node, req_cmp);
RB_GENERATE(req_tree, sip_req, rq_node, req_cmp);

static TAILQ_HEAD(, sip_req)	reqs = TAILQ_HEAD_INITIALIZER(reqs);
static struct req_tree		req_ids = RB_INITIALIZER(&req_ids);
static size_t			nreq;
static uint32_t			req_nextid = 1;

static int
req_cmp(const struct sip_req *a, const struct sip_req *b)
{
	return (a->rq_id < b->rq_id ? -1 : a->rq_id > b->rq_id);
}

struct sip_req *
req_hold(const struct sip_msg *msg, const struct sip_peer *peer)
{
	struct sip_req		*rq;

	if (nreq >= REQ_MAX) {
		sip_reply(peer, msg, 503, "Service Unavailable", NULL);
		return (NULL);
	}
	if ((rq = calloc(1, sizeof(*rq))) == NULL ||
	    (rq->rq_buf = malloc(msg->msg_len)) == NULL) {
		free(rq);
		sip_reply(peer, msg, 500, "Server Internal Error", NULL);
		return (NULL);
	}
	memcpy(rq->rq_buf, msg->msg_buf, msg->msg_len);
	sip_msg_copy(&rq->rq_msg, msg, rq->rq_buf);
	if ((rq->rq_tx = tx_new(&rq->rq_msg, peer)) == NULL)
		log_debug("sip: request without transaction");
	rq->rq_peer = *peer;
	rq->rq_deadline = time(NULL) + REQ_TIMEOUT;
	/* After the ids wrap, one still held is passed over. */
	do
		rq->rq_id = req_nextid++;
	while (rq->rq_id == 0 || RB_INSERT(req_tree, &req_ids, rq) != NULL);
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

void
req_release(struct sip_req *rq)
{
	if (rq->rq_cleanup != NULL)
		rq->rq_cleanup(rq);
	TAILQ_REMOVE(&reqs, rq, rq_entry);
	RB_REMOVE(req_tree, &req_ids, rq);
	nreq--;
	free(rq->rq_buf);
	explicit_bzero(rq, sizeof(*rq));
	free(rq);
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
	if (rq->rq_tx != NULL)
		tx_final(rq->rq_tx, resp, len);
	else
		transport_send(&rq->rq_peer, resp, len);
	req_release(rq);
}

/* Requests nobody answered in time get 500, and their ids are forgotten. */
void
req_sweep(void)
{
	struct sip_req	*rq, *next;
	time_t		 now = time(NULL);

	for (rq = TAILQ_FIRST(&reqs); rq != NULL; rq = next) {
		next = TAILQ_NEXT(rq, rq_entry);
		if (now > rq->rq_deadline) {
			log_warnx("sip: request %u timed out inside the suite",
			    rq->rq_id);
			req_reply(rq, 500, "Server Internal Error", NULL);
		}
	}
}
