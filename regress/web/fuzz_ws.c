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
 * libFuzzer harness of what a WebSocket listen address reads from a
 * stranger: the HTTP request head (listener/http.c) and the RFC 6455
 * frame reader (listener/ws_frame.c, the glue the listener runs around
 * wslay), fed in pieces whose sizes the input also picks, so that
 * frames split anywhere are read as the network would split them.  A
 * message is never longer than the limit, and every byte given is
 * taken.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "listener.h"
#include "ws_frame.h"

#define FUZZ_MAX_MESSAGE	1024

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t	written;

/* http.c's replies go nowhere here; only its parser is fuzzed. */
int
conn_write(struct conn *c __attribute__((unused)),
    const char *buf __attribute__((unused)), size_t len)
{
	written += len;
	return (0);
}

static int
fuzz_write(void *arg __attribute__((unused)),
    const uint8_t *buf __attribute__((unused)), size_t len)
{
	written += len;
	return (0);
}

static void
fuzz_message(void *arg __attribute__((unused)), const char *buf, size_t len)
{
	volatile char	sum = 0;
	size_t		i;

	if (len > FUZZ_MAX_MESSAGE)
		abort();
	for (i = 0; i < len; i++)	/* every byte must be readable */
		sum ^= buf[i];
	(void)sum;
}

static void
fuzz_http(const char *p, size_t len)
{
	struct http_req	hr;
	ssize_t		n;

	n = http_request_parse(p, len, &hr);
	if (n > 0 && (size_t)n > len)
		abort();
	if (n > 0) {
		http_token_in(&hr.hr_connection, "upgrade");
		http_token_in(&hr.hr_upgrade, "websocket");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_frame	 wf;
	size_t		 off = 1, n, step;

	if (size < 1)
		return (0);
	fuzz_http((const char *)data + 1, size - 1);
	if (ws_frame_init(&wf, FUZZ_MAX_MESSAGE, fuzz_write, fuzz_message,
	    NULL) == -1)
		return (0);
	step = data[0] == 0 ? size : data[0];
	while (off < size) {
		n = size - off < step ? size - off : step;
		if (ws_frame_read(&wf, (const char *)data + off, n) != 0)
			break;
		if (wf.wf_inoff != 0 || wf.wf_in != NULL)
			abort();	/* all of it taken */
		off += n;
	}
	ws_frame_free(&wf);
	return (0);
}
