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
 * Requests for foreign domains, from the listener, which authenticated
 * the sender.  The listener holds the server transaction; relayd is the
 * client side of the same proxy (RFC 3261 16.6): it finds the domain's
 * servers (a static route, else DNS as RFC 3263 says), adds its Via,
 * tries the targets in order, and passes the final response back
 * without that Via.  A transport failure moves on to the next target;
 * when none is left the list is tried again after a pause that doubles
 * each round, until RELAY_TIME has passed: then 408 if a server took
 * the request and never answered, else 503.
 *
 * An INVITE is a call's: relayd record-routes the listener, passes
 * provisional responses back as they come, rings for `limit
 * ring-time` once the server took it, ACKs a failure itself (hop by
 * hop, RFC 3261 17.1.1.3) and stays a while to ACK its retransmissions
 * and pass on those of a 2xx, and sends CANCEL when the listener asks
 * (again and again over UDP until it is answered).  An ACK (of a 2xx) goes
 * once, with no answer.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cdefs.h"
#include "config.h"
#include "dns.h"
#include "imd_msg.h"
#include "log.h"
#include "proc.h"
#include "relayd.h"
#include "sip.h"

#define RELAY_TIME		32	/* s: Timer F (RFC 3261 17.1.2.2) */
#define RELAY_T1_MS		500
#define RELAY_T2_MS		4000
#define RELAY_ROUND_MAX_S	8	/* longest pause between rounds */
#define RELAY_JOBS_MAX		4096
#define RELAY_REASON_MAX	64
#define RELAY_BRANCH_MAX	48

struct relay_job {
	TAILQ_ENTRY(relay_job)	 rj_entry;
	uint32_t		 rj_id;		/* the listener's request */
	char			 rj_domain[IMD_DOMAIN_MAX];
	char			*rj_req;	/* as the listener got it */
	size_t			 rj_reqlen;
	struct sip_msg		*rj_msg;	/* rj_req, parsed once */
	struct out_dest		 rj_targets[DNS_TARGETS_MAX];
	size_t			 rj_ntargets;
	size_t			 rj_next;	/* the next to try */
	uint32_t		 rj_refused;	/* targets never to retry */
	int			 rj_xmpp_checked; /* DNS asked for XMPP too */
	int			 rj_pop_route;	/* the first Route names us */
	int			 rj_drop_routes; /* the route set is no server's */
	int			 rj_hop_set;	/* a route set goes on: */
	int			 rj_hop_numeric;
	char			 rj_hop[IMD_DOMAIN_MAX]; /* its next host */
	unsigned int		 rj_round;
	char			 rj_branch[RELAY_BRANCH_MAX];
	uint64_t		 rj_conn;	/* of the attempt, 0: UDP */
	const struct out_dest	*rj_dest;	/* of the attempt, or NULL */
	char			*rj_out;	/* its bytes, for UDP resends */
	size_t			 rj_outlen;
	unsigned int		 rj_resend_ms;
	int			 rj_taken;	/* a server answered 1xx */
	int			 rj_sent;	/* an attempt may have arrived */
	int			 rj_cancel;	/* CANCEL at the first 1xx */
	int			 rj_done;	/* an INVITE answered: absorbing */
	char			*rj_cancel_out;	/* our CANCEL, for UDP resends */
	size_t			 rj_cancel_len;
	unsigned int		 rj_cancel_ms;	/* its Timer E */
	unsigned int		 rj_cancel_left; /* ms to its Timer F */
	struct event		 rj_cancel_timer;
	unsigned int		 rj_status;	/* if it ends now */
	char			 rj_reason[RELAY_REASON_MAX];
	struct event		 rj_timer;	/* resend, next round */
	struct event		 rj_deadline;
};

static TAILQ_HEAD(, relay_job)	jobs = TAILQ_HEAD_INITIALIZER(jobs);
static size_t			njobs;

static void	relay_attempt(struct relay_job *);
static int	job_parse(struct relay_job *);
static void	job_resolved(void *, const struct dns_target *, size_t, int);
static void	job_cancel_resend(int, short, void *);

static void
job_fail_reason(struct relay_job *rj, unsigned int status,
    const char *reason)
{
	rj->rj_status = status;
	strlcpy(rj->rj_reason, reason, sizeof(rj->rj_reason));
}

static void	job_xmpp_checked(void *, const struct dns_target *, size_t,
		    int);

static void
job_free(struct relay_job *rj)
{
	dns_cancel(job_resolved, rj);
	dns_cancel(job_xmpp_checked, rj);
	evtimer_del(&rj->rj_timer);
	evtimer_del(&rj->rj_deadline);
	evtimer_del(&rj->rj_cancel_timer);
	TAILQ_REMOVE(&jobs, rj, rj_entry);
	njobs--;
	free(rj->rj_cancel_out);
	free(rj->rj_req);
	free(rj->rj_msg);
	free(rj->rj_out);
	free(rj);
}

