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
 * The answers are read by dns_wire.c, kept by dns_cache.c and made
 * into next hops in RFC 2782 order by dns_srv.c.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/nameser.h>

#include <ares.h>
#include <errno.h>
#include <event.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "dns_private.h"
#include "log.h"

#define DNS_EDNS_SIZE	1232	/* fits the IPv6 minimum MTU */
#define DNS_QNAME_MAX	(IMD_DOMAIN_MAX + 24)	/* "_xmpps-server._tcp." */
#define DNS_XMPP_KEY	"xmpp:"	/* an XMPP lookup's cache key: no domain's */

enum dns_phase {
	DNS_PHASE_SRV,
	DNS_PHASE_ADDR,
	DNS_PHASE_DONE
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
	char			 lk_key[IMD_DOMAIN_MAX];	/* in the cache */
	int			 lk_xmpp;	/* XMPP's services, not SIP's */
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

/* A socket of c-ares, watched for what it asked. */
struct dns_sock {
	TAILQ_ENTRY(dns_sock)	 ds_entry;
	ares_socket_t		 ds_fd;
	struct event		 ds_ev;
};

static ares_channel	 dns_channel;
static struct event	 dns_timer;
static TAILQ_HEAD(, dns_sock) dns_socks = TAILQ_HEAD_INITIALIZER(dns_socks);
static TAILQ_HEAD(, dns_lookup) dns_lookups =
    TAILQ_HEAD_INITIALIZER(dns_lookups);
static size_t		 dns_nlookups;
static size_t		 dns_nwaiters;
static struct dns_stats	 dns_counts;

static void	dns_release(struct dns_lookup *);

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
dns_timeout(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg IMD_UNUSED)
{
	ares_process_fd(dns_channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	dns_timer_update();
}

static void
dns_sock_event(int fd, short event, void *arg IMD_UNUSED)
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
dns_sock_state(void *data IMD_UNUSED, ares_socket_t fd, int readable,
    int writable)
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

static void
dns_fail(struct dns_work *wk, int error)
{
	if (wk->wk_failure != DNS_ETIMEOUT)
		wk->wk_failure = error;
	wk->wk_failed = 1;
}

static void
dns_answer(void *arg, int status, int timeouts IMD_UNUSED, unsigned char *buf,
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
		if (dns_parse(wk, q->q_type, q->q_index, buf,
		    len > 0 ? (size_t)len : 0) == -1) {
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
dns_deliver(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
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

/* The cache key of a lookup: the domain, or "xmpp:" and the domain. */
static int
dns_key(char *key, size_t size, const char *domain, int xmpp)
{
	if ((size_t)snprintf(key, size, "%s%s", xmpp ? DNS_XMPP_KEY : "",
	    domain) >= size)
		return (-1);
	return (0);
}

static struct dns_lookup *
dns_lookup_new(const char *domain, int xmpp)
{
	struct dns_lookup	*lk;

	if ((lk = calloc(1, sizeof(*lk))) == NULL)
		return (NULL);
	strlcpy(lk->lk_domain, domain, sizeof(lk->lk_domain));
	lk->lk_xmpp = xmpp;
	(void)dns_key(lk->lk_key, sizeof(lk->lk_key), domain, xmpp);
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
	dns_cache_put(lk->lk_key, lk->lk_error, lk->lk_entries,
	    lk->lk_nentries, ttl);
	log_debug("dns: %s: %zu targets, %s, ttl %u", lk->lk_domain,
	    lk->lk_nentries, dns_strerror(error), ttl);
	dns_lookup_done(lk);
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

static void
dns_fallback_srv(struct dns_work *wk, const char *domain,
    enum imd_transport transport, uint16_t port)
{
	struct dns_srv	*sv = &wk->wk_srv[wk->wk_nsrv++];

	memset(sv, 0, sizeof(*sv));
	sv->sv_transport = transport;
	sv->sv_port = port;
	sv->sv_fallback = 1;
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
		if (lk->lk_xmpp)	/* RFC 6120 3.2.2 */
			dns_fallback_srv(wk, lk->lk_domain, TRANSPORT_TCP,
			    IMD_XMPP_PORT);
		else {
			dns_fallback_srv(wk, lk->lk_domain, TRANSPORT_TCP,
			    IMD_SIP_PORT);
			dns_fallback_srv(wk, lk->lk_domain, TRANSPORT_UDP,
			    IMD_SIP_PORT);
		}
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
dns_lookup_start(const char *domain, int xmpp)
{
	struct dns_lookup	*lk;
	char			 qname[DNS_QNAME_MAX];
	size_t			 i, first, end;

	if ((lk = dns_lookup_new(domain, xmpp)) == NULL)
		return (NULL);
	first = xmpp ? DNS_XMPP_FIRST : 0;
	end = xmpp ? DNS_SERVICES_ALL : DNS_NSERVICES;
	if ((lk->lk_work = calloc(1, sizeof(*lk->lk_work))) == NULL) {
		dns_lookup_free(lk);
		return (NULL);
	}
	lk->lk_work->wk_ttl = DNS_TTL_MAX;
	lk->lk_phase = DNS_PHASE_SRV;
	lk->lk_pending = 1;	/* held while asking */
	for (i = first; i < end; i++) {
		(void)snprintf(qname, sizeof(qname), "%s%s",
		    dns_services[i].sv_prefix, domain);
		dns_ask(lk, qname, ns_t_srv, i);
	}
	dns_release(lk);
	dns_timer_update();
	return (lk);
}

static struct dns_lookup *
dns_lookup_cached(const struct dns_cache *dc, const char *domain, int xmpp)
{
	struct dns_lookup	*lk;

	if ((lk = dns_lookup_new(domain, xmpp)) == NULL)
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
dns_lookup_running(const char *domain, int xmpp)
{
	struct dns_lookup	*lk;

	TAILQ_FOREACH(lk, &dns_lookups, lk_entry)
		if (lk->lk_phase != DNS_PHASE_DONE && lk->lk_xmpp == xmpp &&
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
dns_lookup_get(const char *domain, int xmpp)
{
	struct dns_lookup	*lk;
	struct dns_cache	*dc;
	char			 key[IMD_DOMAIN_MAX];

	if ((lk = dns_lookup_running(domain, xmpp)) != NULL)
		return (lk);
	if (dns_key(key, sizeof(key), domain, xmpp) == -1) {
		errno = EINVAL;
		return (NULL);
	}
	if (dns_nlookups >= DNS_LOOKUPS_MAX) {
		errno = ENOBUFS;
		return (NULL);
	}
	if ((dc = dns_cache_get(key)) != NULL) {
		dns_counts.ds_hits++;
		lk = dns_lookup_cached(dc, domain, xmpp);
	} else {
		dns_counts.ds_misses++;
		lk = dns_lookup_start(domain, xmpp);
	}
	if (lk == NULL && errno != EINVAL)
		errno = ENOMEM;
	return (lk);
}

static int
dns_resolve_kind(const char *domain, int xmpp,
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
	if ((lk = dns_lookup_get(name, xmpp)) == NULL) {
		free(w);
		return (-1);
	}
	w->w_cb = cb;
	w->w_arg = arg;
	TAILQ_INSERT_TAIL(&lk->lk_waiters, w, w_entry);
	dns_nwaiters++;
	return (0);
}

int
dns_resolve(const char *domain,
    void (*cb)(void *, const struct dns_target *, size_t, int), void *arg)
{
	return (dns_resolve_kind(domain, 0, cb, arg));
}

/*
 * An XMPP domain's servers: XEP-0368 _xmpps-server._tcp (TLS),
 * _xmpp-server._tcp (TCP), else its A/AAAA on 5269.
 */
int
dns_resolve_xmpp(const char *domain,
    void (*cb)(void *, const struct dns_target *, size_t, int), void *arg)
{
	return (dns_resolve_kind(domain, 1, cb, arg));
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
	st->ds_cached = dns_cache_count();
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
