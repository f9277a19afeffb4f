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
 * The configuration on the wire, parent to child: each child gets the
 * parts it needs, as bounded fields, and applies them at IMSG_CONF_END.
 * config_parts[] says which part goes to which process, as relayd's
 * config.c does with its ps_what[]; the sender walks it, and a child
 * refuses a part the table does not send it.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdefs.h"
#include "config.h"
#include "imd_msg.h"
#include "log.h"
#include "proc.h"

#define TO(p)		(1U << (p))
#define TO_ALL		(TO(PROC_LISTENER) | TO(PROC_RELAYD) | \
	TO(PROC_AUTHD) | TO(PROC_DIRDB) | TO(PROC_METRICSD) | TO(PROC_XMPPD))

struct config_part {
	uint32_t	  cp_type;
	uint32_t	  cp_to;	/* TO() of each process it goes to */
	int		(*cp_send)(struct imsgev *, struct imd_conf *,
			    enum imd_proc, int);
	int		(*cp_recv)(struct imd_conf *, struct imsg *);
};

/* A part's writer ends here: the writer kept its first error. */
static int
config_close(struct imsgev *iev, struct ibuf *buf)
{
	return (imsgev_close(iev, buf));
}

static int
config_send_jail(struct imsgev *iev, struct imd_conf *conf,
    enum imd_proc to IMD_UNUSED, int reload IMD_UNUSED)
{
	struct ibuf	*buf;

	if ((buf = imsgev_create(iev, IMSG_CONF_JAIL, 0,
	    8 + sizeof(conf->c_chroot))) == NULL)
		return (-1);
	ibuf_add_u32(buf, conf->c_uid);
	ibuf_add_u32(buf, conf->c_gid);
	ibuf_add_str(buf, conf->c_chroot, sizeof(conf->c_chroot));
	return (config_close(iev, buf));
}

static int
config_recv_jail(struct imd_conf *conf, struct imsg *imsg)
{
	uint32_t	uid, gid;

	imsg_get_u32(imsg, &uid);
	imsg_get_u32(imsg, &gid);
	imsg_get_str(imsg, conf->c_chroot, sizeof(conf->c_chroot));
	if (imsg_get_end(imsg) == -1)
		return (-1);
	conf->c_uid = uid;
	conf->c_gid = gid;
	return (0);
}

static int
config_send_limits(struct imsgev *iev, struct imd_conf *conf,
    enum imd_proc to IMD_UNUSED, int reload IMD_UNUSED)
{
	const struct conf_limits	*lim = &conf->c_limits;
	struct ibuf			*buf;

	if ((buf = imsgev_create(iev, IMSG_CONF_LIMITS, 0, 64)) == NULL)
		return (-1);
	ibuf_add_u32(buf, lim->lim_msg_size);
	ibuf_add_u32(buf, lim->lim_headers);
	ibuf_add_u32(buf, lim->lim_line);
	ibuf_add_u32(buf, lim->lim_conns);
	ibuf_add_u32(buf, lim->lim_conns_per_addr);
	ibuf_add_u32(buf, lim->lim_min_expires);
	ibuf_add_u32(buf, lim->lim_max_expires);
	ibuf_add_u32(buf, lim->lim_conns_unauth);
	ibuf_add_u32(buf, lim->lim_held);
	ibuf_add_u32(buf, lim->lim_held_per_addr);
	ibuf_add_u32(buf, lim->lim_held_bytes);
	ibuf_add_u32(buf, lim->lim_held_bytes_per_addr);
	ibuf_add_u32(buf, lim->lim_unauth_wait);
	ibuf_add_u32(buf, lim->lim_ipv4_prefix);
	ibuf_add_u32(buf, lim->lim_ipv6_prefix);
	ibuf_add_u32(buf, lim->lim_ring_time);
	return (config_close(iev, buf));
}

