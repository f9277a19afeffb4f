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
 * lib/config_msg.c on a real channel: each child gets the parts
 * config_parts[] sends it and no other, refuses one that is not its
 * own, and only the listener gets descriptors, at start only.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <err.h>
#include <event.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "imd_msg.h"
#include "log.h"
#include "proc.h"
#include "tap.h"

#define BIT(t)	(1U << ((t) - IMSG_CONF_START))

/* What config_parts[] sends each child, START and END included. */
static const uint32_t parts_of[PROC_MAX] = {
	[PROC_LISTENER] = BIT(IMSG_CONF_JAIL) | BIT(IMSG_CONF_LIMITS) |
	    BIT(IMSG_CONF_AUTH) | BIT(IMSG_CONF_OFFLINE) | BIT(IMSG_CONF_INBOUND) |
	    BIT(IMSG_CONF_TLS) | BIT(IMSG_CONF_PRESENCE) |
	    BIT(IMSG_CONF_DOMAIN) | BIT(IMSG_CONF_LISTEN) |
	    BIT(IMSG_CONF_ROUTE) | BIT(IMSG_CONF_WEB),
	[PROC_RELAYD] = BIT(IMSG_CONF_JAIL) | BIT(IMSG_CONF_LIMITS) |
	    BIT(IMSG_CONF_SENDER) | BIT(IMSG_CONF_MTA) |
	    BIT(IMSG_CONF_RESOLVER) | BIT(IMSG_CONF_TLS) |
	    BIT(IMSG_CONF_DOMAIN) | BIT(IMSG_CONF_LISTEN) |
	    BIT(IMSG_CONF_ROUTE),
	[PROC_AUTHD] = BIT(IMSG_CONF_JAIL) | BIT(IMSG_CONF_LIMITS) |
	    BIT(IMSG_CONF_AUTH) | BIT(IMSG_CONF_DOMAIN),
	[PROC_DIRDB] = BIT(IMSG_CONF_JAIL) | BIT(IMSG_CONF_OFFLINE) |
	    BIT(IMSG_CONF_SENDER) | BIT(IMSG_CONF_DATABASE),
	[PROC_METRICSD] = BIT(IMSG_CONF_JAIL) | BIT(IMSG_CONF_METRICS) |
	    BIT(IMSG_CONF_METRICS_ALLOW),
	[PROC_XMPPD] = BIT(IMSG_CONF_JAIL) | BIT(IMSG_CONF_TLS) |
	    BIT(IMSG_CONF_DOMAIN) | BIT(IMSG_CONF_XMPP),
};

struct got {
	struct imd_conf	*g_conf;
	uint32_t	 g_types;
	int		 g_fds;
	int		 g_done;
};

static struct imd_conf *
conf_make(void)
{
	struct imd_conf		*conf;
	struct conf_domain	*cd;
	struct conf_listen	*cl;
	struct conf_route	*cr;

	if ((conf = config_new()) == NULL || (cd = calloc(1,
	    sizeof(*cd))) == NULL || (cl = calloc(1, sizeof(*cl))) == NULL ||
	    (cr = calloc(1, sizeof(*cr))) == NULL)
		err(1, "calloc");
	strlcpy(cd->cd_name, "site1.test", sizeof(cd->cd_name));
	strlcpy(cd->cd_realm, "site1.test", sizeof(cd->cd_realm));
	TAILQ_INSERT_TAIL(&conf->c_domains, cd, cd_entry);
	config_sockaddr("127.0.0.1", 5060, &cl->cl_ss, &cl->cl_sslen);
	cl->cl_fd = -1;
	TAILQ_INSERT_TAIL(&conf->c_listens, cl, cl_entry);
	strlcpy(cr->cr_domain, "site2.test", sizeof(cr->cr_domain));
	config_sockaddr("127.0.0.2", 5060, &cr->cr_ss, &cr->cr_sslen);
	TAILQ_INSERT_TAIL(&conf->c_routes, cr, cr_entry);
	strlcpy(conf->c_database, "/tmp/parts-db", sizeof(conf->c_database));
	strlcpy(conf->c_mail_from, "im@site1.test",
	    sizeof(conf->c_mail_from));
	conf->c_limits.lim_msg_size = 4096;
	conf->c_offline.off_age = 77;
	config_sockaddr("127.0.0.1", 9464, &conf->c_metrics.cm_ss,
	    &conf->c_metrics.cm_sslen);
	prefix_of_string("10.0.0.0", 8, 8, &conf->c_metrics.cm_allow[0]);
	conf->c_metrics.cm_nallow = 1;
	return (conf);
}

/* Send conf to process to as the parent does, read it as to does. */
static void
roundtrip(struct imd_conf *conf, enum imd_proc to, int reload,
    struct got *g)
{
	struct imsgev	 w, r;
	struct imsg	 imsg;
	struct conf_listen *cl;
	int		 sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    imsgev_init(&w, sv[0], to, NULL) == -1 ||
	    imsgev_init(&r, sv[1], PROC_PARENT, NULL) == -1)
		err(1, "channel");
	r.iev_ibuf.ib_nofd = !proc_passes_fds(PROC_PARENT, to);
	TAILQ_FOREACH(cl, &conf->c_listens, cl_entry)
		if ((cl->cl_fd = open("/dev/null", O_RDONLY)) == -1)
			err(1, "open");
	if ((conf->c_metrics.cm_fd = open("/dev/null", O_RDONLY)) == -1)
		err(1, "open");
	memset(g, 0, sizeof(*g));
	g->g_conf = config_new();
	if (config_send(&w, conf, to, reload) == -1 ||
	    imsgbuf_flush(&w.iev_ibuf) == -1)
		err(1, "config_send");
	while (!g->g_done && imsgev_wait(&r, &imsg, 1000) == 1) {
		g->g_types |= BIT(imsg.hdr.ih_type);
		if (imsg.fd != -1)
			g->g_fds++;
		g->g_done = config_recv(g->g_conf, to, &r, &imsg);
		imsg_free(&imsg);
	}
	TAILQ_FOREACH(cl, &conf->c_listens, cl_entry)
		if (cl->cl_fd != -1)
			close(cl->cl_fd);
	TAILQ_FOREACH(cl, &g->g_conf->c_listens, cl_entry)
		if (cl->cl_fd != -1)
			close(cl->cl_fd);
	if (conf->c_metrics.cm_fd != -1)
		close(conf->c_metrics.cm_fd);
	conf->c_metrics.cm_fd = -1;
	if (g->g_conf->c_metrics.cm_fd != -1)
		close(g->g_conf->c_metrics.cm_fd);
	g->g_conf->c_metrics.cm_fd = -1;
	imsgev_clear(&w);
	imsgev_clear(&r);
}

