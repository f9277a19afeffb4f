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


#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <event.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdefs.h"
#include "config.h"
#include "imd_msg.h"
#include "log.h"
#include "proc.h"
#include "stats.h"

const char *proc_names[] = {
	[PROC_PARENT] = "parent",
	[PROC_LISTENER] = "listener",
	[PROC_RELAYD] = "relayd",
	[PROC_AUTHD] = "authd",
	[PROC_DIRDB] = "dirdb",
	[PROC_METRICSD] = "metricsd",
	[PROC_XMPPD] = "xmppd",
	[PROC_CONTROL] = "control",
};

/* The process graph: edges[a][b] when a and b talk. */
static const unsigned char proc_edges[PROC_MAX][PROC_MAX] = {
	[PROC_PARENT] = {
		[PROC_LISTENER] = 1, [PROC_RELAYD] = 1,
		[PROC_AUTHD] = 1, [PROC_DIRDB] = 1, [PROC_METRICSD] = 1,
		[PROC_XMPPD] = 1,
	},
	[PROC_LISTENER] = {
		[PROC_PARENT] = 1, [PROC_AUTHD] = 1,
		[PROC_DIRDB] = 1, [PROC_RELAYD] = 1, [PROC_XMPPD] = 1,
	},
	[PROC_RELAYD] = {
		[PROC_PARENT] = 1, [PROC_LISTENER] = 1, [PROC_DIRDB] = 1,
		[PROC_XMPPD] = 1,
	},
	[PROC_AUTHD] = {
		[PROC_PARENT] = 1, [PROC_LISTENER] = 1, [PROC_DIRDB] = 1,
	},
	[PROC_DIRDB] = {
		[PROC_PARENT] = 1, [PROC_LISTENER] = 1,
		[PROC_RELAYD] = 1, [PROC_AUTHD] = 1,
	},
	[PROC_METRICSD] = { [PROC_PARENT] = 1 },
	[PROC_XMPPD] = {
		[PROC_PARENT] = 1, [PROC_LISTENER] = 1, [PROC_RELAYD] = 1,
	},
};

/*
 * Descriptors travel from the parent only: it hands the listener,
 * metricsd and xmppd their bound sockets.  Every other channel refuses
 * one (lib/imsg.c).
 */
static const unsigned char proc_fd_edges[PROC_MAX][PROC_MAX] = {
	[PROC_PARENT] = { [PROC_LISTENER] = 1, [PROC_METRICSD] = 1,
	    [PROC_XMPPD] = 1 },
};

static const struct proc_self	*proc_self;
static int			(*proc_write_hook)(void);
static struct imsgev		 proc_chan[PROC_MAX];
static struct imsgev		 proc_workers[PROC_WORKERS_MAX];

unsigned int			 proc_nworkers = 1;
unsigned int			 proc_worker;
static char			 proc_title[32];	/* "listener 1" */

int
proc_has_edge(enum imd_proc a, enum imd_proc b)
{
	if (a >= PROC_MAX || b >= PROC_MAX)
		return (0);
	return (proc_edges[a][b]);
}

/* Whether a may send descriptors to b. */
int
proc_passes_fds(enum imd_proc a, enum imd_proc b)
{
	if (a >= PROC_MAX || b >= PROC_MAX)
		return (0);
	return (proc_fd_edges[a][b]);
}

const struct proc_peer *
proc_self_peer(const struct proc_self *self, enum imd_proc id)
{
	size_t	i;

	for (i = 0; i < self->ps_npeers; i++)
		if (self->ps_peers[i].pp_id == id)
			return (&self->ps_peers[i]);
	return (NULL);
}

