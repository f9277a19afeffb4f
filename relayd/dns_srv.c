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
 * From the SRV records and addresses a lookup gathered to next hops:
 * the records sorted by transport and priority, one host per target,
 * the entries the cache keeps, and for each caller the RFC 2782
 * weighted order drawn again.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns_private.h"

/* An SRV record in the drawing of the RFC 2782 order. */
struct dns_pick {
	size_t		p_srv;
	int		p_rank;		/* dns_rank() of its transport */
	uint16_t	p_prio;
	uint16_t	p_weight;
};

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
void
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
dns_entry_fill(struct dns_entry *e, const struct dns_srv *sv, size_t srv,
    const struct dns_host *h)
{
	memset(e, 0, sizeof(*e));
	e->de_target.dt_transport = sv->sv_transport;
	e->de_target.dt_port = sv->sv_port;
	e->de_target.dt_fallback = sv->sv_fallback;
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
size_t
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

size_t
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
