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


#ifndef IMD_XMPPD_H
#define IMD_XMPPD_H

/*
 * xmppd: XMPP server-to-server for our domains (RFC 6120), the gateway
 * between SIP requests and XMPP stanzas (RFC 7247, RFC 7572).
 *
 *	parser.c	the XML stream: expat, restricted XML, bounds
 *	stream.c	one TCP stream: reads, writes, TLS, timers, limits
 *	s2s_in.c	streams peers open to us: STARTTLS, SASL EXTERNAL
 *	s2s_out.c	streams we open: DNS through relayd, connect, auth
 *	gateway.c	SIP MESSAGE <-> <message/>, addresses, error codes
 *	presence.c	roster subscriptions to our users, their NOTIFYs as presence
 *	watch.c		our users' subscriptions to Jabber users
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <event.h>
#include <stddef.h>
#include <stdint.h>

#include <expat.h>

#include "config.h"
#include "proc.h"

#define XMPP_NS_STREAM	"http://etherx.jabber.org/streams"
#define XMPP_NS_SERVER	"jabber:server"
#define XMPP_NS_TLS	"urn:ietf:params:xml:ns:xmpp-tls"
#define XMPP_NS_SASL	"urn:ietf:params:xml:ns:xmpp-sasl"
#define XMPP_NS_STANZAS	"urn:ietf:params:xml:ns:xmpp-stanzas"
#define XMPP_NS_STREAMS	"urn:ietf:params:xml:ns:xmpp-streams"
#define XMPP_NS_DB	"jabber:server:dialback"
#define XMPP_NS_DBFEAT	"urn:xmpp:features:dialback"

#define XMPP_SEP	'|'	/* expat: "namespace|local" */
#define XMPP_OUT_MAX	(1024 * 1024)	/* bytes queued to one peer */
#define XMPP_QUEUE_MAX	1024	/* stanzas waiting for one stream */
#define XMPP_HANDSHAKE_S 20	/* s to open, secure, authenticate */
#define XMPP_ERROR_WAIT_MS 1000	/* an error stanza for a message */

/* An element of a stanza: children in order, text concatenated. */
struct xnode {
	char		*xn_name;	/* "namespace|local" */
	char		**xn_attrs;	/* name, value, ..., NULL */
	char		*xn_text;
	size_t		 xn_textlen;
	struct xnode	*xn_child;
	struct xnode	*xn_last;
	struct xnode	*xn_next;
	struct xnode	*xn_parent;
};

struct xparser {
	XML_Parser	 xp_p;
	size_t		 xp_limit;	/* bytes of one stanza */
	size_t		 xp_used;	/* by the stanza being read */
	uint64_t	 xp_fed;	/* bytes given to expat */
	uint64_t	 xp_mark;	/* where unconsumed input starts */
	int		 xp_depth;
	int		 xp_opened;	/* the stream header came */
	int		 xp_closed;	/* </stream:stream> came */
	const char	*xp_error;	/* why the stream must end */
	struct xnode	*xp_open;	/* the header, as an element */
	struct xnode	*xp_cur;	/* being read */
	struct xnode	*xp_ready[64];	/* complete stanzas, in order */
	size_t		 xp_nready;
	size_t		 xp_first;
};

int		 xparser_init(struct xparser *, size_t);
void		 xparser_free(struct xparser *);
int		 xparser_feed(struct xparser *, const char *, size_t);
struct xnode	*xparser_next(struct xparser *);
void		 xnode_free(struct xnode *);
const char	*xnode_attr(const struct xnode *, const char *);
struct xnode	*xnode_child(const struct xnode *, const char *);
int		 xnode_is(const struct xnode *, const char *, const char *);
const char	*xnode_local(const struct xnode *);
size_t		 xml_escape(char *, size_t, const char *, size_t);

enum xs_dir {
	XS_IN,			/* a peer opened it: we receive */
	XS_OUT,			/* we opened it: we send */
};

enum xs_state {
	XS_RESOLVING,		/* out: waiting for relayd */
	XS_CONNECTING,		/* out: connect(2) in progress */
	XS_OPENING,		/* waiting for the peer's header */
	XS_FEATURES,		/* out: waiting for features */
	XS_STARTTLS,		/* out: <starttls/> sent */
	XS_TLS,			/* handshake running */
	XS_AUTH,		/* out: <auth/> sent */
	XS_READY,		/* authenticated: stanzas flow */
	XS_CLOSING,		/* flushing, then closed */
};

/* A stanza waiting for an outbound stream, or for a possible error. */
struct xsend {
	TAILQ_ENTRY(xsend)	 xq_entry;
	uint32_t		 xq_job;	/* relayd's, 0: none waits */
	char			 xq_id[40];	/* the stanza's id */
	char			*xq_text;
	size_t			 xq_len;
	struct event		 xq_timer;	/* the error wait */
};
TAILQ_HEAD(xsend_queue, xsend);

