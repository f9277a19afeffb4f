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
 * The calls that come to a running imc (listen, the interactive mode):
 * one at a time, so a second INVITE is told we are busy; answered at
 * once with `auto-answer yes', else by /answer; the requests of its
 * dialog handed to it.  Direct calls (call_direct.c) come here too,
 * as announcements in MESSAGEs.
 */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "call.h"

struct call_host {
	struct ua		*ch_ua;
	struct media_conf	 ch_mc;
	struct call		*ch_call;
	struct event		*ch_reap;
	struct direct_in	*ch_direct;
	int			 ch_interactive;	/* someone to ask */
};

/* A call that is over is freed from the loop, outside its callbacks. */
static void
call_host_reap(evutil_socket_t fd IMD_UNUSED, short ev IMD_UNUSED,
    void *arg)
{
	struct call_host	*ch = arg;

	if (ch->ch_call != NULL && ch->ch_call->cl_state == CALL_DONE) {
		call_free(ch->ch_call);
		ch->ch_call = NULL;
	}
}

static void
call_host_ended(struct call *cl IMD_UNUSED, int code IMD_UNUSED, void *arg)
{
	struct call_host	*ch = arg;

	event_active(ch->ch_reap, EV_TIMEOUT, 1);
}

struct call_host *
call_host_new(struct ua *ua, const struct media_conf *mc, int interactive)
{
	struct call_host	*ch;

	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		return (NULL);
	ch->ch_ua = ua;
	ch->ch_mc = *mc;
	ch->ch_interactive = interactive;
	if ((ch->ch_reap = evtimer_new(ua_base(ua), call_host_reap,
	    ch)) == NULL) {
		free(ch);
		return (NULL);
	}
	return (ch);
}

void
call_host_free(struct call_host *ch)
{
	if (ch == NULL)
		return;
	if (ch->ch_call != NULL && ch->ch_call->cl_state != CALL_DONE)
		call_over(ch->ch_call, IMC_EXIT_OK);
	call_free(ch->ch_call);
	direct_in_free(ch->ch_direct);
	event_free(ch->ch_reap);
	free(ch);
}

/* Is one of ours under way (INVITE or direct)? */
static int
call_host_busy(struct call_host *ch)
{
	return ((ch->ch_call != NULL && ch->ch_call->cl_state != CALL_DONE) ||
	    direct_in_active(ch->ch_direct));
}

static void
call_host_invite(struct call_host *ch, const struct sip_msg *msg)
{
	if (call_host_busy(ch)) {
		(void)ua_reply(ch->ch_ua, msg, 486, "Busy Here");
		return;
	}
	call_free(ch->ch_call);
	if ((ch->ch_call = call_new(ch->ch_ua, &ch->ch_mc, call_host_ended,
	    ch)) == NULL) {
		(void)ua_reply(ch->ch_ua, msg, 500, "Server Internal Error");
		return;
	}
	if (call_incoming(ch->ch_call, msg) == -1) {
		call_free(ch->ch_call);
		ch->ch_call = NULL;
		return;
	}
	if (ua_conf(ch->ch_ua)->c_auto_answer && call_accept(ch->ch_call) ==
	    -1)
		call_hangup(ch->ch_call);
}

/* 1 when msg was a call's business, answered here. */
int
call_host_request(struct call_host *ch, const struct sip_msg *msg)
{
	if (msg->msg_method == SIP_METHOD_MESSAGE)
		return (direct_in_request(&ch->ch_direct, ch->ch_ua,
		    &ch->ch_mc, msg, call_host_busy(ch) &&
		    !direct_in_active(ch->ch_direct), ch->ch_interactive));
	if (ch->ch_call != NULL && ch->ch_call->cl_state != CALL_DONE &&
	    call_request(ch->ch_call, msg))
		return (1);
	switch (msg->msg_method) {
	case SIP_METHOD_INVITE:
		call_host_invite(ch, msg);
		return (1);
	case SIP_METHOD_ACK:
		return (1);
	case SIP_METHOD_BYE:
	case SIP_METHOD_CANCEL:
		(void)ua_reply(ch->ch_ua, msg, 481,
		    "Call/Transaction Does Not Exist");
		return (1);
	default:
		return (0);
	}
}

int
call_host_answer(struct call_host *ch)
{
	if (ch->ch_call != NULL && ch->ch_call->cl_state == CALL_RINGING)
		return (call_accept(ch->ch_call));
	/* A ringing direct call, if any. */
	return (direct_in_answer(ch->ch_direct));
}

int
call_host_hangup(struct call_host *ch)
{
	if (ch->ch_call != NULL && ch->ch_call->cl_state != CALL_DONE) {
		call_hangup(ch->ch_call);
		return (0);
	}
	return (direct_in_hangup(ch->ch_direct));
}
