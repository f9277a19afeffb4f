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
 * Who a request of another domain is from.  Under `inbound verified`
 * (the default) it is taken only from a server of the domain it speaks
 * for: over TLS with a certificate that names the domain, or from an
 * address that the domain's route or DNS names, which relayd answers
 * (the listener resolves nothing).  The request is held meanwhile;
 * once admitted, a MESSAGE or SUBSCRIBE goes through its method's entry
 * again and finds itself held already.  `inbound tls-verified` wants
 * the certificate; `inbound any` takes anyone, for labs.
 */

#include <sys/types.h>

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "imd_msg.h"
#include "listener.h"
#include "log.h"
#include "presence.h"
#include "proc.h"
#include "request.h"
#include "tx.h"

#define INBOUND_REFUSED		"Sender Is Not A Server Of Its Domain"
#define INBOUND_WAIT		6	/* s: relayd answers within 4 */
#define INBOUND_THEN		5	/* s: for what follows, as req_hold */

/* The request inbound_admit() hands back to its method's entry. */
static struct sip_req	*inbound_resuming;

static void
inbound_refuse(struct sip_req *rq, const char *domain, const char *why)
{
	char		host[NI_MAXHOST];
	uint16_t	port;

	sip_peer_addr(&rq->rq_peer, host, sizeof(host), &port);
	log_info("inbound: %s:%u claims %s: %s, refused", host, port, domain,
	    why);
	req_reply(rq, 403, INBOUND_REFUSED, NULL);
}

static void
inbound_ask_relayd(struct sip_req *rq, const char *domain)
{
	struct imsgev	*relayd = proc_peer(PROC_RELAYD);
	struct ibuf	*buf;
	char		 host[NI_MAXHOST];
	uint16_t	 port;

	sip_peer_addr(&rq->rq_peer, host, sizeof(host), &port);
	if ((buf = imsgev_create(relayd, IMSG_RELAY_VERIFY, rq->rq_id,
	    IMD_DOMAIN_MAX + sizeof(host))) == NULL ||
	    ibuf_add_str(buf, domain, IMD_DOMAIN_MAX) == -1 ||
	    ibuf_add_str(buf, host, sizeof(host)) == -1 ||
	    imsgev_close(relayd, buf) == -1)
		fatal("%s", __func__);
}

/*
 * May rq's sender speak for domain?  1: yes, go on now; 0: rq is
 * answered, or held until relayd tells, and then next(rq) runs.
 */
int
inbound_check(struct sip_req *rq, const char *domain,
    void (*next)(struct sip_req *))
{
	if (listener_conf->c_inbound == INBOUND_ANY)
		return (1);
	if (relay_inbound_allowed(&rq->rq_peer, domain))
		return (1);
	if (listener_conf->c_inbound == INBOUND_TLS_VERIFIED) {
		inbound_refuse(rq, domain, "no TLS certificate naming it");
		return (0);
	}
	if (strlcpy(rq->rq_server, domain, sizeof(rq->rq_server)) >=
	    sizeof(rq->rq_server)) {
		inbound_refuse(rq, "?", "domain too long");
		return (0);
	}
	rq->rq_authed = next;
	rq->rq_deadline = time(NULL) + INBOUND_WAIT;
	inbound_ask_relayd(rq, domain);
	return (0);
}

/* IMSG_RELAY_VERIFIED: u32 enum inbound_verdict. */
void
inbound_verified(struct imsgev *iev, struct imsg *imsg)
{
	struct sip_req	*rq;
	uint32_t	 verdict;

	if (imsg_get_u32(imsg, &verdict) == -1 || verdict > INBOUND_BUSY ||
	    imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "verified");
	if ((rq = req_find(imsg->hdr.ih_peerid)) == NULL) {
		log_debug("inbound: verdict for a request that is gone");
		return;
	}
	switch (verdict) {
	case INBOUND_YES:
		rq->rq_deadline = time(NULL) + INBOUND_THEN;
		rq->rq_authed(rq);
		break;
	case INBOUND_BUSY:
		req_reply(rq, 503, "Server Verification Busy",
		    "Retry-After: 5\r\n");
		break;
	default:
		inbound_refuse(rq, rq->rq_server,
		    "not an address of its route or DNS");
	}
}

/*
 * An admitted MESSAGE or SUBSCRIBE from another domain: its method's
 * entry runs again and req_hold_from() gives it this request.  When
 * the entry answered it without holding (nothing it checked can have
 * changed, but the presentity may be gone), the held copy is dropped.
 */
void
inbound_admit(struct sip_req *rq)
{
	inbound_resuming = rq;
	switch (rq->rq_msg.msg_method) {
	case SIP_METHOD_MESSAGE:
		message_request(&rq->rq_msg, &rq->rq_peer);
		break;
	case SIP_METHOD_SUBSCRIBE:
		subscribe_request(&rq->rq_msg, &rq->rq_peer);
		break;
	default:
		break;
	}
	if (inbound_resuming == rq) {
		inbound_resuming = NULL;
		if (rq->rq_tx != NULL)
			tx_final(rq->rq_tx, NULL, 0);
		req_release(rq);
	}
}

/* The request being admitted, when msg is its copy; else NULL. */
struct sip_req *
inbound_resumed(const struct sip_msg *msg)
{
	struct sip_req	*rq = inbound_resuming;

	if (rq == NULL || msg != &rq->rq_msg)
		return (NULL);
	inbound_resuming = NULL;
	return (rq);
}
