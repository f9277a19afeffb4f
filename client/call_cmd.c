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
 * imc call [-d] address [--play file] [--record file] [-t seconds]:
 * a call, the usual way with INVITE through the server, or with -d
 * the direct way (call_direct.c).  It ends when either side hangs up,
 * when the file played has ended, at the time limit, or on an
 * interrupt; before the answer, the time limit or an interrupt
 * cancels it.
 */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "call.h"

struct call_cmd {
	struct session	*cc_s;
	struct call	*cc_call;
	struct event	*cc_ring;
};

/* Take --play FILE and --record FILE out of the arguments. */
int
call_media_args(int *argc, char **argv, struct media_conf *mc)
{
	const char	**slot;
	int		  i;

	memset(mc, 0, sizeof(*mc));
	for (i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--play") == 0)
			slot = &mc->mc_play;
		else if (strcmp(argv[i], "--record") == 0)
			slot = &mc->mc_record;
		else
			continue;
		if (i + 1 == *argc || *slot != NULL)
			return (-1);
		*slot = argv[i + 1];
		memmove(&argv[i], &argv[i + 2], (*argc - i - 2) *
		    sizeof(*argv));
		*argc -= 2;
		i--;
	}
	return (0);
}

static void
call_cmd_end(struct call *cl IMD_UNUSED, int code, void *arg)
{
	struct call_cmd	*cc = arg;

	session_done(cc->cc_s, code);
}

/* The time limit or an interrupt: hang up, and wait for that. */
static void
call_cmd_finish(struct session *s)
{
	struct call_cmd	*cc = s->s_cmd;

	if (cc->cc_call->cl_state == CALL_CALLING)
		cc->cc_call->cl_code = IMC_EXIT_NOANSWER;
	call_hangup(cc->cc_call);
}

static void
call_cmd_unanswered(evutil_socket_t fd IMD_UNUSED, short ev IMD_UNUSED,
    void *arg)
{
	struct call_cmd	*cc = arg;

	if (cc->cc_call->cl_state == CALL_CALLING)
		call_hangup(cc->cc_call);
}

/* The callee's requests in the dialog: its BYE above all. */
static void
call_cmd_request(struct ua *ua, const struct sip_msg *msg, void *arg)
{
	struct call_cmd	*cc = arg;

	if (cc->cc_call != NULL && call_request(cc->cc_call, msg))
		return;
	if (msg->msg_method != SIP_METHOD_ACK)
		(void)ua_reply(ua, msg, 481, "Call/Transaction Does Not Exist");
}

static void
call_cmd_late(struct ua *ua IMD_UNUSED, const struct sip_msg *msg, void *arg)
{
	struct call_cmd	*cc = arg;

	if (cc->cc_call != NULL)
		call_late_2xx(cc->cc_call, msg);
}

static int
call_usual(struct imc_conf *conf, const char *uri, int secs,
    const struct media_conf *mc)
{
	struct session	 s;
	struct call_cmd	 cc;
	struct timeval	 tv = { CALL_RING_SECS, 0 };
	int		 code;

	conf->c_calls = 1;
	if ((code = session_open(&s, conf)) != IMC_EXIT_OK)
		return (code);
	memset(&cc, 0, sizeof(cc));
	cc.cc_s = &s;
	s.s_cmd = &cc;
	ua_on_request(s.s_ua, call_cmd_request, &cc);
	ua_on_late_2xx(s.s_ua, call_cmd_late, &cc);
	if ((cc.cc_call = call_new(s.s_ua, mc, call_cmd_end, &cc)) == NULL ||
	    session_deadline(&s, secs, call_cmd_finish) == -1 ||
	    (cc.cc_ring = evtimer_new(s.s_base, call_cmd_unanswered,
	    &cc)) == NULL || evtimer_add(cc.cc_ring, &tv) == -1 ||
	    call_dial(cc.cc_call, uri) == -1)
		session_fail(&s, IMC_EXIT_FAIL);
	code = session_run(&s);
	call_free(cc.cc_call);
	if (cc.cc_ring != NULL)
		event_free(cc.cc_ring);
	return (code);
}

int
cmd_call(struct imc_conf *conf, int argc, char **argv)
{
	struct media_conf	 mc;
	char			 uri[IMC_URI_MAX];
	int			 direct = 0, secs;

	if (argc > 0 && (strcmp(argv[0], "-d") == 0 ||
	    strcmp(argv[0], "--direct") == 0)) {
		direct = 1;
		argc--;
		argv++;
	}
	if (seconds_arg(&argc, argv, &secs) == -1 ||
	    call_media_args(&argc, argv, &mc) == -1 || argc != 1) {
		warnx("usage: imc call [-d] address [--play file] "
		    "[--record file] [-t seconds]");
		return (IMC_EXIT_USAGE);
	}
	if (address_arg(argv[0], uri, sizeof(uri)) == -1)
		return (IMC_EXIT_USAGE);
	if (direct)
		return (call_direct(conf, uri, secs, &mc));
	return (call_usual(conf, uri, secs, &mc));
}