static int
config_recv_limits(struct imd_conf *conf, struct imsg *imsg)
{
	struct conf_limits	*lim = &conf->c_limits;

	imsg_get_u32(imsg, &lim->lim_msg_size);
	imsg_get_u32(imsg, &lim->lim_headers);
	imsg_get_u32(imsg, &lim->lim_line);
	imsg_get_u32(imsg, &lim->lim_conns);
	imsg_get_u32(imsg, &lim->lim_conns_per_addr);
	imsg_get_u32(imsg, &lim->lim_min_expires);
	imsg_get_u32(imsg, &lim->lim_max_expires);
	imsg_get_u32(imsg, &lim->lim_conns_unauth);
	imsg_get_u32(imsg, &lim->lim_held);
	imsg_get_u32(imsg, &lim->lim_held_per_addr);
	imsg_get_u32(imsg, &lim->lim_held_bytes);
	imsg_get_u32(imsg, &lim->lim_held_bytes_per_addr);
	imsg_get_u32(imsg, &lim->lim_unauth_wait);
	imsg_get_u32(imsg, &lim->lim_ipv4_prefix);
	imsg_get_u32(imsg, &lim->lim_ipv6_prefix);
	imsg_get_u32(imsg, &lim->lim_ring_time);
	return (imsg_get_end(imsg));
}

static int
config_send_auth(struct imsgev *iev, struct imd_conf *conf,
    enum imd_proc to IMD_UNUSED, int reload IMD_UNUSED)
{
	struct ibuf	*buf;

	if ((buf = imsgev_create(iev, IMSG_CONF_AUTH, 0,
	    4 + sizeof(conf->c_auth_algs))) == NULL)
		return (-1);
	ibuf_add_u32(buf, conf->c_nauth_algs);
	ibuf_add_data(buf, conf->c_auth_algs, sizeof(conf->c_auth_algs));
	return (config_close(iev, buf));
}

static int
config_recv_auth(struct imd_conf *conf, struct imsg *imsg)
{
	imsg_get_u32(imsg, &conf->c_nauth_algs);
	imsg_get_data(imsg, conf->c_auth_algs, sizeof(conf->c_auth_algs));
	if (imsg_get_end(imsg) == -1 ||
	    conf->c_nauth_algs < 1 || conf->c_nauth_algs > CONF_AUTH_ALGS)
		return (-1);
	return (0);
}

static int
config_send_offline(struct imsgev *iev, struct imd_conf *conf,
    enum imd_proc to IMD_UNUSED, int reload IMD_UNUSED)
{
	const struct conf_offline	*off = &conf->c_offline;
	struct ibuf			*buf;

	if ((buf = imsgev_create(iev, IMSG_CONF_OFFLINE, 0,
	    20 + sizeof(off->off_quota))) == NULL)
		return (-1);
	ibuf_add_u32(buf, off->off_policy);
	ibuf_add_u32(buf, off->off_age);
	ibuf_add_u32(buf, off->off_mail_after);
	ibuf_add_data(buf, off->off_quota, sizeof(off->off_quota));
	ibuf_add_u32(buf, off->off_mail_max);
	ibuf_add_u32(buf, off->off_mail_period);
	return (config_close(iev, buf));
}

static int
config_recv_offline(struct imd_conf *conf, struct imsg *imsg)
{
	struct conf_offline	*off = &conf->c_offline;

	imsg_get_u32(imsg, &off->off_policy);
	imsg_get_u32(imsg, &off->off_age);
	imsg_get_u32(imsg, &off->off_mail_after);
	imsg_get_data(imsg, off->off_quota, sizeof(off->off_quota));
	imsg_get_u32(imsg, &off->off_mail_max);
	imsg_get_u32(imsg, &off->off_mail_period);
	if (imsg_get_end(imsg) == -1 ||
	    off->off_policy > OFFLINE_POLICY_STORE_MAIL ||
	    off->off_mail_max == 0 || off->off_mail_period == 0)
		return (-1);
	return (0);
}

static int
config_send_sender(struct imsgev *iev, struct imd_conf *conf,
    enum imd_proc to IMD_UNUSED, int reload IMD_UNUSED)
{
	return (imsgev_compose(iev, IMSG_CONF_SENDER, 0, -1,
	    conf->c_mail_sender, strlen(conf->c_mail_sender) + 1));
}

