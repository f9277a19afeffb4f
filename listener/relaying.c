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
 * The listener's half of relaying: a request of an authenticated user
 * of ours for a foreign domain goes to relayd as it came, and relayd's
 * final answer, the far server's response less relayd's Via, goes to
 * the sender through the server transaction.  What arrives from other
 * servers is checked in inbound.c.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "imd_msg.h"
#include "listener.h"
#include "log.h"
#include "proc.h"
#include "request.h"
#include "stats.h"
#include "tx.h"

#define RELAY_WAIT		40	/* s: relayd answers within 32 */
#define RELAY_REASON_MAX	64
#define RELAY_OWN_ID		0x80000000U

struct relay_own {
	TAILQ_ENTRY(relay_own)	 ro_entry;
	uint32_t		 ro_id;
	void			(*ro_cb)(void *, const struct sip_msg *,
				    unsigned int);
	void			*ro_arg;
};

static TAILQ_HEAD(, relay_own)	relay_owns = TAILQ_HEAD_INITIALIZER(relay_owns);

int
relay_emit(uint32_t id, const char *domain, const char *req, size_t len)
{
	struct imsgev	*relayd = proc_peer(PROC_RELAYD);
	struct ibuf	*buf;

	if (len + IMD_DOMAIN_MAX + 64 > IMSG_PAYLOAD_MAX)
		return (-1);
	if ((buf = imsgev_create(relayd, IMSG_RELAY_REQUEST, id,
	    len + IMD_DOMAIN_MAX + 8)) == NULL ||
	    ibuf_add_str(buf, domain, IMD_DOMAIN_MAX) == -1 ||
	    ibuf_add_u32(buf, len) == -1 ||
	    ibuf_add_data(buf, req, len) == -1 ||
	    imsgev_close(relayd, buf) == -1)
		fatal("%s", __func__);
	return (0);
}

void
relay_start(struct sip_req *rq)
{
	const char	*domain = strchr(rq->rq_to, '@') + 1;

	/* Its NOTIFYs are let in only for a dialog we know (dialog.c). */
	if (rq->rq_msg.msg_method == SIP_METHOD_SUBSCRIBE &&
	    dialog_out_subscribe(rq, domain) == -1) {
		req_reply(rq, 503, "Cannot Follow This Subscription", NULL);
		return;
	}
	if (relay_emit(rq->rq_id, domain, rq->rq_buf, rq->rq_msg.msg_len) ==
	    -1) {
		req_reply(rq, 513, "Message Too Large To Relay", NULL);
		return;
	}
	rq->rq_deadline = time(NULL) + RELAY_WAIT;
}

/*
 * A request of the listener's own (a NOTIFY to a watcher of another
 * domain) goes out through relayd too; cb gets the final status.  Its
 * id has the high bit set, which request ids never reach.
 */
uint32_t
relay_send(const char *domain, const char *req, size_t len,
    void (*cb)(void *, const struct sip_msg *, unsigned int), void *arg)
{
	static uint32_t		 next;
	struct relay_own	*ro;

	if ((ro = calloc(1, sizeof(*ro))) == NULL)
		return (0);
	ro->ro_id = RELAY_OWN_ID | PROC_ID_MAKE(++next);
	ro->ro_cb = cb;
	ro->ro_arg = arg;
	if (relay_emit(ro->ro_id, domain, req, len) == -1) {
		free(ro);
		return (0);
	}
	TAILQ_INSERT_TAIL(&relay_owns, ro, ro_entry);
	return (ro->ro_id);
}

/* The caller is gone: its callback must not run. */
void
relay_forget(uint32_t id)
{
	struct relay_own	*ro;

	TAILQ_FOREACH(ro, &relay_owns, ro_entry)
		if (ro->ro_id == id) {
			ro->ro_cb = NULL;
			return;
		}
}

static void
relay_own_result(uint32_t id, unsigned int status)
{
	struct relay_own	*ro;

	TAILQ_FOREACH(ro, &relay_owns, ro_entry)
		if (ro->ro_id == id)
			break;
	if (ro == NULL)
		return;
	TAILQ_REMOVE(&relay_owns, ro, ro_entry);
	if (ro->ro_cb != NULL)
		ro->ro_cb(ro->ro_arg, NULL, status);
	free(ro);
}

/* IMSG_RELAY_RESPONSE: u32 status, str reason, u32 length, response. */
void
relay_result(struct imsgev *iev, struct imsg *imsg)
{
	static char	 resp[IMSG_PAYLOAD_MAX];
	struct sip_req	*rq;
	char		 reason[RELAY_REASON_MAX];
	uint32_t	 status, len;

	imsg_get_u32(imsg, &status);
	imsg_get_str(imsg, reason, sizeof(reason));
	imsg_get_u32(imsg, &len);
	if (len <= sizeof(resp))	/* never past resp */
		imsg_get_data(imsg, resp, len);
	if (imsg_get_end(imsg) == -1 || status < 200 || status > 699 ||
	    len > sizeof(resp))
		proc_fatal_imsg(iev, imsg, "relay response");
	stats_inc(len == 0 ? STAT_RELAYED_FAILED : status < 300 ?
	    STAT_RELAYED_OK : STAT_RELAYED_REFUSED);
	if (imsg->hdr.ih_peerid & RELAY_OWN_ID) {
		relay_own_result(imsg->hdr.ih_peerid, status);
		return;
	}
	if ((rq = req_find(imsg->hdr.ih_peerid)) == NULL)
		return;
	if (rq->rq_relayed != NULL)
		rq->rq_relayed(rq, status, len == 0 ? NULL : resp, len);
	if (rq->rq_msg.msg_method == SIP_METHOD_SUBSCRIBE)
		dialog_out_answered(rq, status, len == 0 ? NULL : resp, len);
	if (len == 0)
		req_reply(rq, status, reason, NULL);
	else
		req_forward_reply(rq, resp, len);
}
