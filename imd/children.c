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

static struct child	 children[PROC_MAX];
static int		 chan[PROC_MAX][PROC_MAX];

static void	child_dispatch(struct imsgev *, struct imsg *);
static void	child_closed(struct imsgev *);

struct child *
child_get(enum imd_proc id)
{
	if (id <= PROC_PARENT || id >= PROC_MAX || children[id].ch_pid == 0)
		return (NULL);
	return (&children[id]);
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

	for (a = 0; a < PROC_MAX; a++)
		for (b = 0; b < PROC_MAX; b++)
			chan[a][b] = -1;
	for (a = 0; a < PROC_MAX; a++) {
		for (b = a + 1; b < PROC_MAX; b++) {
			if (!proc_has_edge(a, b))
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
child_arrange_fds(enum imd_proc self)
{
	int	high[PROC_MAX], q;

	for (q = 0; q < PROC_MAX; q++) {
		high[q] = -1;
		if (chan[self][q] != -1 && (high[q] = fcntl(chan[self][q],
		    F_DUPFD_CLOEXEC, PROC_FD_END + 64)) == -1)
			_exit(127);
	}
	for (q = 0; q < PROC_MAX; q++) {
		if (high[q] != -1) {
			if (dup2(high[q], PROC_FD(q)) == -1)
				_exit(127);
		} else
			close(PROC_FD(q));
	}
	closefrom(PROC_FD_END);
}

static pid_t
child_spawn(enum imd_proc id, int debug, int verbose)
{
	char	 path[PATH_MAX], *argv[8];
	int	 argc = 0;
	pid_t	 pid;

	child_path(proc_names[id], path, sizeof(path));
	argv[argc++] = (char *)proc_names[id];
	if (debug)
		argv[argc++] = "-d";
	while (verbose-- > 0 && argc < 7)
		argv[argc++] = "-v";
	argv[argc] = NULL;

	switch (pid = fork()) {
	case -1:
		fatal("fork");
	case 0:
		child_arrange_fds(id);
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
	int		 id, q;

	channels_create();
	for (id = PROC_LISTENER; id < PROC_MAX; id++) {
		ch = &children[id];
		ch->ch_id = id;
		if ((ch->ch_peer = proc_self_peer(&parent_self, id)) == NULL)
			fatalx("%s is not in the parent's peers",
			    proc_names[id]);
		ch->ch_pid = child_spawn(id, debug, verbose);
		ch->ch_started = time(NULL);
	}
	/* The parent keeps its own ends only. */
	for (id = PROC_LISTENER; id < PROC_MAX; id++)
		for (q = PROC_LISTENER; q < PROC_MAX; q++)
			if (chan[id][q] != -1)
				close(chan[id][q]);
	for (id = PROC_LISTENER; id < PROC_MAX; id++) {
		ch = &children[id];
		if (imsgev_init(&ch->ch_iev, chan[PROC_PARENT][id], id,
		    child_dispatch) == -1)
			fatal("channel to %s", proc_names[id]);
		ch->ch_iev.iev_owner = ch;
		ch->ch_iev.iev_closed = child_closed;
		if (imsgev_hello(&ch->ch_iev, PROC_PARENT) == -1 ||
		    config_send(&ch->ch_iev, imd_conf, id, 0) == -1)
			fatal("configuration for %s", proc_names[id]);
		imsgev_update(&ch->ch_iev);
	}
}

int
children_all_ready(void)
{
	int	id;

	for (id = PROC_LISTENER; id < PROC_MAX; id++)
		if (!children[id].ch_ready)
			return (0);
	return (1);
}

static void
children_go(void)
{
	int	id;

	for (id = PROC_LISTENER; id < PROC_MAX; id++)
		imsgev_compose(&children[id].ch_iev, IMSG_START, 0, -1, NULL,
		    0);
	control_listen();
	log_info("ready: %s", imd_conf->c_file);
}

static void
child_dispatch_startup(struct child *ch, struct imsg *imsg)
{
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
	log_debug("%s ready, pid %d", proc_names[ch->ch_id], ch->ch_pid);
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

	log_warnx("lost the channel to %s", proc_names[ch->ch_id]);
	imd_shutdown(1);
}

/* Any child that ends ends the suite: the service manager restarts it. */
void
children_reap(void)
{
	pid_t	pid;
	int	status, id, lost = 0;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (id = PROC_LISTENER; id < PROC_MAX; id++) {
			if (children[id].ch_pid != pid)
				continue;
			children[id].ch_pid = 0;
			lost = 1;
			if (WIFSIGNALED(status))
				log_warnx("%s (pid %d) killed by signal %d",
				    proc_names[id], pid, WTERMSIG(status));
			else
				log_warnx("%s (pid %d) exited with status %d",
				    proc_names[id], pid, WEXITSTATUS(status));
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
	pid_t		 pid;
	int		 id, left, i, status;

	for (id = PROC_LISTENER; id < PROC_MAX; id++) {
		if (children[id].ch_iev.iev_ibuf.ib_rbuf != NULL)
			imsgev_clear(&children[id].ch_iev);
	}
	for (i = 0; i < 50; i++) {
		left = 0;
		for (id = PROC_LISTENER; id < PROC_MAX; id++) {
			if ((pid = children[id].ch_pid) == 0)
				continue;
			if (waitpid(pid, &status, WNOHANG) == pid)
				children[id].ch_pid = 0;
			else
				left++;
		}
		if (left == 0)
			return;
		nanosleep(&tick, NULL);
	}
	for (id = PROC_LISTENER; id < PROC_MAX; id++) {
		if ((pid = children[id].ch_pid) == 0)
			continue;
		log_warnx("%s (pid %d) did not stop, killing it",
		    proc_names[id], pid);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		children[id].ch_pid = 0;
	}
}

void
children_reload(struct imd_conf *conf)
{
	int	id;

	for (id = PROC_LISTENER; id < PROC_MAX; id++)
		if (config_send(&children[id].ch_iev, conf, id, 1) == -1)
			fatal("reload of %s", proc_names[id]);
}

void
children_verbose(int verbose)
{
	uint32_t	v = verbose;
	int		id;

	for (id = PROC_LISTENER; id < PROC_MAX; id++)
		imsgev_compose(&children[id].ch_iev, IMSG_VERBOSE, 0, -1, &v,
		    sizeof(v));
}
