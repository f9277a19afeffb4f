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
 * The sound device, through ALSA's "default" PCM: what a person hears
 * and says.  Non-blocking, so that a device that falls behind costs a
 * frame, never the event loop; an underrun or overrun is recovered
 * and the frame dropped.
 */

#include <sys/types.h>

#include <alsa/asoundlib.h>
#include <err.h>
#include <stdlib.h>

#include "cdefs.h"
#include "media.h"

#define ALSA_LATENCY_US	60000

static int
alsa_read(void *arg, int16_t *pcm)
{
	snd_pcm_sframes_t	n;

	n = snd_pcm_readi(arg, pcm, MEDIA_FRAME);
	if (n < 0) {
		(void)snd_pcm_recover(arg, (int)n, 1);
		memset(pcm, 0, MEDIA_FRAME * sizeof(*pcm));
	} else if (n < MEDIA_FRAME)
		memset(pcm + n, 0, (MEDIA_FRAME - n) * sizeof(*pcm));
	return (0);
}

static int
alsa_write(void *arg, const int16_t *pcm)
{
	snd_pcm_sframes_t	n;

	n = snd_pcm_writei(arg, pcm, MEDIA_FRAME);
	if (n < 0)
		(void)snd_pcm_recover(arg, (int)n, 1);
	return (0);
}

static void
alsa_close(void *arg)
{
	(void)snd_pcm_close(arg);
}

static const struct audio_ops alsa_capture_ops = {
	alsa_read, NULL, alsa_close
};
static const struct audio_ops alsa_playback_ops = {
	NULL, alsa_write, alsa_close
};

/* ALSA's own error lines; ours says the same in one line. */
static void
alsa_quiet(const char *file IMD_UNUSED, int line IMD_UNUSED,
    const char *func IMD_UNUSED, int err IMD_UNUSED,
    const char *fmt IMD_UNUSED, ...)
{
}

/* The default device, for capture (the microphone) or playback. */
struct audio *
audio_alsa_open(int capture)
{
	snd_pcm_t	*pcm;
	struct audio	*au;
	int		 e;

	(void)snd_lib_error_set_handler(alsa_quiet);
	if ((e = snd_pcm_open(&pcm, "default", capture ?
	    SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK,
	    SND_PCM_NONBLOCK)) < 0) {
		warnx("sound device: %s", snd_strerror(e));
		return (NULL);
	}
	if ((e = snd_pcm_set_params(pcm, SND_PCM_FORMAT_S16,
	    SND_PCM_ACCESS_RW_INTERLEAVED, 1, MEDIA_RATE, 1,
	    ALSA_LATENCY_US)) < 0) {
		warnx("sound device: %s", snd_strerror(e));
		(void)snd_pcm_close(pcm);
		return (NULL);
	}
	if (capture)
		(void)snd_pcm_start(pcm);
	if ((au = audio_new(capture ? &alsa_capture_ops :
	    &alsa_playback_ops, pcm)) == NULL)
		(void)snd_pcm_close(pcm);
	return (au);
}
