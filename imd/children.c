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
 * The children: one socketpair per edge of the process graph, fork and
 * exec of each program, the start-up handshake, supervision.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imd.h"
#include "imd_msg.h"
#include "log.h"

/*
 * Slot s of children[] and chan[][]: the process s below PROC_MAX (slot
 * PROC_LISTENER is listener worker 0), listener worker s - PROC_MAX + 1
 * above.  Slot 0 is the parent.
 */
#define CHILD_SLOTS	(PROC_MAX + PROC_WORKERS_MAX - 1)

static struct child	 children[CHILD_SLOTS];
static int		 chan[CHILD_SLOTS][CHILD_SLOTS];
static unsigned int	 nworkers = 1;

static void	child_dispatch(struct imsgev *, struct imsg *);
static void	child_closed(struct imsgev *);

static enum imd_proc
slot_proc(int s)
{
	return (s >= PROC_MAX ? PROC_LISTENER : (enum imd_proc)s);
}

static unsigned int
slot_worker(int s)
{
	return (s >= PROC_MAX ? (unsigned int)(s - PROC_MAX + 1) : 0);
}

/* Whether slot s holds a process of this suite. */
static int
slot_used(int s)
{
	return (s > PROC_PARENT && s < CHILD_SLOTS &&
	    slot_worker(s) < nworkers);
}

/* Worker to worker, or an edge of the process graph. */
static int
slot_edge(int a, int b)
{
	if (a == b || (a != PROC_PARENT && !slot_used(a)) ||
	    (b != PROC_PARENT && !slot_used(b)))
		return (0);
	if (slot_proc(a) == PROC_LISTENER && slot_proc(b) == PROC_LISTENER)
		return (1);
	return (proc_has_edge(slot_proc(a), slot_proc(b)));
}

struct child *
child_get(enum imd_proc id)
{
	if (id <= PROC_PARENT || id >= PROC_MAX || children[id].ch_pid == 0)
		return (NULL);
	return (&children[id]);
}

struct child *
child_get_worker(unsigned int w)
{
	int	s = w == 0 ? PROC_LISTENER : (int)(PROC_MAX + w - 1);

	if (w >= nworkers || children[s].ch_pid == 0)
		return (NULL);
	return (&children[s]);
}

/* The running children in turn, from child_next(NULL). */
struct child *
child_next(struct child *ch)
{
	int	s = ch == NULL ? PROC_PARENT : ch - children;

	while (++s < CHILD_SLOTS)
		if (slot_used(s) && children[s].ch_pid != 0)
			return (&children[s]);
	return (NULL);
}

/* "listener 1" when there are several workers, else the program. */
const char *
child_name(const struct child *ch, char *buf, size_t size)
{
	if (ch->ch_id != PROC_LISTENER || nworkers == 1)
		return (proc_names[ch->ch_id]);
	snprintf(buf, size, "%s %u", proc_names[ch->ch_id], ch->ch_worker);
	return (buf);
}

/* Programs live in ../libexec/imd beside the directory of imd itself. */
static void
child_path(const char *name, char *path, size_t size)
{
	char	self[PATH_MAX];
	ssize_t	n;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) == -1)
		fatal("readlink /proc/self/exe");
	self[n] = '\0';
	if ((size_t)snprintf(path, size, "%s/../libexec/imd/%s",
	    dirname(self), name) >= size)
		fatalx("path of %s too long", name);
}

static void
channels_create(void)
{
	int	a, b, sv[2];

	for (a = 0; a < CHILD_SLOTS; a++)
		for (b = 0; b < CHILD_SLOTS; b++)
			chan[a][b] = -1;
	for (a = 0; a < CHILD_SLOTS; a++) {
		for (b = a + 1; b < CHILD_SLOTS; b++) {
			if (!slot_edge(a, b))
				continue;
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
			    sv) == -1)
				fatal("socketpair");
			chan[a][b] = sv[0];
			chan[b][a] = sv[1];
		}
	}
}

/*
 * In the forked child: its channel to process q at PROC_FD(q), nothing
 * else open above stderr.  Moving every end out of the way first keeps
 * one dup2() from closing an end another still needs.
 */
