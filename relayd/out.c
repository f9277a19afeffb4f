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
 * The outbound side of relayd: one UDP socket per address family and
 * one TCP or TLS connection per peer, reused by every request to that
 * peer.  Sockets are bound to our own listening address so that a
 * peer sees the suite's address; TLS checks the peer's certificate
 * against the CA file and the domain it serves (RFC 5922 7.1), and
 * shows the certificate of our first TLS listener as ours.  What
 * comes back is handed to relay.c; requests are not served here.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <event.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "cdefs.h"
#include "config.h"
#include "log.h"
#include "relayd.h"
#include "sip.h"
#include "tls_policy.h"

#define OUT_UDP_MAX		65535
#define OUT_UDP_RCVBUF		(2 * 1024 * 1024)	/* as the listener's */

enum oc_state {
	OC_CONNECTING,
	OC_HANDSHAKE,
	OC_UP,
};

struct oconn {
	TAILQ_ENTRY(oconn)	 oc_entry;
	uint64_t		 oc_id;
	struct out_dest		 oc_dest;
	char			 oc_peer[64];	/* for logs */
	char			 oc_via[OUT_VIA_MAX];
	int			 oc_fd;
	SSL			*oc_ssl;
	enum oc_state		 oc_state;
	int			 oc_tls_wants_write;
	struct event		 oc_rev;
	struct event		 oc_wev;
	struct event		 oc_timer;
	char			*oc_out;
	size_t			 oc_outlen;
	char			*oc_in;
	size_t			 oc_inlen;
};

struct out_udp {
	int			 ou_fd;
	struct event		 ou_ev;
	char			 ou_via[OUT_VIA_MAX];
};

static TAILQ_HEAD(, oconn)	 oconns = TAILQ_HEAD_INITIALIZER(oconns);
static uint64_t			 oconn_next_id = 1;
static struct out_udp		 out_udp4, out_udp6;
static SSL_CTX			*out_tls;

static void	oconn_event(int, short, void *);
static struct out_udp *out_udp_get(int);

void
out_limits(struct sip_limits *lim)
{
	const struct conf_limits	*cl = &relayd_conf->c_limits;

	sip_limits_set(lim, cl->lim_msg_size, cl->lim_headers, cl->lim_line);
}

static const char *
out_tls_error(void)
{
	static char	buf[256];
	unsigned long	e;

	if ((e = ERR_get_error()) == 0)
		return (errno != 0 ? strerror(errno) : "connection closed");
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return (buf);
}

/*
 * Before the chroot: the CA file and our certificate are read now.
 * A suite without them can still relay over UDP and TCP.
 */
void
out_init(const struct imd_conf *conf)
{
	const struct conf_listen	*cl;

	out_udp4.ou_fd = out_udp6.ou_fd = -1;
	if ((out_tls = SSL_CTX_new(TLS_client_method())) == NULL ||
	    tls_policy_apply(out_tls, 0) == -1)
		fatalx("relay: tls context: %s", out_tls_error());
	SSL_CTX_set_options(out_tls, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(out_tls, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_verify(out_tls, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_load_verify_locations(out_tls, conf->c_tls_ca, NULL) != 1)
		log_warnx("relay: tls ca \"%s\": %s; no TLS peer will be "
		    "trusted", conf->c_tls_ca, out_tls_error());
	TAILQ_FOREACH(cl, &conf->c_listens, cl_entry) {
		if (cl->cl_transport != TRANSPORT_TLS)
			continue;
		if (SSL_CTX_use_certificate_chain_file(out_tls,
		    cl->cl_cert) != 1 || SSL_CTX_use_PrivateKey_file(out_tls,
		    cl->cl_key, SSL_FILETYPE_PEM) != 1)
			log_warnx("relay: certificate \"%s\": %s",
			    cl->cl_cert, out_tls_error());
		break;
	}
	/*
	 * The UDP sockets now, while root may give them a receive buffer
	 * above the sysctl limit: responses come in bursts under load.
	 */
	TAILQ_FOREACH(cl, &conf->c_listens, cl_entry)
		if (out_udp_get(cl->cl_ss.ss_family) == NULL)
			fatalx("relay: no outbound UDP socket");
}

/* Our own address of that family, port 0, so that peers see it. */
static int
out_bind_local(int fd, int family)
{
	const struct conf_listen	*cl;
	struct sockaddr_storage		 ss;

	TAILQ_FOREACH(cl, &relayd_conf->c_listens, cl_entry) {
		if (cl->cl_ss.ss_family != family)
			continue;
		ss = cl->cl_ss;
		if (family == AF_INET)
			((struct sockaddr_in *)&ss)->sin_port = 0;
		else
			((struct sockaddr_in6 *)&ss)->sin6_port = 0;
		return (bind(fd, (struct sockaddr *)&ss, cl->cl_sslen));
	}
	return (0);
}

/* "SIP/2.0/UDP 127.0.0.2:40312" for the socket as bound. */
static int
out_via(int fd, enum imd_transport transport, char *via, size_t size)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);
	char			name[64];

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return (-1);
	sockaddr_name(&ss, len, name, sizeof(name));
	snprintf(via, size, "SIP/2.0/%s %s", transport == TRANSPORT_UDP ?
	    "UDP" : transport == TRANSPORT_TCP ? "TCP" : "TLS", name);
	return (0);
}

