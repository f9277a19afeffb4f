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
 * RFC 3263 next hops of a domain, resolved with c-ares on the libevent
 * loop.  A lookup asks the three SRV names at once; when all have
 * answered it asks A and AAAA of every SRV target (or of the domain,
 * when there was no SRV record) at once; when those have answered the
 * result goes into the cache and, from a zero timer, to every caller
 * waiting for that domain.  A cache hit is a lookup that starts done.
 *
 * Answers are read with a small walker of our own rather than with
 * ares_parse_srv_reply() and friends, because those drop the TTLs of
 * SRV records and the SOA of negative answers, which the cache needs.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/tree.h>
#include <netinet/in.h>
#include <arpa/nameser.h>

#include <ares.h>
#include <errno.h>
#include <event.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "dns.h"
#include "log.h"

#define DNS_SRV_MAX	(3 * DNS_TARGETS_MAX)	/* SRV records kept */
#define DNS_HOST_ADDRS	4	/* addresses kept per host and family */
#define DNS_LABEL_MAX	63
#define DNS_EDNS_SIZE	1232	/* fits the IPv6 minimum MTU */
#define DNS_QNAME_MAX	(IMD_DOMAIN_MAX + 16)	/* "_sips._tcp." too */
#define DNS_HEADER_LEN	12

enum dns_phase {
	DNS_PHASE_SRV,
	DNS_PHASE_ADDR,
	DNS_PHASE_DONE
};

/* An SRV record, or for a domain without any one transport on 5060. */
struct dns_srv {
	enum imd_transport	 sv_transport;
	uint16_t		 sv_prio;
	uint16_t		 sv_weight;
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

struct dns_waiter {
	TAILQ_ENTRY(dns_waiter)	 w_entry;
	void			(*w_cb)(void *, const struct dns_target *,
				    size_t, int);
	void			*w_arg;
};

struct dns_lookup {
	TAILQ_ENTRY(dns_lookup)	 lk_entry;
	char			 lk_domain[IMD_DOMAIN_MAX];
	enum dns_phase		 lk_phase;
	TAILQ_HEAD(, dns_waiter) lk_waiters;
	int			 lk_pending;	/* queries in flight */
	struct dns_work		*lk_work;	/* until done */
	int			 lk_error;	/* when done */
	struct dns_entry	*lk_entries;
	size_t			 lk_nentries;
	struct event		 lk_done;
};

/* One question to c-ares. */
struct dns_query {
	struct dns_lookup	*q_lk;
	int			 q_type;	/* ns_t_srv, _a, _aaaa */
	size_t			 q_index;	/* in dns_services, wk_host */
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

/* A socket of c-ares, watched for what it asked. */
struct dns_sock {
	TAILQ_ENTRY(dns_sock)	 ds_entry;
	ares_socket_t		 ds_fd;
	struct event		 ds_ev;
};

/* The reading of one answer message: answer and authority sections. */
struct dns_msg {
	const unsigned char	*m_buf;
	size_t			 m_len;
	size_t			 m_off;
	unsigned int		 m_an;		/* answer records left */
	unsigned int		 m_ns;		/* authority records left */
};

struct dns_rr {
	int			 rr_answer;	/* else authority */
	uint16_t		 rr_type;
	uint16_t		 rr_class;
	uint32_t		 rr_ttl;
	size_t			 rr_off;	/* of the rdata */
	uint16_t		 rr_len;
};

/* An SRV record in the drawing of the RFC 2782 order. */
struct dns_pick {
	size_t		p_srv;
	int		p_rank;		/* dns_rank() of its transport */
	uint16_t	p_prio;
	uint16_t	p_weight;
};

/* RFC 3263 4.1 without NAPTR, in the order DESIGN prefers. */
static const struct {
	const char		*sv_prefix;
	enum imd_transport	 sv_transport;
} dns_services[] = {
	{ "_sips._tcp.", TRANSPORT_TLS },
	{ "_sip._tcp.", TRANSPORT_TCP },
	{ "_sip._udp.", TRANSPORT_UDP },
};
#define DNS_NSERVICES	(sizeof(dns_services) / sizeof(dns_services[0]))

static int	dns_cache_cmp(const struct dns_cache *,
		    const struct dns_cache *);

RB_HEAD(dns_cache_tree, dns_cache);
RB_PROTOTYPE(dns_cache_tree, dns_cache, dc_node, dns_cache_cmp);
RB_GENERATE(dns_cache_tree, dns_cache, dc_node, dns_cache_cmp);

static ares_channel	 dns_channel;
static struct event	 dns_timer;
static TAILQ_HEAD(, dns_sock) dns_socks = TAILQ_HEAD_INITIALIZER(dns_socks);
static TAILQ_HEAD(, dns_lookup) dns_lookups =
    TAILQ_HEAD_INITIALIZER(dns_lookups);
static size_t		 dns_nlookups;
static size_t		 dns_nwaiters;
static struct dns_cache_tree dns_cache = RB_INITIALIZER(&dns_cache);
static TAILQ_HEAD(dns_lru_head, dns_cache) dns_lru =
    TAILQ_HEAD_INITIALIZER(dns_lru);
static size_t		 dns_ncached;
static struct dns_stats	 dns_counts;

static void	dns_release(struct dns_lookup *);

static uint64_t
dns_now(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

static int
dns_rank(enum imd_transport transport)
{
	switch (transport) {
	case TRANSPORT_TLS:
		return (0);
	case TRANSPORT_TCP:
		return (1);
	case TRANSPORT_UDP:
		break;
	}
	return (2);
}

static int
dns_is_name_char(unsigned char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_');
}

/*
 * A domain name from a SIP URI or an SRV target, lowered and without
 * its final dot; anything else than letters, digits, '-' and '_' in
 * labels of 1 to 63 is refused, so the name is safe to log.
 */
static int
dns_name_copy(char *dst, size_t size, const char *src)
{
	size_t	len, label, i;

	len = strnlen(src, size + 1);
	if (len > 0 && src[len - 1] == '.')
		len--;
	if (len == 0 || len >= size)
		return (-1);
	for (i = 0, label = 0; i < len; i++) {
		if (src[i] == '.') {
			if (label == 0)
				return (-1);
			label = 0;
		} else if (!dns_is_name_char(src[i]) ||
		    ++label > DNS_LABEL_MAX)
			return (-1);
		dst[i] = (src[i] >= 'A' && src[i] <= 'Z') ?
		    src[i] - 'A' + 'a' : src[i];
	}
	dst[len] = '\0';
	return (label == 0 ? -1 : 0);
}

/* Sockets and the timer: c-ares says what to watch, libevent watches. */

static void
dns_timer_update(void)
{
	struct timeval	 tv, *tvp;

	if (dns_channel == NULL)
		return;
	if ((tvp = ares_timeout(dns_channel, NULL, &tv)) == NULL)
		evtimer_del(&dns_timer);
	else
		evtimer_add(&dns_timer, tvp);
}

static void
dns_timeout(int fd, short event, void *arg)
{
	ares_process_fd(dns_channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	dns_timer_update();
}

static void
dns_sock_event(int fd, short event, void *arg)
{
	ares_process_fd(dns_channel,
	    (event & EV_READ) ? fd : ARES_SOCKET_BAD,
	    (event & EV_WRITE) ? fd : ARES_SOCKET_BAD);
	dns_timer_update();
}

static struct dns_sock *
dns_sock_find(ares_socket_t fd)
{
	struct dns_sock	*s;

	TAILQ_FOREACH(s, &dns_socks, ds_entry)
		if (s->ds_fd == fd)
			return (s);
	return (NULL);
}

static void
dns_sock_free(struct dns_sock *s)
{
	event_del(&s->ds_ev);
	TAILQ_REMOVE(&dns_socks, s, ds_entry);
	free(s);
}

/*
 * Called by c-ares, also from inside ares_process_fd() for the socket
 * whose event is running: libevent allows deleting it there.
 */
static void
dns_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct dns_sock	*s;

	s = dns_sock_find(fd);
	if (!readable && !writable) {
		if (s != NULL)
			dns_sock_free(s);
		return;
	}
	if (s == NULL) {
		/* Unwatched, its queries end by timeout. */
		if ((s = calloc(1, sizeof(*s))) == NULL) {
			log_warn("dns: socket %d", fd);
			return;
		}
		s->ds_fd = fd;
		TAILQ_INSERT_TAIL(&dns_socks, s, ds_entry);
	} else
		event_del(&s->ds_ev);
	event_set(&s->ds_ev, fd, EV_PERSIST | (readable ? EV_READ : 0) |
	    (writable ? EV_WRITE : 0), dns_sock_event, s);
	if (event_add(&s->ds_ev, NULL) == -1)
		log_warn("dns: event_add socket %d", fd);
}

/* Reading answers. */

static uint16_t
dns_get16(const unsigned char *p)
{
	return ((uint16_t)(p[0] << 8 | p[1]));
}

static uint32_t
dns_get32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3]);
}

