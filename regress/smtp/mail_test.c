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
 * mail_compose() of relayd/mail.c, TAP on standard output.  The test reads
 * the mail back with its own small header splitter and base64 and
 * RFC 2047 decoders, so that a bug in the encoder is not mirrored by
 * the same bug on the way back.
 */

#include <sys/types.h>

#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail.h"
#include "tap.h"

/* 안녕하세요, 잘 지내요? and 김철수@사이트.test, escaped */
#define KOREAN		"\xec\x95\x88\xeb\x85\x95\xed\x95\x98\xec\x84\xb8" \
			"\xec\x9a\x94, \xec\x9e\x98 \xec\xa7\x80\xeb\x82\xb4" \
			"\xec\x9a\x94?"
#define KOREAN_FROM	"\xea\xb9\x80\xec\xb2\xa0\xec\x88\x98@" \
			"\xec\x82\xac\xec\x9d\xb4\xed\x8a\xb8.test"
#define OUT_MAX		(256 * 1024)
#define DATE_1700000000	"Tue, 14 Nov 2023 22:13:20 +0000"

static char	out[OUT_MAX];
static size_t	outlen;

static void
msg_init(struct mail_msg *mm, const char *body)
{
	memset(mm, 0, sizeof(*mm));
	strlcpy(mm->mm_from, "alice@site1.test", sizeof(mm->mm_from));
	strlcpy(mm->mm_to, "bob@site1.test", sizeof(mm->mm_to));
	mm->mm_date = 1700000000;
	strlcpy(mm->mm_id, "q1.0000000000000042", sizeof(mm->mm_id));
	strlcpy(mm->mm_ctype, "text/plain;charset=UTF-8",
	    sizeof(mm->mm_ctype));
	mm->mm_body = body;
	mm->mm_bodylen = strlen(body);
	strlcpy(mm->mm_hostname, "im.site1.test", sizeof(mm->mm_hostname));
}

static int
compose(const struct mail_msg *mm)
{
	return (mail_compose(mm, out, sizeof(out), &outlen));
}

/* Where the body starts, after the blank line; NULL if none. */
static const char *
body_of(const char *m)
{
	const char	*p;

	if ((p = strstr(m, "\r\n\r\n")) == NULL)
		return (NULL);
	return (p + 4);
}

/*
 * The unfolded value of the only header field called name, in v; -1
 * if it is missing or there twice.
 */
static int
header(const char *m, const char *name, char *v, size_t vsize)
{
	const char	*p, *end = body_of(m), *e;
	size_t		 nlen = strlen(name), n = 0;
	int		 found = 0;

	for (p = m; p != NULL && p < end; p = strstr(p, "\r\n") + 2) {
		if (strncasecmp(p, name, nlen) != 0 || p[nlen] != ':')
			continue;
		if (found++)
			return (-1);
		for (e = p + nlen + 1; *e == ' '; e++)
			;
		for (; e < end; e++) {
			if (e[0] == '\r' && e[1] == '\n' && e[2] != ' ' &&
			    e[2] != '\t')
				break;
			if (*e == '\r' || *e == '\n')
				continue;
			if (n + 1 >= vsize)
				return (-1);
			v[n++] = *e;
		}
	}
	if (!found)
		return (-1);
	v[n] = '\0';
	return (0);
}

static int
b64_value(int c)
{
	const char	*a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char	*p;

	if (c == '\0' || (p = strchr(a, c)) == NULL)
		return (-1);
	return (p - a);
}

/* Base64 of len chars, CRLF allowed between groups; -1 if bad. */
static ssize_t
b64_decode(const char *s, size_t len, unsigned char *d, size_t dsize)
{
	int	q[4], k = 0, pad = 0;
	size_t	i, n = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\r' || s[i] == '\n')
			continue;
		if (s[i] == '=')
			q[k++] = 0, pad++;
		else if (pad || (q[k++] = b64_value(s[i])) == -1)
			return (-1);
		if (k < 4)
			continue;
		if (n + 3 > dsize)
			return (-1);
		d[n++] = q[0] << 2 | q[1] >> 4;
		d[n++] = (q[1] & 0xf) << 4 | q[2] >> 2;
		d[n++] = (q[2] & 0x3) << 6 | q[3];
		n -= pad;
		k = 0;
	}
	return (k == 0 ? (ssize_t)n : -1);
}

