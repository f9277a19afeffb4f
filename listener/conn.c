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
 * Stream connections, TCP and TLS (RFC 3261 18.3).  Each connection
 * has a bounded input buffer cut into messages by sip_frame(), an
 * output queue with a cap, and one timer: the TLS handshake, then idle
 * time or, while output waits, the time the peer may take nothing of
 * it, then the last flush before a close.  A framing error closes
 * that connection and nothing else.  Connections are counted in all
 * and per source prefix, and refused over the per-prefix cap.  Those
 * not yet authenticated have a share of the total; when it or the total
 * is reached, a newcomer closes the unauthenticated connection idle
 * longest, so strangers holding connections open cannot lock out
 * anyone, and only clients that authenticated keep theirs for sure.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/tree.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <event.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdefs.h"
#include "imd_msg.h"
#include "listener.h"
#include "log.h"
#include "prefix.h"
#include "refusal.h"
#include "sip.h"

#define CONN_ACCEPT_BURST	32	/* accepts per wake-up */
#define CONN_ACCEPT_PAUSE	1	/* s without accept when out of fds */
#define CONN_READ_BURST		16	/* reads per wake-up, for fairness */
#define CONN_LINGER_TIMEOUT	5	/* s to flush before a close */
#define CONN_IN_INIT		4096
#define CONN_IN_SLACK		4096	/* beyond lim_msg_size */
#define CONN_OUT_INIT		4096
#define CONN_OUT_MAX		(256 * 1024)	/* at least; see conn_out_cap */
#define CONN_OUT_HIGH		(64 * 1024)	/* reads pause above this */
#define CONN_WRITE_CHUNK	16384	/* one TLS record */

/* How many connections one source prefix holds. */
struct conn_addr {
	RB_ENTRY(conn_addr)	 ca_entry;
	struct addr_prefix	 ca_prefix;
	uint32_t		 ca_count;
};

RB_HEAD(conn_tree, conn);
RB_HEAD(conn_addr_tree, conn_addr);

static int	conn_cmp(struct conn *, struct conn *);
static int	conn_addr_cmp(struct conn_addr *, struct conn_addr *);

RB_PROTOTYPE(conn_tree, conn, cn_entry, conn_cmp);
RB_PROTOTYPE(conn_addr_tree, conn_addr, ca_entry, conn_addr_cmp);
RB_GENERATE(conn_tree, conn, cn_entry, conn_cmp);
RB_GENERATE(conn_addr_tree, conn_addr, ca_entry, conn_addr_cmp);

static struct conn_tree		conn_ids = RB_INITIALIZER(&conn_ids);
static struct conn_addr_tree	conn_addrs = RB_INITIALIZER(&conn_addrs);
static size_t			conn_total;
static size_t			conn_unauth;	/* on conn_idle */
/* Unauthenticated connections, the one idle longest first. */
static TAILQ_HEAD(, conn)	conn_idle = TAILQ_HEAD_INITIALIZER(conn_idle);
static uint64_t			conn_next_id = 1;	/* 0 means udp */
void				(*conn_closed_hook)(uint64_t);

static void	conn_event(int, short, void *);

static int
conn_cmp(struct conn *a, struct conn *b)
{
	return (a->cn_id < b->cn_id ? -1 : a->cn_id > b->cn_id);
}

static int
conn_addr_cmp(struct conn_addr *a, struct conn_addr *b)
{
	return (prefix_cmp(&a->ca_prefix, &b->ca_prefix));
}

/*
 * The prefix of the address, without the port: one client, however
 * many sockets, and for IPv6 one /64, however many addresses in it.
 */
static void
conn_addr_key(const struct sockaddr_storage *ss, struct conn_addr *key)
{
	const struct conf_limits	*lim = &listener_conf->c_limits;

	memset(key, 0, sizeof(*key));
	prefix_of_sockaddr(ss, lim->lim_ipv4_prefix, lim->lim_ipv6_prefix,
	    &key->ca_prefix);
}

static void
conn_addr_put(struct conn_addr *ca)
{
	if (ca == NULL || --ca->ca_count > 0)
		return;
	RB_REMOVE(conn_addr_tree, &conn_addrs, ca);
	free(ca);
}

