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

#ifndef IMD_WS_FRAME_H
#define IMD_WS_FRAME_H

/*
 * RFC 6455 framing over a byte stream (ws_frame.c), apart from the
 * connection so that regress/web/fuzz_ws.c runs the same reader.
 */

#include <stddef.h>
#include <stdint.h>

#define WS_FRAME_DONE		1	/* ws_frame_read(): close is over */

#define WS_CLOSE_NORMAL		1000
#define WS_CLOSE_GOING_AWAY	1001
#define WS_CLOSE_PROTOCOL	1002
#define WS_CLOSE_BAD_DATA	1007
#define WS_CLOSE_TOO_BIG	1009

struct wslay_event_context;

struct ws_frame {
	struct wslay_event_context *wf_ctx;
	const char	*wf_in;		/* being read */
	size_t		 wf_inlen;
	size_t		 wf_inoff;
	uint64_t	 wf_pongs;	/* pongs received */
	int		(*wf_write)(void *, const uint8_t *, size_t);
	void		(*wf_message)(void *, const char *, size_t);
	void		*wf_arg;
};

int	ws_frame_init(struct ws_frame *, size_t,
	    int (*)(void *, const uint8_t *, size_t),
	    void (*)(void *, const char *, size_t), void *);
void	ws_frame_free(struct ws_frame *);
int	ws_frame_read(struct ws_frame *, const char *, size_t);
int	ws_frame_flush(struct ws_frame *);
int	ws_frame_done(const struct ws_frame *);
unsigned int ws_frame_status_sent(const struct ws_frame *);
int	ws_frame_text(struct ws_frame *, const char *, size_t);
int	ws_frame_ping(struct ws_frame *);
int	ws_frame_close(struct ws_frame *, uint16_t, const char *);

#endif /* IMD_WS_FRAME_H */
