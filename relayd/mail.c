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
 * The mail that stands in for an instant message (see mail.h).  Pure
 * functions: no allocation, no logging, no globals.  Every field is
 * checked before it goes into a header, since each one came from the
 * network at some point and a CR or LF in it would forge headers.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mail.h"

/* Bytes of text per base64 line of MAIL_LINE_MAX characters. */
#define MAIL_B64_LINE		(MAIL_LINE_MAX / 4 * 3)
/* Text bytes per RFC 2047 encoded-word: 75 - strlen("=?UTF-8?B??="). */
#define MAIL_WORD_BYTES		45
/* Everything but the encoded body, generously (see mail_compose_bound). */
#define MAIL_FIXED_MAX		8192
#define MAIL_CHARSET_MAX	64

enum mail_kind {
	MAIL_TEXT,		/* sent as it is */
	MAIL_BADTYPE,		/* not text, or no type we can read */
	MAIL_BADCHARSET,	/* text in another charset */
	MAIL_BADTEXT,		/* not UTF-8, or a NUL */
};

/* The output: appends stop at the first overflow, which is remembered. */
struct mail_buf {
	char		*mb_buf;
	size_t		 mb_size;
	size_t		 mb_len;
	int		 mb_error;
};

/* The body on its way to base64, one line's worth at a time. */
struct mail_b64 {
	struct mail_buf	*bs_out;
	unsigned char	 bs_line[MAIL_B64_LINE];
	size_t		 bs_len;
};

static const char mail_b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char *mail_days[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *mail_months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

static void	mail_printf(struct mail_buf *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));

static void
mail_put(struct mail_buf *mb, const void *p, size_t len)
{
	/* Room is always kept for the final NUL. */
	if (mb->mb_error || len >= mb->mb_size - mb->mb_len) {
		mb->mb_error = 1;
		return;
	}
	memcpy(mb->mb_buf + mb->mb_len, p, len);
	mb->mb_len += len;
}

static void
mail_puts(struct mail_buf *mb, const char *s)
{
	mail_put(mb, s, strlen(s));
}

static void
mail_printf(struct mail_buf *mb, const char *fmt, ...)
{
	va_list	ap;
	size_t	room;
	int	n;

	if (mb->mb_error)
		return;
	room = mb->mb_size - mb->mb_len;
	va_start(ap, fmt);
	n = vsnprintf(mb->mb_buf + mb->mb_len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		mb->mb_error = 1;
		return;
	}
	mb->mb_len += n;
}

/* Base64 of len bytes (RFC 4648 4), padded, without line breaks. */
static void
mail_b64_put(struct mail_buf *mb, const unsigned char *p, size_t len)
{
	char		q[4];
	uint32_t	v;
	size_t		i, n;

	for (i = 0; i < len; i += 3) {
		n = len - i < 3 ? len - i : 3;
		v = (uint32_t)p[i] << 16;
		if (n > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (n > 2)
			v |= p[i + 2];
		q[0] = mail_b64_alphabet[(v >> 18) & 0x3f];
		q[1] = mail_b64_alphabet[(v >> 12) & 0x3f];
		q[2] = n > 1 ? mail_b64_alphabet[(v >> 6) & 0x3f] : '=';
		q[3] = n > 2 ? mail_b64_alphabet[v & 0x3f] : '=';
		mail_put(mb, q, sizeof(q));
	}
}

static void
mail_b64_flush(struct mail_b64 *bs)
{
	if (bs->bs_len == 0)
		return;
	mail_b64_put(bs->bs_out, bs->bs_line, bs->bs_len);
	mail_puts(bs->bs_out, "\r\n");
	bs->bs_len = 0;
}

static void
mail_b64_byte(struct mail_b64 *bs, unsigned char c)
{
	bs->bs_line[bs->bs_len++] = c;
	if (bs->bs_len == sizeof(bs->bs_line))
		mail_b64_flush(bs);
}

/* The text in base64, its line breaks made CRLF (RFC 2046 4.1.1). */
static void
mail_b64_text(struct mail_buf *mb, const char *p, size_t len)
{
	struct mail_b64	bs;
	size_t		i;

	bs.bs_out = mb;
	bs.bs_len = 0;
	for (i = 0; i < len; i++) {
		if (p[i] == '\r' || p[i] == '\n') {
			if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')
				i++;
			mail_b64_byte(&bs, '\r');
			mail_b64_byte(&bs, '\n');
		} else
			mail_b64_byte(&bs, (unsigned char)p[i]);
	}
	mail_b64_flush(&bs);
}

/* Length of the UTF-8 sequence at p (RFC 3629 4), or 0 if invalid. */
static size_t
mail_utf8_seq(const unsigned char *p, size_t len)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		n, i;

	if (p[0] < 0x80)
		return (1);
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (p[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return (0);
	if (len < n || p[1] < lo || p[1] > hi)
		return (0);
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return (0);
	return (n);
}

int
mail_is_utf8(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, n;

	for (i = 0; i < len; i += n)
		if ((n = mail_utf8_seq(p + i, len - i)) == 0)
			return (0);
	return (1);
}

/* RFC 5322 3.2.3 atext, which a dot-atom is made of. */
static int
mail_is_atext(unsigned char c)
{
	return (isalnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~",
	    c) != NULL));
}

