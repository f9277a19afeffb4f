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
 * relayd/dns.c on the real event loop, TAP on standard output.
 *
 *	dns_test PORT LOG
 *
 * PORT is a dnsmasq on 127.0.0.1 that dns.t started with the zone
 * below and a TTL of DNS_TEST_TTL seconds; LOG is its query log, which
 * confirms what dns_get_stats() counts.  The resolver that never
 * answers and the closed port are sockets of this program.
 *
 * site2.test	_sip._tcp 10 sip:5070, _sip._udp 10 sip2:5062, 20 sip:5060
 * site3.test	_sips._tcp tls:5061, _sip._tcp tls:5060; tls has A and AAAA
 * site4.test	no SRV, A 127.0.0.5
 * site5.test	_sip._udp a and b, priority 10, weight 50 each
 * site6.test	_sip._udp nowhere.site6.test, which has no address
 * site7.test	_sip._tcp ".", A 127.0.0.8
 * big.test	_sip._tcp h01 to h20 (127.0.1.1 to .20) at priority 1 to 20,
 *		too many for a UDP answer and for DNS_TARGETS_MAX
 * nx.test	nothing
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <event.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cdefs.h"
#include "dns.h"
#include "log.h"
#include "tap.h"

#define DNS_TEST_TTL	2	/* s, dnsmasq --local-ttl */
#define WAIT_MS		5000	/* longest wait for one answer */
#define TICK_MS		50
#define SILENT_MS	500	/* one try against the silent resolver */
#define SILENT_TRIES	2
#define WEIGHT_DRAWS	64

struct result {
	int			 r_calls;
	int			 r_sync;	/* inside dns_resolve() */
	int			 r_error;
	size_t			 r_n;
	struct dns_target	 r_t[DNS_TARGETS_MAX];
};

static const char	*query_log;
static int		 in_resolve;
static struct event	 tick_ev;
static int		 ticks;

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6);
}

static void
run_for(unsigned int ms)
{
	struct timeval	tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	event_loopexit(&tv);
	event_dispatch();
}

/* Runs the loop until the flag is set or ms have passed. */
static void
run_until(const int *flag, unsigned int ms)
{
	double	end = now_ms() + ms;

	while (*flag == 0 && now_ms() < end)
		run_for(10);
}

static void
result_cb(void *arg, const struct dns_target *t, size_t n, int error)
{
	struct result	*r = arg;

	r->r_calls++;
	r->r_sync = in_resolve;
	r->r_error = error;
	r->r_n = n;
	if (n > DNS_TARGETS_MAX)
		n = DNS_TARGETS_MAX;
	if (n > 0)
		memcpy(r->r_t, t, n * sizeof(*t));
}

static int
start(const char *domain, struct result *r)
{
	int	rv;

	memset(r, 0, sizeof(*r));
	in_resolve = 1;
	rv = dns_resolve(domain, result_cb, r);
	in_resolve = 0;
	return (rv);
}

/* Resolves and waits; the queries it took go to *nq if not NULL. */
static int
resolve(const char *domain, struct result *r, uint64_t *nq)
{
	struct dns_stats	before, after;

	dns_get_stats(&before);
	if (start(domain, r) == -1)
		return (-1);
	run_until(&r->r_calls, WAIT_MS);
	dns_get_stats(&after);
	if (nq != NULL)
		*nq = after.ds_queries - before.ds_queries;
	return (r->r_calls == 1 && !r->r_sync ? 0 : -1);
}

