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
#include "imd_msg.h"
#include "proc.h"

struct child {
	enum imd_proc	 ch_id;
	unsigned int	 ch_worker;	/* a listener: which worker */
	const struct proc_peer *ch_peer;	/* its row of parent_peers[] */
	pid_t		 ch_pid;
	time_t		 ch_started;
	struct imsgev	 ch_iev;
	int		 ch_greeted;
	int		 ch_ready;
};

struct ctl_conn;
struct ibuf;

extern struct imd_conf		*imd_conf;
extern time_t			 imd_started;
extern const struct proc_self	 parent_self;

/* children.c */
void		 children_start(int, int);
struct child	*child_get(enum imd_proc);
struct child	*child_get_worker(unsigned int);
struct child	*child_next(struct child *);
const char	*child_name(const struct child *, char *, size_t);
void		 children_reap(void);
void		 children_stop(void);
void		 children_reload(struct imd_conf *);
void		 children_verbose(int);
int		 children_all_ready(void);
unsigned int	 children_workers(void);

/* control.c */
void		 control_init(const char *);
void		 control_listen(void);
void		 control_cleanup(const char *);
struct ctl_conn	*control_client(uint32_t);
void		 control_answer(struct ctl_conn *, uint32_t, const char *);
struct ibuf	*control_item(struct ctl_conn *, uint32_t, size_t);
void		 control_item_close(struct ctl_conn *, struct ibuf *);
void		 control_list_end(struct ctl_conn *);

/* parent.c */
void		 parent_dispatch_listener(struct imsgev *, struct imsg *);
void		 parent_dispatch_relayd(struct imsgev *, struct imsg *);
void		 parent_dispatch_authd(struct imsgev *, struct imsg *);
void		 parent_dispatch_dirdb(struct imsgev *, struct imsg *);
void		 parent_dispatch_metricsd(struct imsgev *, struct imsg *);

/* stats.c */
void		 stats_gather(enum imd_proc, uint32_t);
void		 stats_child_set(struct imsgev *, struct imsg *);

/* user_make.c */
struct user_rec;
struct conf_domain *user_domain(const char *, char *, size_t,
		    enum ctl_status *, char *, size_t);
enum ctl_status	 user_make(const char *, const char *, const char *,
		    const char *, const char *, struct user_rec *, char *,
		    size_t);
void		 parent_dispatch_xmppd(struct imsgev *, struct imsg *);

/* setup.c */
void		 setup_listens(struct imd_conf *);
void		 setup_listens_of(struct imd_conf *, unsigned int);
void		 setup_metrics(struct imd_conf *);
void		 setup_dirs(const struct imd_conf *);

/* imd.c */
void		 imd_shutdown(int) __attribute__((__noreturn__));

#endif /* IMD_IMD_H */