/* Only the length of a name matters here: pointers are not followed. */
static int
dns_skip_name(struct dns_msg *m)
{
	size_t	off = m->m_off;
	int	c;

	for (;;) {
		if (off >= m->m_len)
			return (-1);
		c = m->m_buf[off];
		if ((c & 0xc0) == 0xc0) {
			if (off + 2 > m->m_len)
				return (-1);
			m->m_off = off + 2;
			return (0);
		}
		if (c & 0xc0)
			return (-1);
		if (c == 0) {
			m->m_off = off + 1;
			return (0);
		}
		off += 1 + c;
	}
}

static int
dns_msg_init(struct dns_msg *m, const unsigned char *buf, int len)
{
	unsigned int	qd;

	if (buf == NULL || len < DNS_HEADER_LEN)
		return (-1);
	m->m_buf = buf;
	m->m_len = len;
	qd = dns_get16(buf + 4);
	m->m_an = dns_get16(buf + 6);
	m->m_ns = dns_get16(buf + 8);
	m->m_off = DNS_HEADER_LEN;
	while (qd-- > 0) {
		if (dns_skip_name(m) == -1 || m->m_len - m->m_off < 4)
			return (-1);
		m->m_off += 4;
	}
	return (0);
}

/* 1 with the next record, 0 at the end of the authority section, -1. */
static int
dns_msg_next(struct dns_msg *m, struct dns_rr *rr)
{
	const unsigned char	*p;

	if (m->m_an == 0 && m->m_ns == 0)
		return (0);
	rr->rr_answer = m->m_an > 0;
	if (rr->rr_answer)
		m->m_an--;
	else
		m->m_ns--;
	if (dns_skip_name(m) == -1 || m->m_len - m->m_off < 10)
		return (-1);
	p = m->m_buf + m->m_off;
	rr->rr_type = dns_get16(p);
	rr->rr_class = dns_get16(p + 2);
	rr->rr_ttl = dns_get32(p + 4);
	rr->rr_len = dns_get16(p + 8);
	m->m_off += 10;
	if (rr->rr_len > m->m_len - m->m_off)
		return (-1);
	rr->rr_off = m->m_off;
	m->m_off += rr->rr_len;
	if (rr->rr_ttl > INT32_MAX)	/* RFC 2181 8 */
		rr->rr_ttl = 0;
	return (1);
}