static ssize_t
decoded_body(unsigned char *d, size_t dsize)
{
	const char	*b = body_of(out);

	if (b == NULL)
		return (-1);
	return (b64_decode(b, out + outlen - b, d, dsize));
}

/* Each line ends in CRLF, none longer than max; no lone CR or LF. */
static int
lines_ok(const char *m, size_t len, size_t max)
{
	size_t	i, col = 0;

	for (i = 0; i < len; i++) {
		if (m[i] == '\r') {
			if (i + 1 >= len || m[i + 1] != '\n' || col > max)
				return (0);
			i++;
			col = 0;
		} else if (m[i] == '\n' || ++col > max)
			return (0);
	}
	return (col == 0);
}

/* The Subject value with each encoded-word decoded (RFC 2047 6.2). */
static int
decode_words(const char *v, char *d, size_t dsize)
{
	const char	*p = v, *e;
	size_t		 n = 0;
	ssize_t		 k;

	while (*p != '\0') {
		if (strncmp(p, "=?UTF-8?B?", 10) != 0) {
			if (n + 1 >= dsize)
				return (-1);
			d[n++] = *p++;
			continue;
		}
		if ((e = strstr(p + 10, "?=")) == NULL || e - p > 75)
			return (-1);
		k = b64_decode(p + 10, e - p - 10, (unsigned char *)d + n,
		    dsize - n - 1);
		if (k == -1)
			return (-1);
		n += k;
		/* Blanks between two words are not part of the text. */
		for (p = e + 2; *p == ' ' && strncmp(p + 1, "=?", 2) == 0;)
			p++;
	}
	d[n] = '\0';
	return (0);
}

static int
has(const char *name, const char *want)
{
	char	v[1024];

	return (header(out, name, v, sizeof(v)) == 0 && strcmp(v, want) == 0);
}

static void
test_headers(void)
{
	struct mail_msg	mm;
	char		v[256];

	msg_init(&mm, KOREAN);
	TAP_OK(compose(&mm) == 0 && outlen == strlen(out),
	    "compose: a Korean text message");
	TAP_OK(strncmp(out, "Date: ", 6) == 0, "compose: Date comes first");
	TAP_OK(has("Date", DATE_1700000000), "compose: Date in RFC 5322 "
	    "form, UTC, the arrival time");
	TAP_OK(has("From", "alice@site1.test"), "compose: From the sender");
	TAP_OK(header(out, "Reply-To", v, sizeof(v)) == -1,
	    "compose: no Reply-To without a configured sender");
	TAP_OK(has("To", "bob@site1.test"), "compose: To the recipient");
	TAP_OK(has("Subject", "Instant message from alice@site1.test"),
	    "compose: Subject names the sender");
	TAP_OK(has("Message-ID", "<q1.0000000000000042@im.site1.test>"),
	    "compose: Message-ID from the queue id and host name");
	TAP_OK(has("Auto-Submitted", "auto-generated"),
	    "compose: Auto-Submitted (RFC 3834)");
	TAP_OK(has("MIME-Version", "1.0"), "compose: MIME-Version");
	TAP_OK(has("Content-Type", "text/plain; charset=UTF-8"),
	    "compose: Content-Type text/plain UTF-8");
	TAP_OK(has("Content-Transfer-Encoding", "base64"),
	    "compose: Content-Transfer-Encoding base64");
	TAP_OK(lines_ok(out, outlen, 76), "compose: CRLF lines of at most "
	    "76");
}

static void
test_korean(void)
{
	struct mail_msg	mm;
	unsigned char	d[256];
	ssize_t		n;

	msg_init(&mm, KOREAN);
	compose(&mm);
	n = decoded_body(d, sizeof(d));
	TAP_OK(n == (ssize_t)strlen(KOREAN) && memcmp(d, KOREAN, n) == 0,
	    "body: Korean text round-trips exactly");
	TAP_OK(strstr(body_of(out), "\xec") == NULL,
	    "body: nothing but ASCII on the wire");
}

