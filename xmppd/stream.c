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
 * One server-to-server stream on a TCP connection: non-blocking reads
 * into the stream's parser, a bounded output queue, the TLS layer once
 * STARTTLS (or XEP-0368 direct TLS) says so, and its timers: the whole
 * negotiation must end within XMPP_HANDSHAKE_S, and a stream idle for
 * the configured time is closed.  A stream is never freed inside its
 * own handlers: closing marks it and a zero timer frees it.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <event.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "cdefs.h"
#include "imd_msg.h"
#include "log.h"
#include "xmppd.h"

#define STREAM_READ	16384

struct xstream_list	 xstreams = TAILQ_HEAD_INITIALIZER(xstreams);
static uint64_t		 stream_ids;
static size_t		 nstreams;

static void	stream_readable(int, short, void *);
static void	stream_writable(int, short, void *);
static void	stream_tick(int, short, void *);
static void	stream_flush(struct xstream *);

static void
stream_timer_arm(struct xstream *xs, time_t secs)
{
	struct timeval	tv = { secs, 0 };

	evtimer_add(&xs->xs_timer, &tv);
}

struct xstream *
stream_new(enum xs_dir dir, int fd, const struct sockaddr *sa,
    socklen_t salen)
{
	struct xstream	*xs;
	char		 host[16];

	if ((xs = calloc(1, sizeof(*xs))) == NULL)
		return (NULL);
	if (xparser_init(&xs->xs_parser,
	    xmppd_conf->c_xmpp.x_stanza_size) == -1) {
		free(xs);
		return (NULL);
	}
	xs->xs_id = ++stream_ids;
	xs->xs_dir = dir;
	xs->xs_fd = fd;
	xs->xs_state = dir == XS_IN ? XS_OPENING : XS_RESOLVING;
	xs->xs_started = xs->xs_last = time(NULL);
	TAILQ_INIT(&xs->xs_queue);
	if (sa != NULL)
		sockaddr_name((const struct sockaddr_storage *)sa, salen,
		    xs->xs_peer, sizeof(xs->xs_peer));
	else
		strlcpy(xs->xs_peer, "?", sizeof(xs->xs_peer));
	arc4random_buf(host, 16);
	for (size_t i = 0; i < 16; i++)
		snprintf(xs->xs_sid + 2 * i, 3, "%02x",
		    (unsigned char)host[i]);
	evtimer_set(&xs->xs_timer, stream_tick, xs);
	stream_timer_arm(xs, XMPP_HANDSHAKE_S);
	TAILQ_INSERT_TAIL(&xstreams, xs, xs_entry);
	nstreams++;
	return (xs);
}

/* Set the socket's events once it is known (out: after connect). */
void
stream_start_io(struct xstream *xs)
{
	event_set(&xs->xs_rev, xs->xs_fd, EV_READ | EV_PERSIST,
	    stream_readable, xs);
	event_set(&xs->xs_wev, xs->xs_fd, EV_WRITE, stream_writable, xs);
	event_add(&xs->xs_rev, NULL);
}

void
stream_free(struct xstream *xs)
{
	if (xs->xs_dir == XS_OUT)
		s2s_out_lost(xs);
	if (xs->xs_fd != -1) {
		event_del(&xs->xs_rev);
		event_del(&xs->xs_wev);
		close(xs->xs_fd);
	}
	evtimer_del(&xs->xs_timer);
	if (xs->xs_ssl != NULL)
		SSL_free(xs->xs_ssl);
	xparser_free(&xs->xs_parser);
	free(xs->xs_targets);
	free(xs->xs_db_key);
	free(xs->xs_out);
	TAILQ_REMOVE(&xstreams, xs, xs_entry);
	nstreams--;
	free(xs);
}

struct xstream *
stream_find(uint64_t id)
{
	struct xstream	*xs;

	TAILQ_FOREACH(xs, &xstreams, xs_entry)
		if (xs->xs_id == id)
			return (xs);
	return (NULL);
}

