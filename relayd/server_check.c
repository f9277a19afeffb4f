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
 * Is this address a server of that domain?  The listener asks before it
 * takes a request of another domain over a plain transport (inbound
 * verified); it never resolves names itself.  The answer is what
 * relayd would use to reach the domain: its static route, when there
 * is one, and only that; else its DNS (the SRV targets, else its A and
 * AAAA records), from dns.c and its cache.  Addresses are compared
 * without ports: a peer's relayd sends from ports of its own.  A query
 * waits at most VERIFY_WAIT_S, and no more than VERIFY_QUERIES_MAX wait
 * at once; a stranger's flood of made-up domains costs one DNS lookup
 * each and no more.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <event.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "config.h"
#include "dns.h"
#include "imd_msg.h"
#include "log.h"
#include "proc.h"
#include "relayd.h"

#define VERIFY_QUERIES_MAX	128	/* waiting for DNS at once */
#define VERIFY_WAIT_S		4	/* the listener holds the request 5 */
#define VERIFY_ADDR_MAX		64

struct verify_query {
	TAILQ_ENTRY(verify_query) vq_entry;
	uint32_t		 vq_id;		/* the listener's request */
	char			 vq_domain[IMD_DOMAIN_MAX];
	struct sockaddr_storage	 vq_ss;
	struct event		 vq_timer;
};

static void	verify_resolved(void *, const struct dns_target *, size_t,
		    int);

static TAILQ_HEAD(, verify_query) verify_queries =
    TAILQ_HEAD_INITIALIZER(verify_queries);
static size_t			 verify_nqueries;

static void
verify_answer(uint32_t id, enum inbound_verdict verdict)
{
	struct imsgev	*listener = proc_worker_peer(PROC_ID_WORKER(id));
	struct ibuf	*buf;

	if ((buf = imsgev_create(listener, IMSG_RELAY_VERIFIED, id, 4)) ==
	    NULL || ibuf_add_u32(buf, verdict) == -1 ||
	    imsgev_close(listener, buf) == -1)
		fatal("%s", __func__);
}

/*
 * The same host, whatever the ports; an IPv4 address the kernel shows
 * as IPv4-mapped IPv6 is the IPv4 address.
 */
static const void *
verify_host(const struct sockaddr_storage *ss, int *family)
{
	const struct sockaddr_in6	*sin6 = (const void *)ss;
	static const uint8_t		 mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	*family = ss->ss_family;
	if (ss->ss_family == AF_INET)
		return (&((const struct sockaddr_in *)(const void *)ss)->
		    sin_addr);
	if (ss->ss_family == AF_INET6 &&
	    memcmp(&sin6->sin6_addr, mapped, sizeof(mapped)) == 0) {
		*family = AF_INET;
		return ((const uint8_t *)&sin6->sin6_addr + sizeof(mapped));
	}
	return (&sin6->sin6_addr);
}

static int
verify_same_host(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b)
{
	const void	*ha, *hb;
	int		 fa, fb;

	if ((a->ss_family != AF_INET && a->ss_family != AF_INET6) ||
	    (b->ss_family != AF_INET && b->ss_family != AF_INET6))
		return (0);
	ha = verify_host(a, &fa);
	hb = verify_host(b, &fb);
	if (fa != fb)
		return (0);
	return (memcmp(ha, hb, fa == AF_INET ? sizeof(struct in_addr) :
	    sizeof(struct in6_addr)) == 0);
}

static void
verify_free(struct verify_query *vq)
{
	dns_cancel(verify_resolved, vq);
	evtimer_del(&vq->vq_timer);
	TAILQ_REMOVE(&verify_queries, vq, vq_entry);
	verify_nqueries--;
	free(vq);
}

static void
verify_done(struct verify_query *vq, enum inbound_verdict verdict)
{
	verify_answer(vq->vq_id, verdict);
	verify_free(vq);
}

static void
verify_resolved(void *arg, const struct dns_target *t, size_t n, int error)
{
	struct verify_query	*vq = arg;
	size_t			 i;

	if (error != 0)
		log_debug("verify: %s: %s", vq->vq_domain,
		    dns_strerror(error));
	for (i = 0; i < n; i++)
		if (verify_same_host(&t[i].dt_ss, &vq->vq_ss)) {
			verify_done(vq, INBOUND_YES);
			return;
		}
	verify_done(vq, INBOUND_NO);
}

static void
verify_timeout(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct verify_query	*vq = arg;

	log_info("verify: %s: no answer from DNS in time", vq->vq_domain);
	verify_done(vq, INBOUND_NO);
}

/* Ask DNS: 0, or -1 with the verdict already given. */
static int
verify_ask_dns(uint32_t id, const char *domain,
    const struct sockaddr_storage *ss)
{
	struct verify_query	*vq;
	struct timeval		 tv = { VERIFY_WAIT_S, 0 };

	if (verify_nqueries >= VERIFY_QUERIES_MAX ||
	    (vq = calloc(1, sizeof(*vq))) == NULL) {
		log_warnx("verify: %s: too many queries at once", domain);
		verify_answer(id, INBOUND_BUSY);
		return (-1);
	}
	vq->vq_id = id;
	strlcpy(vq->vq_domain, domain, sizeof(vq->vq_domain));
	memcpy(&vq->vq_ss, ss, sizeof(vq->vq_ss));
	if (dns_resolve(domain, verify_resolved, vq) == -1) {
		log_debug("verify: resolve %s: %s", domain, strerror(errno));
		verify_answer(id, errno == ENOBUFS ? INBOUND_BUSY : INBOUND_NO);
		free(vq);
		return (-1);
	}
	evtimer_set(&vq->vq_timer, verify_timeout, vq);
	evtimer_add(&vq->vq_timer, &tv);
	TAILQ_INSERT_TAIL(&verify_queries, vq, vq_entry);
	verify_nqueries++;
	return (0);
}

/* IMSG_RELAY_VERIFY: str domain, str numeric address. */
void
verify_request(struct imsgev *iev, struct imsg *imsg)
{
	const struct conf_route	*cr;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			 domain[IMD_DOMAIN_MAX];
	char			 addr[VERIFY_ADDR_MAX];
	uint32_t		 id = imsg->hdr.ih_peerid;

	imsg_get_str(imsg, domain, sizeof(domain));
	imsg_get_str(imsg, addr, sizeof(addr));
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "verify request");
	if (config_sockaddr(addr, 0, &ss, &sslen) == -1) {
		verify_answer(id, INBOUND_NO);
		return;
	}
	if ((cr = config_find_route(relayd_conf, domain)) != NULL) {
		verify_answer(id, verify_same_host(&cr->cr_ss, &ss) ?
		    INBOUND_YES : INBOUND_NO);
		return;
	}
	if (relayd_conf->c_resolver.ss_family == 0) {
		verify_answer(id, INBOUND_NO);
		return;
	}
	verify_ask_dns(id, domain, &ss);
}