static int
config_recv_sender(struct imd_conf *conf, struct imsg *imsg)
{
	imsg_get_str(imsg, conf->c_mail_sender, sizeof(conf->c_mail_sender));
	return (imsg_get_end(imsg));
}

static int
config_send_mta(struct imsgev *iev, struct imd_conf *conf,
    enum imd_proc to IMD_UNUSED, int reload IMD_UNUSED)
{
	struct ibuf	*buf;

	if ((buf = imsgev_create(iev, IMSG_CONF_MTA, 0, 4 +
	    sizeof(conf->c_mta) + sizeof(conf->c_mail_from))) == NULL)
		return (-1);
	ibuf_add_u32(buf, conf->c_mtalen);
	ibuf_add_data(buf, &conf->c_mta, sizeof(conf->c_mta));
	ibuf_add_str(buf, conf->c_mail_from, sizeof(conf->c_mail_from));
	return (config_close(iev, buf));
}

static int
config_recv_mta(struct imd_conf *conf, struct imsg *imsg)
{
	uint32_t	mtalen;

	imsg_get_u32(imsg, &mtalen);
	imsg_get_data(imsg, &conf->c_mta, sizeof(conf->c_mta));
	imsg_get_str(imsg, conf->c_mail_from, sizeof(conf->c_mail_from));
	if (imsg_get_end(imsg) == -1 || mtalen > sizeof(conf->c_mta))
		return (-1);
	conf->c_mtalen = mtalen;
	return (0);
}

static int
config_send_inbound(struct imsgev *iev, struct imd_conf *conf,
    enum imd_proc to IMD_UNUSED, int reload IMD_UNUSED)
{
	return (imsgev_compose(iev, IMSG_CONF_INBOUND, 0, -1,
	    &conf->c_inbound, sizeof(conf->c_inbound)));
}

static int
config_recv_inbound(struct imd_conf *conf, struct imsg *imsg)
{
	imsg_get_u32(imsg, &conf->c_inbound);
	if (imsg_get_end(imsg) == -1 || conf->c_inbound > INBOUND_VERIFIED)
		return (-1);
	return (0);
}

static int
config_send_resolver(struct imsgev *iev, struct imd_conf *conf,
    enum imd_proc to IMD_UNUSED, int reload IMD_UNUSED)
{
	struct ibuf	*buf;

	if ((buf = imsgev_create(iev, IMSG_CONF_RESOLVER, 0,
	    8 + sizeof(conf->c_resolver))) == NULL)
		return (-1);
	ibuf_add_u32(buf, conf->c_relay_private);
	ibuf_add_u32(buf, conf->c_resolverlen);
	ibuf_add_data(buf, &conf->c_resolver, sizeof(conf->c_resolver));
	return (config_close(iev, buf));
}

static int
config_recv_resolver(struct imd_conf *conf, struct imsg *imsg)
{
	uint32_t	len;

	imsg_get_u32(imsg, &conf->c_relay_private);
	imsg_get_u32(imsg, &len);
	imsg_get_data(imsg, &conf->c_resolver, sizeof(conf->c_resolver));
	if (imsg_get_end(imsg) == -1 || conf->c_relay_private > 1 ||
	    len > sizeof(conf->c_resolver))
		return (-1);
	conf->c_resolverlen = len;
	return (0);
}

static int
config_send_tls(struct imsgev *iev, struct imd_conf *conf,
    enum imd_proc to IMD_UNUSED, int reload IMD_UNUSED)
{
	return (imsgev_compose(iev, IMSG_CONF_TLS, 0, -1, conf->c_tls_ca,
	    strlen(conf->c_tls_ca) + 1));
}

static int
config_recv_tls(struct imd_conf *conf, struct imsg *imsg)
{
	imsg_get_str(imsg, conf->c_tls_ca, sizeof(conf->c_tls_ca));
	return (imsg_get_end(imsg));
}

