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
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "imd_msg.h"
#include "log.h"
#include "proc.h"

static int
config_send_global(struct imsgev *iev, const struct imd_conf *conf)
{
	const struct conf_limits	*lim = &conf->c_limits;
	struct ibuf			*buf;

	if ((buf = imsgev_create(iev, IMSG_CONF_GLOBAL, 0,
	    256 + sizeof(conf->c_mta) + sizeof(conf->c_mail_from) +
	    sizeof(conf->c_offline.off_quota) +
	    sizeof(conf->c_mail_sender))) == NULL)
		return (-1);
	if (ibuf_add_u32(buf, conf->c_uid) == -1 ||
	    ibuf_add_u32(buf, conf->c_gid) == -1 ||
	    ibuf_add_str(buf, conf->c_chroot, sizeof(conf->c_chroot)) == -1 ||
	    ibuf_add_u32(buf, lim->lim_msg_size) == -1 ||
	    ibuf_add_u32(buf, lim->lim_headers) == -1 ||
	    ibuf_add_u32(buf, lim->lim_line) == -1 ||
	    ibuf_add_u32(buf, lim->lim_conns) == -1 ||
	    ibuf_add_u32(buf, lim->lim_conns_per_addr) == -1 ||
	    ibuf_add_u32(buf, lim->lim_min_expires) == -1 ||
	    ibuf_add_u32(buf, lim->lim_max_expires) == -1 ||
	    ibuf_add_u32(buf, lim->lim_conns_unauth) == -1 ||
	    ibuf_add_u32(buf, lim->lim_held) == -1 ||
	    ibuf_add_u32(buf, lim->lim_held_per_addr) == -1 ||
	    ibuf_add_u32(buf, lim->lim_held_bytes) == -1 ||
	    ibuf_add_u32(buf, lim->lim_held_bytes_per_addr) == -1 ||
	    ibuf_add_u32(buf, lim->lim_unauth_wait) == -1 ||
	    ibuf_add_u32(buf, lim->lim_ipv4_prefix) == -1 ||
	    ibuf_add_u32(buf, lim->lim_ipv6_prefix) == -1 ||
	    ibuf_add_u32(buf, conf->c_offline.off_policy) == -1 ||
	    ibuf_add_u32(buf, conf->c_offline.off_age) == -1 ||
	    ibuf_add_u32(buf, conf->c_offline.off_mail_after) == -1 ||
	    ibuf_add_data(buf, conf->c_offline.off_quota,
	    sizeof(conf->c_offline.off_quota)) == -1 ||
	    ibuf_add_u32(buf, conf->c_offline.off_mail_max) == -1 ||
	    ibuf_add_u32(buf, conf->c_offline.off_mail_period) == -1 ||
	    ibuf_add_str(buf, conf->c_mail_sender,
	    sizeof(conf->c_mail_sender)) == -1 ||
	    ibuf_add_u32(buf, conf->c_mtalen) == -1 ||
	    ibuf_add_data(buf, &conf->c_mta, sizeof(conf->c_mta)) == -1 ||
	    ibuf_add_str(buf, conf->c_mail_from,
	    sizeof(conf->c_mail_from)) == -1 ||
	    ibuf_add_u32(buf, conf->c_nauth_algs) == -1 ||
	    ibuf_add_data(buf, conf->c_auth_algs,
	    sizeof(conf->c_auth_algs)) == -1 ||
	    ibuf_add_u32(buf, conf->c_inbound) == -1 ||
	    ibuf_add_u32(buf, conf->c_relay_private) == -1 ||
	    ibuf_add_u32(buf, conf->c_resolverlen) == -1 ||
	    ibuf_add_data(buf, &conf->c_resolver,
	    sizeof(conf->c_resolver)) == -1 ||
	    ibuf_add_str(buf, conf->c_tls_ca, sizeof(conf->c_tls_ca)) == -1 ||
	    ibuf_add_data(buf, &conf->c_presence,
	    sizeof(conf->c_presence)) == -1) {
		ibuf_free(buf);
		return (-1);
	}
	return (imsgev_close(iev, buf));
}

