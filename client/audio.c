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
 * Where the sound of a call comes from and goes to, behind one
 * interface: a WAV file (audio_file.c) or the sound device
 * (audio_alsa.c).  A source that has nothing more says so once and
 * gives silence after.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "media.h"

struct audio {
	const struct audio_ops	*au_ops;
	void			*au_arg;
	int			 au_ended;
};

struct audio *
audio_new(const struct audio_ops *ops, void *arg)
{
	struct audio	*au;

	if ((au = calloc(1, sizeof(*au))) == NULL)
		return (NULL);
	au->au_ops = ops;
	au->au_arg = arg;
	return (au);
}

/* 0 with a frame, 1 with silence once the source has ended. */
int
audio_read(struct audio *au, int16_t *pcm)
{
	if (!au->au_ended && au->au_ops->ao_read != NULL &&
	    au->au_ops->ao_read(au->au_arg, pcm) == 0)
		return (0);
	au->au_ended = 1;
	memset(pcm, 0, MEDIA_FRAME * sizeof(*pcm));
	return (1);
}

int
audio_write(struct audio *au, const int16_t *pcm)
{
	if (au->au_ops->ao_write == NULL)
		return (-1);
	return (au->au_ops->ao_write(au->au_arg, pcm));
}

void
audio_close(struct audio *au)
{
	if (au == NULL)
		return;
	au->au_ops->ao_close(au->au_arg);
	free(au);
}