static void
imsgev_closed(struct imsgev *iev)
{
	if (iev->iev_closed != NULL) {
		iev->iev_closed(iev);
		return;
	}
	/* The parent closes the channel to stop the suite. */
	if (iev->iev_peer == PROC_PARENT) {
		log_debug("parent gone, exiting");
		exit(0);
	}
	/* A sibling that went away takes the suite down with it. */
	if (iev->iev_peer == PROC_LISTENER && proc_nworkers > 1)
		fatalx("channel to %s %u closed", proc_names[iev->iev_peer],
		    iev->iev_worker);
	fatalx("channel to %s closed", proc_names[iev->iev_peer]);
}

/*
 * A descriptor on a channel that takes none (or more than it holds): a
 * child's channel to a peer of the suite ends the child; the parent's
 * ends (iev_closed) close as they do on any error.
 */
static void
imsgev_refused(struct imsgev *iev)
{
	log_warnx("refused a descriptor from %s", proc_names[iev->iev_peer]);
	if (iev->iev_closed == NULL)
		fatalx("channel to %s broken", proc_names[iev->iev_peer]);
}

static void
imsgev_handler(int fd IMD_UNUSED, short event, void *arg)
{
	struct imsgev	*iev = arg;
	struct imsg	 imsg;
	ssize_t		 n;
	int		 r;

	if (event & EV_READ) {
		n = imsgbuf_read(&iev->iev_ibuf);
		if (n == -1 && errno == EBADMSG)
			imsgev_refused(iev);
		if (n == 0 || (n == -1 && errno != EAGAIN)) {
			imsgev_closed(iev);
			return;
		}
		while ((r = imsg_get(&iev->iev_ibuf, &imsg)) == 1) {
			iev->iev_dispatch(iev, &imsg);
			imsg_free(&imsg);
			if (iev->iev_dead) {
				imsgev_closed(iev);
				return;
			}
		}
		if (r == -1) {
			log_warn("bad message from %s",
			    proc_names[iev->iev_peer]);
			imsgev_closed(iev);
			return;
		}
	}
	if (event & EV_WRITE) {
		iev->iev_wactive = 0;
		if (proc_write_hook != NULL && proc_write_hook() == -1)
			fatalx("cannot make the answers durable");
		if (imsgbuf_write(&iev->iev_ibuf) == -1) {
			imsgev_closed(iev);
			return;
		}
		iev->iev_wblocked = imsgbuf_queued(&iev->iev_ibuf);
	}
	imsgev_update(iev);
}

int
imsgev_init(struct imsgev *iev, int fd, enum imd_proc peer,
    void (*dispatch)(struct imsgev *, struct imsg *))
{
	int	flags;

	memset(iev, 0, sizeof(*iev));
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		return (-1);
	if (imsgbuf_init(&iev->iev_ibuf, fd) == -1)
		return (-1);
	iev->iev_peer = peer;
	iev->iev_dispatch = dispatch;
	return (0);
}

/*
 * Output queued on a channel whose socket took all it was given last
 * time is written in this turn of the event loop, after the callbacks
 * already due (so one write carries all they queue, and dirdb's hook
 * still runs once for them): the event is made active for writing, not
 * armed for it.  Arming it and disarming it again after the write cost
 * four epoll_ctl(2) calls per batch, a fifth of the kernel's time in
 * each process under REGISTER load.  The write event is armed only
 * while the socket is full.
 */
void
imsgev_update(struct imsgev *iev)
{
	short	events = EV_READ;

	if (imsgbuf_queued(&iev->iev_ibuf) && iev->iev_events == EV_READ &&
	    !iev->iev_wblocked) {
		if (!iev->iev_wactive) {
			iev->iev_wactive = 1;
			event_active(&iev->iev_ev, EV_WRITE, 1);
		}
		return;
	}
	if (imsgbuf_queued(&iev->iev_ibuf))
		events |= EV_WRITE;
	if (iev->iev_events == events)
		return;
	if (iev->iev_events != 0)
		event_del(&iev->iev_ev);
	iev->iev_events = events;
	event_set(&iev->iev_ev, iev->iev_ibuf.ib_fd, events | EV_PERSIST,
	    imsgev_handler, iev);
	event_add(&iev->iev_ev, NULL);
}

