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
 * The SIP user agent of imc: one connection to the configured server
 * (UDP, TCP or TLS), client transactions with the retransmissions of
 * RFC 3261 17.1.2 over UDP, digest authentication (ua_auth.c), and the
 * requests the server sends us, answered by the command that runs.
 *
 * Every request goes to the server, which is our registrar and
 * outbound proxy.  The exceptions are direct mode: a user agent made
 * for one peer's contact (ua_no_auth()), and, with `direct yes', the
 * peers' MESSAGEs that come straight to our contact (ua_peer.c).
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdefs.h"
#include "imc.h"
#include "ua.h"

#define UA_T1_MS	500
#define UA_T2_MS	4000
#define UA_TIMER_F_MS	(64 * UA_T1_MS)

static void	ua_tx_free(struct ua_tx *);
static int	ua_tx_send(struct ua_tx *);

struct ua *
ua_new(struct event_base *base, struct imc_conf *conf)
{
	struct ua	*ua;

	if ((ua = calloc(1, sizeof(*ua))) == NULL)
		return (NULL);
	ua->ua_base = base;
	ua->ua_conf = conf;
	ua->ua_fd = -1;
	ua->ua_pfd = -1;
	TAILQ_INIT(&ua->ua_txs);
	ua->ua_www = ua_cred_new();
	ua->ua_proxy = ua_cred_new();
	if (ua->ua_www == NULL || ua->ua_proxy == NULL) {
		ua_free(ua);
		return (NULL);
	}
	ua_random_token(ua->ua_fromtag, sizeof(ua->ua_fromtag));
	(void)snprintf(ua->ua_srvname, sizeof(ua->ua_srvname), "%s:%u",
	    conf->c_server, conf->c_port);
	return (ua);
}

void
ua_free(struct ua *ua)
{
	struct ua_tx	*tx;

	if (ua == NULL)
		return;
	while ((tx = TAILQ_FIRST(&ua->ua_txs)) != NULL)
		ua_tx_free(tx);
	ua_peer_close(ua);
	if (ua->ua_rev != NULL)
		event_free(ua->ua_rev);
	if (ua->ua_bev != NULL)
		bufferevent_free(ua->ua_bev);
	else if (ua->ua_fd != -1)
		close(ua->ua_fd);
	if (ua->ua_ssl_ctx != NULL)
		SSL_CTX_free(ua->ua_ssl_ctx);
	ua_cred_free(ua->ua_www);
	ua_cred_free(ua->ua_proxy);
	ua_dedup_free(ua);
	free(ua);
}

void
ua_random_token(char *buf, size_t size)
{
	static const char	 set[] = "0123456789abcdefghijklmnopqrstuv";
	size_t			 i;

	for (i = 0; i + 1 < size && i < 20; i++)
		buf[i] = set[arc4random_uniform(sizeof(set) - 1)];
	buf[i] = '\0';
}

struct event_base *
ua_base(struct ua *ua)
{
	return (ua->ua_base);
}

const char *
ua_error(struct ua *ua)
{
	return (ua->ua_err[0] != '\0' ? ua->ua_err : "no answer");
}

const char *
ua_server_name(struct ua *ua)
{
	return (ua->ua_srvname);
}

const char *
ua_contact(struct ua *ua)
{
	return (ua->ua_contact);
}

const char *
ua_local_host(struct ua *ua)
{
	return (ua->ua_lhost);
}

uint16_t
ua_local_port(struct ua *ua)
{
	return (ua->ua_lport);
}

/* A peer has no credentials to ask for: never answer a challenge. */
void
ua_no_auth(struct ua *ua)
{
	ua->ua_noauth = 1;
}

/*
 * The 2xx of an INVITE that comes again once its transaction is over
 * (the callee did not get our ACK): the call sends the ACK again
 * (RFC 3261 13.2.2.4).
 */
void
ua_on_late_2xx(struct ua *ua, ua_req_cb cb, void *arg)
{
	ua->ua_late_cb = cb;
	ua->ua_late_arg = arg;
}

void
ua_on_request(struct ua *ua, ua_req_cb cb, void *arg)
{
	ua->ua_req_cb = cb;
	ua->ua_req_arg = arg;
}

/*
 * The connection is gone or never came: every transaction ends without
 * a response, and the command reports why.
 */
void
ua_fail(struct ua *ua, const char *fmt, ...)
{
	struct ua_tx	*tx;
	va_list		 ap;

	if (!ua->ua_failed) {
		va_start(ap, fmt);
		(void)vsnprintf(ua->ua_err, sizeof(ua->ua_err), fmt, ap);
		va_end(ap);
	}
	ua->ua_failed = 1;
	while ((tx = TAILQ_FIRST(&ua->ua_txs)) != NULL) {
		TAILQ_REMOVE(&ua->ua_txs, tx, tx_entry);
		tx->tx_linked = 0;
		tx->tx_cb(ua, tx->tx_req, NULL, tx->tx_arg);
		ua_tx_free(tx);
	}
}