/* Streams to or from a domain, or all with NULL. */
size_t
stream_count(const char *domain)
{
	struct xstream	*xs;
	size_t		 n = 0;

	if (domain == NULL)
		return (nstreams);
	TAILQ_FOREACH(xs, &xstreams, xs_entry)
		if (!xs->xs_freeing && strcasecmp(xs->xs_remote, domain) == 0)
			n++;
	return (n);
}

void
stream_touch(struct xstream *xs)
{
	xs->xs_last = time(NULL);
}

/* Freed from the event loop, never under a handler of its own. */
static void
stream_reap(struct xstream *xs)
{
	struct timeval	tv = { 0, 0 };

	if (xs->xs_freeing)
		return;
	xs->xs_freeing = 1;
	if (xs->xs_fd != -1) {
		event_del(&xs->xs_rev);
		event_del(&xs->xs_wev);
	}
	evtimer_del(&xs->xs_timer);
	evtimer_add(&xs->xs_timer, &tv);
}

static void
stream_tick(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct xstream	*xs = arg;
	time_t		 now = time(NULL), idle = xmppd_conf->c_xmpp.x_idle;

	if (xs->xs_freeing) {
		stream_free(xs);
		return;
	}
	if (xs->xs_state == XS_CLOSING) {
		log_info("xmpp: %s %s: not flushed in time", xs->xs_peer,
		    xs->xs_remote);
		stream_reap(xs);
		return;
	}
	if (xs->xs_state != XS_READY) {
		stream_error(xs, "connection-timeout",
		    "negotiation took too long");
		return;
	}
	if (now - xs->xs_last >= idle) {
		stream_close(xs, "idle");
		return;
	}
	stream_timer_arm(xs, idle - (now - xs->xs_last));
}

/* A stream that reached XS_READY: from now on the idle timeout. */
static void
stream_check_ready(struct xstream *xs)
{
	if (xs->xs_state == XS_READY && !xs->xs_freeing) {
		evtimer_del(&xs->xs_timer);
		stream_timer_arm(xs, xmppd_conf->c_xmpp.x_idle);
	}
}

int
stream_write(struct xstream *xs, const char *buf, size_t len)
{
	size_t	 size;
	char	*p;

	if (xs->xs_freeing || xs->xs_close_next)
		return (-1);
	if (xs->xs_outlen + len > XMPP_OUT_MAX) {
		log_info("xmpp: %s %s: peer does not read, closed",
		    xs->xs_peer, xs->xs_remote);
		stream_reap(xs);
		return (-1);
	}
	if (xs->xs_outlen + len > xs->xs_outsize) {
		size = xs->xs_outsize == 0 ? 4096 : xs->xs_outsize;
		while (size < xs->xs_outlen + len)
			size *= 2;
		if ((p = realloc(xs->xs_out, size)) == NULL) {
			log_warn("xmpp: %s", xs->xs_peer);
			stream_reap(xs);
			return (-1);
		}
		xs->xs_out = p;
		xs->xs_outsize = size;
	}
	memcpy(xs->xs_out + xs->xs_outlen, buf, len);
	xs->xs_outlen += len;
	if (xs->xs_state != XS_TLS && xs->xs_state != XS_CONNECTING &&
	    xs->xs_state != XS_RESOLVING)
		event_add(&xs->xs_wev, NULL);
	return (0);
}

int
stream_printf(struct xstream *xs, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n, r;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n == -1)
		return (-1);
	r = stream_write(xs, s, n);
	free(s);
	return (r);
}

