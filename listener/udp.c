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
 * Datagrams in and out, a batch to a system call.  Under load most of
 * the listener's kernel time was the system calls themselves, two
 * recvfrom(2) and two sendto(2) for each registration: recvmmsg(2)
 * reads what is waiting in one call, and responses wait in a queue
 * that sendmmsg(2) writes at the end of the turn of the event loop.
 * Requests still go out at once, so that the transaction sending one
 * learns there and then that it could not leave.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <event.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "listener.h"
#include "log.h"

#define UDP_BATCH	32	/* datagrams per system call */
#define UDP_BURST	64	/* datagrams read per wake-up */
#define UDP_SLOT	4096	/* a queued response; longer ones go at once */

/* What one recvmmsg(2) fills: a buffer and an address per datagram. */
struct udp_in {
	struct mmsghdr		 ui_msgs[UDP_BATCH];
	struct iovec		 ui_iov[UDP_BATCH];
	struct sockaddr_storage	 ui_from[UDP_BATCH];
	char			*ui_buf;	/* UDP_BATCH slots of ui_size */
	size_t			 ui_size;
};

/* Responses for one socket, waiting for the end of the turn. */
struct udp_out {
	int			 uo_fd;
	unsigned int		 uo_n;
	int			 uo_armed;	/* the flush event is active */
	struct event		 uo_ev;
	struct mmsghdr		 uo_msgs[UDP_BATCH];
	struct iovec		 uo_iov[UDP_BATCH];
	struct sockaddr_storage	 uo_to[UDP_BATCH];
	char			 uo_buf[UDP_BATCH][UDP_SLOT];
};

static struct udp_in	 udp_in;
static struct udp_out	 udp_out = { .uo_fd = -1 };

/*
 * Slots one byte longer than a message, so that a longer one shows;
 * the headers pointing at them are set here, once.
 */
static void
udp_in_size(size_t max)
{
	struct mmsghdr	*m;
	int		 i;

	if (udp_in.ui_size == max + 1)
		return;
	free(udp_in.ui_buf);
	udp_in.ui_size = max + 1;
	if ((udp_in.ui_buf = calloc(UDP_BATCH, udp_in.ui_size)) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < UDP_BATCH; i++) {
		m = &udp_in.ui_msgs[i];
		udp_in.ui_iov[i].iov_base = udp_in.ui_buf + i * udp_in.ui_size;
		udp_in.ui_iov[i].iov_len = udp_in.ui_size;
		memset(&m->msg_hdr, 0, sizeof(m->msg_hdr));
		m->msg_hdr.msg_name = &udp_in.ui_from[i];
		m->msg_hdr.msg_iov = &udp_in.ui_iov[i];
		m->msg_hdr.msg_iovlen = 1;
	}
}

/* recvmmsg(2) writes each address length back: it is reset first. */
static int
udp_recv_batch(int fd)
{
	int	i, n;

	for (i = 0; i < UDP_BATCH; i++)
		udp_in.ui_msgs[i].msg_hdr.msg_namelen =
		    sizeof(udp_in.ui_from[i]);
	if ((n = recvmmsg(fd, udp_in.ui_msgs, UDP_BATCH, MSG_TRUNC,
	    NULL)) == -1 && errno != EAGAIN && errno != EINTR)
		log_warn("udp: recvmmsg");
	return (n);
}

/* One datagram of a batch to the SIP layer; msg_len is its whole size. */
static void
udp_input(int fd, int i, size_t max)
{
	struct sip_peer	 peer;
	struct mmsghdr	*m = &udp_in.ui_msgs[i];
	char		*buf = udp_in.ui_iov[i].iov_base;

	memset(&peer, 0, sizeof(peer));
	memcpy(&peer.sp_ss, &udp_in.ui_from[i], m->msg_hdr.msg_namelen);
	peer.sp_sslen = m->msg_hdr.msg_namelen;
	peer.sp_transport = TRANSPORT_UDP;
	peer.sp_fd = fd;
	transport_stats.ts_received++;
	if (m->msg_len > max) {
		sip_refuse_oversized(&peer, buf, max);
		return;
	}
	sip_input(&peer, buf, m->msg_len);
}

