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
 * Header values, parsed on demand from the (pointer, end) of one value
 * or one element of a comma list, and the header slots of a parsed
 * message.  Inside a value the header split has left CR and LF only as
 * parts of folds, so they count as white space.
 */

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sip.h"

static const char *
skip_lws(const char *p, const char *end)
{
	while (p < end && sip_is_lws((unsigned char)*p))
		p++;
	return (p);
}

static const char *
skip_token(const char *p, const char *end)
{
	while (p < end && sip_is_token_char((unsigned char)*p))
		p++;
	return (p);
}

static const char *
skip_digits(const char *p, const char *end)
{
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return (p);
}

static void
str_set(struct sip_str *s, const char *p, const char *end)
{
	s->s = p;
	s->len = end - p;
}

/*
 * p is at a DQUOTE.  qdtext is LWS, %x21, %x23-5B, %x5D-7E or UTF-8;
 * quoted-pair is "\" and any octet up to %x7F but CR and LF.
 */
static int
sip_quoted_scan(const char *p, const char *end, const char **after)
{
	/* qdtext, by table: credentials are mostly quoted strings */
	static const unsigned char	qdtext[256] = {
		['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [0x20 ... 0x21] = 1,
		[0x23 ... 0x5b] = 1, [0x5d ... 0x7e] = 1, [0x80 ... 0xff] = 1,
	};
	unsigned char			c;

	for (p++; p < end; p++) {
		c = *p;
		if (qdtext[c])
			continue;
		if (c == '"') {
			*after = p + 1;
			return (0);
		}
		if (c == '\\') {
			if (++p == end)
				return (-1);
			c = *p;
			if (c > 0x7f || c == '\r' || c == '\n')
				return (-1);
		} else if ((c < 0x20 && !sip_is_lws(c)) || c == 0x7f)
			return (-1);
	}
	return (-1);
}

/*
 * Takes the next element of a comma list, minding quoted strings and
 * <URIs>.  Returns 1 with the element, 0 at the end, -1 on an empty
 * element or an unbalanced quote or bracket.  The bytes between those
 * three are skipped by table, the inside of brackets by memchr(3): every
 * Via, Contact and list header is read this way.
 */
int
sip_list_next(const char **pp, const char *end, struct sip_str *elem)
{
	static const unsigned char	 special[256] = {
		['"'] = 1, [','] = 1, ['<'] = 1,
	};
	const char			*p, *start;

	start = p = skip_lws(*pp, end);
	if (p == end)
		return (0);
	for (;;) {
		while (p < end && !special[(unsigned char)*p])
			p++;
		if (p == end || *p == ',')
			break;
		if (*p == '"') {
			if (sip_quoted_scan(p, end, &p) == -1)
				return (-1);
		} else if ((p = memchr(p + 1, '>', end - p - 1)) == NULL)
			return (-1);	/* an unbalanced '<' */
		else
			p++;
	}
	str_set(elem, start, p);
	sip_str_trim(elem);
	if (elem->len == 0)
		return (-1);
	if (p < end && (p = skip_lws(p + 1, end)) == end)
		return (-1);
	*pp = p;
	return (1);
}

static void
iter_slot(struct sip_iter *it, const struct sip_hdr *h)
{
	if (h == NULL) {
		it->it_slot = it->it_msg->msg_nhdrs;
		return;
	}
	it->it_slot = h - it->it_msg->msg_hdrs;
	it->it_p = h->hdr_value.s;
	it->it_end = SIP_STR_END(&h->hdr_value);
}

void
sip_iter_init(struct sip_iter *it, const struct sip_msg *msg,
    enum sip_hdr_id id)
{
	memset(it, 0, sizeof(*it));
	it->it_msg = msg;
	iter_slot(it, sip_hdr_first(msg, id));
}

/* The elements of every header of one id, in order: 1, 0 or -1. */
int
sip_iter_next(struct sip_iter *it, struct sip_str *elem)
{
	const struct sip_msg	*msg = it->it_msg;
	int			 r;

	while (it->it_slot < msg->msg_nhdrs) {
		if ((r = sip_list_next(&it->it_p, it->it_end, elem)) != 0)
			return (r);
		iter_slot(it, sip_hdr_next(msg, &msg->msg_hdrs[it->it_slot]));
	}
	return (0);
}

/* gen-value = token / host / quoted-string */
static const char *
gen_value(const char *p, const char *end)
{
	const char	*q;

	if (p < end && *p == '"')
		return (sip_quoted_scan(p, end, &q) == -1 ? NULL : q);
	if (p < end && *p == '[') {
		q = memchr(p, ']', end - p);
		return (q == NULL ? NULL : q + 1);
	}
	/* ':' for the bare IPv6 address of received (RFC 3261 20.42). */
	for (q = p; q < end && (sip_is_token_char((unsigned char)*q) ||
	    *q == ':'); q++)
		;
	return (q == p ? NULL : q);
}

/*
 * Reads SEMI generic-param at *pp, with the white space the grammar
 * allows around ';' and '='.  Returns 1 with a parameter, 0 at the end,
 * -1 on anything else.  A quoted value keeps its quotes.
 */
static int
sip_param_next(const char **pp, const char *end, struct sip_str *name,
    struct sip_str *value)
{
	const char	*p, *q;

	if ((p = skip_lws(*pp, end)) == end)
		return (0);
	if (*p != ';')
		return (-1);
	p = skip_lws(p + 1, end);
	if ((q = skip_token(p, end)) == p)
		return (-1);
	str_set(name, p, q);
	str_set(value, q, q);
	p = skip_lws(q, end);
	if (p < end && *p == '=') {
		p = skip_lws(p + 1, end);
		if ((q = gen_value(p, end)) == NULL)
			return (-1);
		str_set(value, p, q);
	}
	*pp = q;
	return (1);
}

/* Is the named parameter in the list?  Its value goes to value. */
int
sip_param_find(const struct sip_str *params, const char *name,
    struct sip_str *value)
{
	const char	*p = params->s;
	struct sip_str	 n, v;

	while (sip_param_next(&p, SIP_STR_END(params), &n, &v) == 1)
		if (sip_str_is_ci(&n, name)) {
			*value = v;
			return (1);
		}
	return (0);
}

static int
num_parse(const char *p, const char *end, uint64_t max, uint64_t *v)
{
	struct sip_str	s;

	str_set(&s, p, end);
	sip_str_trim(&s);
	return (sip_str_num(&s, max, v));
}

/* sent-protocol = protocol-name SLASH protocol-version SLASH transport */
static const char *
via_proto(const char *p, const char *end, struct sip_via *via)
{
	struct sip_str	*part[3];
	const char	*q;
	int		 i;

	part[0] = &via->via_proto;
	part[1] = &via->via_version;
	part[2] = &via->via_transport;
	for (i = 0; i < 3; i++) {
		if (i > 0) {
			p = skip_lws(p, end);
			if (p == end || *p != '/')
				return (NULL);
			p = skip_lws(p + 1, end);
		}
		if ((q = skip_token(p, end)) == p)
			return (NULL);
		str_set(part[i], p, q);
		p = q;
	}
	return (p);
}

static int
via_param(struct sip_via *via, const struct sip_str *n,
    const struct sip_str *v)
{
	struct sip_str	*field;
	uint64_t	 ttl;

	if (sip_str_is_ci(n, "rport")) {
		via->via_has_rport = 1;
		if (v->len > 0)
			return (sip_port_parse(v->s, SIP_STR_END(v),
			    &via->via_rport));
		via->via_rport_name = *n;
		return (0);
	}
	if (sip_str_is_ci(n, "branch"))
		field = &via->via_branch;
	else if (sip_str_is_ci(n, "received"))
		field = &via->via_received;
	else if (sip_str_is_ci(n, "maddr"))
		field = &via->via_maddr;
	else if (sip_str_is_ci(n, "ttl")) {
		if (sip_str_num(v, 255, &ttl) == -1)
			return (-1);
		field = &via->via_ttl;
	} else
		return (0);
	/* These need a value, and none of them is a quoted string. */
	if (v->len == 0 || v->s[0] == '"')
		return (-1);
	*field = *v;
	return (0);
}

/* One via-parm: sent-protocol LWS sent-by *( SEMI via-params ) */
int
sip_via_parse(const char *p, const char *end, struct sip_via *via)
{
	struct sip_str	 n, v;
	const char	*q;
	int		 r;

	memset(via, 0, sizeof(*via));
	if ((p = via_proto(p, end, via)) == NULL || p == end ||
	    !sip_is_lws((unsigned char)*p))
		return (-1);
	p = skip_lws(p, end);
	if ((p = sip_host_scan(p, end, &via->via_host,
	    &via->via_host_type)) == NULL)
		return (-1);
	q = skip_lws(p, end);
	if (q < end && *q == ':') {
		q = skip_lws(q + 1, end);
		p = skip_digits(q, end);
		if (sip_port_parse(q, p, &via->via_port) == -1)
			return (-1);
	}
	str_set(&via->via_params, skip_lws(p, end), end);
	while ((r = sip_param_next(&p, end, &n, &v)) == 1)
		if (via_param(via, &n, &v) == -1)
			return (-1);
	return (r);
}

/* <URI>, with no white space inside the brackets (RFC 4475 3.1.2.14). */
static int
addr_angle(struct sip_addr *addr, const char **pp, const char *end)
{
	const char	*p = *pp + 1, *q;

	if ((q = memchr(p, '>', end - p)) == NULL)
		return (-1);
	str_set(&addr->addr_uri_str, p, q);
	*pp = q + 1;
	return (sip_uri_parse(p, q, &addr->addr_uri));
}

/*
 * An addr-spec outside brackets ends at the first ';' (RFC 3261 20):
 * a URI with ';', '?' or ',' must be enclosed, so '?' is an error.
 */
static int
addr_spec(struct sip_addr *addr, const char **pp, const char *end)
{
	const char	*p = *pp, *q;

	for (q = p; q < end && !sip_is_lws((unsigned char)*q) &&
	    *q != ';' && *q != ','; q++)
		if (*q == '?')
			return (-1);
	str_set(&addr->addr_uri_str, p, q);
	*pp = q;
	return (sip_uri_parse(p, q, &addr->addr_uri));
}

/*
 * name-addr or addr-spec.  A display name is a quoted string or tokens
 * separated by LWS; none is needed before '<' (RFC 4475 3.1.1.6).
 */
static int
addr_name(struct sip_addr *addr, const char **pp, const char *end)
{
	const char	*p = *pp, *q, *r, *t;

	if (p < end && *p == '"') {
		if (sip_quoted_scan(p, end, &q) == -1)
			return (-1);
		str_set(&addr->addr_display, p + 1, q - 1);
		addr->addr_display_quoted = 1;
		*pp = skip_lws(q, end);
		if (*pp == end || **pp != '<')
			return (-1);
		return (addr_angle(addr, pp, end));
	}
	for (q = p; (t = skip_token(q, end)) != q; q = r) {
		r = skip_lws(t, end);
		if (r < end && *r == '<') {
			str_set(&addr->addr_display, p, t);
			*pp = r;
			return (addr_angle(addr, pp, end));
		}
		if (r == t)
			break;
	}
	if (p < end && *p == '<')
		return (addr_angle(addr, pp, end));
	return (addr_spec(addr, pp, end));
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
static int
qvalue(const struct sip_str *v, int *q)
{
	size_t	i;
	int	 n, scale = 100;

	if (v->len == 0 || (v->s[0] != '0' && v->s[0] != '1') ||
	    v->len > 5 || (v->len > 1 && v->s[1] != '.'))
		return (-1);
	n = (v->s[0] - '0') * 1000;
	for (i = 2; i < v->len; i++, scale /= 10) {
		if (v->s[i] < '0' || v->s[i] > '9')
			return (-1);
		n += (v->s[i] - '0') * scale;
	}
	if (n > 1000)
		return (-1);
	*q = n;
	return (0);
}

static int
addr_param(struct sip_addr *addr, const struct sip_str *n,
    const struct sip_str *v)
{
	uint64_t	e;

	if (sip_str_is_ci(n, "tag")) {
		if (!sip_is_token(v))
			return (-1);
		addr->addr_tag = *v;
	} else if (sip_str_is_ci(n, "expires")) {
		if (sip_str_num(v, UINT32_MAX, &e) == -1)
			return (-1);
		addr->addr_expires = e;
	} else if (sip_str_is_ci(n, "q"))
		return (qvalue(v, &addr->addr_q));
	return (0);
}

/* From, To, Route, Record-Route, or one Contact that is not "*". */
int
sip_addr_parse(const char *p, const char *end, struct sip_addr *addr)
{
	struct sip_str	 n, v;
	int		 r;

	memset(addr, 0, sizeof(*addr));
	addr->addr_expires = -1;
	addr->addr_q = -1;
	p = skip_lws(p, end);
	if (addr_name(addr, &p, end) == -1)
		return (-1);
	str_set(&addr->addr_params, skip_lws(p, end), end);
	while ((r = sip_param_next(&p, end, &n, &v)) == 1)
		if (addr_param(addr, &n, &v) == -1)
			return (-1);
	return (r);
}

int
sip_contact_parse(const char *p, const char *end, struct sip_addr *addr)
{
	struct sip_str	s;

	str_set(&s, p, end);
	sip_str_trim(&s);
	if (s.len == 1 && s.s[0] == '*') {
		memset(addr, 0, sizeof(*addr));
		addr->addr_star = 1;
		addr->addr_expires = -1;
		addr->addr_q = -1;
		return (0);
	}
	return (sip_addr_parse(p, end, addr));
}

/* CSeq = 1*DIGIT LWS Method; 32 bits (RFC 3261 8.1.1.5). */
int
sip_cseq_parse(const char *p, const char *end, struct sip_cseq *cs)
{
	struct sip_str	 s;
	const char	*q;
	uint64_t	 v;

	memset(cs, 0, sizeof(*cs));
	p = skip_lws(p, end);
	q = skip_digits(p, end);
	str_set(&s, p, q);
	if (sip_str_num(&s, UINT32_MAX, &v) == -1 || q == end ||
	    !sip_is_lws((unsigned char)*q))
		return (-1);
	cs->cseq_num = v;
	p = skip_lws(q, end);
	q = skip_token(p, end);
	str_set(&cs->cseq_method_str, p, q);
	cs->cseq_method = sip_method_lookup(&cs->cseq_method_str);
	return (q > p && skip_lws(q, end) == end ? 0 : -1);
}

static int
is_word_char(int c)
{
	return (sip_is_token_char(c) ||
	    (c != '\0' && strchr("()<>:\\\"/[]?{}", c) != NULL));
}

static int
is_word(const char *p, const char *end)
{
	if (p == end)
		return (0);
	for (; p < end; p++)
		if (!is_word_char((unsigned char)*p))
			return (0);
	return (1);
}

/* callid = word [ "@" word ] */
int
sip_callid_parse(const char *p, const char *end, struct sip_str *id)
{
	const char	*at;

	str_set(id, p, end);
	sip_str_trim(id);
	p = id->s;
	end = SIP_STR_END(id);
	if ((at = memchr(p, '@', id->len)) == NULL)
		return (is_word(p, end) ? 0 : -1);
	return (is_word(p, at) && is_word(at + 1, end) ? 0 : -1);
}

int
sip_clen_parse(const char *p, const char *end, size_t *len)
{
	uint64_t	v;

	if (num_parse(p, end, UINT32_MAX, &v) == -1)
		return (-1);
	*len = v;
	return (0);
}

int
sip_maxfwd_parse(const char *p, const char *end, unsigned int *mf)
{
	uint64_t	v;

	if (num_parse(p, end, 255, &v) == -1)
		return (-1);
	*mf = v;
	return (0);
}

int
sip_expires_parse(const char *p, const char *end, uint32_t *secs)
{
	uint64_t	v;

	if (num_parse(p, end, UINT32_MAX, &v) == -1)
		return (-1);
	*secs = v;
	return (0);
}

/*
 * media-type = m-type SLASH m-subtype *( SEMI m-parameter ); also an
 * Accept media-range, since "*" is a token character.
 */
int
sip_ctype_parse(const char *p, const char *end, struct sip_ctype *ct)
{
	struct sip_str	 n, v;
	const char	*q;
	int		 r;

	memset(ct, 0, sizeof(*ct));
	p = skip_lws(p, end);
	if ((q = skip_token(p, end)) == p)
		return (-1);
	str_set(&ct->ct_type, p, q);
	p = skip_lws(q, end);
	if (p == end || *p != '/')
		return (-1);
	p = skip_lws(p + 1, end);
	if ((q = skip_token(p, end)) == p)
		return (-1);
	str_set(&ct->ct_subtype, p, q);
	str_set(&ct->ct_params, skip_lws(q, end), end);
	while ((r = sip_param_next(&q, end, &n, &v)) == 1)
		if (v.len == 0)
			return (-1);
	return (r);
}

/* Event = event-type *( SEMI event-param ) */
int
sip_event_parse(const char *p, const char *end, struct sip_event *ev)
{
	struct sip_str	 n, v;
	const char	*q;
	int		 r;

	memset(ev, 0, sizeof(*ev));
	p = skip_lws(p, end);
	if ((q = skip_token(p, end)) == p)
		return (-1);
	str_set(&ev->ev_package, p, q);
	str_set(&ev->ev_params, skip_lws(q, end), end);
	while ((r = sip_param_next(&q, end, &n, &v)) == 1)
		if (sip_str_is_ci(&n, "id"))
			ev->ev_id = v;
	return (r);
}

/* Each name with its length: matched by length first, then by bytes. */
#define AUTH_FIELD(name, field)						\
	{ name, sizeof(name) - 1, offsetof(struct sip_auth, field) }
static const struct {
	const char	*name;
	size_t		 len;
	size_t		 off;
} auth_fields[] = {
	AUTH_FIELD("algorithm", au_algorithm),
	AUTH_FIELD("cnonce", au_cnonce),
	AUTH_FIELD("domain", au_domain),
	AUTH_FIELD("nc", au_nc),
	AUTH_FIELD("nonce", au_nonce),
	AUTH_FIELD("opaque", au_opaque),
	AUTH_FIELD("qop", au_qop),
	AUTH_FIELD("realm", au_realm),
	AUTH_FIELD("response", au_response),
	AUTH_FIELD("stale", au_stale),
	AUTH_FIELD("uri", au_uri),
	AUTH_FIELD("username", au_username),
	AUTH_FIELD("userhash", au_userhash),
};
#undef AUTH_FIELD

/* A known parameter into its field; the same one twice is refused. */
static int
auth_field(struct sip_auth *au, const struct sip_str *n,
    const struct sip_str *v)
{
	struct sip_str	*field;
	size_t		 i;

	for (i = 0; i < sizeof(auth_fields) / sizeof(auth_fields[0]); i++) {
		if (n->len != auth_fields[i].len ||
		    strncasecmp(n->s, auth_fields[i].name, n->len) != 0)
			continue;
		field = (struct sip_str *)((char *)au + auth_fields[i].off);
		if (field->s != NULL)
			return (-1);	/* the same parameter twice */
		*field = *v;
		break;		/* the names differ */
	}
	return (0);
}

/*
 * auth-param = auth-param-name EQUAL ( token / quoted-string ) at p;
 * returns the end of it, or NULL.
 */
static const char *
auth_param(struct sip_auth *au, const char *p, const char *end)
{
	struct sip_str	 n, v;
	const char	*q;

	if ((q = skip_token(p, end)) == p)
		return (NULL);
	str_set(&n, p, q);
	p = skip_lws(q, end);
	if (p == end || *p != '=')
		return (NULL);
	p = skip_lws(p + 1, end);
	if (p < end && *p == '"') {
		if (sip_quoted_scan(p, end, &q) == -1)
			return (NULL);
		str_set(&v, p + 1, q - 1);
	} else if ((q = skip_token(p, end)) == p)
		return (NULL);
	else
		str_set(&v, p, q);
	return (auth_field(au, &n, &v) == -1 ? NULL : q);
}

/*
 * Credentials or a challenge of any scheme whose parameters are
 * auth-params; the caller checks the scheme is Digest.  The comma list
 * and its parameters are read in one pass: splitting the list first
 * read every quoted string twice.
 */
int
sip_auth_parse(const char *p, const char *end, struct sip_auth *au)
{
	const char	*q;

	memset(au, 0, sizeof(*au));
	p = skip_lws(p, end);
	if ((q = skip_token(p, end)) == p)
		return (-1);
	str_set(&au->au_scheme, p, q);
	if (q < end && !sip_is_lws((unsigned char)*q))
		return (-1);
	for (p = skip_lws(q, end); p < end; p = skip_lws(p + 1, end)) {
		if ((p = auth_param(au, p, end)) == NULL)
			return (-1);
		if ((p = skip_lws(p, end)) == end)
			return (0);
		if (*p != ',' || skip_lws(p + 1, end) == end)
			return (-1);	/* no comma, or nothing after it */
	}
	return (0);
}

static int
date_word(const char *p, const char *list)
{
	int	i;

	for (i = 0; list[i * 3] != '\0'; i++)
		if (memcmp(p, list + i * 3, 3) == 0)
			return (i);
	return (-1);
}

static int
date_num(const char *p, int n)
{
	int	v = 0;

	while (n-- > 0)
		v = v * 10 + (*p++ - '0');
	return (v);
}

/*
 * rfc1123-date = wkday "," SP date1 SP time SP "GMT" (RFC 3261 20.17),
 * checked against a layout: 'a' a letter, 'd' a digit, others as is.
 */
int
sip_date_parse(const char *p, const char *end, time_t *t)
{
	static const char	 layout[] = "aaa, dd aaa dddd dd:dd:dd GMT";
	struct sip_str		 s;
	struct tm		 tm;
	size_t			 i;

	str_set(&s, p, end);
	sip_str_trim(&s);
	if (s.len != sizeof(layout) - 1)
		return (-1);
	for (i = 0, p = s.s; i < s.len; i++) {
		if (layout[i] == 'd' ? (p[i] < '0' || p[i] > '9') :
		    layout[i] == 'a' ? !sip_is_token_char((unsigned char)p[i]) :
		    p[i] != layout[i])
			return (-1);
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_mday = date_num(p + 5, 2);
	tm.tm_mon = date_word(p + 8, "JanFebMarAprMayJunJulAugSepOctNovDec");
	tm.tm_year = date_num(p + 12, 4) - 1900;
	tm.tm_hour = date_num(p + 17, 2);
	tm.tm_min = date_num(p + 20, 2);
	tm.tm_sec = date_num(p + 23, 2);
	if (date_word(p, "SunMonTueWedThuFriSat") == -1 || tm.tm_mon == -1 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return (-1);
	*t = timegm(&tm);
	return (0);
}

/* Validation: each header checked by the parser of its value. */

enum hdr_shape {
	HDR_ONE,	/* a single value; a second one must be equal */
	HDR_LIST,	/* a comma list of one or more values */
	HDR_LIST0	/* a comma list, maybe empty */
};

/*
 * Indexed by header id.  When several headers are bad, the reason told
 * is that of the lowest hc_rank (and of its kind, the first header in
 * the message): Via first, the headers every request has next.
 */
#define CHECK(id, rank, shape, bad, dup)				\
	[id] = { id, rank, shape, bad, dup }
static const struct hdr_check {
	enum sip_hdr_id	 hc_id;
	unsigned int	 hc_rank;	/* 0: not checked */
	enum hdr_shape	 hc_shape;
	const char	*hc_bad;
	const char	*hc_dup;
} hdr_checks[SIP_HDR_MAX] = {
	CHECK(SIP_HDR_VIA, 1, HDR_LIST, "bad Via", NULL),
	CHECK(SIP_HDR_FROM, 2, HDR_ONE, "bad From", "conflicting From"),
	CHECK(SIP_HDR_TO, 3, HDR_ONE, "bad To", "conflicting To"),
	CHECK(SIP_HDR_CALL_ID, 4, HDR_ONE, "bad Call-ID",
	    "conflicting Call-ID"),
	CHECK(SIP_HDR_CSEQ, 5, HDR_ONE, "bad CSeq", "conflicting CSeq"),
	CHECK(SIP_HDR_MAX_FORWARDS, 6, HDR_ONE, "bad Max-Forwards",
	    "conflicting Max-Forwards"),
	CHECK(SIP_HDR_CONTACT, 7, HDR_LIST, "bad Contact", NULL),
	CHECK(SIP_HDR_CONTENT_TYPE, 8, HDR_ONE, "bad Content-Type",
	    "conflicting Content-Type"),
	CHECK(SIP_HDR_EXPIRES, 9, HDR_ONE, "bad Expires",
	    "conflicting Expires"),
	CHECK(SIP_HDR_DATE, 10, HDR_ONE, "bad Date", "conflicting Date"),
	CHECK(SIP_HDR_EVENT, 11, HDR_ONE, "bad Event", "conflicting Event"),
	CHECK(SIP_HDR_ROUTE, 12, HDR_LIST, "bad Route", NULL),
	CHECK(SIP_HDR_RECORD_ROUTE, 13, HDR_LIST, "bad Record-Route", NULL),
	CHECK(SIP_HDR_ACCEPT, 14, HDR_LIST0, "bad Accept", NULL),
	CHECK(SIP_HDR_ALLOW, 15, HDR_LIST0, "bad Allow", NULL),
	CHECK(SIP_HDR_SUPPORTED, 16, HDR_LIST0, "bad Supported", NULL),
	CHECK(SIP_HDR_REQUIRE, 17, HDR_LIST0, "bad Require", NULL),
	CHECK(SIP_HDR_PROXY_REQUIRE, 18, HDR_LIST0, "bad Proxy-Require",
	    NULL),
};
#undef CHECK

/* The top Via, kept for later readers of msg. */
static int
keep_via(struct sip_msg *msg, const char *p, const char *end)
{
	if (sip_via_parse(p, end, &msg->msg_via) == -1)
		return (-1);
	msg->msg_known |= SIP_KNOWN_VIA;
	return (0);
}

/* The From or To, kept for later readers of msg. */
static int
keep_addr(struct sip_msg *msg, enum sip_hdr_id id, const char *p,
    const char *end)
{
	struct sip_addr	*a = id == SIP_HDR_FROM ? &msg->msg_from :
			    &msg->msg_to;

	if (sip_addr_parse(p, end, a) == -1)
		return (-1);
	msg->msg_known |= id == SIP_HDR_FROM ? SIP_KNOWN_FROM : SIP_KNOWN_TO;
	return (0);
}

/* The CSeq, kept for later readers of msg. */
static int
keep_cseq(struct sip_msg *msg, const char *p, const char *end)
{
	if (sip_cseq_parse(p, end, &msg->msg_cseq) == -1)
		return (-1);
	msg->msg_known |= SIP_KNOWN_CSEQ;
	return (0);
}

/*
 * One value, or one element of a list, of a header in hdr_checks;
 * first when it is the first value of its kind in msg.
 */
static int
value_ok(struct sip_msg *msg, enum sip_hdr_id id, const char *p,
    const char *end, int first)
{
	union {
		struct sip_via		via;
		struct sip_addr		addr;
		struct sip_cseq		cseq;
		struct sip_ctype	ctype;
		struct sip_event	event;
		struct sip_str		str;
		unsigned int		mf;
		uint32_t		secs;
		time_t			t;
	} u;

	switch (id) {
	case SIP_HDR_VIA:
		if (first)
			return (keep_via(msg, p, end));
		return (sip_via_parse(p, end, &u.via));
	case SIP_HDR_CONTACT:
		return (sip_contact_parse(p, end, &u.addr));
	case SIP_HDR_CALL_ID:
		return (sip_callid_parse(p, end, &u.str));
	case SIP_HDR_CSEQ:
		if (first)
			return (keep_cseq(msg, p, end));
		return (sip_cseq_parse(p, end, &u.cseq));
	case SIP_HDR_MAX_FORWARDS:
		return (sip_maxfwd_parse(p, end, &u.mf));
	case SIP_HDR_CONTENT_TYPE:
	case SIP_HDR_ACCEPT:
		return (sip_ctype_parse(p, end, &u.ctype));
	case SIP_HDR_EXPIRES:
		return (sip_expires_parse(p, end, &u.secs));
	case SIP_HDR_DATE:
		return (sip_date_parse(p, end, &u.t));
	case SIP_HDR_EVENT:
		return (sip_event_parse(p, end, &u.event));
	case SIP_HDR_FROM:
	case SIP_HDR_TO:
		if (first)
			return (keep_addr(msg, id, p, end));
		return (sip_addr_parse(p, end, &u.addr));
	case SIP_HDR_ROUTE:
	case SIP_HDR_RECORD_ROUTE:
		return (sip_addr_parse(p, end, &u.addr));
	default:
		u.str.s = p;
		u.str.len = end - p;
		return (sip_is_token(&u.str) ? 0 : -1);
	}
}

/* Contact "*" stands alone (RFC 3261 10.2.2). */
static int
is_star(const struct sip_str *elem)
{
	return (elem->len == 1 && elem->s[0] == '*');
}

static int
list_ok(struct sip_msg *msg, const struct hdr_check *hc,
    const struct sip_str *v, int first)
{
	struct sip_str	 elem;
	const char	*p = v->s;
	size_t		 n = 0, stars = 0;
	int		 r;

	while ((r = sip_list_next(&p, SIP_STR_END(v), &elem)) == 1) {
		if (value_ok(msg, hc->hc_id, elem.s, SIP_STR_END(&elem),
		    first && n == 0) == -1)
			return (-1);
		stars += hc->hc_id == SIP_HDR_CONTACT && is_star(&elem);
		n++;
	}
	if (r == -1 || (n == 0 && hc->hc_shape == HDR_LIST))
		return (-1);
	return (stars == 0 || n == 1 ? 0 : -1);
}

static int
check_ok(struct sip_msg *msg, const struct hdr_check *hc,
    const struct sip_str *v, int first)
{
	if (hc->hc_shape == HDR_ONE)
		return (value_ok(msg, hc->hc_id, v->s, SIP_STR_END(v), first));
	return (list_ok(msg, hc, v, first));
}

static const struct {
	enum sip_hdr_id	 id;
	const char	*reason;
} hdr_required[] = {
	{ SIP_HDR_VIA, "missing Via" },
	{ SIP_HDR_FROM, "missing From" },
	{ SIP_HDR_TO, "missing To" },
	{ SIP_HDR_CALL_ID, "missing Call-ID" },
	{ SIP_HDR_CSEQ, "missing CSeq" },
};

static int
vfail(const struct sip_msg *msg, struct sip_err *err, unsigned int status,
    const char *reason)
{
	err->err_status = status;
	err->err_reason = reason;
	err->err_respond = sip_can_respond(msg);
	return (-1);
}

/*
 * Each header once, in the order of the message: looking each kind up
 * in turn walked the header slots once per kind.  A header of a kind
 * ranked after the worst bad one found so far need not be read.
 */
static int
check_headers(struct sip_msg *msg, struct sip_err *err)
{
	const struct hdr_check	*hc;
	const struct sip_hdr	*h, *first;
	const char		*reason = NULL;
	unsigned int		 rank = UINT_MAX;
	size_t			 i;

	for (i = 0; i < sizeof(hdr_required) / sizeof(hdr_required[0]); i++)
		if (sip_hdr_first(msg, hdr_required[i].id) == NULL)
			return (vfail(msg, err, 400, hdr_required[i].reason));
	for (i = 0; i < msg->msg_nhdrs; i++) {
		h = &msg->msg_hdrs[i];
		hc = &hdr_checks[h->hdr_id];
		if (hc->hc_rank == 0 || hc->hc_rank >= rank)
			continue;
		first = sip_hdr_first(msg, h->hdr_id);
		if (hc->hc_shape == HDR_ONE && h != first &&
		    !sip_str_eq(&h->hdr_value, &first->hdr_value))
			reason = hc->hc_dup;
		else if (check_ok(msg, hc, &h->hdr_value, h == first) == -1)
			reason = hc->hc_bad;
		else
			continue;
		rank = hc->hc_rank;
	}
	return (reason == NULL ? 0 : vfail(msg, err, 400, reason));
}

/*
 * Schemes other than sip, sips and tel get 416 (RFC 3261 8.2.2.1); a
 * Request-URI may not carry headers (RFC 3261 19.1.5).
 */
static int
check_ruri(const struct sip_msg *msg, struct sip_err *err)
{
	struct sip_uri	uri;

	if (sip_uri_parse(msg->msg_ruri.s, SIP_STR_END(&msg->msg_ruri),
	    &uri) == -1)
		return (vfail(msg, err, 400, "bad Request-URI"));
	if (uri.uri_scheme == SIP_SCHEME_OTHER)
		return (vfail(msg, err, 416, "unsupported URI scheme"));
	if (uri.uri_headers.s != NULL)
		return (vfail(msg, err, 400, "headers in Request-URI"));
	return (0);
}

/*
 * The checks a parsed request must pass before anything acts on it.
 * Max-Forwards may be missing: RFC 2543 peers do not send it.
 */
int
sip_validate_request(struct sip_msg *msg, struct sip_err *err)
{
	struct sip_cseq		 cs;

	memset(err, 0, sizeof(*err));
	if (msg->msg_kind != SIP_REQUEST)
		return (vfail(msg, err, 400, "not a request"));
	if (check_headers(msg, err) == -1)
		return (-1);
	if (sip_first_cseq(msg, &cs) == -1 ||
	    !sip_str_eq(&cs.cseq_method_str, &msg->msg_method_str))
		return (vfail(msg, err, 400, "CSeq method mismatch"));
	return (check_ruri(msg, err));
}

int
sip_validate_response(struct sip_msg *msg, struct sip_err *err)
{
	memset(err, 0, sizeof(*err));
	if (msg->msg_kind != SIP_RESPONSE)
		return (vfail(msg, err, 400, "not a response"));
	return (check_headers(msg, err));
}

/* The first Via value, which may share its header line with others. */
int
sip_top_via(const struct sip_msg *msg, struct sip_via *via)
{
	const struct sip_hdr	*h;
	struct sip_str		 elem;
	const char		*p;

	if (msg->msg_known & SIP_KNOWN_VIA) {
		*via = msg->msg_via;
		return (0);
	}
	if ((h = sip_hdr_first(msg, SIP_HDR_VIA)) == NULL)
		return (-1);
	p = h->hdr_value.s;
	if (sip_list_next(&p, SIP_STR_END(&h->hdr_value), &elem) != 1)
		return (-1);
	return (sip_via_parse(elem.s, SIP_STR_END(&elem), via));
}

/* The first header of id, an address; -1 when it is absent or bad. */
int
sip_first_addr(const struct sip_msg *msg, enum sip_hdr_id id,
    struct sip_addr *addr)
{
	const struct sip_hdr	*h;

	if (id == SIP_HDR_FROM && (msg->msg_known & SIP_KNOWN_FROM)) {
		*addr = msg->msg_from;
		return (0);
	}
	if (id == SIP_HDR_TO && (msg->msg_known & SIP_KNOWN_TO)) {
		*addr = msg->msg_to;
		return (0);
	}
	if ((h = sip_hdr_first(msg, id)) == NULL)
		return (-1);
	return (sip_addr_parse(h->hdr_value.s, SIP_STR_END(&h->hdr_value),
	    addr));
}

/* The first CSeq; -1 when it is absent or bad. */
int
sip_first_cseq(const struct sip_msg *msg, struct sip_cseq *cs)
{
	const struct sip_hdr	*h;

	if (msg->msg_known & SIP_KNOWN_CSEQ) {
		*cs = msg->msg_cseq;
		return (0);
	}
	if ((h = sip_hdr_first(msg, SIP_HDR_CSEQ)) == NULL)
		return (-1);
	return (sip_cseq_parse(h->hdr_value.s, SIP_STR_END(&h->hdr_value),
	    cs));
}

const struct sip_hdr *
sip_hdr_first(const struct sip_msg *msg, enum sip_hdr_id id)
{
	if (id <= SIP_HDR_OTHER || id >= SIP_HDR_MAX ||
	    msg->msg_first[id] == 0)
		return (NULL);
	return (&msg->msg_hdrs[msg->msg_first[id] - 1]);
}

const struct sip_hdr *
sip_hdr_next(const struct sip_msg *msg, const struct sip_hdr *h)
{
	const struct sip_hdr	*end = msg->msg_hdrs + msg->msg_nhdrs;
	enum sip_hdr_id		 id = h->hdr_id;

	while (++h < end)
		if (h->hdr_id == id)
			return (h);
	return (NULL);
}

size_t
sip_hdr_count(const struct sip_msg *msg, enum sip_hdr_id id)
{
	const struct sip_hdr	*h;
	size_t			 n = 0;

	for (h = sip_hdr_first(msg, id); h != NULL; h = sip_hdr_next(msg, h))
		n++;
	return (n);
}

/*
 * A client matches a response to its transaction by the top Via and
 * the CSeq (RFC 3261 17.1.3); without them an answer reaches nobody.
 */
int
sip_can_respond(const struct sip_msg *msg)
{
	return (msg->msg_kind == SIP_REQUEST &&
	    sip_hdr_first(msg, SIP_HDR_VIA) != NULL &&
	    sip_hdr_first(msg, SIP_HDR_CSEQ) != NULL);
}
