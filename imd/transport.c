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
 * Client-facing sockets.  Datagrams are read into one bounded buffer and
 * handed to the SIP layer; a datagram larger than the configured message
 * size is dropped and counted.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <event.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listener.h"
#include "log.h"

#define UDP_BURST	64	/* datagrams per wake-up */

struct listen_ev {
	struct conf_listen	*le_cl;
	struct event		 le_ev;
};

struct transport_stats transport_stats;

static void
udp_read(int fd, short event, void *arg)
{
	struct sip_peer		 peer;
	static char		*buf;
	static size_t		 bufsize;
	size_t			 max = listener_conf->c_limits.lim_msg_size;
	ssize_t			 n;
	int			 i;

	if (bufsize < max + 1) {
		free(buf);
		bufsize = max + 1;
		if ((buf = malloc(bufsize)) == NULL)
			fatal("%s", __func__);
	}
	for (i = 0; i < UDP_BURST; i++) {
		memset(&peer, 0, sizeof(peer));
		peer.sp_sslen = sizeof(peer.sp_ss);
		n = recvfrom(fd, buf, max + 1, MSG_TRUNC,
		    (struct sockaddr *)&peer.sp_ss, &peer.sp_sslen);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("udp: recvfrom");
			return;
		}
		transport_stats.ts_received++;
		if ((size_t)n > max) {
			transport_stats.ts_oversized++;
			continue;
		}
		peer.sp_transport = TRANSPORT_UDP;
		peer.sp_fd = fd;
		sip_input(&peer, buf, n);
	}
}

int
transport_start(struct conf_listen *cl)
{
	struct listen_ev	*le;

	if (cl->cl_transport != TRANSPORT_UDP) {
		/* Streams come with the SIP core; hold the socket until then. */
		return (0);
	}
	if ((le = calloc(1, sizeof(*le))) == NULL)
		return (-1);
	le->le_cl = cl;
	event_set(&le->le_ev, cl->cl_fd, EV_READ | EV_PERSIST, udp_read, le);
	return (event_add(&le->le_ev, NULL));
}

/* Replies go out on the socket the request came in on. */
int
transport_send(const struct sip_peer *peer, const char *buf, size_t len)
{
	if (sendto(peer->sp_fd, buf, len, 0,
	    (const struct sockaddr *)&peer->sp_ss, peer->sp_sslen) == -1) {
		log_warn("udp: sendto");
		return (-1);
	}
	return (0);
}
