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

#ifndef IMD_MAILER_H
#define IMD_MAILER_H

/*
 * relayd's side of the offline queue: the messages that fall due for
 * mail go to the local MTA (relayd/mailer.c).
 *
 * mailer_init() takes the address of relayd's configuration pointer,
 * which a reload replaces, and sets up the poll timer; call it before
 * relayd reports ready.  mailer_start() asks dirdb for the first time,
 * at IMSG_START.  mailer_dispatch_dirdb() takes dirdb's messages of the
 * mail queue and returns 1, or 0 for a message that is not one of
 * them.
 */

struct imd_conf;
struct imsgev;
struct imsg;

void	mailer_init(struct imd_conf **);
void	mailer_start(void);
int	mailer_dispatch_dirdb(struct imsgev *, struct imsg *);

#endif /* IMD_MAILER_H */