/* The queries dnsmasq logged so far. */
static int
logged_queries(void)
{
	FILE	*fp;
	char	 line[1024];
	int	 n = 0;

	run_for(300);		/* dnsmasq writes its log from its loop */
	if ((fp = fopen(query_log, "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strstr(line, ": query[") != NULL)
			n++;
	fclose(fp);
	return (n);
}

static int
is_target(const struct dns_target *t, enum imd_transport transport,
    const char *addr, uint16_t port, const char *host)
{
	char	buf[INET6_ADDRSTRLEN];
	int	af = t->dt_ss.ss_family;

	if (af == AF_INET)
		inet_ntop(af, &((const struct sockaddr_in *)&t->dt_ss)->
		    sin_addr, buf, sizeof(buf));
	else if (af == AF_INET6)
		inet_ntop(af, &((const struct sockaddr_in6 *)&t->dt_ss)->
		    sin6_addr, buf, sizeof(buf));
	else
		return (0);
	if (t->dt_transport != transport || t->dt_port != port ||
	    strcmp(buf, addr) != 0 || strcmp(t->dt_host, host) != 0)
		return (0);
	if (af == AF_INET)
		return (t->dt_sslen == sizeof(struct sockaddr_in) &&
		    ntohs(((const struct sockaddr_in *)&t->dt_ss)->sin_port) ==
		    port);
	return (t->dt_sslen == sizeof(struct sockaddr_in6) &&
	    ntohs(((const struct sockaddr_in6 *)&t->dt_ss)->sin6_port) ==
	    port);
}

static void
loopback(struct sockaddr_in *sin, uint16_t port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* A UDP socket on loopback that nobody reads: a resolver that is mute. */
static int
udp_socket(struct sockaddr_in *sin)
{
	socklen_t	len = sizeof(*sin);
	int		fd;

	loopback(sin, 0);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		err(1, "socket");
	if (bind(fd, (struct sockaddr *)sin, sizeof(*sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *)sin, &len) == -1)
		err(1, "bind");
	if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1)
		err(1, "fcntl");
	return (fd);
}

static void
test_args(void)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
	struct sockaddr		sa;
	struct result		r;
	char			longname[300];

	errno = 0;
	TAP_OK(start("site2.test", &r) == -1 && errno == ENXIO,
	    "args: resolve before init is ENXIO");
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNIX;
	errno = 0;
	TAP_OK(dns_init(&sa, sizeof(sa)) == -1 && errno == EINVAL,
	    "args: a resolver that is not IP is EINVAL");
	loopback(&sin, 53);
	errno = 0;
	TAP_OK(dns_init((struct sockaddr *)&sin, sizeof(sin) - 1) == -1 &&
	    errno == EINVAL, "args: a short address is EINVAL");
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	sin6.sin6_port = htons(53);
	TAP_OK(dns_init((struct sockaddr *)&sin6, sizeof(sin6)) == 0,
	    "args: an IPv6 resolver is taken");
	errno = 0;
	TAP_OK(dns_init((struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno == EINVAL, "args: a second init is EINVAL");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	errno = 0;
	TAP_OK(start("", &r) == -1 && errno == EINVAL &&
	    start("a..test", &r) == -1 && errno == EINVAL &&
	    start(".", &r) == -1 && errno == EINVAL &&
	    start("sp ace.test", &r) == -1 && errno == EINVAL &&
	    start("x\n.test", &r) == -1 && errno == EINVAL &&
	    start(longname, &r) == -1 && errno == EINVAL,
	    "args: names that are no domain names are EINVAL");
	dns_shutdown();
}

static void
test_srv_order(void)
{
	struct result	r;
	uint64_t	nq;

	TAP_OK(resolve("Site2.Test.", &r, &nq) == 0 && r.r_error == 0 &&
	    r.r_n == 3, "srv: site2.test answers 3 targets (%zu, %s)",
	    r.r_n, dns_strerror(r.r_error));
	TAP_OK(r.r_n == 3 &&
	    is_target(&r.r_t[0], TRANSPORT_TCP, "127.0.0.2", 5070,
	    "sip.site2.test") &&
	    is_target(&r.r_t[1], TRANSPORT_UDP, "127.0.0.3", 5062,
	    "sip2.site2.test") &&
	    is_target(&r.r_t[2], TRANSPORT_UDP, "127.0.0.2", 5060,
	    "sip.site2.test"),
	    "srv: TCP before UDP, then UDP by priority, ports kept");
	TAP_OK(nq == 7, "srv: 3 SRV queries and A, AAAA of 2 hosts (%llu)",
	    (unsigned long long)nq);
}

static void
test_tls(void)
{
	struct result	r;

	TAP_OK(resolve("site3.test", &r, NULL) == 0 && r.r_error == 0 &&
	    r.r_n == 4, "tls: site3.test answers 4 targets (%zu)", r.r_n);
	TAP_OK(r.r_n == 4 &&
	    is_target(&r.r_t[0], TRANSPORT_TLS, "127.0.0.4", 5061,
	    "tls.site3.test") &&
	    is_target(&r.r_t[1], TRANSPORT_TLS, "::1", 5061,
	    "tls.site3.test") &&
	    is_target(&r.r_t[2], TRANSPORT_TCP, "127.0.0.4", 5060,
	    "tls.site3.test") &&
	    is_target(&r.r_t[3], TRANSPORT_TCP, "::1", 5060,
	    "tls.site3.test"),
	    "tls: _sips._tcp first, host name kept, IPv4 before IPv6");
}

static void
test_fallback(void)
{
	struct result	r;
	uint64_t	nq;

	TAP_OK(resolve("site4.test", &r, &nq) == 0 && r.r_error == 0 &&
	    r.r_n == 2 &&
	    is_target(&r.r_t[0], TRANSPORT_TCP, "127.0.0.5", 5060,
	    "site4.test") &&
	    is_target(&r.r_t[1], TRANSPORT_UDP, "127.0.0.5", 5060,
	    "site4.test"),
	    "fallback: no SRV, the domain's A on 5060, TCP then UDP");
	TAP_OK(nq == 5, "fallback: 3 SRV queries, then A and AAAA (%llu)",
	    (unsigned long long)nq);
}

static void
test_negative(void)
{
	struct result	r;
	uint64_t	nq;

	TAP_OK(resolve("nx.test", &r, &nq) == 0 &&
	    r.r_error == DNS_ENXDOMAIN && r.r_n == 0,
	    "nxdomain: nx.test is DNS_ENXDOMAIN (%s)",
	    dns_strerror(r.r_error));
	TAP_OK(resolve("nx.test", &r, &nq) == 0 &&
	    r.r_error == DNS_ENXDOMAIN && nq == 0,
	    "nxdomain: the negative answer is cached");
	TAP_OK(resolve("site6.test", &r, NULL) == 0 &&
	    r.r_error == DNS_ENORECORDS && r.r_n == 0,
	    "norecords: an SRV target without address (%s)",
	    dns_strerror(r.r_error));
	TAP_OK(resolve("site7.test", &r, NULL) == 0 &&
	    r.r_error == DNS_ENORECORDS,
	    "norecords: SRV \".\" stops the fallback to A (%s, %zu)",
	    dns_strerror(r.r_error), r.r_n);
}

static void
test_big(void)
{
	struct result	r;
	char		addr[INET6_ADDRSTRLEN], host[IMD_DOMAIN_MAX];
	size_t		i;
	int		inorder = 1;

	TAP_OK(resolve("big.test", &r, NULL) == 0 && r.r_error == 0 &&
	    r.r_n == DNS_TARGETS_MAX,
	    "big: a truncated answer is asked again over TCP (%zu, %s)",
	    r.r_n, dns_strerror(r.r_error));
	for (i = 0; i < r.r_n; i++) {
		snprintf(addr, sizeof(addr), "127.0.1.%d", (int)i + 1);
		snprintf(host, sizeof(host),
		    "h%02d-padding-padding-padding-padding-padding.big.test",
		    (int)i + 1);
		if (!is_target(&r.r_t[i], TRANSPORT_TCP, addr, 5060, host))
			inorder = 0;
	}
	TAP_OK(r.r_n == DNS_TARGETS_MAX && inorder,
	    "big: 20 SRV records are cut to the best %d, in order",
	    DNS_TARGETS_MAX);
}

static void
test_weights(void)
{
	struct result	r;
	int		i, afirst = 0, bfirst = 0, both = 1;

	for (i = 0; i < WEIGHT_DRAWS; i++) {
		if (resolve("site5.test", &r, NULL) == -1 || r.r_n != 2) {
			both = 0;
			break;
		}
		if (is_target(&r.r_t[0], TRANSPORT_UDP, "127.0.0.6", 5060,
		    "a.site5.test") &&
		    is_target(&r.r_t[1], TRANSPORT_UDP, "127.0.0.7", 5060,
		    "b.site5.test"))
			afirst++;
		else if (is_target(&r.r_t[0], TRANSPORT_UDP, "127.0.0.7",
		    5060, "b.site5.test") &&
		    is_target(&r.r_t[1], TRANSPORT_UDP, "127.0.0.6", 5060,
		    "a.site5.test"))
			bfirst++;
		else
			both = 0;
	}
	TAP_OK(both, "weights: equal priority, both records every time");
	TAP_OK(afirst > 0 && bfirst > 0,
	    "weights: each comes first sometimes, cached or not (%d/%d)",
	    afirst, bfirst);
}

static void
test_cache(void)
{
	struct dns_stats	st;
	struct result		r;
	uint64_t		nq1, nq2, nq3;
	int			log0, log1, log2;

	run_for(DNS_TEST_TTL * 1000 + 300);	/* nothing cached */
	log0 = logged_queries();
	TAP_OK(resolve("site2.test", &r, &nq1) == 0 && r.r_error == 0,
	    "cache: first lookup");
	log1 = logged_queries();
	dns_get_stats(&st);
	TAP_OK(resolve("site2.test", &r, &nq2) == 0 && r.r_error == 0 &&
	    r.r_n == 3 && is_target(&r.r_t[0], TRANSPORT_TCP, "127.0.0.2",
	    5070, "sip.site2.test"), "cache: second lookup, same answer");
	log2 = logged_queries();
	TAP_OK(nq2 == 0 && log2 == log1,
	    "cache: no query the second time (%llu, dnsmasq saw %d)",
	    (unsigned long long)nq2, log2 - log1);
	TAP_OK(log0 >= 0 && (uint64_t)(log1 - log0) == nq1,
	    "cache: dnsmasq logged what was counted (%d, %llu)",
	    log1 - log0, (unsigned long long)nq1);
	TAP_OK(!r.r_sync, "cache: the callback is deferred to the loop");
	run_for(DNS_TEST_TTL * 1000 + 300);
	TAP_OK(resolve("site2.test", &r, &nq3) == 0 && r.r_error == 0 &&
	    nq3 == 7, "cache: asked again after the TTL (%llu)",
	    (unsigned long long)nq3);
}

static void
test_shared(void)
{
	struct result	r1, r2, r3;
	struct dns_stats	before, after;

	run_for(DNS_TEST_TTL * 1000 + 300);	/* nothing cached */
	dns_get_stats(&before);
	TAP_OK(start("site4.test", &r1) == 0 && start("SITE4.test", &r2) == 0
	    && start("site4.test", &r3) == 0, "shared: three requests");
	dns_cancel(result_cb, &r3);
	run_until(&r2.r_calls, WAIT_MS);
	run_for(100);
	dns_get_stats(&after);
	TAP_OK(r1.r_calls == 1 && r2.r_calls == 1 && r1.r_error == 0 &&
	    r2.r_n == 2 && after.ds_queries - before.ds_queries == 5,
	    "shared: one set of queries answers both (%llu)",
	    (unsigned long long)(after.ds_queries - before.ds_queries));
	TAP_OK(r3.r_calls == 0, "shared: a cancelled request is not called");
	TAP_OK(after.ds_lookups == 0, "shared: no lookup left behind");
}

static void
test_dnsmasq(uint16_t port)
{
	struct sockaddr_in	sin;

	loopback(&sin, port);
	if (dns_init((struct sockaddr *)&sin, sizeof(sin)) == -1)
		err(1, "dns_init");
	test_srv_order();
	test_tls();
	test_fallback();
	test_negative();
	test_big();
	test_weights();
	test_cache();
	test_shared();
	dns_shutdown();
}

static void
tick(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg IMD_UNUSED)
{
	ticks++;
}

static int
drain(int fd)
{
	char	buf[512];
	int	n = 0;

	while (recv(fd, buf, sizeof(buf), 0) >= 0)
		n++;
	return (n);
}

static void
test_silent(void)
{
	struct sockaddr_in	sin;
	struct timeval		tv = { 0, TICK_MS * 1000 };
	struct result		r;
	double			t0, ms;
	int			fd, n;

	fd = udp_socket(&sin);
	if (dns_init_timeout((struct sockaddr *)&sin, sizeof(sin),
	    SILENT_MS, SILENT_TRIES) == -1)
		err(1, "dns_init_timeout");
	event_set(&tick_ev, -1, EV_PERSIST, tick, NULL);
	evtimer_add(&tick_ev, &tv);
	ticks = 0;
	t0 = now_ms();
	TAP_OK(start("site2.test", &r) == 0, "silent: resolve started");
	run_until(&r.r_calls, 10 * SILENT_MS * SILENT_TRIES);
	ms = now_ms() - t0;
	evtimer_del(&tick_ev);
	TAP_OK(r.r_calls == 1 && r.r_error == DNS_ETIMEOUT,
	    "silent: DNS_ETIMEOUT (%s)", dns_strerror(r.r_error));
	/* The second try waits twice as long as the first. */
	TAP_OK(ms >= SILENT_MS && ms <= 4 * SILENT_MS * SILENT_TRIES,
	    "silent: within the configured time (%.0f ms)", ms);
	TAP_OK(ticks >= (int)(ms / TICK_MS / 2),
	    "silent: the loop kept running (%d ticks)", ticks);
	n = drain(fd);
	TAP_OK(n == 3 * SILENT_TRIES, "silent: 3 SRV queries, each tried "
	    "%d times (%d)", SILENT_TRIES, n);
	TAP_OK(resolve("site2.test", &r, NULL) == 0 &&
	    r.r_error == DNS_ETIMEOUT && drain(fd) == 0,
	    "silent: the failure is cached for a while");
	dns_shutdown();
	close(fd);
}

static void
test_refused(void)
{
	struct sockaddr_in	sin;
	struct result		r;
	double			t0, ms;
	int			fd;

	fd = udp_socket(&sin);
	close(fd);		/* the port is closed now */
	if (dns_init_timeout((struct sockaddr *)&sin, sizeof(sin),
	    SILENT_MS, SILENT_TRIES) == -1)
		err(1, "dns_init_timeout");
	t0 = now_ms();
	TAP_OK(resolve("site2.test", &r, NULL) == 0 &&
	    (r.r_error == DNS_EFAIL || r.r_error == DNS_ETIMEOUT),
	    "refused: a closed port is a resolver failure (%s)",
	    dns_strerror(r.r_error));
	ms = now_ms() - t0;
	TAP_OK(ms <= 4 * SILENT_MS * SILENT_TRIES,
	    "refused: within the configured time (%.0f ms)", ms);
	dns_shutdown();
}

int
main(int argc, char *argv[])
{
	const char	*errstr;
	uint16_t	 port;

	if (argc != 3)
		errx(1, "usage: dns_test port query-log");
	port = strtonum(argv[1], 1, 65535, &errstr);
	if (errstr != NULL)
		errx(1, "port %s: %s", argv[1], errstr);
	query_log = argv[2];
	log_init(1, 0);
	event_init();

	test_args();
	test_dnsmasq(port);
	test_silent();
	test_refused();
	return (TAP_DONE());
}
