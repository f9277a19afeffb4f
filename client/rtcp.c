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
 * RTCP (RFC 3550 6.4): a sender report with one reception report block
 * for the stream we receive, or a receiver report while we send
 * nothing, every few seconds; and the reports of the peer counted.
 * Round-trip time and jitter are not computed: nothing here uses them.
 */

#include <sys/types.h>

#include <string.h>
#include <time.h>

#include "media.h"

#define RTCP_SR		200
#define RTCP_RR		201
#define NTP_OFFSET	2208988800U	/* 1900 to 1970 */

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* The expected and lost counts of RFC 3550 A.3. */
static void
rtcp_block(const struct rtcp_stats *rs, uint8_t *p)
{
	uint32_t	expected, lost;

	expected = rs->rs_cycles + rs->rs_max_seq - rs->rs_base_seq + 1;
	lost = expected > rs->rs_received ? expected - rs->rs_received : 0;
	put32(p, rs->rs_peer_ssrc);
	put32(p + 4, lost & 0xffffff);
	put32(p + 8, rs->rs_cycles + rs->rs_max_seq);
	put32(p + 12, 0);	/* jitter */
	put32(p + 16, 0);	/* last SR */
	put32(p + 20, 0);	/* delay since it */
}

/* An SR or RR into buf; its length, or -1. */
int
rtcp_make(const struct rtcp_stats *rs, uint8_t *buf, size_t size)
{
	struct timespec	 ts;
	size_t		 len, off;
	int		 sr = rs->rs_sent_packets > 0;

	len = 8 + (sr ? 20 : 0) + (rs->rs_have_peer ? 24 : 0);
	if (size < len)
		return (-1);
	buf[0] = 0x80 | (rs->rs_have_peer ? 1 : 0);
	buf[1] = sr ? RTCP_SR : RTCP_RR;
	buf[2] = 0;
	buf[3] = len / 4 - 1;
	put32(buf + 4, rs->rs_ssrc);
	off = 8;
	if (sr) {
		(void)clock_gettime(CLOCK_REALTIME, &ts);
		put32(buf + 8, (uint32_t)ts.tv_sec + NTP_OFFSET);
		put32(buf + 12, (uint32_t)(((uint64_t)ts.tv_nsec << 32) /
		    1000000000));
		put32(buf + 16, rs->rs_last_ts);
		put32(buf + 20, rs->rs_sent_packets);
		put32(buf + 24, rs->rs_sent_octets);
		off = 28;
	}
	if (rs->rs_have_peer)
		rtcp_block(rs, buf + off);
	return ((int)len);
}

/* A compound packet from the peer: each SR and RR in it counted. */
int
rtcp_read(struct rtcp_stats *rs, const uint8_t *p, size_t len)
{
	size_t	plen;

	if (len < 8)
		return (-1);
	while (len >= 4) {
		if ((p[0] >> 6) != 2)
			return (-1);
		plen = ((size_t)(p[2] << 8 | p[3]) + 1) * 4;
		if (plen > len)
			return (-1);
		if (p[1] == RTCP_SR || p[1] == RTCP_RR)
			rs->rs_reports_in++;
		p += plen;
		len -= plen;
	}
	return (0);
}

/* Sequence numbers for the report block (RFC 3550 A.1, simplified). */
void
rtcp_note_rtp(struct rtcp_stats *rs, const struct rtp_hdr *rh)
{
	if (!rs->rs_have_peer) {
		rs->rs_have_peer = 1;
		rs->rs_peer_ssrc = rh->rh_ssrc;
		rs->rs_base_seq = rs->rs_max_seq = rh->rh_seq;
	} else if ((uint16_t)(rh->rh_seq - rs->rs_max_seq) < 0x8000) {
		if (rh->rh_seq < rs->rs_max_seq)
			rs->rs_cycles += 0x10000;
		rs->rs_max_seq = rh->rh_seq;
	}
	rs->rs_received++;
}
