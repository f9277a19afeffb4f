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

/*
 * The listener's files in layers, each calling only those below it:
 *
 *	listener.c		main, the dispatch of each peer's messages
 *	sip_server.c		parse, refuse, route a request to its method
 *	registrar.c message.c publish.c subscribe.c
 *				the methods: REGISTER, MESSAGE, PUBLISH,
 *				SUBSCRIBE (dialog.c serves NOTIFY)
 *	call.c route.c		INVITE, CANCEL; the requests of a call's
 *				dialog (call.h)
 *	call_fork.c call_relay.c calls.c
 *				a call's branches, through relayd, the table
 *	invite_server.c invite_client.c
 *				INVITE transactions (beside tx.c)
 *	presence.c notify.c	presentities, their watchers, our NOTIFYs
 *	relaying.c offline_queue.c
 *				to relayd, to the offline queue
 *	dialog.c		our subscriptions elsewhere and their NOTIFYs
 *	fork.c inbound.c auth.c	forwarding to bindings, the inbound policy,
 *				digest authentication through authd
 *	request.c address.c	held requests; the address a URI names
 *	tx.c tx_client.c	server and client transactions
 *	sip_reply.c		the replies we make
 *	outbound.c		flows of RFC 5626: the bindings of a
 *				connection, gone with it
 *	transport.c conn.c tls.c ws.c ws_frame.c http.c
 *				sockets, stream connections, TLS, WebSocket
 *				and the web client's files (one layer:
 *				conn.c counts in transport_stats)
 *
 * What points up goes through a pointer the upper layer set: a held
 * request's rq_authed, rq_looked_up, rq_resume, rq_cleanup; a client
 * transaction's callback; conn_closed_hook, which outbound.c sets.  Two edges remain: the transport hands what
 * it reads to sip_input() (the regress tests put their own there), and
 * presence.c, notify.c and subscribe.c call one another, one module in
 * three files.  listener_conf is everyone's.
 */

#include <sys/queue.h>
#include <sys/tree.h>
#include <netinet/in.h>

#include <event.h>

#include "config.h"
#include "sip.h"

/* Where a message came from, and how to answer it. */
struct sip_peer {
	struct sockaddr_storage	 sp_ss;
	socklen_t		 sp_sslen;
	enum imd_transport	 sp_transport;
	int			 sp_fd;		/* udp socket */
	uint64_t		 sp_conn_id;	/* stream connection, 0: udp */
	uint32_t		 sp_xmpp;	/* xmppd's stanza, 0: none */
	uint32_t		 sp_tls_from;	/* handed over by the worker that
						   holds the TLS connection: its
						   certificate names the From's
						   domain (inbound tls-verified) */
};

struct transport_stats {
	uint64_t	ts_received;
	uint64_t	ts_oversized;
	uint64_t	ts_dropped;	/* unparsable, no answer possible */
	uint64_t	ts_bad;		/* answered 400 */
	uint64_t	ts_retransmits;	/* absorbed by a transaction */
	uint64_t	ts_conns;	/* stream connections accepted */
	uint64_t	ts_conns_refused; /* over a connection cap */
	uint64_t	ts_conns_bad;	/* closed for a framing error */
	uint64_t	ts_conns_timeout; /* idle or handshake too long */
	uint64_t	ts_tls_failed;	/* handshakes that failed */
	uint64_t	ts_keepalives;	/* double CRLF answered */
};

#define CONN_IDLE_TIMEOUT	120	/* seconds without input */
#define CONN_HANDSHAKE_TIMEOUT	10	/* seconds to finish TLS */
#define CONN_SEND_TIMEOUT	10	/* seconds queued output may wait */
#define WS_PING_IDLE		30	/* seconds a WebSocket idles unpinged:
					   NATs forget quiet flows (RFC 5626) */
#define CONN_NAME_MAX		(INET6_ADDRSTRLEN + 8)	/* [addr]:port */

