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
 * The SIP entry point of the listener: parse, refuse what is malformed
 * with a reason, and route each request to the part that serves it.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "listener.h"
#include "log.h"
#include "sip.h"
#include "request.h"
#include "presence.h"
#include "stats.h"
#include "tx.h"
#include "tx_client.h"
#include "call.h"

#define SIP_ALLOW	"OPTIONS, REGISTER, MESSAGE, PUBLISH, SUBSCRIBE, NOTIFY, " \
	"INVITE, ACK, CANCEL, BYE, UPDATE, INFO, PRACK, REFER"
#define SIP_ACCEPT	"application/sdp, text/plain"

static void
sip_options(const struct sip_peer *peer, const struct sip_msg *req)
{
	sip_reply(peer, req, 200, "OK",
	    "Allow: " SIP_ALLOW "\r\n"
	    "Accept: " SIP_ACCEPT "\r\n"
	    "Supported: \r\n");
}

static void
sip_refuse(const struct sip_peer *peer, const struct sip_msg *msg,
    const struct sip_err *err)
{
	char	host[NI_MAXHOST], vis[LOG_VIS_MAX * 4 + 1];
	uint16_t port;

	sip_peer_addr(peer, host, sizeof(host), &port);
	log_debug("sip: %s:%u: %s (%s)", host, port, err->err_reason,
	    log_vis(msg->msg_buf, msg->msg_len < 40 ? msg->msg_len : 40, vis,
	    sizeof(vis)));
	if (!err->err_respond || msg->msg_kind != SIP_REQUEST ||
	    msg->msg_method == SIP_METHOD_ACK) {
		transport_stats.ts_dropped++;
		return;
	}
	transport_stats.ts_bad++;
	sip_reply(peer, msg, err->err_status, err->err_reason, NULL);
}

/*
 * A request with a line over `limit line-length` cannot be split into
 * its headers under that bound, nor answered: read again without it
 * (the message stays under `limit message-size`), it hears 513 and the
 * name of the header whose line it was.  1 once answered.
 */
static int
sip_refuse_long_line(const struct sip_peer *peer, const char *buf,
    size_t len)
{
	static struct sip_msg	 msg;
	const struct sip_hdr	*h;
	struct sip_limits	 lim;
	struct sip_err		 err;
	char			 phrase[64];
	size_t			 i, max_line;

	sip_limits_from_conf(&lim);
	max_line = lim.max_line;
	lim.max_line = lim.max_msg;
	if ((sip_parse(&msg, buf, len, &lim, 0, &err) == -1 &&
	    !err.err_respond) || msg.msg_kind != SIP_REQUEST ||
	    msg.msg_method == SIP_METHOD_ACK)
		return (0);
	strlcpy(phrase, "Request-Line Too Long", sizeof(phrase));
	for (i = 0; i < msg.msg_nhdrs; i++) {
		h = &msg.msg_hdrs[i];
		if ((size_t)(SIP_STR_END(&h->hdr_value) - h->hdr_name.s) >=
		    max_line) {
			/* A name is a token: safe in a reason phrase. */
			snprintf(phrase, sizeof(phrase), "%.*s Line Too Long",
			    (int)(h->hdr_name.len < 32 ? h->hdr_name.len : 32),
			    h->hdr_name.s);
			break;
		}
	}
	transport_stats.ts_bad++;
	sip_reply(peer, &msg, 513, phrase, NULL);
	return (1);
}

/*
 * A message over `limit message-size`: when its header block came
 * whole, the sender learns why (413); else it is only counted.
 */
