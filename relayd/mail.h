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

#ifndef IMD_MAIL_H
#define IMD_MAIL_H

/*
 * An instant message for an offline user, written as an RFC 5322 mail
 * (with MIME, RFC 2045-2047) for the local MTA.
 *
 * mail_compose() writes the whole mail, CRLF line ends, into out and
 * sets *len to its length (a NUL follows, not counted).  The header:
 *
 *	Date:		mm_date, the arrival of the message, in UTC
 *	From:		mm_from; or mm_sender when one is configured, and
 *	Reply-To:	mm_from, so that a reply goes to the IM sender
 *	To:		mm_to
 *	Subject:	Instant message from <mm_from>, an RFC 2047
 *			encoded-word when the address is not ASCII; for
 *			a summary of the mail limit (mm_summary, From
 *			ours, no Reply-To), Instant messages waiting for
 *			you
 *	Message-ID:	<mm_id@mm_hostname>, the same on every retry, so
 *			that a mail delivered twice is seen as one
 *	Auto-Submitted:	auto-generated (RFC 3834), against mail loops
 *	MIME-Version, Content-Type: text/plain; charset=UTF-8,
 *	Content-Transfer-Encoding: base64
 *
 * The body is always base64 in lines of 76: any UTF-8 text, whatever
 * its line lengths, leading dots, "From " lines or trailing blanks,
 * then arrives unchanged through any MTA, 7-bit or not.  Line breaks
 * (CRLF, LF or a lone CR) become CRLF, the canonical form of text
 * (RFC 2046 4.1.1); nothing else in the text changes.
 *
 * A message the mail cannot carry as text (mm_ctype is not a text
 * type, its charset is neither UTF-8 nor US-ASCII, or the body is not
 * valid UTF-8 or holds a NUL) is not attached: the body is instead a
 * short text that names the sender, the type and the size, so that the
 * recipient knows to fetch it over IM.  An empty mm_ctype means
 * text/plain (RFC 3428).  Any text subtype goes out as text/plain: the
 * mail shows HTML or XML as its source rather than render it.
 *
 * Addresses must be ASCII, without quoting, spaces or controls, since
 * the mail is not SMTPUTF8 (RFC 6531).  The one exception is an IM
 * sender (mm_from) in UTF-8 when mm_sender is configured: the sender
 * then appears only in the encoded Subject, with no Reply-To.  mm_id is
 * a dot-atom (RFC 5322 3.6.4), mm_hostname a host name.
 *
 * mail_compose() returns -1, *len 0 and out empty, never a truncated
 * mail, when out is too small or a field is not as described above.
 * mail_compose_bound() gives an out size always large enough for a
 * body of the given length, or 0 if that does not fit a size_t.
 */

#include <sys/types.h>

#include <stddef.h>
#include <time.h>

#include "config.h"

#define MAIL_ID_MAX		64
#define MAIL_CTYPE_MAX		128
#define MAIL_HOSTNAME_MAX	256
#define MAIL_LINE_MAX		76	/* base64 and header lines */

struct mail_msg {
	char		 mm_from[IMD_ADDRESS_MAX];	/* the IM sender */
	char		 mm_to[IMD_ADDRESS_MAX];
	char		 mm_sender[IMD_ADDRESS_MAX];	/* "" or From */
	time_t		 mm_date;
	char		 mm_id[MAIL_ID_MAX];	/* stable, from the queue */
	char		 mm_ctype[MAIL_CTYPE_MAX];	/* of the IM body */
	const char	*mm_body;
	size_t		 mm_bodylen;
	char		 mm_hostname[MAIL_HOSTNAME_MAX];
	int		 mm_summary;	/* of messages held, not one */
	int		 mm_missed;	/* a missed call at mm_date, no body */
};

int	 mail_compose(const struct mail_msg *, char *, size_t, size_t *);
size_t	 mail_compose_bound(size_t);
int	 mail_is_utf8(const char *, size_t);

#endif /* IMD_MAIL_H */