static int
config_send_domain(struct imsgev *iev, const struct conf_domain *cd)
{
	struct ibuf	*buf;

	if ((buf = imsgev_create(iev, IMSG_CONF_DOMAIN, 0, 512)) == NULL)
		return (-1);
	if (ibuf_add_str(buf, cd->cd_name, sizeof(cd->cd_name)) == -1 ||
	    ibuf_add_str(buf, cd->cd_realm, sizeof(cd->cd_realm)) == -1 ||
	    ibuf_add_u32(buf, cd->cd_direct) == -1) {
		ibuf_free(buf);
		return (-1);
	}
	return (imsgev_close(iev, buf));
}

/*
 * The listener gets the bound socket with it, and the parent keeps no
 * copy; relayd gets only the address (its outbound source) and files.
 */
static int
config_send_listen(struct imsgev *iev, struct conf_listen *cl, int with_fd)
{
	struct ibuf	*buf;

	if ((buf = imsgev_create(iev, IMSG_CONF_LISTEN, 0, 512)) == NULL)
		return (-1);
	if (ibuf_add_u32(buf, cl->cl_transport) == -1 ||
	    ibuf_add_u32(buf, cl->cl_sslen) == -1 ||
	    ibuf_add_data(buf, &cl->cl_ss, sizeof(cl->cl_ss)) == -1 ||
	    ibuf_add_str(buf, cl->cl_cert, sizeof(cl->cl_cert)) == -1 ||
	    ibuf_add_str(buf, cl->cl_key, sizeof(cl->cl_key)) == -1) {
		ibuf_free(buf);
		return (-1);
	}
	if (with_fd) {
		ibuf_set_fd(buf, cl->cl_fd);
		cl->cl_fd = -1;
	}
	return (imsgev_close(iev, buf));
}

static int
config_send_route(struct imsgev *iev, const struct conf_route *cr)
{
	struct ibuf	*buf;

	if ((buf = imsgev_create(iev, IMSG_CONF_ROUTE, 0, 512)) == NULL)
		return (-1);
	if (ibuf_add_str(buf, cr->cr_domain, sizeof(cr->cr_domain)) == -1 ||
	    ibuf_add_u32(buf, cr->cr_transport) == -1 ||
	    ibuf_add_u32(buf, cr->cr_sslen) == -1 ||
	    ibuf_add_data(buf, &cr->cr_ss, sizeof(cr->cr_ss)) == -1) {
		ibuf_free(buf);
		return (-1);
	}
	return (imsgev_close(iev, buf));
}

int
config_send(struct imsgev *iev, struct imd_conf *conf, int to,
    int reload)
{
	struct conf_domain	*cd;
	struct conf_listen	*cl;
	struct conf_route	*cr;
	uint32_t		 r = reload;

	if (imsgev_compose(iev, IMSG_CONF_START, 0, -1, &r, sizeof(r)) == -1 ||
	    config_send_global(iev, conf) == -1)
		return (-1);
	TAILQ_FOREACH(cd, &conf->c_domains, cd_entry)
		if (config_send_domain(iev, cd) == -1)
			return (-1);
	if (to == PROC_LISTENER && !reload) {
		TAILQ_FOREACH(cl, &conf->c_listens, cl_entry)
			if (config_send_listen(iev, cl, 1) == -1)
				return (-1);
	}
	if (to == PROC_RELAYD) {
		TAILQ_FOREACH(cl, &conf->c_listens, cl_entry)
			if (config_send_listen(iev, cl, 0) == -1)
				return (-1);
	}
	/* The listener's too: a route names a domain's server (inbound). */
	if (to == PROC_RELAYD || to == PROC_LISTENER)
		TAILQ_FOREACH(cr, &conf->c_routes, cr_entry)
			if (config_send_route(iev, cr) == -1)
				return (-1);
	if (to == PROC_DIRDB && imsgev_compose(iev, IMSG_CONF_DATABASE, 0, -1,
	    conf->c_database, strlen(conf->c_database) + 1) == -1)
		return (-1);
	return (imsgev_compose(iev, IMSG_CONF_END, 0, -1, NULL, 0));
}

