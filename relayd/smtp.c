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
 * An SMTP client for one mail per connection (see smtp.h).  Each job
 * is a small state machine driven by its socket and one timer; the
 * timer also carries the report to the caller, so that done never runs
 * inside smtp_send() or inside a read half-way through a buffer.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <event.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vis.h>

#include "cdefs.h"
#include "smtp.h"

#define SMTP_CMD_MAX	(SMTP_PATH_MAX + 32)	/* longest command line */
/* A reply line in vis(3) form, 4 bytes a byte at worst, and a prefix. */
#define SMTP_REPLY_MAX	(SMTP_LINE_MAX * 4 + 64)

enum smtp_state {
	SMTP_CONNECT,		/* connect() in progress */
	SMTP_GREETING,		/* waiting for 220 */
	SMTP_EHLO,
	SMTP_HELO,
	SMTP_MAIL,
	SMTP_RCPT,
	SMTP_DATA,		/* waiting for 354 */
	SMTP_BODY,		/* data sent, waiting for 250 */
	SMTP_QUIT,		/* the result is known, saying goodbye */
	SMTP_FINISHED,		/* closed, the report is due */
};

struct smtp_job {
	int		  sj_fd;
	enum smtp_state	  sj_state;
	struct event	  sj_rev;
	struct event	  sj_wev;
	struct event	  sj_timer;
	struct timeval	  sj_timeout;
	char		  sj_helo[SMTP_HELO_MAX];
	char		  sj_from[SMTP_PATH_MAX + 2];	/* with <> */
	char		  sj_rcpt[SMTP_PATH_MAX + 2];
	char		 *sj_data;	/* dot-stuffed, with the final dot */
	size_t		  sj_datalen;
	char		  sj_cmd[SMTP_CMD_MAX];
	const char	 *sj_out;	/* sj_cmd or sj_data while sending */
	size_t		  sj_outlen;
	size_t		  sj_outpos;
	char		  sj_in[SMTP_LINE_MAX];
	size_t		  sj_inlen;
	int		  sj_code;	/* of the reply being read, or 0 */
	size_t		  sj_nlines;	/* lines of that reply so far */
	int		  sj_result;
	char		  sj_reply[SMTP_REPLY_MAX];
	void		(*sj_done)(void *, int, const char *);
	void		 *sj_arg;
};

static size_t		smtp_jobs;

static void	smtp_event(int, short, void *);
static void	smtp_timer(int, short, void *);
static void	smtp_fail(struct smtp_job *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));

size_t
smtp_count(void)
{
	return (smtp_jobs);
}

const char *
smtp_result_name(int result)
{
	switch (result) {
	case SMTP_OK:
		return ("ok");
	case SMTP_TEMPFAIL:
		return ("temporary failure");
	case SMTP_PERMFAIL:
		return ("permanent failure");
	}
	return ("unknown");
}

/*
 * Dot-stuffing (RFC 5321 4.5.2) with every line break made CRLF, a
 * CRLF at the end if missing, and the final dot.  With out NULL it only
 * counts; no byte grows to more than two, so 2 * len + 5 is a bound.
 */
static size_t
smtp_stuff(const char *p, size_t len, char *out)
{
	size_t	i, n = 0;
	int	bol = 1;

	for (i = 0; i < len; i++) {
		if (bol && p[i] == '.') {
			if (out != NULL)
				out[n] = '.';
			n++;
		}
		bol = (p[i] == '\r' || p[i] == '\n');
		if (bol) {
			if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')
				i++;
			if (out != NULL)
				memcpy(out + n, "\r\n", 2);
			n += 2;
		} else {
			if (out != NULL)
				out[n] = p[i];
			n++;
		}
	}
	if (!bol) {
		if (out != NULL)
			memcpy(out + n, "\r\n", 2);
		n += 2;
	}
	if (out != NULL)
		memcpy(out + n, ".\r\n", 3);
	return (n + 3);
}

/* What may stand between < and > or after EHLO: no blank, no control. */
static int
smtp_is_word(const char *s, size_t max, int empty_ok)
{
	size_t	len;

	if ((len = strnlen(s, max)) == max || (len == 0 && !empty_ok))
		return (0);
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f ||
		    *s == '<' || *s == '>')
			return (0);
	return (1);
}

static void
smtp_timer_reset(struct smtp_job *j)
{
	evtimer_add(&j->sj_timer, &j->sj_timeout);
}

