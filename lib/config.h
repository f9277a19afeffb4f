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


#ifndef IMD_CONFIG_H
#define IMD_CONFIG_H

/*
 * The configuration as the parent parses it from relayd.conf, and as the
 * children receive it over imsg (only the parts each one needs).
 */

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>

#include <limits.h>
#include <stdio.h>
#include <stdint.h>

#include "digest.h"
#include "prefix.h"

#define IMD_CONF_FILE		"/etc/imd/relayd.conf"
#define IMD_CONTROL_SOCKET	"/var/run/imd.sock"
#define IMD_DATABASE_DIR	"/var/db/imd"

/*
 * Berkeley DB's cache, in bytes.  0 (the default) lets dirdb size it at
 * start from its database files: DB_CACHE_AUTO_MIN, or the files' size
 * when larger, up to DB_CACHE_AUTO_MAX.
 */
#define DB_CACHE_MIN		(1024LL * 1024)
#define DB_CACHE_MAX		(64LL * 1024 * 1024 * 1024)
#define DB_CACHE_AUTO_MIN	(64LL * 1024 * 1024)
#define DB_CACHE_AUTO_MAX	(1024LL * 1024 * 1024)
#define IMD_CHROOT_DIR		"/var/empty"
#define IMD_USER		"_imd"
#define IMD_SIP_PORT		5060
#define IMD_SIPS_PORT		5061
#define IMD_METRICS_PORT	9464	/* Prometheus exporters' range */
#define IMD_METRICS_ADDRESS	"127.0.0.1"
#define IMD_WS_PORT		80	/* those of ws: and wss: URIs */
#define IMD_WSS_PORT		443

#define IMD_DOMAIN_MAX		254	/* 253 octets and the NUL */
#define IMD_LOCALPART_MAX	65	/* 64 octets and the NUL */
#define IMD_ADDRESS_MAX		(IMD_LOCALPART_MAX + IMD_DOMAIN_MAX)
#define IMD_REALM_MAX		IMD_DOMAIN_MAX
#define IMD_USERNAME_MAX	33	/* unprivileged user name */
#define IMD_PATH_MAX		PATH_MAX
#define IMD_PASSWORD_MAX	256
#define IMD_MAX_DOMAINS		64
#define IMD_MAX_LISTENS		32
#define CONF_AUTH_ALGS		2	/* enum digest_alg values */

enum imd_transport {
	TRANSPORT_UDP,
	TRANSPORT_TCP,
	TRANSPORT_TLS,
};

struct conf_domain {
	TAILQ_ENTRY(conf_domain) cd_entry;
	char		cd_name[IMD_DOMAIN_MAX];	/* lower case */
	char		cd_realm[IMD_REALM_MAX];	/* auth realm */
	uint32_t	cd_direct;	/* redirects allowed (RFC 3841) */
};

/* A static next hop for a foreign domain, ahead of DNS. */
struct conf_route {
	TAILQ_ENTRY(conf_route) cr_entry;
	char		cr_domain[IMD_DOMAIN_MAX];	/* lower case */
	struct sockaddr_storage cr_ss;			/* with the port */
	socklen_t	cr_sslen;
	enum imd_transport cr_transport;
	uint32_t	cr_xmpp;	/* an XMPP domain: via xmppd; with no
					   address (family 0) found by DNS */
};

/* Who may send to our users without being one of them. */
enum inbound_policy {
	INBOUND_ANY,		/* any server, for our domains only */
	INBOUND_TLS_VERIFIED,	/* TLS with a certificate naming From's domain */
	INBOUND_VERIFIED,	/* that, or from an address of the domain's
				   route or DNS; the default */
};

/* listener workers: processes sharing the ports (SO_REUSEPORT) */
#define IMD_WORKERS_MAX		16

struct conf_listen {
	TAILQ_ENTRY(conf_listen) cl_entry;
	struct sockaddr_storage	 cl_ss;
	socklen_t		 cl_sslen;
	enum imd_transport	 cl_transport;
	char			 cl_cert[IMD_PATH_MAX];	/* tls only */
	char			 cl_key[IMD_PATH_MAX];	/* tls only */
	uint32_t		 cl_websocket;	/* ws over tcp, wss over tls */
	int			 cl_fd;		/* bound socket, or -1 */
	int			 cl_fds[IMD_WORKERS_MAX]; /* the parent's: one
						   bound socket a worker */
};