static void
test_sender(void)
{
	struct mail_msg	mm;

	msg_init(&mm, "hi");
	strlcpy(mm.mm_sender, "im-gateway@site1.test", sizeof(mm.mm_sender));
	TAP_OK(compose(&mm) == 0 && has("From", "im-gateway@site1.test") &&
	    has("Reply-To", "alice@site1.test"),
	    "sender: From the configured sender, Reply-To the IM sender");
	TAP_OK(has("Subject", "Instant message from alice@site1.test"),
	    "sender: Subject still names the IM sender");
	strlcpy(mm.mm_from, "a<b@site1.test", sizeof(mm.mm_from));
	TAP_OK(compose(&mm) == -1, "sender: an ASCII IM sender must be an "
	    "address even when it is not From");
	strlcpy(mm.mm_from, "alice@site1.test", sizeof(mm.mm_from));
	strlcpy(mm.mm_sender, "bad sender@site1.test", sizeof(mm.mm_sender));
	TAP_OK(compose(&mm) == -1, "sender: a blank in it is refused");
}

static void
test_subject_utf8(void)
{
	struct mail_msg	mm;
	char		v[1024], d[1024];

	msg_init(&mm, "hi");
	strlcpy(mm.mm_from, KOREAN_FROM, sizeof(mm.mm_from));
	TAP_OK(compose(&mm) == -1, "subject: a UTF-8 sender cannot be From");
	strlcpy(mm.mm_sender, "im@site1.test", sizeof(mm.mm_sender));
	TAP_OK(compose(&mm) == 0 && has("From", "im@site1.test") &&
	    header(out, "Reply-To", v, sizeof(v)) == -1,
	    "subject: a UTF-8 sender with a configured From, no Reply-To");
	TAP_OK(header(out, "Subject", v, sizeof(v)) == 0 &&
	    strstr(v, "=?UTF-8?B?") != NULL && lines_ok(out, outlen, 76),
	    "subject: RFC 2047 encoded-words, lines of at most 76");
	TAP_OK(decode_words(v, d, sizeof(d)) == 0 &&
	    strcmp(d, "Instant message from " KOREAN_FROM) == 0,
	    "subject: decodes to the UTF-8 sender");
	memset(mm.mm_from, 0, sizeof(mm.mm_from));
	memset(mm.mm_from, 'a', 60);
	for (size_t i = 60; i + 3 < sizeof(mm.mm_from) - 12; i += 3)
		memcpy(mm.mm_from + i, "\xed\x95\x9c", 3);
	memcpy(mm.mm_from + strlen(mm.mm_from), "@x.test", 7);
	TAP_OK(compose(&mm) == 0 && lines_ok(out, outlen, 76) &&
	    header(out, "Subject", v, sizeof(v)) == 0 &&
	    decode_words(v, d, sizeof(d)) == 0 &&
	    strcmp(d + 21, mm.mm_from) == 0,
	    "subject: the longest sender folds into many words");
}

static void
test_long_lines(void)
{
	struct mail_msg	 mm;
	static char	 body[20000];
	static unsigned char d[sizeof(body)];
	size_t		 i;
	ssize_t		 n;

	for (i = 0; i + 3 < sizeof(body); i += 3)
		memcpy(body + i, "\xed\x95\x9c", 3);
	body[i] = '\0';
	msg_init(&mm, body);
	TAP_OK(compose(&mm) == 0 && lines_ok(out, outlen, 76),
	    "long: a 20000-byte line is wrapped at 76");
	n = decoded_body(d, sizeof(d));
	TAP_OK(n == (ssize_t)strlen(body) && memcmp(d, body, n) == 0,
	    "long: and decodes to the same bytes");
	TAP_OK(outlen < mail_compose_bound(strlen(body)),
	    "long: within mail_compose_bound()");
}

static void
test_breaks(void)
{
	struct mail_msg	 mm;
	unsigned char	 d[256];
	const char	*want = ".a\r\nb\r\nc\r\n\r\nFrom d\r\n.\r\n";
	ssize_t		 n;

	msg_init(&mm, ".a\nb\r\nc\r\rFrom d\n.\n");
	compose(&mm);
	n = decoded_body(d, sizeof(d));
	TAP_OK(n == (ssize_t)strlen(want) && memcmp(d, want, n) == 0,
	    "breaks: LF and lone CR become CRLF, dots and From untouched");
	msg_init(&mm, "");
	TAP_OK(compose(&mm) == 0 && *body_of(out) == '\0',
	    "breaks: an empty body is an empty mail body");
}