static int
config_send_presence(struct imsgev *iev, struct imd_conf *conf,
    enum imd_proc to IMD_UNUSED, int reload IMD_UNUSED)
{
	return (imsgev_compose(iev, IMSG_CONF_PRESENCE, 0, -1,
	    &conf->c_presence, sizeof(conf->c_presence)));
}

static int
config_recv_presence(struct imd_conf *conf, struct imsg *imsg)
{
	imsg_get_data(imsg, &conf->c_presence, sizeof(conf->c_presence));
	if (imsg_get_end(imsg) == -1 ||
	    conf->c_presence.pr_authorize > PRESENCE_AUTH_ASK)
		return (-1);
	return (0);
}

static int
config_send_domains(struct imsgev *iev, struct imd_conf *conf,
    enum imd_proc to IMD_UNUSED, int reload IMD_UNUSED)
{
	struct conf_domain	*cd;
	struct ibuf		*buf;

	TAILQ_FOREACH(cd, &conf->c_domains, cd_entry) {
		if ((buf = imsgev_create(iev, IMSG_CONF_DOMAIN, 0, 512)) ==
		    NULL)
			return (-1);
		ibuf_add_str(buf, cd->cd_name, sizeof(cd->cd_name));
		ibuf_add_str(buf, cd->cd_realm, sizeof(cd->cd_realm));
		ibuf_add_u32(buf, cd->cd_direct);
		if (config_close(iev, buf) == -1)
			return (-1);
	}
	return (0);
}

static int
config_recv_domain(struct imd_conf *conf, struct imsg *imsg)
{
	struct conf_domain	*cd;

	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		fatal("%s", __func__);
	imsg_get_str(imsg, cd->cd_name, sizeof(cd->cd_name));
	imsg_get_str(imsg, cd->cd_realm, sizeof(cd->cd_realm));
	imsg_get_u32(imsg, &cd->cd_direct);
	if (imsg_get_end(imsg) == -1 || cd->cd_direct > 1) {
		free(cd);
		return (-1);
	}
	TAILQ_INSERT_TAIL(&conf->c_domains, cd, cd_entry);
	return (0);
}

static int
config_send_listen(struct imsgev *iev, struct conf_listen *cl, int with_fd)
{
	struct ibuf	*buf;

	if ((buf = imsgev_create(iev, IMSG_CONF_LISTEN, 0, 512)) == NULL)
		return (-1);
	ibuf_add_u32(buf, cl->cl_transport);
	ibuf_add_u32(buf, cl->cl_sslen);
	ibuf_add_data(buf, &cl->cl_ss, sizeof(cl->cl_ss));
	ibuf_add_str(buf, cl->cl_cert, sizeof(cl->cl_cert));
	ibuf_add_str(buf, cl->cl_key, sizeof(cl->cl_key));
	ibuf_add_u32(buf, cl->cl_websocket);
	if (with_fd) {
		ibuf_set_fd(buf, cl->cl_fd);
		cl->cl_fd = -1;
	}
	return (config_close(iev, buf));
}

/*
 * The listener gets the bound sockets, once: a reload keeps the ones it
 * has, and the parent keeps no copy.  relayd gets only the addresses
 * (its outbound source) and files.  Only the parent's channel to the
 * listener carries descriptors (proc_passes_fds()).
 */
static int
config_send_listens(struct imsgev *iev, struct imd_conf *conf,
    enum imd_proc to, int reload)
{
	struct conf_listen	*cl;
	int			 with_fd = proc_passes_fds(PROC_PARENT, to);

	if (with_fd && reload)
		return (0);
	TAILQ_FOREACH(cl, &conf->c_listens, cl_entry)
		if (config_send_listen(iev, cl, with_fd) == -1)
			return (-1);
	return (0);
}

