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
 * The codecs of a call behind one interface: PCMU (g711.c) and Opus
 * through libopus, at our 8 kHz mono.  Opus runs at 8 kHz inside, but
 * its RTP clock is 48 kHz whatever the rate (RFC 7587 4.1).  A frame
 * that never came is concealed by Opus and is silence in PCMU.
 */

#include <sys/types.h>

#include <opus.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "media.h"

#define CODEC_OPUS_MAX	(MEDIA_RATE * 120 / 1000)	/* its longest */

struct codec {
	enum codec_id	 co_id;
	OpusEncoder	*co_enc;
	OpusDecoder	*co_dec;
};

static int
codec_opus_open(struct codec *co)
{
	int	e;

	co->co_enc = opus_encoder_create(MEDIA_RATE, 1, OPUS_APPLICATION_VOIP,
	    &e);
	if (co->co_enc == NULL || e != OPUS_OK)
		return (-1);
	co->co_dec = opus_decoder_create(MEDIA_RATE, 1, &e);
	if (co->co_dec == NULL || e != OPUS_OK)
		return (-1);
	return (0);
}

struct codec *
codec_new(enum codec_id id)
{
	struct codec	*co;

	if (id != CODEC_OPUS && id != CODEC_PCMU)
		return (NULL);
	if ((co = calloc(1, sizeof(*co))) == NULL)
		return (NULL);
	co->co_id = id;
	if (id == CODEC_OPUS && codec_opus_open(co) == -1) {
		codec_free(co);
		return (NULL);
	}
	return (co);
}

void
codec_free(struct codec *co)
{
	if (co == NULL)
		return;
	if (co->co_enc != NULL)
		opus_encoder_destroy(co->co_enc);
	if (co->co_dec != NULL)
		opus_decoder_destroy(co->co_dec);
	free(co);
}

/* One frame of MEDIA_FRAME samples; the length written, or -1. */
int
codec_encode(struct codec *co, const int16_t *pcm, uint8_t *out,
    size_t size)
{
	int	i, n;

	if (co->co_id == CODEC_OPUS) {
		n = opus_encode(co->co_enc, pcm, MEDIA_FRAME, out,
		    size > MEDIA_PAYLOAD_MAX ? MEDIA_PAYLOAD_MAX : size);
		return (n < 0 ? -1 : n);
	}
	if (size < MEDIA_FRAME)
		return (-1);
	for (i = 0; i < MEDIA_FRAME; i++)
		out[i] = g711_ulaw_encode(pcm[i]);
	return (MEDIA_FRAME);
}

/* One frame out; data NULL for a frame that was lost. */
int
codec_decode(struct codec *co, const uint8_t *data, size_t len,
    int16_t *pcm)
{
	int16_t	tmp[CODEC_OPUS_MAX];
	size_t	i;
	int	n;

	if (co->co_id == CODEC_OPUS) {
		n = opus_decode(co->co_dec, data, data == NULL ? 0 :
		    (opus_int32)len, tmp, data == NULL ? MEDIA_FRAME :
		    CODEC_OPUS_MAX, 0);
		if (n < 0)
			return (-1);
		/* A longer frame than ours is cut; a shorter one padded. */
		memset(pcm, 0, MEDIA_FRAME * sizeof(*pcm));
		memcpy(pcm, tmp, (n < MEDIA_FRAME ? n : MEDIA_FRAME) *
		    sizeof(*pcm));
		return (0);
	}
	memset(pcm, 0, MEDIA_FRAME * sizeof(*pcm));
	if (data == NULL)
		return (0);
	for (i = 0; i < len && i < MEDIA_FRAME; i++)
		pcm[i] = g711_ulaw_decode(data[i]);
	return (0);
}

/* The encoding name of SDP and of the presence tuple, any case. */
enum codec_id
codec_by_name(const char *name)
{
	if (strcasecmp(name, "opus") == 0)
		return (CODEC_OPUS);
	if (strcasecmp(name, "PCMU") == 0)
		return (CODEC_PCMU);
	return (CODEC_NONE);
}

const char *
codec_name(enum codec_id id)
{
	return (id == CODEC_OPUS ? "opus" : id == CODEC_PCMU ? "PCMU" : "?");
}

uint32_t
codec_clock(enum codec_id id)
{
	return (id == CODEC_OPUS ? 48000 : 8000);
}
