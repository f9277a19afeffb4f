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
 * dirdb: the directory.  Owns the Berkeley DB environment and answers
 * the other processes with validated records; it never speaks to the
 * network.  Every write is committed before its answer goes out.
 */

#include <sys/types.h>

#include <event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdefs.h"
#include "config.h"
#include "dirdb.h"
#include "digest.h"
#include "imd_msg.h"
#include "log.h"
#include "proc.h"
#include "sandbox.h"
#include "stats.h"
#include "store.h"
#include "user.h"

static void	dirdb_dispatch_parent(struct imsgev *, struct imsg *);
static void	dirdb_dispatch_listener(struct imsgev *, struct imsg *);
static void	dirdb_dispatch_relayd(struct imsgev *, struct imsg *);
static void	dirdb_dispatch_authd(struct imsgev *, struct imsg *);

static const struct proc_peer dirdb_peers[] = {
	{ PROC_PARENT, dirdb_dispatch_parent },
	{ PROC_LISTENER, dirdb_dispatch_listener },
	{ PROC_RELAYD, dirdb_dispatch_relayd },
	{ PROC_AUTHD, dirdb_dispatch_authd },
};

static void	dirdb_reload(void);

static struct imd_conf	*dirdb_conf;
static struct event	 dirdb_sweep_ev;

static const struct proc_self dirdb_self = {
	PROC_DIRDB, "dirdb", dirdb_peers,
	sizeof(dirdb_peers) / sizeof(dirdb_peers[0]),
	&dirdb_conf, NULL, dirdb_reload
};

void
dirdb_result(struct imsgev *iev, uint32_t id, enum ctl_status status,
    const char *fmt, ...)
{
	struct ibuf	*buf;
	char		 msg[CTL_MESSAGE_MAX];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((buf = imsgev_create(iev, IMSG_DB_RESULT, id, 128)) == NULL ||
	    ibuf_add_u32(buf, status) == -1 ||
	    ibuf_add_str(buf, msg, sizeof(msg)) == -1 ||
	    imsgev_close(iev, buf) == -1)
		fatal("%s", __func__);
}

/*
 * authd keeps the HA1s it was given (authd/ha1cache.c): a changed or
 * deleted user must not log in with the old password, so authd hears of
 * every change before any later answer of ours.
 */
static void
dirdb_ha1_forget(const char *address)
{
	struct imsgev	*authd;
	struct ibuf	*buf;

	if ((authd = proc_peer(PROC_AUTHD)) == NULL)
		return;
	if ((buf = imsgev_create(authd, IMSG_DB_HA1_FORGET, 0,
	    IMD_ADDRESS_MAX)) == NULL ||
	    ibuf_add_str(buf, address, IMD_ADDRESS_MAX) == -1 ||
	    imsgev_close(authd, buf) == -1)
		fatal("%s", __func__);
}

/* The parent checked the address; dirdb checks it again before storing. */
static void
dirdb_user_write(struct imsgev *iev, struct imsg *imsg, int add)
{
	struct user_rec	u;
	char		address[IMD_ADDRESS_MAX];
	uint32_t	id = imsg->hdr.ih_peerid;
	int		r;

	user_msg_get(imsg, &u);
	if (imsg_get_end(imsg) == -1 || !is_valid_address(u.u_address))
		proc_fatal_imsg(iev, imsg, "user record");
	strlcpy(address, u.u_address, sizeof(address));
	r = add ? store_user_add(&u) : store_user_update(&u);
	explicit_bzero(&u, sizeof(u));
	switch (r) {
	case STORE_OK:
		dirdb_ha1_forget(address);
		log_info("user %s %s", address, add ? "added" :
		    "password changed");
		dirdb_result(iev, id, CTL_OK, "%s", "");
		break;
	case STORE_EXISTS:
		dirdb_result(iev, id, CTL_EXISTS, "user exists: %s",
		    address);
		break;
	case STORE_NOTFOUND:
		dirdb_result(iev, id, CTL_NOUSER, "no such user: %s",
		    address);
		break;
	default:
		dirdb_result(iev, id, CTL_ERROR, "database error%s", "");
	}
}

