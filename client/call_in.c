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
 * The callee's side of a call with INVITE: the offer read, 180 Ringing
 * with the tag that names our side of the dialog, and then either the
 * 200 with our answer, sent again until the caller's ACK comes (RFC
 * 3261 13.3.1.4), or a refusal.  The INVITE is kept as it came, since
 * its answer may be given long after the request was handled.
 */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "call.h"

#define CALL_T1_MS	500
#define CALL_T2_MS	4000

/* The INVITE again, parsed from our copy. */
static struct sip_msg *
call_invite(struct call *cl)
{
	struct sip_msg		*msg;
	struct sip_limits	 lim;
	struct sip_err		 err;

	if ((msg = calloc(1, sizeof(*msg))) == NULL)
		return (NULL);
	sip_limits_default(&lim);
	if (sip_parse(msg, cl->cl_invite, cl->cl_invlen, &lim, 0, &err) ==
	    -1) {
		free(msg);
		return (NULL);
	}
	return (msg);
}

static int
call_respond(struct call *cl, unsigned int status, const char *reason,
    const char *sdp)
{
	struct sip_msg		*msg;
	struct ua_answer	 an;
	char			 contact[IMC_URI_MAX + 16];
	int			 rc;

	if ((msg = call_invite(cl)) == NULL ||
	    call_contact_line(cl, contact, sizeof(contact)) == -1) {
		free(msg);
		return (-1);
	}
	memset(&an, 0, sizeof(an));
	an.an_totag = cl->cl_req.rq_fromtag;
	an.an_extra = status < 300 ? contact : NULL;
	if (sdp != NULL) {
		an.an_ctype = "application/sdp";
		an.an_body = sdp;
		an.an_bodylen = strlen(sdp);
	}
	rc = ua_answer(cl->cl_ua, &cl->cl_dest, msg, status, reason, &an);
	free(msg);
	return (rc);
}

/* Our 200 again, T1 doubling to T2, until the ACK or 64*T1. */
static void
call_retransmit(evutil_socket_t fd IMD_UNUSED, short ev IMD_UNUSED,
    void *arg)
{
	struct call	*cl = arg;
	struct timeval	 tv;

	if (cl->cl_acked)
		return;
	if ((cl->cl_retrans_ms *= 2) > CALL_T2_MS)
		cl->cl_retrans_ms = CALL_T2_MS;
	if ((cl->cl_retrans_total += cl->cl_retrans_ms) >=
	    CALL_ACK_SECS * 1000) {
		warnx("%s never acknowledged our answer", cl->cl_peer);
		call_hangup(cl);
		return;
	}
	(void)call_respond(cl, 200, "OK", cl->cl_sdp);
	tv.tv_sec = cl->cl_retrans_ms / 1000;
	tv.tv_usec = (cl->cl_retrans_ms % 1000) * 1000;
	evtimer_add(cl->cl_timer, &tv);
}

/* The dialog as the callee holds it (RFC 3261 12.1.1). */
static int
call_dialog(struct call *cl, const struct sip_msg *msg)
{
	struct ua_req		*req = &cl->cl_req;
	const struct sip_hdr	*from, *cid;
	struct sip_addr		 a;

	if ((from = sip_hdr_first(msg, SIP_HDR_FROM)) == NULL ||
	    (cid = sip_hdr_first(msg, SIP_HDR_CALL_ID)) == NULL ||
	    sip_addr_parse(from->hdr_value.s, SIP_STR_END(&from->hdr_value),
	    &a) == -1 || a.addr_uri_str.len >= sizeof(req->rq_to) ||
	    cid->hdr_value.len >= sizeof(req->rq_callid) ||
	    uri_address(&from->hdr_value, cl->cl_peer,
	    sizeof(cl->cl_peer)) == NULL)
		return (-1);
	ua_req_init(cl->cl_ua, req, SIP_METHOD_INVITE, "sip:invalid");
	memcpy(req->rq_to, a.addr_uri_str.s, a.addr_uri_str.len);
	req->rq_to[a.addr_uri_str.len] = '\0';
	memcpy(req->rq_callid, cid->hdr_value.s, cid->hdr_value.len);
	req->rq_callid[cid->hdr_value.len] = '\0';
	ua_random_token(req->rq_fromtag, sizeof(req->rq_fromtag));
	dialog_from_notify(req, msg);
	return (strpbrk(req->rq_to, "\r\n<>\" ") != NULL ? -1 : 0);
}

