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

/* Unit tests of the SIP message layer, boundary values first. */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip.h"
#include "tap.h"

/* Run a (pointer, end, output) parser on a C string. */
#define PARSE(fn, str, out)	fn((str), (str) + strlen(str), (out))

#define REQ_LINE "OPTIONS sip:bob@b.test SIP/2.0\r\n"
#define REQ_HEAD REQ_LINE REQ_HDRS
#define REQ_HDRS "Via: SIP/2.0/UDP a.test;branch=z9hG4bK1\r\n" \
	"From: <sip:alice@a.test>;tag=f1\r\n" \
	"To: <sip:bob@b.test>\r\n" \
	"Call-ID: c1@a.test\r\n" \
	"CSeq: 1 OPTIONS\r\n" \
	"Max-Forwards: 70\r\n"
#define REQ REQ_HEAD "Content-Length: 0\r\n\r\n"

static struct sip_limits	lim;
static struct sip_msg		msg;
static struct sip_err		e;

static int
parse(const char *s, int flags)
{
	return sip_parse(&msg, s, strlen(s), &lim, flags, &e);
}

static int
is(const struct sip_str *s, const char *lit)
{
	return s->len == strlen(lit) && memcmp(s->s, lit, s->len) == 0;
}

static int
reason(const char *r)
{
	return e.err_reason != NULL && strcmp(e.err_reason, r) == 0;
}

static void
test_str(void)
{
	struct sip_str	 a = SIP_STR_LIT("Via"), b = SIP_STR_LIT("vIA");
	struct sip_str	 t = SIP_STR_LIT(" \t x y\r\n ");
	uint64_t	 v;
	char		 buf[16];
	size_t		 n;

	TAP_OK(!sip_str_eq(&a, &b) && sip_str_eq_ci(&a, &b), "str eq, eq_ci");
	TAP_OK(sip_str_is_ci(&a, "VIA") && !sip_str_is_ci(&a, "Vi"),
	    "str is_ci needs the whole literal");
	TAP_OK(!sip_str_is_ci(&a, "Vias") && !sip_str_is_ci(&a, "Vic"),
	    "str is_ci: a longer literal, another byte");
	sip_str_copy(&a, buf, sizeof(buf));
	TAP_OK(strcmp(buf, "Via") == 0, "str copy");
	sip_str_copy(&a, buf, 3);
	TAP_OK(strcmp(buf, "Vi") == 0, "str copy cut to fit");
	a.s = "a\0b";
	a.len = 3;
	sip_str_copy(&a, buf, sizeof(buf));
	TAP_OK(strcmp(buf, "a") == 0, "str copy stops at a NUL");
	a = SIP_STR_LIT("Via");
	a = SIP_STR_LIT("255");
	TAP_OK(sip_str_num(&a, 255, &v) == 0 && v == 255, "num at bound");
	a = SIP_STR_LIT("256");
	b = SIP_STR_LIT("9");
	TAP_OK(sip_str_num(&a, 255, &v) == -1 && sip_str_num(&b, 5, &v) == -1,
	    "num past bound");
	a = SIP_STR_LIT("18446744073709551615");
	TAP_OK(sip_str_num(&a, UINT64_MAX, &v) == 0 && v == UINT64_MAX,
	    "num 2^64-1");
	a = SIP_STR_LIT("18446744073709551616");
	TAP_OK(sip_str_num(&a, UINT64_MAX, &v) == -1, "num 2^64 overflows");
	a = SIP_STR_LIT("");
	b = SIP_STR_LIT("-1");
	TAP_OK(sip_str_num(&a, 9, &v) == -1 && sip_str_num(&b, 9, &v) == -1,
	    "num empty, signed");
	sip_str_trim(&t);
	TAP_OK(is(&t, "x y"), "trim");
	a = SIP_STR_LIT("a\\\"b\\\\");
	TAP_OK(sip_str_unquote(&a, buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "a\"b\\") == 0, "unquote");
	TAP_OK(sip_str_unquote(&a, buf, 4) == -1, "unquote overflow");
	a = (struct sip_str){ "x\\\0", 3 };
	TAP_OK(sip_str_unquote(&a, buf, sizeof(buf)) == -1, "unquote NUL");
	a = SIP_STR_LIT("%41b%00");
	TAP_OK(sip_str_unescape(&a, buf, sizeof(buf), &n) == 0 && n == 3 &&
	    memcmp(buf, "Ab\0", 3) == 0, "unescape with NUL");
	a = SIP_STR_LIT("%4");
	b = SIP_STR_LIT("%zz");
	TAP_OK(sip_str_unescape(&a, buf, sizeof(buf), &n) == -1 &&
	    sip_str_unescape(&b, buf, sizeof(buf), &n) == -1, "bad escapes");
}

static void
test_names(void)
{
	struct sip_str	 s;
	const char	*name;
	char		 upper[32];
	size_t		 n;
	int		 id, ok = 1;

	for (id = SIP_HDR_OTHER + 1; id < SIP_HDR_MAX; id++) {
		name = sip_hdr_name(id);
		s.s = name;
		s.len = strlen(name);
		if (sip_hdr_lookup(&s) != (enum sip_hdr_id)id)
			ok = 0;
	}
	TAP_OK(ok, "every header name finds its id (the table is sorted)");
	for (id = SIP_HDR_OTHER + 1; id < SIP_HDR_MAX; id++) {
		name = sip_hdr_name(id);
		for (n = 0; name[n] != '\0' && n < sizeof(upper) - 1; n++)
			upper[n] = toupper((unsigned char)name[n]);
		s.s = upper;
		s.len = n;
		if (sip_hdr_lookup(&s) != (enum sip_hdr_id)id)
			ok = 0;
	}
	TAP_OK(ok, "and so does each in upper case");
	s = SIP_STR_LIT("Contacu");
	TAP_OK(sip_hdr_lookup(&s) == SIP_HDR_OTHER, "a name one byte off");
	s = SIP_STR_LIT("Contac");
	TAP_OK(sip_hdr_lookup(&s) == SIP_HDR_OTHER, "a name one byte short");
	s = SIP_STR_LIT("9ia");
	TAP_OK(sip_hdr_lookup(&s) == SIP_HDR_OTHER, "a name not a letter first");
	s = SIP_STR_LIT("cALL-iD");
	TAP_OK(sip_hdr_lookup(&s) == SIP_HDR_CALL_ID, "names ignore case");
	s = SIP_STR_LIT("I");
	TAP_OK(sip_hdr_lookup(&s) == SIP_HDR_CALL_ID, "compact i");
	s = SIP_STR_LIT("g");
	TAP_OK(sip_hdr_lookup(&s) == SIP_HDR_OTHER, "no compact g");
	s = SIP_STR_LIT("X-Via");
	TAP_OK(sip_hdr_lookup(&s) == SIP_HDR_OTHER, "unknown name");
	s = SIP_STR_LIT("");
	TAP_OK(sip_hdr_lookup(&s) == SIP_HDR_OTHER, "empty name");
	s = SIP_STR_LIT("MESSAGE");
	TAP_OK(sip_method_lookup(&s) == SIP_METHOD_MESSAGE, "method");
	s = SIP_STR_LIT("message");
	TAP_OK(sip_method_lookup(&s) == SIP_METHOD_UNKNOWN,
	    "methods are case-sensitive");
}

