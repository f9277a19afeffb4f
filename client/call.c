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
 * What both sides of a call set up with INVITE share: the dialog's
 * requests told from others, the media opened and started from the
 * SDP, hanging up with BYE (or CANCEL before the answer), and the
 * end reported once with its exit status.
 */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "call.h"

struct call *
call_new(struct ua *ua, const struct media_conf *mc, call_end_cb cb,
    void *arg)
{
	struct call	*cl;

	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		return (NULL);
	cl->cl_ua = ua;
	cl->cl_conf = ua_conf(ua);
	cl->cl_mc = *mc;
	cl->cl_end = cb;
	cl->cl_arg = arg;
	return (cl);
}

void
call_free(struct call *cl)
{
	if (cl == NULL)
		return;
	if (cl->cl_timer != NULL)
		event_free(cl->cl_timer);
	media_free(cl->cl_media);
	free(cl->cl_invite);
	free(cl);
}

/* The audio codecs of our configuration, or Opus and PCMU. */
int
call_our_codecs(const struct imc_conf *conf, enum codec_id *ids, size_t *n)
{
	const struct imc_media	*im;
	size_t			 i, k;
	enum codec_id		 c;

	*n = 0;
	for (i = 0; i < conf->c_nmedia; i++) {
		im = &conf->c_media[i];
		if (strcmp(im->im_type, "audio") != 0)
			continue;
		for (k = 0; k < im->im_ncodecs && *n < MEDIA_CODECS_MAX; k++)
			if ((c = codec_by_name(im->im_codecs[k])) !=
			    CODEC_NONE)
				ids[(*n)++] = c;
		return (*n > 0 ? 0 : -1);
	}
	ids[0] = CODEC_OPUS;
	ids[1] = CODEC_PCMU;
	*n = 2;
	return (0);
}

/* The audio port we publish, or 0 for any. */
uint16_t
call_audio_port(const struct imc_conf *conf)
{
	size_t	i;

	for (i = 0; i < conf->c_nmedia; i++)
		if (strcmp(conf->c_media[i].im_type, "audio") == 0)
			return (conf->c_media[i].im_port);
	return (0);
}

/* Our RTP socket, on the address the server sees us at. */
int
call_media_open(struct call *cl)
{
	if (cl->cl_media != NULL)
		return (0);
	cl->cl_mc.mc_lhost = ua_local_host(cl->cl_ua);
	if (cl->cl_mc.mc_lport == 0)
		cl->cl_mc.mc_lport = call_audio_port(cl->cl_conf);
	if ((cl->cl_media = media_open(ua_base(cl->cl_ua), &cl->cl_mc)) ==
	    NULL)
		return (-1);
	return (0);
}

static void
call_media_event(struct media *m IMD_UNUSED, int ev, void *arg)
{
	struct call	*cl = arg;

	/* The caller's file ends the call; the callee's, only its sound. */
	if (ev == MEDIA_EV_FILE_END && !cl->cl_outgoing)
		return;
	if (ev == MEDIA_EV_SILENT)
		fprintf(stderr, "imc: nothing heard from %s for a while; "
		    "hanging up\n", cl->cl_peer);
	call_hangup(cl);
}

/* Start sending to what the peer's SDP says, with its codec idx. */
int
call_media_start(struct call *cl, const struct sdp_desc *sd, size_t idx)
{
	if (media_start(cl->cl_media, sd->sd_host, sd->sd_port,
	    sd->sd_codecs[idx], sd->sd_pts[idx], call_media_event, cl) == -1) {
		warnx("cannot send media to %s port %u", sd->sd_host,
		    sd->sd_port);
		return (-1);
	}
	return (0);
}

/* Once: the media's summary, then the command hears the status. */
void
call_over(struct call *cl, int code)
{
	if (cl->cl_state == CALL_DONE)
		return;
	cl->cl_state = CALL_DONE;
	if (cl->cl_timer != NULL)
		evtimer_del(cl->cl_timer);
	if (cl->cl_media != NULL)
		media_report(cl->cl_media, stderr);
	media_free(cl->cl_media);
	cl->cl_media = NULL;
	cl->cl_code = code;
	cl->cl_end(cl, code, cl->cl_arg);
}

static void
call_bye_done(struct ua *ua IMD_UNUSED, struct ua_req *req IMD_UNUSED,
    const struct sip_msg *msg IMD_UNUSED, void *arg)
{
	struct call	*cl = arg;

	/* After the recording is closed: whoever reads it may, now. */
	call_over(cl, cl->cl_code);
	printf("call with %s ended\n", cl->cl_peer);
	fflush(stdout);
}

/* Our hang-up: CANCEL while it rings, BYE once it is up. */
void
call_hangup(struct call *cl)
{
	struct ua_req	*bye = &cl->cl_bye;

	switch (cl->cl_state) {
	case CALL_CALLING:
		cl->cl_state = CALL_ENDING;
		if (ua_cancel(cl->cl_ua, &cl->cl_req) == -1)
			call_over(cl, IMC_EXIT_NOANSWER);
		return;
	case CALL_RINGING:
		call_decline(cl, 603, "Decline");
		return;
	case CALL_UP:
		break;
	default:
		return;
	}
	cl->cl_state = CALL_ENDING;
	*bye = cl->cl_req;
	bye->rq_method = SIP_METHOD_BYE;
	bye->rq_cseq = ++cl->cl_req.rq_cseq;
	bye->rq_extra[0] = '\0';
	bye->rq_ctype = NULL;
	bye->rq_body = NULL;
	bye->rq_bodylen = 0;
	bye->rq_prov = NULL;
	if (ua_request_to(cl->cl_ua, &cl->cl_dest, bye, call_bye_done,
	    cl) == -1)
		call_over(cl, IMC_EXIT_OK);
}

/* Is msg a request of this call's dialog (by Call-ID and tags)? */
int
call_in_dialog(struct call *cl, const struct sip_msg *msg)
{
	return (dialog_is(&cl->cl_req, msg));
}

/* A request of the dialog: ACK, BYE, CANCEL; 1 when it was ours. */
int
call_request(struct call *cl, const struct sip_msg *msg)
{
	if (!call_in_dialog(cl, msg))
		return (0);
	switch (msg->msg_method) {
	case SIP_METHOD_ACK:
		cl->cl_acked = 1;
		if (cl->cl_timer != NULL)
			evtimer_del(cl->cl_timer);
		break;
	case SIP_METHOD_BYE:
		(void)ua_reply(cl->cl_ua, msg, 200, "OK");
		call_over(cl, IMC_EXIT_OK);
		printf("%s hung up\n", cl->cl_peer);
		fflush(stdout);
		break;
	case SIP_METHOD_CANCEL:
		(void)ua_reply(cl->cl_ua, msg, 200, "OK");
		if (cl->cl_state == CALL_RINGING) {
			call_decline(cl, 487, "Request Terminated");
			printf("%s gave up calling\n", cl->cl_peer);
			fflush(stdout);
		}
		break;
	default:
		(void)ua_reply(cl->cl_ua, msg, 405, "Method Not Allowed");
		break;
	}
	return (1);
}

/* "Contact: <sip:alice@127.0.0.1:5062>\r\n" for our INVITE and 200. */
int
call_contact_line(struct call *cl, char *buf, size_t size)
{
	int	n;

	n = snprintf(buf, size, "Contact: <%s>\r\n", ua_contact(cl->cl_ua));
	return (n < 0 || (size_t)n >= size ? -1 : 0);
}