static int
config_recv_global(struct imd_conf *conf, struct imsg *imsg)
{
	struct conf_limits	*lim = &conf->c_limits;
	uint32_t		 uid, gid, mtalen;

	if (imsg_get_u32(imsg, &uid) == -1 || imsg_get_u32(imsg, &gid) == -1 ||
	    imsg_get_str(imsg, conf->c_chroot, sizeof(conf->c_chroot)) == -1 ||
	    imsg_get_u32(imsg, &lim->lim_msg_size) == -1 ||
	    imsg_get_u32(imsg, &lim->lim_headers) == -1 ||
	    imsg_get_u32(imsg, &lim->lim_line) == -1 ||
	    imsg_get_u32(imsg, &lim->lim_conns) == -1 ||
	    imsg_get_u32(imsg, &lim->lim_conns_per_addr) == -1 ||
	    imsg_get_u32(imsg, &lim->lim_min_expires) == -1 ||
	    imsg_get_u32(imsg, &lim->lim_max_expires) == -1 ||
	    imsg_get_u32(imsg, &lim->lim_conns_unauth) == -1 ||
	    imsg_get_u32(imsg, &lim->lim_held) == -1 ||
	    imsg_get_u32(imsg, &lim->lim_held_per_addr) == -1 ||
	    imsg_get_u32(imsg, &lim->lim_held_bytes) == -1 ||
	    imsg_get_u32(imsg, &lim->lim_held_bytes_per_addr) == -1 ||
	    imsg_get_u32(imsg, &lim->lim_unauth_wait) == -1 ||
	    imsg_get_u32(imsg, &lim->lim_ipv4_prefix) == -1 ||
	    imsg_get_u32(imsg, &lim->lim_ipv6_prefix) == -1 ||
	    imsg_get_u32(imsg, &conf->c_offline.off_policy) == -1 ||
	    conf->c_offline.off_policy > OFFLINE_POLICY_STORE_MAIL ||
	    imsg_get_u32(imsg, &conf->c_offline.off_age) == -1 ||
	    imsg_get_u32(imsg, &conf->c_offline.off_mail_after) == -1 ||
	    imsg_get_data(imsg, conf->c_offline.off_quota,
	    sizeof(conf->c_offline.off_quota)) == -1 ||
	    imsg_get_u32(imsg, &conf->c_offline.off_mail_max) == -1 ||
	    conf->c_offline.off_mail_max == 0 ||
	    imsg_get_u32(imsg, &conf->c_offline.off_mail_period) == -1 ||
	    conf->c_offline.off_mail_period == 0 ||
	    imsg_get_str(imsg, conf->c_mail_sender,
	    sizeof(conf->c_mail_sender)) == -1 ||
	    imsg_get_u32(imsg, &mtalen) == -1 ||
	    mtalen > sizeof(conf->c_mta) ||
	    imsg_get_data(imsg, &conf->c_mta, sizeof(conf->c_mta)) == -1 ||
	    imsg_get_str(imsg, conf->c_mail_from,
	    sizeof(conf->c_mail_from)) == -1 ||
	    imsg_get_u32(imsg, &conf->c_nauth_algs) == -1 ||
	    conf->c_nauth_algs < 1 || conf->c_nauth_algs > CONF_AUTH_ALGS ||
	    imsg_get_data(imsg, conf->c_auth_algs,
	    sizeof(conf->c_auth_algs)) == -1 ||
	    imsg_get_u32(imsg, &conf->c_inbound) == -1 ||
	    conf->c_inbound > INBOUND_VERIFIED ||
	    imsg_get_u32(imsg, &conf->c_relay_private) == -1 ||
	    conf->c_relay_private > 1 ||
	    imsg_get_u32(imsg, &conf->c_resolverlen) == -1 ||
	    conf->c_resolverlen > sizeof(conf->c_resolver) ||
	    imsg_get_data(imsg, &conf->c_resolver,
	    sizeof(conf->c_resolver)) == -1 ||
	    imsg_get_str(imsg, conf->c_tls_ca, sizeof(conf->c_tls_ca)) == -1 ||
	    imsg_get_data(imsg, &conf->c_presence,
	    sizeof(conf->c_presence)) == -1 ||
	    conf->c_presence.pr_authorize > PRESENCE_AUTH_ASK ||
	    imsg_get_end(imsg) == -1)
		return (-1);
	conf->c_uid = uid;
	conf->c_gid = gid;
	conf->c_mtalen = mtalen;
	return (0);
}