static void
test_first_line(void)
{
	TAP_OK(parse(REQ, SIP_PARSE_STREAM) == 0 &&
	    msg.msg_kind == SIP_REQUEST &&
	    msg.msg_method == SIP_METHOD_OPTIONS &&
	    is(&msg.msg_ruri, "sip:bob@b.test") && msg.msg_nhdrs == 7 &&
	    msg.msg_body.len == 0 && msg.msg_len == strlen(REQ),
	    "minimal request");
	TAP_OK(parse("", 0) == -1 && !e.err_respond, "empty buffer");
	TAP_OK(parse("\r\n\r\n" REQ, 0) == 0, "leading CRLFs skipped");
	TAP_OK(parse("OPTIONS sip:b SIP/3.0\r\nVia: x\r\nCSeq: 1 OPTIONS\r\n"
	    "\r\n", 0) == -1 && e.err_status == 505 && e.err_respond,
	    "SIP/3.0: 505, answerable");
	TAP_OK(parse("OPTIONS sip:b SIP/2.0x\r\n\r\n", 0) == -1 &&
	    e.err_status == 400 && !e.err_respond, "bad version: 400");
	TAP_OK(parse("OPTIONS sip:b\r\n\r\n", 0) == -1 &&
	    reason("bad request line"), "no version");
	TAP_OK(parse("OPT\"IONS sip:b SIP/2.0\r\n\r\n", 0) == -1 &&
	    reason("bad method"), "method not a token");
	TAP_OK(parse("SIP/2.0 200 OK\r\n\r\n", 0) == 0 &&
	    msg.msg_kind == SIP_RESPONSE && msg.msg_status == 200 &&
	    is(&msg.msg_reason, "OK"), "response");
	TAP_OK(parse("SIP/2.0 180\r\n\r\n", 0) == 0 && msg.msg_status == 180 &&
	    msg.msg_reason.len == 0, "response without reason");
	TAP_OK(parse("SIP/2.0 099 x\r\n\r\n", 0) == -1 &&
	    parse("SIP/2.0 700 x\r\n\r\n", 0) == -1 &&
	    parse("SIP/2.0 2000 x\r\n\r\n", 0) == -1 && !e.err_respond,
	    "status codes 099, 700, 2000");
}

static void
test_split(void)
{
	TAP_OK(parse(REQ_HEAD "Subject: a\r\n\tb\r\n  c\r\n\r\n", 0) == 0 &&
	    is(&sip_hdr_first(&msg, SIP_HDR_SUBJECT)->hdr_value,
	    "a\r\n\tb\r\n  c"), "folded value kept whole");
	TAP_OK(parse("OPTIONS sip:b SIP/2.0\r\nv : SIP/2.0/UDP h\r\n"
	    "i:x\r\nm:<sip:a@b>\r\nl:0\r\nk: foo\r\no: presence\r\n\r\n",
	    0) == 0 && sip_hdr_first(&msg, SIP_HDR_VIA) != NULL &&
	    sip_hdr_first(&msg, SIP_HDR_CALL_ID) != NULL &&
	    sip_hdr_first(&msg, SIP_HDR_CONTACT) != NULL &&
	    sip_hdr_first(&msg, SIP_HDR_SUPPORTED) != NULL &&
	    sip_hdr_first(&msg, SIP_HDR_EVENT) != NULL,
	    "compact forms, space before colon");
	TAP_OK(parse("OPTIONS sip:b SIP/2.0\r\n cont\r\n\r\n", 0) == -1 &&
	    reason("bad header line"), "continuation without a header");
	TAP_OK(parse("OPTIONS sip:b SIP/2.0\r\nVia x\r\n\r\n", 0) == -1,
	    "header without colon");
	TAP_OK(parse("OPTIONS sip:b SIP/2.0\r\nVia: x\nTo: y\r\n\r\n", 0) ==
	    -1 && reason("bare CR or LF"), "bare LF");
	TAP_OK(parse("OPTIONS sip:b SIP/2.0\r\nVia: x\r\n", 0) == -1 &&
	    reason("header not terminated"), "no empty line");
	TAP_OK(parse("OPTIONS sip:b SIP/2.0\r\nX-A: 1\r\nX-A: 2\r\n\r\n", 0) ==
	    0 && msg.msg_nhdrs == 2 && msg.msg_hdrs[1].hdr_id ==
	    SIP_HDR_OTHER, "unknown headers kept");
}

/* A request with n extension headers, or one line of n bytes. */
static const char *
big_request(size_t n, int oneline)
{
	static char	 buf[16384];
	size_t		 i, len;

	len = snprintf(buf, sizeof(buf), "OPTIONS sip:b SIP/2.0\r\n");
	if (oneline) {
		memcpy(buf + len, "X: ", 3);
		memset(buf + len + 3, 'x', n - 3);
		len += n;
		len += snprintf(buf + len, sizeof(buf) - len, "\r\n");
	} else
		for (i = 0; i < n; i++)
			len += snprintf(buf + len, sizeof(buf) - len,
			    "X%zu: %zu\r\n", i, i);
	snprintf(buf + len, sizeof(buf) - len, "\r\n");
	return buf;
}

static void
test_limits(void)
{
	struct sip_limits	save = lim;

	lim.max_headers = 10;
	TAP_OK(parse(big_request(10, 0), 0) == 0, "max_headers headers");
	TAP_OK(parse(big_request(11, 0), 0) == -1 && e.err_status == 513,
	    "one header too many: 513");
	lim = save;
	TAP_OK(parse(big_request(SIP_MAX_HEADERS, 0), 0) == 0 &&
	    parse(big_request(SIP_MAX_HEADERS + 1, 0), 0) == -1,
	    "the slot array bounds max_headers");
	lim.max_line = 100;
	TAP_OK(parse(big_request(100, 1), 0) == 0, "line of max_line");
	TAP_OK(parse(big_request(101, 1), 0) == -1 && e.err_status == 513,
	    "line one byte longer: 513");
	lim = save;
	lim.max_msg = strlen(REQ);
	TAP_OK(parse(REQ, 0) == 0, "message of max_msg");
	lim.max_msg--;
	TAP_OK(parse(REQ, 0) == -1 && e.err_status == 513,
	    "message one byte longer: 513");
	lim = save;
}

