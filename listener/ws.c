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
 * SIP over WebSocket (RFC 7118) on a `listen ... ws` or `wss` address.
 * A connection starts in HTTP: a request head with an upgrade becomes
 * a WebSocket when it asks for the sip subprotocol (and, with an
 * allow-list, comes from a page of a listed origin); one without is a
 * GET of the web client's files (http.c).  Once upgraded, each message
 * is one SIP message (RFC 7118 5), handed to the SIP layer as a
 * datagram is, since the frame gives its length; ours go out as text
 * frames.  The connection code counts, caps and times it as any other;
 * when it falls idle we ping, and a browser's pong keeps it.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "listener.h"
#include "log.h"
#include "ws_frame.h"

#define WS_GUID		"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_KEY_LEN	24	/* base64 of 16 bytes */
#define WS_BODY_CHUNK	(32 * 1024)

enum ws_state {
	WS_HTTP,		/* request heads, files */
	WS_OPEN,		/* frames */
};

static void	ws_accept_key(const struct sip_str *, char *, size_t);

struct ws {
	enum ws_state	 ws_state;
	struct ws_frame	 ws_frame;
	const char	*ws_body;	/* of a file, still to go out */
	size_t		 ws_bodylen;
	int		 ws_close_after;	/* the body: HTTP/1.0, close */
	int		 ws_pinged;	/* no input since our ping */
};

/*
 * OpenSSL loads its configuration and providers on the first hash: that
 * reads files, so it happens here, before the jail.
 */
