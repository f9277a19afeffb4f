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
 * Stream framing, the first line and the header split.  Header values
 * are left for sip_hdr.c.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "sip.h"

void
sip_limits_default(struct sip_limits *lim)
{
	lim->max_msg = SIP_DEF_MAX_MSG;
	lim->max_headers = SIP_MAX_HEADERS;
	lim->max_line = SIP_DEF_MAX_LINE;
}

/* The bounds relayd.conf sets, for the parser. */
void
sip_limits_set(struct sip_limits *lim, uint32_t msg, uint32_t headers,
    uint32_t line)
{
	lim->max_msg = msg;
	lim->max_headers = headers;
	lim->max_line = line;
}

static int
fail(struct sip_err *err, unsigned int status, const char *reason)
{
	err->err_status = status;
	err->err_reason = reason;
	err->err_respond = 0;
	return (-1);
}

/*
 * Finds the CRLF that ends the line at p.  A bare CR or LF is refused:
 * taking it for a line end where a peer does not would let two parsers
 * see two different messages.
 */
static const char *
line_end(const char *p, const char *end, size_t max_line,
    struct sip_err *err)
{
	const char	*q, *lf;
	size_t		 n = (size_t)(end - p) < max_line ? (size_t)(end - p) :
			    max_line;

	/* memchr(3) rather than a loop by byte: this reads every line */
	if ((q = memchr(p, '\r', n)) == NULL)
		q = p + n;
	if ((lf = memchr(p, '\n', q - p)) != NULL)
		q = lf;
	if (q == p + max_line && q < end && *q != '\r' && *q != '\n') {
		fail(err, 513, "line too long");
		return (NULL);
	}
	if (q == end) {
		fail(err, 400, "header not terminated");
		return (NULL);
	}
	if (*q == '\n' || q + 1 == end || q[1] != '\n') {
		fail(err, 400, "bare CR or LF");
		return (NULL);
	}
	return (q);
}

/*
 * Reads one header field with its continuation lines.  Returns 1 with
 * name and value, 0 at the empty line that ends the header, -1 if the
 * line is malformed.
 */
static int
hdr_next(const char **pp, const char *end, size_t max_line,
    struct sip_str *name, struct sip_str *value, struct sip_err *err)
{
	const char	*p = *pp, *q, *eol;

	if ((eol = line_end(p, end, max_line, err)) == NULL)
		return (-1);
	if (eol == p) {
		*pp = eol + 2;
		return (0);
	}
	for (q = p; q < eol && sip_is_token_char((unsigned char)*q); q++)
		;
	name->s = p;
	name->len = q - p;
	while (q < eol && (*q == ' ' || *q == '\t'))
		q++;
	if (name->len == 0 || q == eol || *q != ':')
		return (fail(err, 400, "bad header line"));
	value->s = q + 1;
	while (eol + 2 < end && (eol[2] == ' ' || eol[2] == '\t'))
		if ((eol = line_end(eol + 2, end, max_line, err)) == NULL)
			return (-1);
	value->len = eol - value->s;
	sip_str_trim(value);
	*pp = eol + 2;
	return (1);
}

static int
frame_crlf(const char *buf, size_t len, size_t *lenp)
{
	if (len >= 4 && memcmp(buf, "\r\n\r\n", 4) == 0) {
		*lenp = 4;
		return (SIP_FRAME_CRLF);
	}
	if (len >= 4 || (len == 3 && buf[2] != '\r')) {
		*lenp = 2;
		return (SIP_FRAME_CRLF);
	}
	return (SIP_FRAME_MORE);
}

/* The Content-Length of a complete header, which must have one. */
static int
frame_clen(const char *p, const char *end, const struct sip_limits *lim,
    size_t *clen, struct sip_err *err)
{
	struct sip_str	 name, value;
	size_t		 v;
	int		 r, found = 0;

	if ((p = line_end(p, end, lim->max_line, err)) == NULL)
		return (-1);
	p += 2;
	while ((r = hdr_next(&p, end, lim->max_line, &name, &value,
	    err)) == 1) {
		if (sip_hdr_lookup(&name) != SIP_HDR_CONTENT_LENGTH)
			continue;
		if (sip_clen_parse(value.s, SIP_STR_END(&value), &v) == -1)
			return (fail(err, 400, "bad Content-Length"));
		if (found && v != *clen)
			return (fail(err, 400, "conflicting Content-Length"));
		*clen = v;
		found = 1;
	}
	if (r == -1)
		return (-1);
	if (!found)
		return (fail(err, 400, "missing Content-Length"));
	return (0);
}

