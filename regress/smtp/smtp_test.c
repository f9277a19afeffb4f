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
 * The SMTP client of relayd/smtp.c against what no real MTA sends on
 * demand, TAP on standard output: reply lines at and over the bound,
 * malformed and over-long replies, data nobody asked for, silence, a
 * peer that hangs up; and the exact bytes the client writes, dot-
 * stuffing included.  The peer is a scripted socket on loopback that
 * never sends a 4xx or 5xx: refusals are tested against OpenSMTPD
 * itself (opensmtpd.t).
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "smtp.h"
#include "tap.h"

#define TIMEOUT_MS	300	/* the client's, for the silent peers */
#define RUN_LIMIT_MS	5000	/* a test that takes longer has failed */
#define GOT_MAX		(64 * 1024)
#define SILENT		""	/* a script step that answers nothing */

#define HELO		"client.test"
#define FROM		"alice@site1.test"
#define RCPT		"bob@site1.test"

static const char *const good_script[] = {
	"220 peer ESMTP\r\n",
	"250-peer\r\n250-PIPELINING\r\n250 HELP\r\n",
	"250 2.0.0 ok\r\n",
	"250 2.1.5 ok\r\n",
	"354 go ahead\r\n",
	"250 2.0.0 queued as 42\r\n",
	"221 bye\r\n",
	NULL
};

/* The far end: answers each line the client sends with the next step. */
struct peer {
	int			 p_lfd;
	struct sockaddr_in	 p_sin;
	struct event		 p_lev;
	int			 p_fd;
	struct event		 p_rev;
	const char *const	*p_script;
	size_t			 p_step;
	char			 p_got[GOT_MAX];	/* the client wrote */
	size_t			 p_gotlen;
	size_t			 p_pos;		/* of the next line */
	int			 p_indata;
};

/* What done reported. */
struct result {
	int	r_called;
	int	r_result;
	char	r_reply[2048];
	int	r_inside_send;
	size_t	r_count;	/* smtp_count() inside done */
};

static struct peer	 peer;
static int		 in_send;

static void
peer_say(struct peer *p, const char *s)
{
	if (s == NULL) {
		event_del(&p->p_rev);
		close(p->p_fd);
		p->p_fd = -1;
	} else if (*s != '\0' && write(p->p_fd, s, strlen(s)) == -1)
		err(1, "peer write");
}

static void
peer_next(struct peer *p)
{
	const char	*s = p->p_script[p->p_step];

	if (s != NULL)
		p->p_step++;
	peer_say(p, s);
}

/* Lines, and in DATA everything up to the dot, each get a step. */
static void
peer_lines(struct peer *p)
{
	char	*e;

	while (p->p_fd != -1) {
		p->p_got[p->p_gotlen] = '\0';
		if (p->p_indata) {
			if ((e = strstr(p->p_got + p->p_pos - 2,
			    "\r\n.\r\n")) == NULL)
				return;
			p->p_pos = e + 5 - p->p_got;
			p->p_indata = 0;
			peer_next(p);
			continue;
		}
		if ((e = strstr(p->p_got + p->p_pos, "\r\n")) == NULL)
			return;
		p->p_indata = strncmp(p->p_got + p->p_pos, "DATA\r\n", 6) == 0
		    && p->p_script[p->p_step] != NULL &&
		    strncmp(p->p_script[p->p_step], "354", 3) == 0;
		p->p_pos = e + 2 - p->p_got;
		peer_next(p);
	}
}

static void
peer_read(int fd, short event, void *arg)
{
	struct peer	*p = arg;
	ssize_t		 n;

	n = read(fd, p->p_got + p->p_gotlen, GOT_MAX - 1 - p->p_gotlen);
	if (n <= 0) {
		peer_say(p, NULL);
		return;
	}
	p->p_gotlen += n;
	peer_lines(p);
}

static void
peer_accept(int fd, short event, void *arg)
{
	struct peer	*p = arg;

	if (p->p_fd != -1)
		return;		/* one client at a time */
	if ((p->p_fd = accept(fd, NULL, NULL)) == -1)
		err(1, "peer accept");
	event_set(&p->p_rev, p->p_fd, EV_READ | EV_PERSIST, peer_read, p);
	event_add(&p->p_rev, NULL);
	peer_next(p);
}