void
ws_prepare(void)
{
	struct sip_str	key = { "dGhlIHNhbXBsZSBub25jZQ==", WS_KEY_LEN };
	char		accept[32];

	ws_accept_key(&key, accept, sizeof(accept));
	/* RFC 6455 1.3's example, as a check of our arithmetic. */
	if (strcmp(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") != 0)
		fatalx("ws: the accept key of RFC 6455 1.3 comes out wrong");
}

int
ws_conn_start(struct conn *c)
{
	if ((c->cn_ws = calloc(1, sizeof(*c->cn_ws))) == NULL)
		return (-1);
	c->cn_ws->ws_state = WS_HTTP;
	return (0);
}

void
ws_conn_free(struct conn *c)
{
	if (c->cn_ws == NULL)
		return;
	ws_frame_free(&c->cn_ws->ws_frame);
	free(c->cn_ws);
	c->cn_ws = NULL;
}

int
ws_is_open(const struct conn *c)
{
	return (c->cn_ws != NULL && c->cn_ws->ws_state == WS_OPEN);
}

static int
ws_write(void *arg, const uint8_t *buf, size_t len)
{
	return (conn_write(arg, (const char *)buf, len));
}

/* One WebSocket message: one SIP message, or a CRLF keep-alive. */
static void
ws_message(void *arg, const char *buf, size_t len)
{
	struct conn	*c = arg;

	if (c->cn_flags & CONN_DEAD)
		return;
	if (len == 4 && memcmp(buf, "\r\n\r\n", 4) == 0) {
		/* RFC 5626 4.4.1, as some clients send it here too. */
		transport_stats.ts_keepalives++;
		ws_send(c, "\r\n", 2);
		return;
	}
	while (len > 0 && (*buf == '\r' || *buf == '\n'))
		buf++, len--;
	if (len == 0)
		return;
	transport_stats.ts_received++;
	sip_input(&c->cn_peer, buf, len);
}

/* RFC 6455 4.2.2: base64 of the SHA-1 of the key and the GUID. */
static void
ws_accept_key(const struct sip_str *key, char *out, size_t size)
{
	unsigned char	md[SHA_DIGEST_LENGTH];
	char		in[WS_KEY_LEN + sizeof(WS_GUID)];

	memcpy(in, key->s, WS_KEY_LEN);
	memcpy(in + WS_KEY_LEN, WS_GUID, sizeof(WS_GUID) - 1);
	SHA1((unsigned char *)in, WS_KEY_LEN + sizeof(WS_GUID) - 1, md);
	if (size >= 4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1)
		EVP_EncodeBlock((unsigned char *)out, md, SHA_DIGEST_LENGTH);
}

/* 16 bytes in base64: 22 characters, then "==". */
static int
is_ws_key(const struct sip_str *key)
{
	unsigned char	raw[WS_KEY_LEN];
	char		in[WS_KEY_LEN + 1];

	if (key->len != WS_KEY_LEN || key->s[22] != '=' || key->s[23] != '=')
		return (0);
	memcpy(in, key->s, WS_KEY_LEN);
	in[WS_KEY_LEN] = '\0';
	return (EVP_DecodeBlock(raw, (unsigned char *)in, WS_KEY_LEN) == 18);
}

static int
ws_origin_allowed(const struct sip_str *origin)
{
	const struct conf_web	*cw = &listener_conf->c_web;
	uint32_t		 i;

	if (cw->cw_norigins == 0)
		return (1);
	for (i = 0; i < cw->cw_norigins; i++)
		if (strlen(cw->cw_origins[i]) == origin->len &&
		    strncasecmp(cw->cw_origins[i], origin->s,
		    origin->len) == 0)
			return (1);
	return (0);
}

static int
ws_refuse(struct conn *c, unsigned int status, const char *reason,
    const char *extra, const char *why)
{
	char	vis[LOG_VIS_MAX * 4 + 1];

	log_info("ws: %s: upgrade refused: %s", c->cn_name,
	    log_vis(why, strlen(why), vis, sizeof(vis)));
	transport_stats.ts_conns_bad++;
	if (http_reply(c, status, reason, extra, why) == 0)
		conn_shutdown(c, "upgrade refused");
	return (-1);
}

/*
 * The checks of RFC 6455 4.2.1 and RFC 7118 4: a reason for the first
 * that fails, and its status, or NULL.
 */
static const char *
ws_upgrade_check(const struct http_req *hr, unsigned int *status,
    const char **extra)
{
	*status = 400;
	*extra = NULL;
	if (hr->hr_http10 || hr->hr_method.len != 3 ||
	    memcmp(hr->hr_method.s, "GET", 3) != 0)
		return ("an upgrade is a GET in HTTP/1.1\n");
	if (hr->hr_host.s == NULL || !http_token_in(&hr->hr_connection,
	    "upgrade") || !http_token_in(&hr->hr_upgrade, "websocket"))
		return ("Host, Connection: upgrade and Upgrade: websocket "
		    "are needed\n");
	if (hr->hr_version.len != 2 || memcmp(hr->hr_version.s, "13", 2)) {
		*status = 426;
		*extra = "Sec-WebSocket-Version: 13\r\n";
		return ("WebSocket version 13 only\n");
	}
	if (!is_ws_key(&hr->hr_key))
		return ("bad Sec-WebSocket-Key\n");
	if (!ws_origin_allowed(&hr->hr_origin)) {
		*status = 403;
		return ("origin not allowed\n");
	}
	if (!hr->hr_sip)
		return ("the sip subprotocol (RFC 7118) is needed\n");
	return (NULL);
}

static int
ws_upgrade(struct conn *c, const struct http_req *hr)
{
	struct ws	*ws = c->cn_ws;
	const char	*why, *extra;
	char		 accept[32], head[256];
	unsigned int	 status;
	int		 n;

	if ((why = ws_upgrade_check(hr, &status, &extra)) != NULL)
		return (ws_refuse(c, status, status == 400 ? "Bad Request" :
		    status == 403 ? "Forbidden" : "Upgrade Required", extra,
		    why));
	ws_accept_key(&hr->hr_key, accept, sizeof(accept));
	n = snprintf(head, sizeof(head), "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\nSec-WebSocket-Protocol: sip\r\n\r\n",
	    accept);
	if (ws_frame_init(&ws->ws_frame, listener_conf->c_limits.lim_msg_size,
	    ws_write, ws_message, c) == -1) {
		conn_close(c, "no memory for a WebSocket");
		return (-1);
	}
	if (conn_write(c, head, n) == -1)
		return (-1);
	ws->ws_state = WS_OPEN;
	log_debug("ws: %s: connection %llu is a WebSocket", c->cn_name,
	    (unsigned long long)c->cn_id);
	return (0);
}

/* What is left of a file, while the output queue is short. */
int
ws_drain(struct conn *c)
{
	struct ws	*ws = c->cn_ws;
	size_t		 n;

	if (ws == NULL)
		return (0);
	while (ws->ws_bodylen > 0 && c->cn_outlen < WS_BODY_CHUNK) {
		n = ws->ws_bodylen < WS_BODY_CHUNK ? ws->ws_bodylen :
		    WS_BODY_CHUNK;
		if (conn_write(c, ws->ws_body, n) == -1)
			return (-1);
		ws->ws_body += n;
		ws->ws_bodylen -= n;
	}
	if (ws->ws_bodylen == 0 && ws->ws_close_after) {
		ws->ws_close_after = 0;
		conn_shutdown(c, "HTTP response sent");
		return (-1);
	}
	return (0);
}

/* One request head: an upgrade, or a file.  -1: the connection ends. */
static int
ws_http_request(struct conn *c, const struct http_req *hr)
{
	struct ws	*ws = c->cn_ws;

	if (hr->hr_te.s != NULL || (hr->hr_length.s != NULL &&
	    !(hr->hr_length.len == 1 && hr->hr_length.s[0] == '0')))
		return (ws_refuse(c, 400, "Bad Request", NULL,
		    "no request body here\n"));
	if (hr->hr_upgrade.s != NULL)
		return (ws_upgrade(c, hr));
	if (http_serve(c, hr, &ws->ws_body, &ws->ws_bodylen) == -1)
		return (-1);
	ws->ws_close_after = hr->hr_http10 ||
	    http_token_in(&hr->hr_connection, "close");
	return (ws_drain(c));
}

/* Request heads, one after the other; the bytes taken, or -1. */
static ssize_t
ws_http_input(struct conn *c, const char *buf, size_t len)
{
	struct ws	*ws = c->cn_ws;
	struct http_req	 hr;
	size_t		 off = 0;
	ssize_t		 n;

	while (off < len && ws->ws_state == WS_HTTP && ws->ws_bodylen == 0) {
		n = http_request_parse(buf + off, len - off, &hr);
		if (n == HTTP_MORE)
			break;
		if (n == HTTP_TOO_LONG)
			return (ws_refuse(c, 431, "Request Header Fields Too "
			    "Large", NULL, "request head too long\n"));
		if (n == HTTP_BAD)
			return (ws_refuse(c, 400, "Bad Request", NULL,
			    "malformed request\n"));
		if (ws_http_request(c, &hr) == -1)
			return (-1);
		off += n;
	}
	return (off);
}

static int
ws_frames_input(struct conn *c, const char *buf, size_t len)
{
	struct ws	*ws = c->cn_ws;
	int		 r;

	ws->ws_pinged = 0;
	if ((r = ws_frame_read(&ws->ws_frame, buf, len)) == -1) {
		if ((c->cn_flags & CONN_DEAD) == 0) {
			transport_stats.ts_conns_bad++;
			conn_close(c, "WebSocket error");
		}
		return (-1);
	}
	if (r == WS_FRAME_DONE) {
		log_debug("ws: %s: closed with status %u", c->cn_name,
		    ws_frame_status_sent(&ws->ws_frame));
		conn_shutdown(c, "WebSocket closed");
		return (-1);
	}
	return (0);
}

/*
 * The bytes of buf that were used, all of them once upgraded; -1 when
 * the connection is closing.
 */
ssize_t
ws_input(struct conn *c, const char *buf, size_t len)
{
	struct ws	*ws = c->cn_ws;
	ssize_t		 n = 0;

	if (ws->ws_state == WS_HTTP &&
	    (n = ws_http_input(c, buf, len)) == -1)
		return (-1);
	if (ws->ws_state == WS_OPEN && (size_t)n < len) {
		if (ws_frames_input(c, buf + n, len - n) == -1)
			return (-1);
		n = len;
	}
	return (n);
}

/* A SIP message of ours, as one text frame. */
int
ws_send(struct conn *c, const char *buf, size_t len)
{
	if (!ws_is_open(c))
		return (-1);
	if (ws_frame_text(&c->cn_ws->ws_frame, buf, len) == -1) {
		conn_close(c, "WebSocket write failed");
		return (-1);
	}
	return (0);
}

/*
 * The connection was idle: 0 after a ping, which a browser answers by
 * itself; -1 when the last one got no answer, or it is no WebSocket.
 */
int
ws_idle(struct conn *c)
{
	struct ws	*ws = c->cn_ws;

	if (!ws_is_open(c) || ws->ws_pinged)
		return (-1);
	ws->ws_pinged = 1;
	return (ws_frame_ping(&ws->ws_frame));
}
