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
 * One call's media, both ways, driven by a 20 ms clock: each tick
 * reads a frame from the source, codes it and sends it in RTP, and
 * plays the frame the jitter buffer holds for this turn.  Only packets
 * from the peer's address count; every other one is dropped and
 * counted.  An RTCP report goes every RTCP_SECS, and MEDIA_SILENT_SECS
 * without a packet from the peer ends the stream.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cdefs.h"
#include "media.h"

#define RTCP_SECS		5
#define MEDIA_SILENT_SECS	5
#define MEDIA_BIND_TRIES	16

struct media {
	struct event_base	*m_base;
	int			 m_fd, m_cfd;	/* RTP, RTCP */
	uint16_t		 m_port;
	struct event		*m_rev, *m_crev, *m_tick, *m_rtcp;
	struct audio		*m_src, *m_sink;
	int			 m_src_is_file;
	struct codec		*m_codec;
	enum codec_id		 m_cid;
	uint8_t			 m_pt;
	int			 m_started;
	struct sockaddr_storage	 m_peer, m_cpeer;
	socklen_t		 m_peerlen, m_cpeerlen;
	uint16_t		 m_seq;
	uint32_t		 m_ts;
	struct rtcp_stats	 m_rs;
	struct jitter		 m_jb;
	struct media_stats	 m_st;
	int64_t			 m_last_rx_us;
	int			 m_eof_said, m_silent_said;
	media_cb		 m_cb;
	void			*m_arg;
};

static int64_t
media_now_us(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/* RTP on an even port, RTCP on the next (RFC 3550 11). */
static int
media_sockets(struct media *m, const char *host, uint16_t port)
{
	uint16_t	got, cgot;
	int		i;

	for (i = 0; i < (port != 0 ? 1 : MEDIA_BIND_TRIES); i++) {
		if ((m->m_fd = rtp_socket(host, port, &got)) == -1)
			return (-1);
		if (got < 65535 && (port != 0 || got % 2 == 0) &&
		    (m->m_cfd = rtp_socket(host, got + 1, &cgot)) != -1) {
			m->m_port = got;
			return (0);
		}
		close(m->m_fd);
		m->m_fd = -1;
	}
	return (-1);
}

static int
media_audio(struct media *m, const struct media_conf *mc)
{
	if (mc->mc_play != NULL || mc->mc_record != NULL || mc->mc_quiet) {
		/* Files for scripts: a missing one is silence or nothing. */
		if (mc->mc_play != NULL &&
		    (m->m_src = audio_file_play(mc->mc_play)) == NULL)
			return (-1);
		m->m_src_is_file = mc->mc_play != NULL;
		if (mc->mc_record != NULL &&
		    (m->m_sink = audio_file_record(mc->mc_record)) == NULL)
			return (-1);
		return (0);
	}
	/* No sound device: the call goes on, without sound. */
	if ((m->m_src = audio_alsa_open(1)) == NULL ||
	    (m->m_sink = audio_alsa_open(0)) == NULL)
		warnx("the call has no sound");
	return (0);
}

static void	media_read(evutil_socket_t, short, void *);
static void	media_read_rtcp(evutil_socket_t, short, void *);

struct media *
media_open(struct event_base *base, const struct media_conf *mc)
{
	struct media	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return (NULL);
	m->m_base = base;
	m->m_fd = m->m_cfd = -1;
	m->m_rs.rs_ssrc = arc4random();
	m->m_seq = arc4random();
	m->m_ts = arc4random();
	jitter_init(&m->m_jb);
	if (media_sockets(m, mc->mc_lhost, mc->mc_lport) == -1) {
		warnx("cannot open the media port %s:%u: %s", mc->mc_lhost,
		    mc->mc_lport, strerror(errno));
		media_free(m);
		return (NULL);
	}
	m->m_rev = event_new(base, m->m_fd, EV_READ | EV_PERSIST, media_read,
	    m);
	m->m_crev = event_new(base, m->m_cfd, EV_READ | EV_PERSIST,
	    media_read_rtcp, m);
	if (m->m_rev == NULL || m->m_crev == NULL ||
	    event_add(m->m_rev, NULL) == -1 ||
	    event_add(m->m_crev, NULL) == -1 || media_audio(m, mc) == -1) {
		media_free(m);
		return (NULL);
	}
	return (m);
}

uint16_t
media_port(const struct media *m)
{
	return (m->m_port);
}

static void
media_read(evutil_socket_t fd, short ev IMD_UNUSED, void *arg)
{
	struct media		*m = arg;
	struct sockaddr_storage	 from;
	socklen_t		 fromlen = sizeof(from);
	uint8_t			 buf[RTP_HDR_LEN + MEDIA_PAYLOAD_MAX + 64];
	struct rtp_hdr		 rh;
	ssize_t			 n;

	n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
	    &fromlen);
	if (n <= 0 || !m->m_started)
		return;
	if (!rtp_same_addr(&from, &m->m_peer)) {
		m->m_st.ms_ignored++;
		return;
	}
	if (rtp_parse(buf, n, &rh) == -1 || rh.rh_pt != m->m_pt)
		return;
	m->m_last_rx_us = media_now_us();
	m->m_silent_said = 0;
	m->m_st.ms_received++;
	rtcp_note_rtp(&m->m_rs, &rh);
	jitter_put(&m->m_jb, rh.rh_seq, rh.rh_payload, rh.rh_len);
}