/*
 * The metrics endpoint (metricsd): where it listens, if anywhere, and
 * the sources it answers.  No allow statement: loopback sources only.
 */
#define IMD_MAX_METRICS_ALLOW	32

struct conf_metrics {
	struct sockaddr_storage	 cm_ss;		/* ss_family 0: none */
	socklen_t		 cm_sslen;
	int			 cm_fd;		/* bound socket, or -1 */
	struct addr_prefix	 cm_allow[IMD_MAX_METRICS_ALLOW];
	uint32_t		 cm_nallow;
};

/*
 * The web client: the folder its files are read from at start, and the
 * page origins a WebSocket handshake may name (none listed: any).
 */
#define WEB_ORIGINS_MAX		16
#define WEB_ORIGIN_MAX		256	/* with its NUL */

struct conf_web {
	char		cw_root[IMD_PATH_MAX];	/* "" serves no page */
	char		cw_origins[WEB_ORIGINS_MAX][WEB_ORIGIN_MAX];
	uint32_t	cw_norigins;
};

/* Bounds on what a peer may make us hold. */
struct conf_limits {
	uint32_t	lim_msg_size;		/* bytes of one SIP message */
	uint32_t	lim_headers;		/* header fields per message */
	uint32_t	lim_line;		/* bytes of one header line */
	uint32_t	lim_conns;		/* stream connections in all */
	uint32_t	lim_conns_per_addr;	/* per source address */
	uint32_t	lim_min_expires;	/* shortest registration, s */
	uint32_t	lim_max_expires;	/* longest registration, s */
	uint32_t	lim_conns_unauth;	/* not yet authenticated */
	uint32_t	lim_held;		/* requests held in all */
	uint32_t	lim_held_per_addr;	/* per source prefix */
	uint32_t	lim_held_bytes;		/* their bytes in all */
	uint32_t	lim_held_bytes_per_addr; /* per source prefix */
	uint32_t	lim_unauth_wait;	/* s a stranger's request is held */
	uint32_t	lim_ipv4_prefix;	/* bits of a source counted as one */
	uint32_t	lim_ipv6_prefix;
	uint32_t	lim_ring_time;		/* s a call's branch may ring */
};

#define LIMIT_MSG_SIZE_DEFAULT		65535
#define LIMIT_HEADERS_DEFAULT		64
#define LIMIT_LINE_DEFAULT		8192
#define LIMIT_CONNS_DEFAULT		1024
#define LIMIT_CONNS_PER_ADDR_DEFAULT	32
#define LIMIT_MIN_EXPIRES_DEFAULT	60
#define LIMIT_MAX_EXPIRES_DEFAULT	7200
#define LIMIT_CONNS_UNAUTH_DEFAULT	0	/* 3/4 of lim_conns */
#define LIMIT_HELD_DEFAULT		16384
#define LIMIT_HELD_PER_ADDR_DEFAULT	256
#define LIMIT_HELD_BYTES_DEFAULT	(64 * 1024 * 1024)
#define LIMIT_HELD_BYTES_PER_ADDR_DEFAULT (8 * 1024 * 1024)
#define LIMIT_UNAUTH_WAIT_DEFAULT	10
#define LIMIT_IPV4_PREFIX_DEFAULT	32
#define LIMIT_IPV6_PREFIX_DEFAULT	64
#define LIMIT_RING_TIME_DEFAULT		180	/* RFC 3261 16.6: > 3 min */