static void
peer_start(const char *const *script)
{
	socklen_t	len = sizeof(peer.p_sin);

	memset(&peer, 0, sizeof(peer));
	peer.p_fd = -1;
	peer.p_script = script;
	peer.p_sin.sin_family = AF_INET;
	peer.p_sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((peer.p_lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(peer.p_lfd, (struct sockaddr *)&peer.p_sin,
	    sizeof(peer.p_sin)) == -1 || listen(peer.p_lfd, 128) == -1 ||
	    getsockname(peer.p_lfd, (struct sockaddr *)&peer.p_sin,
	    &len) == -1)
		err(1, "peer");
	event_set(&peer.p_lev, peer.p_lfd, EV_READ | EV_PERSIST, peer_accept,
	    &peer);
	event_add(&peer.p_lev, NULL);
}

static void
peer_stop(void)
{
	if (peer.p_fd != -1)
		peer_say(&peer, NULL);
	event_del(&peer.p_lev);
	close(peer.p_lfd);
}

static void
done_cb(void *arg, int result, const char *reply)
{
	struct result	*r = arg;

	r->r_called++;
	r->r_result = result;
	r->r_inside_send = in_send;
	r->r_count = smtp_count();
	strlcpy(r->r_reply, reply, sizeof(r->r_reply));
}

static long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* The event loop until done ran, or for ms when it never should. */
static void
run(struct result *r, long ms)
{
	long	end = now_ms() + ms;

	while (!r->r_called && now_ms() < end)
		event_loop(EVLOOP_ONCE | EVLOOP_NONBLOCK), usleep(1000);
}

static struct smtp_job *
send_to(const struct sockaddr_in *sin, const char *from, const char *data,
    struct result *r)
{
	struct smtp_job	*j;

	memset(r, 0, sizeof(*r));
	in_send = 1;
	j = smtp_send((const struct sockaddr *)sin, sizeof(*sin), HELO,
	    from, RCPT, data, strlen(data), done_cb, r);
	in_send = 0;
	return (j);
}

/* One mail through a scripted peer; the result of done, or -1. */
static int
dialogue(const char *const *script, const char *from, const char *data,
    struct result *r)
{
	peer_start(script);
	if (send_to(&peer.p_sin, from, data, r) == NULL)
		err(1, "smtp_send");
	run(r, RUN_LIMIT_MS);
	/* Let the peer read what the client wrote last. */
	for (int i = 0; i < 20 && peer.p_fd != -1; i++)
		event_loop(EVLOOP_ONCE | EVLOOP_NONBLOCK), usleep(1000);
	peer_stop();
	return (r->r_called == 1 ? r->r_result : -1);
}

static void
test_good(void)
{
	struct result	 r;
	const char	*want = "EHLO " HELO "\r\n"
			    "MAIL FROM:<" FROM ">\r\n"
			    "RCPT TO:<" RCPT ">\r\n"
			    "DATA\r\n"
			    "..hello\r\nworld\r\n...x\r\n \r\n.\r\n"
			    "QUIT\r\n";

	TAP_OK(dialogue(good_script, FROM, ".hello\nworld\r\n..x\r \n", &r)
	    == SMTP_OK && !r.r_inside_send, "good: SMTP_OK, from the loop");
	TAP_OK(strcmp(r.r_reply, "250 2.0.0 queued as 42") == 0,
	    "good: the reply is the 250 after the data");
	TAP_OK(strcmp(peer.p_got, want) == 0, "good: the exact dialogue, "
	    "dot-stuffed, every break CRLF, CRLF added before the dot");
	TAP_OK(r.r_count == 0 && smtp_count() == 0,
	    "good: the job no longer counts in done, and is gone after");
}

static void
test_null_sender(void)
{
	struct result	r;

	TAP_OK(dialogue(good_script, "", "x\r\n", &r) == SMTP_OK &&
	    strstr(peer.p_got, "MAIL FROM:<>\r\n") != NULL &&
	    strstr(peer.p_got, "DATA\r\nx\r\n.\r\n") != NULL,
	    "null sender: MAIL FROM:<>, data already ending in CRLF");
}

static void
test_bare_lines(void)
{
	static const char *const script[] = {
		"220\r\n", "250\n", "250 ok\r\n", "250 ok\r\n",
		"354\r\n", "250\r\n", "221\r\n", NULL
	};
	struct result	r;

	TAP_OK(dialogue(script, FROM, "x", &r) == SMTP_OK,
	    "bare: replies of a code alone and LF-only ends are read");
}

/* A greeting of len bytes in all, CRLF in, then the good script. */
static int
greeting_of(size_t len, struct result *r)
{
	static char	 g[1024];
	const char	*script[8];

	memset(g, 'x', sizeof(g));
	memcpy(g, "220 ", 4);
	memcpy(g + len - 2, "\r\n", 3);
	memcpy(script, good_script, sizeof(script));
	script[0] = g;
	return (dialogue(script, FROM, "x", r));
}

static void
test_line_bound(void)
{
	struct result	r;

	TAP_OK(greeting_of(SMTP_LINE_MAX, &r) == SMTP_OK,
	    "bound: a reply line of %d bytes is read", SMTP_LINE_MAX);
	TAP_OK(greeting_of(SMTP_LINE_MAX + 1, &r) == SMTP_TEMPFAIL &&
	    strstr(r.r_reply, "longer than") != NULL,
	    "bound: one of %d is a TEMPFAIL", SMTP_LINE_MAX + 1);
}

/* An EHLO reply of n lines. */
static int
ehlo_lines(size_t n, struct result *r)
{
	static char	 e[SMTP_REPLY_LINES * 16];
	const char	*script[8];
	size_t		 i;

	e[0] = '\0';
	for (i = 1; i < n; i++)
		strlcat(e, "250-peer\r\n", sizeof(e));
	strlcat(e, "250 peer\r\n", sizeof(e));
	memcpy(script, good_script, sizeof(script));
	script[1] = e;
	return (dialogue(script, FROM, "x", r));
}

static void
test_reply_lines(void)
{
	struct result	r;

	TAP_OK(ehlo_lines(SMTP_REPLY_LINES, &r) == SMTP_OK,
	    "lines: a reply of %d lines is read", SMTP_REPLY_LINES);
	TAP_OK(ehlo_lines(SMTP_REPLY_LINES + 1, &r) == SMTP_TEMPFAIL &&
	    strstr(r.r_reply, "reply too long") != NULL,
	    "lines: one of %d is a TEMPFAIL", SMTP_REPLY_LINES + 1);
}

/* The good script with step i replaced by s. */
static int
broken(size_t i, const char *s, struct result *r)
{
	const char	*script[8];

	memcpy(script, good_script, sizeof(script));
	script[i] = s;
	return (dialogue(script, FROM, "x", r));
}

static void
test_broken(void)
{
	struct result	r;

	TAP_OK(broken(0, "hello\r\n", &r) == SMTP_TEMPFAIL &&
	    strncmp(r.r_reply, "malformed reply: hello", 22) == 0,
	    "broken: a greeting without a code");
	TAP_OK(broken(0, "220x\r\n", &r) == SMTP_TEMPFAIL,
	    "broken: a code run into its text");
	TAP_OK(broken(0, "120 wait\r\n", &r) == SMTP_TEMPFAIL,
	    "broken: a code below 200");
	TAP_OK(broken(0, "2\x1b[31m\xff\r\n", &r) == SMTP_TEMPFAIL &&
	    strstr(r.r_reply, "\x1b") == NULL &&
	    strstr(r.r_reply, "\xff") == NULL,
	    "broken: control bytes reach the reply only in vis(3) form");
	TAP_OK(broken(1, "250-peer\r\n251 peer\r\n", &r) == SMTP_TEMPFAIL,
	    "broken: a multi-line reply whose code changes");
	TAP_OK(broken(0, "220 a\r\n220 b\r\n", &r) == SMTP_TEMPFAIL &&
	    strncmp(r.r_reply, "data after the reply", 20) == 0,
	    "broken: a reply nobody asked for");
	TAP_OK(broken(4, "250 ok\r\n", &r) == SMTP_TEMPFAIL &&
	    strncmp(r.r_reply, "unexpected reply", 16) == 0,
	    "broken: DATA answered 250, not 354");
	TAP_OK(broken(3, "354 go\r\n", &r) == SMTP_TEMPFAIL,
	    "broken: RCPT answered 354");
	TAP_OK(broken(1, NULL, &r) == SMTP_TEMPFAIL &&
	    strstr(r.r_reply, "closed") != NULL,
	    "broken: the peer hangs up after the greeting");
	TAP_OK(broken(5, NULL, &r) == SMTP_TEMPFAIL,
	    "broken: the peer hangs up after the data, before its 250");
	TAP_OK(broken(6, NULL, &r) == SMTP_OK,
	    "broken: a peer that hangs up on QUIT: the 250 stands");
	TAP_OK(smtp_count() == 0, "broken: no job left");
}

static void
test_timeouts(void)
{
	struct result	r;
	long		t0;

	smtp_set_timeout(TIMEOUT_MS);
	t0 = now_ms();
	TAP_OK(broken(0, SILENT, &r) == SMTP_TEMPFAIL &&
	    strstr(r.r_reply, "timeout") != NULL &&
	    now_ms() - t0 >= TIMEOUT_MS - 10,
	    "timeout: a silent peer, after %d ms", TIMEOUT_MS);
	TAP_OK(broken(5, SILENT, &r) == SMTP_TEMPFAIL &&
	    strstr(r.r_reply, "timeout") != NULL,
	    "timeout: no answer to the data");
	TAP_OK(broken(6, SILENT, &r) == SMTP_OK,
	    "timeout: no answer to QUIT: the 250 stands");
	smtp_set_timeout(0);
}

static void
test_refused(void)
{
	struct sockaddr_in	sin;
	struct result		r;
	socklen_t		len = sizeof(sin);
	int			fd;
	long			t0;

	/* A port that was free a moment ago. */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		err(1, "socket");
	close(fd);
	t0 = now_ms();
	TAP_OK(send_to(&sin, FROM, "x", &r) != NULL && !r.r_called,
	    "refused: smtp_send returns a job, done not yet called");
	run(&r, RUN_LIMIT_MS);
	TAP_OK(r.r_called == 1 && r.r_result == SMTP_TEMPFAIL &&
	    strstr(r.r_reply, "refused") != NULL && now_ms() - t0 < 1000,
	    "refused: SMTP_TEMPFAIL from the loop, at once");
}

/* An address of len bytes. */
static const char *
address_of(size_t len)
{
	static char	a[SMTP_PATH_MAX + 8];

	memset(a, 'a', len);
	memcpy(a + len - 7, "@x.test", 8);
	return (a);
}

static void
test_einval(void)
{
	struct sockaddr_in	 sin;
	struct smtp_job		*j;
	struct result		 r;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
#define EINVAL_OK(h, f, t, what) do {					\
	errno = 0;							\
	TAP_OK(smtp_send((struct sockaddr *)&sin, sizeof(sin), h, f, t,	\
	    "x", 1, done_cb, &r) == NULL && errno == EINVAL,		\
	    "einval: %s", what);					\
} while (0)
	EINVAL_OK("", FROM, RCPT, "an empty helo name");
	EINVAL_OK("a b", FROM, RCPT, "a helo name with a blank");
	EINVAL_OK(HELO, FROM, "", "an empty recipient");
	EINVAL_OK(HELO, FROM, RCPT "\r\nRSET", "CRLF in the recipient");
	EINVAL_OK(HELO, "a>b@x.test", RCPT, "> in the sender");
	EINVAL_OK(HELO, "\xc3\xa9@x.test", RCPT, "a non-ASCII sender");
	EINVAL_OK(HELO, FROM, address_of(SMTP_PATH_MAX),
	    "a path of 257 bytes with <>");
#undef EINVAL_OK
	TAP_OK(smtp_count() == 0, "einval: no job made");
	j = smtp_send((struct sockaddr *)&sin, sizeof(sin), HELO, FROM,
	    address_of(SMTP_PATH_MAX - 1), "x", 1, done_cb, &r);
	TAP_OK(j != NULL, "einval: a path of 256 bytes with <> is taken");
	smtp_cancel(j);
	TAP_OK(smtp_count() == 0, "einval: and cancelled");
}