static int
config_recv_listen(struct imd_conf *conf, struct imsg *imsg)
{
	struct conf_listen	*cl;
	uint32_t		 transport, sslen;
	int			 w;

	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		fatal("%s", __func__);
	for (w = 0; w < IMD_WORKERS_MAX; w++)
		cl->cl_fds[w] = -1;
	cl->cl_fd = imsg_get_fd(imsg);
	imsg_get_u32(imsg, &transport);
	imsg_get_u32(imsg, &sslen);
	imsg_get_data(imsg, &cl->cl_ss, sizeof(cl->cl_ss));
	imsg_get_str(imsg, cl->cl_cert, sizeof(cl->cl_cert));
	imsg_get_str(imsg, cl->cl_key, sizeof(cl->cl_key));
	imsg_get_u32(imsg, &cl->cl_websocket);
	if (imsg_get_end(imsg) == -1 || cl->cl_websocket > 1 ||
	    transport > TRANSPORT_TLS || sslen > sizeof(cl->cl_ss)) {
		if (cl->cl_fd != -1)
			close(cl->cl_fd);
		free(cl);
		return (-1);
	}
	cl->cl_transport = transport;
	cl->cl_sslen = sslen;
	TAILQ_INSERT_TAIL(&conf->c_listens, cl, cl_entry);
	return (0);
}

static int
config_send_web(struct imsgev *iev, struct imd_conf *conf,
    enum imd_proc to IMD_UNUSED, int reload IMD_UNUSED)
{
	const struct conf_web	*cw = &conf->c_web;
	struct ibuf		*buf;
	uint32_t		 i;

	if ((buf = imsgev_create(iev, IMSG_CONF_WEB, 0, sizeof(*cw))) ==
	    NULL)
		return (-1);
	ibuf_add_str(buf, cw->cw_root, sizeof(cw->cw_root));
	ibuf_add_u32(buf, cw->cw_norigins);
	for (i = 0; i < cw->cw_norigins; i++)
		ibuf_add_str(buf, cw->cw_origins[i],
		    sizeof(cw->cw_origins[i]));
	return (config_close(iev, buf));
}

static int
config_recv_web(struct imd_conf *conf, struct imsg *imsg)
{
	struct conf_web	*cw = &conf->c_web;
	uint32_t	 i;

	imsg_get_str(imsg, cw->cw_root, sizeof(cw->cw_root));
	imsg_get_u32(imsg, &cw->cw_norigins);
	if (cw->cw_norigins > WEB_ORIGINS_MAX)	/* bounds the loop */
		return (-1);
	for (i = 0; i < cw->cw_norigins; i++)
		imsg_get_str(imsg, cw->cw_origins[i],
		    sizeof(cw->cw_origins[i]));
	return (imsg_get_end(imsg));
}

static int
config_send_database(struct imsgev *iev, struct imd_conf *conf,
    enum imd_proc to IMD_UNUSED, int reload IMD_UNUSED)
{
	struct ibuf	*buf;

	if ((buf = imsgev_create(iev, IMSG_CONF_DATABASE, 0,
	    sizeof(conf->c_database) + 8)) == NULL)
		return (-1);
	ibuf_add_str(buf, conf->c_database, sizeof(conf->c_database));
	ibuf_add_u64(buf, conf->c_db_cache);
	return (config_close(iev, buf));
}

static int
config_recv_database(struct imd_conf *conf, struct imsg *imsg)
{
	imsg_get_str(imsg, conf->c_database, sizeof(conf->c_database));
	imsg_get_u64(imsg, &conf->c_db_cache);
	return (imsg_get_end(imsg));
}

static int
config_send_routes(struct imsgev *iev, struct imd_conf *conf,
    enum imd_proc to IMD_UNUSED, int reload IMD_UNUSED)
{
	struct conf_route	*cr;
	struct ibuf		*buf;

	TAILQ_FOREACH(cr, &conf->c_routes, cr_entry) {
		if ((buf = imsgev_create(iev, IMSG_CONF_ROUTE, 0, 512)) ==
		    NULL)
			return (-1);
		ibuf_add_str(buf, cr->cr_domain, sizeof(cr->cr_domain));
		ibuf_add_u32(buf, cr->cr_transport);
		ibuf_add_u32(buf, cr->cr_xmpp);
		ibuf_add_u32(buf, cr->cr_sslen);
		ibuf_add_data(buf, &cr->cr_ss, sizeof(cr->cr_ss));
		if (config_close(iev, buf) == -1)
			return (-1);
	}
	return (0);
}

