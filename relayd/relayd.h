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


#ifndef IMD_RELAYD_H
#define IMD_RELAYD_H

/*
 * relayd's parts: relay.c carries each request of the listener for a
 * foreign domain to that domain's server and the final response back;
 * out.c holds the outbound sockets and connections it goes over;
 * verify.c tells the listener whether an address is a domain's server.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stdint.h>

#include "config.h"

struct imsg;
struct imsgev;
struct sip_limits;
struct sip_msg;

/* Where one attempt goes: address, transport, and for TLS the name. */
struct out_dest {
	enum imd_transport	 od_transport;
	struct sockaddr_storage	 od_ss;
	socklen_t		 od_sslen;
	char			 od_name[IMD_DOMAIN_MAX]; /* the certificate's */
};

#define OUT_VIA_MAX		128	/* "SIP/2.0/TLS [v6]:port" */
#define OUT_IDLE_S		300	/* an unused connection is closed */
#define OUT_CONNECT_S		10	/* connect and TLS handshake */

/* How a connection was lost, for relay_conn_lost(). */
#define OUT_LOST_DOWN		0	/* never up: nothing went out */
#define OUT_LOST_UP		1	/* requests on it may have arrived */
#define OUT_LOST_REFUSED	2	/* its certificate is wrong: no retry */

/* relayd.c */
extern struct imd_conf	*relayd_conf;

/* out.c */
void		 out_init(const struct imd_conf *);
int		 out_origin(const struct out_dest *, char *, size_t,
		    uint64_t *);
int		 out_send(const struct out_dest *, uint64_t, const char *,
		    size_t);
void		 out_limits(struct sip_limits *);

/* relay.c */
void		 relay_request(struct imsgev *, struct imsg *);
void		 relay_response(const struct sip_msg *);
void		 relay_cancel(struct imsgev *, struct imsg *);

/* missed.c */
void		 missed_mail(struct imsgev *, struct imsg *);
void		 relay_conn_lost(uint64_t, const char *, int);
void		 relay_xmpp_sent(struct imsgev *, struct imsg *);
int		 addr_is_private(const struct sockaddr_storage *);

/* xmpp_dns.c */
void		 xmpp_resolve(struct imsgev *, struct imsg *);

/* verify.c */
void		 verify_request(struct imsgev *, struct imsg *);

#endif /* IMD_RELAYD_H */