static void
media_read_rtcp(evutil_socket_t fd, short ev IMD_UNUSED, void *arg)
{
	struct media		*m = arg;
	struct sockaddr_storage	 from;
	socklen_t		 fromlen = sizeof(from);
	uint8_t			 buf[1500];
	ssize_t			 n;

	n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
	    &fromlen);
	if (n <= 0 || !m->m_started)
		return;
	if (from.ss_family != m->m_cpeer.ss_family ||
	    !rtp_same_addr(&from, &m->m_cpeer))
		return;
	if (rtcp_read(&m->m_rs, buf, n) == 0)
		m->m_st.ms_rtcp_in = m->m_rs.rs_reports_in;
}

static void
media_send(struct media *m)
{
	int16_t		pcm[MEDIA_FRAME];
	uint8_t		payload[MEDIA_PAYLOAD_MAX], pkt[RTP_HDR_LEN +
			    MEDIA_PAYLOAD_MAX];
	struct rtp_hdr	rh;
	size_t		len;
	int		n, end;

	end = m->m_src != NULL ? audio_read(m->m_src, pcm) : 1;
	if (end == 1 && m->m_src == NULL)
		memset(pcm, 0, sizeof(pcm));
	if ((n = codec_encode(m->m_codec, pcm, payload, sizeof(payload))) < 0)
		return;
	memset(&rh, 0, sizeof(rh));
	rh.rh_pt = m->m_pt;
	rh.rh_marker = m->m_st.ms_sent == 0;
	rh.rh_seq = m->m_seq++;
	rh.rh_ts = m->m_ts;
	rh.rh_ssrc = m->m_rs.rs_ssrc;
	rh.rh_payload = payload;
	rh.rh_len = n;
	m->m_ts += codec_clock(m->m_cid) / (1000 / MEDIA_FRAME_MS);
	if ((len = rtp_write(pkt, sizeof(pkt), &rh)) == 0 ||
	    sendto(m->m_fd, pkt, len, 0, (struct sockaddr *)&m->m_peer,
	    m->m_peerlen) == -1)
		return;
	if (m->m_st.ms_sent++ == 0)
		m->m_st.ms_first_sent_us = media_now_us();
	m->m_rs.rs_sent_packets++;
	m->m_rs.rs_sent_octets += n;
	m->m_rs.rs_last_ts = rh.rh_ts;
	if (end == 1 && m->m_src_is_file && !m->m_eof_said) {
		m->m_eof_said = 1;
		m->m_cb(m, MEDIA_EV_FILE_END, m->m_arg);
	}
}

static void
media_play(struct media *m)
{
	uint8_t		data[MEDIA_PAYLOAD_MAX];
	int16_t		pcm[MEDIA_FRAME];
	size_t		len = 0;
	int		r;

	if ((r = jitter_get(&m->m_jb, data, &len)) == -1)
		return;
	if (r == 0)
		m->m_st.ms_lost++;
	if (codec_decode(m->m_codec, r == 1 ? data : NULL, len, pcm) == -1)
		return;
	if (m->m_st.ms_played++ == 0)
		m->m_st.ms_first_played_us = media_now_us();
	if (m->m_sink != NULL)
		(void)audio_write(m->m_sink, pcm);
}

