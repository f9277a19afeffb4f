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
 * Sound files for scripts and tests, through libsndfile: --play reads
 * a file (WAV or any format libsndfile knows) of 8 kHz mono, the rate
 * of our frames; --record writes a 16-bit PCM WAV of the same.
 */

#include <sys/types.h>

#include <err.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

#include "media.h"

static int
file_read(void *arg, int16_t *pcm)
{
	sf_count_t	n;

	n = sf_readf_short(arg, pcm, MEDIA_FRAME);
	if (n <= 0)
		return (-1);
	if (n < MEDIA_FRAME)
		memset(pcm + n, 0, (MEDIA_FRAME - n) * sizeof(*pcm));
	return (0);
}

static int
file_write(void *arg, const int16_t *pcm)
{
	return (sf_writef_short(arg, pcm, MEDIA_FRAME) == MEDIA_FRAME ? 0 :
	    -1);
}

static void
file_close(void *arg)
{
	(void)sf_close(arg);
}

static const struct audio_ops file_ops = {
	file_read, file_write, file_close
};

struct audio *
audio_file_play(const char *path)
{
	SF_INFO		 info;
	SNDFILE		*sf;
	struct audio	*au;

	memset(&info, 0, sizeof(info));
	if ((sf = sf_open(path, SFM_READ, &info)) == NULL) {
		warnx("%s: %s", path, sf_strerror(NULL));
		return (NULL);
	}
	if (info.samplerate != MEDIA_RATE || info.channels != 1) {
		warnx("%s: %d Hz, %d channels; imc plays %d Hz mono "
		    "(sox %s -r %d -c 1 out.wav)", path, info.samplerate,
		    info.channels, MEDIA_RATE, path, MEDIA_RATE);
		(void)sf_close(sf);
		return (NULL);
	}
	if ((au = audio_new(&file_ops, sf)) == NULL)
		(void)sf_close(sf);
	return (au);
}

struct audio *
audio_file_record(const char *path)
{
	SF_INFO		 info;
	SNDFILE		*sf;
	struct audio	*au;

	memset(&info, 0, sizeof(info));
	info.samplerate = MEDIA_RATE;
	info.channels = 1;
	info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	if ((sf = sf_open(path, SFM_WRITE, &info)) == NULL) {
		warnx("%s: %s", path, sf_strerror(NULL));
		return (NULL);
	}
	if ((au = audio_new(&file_ops, sf)) == NULL)
		(void)sf_close(sf);
	return (au);
}
