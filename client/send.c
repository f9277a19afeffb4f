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
 * Sending one message (RFC 3428), the usual way through our server or
 * in direct mode: a contact that worked before is tried first; else
 * the server is asked for the recipient's contacts (RFC 3841
 * Request-Disposition: redirect) and its 302 answered by sending to
 * the first one ourselves.  Whatever fails on the way to the peer, the
 * message then goes through the server after all, so direct mode
 * never loses a message the usual way would deliver.
 */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "imc.h"

#define TEXT_CTYPE	"text/plain;charset=UTF-8"

enum send_way {
	SEND_SERVER,		/* the usual way */
	SEND_REDIRECT,		/* asking the server for a 302 */
	SEND_CACHED,		/* to the contact that worked last time */
	SEND_DIRECT		/* to the contact of the 302 */
};

struct send {
	struct ua	*sd_ua;
	struct ua_req	 sd_req;
	char		 sd_to[IMD_ADDRESS_MAX];
	char		 sd_uri[IMC_URI_MAX];
	char		 sd_contact[IMC_URI_MAX];
	char		*sd_text;
	size_t		 sd_len;
	enum send_way	 sd_way;
	struct direct	*sd_direct;
	send_cb		 sd_cb;
	void		*sd_arg;
};

static void	send_server(struct send *, enum send_way);

static void
send_report(struct send *sd, const struct sip_msg *msg)
{
	int	code;

	code = outcome_report(sd->sd_ua, ua_conf(sd->sd_ua), sd->sd_to, msg);
	if (code == IMC_EXIT_OK && msg->msg_status == 202)
		printf("queued for later: %s is not online, the server "
		    "keeps the message\n", sd->sd_to);
	else if (code == IMC_EXIT_OK && sd->sd_way == SEND_SERVER)
		printf("delivered to %s\n", sd->sd_to);
	else if (code == IMC_EXIT_OK)
		printf("delivered to %s via the server\n", sd->sd_to);
	fflush(stdout);
	sd->sd_cb(code, sd->sd_arg);
}

static void
send_direct_done(struct direct *d, int ok, const char *why, void *arg)
{
	struct send	*sd = arg;
	const struct imc_conf *conf = ua_conf(sd->sd_ua);

	if (ok) {
		printf("delivered directly to %s at %s\n", sd->sd_to,
		    direct_peer(d));
		fflush(stdout);
		direct_cache_put(conf, sd->sd_to, sd->sd_contact);
		sd->sd_cb(IMC_EXIT_OK, sd->sd_arg);
		return;
	}
	fprintf(stderr, "imc: direct delivery to %s at %s failed: %s; %s\n",
	    sd->sd_to, direct_peer(d), why, sd->sd_way == SEND_CACHED ?
	    "asking the server" : "sending through the server");
	direct_cache_put(conf, sd->sd_to, NULL);
	/* A stale contact of ours: the server may know a fresh one. */
	send_server(sd, sd->sd_way == SEND_CACHED ? SEND_REDIRECT :
	    SEND_SERVER);
}

static void
send_direct(struct send *sd, enum send_way way)
{
	struct ua	*ua = sd->sd_ua;

	sd->sd_way = way;
	direct_free(sd->sd_direct);
	sd->sd_direct = direct_send(ua_base(ua), ua_conf(ua), sd->sd_contact,
	    sd->sd_uri, &sd->sd_req, send_direct_done, sd);
	if (sd->sd_direct == NULL)
		send_server(sd, SEND_SERVER);
}

static void
send_answered(struct ua *ua IMD_UNUSED, struct ua_req *req IMD_UNUSED,
    const struct sip_msg *msg, void *arg)
{
	struct send	*sd = arg;

	if (sd->sd_way == SEND_REDIRECT && msg != NULL &&
	    msg->msg_status >= 300 && msg->msg_status < 400) {
		if (direct_contact(msg, sd->sd_contact,
		    sizeof(sd->sd_contact)) == 0) {
			send_direct(sd, SEND_DIRECT);
			return;
		}
		fprintf(stderr, "imc: no contact of %s we can reach "
		    "directly; sending through the server\n", sd->sd_to);
		send_server(sd, SEND_SERVER);
		return;
	}
	if (sd->sd_way == SEND_REDIRECT && msg != NULL &&
	    msg->msg_status < 300)
		fprintf(stderr, "imc: %s does not accept direct mode\n",
		    sd->sd_to);
	send_report(sd, msg);
}

static void
send_server(struct send *sd, enum send_way way)
{
	struct ua_req	*req = &sd->sd_req;

	sd->sd_way = way;
	ua_req_init(sd->sd_ua, req, SIP_METHOD_MESSAGE, sd->sd_uri);
	if (way == SEND_REDIRECT)
		(void)strlcpy(req->rq_extra, "Request-Disposition: "
		    "redirect\r\n", sizeof(req->rq_extra));
	req->rq_ctype = TEXT_CTYPE;
	req->rq_body = sd->sd_text;
	req->rq_bodylen = sd->sd_len;
	if (ua_request(sd->sd_ua, req, send_answered, sd) == -1)
		sd->sd_cb(outcome_unreachable(sd->sd_ua), sd->sd_arg);
}

/*
 * Send text (UTF-8, copied) to uri ("sip:bob@site2.test"); cb gets
 * the exit status once, from the event loop or at once on failure.
 */
struct send *
send_start(struct ua *ua, const char *uri, const char *text, size_t len,
    int direct, send_cb cb, void *arg)
{
	struct send	*sd;

	if ((sd = calloc(1, sizeof(*sd))) == NULL ||
	    (sd->sd_text = malloc(len + 1)) == NULL) {
		free(sd);
		return (NULL);
	}
	memcpy(sd->sd_text, text, len);
	sd->sd_len = len;
	sd->sd_ua = ua;
	sd->sd_cb = cb;
	sd->sd_arg = arg;
	(void)strlcpy(sd->sd_uri, uri, sizeof(sd->sd_uri));
	(void)strlcpy(sd->sd_to, uri + 4, sizeof(sd->sd_to));
	/* The template direct mode sends from; send_server resets it. */
	sd->sd_req.rq_ctype = TEXT_CTYPE;
	sd->sd_req.rq_body = sd->sd_text;
	sd->sd_req.rq_bodylen = len;
	if (direct && direct_cache_get(ua_conf(ua), sd->sd_to,
	    sd->sd_contact, sizeof(sd->sd_contact)) == 0)
		send_direct(sd, SEND_CACHED);
	else
		send_server(sd, direct ? SEND_REDIRECT : SEND_SERVER);
	return (sd);
}

void
send_free(struct send *sd)
{
	if (sd == NULL)
		return;
	direct_free(sd->sd_direct);
	free(sd->sd_text);
	free(sd);
}