static void
test_parts(struct imd_conf *conf)
{
	struct got	g;
	int		p;

	for (p = PROC_LISTENER; p < PROC_MAX; p++) {
		roundtrip(conf, p, 0, &g);
		TAP_OK(g.g_done && g.g_types == (parts_of[p] |
		    BIT(IMSG_CONF_START) | BIT(IMSG_CONF_END)),
		    "%s gets its parts and no other", proc_names[p]);
		TAP_OK(g.g_fds == (p == PROC_LISTENER || p == PROC_METRICSD),
		    "%s gets %s", proc_names[p], p == PROC_LISTENER ||
		    p == PROC_METRICSD ? "the bound socket" : "no descriptor");
		config_free(g.g_conf);
	}
	roundtrip(conf, PROC_LISTENER, 1, &g);
	TAP_OK(g.g_done && g.g_fds == 0 &&
	    TAILQ_EMPTY(&g.g_conf->c_listens),
	    "on reload the listener keeps its sockets: none is sent");
	config_free(g.g_conf);
}

static void
test_values(struct imd_conf *conf)
{
	struct got	g;

	roundtrip(conf, PROC_AUTHD, 0, &g);
	TAP_OK(g.g_conf->c_limits.lim_msg_size == 4096 &&
	    config_find_domain(g.g_conf, "site1.test") != NULL,
	    "authd gets the limits and the domains");
	TAP_OK(g.g_conf->c_mail_from[0] == '\0' &&
	    g.g_conf->c_offline.off_age != 77 &&
	    strcmp(g.g_conf->c_database, "/tmp/parts-db") != 0,
	    "authd gets neither the mail, the offline policy nor the "
	    "database");
	config_free(g.g_conf);
	roundtrip(conf, PROC_DIRDB, 0, &g);
	TAP_OK(strcmp(g.g_conf->c_database, "/tmp/parts-db") == 0 &&
	    g.g_conf->c_offline.off_age == 77 &&
	    TAILQ_EMPTY(&g.g_conf->c_domains),
	    "dirdb gets the database and the offline policy, no domains");
	config_free(g.g_conf);
	roundtrip(conf, PROC_METRICSD, 0, &g);
	TAP_OK(g.g_conf->c_metrics.cm_sslen != 0 &&
	    g.g_conf->c_metrics.cm_nallow == 1 &&
	    g.g_conf->c_metrics.cm_allow[0].ap_bits == 8 &&
	    TAILQ_EMPTY(&g.g_conf->c_domains) &&
	    g.g_conf->c_mail_from[0] == '\0',
	    "metricsd gets its endpoint and allow-list, nothing else");
	config_free(g.g_conf);
	roundtrip(conf, PROC_RELAYD, 0, &g);
	TAP_OK(strcmp(g.g_conf->c_mail_from, "im@site1.test") == 0 &&
	    config_find_route(g.g_conf, "site2.test") != NULL,
	    "relayd gets the MTA part and the routes");
	config_free(g.g_conf);
}

/* A part the table does not send to a process ends that process. */
static void
test_not_mine(void)
{
	struct imsgev	 iev;
	struct imsg	 imsg;
	struct imd_conf	*conf;
	uint32_t	 payload[40];
	pid_t		 pid;
	int		 status;

	memset(payload, 0, sizeof(payload));
	memset(&iev, 0, sizeof(iev));
	iev.iev_peer = PROC_PARENT;
	memset(&imsg, 0, sizeof(imsg));
	imsg.hdr.ih_type = IMSG_CONF_OFFLINE;
	imsg.data = (unsigned char *)payload;
	imsg.len = 20 + sizeof(conf->c_offline.off_quota);
	imsg.hdr.ih_len = IMSG_HDR_SIZE + imsg.len;
	payload[3 + sizeof(conf->c_offline.off_quota) / 4] = 1;
	payload[4 + sizeof(conf->c_offline.off_quota) / 4] = 1;
	imsg.fd = -1;
	conf = config_new();
	TAP_OK(config_recv(conf, PROC_DIRDB, &iev, &imsg) == 0,
	    "dirdb takes the offline part");
	imsg.off = 0;
	if ((pid = fork()) == 0) {
		log_init(1, 0);
		config_recv(conf, PROC_AUTHD, &iev, &imsg);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	TAP_OK(WIFEXITED(status) && WEXITSTATUS(status) != 0,
	    "authd refuses it as a malformed message");
	config_free(conf);
}

int
main(void)
{
	struct imd_conf	*conf;

	if (event_init() == NULL)
		errx(1, "event_init");
	conf = conf_make();
	test_parts(conf);
	test_values(conf);
	test_not_mine();
	config_free(conf);
	return (TAP_DONE());
}