/* What stream reads and writes return besides a byte count. */
#define CONN_IO_EOF		0
#define CONN_IO_ERROR		(-1)
#define CONN_IO_WAIT		(-2)	/* cn_rwant or cn_wwant says on what */

struct conn_addr;
struct ws;
struct ssl_ctx_st;
struct ssl_st;
struct x509_st;

/* A bound socket from the parent and how it is served. */
struct transport_listen {
	TAILQ_ENTRY(transport_listen) tl_entry;
	struct conf_listen	*tl_cl;
	char			 tl_name[CONN_NAME_MAX];
	struct event		 tl_ev;
	struct event		 tl_pause;	/* ends a pause in accept */
	struct ssl_ctx_st	*tl_ssl;	/* tls only */
	unsigned int		 tl_index;	/* its place among the listens:
						   the same in every worker */
};

/* A TCP or TLS connection from a client or a foreign server. */
struct conn {
	RB_ENTRY(conn)		 cn_entry;
	uint64_t		 cn_id;		/* never reused */
	struct sip_peer		 cn_peer;
	char			 cn_name[CONN_NAME_MAX];
	struct transport_listen	*cn_listen;
	struct conn_addr	*cn_addr;	/* count for this address */
	TAILQ_ENTRY(conn)	 cn_idle;	/* unauthenticated, by activity */
	int			 cn_fd;
	int			 cn_flags;
	struct event		 cn_rev;
	struct event		 cn_wev;
	struct event		 cn_timer;
	short			 cn_rwant;	/* what a read or the TLS
						   handshake waits for */
	short			 cn_wwant;	/* what a write waits for */
	char			*cn_in;
	size_t			 cn_inlen;
	size_t			 cn_insize;
	char			*cn_out;	/* cn_outlen bytes queued */
	size_t			 cn_outoff;	/* from here */
	size_t			 cn_outlen;
	size_t			 cn_outsize;
	struct ssl_st		*cn_ssl;
	struct x509_st		*cn_cert;	/* the client's, or NULL */
	struct ws		*cn_ws;		/* ws and wss only */
};

#define CONN_HANDSHAKE		0x01	/* TLS not yet established */
#define CONN_CLOSING		0x02	/* reads stopped, flushing output */
#define CONN_DEAD		0x04	/* unlinked, freed from its timer */
#define CONN_TLS_BROKEN		0x08	/* no close_notify on close */
#define CONN_AUTHED		0x10	/* a request on it passed digest auth */

extern struct imd_conf		*listener_conf;
extern struct transport_stats	 transport_stats;

/* transport.c */
int	transport_init(struct conf_listen *);
int	transport_start(struct conf_listen *);
int	transport_send(const struct sip_peer *, const char *, size_t);
void	transport_stats_export(void);
int	transport_origin(struct sip_peer *, char *, size_t);
int	transport_is_ours(const char *);

/* udp.c */
void	udp_read(int, short, void *);
int	udp_send(const struct sip_peer *, const char *, size_t);

/* conn.c */
int	conn_listen(struct transport_listen *);
int	conn_send(struct conn *, const char *, size_t);
int	conn_write(struct conn *, const char *, size_t);
void	conn_close(struct conn *, const char *);
void	conn_shutdown(struct conn *, const char *);
extern void (*conn_closed_hook)(uint64_t);	/* outbound.c's, by id */
struct conn *conn_find(uint64_t);
void	conn_authenticated(uint64_t);

/* tls.c */
struct ssl_ctx_st *tls_ctx_new(const struct conf_listen *);
int	tls_conn_start(struct conn *, struct ssl_ctx_st *);
int	tls_handshake(struct conn *);
ssize_t	tls_read(struct conn *, void *, size_t);
ssize_t	tls_write(struct conn *, const void *, size_t);
void	tls_conn_free(struct conn *);

/* ws.c */
void	ws_prepare(void);
int	ws_conn_start(struct conn *);
void	ws_conn_free(struct conn *);
int	ws_is_open(const struct conn *);
ssize_t	ws_input(struct conn *, const char *, size_t);
int	ws_send(struct conn *, const char *, size_t);
int	ws_drain(struct conn *);
int	ws_idle(struct conn *);

