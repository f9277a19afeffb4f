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
 * Flows (RFC 5626): which bindings live only as long as the connection
 * they were registered over.  A browser's contact is a made-up .invalid
 * name, reachable over its WebSocket and nothing else; so are the
 * contacts of any client that registers with +sip.instance and reg-id.
 * Their bindings carry the connection's id (fork_dest() sends there),
 * and this table remembers them so that:
 *
 * - when the connection closes, each goes at once (dirdb checks it was
 *   not registered again over another), and presence and the offline
 *   policy see the user as gone instead of a dead binding;
 * - when the same instance and reg-id register again, over a new
 *   connection or with a new contact, the old binding is removed in
 *   the same REGISTER (RFC 5626 6: the flow is replaced, not added).
 *
 * The registrar is the edge proxy here, so the flow is the binding's
 * connection itself and needs no token in a Path.  The table is bounded
 * by the connections and by FLOWS_PER_CONN each.
 */

#include <sys/types.h>
#include <sys/tree.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "imd_msg.h"
#include "listener.h"
#include "log.h"
#include "presence.h"
#include "proc.h"
#include "request.h"

#define FLOWS_PER_CONN		BINDING_MAX_PER_USER
#define FLOW_INSTANCE_MAX	128	/* +sip.instance and reg-id */

struct flow {
	RB_ENTRY(flow)	 f_by_conn;
	RB_ENTRY(flow)	 f_by_instance;	/* when f_instance is set */
	uint64_t	 f_conn;
	char		 f_aor[IMD_ADDRESS_MAX];
	char		 f_contact[BINDING_CONTACT_MAX];
	char		 f_instance[FLOW_INSTANCE_MAX];	/* "" or instance
							   " " reg-id */
};

RB_HEAD(flow_conns, flow);
RB_HEAD(flow_instances, flow);

static int	flow_conn_cmp(struct flow *, struct flow *);
static int	flow_instance_cmp(struct flow *, struct flow *);

RB_PROTOTYPE(flow_conns, flow, f_by_conn, flow_conn_cmp);
RB_PROTOTYPE(flow_instances, flow, f_by_instance,
    flow_instance_cmp);
RB_GENERATE(flow_conns, flow, f_by_conn, flow_conn_cmp);
RB_GENERATE(flow_instances, flow, f_by_instance, flow_instance_cmp);

static struct flow_conns	flows_by_conn = RB_INITIALIZER(&flows_by_conn);
static struct flow_instances	flows_by_instance =
    RB_INITIALIZER(&flows_by_instance);

static int
flow_conn_cmp(struct flow *a, struct flow *b)
{
	int	r;

	if (a->f_conn != b->f_conn)
		return (a->f_conn < b->f_conn ? -1 : 1);
	if ((r = strcmp(a->f_aor, b->f_aor)) != 0)
		return (r);
	return (strcmp(a->f_contact, b->f_contact));
}

static int
flow_instance_cmp(struct flow *a, struct flow *b)
{
	int	r;

	if ((r = strcmp(a->f_aor, b->f_aor)) != 0)
		return (r);
	return (strcmp(a->f_instance, b->f_instance));
}

static void
flow_free(struct flow *f)
{
	RB_REMOVE(flow_conns, &flows_by_conn, f);
	if (f->f_instance[0] != '\0')
		RB_REMOVE(flow_instances, &flows_by_instance, f);
	free(f);
}

static size_t
flow_count(uint64_t conn)
{
	struct flow	 key, *f;
	size_t		 n = 0;

	memset(&key, 0, sizeof(key));
	key.f_conn = conn;
	for (f = RB_NFIND(flow_conns, &flows_by_conn, &key);
	    f != NULL && f->f_conn == conn;
	    f = RB_NEXT(flow_conns, &flows_by_conn, f))
		n++;
	return (n);
}

/*
 * "instance reg-id" of a contact that asks for outbound, else "": both
 * parameters are needed (RFC 5626 4.2).
 */
static void
flow_instance(const char *uri, struct flow *f)
{
	struct sip_addr	c;
	struct sip_str	inst, regid;

	f->f_instance[0] = '\0';
	if (sip_contact_parse(uri, uri + strlen(uri), &c) == -1 ||
	    !sip_param_find(&c.addr_params, "+sip.instance", &inst) ||
	    !sip_param_find(&c.addr_params, "reg-id", &regid) ||
	    inst.len + regid.len + 2 > sizeof(f->f_instance))
		return;
	snprintf(f->f_instance, sizeof(f->f_instance), "%.*s %.*s",
	    (int)inst.len, inst.s, (int)regid.len, regid.s);
}

/* Is this connection's binding one that lives and dies with it? */
static int
flow_wanted(const struct flow *f, uint64_t conn)
{
	struct conn	*c;

	/* A REGISTER of an RFC 5626 flow is served by the owner of the
	   user, wherever its connection is (worker.c). */
	if (!worker_conn_is_ours(conn))
		return (f->f_instance[0] != '\0');
	if ((c = conn_find(conn)) == NULL)
		return (0);
	return (c->cn_ws != NULL || f->f_instance[0] != '\0');
}

/*
 * The old flow of the same instance and reg-id: it is replaced, and
 * its binding, when its contact differs, is removed in this REGISTER.
 */
static void
flow_replace(struct flow *f, const struct binding_rec *nb,
    struct binding_rec *bs, int *n)
{
	struct flow		*old;
	struct binding_rec	*b;

