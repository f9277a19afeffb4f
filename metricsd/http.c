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
 * The HTTP side of metricsd: one GET /metrics per connection, answered
 * with the numbers the parent gathers, then closed.  Every byte comes
 * from a stranger, so a source must be on the allow-list, a request's
 * head fits HTTP_REQUEST_MAX, a connection lives HTTP_TIMEOUT_S at most
 * and HTTP_CONNS_MAX of them are served at once; the rest are closed on
 * arrival.  The request's headers are checked for bytes, never used.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdefs.h"
#include "config.h"
#include "imd_msg.h"
#include "log.h"
#include "metricsd.h"
#include "prefix.h"
#include "proc.h"
#include "refusal.h"
#include "stats.h"

#define HTTP_CONNS_MAX		8
#define HTTP_REQUEST_MAX	4096
#define HTTP_BODY_MAX		(256 * 1024)
#define HTTP_TIMEOUT_S		10
#define HTTP_LINE_MAX		(STATS_NAME_MAX + STATS_LABELS_MAX + \
	STATS_HELP_MAX + 64)

enum http_state {
	HTTP_READING,		/* the request's head */
	HTTP_WAITING,		/* for the parent's numbers */
	HTTP_WRITING,		/* the answer, then close */
};

struct http_conn {
	TAILQ_ENTRY(http_conn)	 hc_entry;
	uint32_t		 hc_id;
	int			 hc_fd;
	enum http_state		 hc_state;
	struct event		 hc_ev;
	struct event		 hc_timer;
	char			 hc_in[HTTP_REQUEST_MAX];
	size_t			 hc_inlen;
	char			*hc_body;	/* while WAITING */
	size_t			 hc_bodylen;
	int			 hc_overflow;
	char			 hc_family[STATS_NAME_MAX];
	char			*hc_out;	/* while WRITING */
	size_t			 hc_outlen;
	size_t			 hc_outoff;
};

static TAILQ_HEAD(, http_conn)	http_conns = TAILQ_HEAD_INITIALIZER(http_conns);
static size_t			http_nconns;
static uint32_t			http_nextid = 1;
static int			http_fd = -1;
static struct event		http_accept_ev;

static void	http_readable(int, short, void *);
static void	http_writable(int, short, void *);

/* The bound socket, kept out of the configuration, which may reload. */
void
http_take_socket(struct imd_conf *conf)
{
	http_fd = conf->c_metrics.cm_fd;
	conf->c_metrics.cm_fd = -1;
}

static int
http_prefix_match(const struct sockaddr_storage *ss,
    const struct addr_prefix *allow)
{
	struct addr_prefix	ap;

	prefix_of_sockaddr(ss, allow->ap_bits, allow->ap_bits, &ap);
	return (prefix_cmp(&ap, allow) == 0);
}

/* The allow-list, or loopback alone when there is none. */
static int
http_allowed(const struct sockaddr_storage *ss)
{
	const struct conf_metrics	*cm = &metricsd_conf->c_metrics;
	struct addr_prefix		 lo;
	uint32_t			 i;

	if (cm->cm_nallow == 0) {
		if (prefix_of_string("127.0.0.0", 8, 8, &lo) == 0 &&
		    http_prefix_match(ss, &lo))
			return (1);
		return (prefix_of_string("::1", 128, 128, &lo) == 0 &&
		    http_prefix_match(ss, &lo));
	}
	for (i = 0; i < cm->cm_nallow; i++)
		if (http_prefix_match(ss, &cm->cm_allow[i]))
			return (1);
	return (0);
}

static void
http_close(struct http_conn *hc)
{
	event_del(&hc->hc_ev);
	evtimer_del(&hc->hc_timer);
	close(hc->hc_fd);
	TAILQ_REMOVE(&http_conns, hc, hc_entry);
	http_nconns--;
	free(hc->hc_body);
	free(hc->hc_out);
	free(hc);
}

static void
http_timeout(int fd IMD_UNUSED, short ev IMD_UNUSED, void *arg)
{
	http_close(arg);
}