/* Input came, or it is new: the last to be closed for a newcomer. */
static void
conn_touch(struct conn *c)
{
	if (c->cn_flags & (CONN_AUTHED | CONN_DEAD))
		return;
	TAILQ_REMOVE(&conn_idle, c, cn_idle);
	TAILQ_INSERT_TAIL(&conn_idle, c, cn_idle);
}

/* Room for a newcomer: the unauthenticated connection idle longest goes. */
static int
conn_evict(const char *name)
{
	struct conn	*c;

	if ((c = TAILQ_FIRST(&conn_idle)) == NULL)
		return (-1);
	log_debug("conn: %s: unauthenticated and idle longest, closed for "
	    "%s", c->cn_name, name);
	conn_close(c, "closed for a newcomer");
	return (0);
}

/*
 * The caps of relayd.conf; the address entry, counted, when under them.
 * A prefix at its cap is refused; a full table or a full unauthenticated
 * share makes room first.
 */
static struct conn_addr *
conn_admit(const struct sockaddr_storage *ss, const char *name)
{
	const struct conf_limits	*lim = &listener_conf->c_limits;
	struct conn_addr		 key, *ca;
	char				 pname[PREFIX_NAME_MAX];

	conn_addr_key(ss, &key);
	prefix_name(&key.ca_prefix, pname, sizeof(pname));
	ca = RB_FIND(conn_addr_tree, &conn_addrs, &key);
	if (ca != NULL && ca->ca_count >= lim->lim_conns_per_addr) {
		if (refusal_note(STAT_REFUSED_CONN_CAP, pname))
			log_info("conn: %s: refused, %u connections from "
			    "this address (%s)", name,
			    lim->lim_conns_per_addr, pname);
		return (NULL);
	}
	if ((conn_total >= lim->lim_conns ||
	    conn_unauth >= lim->lim_conns_unauth) && conn_evict(name) == -1) {
		if (refusal_note(STAT_REFUSED_CONN_CAP, pname))
			log_info("conn: %s: refused, %u connections in all, "
			    "every one authenticated", name, lim->lim_conns);
		return (NULL);
	}
	/* The one closed may have been the last of this prefix. */
	if ((ca = RB_FIND(conn_addr_tree, &conn_addrs, &key)) == NULL) {
		if ((ca = calloc(1, sizeof(*ca))) == NULL) {
			log_warn("conn: %s", name);
			return (NULL);
		}
		*ca = key;
		RB_INSERT(conn_addr_tree, &conn_addrs, ca);
	}
	ca->ca_count++;
	return (ca);
}

/* A request on c passed digest authentication: c is a client's. */
void
conn_authenticated(uint64_t id)
{
	struct conn	*c;

	if (!worker_conn_is_ours(id)) {
		worker_conn_note(id, IMSG_WRK_CONN_AUTHED);
		return;
	}
	if ((c = conn_find(id)) == NULL || (c->cn_flags & CONN_AUTHED))
		return;
	c->cn_flags |= CONN_AUTHED;
	TAILQ_REMOVE(&conn_idle, c, cn_idle);
	conn_unauth--;
}

static void
conn_timer(struct conn *c, int secs)
{
	struct timeval	tv = { secs, 0 };

	evtimer_add(&c->cn_timer, &tv);
}

static void
conn_free(struct conn *c)
{
	event_del(&c->cn_rev);
	event_del(&c->cn_wev);
	evtimer_del(&c->cn_timer);
	tls_conn_free(c);
	ws_conn_free(c);
	close(c->cn_fd);
	free(c->cn_in);
	free(c->cn_out);
	free(c);
}

static const char *
conn_timeout_reason(const struct conn *c)
{
	if (c->cn_flags & CONN_HANDSHAKE)
		return ("TLS handshake timeout");
	if (c->cn_flags & CONN_CLOSING)
		return ("flush timeout");
	if (c->cn_outlen > 0)
		return ("send timeout");
	return ("idle timeout");
}

/*
 * The timer of an established connection.  While output waits, input
 * does not keep it alive: a peer that writes and never reads would
 * otherwise hold its queue and descriptor for ever, since reads pause
 * only once the queue is long.  Any progress of the output restarts it.
 */
