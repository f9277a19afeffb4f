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
 * What needs root before the children start: the listening sockets and
 * the directories the children are jailed in.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "imd.h"
#include "log.h"

#define UDP_RCVBUF	(2 * 1024 * 1024)

static const char *
listen_name(const struct conf_listen *cl, char *buf, size_t size)
{
	char	host[NI_MAXHOST], port[NI_MAXSERV];

	if (getnameinfo((const struct sockaddr *)&cl->cl_ss, cl->cl_sslen,
	    host, sizeof(host), port, sizeof(port),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		strlcpy(host, "?", sizeof(host));
	snprintf(buf, size, "%s %.64s port %s",
	    listen_transport_name(cl), host, port);
	return (buf);
}

static int
setup_listen_one(struct conf_listen *cl, int shared)
{
	int	fd, type, on = 1, rcvbuf = UDP_RCVBUF;

	type = cl->cl_transport == TRANSPORT_UDP ? SOCK_DGRAM : SOCK_STREAM;
	fd = socket(cl->cl_ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return (-1);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto fail;
	/*
	 * Each listener worker has its own socket on the address: the
	 * kernel spreads datagrams and connections over them by the hash
	 * of the 4-tuple, so one client address:port meets one worker.
	 */
	if (shared && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on,
	    sizeof(on)) == -1)
		goto fail;
	if (cl->cl_ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1)
		goto fail;
	/*
	 * A burst of datagrams must wait in the kernel, not be dropped,
	 * while the listener is busy; root may exceed the sysctl maximum.
	 */
	if (type == SOCK_DGRAM && setsockopt(fd, SOL_SOCKET,
	    geteuid() == 0 ? SO_RCVBUFFORCE : SO_RCVBUF, &rcvbuf,
	    sizeof(rcvbuf)) == -1)
		log_warn("udp receive buffer");
	if (bind(fd, (struct sockaddr *)&cl->cl_ss, cl->cl_sslen) == -1)
		goto fail;
	if (type == SOCK_STREAM && listen(fd, 128) == -1)
		goto fail;
	cl->cl_fd = fd;
	return (0);
 fail:
	close(fd);
	return (-1);
}

/* xmppd's server-to-server port, bound here like the listener's. */
static void
setup_xmpp_listen(struct conf_xmpp *x)
{
	struct conf_listen	cl;
	char			name[128];

	if (x->x_ss.ss_family == 0)
		return;
	memset(&cl, 0, sizeof(cl));
	cl.cl_ss = x->x_ss;
	cl.cl_sslen = x->x_sslen;
	cl.cl_transport = TRANSPORT_TCP;
	if (setup_listen_one(&cl, 0) == -1)
		fatal("xmpp listen on %s", listen_name(&cl, name,
		    sizeof(name)));
	x->x_fd = cl.cl_fd;
}

/* One bound socket of every listen for each listener worker. */
void
setup_listens(struct imd_conf *conf)
{
	struct conf_listen	*cl;
	char			 name[128];
	unsigned int		 w, n = config_workers(conf);

	TAILQ_FOREACH(cl, &conf->c_listens, cl_entry) {
		for (w = 0; w < n; w++) {
			if (setup_listen_one(cl, n > 1) == -1)
				fatal("listen on %s", listen_name(cl, name,
				    sizeof(name)));
			cl->cl_fds[w] = cl->cl_fd;
			cl->cl_fd = -1;
		}
		log_debug("listening on %s (%u worker%s)", listen_name(cl,
		    name, sizeof(name)), n, n > 1 ? "s" : "");
	}
	setup_xmpp_listen(&conf->c_xmpp);
}

/* Worker w's sockets where config_send() takes them from. */
void
setup_listens_of(struct imd_conf *conf, unsigned int w)
{
	struct conf_listen	*cl;

	TAILQ_FOREACH(cl, &conf->c_listens, cl_entry) {
		cl->cl_fd = cl->cl_fds[w];
		cl->cl_fds[w] = -1;
	}
}

/* metricsd's TCP socket, if metrics listen asked for one. */
void
setup_metrics(struct imd_conf *conf)
{
	struct conf_metrics	*cm = &conf->c_metrics;
	struct conf_listen	 cl;
	char			 name[128];

	if (cm->cm_sslen == 0)
		return;
	memset(&cl, 0, sizeof(cl));
	cl.cl_ss = cm->cm_ss;
	cl.cl_sslen = cm->cm_sslen;
	cl.cl_transport = TRANSPORT_TCP;
	if (setup_listen_one(&cl, 0) == -1)
		fatal("metrics listen on %s", listen_name(&cl, name,
		    sizeof(name)));
	cm->cm_fd = cl.cl_fd;
}

/*
 * A directory made with the owner and mode given when it is missing.  An
 * existing one is left alone unless it is ours to fix: the children check
 * their jails themselves, and a chroot such as /tmp must never be changed.
 */
static void
setup_dir(const char *path, uid_t uid, gid_t gid, mode_t mode, int fix)
{
	struct stat	sb;
	int		made = 1;

	if (mkdir(path, mode) == -1) {
		if (errno != EEXIST)
			fatal("mkdir %s", path);
		made = 0;
	}
	if (stat(path, &sb) == -1)
		fatal("%s", path);
	if (!S_ISDIR(sb.st_mode))
		fatalx("%s is not a directory", path);
	if (geteuid() != 0 || (!made && !fix))
		return;
	if ((sb.st_uid != uid || sb.st_gid != gid) &&
	    chown(path, uid, gid) == -1)
		fatal("chown %s", path);
	if ((sb.st_mode & 07777) != mode && chmod(path, mode) == -1)
		fatal("chmod %s", path);
}

/*
 * The chroot of the network children is an empty root-owned directory;
 * dirdb's jail is the database directory, root-owned, holding the
 * environment directory "env" that only the unprivileged user may use.
 */
void
setup_dirs(const struct imd_conf *conf)
{
	char	env[IMD_PATH_MAX];

	if (geteuid() == 0)
		setup_dir(conf->c_chroot, 0, 0, 0755, 0);
	setup_dir(conf->c_database, 0, 0, 0755, 0);
	if ((size_t)snprintf(env, sizeof(env), "%s/env", conf->c_database) >=
	    sizeof(env))
		fatalx("database path too long");
	setup_dir(env, conf->c_uid, conf->c_gid, 0700, 1);
}
