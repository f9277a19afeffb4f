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


#ifndef IMD_LISTENER_H
#define IMD_LISTENER_H

#include "config.h"
#include "sip.h"

/* Where a message came from, and how to answer it. */
struct sip_peer {
	struct sockaddr_storage	 sp_ss;
	socklen_t		 sp_sslen;
	enum imd_transport	 sp_transport;
	int			 sp_fd;
};

struct transport_stats {
	uint64_t	ts_received;
	uint64_t	ts_oversized;
	uint64_t	ts_dropped;	/* unparsable, no answer possible */
	uint64_t	ts_bad;		/* answered 400 */
};

extern struct imd_conf		*listener_conf;
extern struct transport_stats	 transport_stats;

/* transport.c */
int	transport_start(struct conf_listen *);
int	transport_send(const struct sip_peer *, const char *, size_t);

/* sip_server.c */
#define SIP_REPLY_MAX	8192
struct sip_msg;
void	sip_input(const struct sip_peer *, const char *, size_t);
int	sip_reply(const struct sip_peer *, const struct sip_msg *,
	    unsigned int, const char *, const char *);
struct sip_str sip_local_tag(void);

#endif /* IMD_LISTENER_H */