static void
conn_timer_arm(struct conn *c)
{
	if (c->cn_flags & (CONN_HANDSHAKE | CONN_CLOSING | CONN_DEAD))
		return;
	conn_timer(c, c->cn_outlen > 0 ? CONN_SEND_TIMEOUT :
	    ws_is_open(c) ? WS_PING_IDLE : CONN_IDLE_TIMEOUT);
}

/* Also the second step of conn_close(). */
static void
conn_timeout(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct conn	*c = arg;

	if ((c->cn_flags & (CONN_DEAD | CONN_HANDSHAKE | CONN_CLOSING)) ==
	    0 && c->cn_outlen == 0 && ws_idle(c) == 0) {
		conn_timer(c, CONN_SEND_TIMEOUT);	/* for the pong */
		return;
	}
	if ((c->cn_flags & CONN_DEAD) == 0) {
		transport_stats.ts_conns_timeout++;
		if ((c->cn_flags & (CONN_HANDSHAKE | CONN_CLOSING)) == 0 &&
		    c->cn_outlen > 0)
			log_info("conn: %s: took none of %zu bytes for %d s, "
			    "closing", c->cn_name, c->cn_outlen,
			    CONN_SEND_TIMEOUT);
		conn_close(c, conn_timeout_reason(c));
	}
	conn_free(c);
}

/*
 * A connection can end deep inside sip_input(), when a reply finds its
 * queue full or its socket broken.  So it is only unlinked here, where
 * nobody can find it any more, and freed from its timer once every
 * caller has returned.
 */
void
conn_close(struct conn *c, const char *why)
{
	if (c->cn_flags & CONN_DEAD)
		return;
	log_debug("conn: %s: connection %llu closed: %s", c->cn_name,
	    (unsigned long long)c->cn_id, why);
	if ((c->cn_flags & CONN_AUTHED) == 0) {
		TAILQ_REMOVE(&conn_idle, c, cn_idle);
		conn_unauth--;
	}
	c->cn_flags |= CONN_DEAD;
	if (conn_closed_hook != NULL)
		conn_closed_hook(c->cn_id);
	RB_REMOVE(conn_tree, &conn_ids, c);
	conn_addr_put(c->cn_addr);
	c->cn_addr = NULL;
	conn_total--;
	stats_add(STAT_CONNS_TCP +
	    (c->cn_peer.sp_transport == TRANSPORT_TLS), -1);
	event_del(&c->cn_rev);
	event_del(&c->cn_wev);
	conn_timer(c, 0);
}

/* Close once what is queued has gone out; RFC 3261 18.3 lets us. */
void
conn_shutdown(struct conn *c, const char *why)
{
	if (c->cn_outlen == 0 || (c->cn_flags & CONN_HANDSHAKE)) {
		conn_close(c, why);
		return;
	}
	log_debug("conn: %s: closing: %s", c->cn_name, why);
	c->cn_flags |= CONN_CLOSING;
	conn_timer(c, CONN_LINGER_TIMEOUT);
}

static int
conn_paused(const struct conn *c)
{
	return (c->cn_outlen >= CONN_OUT_HIGH);
}

/* Write events only while output waits; reads pause on a long queue. */
static void
conn_update(struct conn *c)
{
	short	want = 0;

	if (c->cn_flags & CONN_DEAD)
		return;
	if (c->cn_flags & CONN_HANDSHAKE)
		want = c->cn_rwant;
	else {
		if ((c->cn_flags & CONN_CLOSING) == 0 && !conn_paused(c))
			want |= c->cn_rwant;
		if (c->cn_outlen > 0)
			want |= c->cn_wwant;
	}
	if (want & EV_READ)
		event_add(&c->cn_rev, NULL);
	else
		event_del(&c->cn_rev);
	if (want & EV_WRITE)
		event_add(&c->cn_wev, NULL);
	else
		event_del(&c->cn_wev);
}

