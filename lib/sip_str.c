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
 * The bottom of the SIP layer: counted strings, character classes and
 * the names of methods and header fields.  Everything else in lib/sip_*.c
 * builds on this file, which uses none of them.
 */

#include <stdint.h>
#include <string.h>

#include "sip.h"

static const char *const sip_methods[] = {
	[SIP_METHOD_ACK] = "ACK",
	[SIP_METHOD_BYE] = "BYE",
	[SIP_METHOD_CANCEL] = "CANCEL",
	[SIP_METHOD_INFO] = "INFO",
	[SIP_METHOD_INVITE] = "INVITE",
	[SIP_METHOD_MESSAGE] = "MESSAGE",
	[SIP_METHOD_NOTIFY] = "NOTIFY",
	[SIP_METHOD_OPTIONS] = "OPTIONS",
	[SIP_METHOD_PRACK] = "PRACK",
	[SIP_METHOD_PUBLISH] = "PUBLISH",
	[SIP_METHOD_REFER] = "REFER",
	[SIP_METHOD_REGISTER] = "REGISTER",
	[SIP_METHOD_SUBSCRIBE] = "SUBSCRIBE",
	[SIP_METHOD_UPDATE] = "UPDATE",
};

/* Indexed by id and, because the enum is in that order, sorted. */
static const char *const sip_hdr_names[SIP_HDR_MAX] = {
	[SIP_HDR_ACCEPT] = "Accept",
	[SIP_HDR_ACCEPT_CONTACT] = "Accept-Contact",
	[SIP_HDR_ALLOW] = "Allow",
	[SIP_HDR_ALLOW_EVENTS] = "Allow-Events",
	[SIP_HDR_AUTHENTICATION_INFO] = "Authentication-Info",
	[SIP_HDR_AUTHORIZATION] = "Authorization",
	[SIP_HDR_CALL_ID] = "Call-ID",
	[SIP_HDR_CONTACT] = "Contact",
	[SIP_HDR_CONTENT_DISPOSITION] = "Content-Disposition",
	[SIP_HDR_CONTENT_ENCODING] = "Content-Encoding",
	[SIP_HDR_CONTENT_LENGTH] = "Content-Length",
	[SIP_HDR_CONTENT_TYPE] = "Content-Type",
	[SIP_HDR_CSEQ] = "CSeq",
	[SIP_HDR_DATE] = "Date",
	[SIP_HDR_EVENT] = "Event",
	[SIP_HDR_EXPIRES] = "Expires",
	[SIP_HDR_FROM] = "From",
	[SIP_HDR_IDENTITY] = "Identity",
	[SIP_HDR_IDENTITY_INFO] = "Identity-Info",
	[SIP_HDR_MAX_FORWARDS] = "Max-Forwards",
	[SIP_HDR_MIN_EXPIRES] = "Min-Expires",
	[SIP_HDR_PATH] = "Path",
	[SIP_HDR_PROXY_AUTHENTICATE] = "Proxy-Authenticate",
	[SIP_HDR_PROXY_AUTHORIZATION] = "Proxy-Authorization",
	[SIP_HDR_PROXY_REQUIRE] = "Proxy-Require",
	[SIP_HDR_RECORD_ROUTE] = "Record-Route",
	[SIP_HDR_REFER_TO] = "Refer-To",
	[SIP_HDR_REFERRED_BY] = "Referred-By",
	[SIP_HDR_REJECT_CONTACT] = "Reject-Contact",
	[SIP_HDR_REQUEST_DISPOSITION] = "Request-Disposition",
	[SIP_HDR_REQUIRE] = "Require",
	[SIP_HDR_RETRY_AFTER] = "Retry-After",
	[SIP_HDR_ROUTE] = "Route",
	[SIP_HDR_SERVER] = "Server",
	[SIP_HDR_SESSION_EXPIRES] = "Session-Expires",
	[SIP_HDR_SIP_ETAG] = "SIP-ETag",
	[SIP_HDR_SIP_IF_MATCH] = "SIP-If-Match",
	[SIP_HDR_SUBJECT] = "Subject",
	[SIP_HDR_SUBSCRIPTION_STATE] = "Subscription-State",
	[SIP_HDR_SUPPORTED] = "Supported",
	[SIP_HDR_TIMESTAMP] = "Timestamp",
	[SIP_HDR_TO] = "To",
	[SIP_HDR_UNSUPPORTED] = "Unsupported",
	[SIP_HDR_USER_AGENT] = "User-Agent",
	[SIP_HDR_VIA] = "Via",
	[SIP_HDR_WARNING] = "Warning",
	[SIP_HDR_WWW_AUTHENTICATE] = "WWW-Authenticate",
};