static void
smtp_update(struct smtp_job *j)
{
	if (j->sj_outpos < j->sj_outlen)
		event_add(&j->sj_wev, NULL);
	else
		event_del(&j->sj_wev);
}

static void
smtp_free(struct smtp_job *j)
{
	/* Without a socket the I/O events are unset or already gone. */
	if (j->sj_fd != -1) {
		event_del(&j->sj_rev);
		event_del(&j->sj_wev);
		close(j->sj_fd);
	}
	evtimer_del(&j->sj_timer);
	freezero(j->sj_data, j->sj_datalen);
	free(j);
}

/* Reply lines come from the network: only ever kept in vis(3) form. */
static void
smtp_set_reply(struct smtp_job *j, const char *line, size_t len)
{
	strnvisx(j->sj_reply, sizeof(j->sj_reply), line, len,
	    VIS_SAFE | VIS_NL | VIS_CSTYLE);
}

/* The end of the connection; done runs from the timer, soon after. */
static void
smtp_finish(struct smtp_job *j, int result)
{
	static const struct timeval	now = { 0, 0 };

	event_del(&j->sj_rev);
	event_del(&j->sj_wev);
	if (j->sj_fd != -1) {
		close(j->sj_fd);
		j->sj_fd = -1;
	}
	j->sj_result = result;
	j->sj_state = SMTP_FINISHED;
	evtimer_add(&j->sj_timer, &now);
}

/* A server that broke the protocol: its line stays in the reply. */
static void
smtp_bad_reply(struct smtp_job *j, const char *why)
{
	char	line[SMTP_REPLY_MAX];

	strlcpy(line, j->sj_reply, sizeof(line));
	strlcpy(j->sj_reply, why, sizeof(j->sj_reply));
	strlcat(j->sj_reply, ": ", sizeof(j->sj_reply));
	strlcat(j->sj_reply, line, sizeof(j->sj_reply));
	smtp_finish(j, SMTP_TEMPFAIL);
}

/* A local failure, or a server that broke the protocol: no QUIT. */
static void
smtp_fail(struct smtp_job *j, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(j->sj_reply, sizeof(j->sj_reply), fmt, ap);
	va_end(ap);
	smtp_finish(j, SMTP_TEMPFAIL);
}

static void
smtp_output(struct smtp_job *j, const char *p, size_t len)
{
	j->sj_out = p;
	j->sj_outlen = len;
	j->sj_outpos = 0;
	smtp_timer_reset(j);
	smtp_update(j);
}

static void
smtp_command(struct smtp_job *j, enum smtp_state next, const char *verb,
    const char *arg)
{
	int	n;

	/* Arguments were bounded in smtp_send(): this cannot truncate. */
	n = snprintf(j->sj_cmd, sizeof(j->sj_cmd), "%s%s\r\n", verb, arg);
	if (n < 0 || (size_t)n >= sizeof(j->sj_cmd)) {
		smtp_fail(j, "command too long");
		return;
	}
	j->sj_state = next;
	smtp_output(j, j->sj_cmd, n);
}

static void
smtp_quit(struct smtp_job *j, int result)
{
	j->sj_result = result;
	smtp_command(j, SMTP_QUIT, "QUIT", "");
}

static void
smtp_next(struct smtp_job *j)
{
	switch (j->sj_state) {
	case SMTP_GREETING:
		smtp_command(j, SMTP_EHLO, "EHLO ", j->sj_helo);
		break;
	case SMTP_EHLO:
	case SMTP_HELO:
		smtp_command(j, SMTP_MAIL, "MAIL FROM:", j->sj_from);
		break;
	case SMTP_MAIL:
		smtp_command(j, SMTP_RCPT, "RCPT TO:", j->sj_rcpt);
		break;
	case SMTP_RCPT:
		smtp_command(j, SMTP_DATA, "DATA", "");
		break;
	case SMTP_DATA:
		j->sj_state = SMTP_BODY;
		smtp_output(j, j->sj_data, j->sj_datalen);
		break;
	case SMTP_BODY:
		smtp_quit(j, SMTP_OK);
		break;
	default:
		smtp_fail(j, "reply in the wrong state");
		break;
	}
}

/*
 * A 5xx condemns the mail only where it answers for the mail (MAIL,
 * RCPT, DATA, the data); before that it says the MTA is not ready,
 * which a retry can outlive.
 */
static int
smtp_failure(enum smtp_state state, int class)
{
	if (class == 5 && state >= SMTP_MAIL && state <= SMTP_BODY)
		return (SMTP_PERMFAIL);
	return (SMTP_TEMPFAIL);
}

