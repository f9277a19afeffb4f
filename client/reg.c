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
 * The registration of our address with the server (RFC 3261 10),
 * refreshed before it expires, and removed when the command ends, so
 * that the server stops sending to a client that is gone.
 */

#include <sys/types.h>

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "imc.h"

#define REG_MIN_REFRESH	5	/* seconds, for a server that grants little */

struct reg {
	struct ua	*rg_ua;
	struct ua_req	 rg_req;
	struct event	*rg_refresh;
	reg_cb		 rg_cb;
	void		*rg_arg;
	int		 rg_busy;	/* a REGISTER is out */
	int		 rg_stop;	/* unregister when it comes back */
	int		 rg_gone;	/* the final REGISTER went out */
};

static void	reg_send(struct reg *, uint32_t);

/* What the server granted our contact: its expires, else Expires. */
static uint32_t
reg_granted(struct ua *ua, const struct sip_msg *msg)
{
	const struct sip_hdr	*h;
	struct sip_addr		 a;
	uint32_t		 exp = IMC_EXPIRES;
	const char		*contact = ua_contact(ua);

	if ((h = sip_hdr_first(msg, SIP_HDR_EXPIRES)) != NULL)
		(void)sip_expires_parse(h->hdr_value.s,
		    SIP_STR_END(&h->hdr_value), &exp);
	for (h = sip_hdr_first(msg, SIP_HDR_CONTACT); h != NULL;
	    h = sip_hdr_next(msg, h)) {
		if (sip_contact_parse(h->hdr_value.s,
		    SIP_STR_END(&h->hdr_value), &a) == -1 ||
		    a.addr_expires < 0 || a.addr_uri_str.len >
		    strlen(contact) || strncasecmp(a.addr_uri_str.s, contact,
		    a.addr_uri_str.len) != 0)
			continue;
		exp = a.addr_expires;
	}
	return (exp);
}

static void
reg_refresh(evutil_socket_t fd IMD_UNUSED, short ev IMD_UNUSED, void *arg)
{
	reg_send(arg, IMC_EXPIRES);
}

static void
reg_done(struct ua *ua, struct ua_req *req IMD_UNUSED,
    const struct sip_msg *msg, void *arg)
{
	struct reg	*rg = arg;
	struct timeval	 tv;
	uint32_t	 granted;
	int		 code;

	rg->rg_busy = 0;
	if (rg->rg_gone) {
		rg->rg_cb(rg, msg == NULL ? IMC_EXIT_UNREACH : 0, rg->rg_arg);
		return;
	}
	if (rg->rg_stop) {
		reg_send(rg, 0);
		return;
	}
	code = outcome_report(ua, ua_conf(ua), ua_conf(ua)->c_account, msg);
	rg->rg_cb(rg, code, rg->rg_arg);
	if (code != IMC_EXIT_OK)
		return;
	granted = reg_granted(ua, msg);
	tv.tv_sec = granted > REG_MIN_REFRESH * 2 ? granted - granted / 5 :
	    REG_MIN_REFRESH;
	tv.tv_usec = 0;
	evtimer_add(rg->rg_refresh, &tv);
}

static void
reg_send(struct reg *rg, uint32_t expires)
{
	struct ua_req	*req = &rg->rg_req;

	req->rq_cseq++;
	(void)snprintf(req->rq_extra, sizeof(req->rq_extra),
	    "Contact: <%s>\r\nExpires: %u\r\n", ua_contact(rg->rg_ua),
	    expires);
	rg->rg_gone = expires == 0;
	rg->rg_busy = 1;
	if (ua_request(rg->rg_ua, req, reg_done, rg) == -1) {
		rg->rg_busy = 0;
		rg->rg_cb(rg, outcome_unreachable(rg->rg_ua), rg->rg_arg);
	}
}

/* Register; cb hears 0 once registered, or why not, and each refresh. */
struct reg *
reg_start(struct ua *ua, reg_cb cb, void *arg)
{
	struct reg	*rg;
	char		 uri[IMC_URI_MAX];

	if ((rg = calloc(1, sizeof(*rg))) == NULL)
		return (NULL);
	rg->rg_ua = ua;
	rg->rg_cb = cb;
	rg->rg_arg = arg;
	if ((rg->rg_refresh = evtimer_new(ua_base(ua), reg_refresh,
	    rg)) == NULL) {
		free(rg);
		return (NULL);
	}
	(void)snprintf(uri, sizeof(uri), "sip:%s", ua_conf(ua)->c_domain);
	ua_req_init(ua, &rg->rg_req, SIP_METHOD_REGISTER, uri);
	(void)snprintf(rg->rg_req.rq_to, sizeof(rg->rg_req.rq_to), "sip:%s",
	    ua_conf(ua)->c_account);
	rg->rg_req.rq_cseq = 0;
	reg_send(rg, IMC_EXPIRES);
	return (rg);
}

/* Unregister; cb hears 0 when the server took it. */
void
reg_stop(struct reg *rg, reg_cb cb)
{
	rg->rg_cb = cb;
	evtimer_del(rg->rg_refresh);
	if (rg->rg_busy)
		rg->rg_stop = 1;
	else
		reg_send(rg, 0);
}

void
reg_free(struct reg *rg)
{
	if (rg == NULL)
		return;
	event_free(rg->rg_refresh);
	free(rg);
}
