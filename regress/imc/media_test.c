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
 * Unit tests of the media parts of imc's calls, TAP on standard
 * output: G.711 and Opus, RTP and RTCP packets read and written, the
 * jitter buffer's order, losses and bounds, SDP offers and answers,
 * and the announcement of a direct call, each parser with the damage
 * a peer could do.
 */

#include <sys/types.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "media.h"
#include "tap.h"

static void
test_g711(void)
{
	int	v, worst = 0, err;

	TAP_OK(g711_ulaw_encode(0) == 0xff, "PCMU: 0 is 0xff");
	TAP_OK(g711_ulaw_decode(0xff) == 0, "PCMU: 0xff is 0");
	for (v = -32768; v <= 32767; v += 7) {
		err = abs(g711_ulaw_decode(g711_ulaw_encode(v)) - v);
		if (err > worst && abs(v) > 0)
			worst = err * 1000 / (abs(v) + 132);
	}
	TAP_OK(worst < 70, "PCMU: every value comes back within 7%% "
	    "(worst %d/1000)", worst);
}

static void
test_opus(void)
{
	struct codec	*co;
	int16_t		 pcm[MEDIA_FRAME], out[MEDIA_FRAME];
	uint8_t		 buf[MEDIA_PAYLOAD_MAX];
	double		 energy = 0;
	int		 i, k, n = 0;

	TAP_OK((co = codec_new(CODEC_OPUS)) != NULL, "Opus opens");
	if (co == NULL)
		return;
	for (k = 0; k < 10; k++) {
		for (i = 0; i < MEDIA_FRAME; i++)
			pcm[i] = 8000 * sin((k * MEDIA_FRAME + i) * 0.1);
		n = codec_encode(co, pcm, buf, sizeof(buf));
		if (n <= 0 || codec_decode(co, buf, n, out) == -1)
			break;
	}
	for (i = 0; i < MEDIA_FRAME; i++)
		energy += (double)out[i] * out[i];
	TAP_OK(k == 10 && n > 0 && energy > 1e6, "Opus: ten frames of a "
	    "tone go through and come out as sound (%d bytes)", n);
	TAP_OK(codec_decode(co, NULL, 0, out) == 0, "Opus conceals a lost "
	    "frame");
	TAP_OK(codec_decode(co, (const uint8_t *)"\xff\xff\xff", 3, out) ==
	    -1, "Opus: a damaged packet is refused");
	codec_free(co);
	TAP_OK(codec_new(CODEC_NONE) == NULL, "no codec for CODEC_NONE");
	TAP_OK(codec_by_name("OPUS") == CODEC_OPUS && codec_by_name("pcmu") ==
	    CODEC_PCMU && codec_by_name("G722") == CODEC_NONE,
	    "codec names in any case; an unknown one is none");
}

static void
test_rtp(void)
{
	uint8_t		 pkt[64], pl[4] = { 1, 2, 3, 4 };
	struct rtp_hdr	 rh, got;
	size_t		 len;

	memset(&rh, 0, sizeof(rh));
	rh.rh_pt = 111;
	rh.rh_marker = 1;
	rh.rh_seq = 65535;
	rh.rh_ts = 0xdeadbeef;
	rh.rh_ssrc = 0x01020304;
	rh.rh_payload = pl;
	rh.rh_len = sizeof(pl);
	len = rtp_write(pkt, sizeof(pkt), &rh);
	TAP_OK(len == 16 && rtp_parse(pkt, len, &got) == 0 &&
	    got.rh_pt == 111 && got.rh_marker && got.rh_seq == 65535 &&
	    got.rh_ts == 0xdeadbeef && got.rh_ssrc == 0x01020304 &&
	    got.rh_len == 4 && memcmp(got.rh_payload, pl, 4) == 0,
	    "RTP: written and read back");
	TAP_OK(rtp_write(pkt, 15, &rh) == 0, "RTP: no room, nothing written");
	TAP_OK(rtp_parse(pkt, 11, &got) == -1, "RTP: 11 bytes are no packet");
	pkt[0] = 0x40;
	TAP_OK(rtp_parse(pkt, len, &got) == -1, "RTP: version 1 refused");
	pkt[0] = 0x8f;
	TAP_OK(rtp_parse(pkt, len, &got) == -1, "RTP: 15 CSRCs past the end");
	pkt[0] = 0x90;
	pkt[14] = 0xff;
	pkt[15] = 0xff;
	TAP_OK(rtp_parse(pkt, len, &got) == -1, "RTP: an extension past the "
	    "end");
	pkt[0] = 0xa0;
	pkt[15] = 200;
	TAP_OK(rtp_parse(pkt, len, &got) == -1, "RTP: padding longer than "
	    "the payload");
	pkt[15] = 4;
	TAP_OK(rtp_parse(pkt, len, &got) == 0 && got.rh_len == 0,
	    "RTP: padding of the whole payload leaves none");
}

