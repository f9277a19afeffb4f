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
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	int			 rj_pop_route;	/* the first Route names us */
	unsigned int		 rj_round;
	char			 rj_branch[RELAY_BRANCH_MAX];
	uint64_t		 rj_conn;	/* of the attempt, 0: UDP */
	const struct out_dest	*rj_dest;	/* of the attempt, or NULL */
	char			*rj_out;	/* its bytes, for UDP resends */
	size_t			 rj_outlen;
	unsigned int		 rj_resend_ms;
	int			 rj_taken;	/* a server answered 1xx */
	int			 rj_sent;	/* an attempt may have arrived */
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

static void
job_fail_reason(struct relay_job *rj, unsigned int status,
    const char *reason)
{
	rj->rj_status = status;
	strlcpy(rj->rj_reason, reason, sizeof(rj->rj_reason));
}

static void
job_free(struct relay_job *rj)
{
	dns_cancel(job_resolved, rj);
	evtimer_del(&rj->rj_timer);
	evtimer_del(&rj->rj_deadline);
	TAILQ_REMOVE(&jobs, rj, rj_entry);
	njobs--;
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
	struct imsgev	*listener = proc_peer(PROC_LISTENER);
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
job_deadline(int fd, short event, void *arg)
{
	struct relay_job	*rj = arg;

	if (rj->rj_sent || rj->rj_dest != NULL)
		job_finish(rj, 408, "Request Timeout", NULL, 0);
	else
		job_finish(rj, rj->rj_status, rj->rj_reason, NULL, 0);
}

/* UDP only: Timer E, until a provisional response or the deadline. */
static void
job_resend(int fd, short event, void *arg)
{
	struct relay_job	*rj = arg;
	struct timeval		 tv;

	if (rj->rj_dest == NULL || rj->rj_taken)
		return;
	if (out_send(rj->rj_dest, 0, rj->rj_out, rj->rj_outlen) == -1) {
		relay_attempt(rj);
		return;
	}
	if ((rj->rj_resend_ms *= 2) > RELAY_T2_MS)
		rj->rj_resend_ms = RELAY_T2_MS;
	tv.tv_sec = rj->rj_resend_ms / 1000;
	tv.tv_usec = (rj->rj_resend_ms % 1000) * 1000;
	evtimer_add(&rj->rj_timer, &tv);
}

static void
job_next_round(int fd, short event, void *arg)
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

	snprintf(rj->rj_branch, sizeof(rj->rj_branch), "z9hG4bK%08x.%08x%08x",
	    config_loop_tag(relayd_conf), arc4random(), arc4random());
	memset(&fw, 0, sizeof(fw));
	fw.fw_via.s = via;
	fw.fw_via.len = strlen(via);
	fw.fw_branch.s = rj->rj_branch;
	fw.fw_branch.len = strlen(rj->rj_branch);
	fw.fw_drop_proxy_auth = 1;
	fw.fw_pop_route = rj->rj_pop_route;
	sip_date_line(msg, time(NULL), extra, sizeof(extra));
	if (msg->msg_method == SIP_METHOD_SUBSCRIBE)
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

static void
job_resolved(void *arg, const struct dns_target *t, size_t n, int error)
{
	struct relay_job	*rj = arg;
	struct out_dest		*d;
	size_t			 i;

	if (error != 0) {
		log_info("relay: %s: %s", rj->rj_domain, dns_strerror(error));
		job_fail_reason(rj, error == DNS_ENXDOMAIN ||
		    error == DNS_ENORECORDS ? 404 : 503, error ==
		    DNS_ENXDOMAIN ? "Domain Not Found" : error ==
		    DNS_ENORECORDS ? "No SIP Server For Domain" :
		    "Domain Lookup Failed");
	}
	for (i = 0; i < n && i < DNS_TARGETS_MAX; i++) {
		d = &rj->rj_targets[i];
		d->od_transport = t[i].dt_transport;
		memcpy(&d->od_ss, &t[i].dt_ss, sizeof(d->od_ss));
		d->od_sslen = t[i].dt_sslen;
		/* RFC 5922: the certificate names the domain, not the host. */
		strlcpy(d->od_name, rj->rj_domain, sizeof(d->od_name));
	}
	rj->rj_ntargets = i;
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

/* A URI with a numeric host as the one target; 0, or -1 for a name. */
static int
job_uri_target(struct relay_job *rj, const struct sip_uri *u, int *ours)
{
	struct out_dest	*d = &rj->rj_targets[0];
	char		 host[IMD_DOMAIN_MAX];
	size_t		 skip = u->uri_host_type == SIP_HOST_IPV6 ? 1 : 0;

	if (u->uri_host.len < 2 * skip + 1 ||
	    u->uri_host.len - 2 * skip >= sizeof(host))
		return (-1);
	snprintf(host, sizeof(host), "%.*s", (int)(u->uri_host.len - 2 * skip),
	    u->uri_host.s + skip);
	if (u->uri_host_type == SIP_HOST_NAME) {
		strlcpy(rj->rj_domain, host, sizeof(rj->rj_domain));
		return (-1);
	}
	*ours = job_uri_is_ours(u, host);
	d->od_transport = u->uri_scheme == SIP_SCHEME_SIPS ||
	    sip_str_is_ci(&u->uri_transport, "tls") ? TRANSPORT_TLS :
	    sip_str_is_ci(&u->uri_transport, "tcp") ? TRANSPORT_TCP :
	    TRANSPORT_UDP;
	if (config_sockaddr(host, u->uri_port != 0 ? u->uri_port :
	    d->od_transport == TRANSPORT_TLS ? IMD_SIPS_PORT : IMD_SIP_PORT,
	    &d->od_ss, &d->od_sslen) == -1)
		return (-1);
	strlcpy(d->od_name, rj->rj_domain, sizeof(d->od_name));
	rj->rj_ntargets = 1;
	return (0);
}

/*
 * A request in a dialog carries its route set: the first Route is the
 * next hop (RFC 3261 16.6 step 7), unless it names us, then it is
 * dropped and the next one, or the Request-URI, says (16.4).  A numeric
 * next hop is used as it is; a name is the domain to look up.  0, or
 * -1 to look up rj_domain.
 */
static int
job_route_header(struct relay_job *rj)
{
	const struct sip_msg	*msg = rj->rj_msg;
	const struct sip_hdr	*h;
	struct sip_str		 first;
	struct sip_addr		 a;
	const char		*p, *end;
	int			 ours = 0;

	if ((h = sip_hdr_first(msg, SIP_HDR_ROUTE)) == NULL)
		return (-1);
	p = h->hdr_value.s;
	end = SIP_STR_END(&h->hdr_value);
	if (sip_list_next(&p, end, &first) != 1 ||
	    sip_addr_parse(first.s, SIP_STR_END(&first), &a) == -1 ||
	    job_uri_target(rj, &a.addr_uri, &ours) == -1)
		return (-1);
	if (!ours)
		return (0);
	rj->rj_pop_route = 1;
	if (p < end && sip_list_next(&p, end, &first) == 1 &&
	    sip_addr_parse(first.s, SIP_STR_END(&first), &a) == 0)
		return (job_uri_target(rj, &a.addr_uri, &ours));
	if (sip_uri_parse(msg->msg_ruri.s, SIP_STR_END(&msg->msg_ruri),
	    &a.addr_uri) == -1)
		return (-1);
	return (job_uri_target(rj, &a.addr_uri, &ours));
}

/* A Route first; a static route; else DNS, when there is a resolver. */
static void
job_route(struct relay_job *rj)
{
	const struct conf_route	*cr;
	struct out_dest		*d = &rj->rj_targets[0];

	if (job_route_header(rj) == 0) {
		relay_attempt(rj);
		return;
	}
	if ((cr = config_find_route(relayd_conf, rj->rj_domain)) != NULL) {
		d->od_transport = cr->cr_transport;
		memcpy(&d->od_ss, &cr->cr_ss, sizeof(d->od_ss));
		d->od_sslen = cr->cr_sslen;
		strlcpy(d->od_name, rj->rj_domain, sizeof(d->od_name));
		rj->rj_ntargets = 1;
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

	if (imsg_get_str(imsg, domain, sizeof(domain)) == -1 ||
	    imsg_get_u32(imsg, &len) == -1 || len == 0 ||
	    len > imsg->len - imsg->off)
		proc_fatal_imsg(iev, imsg, "relay request");
	if ((rj = job_new(imsg->hdr.ih_peerid, domain, len)) == NULL) {
		log_warnx("relay: request %u for %s: too many at once",
		    imsg->hdr.ih_peerid, domain);
		relay_answer(imsg->hdr.ih_peerid, 503, "Relay Busy", NULL, 0);
		return;
	}
	if (imsg_get_data(imsg, rj->rj_req, len) == -1 ||
	    imsg_get_end(imsg) == -1)
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
	if (msg->msg_status < 200) {
		rj->rj_taken = 1;
		evtimer_del(&rj->rj_timer);
		return;
	}
	snprintf(reason, sizeof(reason), "%.*s", (int)msg->msg_reason.len,
	    msg->msg_reason.s);
	if ((buf = malloc(IMSG_PAYLOAD_MAX)) == NULL) {
		job_finish(rj, msg->msg_status, reason, NULL, 0);
		return;
	}
	sip_out_init(&out, buf, IMSG_PAYLOAD_MAX - 512);
	if (sip_print_response_back(&out, msg) == -1)
		job_finish(rj, msg->msg_status, reason, NULL, 0);
	else
		job_finish(rj, msg->msg_status, reason, out.buf, out.len);
	free(buf);
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
