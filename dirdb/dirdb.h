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


#ifndef DIRDB_DIRDB_H
#define DIRDB_DIRDB_H

#include "imd_msg.h"
#include "proc.h"

/* dirdb.c */
void	dirdb_result(struct imsgev *, uint32_t, enum ctl_status,
	    const char *, ...) __attribute__((__format__ (printf, 4, 5)));

/* location.c */
void	loc_register(struct imsgev *, struct imsg *);
void	loc_unbind(struct imsgev *, struct imsg *);
void	loc_list(struct imsgev *, struct imsg *);
void	loc_sweep(void);
void	loc_lookup(struct imsgev *, struct imsg *);

/* mail_limit.c */
struct imd_conf;
struct offline_rec;
int	mail_limit_take(const char *, uint64_t);
void	mail_limit_hold(const struct offline_rec *, uint64_t);
int	mail_limit_summary(struct offline_rec *);
void	mail_limit_configure(const struct imd_conf *);

/* missed_call.c */
void	missed_call(struct imsgev *, struct imsg *);

/* presence.c */
void	presence_init(void);

/* gauges.c */
void	gauges_update(void);
void	presence_dispatch(struct imsgev *, struct imsg *);

/* queue.c */
void	queue_put(struct imsgev *, struct imsg *);
void	queue_next(struct imsgev *, struct imsg *);
void	queue_offer(const char *);
void	queue_list(struct imsgev *, struct imsg *);
void	queue_expire(void);
void	queue_mail_next(struct imsgev *, struct imsg *);
void	queue_mail_address(const char *, char *, size_t);
void	queue_mail_done(struct imsgev *, struct imsg *);
enum ctl_status queue_flush(const char *, size_t *);
void	queue_unmark(void);
void	queue_configure(const struct imd_conf *);

/* user_import.c */
void	user_import_item(struct imsgev *, struct imsg *);
void	user_import_end(struct imsgev *, struct imsg *);
void	user_export(struct imsgev *, struct imsg *);

#endif /* DIRDB_DIRDB_H */