/* A dot-atom-text: atext, single dots inside (RFC 5322 3.2.3). */
static int
mail_is_dot_atom(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return (0);
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return (0);
		} else if (!mail_is_atext((unsigned char)s[i]))
			return (0);
	}
	return (1);
}

/* An address we can write unquoted: dot-atom@dot-atom, ASCII. */
static int
mail_is_address(const char *s)
{
	const char	*at;

	if ((at = strchr(s, '@')) == NULL)
		return (0);
	return (mail_is_dot_atom(s, at - s) &&
	    mail_is_dot_atom(at + 1, strlen(at + 1)));
}

static int
mail_is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return (0);
	return (1);
}

/* An internationalised address: it only ever goes in the Subject. */
static int
mail_is_utf8_address(const char *s)
{
	const unsigned char	*p;

	if (strchr(s, '@') == NULL || !mail_is_utf8(s, strlen(s)))
		return (0);
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7f)
			return (0);
	return (1);
}

static int
mail_is_hostname(const char *s)
{
	size_t	i, len = strlen(s);

	if (len == 0 || s[0] == '.' || s[0] == '-' || s[len - 1] == '.')
		return (0);
	for (i = 0; i < len; i++) {
		if (s[i] == '.' && s[i + 1] == '.')
			return (0);
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '.')
			return (0);
	}
	return (1);
}

static int
mail_check(const struct mail_msg *mm)
{
	if (memchr(mm->mm_from, '\0', sizeof(mm->mm_from)) == NULL ||
	    memchr(mm->mm_to, '\0', sizeof(mm->mm_to)) == NULL ||
	    memchr(mm->mm_sender, '\0', sizeof(mm->mm_sender)) == NULL ||
	    memchr(mm->mm_id, '\0', sizeof(mm->mm_id)) == NULL ||
	    memchr(mm->mm_ctype, '\0', sizeof(mm->mm_ctype)) == NULL ||
	    memchr(mm->mm_hostname, '\0', sizeof(mm->mm_hostname)) == NULL)
		return (-1);
	if (mm->mm_body == NULL && mm->mm_bodylen != 0)
		return (-1);
	if (!mail_is_address(mm->mm_to) ||
	    !mail_is_dot_atom(mm->mm_id, strlen(mm->mm_id)) ||
	    !mail_is_hostname(mm->mm_hostname))
		return (-1);
	if (mm->mm_sender[0] != '\0' && !mail_is_address(mm->mm_sender))
		return (-1);
	if (mail_is_ascii(mm->mm_from))
		return (mail_is_address(mm->mm_from) ? 0 : -1);
	/* Without SMTPUTF8 such a sender can only be named in Subject. */
	if (mm->mm_sender[0] == '\0' || !mail_is_utf8_address(mm->mm_from))
		return (-1);
	return (0);
}

/* Date: in RFC 5322 3.3 form, always UTC. */
static int
mail_date(struct mail_buf *mb, time_t t)
{
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < 0 ||
	    tm.tm_year > 9999 - 1900)
		return (-1);
	mail_printf(mb, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    mail_days[tm.tm_wday], tm.tm_mday, mail_months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return (0);
}

/*
 * Encoded-words (RFC 2047 2, 5), one per folded line so that each line
 * stays within 76, never splitting a UTF-8 character.
 */
