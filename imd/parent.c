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
 * What the children tell the parent once they serve: dirdb and the
 * listener answer the requests imctl made through the control socket.
 * Each answer is read here in full, then handed to the client that
 * asked, by the request id in the peer id (imd/control.c).
 */

#include <sys/types.h>

#include <stdint.h>

#include <string.h>

#include "binding.h"
#include "imd.h"
#include "imd_msg.h"
#include "log.h"
#include "offline.h"
#include "user.h"

/* The final answer of a request: a status and a message. */
static void
parent_result(struct imsgev *iev, struct imsg *imsg)
{
	struct ctl_conn	*cc;
	uint32_t	 status;
	char		 message[CTL_MESSAGE_MAX];

	imsg_get_u32(imsg, &status);
	imsg_get_str(imsg, message, sizeof(message));
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "result");
	if ((cc = control_client(imsg->hdr.ih_peerid)) != NULL)
		control_answer(cc, status, message);
}

static void
parent_list_end(struct imsgev *iev, struct imsg *imsg)
{
	struct ctl_conn	*cc;

	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "list end");
	if ((cc = control_client(imsg->hdr.ih_peerid)) != NULL)
		control_list_end(cc);
}

static void
parent_user_item(struct imsgev *iev, struct imsg *imsg)
{
	struct ctl_conn	*cc;
	struct ibuf	*buf;
	char		 address[IMD_ADDRESS_MAX];
	uint64_t	 created;
	uint32_t	 flags;

	imsg_get_str(imsg, address, sizeof(address));
	imsg_get_u64(imsg, &created);
	imsg_get_u32(imsg, &flags);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "user item");
	if ((cc = control_client(imsg->hdr.ih_peerid)) == NULL ||
	    (buf = control_item(cc, IMSG_CTL_USER_ITEM, 128)) == NULL)
		return;
	/* The writer keeps its first error; closing refuses the buffer. */
	ibuf_add_str(buf, address, sizeof(address));
	ibuf_add_u64(buf, created);
	ibuf_add_u32(buf, flags);
	control_item_close(cc, buf);
}

/* A refused line of an import, from dirdb's check or write. */
static void
parent_user_bad(struct imsgev *iev, struct imsg *imsg)
{
	struct ctl_conn	*cc;
	struct ibuf	*buf;
	char		 message[CTL_MESSAGE_MAX];
	uint32_t	 line, status;

	imsg_get_u32(imsg, &line);
	imsg_get_u32(imsg, &status);
	imsg_get_str(imsg, message, sizeof(message));
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "user bad");
	if ((cc = control_client(imsg->hdr.ih_peerid)) == NULL ||
	    (buf = control_item(cc, IMSG_CTL_USER_BAD, 128)) == NULL)
		return;
	ibuf_add_u32(buf, line);
	ibuf_add_u32(buf, status);
	ibuf_add_str(buf, message, sizeof(message));
	control_item_close(cc, buf);
}

/* A user of an export, HA1s included: the control socket is root's. */
static void
parent_user_record(struct imsgev *iev, struct imsg *imsg)
{
	struct user_rec	 u;
	struct ctl_conn	*cc;
	struct ibuf	*buf;

	user_msg_get(imsg, &u);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "user record");
	if ((cc = control_client(imsg->hdr.ih_peerid)) != NULL &&
	    (buf = control_item(cc, IMSG_CTL_USER_RECORD, sizeof(u))) !=
	    NULL) {
		user_msg_add(buf, &u);
		control_item_close(cc, buf);
	}
	explicit_bzero(&u, sizeof(u));
}

static void
parent_binding_item(struct imsgev *iev, struct imsg *imsg)
{
	struct binding_rec	 b;
	struct ctl_conn		*cc;
	struct ibuf		*buf;

	binding_msg_get(imsg, &b);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "binding item");
	if ((cc = control_client(imsg->hdr.ih_peerid)) == NULL ||
	    (buf = control_item(cc, IMSG_CTL_BINDING_ITEM, sizeof(b))) ==
	    NULL)
		return;
	binding_msg_add(buf, &b);
	control_item_close(cc, buf);
}

/* A queued message as imctl sees it: who, when, how big; no text. */
static void
parent_queue_item(struct imsgev *iev, struct imsg *imsg)
{
	struct ctl_conn		*cc;
	struct ibuf		*buf;
	struct offline_item	 oi;

	offline_item_get(imsg, &oi);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "queue item");
	if ((cc = control_client(imsg->hdr.ih_peerid)) == NULL ||
	    (buf = control_item(cc, IMSG_CTL_QUEUE_ITEM,
	    OFFLINE_ITEM_MAX)) == NULL)
		return;
	offline_item_add(buf, &oi);
	control_item_close(cc, buf);
}

/* A subscription or rule of a presentity, as the listener told it. */
static void
parent_watcher_item(struct imsgev *iev, struct imsg *imsg)
{
	struct ctl_conn	*cc;
	struct ibuf	*buf;
	char		 watcher[IMD_ADDRESS_MAX], what[32], state[32];
	uint32_t	 left;

	imsg_get_str(imsg, watcher, sizeof(watcher));
	imsg_get_str(imsg, what, sizeof(what));
	imsg_get_str(imsg, state, sizeof(state));
	imsg_get_u32(imsg, &left);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "watcher item");
	if ((cc = control_client(imsg->hdr.ih_peerid)) == NULL ||
	    (buf = control_item(cc, IMSG_CTL_WATCHER_ITEM,
	    IMD_ADDRESS_MAX + 80)) == NULL)
		return;
	ibuf_add_str(buf, watcher, sizeof(watcher));
	ibuf_add_str(buf, what, sizeof(what));
	ibuf_add_str(buf, state, sizeof(state));
	ibuf_add_u32(buf, left);
	control_item_close(cc, buf);
}

