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
 * The interactive mode, `imc' or `imc chat' on a terminal: the watch of
 * every buddy and of our own watchers, the messages that come, and a
 * command line read from standard input.  The screen is a log of
 * lines, each written whole, so it stays readable on any terminal and
 * in a captured pane, without colour or cursor movement.
 */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdefs.h"
#include "call.h"

#define CHAT_LINE_MAX	(IMC_TEXT_MAX < 4096 ? IMC_TEXT_MAX : 4096)

struct chat {
	struct session	*ch_s;
	struct watch	*ch_w;
	struct event	*ch_in;
	struct send	*ch_send;	/* one message under way */
	struct pub	*ch_pub;	/* one publication under way */
	struct call_host *ch_calls;	/* the calls that come */
	char		 ch_line[CHAT_LINE_MAX + 1];
	size_t		 ch_len;
	char		 ch_peer[IMD_ADDRESS_MAX];	/* for bare text */
	char		 ch_direct[IMC_BUDDIES_MAX][IMD_ADDRESS_MAX];
	size_t		 ch_ndirect;
};

static void
chat_help(void)
{
	printf("commands: /msg ADDRESS TEXT, /status open|away|busy|closed "
	    "[NOTE], /approve ADDRESS, /block ADDRESS, /direct ADDRESS, "
	    "/who (the buddy list), /answer, /hangup (a call), /quit; a line "
	    "without / goes to the last address\n");
}

static int
chat_is_direct(struct chat *ch, const char *addr)
{
	size_t	i;

	for (i = 0; i < ch->ch_ndirect; i++)
		if (strcasecmp(ch->ch_direct[i], addr) == 0)
			return (1);
	return (0);
}

static void
chat_sent(int code IMD_UNUSED, void *arg)
{
	struct chat	*ch = arg;

	send_free(ch->ch_send);
	ch->ch_send = NULL;
}

static void
chat_msg(struct chat *ch, const char *to, const char *text)
{
	char	uri[IMC_URI_MAX];

	if (address_arg(to, uri, sizeof(uri)) == -1)
		return;
	if (text == NULL || *text == '\0' ||
	    !text_is_utf8(text, strlen(text))) {
		warnx("say /msg ADDRESS TEXT, in UTF-8");
		return;
	}
	if (ch->ch_send != NULL) {
		warnx("the last message is still on its way; again later");
		return;
	}
	(void)strlcpy(ch->ch_peer, uri + 4, sizeof(ch->ch_peer));
	ch->ch_send = send_start(ch->ch_s->s_ua, uri, text, strlen(text),
	    chat_is_direct(ch, uri + 4), chat_sent, ch);
}

static void
chat_published(int code IMD_UNUSED, void *arg)
{
	struct chat	*ch = arg;

	pres_free(ch->ch_pub);
	ch->ch_pub = NULL;
}

static void
chat_publish(struct chat *ch, const char *cmd, const char *arg,
    const char *rest)
{
	char	uri[IMC_URI_MAX];

	if (ch->ch_pub != NULL) {
		warnx("the last change is still on its way; again later");
		return;
	}
	if (strcmp(cmd, "/status") == 0)
		ch->ch_pub = pres_publish(ch->ch_s, arg, rest, chat_published,
		    ch);
	else if (address_arg(arg, uri, sizeof(uri)) == 0)
		ch->ch_pub = pres_decide(ch->ch_s, strcmp(cmd, "/approve") ==
		    0 ? "allow" : "block", uri + 4, chat_published, ch);
}

static void
chat_direct(struct chat *ch, const char *arg)
{
	char	uri[IMC_URI_MAX];

	if (address_arg(arg, uri, sizeof(uri)) == -1)
		return;
	(void)strlcpy(ch->ch_peer, uri + 4, sizeof(ch->ch_peer));
	if (!chat_is_direct(ch, uri + 4) && ch->ch_ndirect < IMC_BUDDIES_MAX)
		(void)strlcpy(ch->ch_direct[ch->ch_ndirect++], uri + 4,
		    sizeof(ch->ch_direct[0]));
	printf("messages to %s now go in direct mode\n", uri + 4);
}

static void
chat_command(struct chat *ch, char *line)
{
	char	*cmd, *arg, *rest;

	if (line[0] != '/') {
		if (ch->ch_peer[0] == '\0')
			warnx("to whom?  /msg ADDRESS TEXT first");
		else if (line[0] != '\0')
			chat_msg(ch, ch->ch_peer, line);
		return;
	}
	cmd = strsep(&line, " ");
	arg = line != NULL ? strsep(&line, " ") : NULL;
	rest = line;
	if (strcmp(cmd, "/quit") == 0) {
		event_del(ch->ch_in);
		watch_stop(ch->ch_w);
	} else if (strcmp(cmd, "/msg") == 0 && arg != NULL)
		chat_msg(ch, arg, rest);
	else if ((strcmp(cmd, "/status") == 0 || strcmp(cmd, "/approve") == 0
	    || strcmp(cmd, "/block") == 0) && arg != NULL)
		chat_publish(ch, cmd, arg, rest);
	else if (strcmp(cmd, "/direct") == 0 && arg != NULL)
		chat_direct(ch, arg);
	else if (strcmp(cmd, "/who") == 0)
		watch_list(ch->ch_w);
	else if (strcmp(cmd, "/answer") == 0) {
		if (call_host_answer(ch->ch_calls) == -1)
			warnx("no call to answer");
	} else if (strcmp(cmd, "/hangup") == 0) {
		if (call_host_hangup(ch->ch_calls) == -1)
			warnx("no call to hang up");
	}
	else
		chat_help();
}