/* RFC 2308 5: the lesser of the SOA's own TTL and its MINIMUM. */
static uint32_t
dns_soa_ttl(const struct dns_msg *m, const struct dns_rr *rr)
{
	uint32_t	minimum;

	if (rr->rr_len < 22)		/* two root names, five numbers */
		return (DNS_NEG_TTL);
	minimum = dns_get32(m->m_buf + rr->rr_off + rr->rr_len - 4);
	return (minimum < rr->rr_ttl ? minimum : rr->rr_ttl);
}

static void
dns_ttl(struct dns_work *wk, uint32_t ttl)
{
	if (ttl < wk->wk_ttl)
		wk->wk_ttl = ttl;
}

/*
 * Where a new SRV record of a transport goes: a free place while the
 * transport has fewer than DNS_TARGETS_MAX, else the place of its worst
 * one if the new one is better; NULL if it is not.
 */
static struct dns_srv *
dns_srv_slot(struct dns_work *wk, enum imd_transport transport,
    uint16_t prio)
{
	struct dns_srv	*worst = NULL;
	size_t		 i, n = 0;

	for (i = 0; i < wk->wk_nsrv; i++) {
		if (wk->wk_srv[i].sv_transport != transport)
			continue;
		n++;
		if (worst == NULL || wk->wk_srv[i].sv_prio > worst->sv_prio)
			worst = &wk->wk_srv[i];
	}
	if (n < DNS_TARGETS_MAX)
		return (&wk->wk_srv[wk->wk_nsrv++]);
	return (prio < worst->sv_prio ? worst : NULL);
}

static int
dns_add_srv(struct dns_work *wk, enum imd_transport transport,
    const struct dns_msg *m, const struct dns_rr *rr)
{
	const unsigned char	*p = m->m_buf + rr->rr_off;
	struct dns_srv		*sv;
	char			*name, target[IMD_DOMAIN_MAX];
	long			 enclen;

	if (rr->rr_len < 7 || ares_expand_name(p + 6, m->m_buf, m->m_len,
	    &name, &enclen) != ARES_SUCCESS)
		return (-1);
	if (enclen > rr->rr_len - 6) {
		ares_free_string(name);
		return (-1);
	}
	wk->wk_srvseen = 1;
	/* A target of "." says the transport is not offered (RFC 2782). */
	if (name[0] == '\0' || dns_get16(p + 4) == 0 ||
	    dns_name_copy(target, sizeof(target), name) == -1) {
		ares_free_string(name);
		return (0);
	}
	ares_free_string(name);
	if ((sv = dns_srv_slot(wk, transport, dns_get16(p))) == NULL)
		return (0);
	strlcpy(sv->sv_target, target, sizeof(sv->sv_target));
	sv->sv_transport = transport;
	sv->sv_prio = dns_get16(p);
	sv->sv_weight = dns_get16(p + 2);
	sv->sv_port = dns_get16(p + 4);
	return (0);
}

static int
dns_add_addr(struct dns_host *h, int type, const struct dns_msg *m,
    const struct dns_rr *rr)
{
	const unsigned char	*p = m->m_buf + rr->rr_off;

	if (type == ns_t_a && rr->rr_len == sizeof(struct in_addr)) {
		if (h->dh_nv4 < DNS_HOST_ADDRS)
			memcpy(&h->dh_v4[h->dh_nv4++], p, rr->rr_len);
		return (0);
	}
	if (type == ns_t_aaaa && rr->rr_len == sizeof(struct in6_addr)) {
		if (h->dh_nv6 < DNS_HOST_ADDRS)
			memcpy(&h->dh_v6[h->dh_nv6++], p, rr->rr_len);
		return (0);
	}
	return (-1);
}

static int
dns_add_record(struct dns_work *wk, const struct dns_query *q,
    const struct dns_msg *m, const struct dns_rr *rr)
{
	if (q->q_type == ns_t_srv)
		return (dns_add_srv(wk, dns_services[q->q_index].sv_transport,
		    m, rr));
	return (dns_add_addr(&wk->wk_host[q->q_index], q->q_type, m, rr));
}

/*
 * Takes the records of the type asked from the answer section; the
 * resolver is ours, so their owner names are not checked against the
 * CNAME chain.  The TTL is the least of those records and the CNAMEs
 * before them, or of a negative answer.  Returns the records taken, or
 * -1 for a malformed message.
 */
