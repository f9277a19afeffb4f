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
 * Where an XMPP domain's servers are, for xmppd, which resolves
 * nothing itself: the domain's `route ... xmpp` with an address, else
 * DNS (dns_resolve_xmpp()).  As for SIP, DNS may not name private or
 * loopback addresses unless `relay private-addresses yes`.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dns.h"
#include "imd_msg.h"
#include "log.h"
#include "proc.h"
#include "relayd.h"

#define XMPP_LOOKUPS_MAX	256

struct xmpp_lookup {
	uint32_t	xl_id;
	char		xl_domain[IMD_DOMAIN_MAX];
};

static size_t	nlookups;

static void
xmpp_answer(uint32_t id, int error, const struct dns_target *t, size_t n)
{
	struct imsgev	*xmppd = proc_peer(PROC_XMPPD);
	struct ibuf	*buf;
	size_t		 i;

	if ((buf = imsgev_create(xmppd, IMSG_XMPP_TARGETS, id, 8 + n *
	    (8 + sizeof(t[0].dt_ss)))) == NULL ||
	    ibuf_add_u32(buf, error) == -1 || ibuf_add_u32(buf, n) == -1)
		fatal("%s", __func__);
	for (i = 0; i < n; i++)
		if (ibuf_add_u32(buf, t[i].dt_transport == TRANSPORT_TLS) ==
		    -1 || ibuf_add_u32(buf, t[i].dt_sslen) == -1 ||
		    ibuf_add_data(buf, &t[i].dt_ss, sizeof(t[i].dt_ss)) == -1)
			fatal("%s", __func__);
	if (imsgev_close(xmppd, buf) == -1)
		fatal("%s", __func__);
}

static void
xmpp_resolved(void *arg, const struct dns_target *t, size_t n, int error)
{
	struct xmpp_lookup	*xl = arg;
	struct dns_target	 keep[DNS_TARGETS_MAX];
	size_t			 i, nkeep = 0;

	for (i = 0; i < n && nkeep < DNS_TARGETS_MAX; i++) {
		if (!relayd_conf->c_relay_private &&
		    addr_is_private(&t[i].dt_ss))
			continue;
		keep[nkeep++] = t[i];
	}
	if (error != 0 || nkeep == 0)
		log_info("xmpp: %s: %s", xl->xl_domain, error != 0 ?
		    dns_strerror(error) : "no usable address");
	xmpp_answer(xl->xl_id, error, keep, nkeep);
	free(xl);
	nlookups--;
}

/* IMSG_XMPP_RESOLVE: str domain; lookup id in the peer id. */
void
xmpp_resolve(struct imsgev *iev, struct imsg *imsg)
{
	const struct conf_route	*cr;
	struct xmpp_lookup	*xl;
	struct dns_target	 t;
	char			 domain[IMD_DOMAIN_MAX];
	uint32_t		 id = imsg->hdr.ih_peerid;

	imsg_get_str(imsg, domain, sizeof(domain));
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "xmpp resolve");
	if ((cr = config_find_route(relayd_conf, domain)) != NULL &&
	    cr->cr_xmpp && cr->cr_ss.ss_family != 0) {
		memset(&t, 0, sizeof(t));
		t.dt_transport = TRANSPORT_TCP;
		t.dt_ss = cr->cr_ss;
		t.dt_sslen = cr->cr_sslen;
		xmpp_answer(id, 0, &t, 1);
		return;
	}
	if (relayd_conf->c_resolver.ss_family == 0 ||
	    nlookups >= XMPP_LOOKUPS_MAX ||
	    (xl = calloc(1, sizeof(*xl))) == NULL) {
		xmpp_answer(id, DNS_EFAIL, NULL, 0);
		return;
	}
	xl->xl_id = id;
	strlcpy(xl->xl_domain, domain, sizeof(xl->xl_domain));
	if (dns_resolve_xmpp(domain, xmpp_resolved, xl) == -1) {
		log_warn("xmpp: resolve %s", domain);
		free(xl);
		xmpp_answer(id, DNS_EFAIL, NULL, 0);
		return;
	}
	nlookups++;
}