/* The final answer to the listener: a response to pass on, or a status. */
static void
relay_answer(uint32_t id, unsigned int status, const char *reason,
    const char *resp, size_t len)
{
	struct imsgev	*listener = proc_worker_peer(PROC_ID_WORKER(id));
	struct ibuf	*buf;

	if ((buf = imsgev_create(listener, IMSG_RELAY_RESPONSE, id,
	    len + 128)) == NULL || ibuf_add_u32(buf, status) == -1 ||
	    ibuf_add_str(buf, reason, RELAY_REASON_MAX) == -1 ||
	    ibuf_add_u32(buf, len) == -1 ||
	    ibuf_add_data(buf, resp != NULL ? resp : "", len) == -1 ||
	    imsgev_close(listener, buf) == -1)
		fatal("%s", __func__);
}

static void
job_finish(struct relay_job *rj, unsigned int status, const char *reason,
    const char *resp, size_t len)
{
	relay_answer(rj->rj_id, status, reason, resp, len);
	log_debug("relay: request %u for %s: %u %s", rj->rj_id,
	    rj->rj_domain, status, reason);
	job_free(rj);
}

static void
job_deadline(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct relay_job	*rj = arg;

	if (rj->rj_done) {
		job_free(rj);
		return;
	}
	if (rj->rj_sent || rj->rj_dest != NULL)
		job_finish(rj, 408, "Request Timeout", NULL, 0);
	else
		job_finish(rj, rj->rj_status, rj->rj_reason, NULL, 0);
}

/* Timer E's next interval: twice the last, T2 at most. */
static void
job_timer_double(struct event *ev, unsigned int *ms)
{
	struct timeval	tv;

	if ((*ms *= 2) > RELAY_T2_MS)
		*ms = RELAY_T2_MS;
	tv.tv_sec = *ms / 1000;
	tv.tv_usec = (*ms % 1000) * 1000;
	evtimer_add(ev, &tv);
}

/* UDP only: Timer E, until a provisional response or the deadline. */
static void
job_resend(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct relay_job	*rj = arg;

	if (rj->rj_dest == NULL || rj->rj_taken)
		return;
	if (out_send(rj->rj_dest, 0, rj->rj_out, rj->rj_outlen) == -1) {
		relay_attempt(rj);
		return;
	}
	job_timer_double(&rj->rj_timer, &rj->rj_resend_ms);
}

static void
job_next_round(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct relay_job	*rj = arg;

	rj->rj_next = 0;
	relay_attempt(rj);
}

/* Every target failed: all of them again, after a pause. */
static void
job_pause(struct relay_job *rj)
{
	struct timeval	tv = { 1, 0 };

	tv.tv_sec <<= rj->rj_round < 4 ? rj->rj_round : 3;
	if (tv.tv_sec > RELAY_ROUND_MAX_S)
		tv.tv_sec = RELAY_ROUND_MAX_S;
	rj->rj_round++;
	rj->rj_dest = NULL;
	evtimer_set(&rj->rj_timer, job_next_round, rj);
	evtimer_add(&rj->rj_timer, &tv);
}

/*
 * A SUBSCRIBE makes a dialog whose NOTIFYs must come back through our
 * listener, which knows where the watcher's device is: it is added to
 * the route set (RFC 3261 16.6 step 4), by the first listening address.
 */
static void
job_record_route(char *extra, size_t size)
{
	const struct conf_listen	*cl;
	char				 name[64];
	size_t				 len = strlen(extra);

	if ((cl = TAILQ_FIRST(&relayd_conf->c_listens)) == NULL)
		return;
	sockaddr_name(&cl->cl_ss, cl->cl_sslen, name, sizeof(name));
	snprintf(extra + len, size - len, "Record-Route: <sip:%s;lr%s>\r\n",
	    name, cl->cl_transport == TRANSPORT_UDP ? "" :
	    cl->cl_transport == TRANSPORT_TCP ? ";transport=tcp" :
	    ";transport=tls");
}

/*
 * Our Via, with a branch that starts with the suite's loop tag: the
 * listener refuses a request that carries it (RFC 3261 16.3 step 4).
 */
static int
job_print(struct relay_job *rj, const char *via, char *out, size_t size,
    size_t *len)
{
	const struct sip_msg	*msg = rj->rj_msg;
	struct sip_fwd		 fw;
	struct sip_out		 o;
	char			 extra[SIP_DATE_LINE_MAX + 128];

	/* An ACK of a 2xx has no transaction: its retransmissions, the same. */
	if (msg->msg_method != SIP_METHOD_ACK || sip_branch_derived(msg,
	    config_loop_tag(relayd_conf), rj->rj_branch,
	    sizeof(rj->rj_branch)) == -1)
		snprintf(rj->rj_branch, sizeof(rj->rj_branch),
		    "z9hG4bK%08x.%08x%08x", config_loop_tag(relayd_conf),
		    arc4random(), arc4random());
	memset(&fw, 0, sizeof(fw));
	fw.fw_via.s = via;
	fw.fw_via.len = strlen(via);
	fw.fw_branch.s = rj->rj_branch;
	fw.fw_branch.len = strlen(rj->rj_branch);
	fw.fw_drop_proxy_auth = 1;
	fw.fw_pop_route = rj->rj_pop_route;
	fw.fw_drop_routes = rj->rj_drop_routes;
	sip_date_line(msg, time(NULL), extra, sizeof(extra));
	if (msg->msg_method == SIP_METHOD_SUBSCRIBE ||
	    msg->msg_method == SIP_METHOD_INVITE)
		job_record_route(extra, sizeof(extra));
	fw.fw_extra.s = extra;
	fw.fw_extra.len = strlen(extra);
	sip_out_init(&o, out, size);
	if (sip_print_request(&o, msg, &fw) == -1)
		return (-1);
	*len = o.len;
	return (0);
}

