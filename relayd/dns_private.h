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

#ifndef IMD_DNS_PRIVATE_H
#define IMD_DNS_PRIVATE_H

/*
 * What the four files of the resolver share: dns.c the lookups on
 * c-ares, dns_wire.c the reading of answers (pure: no globals, no
 * logging, no allocation, so that it can be fuzzed alone), dns_cache.c
 * the answers kept per domain, dns_srv.c the next hops made of SRV
 * records and their RFC 2782 order.
 */

#include <sys/queue.h>
#include <sys/tree.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "dns.h"

#define DNS_SRV_MAX	(3 * DNS_TARGETS_MAX)	/* SRV records kept */
#define DNS_HOST_ADDRS	4	/* addresses kept per host and family */
#define DNS_LABEL_MAX	63
#define DNS_HEADER_LEN	12
#define DNS_NSERVICES	3	/* SIP's, first in dns_services */
#define DNS_XMPP_FIRST	DNS_NSERVICES	/* then XMPP's two */
#define DNS_SERVICES_ALL (DNS_NSERVICES + 2)

/* RFC 3263 4.1 without NAPTR, in the order DESIGN prefers. */
struct dns_service {
	const char		*sv_prefix;
	enum imd_transport	 sv_transport;
};

/* An SRV record, or for a domain without any one transport on 5060. */
struct dns_srv {
	enum imd_transport	 sv_transport;
	uint16_t		 sv_prio;
	uint16_t		 sv_weight;
	int			 sv_fallback;	/* no SRV: the domain's own */
	uint16_t		 sv_port;
	char			 sv_target[IMD_DOMAIN_MAX];
	size_t			 sv_host;	/* index in wk_host */
};

struct dns_host {
	char			 dh_name[IMD_DOMAIN_MAX];
	struct in_addr		 dh_v4[DNS_HOST_ADDRS];
	struct in6_addr		 dh_v6[DNS_HOST_ADDRS];
	size_t			 dh_nv4;
	size_t			 dh_nv6;
};

/* What a lookup gathers while it runs; freed when it is done. */
struct dns_work {
	struct dns_srv		 wk_srv[DNS_SRV_MAX];
	size_t			 wk_nsrv;
	struct dns_host		 wk_host[DNS_TARGETS_MAX];
	size_t			 wk_nhost;
	int			 wk_srvseen;	/* some SRV, even "." */
	int			 wk_fallback;	/* the domain's own records */
	int			 wk_nxdomain;	/* in this phase */
	int			 wk_failure;	/* in this phase: DNS_E* */
	int			 wk_failed;	/* in any phase */
	uint32_t		 wk_ttl;	/* least so far */
};

/*
 * One next hop and the SRV record it came from: the weighted order is
 * drawn again for each caller, so the cache keeps the weights.
 */
struct dns_entry {
	struct dns_target	 de_target;
	uint16_t		 de_prio;
	uint16_t		 de_weight;
	size_t			 de_srv;	/* one per SRV record */
};

struct dns_cache {
	RB_ENTRY(dns_cache)	 dc_node;
	TAILQ_ENTRY(dns_cache)	 dc_lru;	/* most recent first */
	char			 dc_domain[IMD_DOMAIN_MAX];
	uint64_t		 dc_expire;	/* ms on the monotonic clock */
	int			 dc_error;
	struct dns_entry	*dc_entries;
	size_t			 dc_nentries;
};

/* dns_wire.c */
extern const struct dns_service dns_services[DNS_SERVICES_ALL];
int		 dns_name_copy(char *, size_t, const char *);
int		 dns_parse(struct dns_work *, int, size_t,
		    const unsigned char *, size_t);

/* dns_cache.c */
struct dns_cache *dns_cache_get(const char *);
void		 dns_cache_put(const char *, int, const struct dns_entry *,
		    size_t, uint32_t);
void		 dns_cache_clear(void);
size_t		 dns_cache_count(void);
struct dns_entry *dns_entries_copy(const struct dns_entry *, size_t);

/* dns_srv.c */
void		 dns_srv_hosts(struct dns_work *);
size_t		 dns_build(const struct dns_work *, struct dns_entry *);
size_t		 dns_order(const struct dns_entry *, size_t,
		    struct dns_target *);

#endif /* IMD_DNS_PRIVATE_H */