/* http.c: a request head, its fields pointing into the buffer */
#define HTTP_HEAD_MAX	8192
#define HTTP_MORE	(-1)
#define HTTP_BAD	(-2)
#define HTTP_TOO_LONG	(-3)
struct http_req {
	struct sip_str	hr_method;
	struct sip_str	hr_target;
	int		hr_http10;
	struct sip_str	hr_host;
	struct sip_str	hr_upgrade;
	struct sip_str	hr_connection;
	struct sip_str	hr_origin;
	struct sip_str	hr_key;
	struct sip_str	hr_version;
	struct sip_str	hr_length;
	struct sip_str	hr_te;
	int		hr_protocols;	/* Sec-WebSocket-Protocol seen */
	int		hr_sip;		/* and it names sip */
};
void	http_load(const char *);
ssize_t	http_request_parse(const char *, size_t, struct http_req *);
int	http_token_in(const struct sip_str *, const char *);
int	http_reply(struct conn *, unsigned int, const char *, const char *,
	    const char *);
int	http_serve(struct conn *, const struct http_req *, const char **,
	    size_t *);

/* outbound.c */
struct binding_rec;
struct imsg;
struct imsgev;
struct sip_req;
void	outbound_register(const struct sip_req *, struct binding_rec *,
	    int *);
void	outbound_reply(const struct sip_req *, struct sip_out *);
void	outbound_conn_closed(uint64_t);
void	outbound_flows_gone(uint64_t);
void	outbound_unbound(struct imsgev *, struct imsg *);

/* sip_reply.c */
#define SIP_REPLY_MAX	8192
struct sip_msg;
void	sip_limits_from_conf(struct sip_limits *);
void	sip_peer_addr(const struct sip_peer *, char *, size_t, uint16_t *);
int	sip_build_reply(struct sip_out *, const struct sip_peer *,
	    const struct sip_msg *, unsigned int, const char *, const char *);
int	sip_build_reply_tag(struct sip_out *, const struct sip_peer *,
	    const struct sip_msg *, unsigned int, const char *, const char *,
	    const char *);
size_t	sip_reply_size(const struct sip_msg *, const char *);
int	sip_reply(const struct sip_peer *, const struct sip_msg *,
	    unsigned int, const char *, const char *);

/* sip_server.c */
void	sip_input(const struct sip_peer *, const char *, size_t);

/*
 * worker.c: the hand-off between listener workers.  What one worker may
 * queue for another: past it a hand-off is dropped (a slow or flooded
 * worker must not make the others hold without bound).
 */
#define WORKER_QUEUE_MAX	(16 * 1024 * 1024)	/* bytes */
struct imsgev *worker_channel(unsigned int);
void	worker_limits(struct imd_conf *);
uint32_t worker_share(uint32_t);
uint64_t worker_conn_id(const struct transport_listen *, uint64_t);
int	worker_conn_is_ours(uint64_t);
unsigned int worker_conn_listen(uint64_t);
int	worker_send(const struct sip_peer *, const char *, size_t);
void	worker_conn_note(uint64_t, uint32_t);
int	worker_route(const struct sip_msg *, const struct sip_peer *,
	    const char *, size_t);
int	worker_pass_on(const struct sip_peer *, const char *, size_t);
void	worker_branch_mark(char *, size_t);
int	worker_response(const struct sip_msg *, const struct sip_peer *,
	    const char *, size_t);
void	worker_registered(const char *, int);
void	worker_dispatch(struct imsgev *, struct imsg *);
struct transport_listen *transport_listen_at(unsigned int);
int	transport_listen_index(int);

/* xmpp.c */
void	xmpp_request(struct imsgev *, struct imsg *);
int	xmpp_reply(const struct sip_peer *, const char *, size_t);
void	sip_refuse_oversized(const struct sip_peer *, const char *, size_t);

#endif /* IMD_LISTENER_H */