static int
config_recv_route(struct imd_conf *conf, struct imsg *imsg)
{
	struct conf_route	*cr;
	uint32_t		 transport, xmpp, sslen;

	if ((cr = calloc(1, sizeof(*cr))) == NULL)
		fatal("%s", __func__);
	imsg_get_str(imsg, cr->cr_domain, sizeof(cr->cr_domain));
	imsg_get_u32(imsg, &transport);
	imsg_get_u32(imsg, &xmpp);
	imsg_get_u32(imsg, &sslen);
	imsg_get_data(imsg, &cr->cr_ss, sizeof(cr->cr_ss));
	if (imsg_get_end(imsg) == -1 || transport > TRANSPORT_TLS ||
	    xmpp > 1 || sslen > sizeof(cr->cr_ss)) {
		free(cr);
		return (-1);
	}
	cr->cr_transport = transport;
	cr->cr_xmpp = xmpp;
	cr->cr_sslen = sslen;
	TAILQ_INSERT_TAIL(&conf->c_routes, cr, cr_entry);
	return (0);
}

/* xmppd's part; its bound socket once, at start. */
static int
config_send_xmpp(struct imsgev *iev, struct imd_conf *conf,
    enum imd_proc to IMD_UNUSED, int reload)
{
	struct conf_xmpp	*x = &conf->c_xmpp;
	struct ibuf		*buf;

	if ((buf = imsgev_create(iev, IMSG_CONF_XMPP, 0, 2 * IMD_PATH_MAX +
	    sizeof(x->x_ss) + 32)) == NULL)
		return (-1);
	ibuf_add_u32(buf, x->x_set);
	ibuf_add_u32(buf, x->x_sslen);
	ibuf_add_data(buf, &x->x_ss, sizeof(x->x_ss));
	ibuf_add_str(buf, x->x_cert, sizeof(x->x_cert));
	ibuf_add_str(buf, x->x_key, sizeof(x->x_key));
	ibuf_add_u32(buf, x->x_dialback);
	ibuf_add_u32(buf, x->x_stanza_size);
	ibuf_add_u32(buf, x->x_streams);
	ibuf_add_u32(buf, x->x_streams_per_domain);
	ibuf_add_u32(buf, x->x_idle);
	if (!reload && x->x_fd != -1) {
		ibuf_set_fd(buf, x->x_fd);
		x->x_fd = -1;
	}
	return (config_close(iev, buf));
}

static int
config_recv_xmpp(struct imd_conf *conf, struct imsg *imsg)
{
	struct conf_xmpp	*x = &conf->c_xmpp;

	x->x_fd = imsg_get_fd(imsg);
	imsg_get_u32(imsg, &x->x_set);
	imsg_get_u32(imsg, &x->x_sslen);
	imsg_get_data(imsg, &x->x_ss, sizeof(x->x_ss));
	imsg_get_str(imsg, x->x_cert, sizeof(x->x_cert));
	imsg_get_str(imsg, x->x_key, sizeof(x->x_key));
	imsg_get_u32(imsg, &x->x_dialback);
	imsg_get_u32(imsg, &x->x_stanza_size);
	imsg_get_u32(imsg, &x->x_streams);
	imsg_get_u32(imsg, &x->x_streams_per_domain);
	imsg_get_u32(imsg, &x->x_idle);
	if (imsg_get_end(imsg) == -1 || x->x_sslen > sizeof(x->x_ss) ||
	    x->x_stanza_size < XMPP_STANZA_SIZE_MIN ||
	    x->x_stanza_size > XMPP_STANZA_SIZE_MAX ||
	    x->x_streams < XMPP_STREAMS_MIN || x->x_streams_per_domain < 1 ||
	    x->x_idle < XMPP_IDLE_MIN)
		return (-1);
	return (0);
}

/*
 * metricsd's endpoint: the bound socket once, at start (a reload keeps
 * it, as the listener keeps its own), then the allowed sources.
 */