/* Compact forms (RFC 3261 7.3.3 and the extensions that add them). */
static const enum sip_hdr_id sip_hdr_compact[26] = {
	['a' - 'a'] = SIP_HDR_ACCEPT_CONTACT,
	['b' - 'a'] = SIP_HDR_REFERRED_BY,
	['c' - 'a'] = SIP_HDR_CONTENT_TYPE,
	['d' - 'a'] = SIP_HDR_REQUEST_DISPOSITION,
	['e' - 'a'] = SIP_HDR_CONTENT_ENCODING,
	['f' - 'a'] = SIP_HDR_FROM,
	['i' - 'a'] = SIP_HDR_CALL_ID,
	['j' - 'a'] = SIP_HDR_REJECT_CONTACT,
	['k' - 'a'] = SIP_HDR_SUPPORTED,
	['l' - 'a'] = SIP_HDR_CONTENT_LENGTH,
	['m' - 'a'] = SIP_HDR_CONTACT,
	['n' - 'a'] = SIP_HDR_IDENTITY_INFO,
	['o' - 'a'] = SIP_HDR_EVENT,
	['r' - 'a'] = SIP_HDR_REFER_TO,
	['s' - 'a'] = SIP_HDR_SUBJECT,
	['t' - 'a'] = SIP_HDR_TO,
	['u' - 'a'] = SIP_HDR_ALLOW_EVENTS,
	['v' - 'a'] = SIP_HDR_VIA,
	['x' - 'a'] = SIP_HDR_SESSION_EXPIRES,
	['y' - 'a'] = SIP_HDR_IDENTITY,
};

