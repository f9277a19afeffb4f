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
 * The caller's side of a call with INVITE: the offer of our codecs,
 * each provisional response shown (ringing), on a 2xx the ACK and the
 * media to what the answer says, and a failure told in words with the
 * exit status imc(1) gives it.
 */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <string.h>

#include "cdefs.h"
#include "call.h"

static void
call_provisional(const struct sip_msg *msg, void *arg)
{
	struct call	*cl = arg;

	if (msg->msg_status == 180 || msg->msg_status == 183)
		printf("ringing %s\n", cl->cl_peer);
	else {
		printf("%s: %u ", cl->cl_peer, msg->msg_status);
		print_safe(stdout, msg->msg_reason.s, msg->msg_reason.len);
		putchar('\n');
	}
	fflush(stdout);
}

/* What a final failure means; the exit status. */
int
call_outcome(struct call *cl, const struct sip_msg *msg)
{
	switch (msg != NULL ? msg->msg_status : 0) {
	case 486:
	case 600:
		warnx("%s is busy", cl->cl_peer);
		return (IMC_EXIT_BUSY);
	case 603:
		warnx("%s declined the call", cl->cl_peer);
		return (IMC_EXIT_DECLINED);
	case 408:
	case 487:
		warnx("%s did not answer", cl->cl_peer);
		return (IMC_EXIT_NOANSWER);
	case 488:
	case 415:
		warnx("%s takes none of our codecs", cl->cl_peer);
		return (IMC_EXIT_FAIL);
	case 405:
	case 501:
		warnx("%s: the server does not carry calls (%u)",
		    cl->cl_peer, msg->msg_status);
		return (IMC_EXIT_FAIL);
	}
	return (outcome_report(cl->cl_ua, cl->cl_conf, cl->cl_peer, msg));
}

/* The 2xx: ACK it, then the media to where the answer says. */
static void
call_answered(struct call *cl, const struct sip_msg *msg)
{
	struct sdp_desc	 sd;
	enum codec_id	 ours[MEDIA_CODECS_MAX];
	size_t		 nours, idx;

	dialog_from_response(&cl->cl_req, msg);
	cl->cl_invite_cseq = cl->cl_req.rq_cseq;
	cl->cl_ack = cl->cl_req;
	(void)ua_send_ack(cl->cl_ua, &cl->cl_dest, &cl->cl_ack);
	cl->cl_state = CALL_UP;
	(void)call_our_codecs(cl->cl_conf, ours, &nours);
	if (sdp_parse(msg->msg_body.s, msg->msg_body.len, &sd) == -1 ||
	    sdp_choose(&sd, ours, nours, &idx) == -1) {
		warnx("%s answered with no codec we offered", cl->cl_peer);
		cl->cl_code = IMC_EXIT_FAIL;
		call_hangup(cl);
		return;
	}
	printf("%s answered (%s)\n", cl->cl_peer, codec_name(sd.sd_codecs[idx]));
	fflush(stdout);
	if (call_media_start(cl, &sd, idx) == -1)
		call_hangup(cl);
}

static void
call_invite_done(struct ua *ua IMD_UNUSED, struct ua_req *req IMD_UNUSED,
    const struct sip_msg *msg, void *arg)
{
	struct call	*cl = arg;

	if (msg != NULL && msg->msg_status < 300) {
		if (cl->cl_state == CALL_ENDING) {
			/* Answered as we cancelled: take it, then hang up. */
			dialog_from_response(&cl->cl_req, msg);
			(void)ua_send_ack(cl->cl_ua, &cl->cl_dest,
			    &cl->cl_req);
			cl->cl_state = CALL_UP;
			call_hangup(cl);
			return;
		}
		call_answered(cl, msg);
		return;
	}
	call_over(cl, call_outcome(cl, msg));
}

/* A 2xx again: our ACK was lost; the same ACK once more. */
void
call_late_2xx(struct call *cl, const struct sip_msg *msg)
{
	const struct sip_hdr	*h;
	struct sip_cseq		 cs;

	if (cl->cl_state != CALL_UP || !dialog_is(&cl->cl_req, msg) ||
	    (h = sip_hdr_first(msg, SIP_HDR_CSEQ)) == NULL ||
	    sip_cseq_parse(h->hdr_value.s, SIP_STR_END(&h->hdr_value),
	    &cs) == -1 || cs.cseq_method != SIP_METHOD_INVITE ||
	    cs.cseq_num != cl->cl_invite_cseq)
		return;
	(void)ua_send_ack(cl->cl_ua, &cl->cl_dest, &cl->cl_ack);
}

/* INVITE uri ("sip:bob@site2.test") with our offer. */
int
call_dial(struct call *cl, const char *uri)
{
	struct ua_req	*req = &cl->cl_req;
	enum codec_id	 ours[MEDIA_CODECS_MAX];
	size_t		 nours;

	cl->cl_outgoing = 1;
	(void)strlcpy(cl->cl_peer, uri + 4, sizeof(cl->cl_peer));
	if (call_our_codecs(cl->cl_conf, ours, &nours) == -1) {
		warnx("media audio: none of its codecs is opus or PCMU");
		return (-1);
	}
	if (call_media_open(cl) == -1 ||
	    sdp_write(cl->cl_sdp, sizeof(cl->cl_sdp), ua_local_host(cl->cl_ua),
	    media_port(cl->cl_media), ours, nours, NULL, PT_DTMF) == -1)
		return (-1);
	ua_req_init(cl->cl_ua, req, SIP_METHOD_INVITE, uri);
	if (call_contact_line(cl, req->rq_extra, sizeof(req->rq_extra)) == -1)
		return (-1);
	req->rq_ctype = "application/sdp";
	req->rq_body = cl->cl_sdp;
	req->rq_bodylen = strlen(cl->cl_sdp);
	req->rq_prov = call_provisional;
	cl->cl_state = CALL_CALLING;
	printf("calling %s\n", cl->cl_peer);
	fflush(stdout);
	return (ua_request(cl->cl_ua, req, call_invite_done, cl));
}