/* Whole lines from the terminal; an over-long one is refused whole. */
static void
chat_input(evutil_socket_t fd, short ev IMD_UNUSED, void *arg)
{
	struct chat	*ch = arg;
	char		*nl;
	ssize_t		 n;

	n = read(fd, ch->ch_line + ch->ch_len, CHAT_LINE_MAX - ch->ch_len);
	if (n <= 0) {
		/* The end of input ends the session as /quit does. */
		event_del(ch->ch_in);
		watch_stop(ch->ch_w);
		return;
	}
	ch->ch_len += n;
	ch->ch_line[ch->ch_len] = '\0';
	while ((nl = strchr(ch->ch_line, '\n')) != NULL) {
		*nl = '\0';
		if (nl > ch->ch_line && nl[-1] == '\r')
			nl[-1] = '\0';
		chat_command(ch, ch->ch_line);
		ch->ch_len -= nl + 1 - ch->ch_line;
		memmove(ch->ch_line, nl + 1, ch->ch_len + 1);
	}
	if (ch->ch_len == CHAT_LINE_MAX) {
		warnx("a line longer than %d bytes is dropped", CHAT_LINE_MAX);
		ch->ch_len = 0;
	}
	fflush(stdout);
}

static void
chat_request(struct ua *ua, const struct sip_msg *msg, void *arg)
{
	struct chat	*ch = arg;

	if (call_host_request(ch->ch_calls, msg))
		fflush(stdout);
	else if (msg->msg_method == SIP_METHOD_MESSAGE)
		(void)msg_receive(ua, msg, stdout);
	else if (msg->msg_method == SIP_METHOD_OPTIONS)
		(void)ua_reply(ua, msg, 200, "OK");
	else
		(void)ua_reply(ua, msg, 481, "Call/Transaction Does Not Exist");
}

static void
chat_ready(void *arg)
{
	struct chat	*ch = arg;

	printf("logged in as %s; watching %zu %s; /help for the "
	    "commands\n", ch->ch_s->s_conf->c_account,
	    ch->ch_s->s_conf->c_nbuddies,
	    ch->ch_s->s_conf->c_nbuddies == 1 ? "buddy" : "buddies");
	fflush(stdout);
	if (ch->ch_in == NULL && (ch->ch_in = event_new(ch->ch_s->s_base,
	    STDIN_FILENO, EV_READ | EV_PERSIST, chat_input, ch)) != NULL)
		(void)event_add(ch->ch_in, NULL);
}

static void
chat_finish(struct session *s)
{
	struct chat	*ch = s->s_cmd;

	if (ch->ch_in != NULL)
		event_del(ch->ch_in);
	watch_stop(ch->ch_w);
}

static void
chat_cleanup(struct session *s)
{
	struct chat	*ch = s->s_cmd;

	if (ch->ch_in != NULL)
		event_free(ch->ch_in);
	send_free(ch->ch_send);
	pres_free(ch->ch_pub);
	call_host_free(ch->ch_calls);
	watch_free(ch->ch_w);
}

int
cmd_chat(struct imc_conf *conf, int argc, char **argv)
{
	struct session		 s;
	struct media_conf	 mc;
	struct chat		*ch;
	int			 code;

	if (call_media_args(&argc, argv, &mc) == -1 || argc != 0) {
		warnx("usage: imc [chat [--play file] [--record file]]");
		return (IMC_EXIT_USAGE);
	}
	conf->c_calls = 1;
	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		return (IMC_EXIT_FAIL);
	if ((code = session_open(&s, conf)) != IMC_EXIT_OK) {
		free(ch);
		return (code);
	}
	ch->ch_s = &s;
	s.s_cmd = ch;
	s.s_cleanup = chat_cleanup;
	printf("imc: logging in as %s at %s\n", conf->c_account,
	    ua_server_name(s.s_ua));
	fflush(stdout);
	if ((ch->ch_calls = call_host_new(s.s_ua, &mc, 1)) == NULL ||
	    session_deadline(&s, 0, chat_finish) == -1 ||
	    (ch->ch_w = watch_start(&s, chat_request, chat_ready, ch)) == NULL)
		session_done(&s, IMC_EXIT_FAIL);
	code = session_run(&s);
	free(ch);
	return (code);
}