/* ASCII only: the locale must not change what a header name means. */
static int
lower(int c)
{
	return ((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
}

int
sip_is_digit(int c)
{
	return (c >= '0' && c <= '9');
}

int
sip_str_eq(const struct sip_str *a, const struct sip_str *b)
{
	return (a->len == b->len &&
	    (a->len == 0 || memcmp(a->s, b->s, a->len) == 0));
}

int
sip_str_eq_ci(const struct sip_str *a, const struct sip_str *b)
{
	size_t	i;

	if (a->len != b->len)
		return (0);
	for (i = 0; i < a->len; i++)
		if (lower((unsigned char)a->s[i]) !=
		    lower((unsigned char)b->s[i]))
			return (0);
	return (1);
}

int
sip_str_is_ci(const struct sip_str *a, const char *lit)
{
	struct sip_str	b;

	b.s = lit;
	b.len = strlen(lit);
	return (sip_str_eq_ci(a, &b));
}

/* Digits only, no sign, no white space, at most max. */
int
sip_str_num(const struct sip_str *a, uint64_t max, uint64_t *out)
{
	uint64_t	v = 0, d;
	size_t		i;

	if (a->len == 0)
		return (-1);
	for (i = 0; i < a->len; i++) {
		if (!sip_is_digit((unsigned char)a->s[i]))
			return (-1);
		d = a->s[i] - '0';
		if (d > max || v > (max - d) / 10)
			return (-1);
		v = v * 10 + d;
	}
	*out = v;
	return (0);
}

void
sip_str_trim(struct sip_str *a)
{
	while (a->len > 0 && sip_is_lws((unsigned char)a->s[0])) {
		a->s++;
		a->len--;
	}
	while (a->len > 0 && sip_is_lws((unsigned char)a->s[a->len - 1]))
		a->len--;
}

/*
 * Copies the inside of a quoted string without its backslashes, as a C
 * string.  A NUL (escaped as "\" NUL) cannot be represented: refused.
 */
int
sip_str_unquote(const struct sip_str *a, char *buf, size_t size)
{
	size_t	i, n = 0;

	for (i = 0; i < a->len; i++) {
		if (a->s[i] == '\\' && ++i == a->len)
			return (-1);
		if (a->s[i] == '\0' || n + 1 >= size)
			return (-1);
		buf[n++] = a->s[i];
	}
	if (size == 0)
		return (-1);
	buf[n] = '\0';
	return (0);
}

static int
hexval(int c)
{
	if (sip_is_digit(c))
		return (c - '0');
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

/* Decodes %HH escapes; the result may hold NULs, hence *lenp. */
int
sip_str_unescape(const struct sip_str *a, char *buf, size_t size,
    size_t *lenp)
{
	size_t	i, n = 0;
	int	hi, lo;

	for (i = 0; i < a->len; i++) {
		if (n + 1 >= size)
			return (-1);
		if (a->s[i] != '%') {
			buf[n++] = a->s[i];
			continue;
		}
		if (i + 2 >= a->len ||
		    (hi = hexval((unsigned char)a->s[i + 1])) == -1 ||
		    (lo = hexval((unsigned char)a->s[i + 2])) == -1)
			return (-1);
		buf[n++] = hi * 16 + lo;
		i += 2;
	}
	if (size == 0)
		return (-1);
	buf[n] = '\0';
	*lenp = n;
	return (0);
}

/* Inside a split header value CR and LF only remain as folds. */
int
sip_is_lws(int c)
{
	return (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

int
sip_is_token_char(int c)
{
	/* token (RFC 3261 25.1), by table: the parser asks of every byte */
	static const unsigned char	token[256] = {
		['a' ... 'z'] = 1, ['A' ... 'Z'] = 1, ['0' ... '9'] = 1,
		['-'] = 1, ['.'] = 1, ['!'] = 1, ['%'] = 1, ['*'] = 1,
		['_'] = 1, ['+'] = 1, ['`'] = 1, ['\''] = 1, ['~'] = 1,
	};

	return (c >= 0 && c < 256 && token[c]);
}

int
sip_is_token(const struct sip_str *a)
{
	size_t	i;

	if (a->len == 0)
		return (0);
	for (i = 0; i < a->len; i++)
		if (!sip_is_token_char((unsigned char)a->s[i]))
			return (0);
	return (1);
}

/* Methods are case-sensitive (RFC 3261 7.1). */
enum sip_method
sip_method_lookup(const struct sip_str *a)
{
	size_t	i;

	for (i = 1; i < sizeof(sip_methods) / sizeof(sip_methods[0]); i++)
		if (strlen(sip_methods[i]) == a->len &&
		    memcmp(sip_methods[i], a->s, a->len) == 0)
			return (i);
	return (SIP_METHOD_UNKNOWN);
}

const char *
sip_method_name(enum sip_method m)
{
	if (m <= SIP_METHOD_UNKNOWN || m > SIP_METHOD_UPDATE)
		return (NULL);
	return (sip_methods[m]);
}

static int
name_cmp(const struct sip_str *a, const char *b)
{
	size_t	i;
	int	d;

	for (i = 0; i < a->len && b[i] != '\0'; i++)
		if ((d = lower((unsigned char)a->s[i]) - lower(b[i])) != 0)
			return (d);
	if (i < a->len)
		return (1);
	return (b[i] == '\0' ? 0 : -1);
}

enum sip_hdr_id
sip_hdr_lookup(const struct sip_str *name)
{
	size_t	lo = 1, hi = SIP_HDR_MAX, mid;
	int	c, d;

	if (name->len == 1) {
		c = lower((unsigned char)name->s[0]);
		return ((c >= 'a' && c <= 'z') ? sip_hdr_compact[c - 'a'] :
		    SIP_HDR_OTHER);
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((d = name_cmp(name, sip_hdr_names[mid])) == 0)
			return (mid);
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (SIP_HDR_OTHER);
}

const char *
sip_hdr_name(enum sip_hdr_id id)
{
	if (id <= SIP_HDR_OTHER || id >= SIP_HDR_MAX)
		return (NULL);
	return (sip_hdr_names[id]);
}