static void
test_rtcp(void)
{
	struct rtcp_stats	 rs, in;
	struct rtp_hdr		 rh;
	uint8_t			 buf[128];
	int			 n;

	memset(&rs, 0, sizeof(rs));
	memset(&in, 0, sizeof(in));
	rs.rs_ssrc = 7;
	n = rtcp_make(&rs, buf, sizeof(buf));
	TAP_OK(n == 8 && buf[1] == 201, "RTCP: a receiver report with no "
	    "block while nothing was sent or heard");
	memset(&rh, 0, sizeof(rh));
	rh.rh_ssrc = 9;
	for (rh.rh_seq = 65530; rh.rh_seq != 5; rh.rh_seq++)
		rtcp_note_rtp(&rs, &rh);
	rs.rs_sent_packets = 3;
	n = rtcp_make(&rs, buf, sizeof(buf));
	TAP_OK(n == 52 && buf[1] == 200 && (buf[0] & 0x1f) == 1 &&
	    rs.rs_cycles == 0x10000, "RTCP: a sender report with one block, "
	    "the sequence wrapped once");
	TAP_OK(rtcp_read(&in, buf, n) == 0 && in.rs_reports_in == 1,
	    "RTCP: our report read back");
	TAP_OK(rtcp_make(&rs, buf, 40) == -1, "RTCP: no room, no report");
	buf[3] = 200;
	TAP_OK(rtcp_read(&in, buf, n) == -1, "RTCP: a length past the end");
	buf[3] = 12;
	buf[0] = 0x40;
	TAP_OK(rtcp_read(&in, buf, n) == -1, "RTCP: version 1 refused");
	TAP_OK(rtcp_read(&in, buf, 4) == -1, "RTCP: 4 bytes refused");
}

static void
jput(struct jitter *j, uint16_t seq)
{
	uint8_t	b[2] = { seq >> 8, seq & 0xff };

	jitter_put(j, seq, b, sizeof(b));
}

static int
jget(struct jitter *j, uint16_t *seq)
{
	uint8_t	b[MEDIA_PAYLOAD_MAX];
	size_t	len = 0;
	int	r;

	r = jitter_get(j, b, &len);
	if (r == 1)
		*seq = b[0] << 8 | b[1];
	return (r);
}