/* The transaction of a response: its branch and its method. */
static struct ua_tx *
ua_tx_find(struct ua *ua, const struct sip_msg *msg)
{
	const struct sip_hdr	*h;
	struct sip_cseq		 cs;
	struct sip_via		 via;
	struct ua_tx		*tx;

	if (sip_top_via(msg, &via) == -1 ||
	    (h = sip_hdr_first(msg, SIP_HDR_CSEQ)) == NULL ||
	    sip_cseq_parse(h->hdr_value.s, SIP_STR_END(&h->hdr_value),
	    &cs) == -1)
		return (NULL);
	/* A CANCEL shares the branch of the INVITE it cancels. */
	TAILQ_FOREACH(tx, &ua->ua_txs, tx_entry)
		if (strlen(tx->tx_branch) == via.via_branch.len &&
		    memcmp(tx->tx_branch, via.via_branch.s,
		    via.via_branch.len) == 0 &&
		    cs.cseq_method == tx->tx_req->rq_method)
			return (tx);
	return (NULL);
}

/* A 1xx to an INVITE: no more retransmissions, no timer B. */
static void
ua_tx_proceeding(struct ua_tx *tx, const struct sip_msg *msg)
{
	if (tx->tx_req->rq_method != SIP_METHOD_INVITE)
		return;
	evtimer_del(tx->tx_retrans);
	evtimer_del(tx->tx_timeout);
	if (tx->tx_req->rq_prov != NULL && msg->msg_status > 100)
		tx->tx_req->rq_prov(msg, tx->tx_arg);
}

/* A response: the transaction it ends, or a retry with credentials. */
static void
ua_handle_response(struct ua *ua, const struct sip_msg *msg)
{
	struct ua_tx	*tx;

	if ((tx = ua_tx_find(ua, msg)) == NULL) {
		if (ua->ua_late_cb != NULL && msg->msg_status >= 200 &&
		    msg->msg_status < 300)
			ua->ua_late_cb(ua, msg, ua->ua_late_arg);
		return;
	}
	/* A peer answers only what we sent it; the server, the rest. */
	if ((ua->ua_peerlen != 0) != (tx->tx_dest.uo_len != 0))
		return;
	if (msg->msg_status < 200) {
		ua_tx_proceeding(tx, msg);
		return;
	}
	if (tx->tx_req->rq_method == SIP_METHOD_INVITE &&
	    msg->msg_status >= 300)
		ua_ack_failure(tx, msg);
	if ((msg->msg_status == 401 || msg->msg_status == 407) &&
	    !ua->ua_noauth && ua_tx_auth_retry(tx, msg) == 0)
		return;
	TAILQ_REMOVE(&ua->ua_txs, tx, tx_entry);
	tx->tx_linked = 0;
	tx->tx_cb(ua, tx->tx_req, msg, tx->tx_arg);
	ua_tx_free(tx);
}

/*
 * What a peer may ask of us without the server: a message or a call
 * when direct mode is on, and the requests of a call's dialog, which
 * the command checks against the dialogs it has.
 */
static int
ua_peer_may(struct ua *ua, enum sip_method m)
{
	switch (m) {
	case SIP_METHOD_MESSAGE:
	case SIP_METHOD_INVITE:
		return (ua->ua_conf->c_direct);
	case SIP_METHOD_ACK:
	case SIP_METHOD_BYE:
	case SIP_METHOD_CANCEL:
		return (1);
	default:
		return (0);
	}
}

void
ua_handle(struct ua *ua, const char *buf, size_t len, int flags)
{
	struct sip_msg		*msg;
	struct sip_limits	 lim;
	struct sip_err		 err;

	if ((msg = calloc(1, sizeof(*msg))) == NULL)
		return;
	sip_limits_default(&lim);
	if (sip_parse(msg, buf, len, &lim, flags, &err) == -1)
		goto done;
	if (msg->msg_kind == SIP_RESPONSE) {
		if (sip_validate_response(msg, &err) == 0)
			ua_handle_response(ua, msg);
	} else if (sip_validate_request(msg, &err) == 0) {
		if (msg->msg_method != SIP_METHOD_ACK &&
		    ua_dedup_replay(ua, msg) == 0)
			goto done;
		/* Unauthenticated: a peer may only ask for little. */
		if (ua->ua_peerlen != 0 && !ua_peer_may(ua, msg->msg_method))
			(void)ua_reply(ua, msg, 405, "Method Not Allowed");
		else if (ua->ua_req_cb != NULL)
			ua->ua_req_cb(ua, msg, ua->ua_req_arg);
		else if (msg->msg_method != SIP_METHOD_ACK)
			(void)ua_reply(ua, msg, 481,
			    "Call/Transaction Does Not Exist");
	} else if (err.err_respond)
		(void)ua_reply(ua, msg, err.err_status, err.err_reason);
 done:
	free(msg);
}

/* Who sent the request being handled. */
void
ua_origin_of(struct ua *ua, struct ua_origin *o)
{
	memset(o, 0, sizeof(*o));
	if (ua->ua_peerlen != 0) {
		o->uo_addr = ua->ua_peer;
		o->uo_len = ua->ua_peerlen;
	}
}

