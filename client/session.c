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
 * One command's run of the event loop: the user agent opened, SIGINT
 * and SIGTERM and an optional time limit turned into the command's own
 * way to finish (unsubscribe, unregister), and the exit status kept.
 */

#include <sys/types.h>

#include <event2/event.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "imc.h"

int
session_open(struct session *s, struct imc_conf *conf)
{
	int	code;

	memset(s, 0, sizeof(*s));
	s->s_conf = conf;
	if ((s->s_base = event_base_new()) == NULL)
		return (IMC_EXIT_FAIL);
	if ((s->s_ua = ua_new(s->s_base, conf)) == NULL)
		code = IMC_EXIT_FAIL;
	else if (ua_open(s->s_ua) == -1)
		code = outcome_unreachable(s->s_ua);
	else
		return (IMC_EXIT_OK);
	ua_free(s->s_ua);
	event_base_free(s->s_base);
	return (code);
}

/* The first signal or the deadline asks the command to wind down. */
static void
session_stop(evutil_socket_t fd IMD_UNUSED, short ev, void *arg)
{
	struct session	*s = arg;

	if (s->s_finishing) {
		/* A second interrupt: the user does not want to wait. */
		if (ev & EV_SIGNAL)
			event_base_loopbreak(s->s_base);
		return;
	}
	s->s_finishing = 1;
	if (s->s_finish != NULL)
		s->s_finish(s);
	else
		event_base_loopbreak(s->s_base);
}

int
session_deadline(struct session *s, int seconds,
    void (*finish)(struct session *))
{
	struct timeval	 tv;

	s->s_finish = finish;
	s->s_sigint = evsignal_new(s->s_base, SIGINT, session_stop, s);
	s->s_sigterm = evsignal_new(s->s_base, SIGTERM, session_stop, s);
	if (s->s_sigint == NULL || s->s_sigterm == NULL ||
	    evsignal_add(s->s_sigint, NULL) == -1 ||
	    evsignal_add(s->s_sigterm, NULL) == -1)
		return (-1);
	if (seconds <= 0)
		return (0);
	if ((s->s_timer = evtimer_new(s->s_base, session_stop, s)) == NULL)
		return (-1);
	tv.tv_sec = seconds;
	tv.tv_usec = 0;
	return (evtimer_add(s->s_timer, &tv));
}

/* The first status to come is the one the command exits with. */
void
session_done(struct session *s, int code)
{
	if (s->s_exit == IMC_EXIT_OK)
		s->s_exit = code;
	event_base_loopbreak(s->s_base);
}

/*
 * A command that fails while it sets up, before the loop runs: a
 * loopbreak then would be forgotten, an exit is kept for the loop.
 */
void
session_fail(struct session *s, int code)
{
	if (s->s_exit == IMC_EXIT_OK)
		s->s_exit = code;
	(void)event_base_loopexit(s->s_base, NULL);
}

int
session_run(struct session *s)
{
	(void)event_base_dispatch(s->s_base);
	if (s->s_cleanup != NULL)
		s->s_cleanup(s);
	ua_free(s->s_ua);
	if (s->s_sigint != NULL)
		event_free(s->s_sigint);
	if (s->s_sigterm != NULL)
		event_free(s->s_sigterm);
	if (s->s_timer != NULL)
		event_free(s->s_timer);
	event_base_free(s->s_base);
	return (s->s_exit);
}