/* The whole answer is built, then written as the socket takes it. */
static void
http_respond(struct http_conn *hc, int status, const char *reason,
    const char *ctype, const char *body, size_t len)
{
	char	head[256];
	int	n;

	n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", status, reason, ctype, len);
	if (n < 0 || (size_t)n >= sizeof(head) ||
	    (hc->hc_out = malloc(n + len)) == NULL) {
		http_close(hc);
		return;
	}
	memcpy(hc->hc_out, head, n);
	memcpy(hc->hc_out + n, body, len);
	hc->hc_outlen = n + len;
	hc->hc_state = HTTP_WRITING;
	stats_inc(status == 200 ? STAT_SCRAPES_OK : STAT_SCRAPES_BAD);
	event_del(&hc->hc_ev);
	event_set(&hc->hc_ev, hc->hc_fd, EV_WRITE | EV_PERSIST, http_writable,
	    hc);
	event_add(&hc->hc_ev, NULL);
}

static void
http_error(struct http_conn *hc, int status, const char *reason)
{
	char	body[128];
	int	n;

	n = snprintf(body, sizeof(body), "%d %s\n", status, reason);
	http_respond(hc, status, reason, "text/plain; charset=utf-8", body,
	    n);
}

/* Printable ASCII, and tabs, in a line of the head. */
static int
http_line_ok(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if ((s[i] < 0x20 || s[i] > 0x7e) && s[i] != '\t')
			return (0);
	return (1);
}

/* Every line of the head, CRLF-ended, holds nothing but text. */
static int
http_head_ok(const char *head, size_t len)
{
	const char	*p = head, *end = head + len, *eol;

	while (p < end) {
		if ((eol = memmem(p, end - p, "\r\n", 2)) == NULL ||
		    !http_line_ok(p, eol - p))
			return (0);
		p = eol + 2;
	}
	return (1);
}

/* "GET /metrics HTTP/1.1": else 400, 405 or 404. */
static void
http_request(struct http_conn *hc, size_t headlen)
{
	struct imsgev	*parent = proc_peer(PROC_PARENT);
	char		 line[HTTP_REQUEST_MAX], *target, *version;
	const char	*eol;

	eol = memmem(hc->hc_in, headlen, "\r\n", 2);
	memcpy(line, hc->hc_in, eol - hc->hc_in);
	line[eol - hc->hc_in] = '\0';
	if (!http_head_ok(hc->hc_in, headlen) ||
	    (target = strchr(line, ' ')) == NULL ||
	    (version = strchr(target + 1, ' ')) == NULL) {
		http_error(hc, 400, "Bad Request");
		return;
	}
	*target++ = '\0';
	*version++ = '\0';
	if (strcmp(version, "HTTP/1.1") != 0 &&
	    strcmp(version, "HTTP/1.0") != 0)
		http_error(hc, 400, "Bad Request");
	else if (strcmp(line, "GET") != 0)
		http_error(hc, 405, "Method Not Allowed");
	else if (strcmp(target, "/metrics") != 0)
		http_error(hc, 404, "Not Found");
	else {
		hc->hc_state = HTTP_WAITING;
		event_del(&hc->hc_ev);
		if (imsgev_compose(parent, IMSG_METRICS_GET, hc->hc_id, -1,
		    NULL, 0) == -1)
			fatal("%s", __func__);
	}
}

static void
http_readable(int fd, short ev IMD_UNUSED, void *arg)
{
	struct http_conn	*hc = arg;
	const char		*end;
	ssize_t			 n;

	n = read(fd, hc->hc_in + hc->hc_inlen,
	    sizeof(hc->hc_in) - hc->hc_inlen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		http_close(hc);
		return;
	}
	hc->hc_inlen += n;
	if ((end = memmem(hc->hc_in, hc->hc_inlen, "\r\n\r\n", 4)) != NULL)
		http_request(hc, end + 2 - hc->hc_in);
	else if (hc->hc_inlen == sizeof(hc->hc_in))
		http_error(hc, 431, "Request Header Fields Too Large");
}

static void
http_writable(int fd, short ev IMD_UNUSED, void *arg)
{
	struct http_conn	*hc = arg;
	ssize_t			 n;

	n = write(fd, hc->hc_out + hc->hc_outoff,
	    hc->hc_outlen - hc->hc_outoff);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || (hc->hc_outoff += n) == hc->hc_outlen)
		http_close(hc);
}

