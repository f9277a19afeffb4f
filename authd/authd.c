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
 * authd: digest authentication.  Holds the nonce secret and nonce
 * state, nothing else; asks dirdb for the HA1 of a user.
 */

#include <sys/types.h>

#include <event.h>
#include <stdlib.h>
#include <string.h>

#include "authd.h"
#include "cdefs.h"
#include "config.h"
#include "imd_msg.h"
#include "log.h"
#include "nonce.h"
#include "proc.h"
#include "sandbox.h"

#define AUTHD_SECRET_LEN	32

static void	authd_dispatch_listener(struct imsgev *, struct imsg *);
static void	authd_dispatch_dirdb(struct imsgev *, struct imsg *);

static const struct proc_peer authd_peers[] = {
	{ PROC_PARENT, proc_dispatch_parent },
	{ PROC_LISTENER, authd_dispatch_listener },
	{ PROC_DIRDB, authd_dispatch_dirdb },
};

struct imd_conf		*authd_conf;
static struct event	 authd_sweep_ev;
static unsigned char	 authd_secret[AUTHD_SECRET_LEN];

/* The parent's messages are all the common ones (lib/proc.c). */
static const struct proc_self authd_self = {
	PROC_AUTHD, "authd", authd_peers,
	sizeof(authd_peers) / sizeof(authd_peers[0]),
	&authd_conf, NULL, NULL
};

static void
authd_dispatch_listener(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_AUTH_REQUEST:
		check_request(iev, imsg);
		break;
	case IMSG_AUTH_NONCES_WANT:
		check_nonces(iev, imsg);
		break;
	default:
		proc_fatal_imsg(iev, imsg, "unexpected");
	}
}

static void
authd_dispatch_dirdb(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_DB_HA1:
		check_ha1(iev, imsg);
		break;
	case IMSG_DB_HA1_FORGET:
		check_forget(iev, imsg);
		break;
	default:
		proc_fatal_imsg(iev, imsg, "unexpected");
	}
}

static void
authd_sweep(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg IMD_UNUSED)
{
	struct timeval	tv = { 1, 0 };

	check_sweep();
	evtimer_add(&authd_sweep_ev, &tv);
}

int
main(int argc, char *argv[])
{
	proc_child_start(&authd_self, argc, argv);
	/*
	 * A new secret each start: nonces of an older authd go stale.  The
	 * first MAC loads libcrypto's configuration, so it happens here,
	 * outside the jail.
	 */
	arc4random_buf(authd_secret, sizeof(authd_secret));
	if (nonce_init(authd_secret, sizeof(authd_secret)) == -1)
		fatalx("nonce_init");
	explicit_bzero(authd_secret, sizeof(authd_secret));
	proc_child_jail(authd_conf->c_chroot, authd_conf->c_uid,
	    authd_conf->c_gid);
	check_init();
	sandbox_apply(PROC_AUTHD);
	evtimer_set(&authd_sweep_ev, authd_sweep, NULL);
	authd_sweep(-1, 0, NULL);
	proc_child_ready();
	proc_child_loop();
}