static int
dns_parse(struct dns_work *wk, const struct dns_query *q,
    const unsigned char *buf, int len)
{
	struct dns_msg	m;
	struct dns_rr	rr;
	uint32_t	ttl = DNS_TTL_MAX, neg = DNS_NEG_TTL;
	int		found = 0, r;

	if (dns_msg_init(&m, buf, len) == -1)
		return (-1);
	while ((r = dns_msg_next(&m, &rr)) == 1) {
		if (rr.rr_class != ns_c_in)
			continue;
		if (!rr.rr_answer) {
			if (rr.rr_type == ns_t_soa)
				neg = dns_soa_ttl(&m, &rr);
			continue;
		}
		if (rr.rr_type == q->q_type &&
		    dns_add_record(wk, q, &m, &rr) == 0)
			found++;
		else if (rr.rr_type != ns_t_cname)
			continue;
		if (rr.rr_ttl < ttl)
			ttl = rr.rr_ttl;
	}
	if (r == -1)
		return (-1);
	dns_ttl(wk, found > 0 ? ttl : neg);
	return (found);
}

static void
dns_fail(struct dns_work *wk, int error)
{
	if (wk->wk_failure != DNS_ETIMEOUT)
		wk->wk_failure = error;
	wk->wk_failed = 1;
}

static void
dns_answer(void *arg, int status, int timeouts, unsigned char *buf,
    int len)
{
	struct dns_query	*q = arg;
	struct dns_lookup	*lk = q->q_lk;
	struct dns_work		*wk;

	if (status == ARES_EDESTRUCTION) {	/* from dns_shutdown() */
		free(q);
		return;
	}
	wk = lk->lk_work;
	switch (status) {
	case ARES_SUCCESS:
	case ARES_ENODATA:
	case ARES_ENOTFOUND:
		if (dns_parse(wk, q, buf, len) == -1) {
			log_debug("dns: %s: malformed answer", lk->lk_domain);
			dns_fail(wk, DNS_EFAIL);
		} else if (status == ARES_ENOTFOUND)
			wk->wk_nxdomain = 1;
		break;
	case ARES_EBADNAME:		/* too long with the SRV prefix */
		break;
	case ARES_ETIMEOUT:
		dns_fail(wk, DNS_ETIMEOUT);
		break;
	default:
		log_debug("dns: %s: %s", lk->lk_domain, ares_strerror(status));
		dns_fail(wk, DNS_EFAIL);
		break;
	}
	free(q);
	dns_release(lk);
}

static void
dns_ask(struct dns_lookup *lk, const char *name, int type, size_t index)
{
	struct dns_query	*q;

	if ((q = calloc(1, sizeof(*q))) == NULL) {
		log_warn("dns: %s", lk->lk_domain);
		dns_fail(lk->lk_work, DNS_EFAIL);
		return;
	}
	q->q_lk = lk;
	q->q_type = type;
	q->q_index = index;
	lk->lk_pending++;
	dns_counts.ds_queries++;
	ares_query(dns_channel, name, ns_c_in, type, dns_answer, q);
}

/* The cache. */

static int
dns_cache_cmp(const struct dns_cache *a, const struct dns_cache *b)
{
	return (strcmp(a->dc_domain, b->dc_domain));
}

static void
dns_cache_remove(struct dns_cache *dc)
{
	RB_REMOVE(dns_cache_tree, &dns_cache, dc);
	TAILQ_REMOVE(&dns_lru, dc, dc_lru);
	dns_ncached--;
	free(dc->dc_entries);
	free(dc);
}

static struct dns_cache *
dns_cache_get(const char *domain)
{
	struct dns_cache	 find, *dc;

	if (strlcpy(find.dc_domain, domain, sizeof(find.dc_domain)) >=
	    sizeof(find.dc_domain))
		return (NULL);
	if ((dc = RB_FIND(dns_cache_tree, &dns_cache, &find)) == NULL)
		return (NULL);
	if (dc->dc_expire <= dns_now()) {
		dns_cache_remove(dc);
		return (NULL);
	}
	TAILQ_REMOVE(&dns_lru, dc, dc_lru);
	TAILQ_INSERT_HEAD(&dns_lru, dc, dc_lru);
	return (dc);
}

static struct dns_entry *
dns_entries_copy(const struct dns_entry *e, size_t n)
{
	struct dns_entry	*copy;

	/* Not NULL even for none: NULL is the failure. */
	if ((copy = reallocarray(NULL, n > 0 ? n : 1, sizeof(*copy))) == NULL)
		return (NULL);
	if (n > 0)
		memcpy(copy, e, n * sizeof(*copy));
	return (copy);
}

static void
dns_cache_put(const struct dns_lookup *lk, uint32_t ttl)
{
	struct dns_cache	*dc;

	if ((dc = dns_cache_get(lk->lk_domain)) != NULL)
		dns_cache_remove(dc);
	if (ttl == 0)
		return;
	if (dns_ncached == DNS_CACHE_MAX)
		dns_cache_remove(TAILQ_LAST(&dns_lru, dns_lru_head));
	if ((dc = calloc(1, sizeof(*dc))) == NULL ||
	    (dc->dc_entries = dns_entries_copy(lk->lk_entries,
	    lk->lk_nentries)) == NULL) {
		log_warn("dns: cache %s", lk->lk_domain);
		free(dc);
		return;
	}
	strlcpy(dc->dc_domain, lk->lk_domain, sizeof(dc->dc_domain));
	dc->dc_expire = dns_now() + (uint64_t)ttl * 1000;
	dc->dc_error = lk->lk_error;
	dc->dc_nentries = lk->lk_nentries;
	RB_INSERT(dns_cache_tree, &dns_cache, dc);
	TAILQ_INSERT_HEAD(&dns_lru, dc, dc_lru);
	dns_ncached++;
}

