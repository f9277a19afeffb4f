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
 * relayd/dns.c in relayd's start-up order, TAP on standard output:
 *
 *	jail_test PORT EMPTYDIR
 *
 * dns_init() against the dnsmasq on 127.0.0.1 PORT, then, when root,
 * chroot to EMPTYDIR and become nobody, then sandbox_apply(PROC_RELAYD);
 * then lookups over UDP and over TCP.  A file c-ares would still need
 * shows as a failed lookup, a system call the filter lacks as death by
 * SIGSYS.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <err.h>
#include <event.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cdefs.h"
#include "dns.h"
#include "log.h"
#include "sandbox.h"
#include "tap.h"

#define WAIT_MS		5000
#define NOBODY		65534

#ifdef IMD_SANITIZE
/*
 * LeakSanitizer checks at exit from a thread it spawns, which the
 * filter's RLIMIT_NPROC of 0 forbids; dns_test checks dns.c for leaks.
 */
const char	*__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return ("detect_leaks=0");
}
#endif

struct result {
	int	r_calls;
	int	r_error;
	size_t	r_n;
};

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6);
}

static void
result_cb(void *arg, const struct dns_target *t IMD_UNUSED, size_t n, int error)
{
	struct result	*r = arg;

	r->r_calls++;
	r->r_error = error;
	r->r_n = n;
}

static int
resolve(const char *domain, struct result *r)
{
	struct timeval	tv = { 0, 10000 };
	double		end = now_ms() + WAIT_MS;

	memset(r, 0, sizeof(*r));
	if (dns_resolve(domain, result_cb, r) == -1)
		return (-1);
	while (r->r_calls == 0 && now_ms() < end) {
		event_loopexit(&tv);
		event_dispatch();
	}
	return (r->r_calls == 1 ? 0 : -1);
}

/* What proc_child_jail() does, without its checks of the directory. */
static int
jail(const char *dir)
{
	gid_t	gid = NOBODY;

	if (geteuid() != 0)
		return (0);
	if (chroot(dir) == -1 || chdir("/") == -1)
		err(1, "chroot %s", dir);
	if (setgroups(1, &gid) == -1 ||
	    setresgid(NOBODY, NOBODY, NOBODY) == -1 ||
	    setresuid(NOBODY, NOBODY, NOBODY) == -1)
		err(1, "cannot become nobody");
	return (1);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in	 sin;
	struct result		 r;
	const char		*errstr;
	int			 jailed;

	if (argc != 3)
		errx(1, "usage: jail_test port emptydir");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(strtonum(argv[1], 1, 65535, &errstr));
	if (errstr != NULL)
		errx(1, "port %s: %s", argv[1], errstr);
	log_init(1, 0);
	event_init();
	if (dns_init((struct sockaddr *)&sin, sizeof(sin)) == -1)
		err(1, "dns_init");

	jailed = jail(argv[2]);
	sandbox_apply(PROC_RELAYD);
	if (!jailed)
		printf("# not root: seccomp only, no chroot\n");
	TAP_OK(resolve("site2.test", &r) == 0 && r.r_error == 0 &&
	    r.r_n == 3, "jail: SRV and A over UDP (%s)",
	    dns_strerror(r.r_error));
	TAP_OK(resolve("big.test", &r) == 0 && r.r_error == 0 &&
	    r.r_n == DNS_TARGETS_MAX, "jail: a truncated answer over TCP (%s)",
	    dns_strerror(r.r_error));
	TAP_OK(resolve("nx.test", &r) == 0 && r.r_error == DNS_ENXDOMAIN,
	    "jail: NXDOMAIN (%s)", dns_strerror(r.r_error));
	dns_shutdown();
	TAP_OK(1, "jail: shut down inside the filter");
	return (TAP_DONE());
}
