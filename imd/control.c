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
 * The control socket: imctl's requests, answered by the parent or passed
 * on to dirdb or the listener as validated records; their answers come
 * back through imd/parent.c.  It never accepts descriptors.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <event.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cdefs.h"
#include "imd.h"
#include "imd_msg.h"
#include "log.h"
#include "user.h"

#define CONTROL_MAX_CLIENTS	32

struct ctl_conn {
	TAILQ_ENTRY(ctl_conn)	 cc_entry;
	uint32_t		 cc_id;
	struct imsgev		 cc_iev;
	int			 cc_greeted;
	int			 cc_busy;	/* waiting for dirdb */
	size_t			 cc_batch;	/* import records at dirdb */
	size_t			 cc_refused;	/* of this batch, by us */
	unsigned int		 cc_lists;	/* listener workers still
						   listing for it */
};

static TAILQ_HEAD(, ctl_conn)	 ctl_conns = TAILQ_HEAD_INITIALIZER(ctl_conns);
static int			 ctl_fd = -1;
static struct event		 ctl_ev;
static uint32_t			 ctl_nextid = 1;
static size_t			 ctl_nconns;
/* dirdb holds one import batch at a time: this client's, or none (0). */
static uint32_t			 ctl_importer;

static void	control_accept(int, short, void *);
static void	control_dispatch(struct imsgev *, struct imsg *);
static void	control_close(struct imsgev *);
static void	control_import_drop(struct ctl_conn *);

/* A live socket means another imd; a stale one is removed. */
static void
control_unlink_stale(const char *path, struct sockaddr_un *sun)
{
	int	fd;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	if (connect(fd, (struct sockaddr *)sun, sizeof(*sun)) == 0)
		fatalx("control socket %s is in use: is imd running?", path);
	close(fd);
	if (unlink(path) == -1 && errno != ENOENT)
		fatal("unlink %s", path);
}