void
sip_refuse_oversized(const struct sip_peer *peer, const char *buf,
    size_t len)
{
	static struct sip_msg	msg;
	struct sip_limits	lim;
	struct sip_err		err;
	const char		*hend;

	transport_stats.ts_oversized++;
	if ((hend = memmem(buf, len, "\r\n\r\n", 4)) == NULL)
		return;
	sip_limits_from_conf(&lim);
	if ((sip_parse(&msg, buf, hend + 4 - buf, &lim, 0, &err) == 0 ||
	    err.err_respond) && msg.msg_kind == SIP_REQUEST &&
	    msg.msg_method != SIP_METHOD_ACK)
		sip_reply(peer, &msg, 413, "Message Too Large", NULL);
	else if (err.err_status == 513 && !err.err_respond)
		sip_refuse_long_line(peer, buf, hend + 4 - buf);
}

/* A request inside a dialog (RFC 3261 12.2): its To has a tag. */
static int
sip_has_totag(const struct sip_msg *msg)
{
	struct sip_addr	to;

	return (sip_first_addr(msg, SIP_HDR_TO, &to) == 0 &&
	    to.addr_tag.len > 0);
}

/* A new request, to the part that serves its method. */
static void
sip_dispatch(const struct sip_msg *msg, const struct sip_peer *peer)
{
	if (sip_has_totag(msg) && route_in_dialog(msg, peer))
		return;
	switch (msg->msg_method) {
	case SIP_METHOD_INVITE:
		call_request(msg, peer);
		break;
	case SIP_METHOD_CANCEL:
		call_cancel_request(msg, peer);
		break;
	case SIP_METHOD_OPTIONS:
		sip_options(peer, msg);
		break;
	case SIP_METHOD_REGISTER:
		registrar_request(msg, peer);
		break;
	case SIP_METHOD_MESSAGE:
		message_request(msg, peer);
		break;
	case SIP_METHOD_PUBLISH:
		publish_request(msg, peer);
		break;
	case SIP_METHOD_SUBSCRIBE:
		subscribe_request(msg, peer);
		break;
	case SIP_METHOD_NOTIFY:
		dialog_request(msg, peer);
		break;
	default:
		sip_reply(peer, msg, 405, "Method Not Allowed",
		    "Allow: " SIP_ALLOW "\r\n");
	}
}

void
sip_input(const struct sip_peer *peer, const char *buf, size_t len)
{
	static struct sip_msg	msg;
	struct sip_limits	lim;
	struct sip_err		err;

	sip_limits_from_conf(&lim);
	if (sip_parse(&msg, buf, len, &lim, 0, &err) == -1) {
		if (err.err_status != 513 || err.err_respond ||
		    !sip_refuse_long_line(peer, buf, len))
			sip_refuse(peer, &msg, &err);
		return;
	}
	if (msg.msg_kind == SIP_RESPONSE) {
		/* Another worker's goes there unchecked: it checks it. */
		if (worker_response(&msg, peer, buf, len))
			return;
		if (sip_validate_response(&msg, &err) == -1)
			sip_refuse(peer, &msg, &err);
		else if (!txc_response(&msg) && !ict_response(&msg) &&
		    !worker_pass_on(peer, buf, len))
			transport_stats.ts_dropped++;	/* RFC 3261 18.1.2 */
		return;
	}
	if (sip_validate_request(&msg, &err) == -1) {
		sip_refuse(peer, &msg, &err);
		return;
	}
	if (worker_route(&msg, peer, buf, len))
		return;
	stats_inc(STAT_SIP_REQ_OTHER + msg.msg_method);
	if (tx_branch_too_long(&msg)) {
		if (msg.msg_method != SIP_METHOD_ACK)
			sip_reply(peer, &msg, 400, "Via Branch Too Long", NULL);
		return;
	}
	/* An ACK of a failure ends its transaction; of a 2xx, it goes on. */
	if (msg.msg_method == SIP_METHOD_ACK) {
		if (!ist_absorb(&msg, peer) && !route_ack(&msg, peer))
			worker_pass_on(peer, buf, len);
		return;
	}
	if (msg.msg_method == SIP_METHOD_INVITE && ist_absorb(&msg, peer))
		return;
	if (!tx_absorb(&msg, peer))
		sip_dispatch(&msg, peer);
}
