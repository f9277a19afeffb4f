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
 * SDP (RFC 4566) for the offer/answer of a call (RFC 3264): one audio
 * stream, RTP/AVP, with Opus (RFC 7587), PCMU and telephone-event
 * (RFC 4733).  We write what we take; from theirs we read the
 * connection address, the audio port and the payload types with their
 * rtpmap names, in their order of preference, and nothing else.
 */

#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "media.h"

#define SDP_LINE_MAX	256

static int
sdp_add(char *buf, size_t size, size_t *off, const char *fmt, ...)
	__attribute__((__format__ (printf, 4, 5)));

static int
sdp_add(char *buf, size_t size, size_t *off, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *off, size - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *off)
		return (-1);
	*off += n;
	return (0);
}

static int
sdp_rtpmap(char *buf, size_t size, size_t *off, enum codec_id c, uint8_t pt)
{
	if (c == CODEC_OPUS)
		return (sdp_add(buf, size, off, "a=rtpmap:%u opus/48000/2\r\n"
		    "a=fmtp:%u useinbandfec=1\r\n", pt, pt));
	return (sdp_add(buf, size, off, "a=rtpmap:%u PCMU/8000\r\n", pt));
}

/*
 * An offer (pts NULL: our payload types) or an answer (theirs) for
 * host:port with these codecs; dtmf is telephone-event's type, or 0.
 */
int
sdp_write(char *buf, size_t size, const char *host, uint16_t port,
    const enum codec_id *codecs, size_t n, const uint8_t *pts, uint8_t dtmf)
{
	const char	*ip = strchr(host, ':') != NULL ? "IP6" : "IP4";
	uint8_t		 pt[MEDIA_CODECS_MAX];
	size_t		 off = 0, i;
	uint32_t	 id = arc4random();

	if (n == 0 || n > MEDIA_CODECS_MAX)
		return (-1);
	for (i = 0; i < n; i++)
		pt[i] = pts != NULL ? pts[i] : codecs[i] == CODEC_OPUS ?
		    PT_OPUS : PT_PCMU;
	if (sdp_add(buf, size, &off, "v=0\r\no=imc %u %u IN %s %s\r\n"
	    "s=imc\r\nc=IN %s %s\r\nt=0 0\r\nm=audio %u RTP/AVP", id, id,
	    ip, host, ip, host, port) == -1)
		return (-1);
	for (i = 0; i < n; i++)
		if (sdp_add(buf, size, &off, " %u", pt[i]) == -1)
			return (-1);
	if ((dtmf != 0 && sdp_add(buf, size, &off, " %u", dtmf) == -1) ||
	    sdp_add(buf, size, &off, "\r\n") == -1)
		return (-1);
	for (i = 0; i < n; i++)
		if (sdp_rtpmap(buf, size, &off, codecs[i], pt[i]) == -1)
			return (-1);
	if (dtmf != 0 && sdp_add(buf, size, &off, "a=rtpmap:%u "
	    "telephone-event/8000\r\na=fmtp:%u 0-15\r\n", dtmf, dtmf) == -1)
		return (-1);
	return (sdp_add(buf, size, &off, "a=ptime:20\r\na=sendrecv\r\n"));
}

/* "m=audio 40000 RTP/AVP 111 0 101": the port and payload types. */
static int
sdp_m_line(const char *v, struct sdp_desc *sd, int *pts, int *npts)
{
	const char	*errstr;
	char		*w, *save, copy[SDP_LINE_MAX];
	int		 i = 0;

	(void)strlcpy(copy, v, sizeof(copy));
	if ((w = strtok_r(copy, " ", &save)) == NULL ||
	    strcmp(w, "audio") != 0 || (w = strtok_r(NULL, " ", &save)) ==
	    NULL)
		return (0);
	sd->sd_port = strtonum(w, 0, 65535, &errstr);
	if (errstr != NULL || (w = strtok_r(NULL, " ", &save)) == NULL ||
	    strcmp(w, "RTP/AVP") != 0)
		return (-1);
	while ((w = strtok_r(NULL, " ", &save)) != NULL && i < 32) {
		pts[i++] = strtonum(w, 0, 127, &errstr);
		if (errstr != NULL)
			return (-1);
	}
	*npts = i;
	return (1);
}

