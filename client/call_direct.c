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
 * imc call -d: a call without INVITE (docs/presence.md, "Direct
 * calls").  The callee's presence says which device takes audio
 * directly, where, and with which codecs; only an approved watcher
 * sees that.  We take the first codec of ours it lists, announce the
 * call to the device's contact in a MESSAGE, and send RTP to its audio
 * port at once.  The call ends with a second announcement, or when
 * the callee's stream has stopped for MEDIA_SILENT_SECS.
 */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "call.h"

enum dcall_state {
	DCALL_FETCHING,
	DCALL_ANNOUNCED,	/* RTP flows; the answer has not come */
	DCALL_RINGING,		/* 202: the callee's imc asks its user */
	DCALL_UP,
	DCALL_ENDING,		/* our second announcement is out */
	DCALL_DONE
};

struct dcall {
	struct session		*dc_s;
	struct fetch		*dc_fetch;
	char			 dc_uri[IMC_URI_MAX];
	char			 dc_addr[IMD_ADDRESS_MAX + 8];
	char			 dc_contact[IMC_URI_MAX];
	struct media_conf	 dc_mc;
	struct media		*dc_media;
	struct direct		*dc_direct;
	struct event		*dc_ring;
	struct direct_note	 dc_note;
	char			 dc_body[512];
	struct ua_req		 dc_tmpl;
	enum dcall_state	 dc_state;
	int			 dc_answered;	/* our start was taken */
	int			 dc_code;
};

static void	dcall_hangup(struct dcall *);

/* Has anything come from the callee yet: did someone answer? */
static int
dcall_heard(struct dcall *dc)
{
	struct media_stats	st;

	if (dc->dc_media == NULL)
		return (0);
	media_stats(dc->dc_media, &st);
	return (st.ms_received > 0);
}

static void
dcall_unanswered(evutil_socket_t fd IMD_UNUSED, short ev IMD_UNUSED,
    void *arg)
{
	struct dcall	*dc = arg;

	if (dc->dc_state == DCALL_RINGING && !dcall_heard(dc))
		dcall_hangup(dc);
}

/* 202: it rings at the callee's; its stream is the answer. */
static void
dcall_ringing(struct dcall *dc)
{
	struct timeval	tv = { CALL_RING_SECS, 0 };

	dc->dc_state = DCALL_RINGING;
	printf("ringing %s (its imc asks)\n", dc->dc_addr);
	fflush(stdout);
	if ((dc->dc_ring = evtimer_new(dc->dc_s->s_base, dcall_unanswered,
	    dc)) != NULL)
		evtimer_add(dc->dc_ring, &tv);
}

static void
dcall_done(struct dcall *dc, int code)
{
	if (dc->dc_state == DCALL_DONE)
		return;
	dc->dc_state = DCALL_DONE;
	if (dc->dc_media != NULL)
		media_report(dc->dc_media, stderr);
	media_free(dc->dc_media);
	dc->dc_media = NULL;
	session_done(dc->dc_s, code);
}

/* The words and exit status for the callee's answer to our start. */
static int
dcall_refused(struct dcall *dc, unsigned int st, const char *why)
{
	switch (st) {
	case 403:
		warnx("%s's imc does not take direct calls from us: we are "
		    "not its buddy", dc->dc_addr);
		return (IMC_EXIT_NODIRECT);
	case 603:
		warnx("%s refuses direct calls", dc->dc_addr);
		return (IMC_EXIT_DECLINED);
	case 486:
		warnx("%s is busy", dc->dc_addr);
		return (IMC_EXIT_BUSY);
	case 480:
	case 0:
		warnx("%s did not answer the call: %s", dc->dc_addr, st == 0 ?
		    why : "nobody takes it");
		return (IMC_EXIT_NOANSWER);
	}
	warnx("%s: the call was refused: %s", dc->dc_addr, why);
	return (IMC_EXIT_FAIL);
}

static void
dcall_announced(struct direct *d, int ok, const char *why, void *arg)
{
	struct dcall	*dc = arg;
	unsigned int	 st = direct_status(d);

	if (dc->dc_state == DCALL_ENDING && !dc->dc_answered) {
		/* We hung up before the callee ever said yes. */
		dcall_done(dc, dcall_refused(dc, 0, "no answer to the "
		    "announcement"));
		return;
	}
	if (dc->dc_state == DCALL_ENDING) {
		printf("call with %s ended\n", dc->dc_addr);
		fflush(stdout);
		dcall_done(dc, dc->dc_code);
		return;
	}
	if (!ok) {
		dcall_done(dc, dcall_refused(dc, st, why));
		return;
	}
	if (st == 202) {
		dcall_ringing(dc);
		return;
	}
	dc->dc_state = DCALL_UP;
	dc->dc_answered = 1;
	printf("%s answered directly at %s\n", dc->dc_addr, direct_peer(d));
	fflush(stdout);
}

static int
dcall_announce(struct dcall *dc)
{
	struct session	*s = dc->dc_s;

	if (direct_note_write(dc->dc_body, sizeof(dc->dc_body),
	    &dc->dc_note) == -1)
		return (-1);
	memset(&dc->dc_tmpl, 0, sizeof(dc->dc_tmpl));
	dc->dc_tmpl.rq_ctype = DIRECT_CALL_CTYPE;
	dc->dc_tmpl.rq_body = dc->dc_body;
	dc->dc_tmpl.rq_bodylen = strlen(dc->dc_body);
	direct_free(dc->dc_direct);
	dc->dc_direct = direct_send(s->s_base, s->s_conf, dc->dc_contact,
	    dc->dc_uri, &dc->dc_tmpl, dcall_announced, dc);
	return (dc->dc_direct == NULL ? -1 : 0);
}

static void
dcall_hangup(struct dcall *dc)
{
	if (dc->dc_state == DCALL_FETCHING) {
		dcall_done(dc, IMC_EXIT_NOANSWER);
		return;
	}
	if (dc->dc_state != DCALL_ANNOUNCED && dc->dc_state != DCALL_UP &&
	    dc->dc_state != DCALL_RINGING)
		return;
	if (dc->dc_state == DCALL_RINGING && dcall_heard(dc))
		dc->dc_answered = 1;	/* /answer'ed: its stream came */
	dc->dc_state = DCALL_ENDING;
	media_report(dc->dc_media, stderr);
	media_free(dc->dc_media);
	dc->dc_media = NULL;
	dc->dc_note.dn_start = 0;
	if (dcall_announce(dc) == -1)
		dcall_done(dc, dc->dc_code);
}

static void
dcall_media(struct media *m IMD_UNUSED, int ev, void *arg)
{
	struct dcall	*dc = arg;

	if (ev == MEDIA_EV_SILENT && dc->dc_state == DCALL_ANNOUNCED) {
		dcall_done(dc, dcall_refused(dc, 0, "its stream never came"));
		return;
	}
	if (ev == MEDIA_EV_SILENT && dc->dc_state == DCALL_RINGING &&
	    !dcall_heard(dc))
		return;		/* still asking; the ring timer decides */
	if (ev == MEDIA_EV_SILENT) {
		if (dc->dc_state == DCALL_UP || dc->dc_state == DCALL_RINGING)
			printf("%s hung up: its stream stopped\n",
			    dc->dc_addr);
		fflush(stdout);
		media_report(dc->dc_media, stderr);
		dc->dc_state = DCALL_DONE;
		session_done(dc->dc_s, IMC_EXIT_OK);
		return;
	}
	dcall_hangup(dc);
}

/* The RTP to host:port, and the announcement that names ours. */
static int
dcall_start(struct dcall *dc, const char *host, uint16_t port,
    enum codec_id codec)
{
	struct ua	*ua = dc->dc_s->s_ua;
	struct direct_note *dn = &dc->dc_note;

	dc->dc_mc.mc_lhost = ua_local_host(ua);
	dc->dc_mc.mc_lport = call_audio_port(dc->dc_s->s_conf);
	if ((dc->dc_media = media_open(dc->dc_s->s_base, &dc->dc_mc)) == NULL)
		return (-1);
	memset(dn, 0, sizeof(*dn));
	dn->dn_start = 1;
	ua_random_token(dn->dn_id, sizeof(dn->dn_id));
	(void)strlcpy(dn->dn_from, dc->dc_s->s_conf->c_account,
	    sizeof(dn->dn_from));
	(void)strlcpy(dn->dn_host, ua_local_host(ua), sizeof(dn->dn_host));
	dn->dn_port = media_port(dc->dc_media);
	dn->dn_codec = codec;
	printf("calling %s directly at %s port %u (%s)\n", dc->dc_addr, host,
	    port, codec_name(codec));
	fflush(stdout);
	dc->dc_state = DCALL_ANNOUNCED;
	if (dcall_announce(dc) == -1 ||
	    media_start(dc->dc_media, host, port, codec, codec == CODEC_OPUS ?
	    PT_OPUS : PT_PCMU, dcall_media, dc) == -1)
		return (-1);
	return (0);
}

static void
dcall_fetched(int code, const char *state, const char *body, size_t len,
    void *arg)
{
	struct dcall	*dc = arg;
	struct dcall_target t;

	if (code != IMC_EXIT_OK) {
		dcall_done(dc, code);
		return;
	}
	if (len == 0 || strcmp(state, "pending") == 0) {
		warnx("not authorised to call %s directly: it has not "
		    "approved us as a watcher", dc->dc_addr);
		dcall_done(dc, IMC_EXIT_NODIRECT);
		return;
	}
	if ((code = dcall_target(dc->dc_s->s_conf, dc->dc_addr, body, len,
	    &t)) != IMC_EXIT_OK) {
		dcall_done(dc, code);
		return;
	}
	(void)strlcpy(dc->dc_contact, t.dt_contact, sizeof(dc->dc_contact));
	if (dcall_start(dc, t.dt_host, t.dt_port, t.dt_codec) == -1)
		dcall_done(dc, IMC_EXIT_FAIL);
}

static void
dcall_request(struct ua *ua, const struct sip_msg *msg, void *arg)
{
	struct dcall	*dc = arg;

	if (fetch_request(dc->dc_fetch, msg))
		return;
	(void)ua_reply(ua, msg, 481, "Call/Transaction Does Not Exist");
}

static void
dcall_finish(struct session *s)
{
	dcall_hangup(s->s_cmd);
}

int
call_direct(struct imc_conf *conf, const char *uri, int secs,
    const struct media_conf *mc)
{
	struct session	 s;
	struct dcall	 dc;
	int		 code;

	if ((code = session_open(&s, conf)) != IMC_EXIT_OK)
		return (code);
	memset(&dc, 0, sizeof(dc));
	dc.dc_s = &s;
	dc.dc_mc = *mc;
	s.s_cmd = &dc;
	(void)strlcpy(dc.dc_uri, uri, sizeof(dc.dc_uri));
	(void)strlcpy(dc.dc_addr, uri + 4, sizeof(dc.dc_addr));
	ua_on_request(s.s_ua, dcall_request, &dc);
	if (session_deadline(&s, secs, dcall_finish) == -1 ||
	    (dc.dc_fetch = fetch_start(s.s_ua, uri, dcall_fetched,
	    &dc)) == NULL)
		session_fail(&s, IMC_EXIT_FAIL);
	code = session_run(&s);
	fetch_free(dc.dc_fetch);
	direct_free(dc.dc_direct);
	if (dc.dc_ring != NULL)
		event_free(dc.dc_ring);
	media_free(dc.dc_media);
	return (code);
}