static void
dirdb_user_del(struct imsgev *iev, struct imsg *imsg)
{
	char		address[IMD_ADDRESS_MAX];
	uint32_t	id = imsg->hdr.ih_peerid;

	imsg_get_str(imsg, address, sizeof(address));
	if (imsg_get_end(imsg) == -1 || !is_valid_address(address))
		proc_fatal_imsg(iev, imsg, "user delete");
	switch (store_user_del(address)) {
	case STORE_OK:
		dirdb_ha1_forget(address);
		log_info("user %s deleted", address);
		dirdb_result(iev, id, CTL_OK, "%s", "");
		break;
	case STORE_NOTFOUND:
		dirdb_result(iev, id, CTL_NOUSER, "no such user: %s", address);
		break;
	default:
		dirdb_result(iev, id, CTL_ERROR, "database error%s", "");
	}
}

struct dirdb_list {
	struct imsgev	*dl_iev;
	uint32_t	 dl_id;
};

static int
dirdb_list_one(const struct user_rec *u, void *arg)
{
	struct dirdb_list	*dl = arg;
	struct ibuf		*buf;

	if ((buf = imsgev_create(dl->dl_iev, IMSG_DB_USER_ITEM, dl->dl_id,
	    128)) == NULL ||
	    ibuf_add_str(buf, u->u_address, sizeof(u->u_address)) == -1 ||
	    ibuf_add_u64(buf, u->u_created) == -1 ||
	    ibuf_add_u32(buf, u->u_flags) == -1 ||
	    imsgev_close(dl->dl_iev, buf) == -1)
		fatal("%s", __func__);
	return (0);
}

static void
dirdb_user_list(struct imsgev *iev, struct imsg *imsg)
{
	struct dirdb_list	dl;

	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "user list");
	dl.dl_iev = iev;
	dl.dl_id = imsg->hdr.ih_peerid;
	if (store_user_list(dirdb_list_one, &dl) != STORE_OK) {
		dirdb_result(iev, dl.dl_id, CTL_ERROR, "database error%s", "");
		return;
	}
	imsgev_compose(iev, IMSG_DB_USER_END, dl.dl_id, -1, NULL, 0);
}

/* imctl queue flush, through the parent. */
static void
dirdb_queue_flush(struct imsgev *iev, struct imsg *imsg)
{
	char		address[IMD_ADDRESS_MAX];
	uint32_t	id = imsg->hdr.ih_peerid;
	size_t		n;

	imsg_get_str(imsg, address, sizeof(address));
	if (imsg_get_end(imsg) == -1 || !is_valid_address(address))
		proc_fatal_imsg(iev, imsg, "queue flush");
	switch (queue_flush(address, &n)) {
	case CTL_OK:
		dirdb_result(iev, id, CTL_OK, "%s", "");
		break;
	case CTL_NOUSER:
		dirdb_result(iev, id, CTL_NOUSER, "no such user: %s", address);
		break;
	default:
		dirdb_result(iev, id, CTL_ERROR, "database error%s", "");
	}
}

/* The offline queue's policy and limits follow a reload. */
static void
dirdb_reload(void)
{
	queue_configure(dirdb_conf);
}

static void
dirdb_dispatch_parent(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_DB_USER_ADD:
		dirdb_user_write(iev, imsg, 1);
		break;
	case IMSG_DB_USER_PASSWD:
		dirdb_user_write(iev, imsg, 0);
		break;
	case IMSG_DB_USER_DEL:
		dirdb_user_del(iev, imsg);
		break;
	case IMSG_DB_USER_LIST:
		dirdb_user_list(iev, imsg);
		break;
	case IMSG_DB_USER_IMPORT:
		user_import_item(iev, imsg);
		break;
	case IMSG_DB_USER_IMPORT_END:
		user_import_end(iev, imsg);
		break;
	case IMSG_DB_USER_EXPORT:
		user_export(iev, imsg);
		break;
	case IMSG_DB_BINDING_LIST:
		loc_list(iev, imsg);
		break;
	case IMSG_DB_QUEUE_LIST:
		queue_list(iev, imsg);
		break;
	case IMSG_DB_QUEUE_FLUSH:
		dirdb_queue_flush(iev, imsg);
		break;
	default:
		proc_dispatch_parent(iev, imsg);
	}
}