static void
dns_cache_clear(void)
{
	struct dns_cache	*dc;

	while ((dc = TAILQ_FIRST(&dns_lru)) != NULL)
		dns_cache_remove(dc);
}

/* RFC 2782 order, drawn for each caller. */

static int
dns_same_group(const struct dns_pick *a, const struct dns_pick *b)
{
	return (a->p_rank == b->p_rank && a->p_prio == b->p_prio);
}

/* The SRV records of the entries, which come sorted by group. */
static size_t
dns_picks(const struct dns_entry *e, size_t n, struct dns_pick *p)
{
	size_t	i, np = 0;

	for (i = 0; i < n; i++) {
		if (np > 0 && p[np - 1].p_srv == e[i].de_srv)
			continue;
		p[np].p_srv = e[i].de_srv;
		p[np].p_rank = dns_rank(e[i].de_target.dt_transport);
		p[np].p_prio = e[i].de_prio;
		p[np].p_weight = e[i].de_weight;
		np++;
	}
	return (np);
}

/* Moves p[from] to p[to], to < from, keeping the others in order. */
static void
dns_pick_move(struct dns_pick *p, size_t to, size_t from)
{
	struct dns_pick	tmp = p[from];

	memmove(p + to + 1, p + to, (from - to) * sizeof(*p));
	p[to] = tmp;
}

/* RFC 2782: zero weights first, then a running-sum draw per place. */
static void
dns_weigh(struct dns_pick *p, size_t n)
{
	uint32_t	sum, run, r;
	size_t		i, k, zero;

	for (i = 0, zero = 0; i < n; i++)
		if (p[i].p_weight == 0)
			dns_pick_move(p, zero++, i);
	for (i = 0; i + 1 < n; i++) {
		for (k = i, sum = 0; k < n; k++)
			sum += p[k].p_weight;
		r = arc4random_uniform(sum + 1);
		for (k = i, run = 0; k < n - 1; k++) {
			run += p[k].p_weight;
			if (run >= r)
				break;
		}
		dns_pick_move(p, i, k);
	}
}

static size_t
dns_order(const struct dns_entry *e, size_t n, struct dns_target *out)
{
	struct dns_pick	p[DNS_TARGETS_MAX];
	size_t		np, i, j, nout = 0;

	np = dns_picks(e, n, p);
	for (i = 0; i < np; i = j) {
		for (j = i + 1; j < np && dns_same_group(&p[i], &p[j]); j++)
			;
		dns_weigh(p + i, j - i);
	}
	for (i = 0; i < np; i++)
		for (j = 0; j < n; j++)
			if (e[j].de_srv == p[i].p_srv)
				out[nout++] = e[j].de_target;
	return (nout);
}

/* Lookups. */

static void
dns_lookup_free(struct dns_lookup *lk)
{
	struct dns_waiter	*w;

	while ((w = TAILQ_FIRST(&lk->lk_waiters)) != NULL) {
		TAILQ_REMOVE(&lk->lk_waiters, w, w_entry);
		dns_nwaiters--;
		free(w);
	}
	evtimer_del(&lk->lk_done);
	TAILQ_REMOVE(&dns_lookups, lk, lk_entry);
	dns_nlookups--;
	free(lk->lk_work);
	free(lk->lk_entries);
	free(lk);
}

static void
dns_deliver(int fd, short event, void *arg)
{
	struct dns_lookup	*lk = arg;
	struct dns_target	 targets[DNS_TARGETS_MAX];
	struct dns_waiter	*w;
	void			(*cb)(void *, const struct dns_target *,
				    size_t, int);
	void			*cbarg;
	size_t			 n;

	/* A callback may cancel the waiters behind it: take one by one. */
	while ((w = TAILQ_FIRST(&lk->lk_waiters)) != NULL) {
		TAILQ_REMOVE(&lk->lk_waiters, w, w_entry);
		dns_nwaiters--;
		cb = w->w_cb;
		cbarg = w->w_arg;
		free(w);
		n = dns_order(lk->lk_entries, lk->lk_nentries, targets);
		cb(cbarg, n > 0 ? targets : NULL, n, lk->lk_error);
	}
	dns_lookup_free(lk);
}

static struct dns_lookup *
dns_lookup_new(const char *domain)
{
	struct dns_lookup	*lk;

	if ((lk = calloc(1, sizeof(*lk))) == NULL)
		return (NULL);
	strlcpy(lk->lk_domain, domain, sizeof(lk->lk_domain));
	TAILQ_INIT(&lk->lk_waiters);
	evtimer_set(&lk->lk_done, dns_deliver, lk);
	TAILQ_INSERT_TAIL(&dns_lookups, lk, lk_entry);
	dns_nlookups++;
	return (lk);
}

static void
dns_lookup_done(struct dns_lookup *lk)
{
	struct timeval	tv = { 0, 0 };

	lk->lk_phase = DNS_PHASE_DONE;
	free(lk->lk_work);
	lk->lk_work = NULL;
	evtimer_add(&lk->lk_done, &tv);
}

