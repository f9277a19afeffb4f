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
 * imc watchers: our watcher information (RFC 3857, RFC 3858), once:
 * who watches us and who waits for our approval, one line each.  A
 * fetch (Expires: 0) would be the natural way, but the final NOTIFY of
 * a fetch need not carry the list, so we subscribe for the shortest
 * time the server grants, print the first full list and unsubscribe.
 */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <string.h>

#include "cdefs.h"
#include "imc.h"

#define WATCHERS_WAIT	10	/* seconds for the NOTIFY with the list */
#define WATCHERS_EXPIRES 60	/* the least most servers grant */

struct watchers {
	struct session	*ws_s;
	struct ua_req	 ws_req;
	size_t		 ws_count;
	int		 ws_listed;
};

static void	watchers_subscribe(struct watchers *, uint32_t);

static void
watchers_print(const char *uri, const char *status, void *arg)
{
	struct watchers	*ws = arg;

	if (strncasecmp(uri, "sip:", 4) == 0 ||
	    strncasecmp(uri, "pres:", 5) == 0)
		uri = strchr(uri, ':') + 1;
	print_safe(stdout, uri, strlen(uri));
	putchar(' ');
	print_safe(stdout, status, strlen(status));
	putchar('\n');
	ws->ws_count++;
}

static void
watchers_request(struct ua *ua, const struct sip_msg *msg, void *arg)
{
	struct watchers	*ws = arg;

	if (msg->msg_method != SIP_METHOD_NOTIFY ||
	    !dialog_is(&ws->ws_req, msg)) {
		(void)ua_reply(ua, msg, 481, "Call/Transaction Does Not Exist");
		return;
	}
	(void)ua_reply(ua, msg, 200, "OK");
	dialog_from_notify(&ws->ws_req, msg);
	if (msg->msg_body.len == 0 || ws->ws_listed)
		return;
	ws->ws_listed = 1;
	if (winfo_read(msg->msg_body.s, msg->msg_body.len, watchers_print,
	    ws) == -1) {
		warnx("the server sent a watcher list we cannot read");
		session_done(ws->ws_s, IMC_EXIT_FAIL);
		return;
	}
	if (ws->ws_count == 0)
		fprintf(stderr, "imc: nobody watches %s\n",
		    ua_conf(ua)->c_account);
	fflush(stdout);
	ws->ws_req.rq_cseq++;
	watchers_subscribe(ws, 0);
}

static void
watchers_subscribed(struct ua *ua, struct ua_req *req,
    const struct sip_msg *msg, void *arg)
{
	struct watchers	*ws = arg;
	int		 code;

	if (ws->ws_listed) {
		/* The unsubscription: whatever its answer, we are done. */
		session_done(ws->ws_s, IMC_EXIT_OK);
		return;
	}
	if ((code = outcome_report(ua, ua_conf(ua), ua_conf(ua)->c_account,
	    msg)) != IMC_EXIT_OK)
		session_done(ws->ws_s, code);
	else
		dialog_from_response(req, msg);
}

static void
watchers_subscribe(struct watchers *ws, uint32_t expires)
{
	struct ua	*ua = ws->ws_s->s_ua;

	(void)snprintf(ws->ws_req.rq_extra, sizeof(ws->ws_req.rq_extra),
	    "Event: presence.winfo\r\nAccept: application/watcherinfo+xml\r\n"
	    "Contact: <%s>\r\nExpires: %u\r\n", ua_contact(ua), expires);
	if (ua_request(ua, &ws->ws_req, watchers_subscribed, ws) == -1)
		session_done(ws->ws_s, outcome_unreachable(ua));
}

static void
watchers_timeout(struct session *s)
{
	warnx("the server sent no watcher list in %d seconds",
	    WATCHERS_WAIT);
	session_done(s, IMC_EXIT_FAIL);
}

int
cmd_watchers(struct imc_conf *conf, int argc IMD_UNUSED, char **argv IMD_UNUSED)
{
	struct session	 s;
	struct watchers	 ws;
	char		 uri[IMC_URI_MAX];
	int		 code;

	if ((code = session_open(&s, conf)) != IMC_EXIT_OK)
		return (code);
	memset(&ws, 0, sizeof(ws));
	ws.ws_s = &s;
	(void)snprintf(uri, sizeof(uri), "sip:%s", conf->c_account);
	ua_req_init(s.s_ua, &ws.ws_req, SIP_METHOD_SUBSCRIBE, uri);
	ua_on_request(s.s_ua, watchers_request, &ws);
	if (session_deadline(&s, WATCHERS_WAIT, watchers_timeout) == -1)
		session_done(&s, IMC_EXIT_FAIL);
	else
		watchers_subscribe(&ws, WATCHERS_EXPIRES);
	return (session_run(&s));
}