/* One target after the other until one takes the request. */
static void
relay_attempt(struct relay_job *rj)
{
	const struct out_dest	*d;
	char			 via[OUT_VIA_MAX];
	struct timeval		 tv = { 0, RELAY_T1_MS * 1000 };

	evtimer_del(&rj->rj_timer);
	rj->rj_dest = NULL;
	rj->rj_taken = 0;
	while (rj->rj_next < rj->rj_ntargets) {
		if (rj->rj_refused & (1U << rj->rj_next)) {
			rj->rj_next++;
			continue;
		}
		d = &rj->rj_targets[rj->rj_next++];
		if (d->od_transport == TRANSPORT_UDP &&
		    rj->rj_reqlen + 512 > SIP_UDP_MAX) {
			/* RFC 3261 18.1.1: not over UDP, not ever. */
			rj->rj_refused |= 1U << (rj->rj_next - 1);
			job_fail_reason(rj, 513, "Message Too Large For UDP");
			continue;
		}
		if (out_origin(d, via, sizeof(via), &rj->rj_conn) == -1 ||
		    job_print(rj, via, rj->rj_out, IMSG_PAYLOAD_MAX,
		    &rj->rj_outlen) == -1 ||
		    out_send(d, rj->rj_conn, rj->rj_out, rj->rj_outlen) == -1) {
			job_fail_reason(rj, 503, "Next hop unreachable");
			continue;
		}
		rj->rj_dest = d;
		if (rj->rj_msg->msg_method == SIP_METHOD_ACK) {
			job_free(rj);	/* nobody answers an ACK */
			return;
		}
		if (d->od_transport == TRANSPORT_UDP) {
			rj->rj_sent = 1;
			rj->rj_resend_ms = RELAY_T1_MS;
			evtimer_set(&rj->rj_timer, job_resend, rj);
			evtimer_add(&rj->rj_timer, &tv);
		}
		return;
	}
	if (rj->rj_refused == (1U << rj->rj_ntargets) - 1) {
		job_finish(rj, rj->rj_status, rj->rj_reason, NULL, 0);
		return;
	}
	job_pause(rj);
}

static void
job_targets_start(struct relay_job *rj)
{
	if (rj->rj_ntargets == 0) {
		job_finish(rj, rj->rj_status, rj->rj_reason, NULL, 0);
		return;
	}
	relay_attempt(rj);
}

/*
 * Loopback, private (RFC 1918, RFC 4193), shared (RFC 6598), link-local,
 * unspecified, multicast and reserved addresses: never a next hop that
 * DNS gave, as they would turn relayd against the hosts beside it.
 */
int
addr_is_private(const struct sockaddr_storage *ss)
{
	const struct in6_addr	*a6;
	uint32_t		 a;

	if (ss->ss_family == AF_INET6) {
		a6 = &((const struct sockaddr_in6 *)ss)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			memcpy(&a, &a6->s6_addr[12], sizeof(a));
			a = ntohl(a);
		} else
			return (IN6_IS_ADDR_UNSPECIFIED(a6) ||
			    IN6_IS_ADDR_LOOPBACK(a6) ||
			    IN6_IS_ADDR_LINKLOCAL(a6) ||
			    IN6_IS_ADDR_SITELOCAL(a6) ||
			    IN6_IS_ADDR_MULTICAST(a6) ||
			    (a6->s6_addr[0] & 0xfe) == 0xfc);
	} else if (ss->ss_family == AF_INET)
		a = ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr);
	else
		return (1);
	return ((a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 ||
	    (a & 0xffc00000) == 0x64400000 ||	/* 100.64/10 */
	    (a & 0xffff0000) == 0xa9fe0000 ||	/* 169.254/16 */
	    (a & 0xfff00000) == 0xac100000 ||	/* 172.16/12 */
	    (a & 0xffff0000) == 0xc0a80000 ||	/* 192.168/16 */
	    (a >> 28) >= 0xe);			/* multicast, 240/4 */
}