/*
 * Cuts one message off the front of a stream.  Leading CRLFs are
 * keep-alives (RFC 5626 4.4.1): a double CRLF deserves a single CRLF in
 * answer, a lone one is just dropped (RFC 3261 7.5).
 */
int
sip_frame(const char *buf, size_t len, const struct sip_limits *lim,
    size_t *lenp, struct sip_err *err)
{
	const char	*hend;
	size_t		 hlen, clen;

	memset(err, 0, sizeof(*err));
	if (len >= 1 && buf[0] == '\r') {
		if (len >= 2 && buf[1] != '\n') {
			fail(err, 400, "bare CR or LF");
			return (SIP_FRAME_ERROR);
		}
		return (frame_crlf(buf, len, lenp));
	}
	hend = memmem(buf, len < lim->max_msg ? len : lim->max_msg,
	    "\r\n\r\n", 4);
	if (hend == NULL) {
		if (len >= lim->max_msg) {
			fail(err, 513, "message too large");
			return (SIP_FRAME_ERROR);
		}
		return (SIP_FRAME_MORE);
	}
	hlen = hend + 4 - buf;
	if (frame_clen(buf, hend + 4, lim, &clen, err) == -1)
		return (SIP_FRAME_ERROR);
	if (hlen > lim->max_msg || clen > lim->max_msg - hlen) {
		fail(err, 413, "message body too large");
		return (SIP_FRAME_ERROR);
	}
	if (len - hlen < clen)
		return (SIP_FRAME_MORE);
	*lenp = hlen + clen;
	return (SIP_FRAME_MSG);
}

static int
split_headers(struct sip_msg *msg, const char **pp, const char *end,
    const struct sip_limits *lim, struct sip_err *err)
{
	struct sip_hdr	*h;
	struct sip_str	 name, value;
	size_t		 max;
	int		 r;

	max = lim->max_headers < SIP_MAX_HEADERS ? lim->max_headers :
	    SIP_MAX_HEADERS;
	while ((r = hdr_next(pp, end, lim->max_line, &name, &value,
	    err)) == 1) {
		if (msg->msg_nhdrs >= max)
			return (fail(err, 513, "too many header fields"));
		h = &msg->msg_hdrs[msg->msg_nhdrs++];
		h->hdr_id = sip_hdr_lookup(&name);
		h->hdr_name = name;
		h->hdr_value = value;
		if (msg->msg_first[h->hdr_id] == 0)
			msg->msg_first[h->hdr_id] = msg->msg_nhdrs;
	}
	return (r);
}

/* SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT; only 2.0 is spoken. */
static int
check_version(const struct sip_str *v, struct sip_err *err)
{
	size_t	i, dots = 0, digits = 0;

	if (v->len < 4 || strncasecmp(v->s, "SIP/", 4) != 0)
		return (fail(err, 400, "bad SIP version"));
	for (i = 4; i < v->len; i++) {
		if (v->s[i] == '.' && digits > 0 && dots++ == 0)
			digits = 0;
		else if (sip_is_digit((unsigned char)v->s[i]))
			digits++;
		else
			return (fail(err, 400, "bad SIP version"));
	}
	if (dots != 1 || digits == 0)
		return (fail(err, 400, "bad SIP version"));
	if (v->len != 7 || memcmp(v->s + 4, "2.0", 3) != 0)
		return (fail(err, 505, "SIP version not supported"));
	return (0);
}

/* Request-Line = Method SP Request-URI SP SIP-Version: one SP each. */
static int
request_line(struct sip_msg *msg, const char *p, const char *eol,
    struct sip_err *err)
{
	const char	*sp1, *sp2;

