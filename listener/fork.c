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
 * A held request forwarded to a user's devices: to every current
 * binding at once, over each binding's own transport; the first 2xx
 * answers the sender, else the best failure (RFC 3261 16.7).  MESSAGE
 * forks here, and a NOTIFY in a dialog of ours goes to its one device;
 * fork_dest() says how any request of ours reaches a binding.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "binding.h"
#include "listener.h"
#include "log.h"
#include "request.h"
#include "tx_client.h"

#define MSG_FORWARD_TIME	40	/* seconds: Timer F and some */
#define FORWARD_GROWTH		4096	/* our Via, Date, a longer URI */
#define FORK_TOO_LARGE		-2	/* for a UDP binding */

struct fork;

struct fork_leg {
	struct fork	*lg_fork;
	struct txc	*lg_txc;	/* NULL once it answered */
};

struct fork {
	struct sip_req	*fk_rq;
	struct fork_leg	 fk_legs[BINDING_MAX_PER_USER];
	size_t		 fk_n;
	size_t		 fk_pending;
	unsigned int	 fk_best;	/* best final status so far */
	char		 fk_reason[64];
};

static void
fork_cleanup(struct sip_req *rq)
{
	struct fork	*fk = rq->rq_fork;
	size_t		 i;

	if (fk == NULL)
		return;
	for (i = 0; i < fk->fk_n; i++)
		if (fk->fk_legs[i].lg_txc != NULL)
			txc_cancel(fk->fk_legs[i].lg_txc);
	free(fk);
	rq->rq_fork = NULL;
}

/*
 * RFC 3261 16.7: a 6xx is final for every device; else the lowest
 * failure.
 */
static void
fork_keep_best(struct fork *fk, const struct sip_msg *resp,
    unsigned int status)
{
	int	six = status >= 600, bestsix = fk->fk_best >= 600;

	if (fk->fk_best != 0 && (bestsix > six ||
	    (bestsix == six && status >= fk->fk_best)))
		return;
	fk->fk_best = status;
	if (resp != NULL)
		snprintf(fk->fk_reason, sizeof(fk->fk_reason), "%.*s",
		    (int)resp->msg_reason.len, resp->msg_reason.s);
	else
		strlcpy(fk->fk_reason, status == 408 ? "Request Timeout" :
		    "Service Unavailable", sizeof(fk->fk_reason));
}

/* A binding answered, or gave up: the first 2xx answers the sender. */
static void
fork_answer(void *arg, const struct sip_msg *resp, unsigned int status)
{
	struct fork_leg	*lg = arg;
	struct fork	*fk = lg->lg_fork;
	struct sip_req	*rq = fk->fk_rq;
	char		 reason[64];

	lg->lg_txc = NULL;
	fk->fk_pending--;
	if (status >= 200 && status < 300) {
		snprintf(reason, sizeof(reason), "%.*s",
		    (int)resp->msg_reason.len, resp->msg_reason.s);
		req_reply(rq, status, reason, NULL);
		return;
	}
	fork_keep_best(fk, resp, status);
	if (fk->fk_pending > 0)
		return;
	/* Nobody took it: a timeout means the user is not there now. */
	if (fk->fk_best == 408 || fk->fk_best == 503)
		req_reply(rq, 480, "Temporarily Unavailable", NULL);
	else
		req_reply(rq, fk->fk_best, fk->fk_reason, NULL);
}

/*
 * Where a UDP binding is reached: the host and port of its contact when
 * they are an address, else where its REGISTER came from.
 */
