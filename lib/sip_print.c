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
 * Printing into a bounded buffer.  An overflow sticks, and the message
 * functions then fail: a truncated SIP message must never be sent.
 * Bytes from a message are copied with sip_out_add(), not "%.*s": a
 * quoted-pair may hold a NUL (RFC 4475 3.1.1.2), where printf stops.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sip.h"

void
sip_out_init(struct sip_out *out, char *buf, size_t size)
{
	out->buf = buf;
	out->size = size;
	out->len = 0;
	out->overflow = 0;
}

int
sip_out_add(struct sip_out *out, const void *p, size_t n)
{
	if (out->overflow || n > out->size - out->len) {
		out->overflow = 1;
		return (-1);
	}
	if (n > 0)
		memcpy(out->buf + out->len, p, n);
	out->len += n;
	return (0);
}

static const char *
skip_lws(const char *p, const char *end)
{
	while (p < end && sip_is_lws((unsigned char)*p))
		p++;
	return (p);
}

static int
sip_out_str(struct sip_out *out, const struct sip_str *s)
{
	return (sip_out_add(out, s->s, s->len));
}

int
sip_out_printf(struct sip_out *out, const char *fmt, ...)
{
	va_list	ap;
	size_t	room = out->size - out->len;
	int	n;

	if (out->overflow)
		return (-1);
	va_start(ap, fmt);
	n = vsnprintf(out->buf + out->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		out->overflow = 1;
		return (-1);
	}
	out->len += n;
	return (0);
}

static void
out_cstr(struct sip_out *out, const char *s)
{
	sip_out_add(out, s, strlen(s));
}

/*
 * A number in decimal, without printf: every response has a status, a
 * Content-Length and mostly an rport, and vsnprintf(3) for them was a
 * tenth of the cost of building one.
 */
int
sip_out_uint(struct sip_out *out, uint64_t v)
{
	char	digits[20], *p = digits + sizeof(digits);

	do
		*--p = '0' + v % 10;
	while ((v /= 10) != 0);
	return (sip_out_add(out, p, digits + sizeof(digits) - p));
}

static void
out_line(struct sip_out *out, const char *name, size_t len, const char *v,
    const char *vend)
{
	sip_out_add(out, name, len);
	out_cstr(out, ": ");
	sip_out_add(out, v, vend - v);
	out_cstr(out, "\r\n");
}

static int
sip_out_hdr(struct sip_out *out, const struct sip_hdr *h)
{
	out_line(out, h->hdr_name.s, h->hdr_name.len, h->hdr_value.s,
	    SIP_STR_END(&h->hdr_value));
	return (out->overflow ? -1 : 0);
}

/* A header under its full name, as the responses we build spell it. */
static void
out_named(struct sip_out *out, enum sip_hdr_id id, const struct sip_str *v)
{
	const char	*name = sip_hdr_name(id);

	out_line(out, name, strlen(name), v->s, SIP_STR_END(v));
}

static void
out_first(struct sip_out *out, const struct sip_msg *msg, enum sip_hdr_id id)
{
	const struct sip_hdr	*h;

	if ((h = sip_hdr_first(msg, id)) != NULL)
		out_named(out, id, &h->hdr_value);
}

/*
 * The top Via with received and rport filled in (RFC 3261 18.2.1,
 * RFC 3581 4).  Any further values of that header go on a line of
 * their own, which means the same.
 */
