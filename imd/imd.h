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


#ifndef IMD_IMD_H
#define IMD_IMD_H

/* The parent process. */

#include <sys/types.h>

#include <time.h>

#include "config.h"
#include "proc.h"

struct child {
	enum imd_proc	 ch_id;
	pid_t		 ch_pid;
	time_t		 ch_started;
	struct imsgev	 ch_iev;
	int		 ch_greeted;
	int		 ch_ready;
};

extern struct imd_conf	*imd_conf;
extern time_t		 imd_started;

/* children.c */
void		 children_start(int, int);
struct child	*child_get(enum imd_proc);
void		 children_reap(void);
void		 children_stop(void);
void		 children_reload(struct imd_conf *);
void		 children_verbose(int);
int		 children_all_ready(void);

/* control.c */
void		 control_init(const char *);
void		 control_listen(void);
void		 control_cleanup(const char *);
void		 control_dispatch_dirdb(struct imsgev *, struct imsg *);
void		 control_dispatch_listener(struct imsgev *, struct imsg *);

/* setup.c */
void		 setup_listens(struct imd_conf *);
void		 setup_dirs(const struct imd_conf *);

/* imd.c */
void		 imd_shutdown(int) __attribute__((__noreturn__));

#endif /* IMD_IMD_H */
