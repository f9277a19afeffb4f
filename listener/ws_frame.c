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
 * RFC 6455 framing, with wslay: our glue and nothing of the connection,
 * so that the fuzz harness runs the very reader the listener runs.  The
 * bytes read come from a buffer the caller fills, the frames written
 * go to the caller's function, and each whole message, text or binary,
 * goes to the caller's other function.  wslay answers pings, checks
 * that the client masks its frames, puts fragments together up to the
 * message size of relayd.conf and runs the close handshake; a frame it
 * cannot take queues a close with the code that says why and stops the
 * reading.
 */

#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <wslay/wslay.h>

#include "ws_frame.h"

static ssize_t
ws_frame_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
    int flags __attribute__((unused)), void *arg)
{
	struct ws_frame	*wf = arg;
	size_t		 n = wf->wf_inlen - wf->wf_inoff;

	if (n == 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return (-1);
	}
	if (n > len)
		n = len;
	memcpy(buf, wf->wf_in + wf->wf_inoff, n);
	wf->wf_inoff += n;
	return (n);
}

static ssize_t
ws_frame_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
    int flags __attribute__((unused)), void *arg)
{
	struct ws_frame	*wf = arg;

	if (wf->wf_write(wf->wf_arg, data, len) == -1) {
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return (-1);
	}
	return (len);
}

static void
ws_frame_msg(wslay_event_context_ptr ctx __attribute__((unused)),
    const struct wslay_event_on_msg_recv_arg *m, void *arg)
{
	struct ws_frame	*wf = arg;

	if (m->opcode == WSLAY_TEXT_FRAME || m->opcode == WSLAY_BINARY_FRAME)
		wf->wf_message(wf->wf_arg, (const char *)m->msg,
		    m->msg_length);
	else if (m->opcode == WSLAY_PONG)
		wf->wf_pongs++;
}

int
ws_frame_init(struct ws_frame *wf, size_t max_message,
    int (*write)(void *, const uint8_t *, size_t),
    void (*message)(void *, const char *, size_t), void *arg)
{
	static const struct wslay_event_callbacks cb = {
		ws_frame_recv, ws_frame_send, NULL, NULL, NULL, NULL,
		ws_frame_msg
	};

	memset(wf, 0, sizeof(*wf));
	wf->wf_write = write;
	wf->wf_message = message;
	wf->wf_arg = arg;
	if (wslay_event_context_server_init(&wf->wf_ctx, &cb, wf) != 0)
		return (-1);
	wslay_event_config_set_max_recv_msg_length(wf->wf_ctx, max_message);
	return (0);
}

void
ws_frame_free(struct ws_frame *wf)
{
	if (wf->wf_ctx != NULL)
		wslay_event_context_free(wf->wf_ctx);
	wf->wf_ctx = NULL;
}

/* Frames queued so far go to the write function. */
int
ws_frame_flush(struct ws_frame *wf)
{
	return (wslay_event_send(wf->wf_ctx) == 0 ? 0 : -1);
}

/*
 * All of buf is read, its messages delivered, and what wslay answers
 * (pongs, a close) written.  -1 when the connection must end now;
 * WS_FRAME_DONE when the close handshake is over or the peer failed it.
 */
int
ws_frame_read(struct ws_frame *wf, const char *buf, size_t len)
{
	wf->wf_in = buf;
	wf->wf_inlen = len;
	wf->wf_inoff = 0;
	if (wslay_event_recv(wf->wf_ctx) != 0)
		return (-1);
	wf->wf_in = NULL;
	wf->wf_inlen = wf->wf_inoff = 0;
	if (ws_frame_flush(wf) == -1)
		return (-1);
	return (ws_frame_done(wf) ? WS_FRAME_DONE : 0);
}

/* Nothing more will be read, and all that was queued is written. */
int
ws_frame_done(const struct ws_frame *wf)
{
	return (!wslay_event_want_read(wf->wf_ctx) &&
	    !wslay_event_want_write(wf->wf_ctx));
}

unsigned int
ws_frame_status_sent(const struct ws_frame *wf)
{
	return (wslay_event_get_status_code_sent(wf->wf_ctx));
}

/* One message of ours, as a text frame (RFC 7118 5: SIP is UTF-8). */
int
ws_frame_text(struct ws_frame *wf, const char *buf, size_t len)
{
	struct wslay_event_msg	m;

	m.opcode = WSLAY_TEXT_FRAME;
	m.msg = (const uint8_t *)buf;
	m.msg_length = len;
	if (wslay_event_queue_msg(wf->wf_ctx, &m) != 0)
		return (-1);
	return (ws_frame_flush(wf));
}

int
ws_frame_ping(struct ws_frame *wf)
{
	struct wslay_event_msg	m;

	m.opcode = WSLAY_PING;
	m.msg = (const uint8_t *)"imd";
	m.msg_length = 3;
	if (wslay_event_queue_msg(wf->wf_ctx, &m) != 0)
		return (-1);
	return (ws_frame_flush(wf));
}

/* Our side ends it: a close with its code, and no more reading. */
int
ws_frame_close(struct ws_frame *wf, uint16_t code, const char *reason)
{
	wslay_event_shutdown_read(wf->wf_ctx);
	if (wslay_event_queue_close(wf->wf_ctx, code,
	    (const uint8_t *)reason, strlen(reason)) != 0)
		return (-1);
	return (ws_frame_flush(wf));
}