static void
out_top_via(struct sip_out *out, const struct sip_msg *msg,
    const struct sip_hdr *h, const struct sip_reply *rp)
{
	struct sip_via	 via;
	struct sip_str	 elem;
	const char	*p, *end = SIP_STR_END(&h->hdr_value);
	const char	*cut;
	int		 fill;

	if (sip_top_via(msg, &via) == -1) {
		out_named(out, SIP_HDR_VIA, &h->hdr_value);
		return;
	}
	/*
	 * The value is where its parse began and ended (sip_via_parse()
	 * ends via_params there), and the rest of the line follows its
	 * comma, as sip_list_next() would leave them: not cut from the
	 * list again for every answer.
	 */
	elem.s = via.via_proto.s;
	elem.len = SIP_STR_END(&via.via_params) - elem.s;
	p = skip_lws(SIP_STR_END(&elem), end);
	if (p < end && *p == ',')
		p = skip_lws(p + 1, end);
	fill = rp->rp_rport != 0 && via.via_rport_name.s != NULL;
	cut = fill ? SIP_STR_END(&via.via_rport_name) : SIP_STR_END(&elem);
	out_cstr(out, "Via: ");
	sip_out_add(out, elem.s, cut - elem.s);
	if (fill) {
		/* A valueless rport may be the last parameter. */
		out_cstr(out, "=");
		sip_out_uint(out, rp->rp_rport);
		sip_out_add(out, cut, SIP_STR_END(&elem) - cut);
	}
	if (rp->rp_received.len > 0 && via.via_received.s == NULL) {
		out_cstr(out, ";received=");
		sip_out_str(out, &rp->rp_received);
	}
	out_cstr(out, "\r\n");
	if (p < end)
		out_line(out, "Via", 3, p, end);
}

static void
out_vias(struct sip_out *out, const struct sip_msg *msg,
    const struct sip_reply *rp)
{
	const struct sip_hdr	*h;

	h = sip_hdr_first(msg, SIP_HDR_VIA);
	if (h != NULL && (rp->rp_rport != 0 || rp->rp_received.len > 0)) {
		out_top_via(out, msg, h, rp);
		h = sip_hdr_next(msg, h);
	}
	for (; h != NULL; h = sip_hdr_next(msg, h))
		out_named(out, SIP_HDR_VIA, &h->hdr_value);
}

/* The UAS adds a To tag unless one is there (RFC 3261 8.2.6.2). */
static void
out_to(struct sip_out *out, const struct sip_msg *msg,
    const struct sip_str *totag)
{
	const struct sip_hdr	*h;
	struct sip_addr		 to;

	if ((h = sip_hdr_first(msg, SIP_HDR_TO)) == NULL)
		return;
	if (totag->len == 0 || sip_first_addr(msg, SIP_HDR_TO, &to) == -1 ||
	    to.addr_tag.s != NULL) {
		out_named(out, SIP_HDR_TO, &h->hdr_value);
		return;
	}
	out_cstr(out, "To: ");
	sip_out_str(out, &h->hdr_value);
	out_cstr(out, ";tag=");
	sip_out_str(out, totag);
	out_cstr(out, "\r\n");
}

static void
out_body(struct sip_out *out, const struct sip_str *ctype,
    const struct sip_str *body)
{
	if (body->len > 0 && ctype->len > 0)
		out_named(out, SIP_HDR_CONTENT_TYPE, ctype);
	out_cstr(out, "Content-Length: ");
	sip_out_uint(out, body->len);
	out_cstr(out, "\r\n\r\n");
	sip_out_str(out, body);
}

/* A reason phrase or a tag of ours must not break the framing. */
static int
is_safe(const char *p, size_t len)
{
	return (len == 0 ||
	    (memchr(p, '\r', len) == NULL && memchr(p, '\n', len) == NULL));
}

/*
 * A response to a parsed request: every Via in order, From, To with a
 * tag, Call-ID, CSeq (RFC 3261 8.2.6.2), the caller's extra headers and
 * the body.
 */
int
sip_print_response(struct sip_out *out, const struct sip_msg *req,
    const struct sip_reply *rp)
{
	if (req->msg_kind != SIP_REQUEST || rp->rp_status < 100 ||
	    rp->rp_status > 699 || rp->rp_reason == NULL ||
	    !is_safe(rp->rp_reason, strlen(rp->rp_reason)) ||
	    !is_safe(rp->rp_totag.s, rp->rp_totag.len) ||
	    !is_safe(rp->rp_received.s, rp->rp_received.len))
		return (-1);
	out_cstr(out, "SIP/2.0 ");
	sip_out_uint(out, rp->rp_status);
	out_cstr(out, " ");
	out_cstr(out, rp->rp_reason);
	out_cstr(out, "\r\n");
	out_vias(out, req, rp);
	out_first(out, req, SIP_HDR_FROM);
	out_to(out, req, &rp->rp_totag);
	out_first(out, req, SIP_HDR_CALL_ID);
	out_first(out, req, SIP_HDR_CSEQ);
	sip_out_str(out, &rp->rp_extra);
	out_body(out, &rp->rp_ctype, &rp->rp_body);
	return (out->overflow ? -1 : 0);
}