/* A call the listener proxies. */
static void
parent_call_item(struct imsgev *iev, struct imsg *imsg)
{
	struct ctl_conn	*cc;
	struct ibuf	*buf;
	char		 caller[IMD_ADDRESS_MAX], callee[IMD_ADDRESS_MAX];
	char		 state[32];
	uint64_t	 age;

	imsg_get_str(imsg, caller, sizeof(caller));
	imsg_get_str(imsg, callee, sizeof(callee));
	imsg_get_str(imsg, state, sizeof(state));
	imsg_get_u64(imsg, &age);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "call item");
	if ((cc = control_client(imsg->hdr.ih_peerid)) == NULL ||
	    (buf = control_item(cc, IMSG_CTL_CALL_ITEM,
	    2 * IMD_ADDRESS_MAX + 48)) == NULL)
		return;
	ibuf_add_str(buf, caller, sizeof(caller));
	ibuf_add_str(buf, callee, sizeof(callee));
	ibuf_add_str(buf, state, sizeof(state));
	ibuf_add_u64(buf, age);
	control_item_close(cc, buf);
}

void
parent_dispatch_listener(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_LSN_RESULT:
		parent_result(iev, imsg);
		break;
	case IMSG_LSN_WATCHER_ITEM:
		parent_watcher_item(iev, imsg);
		break;
	case IMSG_LSN_CALL_ITEM:
		parent_call_item(iev, imsg);
		break;
	case IMSG_LSN_END:
		parent_list_end(iev, imsg);
		break;
	case IMSG_STATS_SET:
		stats_child_set(iev, imsg);
		break;
	default:
		proc_fatal_imsg(iev, imsg, "unexpected");
	}
}

/* relayd and authd tell the parent their counters, nothing else. */
static void
parent_counters_only(struct imsgev *iev, struct imsg *imsg)
{
	if (imsg->hdr.ih_type != IMSG_STATS_SET)
		proc_fatal_imsg(iev, imsg, "unexpected");
	stats_child_set(iev, imsg);
}

void
parent_dispatch_relayd(struct imsgev *iev, struct imsg *imsg)
{
	parent_counters_only(iev, imsg);
}

void
parent_dispatch_authd(struct imsgev *iev, struct imsg *imsg)
{
	parent_counters_only(iev, imsg);
}

/* metricsd asks for the numbers of a scrape, and has its own. */
void
parent_dispatch_metricsd(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_METRICS_GET:
		if (imsg_get_end(imsg) == -1)
			proc_fatal_imsg(iev, imsg, "metrics request");
		stats_gather(PROC_METRICSD, imsg->hdr.ih_peerid);
		break;
	case IMSG_STATS_SET:
		stats_child_set(iev, imsg);
		break;
	default:
		proc_fatal_imsg(iev, imsg, "unexpected");
	}
}

/* An s2s stream, as xmppd described it, for imctl show xmpp. */
static void
parent_xmpp_item(struct imsgev *iev, struct imsg *imsg)
{
	struct ctl_conn	*cc;
	struct ibuf	*buf;
	char		 dir[8], local[IMD_DOMAIN_MAX], remote[IMD_DOMAIN_MAX];
	char		 peer[64], state[16], auth[16];
	uint64_t	 age;

	imsg_get_str(imsg, dir, sizeof(dir));
	imsg_get_str(imsg, local, sizeof(local));
	imsg_get_str(imsg, remote, sizeof(remote));
	imsg_get_str(imsg, peer, sizeof(peer));
	imsg_get_str(imsg, state, sizeof(state));
	imsg_get_str(imsg, auth, sizeof(auth));
	imsg_get_u64(imsg, &age);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "xmpp item");
	if ((cc = control_client(imsg->hdr.ih_peerid)) == NULL ||
	    (buf = control_item(cc, IMSG_CTL_XMPP_ITEM, 2 * IMD_DOMAIN_MAX +
	    128)) == NULL)
		return;
	ibuf_add_str(buf, dir, sizeof(dir));
	ibuf_add_str(buf, local, sizeof(local));
	ibuf_add_str(buf, remote, sizeof(remote));
	ibuf_add_str(buf, peer, sizeof(peer));
	ibuf_add_str(buf, state, sizeof(state));
	ibuf_add_str(buf, auth, sizeof(auth));
	ibuf_add_u64(buf, age);
	control_item_close(cc, buf);
}

void
parent_dispatch_xmppd(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_XMPP_ITEM:
		parent_xmpp_item(iev, imsg);
		break;
	case IMSG_XMPP_END:
		parent_list_end(iev, imsg);
		break;
	case IMSG_STATS_SET:
		stats_child_set(iev, imsg);
		break;
	default:
		proc_fatal_imsg(iev, imsg, "unexpected");
	}
}

void
parent_dispatch_dirdb(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_DB_RESULT:
		parent_result(iev, imsg);
		break;
	case IMSG_DB_USER_ITEM:
		parent_user_item(iev, imsg);
		break;
	case IMSG_DB_USER_BAD:
		parent_user_bad(iev, imsg);
		break;
	case IMSG_DB_USER_RECORD:
		parent_user_record(iev, imsg);
		break;
	case IMSG_DB_BINDING_ITEM:
		parent_binding_item(iev, imsg);
		break;
	case IMSG_DB_QUEUE_ITEM:
		parent_queue_item(iev, imsg);
		break;
	case IMSG_DB_USER_END:
	case IMSG_DB_BINDING_END:
	case IMSG_DB_QUEUE_END:
		parent_list_end(iev, imsg);
		break;
	case IMSG_STATS_SET:
		stats_child_set(iev, imsg);
		break;
	default:
		proc_fatal_imsg(iev, imsg, "unexpected");
	}
}