static void
ua_tx_free(struct ua_tx *tx)
{
	if (tx->tx_linked)
		TAILQ_REMOVE(&tx->tx_ua->ua_txs, tx, tx_entry);
	if (tx->tx_retrans != NULL)
		event_free(tx->tx_retrans);
	if (tx->tx_timeout != NULL)
		event_free(tx->tx_timeout);
	free(tx->tx_buf);
	free(tx);
}

static void
ua_tx_retransmit(evutil_socket_t fd IMD_UNUSED, short ev IMD_UNUSED, void *arg)
{
	struct ua_tx	*tx = arg;
	struct timeval	 tv;

	(void)ua_send_dest(tx->tx_ua, &tx->tx_dest, tx->tx_buf, tx->tx_len);
	tx->tx_interval = tx->tx_interval * 2;
	if (tx->tx_interval > UA_T2_MS)
		tx->tx_interval = UA_T2_MS;
	tv.tv_sec = tx->tx_interval / 1000;
	tv.tv_usec = (tx->tx_interval % 1000) * 1000;
	evtimer_add(tx->tx_retrans, &tv);
}

/* Timer F: the server never answered. */
static void
ua_tx_expire(evutil_socket_t fd IMD_UNUSED, short ev IMD_UNUSED, void *arg)
{
	struct ua_tx	*tx = arg;
	struct ua	*ua = tx->tx_ua;

	if (!ua->ua_failed)
		(void)snprintf(ua->ua_err, sizeof(ua->ua_err),
		    "no answer in %d seconds", UA_TIMER_F_MS / 1000);
	TAILQ_REMOVE(&ua->ua_txs, tx, tx_entry);
	tx->tx_linked = 0;
	tx->tx_cb(ua, tx->tx_req, NULL, tx->tx_arg);
	ua_tx_free(tx);
}

/* (Re)start the timers and send the request as built. */
static int
ua_tx_send(struct ua_tx *tx)
{
	struct timeval	 tv;

	tx->tx_interval = UA_T1_MS;
	if (tx->tx_ua->ua_bev == NULL || tx->tx_dest.uo_len != 0) {
		tv.tv_sec = 0;
		tv.tv_usec = UA_T1_MS * 1000;
		evtimer_add(tx->tx_retrans, &tv);
	}
	tv.tv_sec = UA_TIMER_F_MS / 1000;
	tv.tv_usec = 0;
	evtimer_add(tx->tx_timeout, &tv);
	return (ua_send_dest(tx->tx_ua, &tx->tx_dest, tx->tx_buf,
	    tx->tx_len));
}

/*
 * Send a request to dest (NULL: the server); cb gets its final
 * response once.  req must live until then: a retry with credentials
 * advances its CSeq.
 */
int
ua_request_to(struct ua *ua, const struct ua_origin *dest,
    struct ua_req *req, ua_resp_cb cb, void *arg)
{
	struct ua_tx	*tx;

	if (ua->ua_failed)
		return (-1);
	if ((tx = calloc(1, sizeof(*tx))) == NULL)
		return (-1);
	tx->tx_ua = ua;
	tx->tx_req = req;
	tx->tx_cb = cb;
	tx->tx_arg = arg;
	if (dest != NULL)
		tx->tx_dest = *dest;
	tx->tx_retrans = evtimer_new(ua->ua_base, ua_tx_retransmit, tx);
	tx->tx_timeout = evtimer_new(ua->ua_base, ua_tx_expire, tx);
	if (tx->tx_retrans == NULL || tx->tx_timeout == NULL ||
	    ua_tx_build(tx) == -1) {
		ua_tx_free(tx);
		return (-1);
	}
	TAILQ_INSERT_TAIL(&ua->ua_txs, tx, tx_entry);
	tx->tx_linked = 1;
	return (ua_tx_send(tx));
}

int
ua_request(struct ua *ua, struct ua_req *req, ua_resp_cb cb, void *arg)
{
	return (ua_request_to(ua, NULL, req, cb, arg));
}

/* CANCEL the INVITE req that is still pending (RFC 3261 9.1). */
int
ua_cancel(struct ua *ua, struct ua_req *req)
{
	struct ua_tx	*tx;
	struct ua_req	 r;

	TAILQ_FOREACH(tx, &ua->ua_txs, tx_entry)
		if (tx->tx_req == req)
			break;
	if (tx == NULL || req->rq_method != SIP_METHOD_INVITE)
		return (-1);
	r = *req;
	r.rq_totag[0] = '\0';
	return (ua_send_cancel(ua, &tx->tx_dest, &r, tx->tx_branch));
}

/* A new transaction: a new branch, the next CSeq, credentials anew. */
int
ua_tx_restart(struct ua_tx *tx)
{
	evtimer_del(tx->tx_retrans);
	evtimer_del(tx->tx_timeout);
	return (ua_tx_send(tx));
}

struct imc_conf *
ua_conf(struct ua *ua)
{
	return (ua->ua_conf);
}