/* What relayd.conf may set them to. */
#define LIMIT_MSG_SIZE_MIN		1024
#define LIMIT_MSG_SIZE_MAX		1048576
#define LIMIT_HEADERS_MIN		8
#define LIMIT_HEADERS_MAX		1024
#define LIMIT_LINE_MIN			256
#define LIMIT_LINE_MAX			65536
#define LIMIT_CONNS_MIN			1	/* also per address */
#define LIMIT_CONNS_MAX			100000
#define LIMIT_EXPIRES_MIN		1	/* both expiry limits */
#define LIMIT_EXPIRES_MAX		86400
#define LIMIT_HELD_MIN			1	/* also per address */
#define LIMIT_HELD_MAX			1000000
#define LIMIT_HELD_BYTES_MIN		65536	/* also per address */
#define LIMIT_HELD_BYTES_MAX		(1024U * 1024 * 1024)
#define LIMIT_UNAUTH_WAIT_MIN		1
#define LIMIT_UNAUTH_WAIT_MAX		64	/* past Timer F */
#define LIMIT_IPV4_PREFIX_MIN		8
#define LIMIT_IPV4_PREFIX_MAX		32
#define LIMIT_IPV6_PREFIX_MIN		32
#define LIMIT_IPV6_PREFIX_MAX		128
#define LIMIT_RING_TIME_MIN		1
#define LIMIT_RING_TIME_MAX		3600

/* What becomes of a message for a user with no binding. */
enum offline_policy {
	OFFLINE_POLICY_STORE,	/* kept for the next registration: 202 */
	OFFLINE_POLICY_NONE,	/* refused: 480 */
	OFFLINE_POLICY_MAIL,	/* kept, 202, and mailed at once */
	OFFLINE_POLICY_STORE_MAIL, /* kept, 202, mailed after off_mail_after */
};

/* How much one recipient's queue may hold: messages and bytes of body. */
struct conf_quota {
	uint32_t	q_msgs;
	uint32_t	q_bytes;
};

/*
 * The quotas of one recipient's queue: of everything (the user's own
 * limit), of the senders not authenticated here together, of one such
 * sending domain and of one such sender.
 */
enum offline_quota_id {
	OFFLINE_QUOTA_USER,
	OFFLINE_QUOTA_UNAUTH,
	OFFLINE_QUOTA_DOMAIN,
	OFFLINE_QUOTA_SENDER,
	OFFLINE_QUOTA_MAX
};

struct conf_offline {
	uint32_t	off_policy;	/* enum offline_policy */
	uint32_t	off_age;	/* seconds a message is kept */
	uint32_t	off_mail_after;	/* seconds; STORE_MAIL only */
	struct conf_quota off_quota[OFFLINE_QUOTA_MAX];
	uint32_t	off_mail_max;	/* mails per recipient per period */
	uint32_t	off_mail_period; /* seconds */
};

/* The policies that keep a message, and those that also mail it. */
#define OFFLINE_KEEPS(p)	((p) != OFFLINE_POLICY_NONE)
#define OFFLINE_MAILS(p)	((p) == OFFLINE_POLICY_MAIL || \
	(p) == OFFLINE_POLICY_STORE_MAIL)

#define OFFLINE_MAX_DEFAULT	100
#define OFFLINE_MAX_MIN		1
#define OFFLINE_MAX_MAX		100000
#define OFFLINE_AGE_DEFAULT_S	(24 * 60 * 60)
#define OFFLINE_AGE_MIN		1
#define OFFLINE_AGE_MAX		(365 * 24 * 60 * 60)
#define OFFLINE_MAIL_AFTER_MIN	1
#define OFFLINE_MAIL_AFTER_MAX	OFFLINE_AGE_MAX

/*
 * Quotas: a stranger's share of a queue is a fraction of it, so that
 * what strangers leave never crowds out the user's own side.  The
 * bytes are of bodies, at most 60000 each (OFFLINE_BODY_MAX).
 */
#define OFFLINE_BYTES_DEFAULT		(8 * 1024 * 1024)
#define OFFLINE_UNAUTH_MSGS_DEFAULT	50
#define OFFLINE_UNAUTH_BYTES_DEFAULT	(2 * 1024 * 1024)
#define OFFLINE_DOMAIN_MSGS_DEFAULT	30
#define OFFLINE_DOMAIN_BYTES_DEFAULT	(1024 * 1024)
#define OFFLINE_SENDER_MSGS_DEFAULT	20
#define OFFLINE_SENDER_BYTES_DEFAULT	(256 * 1024)
#define OFFLINE_BYTES_MIN		1024
#define OFFLINE_BYTES_MAX		(1024 * 1024 * 1024)

