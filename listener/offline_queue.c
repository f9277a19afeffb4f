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
 * The listener's side of the offline queue: a MESSAGE for a user with
 * no binding is stored by dirdb and answered 202; when the user
 * registers a device, the waiting messages go to it one by one, oldest
 * first, each removed only after the device answered 2xx.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "binding.h"
#include "cdefs.h"
#include "imd_msg.h"
#include "listener.h"
#include "log.h"
#include "offline.h"
#include "proc.h"
#include "request.h"
#include "tx_client.h"

#define OFFQ_DRAINS_MAX	1024
#define OFFQ_REQ_MAX	(OFFLINE_BODY_MAX + 4096)

/* One device being given its user's waiting messages. */
struct drain {
	TAILQ_ENTRY(drain)	 dr_entry;
	uint32_t		 dr_id;
	struct binding_rec	 dr_device;
	struct txc		*dr_txc;
	uint64_t		 dr_msgid;	/* on its way */
};

static TAILQ_HEAD(, drain)	drains = TAILQ_HEAD_INITIALIZER(drains);
static size_t			ndrains;
static uint32_t			drain_nextid = 1;

static void	offq_ask(struct drain *, uint64_t);
static void	offq_drain(const struct binding_rec *);

/*
 * A sender of one of our domains reaches the queue only after digest
 * authentication (message_request()): whoever else writes such a From
 * is refused before.  Any other sender is a stranger to the quotas.
 */
static int
is_sender_authenticated(const struct sip_req *rq)
{
	const char	*at = strrchr(rq->rq_aor, '@');

	return (rq->rq_proxy && at != NULL &&
	    config_find_domain(listener_conf, at + 1) != NULL);
}

void
offq_store(struct sip_req *rq)
{
	struct offline_rec	*o;
	const struct sip_hdr	*h;
	struct imsgev		*dirdb = proc_peer(PROC_DIRDB);
	struct ibuf		*buf;

	if (rq->rq_msg.msg_body.len > OFFLINE_BODY_MAX) {
		req_reply(rq, 413, "Too large to keep for later", NULL);
		return;
	}
	if ((h = sip_hdr_first(&rq->rq_msg, SIP_HDR_CONTENT_TYPE)) != NULL &&
	    h->hdr_value.len >= OFFLINE_CTYPE_MAX) {
		req_reply(rq, 513, "Content-Type Too Long to keep for later",
		    NULL);
		return;
	}
	if ((o = calloc(1, sizeof(*o))) == NULL) {
		req_reply(rq, 500, "Server Internal Error", NULL);
		return;
	}
	strlcpy(o->o_to, rq->rq_to, sizeof(o->o_to));
	strlcpy(o->o_from, rq->rq_aor, sizeof(o->o_from));
	if ((h = sip_hdr_first(&rq->rq_msg, SIP_HDR_CONTENT_TYPE)) != NULL)
		snprintf(o->o_ctype, sizeof(o->o_ctype), "%.*s",
		    (int)h->hdr_value.len, h->hdr_value.s);
	else if (rq->rq_msg.msg_body.len > 0)
		strlcpy(o->o_ctype, "text/plain", sizeof(o->o_ctype));
	o->o_arrived = time(NULL);
	o->o_state = OFFLINE_WAITING;
	o->o_flags = is_sender_authenticated(rq) ? OFFLINE_F_AUTHED : 0;
	o->o_bodylen = rq->rq_msg.msg_body.len;
	memcpy(o->o_body, rq->rq_msg.msg_body.s, o->o_bodylen);
	if ((buf = imsgev_create(dirdb, IMSG_DB_OFFLINE_PUT, rq->rq_id,
	    OFFLINE_MSG_MAX)) == NULL || offline_msg_add(buf, o) == -1 ||
	    imsgev_close(dirdb, buf) == -1)
		fatal("%s", __func__);
	free(o);
}

/*
 * Stored and committed: only now may the sender hear 202.  A quota is
 * 480 (RFC 3261 21.4.18): the user cannot be reached now and nothing
 * more of this sender is kept, which is temporary; 486 would say a
 * device was reached and is busy, and 503 that the whole server is.
 * The reason phrase says whose share is used up.
 */
void
offq_stored(struct imsgev *iev, struct imsg *imsg)
{
	static const char *full[] = {
		[OFFLINE_STORED_FULL] = "Offline queue full",
		[OFFLINE_STORED_UNAUTH_FULL] =
		    "Offline queue full for unauthenticated senders",
		[OFFLINE_STORED_DOMAIN_FULL] =
		    "Offline queue full for the sender's domain",
		[OFFLINE_STORED_SENDER_FULL] =
		    "Offline queue full for this sender",
	};
	struct sip_req	*rq;
	uint32_t	 status;
	uint64_t	 id;

	imsg_get_u32(imsg, &status);
	imsg_get_u64(imsg, &id);
	if (imsg_get_end(imsg) == -1 || status > OFFLINE_STORED_SENDER_FULL)
		proc_fatal_imsg(iev, imsg, "offline stored");
	if ((rq = req_find(imsg->hdr.ih_peerid)) == NULL)
		return;
	if (status == OFFLINE_STORED_OK)
		req_reply(rq, 202, "Accepted", NULL);
	else if (status == OFFLINE_STORED_FAIL)
		req_reply(rq, 500, "Server Internal Error", NULL);
	else
		req_reply(rq, 480, full[status], NULL);
}

