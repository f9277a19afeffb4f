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
 * Direct mode, the receiving side: with `direct yes', peers send their
 * MESSAGEs straight to the contact we registered, not through the
 * server.  That contact is the port of the socket connected to the
 * server, which the kernel keeps for the server alone, so a second,
 * unconnected socket shares the port (SO_REUSEPORT, same user only):
 * Linux gives a datagram to the socket whose connection matches its
 * source first, so the server's still reach the first socket and
 * everyone else's reach this one.  Only UDP: a TCP or TLS contact is
 * an outgoing connection nobody else can reach.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cdefs.h"
#include "imc.h"
#include "ua.h"

static int
ua_peer_reuse(int fd)
{
	int	one = 1;

	return (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)));
}

/* Before the server's socket is bound: the port must be shareable. */
int
ua_peer_prepare(struct ua *ua)
{
	if (!ua->ua_conf->c_direct && !ua->ua_conf->c_calls)
		return (0);
	if (ua_peer_reuse(ua->ua_fd) == -1) {
		ua_fail(ua, "SO_REUSEPORT: %s", strerror(errno));
		return (-1);
	}
	return (0);
}

static void
ua_peer_read(evutil_socket_t fd, short ev IMD_UNUSED, void *arg)
{
	struct ua	*ua = arg;
	char		 buf[SIP_UDP_MAX + 1];
	ssize_t		 n;

	ua->ua_peerlen = sizeof(ua->ua_peer);
	n = recvfrom(fd, buf, sizeof(buf) - 1, 0,
	    (struct sockaddr *)&ua->ua_peer, &ua->ua_peerlen);
	if (n > 0 && ua->ua_peerlen > 0)
		ua_handle(ua, buf, n, 0);
	ua->ua_peerlen = 0;
}

/* After the server's socket is connected and our contact is known. */
int
ua_peer_open(struct ua *ua)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);

	if (!ua->ua_conf->c_direct && !ua->ua_conf->c_calls)
		return (0);
	if (getsockname(ua->ua_fd, (struct sockaddr *)&ss, &len) == -1 ||
	    (ua->ua_pfd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 || ua_peer_reuse(ua->ua_pfd) == -1 ||
	    bind(ua->ua_pfd, (struct sockaddr *)&ss, len) == -1) {
		ua_fail(ua, "direct mode: %s", strerror(errno));
		return (-1);
	}
	ua->ua_prev = event_new(ua->ua_base, ua->ua_pfd, EV_READ | EV_PERSIST,
	    ua_peer_read, ua);
	if (ua->ua_prev == NULL || event_add(ua->ua_prev, NULL) == -1)
		return (-1);
	return (0);
}

void
ua_peer_close(struct ua *ua)
{
	if (ua->ua_prev != NULL)
		event_free(ua->ua_prev);
	ua->ua_prev = NULL;
	if (ua->ua_pfd != -1)
		close(ua->ua_pfd);
	ua->ua_pfd = -1;
}

/* The answer to the peer whose request we handle (RFC 3581: its source). */
int
ua_peer_send(struct ua *ua, const char *buf, size_t len)
{
	if (sendto(ua->ua_pfd, buf, len, 0, (struct sockaddr *)&ua->ua_peer,
	    ua->ua_peerlen) == -1 && errno != EAGAIN && errno != ENOBUFS &&
	    errno != ECONNREFUSED)
		return (-1);
	return (0);
}

/* "127.0.0.1:5062" while answering a peer; NULL for the server. */
const char *
ua_peer_name(struct ua *ua, char *buf, size_t size)
{
	char	host[64], port[8];

	if (ua->ua_peerlen == 0 || getnameinfo((struct sockaddr *)
	    &ua->ua_peer, ua->ua_peerlen, host, sizeof(host), port,
	    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return (NULL);
	(void)snprintf(buf, size, strchr(host, ':') != NULL ? "[%s]:%s" :
	    "%s:%s", host, port);
	return (buf);
}