static void
dirdb_dispatch_listener(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_DB_REGISTER:
		loc_register(iev, imsg);
		break;
	case IMSG_DB_UNBIND:
		loc_unbind(iev, imsg);
		break;
	case IMSG_DB_LOOKUP:
		loc_lookup(iev, imsg);
		break;
	case IMSG_DB_OFFLINE_PUT:
		queue_put(iev, imsg);
		break;
	case IMSG_DB_OFFLINE_NEXT:
		queue_next(iev, imsg);
		break;
	case IMSG_DB_MISSED_CALL:
		missed_call(iev, imsg);
		break;
	case IMSG_DB_PSTORE_PUT:
	case IMSG_DB_PSTORE_DEL:
	case IMSG_DB_PSTORE_LOAD:
		presence_dispatch(iev, imsg);
		break;
	default:
		proc_fatal_imsg(iev, imsg, "unexpected");
	}
}

static void
dirdb_sweep(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg IMD_UNUSED)
{
	struct timeval	tv = { 1, 0 };

	loc_sweep();
	queue_expire();
	store_sync_behind();
	store_checkpoint_due();
	evtimer_add(&dirdb_sweep_ev, &tv);
}

static void
dirdb_dispatch_relayd(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_DB_MAIL_NEXT:
		queue_mail_next(iev, imsg);
		break;
	case IMSG_DB_MAIL_DONE:
		queue_mail_done(iev, imsg);
		break;
	default:
		proc_fatal_imsg(iev, imsg, "unexpected");
	}
}

/* authd's question: the HA1 of a user for one algorithm. */
static void
dirdb_ha1(struct imsgev *iev, struct imsg *imsg)
{
	struct user_rec	 u;
	struct ibuf	*buf;
	char		 address[IMD_ADDRESS_MAX];
	const char	*ha1 = "";
	uint32_t	 alg, found = 0;

	imsg_get_str(imsg, address, sizeof(address));
	imsg_get_u32(imsg, &alg);
	if (imsg_get_end(imsg) == -1 || alg > DIGEST_SHA256)
		proc_fatal_imsg(iev, imsg, "HA1 request");
	if (store_user_get(address, &u) == STORE_OK &&
	    (u.u_flags & USER_F_DISABLED) == 0) {
		found = 1;
		ha1 = alg == DIGEST_SHA256 ? u.u_ha1_sha256 : u.u_ha1_md5;
	}
	if ((buf = imsgev_create(iev, IMSG_DB_HA1, imsg->hdr.ih_peerid,
	    128)) == NULL || ibuf_add_u32(buf, found) == -1 ||
	    ibuf_add_str(buf, ha1, DIGEST_HEX_MAX) == -1 ||
	    imsgev_close(iev, buf) == -1)
		fatal("%s", __func__);
	explicit_bzero(&u, sizeof(u));
}

static void
dirdb_dispatch_authd(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_DB_HA1_GET:
		dirdb_ha1(iev, imsg);
		break;
	default:
		proc_fatal_imsg(iev, imsg, "unexpected");
	}
}

/*
 * Jailed in the database directory, the environment is "/env"; unjailed
 * (development mode) it is the same directory by its full path.
 */
int
main(int argc, char *argv[])
{
	char	home[IMD_PATH_MAX];

	proc_child_start(&dirdb_self, argc, argv);
	if (geteuid() == 0)
		strlcpy(home, "/env", sizeof(home));
	else if ((size_t)snprintf(home, sizeof(home), "%s/env",
	    dirdb_conf->c_database) >= sizeof(home))
		fatalx("database path too long");
	proc_child_jail(dirdb_conf->c_database, dirdb_conf->c_uid,
	    dirdb_conf->c_gid);
	store_set_cache(dirdb_conf->c_db_cache);
	if (store_open(home) == -1)
		fatalx("cannot open the database in %s",
		    dirdb_conf->c_database);
	store_group_commit(1);
	queue_configure(dirdb_conf);
	queue_unmark();
	proc_before_write(store_sync);
	presence_init();
	stats_before_answer(gauges_update);
	sandbox_apply(PROC_DIRDB);
	evtimer_set(&dirdb_sweep_ev, dirdb_sweep, NULL);
	dirdb_sweep(-1, 0, NULL);
	proc_child_ready();
	proc_child_loop();
}
