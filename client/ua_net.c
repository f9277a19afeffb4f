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
 * The connection of the user agent to its server: the address looked
 * up, a socket bound and connected, the TLS session verified against
 * the server's name, and the bytes that come in cut into messages.
 *
 * The look-up and, for TLS, the CA bundle load happen before the event
 * loop runs: imc serves nothing else while it waits for them.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdefs.h"
#include "imc.h"
#include "tls_policy.h"
#include "ua.h"

int
ua_send_raw(struct ua *ua, const char *buf, size_t len)
{
	if (ua->ua_peerlen != 0)
		return (ua_peer_send(ua, buf, len));
	if (ua->ua_failed)
		return (-1);
	if (ua->ua_bev != NULL)
		return (bufferevent_write(ua->ua_bev, buf, len));
	if (send(ua->ua_fd, buf, len, 0) == -1) {
		/* An ICMP error of an earlier datagram surfaces here. */
		if (errno == EAGAIN || errno == ENOBUFS)
			return (0);
		ua_fail(ua, "%s", strerror(errno));
		return (-1);
	}
	return (0);
}

/* To the server, or to a peer over the socket of direct mode. */
int
ua_send_dest(struct ua *ua, const struct ua_origin *dest, const char *buf,
    size_t len)
{
	struct sockaddr_storage	 saved = ua->ua_peer;
	socklen_t		 savedlen = ua->ua_peerlen;
	int			 rc;

	if (dest != NULL && dest->uo_len != 0 && ua->ua_pfd == -1)
		return (-1);
	ua->ua_peerlen = 0;
	if (dest != NULL && dest->uo_len != 0) {
		ua->ua_peer = dest->uo_addr;
		ua->ua_peerlen = dest->uo_len;
	}
	rc = ua_send_raw(ua, buf, len);
	ua->ua_peer = saved;
	ua->ua_peerlen = savedlen;
	return (rc);
}

void
ua_udp_read(evutil_socket_t fd, short ev IMD_UNUSED, void *arg)
{
	struct ua	*ua = arg;
	char		 buf[SIP_UDP_MAX + 1];
	ssize_t		 n;

	if ((n = recv(fd, buf, sizeof(buf) - 1, 0)) == -1) {
		if (errno != EAGAIN && errno != EINTR)
			ua_fail(ua, "%s", strerror(errno));
		return;
	}
	ua_handle(ua, buf, n, 0);
}

/* Cut the stream into messages; anything we cannot frame ends it. */
void
ua_stream_read(struct bufferevent *bev, void *arg)
{
	struct ua		*ua = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct sip_limits	 lim;
	struct sip_err		 err;
	size_t			 avail, len;
	const char		*p;
	int			 r;

	sip_limits_default(&lim);
	while (!ua->ua_failed && (avail = evbuffer_get_length(in)) > 0) {
		p = (const char *)evbuffer_pullup(in, avail);
		r = sip_frame(p, avail, &lim, &len, &err);
		if (r == SIP_FRAME_MORE)
			return;
		if (r == SIP_FRAME_ERROR) {
			ua_fail(ua, "the server sent something that is not "
			    "SIP");
			return;
		}
		if (r == SIP_FRAME_MSG)
			ua_handle(ua, p, len, SIP_PARSE_STREAM);
		evbuffer_drain(in, len);
	}
}

static void
ua_tls_reason(struct ua *ua, char *buf, size_t size)
{
	SSL		*ssl = bufferevent_openssl_get_ssl(ua->ua_bev);
	unsigned long	 e;
	long		 vr;

	vr = SSL_get_verify_result(ssl);
	if (vr != X509_V_OK)
		(void)snprintf(buf, size, "the certificate of %s is not "
		    "trusted: %s", ua->ua_conf->c_server,
		    X509_verify_cert_error_string(vr));
	else if ((e = bufferevent_get_openssl_error(ua->ua_bev)) != 0)
		(void)snprintf(buf, size, "TLS: %s",
		    ERR_reason_error_string(e));
	else
		(void)snprintf(buf, size, "connection closed");
}

void
ua_stream_event(struct bufferevent *bev IMD_UNUSED, short what, void *arg)
{
	struct ua	*ua = arg;
	char		 why[1024];
	int		 saved = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED)
		return;
	if (ua->ua_conf->c_transport == IMC_TLS && !(what & BEV_EVENT_EOF) &&
	    saved == 0)
		ua_tls_reason(ua, why, sizeof(why));
	else if (what & BEV_EVENT_EOF)
		(void)strlcpy(why, "the server closed the connection",
		    sizeof(why));
	else
		(void)strlcpy(why, strerror(saved), sizeof(why));
	ua_fail(ua, "%s", why);
}