static void
smtp_reply(struct smtp_job *j, int code)
{
	int	class = code / 100;
	int	want = j->sj_state == SMTP_DATA ? 3 : 2;

	if (j->sj_state == SMTP_QUIT)
		smtp_finish(j, j->sj_result);
	else if (class == want)
		smtp_next(j);
	else if (j->sj_state == SMTP_EHLO && class == 5)
		smtp_command(j, SMTP_HELO, "HELO ", j->sj_helo);
	else if (class == 4 || class == 5)
		smtp_quit(j, smtp_failure(j->sj_state, class));
	else
		smtp_bad_reply(j, "unexpected reply");
}

/* "ddd", "ddd text" or "ddd-text" (RFC 5321 4.2); code or -1. */
static int
smtp_parse_line(const char *line, size_t len, int *more)
{
	if (len < 3 || line[0] < '2' || line[0] > '5' ||
	    line[1] < '0' || line[1] > '9' || line[2] < '0' || line[2] > '9')
		return (-1);
	if (len > 3 && line[3] != ' ' && line[3] != '-')
		return (-1);
	*more = len > 3 && line[3] == '-';
	return ((line[0] - '0') * 100 + (line[1] - '0') * 10 + line[2] - '0');
}

/* One reply line, CRLF gone; -1 when the job has ended. */
static int
smtp_line(struct smtp_job *j, const char *line, size_t len)
{
	int	code, more;

	/* Whatever answers QUIT, the reply that settled the mail stays. */
	if (j->sj_state == SMTP_QUIT) {
		smtp_finish(j, j->sj_result);
		return (-1);
	}
	smtp_set_reply(j, line, len);
	if ((code = smtp_parse_line(line, len, &more)) == -1 ||
	    (j->sj_code != 0 && code != j->sj_code)) {
		smtp_bad_reply(j, "malformed reply");
		return (-1);
	}
	if (++j->sj_nlines > SMTP_REPLY_LINES) {
		smtp_bad_reply(j, "reply too long");
		return (-1);
	}
	j->sj_code = code;
	if (more)
		return (0);
	j->sj_code = 0;
	j->sj_nlines = 0;
	/* Lock-step: anything beyond the reply was never asked for. */
	if (j->sj_inlen > 0) {
		smtp_bad_reply(j, "data after the reply");
		return (-1);
	}
	smtp_reply(j, code);
	return (j->sj_state == SMTP_FINISHED ? -1 : 0);
}

static void
smtp_lines(struct smtp_job *j)
{
	char	 line[SMTP_LINE_MAX];
	char	*lf;
	size_t	 len;

	while ((lf = memchr(j->sj_in, '\n', j->sj_inlen)) != NULL) {
		len = lf - j->sj_in;
		memcpy(line, j->sj_in, len);
		j->sj_inlen -= len + 1;
		memmove(j->sj_in, lf + 1, j->sj_inlen);
		if (len > 0 && line[len - 1] == '\r')
			len--;
		line[len] = '\0';
		if (smtp_line(j, line, len) == -1)
			return;
	}
	if (j->sj_inlen == sizeof(j->sj_in))
		smtp_fail(j, "reply line longer than %d bytes",
		    SMTP_LINE_MAX);
}

static void
smtp_read(struct smtp_job *j)
{
	ssize_t	n;

	n = read(j->sj_fd, j->sj_in + j->sj_inlen,
	    sizeof(j->sj_in) - j->sj_inlen);
	if (n == -1) {
		if (errno != EAGAIN && errno != EINTR)
			smtp_fail(j, "read: %s", strerror(errno));
	} else if (n == 0) {
		if (j->sj_state == SMTP_QUIT)
			smtp_finish(j, j->sj_result);
		else
			smtp_fail(j, "connection closed by the server");
	} else {
		j->sj_inlen += n;
		smtp_lines(j);
	}
}

static void
smtp_write(struct smtp_job *j)
{
	ssize_t	n;

	n = send(j->sj_fd, j->sj_out + j->sj_outpos,
	    j->sj_outlen - j->sj_outpos, MSG_NOSIGNAL);
	if (n == -1) {
		if (errno != EAGAIN && errno != EINTR)
			smtp_fail(j, "write: %s", strerror(errno));
		return;
	}
	/* The timeout bounds each step, and a long body is progress. */
	j->sj_outpos += n;
	smtp_timer_reset(j);
	smtp_update(j);
}

