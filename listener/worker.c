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
 * The hand-off between listener workers (`listener workers N`).
 *
 * The kernel spreads datagrams and connections over the workers
 * (SO_REUSEPORT, by the 4-tuple).  Each worker owns a shard of the
 * presentities, proc_worker_of() of the address: SUBSCRIBE and PUBLISH
 * go to the owner of their To, a NOTIFY of a presentity elsewhere to the
 * owner of its From (the worker that subscribed), a MESSAGE or INVITE
 * asking for a redirect (direct mode, which the recipient's presence
 * allows or not) to the owner of its To.  A worker that
 * receives one it does not own passes it whole (IMSG_WRK_INPUT) and the
 * owner runs it as received.
 *
 * The branch of every request a worker sends with a client transaction
 * ends in ".w" and its index (worker_branch_mark()): a response whose top
 * Via names another worker goes straight to it.  A response without it,
 * a CANCEL, or an ACK or in-dialog request of a call, that matches
 * nothing here goes round the other workers in turn, at most N - 1 hops:
 * the worker holding the transaction or the call takes it, the last one
 * answers as a lone worker would.
 *
 * A connection id names the worker holding the connection and the
 * listen it came in on (worker_conn_id()): bytes for another worker's
 * connection (a reply, a request to a binding over it) go to that
 * worker to be written (IMSG_WRK_SEND); UDP goes out of the worker's own
 * socket on the same address and port.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <string.h>

#include "imd_msg.h"
#include "listener.h"
#include "log.h"
#include "presence.h"
#include "proc.h"
#include "request.h"
#include "sip.h"
#include "stats.h"
#include "user.h"

static unsigned int	worker_hops;	/* of the message being run */

/* A worker's share of a bound of the suite, at least 1. */
uint32_t
worker_share(uint32_t limit)
{
	uint32_t	share = limit / proc_nworkers;

	return (share > 0 ? share : 1);
}

/*
 * The bounds on what the listener holds are the suite's: each of N
 * workers holds its share, so that together they never hold more than
 * relayd.conf says (a client spread over the workers by the kernel may
 * meet its share on one of them first).
 */
void
worker_limits(struct imd_conf *conf)
{
	struct conf_limits	*lim = &conf->c_limits;

	if (proc_nworkers <= 1)
		return;
	lim->lim_conns = worker_share(lim->lim_conns);
	lim->lim_conns_per_addr = worker_share(lim->lim_conns_per_addr);
	lim->lim_conns_unauth = worker_share(lim->lim_conns_unauth);
	lim->lim_held = worker_share(lim->lim_held);
	lim->lim_held_per_addr = worker_share(lim->lim_held_per_addr);
	lim->lim_held_bytes = worker_share(lim->lim_held_bytes);
	lim->lim_held_bytes_per_addr =
	    worker_share(lim->lim_held_bytes_per_addr);
}

/* A message for worker w; dropped when its channel is full. */
static void
worker_pass(unsigned int w, const struct sip_peer *peer, const char *buf,
    size_t len, unsigned int hops, uint32_t tls_from)
{
	struct imsgev	*iev;
	struct ibuf	*b;
	int		 listen = -1;

	if ((iev = worker_channel(w)) == NULL)
		return;
	if (peer->sp_transport == TRANSPORT_UDP && peer->sp_xmpp == 0)
		listen = transport_listen_index(peer->sp_fd);
	if ((b = imsgev_create(iev, IMSG_WRK_INPUT, 0, len + 192)) == NULL ||
	    ibuf_add_u32(b, peer->sp_transport) == -1 ||
	    ibuf_add_u32(b, (uint32_t)listen) == -1 ||
	    ibuf_add_u64(b, peer->sp_conn_id) == -1 ||
	    ibuf_add_u32(b, peer->sp_xmpp) == -1 ||
	    ibuf_add_u32(b, hops) == -1 ||
	    ibuf_add_u32(b, tls_from) == -1 ||
	    ibuf_add_u32(b, peer->sp_sslen) == -1 ||
	    ibuf_add_data(b, &peer->sp_ss, sizeof(peer->sp_ss)) == -1 ||
	    ibuf_add_u32(b, len) == -1 || ibuf_add_data(b, buf, len) == -1 ||
	    imsgev_close(iev, b) == -1)
		fatal("%s", __func__);
	stats_inc(STAT_HANDOFF_MESSAGE);
}

/* The owner of the address in a From or To header, or -1. */
static int
worker_owner_of(const struct sip_msg *msg, int from)
{
	char	addr[IMD_ADDRESS_MAX], domain[IMD_DOMAIN_MAX];

	if ((from ? from_address(msg, addr, sizeof(addr), domain,
	    sizeof(domain)) : to_address(msg, addr, sizeof(addr), domain,
	    sizeof(domain))) == -1)
		return (-1);
	return (proc_worker_of(addr));
}

