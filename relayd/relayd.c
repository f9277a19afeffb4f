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
 * relayd: everything that leaves the domain.  Finds the servers of other
 * domains, keeps the outbound connections, hands offline messages to the
 * local MTA.  It accepts no client connection.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dns.h"
#include "imd_msg.h"
#include "log.h"
#include "mailer.h"
#include "proc.h"
#include "relayd.h"
#include "sandbox.h"


static void	relayd_dispatch_listener(struct imsgev *, struct imsg *);
static void	relayd_dispatch_dirdb(struct imsgev *, struct imsg *);
static void	relayd_dispatch_xmppd(struct imsgev *, struct imsg *);

static const struct proc_peer relayd_peers[] = {
	{ PROC_PARENT, proc_dispatch_parent },
	{ PROC_LISTENER, relayd_dispatch_listener },
	{ PROC_DIRDB, relayd_dispatch_dirdb },
	{ PROC_XMPPD, relayd_dispatch_xmppd },
};

struct imd_conf	*relayd_conf;

/* The parent's messages are all the common ones (lib/proc.c). */
static const struct proc_self relayd_self = {
	PROC_RELAYD, "relayd", relayd_peers,
	sizeof(relayd_peers) / sizeof(relayd_peers[0]),
	&relayd_conf, mailer_start, NULL
};

static void
relayd_dispatch_listener(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_RELAY_REQUEST:
		relay_request(iev, imsg);
		break;
	case IMSG_RELAY_CANCEL:
		relay_cancel(iev, imsg);
		break;
	case IMSG_RELAY_VERIFY:
		verify_request(iev, imsg);
		break;
	default:
		proc_fatal_imsg(iev, imsg, "unexpected");
	}
}

static void
relayd_dispatch_dirdb(struct imsgev *iev, struct imsg *imsg)
{
	if (mailer_dispatch_dirdb(iev, imsg))
		return;
	if (imsg->hdr.ih_type == IMSG_DB_MISSED_MAIL) {
		missed_mail(iev, imsg);
		return;
	}
	proc_fatal_imsg(iev, imsg, "unexpected");
}

static void
relayd_dispatch_xmppd(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_XMPP_SENT:
		relay_xmpp_sent(iev, imsg);
		break;
	case IMSG_XMPP_RESOLVE:
		xmpp_resolve(iev, imsg);
		break;
	default:
		proc_fatal_imsg(iev, imsg, "unexpected");
	}
}

int
main(int argc, char *argv[])
{
	proc_child_start(&relayd_self, argc, argv);
	/* Files and /dev/urandom are read now, before the chroot. */
	out_init(relayd_conf);
	if (relayd_conf->c_resolver.ss_family != 0 &&
	    dns_init((struct sockaddr *)&relayd_conf->c_resolver,
	    relayd_conf->c_resolverlen) == -1)
		fatal("resolver");
	proc_child_jail(relayd_conf->c_chroot, relayd_conf->c_uid,
	    relayd_conf->c_gid);
	sandbox_apply(PROC_RELAYD);
	mailer_init(&relayd_conf);
	proc_child_ready();
	proc_child_loop();
}