	if (f->f_instance[0] == '\0' ||
	    (old = RB_FIND(flow_instances, &flows_by_instance, f)) == NULL)
		return;
	if (strcmp(old->f_contact, f->f_contact) != 0 &&
	    *n < BINDING_MAX_PER_USER) {
		b = &bs[(*n)++];
		*b = *nb;
		strlcpy(b->b_contact, old->f_contact, sizeof(b->b_contact));
		b->b_expires = 0;
		log_debug("outbound: %s: flow %s replaced, binding %s goes",
		    f->f_aor, f->f_instance, old->f_contact);
	}
	flow_free(old);
}

static void
flow_add(const struct binding_rec *nb, const char *contact_hdr,
    struct binding_rec *bs, int *n)
{
	struct flow	*f, *dup;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return;
	f->f_conn = nb->b_conn;
	strlcpy(f->f_aor, nb->b_address, sizeof(f->f_aor));
	strlcpy(f->f_contact, nb->b_contact, sizeof(f->f_contact));
	flow_instance(contact_hdr, f);
	if (!flow_wanted(f, nb->b_conn) ||
	    flow_count(nb->b_conn) >= FLOWS_PER_CONN) {
		free(f);
		return;
	}
	flow_replace(f, nb, bs, n);
	if ((dup = RB_FIND(flow_conns, &flows_by_conn, f)) != NULL)
		flow_free(dup);
	RB_INSERT(flow_conns, &flows_by_conn, f);
	if (f->f_instance[0] != '\0')
		RB_INSERT(flow_instances, &flows_by_instance, f);
}

/*
 * A REGISTER about to be applied: bs holds its *n bindings, one per
 * Contact in order.  Bindings over a flow are remembered; a replaced
 * flow adds the removal of its old binding to bs.
 */
void
outbound_register(const struct sip_req *rq, struct binding_rec *bs, int *n)
{
	struct sip_iter	 it;
	struct sip_str	 elem;
	char		 hdr[BINDING_CONTACT_MAX + FLOW_INSTANCE_MAX];
	int		 i = 0, given = *n;

	if (rq->rq_peer.sp_conn_id == 0)
		return;
	sip_iter_init(&it, &rq->rq_msg, SIP_HDR_CONTACT);
	while (i < given && sip_iter_next(&it, &elem) == 1) {
		if (bs[i].b_expires != 0 && elem.len < sizeof(hdr)) {
			memcpy(hdr, elem.s, elem.len);
			hdr[elem.len] = '\0';
			flow_add(&bs[i], hdr, bs, n);
		}
		i++;
	}
}

/* RFC 5626 6: a registrar that keeps the flow says so. */
void
outbound_reply(const struct sip_req *rq, struct sip_out *out)
{
	const struct sip_hdr	*h;
	struct sip_iter		 it;
	struct sip_str		 elem;
	struct flow		 f;
	int			 asked = 0;

	for (h = sip_hdr_first(&rq->rq_msg, SIP_HDR_SUPPORTED); h != NULL;
	    h = sip_hdr_next(&rq->rq_msg, h))
		if (http_token_in(&h->hdr_value, "outbound"))
			asked = 1;
	if (!asked)
		return;
	sip_iter_init(&it, &rq->rq_msg, SIP_HDR_CONTACT);
	while (sip_iter_next(&it, &elem) == 1) {
		if (elem.len >= BINDING_CONTACT_MAX)
			continue;
		memcpy(f.f_contact, elem.s, elem.len);
		f.f_contact[elem.len] = '\0';
		flow_instance(f.f_contact, &f);
		if (f.f_instance[0] != '\0') {
			sip_out_printf(out, "Require: outbound\r\n");
			return;
		}
	}
}

/* Each binding of the connection goes, through dirdb. */
/*
 * A connection closed: its flows here go, and the other workers are
 * told, since the owner of a user may keep a flow over it.
 */
void
outbound_conn_closed(uint64_t conn)
{
	if (worker_conn_is_ours(conn))
		worker_conn_note(conn, IMSG_WRK_CONN_CLOSED);
	outbound_flows_gone(conn);
}

void
outbound_flows_gone(uint64_t conn)
{
	struct imsgev	*dirdb;
	struct ibuf	*buf;
	struct flow	 key, *f;

	memset(&key, 0, sizeof(key));
	key.f_conn = conn;
	while ((f = RB_NFIND(flow_conns, &flows_by_conn, &key)) != NULL &&
	    f->f_conn == conn) {
		dirdb = proc_peer(PROC_DIRDB);
		if ((buf = imsgev_create(dirdb, IMSG_DB_UNBIND, 0,
		    sizeof(*f))) == NULL ||
		    ibuf_add_u64(buf, conn) == -1 ||
		    ibuf_add_str(buf, f->f_aor, sizeof(f->f_aor)) == -1 ||
		    ibuf_add_str(buf, f->f_contact, sizeof(f->f_contact)) ==
		    -1 || imsgev_close(dirdb, buf) == -1)
			fatal("%s", __func__);
		flow_free(f);
	}
}

/* dirdb removed the binding, or found it moved: presence follows. */
void
outbound_unbound(struct imsgev *iev, struct imsg *imsg)
{
	char		aor[IMD_ADDRESS_MAX];
	uint32_t	left;

	imsg_get_str(imsg, aor, sizeof(aor));
	imsg_get_u32(imsg, &left);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "unbound");
	worker_registered(aor, left > 0);
}