/* "a=rtpmap:111 opus/48000/2": the name of a payload type. */
static void
sdp_rtpmap_line(const char *v, char names[128][16])
{
	const char	*errstr;
	char		 copy[SDP_LINE_MAX], *sp, *slash;
	int		 pt;

	(void)strlcpy(copy, v, sizeof(copy));
	if ((sp = strchr(copy, ' ')) == NULL)
		return;
	*sp++ = '\0';
	pt = strtonum(copy, 0, 127, &errstr);
	if (errstr != NULL || (slash = strchr(sp, '/')) == NULL)
		return;
	*slash = '\0';
	(void)strlcpy(names[pt], sp, sizeof(names[pt]));
}

/* The static types of RFC 3551 we know need no rtpmap. */
static void
sdp_codecs(struct sdp_desc *sd, const int *pts, int npts,
    char names[128][16])
{
	enum codec_id	c;
	int		i;

	if (names[PT_PCMU][0] == '\0')
		(void)strlcpy(names[PT_PCMU], "PCMU", sizeof(names[0]));
	for (i = 0; i < npts; i++) {
		if (strcasecmp(names[pts[i]], "telephone-event") == 0) {
			sd->sd_dtmf_pt = pts[i];
			continue;
		}
		c = codec_by_name(names[pts[i]]);
		if (c == CODEC_NONE || sd->sd_ncodecs == MEDIA_CODECS_MAX)
			continue;
		sd->sd_codecs[sd->sd_ncodecs] = c;
		sd->sd_pts[sd->sd_ncodecs++] = pts[i];
	}
}

static int
sdp_line(const char *line, struct sdp_desc *sd, int *pts, int *npts,
    int *in_audio, char names[128][16])
{
	int	r;

	if (strncmp(line, "m=", 2) == 0) {
		if (*in_audio)
			*in_audio = -1;		/* a second stream: ignored */
		else if ((r = sdp_m_line(line + 2, sd, pts, npts)) == -1)
			return (-1);
		else if (r == 1)
			*in_audio = 1;
	} else if (strncmp(line, "c=IN IP4 ", 9) == 0 ||
	    strncmp(line, "c=IN IP6 ", 9) == 0) {
		if (*in_audio != -1 && strlcpy(sd->sd_host, line + 9,
		    sizeof(sd->sd_host)) >= sizeof(sd->sd_host))
			return (-1);
	} else if (strncmp(line, "a=rtpmap:", 9) == 0 && *in_audio == 1)
		sdp_rtpmap_line(line + 9, names);
	return (0);
}

/* The peer's description; -1 if it has no audio stream we can use. */
int
sdp_parse(const char *body, size_t len, struct sdp_desc *sd)
{
	char		 line[SDP_LINE_MAX], names[128][16];
	const char	*p = body, *end = body + len, *nl;
	int		 pts[32], npts = 0, in_audio = 0;
	size_t		 n;

	memset(sd, 0, sizeof(*sd));
	memset(names, 0, sizeof(names));
	while (p < end) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		n = nl - p;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n >= sizeof(line))
			return (-1);
		memcpy(line, p, n);
		line[n] = '\0';
		if (sdp_line(line, sd, pts, &npts, &in_audio, names) == -1)
			return (-1);
		p = nl + 1;
	}
	if (in_audio == 0 || sd->sd_host[0] == '\0')
		return (-1);
	sdp_codecs(sd, pts, npts, names);
	return (0);
}

/* The first of the peer's codecs that we take: its index in sd. */
int
sdp_choose(const struct sdp_desc *sd, const enum codec_id *ours,
    size_t nours, size_t *idx)
{
	size_t	i, k;

	for (i = 0; i < sd->sd_ncodecs; i++)
		for (k = 0; k < nours; k++)
			if (sd->sd_codecs[i] == ours[k]) {
				*idx = i;
				return (0);
			}
	return (-1);
}
