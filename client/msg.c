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
 * Messages (RFC 3428): `imc send' sends one (send.c) and says what
 * became of it; `imc listen' registers and prints each message that
 * comes, one line each, until the time limit or an interrupt.
 */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdefs.h"
#include "call.h"

struct msg_listen {
	struct session	*ml_s;
	struct reg	*ml_reg;
	struct call_host *ml_calls;
};

/* Well-formed UTF-8 (RFC 3629): no overlong form, no surrogate. */
int
text_is_utf8(const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t	i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0)
			n = 1, cp = p[i] & 0x1f;
		else if ((p[i] & 0xf0) == 0xe0)
			n = 2, cp = p[i] & 0x0f;
		else if ((p[i] & 0xf8) == 0xf0)
			n = 3, cp = p[i] & 0x07;
		else
			return (0);
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (p[i + k] & 0xc0) != 0x80)
				return (0);
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return (0);
		i += n + 1;
	}
	return (1);
}

/* The text from standard input, without the newline that ends it. */
static char *
read_text(size_t *lenp)
{
	char	*buf;
	size_t	 len = 0;
	ssize_t	 n;

	if ((buf = malloc(IMC_TEXT_MAX + 1)) == NULL)
		return (NULL);
	while ((n = read(STDIN_FILENO, buf + len, IMC_TEXT_MAX + 1 - len)) > 0)
		if ((len += n) > IMC_TEXT_MAX)
			break;
	if (n == -1 || len > IMC_TEXT_MAX) {
		warnx(n == -1 ? "cannot read the text" :
		    "the text is longer than %d bytes", IMC_TEXT_MAX);
		free(buf);
		return (NULL);
	}
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	*lenp = len;
	return (buf);
}

static void
send_finished(int code, void *arg)
{
	session_done(arg, code);
}

static int
send_text(struct imc_conf *conf, const char *to, const char *text,
    size_t len, int direct)
{
	struct session	 s;
	struct send	*sd;
	char		 uri[IMC_URI_MAX];
	int		 code;

	if (address_arg(to, uri, sizeof(uri)) == -1)
		return (IMC_EXIT_USAGE);
	if (!text_is_utf8(text, len)) {
		warnx("the text is not UTF-8");
		return (IMC_EXIT_USAGE);
	}
	if ((code = session_open(&s, conf)) != IMC_EXIT_OK)
		return (code);
	if ((sd = send_start(s.s_ua, uri, text, len, direct, send_finished,
	    &s)) == NULL)
		session_done(&s, IMC_EXIT_FAIL);
	code = session_run(&s);
	send_free(sd);
	return (code);
}

/* imc send [-d | --direct] address [text | -] */
int
cmd_send(struct imc_conf *conf, int argc, char **argv)
{
	char	*text;
	size_t	 len;
	int	 code, direct = 0;

	if (argc > 1 && (strcmp(argv[0], "-d") == 0 ||
	    strcmp(argv[0], "--direct") == 0)) {
		direct = 1;
		argc--;
		argv++;
	}
	if (argc < 1 || argc > 2) {
		warnx("usage: imc send [-d] address [text | -]");
		return (IMC_EXIT_USAGE);
	}
	if (argc == 2 && strcmp(argv[1], "-") != 0)
		return (send_text(conf, argv[0], argv[1], strlen(argv[1]),
		    direct));
	if ((text = read_text(&len)) == NULL)
		return (IMC_EXIT_FAIL);
	code = send_text(conf, argv[0], text, len, direct);
	free(text);
	return (code);
}

/*
 * A peer's MESSAGE in direct mode: meant for us, since a contact we
 * gave up may now be someone else's.  Nobody vouches for its From.
 */
static int
msg_direct_for_us(struct ua *ua, const struct sip_msg *msg)
{
	const struct sip_hdr	*to;
	char			 addr[IMD_ADDRESS_MAX + 8];

	to = sip_hdr_first(msg, SIP_HDR_TO);
	return (to != NULL && uri_address(&to->hdr_value, addr,
	    sizeof(addr)) != NULL && strcasecmp(addr,
	    ua_conf(ua)->c_account) == 0);
}

/*
 * One line per message, "from alice@site1.test: text", or "from
 * alice@site1.test (direct from 127.0.0.1:5062): text" when it came
 * straight from a peer; 0 when it was shown and taken.
 */