void
imsgev_clear(struct imsgev *iev)
{
	if (iev->iev_events != 0)
		event_del(&iev->iev_ev);
	iev->iev_events = 0;
	iev->iev_wactive = iev->iev_wblocked = 0;
	close(iev->iev_ibuf.ib_fd);
	imsgbuf_clear(&iev->iev_ibuf);
}

int
imsgev_compose(struct imsgev *iev, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	if (imsg_compose(&iev->iev_ibuf, type, peerid, fd, data, len) == -1)
		return (-1);
	imsgev_update(iev);
	return (0);
}

struct ibuf *
imsgev_create(struct imsgev *iev, uint32_t type, uint32_t peerid,
    size_t hint)
{
	return (imsg_create(&iev->iev_ibuf, type, peerid, hint));
}

int
imsgev_close(struct imsgev *iev, struct ibuf *buf)
{
	if (imsg_close(&iev->iev_ibuf, buf) == -1)
		return (-1);
	imsgev_update(iev);
	return (0);
}

int
imsgev_hello(struct imsgev *iev, enum imd_proc self)
{
	struct ibuf	*buf;

	if ((buf = imsg_create(&iev->iev_ibuf, IMSG_HELLO, 0, 8)) == NULL ||
	    ibuf_add_u32(buf, IMD_MSG_VERSION) == -1 ||
	    ibuf_add_u32(buf, self) == -1) {
		ibuf_free(buf);
		return (-1);
	}
	return (imsg_close(&iev->iev_ibuf, buf));
}

/* A peer's greeting: the catalogue version and who it claims to be. */
int
imsgev_check_hello(struct imsg *imsg, enum imd_proc expect)
{
	uint32_t	version, id;

	imsg_get_u32(imsg, &version);
	imsg_get_u32(imsg, &id);
	if (imsg->hdr.ih_type != IMSG_HELLO || imsg_get_end(imsg) == -1) {
		log_warnx("peer %s: no greeting", proc_names[expect]);
		return (-1);
	}
	if (version != IMD_MSG_VERSION) {
		log_warnx("peer %s speaks catalogue version %u, we %u",
		    proc_names[expect], version, IMD_MSG_VERSION);
		return (-1);
	}
	if (id != expect) {
		log_warnx("peer on the %s channel says it is %u",
		    proc_names[expect], id);
		return (-1);
	}
	return (0);
}

/*
 * Wait for one message, outside the event loop: start-up only.  Flushes
 * what is queued first.  Returns 1 with a message, 0 at end of file, -1
 * on error or after timeout milliseconds (-1: no limit).
 */