/* A Contact with +sip.instance and reg-id: an RFC 5626 flow. */
static int
worker_has_instance(const struct sip_msg *msg)
{
	struct sip_iter	it;
	struct sip_str	v, p;
	struct sip_addr	c;

	sip_iter_init(&it, msg, SIP_HDR_CONTACT);
	while (sip_iter_next(&it, &v) == 1)
		if (sip_contact_parse(v.s, SIP_STR_END(&v), &c) == 0 &&
		    sip_param_find(&c.addr_params, "+sip.instance", &p) &&
		    sip_param_find(&c.addr_params, "reg-id", &p))
			return (1);
	return (0);
}

/*
 * Only the worker holding a TLS connection sees the peer's certificate:
 * whether it names the domain of the From goes with the request.
 */
static uint32_t
worker_tls_from(const struct sip_msg *msg, const struct sip_peer *peer)
{
	char	addr[IMD_ADDRESS_MAX], domain[IMD_DOMAIN_MAX];

	if (peer->sp_transport != TRANSPORT_TLS || peer->sp_xmpp != 0 ||
	    from_address(msg, addr, sizeof(addr), domain,
	    sizeof(domain)) == -1)
		return (0);
	return (inbound_tls_allowed(peer, domain));
}

/*
 * The worker that is to run a request, or -1 for whichever received it:
 * presence at the owner of the presentity (the To; a NOTIFY's From, the
 * presentity elsewhere whose dialog the owner keeps), RFC 5626 flows and
 * direct mode at the owner of the user.
 */
static int
worker_owner(const struct sip_msg *msg, const struct sip_peer *peer)
{
	switch (msg->msg_method) {
	case SIP_METHOD_SUBSCRIBE:
	case SIP_METHOD_PUBLISH:
		return (worker_owner_of(msg, 0));
	case SIP_METHOD_NOTIFY:
		return (worker_owner_of(msg, 1));
	case SIP_METHOD_REGISTER:
		/* A new flow of an instance replaces the old one there. */
		if (peer->sp_conn_id == 0 || !worker_has_instance(msg))
			return (-1);
		return (worker_owner_of(msg, 0));
	case SIP_METHOD_MESSAGE:
	case SIP_METHOD_INVITE:
		/* Direct mode asks the recipient's presence (message.c). */
		if (!message_wants_redirect(msg))
			return (-1);
		return (worker_owner_of(msg, 0));
	default:
		return (-1);
	}
}

/*
 * Before a worker runs a request: 1 when another worker owns it and it
 * went there.  A request passed on once is run where it landed.
 */
int
worker_route(const struct sip_msg *msg, const struct sip_peer *peer,
    const char *buf, size_t len)
{
	int	w;

	if (proc_nworkers <= 1 || worker_hops > 0 ||
	    len > IMSG_PAYLOAD_MAX - 192)
		return (0);
	if ((w = worker_owner(msg, peer)) == -1 ||
	    (unsigned int)w == proc_worker)
		return (0);
	worker_pass(w, peer, buf, len, 1, worker_tls_from(msg, peer));
	return (1);
}

/*
 * A response or a call's in-dialog request that matched nothing here:
 * 1 when it went on to the next worker, 0 when every worker saw it and
 * this one is to settle it.
 */
int
worker_pass_on(const struct sip_peer *peer, const char *buf, size_t len)
{
	if (proc_nworkers <= 1 || worker_hops >= proc_nworkers - 1 ||
	    len > IMSG_PAYLOAD_MAX - 192)
		return (0);
	worker_pass((proc_worker + 1) % proc_nworkers, peer, buf, len,
	    worker_hops + 1, peer->sp_tls_from);
	return (1);
}

/*
 * The branch of a request a worker sends with a client transaction ends
 * in ".w" and the worker's index, so that its responses, wherever the
 * kernel hands them, go straight to it.
 */
#define WORKER_BRANCH_TAG	".w"

void
worker_branch_mark(char *branch, size_t size)
{
	char	tag[8];

	if (proc_nworkers <= 1)
		return;
	snprintf(tag, sizeof(tag), WORKER_BRANCH_TAG "%u", proc_worker);
	strlcat(branch, tag, size);
}

/* The worker a response's top Via names, or -1 for none (not ours). */
static int
worker_of_branch(const struct sip_msg *msg)
{
	struct sip_via	 via;
	const char	*p, *end;
	unsigned int	 w = 0;

	if (sip_top_via(msg, &via) == -1 || via.via_branch.len < 3)
		return (-1);
	end = SIP_STR_END(&via.via_branch);
	for (p = end; p > via.via_branch.s && p[-1] >= '0' && p[-1] <= '9';
	    p--)
		;
	if (p == end || end - p > 2 || p - via.via_branch.s < 2 ||
	    memcmp(p - 2, WORKER_BRANCH_TAG, 2) != 0)
		return (-1);
	for (; p < end; p++)
		w = w * 10 + (*p - '0');
	return (w < proc_nworkers ? (int)w : -1);
}

/*
 * Before a worker looks for a response's transaction: 1 when the top
 * Via names another worker and it went there, as the last hop (that
 * worker settles it).
 */