/* Ends the stream once what is queued is out: </stream:stream>. */
void
stream_close(struct xstream *xs, const char *why)
{
	if (xs->xs_freeing || xs->xs_close_next)
		return;
	log_info("xmpp: %s stream %s %s: closed: %s", xs->xs_dir == XS_IN ?
	    "inbound" : "outbound", xs->xs_peer,
	    xs->xs_remote[0] != '\0' ? xs->xs_remote : "-", why);
	if (xs->xs_header_sent)
		stream_write(xs, "</stream:stream>", 16);
	xs->xs_close_next = 1;
	xs->xs_state = XS_CLOSING;
	if (xs->xs_fd != -1)
		event_del(&xs->xs_rev);
	evtimer_del(&xs->xs_timer);
	stream_timer_arm(xs, 2);
	if (xs->xs_outlen == 0 || xs->xs_fd == -1)
		stream_reap(xs);
}

/* A stream error (RFC 6120 4.9): the header first if none went yet. */
void
stream_error(struct xstream *xs, const char *cond, const char *why)
{
	if (xs->xs_freeing || xs->xs_close_next)
		return;
	if (!xs->xs_header_sent && xs->xs_dir == XS_IN) {
		stream_printf(xs, "<?xml version='1.0'?><stream:stream "
		    "xmlns='" XMPP_NS_SERVER "' xmlns:stream='"
		    XMPP_NS_STREAM "' version='1.0'>");
		xs->xs_header_sent = 1;
	}
	if (xs->xs_header_sent)
		stream_printf(xs, "<stream:error><%s xmlns='"
		    XMPP_NS_STREAMS "'/></stream:error>", cond);
	stream_close(xs, why);
}

/* A new stream on the same connection: after TLS, after SASL. */
void
stream_restart(struct xstream *xs)
{
	xparser_free(&xs->xs_parser);
	if (xparser_init(&xs->xs_parser,
	    xmppd_conf->c_xmpp.x_stanza_size) == -1) {
		stream_reap(xs);
		return;
	}
	xs->xs_open_seen = 0;
	xs->xs_header_sent = 0;
}

static const char *
stream_tls_error(void)
{
	unsigned long	e = ERR_get_error();

	ERR_clear_error();
	return (e != 0 ? ERR_reason_error_string(e) : "connection lost");
}

static void
stream_handshake(struct xstream *xs)
{
	int	r, e;

	if ((r = SSL_do_handshake(xs->xs_ssl)) == 1) {
		xs->xs_secure = 1;
		stream_restart(xs);
		if (xs->xs_dir == XS_IN) {
			xs->xs_state = XS_OPENING;
			s2s_in_secured(xs);
		} else
			s2s_out_secured(xs);
		if (xs->xs_outlen > 0)
			event_add(&xs->xs_wev, NULL);
		return;
	}
	e = SSL_get_error(xs->xs_ssl, r);
	if (e == SSL_ERROR_WANT_WRITE)
		event_add(&xs->xs_wev, NULL);
	else if (e != SSL_ERROR_WANT_READ) {
		log_info("xmpp: %s %s: TLS handshake failed: %s",
		    xs->xs_peer, xs->xs_remote, stream_tls_error());
		stream_reap(xs);
	}
}

/* TLS from here on, once the plain text before it is out. */
int
stream_tls_start(struct xstream *xs)
{
	SSL_CTX	*ctx = xs->xs_dir == XS_IN ? xmppd_tls_server() :
		    xmppd_tls_client();

	if (ctx == NULL || (xs->xs_ssl = SSL_new(ctx)) == NULL ||
	    SSL_set_fd(xs->xs_ssl, xs->xs_fd) != 1) {
		log_warnx("xmpp: %s: no TLS: %s", xs->xs_peer,
		    stream_tls_error());
		stream_reap(xs);
		return (-1);
	}
	if (xs->xs_dir == XS_IN)
		SSL_set_accept_state(xs->xs_ssl);
	else {
		SSL_set_tlsext_host_name(xs->xs_ssl, xs->xs_remote);
		SSL_set_connect_state(xs->xs_ssl);
	}
	xs->xs_state = XS_TLS;
	stream_handshake(xs);
	return (0);
}