static void
media_tick(evutil_socket_t fd IMD_UNUSED, short ev IMD_UNUSED, void *arg)
{
	struct media	*m = arg;

	media_play(m);
	if (m->m_last_rx_us + MEDIA_SILENT_SECS * 1000000LL <
	    media_now_us() && !m->m_silent_said) {
		m->m_silent_said = 1;
		m->m_cb(m, MEDIA_EV_SILENT, m->m_arg);
		return;
	}
	media_send(m);
}

static void
media_tick_rtcp(evutil_socket_t fd IMD_UNUSED, short ev IMD_UNUSED,
    void *arg)
{
	struct media	*m = arg;
	uint8_t		 buf[128];
	int		 n;

	if ((n = rtcp_make(&m->m_rs, buf, sizeof(buf))) > 0)
		(void)sendto(m->m_cfd, buf, n, 0,
		    (struct sockaddr *)&m->m_cpeer, m->m_cpeerlen);
}

/* Start sending to host:port, and playing what comes from there. */
int
media_start(struct media *m, const char *host, uint16_t port,
    enum codec_id cid, uint8_t pt, media_cb cb, void *arg)
{
	struct timeval	tick = { 0, MEDIA_FRAME_MS * 1000 };
	struct timeval	rtcp = { RTCP_SECS, 0 };

	if (m->m_started || port == 0 || port == 65535 ||
	    rtp_addr(host, port, &m->m_peer, &m->m_peerlen) == -1 ||
	    rtp_addr(host, port + 1, &m->m_cpeer, &m->m_cpeerlen) == -1 ||
	    (m->m_codec = codec_new(cid)) == NULL)
		return (-1);
	m->m_cid = cid;
	m->m_pt = pt;
	m->m_cb = cb;
	m->m_arg = arg;
	m->m_last_rx_us = media_now_us();
	m->m_tick = event_new(m->m_base, -1, EV_PERSIST, media_tick, m);
	m->m_rtcp = event_new(m->m_base, -1, EV_PERSIST, media_tick_rtcp, m);
	if (m->m_tick == NULL || m->m_rtcp == NULL ||
	    evtimer_add(m->m_tick, &tick) == -1 ||
	    evtimer_add(m->m_rtcp, &rtcp) == -1)
		return (-1);
	m->m_started = 1;
	/* The first packet now, not a tick later. */
	media_send(m);
	return (0);
}

void
media_stats(const struct media *m, struct media_stats *st)
{
	*st = m->m_st;
	st->ms_rtcp_in = m->m_rs.rs_reports_in;
}

/* One line for the end of a call, with the times a delay is made of. */
void
media_report(const struct media *m, FILE *fp)
{
	const struct media_stats *st = &m->m_st;

	if (!m->m_started)
		return;
	fprintf(fp, "imc: media: %s, sent %u, received %u, played %u, "
	    "lost %u, ignored %u from other addresses, RTCP reports %u; "
	    "first sent %lld.%06lld, first played %lld.%06lld\n",
	    codec_name(m->m_cid), st->ms_sent, st->ms_received,
	    st->ms_played, st->ms_lost, st->ms_ignored, m->m_rs.rs_reports_in,
	    (long long)(st->ms_first_sent_us / 1000000),
	    (long long)(st->ms_first_sent_us % 1000000),
	    (long long)(st->ms_first_played_us / 1000000),
	    (long long)(st->ms_first_played_us % 1000000));
}

void
media_free(struct media *m)
{
	if (m == NULL)
		return;
	if (m->m_rev != NULL)
		event_free(m->m_rev);
	if (m->m_crev != NULL)
		event_free(m->m_crev);
	if (m->m_tick != NULL)
		event_free(m->m_tick);
	if (m->m_rtcp != NULL)
		event_free(m->m_rtcp);
	if (m->m_fd != -1)
		close(m->m_fd);
	if (m->m_cfd != -1)
		close(m->m_cfd);
	audio_close(m->m_src);
	audio_close(m->m_sink);
	codec_free(m->m_codec);
	free(m);
}
