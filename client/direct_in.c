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
 * A direct call coming in (docs/presence.md, "Direct calls"): the
 * caller's announcement in a MESSAGE is checked (a buddy of ours,
 * direct-calls not refuse, not busy), answered (or, with direct-calls
 * ask in the interactive mode, left to ring until /answer), and only
 * then is the stream from the address it names played; every other
 * packet on our
 * audio port is dropped.  The caller's second announcement, or its
 * stream stopping for MEDIA_SILENT_SECS, ends the call.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cdefs.h"
#include "call.h"

struct direct_in {
	struct ua		*di_ua;
	struct media		*di_media;
	struct event		*di_reap;
	struct direct_note	 di_note;
	struct media_conf	 di_mc;
	int			 di_active;
	int			 di_ringing;	/* asked; /answer or /hangup */
	const char		*di_why;	/* how it ended */
};

static int
direct_in_is_buddy(const struct imc_conf *conf, const char *addr)
{
	size_t	i;

	for (i = 0; i < conf->c_nbuddies; i++)
		if (strcasecmp(conf->c_buddies[i], addr) == 0)
			return (1);
	return (0);
}

static void
direct_in_stop(struct direct_in *di, const char *why)
{
	if (!di->di_active)
		return;
	di->di_active = 0;
	di->di_why = why;
	media_report(di->di_media, stderr);
	/* Freed from the loop: this may run inside the media's tick. */
	event_active(di->di_reap, EV_TIMEOUT, 1);
}

static void
direct_in_reap(evutil_socket_t fd IMD_UNUSED, short ev IMD_UNUSED,
    void *arg)
{
	struct direct_in	*di = arg;

	if (di->di_active || di->di_media == NULL)
		return;
	media_free(di->di_media);
	di->di_media = NULL;
	/* Said once the recording is closed, for whoever reads it. */
	printf("direct call with %s ended: %s\n", di->di_note.dn_from,
	    di->di_why);
	fflush(stdout);
}

static void
direct_in_media(struct media *m IMD_UNUSED, int ev, void *arg)
{
	struct direct_in	*di = arg;

	if (ev == MEDIA_EV_SILENT)
		direct_in_stop(di, "its stream stopped");
}

/* Our audio port, the one we publish, and the stream the note names. */
static int
direct_in_start(struct direct_in *di, const struct media_conf *mc0,
    const struct direct_note *dn)
{
	struct media_conf	 mc = *mc0;

	mc.mc_lhost = ua_local_host(di->di_ua);
	mc.mc_lport = call_audio_port(ua_conf(di->di_ua));
	media_free(di->di_media);
	if ((di->di_media = media_open(ua_base(di->di_ua), &mc)) == NULL ||
	    media_start(di->di_media, dn->dn_host, dn->dn_port, dn->dn_codec,
	    dn->dn_codec == CODEC_OPUS ? PT_OPUS : PT_PCMU, direct_in_media,
	    di) == -1)
		return (-1);
	di->di_note = *dn;
	di->di_active = 1;
	printf("direct call from %s (%s, from %s port %u)\n", dn->dn_from,
	    codec_name(dn->dn_codec), dn->dn_host, dn->dn_port);
	fflush(stdout);
	return (0);
}

/*
 * A peer's announcement names its own address, or anyone could have
 * us stream at a third host: the host must be the one it came from.
 */
static int
direct_in_is_sender_host(struct ua *ua, const struct direct_note *dn)
{
	struct ua_origin	 o;
	struct sockaddr_storage	 ss;
	socklen_t		 len;

	ua_origin_of(ua, &o);
	if (o.uo_len == 0)
		return (1);	/* through the server, which checked From */
	if (rtp_addr(dn->dn_host, 9, &ss, &len) == -1 ||
	    ss.ss_family != o.uo_addr.ss_family)
		return (0);
	if (ss.ss_family == AF_INET)
		return (((struct sockaddr_in *)&ss)->sin_addr.s_addr ==
		    ((struct sockaddr_in *)&o.uo_addr)->sin_addr.s_addr);
	return (memcmp(&((struct sockaddr_in6 *)&ss)->sin6_addr,
	    &((struct sockaddr_in6 *)&o.uo_addr)->sin6_addr,
	    sizeof(struct in6_addr)) == 0);
}

/* direct-calls ask: kept until /answer, /hangup or the caller's end. */
static void
direct_in_ring(struct direct_in *di, const struct media_conf *mc,
    const struct direct_note *dn)
{
	di->di_note = *dn;
	di->di_mc = *mc;
	di->di_ringing = 1;
	printf("direct call from %s rings: /answer or /hangup\n",
	    dn->dn_from);
	fflush(stdout);
}

/* The status our answer to a call start gives, and why, if not 200. */
static unsigned int
direct_in_verdict(struct ua *ua, const struct direct_note *dn,
    const char *sender, int busy, int can_ask, const char **reason)
{
	const struct imc_conf	*conf = ua_conf(ua);

	*reason = "OK";
	if (!direct_in_is_sender_host(ua, dn)) {
		*reason = "Forbidden (host is not the sender's)";
		return (403);
	}
	if (strcasecmp(sender, dn->dn_from) != 0 ||
	    !direct_in_is_buddy(conf, dn->dn_from)) {
		*reason = "Forbidden";
		return (403);
	}
	if (conf->c_direct_calls == IMC_DC_REFUSE) {
		*reason = "Decline";
		return (603);
	}
	if (busy) {
		*reason = "Busy Here";
		return (486);
	}
	if (conf->c_direct_calls == IMC_DC_ASK && !conf->c_auto_answer) {
		/* A person to ask, or nobody. */
		*reason = can_ask ? "Accepted" : "Temporarily Unavailable";
		return (can_ask ? 202 : 480);
	}
	return (200);
}

