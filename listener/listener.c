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
 * The listener: every client-facing socket.  SIP parsing, transactions,
 * registrar, proxy and presence agent live here; it never opens the
 * database, resolves names or sees a password hash.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <event.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "call.h"
#include "cdefs.h"
#include "config.h"
#include "imd_msg.h"
#include "listener.h"
#include "log.h"
#include "pidf.h"
#include "presence.h"
#include "proc.h"
#include "request.h"
#include "sandbox.h"
#include "stats.h"

static void	listener_dispatch_parent(struct imsgev *, struct imsg *);
static void	listener_dispatch_authd(struct imsgev *, struct imsg *);
static void	listener_dispatch_dirdb(struct imsgev *, struct imsg *);
static void	listener_dispatch_relayd(struct imsgev *, struct imsg *);
static void	listener_dispatch_xmppd(struct imsgev *, struct imsg *);
static void	listener_sweep(int, short, void *);
static void	listener_start(void);

static const struct proc_peer listener_peers[] = {
	{ PROC_PARENT, listener_dispatch_parent },
	{ PROC_RELAYD, listener_dispatch_relayd },
	{ PROC_AUTHD, listener_dispatch_authd },
	{ PROC_DIRDB, listener_dispatch_dirdb },
	{ PROC_XMPPD, listener_dispatch_xmppd },
	{ PROC_LISTENER, worker_dispatch },	/* the other workers */
};

struct imd_conf		*listener_conf;

static void
listener_reload(void)
{
	worker_limits(listener_conf);
}

static const struct proc_self listener_self = {
	PROC_LISTENER, "listener", listener_peers,
	sizeof(listener_peers) / sizeof(listener_peers[0]),
	&listener_conf, listener_start, listener_reload
};

static struct event	 listener_sweep_ev;

/* Listening sockets stay outside the configuration, which may reload. */
static TAILQ_HEAD(, conf_listen) listener_socks =
    TAILQ_HEAD_INITIALIZER(listener_socks);

static void
listener_take_sockets(struct imd_conf *conf)
{
	struct conf_listen	*cl;

	while ((cl = TAILQ_FIRST(&conf->c_listens)) != NULL) {
		TAILQ_REMOVE(&conf->c_listens, cl, cl_entry);
		TAILQ_INSERT_TAIL(&listener_socks, cl, cl_entry);
		if (transport_init(cl) == -1)
			fatalx("cannot set up the listening sockets");
	}
}

/* The parent's IMSG_START: every child is ready, serve. */
static void
listener_start(void)
{
	struct conf_listen	*cl;

	TAILQ_FOREACH(cl, &listener_socks, cl_entry) {
		if (transport_start(cl) == -1)
			fatal("listen");
	}
	pres_start();
	evtimer_set(&listener_sweep_ev, listener_sweep, NULL);
	listener_sweep(-1, 0, NULL);
}

static void
listener_dispatch_parent(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_LSN_CALLS:
		calls_ctl_list(iev, imsg);
		break;
	case IMSG_LSN_WATCHERS:
		pres_ctl_watchers(iev, imsg);
		break;
	case IMSG_LSN_RULE:
		pres_ctl_rule(iev, imsg);
		break;
	default:
		proc_dispatch_parent(iev, imsg);
	}
}

static void
listener_dispatch_authd(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_AUTH_RESULT:
		auth_result(iev, imsg);
		break;
	case IMSG_AUTH_NONCES:
		auth_nonces_got(iev, imsg);
		break;
	default:
		proc_fatal_imsg(iev, imsg, "unexpected");
	}
}

static void
listener_dispatch_dirdb(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_DB_REGISTER_RESULT:
		registrar_result(iev, imsg);
		break;
	case IMSG_DB_UNBOUND:
		outbound_unbound(iev, imsg);
		break;
	case IMSG_DB_LOOKUP_RESULT:
		req_lookup_result(iev, imsg);
		break;
	case IMSG_DB_OFFLINE_STORED:
		offq_stored(iev, imsg);
		break;
	case IMSG_DB_OFFLINE_ITEM:
		offq_item(iev, imsg);
		break;
	case IMSG_DB_OFFLINE_DRAIN:
		offq_offered(iev, imsg);
		break;
	case IMSG_DB_PSTORE_DONE:
		pres_store_done(iev, imsg);
		break;
	case IMSG_DB_PSTORE_ITEM:
		pres_store_item(iev, imsg);
		break;
	case IMSG_DB_PSTORE_END:
		pres_store_end(iev, imsg);
		break;
	default:
		proc_fatal_imsg(iev, imsg, "unexpected");
	}
}

static void
listener_sweep(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg IMD_UNUSED)
{
	struct timeval	tv = { 1, 0 };

	req_sweep();
	if (pres_ready())
		pres_sweep(time(NULL));
	evtimer_add(&listener_sweep_ev, &tv);
}

static void
listener_dispatch_xmppd(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_XMPP_REQUEST:
		xmpp_request(iev, imsg);
		break;
	default:
		proc_fatal_imsg(iev, imsg, "unexpected");
	}
}

static void
listener_dispatch_relayd(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_RELAY_RESPONSE:
		relay_result(iev, imsg);
		break;
	case IMSG_RELAY_PROVISIONAL:
		call_relay_provisional(iev, imsg);
		break;
	case IMSG_RELAY_VERIFIED:
		inbound_verified(iev, imsg);
		break;
	default:
		proc_fatal_imsg(iev, imsg, "unexpected");
	}
}

int
main(int argc, char *argv[])
{
	proc_child_start(&listener_self, argc, argv);
	worker_limits(listener_conf);
	pidf_init();	/* libxml2 reads nothing after the jail */
	listener_take_sockets(listener_conf);
	http_load(listener_conf->c_web.cw_root);
	conn_closed_hook = outbound_conn_closed;
	proc_child_jail(listener_conf->c_chroot, listener_conf->c_uid,
	    listener_conf->c_gid);
	stats_before_answer(transport_stats_export);
	sandbox_apply(PROC_LISTENER);
	proc_child_ready();
	proc_child_loop();
}