static ssize_t
conn_io_read(struct conn *c, char *buf, size_t len)
{
	ssize_t	n;

	if (c->cn_ssl != NULL)
		return (tls_read(c, buf, len));
	c->cn_rwant = EV_READ;
	if ((n = read(c->cn_fd, buf, len)) >= 0)
		return (n);
	if (errno == EAGAIN || errno == EINTR)
		return (CONN_IO_WAIT);
	log_debug("conn: %s: read: %s", c->cn_name, strerror(errno));
	return (CONN_IO_ERROR);
}

static ssize_t
conn_io_write(struct conn *c, const char *buf, size_t len)
{
	ssize_t	n;

	if (len > CONN_WRITE_CHUNK)
		len = CONN_WRITE_CHUNK;
	if (c->cn_ssl != NULL)
		return (tls_write(c, buf, len));
	c->cn_wwant = EV_WRITE;
	if ((n = send(c->cn_fd, buf, len, MSG_NOSIGNAL)) >= 0)
		return (n);
	if (errno == EAGAIN || errno == EINTR)
		return (CONN_IO_WAIT);
	log_debug("conn: %s: write: %s", c->cn_name, strerror(errno));
	return (CONN_IO_ERROR);
}

/* Room for one more read, up to a message and some. */
static int
conn_in_reserve(struct conn *c)
{
	size_t	 cap, size;
	char	*p;

	cap = (size_t)listener_conf->c_limits.lim_msg_size + CONN_IN_SLACK;
	if (c->cn_inlen < c->cn_insize)
		return (0);
	if (c->cn_insize >= cap)
		return (-1);
	size = c->cn_insize == 0 ? CONN_IN_INIT : c->cn_insize * 2;
	if (size > cap)
		size = cap;
	if ((p = realloc(c->cn_in, size)) == NULL) {
		log_warn("conn: %s", c->cn_name);
		return (-1);
	}
	c->cn_in = p;
	c->cn_insize = size;
	return (0);
}

/* 1 when bytes came in, 0 when none wait, -1 when the stream ended. */
static int
conn_fill(struct conn *c)
{
	ssize_t	n;

	if (conn_in_reserve(c) == -1) {
		conn_close(c, "no room for input");
		return (-1);
	}
	n = conn_io_read(c, c->cn_in + c->cn_inlen,
	    c->cn_insize - c->cn_inlen);
	if (n == CONN_IO_WAIT)
		return (0);
	if (n == CONN_IO_EOF) {
		conn_shutdown(c, "end of stream");
		return (-1);
	}
	if (n < 0) {
		conn_close(c, "read error");
		return (-1);
	}
	c->cn_inlen += n;
	conn_touch(c);
	if (c->cn_outlen == 0)
		conn_timer_arm(c);
	return (1);
}

static void
conn_limits(struct sip_limits *lim)
{
	const struct conf_limits	*cl = &listener_conf->c_limits;

	lim->max_msg = cl->lim_msg_size;
	lim->max_headers = cl->lim_headers;
	lim->max_line = cl->lim_line;
}

/*
 * A message starts with a method or "SIP/", after optional CRLFs.  TLS
 * spoken to a TCP port, or binary noise, fails here at once instead of
 * filling a buffer for the length of a message.
 */
static int
conn_is_message_start(int ch)
{
	return (ch == '\r' || sip_is_token_char(ch));
}

static void
conn_frame_error(struct conn *c, const char *buf, size_t len,
    const struct sip_err *err)
{
	char	vis[LOG_VIS_MAX * 4 + 1];

	log_info("conn: %s: %s, closing (%s)", c->cn_name,
	    err->err_reason, log_vis(buf, len < 40 ? len : 40, vis,
	    sizeof(vis)));
	if (err->err_status == 413 || err->err_status == 513) {
		/* The answer goes out before the connection closes. */
		sip_refuse_oversized(&c->cn_peer, buf, len);
		conn_shutdown(c, "message too large");
		return;
	}
	transport_stats.ts_conns_bad++;
	conn_close(c, "framing error");
}

/* RFC 5626 4.4.1: a double CRLF ping gets a single CRLF pong. */
static void
conn_keepalive(struct conn *c, size_t len)
{
	if (len != 4)
		return;
	transport_stats.ts_keepalives++;
	conn_send(c, "\r\n", 2);
}