static int
addr_same_host(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return (0);
	if (a->ss_family == AF_INET)
		return (((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		    ((const struct sockaddr_in *)b)->sin_addr.s_addr);
	return (a->ss_family == AF_INET6 && memcmp(
	    &((const struct sockaddr_in6 *)a)->sin6_addr,
	    &((const struct sockaddr_in6 *)b)->sin6_addr,
	    sizeof(struct in6_addr)) == 0);
}

/* The target at i goes first, the others keep their order. */
static void
job_target_first(struct relay_job *rj, size_t i)
{
	struct out_dest	d = rj->rj_targets[i];

	memmove(&rj->rj_targets[1], &rj->rj_targets[0],
	    i * sizeof(rj->rj_targets[0]));
	rj->rj_targets[0] = d;
}

/*
 * A route set is followed only where its next hop is a server of the
 * domain: an address among the targets, which then goes first, or the
 * domain's name or one of its SRV targets' names.  Anything else is
 * some host a stranger wrote: the Route headers are dropped, and the
 * request goes to the domain's own targets, as every request does.
 */
static void
job_route_check(struct relay_job *rj, const struct dns_target *t, size_t n)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	size_t			i;

	if (!rj->rj_hop_set)
		return;
	if (rj->rj_hop_numeric) {
		if (config_sockaddr(rj->rj_hop, 0, &ss, &len) == 0)
			for (i = 0; i < rj->rj_ntargets; i++)
				if (addr_same_host(&ss,
				    &rj->rj_targets[i].od_ss)) {
					job_target_first(rj, i);
					return;
				}
	} else {
		if (strcasecmp(rj->rj_hop, rj->rj_domain) == 0)
			return;
		for (i = 0; i < n; i++)
			if (strcasecmp(rj->rj_hop, t[i].dt_host) == 0)
				return;
	}
	log_info("relay: request %u for %s: the route set names %s, no "
	    "server of the domain: ignored", rj->rj_id, rj->rj_domain,
	    rj->rj_hop);
	rj->rj_drop_routes = 1;
}

static void	job_to_xmppd(struct relay_job *);

/*
 * The XMPP look-up of a domain without SIP SRV records: XMPP SRV
 * records make it a domain of the XMPP network (RFC 7247 5), else the
 * SIP answer, from the cache, goes on.
 */
static void
job_xmpp_checked(void *arg, const struct dns_target *t, size_t n,
    int error)
{
	struct relay_job	*rj = arg;

	if (error == 0 && n > 0 && !t[0].dt_fallback) {
		log_info("relay: %s: no SIP service, XMPP service: via xmppd",
		    rj->rj_domain);
		job_to_xmppd(rj);
		return;
	}
	if (dns_resolve(rj->rj_domain, job_resolved, rj) == -1) {
		job_fail_reason(rj, 503, "Domain Lookup Failed");
		job_targets_start(rj);
	}
}

/* No SIP SRV record: does the domain publish XMPP service instead? */
static int
job_check_xmpp(struct relay_job *rj, const struct dns_target *t, size_t n,
    int error)
{
	if (rj->rj_xmpp_checked || !(error == DNS_ENORECORDS ||
	    (error == 0 && n > 0 && t[0].dt_fallback)))
		return (0);
	rj->rj_xmpp_checked = 1;
	return (dns_resolve_xmpp(rj->rj_domain, job_xmpp_checked, rj) == 0);
}

static void
job_resolved(void *arg, const struct dns_target *t, size_t n, int error)
{
	struct relay_job	*rj = arg;
	struct out_dest		*d;
	size_t			 i, dropped = 0;

	if (job_check_xmpp(rj, t, n, error))
		return;

	if (error != 0) {
		log_info("relay: %s: %s", rj->rj_domain, dns_strerror(error));
		job_fail_reason(rj, error == DNS_ENXDOMAIN ||
		    error == DNS_ENORECORDS ? 404 : 503, error ==
		    DNS_ENXDOMAIN ? "Domain Not Found" : error ==
		    DNS_ENORECORDS ? "No SIP Server For Domain" :
		    "Domain Lookup Failed");
	}
	rj->rj_ntargets = 0;
	for (i = 0; i < n && i < DNS_TARGETS_MAX; i++) {
		if (!relayd_conf->c_relay_private &&
		    addr_is_private(&t[i].dt_ss)) {
			dropped++;
			continue;
		}
		d = &rj->rj_targets[rj->rj_ntargets++];
		d->od_transport = t[i].dt_transport;
		memcpy(&d->od_ss, &t[i].dt_ss, sizeof(d->od_ss));
		d->od_sslen = t[i].dt_sslen;
		/* RFC 5922: the certificate names the domain, not the host. */
		strlcpy(d->od_name, rj->rj_domain, sizeof(d->od_name));
	}
	if (dropped > 0 && rj->rj_ntargets == 0) {
		log_info("relay: %s: DNS names only private or loopback "
		    "addresses, not used", rj->rj_domain);
		job_fail_reason(rj, 404, "No Public Address For Domain");
	}
	job_route_check(rj, t, n);
	job_targets_start(rj);
}

/* Does this URI name one of our listening addresses? */
static int
job_uri_is_ours(const struct sip_uri *u, const char *host)
{
	const struct conf_listen	*cl;
	struct sockaddr_storage		 ss;
	socklen_t			 len;

	if (config_sockaddr(host, u->uri_port != 0 ? u->uri_port :
	    IMD_SIP_PORT, &ss, &len) == -1)
		return (0);
	TAILQ_FOREACH(cl, &relayd_conf->c_listens, cl_entry)
		if (cl->cl_sslen == len && memcmp(&cl->cl_ss, &ss, len) == 0)
			return (1);
	return (0);
}

/*
 * The host of a Route value, kept to be checked against the domain; 1
 * when it is one of our listening addresses.  A value that does not
 * parse stands for a host that is no server of the domain.
 */
static int
job_hop_set(struct relay_job *rj, const struct sip_str *v)
{
	struct sip_addr	 a;
	const struct sip_uri *u = &a.addr_uri;
	size_t		 skip;

	rj->rj_hop_set = 1;
	rj->rj_hop_numeric = 0;
	strlcpy(rj->rj_hop, "?", sizeof(rj->rj_hop));
	if (sip_addr_parse(v->s, SIP_STR_END(v), &a) == -1)
		return (0);
	skip = u->uri_host_type == SIP_HOST_IPV6 ? 1 : 0;
	if (u->uri_host.len < 2 * skip + 1 ||
	    u->uri_host.len - 2 * skip >= sizeof(rj->rj_hop))
		return (0);
	snprintf(rj->rj_hop, sizeof(rj->rj_hop), "%.*s",
	    (int)(u->uri_host.len - 2 * skip), u->uri_host.s + skip);
	rj->rj_hop_numeric = u->uri_host_type != SIP_HOST_NAME;
	return (rj->rj_hop_numeric && job_uri_is_ours(u, rj->rj_hop));
}

/*
 * A request in a dialog carries its route set.  A first Route that
 * names us is dropped (RFC 3261 16.4); the next one is where the route
 * set goes on, which job_route_check() accepts only for a server of
 * the domain.  The next hop itself never comes from these headers: it
 * is the domain's route or DNS, with its transport, TLS included.
 */
static void
job_route_header(struct relay_job *rj)
{
	struct sip_iter	it;
	struct sip_str	v;

	sip_iter_init(&it, rj->rj_msg, SIP_HDR_ROUTE);
	if (sip_iter_next(&it, &v) != 1 || !job_hop_set(rj, &v))
		return;
	rj->rj_pop_route = 1;
	rj->rj_hop_set = 0;
	if (sip_iter_next(&it, &v) == 1)
		job_hop_set(rj, &v);
}

/*
 * A domain of the XMPP network: xmppd takes the request and answers
 * for it (IMSG_XMPP_SENT); the job keeps its deadline meanwhile.
 */
static void
job_to_xmppd(struct relay_job *rj)
{
	struct imsgev	*xmppd = proc_peer(PROC_XMPPD);
	struct ibuf	*buf;

	log_debug("relay: request %u for %s: to xmppd", rj->rj_id,
	    rj->rj_domain);
	if ((buf = imsgev_create(xmppd, IMSG_XMPP_SEND, rj->rj_id,
	    rj->rj_reqlen + IMD_DOMAIN_MAX + 8)) == NULL ||
	    ibuf_add_str(buf, rj->rj_domain, IMD_DOMAIN_MAX) == -1 ||
	    ibuf_add_u32(buf, rj->rj_reqlen) == -1 ||
	    ibuf_add_data(buf, rj->rj_req, rj->rj_reqlen) == -1 ||
	    imsgev_close(xmppd, buf) == -1)
		fatal("%s", __func__);
}

/* IMSG_XMPP_SENT: u32 status, str reason; the job's final answer. */
void
relay_xmpp_sent(struct imsgev *iev, struct imsg *imsg)
{
	struct relay_job	*rj;
	char			 reason[RELAY_REASON_MAX];
	uint32_t		 status;

	imsg_get_u32(imsg, &status);
	imsg_get_str(imsg, reason, sizeof(reason));
	if (imsg_get_end(imsg) == -1 || status < 200 || status > 699)
		proc_fatal_imsg(iev, imsg, "xmpp sent");
	TAILQ_FOREACH(rj, &jobs, rj_entry)
		if (rj->rj_id == imsg->hdr.ih_peerid)
			break;
	if (rj == NULL) {
		log_debug("relay: xmppd answered request %u, gone",
		    imsg->hdr.ih_peerid);
		return;
	}
	job_finish(rj, status, reason, NULL, 0);
}

/* A static route, else DNS when there is a resolver. */
static void
job_route(struct relay_job *rj)
{
	const struct conf_route	*cr;
	struct out_dest		*d = &rj->rj_targets[0];

	job_route_header(rj);
	if ((cr = config_find_route(relayd_conf, rj->rj_domain)) != NULL &&
	    cr->cr_xmpp) {
		job_to_xmppd(rj);
		return;
	}
	if (cr != NULL) {
		d->od_transport = cr->cr_transport;
		memcpy(&d->od_ss, &cr->cr_ss, sizeof(d->od_ss));
		d->od_sslen = cr->cr_sslen;
		strlcpy(d->od_name, rj->rj_domain, sizeof(d->od_name));
		rj->rj_ntargets = 1;
		job_route_check(rj, NULL, 0);
		relay_attempt(rj);
		return;
	}
	if (relayd_conf->c_resolver.ss_family == 0) {
		job_fail_reason(rj, 404, "No Route To Domain");
		job_targets_start(rj);
		return;
	}
	if (dns_resolve(rj->rj_domain, job_resolved, rj) == -1) {
		log_warn("relay: resolve %s", rj->rj_domain);
		job_fail_reason(rj, 503, "Domain Lookup Failed");
		job_targets_start(rj);
	}
}

static struct relay_job *
job_new(uint32_t id, const char *domain, uint32_t len)
{
	struct relay_job	*rj;
	struct timeval		 tv = { RELAY_TIME, 0 };

	if (njobs >= RELAY_JOBS_MAX || (rj = calloc(1, sizeof(*rj))) == NULL)
		return (NULL);
	if ((rj->rj_req = malloc(len)) == NULL ||
	    (rj->rj_out = malloc(IMSG_PAYLOAD_MAX)) == NULL) {
		free(rj->rj_req);
		free(rj);
		return (NULL);
	}
	rj->rj_id = id;
	rj->rj_reqlen = len;
	strlcpy(rj->rj_domain, domain, sizeof(rj->rj_domain));
	job_fail_reason(rj, 503, "Service Unavailable");
	evtimer_set(&rj->rj_timer, job_resend, rj);
	evtimer_set(&rj->rj_deadline, job_deadline, rj);
	evtimer_set(&rj->rj_cancel_timer, job_cancel_resend, rj);
	evtimer_add(&rj->rj_deadline, &tv);
	TAILQ_INSERT_TAIL(&jobs, rj, rj_entry);
	njobs++;
	return (rj);
}

/* IMSG_RELAY_REQUEST: str domain, u32 length, the request. */
void
relay_request(struct imsgev *iev, struct imsg *imsg)
{
	struct relay_job	*rj;
	char			 domain[IMD_DOMAIN_MAX];
	uint32_t		 len;

	imsg_get_str(imsg, domain, sizeof(domain));
	imsg_get_u32(imsg, &len);
	if (imsg_get_error(imsg) == -1 || len == 0 ||
	    len > imsg->len - imsg->off || (imsg->hdr.ih_peerid != 0 &&
	    PROC_ID_WORKER(imsg->hdr.ih_peerid) != iev->iev_worker))
		proc_fatal_imsg(iev, imsg, "relay request");
	if ((rj = job_new(imsg->hdr.ih_peerid, domain, len)) == NULL) {
		log_warnx("relay: request %u for %s: too many at once",
		    imsg->hdr.ih_peerid, domain);
		relay_answer(imsg->hdr.ih_peerid, 503, "Relay Busy", NULL, 0);
		return;
	}
	imsg_get_data(imsg, rj->rj_req, len);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "relay request");
	log_debug("relay: request %u for %s", rj->rj_id, domain);
	if (job_parse(rj) == -1) {
		job_finish(rj, 500, "Unparsable Request", NULL, 0);
		return;
	}
	job_route(rj);
}

