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

#ifndef IMCTL_IMCTL_H
#define IMCTL_IMCTL_H

/* imctl: what its commands share. */

#include <stdint.h>
#include <time.h>

#include "imsg.h"

/* Exit statuses; documented in imctl(8), so never renumber them. */
#define EXIT_OK		0
#define EXIT_ERROR	1
#define EXIT_USAGE	2
#define EXIT_EXISTS	3
#define EXIT_NOUSER	4
#define EXIT_BADADDR	5
#define EXIT_BADDOMAIN	6
#define EXIT_BADPASS	7
#define EXIT_BADLINES	8	/* user import: lines refused, none added */

struct ctl_conn {
	struct imsgbuf	cc_ibuf;
	struct timespec	cc_deadline;	/* CLOCK_MONOTONIC */
};

struct imsg;

/* imctl.c */
void		 ctl_open(struct ctl_conn *, const char *);
void		 ctl_close(struct ctl_conn *);
const char	*ctl_vis(const char *, char *, size_t);
void		 ctl_read(struct ctl_conn *, struct imsg *);
void		 ctl_deadline(struct ctl_conn *);
void		 ctl_badreply(void) __attribute__((__noreturn__));
int		 ctl_result_exit(struct imsg *);

/* import.c */
int		 user_import(const char *, const char *);
int		 user_export(const char *);

#endif /* IMCTL_IMCTL_H */