static void
test_jitter(void)
{
	struct jitter	*j;
	uint8_t		 big[MEDIA_PAYLOAD_MAX + 1];
	uint16_t	 s = 0;
	int		 r1, r2, r3, r4;

	if ((j = malloc(sizeof(*j))) == NULL)
		return;
	jitter_init(j);
	jput(j, 65534);
	jput(j, 65535);
	TAP_OK(jget(j, &s) == -1, "jitter: nothing played before %d frames",
	    JITTER_DEPTH);
	jput(j, 1);		/* 0 is lost, 1 comes early */
	r1 = jget(j, &s);
	TAP_OK(r1 == 1 && s == 65534, "jitter: the first in order (%d %u)",
	    r1, s);
	r2 = jget(j, &s);
	TAP_OK(r2 == 1 && s == 65535, "jitter: the next, across the wrap");
	r3 = jget(j, &s);
	TAP_OK(r3 == 0, "jitter: 0 never came: concealed");
	jput(j, 0);		/* too late now */
	r4 = jget(j, &s);
	TAP_OK(r4 == 1 && s == 1 && j->j_late == 1,
	    "jitter: 1 plays, 0 came too late and is dropped");
	TAP_OK(jget(j, &s) == -1, "jitter: dry, it waits again");
	memset(big, 0, sizeof(big));
	jitter_put(j, 2, big, sizeof(big));
	TAP_OK(j->j_count == 0, "jitter: a frame larger than any codec's "
	    "is dropped");
	jput(j, 2);
	jput(j, 1000);
	TAP_OK(j->j_count == 1 && j->j_next == 1000, "jitter: a jump far "
	    "ahead starts again from there");
	jput(j, 60000);
	TAP_OK(j->j_count == 1 && j->j_next == 60000, "jitter: so does a "
	    "jump far behind");
	free(j);
}

static const char baresip_answer[] =
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\nm=audio 8482 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n"
    "a=sendrecv\r\n";

static int
parse(const char *s, struct sdp_desc *sd)
{
	return (sdp_parse(s, strlen(s), sd));
}

static void
test_sdp(void)
{
	struct sdp_desc	 sd;
	enum codec_id	 ours[2] = { CODEC_OPUS, CODEC_PCMU };
	char		 buf[CALL_SDP_MAX], line[400];
	size_t		 idx;

	TAP_OK(parse(baresip_answer, &sd) == 0 && sd.sd_port == 8482 &&
	    strcmp(sd.sd_host, "127.0.0.1") == 0 && sd.sd_ncodecs == 1 &&
	    sd.sd_codecs[0] == CODEC_PCMU && sd.sd_dtmf_pt == 101,
	    "SDP: baresip's answer: PCMU on 8482, telephone-event 101");
	TAP_OK(sdp_write(buf, sizeof(buf), "127.0.0.2", 40000, ours, 2, NULL,
	    PT_DTMF) == 0 && parse(buf, &sd) == 0 && sd.sd_port == 40000 &&
	    sd.sd_ncodecs == 2 && sd.sd_codecs[0] == CODEC_OPUS &&
	    sd.sd_pts[0] == PT_OPUS && sd.sd_codecs[1] == CODEC_PCMU &&
	    strstr(buf, "m=audio 40000 RTP/AVP 111 0 101\r\n") != NULL,
	    "SDP: our offer read back: Opus 111, PCMU 0, telephone-event");
	TAP_OK(sdp_choose(&sd, ours + 1, 1, &idx) == 0 && idx == 1,
	    "SDP: PCMU chosen when we take only PCMU");
	TAP_OK(sdp_write(buf, 40, "127.0.0.2", 40000, ours, 2, NULL, 0) ==
	    -1, "SDP: no room, no offer");
	TAP_OK(parse("v=0\r\nc=IN IP4 1.2.3.4\r\nm=video 5 RTP/AVP 96\r\n",
	    &sd) == -1, "SDP: no audio stream");
	TAP_OK(parse("v=0\r\nm=audio 5 RTP/AVP 0\r\n", &sd) == -1,
	    "SDP: no connection address");
	TAP_OK(parse("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 70000 RTP/AVP 0\r\n",
	    &sd) == -1, "SDP: port 70000");
	TAP_OK(parse("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 5 RTP/SAVP 0\r\n",
	    &sd) == -1, "SDP: SRTP profile refused");
	TAP_OK(parse("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 5 RTP/AVP 300\r\n",
	    &sd) == -1, "SDP: payload type 300");
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	TAP_OK(parse(line, &sd) == -1, "SDP: a line of 399 bytes");
	TAP_OK(parse("c=IN IP4 1.2.3.4\r\nm=audio 5 RTP/AVP 8 96\r\n"
	    "a=rtpmap:96 G722/8000\r\n", &sd) == 0 && sd.sd_ncodecs == 0 &&
	    sdp_choose(&sd, ours, 2, &idx) == -1,
	    "SDP: PCMA and G722 only: nothing in common");
	TAP_OK(parse("c=IN IP4 1.2.3.4\r\nm=audio 5 RTP/AVP 0\r\n"
	    "m=audio 6 RTP/AVP 0\r\n", &sd) == 0 && sd.sd_port == 5,
	    "SDP: a second stream is ignored");
}