static void
test_body(void)
{
	TAP_OK(parse(REQ_HEAD "\r\nabc", 0) == 0 && is(&msg.msg_body, "abc"),
	    "datagram without Content-Length: the rest is the body");
	TAP_OK(parse(REQ_HEAD "\r\nabc", SIP_PARSE_STREAM) == -1 &&
	    reason("missing Content-Length") && e.err_respond,
	    "stream without Content-Length");
	TAP_OK(parse(REQ_HEAD "l: 2\r\n\r\nabc", 0) == 0 &&
	    is(&msg.msg_body, "ab") && msg.msg_len == strlen(REQ_HEAD) + 10,
	    "datagram bytes past Content-Length dropped");
	TAP_OK(parse(REQ_HEAD "l: 4\r\n\r\nabc", 0) == -1 &&
	    reason("Content-Length larger than message") && e.err_respond,
	    "Content-Length larger than message");
	TAP_OK(parse(REQ_HEAD "l: -1\r\n\r\n", 0) == -1 &&
	    reason("bad Content-Length"), "negative Content-Length");
	TAP_OK(parse(REQ_HEAD "l: 1\r\nContent-Length: 1\r\n\r\na", 0) == 0,
	    "equal Content-Lengths");
	TAP_OK(parse(REQ_HEAD "l: 1\r\nContent-Length: 2\r\n\r\nab", 0) ==
	    -1 && reason("conflicting Content-Length"),
	    "conflicting Content-Lengths");
}

/* A held copy needs no second parse: its strings name its own bytes. */
static void
test_copy(void)
{
	static struct sip_msg	 copy;
	char			 a[512], b[512];
	const struct sip_hdr	*h;
	size_t			 len, i, inside = 1;

	len = strlcpy(a, REQ_HEAD "Subject: hi\r\nl: 3\r\n\r\nabc", sizeof(a));
	TAP_OK(sip_parse(&msg, a, len, &lim, 0, &e) == 0, "parsed once");
	memcpy(b, a, len);
	sip_msg_copy(&copy, &msg, b);
	memset(a, 'x', len);
	for (i = 0; i < copy.msg_nhdrs; i++)
		if (copy.msg_hdrs[i].hdr_value.s < b ||
		    copy.msg_hdrs[i].hdr_value.s > b + len)
			inside = 0;
	TAP_OK(copy.msg_buf == b && inside && is(&copy.msg_body, "abc") &&
	    is(&copy.msg_method_str, "OPTIONS") &&
	    copy.msg_method == msg.msg_method &&
	    copy.msg_nhdrs == msg.msg_nhdrs,
	    "the copy's strings are in the new buffer");
	TAP_OK((h = sip_hdr_first(&copy, SIP_HDR_SUBJECT)) != NULL &&
	    is(&h->hdr_value, "hi"), "and found by header id as before");
}

static void
test_frame(void)
{
	const char	*two = REQ_HEAD "l: 3\r\n\r\nabc" REQ;
	size_t		 n = 0, hlen = strlen(REQ_HEAD "l: 3\r\n\r\n");
	size_t		 i;
	int		 more = 1;

	for (i = 0; i < hlen + 3; i++)
		if (sip_frame(two, i, &lim, &n, &e) != SIP_FRAME_MORE)
			more = 0;
	TAP_OK(more, "every prefix needs more");
	TAP_OK(sip_frame(two, strlen(two), &lim, &n, &e) == SIP_FRAME_MSG &&
	    n == hlen + 3, "first of two pipelined messages");
	TAP_OK(sip_frame("\r\n\r\nINV", 7, &lim, &n, &e) == SIP_FRAME_CRLF &&
	    n == 4, "double CRLF ping");
	TAP_OK(sip_frame("\r\nINV", 5, &lim, &n, &e) == SIP_FRAME_CRLF &&
	    n == 2, "stray CRLF");
	TAP_OK(sip_frame("\r\n", 2, &lim, &n, &e) == SIP_FRAME_MORE &&
	    sip_frame("\r\n\r", 3, &lim, &n, &e) == SIP_FRAME_MORE,
	    "partial ping needs more");
	TAP_OK(sip_frame("\rX", 2, &lim, &n, &e) == SIP_FRAME_ERROR,
	    "bare CR");
	TAP_OK(sip_frame(REQ_HEAD "\r\n", strlen(REQ_HEAD) + 2, &lim, &n,
	    &e) == SIP_FRAME_ERROR && reason("missing Content-Length"),
	    "stream needs Content-Length");
	TAP_OK(sip_frame(REQ_HEAD "l: 99999\r\n\r\n", strlen(REQ_HEAD) + 13,
	    &lim, &n, &e) == SIP_FRAME_ERROR && e.err_status == 413,
	    "body past max_msg: 413");
	lim.max_msg = 64;
	TAP_OK(sip_frame(REQ, 64, &lim, &n, &e) == SIP_FRAME_ERROR &&
	    e.err_status == 513, "header past max_msg: 513");
	sip_limits_default(&lim);
}

static void
test_via(void)
{
	struct sip_via	v;

	TAP_OK(PARSE(sip_via_parse, "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK"
	    "1;rport;received=10.0.0.1;ttl=1;maddr=m.test", &v) == 0 &&
	    is(&v.via_transport, "UDP") && is(&v.via_host, "192.0.2.1") &&
	    v.via_host_type == SIP_HOST_IPV4 && v.via_port == 5060 &&
	    is(&v.via_branch, "z9hG4bK1") && v.via_has_rport &&
	    v.via_rport == 0 && is(&v.via_rport_name, "rport") &&
	    is(&v.via_received, "10.0.0.1") && is(&v.via_ttl, "1") &&
	    is(&v.via_maddr, "m.test"), "Via with every parameter");
	TAP_OK(PARSE(sip_via_parse, "SIP /\r\n 2.0/ TCP  h.test : 5 ;\r\n "
	    "branch = x ;rport=5070", &v) == 0 && is(&v.via_version, "2.0") &&
	    v.via_port == 5 && is(&v.via_branch, "x") && v.via_rport == 5070,
	    "Via with LWS everywhere");
	TAP_OK(PARSE(sip_via_parse, "SIP/2.0/TLS [2001:db8::1]:5061", &v) ==
	    0 && v.via_host_type == SIP_HOST_IPV6 &&
	    is(&v.via_host, "[2001:db8::1]"), "Via IPv6");
	TAP_OK(PARSE(sip_via_parse, "SIP/2.0/UDP h;received=2001:db8::9",
	    &v) == 0 && is(&v.via_received, "2001:db8::9"),
	    "received with a bare IPv6 address");
	TAP_OK(PARSE(sip_via_parse, "SIP/2.0/UDP", &v) == -1 &&
	    PARSE(sip_via_parse, "SIP/2.0 h", &v) == -1 &&
	    PARSE(sip_via_parse, "SIP/2.0/UDPh", &v) == -1,
	    "Via without host or transport");
	TAP_OK(PARSE(sip_via_parse, "SIP/2.0/UDP h:0", &v) == -1 &&
	    PARSE(sip_via_parse, "SIP/2.0/UDP h:65536", &v) == -1 &&
	    PARSE(sip_via_parse, "SIP/2.0/UDP h:65535", &v) == 0,
	    "Via ports 0, 65536, 65535");
	TAP_OK(PARSE(sip_via_parse, "SIP/2.0/UDP h;;", &v) == -1 &&
	    PARSE(sip_via_parse, "SIP/2.0/UDP h;branch", &v) == -1 &&
	    PARSE(sip_via_parse, "SIP/2.0/UDP h;branch=\"x\"", &v) == -1 &&
	    PARSE(sip_via_parse, "SIP/2.0/UDP h;ttl=256", &v) == -1 &&
	    PARSE(sip_via_parse, "SIP/2.0/UDP h;rport=0", &v) == -1,
	    "bad Via parameters");
	TAP_OK(PARSE(sip_via_parse, "SIP/2.0/UDP h;x=\"a;b\";y", &v) == 0,
	    "quoted extension parameter");
}