static void
smtp_connected(struct smtp_job *j)
{
	int		err;
	socklen_t	len = sizeof(err);

	if (getsockopt(j->sj_fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		smtp_fail(j, "connect: %s", strerror(err));
		return;
	}
	j->sj_state = SMTP_GREETING;
	smtp_timer_reset(j);
	event_del(&j->sj_wev);
	event_add(&j->sj_rev, NULL);
}

static void
smtp_event(int fd IMD_UNUSED, short event, void *arg)
{
	struct smtp_job	*j = arg;

	if (j->sj_state == SMTP_CONNECT)
		smtp_connected(j);
	else if (event & EV_READ)
		smtp_read(j);
	else if (event & EV_WRITE)
		smtp_write(j);
}

static void
smtp_report(struct smtp_job *j)
{
	/* No longer running: done may start the next job in its place. */
	smtp_jobs--;
	j->sj_done(j->sj_arg, j->sj_result, j->sj_reply);
	smtp_free(j);
}

static void
smtp_timer(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct smtp_job	*j = arg;

	if (j->sj_state == SMTP_FINISHED)
		smtp_report(j);
	else if (j->sj_state == SMTP_QUIT)
		smtp_finish(j, j->sj_result);	/* the mail is settled */
	else
		smtp_fail(j, "timeout after %d ms %s", SMTP_TIMEOUT,
		    j->sj_state == SMTP_CONNECT ? "connecting" :
		    "waiting for a reply");
}

static int
smtp_connect(struct smtp_job *j, const struct sockaddr *sa, socklen_t len)
{
	if ((j->sj_fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	event_set(&j->sj_rev, j->sj_fd, EV_READ | EV_PERSIST, smtp_event, j);
	event_set(&j->sj_wev, j->sj_fd, EV_WRITE | EV_PERSIST, smtp_event, j);
	if (connect(j->sj_fd, sa, len) == 0)
		smtp_connected(j);
	else if (errno == EINPROGRESS) {
		smtp_timer_reset(j);
		event_add(&j->sj_wev, NULL);
	} else
		smtp_fail(j, "connect: %s", strerror(errno));
	return (0);
}

static int
smtp_copy_args(struct smtp_job *j, const char *helo, const char *from,
    const char *rcpt, const char *data, size_t len)
{
	snprintf(j->sj_helo, sizeof(j->sj_helo), "%s", helo);
	snprintf(j->sj_from, sizeof(j->sj_from), "<%s>", from);
	snprintf(j->sj_rcpt, sizeof(j->sj_rcpt), "<%s>", rcpt);
	j->sj_datalen = smtp_stuff(data, len, NULL);
	if ((j->sj_data = malloc(j->sj_datalen)) == NULL)
		return (-1);
	smtp_stuff(data, len, j->sj_data);
	return (0);
}

struct smtp_job *
smtp_send(const struct sockaddr *mta, socklen_t mtalen, const char *helo,
    const char *from, const char *rcpt, const char *data, size_t len,
    void (*done)(void *, int, const char *), void *arg)
{
	struct smtp_job	*j;
	int		 saved;

	if (!smtp_is_word(helo, SMTP_HELO_MAX, 0) ||
	    !smtp_is_word(from, SMTP_PATH_MAX, 1) ||
	    !smtp_is_word(rcpt, SMTP_PATH_MAX, 0) || done == NULL ||
	    (data == NULL && len > 0) || len > (SIZE_MAX - 5) / 2) {
		errno = EINVAL;
		return (NULL);
	}
	if (smtp_jobs >= SMTP_JOBS_MAX) {
		errno = ENOBUFS;
		return (NULL);
	}
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return (NULL);
	smtp_jobs++;
	j->sj_fd = -1;
	j->sj_done = done;
	j->sj_arg = arg;
	j->sj_state = SMTP_CONNECT;
	j->sj_timeout.tv_sec = SMTP_TIMEOUT / 1000;
	j->sj_timeout.tv_usec = (SMTP_TIMEOUT % 1000) * 1000;
	evtimer_set(&j->sj_timer, smtp_timer, j);
	if (smtp_copy_args(j, helo, from, rcpt, data, len) == -1 ||
	    smtp_connect(j, mta, mtalen) == -1) {
		saved = errno;
		smtp_jobs--;
		smtp_free(j);
		errno = saved;
		return (NULL);
	}
	return (j);
}
