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
 * Calls with another domain go through relayd, as MESSAGE does (its
 * route or DNS, TLS and the RFC 5922 checks are relayd's): the INVITE
 * as it came, relayd's provisional responses to the caller as they
 * come, its final one through the INVITE server transaction; a CANCEL
 * of the caller becomes relayd's CANCEL.  relayd record-routes us, so
 * the dialog's requests from the other domain come back here; ours to
 * it go through relayd again, an ACK of a 2xx with no answer.
 */

#include <sys/types.h>

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "call.h"
#include "imd_msg.h"
#include "listener.h"
#include "log.h"
#include "proc.h"
#include "request.h"

#define CALL_RELAY_WAIT		48	/* s past ring-time: relayd's 32 */
#define CALL_RELAY_REQ_WAIT	40	/* s: relayd answers within 32 */

/* The final answer did not come from relayd: its INVITE is cancelled. */
static void
call_relay_cleanup(struct sip_req *rq)
{
	struct imsgev	*relayd = proc_peer(PROC_RELAYD);

	if (imsgev_compose(relayd, IMSG_RELAY_CANCEL, rq->rq_id, -1, NULL,
	    0) == -1)
		fatal("%s", __func__);
	calls_failed(rq);
}

/* relayd's final answer to an INVITE or a BYE of a call. */
static void
call_relay_final(struct sip_req *rq, unsigned int status, const char *resp,
    size_t len)
{
	static struct sip_msg	 m;
	struct sip_limits	 lim;
	struct sip_err		 err;
	struct sip_peer		 none;

	if (rq->rq_msg.msg_method == SIP_METHOD_BYE) {
		calls_bye(&rq->rq_msg);
		return;
	}
	rq->rq_cleanup = NULL;
	if (status >= 300 || resp == NULL) {
		calls_failed(rq);
		return;
	}
	sip_limits_from_conf(&lim);
	memset(&none, 0, sizeof(none));
	if (sip_parse(&m, resp, len, &lim, 0, &err) == 0)
		calls_answered(rq, &m, &none);
}

/*
 * rq, an INVITE held with its server transaction, to domain through
 * relayd; initial: a new call, with its entry in the table of calls.
 */
void
call_relay_start(struct sip_req *rq, const char *domain, int initial)
{
	if (initial && calls_setup(rq) == -1) {
		req_reply(rq, 503, "Too Many Calls", "Retry-After: 60\r\n");
		return;
	}
	if (relay_emit(rq->rq_id, domain, rq->rq_buf, rq->rq_msg.msg_len) ==
	    -1) {
		req_reply(rq, 513, "Message Too Large To Relay", NULL);
		return;
	}
	rq->rq_cleanup = call_relay_cleanup;
	rq->rq_relayed = call_relay_final;
	rq->rq_deadline = time(NULL) + listener_conf->c_limits.lim_ring_time +
	    CALL_RELAY_WAIT;
}

/*
 * IMSG_RELAY_PROVISIONAL: u32 length, a 101-199 for the caller, or a
 * 2xx that came again after the final answer: the request is gone by
 * then, the INVITE server transaction (Accepted) still knows the
 * caller, by the caller's Via on top of the response.
 */
void
call_relay_provisional(struct imsgev *iev, struct imsg *imsg)
{
	static char		 resp[IMSG_PAYLOAD_MAX];
	static struct sip_msg	 m;
	struct sip_limits	 lim;
	struct sip_err		 err;
	struct sip_peer		 none;
	struct sip_req		*rq;
	uint32_t		 len;

	imsg_get_u32(imsg, &len);
	if (len <= sizeof(resp))
		imsg_get_data(imsg, resp, len);
	if (imsg_get_end(imsg) == -1 || len > sizeof(resp) || len < 12)
		proc_fatal_imsg(iev, imsg, "relay provisional");
	sip_limits_from_conf(&lim);
	if (sip_parse(&m, resp, len, &lim, 0, &err) == -1)
		return;
	if (m.msg_status >= 200) {
		if (m.msg_status < 300) {
			memset(&none, 0, sizeof(none));
			calls_answered_again(&m, &none);
			ist_respond_again(&m, resp, len);
		}
		return;
	}
	if ((rq = req_find(imsg->hdr.ih_peerid)) == NULL ||
	    rq->rq_ist == NULL)
		return;
	memset(&none, 0, sizeof(none));
	calls_ringing(rq, &m, &none);
	ist_respond(rq->rq_ist, resp, len);
}

/* The ACK of a 2xx to a side of another domain: once, no answer. */
void
call_relay_ack(const struct sip_msg *msg, const char *domain)
{
	if (relay_emit(0, domain, msg->msg_buf, msg->msg_len) == -1)
		log_debug("call: an ACK for %s too large to relay", domain);
}

/* Another request of the dialog, held while relayd gets the answer. */
void
call_relay_request(const struct sip_msg *msg, const struct sip_peer *peer,
    const char *domain)
{
	struct sip_req	*rq;

	if ((rq = req_hold(msg, peer)) == NULL)
		return;
	rq->rq_authenticated = 1;	/* it is in a call of ours */
	if (rq->rq_msg.msg_method == SIP_METHOD_BYE)
		rq->rq_relayed = call_relay_final;
	if (relay_emit(rq->rq_id, domain, rq->rq_buf, rq->rq_msg.msg_len) ==
	    -1) {
		req_reply(rq, 513, "Message Too Large To Relay", NULL);
		return;
	}
	rq->rq_deadline = time(NULL) + CALL_RELAY_REQ_WAIT;
}