static void
direct_in_end(struct direct_in *di, struct ua *ua, const struct sip_msg *msg,
    const struct direct_note *dn)
{
	if (di == NULL || (!di->di_active && !di->di_ringing) ||
	    strcmp(dn->dn_id, di->di_note.dn_id) != 0 ||
	    strcasecmp(dn->dn_from, di->di_note.dn_from) != 0) {
		(void)ua_reply(ua, msg, 481, "Call/Transaction Does Not Exist");
		return;
	}
	(void)ua_reply(ua, msg, 200, "OK");
	if (di->di_ringing) {
		di->di_ringing = 0;
		printf("%s gave up calling\n", dn->dn_from);
		fflush(stdout);
		return;
	}
	direct_in_stop(di, "it hung up");
}

static struct direct_in *
direct_in_new(struct ua *ua)
{
	struct direct_in	*di;

	if ((di = calloc(1, sizeof(*di))) == NULL)
		return (NULL);
	di->di_ua = ua;
	if ((di->di_reap = evtimer_new(ua_base(ua), direct_in_reap,
	    di)) == NULL) {
		free(di);
		return (NULL);
	}
	return (di);
}

/* The sender of a MESSAGE, as the From says; nobody vouches for it. */
static int
direct_in_sender(const struct sip_msg *msg, char *buf, size_t size)
{
	const struct sip_hdr	*from;

	from = sip_hdr_first(msg, SIP_HDR_FROM);
	return (from != NULL && uri_address(&from->hdr_value, buf, size) !=
	    NULL ? 0 : -1);
}

static int
direct_in_is_note(const struct sip_msg *msg)
{
	const struct sip_hdr	*ct;
	struct sip_ctype	 c;

	ct = sip_hdr_first(msg, SIP_HDR_CONTENT_TYPE);
	return (ct != NULL && sip_ctype_parse(ct->hdr_value.s,
	    SIP_STR_END(&ct->hdr_value), &c) == 0 &&
	    sip_str_is_ci(&c.ct_type, "application") &&
	    sip_str_is_ci(&c.ct_subtype, "x-imd-call"));
}

/* A MESSAGE: 1 when it was an announcement of ours, answered here. */
int
direct_in_request(struct direct_in **dip, struct ua *ua,
    const struct media_conf *mc, const struct sip_msg *msg, int busy,
    int can_ask)
{
	struct direct_note	 dn;
	char			 sender[IMD_ADDRESS_MAX + 8];
	const char		*reason;
	unsigned int		 st;

	if (!direct_in_is_note(msg))
		return (0);
	if (direct_note_read(msg->msg_body.s, msg->msg_body.len, &dn) == -1 ||
	    direct_in_sender(msg, sender, sizeof(sender)) == -1)
		return ((void)ua_reply(ua, msg, 400, "Bad Request"), 1);
	if (!dn.dn_start) {
		direct_in_end(*dip, ua, msg, &dn);
		return (1);
	}
	if (*dip == NULL && (*dip = direct_in_new(ua)) == NULL)
		return ((void)ua_reply(ua, msg, 500, "Server Internal Error"),
		    1);
	st = direct_in_verdict(ua, &dn, sender, busy ||
	    direct_in_active(*dip), can_ask, &reason);
	if (st == 200 && direct_in_start(*dip, mc, &dn) == -1)
		st = 500, reason = "Server Internal Error";
	if (st == 202)
		direct_in_ring(*dip, mc, &dn);
	else if (st != 200) {
		printf("direct call from %s refused: %u %s\n", sender, st,
		    reason);
		fflush(stdout);
	}
	(void)ua_reply(ua, msg, st, reason);
	return (1);
}

/* A call or a ringing one: a second caller is told busy. */
int
direct_in_active(const struct direct_in *di)
{
	return (di != NULL && (di->di_active || di->di_ringing));
}

/* /answer: the asked call starts, our stream first. */
int
direct_in_answer(struct direct_in *di)
{
	if (di == NULL || !di->di_ringing)
		return (-1);
	di->di_ringing = 0;
	return (direct_in_start(di, &di->di_mc, &di->di_note));
}

/*
 * Our hang-up: the stream stops, and the caller hears nothing more.
 * A call that rings is let go: the caller hears nothing at all.
 */
int
direct_in_hangup(struct direct_in *di)
{
	if (di != NULL && di->di_ringing) {
		di->di_ringing = 0;
		printf("direct call from %s declined\n", di->di_note.dn_from);
		fflush(stdout);
		return (0);
	}
	if (di == NULL || !di->di_active)
		return (-1);
	direct_in_stop(di, "we hung up");
	return (0);
}

void
direct_in_free(struct direct_in *di)
{
	if (di == NULL)
		return;
	if (di->di_active)
		direct_in_stop(di, "imc is ending");
	direct_in_reap(-1, 0, di);
	event_free(di->di_reap);
	free(di);
}