static int
config_recv_domain(struct imd_conf *conf, struct imsg *imsg)
{
	struct conf_domain	*cd;

	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		fatal("%s", __func__);
	if (imsg_get_str(imsg, cd->cd_name, sizeof(cd->cd_name)) == -1 ||
	    imsg_get_str(imsg, cd->cd_realm, sizeof(cd->cd_realm)) == -1 ||
	    imsg_get_u32(imsg, &cd->cd_direct) == -1 || cd->cd_direct > 1 ||
	    imsg_get_end(imsg) == -1) {
		free(cd);
		return (-1);
	}
	TAILQ_INSERT_TAIL(&conf->c_domains, cd, cd_entry);
	return (0);
}

static int
config_recv_route(struct imd_conf *conf, struct imsg *imsg)
{
	struct conf_route	*cr;
	uint32_t		 transport, sslen;

	if ((cr = calloc(1, sizeof(*cr))) == NULL)
		fatal("%s", __func__);
	if (imsg_get_str(imsg, cr->cr_domain, sizeof(cr->cr_domain)) == -1 ||
	    imsg_get_u32(imsg, &transport) == -1 ||
	    imsg_get_u32(imsg, &sslen) == -1 ||
	    imsg_get_data(imsg, &cr->cr_ss, sizeof(cr->cr_ss)) == -1 ||
	    imsg_get_end(imsg) == -1 || transport > TRANSPORT_TLS ||
	    sslen > sizeof(cr->cr_ss)) {
		free(cr);
		return (-1);
	}
	cr->cr_transport = transport;
	cr->cr_sslen = sslen;
	TAILQ_INSERT_TAIL(&conf->c_routes, cr, cr_entry);
	return (0);
}

static int
config_recv_listen(struct imd_conf *conf, struct imsg *imsg)
{
	struct conf_listen	*cl;
	uint32_t		 transport, sslen;

	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		fatal("%s", __func__);
	cl->cl_fd = imsg_get_fd(imsg);
	if (imsg_get_u32(imsg, &transport) == -1 ||
	    imsg_get_u32(imsg, &sslen) == -1 ||
	    imsg_get_data(imsg, &cl->cl_ss, sizeof(cl->cl_ss)) == -1 ||
	    imsg_get_str(imsg, cl->cl_cert, sizeof(cl->cl_cert)) == -1 ||
	    imsg_get_str(imsg, cl->cl_key, sizeof(cl->cl_key)) == -1 ||
	    imsg_get_end(imsg) == -1 ||
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

/*
 * Take one configuration message into conf.  Returns 1 at IMSG_CONF_END,
 * 0 for a part taken; a malformed part from the parent is fatal.
 */
int
config_recv(struct imd_conf *conf, struct imsgev *iev, struct imsg *imsg)
{
	uint32_t	reload;
	int		r = 0;

	switch (imsg->hdr.ih_type) {
	case IMSG_CONF_START:
		r = imsg_get_u32(imsg, &reload) == -1 ||
		    imsg_get_end(imsg) == -1 ? -1 : 0;
		break;
	case IMSG_CONF_GLOBAL:
		r = config_recv_global(conf, imsg);
		break;
	case IMSG_CONF_DOMAIN:
		r = config_recv_domain(conf, imsg);
		break;
	case IMSG_CONF_LISTEN:
		r = config_recv_listen(conf, imsg);
		break;
	case IMSG_CONF_ROUTE:
		r = config_recv_route(conf, imsg);
		break;
	case IMSG_CONF_DATABASE:
		r = imsg_get_str(imsg, conf->c_database,
		    sizeof(conf->c_database)) == -1 ||
		    imsg_get_end(imsg) == -1 ? -1 : 0;
		break;
	case IMSG_CONF_END:
		if (imsg_get_end(imsg) == -1)
			r = -1;
		else
			return (1);
		break;
	default:
		r = -1;
	}
	if (r == -1)
		proc_fatal_imsg(iev, imsg, "configuration");
	return (0);
}
