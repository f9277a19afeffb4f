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
 * The presence of one address, once (a fetch, RFC 6665 4.4.3): a
 * SUBSCRIBE with Expires 0, and the one NOTIFY it brings, with the
 * document if the presentity lets us see it.
 */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "imc.h"

#define FETCH_WAIT_SECS	5

struct fetch {
	struct ua	*f_ua;
	struct ua_req	 f_req;
	char		 f_addr[IMD_ADDRESS_MAX + 8];
	struct event	*f_timer;
	int		 f_done;
	fetch_cb	 f_cb;
	void		*f_arg;
};

static void
fetch_finish(struct fetch *f, int code, const char *state,
    const struct sip_msg *msg)
{
	if (f->f_done)
		return;
	f->f_done = 1;
	evtimer_del(f->f_timer);
	f->f_cb(code, state, msg != NULL ? msg->msg_body.s : NULL,
	    msg != NULL ? msg->msg_body.len : 0, f->f_arg);
}

static void
fetch_timeout(evutil_socket_t fd IMD_UNUSED, short ev IMD_UNUSED, void *arg)
{
	struct fetch	*f = arg;

	warnx("no presence of %s came in %d seconds", f->f_addr,
	    FETCH_WAIT_SECS);
	fetch_finish(f, IMC_EXIT_UNREACH, NULL, NULL);
}

static void
fetch_answered(struct ua *ua, struct ua_req *req IMD_UNUSED,
    const struct sip_msg *msg, void *arg)
{
	struct fetch	*f = arg;
	int		 code;

	if ((code = outcome_report(ua, ua_conf(ua), f->f_addr, msg)) !=
	    IMC_EXIT_OK)
		fetch_finish(f, code, NULL, NULL);
}

/* A NOTIFY: 1 when it is the one our fetch waits for. */
int
fetch_request(struct fetch *f, const struct sip_msg *msg)
{
	char	state[32], reason[32];

	if (f == NULL || msg->msg_method != SIP_METHOD_NOTIFY ||
	    !dialog_is(&f->f_req, msg))
		return (0);
	(void)ua_reply(f->f_ua, msg, 200, "OK");
	if (dialog_substate(msg, state, sizeof(state), reason,
	    sizeof(reason)) == -1)
		(void)strlcpy(state, "?", sizeof(state));
	fetch_finish(f, IMC_EXIT_OK, state, msg);
	return (1);
}

struct fetch *
fetch_start(struct ua *ua, const char *uri, fetch_cb cb, void *arg)
{
	struct fetch	*f;
	struct ua_req	*req;
	struct timeval	 tv = { FETCH_WAIT_SECS, 0 };

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return (NULL);
	f->f_ua = ua;
	f->f_cb = cb;
	f->f_arg = arg;
	(void)strlcpy(f->f_addr, uri + 4, sizeof(f->f_addr));
	req = &f->f_req;
	ua_req_init(ua, req, SIP_METHOD_SUBSCRIBE, uri);
	(void)snprintf(req->rq_extra, sizeof(req->rq_extra), "Event: "
	    "presence\r\nAccept: application/pidf+xml\r\nExpires: 0\r\n"
	    "Contact: <%s>\r\n", ua_contact(ua));
	if ((f->f_timer = evtimer_new(ua_base(ua), fetch_timeout, f)) ==
	    NULL || evtimer_add(f->f_timer, &tv) == -1 ||
	    ua_request(ua, req, fetch_answered, f) == -1) {
		fetch_free(f);
		return (NULL);
	}
	return (f);
}

void
fetch_free(struct fetch *f)
{
	if (f == NULL)
		return;
	if (f->f_timer != NULL)
		event_free(f->f_timer);
	free(f);
}
