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
 * The seccomp filters, the Linux analogue of pledge(2): one allow-list
 * per process, anything else kills the process (but socket(2) and
 * connect(2), which syslog(3) may try, fail with EACCES where a process
 * has no business with sockets).  Installed after the jail and the
 * process's own set-up, so each list can be narrow: what each process
 * calls was taken from the whole suite run under strace -f.
 */

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "sandbox.h"

#define SC(name)	SCMP_SYS(name)

/*
 * The event loop, imsg, memory, time, logging: every process.  sendto
 * is syslog(3)'s send(2) once the daemon runs without -d.
 */
static const int sandbox_base[] = {
	SC(read), SC(write), SC(recvmsg), SC(sendmsg), SC(sendto),
	SC(close), SC(epoll_wait), SC(epoll_pwait), SC(epoll_ctl),
	SC(gettimeofday), SC(clock_gettime), SC(time), SC(exit),
	SC(exit_group), SC(brk), SC(mmap), SC(munmap), SC(mremap),
	SC(madvise), SC(mprotect), SC(getpid), SC(geteuid),
	SC(rt_sigreturn), SC(rt_sigprocmask), SC(futex),
	SC(restart_syscall), SC(getrandom), SC(fstat), SC(newfstatat),
};

/*
 * Client connections: the listener's alone.  Its sockets come bound
 * from the parent; it accepts on them, reads and answers datagrams.
 */
static const int sandbox_listener[] = {
	SC(accept4), SC(recvfrom), SC(recvmmsg), SC(sendmmsg),
	SC(setsockopt),
};

/* metricsd accepts on the socket the parent bound for it. */
static const int sandbox_metricsd[] = {
	SC(accept4),
};

/*
 * relayd's outbound connections and UDP sockets, bound to our own
 * address (out.c), the SMTP hand-off, and c-ares, which writes its
 * TCP queries with writev(2) and asks the local address of a socket.
 */
static const int sandbox_relayd[] = {
	SC(socket), SC(connect), SC(bind), SC(setsockopt),
	SC(getsockopt), SC(getsockname), SC(recvfrom), SC(writev),
	SC(fcntl),
};

/*
 * xmppd: the server-to-server port from the parent, on which it
 * accepts, and its outbound streams (connect once relayd resolved).
 */
static const int sandbox_xmppd[] = {
	SC(accept4), SC(socket), SC(connect), SC(setsockopt),
	SC(getsockopt), SC(getsockname), SC(fcntl),
};

/*
 * Refused with EACCES rather than killed: syslog(3) opens a new socket
 * to /dev/log whenever a send fails (the log daemon restarted, or the
 * jail has no /dev/log), and a process without sockets of its own must
 * lose that line, not its life.  No socket, so no connect either.
 */
static const int sandbox_nosocket[] = {
	SC(socket), SC(connect),
};

/* The Berkeley DB environment, inside the jail. */
static const int sandbox_db[] = {
	SC(open), SC(openat), SC(pread64), SC(pwrite64), SC(fsync),
	SC(fdatasync), SC(ftruncate), SC(stat), SC(lstat), SC(unlink),
	SC(unlinkat), SC(rename), SC(getdents64), SC(flock), SC(access),
	SC(faccessat), SC(sched_yield), SC(fallocate), SC(mkdir),
	SC(statfs), SC(fstatfs), SC(uname), SC(pwritev), SC(preadv),
	SC(fcntl), SC(lseek),
	SC(select), SC(nanosleep), SC(clock_nanosleep), /* mutex back-off */
	SC(getcwd),		/* log removal at each checkpoint */
	SC(sysinfo),		/* qsort of dirty pages at a checkpoint */
};

#ifdef IMD_SANITIZE
/* What the sanitizers' runtime needs to report and exit. */
static const int sandbox_sanitizer[] = {
	SC(sigaltstack), SC(rt_sigaction), SC(prctl), SC(readlink),
	SC(readlinkat), SC(open), SC(openat), SC(sched_getaffinity),
	SC(getppid), SC(tgkill), SC(kill), SC(pipe), SC(pipe2), SC(clone),
	SC(wait4), SC(ptrace), SC(getrlimit), SC(prlimit64), SC(dup2),
	SC(dup), SC(fork), SC(execve), SC(setrlimit), SC(sched_yield),
	SC(getdents64), SC(stat), SC(lstat), SC(access), SC(uname),
	SC(statfs), SC(fstatfs), SC(gettid), SC(getuid), SC(getgid),
	SC(getegid), SC(lseek), SC(fcntl), SC(nanosleep), SC(poll),
	SC(ioctl),		/* isatty() before a report */
};
#endif

static void
sandbox_add(scmp_filter_ctx ctx, uint32_t action, const int *calls,
    size_t n)
{
	size_t	i;
	int	r;

	for (i = 0; i < n; i++) {
		if (calls[i] < 0)	/* not on this architecture */
			continue;
		if ((r = seccomp_rule_add(ctx, action, calls[i], 0)) < 0)
			fatalx("seccomp: rule for %d: %s", calls[i],
			    strerror(-r));
	}
}

#define NCALLS(list)	(sizeof(list) / sizeof((list)[0]))
#define ALLOW(ctx, list) \
	sandbox_add((ctx), SCMP_ACT_ALLOW, (list), NCALLS(list))
#define REFUSE(ctx, list) \
	sandbox_add((ctx), SCMP_ACT_ERRNO(EACCES), (list), NCALLS(list))

/* No new descriptors beyond a bound, no core files. */
static void
sandbox_limits(void)
{
	struct rlimit	rl;

	rl.rlim_cur = rl.rlim_max = 0;
	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		fatal("setrlimit core");
	rl.rlim_cur = rl.rlim_max = 0;
	if (setrlimit(RLIMIT_NPROC, &rl) == -1 && geteuid() != 0)
		log_debug("setrlimit nproc: %s", strerror(errno));
}

void
sandbox_apply(enum imd_proc proc)
{
	scmp_filter_ctx	ctx;
	int		r;

	sandbox_limits();
	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		fatalx("seccomp_init failed");
	ALLOW(ctx, sandbox_base);
	switch (proc) {
	case PROC_LISTENER:
		ALLOW(ctx, sandbox_listener);
		REFUSE(ctx, sandbox_nosocket);
		break;
	case PROC_RELAYD:
		ALLOW(ctx, sandbox_relayd);
		break;
	case PROC_XMPPD:
		ALLOW(ctx, sandbox_xmppd);
		break;
	case PROC_DIRDB:
		ALLOW(ctx, sandbox_db);
		REFUSE(ctx, sandbox_nosocket);
		break;
	case PROC_METRICSD:
		ALLOW(ctx, sandbox_metricsd);
		REFUSE(ctx, sandbox_nosocket);
		break;
	default:		/* authd: the base alone */
		REFUSE(ctx, sandbox_nosocket);
		break;
	}
#ifdef IMD_SANITIZE
	ALLOW(ctx, sandbox_sanitizer);
#endif
	if ((r = seccomp_load(ctx)) < 0)
		fatalx("seccomp_load: %s", strerror(-r));
	seccomp_release(ctx);
	log_debug("sandbox for %s installed", proc_names[proc]);
}