static void
out_input(const char *buf, size_t len, int stream, const char *from)
{
	struct sip_msg		*msg;
	struct sip_limits	 lim;
	struct sip_err		 err;

	if ((msg = malloc(sizeof(*msg))) == NULL) {
		log_warn("%s", __func__);
		return;
	}
	out_limits(&lim);
	if (sip_parse(msg, buf, len, &lim, stream ? SIP_PARSE_STREAM : 0,
	    &err) == -1)
		log_debug("relay: %s: unparsable: %s", from, err.err_reason);
	else if (msg->msg_kind != SIP_RESPONSE)
		log_info("relay: %s: a request on an outbound socket, "
		    "dropped", from);
	else if (sip_validate_response(msg, &err) == -1)
		log_debug("relay: %s: bad response: %s", from,
		    err.err_reason);
	else
		relay_response(msg);
	free(msg);
}

static void
out_udp_read(int fd, short event IMD_UNUSED, void *arg IMD_UNUSED)
{
	static char		buf[OUT_UDP_MAX];
	struct sockaddr_storage	ss;
	socklen_t		len;
	ssize_t			n;
	char			from[64];
	int			i;

	/* A few at a time, so that connections get their turn. */
	for (i = 0; i < 64; i++) {
		len = sizeof(ss);
		if ((n = recvfrom(fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&ss, &len)) == -1) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNREFUSED)
				log_warn("relay: udp recvfrom");
			return;
		}
		sockaddr_name(&ss, len, from, sizeof(from));
		out_input(buf, n, 0, from);
	}
}

static struct out_udp *
out_udp_get(int family)
{
	struct out_udp	*ou = family == AF_INET ? &out_udp4 : &out_udp6;
	int		 rcvbuf = OUT_UDP_RCVBUF;

	if (ou->ou_fd != -1)
		return (ou);
	if ((ou->ou_fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK, 0)) ==
	    -1 || setsockopt(ou->ou_fd, SOL_SOCKET, geteuid() == 0 ?
	    SO_RCVBUFFORCE : SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) == -1 ||
	    out_bind_local(ou->ou_fd, family) == -1 ||
	    out_via(ou->ou_fd, TRANSPORT_UDP, ou->ou_via,
	    sizeof(ou->ou_via)) == -1) {
		log_warn("relay: udp socket");
		if (ou->ou_fd != -1)
			close(ou->ou_fd);
		ou->ou_fd = -1;
		return (NULL);
	}
	event_set(&ou->ou_ev, ou->ou_fd, EV_READ | EV_PERSIST, out_udp_read,
	    NULL);
	event_add(&ou->ou_ev, NULL);
	return (ou);
}

