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
 * The listener's side of the XMPP gateway: a stanza for one of our
 * users arrives from xmppd as the SIP request it stands for, and goes
 * through sip_input() as a request from another domain's server, with
 * the inbound policy and the offline policy as for any.  Its peer is
 * marked with xmppd's id (sp_xmpp), so that the final response goes
 * back to xmppd, which makes an error stanza of it; provisional
 * responses stay here.  xmppd vouches for the From: it took the
 * stanza only from a stream authenticated for that domain.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "imd_msg.h"
#include "listener.h"
#include "log.h"
#include "proc.h"
#include "sip.h"

#define XMPP_REASON_MAX	64

/* IMSG_XMPP_REQUEST: data, the request; xmppd's id in the peer id. */
void
xmpp_request(struct imsgev *iev, struct imsg *imsg)
{
	struct sip_peer		 peer;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&peer.sp_ss;
	size_t			 len = imsg->len - imsg->off;

	if (imsg->hdr.ih_peerid == 0 || len == 0 ||
	    len > listener_conf->c_limits.lim_msg_size + 1024)
		proc_fatal_imsg(iev, imsg, "xmpp request");
	/* One source for the per-source bounds: xmppd, on loopback. */
	memset(&peer, 0, sizeof(peer));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	peer.sp_sslen = sizeof(*sin);
	/*
	 * As a datagram: what answers it goes to xmppd (sp_xmpp), and a
	 * NOTIFY of a subscription it made, which names a route, goes out
	 * through relayd; only the Via needs a socket of ours to name.
	 */
	peer.sp_transport = TRANSPORT_UDP;
	peer.sp_fd = -1;
	peer.sp_xmpp = imsg->hdr.ih_peerid;
	sip_input(&peer, (const char *)imsg->data + imsg->off, len);
}

/* A response for xmppd: only the final one goes. */
int
xmpp_reply(const struct sip_peer *peer, const char *buf, size_t len)
{
	static struct sip_msg	 msg;
	struct imsgev		*xmppd = proc_peer(PROC_XMPPD);
	struct sip_limits	 lim;
	struct sip_err		 err;
	struct ibuf		*b;
	char			 reason[XMPP_REASON_MAX];

	sip_limits_default(&lim);
	if (sip_parse(&msg, buf, len, &lim, 0, &err) == -1 ||
	    msg.msg_kind != SIP_RESPONSE)
		return (-1);
	if (msg.msg_status < 200)
		return (0);
	strlcpy(reason, "", sizeof(reason));
	if (msg.msg_reason.len > 0)
		snprintf(reason, sizeof(reason), "%.*s",
		    (int)msg.msg_reason.len, msg.msg_reason.s);
	if ((b = imsgev_create(xmppd, IMSG_XMPP_RESPONSE, peer->sp_xmpp,
	    XMPP_REASON_MAX + 8)) == NULL ||
	    ibuf_add_u32(b, msg.msg_status) == -1 ||
	    ibuf_add_str(b, reason, sizeof(reason)) == -1 ||
	    imsgev_close(xmppd, b) == -1)
		fatal("%s", __func__);
	return (0);
}
