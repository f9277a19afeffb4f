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

#ifndef IMC_MEDIA_H
#define IMC_MEDIA_H

/*
 * The media of a call: 20 ms frames of 8 kHz mono audio (media.c runs
 * them), coded as Opus or PCMU (codec.c, g711.c), carried in RTP
 * (rtp.c) with RTCP reports (rtcp.c), put back in order by a jitter
 * buffer (jitter.c), read from and written to a WAV file
 * (audio_file.c) or the sound device (audio_alsa.c); and the SDP that
 * says where to send them (sdp.c).
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <stdint.h>
#include <stdio.h>

#define MEDIA_RATE		8000
#define MEDIA_FRAME		160	/* samples in 20 ms */
#define MEDIA_FRAME_MS		20
#define MEDIA_PAYLOAD_MAX	1276	/* the largest Opus frame */
#define MEDIA_CODECS_MAX	8

/* Our payload types: PCMU is static (RFC 3551), the others dynamic. */
#define PT_PCMU			0
#define PT_OPUS			111
#define PT_DTMF			101

enum codec_id {
	CODEC_NONE,
	CODEC_OPUS,
	CODEC_PCMU
};

/* codec.c */
struct codec;
struct codec	*codec_new(enum codec_id);
void		 codec_free(struct codec *);
int		 codec_encode(struct codec *, const int16_t *, uint8_t *,
		    size_t);
int		 codec_decode(struct codec *, const uint8_t *, size_t,
		    int16_t *);
enum codec_id	 codec_by_name(const char *);
const char	*codec_name(enum codec_id);
uint32_t	 codec_clock(enum codec_id);

/* g711.c */
uint8_t		 g711_ulaw_encode(int16_t);
int16_t		 g711_ulaw_decode(uint8_t);

/* audio_file.c, audio_alsa.c: 160 samples each call */
struct audio;
struct audio	*audio_file_play(const char *);
struct audio	*audio_file_record(const char *);
struct audio	*audio_alsa_open(int);
int		 audio_read(struct audio *, int16_t *);	/* 1: the end */
int		 audio_write(struct audio *, const int16_t *);
void		 audio_close(struct audio *);
struct audio_ops {
	int	(*ao_read)(void *, int16_t *);
	int	(*ao_write)(void *, const int16_t *);
	void	(*ao_close)(void *);
};
struct audio	*audio_new(const struct audio_ops *, void *);

/* rtp.c */
struct rtp_hdr {
	uint8_t		 rh_pt;
	int		 rh_marker;
	uint16_t	 rh_seq;
	uint32_t	 rh_ts;
	uint32_t	 rh_ssrc;
	const uint8_t	*rh_payload;
	size_t		 rh_len;
};
#define RTP_HDR_LEN	12
int		 rtp_parse(const uint8_t *, size_t, struct rtp_hdr *);
size_t		 rtp_write(uint8_t *, size_t, const struct rtp_hdr *);
int		 rtp_socket(const char *, uint16_t, uint16_t *);
int		 rtp_addr(const char *, uint16_t, struct sockaddr_storage *,
		    socklen_t *);
int		 rtp_same_addr(const struct sockaddr_storage *,
		    const struct sockaddr_storage *);

/* rtcp.c */
struct rtcp_stats {
	uint32_t	 rs_ssrc;		/* ours */
	uint32_t	 rs_sent_packets;
	uint32_t	 rs_sent_octets;
	uint32_t	 rs_last_ts;
	uint32_t	 rs_peer_ssrc;
	uint16_t	 rs_max_seq;
	uint16_t	 rs_base_seq;
	uint32_t	 rs_cycles;
	uint32_t	 rs_received;
	int		 rs_have_peer;
	uint32_t	 rs_reports_in;	/* SR or RR that came */
};
int		 rtcp_make(const struct rtcp_stats *, uint8_t *, size_t);
int		 rtcp_read(struct rtcp_stats *, const uint8_t *, size_t);
void		 rtcp_note_rtp(struct rtcp_stats *, const struct rtp_hdr *);

/* jitter.c */
#define JITTER_SLOTS	32
#define JITTER_DEPTH	3	/* frames held before playing starts */
struct jitter_slot {
	int		 js_full;
	uint16_t	 js_seq;
	size_t		 js_len;
	uint8_t		 js_data[MEDIA_PAYLOAD_MAX];
};
struct jitter {
	struct jitter_slot j_slots[JITTER_SLOTS];
	int		 j_started;
	int		 j_have_next;
	uint16_t	 j_next;		/* the seq to play next */
	unsigned int	 j_count;
	uint32_t	 j_late;
};
void		 jitter_init(struct jitter *);
void		 jitter_put(struct jitter *, uint16_t, const uint8_t *,
		    size_t);
int		 jitter_get(struct jitter *, uint8_t *, size_t *);

/* sdp.c */
struct sdp_desc {
	char		 sd_host[64];
	uint16_t	 sd_port;
	enum codec_id	 sd_codecs[MEDIA_CODECS_MAX];	/* their order */
	uint8_t		 sd_pts[MEDIA_CODECS_MAX];
	size_t		 sd_ncodecs;
	uint8_t		 sd_dtmf_pt;			/* 0: none */
};
int		 sdp_write(char *, size_t, const char *, uint16_t,
		    const enum codec_id *, size_t, const uint8_t *, uint8_t);
int		 sdp_parse(const char *, size_t, struct sdp_desc *);
int		 sdp_choose(const struct sdp_desc *, const enum codec_id *,
		    size_t, size_t *);

/* media.c: one call's stream, both ways */
struct media_conf {
	const char	*mc_lhost;	/* where we receive */
	uint16_t	 mc_lport;	/* 0: any */
	const char	*mc_play;	/* WAV to send, or NULL: the device */
	const char	*mc_record;	/* WAV to write, or NULL: the device */
	int		 mc_quiet;	/* no device at all (tests) */
};
struct media_stats {
	uint32_t	 ms_sent;
	uint32_t	 ms_received;
	uint32_t	 ms_played;
	uint32_t	 ms_lost;
	uint32_t	 ms_ignored;	/* from an address not our peer's */
	uint32_t	 ms_rtcp_in;
	int64_t		 ms_first_sent_us;
	int64_t		 ms_first_played_us;
};
struct media;
#define MEDIA_EV_FILE_END	1	/* --play has nothing more */
#define MEDIA_EV_SILENT		2	/* nothing came for a while */
typedef void	(*media_cb)(struct media *, int, void *);
struct media	*media_open(struct event_base *, const struct media_conf *);
uint16_t	 media_port(const struct media *);
int		 media_start(struct media *, const char *, uint16_t,
		    enum codec_id, uint8_t, media_cb, void *);
void		 media_stats(const struct media *, struct media_stats *);
void		 media_report(const struct media *, FILE *);
void		 media_free(struct media *);

#endif /* IMC_MEDIA_H */
