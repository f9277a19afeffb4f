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

#ifndef IMD_SMTP_H
#define IMD_SMTP_H

/*
 * The hand-off of one mail to the local MTA over SMTP (RFC 5321), on
 * the event loop, never blocking.
 *
 * smtp_send() connects to mta and runs the dialogue: the 220 greeting,
 * EHLO helo_name (HELO when EHLO gets a 5xx), MAIL FROM:<mail_from>
 * ("" gives the null path <>), RCPT TO:<rcpt_to>, DATA, 354, the data,
 * the final dot, 250, QUIT.  No PIPELINING: one command, one reply.  It
 * copies everything it is given, data dot-stuffed and with every line
 * break made CRLF (RFC 5321 2.3.8, 4.5.2: a lone LF or CR could end the
 * data early on some servers), and a CRLF added if the data lacks one.
 * It returns a handle, or NULL with errno set: EINVAL for a helo_name
 * that is empty, longer than SMTP_HELO_MAX - 1 or not printable ASCII
 * without blanks, or a path longer than SMTP_PATH_MAX - 1 or holding a
 * blank, a control, '<' or '>'; ENOBUFS when SMTP_JOBS_MAX jobs run;
 * EAFNOSUPPORT, EMFILE, ENOMEM and the like from socket() or malloc().
 *
 * done runs exactly once, from the event loop and never from inside
 * smtp_send(), with
 *	SMTP_OK		only for a 250 to the final dot: the MTA took it;
 *	SMTP_PERMFAIL	a 5xx to MAIL, RCPT, DATA or the final dot: the
 *			MTA will never take this mail;
 *	SMTP_TEMPFAIL	anything else: a 4xx, a 5xx greeting or HELO (the
 *			MTA is misconfigured, the mail is not at fault), a
 *			refused connection, a closed connection, a reply
 *			line longer than SMTP_LINE_MAX with its CRLF, a
 *			reply of more than SMTP_REPLY_LINES lines, a
 *			malformed reply, or no progress for the timeout
 *			(SMTP_TIMEOUT, 30 s) in any step;
 * and reply, the server's last reply line or a description of the local
 * failure, made printable with strnvis(3) and valid until done returns.
 * The handle is freed when done returns.
 *
 * There are no retries in here: the offline queue, which owns the
 * message, retries a TEMPFAIL with its own back-off and expiry.  A
 * timeout after the data has gone out may still mean that the MTA took
 * the mail (RFC 5321 6.1); the retry then sends it again under the same
 * Message-ID, which lets a reader see the two as one.
 *
 * smtp_count() says how many jobs are running; one whose done is
 * running no longer counts, so done may start the next in its place.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>

#define SMTP_OK			0
#define SMTP_TEMPFAIL		1
#define SMTP_PERMFAIL		2

#define SMTP_LINE_MAX		512	/* reply line, CRLF in (4.5.3.1.5) */
#define SMTP_REPLY_LINES	100	/* of one multi-line reply */
#define SMTP_PATH_MAX		255	/* 256 with <> (4.5.3.1.3), no NUL */
#define SMTP_HELO_MAX		256	/* a domain name and the NUL */
#define SMTP_TIMEOUT		30000	/* ms per step */
#define SMTP_JOBS_MAX		64

struct smtp_job;

struct smtp_job	*smtp_send(const struct sockaddr *, socklen_t, const char *,
		    const char *, const char *, const char *, size_t,
		    void (*)(void *, int, const char *), void *);
size_t		 smtp_count(void);
const char	*smtp_result_name(int);

#endif /* IMD_SMTP_H */
