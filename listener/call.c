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
 * A new call (RFC 3261 16): an INVITE without a To tag.  The caller,
 * when it is ours, authenticates (407) as the user its From names; a
 * caller of another domain passes the inbound policy (inbound.c).
 * dirdb says where the callee is, and the INVITE forks to every
 * binding at once (call_fork.c), with our Record-Route (route.c); a
 * call to another domain goes through relayd (call_relay.c).  A CANCEL
 * of the caller ends whatever is under way with 487.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "binding.h"
#include "call.h"
#include "imd_msg.h"
#include "listener.h"
#include "log.h"
#include "proc.h"
#include "request.h"
#include "tx.h"

static void	call_deliver(struct sip_req *, int, const struct binding_rec *,
		    uint32_t);

/* The caller gave up: 487, and the branches are cancelled (cleanup). */
static void
call_cancelled(void *arg)
{
	struct sip_req	*rq = arg;

	req_reply(rq, 487, "Request Terminated", NULL);
}

static void
call_lookup(struct sip_req *rq)
{
	rq->rq_looked_up = call_deliver;
	req_lookup(rq);
}

static void
call_abroad(struct sip_req *rq)
{
	call_relay_start(rq, strchr(rq->rq_to, '@') + 1, 1);
}

void
call_request(const struct sip_msg *msg, const struct sip_peer *peer)
{
	struct sip_req	*rq;
	char		 fromdom[IMD_DOMAIN_MAX];

	if ((rq = inbound_hold_ruri(msg, peer, fromdom, call_request)) ==
	    NULL)
		return;
	if (rq->rq_ist == NULL) {	/* IST_MAX calls in the last 32 s */
		req_reply(rq, 503, "Service Unavailable", "Retry-After: 5\r\n");
		return;
	}
	ist_set_owner(rq->rq_ist, call_cancelled, rq);
	rq->rq_pop_route = route_ours(&rq->rq_msg);
	inbound_route(rq, fromdom, call_lookup, call_abroad);
}

/*
 * Every binding of the callee, each with the Record-Route its two legs
 * need; 480 when none can be reached.
 */
static void
call_start(struct sip_req *rq, const struct binding_rec *bs, uint32_t n)
{
	struct call_dest	 ds[BINDING_MAX_PER_USER];
	char			 via[128];
	uint32_t		 i, nd = 0;

	for (i = 0; i < n && i < BINDING_MAX_PER_USER; i++) {
		memset(&ds[nd], 0, sizeof(ds[nd]));
		if (fork_dest(&bs[i], &ds[nd].cd_peer, via, sizeof(via)) ==
		    -1 || route_record(&rq->rq_peer, &ds[nd].cd_peer,
		    &ds[nd]) == -1) {
			log_debug("call: %s: binding %s unreachable",
			    rq->rq_to, bs[i].b_contact);
			continue;
		}
		ds[nd].cd_ruri = bs[i].b_contact;
		nd++;
	}
	if (nd == 0) {
		req_reply(rq, 480, "Temporarily Unavailable", NULL);
		return;
	}
	if (calls_setup(rq) == -1) {
		req_reply(rq, 503, "Too Many Calls", "Retry-After: 60\r\n");
		return;
	}
	call_fork(rq, ds, nd, 1);
}

/*
 * Nobody there (no device, or none answered before ring-time or the
 * caller's CANCEL, call_fork.c): under an offline policy that mails,
 * the callee hears of the call by mail (dirdb, then relayd), once;
 * nothing is stored.
 */
void
call_missed(struct sip_req *rq)
{
	struct imsgev	*dirdb = proc_peer(PROC_DIRDB);
	struct ibuf	*buf;

	if (!OFFLINE_MAILS(listener_conf->c_offline.off_policy))
		return;
	if ((buf = imsgev_create(dirdb, IMSG_DB_MISSED_CALL, 0,
	    2 * IMD_ADDRESS_MAX + 8)) == NULL ||
	    ibuf_add_str(buf, rq->rq_to, sizeof(rq->rq_to)) == -1 ||
	    ibuf_add_str(buf, rq->rq_aor, sizeof(rq->rq_aor)) == -1 ||
	    ibuf_add_u64(buf, time(NULL)) == -1 ||
	    imsgev_close(dirdb, buf) == -1)
		fatal("%s", __func__);
}

/*
 * The medium of the call, the first m= line of its SDP: a name, not a
 * parse, for direct mode's choice; NULL when there is none of ours.
 */
static const char *
call_medium_name(const char *p, const char *end)
{
	static const char *const media[] = { "audio", "video", "text" };
	size_t	i, len;

	for (i = 0; i < sizeof(media) / sizeof(media[0]); i++) {
		len = strlen(media[i]);
		if ((size_t)(end - p) > len && memcmp(p, media[i], len) == 0 &&
		    p[len] == ' ')
			return (media[i]);
	}
	return (NULL);
}

static const char *
call_medium(const struct sip_msg *msg)
{
	const char	*p = msg->msg_body.s, *end = SIP_STR_END(&msg->msg_body);
	const char	*nl;

	while (p != NULL && p < end) {
		if (end - p > 2 && p[0] == 'm' && p[1] == '=')
			return (call_medium_name(p + 2, end));
		nl = memchr(p, '\n', end - p);
		p = nl != NULL ? nl + 1 : NULL;
	}
	return (NULL);
}

/* Request-Disposition: redirect, as for MESSAGE, for the call's medium. */
static int
call_redirect(struct sip_req *rq, const struct binding_rec *bs, uint32_t n)
{
	const char	*medium = call_medium(&rq->rq_msg);

	return (medium != NULL && message_redirect(rq, bs, n, medium));
}

/*
 * To a stranger an address nobody has is a user who is not there, as
 * for MESSAGE: the answer must not tell who our users are.
 */
static void
call_deliver(struct sip_req *rq, int exists, const struct binding_rec *bs,
    uint32_t n)
{
	if (!exists && !inbound_from_stranger(rq))
		req_reply(rq, 404, "Not Found", NULL);
	else if (!exists)
		req_reply(rq, 480, "Temporarily Unavailable", NULL);
	else if (n == 0) {
		call_missed(rq);
		req_reply(rq, 480, "Temporarily Unavailable", NULL);
	} else if (!call_redirect(rq, bs, n))
		call_start(rq, bs, n);
}

/*
 * CANCEL (RFC 3261 9.2, 16.10): 200 at once when it matches an INVITE
 * of ours, which then ends with 487; else 481.
 */
void
call_cancel_request(const struct sip_msg *msg, const struct sip_peer *peer)
{
	/* Its INVITE may be another listener worker's (worker.c). */
	if (!ist_cancel(msg, peer) &&
	    !worker_pass_on(peer, msg->msg_buf, msg->msg_len))
		sip_reply(peer, msg, 481, "Call/Transaction Does Not Exist",
		    NULL);
}