static int
ua_resolve(struct ua *ua, struct sockaddr_storage *ss, socklen_t *sslen)
{
	struct imc_conf	*conf = ua->ua_conf;
	struct addrinfo	 hints, *res;
	char		 port[8];
	int		 e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = conf->c_transport == IMC_UDP ? SOCK_DGRAM :
	    SOCK_STREAM;
	(void)snprintf(port, sizeof(port), "%u", conf->c_port);
	if ((e = getaddrinfo(conf->c_server, port, &hints, &res)) != 0) {
		ua_fail(ua, "%s", gai_strerror(e));
		return (-1);
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return (0);
}

/* The source address from the configuration, if any. */
static int
ua_bind(struct ua *ua, int fd, int family)
{
	struct addrinfo	 hints, *res;
	int		 e, r;

	if (ua->ua_conf->c_bind[0] == '\0')
		return (0);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
	if ((e = getaddrinfo(ua->ua_conf->c_bind, "0", &hints, &res)) != 0) {
		ua_fail(ua, "bind %s: %s", ua->ua_conf->c_bind,
		    gai_strerror(e));
		return (-1);
	}
	r = bind(fd, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (r == -1)
		ua_fail(ua, "bind %s: %s", ua->ua_conf->c_bind,
		    strerror(errno));
	return (r);
}

/* Our address as the server sees it, for Via and Contact. */
static int
ua_local(struct ua *ua)
{
	static const char *const tp[] = { "", ";transport=tcp",
	    ";transport=tls" };
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	char			 port[8];
	int			 e, v6;

	if (getsockname(ua->ua_fd, (struct sockaddr *)&ss, &len) == -1) {
		ua_fail(ua, "getsockname: %s", strerror(errno));
		return (-1);
	}
	if ((e = getnameinfo((struct sockaddr *)&ss, len, ua->ua_lhost,
	    sizeof(ua->ua_lhost), port, sizeof(port),
	    NI_NUMERICHOST | NI_NUMERICSERV)) != 0) {
		ua_fail(ua, "getnameinfo: %s", gai_strerror(e));
		return (-1);
	}
	if (strtonum(port, 1, 65535, NULL) == 0)
		return (-1);
	ua->ua_lport = strtonum(port, 1, 65535, NULL);
	v6 = ss.ss_family == AF_INET6;
	(void)snprintf(ua->ua_contact, sizeof(ua->ua_contact),
	    "sip:%s@%s%s%s:%u%s", ua->ua_conf->c_user, v6 ? "[" : "",
	    ua->ua_lhost, v6 ? "]" : "", ua->ua_lport,
	    tp[ua->ua_conf->c_transport]);
	return (0);
}

static int
ua_open_udp(struct ua *ua, struct sockaddr_storage *ss, socklen_t len)
{
	/*
	 * Connected, so that only the server is heard and a port with
	 * nothing behind it is reported at once (ECONNREFUSED).  Peers in
	 * direct mode are heard on a second socket (ua_peer.c).
	 */
	if (connect(ua->ua_fd, (struct sockaddr *)ss, len) == -1) {
		ua_fail(ua, "%s", strerror(errno));
		return (-1);
	}
	ua->ua_rev = event_new(ua->ua_base, ua->ua_fd, EV_READ | EV_PERSIST,
	    ua_udp_read, ua);
	if (ua->ua_rev == NULL || event_add(ua->ua_rev, NULL) == -1)
		return (-1);
	return (0);
}

/* Verify the chain and that the certificate names the server. */
static SSL *
ua_tls_new(struct ua *ua)
{
	struct imc_conf	*conf = ua->ua_conf;
	SSL		*ssl;
	int		 r;

	if ((ua->ua_ssl_ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    tls_policy_apply(ua->ua_ssl_ctx, 0) == -1)
		return (NULL);
	SSL_CTX_set_verify(ua->ua_ssl_ctx, SSL_VERIFY_PEER, NULL);
	if (conf->c_ca[0] != '\0')
		r = SSL_CTX_load_verify_locations(ua->ua_ssl_ctx, conf->c_ca,
		    NULL);
	else
		r = SSL_CTX_set_default_verify_paths(ua->ua_ssl_ctx);
	if (r != 1) {
		ua_fail(ua, "cannot load the CA certificates %s",
		    conf->c_ca[0] != '\0' ? conf->c_ca : "of the system");
		return (NULL);
	}
	if ((ssl = SSL_new(ua->ua_ssl_ctx)) == NULL)
		return (NULL);
	if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
	    conf->c_server) != 1) {
		if (SSL_set1_host(ssl, conf->c_server) != 1 ||
		    SSL_set_tlsext_host_name(ssl, conf->c_server) != 1) {
			SSL_free(ssl);
			return (NULL);
		}
	}
	return (ssl);
}

static int
ua_open_stream(struct ua *ua, struct sockaddr_storage *ss, socklen_t len)
{
	SSL	*ssl;

	if (ua->ua_conf->c_transport == IMC_TLS) {
		if ((ssl = ua_tls_new(ua)) == NULL)
			return (-1);
		ua->ua_bev = bufferevent_openssl_socket_new(ua->ua_base,
		    ua->ua_fd, ssl, BUFFEREVENT_SSL_CONNECTING,
		    BEV_OPT_CLOSE_ON_FREE);
	} else
		ua->ua_bev = bufferevent_socket_new(ua->ua_base, ua->ua_fd,
		    BEV_OPT_CLOSE_ON_FREE);
	if (ua->ua_bev == NULL)
		return (-1);
	bufferevent_setcb(ua->ua_bev, ua_stream_read, NULL, ua_stream_event,
	    ua);
	if (bufferevent_enable(ua->ua_bev, EV_READ | EV_WRITE) == -1)
		return (-1);
	/* Requests queue in the bufferevent until the connection is up. */
	if (bufferevent_socket_connect(ua->ua_bev, (struct sockaddr *)ss,
	    len) == -1) {
		ua_fail(ua, "%s", strerror(errno));
		return (-1);
	}
	return (0);
}

int
ua_open(struct ua *ua)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 udp = ua->ua_conf->c_transport == IMC_UDP;

	if (ua_resolve(ua, &ss, &len) == -1)
		return (-1);
	ua->ua_fd = socket(ss.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ua->ua_fd == -1) {
		ua_fail(ua, "socket: %s", strerror(errno));
		return (-1);
	}
	if ((udp && ua_peer_prepare(ua) == -1) ||
	    ua_bind(ua, ua->ua_fd, ss.ss_family) == -1)
		return (-1);
	if ((udp ? ua_open_udp(ua, &ss, len) :
	    ua_open_stream(ua, &ss, len)) == -1)
		return (-1);
	if (ua_local(ua) == -1)
		return (-1);
	return (udp ? ua_peer_open(ua) : 0);
}