static int
config_send_metrics(struct imsgev *iev, struct imd_conf *conf,
    enum imd_proc to IMD_UNUSED, int reload)
{
	struct conf_metrics	*cm = &conf->c_metrics;
	struct ibuf		*buf;

	if (reload || cm->cm_sslen == 0)
		return (0);
	if ((buf = imsgev_create(iev, IMSG_CONF_METRICS, 0, 256)) == NULL)
		return (-1);
	ibuf_add_u32(buf, cm->cm_sslen);
	ibuf_add_data(buf, &cm->cm_ss, sizeof(cm->cm_ss));
	ibuf_set_fd(buf, cm->cm_fd);
	cm->cm_fd = -1;
	return (config_close(iev, buf));
}

static int
config_recv_metrics(struct imd_conf *conf, struct imsg *imsg)
{
	struct conf_metrics	*cm = &conf->c_metrics;
	uint32_t		 sslen;

	cm->cm_fd = imsg_get_fd(imsg);
	imsg_get_u32(imsg, &sslen);
	imsg_get_data(imsg, &cm->cm_ss, sizeof(cm->cm_ss));
	if (imsg_get_end(imsg) == -1 || sslen > sizeof(cm->cm_ss) ||
	    cm->cm_fd == -1)
		return (-1);
	cm->cm_sslen = sslen;
	return (0);
}

static int
config_send_metrics_allow(struct imsgev *iev, struct imd_conf *conf,
    enum imd_proc to IMD_UNUSED, int reload IMD_UNUSED)
{
	struct conf_metrics	*cm = &conf->c_metrics;
	struct ibuf		*buf;
	uint32_t		 i;

	for (i = 0; i < cm->cm_nallow; i++) {
		if ((buf = imsgev_create(iev, IMSG_CONF_METRICS_ALLOW, 0,
		    32)) == NULL)
			return (-1);
		ibuf_add_u32(buf, cm->cm_allow[i].ap_family);
		ibuf_add_u32(buf, cm->cm_allow[i].ap_bits);
		ibuf_add_data(buf, cm->cm_allow[i].ap_addr,
		    sizeof(cm->cm_allow[i].ap_addr));
		if (config_close(iev, buf) == -1)
			return (-1);
	}
	return (0);
}

static int
config_recv_metrics_allow(struct imd_conf *conf, struct imsg *imsg)
{
	struct conf_metrics	*cm = &conf->c_metrics;
	struct addr_prefix	 ap;
	uint32_t		 family, bits;

	memset(&ap, 0, sizeof(ap));
	imsg_get_u32(imsg, &family);
	imsg_get_u32(imsg, &bits);
	imsg_get_data(imsg, ap.ap_addr, sizeof(ap.ap_addr));
	if (imsg_get_end(imsg) == -1 || cm->cm_nallow >=
	    IMD_MAX_METRICS_ALLOW || (family != AF_INET &&
	    family != AF_INET6) || bits > (family == AF_INET ? 32 : 128))
		return (-1);
	ap.ap_family = family;
	ap.ap_bits = bits;
	cm->cm_allow[cm->cm_nallow++] = ap;
	return (0);
}

/*
 * Which part goes to which process, in the order they are sent.  The
 * listener's routes name the servers of domains (inbound policy).
 */
