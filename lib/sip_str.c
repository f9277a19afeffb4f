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

/*
 * Each name with its length, so that a lookup compares lengths before
 * bytes.
 */
struct sip_name {
	const char	*name;
	size_t		 len;
};
#define NAME(id, name)	[id] = { name, sizeof(name) - 1 }

static const struct sip_name sip_methods[] = {
	NAME(SIP_METHOD_ACK, "ACK"),
	NAME(SIP_METHOD_BYE, "BYE"),
	NAME(SIP_METHOD_CANCEL, "CANCEL"),
	NAME(SIP_METHOD_INFO, "INFO"),
	NAME(SIP_METHOD_INVITE, "INVITE"),
	NAME(SIP_METHOD_MESSAGE, "MESSAGE"),
	NAME(SIP_METHOD_NOTIFY, "NOTIFY"),
	NAME(SIP_METHOD_OPTIONS, "OPTIONS"),
	NAME(SIP_METHOD_PRACK, "PRACK"),
	NAME(SIP_METHOD_PUBLISH, "PUBLISH"),
	NAME(SIP_METHOD_REFER, "REFER"),
	NAME(SIP_METHOD_REGISTER, "REGISTER"),
	NAME(SIP_METHOD_SUBSCRIBE, "SUBSCRIBE"),
	NAME(SIP_METHOD_UPDATE, "UPDATE"),
};

/* Indexed by id and, because the enum is in that order, sorted. */
static const struct sip_name sip_hdr_names[SIP_HDR_MAX] = {
	NAME(SIP_HDR_ACCEPT, "Accept"),
	NAME(SIP_HDR_ACCEPT_CONTACT, "Accept-Contact"),
	NAME(SIP_HDR_ALLOW, "Allow"),
	NAME(SIP_HDR_ALLOW_EVENTS, "Allow-Events"),
	NAME(SIP_HDR_AUTHENTICATION_INFO, "Authentication-Info"),
	NAME(SIP_HDR_AUTHORIZATION, "Authorization"),
	NAME(SIP_HDR_CALL_ID, "Call-ID"),
	NAME(SIP_HDR_CONTACT, "Contact"),
	NAME(SIP_HDR_CONTENT_DISPOSITION, "Content-Disposition"),
	NAME(SIP_HDR_CONTENT_ENCODING, "Content-Encoding"),
	NAME(SIP_HDR_CONTENT_LENGTH, "Content-Length"),
	NAME(SIP_HDR_CONTENT_TYPE, "Content-Type"),
	NAME(SIP_HDR_CSEQ, "CSeq"),
	NAME(SIP_HDR_DATE, "Date"),
	NAME(SIP_HDR_EVENT, "Event"),
	NAME(SIP_HDR_EXPIRES, "Expires"),
	NAME(SIP_HDR_FROM, "From"),
	NAME(SIP_HDR_IDENTITY, "Identity"),
	NAME(SIP_HDR_IDENTITY_INFO, "Identity-Info"),
	NAME(SIP_HDR_MAX_FORWARDS, "Max-Forwards"),
	NAME(SIP_HDR_MIN_EXPIRES, "Min-Expires"),
	NAME(SIP_HDR_PATH, "Path"),
	NAME(SIP_HDR_PROXY_AUTHENTICATE, "Proxy-Authenticate"),
	NAME(SIP_HDR_PROXY_AUTHORIZATION, "Proxy-Authorization"),
	NAME(SIP_HDR_PROXY_REQUIRE, "Proxy-Require"),
	NAME(SIP_HDR_RECORD_ROUTE, "Record-Route"),
	NAME(SIP_HDR_REFER_TO, "Refer-To"),
	NAME(SIP_HDR_REFERRED_BY, "Referred-By"),
	NAME(SIP_HDR_REJECT_CONTACT, "Reject-Contact"),
	NAME(SIP_HDR_REQUEST_DISPOSITION, "Request-Disposition"),
	NAME(SIP_HDR_REQUIRE, "Require"),
	NAME(SIP_HDR_RETRY_AFTER, "Retry-After"),
	NAME(SIP_HDR_ROUTE, "Route"),
	NAME(SIP_HDR_SERVER, "Server"),
	NAME(SIP_HDR_SESSION_EXPIRES, "Session-Expires"),
	NAME(SIP_HDR_SIP_ETAG, "SIP-ETag"),
	NAME(SIP_HDR_SIP_IF_MATCH, "SIP-If-Match"),
	NAME(SIP_HDR_SUBJECT, "Subject"),
	NAME(SIP_HDR_SUBSCRIPTION_STATE, "Subscription-State"),
	NAME(SIP_HDR_SUPPORTED, "Supported"),
	NAME(SIP_HDR_TIMESTAMP, "Timestamp"),
	NAME(SIP_HDR_TO, "To"),
	NAME(SIP_HDR_UNSUPPORTED, "Unsupported"),
	NAME(SIP_HDR_USER_AGENT, "User-Agent"),
	NAME(SIP_HDR_VIA, "Via"),
	NAME(SIP_HDR_WARNING, "Warning"),
	NAME(SIP_HDR_WWW_AUTHENTICATE, "WWW-Authenticate"),
};
#undef NAME

/*
 * The first id of the names that start with each letter: a lookup
 * reads only the few names that share the first letter of the one it
 * is given.  The names are sorted, so the rest follow that one.
 */