static void
cancel_cb(void *arg, int result, const char *reply)
{
	struct smtp_job	**jp = arg;

	smtp_cancel(*jp);	/* must do nothing */
	*jp = NULL;
}

static void
test_cancel(void)
{
	static struct smtp_job	*jobs[SMTP_JOBS_MAX];
	struct smtp_job		*j;
	struct result		 r;
	size_t			 i;

	peer_start((const char *const []){ SILENT, NULL });
	for (i = 0; i < SMTP_JOBS_MAX; i++)
		if ((jobs[i] = send_to(&peer.p_sin, FROM, "x", &r)) == NULL)
			break;
	TAP_OK(i == SMTP_JOBS_MAX, "cap: %d jobs at once", SMTP_JOBS_MAX);
	errno = 0;
	TAP_OK(send_to(&peer.p_sin, FROM, "x", &r) == NULL &&
	    errno == ENOBUFS, "cap: one more is ENOBUFS");
	run(&r, 100);
	for (i = 0; i < SMTP_JOBS_MAX; i++)
		smtp_cancel(jobs[i]);
	run(&r, 100);
	TAP_OK(!r.r_called && smtp_count() == 0,
	    "cancel: no done, no job left");
	peer_stop();

	peer_start(good_script);
	memset(&r, 0, sizeof(r));
	j = smtp_send((struct sockaddr *)&peer.p_sin, sizeof(peer.p_sin),
	    HELO, FROM, RCPT, "x", 1, cancel_cb, &j);
	for (i = 0; i < 500 && j != NULL; i++)
		event_loop(EVLOOP_ONCE | EVLOOP_NONBLOCK), usleep(1000);
	TAP_OK(j == NULL && smtp_count() == 0,
	    "cancel: inside done it does nothing");
	peer_stop();
}

int
main(void)
{
	if (event_init() == NULL)
		errx(1, "event_init");
	test_good();
	test_null_sender();
	test_bare_lines();
	test_line_bound();
	test_reply_lines();
	test_broken();
	test_timeouts();
	test_refused();
	test_einval();
	test_cancel();
	return (TAP_DONE());
}