struct xstream {
	TAILQ_ENTRY(xstream)	 xs_entry;
	uint64_t		 xs_id;
	enum xs_dir		 xs_dir;
	enum xs_state		 xs_state;
	int			 xs_fd;
	struct ssl_st		*xs_ssl;
	int			 xs_secure;	/* TLS established */
	int			 xs_tls_next;	/* start TLS once flushed */
	int			 xs_close_next;	/* close once flushed */
	int			 xs_direct;	/* XEP-0368: TLS at once */
	int			 xs_header_sent; /* our stream header */
	int			 xs_open_seen;	/* the peer's, handled */
	int			 xs_freeing;	/* xs_timer frees it */
	time_t			 xs_last;	/* last input or output */
	time_t			 xs_started;
	short			 xs_want;	/* what TLS waits for */
	char			 xs_peer[64];	/* address:port */
	char			 xs_local[IMD_DOMAIN_MAX];
	char			 xs_remote[IMD_DOMAIN_MAX];
	const char		*xs_auth;	/* how the peer proved itself */
	char			 xs_sid[33];
	struct xparser		 xs_parser;
	struct event		 xs_rev;
	struct event		 xs_wev;
	struct event		 xs_timer;
	char			*xs_out;
	size_t			 xs_outlen;
	size_t			 xs_outsize;
	/* in: a dialback key being verified, by a verify stream */
	int			 xs_db_pending;
	/* out only */
	uint64_t		 xs_db_for;	/* a verify stream: the inbound
						   stream asking, 0: none */
	char			*xs_db_key;
	char			 xs_db_id[64];	/* that stream's id */
	struct xsend_queue	 xs_queue;
	size_t			 xs_nqueue;
	uint32_t		 xs_lookup;	/* relayd's answer for it */
	struct xtarget		*xs_targets;
	size_t			 xs_ntargets;
	size_t			 xs_next;
};

struct xtarget {
	struct sockaddr_storage	 xt_ss;
	socklen_t		 xt_sslen;
	int			 xt_direct;	/* _xmpps-server */
};

TAILQ_HEAD(xstream_list, xstream);

/* xmppd.c */
extern struct imd_conf	*xmppd_conf;
int		 xmppd_is_ours(const char *);
struct ssl_ctx_st *xmppd_tls_server(void);
struct ssl_ctx_st *xmppd_tls_client(void);

/* stream.c */
extern struct xstream_list xstreams;
struct xstream	*stream_new(enum xs_dir, int, const struct sockaddr *,
		    socklen_t);
void		 stream_free(struct xstream *);
struct xstream	*stream_find(uint64_t);
void		 stream_start_io(struct xstream *);
int		 stream_write(struct xstream *, const char *, size_t);
int		 stream_printf(struct xstream *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
void		 stream_error(struct xstream *, const char *, const char *);
void		 stream_close(struct xstream *, const char *);
void		 stream_restart(struct xstream *);
int		 stream_tls_start(struct xstream *);
void		 stream_touch(struct xstream *);
size_t		 stream_count(const char *);
void		 stream_accept(int, short, void *);
void		 stream_list(struct imsgev *, uint32_t);

/* s2s_in.c */
void		 s2s_in_open(struct xstream *, const struct xnode *);
void		 s2s_in_stanza(struct xstream *, struct xnode *);
void		 s2s_in_secured(struct xstream *);
void		 s2s_in_dialback_result(uint64_t, int, const char *);

/* s2s_out.c */
int		 s2s_out_send(const char *, const char *, const char *,
		    size_t, uint32_t, const char *);
void		 s2s_out_targets(struct imsgev *, struct imsg *);
void		 s2s_out_open(struct xstream *, const struct xnode *);
void		 s2s_out_stanza(struct xstream *, struct xnode *);
void		 s2s_out_secured(struct xstream *);
void		 s2s_out_connected(struct xstream *);
void		 s2s_out_lost(struct xstream *);
int		 s2s_out_dialback_verify(struct xstream *, const char *);
int		 s2s_out_error_for(const char *, const char *, unsigned int,
		    const char *);

/* gateway.c */
struct sip_msg;
void		 gateway_answer(uint32_t, unsigned int, const char *);
void		 gateway_notify(const char *, const char *, const char *,
		    size_t);
void		 gateway_to_listener(struct xstream *, const char *, size_t,
		    const char *, const char *, const char *, int);
int		 gateway_hdr_uri(const struct sip_msg *, int, char *, size_t,
		    size_t *, char *, size_t);
int		 is_utf8(const char *, size_t);

/* watch.c */
unsigned int	 watch_subscribe(const struct sip_msg *);
int		 watch_presence(const char *, const char *,
		    const struct xnode *);

/* presence.c */
void		 presence_stanza(struct xstream *, struct xnode *,
		    const char *, const char *);
unsigned int	 presence_notify(const struct sip_msg *);
void		 presence_refused(const char *, const char *, const char *,
		    const char *);
void		 gateway_sip_request(struct imsgev *, struct imsg *);
void		 gateway_sip_response(struct imsgev *, struct imsg *);
void		 gateway_stanza(struct xstream *, struct xnode *);
int		 jid_to_address(const char *, char *, size_t);
size_t		 jid_escape(char *, size_t, const char *, size_t);
unsigned int	 xmpp_error_to_sip(const char *);
const char	*sip_to_xmpp_error(unsigned int, const char **);

#endif /* IMD_XMPPD_H */
