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
#include <sys/socket.h>
#include <sys/wait.h>

#include <dirent.h>
#include <err.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "testenv.h"

char	testenv_dir[PATH_MAX];
char	testenv_log[PATH_MAX];
static pid_t testenv_pid;	/* the test's own process */

const char *
testenv_path(char *buf, size_t size, const char *name)
{
	if ((size_t)snprintf(buf, size, "%s/%s", testenv_dir, name) >= size)
		errx(1, "%s/%s: path too long", testenv_dir, name);
	return (buf);
}

/*
 * The environment is flat: its files and nothing else.  A child that
 * exits through exit(3), as fatalx() does, leaves it to the test.
 */
static void
testenv_cleanup(void)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[PATH_MAX];

	if (getpid() != testenv_pid)
		return;
	store_close();
	if (testenv_dir[0] == '\0' || (d = opendir(testenv_dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		unlink(testenv_path(path, sizeof(path), de->d_name));
	}
	closedir(d);
	rmdir(testenv_dir);
}

/*
 * The log goes to a file, so that a test can show no secret reached it
 * and its .t can show it when the test fails; stderr is the log in the
 * foreground.
 */
void
testenv_setup(const char *name)
{
	const char	*t;
	int		 fd;

	if ((t = getenv("TMPDIR")) == NULL || *t == '\0')
		t = "/tmp";
	if ((size_t)snprintf(testenv_dir, sizeof(testenv_dir),
	    "%s/%s.XXXXXX", t, name) >= sizeof(testenv_dir) ||
	    mkdtemp(testenv_dir) == NULL)
		err(1, "mkdtemp");
	testenv_pid = getpid();
	atexit(testenv_cleanup);
	testenv_path(testenv_log, sizeof(testenv_log), "test.log");
	if ((fd = open(testenv_log, O_WRONLY | O_CREAT | O_TRUNC, 0600)) ==
	    -1 || dup2(fd, STDERR_FILENO) == -1)
		err(1, "%s", testenv_log);
	close(fd);
	log_init(1, 0);
	log_procinit("dirdb");
}

void
testenv_pair(int *sv, struct imsgbuf *wb, struct imsgbuf *rb)
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		err(1, "socketpair");
	if (fcntl(sv[1], F_SETFL, O_NONBLOCK) == -1 ||
	    imsgbuf_init(wb, sv[0]) == -1 || imsgbuf_init(rb, sv[1]) == -1)
		err(1, "imsgbuf_init");
}

/* One message across the pair: 1 when it arrived. */
int
testenv_send(struct imsgbuf *wb, struct imsgbuf *rb, const void *data,
    size_t len, struct imsg *imsg)
{
	int	r;

	if (imsg_compose(wb, 1, 0, -1, data, len) == -1 ||
	    imsgbuf_flush(wb) == -1)
		return (-1);
	while ((r = imsg_get(rb, imsg)) == 0)
		if (imsgbuf_read(rb) <= 0)
			return (0);
	return (r);
}

/*
 * The store is closed and a child opens it, writes, and is killed the
 * moment the writes return: only what reached the disk before can be
 * found afterwards.  1 when the child died of the SIGKILL; the store
 * is left closed.
 */
int
testenv_killed(int (*writes)(void))
{
	pid_t	pid;
	int	status;

	store_close();
	fflush(stdout);
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		if (store_open(testenv_dir) == -1)
			_exit(1);
		if (writes() == -1)
			_exit(2);
		kill(getpid(), SIGKILL);
		_exit(3);
	}
	if (waitpid(pid, &status, 0) == -1)
		err(1, "waitpid");
	return (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}
