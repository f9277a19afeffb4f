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
 * G.711 mu-law (PCMU), the codec every SIP phone has: small enough to
 * write here, after the ITU-T G.711 tables as Sun's g711.c computes
 * them.
 */

#include <sys/types.h>

#include <stdint.h>

#include "media.h"

#define ULAW_BIAS	0x84
#define ULAW_CLIP	32635

uint8_t
g711_ulaw_encode(int16_t sample)
{
	int	s = sample, sign, exponent, mantissa;

	sign = (s >> 8) & 0x80;
	if (sign)
		s = -s;
	if (s > ULAW_CLIP)
		s = ULAW_CLIP;
	s += ULAW_BIAS;
	for (exponent = 7; exponent > 0; exponent--)
		if (s & (0x4000 >> (7 - exponent)))
			break;
	mantissa = (s >> (exponent + 3)) & 0x0f;
	return ((uint8_t)~(sign | (exponent << 4) | mantissa));
}

int16_t
g711_ulaw_decode(uint8_t u)
{
	int	t;

	u = ~u;
	t = ((u & 0x0f) << 3) + ULAW_BIAS;
	t <<= (u & 0x70) >> 4;
	return ((int16_t)((u & 0x80) ? ULAW_BIAS - t : t - ULAW_BIAS));
}