static struct drain *
drain_find_address(const char *address)
{
	struct drain	*dr;

	TAILQ_FOREACH(dr, &drains, dr_entry)
		if (strcmp(dr->dr_device.b_address, address) == 0)
			return (dr);
	return (NULL);
}

static void
drain_free(struct drain *dr)
{
	if (dr->dr_txc != NULL)
		txc_cancel(dr->dr_txc);
	TAILQ_REMOVE(&drains, dr, dr_entry);
	ndrains--;
	free(dr);
}

/* A device registered: hand it what waits, unless that runs already. */
static void
offq_drain(const struct binding_rec *device)
{
	struct drain	*dr;

	if (ndrains >= OFFQ_DRAINS_MAX ||
	    drain_find_address(device->b_address) != NULL)
		return;
	if ((dr = calloc(1, sizeof(*dr))) == NULL)
		return;
	dr->dr_id = drain_nextid++;
	dr->dr_device = *device;
	TAILQ_INSERT_TAIL(&drains, dr, dr_entry);
	ndrains++;
	offq_ask(dr, 0);
}

static void
offq_ask(struct drain *dr, uint64_t delivered)
{
	struct imsgev	*dirdb = proc_peer(PROC_DIRDB);
	struct ibuf	*buf;

	if ((buf = imsgev_create(dirdb, IMSG_DB_OFFLINE_NEXT, dr->dr_id,
	    IMD_ADDRESS_MAX + 8)) == NULL ||
	    ibuf_add_str(buf, dr->dr_device.b_address,
	    sizeof(dr->dr_device.b_address)) == -1 ||
	    ibuf_add_u64(buf, delivered) == -1 ||
	    imsgev_close(dirdb, buf) == -1)
		fatal("%s", __func__);
}

static void
offq_delivered(void *arg, const struct sip_msg *resp IMD_UNUSED,
    unsigned int status)
{
	struct drain	*dr = arg;

	dr->dr_txc = NULL;
	if (status >= 200 && status < 300) {
		offq_ask(dr, dr->dr_msgid);
		return;
	}
	/* It stays queued for the next registration. */
	log_info("queue: message %llu for %s not taken (%u)",
	    (unsigned long long)dr->dr_msgid, dr->dr_device.b_address,
	    status);
	drain_free(dr);
}

/* A MESSAGE of our own carrying a stored one, its date kept. */
static int
offq_request(const struct offline_rec *o, const char *contact,
    const char *via, const char *branch, struct sip_out *out)
{
	struct tm	 tm;
	time_t		 t = o->o_arrived;
	const char	*domain = strchr(o->o_to, '@') + 1;
	char		 date[64];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm) ==
	    0)
		return (-1);
	sip_out_printf(out, "MESSAGE %s SIP/2.0\r\n"
	    "Via: %s;branch=%s\r\n"
	    "Max-Forwards: 70\r\n"
	    "From: <sip:%s>;tag=%08x%08x\r\n"
	    "To: <sip:%s>\r\n"
	    "Call-ID: queued-%llu-%08x@%s\r\n"
	    "CSeq: 1 MESSAGE\r\n"
	    "Date: %s\r\n",
	    contact, via, branch, o->o_from, arc4random(), arc4random(),
	    o->o_to, (unsigned long long)o->o_id, arc4random(), domain, date);
	if (o->o_ctype[0] != '\0')
		sip_out_printf(out, "Content-Type: %s\r\n", o->o_ctype);
	sip_out_printf(out, "Content-Length: %u\r\n\r\n", o->o_bodylen);
	sip_out_add(out, o->o_body, o->o_bodylen);
	return (out->overflow ? -1 : 0);
}

static int
offq_send(struct drain *dr, const struct offline_rec *o)
{
	struct sip_peer	 dest;
	struct sip_out	 out;
	char		 via[128], branch[40], *buf;
	int		 r = -1;

	if (fork_dest(&dr->dr_device, &dest, via, sizeof(via)) == -1 ||
	    (buf = malloc(OFFQ_REQ_MAX)) == NULL)
		return (-1);
	snprintf(branch, sizeof(branch), "z9hG4bK%08x%08x", arc4random(),
	    arc4random());
	worker_branch_mark(branch, sizeof(branch));
	sip_out_init(&out, buf, OFFQ_REQ_MAX);
	if (offq_request(o, dr->dr_device.b_contact, via, branch, &out) ==
	    0 && (dr->dr_txc = txc_start(&dest, out.buf, out.len, branch,
	    "MESSAGE", offq_delivered, dr)) != NULL) {
		dr->dr_msgid = o->o_id;
		r = 0;
	}
	free(buf);
	return (r);
}

void
offq_item(struct imsgev *iev, struct imsg *imsg)
{
	struct offline_rec	*o;
	struct drain		*dr;
	uint32_t		 found;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		fatal("%s", __func__);
	imsg_get_u32(imsg, &found);
	if (found)
		offline_msg_get(imsg, o);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "offline item");
	TAILQ_FOREACH(dr, &drains, dr_entry)
		if (dr->dr_id == imsg->hdr.ih_peerid)
			break;
	if (dr != NULL && (!found || strcmp(o->o_to,
	    dr->dr_device.b_address) != 0 || offq_send(dr, o) == -1))
		drain_free(dr);
	free(o);
}

/*
 * dirdb names a live binding of a user with messages waiting: after a
 * REGISTER, a message stored meanwhile, or imctl queue flush.
 */
void
offq_offered(struct imsgev *iev, struct imsg *imsg)
{
	struct binding_rec	b;

	binding_msg_get(imsg, &b);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "offline drain");
	offq_drain(&b);
}
