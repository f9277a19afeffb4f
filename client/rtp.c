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
 * RTP (RFC 3550 5.1): the fixed header read and written, without CSRC
 * lists or extensions of our own; theirs are skipped on reading.  And
 * the UDP socket a stream comes in on, with the address it goes to.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "media.h"

/* 0 for a packet we can play: version 2, its header within len. */
int
rtp_parse(const uint8_t *p, size_t len, struct rtp_hdr *rh)
{
	size_t	off = RTP_HDR_LEN, pad = 0;

	if (len < RTP_HDR_LEN || (p[0] >> 6) != 2)
		return (-1);
	off += (p[0] & 0x0f) * 4;
	if ((p[0] & 0x10) != 0) {
		if (off + 4 > len)
			return (-1);
		off += 4 + ((size_t)(p[off + 2] << 8 | p[off + 3])) * 4;
	}
	if ((p[0] & 0x20) != 0)
		pad = p[len - 1];
	if (off > len || pad > len - off)
		return (-1);
	rh->rh_marker = (p[1] & 0x80) != 0;
	rh->rh_pt = p[1] & 0x7f;
	rh->rh_seq = p[2] << 8 | p[3];
	rh->rh_ts = (uint32_t)p[4] << 24 | p[5] << 16 | p[6] << 8 | p[7];
	rh->rh_ssrc = (uint32_t)p[8] << 24 | p[9] << 16 | p[10] << 8 | p[11];
	rh->rh_payload = p + off;
	rh->rh_len = len - off - pad;
	return (0);
}

/* The header and payload into buf; the length, or 0 if it is short. */
size_t
rtp_write(uint8_t *buf, size_t size, const struct rtp_hdr *rh)
{
	if (size < RTP_HDR_LEN + rh->rh_len)
		return (0);
	buf[0] = 0x80;
	buf[1] = (rh->rh_marker ? 0x80 : 0) | (rh->rh_pt & 0x7f);
	buf[2] = rh->rh_seq >> 8;
	buf[3] = rh->rh_seq;
	buf[4] = rh->rh_ts >> 24;
	buf[5] = rh->rh_ts >> 16;
	buf[6] = rh->rh_ts >> 8;
	buf[7] = rh->rh_ts;
	buf[8] = rh->rh_ssrc >> 24;
	buf[9] = rh->rh_ssrc >> 16;
	buf[10] = rh->rh_ssrc >> 8;
	buf[11] = rh->rh_ssrc;
	memcpy(buf + RTP_HDR_LEN, rh->rh_payload, rh->rh_len);
	return (RTP_HDR_LEN + rh->rh_len);
}

int
rtp_addr(const char *host, uint16_t port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct addrinfo	 hints, *res;
	char		 serv[8];

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	(void)snprintf(serv, sizeof(serv), "%u", port);
	if (getaddrinfo(host, serv, &hints, &res) != 0)
		return (-1);
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return (0);
}

/* Same address and port, the one test a packet's source must pass. */
int
rtp_same_addr(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;

	if (a->ss_family != b->ss_family)
		return (0);
	if (a->ss_family == AF_INET) {
		a4 = (const struct sockaddr_in *)a;
		b4 = (const struct sockaddr_in *)b;
		return (a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr);
	}
	a6 = (const struct sockaddr_in6 *)a;
	b6 = (const struct sockaddr_in6 *)b;
	return (a6->sin6_port == b6->sin6_port &&
	    memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(a6->sin6_addr)) == 0);
}

/* A non-blocking socket on host:port (0: any); the port it got. */
int
rtp_socket(const char *host, uint16_t port, uint16_t *got)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 fd;

	if (rtp_addr(host, port, &ss, &len) == -1)
		return (-1);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return (-1);
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) == -1) {
		close(fd);
		return (-1);
	}
	*got = ntohs(ss.ss_family == AF_INET ?
	    ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
	return (fd);
}