static int
conn_stopped(const struct conn *c)
{
	return ((c->cn_flags & (CONN_DEAD | CONN_CLOSING)) != 0 ||
	    conn_paused(c));
}

/* sip_frame(), after a look at the first byte. */
static int
conn_frame(const char *p, size_t len, const struct sip_limits *lim,
    size_t *n, struct sip_err *err)
{
	if (conn_is_message_start((unsigned char)*p))
		return (sip_frame(p, len, lim, n, err));
	err->err_status = 400;
	err->err_reason = "not a SIP message";
	err->err_respond = 0;
	return (SIP_FRAME_ERROR);
}

static void
conn_consume(struct conn *c, size_t len)
{
	if (len > 0) {
		c->cn_inlen -= len;
		memmove(c->cn_in, c->cn_in + len, c->cn_inlen);
	}
	/* An idle connection keeps a small buffer, not its largest. */
	if (c->cn_inlen == 0 && c->cn_insize > CONN_IN_INIT) {
		free(c->cn_in);
		c->cn_in = NULL;
		c->cn_insize = 0;
	}
}

/* RFC 7118: the WebSocket layer frames the stream, not sip_frame(). */
static int
conn_process_ws(struct conn *c)
{
	ssize_t	n;

	if (c->cn_inlen == 0 || conn_stopped(c))
		return ((c->cn_flags & CONN_DEAD) ? -1 : 0);
	if ((n = ws_input(c, c->cn_in, c->cn_inlen)) == -1)
		return (-1);
	conn_consume(c, n);
	return ((c->cn_flags & CONN_DEAD) ? -1 : 0);
}

/* Hands every complete message in the buffer to the SIP layer. */
static int
conn_process(struct conn *c)
{
	struct sip_limits	 lim;
	struct sip_err		 err;
	const char		*p;
	size_t			 off = 0, n;
	int			 r;

	if (c->cn_ws != NULL)
		return (conn_process_ws(c));
	conn_limits(&lim);
	while (off < c->cn_inlen && !conn_stopped(c)) {
		p = c->cn_in + off;
		r = conn_frame(p, c->cn_inlen - off, &lim, &n, &err);
		if (r == SIP_FRAME_ERROR) {
			conn_frame_error(c, p, c->cn_inlen - off, &err);
			return (-1);
		}
		if (r == SIP_FRAME_MORE)
			break;
		if (r == SIP_FRAME_CRLF)
			conn_keepalive(c, n);
		else {
			transport_stats.ts_received++;
			sip_input(&c->cn_peer, p, n);
		}
		off += n;
	}
	conn_consume(c, off);
	return ((c->cn_flags & CONN_DEAD) ? -1 : 0);
}

static void
conn_readable(struct conn *c)
{
	int	i;

	for (i = 0; i < CONN_READ_BURST; i++) {
		if (conn_process(c) == -1 || conn_stopped(c))
			return;
		if (conn_fill(c) <= 0)
			return;
	}
	/*
	 * Let other connections have their turn.  TLS may hold decrypted
	 * bytes the descriptor no longer signals, so come back by hand.
	 */
	event_active(&c->cn_rev, EV_READ, 1);
}

static int
conn_flush(struct conn *c)
{
	ssize_t	n;

	while (c->cn_outlen > 0) {
		n = conn_io_write(c, c->cn_out + c->cn_outoff, c->cn_outlen);
		if (n == CONN_IO_WAIT)
			return (0);
		if (n < 0) {
			conn_close(c, "write error");
			return (-1);
		}
		c->cn_outoff += n;
		c->cn_outlen -= n;
		conn_timer_arm(c);
	}
	free(c->cn_out);
	c->cn_out = NULL;
	c->cn_outoff = c->cn_outsize = 0;
	if (c->cn_flags & CONN_CLOSING) {
		conn_close(c, "output flushed");
		return (-1);
	}
	return (0);
}

static int
conn_handshake(struct conn *c)
{
	int	r;

	if ((r = tls_handshake(c)) == CONN_IO_WAIT)
		return (-1);
	if (r != 0) {
		transport_stats.ts_tls_failed++;
		conn_close(c, "TLS handshake failed");
		return (-1);
	}
	c->cn_flags &= ~CONN_HANDSHAKE;
	c->cn_rwant = EV_READ;
	conn_timer_arm(c);
	return (0);
}