static void
test_uri(void)
{
	struct sip_uri	u;
	struct sip_str	hv;

	TAP_OK(PARSE(sip_uri_parse, "sips:bob:pw@[2001:db8::1]:5061;"
	    "transport=tcp;lr;maddr=m.test;user=phone?subject=hi&x=", &u) ==
	    0 && u.uri_scheme == SIP_SCHEME_SIPS && is(&u.uri_user, "bob") &&
	    is(&u.uri_password, "pw") && u.uri_host_type == SIP_HOST_IPV6 &&
	    u.uri_port == 5061 && is(&u.uri_transport, "tcp") && u.uri_lr &&
	    is(&u.uri_maddr, "m.test") && is(&u.uri_user_param, "phone") &&
	    is(&u.uri_headers, "subject=hi&x="), "SIPS URI, every part");
	TAP_OK(PARSE(sip_uri_parse, "sip:%61lice;x=%40@a.test", &u) == 0 &&
	    is(&u.uri_user, "%61lice;x=%40") && is(&u.uri_host, "a.test"),
	    "escapes and ';' in the user part");
	TAP_OK(PARSE(sip_uri_parse, "SIP:h.test.", &u) == 0 &&
	    u.uri_scheme == SIP_SCHEME_SIP && u.uri_user.s == NULL,
	    "no user, scheme in capitals, trailing dot");
	TAP_OK(PARSE(sip_uri_parse, "sip:a@1.2.3.4", &u) == 0 &&
	    u.uri_host_type == SIP_HOST_IPV4, "IPv4 host");
	TAP_OK(PARSE(sip_uri_parse, "sip:a@1.2.3.256", &u) == -1 &&
	    PARSE(sip_uri_parse, "sip:a@-h.test", &u) == -1 &&
	    PARSE(sip_uri_parse, "sip:a@8888888888.1.1.1", &u) == -1 &&
	    PARSE(sip_uri_parse, "sip:a@h..test", &u) == -1 &&
	    PARSE(sip_uri_parse, "sip:a@[zz::1]", &u) == -1 &&
	    PARSE(sip_uri_parse, "sip:a@[::1", &u) == -1 &&
	    PARSE(sip_uri_parse, "sip:", &u) == -1 &&
	    PARSE(sip_uri_parse, "sip:@h", &u) == -1, "bad hosts, users");
	TAP_OK(PARSE(sip_uri_parse, "sip:%6@h", &u) == -1 &&
	    PARSE(sip_uri_parse, "sip:a b@h", &u) == -1 &&
	    PARSE(sip_uri_parse, "sip:h;", &u) == -1 &&
	    PARSE(sip_uri_parse, "sip:h?", &u) == -1 &&
	    PARSE(sip_uri_parse, "sip:h:", &u) == -1 &&
	    PARSE(sip_uri_parse, "sip:h:99999", &u) == -1 &&
	    PARSE(sip_uri_parse, "sip:h>", &u) == -1,
	    "bad escapes, spaces, empty parts");
	TAP_OK(PARSE(sip_uri_parse, "tel:+1-201-555-0123;phone-context=x",
	    &u) == 0 && u.uri_scheme == SIP_SCHEME_TEL &&
	    is(&u.uri_user, "+1-201-555-0123") &&
	    is(&u.uri_params, ";phone-context=x"), "tel URI");
	TAP_OK(PARSE(sip_uri_parse, "http://www.example.com/x?y", &u) == 0 &&
	    u.uri_scheme == SIP_SCHEME_OTHER &&
	    is(&u.uri_opaque, "//www.example.com/x?y"), "other scheme");
	TAP_OK(PARSE(sip_uri_parse, "1sip:h", &u) == -1 &&
	    PARSE(sip_uri_parse, "<sip:h>", &u) == -1 &&
	    PARSE(sip_uri_parse, "x:", &u) == -1, "bad schemes");
	hv = SIP_STR_LIT(";lr;transport=udp");
	TAP_OK(sip_param_find(&hv, "TRANSPORT", &hv) && is(&hv, "udp"),
	    "param_find");
}

static void
test_addr(void)
{
	struct sip_addr	a;

	TAP_OK(PARSE(sip_addr_parse, "\"A \\\"B\\\" C\" <sip:a@a.test>;tag=1",
	    &a) == 0 && a.addr_display_quoted &&
	    is(&a.addr_display, "A \\\"B\\\" C") && is(&a.addr_tag, "1"),
	    "quoted display name with escapes");
	TAP_OK(PARSE(sip_addr_parse, "J  Q\r\n Public <sip:j@c.test>", &a) ==
	    0 && is(&a.addr_display, "J  Q\r\n Public") &&
	    is(&a.addr_uri_str, "sip:j@c.test"), "token display name");
	TAP_OK(PARSE(sip_addr_parse, "caller<sip:c@d.test>", &a) == 0 &&
	    is(&a.addr_display, "caller"), "no LWS before <");
	TAP_OK(PARSE(sip_addr_parse, "sip:b@b.test;user=phone;tag=2", &a) ==
	    0 && a.addr_uri.uri_user_param.s == NULL && is(&a.addr_tag, "2"),
	    "addr-spec: parameters belong to the header");
	TAP_OK(PARSE(sip_addr_parse, "<sip:x@y.test>;expires=60;q=0.5", &a) ==
	    0 && a.addr_expires == 60 && a.addr_q == 500,
	    "expires and q");
	TAP_OK(PARSE(sip_addr_parse, "<sip:x@y>;q=1.000", &a) == 0 &&
	    a.addr_q == 1000 && PARSE(sip_addr_parse, "<sip:x@y>;q=0", &a) ==
	    0 && a.addr_q == 0, "q 1.000 and 0");
	TAP_OK(PARSE(sip_addr_parse, "<sip:x@y>;q=1.001", &a) == -1 &&
	    PARSE(sip_addr_parse, "<sip:x@y>;q=0.1234", &a) == -1 &&
	    PARSE(sip_addr_parse, "<sip:x@y>;q=2", &a) == -1 &&
	    PARSE(sip_addr_parse, "<sip:x@y>;expires=4294967296", &a) == -1 &&
	    PARSE(sip_addr_parse, "<sip:x@y>;tag=\"q\"", &a) == -1,
	    "bad q, expires, tag");
	TAP_OK(PARSE(sip_addr_parse, "sip:a@b?x=y", &a) == -1 &&
	    PARSE(sip_addr_parse, "< sip:a@b>", &a) == -1 &&
	    PARSE(sip_addr_parse, "<sip:a@b", &a) == -1 &&
	    PARSE(sip_addr_parse, "\"open <sip:a@b>", &a) == -1 &&
	    PARSE(sip_addr_parse, "Bell, A <sip:a@b>", &a) == -1 &&
	    PARSE(sip_addr_parse, "", &a) == -1, "bad name-addrs");
	TAP_OK(PARSE(sip_contact_parse, " * ", &a) == 0 && a.addr_star &&
	    PARSE(sip_addr_parse, "*", &a) == -1, "Contact *");
	TAP_OK(PARSE(sip_addr_parse, "<name:John_Smith>", &a) == 0 &&
	    a.addr_uri.uri_scheme == SIP_SCHEME_OTHER, "unknown scheme");
}

