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
 * URIs (RFC 3261 19.1, 25.1): SIP and SIPS in full, any other scheme
 * (tel:, and the unknown ones RFC 4475 3.3.4 sends) as an opaque part.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "sip.h"

/* The characters allowed, besides unreserved ones and escapes. */
#define URI_USER	"&=+$,;?/"
#define URI_PASSWORD	"&=+$,"
#define URI_PARAM	"[]/:&+$"
#define URI_HEADER	"[]/?:+$"
#define URI_URIC	";/?:@&=+$,"

static int
is_alpha(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

static int
is_alnum(int c)
{
	return (is_alpha(c) || sip_is_digit(c));
}

static int
is_hex(int c)
{
	return (sip_is_digit(c) || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F'));
}

/*
 * Letters, digits and '-', the bytes of a domain label, by table:
 * every URI and Via has a host.
 */
static const unsigned char label_chars[256] = {
	['a' ... 'z'] = 1, ['A' ... 'Z'] = 1, ['0' ... '9'] = 1, ['-'] = 1,
};

static int
in_set(int c, const char *set)
{
	return (c != '\0' && strchr(set, c) != NULL);
}

/* 1*( unreserved / escaped / extra ), or 0* when empty is allowed. */
static int
uri_chars(const char *p, const char *end, const char *extra, int empty)
{
	if (p == end)
		return (empty ? 0 : -1);
	for (; p < end; p++) {
		if (*p == '%') {
			if (end - p < 3 || !is_hex((unsigned char)p[1]) ||
			    !is_hex((unsigned char)p[2]))
				return (-1);
			p += 2;
		} else if (!is_alnum((unsigned char)*p) &&
		    !in_set((unsigned char)*p, "-_.!~*'()") &&
		    !in_set((unsigned char)*p, extra))
			return (-1);
	}
	return (0);
}

static int
is_ipv4(const char *p, const char *end)
{
	int	 octets = 0, digits, v;

	for (;;) {
		for (digits = 0, v = 0;
		    p < end && sip_is_digit((unsigned char)*p); p++)
			if (++digits <= 3)
				v = v * 10 + (*p - '0');
		if (digits == 0 || digits > 3 || v > 255)
			return (0);
		if (++octets == 4)
			return (p == end);
		if (p == end || *p++ != '.')
			return (0);
	}
}

/* hostname = *( domainlabel "." ) toplabel [ "." ] */
static int
is_hostname(const char *p, const char *end)
{
	const char	*label;

	if (p < end && end[-1] == '.')
		end--;
	for (;;) {
		label = p;
		while (p < end && label_chars[(unsigned char)*p])
			p++;
		if (p == label || label[0] == '-' || p[-1] == '-')
			return (0);
		if (p == end)
			return (is_alpha((unsigned char)label[0]));
		if (*p++ != '.')
			return (0);
	}
}

static int
is_ipv6(const char *p, const char *end)
{
	char		 buf[INET6_ADDRSTRLEN];
	struct in6_addr	 a;
	size_t		 len = end - p;

	if (len == 0 || len >= sizeof(buf))
		return (0);
	memcpy(buf, p, len);
	buf[len] = '\0';
	return (inet_pton(AF_INET6, buf, &a) == 1);
}

/*
 * Reads the longest host at p: a hostname, an IPv4 address or a
 * bracketed IPv6 reference.  Returns the end of it, or NULL.
 */
const char *
sip_host_scan(const char *p, const char *end, struct sip_str *host,
    enum sip_host_type *type)
{
	const char	*q;

	if (p < end && *p == '[') {
		if ((q = memchr(p, ']', end - p)) == NULL ||
		    !is_ipv6(p + 1, q))
			return (NULL);
		*type = SIP_HOST_IPV6;
		q++;
	} else {
		for (q = p; q < end && (label_chars[(unsigned char)*q] ||
		    *q == '.'); q++)
			;
		if (is_ipv4(p, q))
			*type = SIP_HOST_IPV4;
		else if (is_hostname(p, q))
			*type = SIP_HOST_NAME;
		else
			return (NULL);
	}
	host->s = p;
	host->len = q - p;
	return (q);
}

int
sip_port_parse(const char *p, const char *end, uint16_t *port)
{
	struct sip_str	 s;
	uint64_t	 v;

	s.s = p;
	s.len = end - p;
	if (s.len > 5 || sip_str_num(&s, 65535, &v) == -1 || v == 0)
		return (-1);
	*port = v;
	return (0);
}

static int
uri_userinfo(struct sip_uri *uri, const char *p, const char *at)
{
	const char	*colon;

	if ((colon = memchr(p, ':', at - p)) == NULL)
		colon = at;
	uri->uri_user.s = p;
	uri->uri_user.len = colon - p;
	if (uri_chars(p, colon, URI_USER, 0) == -1)
		return (-1);
	if (colon == at)
		return (0);
	uri->uri_password.s = colon + 1;
	uri->uri_password.len = at - colon - 1;
	return (uri_chars(colon + 1, at, URI_PASSWORD, 1));
}

static void
uri_known_param(struct sip_uri *uri, const struct sip_str *name,
    const struct sip_str *value)
{
	if (sip_str_is_ci(name, "transport"))
		uri->uri_transport = *value;
	else if (sip_str_is_ci(name, "user"))
		uri->uri_user_param = *value;
	else if (sip_str_is_ci(name, "maddr"))
		uri->uri_maddr = *value;
	else if (sip_str_is_ci(name, "method"))
		uri->uri_method = *value;
	else if (sip_str_is_ci(name, "lr"))
		uri->uri_lr = 1;
}

/* uri-parameters = *( ";" pname [ "=" pvalue ] ), p at the first ';' */
static int
uri_params(struct sip_uri *uri, const char *p, const char *end)
{
	struct sip_str	 name, value;
	const char	*q, *eq;

	uri->uri_params.s = p;
	uri->uri_params.len = end - p;
	while (p < end) {
		p++;
		if ((q = memchr(p, ';', end - p)) == NULL)
			q = end;
		if ((eq = memchr(p, '=', q - p)) == NULL)
			eq = q;
		if (uri_chars(p, eq, URI_PARAM, 0) == -1 ||
		    (eq < q && uri_chars(eq + 1, q, URI_PARAM, 0) == -1))
			return (-1);
		name.s = p;
		name.len = eq - p;
		value.s = eq < q ? eq + 1 : q;
		value.len = q - value.s;
		uri_known_param(uri, &name, &value);
		p = q;
	}
	return (0);
}

/* headers = "?" header *( "&" header ), header = hname "=" hvalue */
static int
uri_headers(struct sip_uri *uri, const char *p, const char *end)
{
	const char	*q, *eq;

	uri->uri_headers.s = p;
	uri->uri_headers.len = end - p;
	for (;;) {
		if ((q = memchr(p, '&', end - p)) == NULL)
			q = end;
		if ((eq = memchr(p, '=', q - p)) == NULL ||
		    uri_chars(p, eq, URI_HEADER, 0) == -1 ||
		    uri_chars(eq + 1, q, URI_HEADER, 1) == -1)
			return (-1);
		if (q == end)
			return (0);
		p = q + 1;
	}
}

/*
 * The user part may hold ';' and '?' but never an unescaped '@', nor
 * may anything after it: the first '@' ends the userinfo.
 */
static int
uri_sip(struct sip_uri *uri, const char *p, const char *end)
{
	const char	*at, *q;

	if ((at = memchr(p, '@', end - p)) != NULL) {
		if (uri_userinfo(uri, p, at) == -1)
			return (-1);
		p = at + 1;
	}
	if ((p = sip_host_scan(p, end, &uri->uri_host,
	    &uri->uri_host_type)) == NULL)
		return (-1);
	if (p < end && *p == ':') {
		for (q = ++p; q < end && sip_is_digit((unsigned char)*q); q++)
			;
		if (sip_port_parse(p, q, &uri->uri_port) == -1)
			return (-1);
		p = q;
	}
	if (p < end && *p == ';') {
		if ((q = memchr(p, '?', end - p)) == NULL)
			q = end;
		if (uri_params(uri, p, q) == -1)
			return (-1);
		p = q;
	}
	if (p < end && *p == '?') {
		if (uri_headers(uri, p + 1, end) == -1)
			return (-1);
		p = end;
	}
	return (p == end ? 0 : -1);
}

/* A tel: URI is kept opaque, but its number and parameters are split. */
static int
uri_opaque(struct sip_uri *uri, const char *p, const char *end)
{
	const char	*semi;

	if (uri_chars(p, end, URI_URIC, 0) == -1)
		return (-1);
	uri->uri_opaque.s = p;
	uri->uri_opaque.len = end - p;
	if (uri->uri_scheme != SIP_SCHEME_TEL)
		return (0);
	if ((semi = memchr(p, ';', end - p)) == NULL)
		semi = end;
	uri->uri_user.s = p;
	uri->uri_user.len = semi - p;
	uri->uri_params.s = semi;
	uri->uri_params.len = end - semi;
	return (uri->uri_user.len > 0 ? 0 : -1);
}

int
sip_uri_parse(const char *p, const char *end, struct sip_uri *uri)
{
	const char	*q;

	memset(uri, 0, sizeof(*uri));
	if (p == end || !is_alpha((unsigned char)*p))
		return (-1);
	for (q = p + 1; q < end && (is_alnum((unsigned char)*q) ||
	    in_set((unsigned char)*q, "+-.")); q++)
		;
	if (q == end || *q != ':')
		return (-1);
	uri->uri_scheme_str.s = p;
	uri->uri_scheme_str.len = q - p;
	if (sip_str_is_ci(&uri->uri_scheme_str, "sip"))
		uri->uri_scheme = SIP_SCHEME_SIP;
	else if (sip_str_is_ci(&uri->uri_scheme_str, "sips"))
		uri->uri_scheme = SIP_SCHEME_SIPS;
	else if (sip_str_is_ci(&uri->uri_scheme_str, "tel"))
		uri->uri_scheme = SIP_SCHEME_TEL;
	if (uri->uri_scheme == SIP_SCHEME_SIP ||
	    uri->uri_scheme == SIP_SCHEME_SIPS)
		return (uri_sip(uri, q + 1, end));
	return (uri_opaque(uri, q + 1, end));
}