static const enum sip_hdr_id sip_hdr_by_letter[26] = {
	['a' - 'a'] = SIP_HDR_ACCEPT,
	['c' - 'a'] = SIP_HDR_CALL_ID,
	['d' - 'a'] = SIP_HDR_DATE,
	['e' - 'a'] = SIP_HDR_EVENT,
	['f' - 'a'] = SIP_HDR_FROM,
	['i' - 'a'] = SIP_HDR_IDENTITY,
	['m' - 'a'] = SIP_HDR_MAX_FORWARDS,
	['p' - 'a'] = SIP_HDR_PATH,
	['r' - 'a'] = SIP_HDR_RECORD_ROUTE,
	['s' - 'a'] = SIP_HDR_SERVER,
	['t' - 'a'] = SIP_HDR_TIMESTAMP,
	['u' - 'a'] = SIP_HDR_UNSUPPORTED,
	['v' - 'a'] = SIP_HDR_VIA,
	['w' - 'a'] = SIP_HDR_WARNING,
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

/* Without strlen(3): most strings asked about differ early. */
int
sip_str_is_ci(const struct sip_str *a, const char *lit)
{
	size_t	i;

	for (i = 0; i < a->len; i++)
		if (lit[i] == '\0' || lower((unsigned char)a->s[i]) !=
		    lower((unsigned char)lit[i]))
			return (0);
	return (lit[i] == '\0');
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
 * A C string of a, cut to fit and at a NUL, as snprintf(3) with "%.*s"
 * would make it, without its cost.
 */
void
sip_str_copy(const struct sip_str *a, char *buf, size_t size)
{
	size_t	n;

	if (size == 0)
		return;
	n = a->len < size - 1 ? a->len : size - 1;
	if (n > 0)
		n = strnlen(a->s, n);
	memcpy(buf, a->s, n);
	buf[n] = '\0';
}

/*
 * Copies the inside of a quoted string without its backslashes, as a C
 * string.  A NUL (escaped as "\" NUL) cannot be represented: refused.
 * Runs between backslashes are copied whole: credentials have few.
 */
int
sip_str_unquote(const struct sip_str *a, char *buf, size_t size)
{
	const char	*p = a->s, *end, *q;
	size_t		 n = 0, run;

	if (size == 0)
		return (-1);
	if (a->len == 0) {	/* a->s may be NULL: no pointer arithmetic */
		buf[0] = '\0';
		return (0);
	}
	for (end = p + a->len; p < end;) {
		if ((q = memchr(p, '\\', end - p)) == NULL)
			q = end;
		run = q - p;
		if (memchr(p, '\0', run) != NULL || run >= size - n)
			return (-1);
		memcpy(buf + n, p, run);
		n += run;
		if (q == end)
			break;
		/* the escaped byte: not a NUL, and room for it and the NUL */
		if (++q == end || *q == '\0' || n + 1 >= size)
			return (-1);
		buf[n++] = *q;
		p = q + 1;
	}
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

/* token (RFC 3261 25.1), by table for sip_is_token_char() in sip.h */
const unsigned char sip_token_chars[256] = {
	['a' ... 'z'] = 1, ['A' ... 'Z'] = 1, ['0' ... '9'] = 1,
	['-'] = 1, ['.'] = 1, ['!'] = 1, ['%'] = 1, ['*'] = 1,
	['_'] = 1, ['+'] = 1, ['`'] = 1, ['\''] = 1, ['~'] = 1,
};

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
		if (sip_methods[i].len == a->len &&
		    memcmp(sip_methods[i].name, a->s, a->len) == 0)
			return (i);
	return (SIP_METHOD_UNKNOWN);
}

const char *
sip_method_name(enum sip_method m)
{
	if (m <= SIP_METHOD_UNKNOWN || m > SIP_METHOD_UPDATE)
		return (NULL);
	return (sip_methods[m].name);
}

/*
 * Is name, of the same length, the known name n?  ASCII case folded;
 * as written here first, which is how nearly every client writes it.
 */
static int
name_is(const struct sip_str *name, const char *n)
{
	size_t	i;

	if (memcmp(name->s, n, name->len) == 0)
		return (1);
	for (i = 0; i < name->len; i++)
		if (lower((unsigned char)name->s[i]) !=
		    lower((unsigned char)n[i]))
			return (0);
	return (1);
}

enum sip_hdr_id
sip_hdr_lookup(const struct sip_str *name)
{
	enum sip_hdr_id	id;
	int		c;

	if (name->len == 0)
		return (SIP_HDR_OTHER);
	c = lower((unsigned char)name->s[0]);
	if (c < 'a' || c > 'z')
		return (SIP_HDR_OTHER);
	if (name->len == 1)
		return (sip_hdr_compact[c - 'a']);
	id = sip_hdr_by_letter[c - 'a'];
	if (id == SIP_HDR_OTHER)
		return (SIP_HDR_OTHER);
	for (; id < SIP_HDR_MAX &&
	    lower((unsigned char)sip_hdr_names[id].name[0]) == c; id++)
		if (sip_hdr_names[id].len == name->len &&
		    name_is(name, sip_hdr_names[id].name))
			return (id);
	return (SIP_HDR_OTHER);
}

const char *
sip_hdr_name(enum sip_hdr_id id)
{
	if (id <= SIP_HDR_OTHER || id >= SIP_HDR_MAX)
		return (NULL);
	return (sip_hdr_names[id].name);
}