static void
mail_encoded_words(struct mail_buf *mb, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len = strlen(s), n, c;

	while (len > 0) {
		n = 0;
		while (n < len) {
			c = mail_utf8_seq(p + n, len - n);
			if (c == 0 || n + c > MAIL_WORD_BYTES)
				break;
			n += c;
		}
		if (n == 0)		/* checked before: cannot happen */
			n = len < MAIL_WORD_BYTES ? len : MAIL_WORD_BYTES;
		mail_puts(mb, "\r\n =?UTF-8?B?");
		mail_b64_put(mb, p, n);
		mail_puts(mb, "?=");
		p += n;
		len -= n;
	}
}

static void
mail_subject(struct mail_buf *mb, const char *what, const char *from)
{
	if (mail_is_ascii(from)) {
		mail_printf(mb, "Subject: %s from %s\r\n", what, from);
		return;
	}
	/* The fold's blank is the space that the words follow. */
	mail_printf(mb, "Subject: %s from", what);
	mail_encoded_words(mb, from);
	mail_puts(mb, "\r\n");
}

static int
mail_header(struct mail_buf *mb, const struct mail_msg *mm)
{
	if (mail_date(mb, mm->mm_date) == -1)
		return (-1);
	if (mm->mm_sender[0] == '\0')
		mail_printf(mb, "From: %s\r\n", mm->mm_from);
	else {
		mail_printf(mb, "From: %s\r\n", mm->mm_sender);
		if (mail_is_ascii(mm->mm_from) && !mm->mm_summary)
			mail_printf(mb, "Reply-To: %s\r\n", mm->mm_from);
	}
	mail_printf(mb, "To: %s\r\n", mm->mm_to);
	if (mm->mm_summary)
		mail_puts(mb, "Subject: Instant messages waiting for you\r\n");
	else
		mail_subject(mb, mm->mm_missed ? "Missed call" :
		    "Instant message", mm->mm_from);
	mail_printf(mb, "Message-ID: <%s@%s>\r\n", mm->mm_id,
	    mm->mm_hostname);
	mail_puts(mb, "Auto-Submitted: auto-generated\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "\r\n");
	return (0);
}

static int
mail_is_tspecial(unsigned char c)
{
	return (strchr("()<>@,;:\\\"/[]?=", c) != NULL);
}

/* An RFC 2045 5.1 token: returns its end, which is p if there is none. */
static const char *
mail_token(const char *p)
{
	while (*p > ' ' && *p < 0x7f && !mail_is_tspecial(*p))
		p++;
	return (p);
}

static const char *
mail_skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return (p);
}

/* A parameter value, token or quoted-string, into v; NULL if bad. */
static const char *
mail_param_value(const char *p, char *v, size_t vsize)
{
	const char	*e;
	size_t		 n = 0;

	if (*p != '"') {
		if ((e = mail_token(p)) == p || (size_t)(e - p) >= vsize)
			return (NULL);
		memcpy(v, p, e - p);
		v[e - p] = '\0';
		return (e);
	}
	for (p++; *p != '"'; p++) {
		if (*p == '\\')
			p++;
		if (*p == '\0' || n + 1 >= vsize)
			return (NULL);
		v[n++] = *p;
	}
	v[n] = '\0';
	return (p + 1);
}

/* The charset parameter, "" when absent; -1 if the list is bad. */
static int
mail_charset(const char *p, char *cs, size_t cssize)
{
	char		 v[MAIL_CHARSET_MAX];
	const char	*name, *e;

	cs[0] = '\0';
	while (*(p = mail_skip_ws(p)) != '\0') {
		if (*p != ';')
			return (-1);
		name = mail_skip_ws(p + 1);
		if ((e = mail_token(name)) == name)
			return (-1);
		if (*(p = mail_skip_ws(e)) != '=')
			return (-1);
		if ((p = mail_param_value(mail_skip_ws(p + 1), v,
		    sizeof(v))) == NULL)
			return (-1);
		if (e - name == 7 && strncasecmp(name, "charset", 7) == 0 &&
		    strlcpy(cs, v, cssize) >= cssize)
			return (-1);
	}
	return (0);
}