static void
http_accept(int fd, short ev IMD_UNUSED, void *arg IMD_UNUSED)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	struct addr_prefix	 ap;
	struct http_conn	*hc;
	char			 name[PREFIX_NAME_MAX];
	struct timeval		 tv = { HTTP_TIMEOUT_S, 0 };
	int			 s;

	if ((s = accept4(fd, (struct sockaddr *)&ss, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("metrics: accept");
		return;
	}
	if (!http_allowed(&ss) || http_nconns >= HTTP_CONNS_MAX) {
		prefix_of_sockaddr(&ss, 32, 128, &ap);
		prefix_name(&ap, name, sizeof(name));
		if (refusal_note(STAT_REFUSED_METRICS, name))
			log_info("metrics: %s: connection refused: %s", name,
			    http_nconns >= HTTP_CONNS_MAX ? "too many" :
			    "source not allowed");
		close(s);
		return;
	}
	if ((hc = calloc(1, sizeof(*hc))) == NULL) {
		log_warn("metrics");
		close(s);
		return;
	}
	hc->hc_fd = s;
	hc->hc_id = http_nextid++;
	TAILQ_INSERT_TAIL(&http_conns, hc, hc_entry);
	http_nconns++;
	event_set(&hc->hc_ev, s, EV_READ | EV_PERSIST, http_readable, hc);
	event_add(&hc->hc_ev, NULL);
	evtimer_set(&hc->hc_timer, http_timeout, hc);
	evtimer_add(&hc->hc_timer, &tv);
}

/* The parent's IMSG_START: serve, if there is anything to serve on. */
void
http_start(void)
{
	if (http_fd == -1)
		return;
	event_set(&http_accept_ev, http_fd, EV_READ | EV_PERSIST, http_accept,
	    NULL);
	event_add(&http_accept_ev, NULL);
}

static struct http_conn *
http_find(uint32_t id)
{
	struct http_conn	*hc;

	TAILQ_FOREACH(hc, &http_conns, hc_entry)
		if (hc->hc_id == id)
			return (hc->hc_state == HTTP_WAITING ? hc : NULL);
	return (NULL);
}

static void
http_append(struct http_conn *hc, const char *s, size_t len)
{
	char	*p;

	if (hc->hc_overflow || hc->hc_bodylen + len > HTTP_BODY_MAX) {
		hc->hc_overflow = 1;
		return;
	}
	if ((p = realloc(hc->hc_body, hc->hc_bodylen + len)) == NULL) {
		hc->hc_overflow = 1;
		return;
	}
	memcpy(p + hc->hc_bodylen, s, len);
	hc->hc_body = p;
	hc->hc_bodylen += len;
}

/*
 * One number of a scrape, in the text format: the family's HELP and
 * TYPE before its first series (the parent sends a family's series
 * together).
 */
void
http_item(uint32_t id, const struct stats_item *si)
{
	struct http_conn	*hc;
	char			 line[HTTP_LINE_MAX], value[32];
	int			 n;

	if ((hc = http_find(id)) == NULL)
		return;		/* it went away meanwhile */
	if (strcmp(hc->hc_family, si->sti_name) != 0) {
		strlcpy(hc->hc_family, si->sti_name, sizeof(hc->hc_family));
		n = snprintf(line, sizeof(line), "# HELP %s %s\n# TYPE %s %s\n",
		    si->sti_name, si->sti_help, si->sti_name,
		    si->sti_kind == STATS_COUNTER ? "counter" : "gauge");
		if (n > 0 && (size_t)n < sizeof(line))
			http_append(hc, line, n);
	}
	stats_item_value(si, value, sizeof(value));
	n = snprintf(line, sizeof(line), "%s%s%s%s %s\n", si->sti_name,
	    si->sti_labels[0] != '\0' ? "{" : "", si->sti_labels,
	    si->sti_labels[0] != '\0' ? "}" : "", value);
	if (n > 0 && (size_t)n < sizeof(line))
		http_append(hc, line, n);
}

void
http_end(uint32_t id)
{
	struct http_conn	*hc;

	if ((hc = http_find(id)) == NULL)
		return;
	if (hc->hc_overflow || hc->hc_bodylen == 0)
		http_error(hc, 503, "Service Unavailable");
	else
		http_respond(hc, 200, "OK",
		    "text/plain; version=0.0.4; charset=utf-8", hc->hc_body,
		    hc->hc_bodylen);
}