static void
test_lists(void)
{
	const char	*v = "\"x,y\" <sip:a,b@c.test>, <sip:d@e>;q=0.1";
	const char	*p = v;
	struct sip_str	 el;
	struct sip_iter	 it;
	int		 n;

	TAP_OK(sip_list_next(&p, v + strlen(v), &el) == 1 &&
	    is(&el, "\"x,y\" <sip:a,b@c.test>") &&
	    sip_list_next(&p, v + strlen(v), &el) == 1 &&
	    is(&el, "<sip:d@e>;q=0.1") &&
	    sip_list_next(&p, v + strlen(v), &el) == 0,
	    "commas in quotes and brackets");
	p = "a,,b";
	TAP_OK(sip_list_next(&p, p + 4, &el) == 1 &&
	    sip_list_next(&p, p + 3, &el) == -1, "empty element");
	p = "a, ";
	TAP_OK(sip_list_next(&p, p + 3, &el) == -1, "trailing comma");
	p = ",a";
	TAP_OK(sip_list_next(&p, p + 2, &el) == -1, "leading comma");
	parse(REQ_HEAD "Contact: <sip:a@b>, <sip:c@d>\r\nTo: x\r\n"
	    "m: sip:e@f\r\n\r\n", 0);
	sip_iter_init(&it, &msg, SIP_HDR_CONTACT);
	for (n = 0; sip_iter_next(&it, &el) == 1; n++)
		;
	TAP_OK(n == 3 && is(&el, "sip:e@f"), "iterate over headers");
}

static void
test_values(void)
{
	struct sip_cseq		cs;
	struct sip_str		id;
	struct sip_ctype	ct;
	struct sip_event	ev;
	unsigned int		mf;
	uint32_t		ex;
	size_t			cl;
	time_t			t;

	TAP_OK(PARSE(sip_cseq_parse, "0009\r\n  INVITE", &cs) == 0 &&
	    cs.cseq_num == 9 && cs.cseq_method == SIP_METHOD_INVITE &&
	    PARSE(sip_cseq_parse, "4294967295 X", &cs) == 0,
	    "CSeq, up to 2^32-1");
	TAP_OK(PARSE(sip_cseq_parse, "4294967296 ACK", &cs) == -1 &&
	    PARSE(sip_cseq_parse, "1INVITE", &cs) == -1 &&
	    PARSE(sip_cseq_parse, "1 ", &cs) == -1 &&
	    PARSE(sip_cseq_parse, "1 INVITE x", &cs) == -1, "bad CSeq");
	TAP_OK(PARSE(sip_callid_parse, " a.b<>@c\"d ", &id) == 0 &&
	    is(&id, "a.b<>@c\"d"), "Call-ID");
	TAP_OK(PARSE(sip_callid_parse, "a@b@c", &id) == -1 &&
	    PARSE(sip_callid_parse, "@b", &id) == -1 &&
	    PARSE(sip_callid_parse, "a b", &id) == -1 &&
	    PARSE(sip_callid_parse, "", &id) == -1, "bad Call-IDs");
	TAP_OK(PARSE(sip_clen_parse, " 12 ", &cl) == 0 && cl == 12 &&
	    PARSE(sip_clen_parse, "4294967296", &cl) == -1, "Content-Length");
	TAP_OK(PARSE(sip_maxfwd_parse, "0068", &mf) == 0 && mf == 68 &&
	    PARSE(sip_maxfwd_parse, "256", &mf) == -1, "Max-Forwards");
	TAP_OK(PARSE(sip_expires_parse, "4294967295", &ex) == 0 &&
	    PARSE(sip_expires_parse, "4294967296", &ex) == -1, "Expires");
	TAP_OK(PARSE(sip_ctype_parse, "multipart/mixed ; boundary=\"a b\"",
	    &ct) == 0 && is(&ct.ct_subtype, "mixed") &&
	    is(&ct.ct_params, "; boundary=\"a b\""), "Content-Type");
	TAP_OK(PARSE(sip_ctype_parse, "text", &ct) == -1 &&
	    PARSE(sip_ctype_parse, "text/", &ct) == -1 &&
	    PARSE(sip_ctype_parse, "text/plain;charset", &ct) == -1 &&
	    PARSE(sip_ctype_parse, "*/*", &ct) == 0, "bad media types");
	TAP_OK(PARSE(sip_event_parse, "presence.winfo;id=12", &ev) == 0 &&
	    is(&ev.ev_package, "presence.winfo") && is(&ev.ev_id, "12") &&
	    PARSE(sip_event_parse, ";id=1", &ev) == -1, "Event");
	TAP_OK(PARSE(sip_date_parse, "Sat, 15 Oct 2005 04:44:56 GMT", &t) ==
	    0 && t == 1129351496, "Date");
	TAP_OK(PARSE(sip_date_parse, "Fri, 01 Jan 2010 16:00:00 EST", &t) ==
	    -1 && PARSE(sip_date_parse, "Sat, 15 Foo 2005 04:44:56 GMT",
	    &t) == -1 && PARSE(sip_date_parse, "Sat, 15 Oct 2005 24:00:00 GMT",
	    &t) == -1, "bad Dates");
}