/* What the IM body is; type gets "type/subtype", or "" if unreadable. */
static enum mail_kind
mail_kind(const struct mail_msg *mm, char *type, size_t typesize)
{
	char		 cs[MAIL_CHARSET_MAX];
	const char	*p, *slash, *e;

	type[0] = '\0';
	p = mail_skip_ws(mm->mm_ctype);
	if (*p == '\0')
		p = "text/plain";
	if ((slash = mail_token(p)) == p || *slash != '/' ||
	    (e = mail_token(slash + 1)) == slash + 1 ||
	    (size_t)(e - p) >= typesize)
		return (MAIL_BADTYPE);
	memcpy(type, p, e - p);
	type[e - p] = '\0';
	if (slash - p != 4 || strncasecmp(p, "text", 4) != 0)
		return (MAIL_BADTYPE);
	if (mail_charset(e, cs, sizeof(cs)) == -1)
		return (MAIL_BADCHARSET);
	if (cs[0] != '\0' && strcasecmp(cs, "UTF-8") != 0 &&
	    strcasecmp(cs, "US-ASCII") != 0)
		return (MAIL_BADCHARSET);
	if (mm->mm_bodylen > 0 && (memchr(mm->mm_body, '\0',
	    mm->mm_bodylen) != NULL ||
	    !mail_is_utf8(mm->mm_body, mm->mm_bodylen)))
		return (MAIL_BADTEXT);
	return (MAIL_TEXT);
}

/* The body that stands in for a message the mail cannot show. */
static void
mail_notice(struct mail_buf *mb, const struct mail_msg *mm,
    enum mail_kind kind, const char *type)
{
	char		 text[1024];
	const char	*why;
	int		 n;

	if (kind == MAIL_BADCHARSET)
		why = "its character set is not UTF-8";
	else if (kind == MAIL_BADTEXT)
		why = "it is not valid UTF-8 text";
	else if (type[0] == '\0')
		why = "its type is not given in a form this server reads";
	else
		why = "its type is ";
	n = snprintf(text, sizeof(text), "An instant message from %s "
	    "cannot be shown in this mail: %s%s (%zu bytes).\r\n"
	    "Please read it with your instant messaging client.\r\n",
	    mm->mm_from, why, kind == MAIL_BADTYPE ? type : "",
	    mm->mm_bodylen);
	if (n < 0 || (size_t)n >= sizeof(text)) {
		mb->mb_error = 1;
		return;
	}
	mail_b64_text(mb, text, n);
}

/* The body of a missed call's notice: who, when (UTC). */
static void
mail_missed(struct mail_buf *mb, const struct mail_msg *mm)
{
	struct tm	 tm;
	char		 text[IMD_ADDRESS_MAX + 128], when[32];
	int		 n;

	if (gmtime_r(&mm->mm_date, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) {
		mb->mb_error = 1;
		return;
	}
	n = snprintf(text, sizeof(text), "Missed call from %s at %s.\r\n"
	    "Nobody answered: none of your devices was online.\r\n",
	    mm->mm_from, when);
	if (n < 0 || (size_t)n >= sizeof(text)) {
		mb->mb_error = 1;
		return;
	}
	mail_b64_text(mb, text, n);
}

int
mail_compose(const struct mail_msg *mm, char *out, size_t outsize,
    size_t *len)
{
	struct mail_buf	 mb;
	char		 type[MAIL_CTYPE_MAX];
	enum mail_kind	 kind;

	*len = 0;
	if (outsize == 0)
		return (-1);
	out[0] = '\0';
	mb.mb_buf = out;
	mb.mb_size = outsize;
	mb.mb_len = 0;
	mb.mb_error = 0;
	if (mail_check(mm) == -1 || mail_header(&mb, mm) == -1)
		return (-1);
	if (mm->mm_missed)
		mail_missed(&mb, mm);
	else if ((kind = mail_kind(mm, type, sizeof(type))) == MAIL_TEXT)
		mail_b64_text(&mb, mm->mm_body, mm->mm_bodylen);
	else
		mail_notice(&mb, mm, kind, type);
	if (mb.mb_error) {
		out[0] = '\0';
		return (-1);
	}
	out[mb.mb_len] = '\0';
	*len = mb.mb_len;
	return (0);
}

/*
 * The text at worst doubles (every byte a lone LF), then base64 makes
 * 78 bytes of each MAIL_B64_LINE; the rest fits in MAIL_FIXED_MAX.
 */
size_t
mail_compose_bound(size_t bodylen)
{
	if (bodylen > (SIZE_MAX - MAIL_FIXED_MAX) / 4)
		return (0);
	return (MAIL_FIXED_MAX + (bodylen * 2 / MAIL_B64_LINE + 1) *
	    (MAIL_LINE_MAX + 2) + 1);
}
