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

/*
 * The items a child lists for imctl that are strings and a number: the
 * strings (each at most its size) and the u32 or u64 after them, passed
 * on as they came.
 */
#define ITEM_STRS_MAX	6

struct item_shape {
	uint32_t	 is_type;		/* IMSG_CTL_*_ITEM */
	const char	*is_what;		/* for the fatal message */
	size_t		 is_nstrs;
	size_t		 is_size[ITEM_STRS_MAX];
	int		 is_u64;		/* else a u32 */
};

/* A subscription or rule of a presentity: watcher, what, state, left. */
static const struct item_shape watcher_item = { IMSG_CTL_WATCHER_ITEM,
    "watcher item", 3, { IMD_ADDRESS_MAX, 32, 32 }, 0 };
/* A call the listener proxies: caller, callee, state, age. */
static const struct item_shape call_item = { IMSG_CTL_CALL_ITEM,
    "call item", 3, { IMD_ADDRESS_MAX, IMD_ADDRESS_MAX, 32 }, 1 };
/* An s2s stream of xmppd: direction, ours, theirs, peer, state, auth, age. */
static const struct item_shape xmpp_item = { IMSG_CTL_XMPP_ITEM,
    "xmpp item", 6, { 8, IMD_DOMAIN_MAX, IMD_DOMAIN_MAX, 64, 16, 16 }, 1 };

static void
parent_pass_item(struct imsgev *iev, struct imsg *imsg,
    const struct item_shape *is)
{
	struct ctl_conn	*cc;
	struct ibuf	*buf;
	char		 str[ITEM_STRS_MAX][IMD_ADDRESS_MAX];
	size_t		 i, hint = 16;
	uint64_t	 u64 = 0;
	uint32_t	 u32 = 0;

	for (i = 0; i < is->is_nstrs; i++) {
		imsg_get_str(imsg, str[i], is->is_size[i]);
		hint += strlen(str[i]) + 1;
	}
	if (is->is_u64)
		imsg_get_u64(imsg, &u64);
	else
		imsg_get_u32(imsg, &u32);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, is->is_what);
	if ((cc = control_client(imsg->hdr.ih_peerid)) == NULL ||
	    (buf = control_item(cc, is->is_type, hint)) == NULL)
		return;
	for (i = 0; i < is->is_nstrs; i++)
		ibuf_add_str(buf, str[i], is->is_size[i]);
	if (is->is_u64)
		ibuf_add_u64(buf, u64);
	else
		ibuf_add_u32(buf, u32);
	control_item_close(cc, buf);
}

/*
 * What every child may send besides its own messages: its counters.
 * Anything else is a child out of step, and the suite stops.
 */
static void
parent_counters_only(struct imsgev *iev, struct imsg *imsg)
{
	if (imsg->hdr.ih_type != IMSG_STATS_SET)
		proc_fatal_imsg(iev, imsg, "unexpected");
	stats_child_set(iev, imsg);
}

void
parent_dispatch_listener(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_LSN_RESULT:
		parent_result(iev, imsg);
		break;
	case IMSG_LSN_WATCHER_ITEM:
		parent_pass_item(iev, imsg, &watcher_item);
		break;
	case IMSG_LSN_CALL_ITEM:
		parent_pass_item(iev, imsg, &call_item);
		break;
	case IMSG_LSN_END:
		parent_list_end(iev, imsg);
		break;
	default:
		parent_counters_only(iev, imsg);
	}
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
	default:
		parent_counters_only(iev, imsg);
	}
}

void
parent_dispatch_xmppd(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_XMPP_ITEM:
		parent_pass_item(iev, imsg, &xmpp_item);
		break;
	case IMSG_XMPP_END:
		parent_list_end(iev, imsg);
		break;
	default:
		parent_counters_only(iev, imsg);
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
	default:
		parent_counters_only(iev, imsg);
	}
}