static int
note(const char *s, struct direct_note *dn)
{
	return (direct_note_read(s, strlen(s), dn));
}

static void
test_note(void)
{
	struct direct_note	dn, back;
	char			buf[512];

	TAP_OK(note("call start\nid abc123\nfrom alice@site1.test\nhost "
	    "127.0.0.1\nport 40000\ncodec opus\n", &dn) == 0 && dn.dn_start &&
	    dn.dn_port == 40000 && dn.dn_codec == CODEC_OPUS &&
	    strcmp(dn.dn_from, "alice@site1.test") == 0,
	    "announcement: a start read");
	TAP_OK(direct_note_write(buf, sizeof(buf), &dn) == 0 &&
	    note(buf, &back) == 0 && memcmp(&dn, &back, sizeof(dn)) == 0,
	    "announcement: written and read back the same");
	TAP_OK(note("call end\nid abc123\nfrom alice@site1.test\n", &dn) ==
	    0 && !dn.dn_start, "announcement: an end read");
	TAP_OK(note("call start\nid abc\nfrom a@b.test\nport 5\ncodec pcmu\n",
	    &dn) == -1, "announcement: a start without host");
	TAP_OK(note("call start\nid abc\nfrom a@b.test\nhost example.org\n"
	    "port 5\ncodec pcmu\n", &dn) == -1, "announcement: a host name, "
	    "not an address");
	TAP_OK(note("call start\nid abc\nfrom a@b.test\nhost 1.2.3.4\n"
	    "port 65535\ncodec pcmu\n", &dn) == -1,
	    "announcement: port 65535 (no room for RTCP)");
	TAP_OK(note("call start\nid ABC\nfrom a@b.test\nhost 1.2.3.4\n"
	    "port 5\ncodec pcmu\n", &dn) == -1, "announcement: an id in "
	    "capitals");
	TAP_OK(note("call start\nid abc\nfrom a@b.test\nhost 1.2.3.4\n"
	    "port 5\ncodec G722\n", &dn) == -1, "announcement: a codec we do "
	    "not know");
	TAP_OK(note("call start\nid abc\nfrom a@b.test\nhost 1.2.3.4\n"
	    "port 5\ncodec pcmu\nvideo yes\n", &dn) == -1,
	    "announcement: an unknown line");
	TAP_OK(note("call stop\nid abc\nfrom a@b.test\n", &dn) == -1,
	    "announcement: call stop is no word of ours");
	TAP_OK(direct_note_read("call end\nid a\0c\nfrom a@b.test\n", 33,
	    &dn) == -1, "announcement: a NUL inside");
	memset(buf, 'a', 200);
	memcpy(buf, "id ", 3);
	buf[200] = '\0';
	TAP_OK(note(buf, &dn) == -1, "announcement: a line of 200 bytes");
	TAP_OK(note("from a@b.test\nid abc\n", &dn) == -1,
	    "announcement: no call line");
}

int
main(void)
{
	test_g711();
	test_opus();
	test_rtp();
	test_rtcp();
	test_jitter();
	test_sdp();
	test_note();
	return (TAP_DONE());
}