static void
test_auth(void)
{
	struct sip_auth	a;
	char		buf[64];

	TAP_OK(PARSE(sip_auth_parse, "Digest username=\"bob \\\"the\\\" b\","
	    "\r\n realm=\"r.test\", nonce=\"n1\", uri=\"sip:r.test\", "
	    "response=\"0123\", algorithm=MD5, cnonce=\"c1\", opaque=\"\", "
	    "qop=auth, nc=00000001, userhash=false", &a) == 0 &&
	    is(&a.au_scheme, "Digest") && is(&a.au_realm, "r.test") &&
	    is(&a.au_nonce, "n1") && is(&a.au_uri, "sip:r.test") &&
	    is(&a.au_response, "0123") && is(&a.au_algorithm, "MD5") &&
	    is(&a.au_cnonce, "c1") && a.au_opaque.s != NULL &&
	    a.au_opaque.len == 0 && is(&a.au_qop, "auth") &&
	    is(&a.au_nc, "00000001") && is(&a.au_userhash, "false"),
	    "Digest credentials");
	TAP_OK(sip_str_unquote(&a.au_username, buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "bob \"the\" b") == 0, "username unquoted");
	TAP_OK(PARSE(sip_auth_parse, "Digest realm=\"r\", qop=\"auth,auth-int\""
	    ", nonce=\"n\", stale=FALSE", &a) == 0 &&
	    is(&a.au_qop, "auth,auth-int") && is(&a.au_stale, "FALSE"),
	    "Digest challenge");
	TAP_OK(PARSE(sip_auth_parse, "Digest realm=a, realm=b", &a) == -1 &&
	    PARSE(sip_auth_parse, "Digest realm", &a) == -1 &&
	    PARSE(sip_auth_parse, "Digest realm=\"a", &a) == -1 &&
	    PARSE(sip_auth_parse, "Digest realm=a,", &a) == -1 &&
	    PARSE(sip_auth_parse, "Digest realm=a b", &a) == -1 &&
	    PARSE(sip_auth_parse, "Digest,realm=a", &a) == -1,
	    "bad Digest parameters");
	TAP_OK(PARSE(sip_auth_parse, "Other opaque-data=here", &a) == 0 &&
	    is(&a.au_scheme, "Other"), "another scheme parses");
	TAP_OK(PARSE(sip_auth_parse, "Digest realm=a,, nonce=b", &a) == -1 &&
	    PARSE(sip_auth_parse, "Digest realm=a , \r\n ", &a) == -1 &&
	    PARSE(sip_auth_parse, "Digest realm=<a>", &a) == -1 &&
	    PARSE(sip_auth_parse, "Digest realm=\"a,b\"c", &a) == -1 &&
	    PARSE(sip_auth_parse, "Basic dXNlcjpwYXNz", &a) == -1,
	    "bad lists of parameters");
	TAP_OK(PARSE(sip_auth_parse, "Digest  realm = \"a,b\" ,nonce=n ",
	    &a) == 0 && is(&a.au_realm, "a,b") && is(&a.au_nonce, "n") &&
	    PARSE(sip_auth_parse, "Digest ", &a) == 0 && a.au_realm.s == NULL,
	    "white space around the parameters, or none of them");
}

/* Unquoting stops at its bound, a trailing backslash and a NUL. */
static void
test_unquote(void)
{
	struct sip_str	s;
	char		buf[4];

	s = SIP_STR_LIT("a\\\"c");
	TAP_OK(sip_str_unquote(&s, buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "a\"c") == 0, "unquoted, the quote unescaped");
	s = SIP_STR_LIT("abcd");
	TAP_OK(sip_str_unquote(&s, buf, sizeof(buf)) == -1, "one too long");
	s = SIP_STR_LIT("ab\\c");
	TAP_OK(sip_str_unquote(&s, buf, 3) == -1 &&
	    sip_str_unquote(&s, buf, 4) == 0 && strcmp(buf, "abc") == 0,
	    "an escaped byte counts against the bound");
	s = SIP_STR_LIT("ab\\");
	TAP_OK(sip_str_unquote(&s, buf, sizeof(buf)) == -1,
	    "a trailing backslash");
	s.s = "a\\\0b";
	s.len = 4;
	TAP_OK(sip_str_unquote(&s, buf, sizeof(buf)) == -1, "an escaped NUL");
	s.s = "a\0b";
	s.len = 3;
	TAP_OK(sip_str_unquote(&s, buf, sizeof(buf)) == -1, "a bare NUL");
	s.s = NULL;
	s.len = 0;
	TAP_OK(sip_str_unquote(&s, buf, sizeof(buf)) == 0 && buf[0] == '\0' &&
	    sip_str_unquote(&s, buf, 0) == -1, "empty");
}

static int
validates(const char *s)
{
	return parse(s, 0) == 0 && sip_validate_request(&msg, &e) == 0;
}

static void
test_validate(void)
{
	TAP_OK(validates(REQ), "minimal request validates");
	TAP_OK(!validates(REQ_LINE "Contact: <bad\r\n"
	    "Via: SIP/2.0/UDP a.test;branch=z9hG4bK1\r\n"
	    "Via: SIP/2.0/UDP\r\n" "From: <sip:a@a.test>;tag=f\r\n"
	    "To: <sip:b@b.test>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n") &&
	    reason("bad Via"), "of two bad headers, Via told first");
	TAP_OK(!validates(REQ_LINE "Via: SIP/2.0/UDP a.test;branch=z9hG4bK1\r\n"
	    "To: <bad\r\nFrom: <sip:a@a.test>;tag=f\r\nCall-ID: c\r\n"
	    "CSeq: 1 OPTIONS\r\nFrom: <sip:b@a.test>;tag=f\r\n"
	    "CSeq: 2 OPTIONS\r\n\r\n") && reason("conflicting From"),
	    "then From, though a bad To comes before");
	TAP_OK(!validates(REQ_LINE "Via: SIP/2.0/UDP a.test;branch=z9hG4bK1\r\n"
	    "From: <sip:a@a.test>;tag=f\r\nTo: <sip:b@b.test>\r\n"
	    "Call-ID: c\r\nCSeq: 1 OPTIONS\r\nExpires: x\r\n"
	    "Contact: <sip:c@c.test>\r\nContact: <bad\r\n\r\n") &&
	    reason("bad Contact"), "and a later bad Contact before Expires");
	TAP_OK(!validates("OPTIONS sip:b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n"
	    "CSeq: 1 OPTIONS\r\n\r\n") && reason("missing From") &&
	    e.err_respond, "missing From, answerable");
	TAP_OK(!validates("OPTIONS sip:b SIP/2.0\r\n\r\n") &&
	    reason("missing Via") && !e.err_respond, "missing Via");
	TAP_OK(!validates(REQ_HEAD "CSeq: 2 OPTIONS\r\n\r\n") &&
	    reason("conflicting CSeq"), "conflicting CSeq");
	TAP_OK(validates(REQ_HEAD "To: <sip:bob@b.test>\r\n\r\n"),
	    "identical To twice");
	TAP_OK(!validates("INVITE sip:b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n"
	    "From: <sip:a@b>\r\nTo: <sip:b@c>\r\nCall-ID: x\r\n"
	    "CSeq: 1 OPTIONS\r\n\r\n") && reason("CSeq method mismatch"),
	    "CSeq method mismatch");
	TAP_OK(!validates("OPTIONS foo:bar SIP/2.0\r\n" REQ_HDRS "\r\n") &&
	    e.err_status == 416, "unknown Request-URI scheme: 416");
	TAP_OK(validates("OPTIONS tel:+1234 SIP/2.0\r\n" REQ_HDRS "\r\n"),
	    "tel Request-URI");
	TAP_OK(!validates("OPTIONS sip:b?x=y SIP/2.0\r\n" REQ_HDRS "\r\n") &&
	    reason("headers in Request-URI"), "headers in Request-URI");
	TAP_OK(!validates(REQ_LINE "Max-Forwards: 256\r\n" REQ_HDRS "\r\n") &&
	    reason("bad Max-Forwards"), "Max-Forwards 256");
	TAP_OK(!validates(REQ_HEAD "Contact: *, <sip:a@b>\r\n\r\n") &&
	    reason("bad Contact"), "Contact * with another");
	TAP_OK(!validates(REQ_HEAD "Expires: 4294967296\r\n\r\n") &&
	    reason("bad Expires"), "Expires 2^32");
	TAP_OK(!validates(REQ_HEAD "Via: SIP/2.0/UDP h, \r\n\r\n") &&
	    reason("bad Via"), "bad second Via");
	TAP_OK(!validates(REQ_HEAD "Require: a b\r\n\r\n") &&
	    reason("bad Require"), "Require not a token list");
	TAP_OK(parse("SIP/2.0 200 OK\r\n" REQ_HDRS "\r\n", 0) == 0 &&
	    sip_validate_response(&msg, &e) == 0 &&
	    sip_validate_request(&msg, &e) == -1, "response validates");
	TAP_OK(parse("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h\r\n\r\n", 0) ==
	    0 && sip_validate_response(&msg, &e) == -1 && !e.err_respond,
	    "response missing From: never answered");
}