/* Either event: each step is cheap when it has nothing to do. */
static void
conn_event(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct conn	*c = arg;

	if ((c->cn_flags & CONN_HANDSHAKE) && conn_handshake(c) == -1) {
		conn_update(c);
		return;
	}
	if (c->cn_outlen > 0 && conn_flush(c) == -1)
		return;
	if (c->cn_ws != NULL && ws_drain(c) == -1) {
		conn_update(c);
		return;
	}
	if ((c->cn_flags & CONN_CLOSING) == 0)
		conn_readable(c);
	conn_update(c);
}

/* Room for a few replies of the largest size. */
static size_t
conn_out_cap(void)
{
	size_t	cap = 2 * (size_t)listener_conf->c_limits.lim_msg_size;

	return (cap > CONN_OUT_MAX ? cap : CONN_OUT_MAX);
}

static int
conn_out_append(struct conn *c, const char *buf, size_t len)
{
	size_t	 size;
	char	*p;

	if (len > conn_out_cap() - c->cn_outlen)
		return (-1);
	if (c->cn_outoff > 0 &&
	    c->cn_outoff + c->cn_outlen + len > c->cn_outsize) {
		memmove(c->cn_out, c->cn_out + c->cn_outoff, c->cn_outlen);
		c->cn_outoff = 0;
	}
	if (c->cn_outlen + len > c->cn_outsize) {
		size = c->cn_outsize == 0 ? CONN_OUT_INIT : c->cn_outsize;
		while (size < c->cn_outlen + len)
			size *= 2;
		if ((p = realloc(c->cn_out, size)) == NULL)
			return (-1);
		c->cn_out = p;
		c->cn_outsize = size;
	}
	memcpy(c->cn_out + c->cn_outoff + c->cn_outlen, buf, len);
	c->cn_outlen += len;
	return (0);
}

/* A SIP message: framed first on a WebSocket. */
int
conn_send(struct conn *c, const char *buf, size_t len)
{
	if (c->cn_ws != NULL)
		return (ws_send(c, buf, len));
	return (conn_write(c, buf, len));
}

/*
 * Straight to the socket while nothing waits before it, so the usual
 * reply costs one write and no copy; what the socket does not take is
 * queued, up to a cap that a client who never reads cannot move.
 */
int
conn_write(struct conn *c, const char *buf, size_t len)
{
	ssize_t	n;
	size_t	off = 0;

	if (c->cn_flags & CONN_DEAD)
		return (-1);
	while (off < len && c->cn_outlen == 0 &&
	    (c->cn_flags & CONN_HANDSHAKE) == 0) {
		if ((n = conn_io_write(c, buf + off, len - off)) ==
		    CONN_IO_WAIT)
			break;
		if (n < 0) {
			conn_close(c, "write error");
			return (-1);
		}
		off += n;
	}
	if (off < len) {
		if (conn_out_append(c, buf + off, len - off) == -1) {
			log_info("conn: %s: output queue full", c->cn_name);
			conn_close(c, "output queue full");
			return (-1);
		}
		if (c->cn_outlen == len - off)
			conn_timer_arm(c);
	}
	conn_update(c);
	return (0);
}

static void
conn_peer_init(struct conn *c, struct transport_listen *tl,
    const struct sockaddr_storage *ss, socklen_t sslen)
{
	struct sip_peer	*peer = &c->cn_peer;

	memcpy(&peer->sp_ss, ss, sslen);
	peer->sp_sslen = sslen;
	peer->sp_transport = tl->tl_cl->cl_transport;
	peer->sp_fd = -1;	/* replies find the connection by id */
	peer->sp_conn_id = c->cn_id;
}