/*
 * Once for the life of the job: the route set and every attempt's
 * copy read the same parse.  The listener parsed it before, so this
 * fails only when memory does.
 */
static int
job_parse(struct relay_job *rj)
{
	struct sip_limits	lim;
	struct sip_err		err;

	out_limits(&lim);
	if ((rj->rj_msg = malloc(sizeof(*rj->rj_msg))) == NULL ||
	    sip_parse(rj->rj_msg, rj->rj_req, rj->rj_reqlen, &lim, 0,
	    &err) == -1)
		return (-1);
	return (0);
}

static struct relay_job *
job_by_branch(const struct sip_str *branch)
{
	struct relay_job	*rj;

	TAILQ_FOREACH(rj, &jobs, rj_entry)
		if (rj->rj_dest != NULL &&
		    branch->len == strlen(rj->rj_branch) &&
		    memcmp(branch->s, rj->rj_branch, branch->len) == 0)
			return (rj);
	return (NULL);
}

/* ACK or CANCEL of the INVITE we sent, built for the server that has it. */
static int
job_print_sibling(struct relay_job *rj, const char *method,
    const struct sip_msg *resp, struct sip_out *out)
{
	static struct sip_msg	 inv;
	struct sip_limits	 lim;
	struct sip_err		 err;

	out_limits(&lim);
	if (rj->rj_dest == NULL || sip_parse(&inv, rj->rj_out, rj->rj_outlen,
	    &lim, 0, &err) == -1 ||
	    sip_print_sibling(out, &inv, method, resp) == -1) {
		log_debug("relay: request %u: %s not sent", rj->rj_id, method);
		return (-1);
	}
	return (0);
}