/*
 * A Route or Via header without its first *skip values, which named
 * us; *skip is left with what later headers of the kind must drop.
 */
static void
out_hdr_skip(struct sip_out *out, const struct sip_hdr *h, int *skip)
{
	struct sip_str	 elem;
	const char	*p = h->hdr_value.s, *end = SIP_STR_END(&h->hdr_value);

	while (*skip > 0 && p < end && sip_list_next(&p, end, &elem) == 1)
		(*skip)--;
	if (p < end)
		out_line(out, h->hdr_name.s, h->hdr_name.len, p, end);
}

static void
out_hdr_rest(struct sip_out *out, const struct sip_hdr *h)
{
	int	skip = 1;

	out_hdr_skip(out, h, &skip);
}

/* Max-Forwards one lower, or 70 when absent (RFC 3261 16.6 step 3). */
static int
next_maxfwd(const struct sip_msg *msg, unsigned int *mf)
{
	const struct sip_hdr	*h;

	if ((h = sip_hdr_first(msg, SIP_HDR_MAX_FORWARDS)) == NULL) {
		*mf = 70;
		return (0);
	}
	if (sip_maxfwd_parse(h->hdr_value.s, SIP_STR_END(&h->hdr_value),
	    mf) == -1 || *mf == 0)
		return (-1);
	(*mf)--;
	return (0);
}

/*
 * A request to forward: our Via on top, Max-Forwards one lower, the
 * head lines (our Record-Route goes above any other), the other
 * headers as they came (less the first fw_pop_route Route values, or
 * every Route, if asked), the extra headers, a fresh Content-Length
 * and the body.  A request
 * whose Max-Forwards is 0 must be answered with 483 instead: -1.
 */
int
sip_print_request(struct sip_out *out, const struct sip_msg *req,
    const struct sip_fwd *fw)
{
	const struct sip_str	*ruri;
	const struct sip_hdr	*h;
	unsigned int		 mf;
	size_t			 i;
	int			 pop = fw->fw_pop_route;

	if (req->msg_kind != SIP_REQUEST || next_maxfwd(req, &mf) == -1 ||
	    fw->fw_via.len == 0 || fw->fw_branch.len == 0 ||
	    !is_safe(fw->fw_via.s, fw->fw_via.len) ||
	    !is_safe(fw->fw_branch.s, fw->fw_branch.len))
		return (-1);
	ruri = fw->fw_ruri.len > 0 ? &fw->fw_ruri : &req->msg_ruri;
	sip_out_str(out, &req->msg_method_str);
	out_cstr(out, " ");
	sip_out_str(out, ruri);
	out_cstr(out, " SIP/2.0\r\nVia: ");
	sip_out_str(out, &fw->fw_via);
	out_cstr(out, ";branch=");
	sip_out_str(out, &fw->fw_branch);
	sip_out_printf(out, "\r\nMax-Forwards: %u\r\n", mf);
	sip_out_str(out, &fw->fw_head);
	for (i = 0; i < req->msg_nhdrs; i++) {
		h = &req->msg_hdrs[i];
		if (fw->fw_drop_routes && h->hdr_id == SIP_HDR_ROUTE)
			continue;
		if (h->hdr_id == SIP_HDR_ROUTE && pop > 0)
			out_hdr_skip(out, h, &pop);
		else if (h->hdr_id != SIP_HDR_MAX_FORWARDS &&
		    h->hdr_id != SIP_HDR_CONTENT_LENGTH &&
		    (!fw->fw_drop_proxy_auth ||
		    h->hdr_id != SIP_HDR_PROXY_AUTHORIZATION))
			sip_out_hdr(out, h);
	}
	sip_out_str(out, &fw->fw_extra);
	sip_out_printf(out, "Content-Length: %zu\r\n\r\n", req->msg_body.len);
	sip_out_str(out, &req->msg_body);
	return (out->overflow ? -1 : 0);
}

