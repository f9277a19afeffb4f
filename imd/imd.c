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
 * imd: the parent.  Reads the configuration, binds the ports, starts and
 * supervises the children, serves imctl on the control socket.  It never
 * parses SIP and never touches the database.
 */

#include <sys/types.h>

#include <err.h>
#include <event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdefs.h"
#include "imd.h"
#include "log.h"

struct imd_conf	*imd_conf;
time_t		 imd_started;

/* What each child may tell the parent once it is ready (imd/parent.c). */
static const struct proc_peer parent_peers[] = {
	{ PROC_LISTENER, parent_dispatch_listener },
	{ PROC_RELAYD, parent_dispatch_relayd },
	{ PROC_AUTHD, parent_dispatch_authd },
	{ PROC_DIRDB, parent_dispatch_dirdb },
	{ PROC_METRICSD, parent_dispatch_metricsd },
	{ PROC_XMPPD, parent_dispatch_xmppd },
};

const struct proc_self parent_self = {
	PROC_PARENT, "parent", parent_peers,
	sizeof(parent_peers) / sizeof(parent_peers[0]),
	&imd_conf, NULL, NULL
};

static struct event	ev_sigint, ev_sigterm, ev_sighup, ev_sigchld;

static __attribute__((__noreturn__)) void
usage(void)
{
	fprintf(stderr, "usage: imd [-dnv] [-f file]\n");
	exit(1);
}

void
imd_shutdown(int status)
{
	children_stop();
	control_cleanup(imd_conf->c_control);
	log_info("%s", status == 0 ? "stopped" : "stopped after a failure");
	exit(status);
}

/* Statements whose change needs a restart, compared on reload. */
static int
reload_compatible(const struct imd_conf *old, const struct imd_conf *new)
{
	const struct conf_listen	*a, *b;
	int				 ok = 1;

	if (strcmp(old->c_database, new->c_database) != 0 ||
	    old->c_db_cache != new->c_db_cache ||
	    old->c_workers != new->c_workers ||
	    strcmp(old->c_user, new->c_user) != 0 ||
	    strcmp(old->c_chroot, new->c_chroot) != 0 ||
	    strcmp(old->c_control, new->c_control) != 0 ||
	    old->c_metrics.cm_sslen != new->c_metrics.cm_sslen ||
	    memcmp(&old->c_metrics.cm_ss, &new->c_metrics.cm_ss,
	    old->c_metrics.cm_sslen) != 0)
		ok = 0;
	a = TAILQ_FIRST(&old->c_listens);
	b = TAILQ_FIRST(&new->c_listens);
	for (; a != NULL && b != NULL; a = TAILQ_NEXT(a, cl_entry),
	    b = TAILQ_NEXT(b, cl_entry)) {
		if (a->cl_transport != b->cl_transport ||
		    a->cl_sslen != b->cl_sslen ||
		    memcmp(&a->cl_ss, &b->cl_ss, a->cl_sslen) != 0)
			ok = 0;
	}
	if (a != NULL || b != NULL)
		ok = 0;
	return (ok);
}

static void
imd_reload(void)
{
	struct imd_conf	*conf;

	log_info("reloading %s", imd_conf->c_file);
	if ((conf = config_parse(imd_conf->c_file)) == NULL) {
		log_warnx("reload failed, the old configuration stays");
		return;
	}
	if (!reload_compatible(imd_conf, conf)) {
		log_warnx("reload refused: listen, listener workers, metrics "
		    "listen, database, user, chroot or control socket "
		    "changed; restart imd for that");
		config_free(conf);
		return;
	}
	children_reload(conf);
	config_free(imd_conf);
	imd_conf = conf;
	log_info("configuration reloaded");
}

static void
imd_signal(int sig, short event IMD_UNUSED, void *arg IMD_UNUSED)
{
	switch (sig) {
	case SIGINT:
	case SIGTERM:
		log_info("signal %d, stopping", sig);
		imd_shutdown(0);
	case SIGHUP:
		imd_reload();
		break;
	case SIGCHLD:
		children_reap();
		break;
	}
}

static void
imd_signals(void)
{
	signal_set(&ev_sigint, SIGINT, imd_signal, NULL);
	signal_set(&ev_sigterm, SIGTERM, imd_signal, NULL);
	signal_set(&ev_sighup, SIGHUP, imd_signal, NULL);
	signal_set(&ev_sigchld, SIGCHLD, imd_signal, NULL);
	signal_add(&ev_sigint, NULL);
	signal_add(&ev_sigterm, NULL);
	signal_add(&ev_sighup, NULL);
	signal_add(&ev_sigchld, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int
main(int argc, char *argv[])
{
	const char	*file = IMD_CONF_FILE;
	int		 ch, debug = 0, noaction = 0, verbose = 0;

	while ((ch = getopt(argc, argv, "df:nv")) != -1) {
		switch (ch) {
		case 'd':
			debug = 1;
			break;
		case 'f':
			file = optarg;
			break;
		case 'n':
			noaction = 1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (argc != optind)
		usage();

	/* Errors of the configuration go to stderr as file:line. */
	log_init(1, verbose);
	if ((imd_conf = config_parse(file)) == NULL)
		exit(1);
	if (noaction) {
		if (verbose)
			config_print(imd_conf, stdout);
		printf("configuration OK\n");
		exit(0);
	}
	if (geteuid() != 0)
		log_warnx("WARNING: imd is not running as root: the children "
		    "will not be jailed (development mode)");

	log_init(debug, verbose);
	log_procinit(parent_self.ps_title);
	if (!debug && daemon(1, 0) == -1)
		fatal("daemon");
	imd_started = time(NULL);

	setup_dirs(imd_conf);
	setup_listens(imd_conf);
	setup_metrics(imd_conf);
	control_init(imd_conf->c_control);
	if (event_init() == NULL)
		fatalx("event_init");
	imd_signals();
	children_start(debug, verbose);
	log_info("starting, pid %d", getpid());
	event_dispatch();
	fatalx("event loop ended");
}