int
msg_receive(struct ua *ua, const struct sip_msg *msg, FILE *fp)
{
	const struct sip_hdr	*from, *ct;
	struct sip_ctype	 ctype;
	char			 who[IMD_ADDRESS_MAX + 8], peer[80];
	const char		*direct = ua_peer_name(ua, peer, sizeof(peer));

	if (direct != NULL && !msg_direct_for_us(ua, msg))
		return (ua_reply(ua, msg, 404, "Not Found"), -1);
	from = sip_hdr_first(msg, SIP_HDR_FROM);
	if (from == NULL || uri_address(&from->hdr_value, who,
	    sizeof(who)) == NULL)
		(void)strlcpy(who, "?", sizeof(who));
	ct = sip_hdr_first(msg, SIP_HDR_CONTENT_TYPE);
	if (ct != NULL && (sip_ctype_parse(ct->hdr_value.s,
	    SIP_STR_END(&ct->hdr_value), &ctype) == -1 ||
	    !sip_str_is_ci(&ctype.ct_type, "text")))
		return (ua_reply(ua, msg, 415, "Unsupported Media Type"), -1);
	fprintf(fp, "from %s%s%s%s%s%s: ", fp == stdout ? colour_sender() : "",
	    who, fp == stdout ? colour_reset() : "", direct != NULL ?
	    " (direct from " : "", direct != NULL ? direct : "",
	    direct != NULL ? ")" : "");
	print_safe(fp, msg->msg_body.s, msg->msg_body.len);
	fprintf(fp, "\n");
	fflush(fp);
	(void)ua_reply(ua, msg, 200, "OK");
	return (0);
}

static void
listen_request(struct ua *ua, const struct sip_msg *msg, void *arg)
{
	struct msg_listen	*ml = arg;

	if (call_host_request(ml->ml_calls, msg))
		return;
	switch (msg->msg_method) {
	case SIP_METHOD_MESSAGE:
		(void)msg_receive(ua, msg, stdout);
		break;
	case SIP_METHOD_OPTIONS:
		(void)ua_reply(ua, msg, 200, "OK");
		break;
	default:
		(void)ua_reply(ua, msg, 481, "Call/Transaction Does Not Exist");
		break;
	}
}

static void
listen_registered(struct reg *rg IMD_UNUSED, int code, void *arg)
{
	struct msg_listen	*ml = arg;

	if (code != IMC_EXIT_OK) {
		session_done(ml->ml_s, code);
		return;
	}
	fprintf(stderr, "imc: listening as %s\n", ua_conf(ml->ml_s->s_ua)->
	    c_account);
}

static void
listen_unregistered(struct reg *rg IMD_UNUSED, int code IMD_UNUSED, void *arg)
{
	struct msg_listen	*ml = arg;

	session_done(ml->ml_s, IMC_EXIT_OK);
}

static void
listen_finish(struct session *s)
{
	struct msg_listen	*ml = s->s_cmd;

	reg_stop(ml->ml_reg, listen_unregistered);
}

static void
listen_cleanup(struct session *s)
{
	struct msg_listen	*ml = s->s_cmd;

	call_host_free(ml->ml_calls);
	reg_free(ml->ml_reg);
}

int
cmd_listen(struct imc_conf *conf, int argc, char **argv)
{
	struct session		 s;
	struct msg_listen	 ml;
	struct media_conf	 mc;
	int			 code, secs;

	if (seconds_arg(&argc, argv, &secs) == -1 ||
	    call_media_args(&argc, argv, &mc) == -1 || argc != 0) {
		warnx("usage: imc listen [--play file] [--record file] "
		    "[-t seconds]");
		return (IMC_EXIT_USAGE);
	}
	conf->c_calls = 1;
	if ((code = session_open(&s, conf)) != IMC_EXIT_OK)
		return (code);
	memset(&ml, 0, sizeof(ml));
	ml.ml_s = &s;
	s.s_cmd = &ml;
	ua_on_request(s.s_ua, listen_request, &ml);
	if ((ml.ml_calls = call_host_new(s.s_ua, &mc, 0)) == NULL ||
	    session_deadline(&s, secs, listen_finish) == -1 ||
	    (ml.ml_reg = reg_start(s.s_ua, listen_registered, &ml)) == NULL)
		session_fail(&s, IMC_EXIT_FAIL);
	s.s_cleanup = listen_cleanup;
	return (session_run(&s));
}