int
imsgev_wait(struct imsgev *iev, struct imsg *imsg, int timeout)
{
	struct pollfd	pfd;
	ssize_t		n;
	int		r;

	if (imsgbuf_flush(&iev->iev_ibuf) == -1)
		return (-1);
	for (;;) {
		if ((r = imsg_get(&iev->iev_ibuf, imsg)) != 0)
			return (r);
		pfd.fd = iev->iev_ibuf.ib_fd;
		pfd.events = POLLIN;
		if ((r = poll(&pfd, 1, timeout)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		if (r == 0) {
			errno = ETIMEDOUT;
			return (-1);
		}
		n = imsgbuf_read(&iev->iev_ibuf);
		if (n == 0)
			return (0);
		if (n == -1 && errno != EAGAIN)
			return (-1);
	}
}

void
proc_fatal_imsg(struct imsgev *iev, struct imsg *imsg, const char *what)
{
	fatalx("bad %s message (%s, %u bytes) from %s", what,
	    imsg_type_name(imsg->hdr.ih_type), imsg->hdr.ih_len,
	    proc_names[iev->iev_peer]);
}

/*
 * Runs before any queued message is written: dirdb makes its writes
 * durable there, once for all the answers of a batch.
 */
void
proc_before_write(int (*hook)(void))
{
	proc_write_hook = hook;
}

struct imsgev *
proc_peer(enum imd_proc id)
{
	if (id == PROC_LISTENER)
		return (proc_worker_peer(0));
	if (id >= PROC_MAX || proc_chan[id].iev_dispatch == NULL)
		return (NULL);
	return (&proc_chan[id]);
}

/* The channel to listener worker w (from a sibling or another worker). */
struct imsgev *
proc_worker_peer(unsigned int w)
{
	if (w >= PROC_WORKERS_MAX || proc_workers[w].iev_dispatch == NULL)
		return (NULL);
	return (&proc_workers[w]);
}

/*
 * The worker that owns an address (a presentity, a user's queue): one
 * FNV-1a hash of the address in lower case, the same in every process.
 */
unsigned int
proc_worker_of(const char *address)
{
	uint32_t	h = 2166136261U;
	unsigned char	c;

	if (proc_nworkers <= 1)
		return (0);
	for (; *address != '\0'; address++) {
		c = *address;
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		h = (h ^ c) * 16777619U;
	}
	return (h % proc_nworkers);
}

static void
proc_child_args(int argc, char **argv, int *debug, int *verbose)
{
	int	ch;

	*debug = 0;
	*verbose = 0;
	while ((ch = getopt(argc, argv, "dvw:W:")) != -1) {
		switch (ch) {
		case 'd':
			*debug = 1;
			break;
		case 'v':
			(*verbose)++;
			break;
		case 'w':
			proc_worker = strtoul(optarg, NULL, 10);
			break;
		case 'W':
			proc_nworkers = strtoul(optarg, NULL, 10);
			break;
		default:
			fatalx("usage: started by imd only");
		}
	}
	if (proc_nworkers < 1 || proc_nworkers > PROC_WORKERS_MAX ||
	    proc_worker >= proc_nworkers)
		fatalx("usage: started by imd only");
}

/*
 * The channels to the listener workers: every worker but oneself.  Only
 * the parent's channel to a worker carries descriptors.
 */
static void
proc_child_workers(const struct proc_self *self,
    const struct proc_peer *pp)
{
	struct imsgev	*iev;
	unsigned int	 w;

	if (self->ps_id == PROC_LISTENER)
		close(PROC_FD_WORKER(proc_worker));
	for (w = 0; w < proc_nworkers; w++) {
		if (self->ps_id == PROC_LISTENER && w == proc_worker)
			continue;
		iev = &proc_workers[w];
		if (imsgev_init(iev, PROC_FD_WORKER(w), PROC_LISTENER,
		    pp->pp_dispatch) == -1)
			fatal("channel to listener %u", w);
		iev->iev_worker = w;
	}
}

/* Each channel of the process in turn: fn(iev) for every one. */
static void
proc_child_each(const struct proc_self *self, void (*fn)(struct imsgev *))
{
	unsigned int	w;
	size_t		i;

	for (i = 0; i < self->ps_npeers; i++)
		if (self->ps_peers[i].pp_id != PROC_LISTENER)
			fn(&proc_chan[self->ps_peers[i].pp_id]);
	for (w = 0; w < proc_nworkers; w++)
		if (proc_workers[w].iev_dispatch != NULL)
			fn(&proc_workers[w]);
}

/* Open the channels the table lists, close the ones it does not. */
static void
proc_child_channels(const struct proc_self *self)
{
	const struct proc_peer	*pp;
	int			 p;
	size_t			 i;

	for (p = 0; p < PROC_MAX; p++) {
		if (proc_self_peer(self, p) == NULL) {
			close(PROC_FD(p));
			continue;
		}
		/* Workers talk to each other: the listener lists itself. */
		if (!proc_has_edge(self->ps_id, p) && !(p == PROC_LISTENER &&
		    self->ps_id == PROC_LISTENER))
			fatalx("no channel %s-%s in the process graph",
			    proc_names[self->ps_id], proc_names[p]);
	}
	for (i = 0; i < self->ps_npeers; i++) {
		pp = &self->ps_peers[i];
		if (pp->pp_id == PROC_LISTENER) {
			proc_child_workers(self, pp);
			continue;
		}
		if (imsgev_init(&proc_chan[pp->pp_id], PROC_FD(pp->pp_id),
		    pp->pp_id, pp->pp_dispatch) == -1)
			fatal("channel to %s", proc_names[pp->pp_id]);
		if (proc_passes_fds(pp->pp_id, self->ps_id))
			proc_chan[pp->pp_id].iev_ibuf.ib_nofd = 0;
	}
}

static void
proc_child_hello(struct imsgev *iev)
{
	if (iev->iev_peer == PROC_PARENT)
		return;
	if (imsgev_hello(iev, proc_self->ps_id) == -1 ||
	    imsgbuf_flush(&iev->iev_ibuf) == -1)
		fatal("greeting %s", proc_names[iev->iev_peer]);
}

static void
proc_child_hello_wait(struct imsgev *iev)
{
	struct imsg	 imsg;

	if (iev->iev_peer == PROC_PARENT)
		return;
	if (imsgev_wait(iev, &imsg, 10000) != 1)
		fatalx("no greeting from %s", proc_names[iev->iev_peer]);
	if (imsgev_check_hello(&imsg, iev->iev_peer) == -1)
		fatalx("mesh incomplete");
	imsg_free(&imsg);
}

static void
proc_child_greet(const struct proc_self *self)
{
	proc_child_each(self, proc_child_hello);
	proc_child_each(self, proc_child_hello_wait);
}

/* The parent's greeting, then the configuration up to IMSG_CONF_END. */
static struct imd_conf *
proc_child_conf(void)
{
	struct imsgev	*iev = &proc_chan[PROC_PARENT];
	struct imd_conf	*conf;
	struct imsg	 imsg;
	int		 done = 0;

	if ((conf = config_new()) == NULL)
		fatal("%s", __func__);
	if (imsgev_hello(iev, proc_self->ps_id) == -1 ||
	    imsgev_wait(iev, &imsg, 10000) != 1 ||
	    imsgev_check_hello(&imsg, PROC_PARENT) == -1)
		fatalx("no greeting from the parent");
	imsg_free(&imsg);
	while (!done) {
		if (imsgev_wait(iev, &imsg, 10000) != 1)
			fatalx("no configuration from the parent");
		done = config_recv(conf, proc_self->ps_id, iev, &imsg);
		imsg_free(&imsg);
	}
	return (conf);
}

/*
 * The first half of a child's life, before its own set-up: logging,
 * channels, the parent's configuration (into *self->ps_conf), the
 * greetings of its peers.
 */
void
proc_child_start(const struct proc_self *self, int argc, char **argv)
{
	int	debug, verbose;

	proc_self = self;
	proc_child_args(argc, argv, &debug, &verbose);
	if (self->ps_id == PROC_LISTENER && proc_nworkers > 1)
		snprintf(proc_title, sizeof(proc_title), "%s %u",
		    self->ps_title, proc_worker);
	else
		strlcpy(proc_title, self->ps_title, sizeof(proc_title));
	log_init(debug, verbose);
	log_procinit(proc_title);
	setproctitle_init(argc, argv, environ);

	/* Only the parent decides when the suite stops. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	/* Channels first: closing unlisted slots must not hit new fds. */
	proc_child_channels(self);
	if (event_init() == NULL)
		fatalx("event_init");
	*self->ps_conf = proc_child_conf();
	proc_child_greet(self);
}

static void
proc_check_jail(const char *dir)
{
	struct stat	sb;

	if (stat(dir, &sb) == -1)
		fatal("jail %s", dir);
	if (!S_ISDIR(sb.st_mode))
		fatalx("jail %s is not a directory", dir);
	if (sb.st_uid != 0 || (sb.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		fatalx("jail %s must be owned by root and not writable by "
		    "group or others", dir);
}

/*
 * Root jails the child and drops to the configured user; anyone else
 * runs unjailed, and says so loudly.
 */
void
proc_child_jail(const char *dir, uid_t uid, gid_t gid)
{
	if (geteuid() != 0) {
		log_warnx("WARNING: not started as root: no chroot, no "
		    "change of user (development mode)");
	} else {
		proc_check_jail(dir);
		if (chroot(dir) == -1)
			fatal("chroot %s", dir);
		if (chdir("/") == -1)
			fatal("chdir /");
		if (setgroups(1, &gid) == -1 ||
		    setresgid(gid, gid, gid) == -1 ||
		    setresuid(uid, uid, uid) == -1)
			fatal("cannot drop privileges");
		if (uid != 0 && setuid(0) != -1)
			fatalx("privileges still held after the drop");
	}
	setproctitle("-imd: %s", proc_title);
}

/* Messages read during start-up wait in the buffer: dispatch them. */
static void
proc_child_drain(struct imsgev *iev)
{
	struct imsg	imsg;
	int		r;

	while ((r = imsg_get(&iev->iev_ibuf, &imsg)) == 1) {
		iev->iev_dispatch(iev, &imsg);
		imsg_free(&imsg);
	}
	if (r == -1)
		fatal("bad message from %s", proc_names[iev->iev_peer]);
	imsgev_update(iev);
}

void
proc_child_ready(void)
{
	struct imsgev	*iev = &proc_chan[PROC_PARENT];

	proc_child_each(proc_self, proc_child_drain);
	if (imsgev_compose(iev, IMSG_READY, 0, -1, NULL, 0) == -1)
		fatal("%s", __func__);
}

void
proc_child_loop(void)
{
	event_dispatch();
	fatalx("event loop ended");
}

/*
 * A reloaded configuration, built beside the old one and swapped in
 * whole at IMSG_CONF_END; then the child's ps_reload.
 */
static void
proc_reload(struct imsgev *iev, struct imsg *imsg)
{
	static struct imd_conf	*pending;

	if (imsg->hdr.ih_type == IMSG_CONF_START) {
		if (pending != NULL)
			proc_fatal_imsg(iev, imsg, "nested configuration");
		if ((pending = config_new()) == NULL)
			fatal("%s", __func__);
	}
	if (pending == NULL)
		proc_fatal_imsg(iev, imsg, "configuration");
	if (config_recv(pending, proc_self->ps_id, iev, imsg) == 0)
		return;
	config_free(*proc_self->ps_conf);
	*proc_self->ps_conf = pending;
	pending = NULL;
	log_debug("configuration reloaded");
	if (proc_self->ps_reload != NULL)
		proc_self->ps_reload();
}

static void
proc_start(struct imsgev *iev, struct imsg *imsg)
{
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "start");
	if (proc_self->ps_start != NULL)
		proc_self->ps_start();
	log_debug("serving");
}

static void
proc_verbose(struct imsgev *iev, struct imsg *imsg)
{
	uint32_t	v;

	imsg_get_u32(imsg, &v);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "verbose");
	log_setverbose(v);
}

/*
 * What every child takes from the parent besides its own messages: the
 * start, a new verbosity, a reloaded configuration, a request for its
 * counters.  A child's parent
 * dispatcher ends here; anything else is not in the catalogue for it.
 */
void
proc_dispatch_parent(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_START:
		proc_start(iev, imsg);
		break;
	case IMSG_VERBOSE:
		proc_verbose(iev, imsg);
		break;
	case IMSG_STATS_GET:
		stats_answer(iev, imsg);
		break;
	default:
		/* The catalogue keeps the configuration's parts together. */
		if (imsg->hdr.ih_type >= IMSG_CONF_START &&
		    imsg->hdr.ih_type <= IMSG_CONF_END)
			proc_reload(iev, imsg);
		else
			proc_fatal_imsg(iev, imsg, "unexpected");
	}
}