/*
 * A response to pass back to the previous hop (RFC 3261 16.7 step 3):
 * the first Via value, ours, removed; everything else as it came, with
 * a fresh Content-Length.
 */
int
sip_print_response_back(struct sip_out *out, const struct sip_msg *resp)
{
	const struct sip_hdr	*h, *via;
	size_t			 i;

	if (resp->msg_kind != SIP_RESPONSE ||
	    (via = sip_hdr_first(resp, SIP_HDR_VIA)) == NULL)
		return (-1);
	sip_out_printf(out, "SIP/2.0 %u ", resp->msg_status);
	sip_out_str(out, &resp->msg_reason);
	out_cstr(out, "\r\n");
	for (i = 0; i < resp->msg_nhdrs; i++) {
		h = &resp->msg_hdrs[i];
		if (h == via)
			out_hdr_rest(out, h);
		else if (h->hdr_id != SIP_HDR_CONTENT_LENGTH)
			sip_out_hdr(out, h);
	}
	sip_out_printf(out, "Content-Length: %zu\r\n\r\n", resp->msg_body.len);
	sip_out_str(out, &resp->msg_body);
	return (out->overflow ? -1 : 0);
}

/*
 * The ACK of a failure (RFC 3261 17.1.1.3) or the CANCEL (9.1) of an
 * INVITE we sent: its Request-URI, its top Via alone (ours), its Route
 * set, From, Call-ID and CSeq number; To from the response for an ACK,
 * else the INVITE's.
 */
int
sip_print_sibling(struct sip_out *out, const struct sip_msg *inv,
    const char *method, const struct sip_msg *resp)
{
	const struct sip_hdr	*h, *to, *from, *callid;
	struct sip_cseq		 cs;
	struct sip_str		 via;
	const char		*p, *end;

	if (inv->msg_kind != SIP_REQUEST ||
	    (h = sip_hdr_first(inv, SIP_HDR_CSEQ)) == NULL ||
	    sip_cseq_parse(h->hdr_value.s, SIP_STR_END(&h->hdr_value),
	    &cs) == -1 || (h = sip_hdr_first(inv, SIP_HDR_VIA)) == NULL ||
	    (from = sip_hdr_first(inv, SIP_HDR_FROM)) == NULL ||
	    (callid = sip_hdr_first(inv, SIP_HDR_CALL_ID)) == NULL ||
	    (to = sip_hdr_first(resp != NULL ? resp : inv, SIP_HDR_TO)) ==
	    NULL)
		return (-1);
	p = h->hdr_value.s;
	end = SIP_STR_END(&h->hdr_value);
	if (sip_list_next(&p, end, &via) != 1)
		return (-1);
	out_cstr(out, method);
	out_cstr(out, " ");
	sip_out_str(out, &inv->msg_ruri);
	out_cstr(out, " SIP/2.0\r\n");
	out_line(out, "Via", 3, via.s, SIP_STR_END(&via));
	for (h = sip_hdr_first(inv, SIP_HDR_ROUTE); h != NULL;
	    h = sip_hdr_next(inv, h))
		out_named(out, SIP_HDR_ROUTE, &h->hdr_value);
	out_cstr(out, "Max-Forwards: 70\r\n");
	out_named(out, SIP_HDR_FROM, &from->hdr_value);
	out_named(out, SIP_HDR_TO, &to->hdr_value);
	out_named(out, SIP_HDR_CALL_ID, &callid->hdr_value);
	sip_out_printf(out, "CSeq: %u %s\r\nContent-Length: 0\r\n\r\n",
	    cs.cseq_num, method);
	return (out->overflow ? -1 : 0);
}

/*
 * "Date: ...\r\n" in RFC 1123 form for a request that has no Date, else
 * an empty string: a message keeps the time it was sent (RFC 3428 4),
 * also when it waits in a queue.
 */
void
sip_date_line(const struct sip_msg *msg, time_t when, char *buf,
    size_t size)
{
	struct tm	tm;

	buf[0] = '\0';
	if (sip_hdr_first(msg, SIP_HDR_DATE) != NULL ||
	    gmtime_r(&when, &tm) == NULL)
		return;
	if (strftime(buf, size, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n",
	    &tm) == 0)
		buf[0] = '\0';
}