static void
dns_finish(struct dns_lookup *lk, int error, const struct dns_entry *e,
    size_t n)
{
	struct dns_work	*wk = lk->lk_work;
	uint32_t	 ttl = wk->wk_ttl;

	if (error == 0 && (lk->lk_entries = dns_entries_copy(e, n)) == NULL) {
		log_warn("dns: %s", lk->lk_domain);
		error = DNS_EFAIL;
	}
	lk->lk_error = error;
	lk->lk_nentries = error == 0 ? n : 0;
	/* Ask again soon after a failure, even one with a partial answer. */
	if (error == DNS_ETIMEOUT || error == DNS_EFAIL)
		ttl = DNS_FAIL_TTL;
	else if (wk->wk_failed && ttl > DNS_FAIL_TTL)
		ttl = DNS_FAIL_TTL;
	dns_cache_put(lk, ttl);
	log_debug("dns: %s: %zu targets, %s, ttl %u", lk->lk_domain,
	    lk->lk_nentries, dns_strerror(error), ttl);
	dns_lookup_done(lk);
}

static void
dns_entry_fill(struct dns_entry *e, const struct dns_srv *sv, size_t srv,
    const struct dns_host *h)
{
	memset(e, 0, sizeof(*e));
	e->de_target.dt_transport = sv->sv_transport;
	e->de_target.dt_port = sv->sv_port;
	strlcpy(e->de_target.dt_host, h->dh_name,
	    sizeof(e->de_target.dt_host));
	e->de_prio = sv->sv_prio;
	e->de_weight = sv->sv_weight;
	e->de_srv = srv;
}

static void
dns_entry_v4(struct dns_entry *e, const struct in_addr *a, uint16_t port)
{
	struct sockaddr_in	*sin;

	sin = (struct sockaddr_in *)&e->de_target.dt_ss;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	sin->sin_addr = *a;
	e->de_target.dt_sslen = sizeof(*sin);
}

static void
dns_entry_v6(struct dns_entry *e, const struct in6_addr *a, uint16_t port)
{
	struct sockaddr_in6	*sin6;

	sin6 = (struct sockaddr_in6 *)&e->de_target.dt_ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	sin6->sin6_addr = *a;
	e->de_target.dt_sslen = sizeof(*sin6);
}

/* The SRV records come sorted, so the list is cut at the worst ones. */
static size_t
dns_build(const struct dns_work *wk, struct dns_entry *e)
{
	const struct dns_srv	*sv;
	const struct dns_host	*h;
	size_t			 i, j, n = 0;

	for (i = 0; i < wk->wk_nsrv; i++) {
		sv = &wk->wk_srv[i];
		h = &wk->wk_host[sv->sv_host];
		for (j = 0; j < h->dh_nv4 && n < DNS_TARGETS_MAX; j++) {
			dns_entry_fill(&e[n], sv, i, h);
			dns_entry_v4(&e[n++], &h->dh_v4[j], sv->sv_port);
		}
		for (j = 0; j < h->dh_nv6 && n < DNS_TARGETS_MAX; j++) {
			dns_entry_fill(&e[n], sv, i, h);
			dns_entry_v6(&e[n++], &h->dh_v6[j], sv->sv_port);
		}
	}
	return (n);
}

static void
dns_addr_done(struct dns_lookup *lk)
{
	struct dns_work		*wk = lk->lk_work;
	struct dns_entry	 e[DNS_TARGETS_MAX];
	size_t			 n;
	int			 error = 0;

	if ((n = dns_build(wk, e)) == 0) {
		if (wk->wk_failure)
			error = wk->wk_failure;
		else if (wk->wk_fallback && wk->wk_nxdomain)
			error = DNS_ENXDOMAIN;
		else
			error = DNS_ENORECORDS;
	}
	dns_finish(lk, error, e, n);
}

/* Insertion sort: stable, and there are at most DNS_SRV_MAX. */
static void
dns_srv_sort(struct dns_work *wk)
{
	struct dns_srv	tmp;
	size_t		i, j;

	for (i = 1; i < wk->wk_nsrv; i++) {
		tmp = wk->wk_srv[i];
		for (j = i; j > 0; j--) {
			if (dns_rank(wk->wk_srv[j - 1].sv_transport) <
			    dns_rank(tmp.sv_transport) ||
			    (wk->wk_srv[j - 1].sv_transport ==
			    tmp.sv_transport &&
			    wk->wk_srv[j - 1].sv_prio <= tmp.sv_prio))
				break;
			wk->wk_srv[j] = wk->wk_srv[j - 1];
		}
		wk->wk_srv[j] = tmp;
	}
}

static int
dns_host_add(struct dns_work *wk, const char *name)
{
	size_t	i;

	for (i = 0; i < wk->wk_nhost; i++)
		if (strcmp(wk->wk_host[i].dh_name, name) == 0)
			return ((int)i);
	if (wk->wk_nhost == DNS_TARGETS_MAX)
		return (-1);
	strlcpy(wk->wk_host[i].dh_name, name, sizeof(wk->wk_host[i].dh_name));
	wk->wk_nhost++;
	return ((int)i);
}

/* Hosts for the best SRV records first; the others are dropped. */
static void
dns_srv_hosts(struct dns_work *wk)
{
	size_t	i, k;
	int	h;

	dns_srv_sort(wk);
	for (i = 0, k = 0; i < wk->wk_nsrv; i++) {
		if ((h = dns_host_add(wk, wk->wk_srv[i].sv_target)) == -1)
			continue;
		wk->wk_srv[i].sv_host = h;
		wk->wk_srv[k++] = wk->wk_srv[i];
	}
	wk->wk_nsrv = k;
}

static void
dns_fallback_srv(struct dns_work *wk, const char *domain,
    enum imd_transport transport)
{
	struct dns_srv	*sv = &wk->wk_srv[wk->wk_nsrv++];