static int	via_answer(const char *, const char *);

static int
printed(const struct sip_out *out, const char *want)
{
	if (out->len == strlen(want) && memcmp(out->buf, want, out->len) == 0)
		return 1;
	printf("# got:\n# %.*s\n", (int)out->len, out->buf);
	return 0;
}

static void
test_print_response(void)
{
	static const char	 want[] = "SIP/2.0 486 Busy Here\r\n"
	    "Via: SIP/2.0/UDP a.test;branch=z9hG4bK1\r\n"
	    "From: <sip:alice@a.test>;tag=f1\r\n"
	    "To: <sip:bob@b.test>;tag=t9\r\n"
	    "Call-ID: c1@a.test\r\nCSeq: 1 OPTIONS\r\nRetry-After: 5\r\n"
	    "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi";
	struct sip_reply	 rp;
	struct sip_out		 out;
	char			 buf[1024];
	size_t			 size;
	int			 ok = 1;

	memset(&rp, 0, sizeof(rp));
	rp.rp_status = 486;
	rp.rp_reason = "Busy Here";
	rp.rp_totag = SIP_STR_LIT("t9");
	rp.rp_extra = SIP_STR_LIT("Retry-After: 5\r\n");
	rp.rp_ctype = SIP_STR_LIT("text/plain");
	rp.rp_body = SIP_STR_LIT("hi");
	parse(REQ, 0);
	sip_out_init(&out, buf, sizeof(buf));
	TAP_OK(sip_print_response(&out, &msg, &rp) == 0 &&
	    printed(&out, want), "response");
	for (size = 0; size < strlen(want); size++) {
		sip_out_init(&out, buf, size);
		if (sip_print_response(&out, &msg, &rp) != -1 ||
		    !out.overflow || out.len > size)
			ok = 0;
	}
	sip_out_init(&out, buf, strlen(want));
	TAP_OK(ok && sip_print_response(&out, &msg, &rp) == 0,
	    "every short buffer overflows, the exact one fits");
	rp.rp_reason = "Bad\r\nX: y";
	sip_out_init(&out, buf, sizeof(buf));
	TAP_OK(sip_print_response(&out, &msg, &rp) == -1, "reason with CRLF");
	rp.rp_reason = "x";
	rp.rp_status = 99;
	TAP_OK(sip_print_response(&out, &msg, &rp) == -1, "status 99");
}

static void
test_print_via(void)
{
	struct sip_reply	 rp;
	struct sip_out		 out;
	char			 buf[1024];

	parse("OPTIONS sip:b SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP h;rport;branch=z9hG4bK1, SIP/2.0/UDP h2\r\n"
	    "v: SIP/2.0/UDP h3\r\nTo: <sip:b>;tag=x\r\n\r\n", 0);
	memset(&rp, 0, sizeof(rp));
	rp.rp_status = 200;
	rp.rp_reason = "OK";
	rp.rp_totag = SIP_STR_LIT("y");
	rp.rp_received = SIP_STR_LIT("192.0.2.7");
	rp.rp_rport = 5070;
	sip_out_init(&out, buf, sizeof(buf));
	TAP_OK(sip_print_response(&out, &msg, &rp) == 0 && printed(&out,
	    "SIP/2.0 200 OK\r\n"
	    "Via: SIP/2.0/UDP h;rport=5070;branch=z9hG4bK1;received=192.0.2.7"
	    "\r\nVia: SIP/2.0/UDP h2\r\nVia: SIP/2.0/UDP h3\r\n"
	    "To: <sip:b>;tag=x\r\nContent-Length: 0\r\n\r\n"),
	    "received and rport, To tag kept");

	parse("OPTIONS sip:b SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP h;branch=z9hG4bK1;rport\r\n"
	    "To: <sip:b>\r\n\r\n", 0);
	sip_out_init(&out, buf, sizeof(buf));
	TAP_OK(sip_print_response(&out, &msg, &rp) == 0 && printed(&out,
	    "SIP/2.0 200 OK\r\n"
	    "Via: SIP/2.0/UDP h;branch=z9hG4bK1;rport=5070;received=192.0.2.7"
	    "\r\nTo: <sip:b>;tag=y\r\nContent-Length: 0\r\n\r\n"),
	    "rport as the last parameter gets its value");

	TAP_OK(via_answer("Via: SIP/2.0/UDP h;rport\t,  SIP/2.0/UDP h2\r\n",
	    "Via: SIP/2.0/UDP h;rport=5070;received=192.0.2.7\r\n"
	    "Via: SIP/2.0/UDP h2\r\n"), "white space around the comma");
	TAP_OK(via_answer("Via: SIP/2.0/UDP h ;x=\"a,b\" ,, SIP/2.0/UDP h2\r\n",
	    "Via: SIP/2.0/UDP h ;x=\"a,b\";received=192.0.2.7\r\n"
	    "Via: , SIP/2.0/UDP h2\r\n"), "an empty value after the top one");
	TAP_OK(via_answer("Via: SIP/2.0/UDP h, \r\n",
	    "Via: SIP/2.0/UDP h,\r\n"), "a comma and nothing after it");
	TAP_OK(via_answer("Via: SIP/2.0/UDP <h>\r\n",
	    "Via: SIP/2.0/UDP <h>\r\n"), "a top Via that does not parse");
}

/*
 * The answer's Via lines for a request with via_line, the same whether
 * validation kept the top Via or not: the first of the two tests.
 */
static int
via_answer(const char *via_line, const char *want_vias)
{
	static struct sip_msg	 kept;
	struct sip_reply	 rp;
	struct sip_out		 out;
	char			 req[512], buf[1024], want[1024];
	int			 n;

	n = snprintf(req, sizeof(req), REQ_LINE "%sFrom: <sip:a@a.test>;tag=f"
	    "\r\nTo: <sip:b@b.test>;tag=t\r\nCall-ID: c\r\n"
	    "CSeq: 1 OPTIONS\r\n\r\n", via_line);
	snprintf(want, sizeof(want), "SIP/2.0 400 x\r\n%s"
	    "From: <sip:a@a.test>;tag=f\r\nTo: <sip:b@b.test>;tag=t\r\n"
	    "Call-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
	    want_vias);
	memset(&rp, 0, sizeof(rp));
	rp.rp_status = 400;
	rp.rp_reason = "x";
	rp.rp_received = SIP_STR_LIT("192.0.2.7");
	rp.rp_rport = 5070;
	if (sip_parse(&kept, req, n, &lim, 0, &e) == -1)
		return 0;
	sip_out_init(&out, buf, sizeof(buf));
	if (sip_print_response(&out, &kept, &rp) == -1 || !printed(&out, want))
		return 0;
	sip_validate_request(&kept, &e);
	sip_out_init(&out, buf, sizeof(buf));
	return sip_print_response(&out, &kept, &rp) == 0 && printed(&out, want);
}