static int
dest_same(const struct out_dest *a, const struct out_dest *b)
{
	return (a->od_transport == b->od_transport &&
	    a->od_sslen == b->od_sslen &&
	    memcmp(&a->od_ss, &b->od_ss, a->od_sslen) == 0 &&
	    (a->od_transport != TRANSPORT_TLS ||
	    strcasecmp(a->od_name, b->od_name) == 0));
}

static struct oconn *
oconn_find(uint64_t id)
{
	struct oconn	*oc;

	TAILQ_FOREACH(oc, &oconns, oc_entry)
		if (oc->oc_id == id)
			return (oc);
	return (NULL);
}

static void
oconn_timer(struct oconn *oc, int secs)
{
	struct timeval	tv = { secs, 0 };

	evtimer_add(&oc->oc_timer, &tv);
}

/* The connection is gone: whoever waited on it tries elsewhere. */
static void
oconn_close(struct oconn *oc, const char *why)
{
	uint64_t	id = oc->oc_id;
	int		how = oc->oc_state == OC_UP ? OUT_LOST_UP : OUT_LOST_DOWN;

	if (oc->oc_ssl != NULL && oc->oc_state == OC_HANDSHAKE &&
	    SSL_get_verify_result(oc->oc_ssl) != X509_V_OK) {
		how = OUT_LOST_REFUSED;
		why = X509_verify_cert_error_string(
		    SSL_get_verify_result(oc->oc_ssl));
	}
	log_info("relay: %s %s closed: %s",
	    transport_name(oc->oc_dest.od_transport), oc->oc_peer, why);
	TAILQ_REMOVE(&oconns, oc, oc_entry);
	event_del(&oc->oc_rev);
	event_del(&oc->oc_wev);
	evtimer_del(&oc->oc_timer);
	SSL_free(oc->oc_ssl);
	close(oc->oc_fd);
	free(oc->oc_out);
	free(oc->oc_in);
	free(oc);
	relay_conn_lost(id, why, how);
}

static void
oconn_timeout(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct oconn	*oc = arg;

	oconn_close(oc, oc->oc_state == OC_UP ? "idle" :
	    "connect timed out");
}