int
worker_response(const struct sip_msg *msg, const struct sip_peer *peer,
    const char *buf, size_t len)
{
	int	w;

	if (proc_nworkers <= 1 || worker_hops > 0 ||
	    len > IMSG_PAYLOAD_MAX - 192 || (w = worker_of_branch(msg)) == -1 ||
	    (unsigned int)w == proc_worker)
		return (0);
	worker_pass(w, peer, buf, len, proc_nworkers - 1, 0);
	return (1);
}

/* A user's presence follows its bindings, at the owner of the user. */
void
worker_registered(const char *aor, int registered)
{
	struct imsgev	*iev;
	struct ibuf	*b;
	unsigned int	 w = proc_worker_of(aor);

	if (w == proc_worker) {
		pres_registered(aor, registered);
		return;
	}
	if ((iev = worker_channel(w)) == NULL)
		return;
	if ((b = imsgev_create(iev, IMSG_WRK_REGISTERED, 0,
	    IMD_ADDRESS_MAX + 8)) == NULL ||
	    ibuf_add_str(b, aor, IMD_ADDRESS_MAX) == -1 ||
	    ibuf_add_u32(b, registered) == -1 || imsgev_close(iev, b) == -1)
		fatal("%s", __func__);
}

static void
worker_input(struct imsgev *iev, struct imsg *imsg)
{
	static char		 buf[IMSG_PAYLOAD_MAX];
	struct transport_listen	*tl = NULL;
	struct sip_peer		 peer;
	uint32_t		 transport, listen, hops, sslen, len, tls_from;

	memset(&peer, 0, sizeof(peer));
	imsg_get_u32(imsg, &transport);
	imsg_get_u32(imsg, &listen);
	imsg_get_u64(imsg, &peer.sp_conn_id);
	imsg_get_u32(imsg, &peer.sp_xmpp);
	imsg_get_u32(imsg, &hops);
	imsg_get_u32(imsg, &tls_from);
	imsg_get_u32(imsg, &sslen);
	imsg_get_data(imsg, &peer.sp_ss, sizeof(peer.sp_ss));
	imsg_get_u32(imsg, &len);
	if (len <= sizeof(buf))
		imsg_get_data(imsg, buf, len);
	if (imsg_get_end(imsg) == -1 || len > sizeof(buf) ||
	    transport > TRANSPORT_TLS || sslen > sizeof(peer.sp_ss) ||
	    hops == 0 || hops >= proc_nworkers || tls_from > 1)
		proc_fatal_imsg(iev, imsg, "worker input");
	peer.sp_transport = transport;
	peer.sp_tls_from = tls_from;
	peer.sp_sslen = sslen;
	peer.sp_fd = -1;
	if (transport == TRANSPORT_UDP && peer.sp_xmpp == 0) {
		/* Our own socket on the address it came to. */
		if ((tl = transport_listen_at(listen)) == NULL)
			proc_fatal_imsg(iev, imsg, "worker input listen");
		peer.sp_fd = tl->tl_cl->cl_fd;
	}
	worker_hops = hops;
	sip_input(&peer, buf, len);
	worker_hops = 0;
}

static void
worker_write(struct imsgev *iev, struct imsg *imsg)
{
	static char	 buf[IMSG_PAYLOAD_MAX];
	struct conn	*c;
	uint64_t	 id;
	uint32_t	 len;

	imsg_get_u64(imsg, &id);
	imsg_get_u32(imsg, &len);
	if (len <= sizeof(buf))
		imsg_get_data(imsg, buf, len);
	if (imsg_get_end(imsg) == -1 || len > sizeof(buf))
		proc_fatal_imsg(iev, imsg, "worker send");
	if ((c = conn_find(id)) == NULL) {
		log_debug("conn: connection %llu gone, %u bytes from listener "
		    "%u dropped", (unsigned long long)id, len,
		    iev->iev_worker);
		return;
	}
	conn_send(c, buf, len);
}

static void
worker_presence(struct imsgev *iev, struct imsg *imsg)
{
	char		aor[IMD_ADDRESS_MAX];
	uint32_t	registered;

	imsg_get_str(imsg, aor, sizeof(aor));
	imsg_get_u32(imsg, &registered);
	if (imsg_get_end(imsg) == -1 || registered > 1)
		proc_fatal_imsg(iev, imsg, "worker registered");
	pres_registered(aor, registered);
}

static void
worker_conn_event(struct imsgev *iev, struct imsg *imsg)
{
	uint64_t	id;

	imsg_get_u64(imsg, &id);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "worker connection");
	if (imsg->hdr.ih_type == IMSG_WRK_CONN_AUTHED)
		conn_authenticated(id);
	else
		outbound_flows_gone(id);
}

void
worker_dispatch(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_WRK_INPUT:
		worker_input(iev, imsg);
		break;
	case IMSG_WRK_SEND:
		worker_write(iev, imsg);
		break;
	case IMSG_WRK_REGISTERED:
		worker_presence(iev, imsg);
		break;
	case IMSG_WRK_CONN_AUTHED:
	case IMSG_WRK_CONN_CLOSED:
		worker_conn_event(iev, imsg);
		break;
	default:
		proc_fatal_imsg(iev, imsg, "unexpected");
	}
}