static struct conn *
conn_alloc(struct transport_listen *tl, int fd,
    const struct sockaddr_storage *ss, socklen_t sslen)
{
	struct conn	*c;
	int		 on = 1;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	c->cn_fd = fd;
	c->cn_id = worker_conn_id(tl, conn_next_id++);
	c->cn_listen = tl;
	c->cn_rwant = EV_READ;
	c->cn_wwant = EV_WRITE;
	event_set(&c->cn_rev, fd, EV_READ | EV_PERSIST, conn_event, c);
	event_set(&c->cn_wev, fd, EV_WRITE | EV_PERSIST, conn_event, c);
	evtimer_set(&c->cn_timer, conn_timeout, c);
	sockaddr_name(ss, sslen, c->cn_name, sizeof(c->cn_name));
	conn_peer_init(c, tl, ss, sslen);
	/* Replies are whole messages; do not hold one back for the next. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) == -1)
		log_debug("conn: %s: TCP_NODELAY: %s", c->cn_name,
		    strerror(errno));
	return (c);
}

static void
conn_new(struct transport_listen *tl, int fd,
    const struct sockaddr_storage *ss, socklen_t sslen)
{
	struct conn	*c;

	if ((c = conn_alloc(tl, fd, ss, sslen)) == NULL) {
		log_warn("conn: accept on %s", tl->tl_name);
		close(fd);
		return;
	}
	if ((c->cn_addr = conn_admit(ss, c->cn_name)) == NULL) {
		transport_stats.ts_conns_refused++;
		conn_free(c);
		return;
	}
	if (tl->tl_cl->cl_websocket && ws_conn_start(c) == -1) {
		log_warn("conn: %s", c->cn_name);
		conn_addr_put(c->cn_addr);
		conn_free(c);
		return;
	}
	if (tl->tl_cl->cl_transport == TRANSPORT_TLS) {
		if (tls_conn_start(c, tl->tl_ssl) == -1) {
			conn_addr_put(c->cn_addr);
			conn_free(c);
			return;
		}
		c->cn_flags |= CONN_HANDSHAKE;
		conn_timer(c, CONN_HANDSHAKE_TIMEOUT);
	} else
		conn_timer(c, CONN_IDLE_TIMEOUT);
	RB_INSERT(conn_tree, &conn_ids, c);
	TAILQ_INSERT_TAIL(&conn_idle, c, cn_idle);
	conn_total++;
	conn_unauth++;
	transport_stats.ts_conns++;
	stats_inc(STAT_ACCEPTED_TCP +
	    (c->cn_peer.sp_transport == TRANSPORT_TLS));
	stats_add(STAT_CONNS_TCP +
	    (c->cn_peer.sp_transport == TRANSPORT_TLS), 1);
	log_debug("conn: %s: %s connection %llu on %s", c->cn_name,
	    listen_transport_name(tl->tl_cl),
	    (unsigned long long)c->cn_id, tl->tl_name);
	conn_update(c);
}

static void
conn_accept_resume(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct transport_listen	*tl = arg;

	event_add(&tl->tl_ev, NULL);
}

/* Out of descriptors or memory: wait, as the backlog waits with us. */
static void
conn_accept_error(struct transport_listen *tl)
{
	struct timeval	tv = { CONN_ACCEPT_PAUSE, 0 };

	if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
		return;
	log_warn("conn: accept on %s, pausing", tl->tl_name);
	event_del(&tl->tl_ev);
	evtimer_add(&tl->tl_pause, &tv);
}

static void
conn_accept(int fd, short event IMD_UNUSED, void *arg)
{
	struct transport_listen	*tl = arg;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	int			 s, i;

	for (i = 0; i < CONN_ACCEPT_BURST; i++) {
		sslen = sizeof(ss);
		if ((s = accept4(fd, (struct sockaddr *)&ss, &sslen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1) {
			conn_accept_error(tl);
			return;
		}
		conn_new(tl, s, &ss, sslen);
	}
}

int
conn_listen(struct transport_listen *tl)
{
	event_set(&tl->tl_ev, tl->tl_cl->cl_fd, EV_READ | EV_PERSIST,
	    conn_accept, tl);
	evtimer_set(&tl->tl_pause, conn_accept_resume, tl);
	return (event_add(&tl->tl_ev, NULL));
}

struct conn *
conn_find(uint64_t id)
{
	struct conn	key;

	if (id == 0)
		return (NULL);
	key.cn_id = id;
	return (RB_FIND(conn_tree, &conn_ids, &key));
}