/* connect() finished, well or not. */
static int
oconn_connected(struct oconn *oc)
{
	int		err = 0;
	socklen_t	len = sizeof(err);

	if (getsockopt(oc->oc_fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		oconn_close(oc, strerror(err));
		return (-1);
	}
	if (oc->oc_dest.od_transport != TRANSPORT_TLS) {
		oc->oc_state = OC_UP;
		oconn_timer(oc, OUT_IDLE_S);
		return (0);
	}
	if ((oc->oc_ssl = SSL_new(out_tls)) == NULL ||
	    SSL_set_fd(oc->oc_ssl, oc->oc_fd) != 1 ||
	    SSL_set_tlsext_host_name(oc->oc_ssl, oc->oc_dest.od_name) != 1 ||
	    SSL_set1_host(oc->oc_ssl, oc->oc_dest.od_name) != 1) {
		oconn_close(oc, out_tls_error());
		return (-1);
	}
	/* RFC 5922 7.2: a wildcard never names a SIP domain. */
	SSL_set_hostflags(oc->oc_ssl, X509_CHECK_FLAG_NO_WILDCARDS);
	oc->oc_state = OC_HANDSHAKE;
	return (0);
}

/* Returns -1 when the connection was closed. */
static int
oconn_tls_result(struct oconn *oc, int r, const char *what)
{
	char	why[300];

	switch (SSL_get_error(oc->oc_ssl, r)) {
	case SSL_ERROR_WANT_READ:
		return (0);
	case SSL_ERROR_WANT_WRITE:
		oc->oc_tls_wants_write = 1;
		return (0);
	case SSL_ERROR_ZERO_RETURN:
		oconn_close(oc, "closed by the peer");
		return (-1);
	default:
		snprintf(why, sizeof(why), "%s: %s", what, out_tls_error());
		oconn_close(oc, why);
		return (-1);
	}
}

static int
oconn_handshake(struct oconn *oc)
{
	int	r;

	oc->oc_tls_wants_write = 0;
	if ((r = SSL_connect(oc->oc_ssl)) != 1)
		return (oconn_tls_result(oc, r, "tls handshake"));
	log_debug("relay: tls %s: %s, peer certificate verified for %s",
	    oc->oc_peer, SSL_get_version(oc->oc_ssl), oc->oc_dest.od_name);
	oc->oc_state = OC_UP;
	oconn_timer(oc, OUT_IDLE_S);
	return (0);
}

static int
oconn_flush(struct oconn *oc)
{
	ssize_t	n;

	while (oc->oc_outlen > 0) {
		if (oc->oc_ssl != NULL) {
			oc->oc_tls_wants_write = 0;
			if ((n = SSL_write(oc->oc_ssl, oc->oc_out,
			    oc->oc_outlen)) <= 0)
				return (oconn_tls_result(oc, n, "tls write"));
		} else if ((n = write(oc->oc_fd, oc->oc_out,
		    oc->oc_outlen)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return (0);
			oconn_close(oc, strerror(errno));
			return (-1);
		}
		memmove(oc->oc_out, oc->oc_out + n, oc->oc_outlen - n);
		oc->oc_outlen -= n;
	}
	return (0);
}

/* Whole messages out of the stream; -1 when the stream is closed. */
static int
oconn_frames(struct oconn *oc)
{
	struct sip_limits	lim;
	struct sip_err		err;
	size_t			n;
	int			r;

	out_limits(&lim);
	while (oc->oc_inlen > 0) {
		r = sip_frame(oc->oc_in, oc->oc_inlen, &lim, &n, &err);
		if (r == SIP_FRAME_MORE)
			return (oc->oc_inlen > lim.max_msg ? -1 : 0);
		if (r == SIP_FRAME_ERROR) {
			oconn_close(oc, err.err_reason);
			return (-1);
		}
		if (r == SIP_FRAME_MSG)
			out_input(oc->oc_in, n, 1, oc->oc_peer);
		memmove(oc->oc_in, oc->oc_in + n, oc->oc_inlen - n);
		oc->oc_inlen -= n;
	}
	return (0);
}

static int
oconn_read(struct oconn *oc)
{
	struct sip_limits	lim;
	size_t			space;
	ssize_t			n;

	out_limits(&lim);
	for (;;) {
		if ((space = lim.max_msg + 1 - oc->oc_inlen) == 0) {
			oconn_close(oc, "message too large");
			return (-1);
		}
		if (oc->oc_ssl != NULL) {
			if ((n = SSL_read(oc->oc_ssl, oc->oc_in + oc->oc_inlen,
			    space)) <= 0)
				return (oconn_tls_result(oc, n, "tls read"));
		} else if ((n = read(oc->oc_fd, oc->oc_in + oc->oc_inlen,
		    space)) <= 0) {
			if (n == -1 && (errno == EAGAIN || errno == EINTR))
				return (0);
			oconn_close(oc, n == 0 ? "closed by the peer" :
			    strerror(errno));
			return (-1);
		}
		oc->oc_inlen += n;
		oconn_timer(oc, OUT_IDLE_S);
		if (oconn_frames(oc) == -1)
			return (-1);
	}
}

static void
oconn_progress(struct oconn *oc)
{
	if (oc->oc_state == OC_CONNECTING) {
		if (oconn_connected(oc) == -1)
			return;
	}
	if (oc->oc_state == OC_HANDSHAKE) {
		if (oconn_handshake(oc) == -1)
			return;
	}
	if (oc->oc_state == OC_UP) {
		if (oconn_flush(oc) == -1 || oconn_read(oc) == -1)
			return;
	}
	if (oc->oc_state == OC_CONNECTING || oc->oc_outlen > 0 ||
	    oc->oc_tls_wants_write || (oc->oc_state == OC_HANDSHAKE &&
	    SSL_want_write(oc->oc_ssl)))
		event_add(&oc->oc_wev, NULL);
}

static void
oconn_event(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	oconn_progress(arg);
}

static struct oconn *
oconn_new(const struct out_dest *dest)
{
	struct oconn		*oc;
	struct sip_limits	 lim;
	int			 family = dest->od_ss.ss_family;

	out_limits(&lim);
	if ((oc = calloc(1, sizeof(*oc))) == NULL ||
	    (oc->oc_in = malloc(lim.max_msg + 1)) == NULL) {
		free(oc);
		return (NULL);
	}
	oc->oc_dest = *dest;
	sockaddr_name(&dest->od_ss, dest->od_sslen, oc->oc_peer,
	    sizeof(oc->oc_peer));
	if ((oc->oc_fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0)) ==
	    -1 || out_bind_local(oc->oc_fd, family) == -1 ||
	    (connect(oc->oc_fd, (const struct sockaddr *)&dest->od_ss,
	    dest->od_sslen) == -1 && errno != EINPROGRESS) ||
	    out_via(oc->oc_fd, dest->od_transport, oc->oc_via,
	    sizeof(oc->oc_via)) == -1) {
		log_debug("relay: connect %s: %s", oc->oc_peer,
		    strerror(errno));
		if (oc->oc_fd != -1)
			close(oc->oc_fd);
		free(oc->oc_in);
		free(oc);
		return (NULL);
	}
	oc->oc_id = oconn_next_id++;
	oc->oc_state = OC_CONNECTING;
	event_set(&oc->oc_rev, oc->oc_fd, EV_READ | EV_PERSIST, oconn_event,
	    oc);
	event_set(&oc->oc_wev, oc->oc_fd, EV_WRITE, oconn_event, oc);
	evtimer_set(&oc->oc_timer, oconn_timeout, oc);
	event_add(&oc->oc_rev, NULL);
	event_add(&oc->oc_wev, NULL);
	oconn_timer(oc, OUT_CONNECT_S);
	TAILQ_INSERT_TAIL(&oconns, oc, oc_entry);
	return (oc);
}

/*
 * The Via a request to dest carries, and the connection it goes on (0
 * for UDP): an existing one to the same peer, else a new one.
 */
int
out_origin(const struct out_dest *dest, char *via, size_t size,
    uint64_t *conn)
{
	struct out_udp	*ou;
	struct oconn	*oc;

	if (dest->od_transport == TRANSPORT_UDP) {
		if ((ou = out_udp_get(dest->od_ss.ss_family)) == NULL)
			return (-1);
		strlcpy(via, ou->ou_via, size);
		*conn = 0;
		return (0);
	}
	TAILQ_FOREACH(oc, &oconns, oc_entry)
		if (dest_same(&oc->oc_dest, dest))
			break;
	if (oc == NULL && (oc = oconn_new(dest)) == NULL)
		return (-1);
	strlcpy(via, oc->oc_via, size);
	*conn = oc->oc_id;
	return (0);
}

/* -1 when it cannot go: the caller tries the next target. */
int
out_send(const struct out_dest *dest, uint64_t conn, const char *buf,
    size_t len)
{
	struct out_udp	*ou;
	struct oconn	*oc;
	char		*p;

	if (dest->od_transport == TRANSPORT_UDP) {
		if ((ou = out_udp_get(dest->od_ss.ss_family)) == NULL)
			return (-1);
		if (sendto(ou->ou_fd, buf, len, 0,
		    (const struct sockaddr *)&dest->od_ss,
		    dest->od_sslen) == -1) {
			log_debug("relay: udp sendto: %s", strerror(errno));
			return (-1);
		}
		return (0);
	}
	if ((oc = oconn_find(conn)) == NULL ||
	    (p = realloc(oc->oc_out, oc->oc_outlen + len)) == NULL)
		return (-1);
	oc->oc_out = p;
	memcpy(oc->oc_out + oc->oc_outlen, buf, len);
	oc->oc_outlen += len;
	if (oc->oc_state == OC_UP)
		event_add(&oc->oc_wev, NULL);
	return (0);
}