void
control_init(const char *path)
{
	struct sockaddr_un	sun;
	mode_t			old;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		fatalx("control socket path too long: %s", path);
	control_unlink_stale(path, &sun);
	if ((ctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	old = umask(S_IXUSR | S_IXGRP | S_IRWXO);
	if (bind(ctl_fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("bind %s", path);
	umask(old);
	if (chmod(path, 0660) == -1)
		fatal("chmod %s", path);
	if (listen(ctl_fd, 16) == -1)
		fatal("listen %s", path);
}

/* Requests are served once every child is ready. */
void
control_listen(void)
{
	event_set(&ctl_ev, ctl_fd, EV_READ | EV_PERSIST, control_accept,
	    NULL);
	event_add(&ctl_ev, NULL);
}

void
control_cleanup(const char *path)
{
	if (ctl_fd == -1)
		return;
	close(ctl_fd);
	ctl_fd = -1;
	unlink(path);
}

/* Root, or the user imd runs as: mode 0660 says the same to the kernel. */
static int
control_peer_allowed(int fd)
{
	struct ucred	cred;
	socklen_t	len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return (0);
	return (cred.uid == 0 || cred.uid == geteuid());
}

static void
control_accept(int fd, short event IMD_UNUSED, void *arg IMD_UNUSED)
{
	struct ctl_conn	*cc;
	int		 s;

	if ((s = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) ==
	    -1) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("control: accept");
		return;
	}
	if (ctl_nconns >= CONTROL_MAX_CLIENTS || !control_peer_allowed(s)) {
		log_warnx("control: connection refused");
		close(s);
		return;
	}
	if ((cc = calloc(1, sizeof(*cc))) == NULL ||
	    imsgev_init(&cc->cc_iev, s, PROC_CONTROL, control_dispatch) ==
	    -1) {
		log_warn("control");
		free(cc);
		close(s);
		return;
	}
	cc->cc_iev.iev_ibuf.ib_nofd = 1;
	cc->cc_iev.iev_owner = cc;
	cc->cc_iev.iev_closed = control_close;
	cc->cc_id = ctl_nextid++;
	TAILQ_INSERT_TAIL(&ctl_conns, cc, cc_entry);
	ctl_nconns++;
	imsgev_update(&cc->cc_iev);
	log_debug("control: client %u connected", cc->cc_id);
}

static struct ctl_conn *
control_find(uint32_t id)
{
	struct ctl_conn	*cc;

	TAILQ_FOREACH(cc, &ctl_conns, cc_entry)
		if (cc->cc_id == id)
			return (cc);
	return (NULL);
}

static void
control_close(struct imsgev *iev)
{
	struct ctl_conn	*cc = iev->iev_owner;

	control_import_drop(cc);
	TAILQ_REMOVE(&ctl_conns, cc, cc_entry);
	ctl_nconns--;
	imsgev_clear(&cc->cc_iev);
	free(cc);
}

static void
control_result(struct ctl_conn *cc, enum ctl_status status,
    const char *message)
{
	struct ibuf	*buf;

	if ((buf = imsgev_create(&cc->cc_iev, IMSG_CTL_RESULT, 0, 128)) ==
	    NULL || ibuf_add_u32(buf, status) == -1 ||
	    ibuf_add_str(buf, message, CTL_MESSAGE_MAX) == -1 ||
	    imsgev_close(&cc->cc_iev, buf) == -1) {
		ibuf_free(buf);
		cc->cc_iev.iev_dead = 1;
	}
}

static void
control_status_item(struct ctl_conn *cc, const char *name, pid_t pid,
    time_t started, const char *info)
{
	struct ibuf	*buf;

	if ((buf = imsgev_create(&cc->cc_iev, IMSG_CTL_STATUS_ITEM, 0,
	    256)) == NULL || ibuf_add_str(buf, name, 32) == -1 ||
	    ibuf_add_u32(buf, pid) == -1 ||
	    ibuf_add_u64(buf, time(NULL) - started) == -1 ||
	    ibuf_add_str(buf, info, IMD_PATH_MAX) == -1 ||
	    imsgev_close(&cc->cc_iev, buf) == -1) {
		ibuf_free(buf);
		cc->cc_iev.iev_dead = 1;
	}
}

static void
control_show_status(struct ctl_conn *cc, struct imsg *imsg)
{
	struct child	*ch;
	char		 name[32];

	if (imsg_get_end(imsg) == -1) {
		cc->cc_iev.iev_dead = 1;
		return;
	}

	control_status_item(cc, proc_names[PROC_PARENT], getpid(),
	    imd_started, imd_conf->c_file);
	for (ch = child_next(NULL); ch != NULL; ch = child_next(ch)) {
		control_status_item(cc, child_name(ch, name, sizeof(name)),
		    ch->ch_pid,
		    ch->ch_started, ch->ch_ready ? "ready" : "starting");
	}
	imsgev_compose(&cc->cc_iev, IMSG_CTL_END, 0, -1, NULL, 0);
}

/* The suite's counters, gathered from the children (imd/stats.c). */
static void
control_show_stats(struct ctl_conn *cc, struct imsg *imsg)
{
	if (imsg_get_end(imsg) == -1) {
		cc->cc_iev.iev_dead = 1;
		return;
	}
	cc->cc_busy = 1;
	stats_gather(PROC_CONTROL, cc->cc_id);
}

/*
 * Check an address against the domains we serve; on failure answer the
 * client and return NULL.
 */
static struct conf_domain *
control_check_address(struct ctl_conn *cc, const char *address,
    char *local, size_t localsize)
{
	struct conf_domain	*cd;
	enum ctl_status		 status;
	char			 msg[CTL_MESSAGE_MAX];

	if ((cd = user_domain(address, local, localsize, &status, msg,
	    sizeof(msg))) == NULL)
		control_result(cc, status, msg);
	return (cd);
}

/* Turn an address and a password into a user record, or answer why not. */
static int
control_make_user(struct ctl_conn *cc, const char *address,
    const char *password, struct user_rec *u)
{
	enum ctl_status	status;
	char		msg[CTL_MESSAGE_MAX];

	status = user_make(address, password, NULL, NULL, NULL, u, msg,
	    sizeof(msg));
	if (status != CTL_OK) {
		control_result(cc, status, msg);
		return (-1);
	}
	return (0);
}

static struct imsgev *
control_dirdb(void)
{
	struct child	*ch;

	if ((ch = child_get(PROC_DIRDB)) == NULL)
		fatalx("control: no dirdb");
	return (&ch->ch_iev);
}

/* user add and user passwd: a record with fresh HA1s for dirdb. */
static void
control_user_write(struct ctl_conn *cc, struct imsg *imsg, uint32_t type)
{
	struct user_rec	 u;
	struct ibuf	*buf;
	char		 address[IMD_ADDRESS_MAX], password[IMD_PASSWORD_MAX];
	int		 r;

	imsg_get_str(imsg, address, sizeof(address));
	imsg_get_str(imsg, password, sizeof(password));
	if (imsg_get_end(imsg) == -1) {
		explicit_bzero(password, sizeof(password));
		control_result(cc, CTL_ERROR, "malformed request");
		return;
	}
	r = control_make_user(cc, address, password, &u);
	explicit_bzero(password, sizeof(password));
	if (r == -1)
		return;
	if ((buf = imsgev_create(control_dirdb(), type, cc->cc_id, 512)) ==
	    NULL || user_msg_add(buf, &u) == -1 ||
	    imsgev_close(control_dirdb(), buf) == -1)
		fatal("control: request to dirdb");
	explicit_bzero(&u, sizeof(u));
	cc->cc_busy = 1;
}

/* One refused line of an import; the client carries on. */
static void
control_user_bad(struct ctl_conn *cc, uint32_t line, uint32_t status,
    const char *message)
{
	struct ibuf	*buf;

	if ((buf = control_item(cc, IMSG_CTL_USER_BAD, 128)) == NULL)
		return;
	ibuf_add_u32(buf, line);
	ibuf_add_u32(buf, status);
	ibuf_add_str(buf, message, CTL_MESSAGE_MAX);
	control_item_close(cc, buf);
}

/* dirdb holds one batch, of a bounded length. */
static enum ctl_status
control_import_admit(struct ctl_conn *cc, char *msg, size_t msgsize)
{
	if (ctl_importer != 0 && ctl_importer != cc->cc_id) {
		strlcpy(msg, "another import is running", msgsize);
		return (CTL_ERROR);
	}
	if (cc->cc_batch == CTL_IMPORT_BATCH) {
		strlcpy(msg, "batch too long", msgsize);
		return (CTL_ERROR);
	}
	return (CTL_OK);
}

/*
 * One user of an import batch: made into a record as user add makes
 * one, and sent on to dirdb, which holds the batch until its end.
 * What is refused here is said at once, by its line.
 */
static void
control_import_item(struct ctl_conn *cc, struct imsg *imsg)
{
	struct user_rec	 u;
	struct ibuf	*buf;
	char		 address[IMD_ADDRESS_MAX], password[IMD_PASSWORD_MAX];
	char		 realm[IMD_REALM_MAX], msg[CTL_MESSAGE_MAX];
	char		 md5[USER_HA1_MD5_LEN + 1];
	char		 sha256[USER_HA1_SHA256_LEN + 1];
	enum ctl_status	 status;
	uint32_t	 line;

	imsg_get_u32(imsg, &line);
	imsg_get_str(imsg, address, sizeof(address));
	imsg_get_str(imsg, password, sizeof(password));
	imsg_get_str(imsg, realm, sizeof(realm));
	imsg_get_str(imsg, md5, sizeof(md5));
	imsg_get_str(imsg, sha256, sizeof(sha256));
	if (imsg_get_end(imsg) == -1) {
		explicit_bzero(password, sizeof(password));
		cc->cc_iev.iev_dead = 1;
		return;
	}
	if ((status = control_import_admit(cc, msg, sizeof(msg))) == CTL_OK)
		status = user_make(address, password[0] != '\0' ?
		    password : NULL, realm, md5, sha256, &u, msg, sizeof(msg));
	explicit_bzero(password, sizeof(password));
	explicit_bzero(md5, sizeof(md5));
	explicit_bzero(sha256, sizeof(sha256));
	if (status != CTL_OK) {
		cc->cc_refused++;
		control_user_bad(cc, line, status, msg);
		return;
	}
	if ((buf = imsgev_create(control_dirdb(), IMSG_DB_USER_IMPORT,
	    cc->cc_id, sizeof(u) + 4)) == NULL ||
	    ibuf_add_u32(buf, line) == -1 || user_msg_add(buf, &u) == -1 ||
	    imsgev_close(control_dirdb(), buf) == -1)
		fatal("control: request to dirdb");
	explicit_bzero(&u, sizeof(u));
	ctl_importer = cc->cc_id;
	cc->cc_batch++;
}

/*
 * The end of a batch: dirdb checks it or writes it in one transaction.
 * A batch of which we refused a line is only checked, so that a client
 * that writes anyway still adds none of it.
 */
static void
control_import_end(struct ctl_conn *cc, struct imsg *imsg)
{
	uint32_t	write;

	imsg_get_u32(imsg, &write);
	if (imsg_get_end(imsg) == -1) {
		cc->cc_iev.iev_dead = 1;
		return;
	}
	if (ctl_importer != 0 && ctl_importer != cc->cc_id) {
		cc->cc_refused = 0;
		control_result(cc, CTL_ERROR, "another import is running");
		return;
	}
	if (cc->cc_refused > 0)
		write = 0;
	if (imsgev_compose(control_dirdb(), IMSG_DB_USER_IMPORT_END,
	    cc->cc_id, -1, &write, sizeof(write)) == -1)
		fatal("control: request to dirdb");
	cc->cc_busy = 1;
	cc->cc_batch = cc->cc_refused = 0;
	ctl_importer = 0;
}

/*
 * A client gone in the middle of a batch leaves it at dirdb: an end
 * that only checks makes dirdb let it go, and nobody hears the answer.
 */
static void
control_import_drop(struct ctl_conn *cc)
{
	uint32_t	check = 0;

	if (ctl_importer != cc->cc_id)
		return;
	if (imsgev_compose(control_dirdb(), IMSG_DB_USER_IMPORT_END,
	    cc->cc_id, -1, &check, sizeof(check)) == -1)
		fatal("control: request to dirdb");
	ctl_importer = 0;
}

static void
control_user_list(struct ctl_conn *cc, struct imsg *imsg)
{
	if (imsg_get_end(imsg) == -1 || imsgev_compose(control_dirdb(),
	    IMSG_DB_USER_LIST, cc->cc_id, -1, NULL, 0) == -1) {
		cc->cc_iev.iev_dead = 1;
		return;
	}
	cc->cc_busy = 1;
}

/* The listener worker that holds a presentity (lib/proc.c). */
static struct imsgev *
control_listener(const char *address)
{
	struct child	*ch;

	if ((ch = child_get_worker(proc_worker_of(address))) == NULL)
		fatalx("control: no listener");
	return (&ch->ch_iev);
}

/*
 * user del and queue flush: an address of ours, in lower case, for
 * dirdb, which says whether the user exists.
 */
static void
control_address_request(struct ctl_conn *cc, struct imsg *imsg,
    struct imsgev *to, uint32_t type)
{
	char	address[IMD_ADDRESS_MAX], local[IMD_LOCALPART_MAX];

	imsg_get_str(imsg, address, sizeof(address));
	if (imsg_get_end(imsg) == -1) {
		control_result(cc, CTL_ERROR, "malformed request");
		return;
	}
	if (control_check_address(cc, address, local, sizeof(local)) == NULL ||
	    address_lower(address) == -1)
		return;
	if (to == NULL)
		to = control_listener(address);
	if (imsgev_compose(to, type, cc->cc_id, -1, address,
	    strlen(address) + 1) == -1)
		fatal("control: request to a child");
	cc->cc_busy = 1;
}


/* show calls: each listener worker holds the calls it proxies. */
static void
control_show_calls(struct ctl_conn *cc, struct imsg *imsg)
{
	struct child	*ch;
	unsigned int	 w;

	if (imsg_get_end(imsg) == -1) {
		control_result(cc, CTL_ERROR, "malformed request");
		return;
	}
	for (w = 0; w < children_workers(); w++) {
		if ((ch = child_get_worker(w)) == NULL ||
		    imsgev_compose(&ch->ch_iev, IMSG_LSN_CALLS, cc->cc_id, -1,
		    NULL, 0) == -1)
			fatal("control: request to a child");
	}
	cc->cc_lists = children_workers();
	cc->cc_busy = 1;
}

/* show xmpp: xmppd lists its streams. */
static void
control_show_xmpp(struct ctl_conn *cc, struct imsg *imsg)
{
	struct child	*ch;

	if (imsg_get_end(imsg) == -1) {
		cc->cc_iev.iev_dead = 1;
		return;
	}
	if ((ch = child_get(PROC_XMPPD)) == NULL)
		fatalx("control: no xmppd");
	if (imsgev_compose(&ch->ch_iev, IMSG_XMPP_LIST, cc->cc_id, -1, NULL,
	    0) == -1)
		fatal("control: request to xmppd");
	cc->cc_busy = 1;
}

/* presence allow and block: the listener keeps the presentity's rules. */
static void
control_pres_rule(struct ctl_conn *cc, struct imsg *imsg, uint32_t rule)
{
	struct imsgev	*to;
	struct ibuf	*buf;
	char		 presentity[IMD_ADDRESS_MAX], watcher[IMD_ADDRESS_MAX];
	char		 local[IMD_LOCALPART_MAX];

	imsg_get_str(imsg, presentity, sizeof(presentity));
	imsg_get_str(imsg, watcher, sizeof(watcher));
	if (imsg_get_end(imsg) == -1) {
		control_result(cc, CTL_ERROR, "malformed request");
		return;
	}
	if (control_check_address(cc, presentity, local, sizeof(local)) ==
	    NULL || address_lower(presentity) == -1)
		return;
	if (address_lower(watcher) == -1) {
		control_result(cc, CTL_BADADDR, "malformed watcher address");
		return;
	}
	to = control_listener(presentity);
	if ((buf = imsgev_create(to, IMSG_LSN_RULE, cc->cc_id,
	    2 * IMD_ADDRESS_MAX + 8)) == NULL ||
	    ibuf_add_str(buf, presentity, sizeof(presentity)) == -1 ||
	    ibuf_add_str(buf, watcher, sizeof(watcher)) == -1 ||
	    ibuf_add_u32(buf, rule) == -1 ||
	    imsgev_close(to, buf) == -1)
		fatal("control: request to the listener");
	cc->cc_busy = 1;
}

/*
 * show bindings and show queue: for one address, or for everyone; user
 * export: a page of users after the address, or from the first.
 */
static void
control_show_list(struct ctl_conn *cc, struct imsg *imsg, uint32_t dbtype)
{
	char	address[IMD_ADDRESS_MAX];

	imsg_get_str(imsg, address, sizeof(address));
	if (imsg_get_end(imsg) == -1) {
		cc->cc_iev.iev_dead = 1;
		return;
	}
	if (address[0] != '\0' && address_lower(address) == -1) {
		control_result(cc, CTL_BADADDR, "malformed address");
		return;
	}
	if (imsgev_compose(control_dirdb(), dbtype, cc->cc_id, -1, address,
	    strlen(address) + 1) == -1)
		fatal("control: request to dirdb");
	cc->cc_busy = 1;
}

/*
 * log verbose and log brief: the parent's level and every child's, so
 * that one command turns debugging on or off in the whole suite without
 * a restart.  Said at info level, so the log shows either change.
 */
static void
control_log_verbose(struct ctl_conn *cc, struct imsg *imsg, int verbose)
{
	if (imsg_get_end(imsg) == -1) {
		cc->cc_iev.iev_dead = 1;
		return;
	}
	log_setverbose(verbose);
	children_verbose(verbose);
	log_info("control: log %s", verbose ? "verbose" : "brief");
	control_result(cc, CTL_OK, "");
}

static void
control_hello(struct ctl_conn *cc, struct imsg *imsg)
{
	/* Answer first, so a client of another version can say why. */
	imsgev_hello(&cc->cc_iev, PROC_PARENT);
	imsgev_update(&cc->cc_iev);
	if (imsgev_check_hello(imsg, PROC_CONTROL) == -1)
		return;
	cc->cc_greeted = 1;
}

/*
 * A client greets first and asks one thing at a time.  Returns 1 when
 * the message is a request to serve; otherwise it was the greeting, or
 * the client is dropped.
 */
static int
control_admit(struct ctl_conn *cc, struct imsg *imsg)
{
	if (!cc->cc_greeted) {
		if (imsg->hdr.ih_type == IMSG_HELLO)
			control_hello(cc, imsg);
		else
			cc->cc_iev.iev_dead = 1;
		return (0);
	}
	if (cc->cc_busy) {
		log_warnx("control: request while one is pending");
		cc->cc_iev.iev_dead = 1;
		return (0);
	}
	return (1);
}

static void
control_dispatch(struct imsgev *iev, struct imsg *imsg)
{
	struct ctl_conn	*cc = iev->iev_owner;

	if (!control_admit(cc, imsg))
		return;
	switch (imsg->hdr.ih_type) {
	case IMSG_CTL_USER_ADD:
		control_user_write(cc, imsg, IMSG_DB_USER_ADD);
		break;
	case IMSG_CTL_USER_PASSWD:
		control_user_write(cc, imsg, IMSG_DB_USER_PASSWD);
		break;
	case IMSG_CTL_USER_DEL:
		control_address_request(cc, imsg, control_dirdb(),
		    IMSG_DB_USER_DEL);
		break;
	case IMSG_CTL_USER_LIST:
		control_user_list(cc, imsg);
		break;
	case IMSG_CTL_USER_IMPORT:
		control_import_item(cc, imsg);
		break;
	case IMSG_CTL_USER_IMPORT_END:
		control_import_end(cc, imsg);
		break;
	case IMSG_CTL_USER_EXPORT:
		control_show_list(cc, imsg, IMSG_DB_USER_EXPORT);
		break;
	case IMSG_CTL_SHOW_BINDINGS:
		control_show_list(cc, imsg, IMSG_DB_BINDING_LIST);
		break;
	case IMSG_CTL_SHOW_QUEUE:
		control_show_list(cc, imsg, IMSG_DB_QUEUE_LIST);
		break;
	case IMSG_CTL_QUEUE_FLUSH:
		control_address_request(cc, imsg, control_dirdb(),
		    IMSG_DB_QUEUE_FLUSH);
		break;
	case IMSG_CTL_SHOW_WATCHERS:
		control_address_request(cc, imsg, NULL, IMSG_LSN_WATCHERS);
		break;
	case IMSG_CTL_SHOW_CALLS:
		control_show_calls(cc, imsg);
		break;
	case IMSG_CTL_PRES_ALLOW:
		control_pres_rule(cc, imsg, CTL_RULE_ALLOW);
		break;
	case IMSG_CTL_PRES_BLOCK:
		control_pres_rule(cc, imsg, CTL_RULE_BLOCK);
		break;
	case IMSG_CTL_LOG_VERBOSE:
		control_log_verbose(cc, imsg, 1);
		break;
	case IMSG_CTL_LOG_BRIEF:
		control_log_verbose(cc, imsg, 0);
		break;
	case IMSG_CTL_SHOW_STATUS:
		control_show_status(cc, imsg);
		break;
	case IMSG_CTL_SHOW_STATS:
		control_show_stats(cc, imsg);
		break;
	case IMSG_CTL_SHOW_XMPP:
		control_show_xmpp(cc, imsg);
		break;
	default:
		log_warnx("control: unknown request %s",
		    imsg_type_name(imsg->hdr.ih_type));
		iev->iev_dead = 1;
	}
}

/*
 * The children's answers (imd/parent.c) reach the client through these,
 * matched by the request id they carry.  A client that went away while
 * its request was out is no error.
 */
struct ctl_conn *
control_client(uint32_t id)
{
	struct ctl_conn	*cc;

	if ((cc = control_find(id)) == NULL)
		log_debug("control: answer for gone client %u", id);
	return (cc);
}

/* The final answer: the client may ask again. */
void
control_answer(struct ctl_conn *cc, uint32_t status, const char *message)
{
	cc->cc_busy = 0;
	control_result(cc, status, message);
}

/* One item of a list, built by the caller; NULL: the client is dropped. */
struct ibuf *
control_item(struct ctl_conn *cc, uint32_t type, size_t hint)
{
	struct ibuf	*buf;

	if ((buf = imsgev_create(&cc->cc_iev, type, 0, hint)) == NULL)
		cc->cc_iev.iev_dead = 1;
	return (buf);
}

/* The buffer is gone either way; a client we cannot write to is dropped. */
void
control_item_close(struct ctl_conn *cc, struct ibuf *buf)
{
	if (imsgev_close(&cc->cc_iev, buf) == -1)
		cc->cc_iev.iev_dead = 1;
}

/* The end of a list: the client may ask again. */
void
control_list_end(struct ctl_conn *cc)
{
	/* show calls: one end from each listener worker. */
	if (cc->cc_lists > 1) {
		cc->cc_lists--;
		return;
	}
	cc->cc_lists = 0;
	cc->cc_busy = 0;
	imsgev_compose(&cc->cc_iev, IMSG_CTL_END, 0, -1, NULL, 0);
}