/* The ACK of a failure: once for each of its retransmissions. */
static void
job_send_ack(struct relay_job *rj, const struct sip_msg *resp)
{
	struct sip_out	 out;
	char		 buf[8192];

	sip_out_init(&out, buf, sizeof(buf));
	if (job_print_sibling(rj, "ACK", resp, &out) == 0 &&
	    out_send(rj->rj_dest, rj->rj_conn, out.buf, out.len) == -1)
		log_debug("relay: request %u: ACK not sent", rj->rj_id);
}

static void
job_cancel_stop(struct relay_job *rj)
{
	evtimer_del(&rj->rj_cancel_timer);
	free(rj->rj_cancel_out);
	rj->rj_cancel_out = NULL;
}

/*
 * UDP only: the CANCEL is a non-INVITE client transaction of its own
 * (RFC 3261 9.1, 17.1.2.2), sent again at T1 doubling up to T2 (Timer
 * E) until a response to it, for 64*T1 at most (Timer F).
 */
static void
job_cancel_resend(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct relay_job	*rj = arg;

	if (rj->rj_cancel_out == NULL || rj->rj_dest == NULL)
		return;
	if (rj->rj_cancel_left <= rj->rj_cancel_ms) {
		log_debug("relay: request %u: no answer to our CANCEL",
		    rj->rj_id);
		job_cancel_stop(rj);
		return;
	}
	rj->rj_cancel_left -= rj->rj_cancel_ms;
	if (out_send(rj->rj_dest, rj->rj_conn, rj->rj_cancel_out,
	    rj->rj_cancel_len) == -1) {
		job_cancel_stop(rj);
		return;
	}
	job_timer_double(&rj->rj_cancel_timer, &rj->rj_cancel_ms);
}