/* The body of a notice, decoded, in d. */
static int
notice(const char *ctype, const char *body, size_t len, char *d,
    size_t dsize)
{
	struct mail_msg	mm;
	ssize_t		n;

	msg_init(&mm, "");
	strlcpy(mm.mm_ctype, ctype, sizeof(mm.mm_ctype));
	mm.mm_body = body;
	mm.mm_bodylen = len;
	if (compose(&mm) == -1 || !has("Content-Type",
	    "text/plain; charset=UTF-8") ||
	    (n = decoded_body((unsigned char *)d, dsize - 1)) == -1)
		return (-1);
	d[n] = '\0';
	return (0);
}

static void
test_not_text(void)
{
	char	d[2048];

	TAP_OK(notice("image/png", "\x89PNG\r\n", 6, d, sizeof(d)) == 0 &&
	    strstr(d, "alice@site1.test") != NULL &&
	    strstr(d, "image/png (6 bytes)") != NULL,
	    "notice: image/png names sender, type and size");
	TAP_OK(notice("text/plain", "\xff\xfe", 2, d, sizeof(d)) == 0 &&
	    strstr(d, "not valid UTF-8") != NULL,
	    "notice: text that is not UTF-8");
	TAP_OK(notice("text/plain", "a\0b", 3, d, sizeof(d)) == 0 &&
	    strstr(d, "not valid UTF-8") != NULL,
	    "notice: text with a NUL");
	TAP_OK(notice("text/plain; charset=ISO-8859-1", "caf\xe9", 4, d,
	    sizeof(d)) == 0 && strstr(d, "character set") != NULL,
	    "notice: text in another charset");
	TAP_OK(notice("text/plain; charset=\"ISO-8859-1", "a", 1, d,
	    sizeof(d)) == 0 && strstr(d, "character set") != NULL,
	    "notice: an unterminated quoted charset");
	TAP_OK(notice("garbage", "a", 1, d, sizeof(d)) == 0 &&
	    strstr(d, "not given in a form") != NULL,
	    "notice: a type that does not parse");
	TAP_OK(notice("text/plain; charset=\"utf-8\"", "a", 1, d,
	    sizeof(d)) == 0 && strcmp(d, "a") == 0,
	    "text: a quoted utf-8 charset is text");
	TAP_OK(notice("TEXT/html ; Charset = US-ASCII", "<b>a</b>", 8, d,
	    sizeof(d)) == 0 && strcmp(d, "<b>a</b>") == 0,
	    "text: text/html in US-ASCII is shown as its source");
	TAP_OK(notice("", "a", 1, d, sizeof(d)) == 0 && strcmp(d, "a") == 0,
	    "text: no Content-Type means text/plain");
}

static void
test_overflow(void)
{
	struct mail_msg	mm;
	size_t		full, size, len;
	int		bad = 0;

	msg_init(&mm, KOREAN "\n" KOREAN);
	compose(&mm);
	full = outlen;
	for (size = 0; size <= full; size++) {
		memset(out, 'x', sizeof(out));
		len = 1;
		if (mail_compose(&mm, out, size, &len) != -1 || len != 0 ||
		    (size > 0 && out[0] != '\0'))
			bad++;
	}
	TAP_OK(bad == 0, "overflow: every size up to the mail's own is "
	    "refused, out left empty");
	TAP_OK(mail_compose(&mm, out, full + 1, &len) == 0 && len == full &&
	    out[len] == '\0', "overflow: the mail's length and a NUL fit");
	TAP_OK(mail_compose_bound(SIZE_MAX / 2) == 0,
	    "overflow: mail_compose_bound() refuses what size_t cannot "
	    "hold");
}

static void
test_worst_bound(void)
{
	struct mail_msg	 mm;
	static char	 body[30000];

	memset(body, '\n', sizeof(body) - 1);
	msg_init(&mm, body);
	TAP_OK(compose(&mm) == 0 &&
	    outlen < mail_compose_bound(strlen(body)),
	    "bound: a body of nothing but LF fits mail_compose_bound()");
}

