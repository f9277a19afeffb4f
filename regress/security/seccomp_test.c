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
 * lib/sandbox.c, each process's filter tried for real, TAP on standard
 * output.  For every (process, system call) pair a child installs the
 * process's filter with sandbox_apply() and makes the call directly
 * with syscall(2); the call is refused when the child dies of SIGSYS or
 * the call fails with EACCES, and allowed when it reached the kernel,
 * whatever the kernel answered.  The sockets a call needs are made
 * before the filter, as the parent makes the listener's.
 */

#include <sys/types.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdefs.h"
#include "log.h"
#include "proc.h"
#include "sandbox.h"
#include "tap.h"

#ifdef IMD_SANITIZE
/* LeakSanitizer's thread at exit is more than RLIMIT_NPROC 0 allows. */
const char	*__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return ("detect_leaks=0");
}
#endif

enum outcome { ALLOWED, REFUSED, BROKEN };

enum call {
	CALL_SOCKET, CALL_CONNECT, CALL_BIND, CALL_LISTEN, CALL_ACCEPT4,
	CALL_SETSOCKOPT, CALL_SENDTO, CALL_GETSOCKNAME, CALL_OPENAT,
	CALL_EXECVE, CALL_PTRACE
};

static const char *call_names[] = {
	"socket", "connect", "bind", "listen", "accept4", "setsockopt",
	"sendto", "getsockname", "openat", "execve", "ptrace"
};

static int			 udp_fd = -1, tcp_fd = -1;
static struct sockaddr_in	 loop;

/* The call itself, raw: no libc wrapper may try something else. */
static long
make_call(enum call call)
{
	static char	*const argv[] = { "/bin/true", NULL };
	int		 on = 1;
	socklen_t	 len = sizeof(loop);
	struct sockaddr_in sin = loop;

	switch (call) {
	case CALL_SOCKET:
		return (syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0));
	case CALL_CONNECT:
		return (syscall(SYS_connect, udp_fd, &loop, sizeof(loop)));
	case CALL_BIND:
		sin.sin_port = 0;
		return (syscall(SYS_bind, udp_fd, &sin, sizeof(sin)));
	case CALL_LISTEN:
		return (syscall(SYS_listen, tcp_fd, 1));
	case CALL_ACCEPT4:
		return (syscall(SYS_accept4, tcp_fd, NULL, NULL,
		    SOCK_NONBLOCK));
	case CALL_SETSOCKOPT:
		return (syscall(SYS_setsockopt, udp_fd, SOL_SOCKET,
		    SO_BROADCAST, &on, sizeof(on)));
	case CALL_SENDTO:
		return (syscall(SYS_sendto, udp_fd, "x", 1, 0, &loop,
		    sizeof(loop)));
	case CALL_GETSOCKNAME:
		return (syscall(SYS_getsockname, udp_fd, &sin, &len));
	case CALL_OPENAT:
		return (syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY));
	case CALL_EXECVE:
		return (syscall(SYS_execve, argv[0], argv, NULL));
	case CALL_PTRACE:
		return (syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0));
	}
	return (-1);
}

static enum outcome
try_call(enum imd_proc proc, enum call call)
{
	pid_t	pid;
	int	status;
	long	r;

	fflush(stdout);
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		sandbox_apply(proc);
		r = make_call(call);
		_exit(r == -1 && errno == EACCES ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) == -1)
		err(1, "waitpid");
	if (WIFSIGNALED(status))
		return (WTERMSIG(status) == SIGSYS ? REFUSED : BROKEN);
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
		return (BROKEN);
	return (WEXITSTATUS(status) == 1 ? REFUSED : ALLOWED);
}

/* What lib/sandbox.c lets a sanitizer build call, to report. */
static int
sanitizer_allows(enum call call IMD_UNUSED)
{
#ifdef IMD_SANITIZE
	return (call == CALL_OPENAT || call == CALL_PTRACE ||
	    call == CALL_EXECVE);
#else
	return (0);
#endif
}

static void
expect(enum imd_proc proc, enum call call, enum outcome want)
{
	enum outcome	got;

	if (want == REFUSED && sanitizer_allows(call)) {
		TAP_OK(1, "%s cannot call %s # SKIP the sanitizer's runtime "
		    "may", proc_names[proc], call_names[call]);
		return;
	}
	got = try_call(proc, call);

	TAP_OK(got == want, "%s %s %s", proc_names[proc],
	    want == ALLOWED ? "may call" : "cannot call", call_names[call]);
	if (got == BROKEN)
		printf("# the child died otherwise\n");
}

