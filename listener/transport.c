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
 * size is dropped and counted.  TCP and TLS listeners hand their
 * connections to conn.c, which frames the streams into messages.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <event.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdefs.h"
#include "listener.h"
#include "log.h"
#include "stats.h"

struct transport_stats transport_stats;

/* The stats_before_answer() hook: what transport_stats counted. */
void
transport_stats_export(void)
{
	stats_set(STAT_SIP_RECEIVED, transport_stats.ts_received);
	stats_set(STAT_SIP_OVERSIZED, transport_stats.ts_oversized);
	stats_set(STAT_SIP_UNPARSABLE, transport_stats.ts_dropped);
	stats_set(STAT_SIP_MALFORMED, transport_stats.ts_bad);
	stats_set(STAT_SIP_RETRANSMISSIONS, transport_stats.ts_retransmits);
	stats_set(STAT_CLOSED_FRAMING, transport_stats.ts_conns_bad);
	stats_set(STAT_CLOSED_TIMEOUT, transport_stats.ts_conns_timeout);
	stats_set(STAT_TLS_FAILURES, transport_stats.ts_tls_failed);
}

static TAILQ_HEAD(, transport_listen) transport_listens =
    TAILQ_HEAD_INITIALIZER(transport_listens);

/* "addr:port", "[v6addr]:port": how every log line names a peer. */

static struct transport_listen *
transport_listen_get(struct conf_listen *cl)
{
	struct transport_listen	*tl;
	unsigned int		 n = 0;

	TAILQ_FOREACH(tl, &transport_listens, tl_entry) {
		if (tl->tl_cl == cl)
			return (tl);
		n++;
	}
	if ((tl = calloc(1, sizeof(*tl))) == NULL)
		return (NULL);
	tl->tl_cl = cl;
	tl->tl_index = n;
	sockaddr_name(&cl->cl_ss, cl->cl_sslen, tl->tl_name,
	    sizeof(tl->tl_name));
	TAILQ_INSERT_TAIL(&transport_listens, tl, tl_entry);
	return (tl);
}

/*
 * What must happen before the jail: a TLS listener reads its
 * certificate and key here, and OpenSSL reads its own configuration.
 */
int
transport_init(struct conf_listen *cl)
{
	struct transport_listen	*tl;

	if ((tl = transport_listen_get(cl)) == NULL)
		return (-1);
	if (cl->cl_websocket)
		ws_prepare();
	if (cl->cl_transport != TRANSPORT_TLS || tl->tl_ssl != NULL)
		return (0);
	if ((tl->tl_ssl = tls_ctx_new(cl)) == NULL) {
		log_warnx("tls: cannot serve %s", tl->tl_name);
		return (-1);
	}
	return (0);
}

int
transport_start(struct conf_listen *cl)
{
	struct transport_listen	*tl;

	if (cl->cl_fd == -1 || (tl = transport_listen_get(cl)) == NULL)
		return (-1);
	switch (cl->cl_transport) {
	case TRANSPORT_UDP:
		event_set(&tl->tl_ev, cl->cl_fd, EV_READ | EV_PERSIST,
		    udp_read, tl);
		return (event_add(&tl->tl_ev, NULL));
	case TRANSPORT_TLS:
		if (tl->tl_ssl == NULL) {
			log_warnx("tls: %s: no certificate loaded",
			    tl->tl_name);
			return (-1);
		}
		/* FALLTHROUGH */
	case TRANSPORT_TCP:
		return (conn_listen(tl));
	}
	return (-1);
}

/*
 * Replies go out where the request came in: the same UDP socket, or the
 * same connection.  When that connection is gone, RFC 3261 18.2.2 says
 * to open a new one to the address in the top Via; that waits for the
 * outbound connection code, so for now the reply is lost.
 */
/* The listen at index i: every worker has the same, in the same order. */
struct transport_listen *
transport_listen_at(unsigned int i)
{
	struct transport_listen	*tl;

	TAILQ_FOREACH(tl, &transport_listens, tl_entry)
		if (tl->tl_index == i)
			return (tl);
	return (NULL);
}

/* The index of the listen whose socket fd is, or -1. */
int
transport_listen_index(int fd)
{
	struct transport_listen	*tl;

	TAILQ_FOREACH(tl, &transport_listens, tl_entry)
		if (tl->tl_cl->cl_fd == fd)
			return (tl->tl_index);
	return (-1);
}

int
transport_send(const struct sip_peer *peer, const char *buf, size_t len)
{
	struct conn	*c;
	char		 name[CONN_NAME_MAX];

	stats_count_response(buf, len);
	if (peer->sp_xmpp != 0)
		return (xmpp_reply(peer, buf, len));
	if (peer->sp_transport == TRANSPORT_UDP)
		return (udp_send(peer, buf, len));
	if (!worker_conn_is_ours(peer->sp_conn_id))
		return (worker_send(peer, buf, len));
	if ((c = conn_find(peer->sp_conn_id)) == NULL) {
		sockaddr_name(&peer->sp_ss, peer->sp_sslen, name,
		    sizeof(name));
		log_debug("conn: %s: connection %llu gone, reply dropped",
		    name, (unsigned long long)peer->sp_conn_id);
		return (-1);
	}
	return (conn_send(c, buf, len));
}

static void
transport_via(const struct conf_listen *cl, char *via, size_t size)
{
	char	name[CONN_NAME_MAX];

	sockaddr_name(&cl->cl_ss, cl->cl_sslen, name, sizeof(name));
	snprintf(via, size, "SIP/2.0/%s %s",
	    cl->cl_transport == TRANSPORT_UDP ? "UDP" :
	    cl->cl_transport == TRANSPORT_TCP ?
	    (cl->cl_websocket ? "WS" : "TCP") :
	    (cl->cl_websocket ? "WSS" : "TLS"), name);
}

/* Is "addr:port" one of our listening addresses (a Route to us)? */
int
transport_is_ours(const char *name)
{
	struct transport_listen	*tl;

	TAILQ_FOREACH(tl, &transport_listens, tl_entry)
		if (strcmp(tl->tl_name, name) == 0)
			return (1);
	return (0);
}

/*
 * Where a request of ours to dest leaves from: on UDP a listening socket
 * of the same family, on TCP or TLS the connection dest registered over.
 * Fills the socket into dest and our Via sent-by into via.
 */
int
transport_origin(struct sip_peer *dest, char *via, size_t size)
{
	struct transport_listen	*tl;
	struct conn		*c;

	if (dest->sp_transport != TRANSPORT_UDP &&
	    !worker_conn_is_ours(dest->sp_conn_id)) {
		/* Another worker's connection: the same listen here. */
		if ((tl = transport_listen_at(worker_conn_listen(
		    dest->sp_conn_id))) == NULL)
			return (-1);
		transport_via(tl->tl_cl, via, size);
		return (0);
	}
	if (dest->sp_transport != TRANSPORT_UDP) {
		if ((c = conn_find(dest->sp_conn_id)) == NULL)
			return (-1);
		transport_via(c->cn_listen->tl_cl, via, size);
		return (0);
	}
	TAILQ_FOREACH(tl, &transport_listens, tl_entry) {
		if (tl->tl_cl->cl_transport != TRANSPORT_UDP ||
		    tl->tl_cl->cl_ss.ss_family != dest->sp_ss.ss_family)
			continue;
		dest->sp_fd = tl->tl_cl->cl_fd;
		transport_via(tl->tl_cl, via, size);
		return (0);
	}
	return (-1);
}