static void
test_bad_fields(void)
{
	struct mail_msg	mm;

	msg_init(&mm, "a");
	strlcpy(mm.mm_to, "bob@site1.test\r\nBcc: eve@x.test",
	    sizeof(mm.mm_to));
	TAP_OK(compose(&mm) == -1, "fields: CRLF in To is refused");
	msg_init(&mm, "a");
	strlcpy(mm.mm_from, "alice", sizeof(mm.mm_from));
	TAP_OK(compose(&mm) == -1, "fields: a From without @ is refused");
	msg_init(&mm, "a");
	strlcpy(mm.mm_from, "al..ice@site1.test", sizeof(mm.mm_from));
	TAP_OK(compose(&mm) == -1, "fields: a double dot is refused");
	msg_init(&mm, "a");
	strlcpy(mm.mm_from, "<alice@site1.test>", sizeof(mm.mm_from));
	TAP_OK(compose(&mm) == -1, "fields: angle brackets are refused");
	msg_init(&mm, "a");
	strlcpy(mm.mm_id, "q1>x", sizeof(mm.mm_id));
	TAP_OK(compose(&mm) == -1, "fields: a Message-ID id with > is "
	    "refused");
	msg_init(&mm, "a");
	strlcpy(mm.mm_hostname, "im_1.test", sizeof(mm.mm_hostname));
	TAP_OK(compose(&mm) == -1, "fields: a host name with _ is refused");
	msg_init(&mm, "a");
	memset(mm.mm_to, 'a', sizeof(mm.mm_to));
	TAP_OK(compose(&mm) == -1, "fields: a To without its NUL is refused");
	msg_init(&mm, "a");
	mm.mm_body = NULL;
	TAP_OK(compose(&mm) == -1, "fields: a NULL body with a length is "
	    "refused");
	msg_init(&mm, "a");
	mm.mm_date = (time_t)400000000000LL;
	TAP_OK(compose(&mm) == -1, "fields: a date past year 9999 is "
	    "refused");
	msg_init(&mm, "a");
	mm.mm_date = -86400;
	TAP_OK(compose(&mm) == 0 && has("Date",
	    "Wed, 31 Dec 1969 00:00:00 +0000"), "fields: a date before 1970");
}

static void
test_utf8(void)
{
	static const struct {
		const char	*s;
		int		 ok;
		const char	*what;
	} t[] = {
		{ "a", 1, "ASCII" },
		{ "\xc2\x80", 1, "U+0080" },
		{ "\xc0\x80", 0, "overlong NUL" },
		{ "\xc1\xbf", 0, "overlong 2-byte" },
		{ "\xe0\x80\x80", 0, "overlong 3-byte" },
		{ "\xe0\xa0\x80", 1, "U+0800" },
		{ "\xed\x9f\xbf", 1, "U+D7FF" },
		{ "\xed\xa0\x80", 0, "surrogate U+D800" },
		{ "\xef\xbf\xbf", 1, "U+FFFF" },
		{ "\xf0\x80\x80\x80", 0, "overlong 4-byte" },
		{ "\xf0\x90\x80\x80", 1, "U+10000" },
		{ "\xf4\x8f\xbf\xbf", 1, "U+10FFFF" },
		{ "\xf4\x90\x80\x80", 0, "U+110000" },
		{ "\xf5\x80\x80\x80", 0, "lead byte F5" },
		{ "\x80", 0, "lone continuation" },
		{ "\xe0\xa0", 0, "truncated sequence" },
		{ "\xe0\xa0" "a", 0, "ASCII inside a sequence" },
	};
	size_t	i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		TAP_OK(mail_is_utf8(t[i].s, strlen(t[i].s)) == t[i].ok,
		    "utf8: %s is %s", t[i].what, t[i].ok ? "valid" : "invalid");
}

int
main(void)
{
	test_headers();
	test_korean();
	test_sender();
	test_subject_utf8();
	test_long_lines();
	test_breaks();
	test_not_text();
	test_overflow();
	test_worst_bound();
	test_bad_fields();
	test_utf8();
	return (TAP_DONE());
}