static void
job_send_cancel(struct relay_job *rj)
{
	struct sip_out	 out;
	char		 buf[8192];
	struct timeval	 tv = { 0, RELAY_T1_MS * 1000 };

	sip_out_init(&out, buf, sizeof(buf));
	if (job_print_sibling(rj, "CANCEL", NULL, &out) == -1)
		return;
	if (out_send(rj->rj_dest, rj->rj_conn, out.buf, out.len) == -1) {
		log_debug("relay: request %u: CANCEL not sent", rj->rj_id);
		return;
	}
	if (rj->rj_dest->od_transport != TRANSPORT_UDP ||
	    rj->rj_cancel_out != NULL ||
	    (rj->rj_cancel_out = malloc(out.len)) == NULL)
		return;
	memcpy(rj->rj_cancel_out, out.buf, out.len);
	rj->rj_cancel_len = out.len;
	rj->rj_cancel_ms = RELAY_T1_MS;
	rj->rj_cancel_left = 64 * RELAY_T1_MS;
	evtimer_add(&rj->rj_cancel_timer, &tv);
}

/*
 * A 101-199 to an INVITE, or a 2xx again after the final answer, to
 * the listener for the caller: it passes on every 2xx (RFC 6026 8.4).
 */
static void
job_provisional(struct relay_job *rj, const struct sip_msg *msg)
{
	struct imsgev	*listener;
	struct sip_out	 out;
	struct ibuf	*buf;
	char		*p;

	listener = proc_worker_peer(PROC_ID_WORKER(rj->rj_id));
	if ((p = malloc(IMSG_PAYLOAD_MAX)) == NULL)
		return;
	sip_out_init(&out, p, IMSG_PAYLOAD_MAX - 64);
	if (sip_print_response_back(&out, msg) == 0) {
		if ((buf = imsgev_create(listener, IMSG_RELAY_PROVISIONAL,
		    rj->rj_id, out.len + 8)) == NULL ||
		    ibuf_add_u32(buf, out.len) == -1 ||
		    ibuf_add_data(buf, out.buf, out.len) == -1 ||
		    imsgev_close(listener, buf) == -1)
			fatal("%s", __func__);
	}
	free(p);
}

/*
 * The server took the request: resending stops; an INVITE rings now,
 * for ring-time and Timer B's worth more.
 */
static void
job_taken(struct relay_job *rj, const struct sip_msg *msg)
{
	struct timeval	tv = { RELAY_TIME, 0 };

	evtimer_del(&rj->rj_timer);
	if (rj->rj_msg->msg_method != SIP_METHOD_INVITE) {
		rj->rj_taken = 1;
		return;
	}
	if (!rj->rj_taken) {
		tv.tv_sec += relayd_conf->c_limits.lim_ring_time;
		evtimer_add(&rj->rj_deadline, &tv);
	}
	rj->rj_taken = 1;
	if (rj->rj_cancel) {
		rj->rj_cancel = 0;
		job_send_cancel(rj);
	}
	if (msg->msg_status > 100)
		job_provisional(rj, msg);
}