static const struct config_part config_parts[] = {
	{ IMSG_CONF_JAIL, TO_ALL, config_send_jail, config_recv_jail },
	{ IMSG_CONF_LIMITS, TO(PROC_LISTENER) | TO(PROC_RELAYD) |
	    TO(PROC_AUTHD), config_send_limits, config_recv_limits },
	{ IMSG_CONF_AUTH, TO(PROC_LISTENER) | TO(PROC_AUTHD),
	    config_send_auth, config_recv_auth },
	{ IMSG_CONF_OFFLINE, TO(PROC_LISTENER) | TO(PROC_DIRDB),
	    config_send_offline, config_recv_offline },
	{ IMSG_CONF_SENDER, TO(PROC_RELAYD) | TO(PROC_DIRDB),
	    config_send_sender, config_recv_sender },
	{ IMSG_CONF_MTA, TO(PROC_RELAYD), config_send_mta, config_recv_mta },
	{ IMSG_CONF_INBOUND, TO(PROC_LISTENER), config_send_inbound,
	    config_recv_inbound },
	{ IMSG_CONF_RESOLVER, TO(PROC_RELAYD), config_send_resolver,
	    config_recv_resolver },
	{ IMSG_CONF_TLS, TO(PROC_LISTENER) | TO(PROC_RELAYD) | TO(PROC_XMPPD),
	    config_send_tls, config_recv_tls },
	{ IMSG_CONF_PRESENCE, TO(PROC_LISTENER), config_send_presence,
	    config_recv_presence },
	{ IMSG_CONF_DOMAIN, TO(PROC_LISTENER) | TO(PROC_RELAYD) |
	    TO(PROC_AUTHD) | TO(PROC_XMPPD), config_send_domains,
	    config_recv_domain },
	{ IMSG_CONF_LISTEN, TO(PROC_LISTENER) | TO(PROC_RELAYD),
	    config_send_listens, config_recv_listen },
	{ IMSG_CONF_ROUTE, TO(PROC_LISTENER) | TO(PROC_RELAYD),
	    config_send_routes, config_recv_route },
	{ IMSG_CONF_METRICS, TO(PROC_METRICSD), config_send_metrics,
	    config_recv_metrics },
	{ IMSG_CONF_METRICS_ALLOW, TO(PROC_METRICSD),
	    config_send_metrics_allow, config_recv_metrics_allow },
	{ IMSG_CONF_DATABASE, TO(PROC_DIRDB), config_send_database,
	    config_recv_database },
	{ IMSG_CONF_WEB, TO(PROC_LISTENER), config_send_web,
	    config_recv_web },
	{ IMSG_CONF_XMPP, TO(PROC_XMPPD), config_send_xmpp,
	    config_recv_xmpp },
};

#define CONFIG_NPARTS	(sizeof(config_parts) / sizeof(config_parts[0]))

/* The configuration for one child: its parts between START and END. */
int
config_send(struct imsgev *iev, struct imd_conf *conf, enum imd_proc to,
    int reload)
{
	const struct config_part	*cp;
	uint32_t			 r = reload;
	size_t				 i;

	if (imsgev_compose(iev, IMSG_CONF_START, 0, -1, &r, sizeof(r)) == -1)
		return (-1);
	for (i = 0; i < CONFIG_NPARTS; i++) {
		cp = &config_parts[i];
		if ((cp->cp_to & TO(to)) != 0 &&
		    cp->cp_send(iev, conf, to, reload) == -1)
			return (-1);
	}
	return (imsgev_compose(iev, IMSG_CONF_END, 0, -1, NULL, 0));
}

/* The part of this type meant for process self, or NULL. */
static const struct config_part *
config_part_for(uint32_t type, enum imd_proc self)
{
	size_t	i;

	for (i = 0; i < CONFIG_NPARTS; i++)
		if (config_parts[i].cp_type == type)
			return ((config_parts[i].cp_to & TO(self)) != 0 ?
			    &config_parts[i] : NULL);
	return (NULL);
}

/*
 * Take one configuration message into conf, as process self.  Returns 1
 * at IMSG_CONF_END, 0 for a part taken; a malformed part, or one the
 * table does not send to self, is fatal.
 */
int
config_recv(struct imd_conf *conf, enum imd_proc self, struct imsgev *iev,
    struct imsg *imsg)
{
	const struct config_part	*cp;
	uint32_t			 reload;
	int				 r;

	switch (imsg->hdr.ih_type) {
	case IMSG_CONF_START:
		imsg_get_u32(imsg, &reload);
		r = imsg_get_end(imsg);
		break;
	case IMSG_CONF_END:
		if (imsg_get_end(imsg) == 0)
			return (1);
		r = -1;
		break;
	default:
		cp = config_part_for(imsg->hdr.ih_type, self);
		r = cp != NULL ? cp->cp_recv(conf, imsg) : -1;
	}
	if (r == -1)
		proc_fatal_imsg(iev, imsg, "configuration");
	return (0);
}