	if ((sp1 = memchr(p, ' ', eol - p)) == NULL)
		return (fail(err, 400, "bad request line"));
	msg->msg_method_str.s = p;
	msg->msg_method_str.len = sp1 - p;
	if (!sip_is_token(&msg->msg_method_str))
		return (fail(err, 400, "bad method"));
	msg->msg_kind = SIP_REQUEST;
	msg->msg_method = sip_method_lookup(&msg->msg_method_str);
	sp2 = memchr(sp1 + 1, ' ', eol - sp1 - 1);
	if (sp2 == NULL || sp2 == sp1 + 1)
		return (fail(err, 400, "bad request line"));
	msg->msg_ruri.s = sp1 + 1;
	msg->msg_ruri.len = sp2 - sp1 - 1;
	msg->msg_version.s = sp2 + 1;
	msg->msg_version.len = eol - sp2 - 1;
	return (check_version(&msg->msg_version, err));
}

/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase. */
static int
status_line(struct sip_msg *msg, const char *p, const char *eol,
    struct sip_err *err)
{
	const char	*sp;

	msg->msg_kind = SIP_RESPONSE;
	if ((sp = memchr(p, ' ', eol - p)) == NULL)
		return (fail(err, 400, "bad status line"));
	msg->msg_version.s = p;
	msg->msg_version.len = sp - p;
	if (check_version(&msg->msg_version, err) == -1)
		return (-1);
	p = sp + 1;
	if (eol - p < 3 || !sip_is_digit((unsigned char)p[0]) ||
	    !sip_is_digit((unsigned char)p[1]) ||
	    !sip_is_digit((unsigned char)p[2]) ||
	    (eol - p > 3 && p[3] != ' '))
		return (fail(err, 400, "bad status code"));
	msg->msg_status = (p[0] - '0') * 100 + (p[1] - '0') * 10 + p[2] - '0';
	if (msg->msg_status < 100 || msg->msg_status > 699)
		return (fail(err, 400, "bad status code"));
	msg->msg_reason.s = eol - p > 3 ? p + 4 : eol;
	msg->msg_reason.len = eol - msg->msg_reason.s;
	return (0);
}

static int
first_line(struct sip_msg *msg, const char *p, const char *eol,
    struct sip_err *err)
{
	if (eol - p >= 4 && strncasecmp(p, "SIP/", 4) == 0)
		return (status_line(msg, p, eol, err));
	return (request_line(msg, p, eol, err));
}

/*
 * Datagrams may carry trailing bytes past Content-Length, which are
 * dropped (RFC 3261 18.3); without Content-Length the body is the rest.
 */
static int
find_body(struct sip_msg *msg, const char *p, const char *end, int flags,
    struct sip_err *err)
{
	const struct sip_hdr	*h;
	size_t			 clen = end - p, v;

	if ((h = sip_hdr_first(msg, SIP_HDR_CONTENT_LENGTH)) == NULL &&
	    (flags & SIP_PARSE_STREAM))
		return (fail(err, 400, "missing Content-Length"));
	for (; h != NULL; h = sip_hdr_next(msg, h)) {
		if (sip_clen_parse(h->hdr_value.s, SIP_STR_END(&h->hdr_value),
		    &v) == -1)
			return (fail(err, 400, "bad Content-Length"));
		if (h != sip_hdr_first(msg, SIP_HDR_CONTENT_LENGTH) &&
		    v != clen)
			return (fail(err, 400, "conflicting Content-Length"));
		clen = v;
	}
	if (clen > (size_t)(end - p))
		return (fail(err, 400, "Content-Length larger than message"));
	msg->msg_body.s = p;
	msg->msg_body.len = clen;
	msg->msg_len = p + clen - msg->msg_buf;
	return (0);
}

/*
 * Parses the first line, splits the header fields and finds the body.
 * On failure msg holds what was read, enough for an answer when
 * err->err_respond says so.
 */
int
sip_parse(struct sip_msg *msg, const char *buf, size_t len,
    const struct sip_limits *lim, int flags, struct sip_err *err)
{
	const char	*start = buf, *end = buf + len, *eol, *p;

	memset(msg, 0, offsetof(struct sip_msg, msg_hdrs));
	memset(err, 0, sizeof(*err));
	msg->msg_buf = buf;
	if (len > lim->max_msg)
		return (fail(err, 513, "message too large"));
	while (end - start >= 2 && start[0] == '\r' && start[1] == '\n')
		start += 2;
	if ((eol = line_end(start, end, lim->max_line, err)) == NULL)
		return (-1);
	p = eol + 2;
	if (split_headers(msg, &p, end, lim, err) == -1)
		return (-1);
	if (first_line(msg, start, eol, err) == -1 ||
	    find_body(msg, p, end, flags, err) == -1) {
		err->err_respond = sip_can_respond(msg);
		return (-1);
	}
	return (0);
}