/* Mail of the offline queue: per recipient, then one summary. */
#define OFFLINE_MAIL_MAX_DEFAULT	10
#define OFFLINE_MAIL_MAX_MIN		1
#define OFFLINE_MAIL_MAX_MAX		10000
#define OFFLINE_MAIL_PERIOD_DEFAULT	(60 * 60)
#define OFFLINE_MAIL_PERIOD_MIN		1
#define OFFLINE_MAIL_PERIOD_MAX		(7 * 24 * 60 * 60)

/* The local MTA that takes offline messages as mail. */
#define IMD_MTA_ADDRESS		"127.0.0.1"
#define IMD_MTA_PORT		25

/* Who may watch a user's presence without asking. */
enum presence_authorize {
	PRESENCE_AUTH_AUTO,	/* anyone */
	PRESENCE_AUTH_DOMAIN,	/* watchers of the presentity's domain */
	PRESENCE_AUTH_ASK,	/* nobody: the presentity decides */
};

struct conf_presence {
	uint32_t	pr_authorize;	/* enum presence_authorize */
	uint32_t	pr_min_expires;	/* s, subscriptions and PUBLISH */
	uint32_t	pr_max_expires;
	uint32_t	pr_notify_interval; /* ms between NOTIFYs of one
					       subscription, at least */
	uint32_t	pr_doc_size;	/* bytes of a published document */
	uint32_t	pr_max_subs;	/* subscriptions to one presentity */
	uint32_t	pr_max_docs;	/* documents of one presentity */
	uint32_t	pr_max_rules;	/* decisions of one presentity */
	uint32_t	pr_watcher_subs; /* of one watcher to one presentity */
	uint32_t	pr_domain_subs;	/* of one foreign domain to one */
	uint32_t	pr_domain_total; /* of one foreign domain, in all */
	uint32_t	pr_stranger_subs; /* of unverified watchers to one */
};

#define PRESENCE_EXPIRES_DEFAULT	3600	/* RFC 3856 6.4 */
#define PRESENCE_MIN_EXPIRES_DEFAULT	60
#define PRESENCE_MAX_EXPIRES_DEFAULT	86400
#define PRESENCE_NOTIFY_INTERVAL_DEFAULT 200	/* ms */
#define PRESENCE_DOC_SIZE_DEFAULT	16384
#define PRESENCE_MAX_SUBS_DEFAULT	1000
#define PRESENCE_MAX_DOCS_DEFAULT	16
#define PRESENCE_NOTIFY_INTERVAL_MAX	60000	/* ms; from 0 */
#define PRESENCE_DOC_SIZE_MIN		256
#define PRESENCE_DOC_SIZE_MAX		32768	/* fits the presence store */
#define PRESENCE_MAX_SUBS_MIN		1
#define PRESENCE_MAX_SUBS_MAX		1000000
#define PRESENCE_MAX_DOCS_MIN		1
#define PRESENCE_MAX_DOCS_MAX		64
#define PRESENCE_MAX_RULES_DEFAULT	1000
#define PRESENCE_MAX_RULES_MIN		1
#define PRESENCE_MAX_RULES_MAX		100000
#define PRESENCE_WATCHER_SUBS_DEFAULT	8
#define PRESENCE_DOMAIN_SUBS_DEFAULT	100
#define PRESENCE_DOMAIN_TOTAL_DEFAULT	10000
#define PRESENCE_STRANGER_SUBS_DEFAULT	20

/*
 * XMPP server-to-server (xmppd): where it listens, whether a peer
 * without a usable certificate may prove itself by Server Dialback,
 * and the bounds of what one stranger's stream may make it hold.
 */
struct conf_xmpp {
	uint32_t	x_set;		/* some xmpp line was given */
	struct sockaddr_storage x_ss;	/* family 0: no listener */
	socklen_t	x_sslen;
	int		x_fd;		/* bound socket, or -1 */
	char		x_cert[IMD_PATH_MAX];	/* "": the first TLS listen's */
	char		x_key[IMD_PATH_MAX];
	uint32_t	x_dialback;	/* XEP-0220 allowed */
	uint32_t	x_stanza_size;	/* bytes of one stanza */
	uint32_t	x_streams;	/* streams in all */
	uint32_t	x_streams_per_domain; /* to or from one domain */
	uint32_t	x_idle;		/* s without input or output */
};

