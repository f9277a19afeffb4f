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

#ifndef IMD_DNS_H
#define IMD_DNS_H

/*
 * Finding the SIP servers of a domain (RFC 3263 section 4) with an
 * asynchronous resolver on the libevent loop.
 *
 * dns_init() sets up a resolver that asks only the given server (port
 * 0 is 53), over UDP and over TCP for truncated answers.  c-ares reads
 * /dev/urandom there to seed its query ids, and no file ever after (no
 * resolv.conf, hosts file or environment), so call it before the
 * chroot and after event_init().
 * dns_init_timeout() does the same with the time one try waits, in
 * milliseconds (doubled for each later try), and the number of tries;
 * dns_init() uses DNS_TIMEOUT_MS and DNS_TRIES.  Both return 0, or -1
 * with errno set: EINVAL for a bad address or a second init, ENOMEM,
 * EIO when c-ares refuses.
 *
 * dns_resolve() finds the next hops of a domain for a SIP URI that has
 * no explicit port, transport or numeric host; the caller handles those
 * cases (RFC 3263 4.1, 4.2) and static routes.  NAPTR is not asked:
 * SRV for _sips._tcp, _sip._tcp and _sip._udp, and the targets in that
 * order of transport (TLS, TCP, UDP), each transport in RFC 2782 order
 * (priority, then a weighted random choice that is drawn again for each
 * caller), each SRV target's IPv4 addresses before its IPv6 ones.  A
 * domain without any SRV record is reached on its own A and AAAA
 * records at port 5060, over TCP and then over UDP: RFC 3263 names UDP
 * only, but an instant message may be too large for UDP (RFC 3261
 * 18.1.1), so TCP comes first.  An SRV record whose target is "." says
 * the transport is not offered and stops that fallback.
 *
 * The callback runs once, from the event loop and never from inside
 * dns_resolve(), also when the answer comes from the cache: with up to
 * DNS_TARGETS_MAX targets and error 0, or with none and a DNS_E* code.
 * The targets live until the callback returns.  dt_host is the SRV
 * target (the domain itself in the fallback); RFC 5922 has a TLS
 * certificate name the domain, which the caller holds.  The caller
 * keeps arg valid until the callback ran or dns_cancel(cb, arg), which
 * drops every pending callback with that pair.  dns_resolve() returns
 * 0, or -1 with errno set: EINVAL for a name that is no domain name,
 * ENOBUFS when DNS_LOOKUPS_MAX or DNS_WAITERS_MAX are reached, ENOMEM,
 * ENXIO before dns_init().
 *
 * Answers, the negative ones too, are cached per domain for the least
 * TTL among the records that made them (RFC 2308: the SOA of a negative
 * answer, else DNS_NEG_TTL), at most DNS_TTL_MAX; a resolver failure
 * for DNS_FAIL_TTL.  Requests for a domain being resolved share its
 * queries.
 *
 * dns_shutdown() drops every pending callback without calling it, the
 * cache and the resolver; dns_init() may follow.  It must not be called
 * from a callback.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stdint.h>

#include "config.h"

#define DNS_TARGETS_MAX		16	/* next hops of one domain */
#define DNS_CACHE_MAX		1024	/* domains remembered */
#define DNS_LOOKUPS_MAX		256	/* domains being resolved at once */
#define DNS_WAITERS_MAX		1024	/* callers waiting, in all */
#define DNS_TIMEOUT_MS		2000	/* one try */
#define DNS_TRIES		3
#define DNS_NEG_TTL		60	/* s, a negative answer without SOA */
#define DNS_FAIL_TTL		5	/* s, after a timeout or SERVFAIL */
#define DNS_TTL_MAX		86400	/* s */

#define DNS_ENXDOMAIN		1	/* the domain does not exist */
#define DNS_ENORECORDS		2	/* no SRV, A or AAAA record to use */
#define DNS_ETIMEOUT		3	/* the resolver did not answer */
#define DNS_EFAIL		4	/* the resolver failed or refused */

struct dns_target {
	enum imd_transport	 dt_transport;
	struct sockaddr_storage	 dt_ss;		/* with dt_port in it */
	socklen_t		 dt_sslen;
	char			 dt_host[IMD_DOMAIN_MAX];
	uint16_t		 dt_port;
	int			 dt_fallback;	/* the domain has no SRV */
};

struct dns_stats {
	uint64_t	ds_queries;	/* questions handed to c-ares */
	uint64_t	ds_hits;	/* answered from the cache */
	uint64_t	ds_misses;
	size_t		ds_cached;	/* domains in the cache now */
	size_t		ds_lookups;	/* in progress now */
};

int		 dns_init(const struct sockaddr *, socklen_t);
int		 dns_init_timeout(const struct sockaddr *, socklen_t,
		    unsigned int, unsigned int);
int		 dns_resolve(const char *,
		    void (*)(void *, const struct dns_target *, size_t, int),
		    void *);
int		 dns_resolve_xmpp(const char *,
		    void (*)(void *, const struct dns_target *, size_t, int),
		    void *);
void		 dns_cancel(void (*)(void *, const struct dns_target *,
		    size_t, int), void *);
void		 dns_shutdown(void);
void		 dns_get_stats(struct dns_stats *);
const char	*dns_strerror(int);

#endif /* IMD_DNS_H */
