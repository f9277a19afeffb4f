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
 * xmppd: XMPP server-to-server for the domains we serve, and the
 * gateway between their SIP users and the XMPP network.  It holds the
 * s2s streams and nothing else: it never opens the database, and asks
 * relayd where a peer domain's servers are.  Its peers: the parent
 * (configuration, the bound port), relayd (SIP requests for XMPP
 * domains, DNS), the listener (stanzas for our users, as SIP).
 */

#include <sys/types.h>

#include <event.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "cdefs.h"
#include "config.h"
#include "imd_msg.h"
#include "log.h"
#include "proc.h"
#include "sandbox.h"
#include "tls_policy.h"
#include "xmppd.h"

static void	xmppd_dispatch_relayd(struct imsgev *, struct imsg *);
static void	xmppd_dispatch_listener(struct imsgev *, struct imsg *);
static void	xmppd_dispatch_parent(struct imsgev *, struct imsg *);
static void	xmppd_start(void);

static const struct proc_peer xmppd_peers[] = {
	{ PROC_PARENT, xmppd_dispatch_parent },
	{ PROC_LISTENER, xmppd_dispatch_listener },
	{ PROC_RELAYD, xmppd_dispatch_relayd },
};

struct imd_conf		*xmppd_conf;

static const struct proc_self xmppd_self = {
	PROC_XMPPD, "xmppd", xmppd_peers,
	sizeof(xmppd_peers) / sizeof(xmppd_peers[0]),
	&xmppd_conf, xmppd_start, NULL
};

static SSL_CTX		*tls_server, *tls_client;
static int		 listen_fd = -1;
static struct event	 listen_ev;

/* imctl show xmpp, through the parent; the rest is every child's. */
static void
xmppd_dispatch_parent(struct imsgev *iev, struct imsg *imsg)
{
	if (imsg->hdr.ih_type != IMSG_XMPP_LIST) {
		proc_dispatch_parent(iev, imsg);
		return;
	}
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "xmpp list");
	stream_list(iev, imsg->hdr.ih_peerid);
}

static void
xmppd_dispatch_relayd(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_XMPP_SEND:
		gateway_sip_request(iev, imsg);
		break;
	case IMSG_XMPP_TARGETS:
		s2s_out_targets(iev, imsg);
		break;
	default:
		proc_fatal_imsg(iev, imsg, "unexpected");
	}
}

static void
xmppd_dispatch_listener(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_XMPP_RESPONSE:
		gateway_sip_response(iev, imsg);
		break;
	default:
		proc_fatal_imsg(iev, imsg, "unexpected");
	}
}

int
xmppd_is_ours(const char *domain)
{
	return (config_find_domain(xmppd_conf, domain) != NULL);
}

SSL_CTX *
xmppd_tls_server(void)
{
	return (tls_server);
}

SSL_CTX *
xmppd_tls_client(void)
{
	return (tls_client);
}

/* Every certificate is judged after the handshake, with its reason. */
static int
xmppd_verify(int ok IMD_UNUSED, X509_STORE_CTX *ctx IMD_UNUSED)
{
	return (1);
}

/*
 * One certificate for both directions: it proves our domain to a peer
 * we accept (server) and to a peer we connect to (SASL EXTERNAL, as
 * client).  Peers' certificates are checked against the CA file.
 */
static SSL_CTX *
xmppd_tls_ctx(int server)
{
	const struct conf_xmpp	*x = &xmppd_conf->c_xmpp;
	SSL_CTX			*ctx;

	if ((ctx = SSL_CTX_new(server ? TLS_server_method() :
	    TLS_client_method())) == NULL || tls_policy_apply(ctx, server) ==
	    -1)
		fatalx("xmpp: TLS context");
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, xmppd_verify);
	if (SSL_CTX_load_verify_locations(ctx, xmppd_conf->c_tls_ca, NULL) !=
	    1)
		log_warnx("xmpp: ca \"%s\": %s", xmppd_conf->c_tls_ca,
		    ERR_reason_error_string(ERR_get_error()));
	if (x->x_cert[0] != '\0' &&
	    (SSL_CTX_use_certificate_chain_file(ctx, x->x_cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, x->x_key, SSL_FILETYPE_PEM) !=
	    1 || SSL_CTX_check_private_key(ctx) != 1))
		fatalx("xmpp: certificate \"%s\" or key \"%s\": %s", x->x_cert,
		    x->x_key, ERR_reason_error_string(ERR_get_error()));
	ERR_clear_error();
	return (ctx);
}

/* Serving starts at the parent's word, once the whole suite is up. */
static void
xmppd_start(void)
{
	if (listen_fd == -1)
		return;
	event_set(&listen_ev, listen_fd, EV_READ | EV_PERSIST, stream_accept,
	    NULL);
	event_add(&listen_ev, NULL);
}

int
main(int argc, char *argv[])
{
	proc_child_start(&xmppd_self, argc, argv);
	/* Certificates, keys and CA file are read before the chroot. */
	listen_fd = xmppd_conf->c_xmpp.x_fd;
	xmppd_conf->c_xmpp.x_fd = -1;
	if (xmppd_conf->c_xmpp.x_cert[0] != '\0') {
		tls_server = xmppd_tls_ctx(1);
		tls_client = xmppd_tls_ctx(0);
	}
	proc_child_jail(xmppd_conf->c_chroot, xmppd_conf->c_uid,
	    xmppd_conf->c_gid);
	sandbox_apply(PROC_XMPPD);
	proc_child_ready();
	proc_child_loop();
}