/* A string of the old buffer points to the same bytes of the new one. */
static void
sip_str_move(struct sip_str *str, const char *from, size_t len,
    const char *to)
{
	uintptr_t	p = (uintptr_t)str->s, f = (uintptr_t)from;

	if (str->s != NULL && p >= f && p <= f + len)
		str->s = to + (p - f);
}

static void
uri_move(struct sip_uri *u, const char *from, size_t len, const char *to)
{
	sip_str_move(&u->uri_scheme_str, from, len, to);
	sip_str_move(&u->uri_opaque, from, len, to);
	sip_str_move(&u->uri_user, from, len, to);
	sip_str_move(&u->uri_password, from, len, to);
	sip_str_move(&u->uri_host, from, len, to);
	sip_str_move(&u->uri_params, from, len, to);
	sip_str_move(&u->uri_headers, from, len, to);
	sip_str_move(&u->uri_transport, from, len, to);
	sip_str_move(&u->uri_user_param, from, len, to);
	sip_str_move(&u->uri_maddr, from, len, to);
	sip_str_move(&u->uri_method, from, len, to);
}

static void
addr_move(struct sip_addr *a, const char *from, size_t len, const char *to)
{
	sip_str_move(&a->addr_display, from, len, to);
	sip_str_move(&a->addr_uri_str, from, len, to);
	uri_move(&a->addr_uri, from, len, to);
	sip_str_move(&a->addr_params, from, len, to);
	sip_str_move(&a->addr_tag, from, len, to);
}

static void
via_move(struct sip_via *v, const char *from, size_t len, const char *to)
{
	sip_str_move(&v->via_proto, from, len, to);
	sip_str_move(&v->via_version, from, len, to);
	sip_str_move(&v->via_transport, from, len, to);
	sip_str_move(&v->via_host, from, len, to);
	sip_str_move(&v->via_params, from, len, to);
	sip_str_move(&v->via_branch, from, len, to);
	sip_str_move(&v->via_received, from, len, to);
	sip_str_move(&v->via_maddr, from, len, to);
	sip_str_move(&v->via_ttl, from, len, to);
	sip_str_move(&v->via_rport_name, from, len, to);
}

/* The values validation kept (sip.h, struct sip_msg), moved along. */
static void
known_move(struct sip_msg *dst, const char *from, size_t len,
    const char *to)
{
	if (dst->msg_known & SIP_KNOWN_VIA)
		via_move(&dst->msg_via, from, len, to);
	if (dst->msg_known & SIP_KNOWN_FROM)
		addr_move(&dst->msg_from, from, len, to);
	if (dst->msg_known & SIP_KNOWN_TO)
		addr_move(&dst->msg_to, from, len, to);
	if (dst->msg_known & SIP_KNOWN_CSEQ)
		sip_str_move(&dst->msg_cseq.cseq_method_str, from, len, to);
}

/*
 * What sip_parse() would say of buf, a copy of src's bytes, without
 * parsing them again: a request held while other processes answer is
 * copied once from the receive buffer and its strings moved along.
 */
void
sip_msg_copy(struct sip_msg *dst, const struct sip_msg *src, const char *buf)
{
	const char	*from = src->msg_buf;
	size_t		 len = src->msg_len, i;

	memcpy(dst, src, offsetof(struct sip_msg, msg_hdrs) +
	    src->msg_nhdrs * sizeof(src->msg_hdrs[0]));
	dst->msg_buf = buf;
	sip_str_move(&dst->msg_method_str, from, len, buf);
	sip_str_move(&dst->msg_ruri, from, len, buf);
	sip_str_move(&dst->msg_version, from, len, buf);
	sip_str_move(&dst->msg_reason, from, len, buf);
	for (i = 0; i < dst->msg_nhdrs; i++) {
		sip_str_move(&dst->msg_hdrs[i].hdr_name, from, len, buf);
		sip_str_move(&dst->msg_hdrs[i].hdr_value, from, len, buf);
	}
	sip_str_move(&dst->msg_body, from, len, buf);
	known_move(dst, from, len, buf);
}