/* The response's CSeq names the job's method (not our CANCEL's). */
static int
job_own_response(const struct relay_job *rj, const struct sip_msg *msg)
{
	const struct sip_hdr	*h = sip_hdr_first(msg, SIP_HDR_CSEQ);
	struct sip_cseq		 cs;

	return (h != NULL && sip_cseq_parse(h->hdr_value.s,
	    SIP_STR_END(&h->hdr_value), &cs) == 0 &&
	    cs.cseq_method == rj->rj_msg->msg_method);
}

/*
 * An INVITE answered: its failure ACKed; the job stays for Timer D to
 * ACK the retransmissions of the failure.
 */
static void
job_invite_done(struct relay_job *rj, const struct sip_msg *msg)
{
	struct timeval	tv = { RELAY_TIME, 0 };

	if (msg->msg_status >= 300)
		job_send_ack(rj, msg);
	rj->rj_done = 1;
	evtimer_del(&rj->rj_timer);
	evtimer_add(&rj->rj_deadline, &tv);
}

/*
 * A response to our CANCEL: a final one ends its retransmissions, a
 * provisional one slows them to T2 (17.1.2.2, Proceeding).
 */
static void
job_cancel_answered(struct relay_job *rj, const struct sip_msg *msg)
{
	if (rj->rj_cancel_out == NULL)
		return;
	if (msg->msg_status >= 200)
		job_cancel_stop(rj);
	else
		rj->rj_cancel_ms = RELAY_T2_MS;
}

/* A response from a server: a provisional one stops resending. */
void
relay_response(const struct sip_msg *msg)
{
	struct relay_job	*rj;
	struct sip_via		 via;
	struct sip_out		 out;
	char			*buf, reason[RELAY_REASON_MAX];

	if (sip_top_via(msg, &via) == -1 ||
	    (rj = job_by_branch(&via.via_branch)) == NULL) {
		log_debug("relay: a response %u for no request of ours",
		    msg->msg_status);
		return;		/* late, or not ours: RFC 3261 16.7 */
	}
	if (!job_own_response(rj, msg)) {
		job_cancel_answered(rj, msg);
		return;
	}
	if (rj->rj_done) {
		if (msg->msg_status >= 300)
			job_send_ack(rj, msg);
		else if (msg->msg_status >= 200)
			job_provisional(rj, msg);	/* RFC 6026 */
		return;
	}
	if (msg->msg_status < 200) {
		job_taken(rj, msg);
		return;
	}
	snprintf(reason, sizeof(reason), "%.*s", (int)msg->msg_reason.len,
	    msg->msg_reason.s);
	if ((buf = malloc(IMSG_PAYLOAD_MAX)) == NULL) {
		relay_answer(rj->rj_id, msg->msg_status, reason, NULL, 0);
	} else {
		sip_out_init(&out, buf, IMSG_PAYLOAD_MAX - 512);
		if (sip_print_response_back(&out, msg) == -1)
			relay_answer(rj->rj_id, msg->msg_status, reason, NULL,
			    0);
		else
			relay_answer(rj->rj_id, msg->msg_status, reason,
			    out.buf, out.len);
		free(buf);
	}
	log_debug("relay: request %u for %s: %u %s", rj->rj_id,
	    rj->rj_domain, msg->msg_status, reason);
	if (rj->rj_msg->msg_method == SIP_METHOD_INVITE)
		job_invite_done(rj, msg);
	else
		job_free(rj);
}

/* IMSG_RELAY_CANCEL: the caller gave up; the listener answered it. */
void
relay_cancel(struct imsgev *iev, struct imsg *imsg)
{
	struct relay_job	*rj;

	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "relay cancel");
	TAILQ_FOREACH(rj, &jobs, rj_entry)
		if (rj->rj_id == imsg->hdr.ih_peerid && !rj->rj_done &&
		    rj->rj_msg->msg_method == SIP_METHOD_INVITE)
			break;
	if (rj == NULL)
		return;
	if (rj->rj_taken)
		job_send_cancel(rj);
	else
		rj->rj_cancel = 1;
}

/* A connection went down: its requests go to their next target. */
void
relay_conn_lost(uint64_t conn, const char *why, int how)
{
	struct relay_job	*rj, *next;

	for (rj = TAILQ_FIRST(&jobs); rj != NULL; rj = next) {
		next = TAILQ_NEXT(rj, rj_entry);
		if (rj->rj_dest == NULL || rj->rj_conn != conn)
			continue;
		log_info("relay: request %u for %s: %s", rj->rj_id,
		    rj->rj_domain, why);
		if (how == OUT_LOST_UP)
			rj->rj_sent = 1;
		if (how == OUT_LOST_REFUSED) {
			rj->rj_refused |= 1U << (rj->rj_dest - rj->rj_targets);
			job_fail_reason(rj, 503, "Next hop not trusted");
		} else
			job_fail_reason(rj, 503, "Next hop unreachable");
		relay_attempt(rj);
	}
}