	memset(sv, 0, sizeof(*sv));
	sv->sv_transport = transport;
	sv->sv_port = IMD_SIP_PORT;
	strlcpy(sv->sv_target, domain, sizeof(sv->sv_target));
}

static void
dns_srv_done(struct dns_lookup *lk)
{
	struct dns_work	*wk = lk->lk_work;
	size_t		 i;

	if (wk->wk_nsrv == 0 && (wk->wk_srvseen || wk->wk_failure)) {
		dns_finish(lk, wk->wk_srvseen ? DNS_ENORECORDS :
		    wk->wk_failure, NULL, 0);
		return;
	}
	if (wk->wk_nsrv == 0) {
		wk->wk_fallback = 1;
		dns_fallback_srv(wk, lk->lk_domain, TRANSPORT_TCP);
		dns_fallback_srv(wk, lk->lk_domain, TRANSPORT_UDP);
	}
	dns_srv_hosts(wk);
	wk->wk_failure = 0;
	wk->wk_nxdomain = 0;
	lk->lk_phase = DNS_PHASE_ADDR;
	lk->lk_pending++;	/* held: an answer may come at once */
	for (i = 0; i < wk->wk_nhost; i++) {
		dns_ask(lk, wk->wk_host[i].dh_name, ns_t_a, i);
		dns_ask(lk, wk->wk_host[i].dh_name, ns_t_aaaa, i);
	}
	dns_release(lk);
}

static void
dns_release(struct dns_lookup *lk)
{
	if (--lk->lk_pending > 0)
		return;
	if (lk->lk_phase == DNS_PHASE_SRV)
		dns_srv_done(lk);
	else
		dns_addr_done(lk);
}

static struct dns_lookup *
dns_lookup_start(const char *domain)
{
	struct dns_lookup	*lk;
	char			 qname[DNS_QNAME_MAX];
	size_t			 i;

	if ((lk = dns_lookup_new(domain)) == NULL)
		return (NULL);
	if ((lk->lk_work = calloc(1, sizeof(*lk->lk_work))) == NULL) {
		dns_lookup_free(lk);
		return (NULL);
	}
	lk->lk_work->wk_ttl = DNS_TTL_MAX;
	lk->lk_phase = DNS_PHASE_SRV;
	lk->lk_pending = 1;	/* held while asking */
	for (i = 0; i < DNS_NSERVICES; i++) {
		(void)snprintf(qname, sizeof(qname), "%s%s",
		    dns_services[i].sv_prefix, domain);
		dns_ask(lk, qname, ns_t_srv, i);
	}
	dns_release(lk);
	dns_timer_update();
	return (lk);
}

static struct dns_lookup *
dns_lookup_cached(const struct dns_cache *dc)
{
	struct dns_lookup	*lk;

	if ((lk = dns_lookup_new(dc->dc_domain)) == NULL)
		return (NULL);
	if ((lk->lk_entries = dns_entries_copy(dc->dc_entries,
	    dc->dc_nentries)) == NULL) {
		dns_lookup_free(lk);
		return (NULL);
	}
	lk->lk_nentries = dc->dc_nentries;
	lk->lk_error = dc->dc_error;
	dns_lookup_done(lk);
	return (lk);
}

static struct dns_lookup *
dns_lookup_running(const char *domain)
{
	struct dns_lookup	*lk;

	TAILQ_FOREACH(lk, &dns_lookups, lk_entry)
		if (lk->lk_phase != DNS_PHASE_DONE &&
		    strcmp(lk->lk_domain, domain) == 0)
			return (lk);
	return (NULL);
}

/* The entry points. */

static int
dns_server(const struct sockaddr *sa, socklen_t len,
    struct ares_addr_port_node *node)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)sa;

	memset(node, 0, sizeof(*node));
	if (sa == NULL)
		return (-1);
	if (sa->sa_family == AF_INET && len >= sizeof(*sin)) {
		node->family = AF_INET;
		node->addr.addr4 = sin->sin_addr;
		node->udp_port = node->tcp_port = ntohs(sin->sin_port);
		return (0);
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(*sin6)) {
		node->family = AF_INET6;
		memcpy(&node->addr.addr6, &sin6->sin6_addr,
		    sizeof(node->addr.addr6));
		node->udp_port = node->tcp_port = ntohs(sin6->sin6_port);
		return (0);
	}
	return (-1);
}

/*
 * Every setting that c-ares would otherwise take from resolv.conf, the
 * environment (LOCALDOMAIN, RES_OPTIONS) or gethostname() is given
 * here: with all of them set, ares_init_options() opens no file and
 * the channel never needs one, which the chroot could not provide.
 */
static int
dns_channel_new(unsigned int ms, unsigned int tries)
{
	static char		lookups[] = "b";	/* DNS, no hosts file */
	struct ares_options	opts;
	int			mask, r;

	memset(&opts, 0, sizeof(opts));
	opts.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES |
	    ARES_FLAG_EDNS;
	opts.timeout = ms;
	opts.tries = tries;
	opts.ndots = 1;
	opts.nservers = 0;		/* set with their ports below */
	opts.ndomains = 0;
	opts.lookups = lookups;
	opts.nsort = 0;
	opts.ednspsz = DNS_EDNS_SIZE;
	opts.sock_state_cb = dns_sock_state;
	mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	    ARES_OPT_NDOTS | ARES_OPT_SERVERS | ARES_OPT_DOMAINS |
	    ARES_OPT_LOOKUPS | ARES_OPT_SORTLIST | ARES_OPT_EDNSPSZ |
	    ARES_OPT_SOCK_STATE_CB | ARES_OPT_NOROTATE;
	if ((r = ares_init_options(&dns_channel, &opts, mask)) !=
	    ARES_SUCCESS) {
		log_warnx("dns: ares_init_options: %s", ares_strerror(r));
		dns_channel = NULL;
		return (-1);
	}
	return (0);
}