void
udp_read(int fd, short event IMD_UNUSED, void *arg IMD_UNUSED)
{
	size_t	max = listener_conf->c_limits.lim_msg_size;
	int	i, n, total = 0;

	udp_in_size(max);
	while (total < UDP_BURST) {
		if ((n = udp_recv_batch(fd)) <= 0)
			return;
		for (i = 0; i < n; i++)
			udp_input(fd, i, max);
		total += n;
		if (n < UDP_BATCH)
			return;
	}
}

static void
udp_send_failed(const char *call, const void *to, socklen_t tolen)
{
	char	name[CONN_NAME_MAX];
	int	saved = errno;

	sockaddr_name(to, tolen, name, sizeof(name));
	errno = saved;
	log_warn("udp: %s: %s", name, call);
}

/* Write the queue; a datagram refused is logged and the rest go on. */
static void
udp_flush(void)
{
	unsigned int	 i = 0;
	int		 n;
	struct msghdr	*h;

	while (i < udp_out.uo_n) {
		n = sendmmsg(udp_out.uo_fd, udp_out.uo_msgs + i,
		    udp_out.uo_n - i, 0);
		if (n > 0) {
			i += n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		h = &udp_out.uo_msgs[i].msg_hdr;
		udp_send_failed("sendmmsg", h->msg_name, h->msg_namelen);
		i++;
	}
	udp_out.uo_n = 0;
}

static void
udp_flush_event(int fd IMD_UNUSED, short event IMD_UNUSED,
    void *arg IMD_UNUSED)
{
	udp_out.uo_armed = 0;
	udp_flush();
}

/* Queued for the end of this turn; a full queue is written now. */
static void
udp_queue(const struct sip_peer *peer, const char *buf, size_t len)
{
	struct mmsghdr	*m;
	unsigned int	 i;

	if (udp_out.uo_n > 0 && (udp_out.uo_fd != peer->sp_fd ||
	    udp_out.uo_n == UDP_BATCH))
		udp_flush();
	i = udp_out.uo_n++;
	udp_out.uo_fd = peer->sp_fd;
	memcpy(udp_out.uo_buf[i], buf, len);
	memcpy(&udp_out.uo_to[i], &peer->sp_ss, peer->sp_sslen);
	udp_out.uo_iov[i].iov_base = udp_out.uo_buf[i];
	udp_out.uo_iov[i].iov_len = len;
	m = &udp_out.uo_msgs[i];
	memset(&m->msg_hdr, 0, sizeof(m->msg_hdr));
	m->msg_hdr.msg_name = &udp_out.uo_to[i];
	m->msg_hdr.msg_namelen = peer->sp_sslen;
	m->msg_hdr.msg_iov = &udp_out.uo_iov[i];
	m->msg_hdr.msg_iovlen = 1;
	if (!udp_out.uo_armed) {
		if (!event_initialized(&udp_out.uo_ev))
			event_set(&udp_out.uo_ev, -1, 0, udp_flush_event,
			    NULL);
		udp_out.uo_armed = 1;
		event_active(&udp_out.uo_ev, EV_WRITE, 1);
	}
}

static int
udp_is_response(const char *buf, size_t len)
{
	return (len > 8 && memcmp(buf, "SIP/2.0 ", 8) == 0);
}

int
udp_send(const struct sip_peer *peer, const char *buf, size_t len)
{
	if (udp_is_response(buf, len) && len <= UDP_SLOT) {
		udp_queue(peer, buf, len);
		return (0);
	}
	/* In order after whatever waits for the same socket. */
	if (udp_out.uo_n > 0)
		udp_flush();
	if (sendto(peer->sp_fd, buf, len, 0,
	    (const struct sockaddr *)&peer->sp_ss, peer->sp_sslen) == -1) {
		udp_send_failed("sendto", &peer->sp_ss, peer->sp_sslen);
		return (-1);
	}
	return (0);
}