static void
stream_input(struct xstream *xs, const char *buf, size_t len)
{
	struct xparser	*xp = &xs->xs_parser;
	struct xnode	*n;

	if (xparser_feed(xp, buf, len) == -1) {
		log_info("xmpp: %s %s: %s", xs->xs_peer, xs->xs_remote,
		    xp->xp_error);
		stream_error(xs, strcmp(xp->xp_error, "stanza too large") ==
		    0 ? "policy-violation" : strstr(xp->xp_error,
		    "restricted") != NULL ? "restricted-xml" :
		    "not-well-formed", xp->xp_error);
		return;
	}
	if (xp->xp_opened && !xs->xs_open_seen) {
		xs->xs_open_seen = 1;
		if (xs->xs_dir == XS_IN)
			s2s_in_open(xs, xp->xp_open);
		else
			s2s_out_open(xs, xp->xp_open);
	}
	/* A handler may restart the stream: its parser is then new. */
	while (!xs->xs_close_next && !xs->xs_freeing &&
	    xp == &xs->xs_parser && (n = xparser_next(xp)) != NULL) {
		if (xs->xs_dir == XS_IN)
			s2s_in_stanza(xs, n);
		else
			s2s_out_stanza(xs, n);
		xnode_free(n);
	}
	if (xp->xp_closed && !xs->xs_close_next)
		stream_close(xs, "closed by the peer");
	stream_check_ready(xs);
}

static void
stream_readable(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct xstream	*xs = arg;
	char		 buf[STREAM_READ];
	ssize_t		 n;
	int		 e;

	if (xs->xs_state == XS_TLS) {
		stream_handshake(xs);
		return;
	}
	for (;;) {
		if (xs->xs_ssl != NULL) {
			n = SSL_read(xs->xs_ssl, buf, sizeof(buf));
			if (n <= 0) {
				e = SSL_get_error(xs->xs_ssl, n);
				if (e == SSL_ERROR_WANT_READ)
					return;
				if (e == SSL_ERROR_WANT_WRITE) {
					event_add(&xs->xs_wev, NULL);
					return;
				}
				if (e != SSL_ERROR_ZERO_RETURN)
					log_debug("xmpp: %s: %s", xs->xs_peer,
					    stream_tls_error());
				n = 0;
			}
		} else if ((n = read(xs->xs_fd, buf, sizeof(buf))) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			log_info("xmpp: %s: read: %s", xs->xs_peer,
			    strerror(errno));
			stream_reap(xs);
			return;
		}
		if (n == 0) {
			log_info("xmpp: %s %s: connection closed", xs->xs_peer,
			    xs->xs_remote);
			stream_reap(xs);
			return;
		}
		stream_touch(xs);
		stream_input(xs, buf, n);
		if (xs->xs_close_next || xs->xs_freeing ||
		    xs->xs_state == XS_TLS || xs->xs_tls_next ||
		    xs->xs_ssl == NULL)
			return;	/* plain text: one read, level-triggered */
	}
}

static void
stream_flush(struct xstream *xs)
{
	ssize_t	n;
	int	e;

	while (xs->xs_outlen > 0) {
		if (xs->xs_ssl != NULL) {
			n = SSL_write(xs->xs_ssl, xs->xs_out, xs->xs_outlen);
			if (n <= 0) {
				e = SSL_get_error(xs->xs_ssl, n);
				if (e == SSL_ERROR_WANT_WRITE ||
				    e == SSL_ERROR_WANT_READ) {
					event_add(&xs->xs_wev, NULL);
					return;
				}
				log_info("xmpp: %s: write: %s", xs->xs_peer,
				    stream_tls_error());
				stream_reap(xs);
				return;
			}
		} else if ((n = write(xs->xs_fd, xs->xs_out,
		    xs->xs_outlen)) == -1) {
			if (errno == EAGAIN || errno == EINTR) {
				event_add(&xs->xs_wev, NULL);
				return;
			}
			log_info("xmpp: %s: write: %s", xs->xs_peer,
			    strerror(errno));
			stream_reap(xs);
			return;
		}
		memmove(xs->xs_out, xs->xs_out + n, xs->xs_outlen - n);
		xs->xs_outlen -= n;
		stream_touch(xs);
	}
	if (xs->xs_close_next) {
		stream_reap(xs);
		return;
	}
	if (xs->xs_tls_next) {
		xs->xs_tls_next = 0;
		stream_tls_start(xs);
	}
}