static void
child_arrange_fds(int self)
{
	int	high[CHILD_SLOTS], q, fd;

	for (q = 0; q < CHILD_SLOTS; q++) {
		high[q] = -1;
		if (chan[self][q] != -1 && (high[q] = fcntl(chan[self][q],
		    F_DUPFD_CLOEXEC, PROC_FD_ALL_END + 64)) == -1)
			_exit(127);
	}
	for (fd = PROC_FD(0); fd < PROC_FD_ALL_END; fd++)
		close(fd);
	for (q = 0; q < CHILD_SLOTS; q++) {
		if (high[q] == -1)
			continue;
		fd = slot_proc(q) == PROC_LISTENER ?
		    PROC_FD_WORKER(slot_worker(q)) : PROC_FD(q);
		if (dup2(high[q], fd) == -1)
			_exit(127);
	}
	closefrom(PROC_FD_ALL_END);
}

static pid_t
child_spawn(int slot, int debug, int verbose)
{
	enum imd_proc	 id = slot_proc(slot);
	char		 path[PATH_MAX], *argv[12], w[16], n[16];
	int		 argc = 0;
	pid_t		 pid;

	child_path(proc_names[id], path, sizeof(path));
	snprintf(w, sizeof(w), "-w%u", slot_worker(slot));
	snprintf(n, sizeof(n), "-W%u", nworkers);
	argv[argc++] = (char *)proc_names[id];
	if (debug)
		argv[argc++] = "-d";
	while (verbose-- > 0 && argc < 7)
		argv[argc++] = "-v";
	argv[argc++] = n;
	if (id == PROC_LISTENER)
		argv[argc++] = w;
	argv[argc] = NULL;

	switch (pid = fork()) {
	case -1:
		fatal("fork");
	case 0:
		child_arrange_fds(slot);
		execv(path, argv);
		fprintf(stderr, "imd: exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	return (pid);
}

void
children_start(int debug, int verbose)
{
	struct child	*ch;
	int		 s, q;

	nworkers = config_workers(imd_conf);
	proc_nworkers = nworkers;	/* proc_worker_of() in the parent */
	channels_create();
	for (s = PROC_LISTENER; s < CHILD_SLOTS; s++) {
		if (!slot_used(s))
			continue;
		ch = &children[s];
		ch->ch_id = slot_proc(s);
		ch->ch_worker = slot_worker(s);
		if ((ch->ch_peer = proc_self_peer(&parent_self, ch->ch_id)) ==
		    NULL)
			fatalx("%s is not in the parent's peers",
			    proc_names[ch->ch_id]);
		ch->ch_pid = child_spawn(s, debug, verbose);
		ch->ch_started = time(NULL);
	}
	/* The parent keeps its own ends only. */
	for (s = PROC_LISTENER; s < CHILD_SLOTS; s++)
		for (q = PROC_LISTENER; q < CHILD_SLOTS; q++)
			if (chan[s][q] != -1)
				close(chan[s][q]);
	for (ch = child_next(NULL); ch != NULL; ch = child_next(ch)) {
		s = ch - children;
		if (imsgev_init(&ch->ch_iev, chan[PROC_PARENT][s], ch->ch_id,
		    child_dispatch) == -1)
			fatal("channel to %s", proc_names[ch->ch_id]);
		ch->ch_iev.iev_owner = ch;
		ch->ch_iev.iev_worker = ch->ch_worker;
		ch->ch_iev.iev_closed = child_closed;
		if (ch->ch_id == PROC_LISTENER)
			setup_listens_of(imd_conf, ch->ch_worker);
		if (imsgev_hello(&ch->ch_iev, PROC_PARENT) == -1 ||
		    config_send(&ch->ch_iev, imd_conf, ch->ch_id, 0) == -1)
			fatal("configuration for %s", proc_names[ch->ch_id]);
		imsgev_update(&ch->ch_iev);
	}
	if (nworkers > 1)
		log_info("%u listener workers", nworkers);
}

unsigned int
children_workers(void)
{
	return (nworkers);
}

int
children_all_ready(void)
{
	struct child	*ch;

	for (ch = child_next(NULL); ch != NULL; ch = child_next(ch))
		if (!ch->ch_ready)
			return (0);
	return (1);
}

static void
children_go(void)
{
	struct child	*ch;

	for (ch = child_next(NULL); ch != NULL; ch = child_next(ch))
		imsgev_compose(&ch->ch_iev, IMSG_START, 0, -1, NULL, 0);
	control_listen();
	log_info("ready: %s", imd_conf->c_file);
}

static void
child_dispatch_startup(struct child *ch, struct imsg *imsg)
{
	char	name[32];

	if (!ch->ch_greeted) {
		if (imsgev_check_hello(imsg, ch->ch_id) == -1)
			imd_shutdown(1);
		ch->ch_greeted = 1;
		return;
	}
	if (imsg->hdr.ih_type != IMSG_READY || imsg_get_end(imsg) == -1 ||
	    ch->ch_ready)
		proc_fatal_imsg(&ch->ch_iev, imsg, "start-up");
	ch->ch_ready = 1;
	log_debug("%s ready, pid %d", child_name(ch, name, sizeof(name)),
	    ch->ch_pid);
	if (children_all_ready())
		children_go();
}

static void
child_dispatch(struct imsgev *iev, struct imsg *imsg)
{
	struct child	*ch = iev->iev_owner;

	if (!ch->ch_ready) {
		child_dispatch_startup(ch, imsg);
		return;
	}
	ch->ch_peer->pp_dispatch(iev, imsg);
}

static void
child_closed(struct imsgev *iev)
{
	struct child	*ch = iev->iev_owner;
	char		 name[32];

	log_warnx("lost the channel to %s", child_name(ch, name,
	    sizeof(name)));
	imd_shutdown(1);
}

/* Any child that ends ends the suite: the service manager restarts it. */
void
children_reap(void)
{
	struct child	*ch;
	char		 name[32];
	pid_t		 pid;
	int		 status, lost = 0;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (ch = child_next(NULL); ch != NULL; ch = child_next(ch)) {
			if (ch->ch_pid != pid)
				continue;
			ch->ch_pid = 0;
			lost = 1;
			if (WIFSIGNALED(status))
				log_warnx("%s (pid %d) killed by signal %d",
				    child_name(ch, name, sizeof(name)), pid,
				    WTERMSIG(status));
			else
				log_warnx("%s (pid %d) exited with status %d",
				    child_name(ch, name, sizeof(name)), pid,
				    WEXITSTATUS(status));
			break;
		}
	}
	if (lost)
		imd_shutdown(1);
}

/*
 * Closing a child's channel tells it to exit; a child still there after
 * a second is killed.
 */
void
children_stop(void)
{
	struct timespec	 tick = { 0, 20 * 1000 * 1000 };
	struct child	*ch;
	char		 name[32];
	int		 s, left, i, status;

	for (s = PROC_LISTENER; s < CHILD_SLOTS; s++) {
		if (children[s].ch_iev.iev_ibuf.ib_rbuf != NULL)
			imsgev_clear(&children[s].ch_iev);
	}
	for (i = 0; i < 50; i++) {
		left = 0;
		for (ch = child_next(NULL); ch != NULL; ch = child_next(ch)) {
			if (waitpid(ch->ch_pid, &status, WNOHANG) ==
			    ch->ch_pid)
				ch->ch_pid = 0;
			else
				left++;
		}
		if (left == 0)
			return;
		nanosleep(&tick, NULL);
	}
	for (ch = child_next(NULL); ch != NULL; ch = child_next(ch)) {
		log_warnx("%s (pid %d) did not stop, killing it",
		    child_name(ch, name, sizeof(name)), ch->ch_pid);
		kill(ch->ch_pid, SIGKILL);
		waitpid(ch->ch_pid, &status, 0);
		ch->ch_pid = 0;
	}
}

void
children_reload(struct imd_conf *conf)
{
	struct child	*ch;

	for (ch = child_next(NULL); ch != NULL; ch = child_next(ch))
		if (config_send(&ch->ch_iev, conf, ch->ch_id, 1) == -1)
			fatal("reload of %s", proc_names[ch->ch_id]);
}

void
children_verbose(int verbose)
{
	struct child	*ch;
	uint32_t	 v = verbose;

	for (ch = child_next(NULL); ch != NULL; ch = child_next(ch))
		imsgev_compose(&ch->ch_iev, IMSG_VERBOSE, 0, -1, &v,
		    sizeof(v));
}