static void
make_sockets(void)
{
	struct sockaddr_in	sin;

	memset(&loop, 0, sizeof(loop));
	loop.sin_family = AF_INET;
	loop.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	loop.sin_port = htons(9);	/* discard: nothing need listen */
	if ((udp_fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    (tcp_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1)
		err(1, "socket");
	sin = loop;
	sin.sin_port = 0;
	if (bind(tcp_fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(tcp_fd, 1) == -1)
		err(1, "a listening socket on 127.0.0.1");
}

int
main(void)
{
	static const enum call	 forbidden_all[] = {
		CALL_LISTEN, CALL_EXECVE, CALL_PTRACE
	};
	size_t			 i;
	int			 p;

	log_init(1, 0);
	make_sockets();

	/* The listener: sockets only as the parent gave them. */
	expect(PROC_LISTENER, CALL_SOCKET, REFUSED);
	expect(PROC_LISTENER, CALL_CONNECT, REFUSED);
	expect(PROC_LISTENER, CALL_BIND, REFUSED);
	expect(PROC_LISTENER, CALL_GETSOCKNAME, REFUSED);
	expect(PROC_LISTENER, CALL_OPENAT, REFUSED);
	expect(PROC_LISTENER, CALL_ACCEPT4, ALLOWED);
	expect(PROC_LISTENER, CALL_SETSOCKOPT, ALLOWED);
	expect(PROC_LISTENER, CALL_SENDTO, ALLOWED);

	/* relayd: its own outbound sockets, no clients, no files. */
	expect(PROC_RELAYD, CALL_SOCKET, ALLOWED);
	expect(PROC_RELAYD, CALL_BIND, ALLOWED);
	expect(PROC_RELAYD, CALL_CONNECT, ALLOWED);
	expect(PROC_RELAYD, CALL_GETSOCKNAME, ALLOWED);
	expect(PROC_RELAYD, CALL_ACCEPT4, REFUSED);
	expect(PROC_RELAYD, CALL_OPENAT, REFUSED);

	/* authd: imsg, time and randomness, nothing else. */
	expect(PROC_AUTHD, CALL_SOCKET, REFUSED);
	expect(PROC_AUTHD, CALL_CONNECT, REFUSED);
	expect(PROC_AUTHD, CALL_BIND, REFUSED);
	expect(PROC_AUTHD, CALL_ACCEPT4, REFUSED);
	expect(PROC_AUTHD, CALL_SETSOCKOPT, REFUSED);
	expect(PROC_AUTHD, CALL_OPENAT, REFUSED);

	/* dirdb: its files, no network. */
	expect(PROC_DIRDB, CALL_OPENAT, ALLOWED);
	expect(PROC_DIRDB, CALL_SOCKET, REFUSED);
	expect(PROC_DIRDB, CALL_CONNECT, REFUSED);
	expect(PROC_DIRDB, CALL_BIND, REFUSED);
	expect(PROC_DIRDB, CALL_ACCEPT4, REFUSED);

	/* metricsd: accepts on the socket it was given, nothing else. */
	expect(PROC_METRICSD, CALL_ACCEPT4, ALLOWED);
	expect(PROC_METRICSD, CALL_SOCKET, REFUSED);
	expect(PROC_METRICSD, CALL_CONNECT, REFUSED);
	expect(PROC_METRICSD, CALL_BIND, REFUSED);
	expect(PROC_METRICSD, CALL_SETSOCKOPT, REFUSED);
	expect(PROC_METRICSD, CALL_GETSOCKNAME, REFUSED);
	expect(PROC_METRICSD, CALL_OPENAT, REFUSED);
	/* xmppd: accepts on its port, connects out, binds nothing. */
	expect(PROC_XMPPD, CALL_ACCEPT4, ALLOWED);
	expect(PROC_XMPPD, CALL_SOCKET, ALLOWED);
	expect(PROC_XMPPD, CALL_CONNECT, ALLOWED);
	expect(PROC_XMPPD, CALL_BIND, REFUSED);
	expect(PROC_XMPPD, CALL_OPENAT, REFUSED);

	/* Every child. */
	for (p = PROC_LISTENER; p < PROC_MAX; p++)
		for (i = 0; i < sizeof(forbidden_all) /
		    sizeof(forbidden_all[0]); i++)
			expect(p, forbidden_all[i], REFUSED);
	return (TAP_DONE());
}