/*
 * An INVITE for us: 0 when it rings, -1 when it was refused (and
 * answered).
 */
int
call_incoming(struct call *cl, const struct sip_msg *msg)
{
	struct sdp_desc	 sd;
	enum codec_id	 ours[MEDIA_CODECS_MAX];
	size_t		 nours, idx;

	ua_origin_of(cl->cl_ua, &cl->cl_dest);
	if ((cl->cl_invite = malloc(msg->msg_len)) == NULL)
		return (ua_reply(cl->cl_ua, msg, 500, "Server Internal Error"),
		    -1);
	memcpy(cl->cl_invite, msg->msg_buf, msg->msg_len);
	cl->cl_invlen = msg->msg_len;
	if (call_dialog(cl, msg) == -1)
		return (ua_reply(cl->cl_ua, msg, 400, "Bad Request"), -1);
	(void)call_our_codecs(cl->cl_conf, ours, &nours);
	if (sdp_parse(msg->msg_body.s, msg->msg_body.len, &sd) == -1 ||
	    sdp_choose(&sd, ours, nours, &idx) == -1 ||
	    call_media_open(cl) == -1 ||
	    sdp_write(cl->cl_sdp, sizeof(cl->cl_sdp), ua_local_host(cl->cl_ua),
	    media_port(cl->cl_media), &sd.sd_codecs[idx], 1, &sd.sd_pts[idx],
	    sd.sd_dtmf_pt) == -1) {
		(void)call_respond(cl, 488, "Not Acceptable Here", NULL);
		return (-1);
	}
	cl->cl_state = CALL_RINGING;
	(void)call_respond(cl, 180, "Ringing", NULL);
	printf("incoming call from %s\n", cl->cl_peer);
	fflush(stdout);
	return (0);
}

/* Answer: the 200 with our SDP, and the media at once. */
int
call_accept(struct call *cl)
{
	struct sip_msg	*msg;
	struct sdp_desc	 sd;
	enum codec_id	 ours[MEDIA_CODECS_MAX];
	size_t		 nours, idx;
	struct timeval	 tv = { 0, CALL_T1_MS * 1000 };

	if (cl->cl_state != CALL_RINGING || (msg = call_invite(cl)) == NULL)
		return (-1);
	(void)call_our_codecs(cl->cl_conf, ours, &nours);
	if (sdp_parse(msg->msg_body.s, msg->msg_body.len, &sd) == -1 ||
	    sdp_choose(&sd, ours, nours, &idx) == -1) {
		free(msg);
		return (-1);
	}
	free(msg);
	cl->cl_state = CALL_UP;
	cl->cl_retrans_ms = CALL_T1_MS;
	if ((cl->cl_timer = evtimer_new(ua_base(cl->cl_ua), call_retransmit,
	    cl)) == NULL || call_respond(cl, 200, "OK", cl->cl_sdp) == -1)
		return (-1);
	evtimer_add(cl->cl_timer, &tv);
	printf("answered %s (%s)\n", cl->cl_peer, codec_name(sd.sd_codecs[idx]));
	fflush(stdout);
	return (call_media_start(cl, &sd, idx));
}

/* Busy, declined, or the caller gave up (487): the call is over. */
void
call_decline(struct call *cl, unsigned int status, const char *reason)
{
	if (cl->cl_state != CALL_RINGING)
		return;
	(void)call_respond(cl, status, reason, NULL);
	call_over(cl, IMC_EXIT_OK);
}
