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
 * per process, anything else kills the process.  Installed after the
 * jail and the process's own set-up, so each list can be narrow.
 */

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "sandbox.h"

#define SC(name)	SCMP_SYS(name)

/* The event loop, imsg, memory, time, logging: every process. */
static const int sandbox_base[] = {
	SC(read), SC(write), SC(readv), SC(writev), SC(recvmsg),
	SC(sendmsg), SC(recvfrom), SC(sendto), SC(close), SC(epoll_wait),
	SC(epoll_pwait), SC(epoll_ctl), SC(poll), SC(ppoll), SC(select),
	SC(pselect6), SC(gettimeofday), SC(clock_gettime), SC(time),
	SC(nanosleep), SC(clock_nanosleep), SC(exit), SC(exit_group),
	SC(brk), SC(mmap), SC(munmap), SC(mremap), SC(madvise),
	SC(mprotect), SC(getpid), SC(gettid), SC(rt_sigreturn),
	SC(rt_sigprocmask), SC(fcntl), SC(futex), SC(restart_syscall),
	SC(getrandom), SC(fstat), SC(newfstatat), SC(lseek), SC(getuid),
	SC(geteuid), SC(getgid), SC(getegid),
};

/* Sockets of one's own: outbound connections, a bound UDP socket. */
static const int sandbox_net[] = {
	SC(socket), SC(connect), SC(setsockopt), SC(getsockopt),
	SC(getsockname), SC(getpeername), SC(shutdown), SC(bind),
};

/* Client connections: the listener's alone; relayd accepts none. */
static const int sandbox_accept[] = {
	SC(accept), SC(accept4),
};

/* The Berkeley DB environment, inside the jail. */
static const int sandbox_db[] = {
	SC(open), SC(openat), SC(pread64), SC(pwrite64), SC(fsync),
	SC(fdatasync), SC(ftruncate), SC(stat), SC(lstat), SC(unlink),
	SC(unlinkat), SC(rename), SC(getdents64), SC(flock), SC(access),
	SC(faccessat), SC(sched_yield), SC(fallocate), SC(mkdir),
	SC(statfs), SC(fstatfs), SC(uname), SC(pwritev), SC(preadv),
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
	SC(statfs), SC(fstatfs),
	SC(ioctl),		/* isatty() before a report */
};
#endif

static void
sandbox_allow(scmp_filter_ctx ctx, const int *calls, size_t n)
{
	size_t	i;
	int	r;

	for (i = 0; i < n; i++) {
		if (calls[i] < 0)	/* not on this architecture */
			continue;
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[i],
		    0)) < 0)
			fatalx("seccomp: allow %d: %s", calls[i],
			    strerror(-r));
	}
}

#define ALLOW(ctx, list) \
	sandbox_allow((ctx), (list), sizeof(list) / sizeof((list)[0]))

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
		ALLOW(ctx, sandbox_accept);
		ALLOW(ctx, sandbox_net);
		break;
	case PROC_RELAYD:
		ALLOW(ctx, sandbox_net);
		break;
	case PROC_DIRDB:
		ALLOW(ctx, sandbox_db);
		break;
	default:
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