static void
stream_writable(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct xstream	*xs = arg;
	socklen_t	 len = sizeof(int);
	int		 err = 0;

	if (xs->xs_state == XS_CONNECTING) {
		if (getsockopt(xs->xs_fd, SOL_SOCKET, SO_ERROR, &err,
		    &len) == -1)
			err = errno;
		if (err != 0) {
			log_info("xmpp: %s %s: connect: %s", xs->xs_peer,
			    xs->xs_remote, strerror(err));
			stream_reap(xs);
			return;
		}
		event_add(&xs->xs_rev, NULL);
		s2s_out_connected(xs);
		if (xs->xs_outlen > 0 && xs->xs_state != XS_TLS)
			event_add(&xs->xs_wev, NULL);
		return;
	}
	if (xs->xs_state == XS_TLS) {
		stream_handshake(xs);
		return;
	}
	stream_flush(xs);
}

/* A peer connects to our server-to-server port. */
void
stream_accept(int fd, short event IMD_UNUSED, void *arg IMD_UNUSED)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof(ss);
	struct xstream		*xs;
	int			 s;

	if ((s = accept4(fd, (struct sockaddr *)&ss, &sslen,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("xmpp: accept");
		return;
	}
	if (stream_count(NULL) >= xmppd_conf->c_xmpp.x_streams) {
		log_info("xmpp: connection refused: %zu streams, the limit",
		    stream_count(NULL));
		close(s);
		return;
	}
	if ((xs = stream_new(XS_IN, s, (struct sockaddr *)&ss, sslen)) ==
	    NULL) {
		log_warn("xmpp: new stream");
		close(s);
		return;
	}
	log_debug("xmpp: %s: inbound connection", xs->xs_peer);
	stream_start_io(xs);
}

static const char *
stream_state_name(enum xs_state state)
{
	switch (state) {
	case XS_RESOLVING:
		return ("resolving");
	case XS_CONNECTING:
		return ("connecting");
	case XS_READY:
		return ("ready");
	case XS_CLOSING:
		return ("closing");
	default:
		return ("negotiating");
	}
}

/* imctl show xmpp: one item per stream, then the end of the list. */
void
stream_list(struct imsgev *parent, uint32_t id)
{
	struct xstream	*xs;
	struct ibuf	*buf;
	time_t		 now = time(NULL);

	TAILQ_FOREACH(xs, &xstreams, xs_entry) {
		if (xs->xs_freeing)
			continue;
		if ((buf = imsgev_create(parent, IMSG_XMPP_ITEM, id,
		    2 * IMD_DOMAIN_MAX + 128)) == NULL ||
		    ibuf_add_str(buf, xs->xs_dir == XS_IN ? "in" : "out",
		    8) == -1 ||
		    ibuf_add_str(buf, xs->xs_local, IMD_DOMAIN_MAX) == -1 ||
		    ibuf_add_str(buf, xs->xs_remote, IMD_DOMAIN_MAX) == -1 ||
		    ibuf_add_str(buf, xs->xs_peer, 64) == -1 ||
		    ibuf_add_str(buf, stream_state_name(xs->xs_state),
		    16) == -1 ||
		    ibuf_add_str(buf, xs->xs_auth != NULL ? xs->xs_auth :
		    "none", 16) == -1 ||
		    ibuf_add_u64(buf, now - xs->xs_started) == -1 ||
		    imsgev_close(parent, buf) == -1)
			fatal("%s", __func__);
	}
	if (imsgev_compose(parent, IMSG_XMPP_END, id, -1, NULL, 0) == -1)
		fatal("%s", __func__);
}