int
dns_init_timeout(const struct sockaddr *sa, socklen_t len, unsigned int ms,
    unsigned int tries)
{
	struct ares_addr_port_node	server;
	int				r;

	if (dns_channel != NULL || dns_server(sa, len, &server) == -1 ||
	    ms == 0 || ms > INT_MAX || tries == 0 || tries > INT_MAX) {
		errno = EINVAL;
		return (-1);
	}
	if ((r = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
		log_warnx("dns: ares_library_init: %s", ares_strerror(r));
		errno = r == ARES_ENOMEM ? ENOMEM : EIO;
		return (-1);
	}
	if (dns_channel_new(ms, tries) == -1) {
		ares_library_cleanup();
		errno = EIO;
		return (-1);
	}
	evtimer_set(&dns_timer, dns_timeout, NULL);
	if ((r = ares_set_servers_ports(dns_channel, &server)) !=
	    ARES_SUCCESS) {
		log_warnx("dns: ares_set_servers_ports: %s",
		    ares_strerror(r));
		dns_shutdown();
		errno = EIO;
		return (-1);
	}
	return (0);
}

int
dns_init(const struct sockaddr *sa, socklen_t len)
{
	return (dns_init_timeout(sa, len, DNS_TIMEOUT_MS, DNS_TRIES));
}

static struct dns_lookup *
dns_lookup_get(const char *domain)
{
	struct dns_lookup	*lk;
	struct dns_cache	*dc;

	if ((lk = dns_lookup_running(domain)) != NULL)
		return (lk);
	if (dns_nlookups >= DNS_LOOKUPS_MAX) {
		errno = ENOBUFS;
		return (NULL);
	}
	if ((dc = dns_cache_get(domain)) != NULL) {
		dns_counts.ds_hits++;
		lk = dns_lookup_cached(dc);
	} else {
		dns_counts.ds_misses++;
		lk = dns_lookup_start(domain);
	}
	if (lk == NULL)
		errno = ENOMEM;
	return (lk);
}

int
dns_resolve(const char *domain,
    void (*cb)(void *, const struct dns_target *, size_t, int), void *arg)
{
	struct dns_lookup	*lk;
	struct dns_waiter	*w;
	char			 name[IMD_DOMAIN_MAX];

	if (dns_channel == NULL) {
		errno = ENXIO;
		return (-1);
	}
	if (domain == NULL || cb == NULL ||
	    dns_name_copy(name, sizeof(name), domain) == -1) {
		errno = EINVAL;
		return (-1);
	}
	if (dns_nwaiters >= DNS_WAITERS_MAX) {
		errno = ENOBUFS;
		return (-1);
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return (-1);
	if ((lk = dns_lookup_get(name)) == NULL) {
		free(w);
		return (-1);
	}
	w->w_cb = cb;
	w->w_arg = arg;
	TAILQ_INSERT_TAIL(&lk->lk_waiters, w, w_entry);
	dns_nwaiters++;
	return (0);
}

void
dns_cancel(void (*cb)(void *, const struct dns_target *, size_t, int),
    void *arg)
{
	struct dns_lookup	*lk;
	struct dns_waiter	*w, *next;

	TAILQ_FOREACH(lk, &dns_lookups, lk_entry) {
		for (w = TAILQ_FIRST(&lk->lk_waiters); w != NULL; w = next) {
			next = TAILQ_NEXT(w, w_entry);
			if (w->w_cb != cb || w->w_arg != arg)
				continue;
			TAILQ_REMOVE(&lk->lk_waiters, w, w_entry);
			dns_nwaiters--;
			free(w);
		}
	}
}

void
dns_shutdown(void)
{
	struct dns_lookup	*lk;
	struct dns_sock		*s;

	if (dns_channel != NULL) {
		/* Ends every query with ARES_EDESTRUCTION, closes sockets. */
		ares_destroy(dns_channel);
		dns_channel = NULL;
		ares_library_cleanup();
		evtimer_del(&dns_timer);
	}
	while ((lk = TAILQ_FIRST(&dns_lookups)) != NULL)
		dns_lookup_free(lk);
	while ((s = TAILQ_FIRST(&dns_socks)) != NULL)
		dns_sock_free(s);
	dns_cache_clear();
	memset(&dns_counts, 0, sizeof(dns_counts));
}

void
dns_get_stats(struct dns_stats *st)
{
	*st = dns_counts;
	st->ds_cached = dns_ncached;
	st->ds_lookups = dns_nlookups;
}

const char *
dns_strerror(int error)
{
	switch (error) {
	case 0:
		return ("no error");
	case DNS_ENXDOMAIN:
		return ("no such domain");
	case DNS_ENORECORDS:
		return ("no SIP server records");
	case DNS_ETIMEOUT:
		return ("resolver timed out");
	case DNS_EFAIL:
		return ("resolver failed");
	}
	return ("unknown error");
}
