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
 * Replies the listener makes itself, and what they are made of: where
 * the request came from and our To tag.  Below everything that answers
 * a request, above the transport.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listener.h"
#include "log.h"
#include "sip.h"

/* One random tag for the life of the process. */
static struct sip_str
sip_local_tag(void)
{
	static char	tag[17];
	struct sip_str	s;

	if (tag[0] == '\0')
		snprintf(tag, sizeof(tag), "%08x%08x", arc4random(),
		    arc4random());
	s.s = tag;
	s.len = strlen(tag);
	return (s);
}

void
sip_limits_from_conf(struct sip_limits *lim)
{
	const struct conf_limits	*cl = &listener_conf->c_limits;

	sip_limits_set(lim, cl->lim_msg_size, cl->lim_headers, cl->lim_line);
}

/*
 * RFC 3261 18.2.2 / RFC 3581: where the request really came from.
 * inet_ntop(3) for the common case: getnameinfo(3) costs as much as
 * the rest of a reply; a scoped IPv6 address keeps its zone through it.
 */
/*
 * inet_ntop(3) through a one-entry cache: a request's source is printed
 * for authd and again in its answer's Via, and a client's requests come
 * in runs; printing it was a twentieth of a REGISTER's work here.
 */
static int
sip_ntop(int af, const void *addr, size_t addrlen, char *host,
    size_t hostsize)
{
	static int		 last_af;
	static unsigned char	 last[sizeof(struct in6_addr)];
	static char		 last_host[INET6_ADDRSTRLEN];
	static size_t		 last_len;

	if (af != last_af || memcmp(addr, last, addrlen) != 0) {
		if (inet_ntop(af, addr, last_host, sizeof(last_host)) ==
		    NULL) {
			last_af = 0;
			return (-1);
		}
		last_af = af;
		memcpy(last, addr, addrlen);
		last_len = strlen(last_host);
	}
	if (last_len >= hostsize)
		return (-1);
	memcpy(host, last_host, last_len + 1);
	return (0);
}

void
sip_peer_addr(const struct sip_peer *peer, char *host, size_t hostsize,
    uint16_t *port)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	char				 serv[NI_MAXSERV];

	if (peer->sp_ss.ss_family == AF_INET) {
		sin = (const struct sockaddr_in *)&peer->sp_ss;
		if (sip_ntop(AF_INET, &sin->sin_addr, sizeof(sin->sin_addr),
		    host, hostsize) == 0) {
			*port = ntohs(sin->sin_port);
			return;
		}
	} else if (peer->sp_ss.ss_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)&peer->sp_ss;
		if (sin6->sin6_scope_id == 0 && sip_ntop(AF_INET6,
		    &sin6->sin6_addr, sizeof(sin6->sin6_addr), host,
		    hostsize) == 0) {
			*port = ntohs(sin6->sin6_port);
			return;
		}
	}
	if (getnameinfo((const struct sockaddr *)&peer->sp_ss, peer->sp_sslen,
	    host, hostsize, serv, sizeof(serv),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		strlcpy(host, "0.0.0.0", hostsize);
		*port = 0;
		return;
	}
	*port = strtonum(serv, 0, 65535, NULL);
}

/* A response to req into out; -1 when it does not fit. */
int
sip_build_reply(struct sip_out *out, const struct sip_peer *peer,
    const struct sip_msg *req, unsigned int status, const char *reason,
    const char *extra)
{
	return (sip_build_reply_tag(out, peer, req, status, reason, extra,
	    NULL));
}

/* The same with a To tag of the caller's: a dialog's, for its life. */
int
sip_build_reply_tag(struct sip_out *out, const struct sip_peer *peer,
    const struct sip_msg *req, unsigned int status, const char *reason,
    const char *extra, const char *totag)
{
	struct sip_reply	rp;
	char			host[NI_MAXHOST];
	uint16_t		port;

	memset(&rp, 0, sizeof(rp));
	rp.rp_status = status;
	rp.rp_reason = reason;
	sip_peer_addr(peer, host, sizeof(host), &port);
	rp.rp_received.s = host;
	rp.rp_received.len = strlen(host);
	rp.rp_rport = port;
	if (status > 100 && totag != NULL) {
		rp.rp_totag.s = totag;
		rp.rp_totag.len = strlen(totag);
	} else if (status > 100)
		rp.rp_totag = sip_local_tag();
	if (extra != NULL) {
		rp.rp_extra.s = extra;
		rp.rp_extra.len = strlen(extra);
	}
	if (sip_print_response(out, req, &rp) == -1) {
		log_warnx("sip: reply %u does not fit", status);
		return (-1);
	}
	return (0);
}

/*
 * Room for a reply to req: what it echoes (Via, From, To, Call-ID,
 * CSeq) is at most the request itself, whose lines `limit line-length`
 * bounds, and nothing else: a long display name must not cost the
 * sender its answer.  Our status line, received, rport and tag fit in
 * the rest.
 */
size_t
sip_reply_size(const struct sip_msg *req, const char *extra)
{
	const struct sip_hdr	*last;
	size_t			 len = req->msg_len;

	/* A request refused by the parser has no length, only headers. */
	if (len == 0 && req->msg_nhdrs > 0) {
		last = &req->msg_hdrs[req->msg_nhdrs - 1];
		len = SIP_STR_END(&last->hdr_value) - req->msg_buf;
	}
	return (len + (extra != NULL ? strlen(extra) : 0) + 1024);
}

/* A stateless reply. */
int
sip_reply(const struct sip_peer *peer, const struct sip_msg *req,
    unsigned int status, const char *reason, const char *extra)
{
	struct sip_out	out;
	char		stack[SIP_REPLY_MAX], *buf = stack;
	size_t		size = sip_reply_size(req, extra);
	int		rv = -1;

	if (size <= sizeof(stack))
		size = sizeof(stack);
	else if ((buf = malloc(size)) == NULL)
		return (-1);
	sip_out_init(&out, buf, size);
	if (sip_build_reply(&out, peer, req, status, reason, extra) == 0)
		rv = transport_send(peer, out.buf, out.len);
	if (buf != stack)
		free(buf);
	return (rv);
}