static void
fork_udp_dest(const struct binding_rec *b, struct sip_peer *dest)
{
	struct sip_uri		 u;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&dest->sp_ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&dest->sp_ss;
	char			 host[64];
	size_t			 len, skip;

	if (sip_uri_parse(b->b_contact, b->b_contact + strlen(b->b_contact),
	    &u) == -1 || u.uri_host_type == SIP_HOST_NAME)
		return;
	/* An IPv6 host keeps its brackets in the URI. */
	skip = u.uri_host_type == SIP_HOST_IPV6 ? 1 : 0;
	len = u.uri_host.len - 2 * skip;
	if (u.uri_host.len < 2 * skip || len >= sizeof(host))
		return;
	memcpy(host, u.uri_host.s + skip, len);
	host[len] = '\0';
	memset(&dest->sp_ss, 0, sizeof(dest->sp_ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(u.uri_port ? u.uri_port : 5060);
		dest->sp_sslen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(u.uri_port ? u.uri_port : 5060);
		dest->sp_sslen = sizeof(*sin6);
	} else {
		memcpy(&dest->sp_ss, &b->b_src, sizeof(dest->sp_ss));
		dest->sp_sslen = b->b_srclen;
	}
}

/*
 * How a request of ours reaches a binding: destination, socket or
 * connection, and our Via.
 */
int
fork_dest(const struct binding_rec *b, struct sip_peer *dest, char *via,
    size_t size)
{
	memset(dest, 0, sizeof(*dest));
	memcpy(&dest->sp_ss, &b->b_src, sizeof(dest->sp_ss));
	dest->sp_sslen = b->b_srclen;
	dest->sp_transport = b->b_transport;
	dest->sp_conn_id = b->b_conn;
	if (dest->sp_transport == TRANSPORT_UDP)
		fork_udp_dest(b, dest);
	return (transport_origin(dest, via, size));
}

/* One copy of the request to one binding, over its own transport. */
static int
fork_leg_start(struct fork *fk, const struct binding_rec *b)
{
	struct sip_req	*rq = fk->fk_rq;
	struct fork_leg	*lg = &fk->fk_legs[fk->fk_n];
	struct sip_peer	 dest;
	struct sip_fwd	 fw;
	struct sip_out	 out;
	char		 via[128], branch[40], date[SIP_DATE_LINE_MAX];
	char		*buf;
	size_t		 size = rq->rq_msg.msg_len + FORWARD_GROWTH;
	int		 r = 0;

	if (fork_dest(b, &dest, via, sizeof(via)) == -1)
		return (-1);
	sip_date_line(&rq->rq_msg, time(NULL), date, sizeof(date));
	snprintf(branch, sizeof(branch), "z9hG4bK%08x%08x", arc4random(),
	    arc4random());
	worker_branch_mark(branch, sizeof(branch));
	memset(&fw, 0, sizeof(fw));
	fw.fw_ruri.s = b->b_contact;
	fw.fw_ruri.len = strlen(b->b_contact);
	fw.fw_via.s = via;
	fw.fw_via.len = strlen(via);
	fw.fw_branch.s = branch;
	fw.fw_branch.len = strlen(branch);
	fw.fw_drop_proxy_auth = 1;
	fw.fw_pop_route = rq->rq_pop_route;
	fw.fw_extra.s = date;
	fw.fw_extra.len = strlen(date);
	if ((buf = malloc(size)) == NULL)
		return (-1);
	sip_out_init(&out, buf, size);
	lg->lg_fork = fk;
	if (sip_print_request(&out, &rq->rq_msg, &fw) == -1)
		r = -1;
	else if (dest.sp_transport == TRANSPORT_UDP && out.len > SIP_UDP_MAX)
		r = FORK_TOO_LARGE;	/* RFC 3261 18.1.1: not this path */
	else if ((lg->lg_txc = txc_start(&dest, out.buf, out.len, branch,
	    sip_method_name(rq->rq_msg.msg_method), fork_answer, lg)) == NULL)
		r = -1;
	else {
		fk->fk_n++;
		fk->fk_pending++;
	}
	free(buf);
	return (r);
}

void
fork_start(struct sip_req *rq, const struct binding_rec *bs, uint32_t n)
{
	struct fork	*fk;
	uint32_t	 i, too_large = 0;
	int		 r;

	if ((fk = calloc(1, sizeof(*fk))) == NULL) {
		req_reply(rq, 500, "Server Internal Error", NULL);
		return;
	}
	fk->fk_rq = rq;
	rq->rq_fork = fk;
	rq->rq_cleanup = fork_cleanup;
	rq->rq_deadline = time(NULL) + MSG_FORWARD_TIME;
	for (i = 0; i < n; i++)
		if ((r = fork_leg_start(fk, &bs[i])) == FORK_TOO_LARGE)
			too_large++;
		else if (r == -1)
			log_debug("message: %s: binding %s unreachable",
			    rq->rq_to, bs[i].b_contact);
	if (fk->fk_n == 0 && too_large > 0)
		req_reply(rq, 513, "Message Too Large For UDP", NULL);
	else if (fk->fk_n == 0)
		req_reply(rq, 480, "Temporarily Unavailable", NULL);
}
