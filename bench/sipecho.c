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
 * sipecho ADDRESS PORT: the ceiling of this machine for a SIP workload.
 * Every datagram that reads as a request gets a 200 OK built from its
 * Via, From, To, Call-ID and CSeq lines, with nothing looked up, kept or
 * checked; padded to the size of a proxy's answer, so that sipp does the
 * same work as against a server.  Loopback only; stopped by a signal.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ECHO_BUF	65536
#define ECHO_PAD	330	/* bytes of a typical 200 to a MESSAGE */
#define ECHO_RCVBUF	1048576	/* as the servers and sipp ask for */

static const char	*echo_copied[] = { "Via:", "From:", "To:", "Call-ID:",
			    "CSeq:", "v:", "f:", "t:", "i:" };

static int
echo_is_copied(const char *line, size_t len)
{
	size_t	i, n;

	for (i = 0; i < sizeof(echo_copied) / sizeof(echo_copied[0]); i++) {
		n = strlen(echo_copied[i]);
		if (len >= n && strncasecmp(line, echo_copied[i], n) == 0)
			return (1);
	}
	return (0);
}

/* The answer to req (len bytes) in out; its length, 0 for none. */
static size_t
echo_answer(const char *req, size_t len, char *out, size_t size)
{
	const char	*p = req, *end = req + len, *eol;
	size_t		 o;

	if (len < 8 || strncmp(req, "SIP/2.0 ", 8) == 0)
		return (0);	/* a response, or nothing: no answer */
	o = snprintf(out, size, "SIP/2.0 200 OK\r\n");
	while (p < end && (eol = memchr(p, '\n', end - p)) != NULL) {
		if (eol == p || (eol == p + 1 && *p == '\r'))
			break;	/* the end of the headers */
		if (echo_is_copied(p, eol - p) && o + (eol - p) + 2 < size) {
			memcpy(out + o, p, eol + 1 - p);
			o += eol + 1 - p;
		}
		p = eol + 1;
	}
	/* "X-Pad: " and its CRLF are 9 bytes, Content-Length's line 21 */
	if (o + 9 + 21 + 2 < ECHO_PAD)
		o += snprintf(out + o, size - o, "X-Pad: %0*d\r\n",
		    (int)(ECHO_PAD - o - 9 - 21 - 2), 0);
	if (o + 24 >= size)
		return (0);
	o += snprintf(out + o, size - o, "Content-Length: 0\r\n\r\n");
	return (o);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in	 sin, from;
	socklen_t		 fromlen;
	static char		 in[ECHO_BUF], out[ECHO_BUF];
	ssize_t			 n;
	size_t			 olen;
	int			 s, rcvbuf = ECHO_RCVBUF;

	if (argc != 3)
		errx(2, "usage: sipecho address port");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1 ||
	    (ntohl(sin.sin_addr.s_addr) >> 24) != 127)
		errx(2, "%s: not a loopback address", argv[1]);
	if ((s = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		err(1, "socket");
	(void)setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		err(1, "bind %s:%s", argv[1], argv[2]);
	for (;;) {
		fromlen = sizeof(from);
		if ((n = recvfrom(s, in, sizeof(in) - 1, 0,
		    (struct sockaddr *)&from, &fromlen)) == -1)
			continue;
		if ((olen = echo_answer(in, n, out, sizeof(out))) > 0)
			(void)sendto(s, out, olen, 0,
			    (struct sockaddr *)&from, fromlen);
	}
}