#define IMD_XMPP_PORT			5269
#define XMPP_STANZA_SIZE_DEFAULT	65536
#define XMPP_STANZA_SIZE_MIN		1024
#define XMPP_STANZA_SIZE_MAX		1048576
#define XMPP_STREAMS_DEFAULT		256
#define XMPP_STREAMS_PER_DOMAIN_DEFAULT	4
#define XMPP_STREAMS_MIN		1
#define XMPP_STREAMS_MAX		10000
#define XMPP_IDLE_DEFAULT		600
#define XMPP_IDLE_MIN			5
#define XMPP_IDLE_MAX			86400

struct imd_conf {
	char		c_file[IMD_PATH_MAX];
	TAILQ_HEAD(, conf_domain) c_domains;
	TAILQ_HEAD(, conf_listen) c_listens;
	char		c_database[IMD_PATH_MAX];
	uint64_t	c_db_cache;	/* bytes, 0: sized by dirdb */
	uint32_t	c_workers;	/* listener workers, 0: one per core */
	char		c_user[IMD_USERNAME_MAX];
	uid_t		c_uid;		/* resolved by the parent */
	gid_t		c_gid;
	char		c_chroot[IMD_PATH_MAX];
	char		c_control[IMD_PATH_MAX];
	char		c_realm[IMD_REALM_MAX];	/* default for domains */
	uint32_t	c_auth_algs[CONF_AUTH_ALGS];	/* by preference */
	uint32_t	c_nauth_algs;
	struct conf_limits c_limits;
	struct conf_offline c_offline;
	TAILQ_HEAD(, conf_route) c_routes;
	struct sockaddr_storage c_resolver;	/* ss_family 0: no DNS */
	socklen_t	c_resolverlen;
	uint32_t	c_inbound;	/* enum inbound_policy */
	uint32_t	c_relay_private; /* DNS may name private addresses */
	char		c_tls_ca[IMD_PATH_MAX];	/* CA certificates, PEM */
	struct conf_xmpp c_xmpp;
	struct conf_presence c_presence;
	struct sockaddr_storage c_mta;	/* numeric: relayd never waits */
	socklen_t	c_mtalen;
	char		c_mail_from[IMD_ADDRESS_MAX];	/* "" or From */
	char		c_mail_sender[IMD_ADDRESS_MAX];	/* "" or the
					   envelope sender for strangers */
	struct conf_metrics c_metrics;
	struct conf_web	c_web;
};

#define IMD_TLS_CA_DEFAULT	"/etc/ssl/certs/ca-certificates.crt"

/* imd/parse.y (parent only) */
struct imd_conf	*config_parse(const char *);

/* lib/config.c (every process) */
struct imd_conf	*config_new(void);
void		 config_clear(struct imd_conf *);
void		 config_free(struct imd_conf *);
unsigned int	 config_workers(const struct imd_conf *);
struct conf_domain *config_find_domain(const struct imd_conf *, const char *);
struct conf_route *config_find_route(const struct imd_conf *, const char *);
uint32_t	 config_loop_tag(const struct imd_conf *);
const char	*transport_name(enum imd_transport);
const char	*listen_transport_name(const struct conf_listen *);
void		 sockaddr_name(const struct sockaddr_storage *, socklen_t,
		    char *, size_t);
int		 config_sockaddr(const char *, in_port_t,
		    struct sockaddr_storage *, socklen_t *);
void		 config_print(const struct imd_conf *, FILE *);

/*
 * lib/config_msg.c: the parts each process gets (config_parts[] there),
 * sent between IMSG_CONF_START and IMSG_CONF_END.
 */
struct imsgev;
struct imsg;
enum imd_proc;
int		 config_send(struct imsgev *, struct imd_conf *, enum imd_proc,
		    int);
int		 config_recv(struct imd_conf *, enum imd_proc, struct imsgev *,
		    struct imsg *);

#endif /* IMD_CONFIG_H */
