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

#ifndef IMC_UA_H
#define IMC_UA_H

/*
 * The inside of the user agent, shared by ua.c (transactions),
 * ua_net.c (the connection) and ua_msg.c (what goes on the wire).
 * The commands see only the interface in imc.h.
 */

#include <sys/socket.h>

#include <openssl/ssl.h>

#define UA_DEDUP_MAX	8	/* responses kept for retransmitted requests */
#define UA_KEY_MAX	(IMC_TAG_MAX * 2 + 32)

struct ua_tx {
	TAILQ_ENTRY(ua_tx)	 tx_entry;
	int			 tx_linked;
	struct ua		*tx_ua;
	struct ua_req		*tx_req;
	struct ua_origin	 tx_dest;
	char			 tx_branch[IMC_TAG_MAX];
	char			*tx_buf;
	size_t			 tx_len;
	struct event		*tx_retrans;	/* timers A/E, UDP only */
	struct event		*tx_timeout;	/* timers B/F */
	int			 tx_interval;	/* ms */
	int			 tx_cred;	/* UA_CRED_* sent with it */
	int			 tx_stale;	/* stale nonces answered */
	ua_resp_cb		 tx_cb;
	void			*tx_arg;
};

#define UA_CRED_NONE	0
#define UA_CRED_CACHED	1	/* a nonce from an earlier challenge */
#define UA_CRED_FRESH	2	/* answering this transaction's challenge */

struct ua_dedup {
	char			 dd_key[UA_KEY_MAX];
	char			*dd_resp;
	size_t			 dd_len;
};

struct ua {
	struct event_base	*ua_base;
	struct imc_conf		*ua_conf;
	int			 ua_fd;
	struct event		*ua_rev;	/* UDP */
	struct bufferevent	*ua_bev;	/* TCP and TLS */
	SSL_CTX			*ua_ssl_ctx;
	char			 ua_srvname[IMD_DOMAIN_MAX + 8];
	char			 ua_lhost[64];
	uint16_t		 ua_lport;
	char			 ua_contact[IMC_URI_MAX];
	char			 ua_fromtag[IMC_TAG_MAX];
	char			 ua_err[1024];
	int			 ua_failed;
	TAILQ_HEAD(, ua_tx)	 ua_txs;
	ua_req_cb		 ua_req_cb;
	void			*ua_req_arg;
	ua_req_cb		 ua_late_cb;	/* a 2xx again, its INVITE done */
	void			*ua_late_arg;
	struct ua_cred		*ua_www;	/* 401 */
	struct ua_cred		*ua_proxy;	/* 407 */
	/* Which challenge each method met last, to answer it at once. */
	unsigned int		 ua_kind[SIP_METHOD_UPDATE + 1];
	struct ua_dedup		 ua_dedup[UA_DEDUP_MAX];
	size_t			 ua_dedup_next;
	int			 ua_noauth;	/* a peer, not our server */
	/* Direct mode: peers' requests on our contact's port (ua_peer.c). */
	int			 ua_pfd;
	struct event		*ua_prev;
	struct sockaddr_storage	 ua_peer;	/* while answering a peer */
	socklen_t		 ua_peerlen;	/* 0: the server */
};

/* ua.c */
void	ua_fail(struct ua *, const char *, ...)
	    __attribute__((__format__ (printf, 2, 3)));
void	ua_handle(struct ua *, const char *, size_t, int);
int	ua_tx_restart(struct ua_tx *);

/* ua_msg.c */
int	ua_tx_build(struct ua_tx *);
int	ua_req_print(struct ua *, struct ua_req *, const char *,
	    struct ua_tx *, char **, size_t *);
void	ua_ack_failure(struct ua_tx *, const struct sip_msg *);
int	ua_send_cancel(struct ua *, const struct ua_origin *,
	    const struct ua_req *, const char *);
int	ua_tx_auth_retry(struct ua_tx *, const struct sip_msg *);
int	ua_dedup_replay(struct ua *, const struct sip_msg *);
void	ua_dedup_free(struct ua *);

/* ua_peer.c */
int	ua_peer_prepare(struct ua *);
int	ua_peer_open(struct ua *);
void	ua_peer_close(struct ua *);
int	ua_peer_send(struct ua *, const char *, size_t);

/* ua_net.c */
int	ua_send_raw(struct ua *, const char *, size_t);
int	ua_send_dest(struct ua *, const struct ua_origin *, const char *,
	    size_t);
void	ua_udp_read(evutil_socket_t, short, void *);
void	ua_stream_read(struct bufferevent *, void *);
void	ua_stream_event(struct bufferevent *, short, void *);

#endif /* IMC_UA_H */