/*
 * Validation keeps the top Via, From and To; a held copy must see them
 * in its own bytes, and a message parsed again must not see the old
 * ones.
 */
static void
test_known(void)
{
	static struct sip_msg	 copy;
	struct sip_via		 v;
	struct sip_addr		 a;
	struct sip_cseq		 cs;
	char			 buf[512], held[512];
	size_t			 len;

	len = strlcpy(buf, REQ, sizeof(buf));
	TAP_OK(sip_parse(&msg, buf, len, &lim, 0, &e) == 0 &&
	    sip_validate_request(&msg, &e) == 0 &&
	    msg.msg_known == (SIP_KNOWN_VIA | SIP_KNOWN_FROM | SIP_KNOWN_TO |
	    SIP_KNOWN_CSEQ), "validation keeps the top Via, From, To, CSeq");
	memcpy(held, buf, len);
	sip_msg_copy(&copy, &msg, held);
	memset(buf, 'x', len);
	TAP_OK(sip_top_via(&copy, &v) == 0 &&
	    v.via_branch.s >= held && v.via_branch.s < held + len &&
	    is(&v.via_branch, "z9hG4bK1") && is(&v.via_host, "a.test"),
	    "the copy's top Via is in its own bytes");
	TAP_OK(sip_first_addr(&copy, SIP_HDR_FROM, &a) == 0 &&
	    is(&a.addr_tag, "f1") && is(&a.addr_uri.uri_host, "a.test") &&
	    sip_first_addr(&copy, SIP_HDR_TO, &a) == 0 &&
	    a.addr_tag.s == NULL && is(&a.addr_uri_str, "sip:bob@b.test"),
	    "and so are its From and To");
	TAP_OK(sip_first_cseq(&copy, &cs) == 0 && cs.cseq_num == 1 &&
	    cs.cseq_method == SIP_METHOD_OPTIONS &&
	    cs.cseq_method_str.s >= held && cs.cseq_method_str.s < held + len,
	    "and its CSeq");
	len = strlcpy(buf, REQ_LINE
	    "Via: SIP/2.0/TCP c.test;branch=z9hG4bK2\r\n"
	    "From: <sip:carol@c.test>;tag=f2\r\n"
	    "To: <sip:dan@d.test>;tag=t2\r\n"
	    "Call-ID: c2\r\nCSeq: 2 OPTIONS\r\n\r\n", sizeof(buf));
	TAP_OK(sip_parse(&msg, buf, len, &lim, 0, &e) == 0 &&
	    msg.msg_known == 0 && sip_top_via(&msg, &v) == 0 &&
	    is(&v.via_branch, "z9hG4bK2") &&
	    sip_first_addr(&msg, SIP_HDR_TO, &a) == 0 && is(&a.addr_tag, "t2") &&
	    sip_first_cseq(&msg, &cs) == 0 && cs.cseq_num == 2,
	    "a new parse forgets them, read from the header until validated");
}

static void
test_top_via(void)
{
	struct sip_via	v;

	parse("SIP/2.0 200 OK\r\n"
	    "Via: SIP/2.0/UDP a.test:5060;branch=z9hG4bKtop, "
	    "SIP/2.0/UDP b.test;branch=z9hG4bKnext\r\n"
	    "Via: SIP/2.0/TCP c.test;branch=z9hG4bKlast\r\n\r\n", 0);
	TAP_OK(sip_top_via(&msg, &v) == 0 && is(&v.via_branch, "z9hG4bKtop") &&
	    is(&v.via_host, "a.test") && v.via_port == 5060,
	    "top Via: the first value of a shared header line");
	parse("SIP/2.0 200 OK\r\nTo: <sip:b>\r\n\r\n", 0);
	TAP_OK(sip_top_via(&msg, &v) == -1, "top Via: none, -1");
}

static void
test_print_request(void)
{
	struct sip_fwd	 fw;
	struct sip_out	 out;
	char		 buf[1024];

	memset(&fw, 0, sizeof(fw));
	fw.fw_via = SIP_STR_LIT("SIP/2.0/TCP p.test");
	fw.fw_branch = SIP_STR_LIT("z9hG4bKp");
	fw.fw_ruri = SIP_STR_LIT("sip:bob@192.0.2.9");
	fw.fw_extra = SIP_STR_LIT("Record-Route: <sip:p.test;lr>\r\n");
	fw.fw_pop_route = 1;
	parse(REQ_HEAD "Route: <sip:p.test;lr>, <sip:q.test;lr>\r\n"
	    "Route: <sip:r.test;lr>\r\nl: 1\r\n\r\nz", 0);
	sip_out_init(&out, buf, sizeof(buf));
	TAP_OK(sip_print_request(&out, &msg, &fw) == 0 && printed(&out,
	    "OPTIONS sip:bob@192.0.2.9 SIP/2.0\r\n"
	    "Via: SIP/2.0/TCP p.test;branch=z9hG4bKp\r\nMax-Forwards: 69\r\n"
	    "Via: SIP/2.0/UDP a.test;branch=z9hG4bK1\r\n"
	    "From: <sip:alice@a.test>;tag=f1\r\nTo: <sip:bob@b.test>\r\n"
	    "Call-ID: c1@a.test\r\nCSeq: 1 OPTIONS\r\n"
	    "Route: <sip:q.test;lr>\r\nRoute: <sip:r.test;lr>\r\n"
	    "Record-Route: <sip:p.test;lr>\r\n"
	    "Content-Length: 1\r\n\r\nz"), "forwarded request");
	parse(REQ_LINE "Route: <sip:p.test;lr>\r\nTo: <sip:b>\r\n\r\n", 0);
	fw.fw_ruri.len = 0;
	fw.fw_extra.len = 0;
	sip_out_init(&out, buf, sizeof(buf));
	TAP_OK(sip_print_request(&out, &msg, &fw) == 0 && printed(&out,
	    "OPTIONS sip:bob@b.test SIP/2.0\r\n"
	    "Via: SIP/2.0/TCP p.test;branch=z9hG4bKp\r\nMax-Forwards: 70\r\n"
	    "To: <sip:b>\r\nContent-Length: 0\r\n\r\n"),
	    "last Route popped, Max-Forwards set");
	parse(REQ_LINE "Max-Forwards: 0\r\n\r\n", 0);
	TAP_OK(sip_print_request(&out, &msg, &fw) == -1,
	    "Max-Forwards 0 is not forwarded");
}

int
main(void)
{
	sip_limits_default(&lim);
	test_str();
	test_names();
	test_first_line();
	test_split();
	test_limits();
	test_body();
	test_copy();
	test_frame();
	test_via();
	test_uri();
	test_addr();
	test_lists();
	test_values();
	test_auth();
	test_unquote();
	test_validate();
	test_print_response();
	test_print_via();
	test_top_via();
	test_known();
	test_print_request();
	return TAP_DONE();
}
