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


#ifndef IMD_PROC_H
#define IMD_PROC_H

/*
 * The processes of the suite and the channels between them.
 *
 * The graph, written down once (docs/ARCHITECTURE draws it too):
 *
 *	parent   - listener, relayd, authd, dirdb, metricsd, xmppd
 *	listener - authd, dirdb, relayd, xmppd
 *	relayd   - dirdb, xmppd
 *	authd    - dirdb
 *
 * The parent creates one socketpair per edge before it forks.  In a child
 * the channel to process P is descriptor PROC_FD(P); every other
 * descriptor above 2 is closed before exec.
 *
 * Descriptors travel parent -> listener, parent -> metricsd and
 * parent -> xmppd only (the bound sockets); every other channel
 * refuses them.
 */

#include <sys/types.h>

#include <event.h>
#include <stdint.h>

#include "imsg.h"

enum imd_proc {
	PROC_PARENT,
	PROC_LISTENER,
	PROC_RELAYD,
	PROC_AUTHD,
	PROC_DIRDB,
	PROC_METRICSD,
	PROC_XMPPD,
	PROC_MAX,
	PROC_CONTROL = PROC_MAX,	/* imctl, on the control socket */
};

#define PROC_FD(p)	(3 + (p))
#define PROC_FD_END	PROC_FD(PROC_MAX)

/*
 * Listener workers: `listener workers N` starts N listener processes.
 * Every process with an edge to the listener has one channel to each
 * worker, and the workers one to each other: worker w's channel is at
 * PROC_FD_WORKER(w), worker 0's the listener's own slot.
 */
#define PROC_WORKERS_MAX	16	/* IMD_WORKERS_MAX */
#define PROC_FD_WORKER(w)	((w) == 0 ? PROC_FD(PROC_LISTENER) : \
				    PROC_FD_END + (int)(w) - 1)
#define PROC_FD_ALL_END		(PROC_FD_END + PROC_WORKERS_MAX - 1)

/*
 * A request id a worker gives (its held requests, relayd's jobs) names
 * the worker in bits 27-30, so that ids are unique in the suite and
 * relayd answers the worker that asked; bit 31 is the listener's own.
 */
#define PROC_ID_WORKER_SHIFT	27
#define PROC_ID_COUNTER		0x07ffffffU
#define PROC_ID_WORKER(id)	(((id) >> PROC_ID_WORKER_SHIFT) & 0xf)
#define PROC_ID_MAKE(n)		(((uint32_t)proc_worker << \
				    PROC_ID_WORKER_SHIFT) | \
				    ((n) & PROC_ID_COUNTER))

struct imsgev {
	struct imsgbuf	 iev_ibuf;
	struct event	 iev_ev;
	short		 iev_events;
	int		 iev_wactive;	/* a write made active, not yet run */
	int		 iev_wblocked;	/* the socket was full at the last */
	enum imd_proc	 iev_peer;
	unsigned int	 iev_worker;	/* a listener peer: which worker */
	int		 iev_dead;	/* the dispatcher gave up on it */
	void		*iev_owner;
	void		(*iev_dispatch)(struct imsgev *, struct imsg *);
	void		(*iev_closed)(struct imsgev *);
};

struct proc_peer {
	enum imd_proc	  pp_id;
	void		(*pp_dispatch)(struct imsgev *, struct imsg *);
};

/*
 * A process as data: who it is, whom it talks to, where its configuration
 * lives, and what it does when the parent says start (ps_start) and after
 * a reloaded configuration replaced *ps_conf (ps_reload); either may be
 * NULL.  The parent's own table is parent_self (imd/imd.c).
 */
struct imd_conf;
struct proc_self {
	enum imd_proc		 ps_id;
	const char		*ps_title;
	const struct proc_peer	*ps_peers;
	size_t			 ps_npeers;
	struct imd_conf		**ps_conf;
	void			(*ps_start)(void);
	void			(*ps_reload)(void);
};

extern const char	*proc_names[];

int	 proc_has_edge(enum imd_proc, enum imd_proc);
int	 proc_passes_fds(enum imd_proc, enum imd_proc);
const struct proc_peer *proc_self_peer(const struct proc_self *,
	    enum imd_proc);

/* imsgev: an imsgbuf driven by libevent */
int	 imsgev_init(struct imsgev *, int, enum imd_proc,
	    void (*)(struct imsgev *, struct imsg *));
void	 imsgev_update(struct imsgev *);
void	 imsgev_clear(struct imsgev *);
/*
 * A first size for a message that is usually short: the buffer grows as
 * it fills.  Sized for the record's largest form (several KB), a buffer
 * took malloc's large-chunk path (1 KB and more), which consolidates the
 * heap; this one, with its header, stays below it.
 */
#define IMSG_HINT_SMALL	960

int	 imsgev_compose(struct imsgev *, uint32_t, uint32_t, int,
	    const void *, size_t);
struct ibuf *imsgev_create(struct imsgev *, uint32_t, uint32_t, size_t);
int	 imsgev_close(struct imsgev *, struct ibuf *);
int	 imsgev_hello(struct imsgev *, enum imd_proc);
int	 imsgev_check_hello(struct imsg *, enum imd_proc);
int	 imsgev_wait(struct imsgev *, struct imsg *, int);

/* children */
extern unsigned int	 proc_nworkers;	/* listener workers, from -W */
extern unsigned int	 proc_worker;	/* a listener's own index, -w */
struct imsgev	*proc_peer(enum imd_proc);
struct imsgev	*proc_worker_peer(unsigned int);
unsigned int	 proc_worker_of(const char *);
void		 proc_before_write(int (*)(void));
void		 proc_child_start(const struct proc_self *, int, char **);
void		 proc_child_jail(const char *, uid_t, gid_t);
void		 proc_child_ready(void);
void		 proc_child_loop(void) __attribute__((__noreturn__));
void		 proc_dispatch_parent(struct imsgev *, struct imsg *);
void		 proc_fatal_imsg(struct imsgev *, struct imsg *, const char *)
		    __attribute__((__noreturn__));

#endif /* IMD_PROC_H */
