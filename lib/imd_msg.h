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


#ifndef IMD_MSG_H
#define IMD_MSG_H

/*
 * The catalogue of every message between the processes of the suite and
 * between imctl and the parent.  Bump IMD_MSG_VERSION on any change: it
 * is checked in the start-up handshake on every channel and by imctl.
 *
 * Payloads are written with ibuf_add_*() in the order given and read
 * back with imsg_get_*() in the same order; "str" is a NUL-terminated
 * string with the named maximum, "u32"/"u64" host-order integers.
 * A request that expects a reply carries its request id in the header's
 * peer id, and the reply carries the same id.
 */

#include <stdint.h>

#ifndef IMD_MSG_VERSION		/* a test builds an imctl of another */
#define IMD_MSG_VERSION		19
#endif

enum imsg_type {
	IMSG_NONE,

	/* every channel, both ways, first message */
	IMSG_HELLO,		/* u32 version, u32 proc id; no reply */

	/*
	 * parent -> child: configuration, at start and on reload.  Each
	 * part goes only to the processes that need it, as config_parts[]
	 * in lib/config_msg.c says; a child refuses any other.  The parts
	 * stay between CONF_START and CONF_END.
	 */
	IMSG_CONF_START,	/* u32 reload (0 or 1); every child */
	IMSG_CONF_JAIL,		/* u32 uid, u32 gid, str chroot; every child */
	IMSG_CONF_LIMITS,	/* 15 x u32 limits; listener, relayd, authd */
	IMSG_CONF_AUTH,		/* u32 n, u32 algorithms[2]; listener, authd */
	IMSG_CONF_OFFLINE,	/* u32 policy, u32 age, u32 mail after,
				   quotas, u32 mail max, u32 mail period;
				   listener, dirdb */
	IMSG_CONF_SENDER,	/* str envelope sender of strangers' mail;
				   relayd, dirdb */
	IMSG_CONF_MTA,		/* u32 len, addr, str mail from; relayd */
	IMSG_CONF_INBOUND,	/* u32 inbound policy; listener */
	IMSG_CONF_RESOLVER,	/* u32 relay private-addresses, u32 len,
				   addr; relayd */
	IMSG_CONF_TLS,		/* str CA file; listener, relayd */
	IMSG_CONF_PRESENCE,	/* struct conf_presence; listener */
	IMSG_CONF_DOMAIN,	/* str name, str realm, u32 direct; one per
				   domain; listener, relayd, authd */
	IMSG_CONF_LISTEN,	/* u32 transport, addr, str cert, str key,
				   u32 websocket;
				   with its fd to the listener (at start
				   only), without to relayd */
	IMSG_CONF_DATABASE,	/* str database directory, u64 cache; dirdb */
	IMSG_CONF_ROUTE,	/* str domain, u32 transport, u32 xmpp, addr;
				   listener, relayd */
	IMSG_CONF_METRICS,	/* u32 len, addr; with its bound fd at start
				   only; metricsd */
	IMSG_CONF_METRICS_ALLOW, /* u32 family, u32 bits, 16 bytes address;
				   one per allowed source; metricsd */
	IMSG_CONF_WEB,		/* str web root, u32 n, n str websocket
				   origins; listener */
	IMSG_CONF_XMPP,		/* struct conf_xmpp's fields, with the bound
				   socket at start if it listens; xmppd */
	IMSG_CONF_END,		/* none; the child applies what it got */

	/* child -> parent, parent -> child: start-up */
	IMSG_READY,		/* child -> parent: jailed, peers greeted */
	IMSG_START,		/* parent -> child: serve */

	/* parent -> child */
	IMSG_VERBOSE,		/* u32 verbosity */

	/* imctl -> parent; reply IMSG_CTL_RESULT unless said otherwise */
	IMSG_CTL_USER_ADD,	/* str address, str password */
	IMSG_CTL_USER_DEL,	/* str address */
	IMSG_CTL_USER_PASSWD,	/* str address, str password */
	IMSG_CTL_USER_LIST,	/* none; reply USER_ITEM..., END */
	IMSG_CTL_SHOW_STATUS,	/* none; reply STATUS_ITEM..., END */
	IMSG_CTL_SHOW_BINDINGS,	/* str address or ""; reply BINDING_ITEM.., END */
	IMSG_CTL_SHOW_QUEUE,	/* str address or ""; reply QUEUE_ITEM..., END */
	IMSG_CTL_QUEUE_FLUSH,	/* str address: deliver or mail its queue now */

	IMSG_CTL_SHOW_WATCHERS,	/* str presentity; reply WATCHER_ITEM..., END */
	IMSG_CTL_PRES_ALLOW,	/* str presentity, str watcher */
	IMSG_CTL_PRES_BLOCK,	/* str presentity, str watcher */
	IMSG_CTL_LOG_VERBOSE,	/* none: debug lines on, parent and children */
	IMSG_CTL_LOG_BRIEF,	/* none: debug lines off, parent and children */
	IMSG_CTL_SHOW_STATS,	/* none; reply STATS_ITEM..., END */
	IMSG_CTL_SHOW_CALLS,	/* none; reply CALL_ITEM..., END */
	IMSG_CTL_USER_IMPORT,	/* u32 line, str address, str password, str
				   realm, str HA1 MD5, str HA1 SHA-256; no
				   reply but USER_BAD when refused */
	IMSG_CTL_USER_IMPORT_END, /* u32 write (0: check only); reply
				   USER_BAD..., RESULT */
	IMSG_CTL_USER_EXPORT,	/* str address after or ""; reply
				   USER_RECORD... (a page), END */
	IMSG_CTL_SHOW_XMPP,	/* none; reply XMPP_ITEM..., END */

	/* parent -> imctl */
	IMSG_CTL_WATCHER_ITEM,	/* str watcher, str what, str state,
				   u32 seconds left */
	IMSG_CTL_RESULT,	/* u32 ctl_status, str message */
	IMSG_CTL_USER_ITEM,	/* str address, u64 created, u32 flags */
	IMSG_CTL_STATUS_ITEM,	/* str name, u32 pid, u64 uptime s, str info */
	IMSG_CTL_BINDING_ITEM,	/* binding record */
	IMSG_CTL_QUEUE_ITEM,	/* u64 id, str to, str from, u64 arrived,
				   u32 bytes, u32 state, u32 attempts */
	IMSG_CTL_XMPP_ITEM,	/* str direction, str local, str remote,
				   str peer, str state, str auth, u64 age s */
	IMSG_CTL_END,		/* none: end of a list */
	IMSG_CTL_STATS_ITEM,	/* stats item (lib/stats.c stats_item_add) */
	IMSG_CTL_CALL_ITEM,	/* str caller, str callee, str state,
				   u64 age s */
	IMSG_CTL_USER_BAD,	/* u32 line, u32 ctl_status, str message */
	IMSG_CTL_USER_RECORD,	/* user record, HA1s included */

	/* parent -> dirdb; reply IMSG_DB_RESULT unless said otherwise */
	IMSG_DB_USER_ADD,	/* user record (db_user_msg) */
	IMSG_DB_USER_DEL,	/* str address */
	IMSG_DB_USER_PASSWD,	/* user record: new HA1s */
	IMSG_DB_USER_LIST,	/* none; reply USER_ITEM..., USER_END */
	IMSG_DB_USER_IMPORT,	/* u32 line, user record: one of a batch */
	IMSG_DB_USER_IMPORT_END, /* u32 write (0: check only); reply
				   USER_BAD..., RESULT */
	IMSG_DB_USER_EXPORT,	/* str address after or ""; reply
				   USER_RECORD... (a page), USER_END */
	IMSG_DB_QUEUE_FLUSH,	/* str address: drains to its bindings,
				   its mail due now, relayd nudged */

	/* dirdb -> parent */
	IMSG_DB_RESULT,		/* u32 ctl_status, str message */
	IMSG_DB_USER_ITEM,	/* str address, u64 created, u32 flags */
	IMSG_DB_USER_END,	/* none */
	IMSG_DB_USER_BAD,	/* u32 line, u32 ctl_status, str message */
	IMSG_DB_USER_RECORD,	/* user record, HA1s included */

	/* parent -> dirdb -> parent */
	IMSG_DB_BINDING_LIST,	/* str address or ""; reply ITEM..., END */
	IMSG_DB_BINDING_ITEM,	/* binding record */
	IMSG_DB_BINDING_END,	/* none */
	IMSG_DB_QUEUE_LIST,	/* str address or ""; reply ITEM..., END */
	IMSG_DB_QUEUE_ITEM,	/* as IMSG_CTL_QUEUE_ITEM */
	IMSG_DB_QUEUE_END,	/* none */

	/* listener -> authd -> listener; request id in the peer id */
	IMSG_AUTH_REQUEST,	/* struct auth_req (auth_req_add) */
	IMSG_AUTH_RESULT,	/* struct auth_result (auth_result_add) */
	IMSG_AUTH_NONCES_WANT,	/* u32 n; the listener's stock of nonces is low */
	IMSG_AUTH_NONCES,	/* u32 n, n str nonces, each for one challenge */

	/* authd -> dirdb -> authd; request id in the peer id */
	IMSG_DB_HA1_GET,	/* str address, u32 enum digest_alg */
	IMSG_DB_HA1,		/* u32 found, str HA1 in hex ("" if not) */
	IMSG_DB_HA1_FORGET,	/* str address: its record changed */

	/* listener -> dirdb -> listener; request id in the peer id */
	IMSG_DB_REGISTER,	/* str aor, u32 star, u64 now, u32 n, n bindings */
	IMSG_DB_REGISTER_RESULT, /* u32 SIP status, str reason, u32 n,
				    n x (str contact, u32 seconds left) */

	/* listener -> dirdb -> listener: a stream connection closed */
	IMSG_DB_UNBIND,		/* u64 connection, str aor, str contact:
				   the binding goes if made over it */
	IMSG_DB_UNBOUND,	/* str aor, u32 bindings left */

	/* listener -> dirdb -> listener; request id in the peer id */
	IMSG_DB_LOOKUP,		/* str address */
	IMSG_DB_LOOKUP_RESULT,	/* u32 user exists, u32 n, n bindings */

	/* listener -> dirdb -> listener: the offline queue */
	IMSG_DB_OFFLINE_PUT,	/* offline record; reply OFFLINE_STORED */
	IMSG_DB_OFFLINE_STORED,	/* u32 enum offline_stored, u64 id */
	IMSG_DB_OFFLINE_NEXT,	/* str address, u64 id delivered or 0;
				   reply OFFLINE_ITEM */
	IMSG_DB_OFFLINE_ITEM,	/* u32 found, [offline record] */
	IMSG_DB_OFFLINE_DRAIN,	/* dirdb -> listener: binding record; give
				   it the queue (queue flush); no reply */
	IMSG_DB_MISSED_CALL,	/* str callee, str caller, u64 when: a call
				   found nobody; no reply */

	/* relayd -> dirdb -> relayd: the offline queue by mail */
	IMSG_DB_MAIL_NEXT,	/* none; reply MAIL_ITEM */
	IMSG_DB_MAIL_ITEM,	/* u32 found, u64 next due (0 none); if found:
				   str mail address, offline record, marked
				   mailing until MAIL_DONE or its lease ends */
	IMSG_DB_MAIL_DONE,	/* str to, u64 id, u32 enum mail_outcome,
				   u32 attempts so far, u32 retry in s
				   (TEMPFAIL), str reply; no reply */
	IMSG_DB_MAIL_NUDGE,	/* dirdb -> relayd: none; mail is due now */
	IMSG_DB_MISSED_MAIL,	/* dirdb -> relayd: str mail address, str
				   callee, str caller, u64 when; no reply */

	/*
	 * listener -> dirdb -> listener: the presence store.  The listener
	 * holds presence in memory and is its only writer; dirdb keeps it
	 * durable as opaque values (lib/pstore.h) and gives it back at
	 * start.  Request id in the peer id.
	 */
	IMSG_DB_PSTORE_PUT,	/* u32 table, str key, u32 len, value;
				   reply PSTORE_DONE once durable */
	IMSG_DB_PSTORE_DEL,	/* u32 table, str key; reply PSTORE_DONE */
	IMSG_DB_PSTORE_DONE,	/* u32 ok (1) or failed (0) */
	IMSG_DB_PSTORE_LOAD,	/* u32 table; reply ITEM..., END */
	IMSG_DB_PSTORE_ITEM,	/* u32 table, str key, u32 len, value */
	IMSG_DB_PSTORE_END,	/* u32 table */

	/* parent -> listener -> parent: presence, which the listener holds */
	IMSG_LSN_WATCHERS,	/* str presentity; reply WATCHER_ITEM..., END */
	IMSG_LSN_WATCHER_ITEM,	/* as IMSG_CTL_WATCHER_ITEM */
	IMSG_LSN_END,		/* none */
	IMSG_LSN_RULE,		/* str presentity, str watcher, u32 rule;
				   reply LSN_RESULT */
	IMSG_LSN_RESULT,	/* u32 ctl_status, str message */
	IMSG_LSN_CALLS,		/* none; reply CALL_ITEM..., END */
	IMSG_LSN_CALL_ITEM,	/* as IMSG_CTL_CALL_ITEM */

	/* listener -> relayd -> listener: a request for a foreign domain */
	IMSG_RELAY_REQUEST,	/* str domain, data: the request as received */
	IMSG_RELAY_RESPONSE,	/* u32 status, str reason, data: the final
				   response without relayd's Via, or none */
	IMSG_RELAY_PROVISIONAL,	/* u32 length, data: a 101-199 response to
				   an INVITE, or a 2xx again, without
				   relayd's Via */
	IMSG_RELAY_CANCEL,	/* none: CANCEL the INVITE of this id */

	/* listener -> relayd -> listener: is an address a domain's server? */
	IMSG_RELAY_VERIFY,	/* str domain, str numeric address; request
				   id in the peer id; reply VERIFIED */
	IMSG_RELAY_VERIFIED,	/* u32 enum inbound_verdict */

	/* parent -> every child -> parent: its counters (lib/stats.h) */
	IMSG_STATS_GET,		/* none; request id in the peer id; reply
				   STATS_SET */
	IMSG_STATS_SET,		/* u32 n, n x (u32 counter id, u64 value) */

	/* metricsd -> parent -> metricsd: the numbers for one scrape */
	IMSG_METRICS_GET,	/* none; request id in the peer id; reply
				   METRICS_ITEM..., METRICS_END */
	IMSG_METRICS_ITEM,	/* as IMSG_CTL_STATS_ITEM */
	IMSG_METRICS_END,	/* none */

	/* relayd -> xmppd -> relayd: a request for an XMPP domain */
	IMSG_XMPP_SEND,		/* str domain, data: the SIP request; relay
				   job id in the peer id; reply SENT */
	IMSG_XMPP_SENT,		/* u32 SIP status, str reason */

	/* xmppd -> relayd -> xmppd: where an XMPP domain's servers are */
	IMSG_XMPP_RESOLVE,	/* str domain; lookup id in the peer id;
				   reply TARGETS */
	IMSG_XMPP_TARGETS,	/* u32 dns error, u32 n, n x (u32 direct
				   TLS, u32 len, addr, str host) */

	/* xmppd -> listener -> xmppd: a stanza for our users, as SIP */
	IMSG_XMPP_REQUEST,	/* data: the SIP request, its From of the
				   stream's authenticated domain; stanza id
				   in the peer id; reply RESPONSE */
	IMSG_XMPP_RESPONSE,	/* u32 SIP status, str reason: the final
				   response */

	/* parent -> xmppd -> parent: the s2s streams, for imctl */
	IMSG_XMPP_LIST,		/* none; reply XMPP_ITEM..., XMPP_END */
	IMSG_XMPP_ITEM,		/* as IMSG_CTL_XMPP_ITEM */
	IMSG_XMPP_END,		/* none */

	/* listener worker -> listener worker: the hand-off of the shards */
	IMSG_WRK_INPUT,		/* u32 transport, u32 listen, u64 conn,
				   u32 xmpp, u32 hops, u32 tls from,
				   u32 sslen, address,
				   u32 len, data: a message as received, for
				   the worker that owns it */
	IMSG_WRK_SEND,		/* u64 conn, u32 len, data: bytes to write
				   on a connection the receiver holds */
	IMSG_WRK_REGISTERED,	/* str address, u32 registered: a user's
				   bindings, for its presence at its owner */
	IMSG_WRK_CONN_AUTHED,	/* u64 conn: a request on it passed digest
				   authentication at another worker */
	IMSG_WRK_CONN_CLOSED,	/* u64 conn: it closed; the flows other
				   workers keep over it go */

	IMSG_TYPE_MAX
};

/* Outcome of an administrative request, imctl's exit status follows it. */
enum ctl_status {
	CTL_OK,
	CTL_ERROR,		/* internal failure */
	CTL_EXISTS,		/* user exists */
	CTL_NOUSER,		/* no such user */
	CTL_BADADDR,		/* malformed address */
	CTL_BADDOMAIN,		/* a domain we do not serve */
	CTL_BADPASS,		/* empty or too long password */
};

#define CTL_MESSAGE_MAX		256
/* Users of one import batch (one transaction), and of one export page. */
#define CTL_IMPORT_BATCH	1000

/* A presentity's decision about a watcher, in IMSG_LSN_RULE. */
#define CTL_RULE_ALLOW		1
#define CTL_RULE_BLOCK		2

/* What became of a message for the offline queue. */
enum offline_stored {
	OFFLINE_STORED_OK,
	OFFLINE_STORED_FULL,	/* the user's queue is at its limit */
	OFFLINE_STORED_FAIL,
	OFFLINE_STORED_UNAUTH_FULL, /* strangers' share of it is used up */
	OFFLINE_STORED_DOMAIN_FULL, /* the sender's domain's share */
	OFFLINE_STORED_SENDER_FULL, /* the sender's own share */
};

/*
 * relayd's answer to IMSG_RELAY_VERIFY: the domain's route, else its
 * DNS (SRV targets, else A/AAAA), names the address or not; a query
 * that found no answer in time is no.
 */
enum inbound_verdict {
	INBOUND_NO,
	INBOUND_YES,
	INBOUND_BUSY,		/* too many queries in flight: try later */
};

/* What the MTA said to one offline message (IMSG_DB_MAIL_DONE). */
enum mail_outcome {
	MAIL_SENT,		/* 250 to the data: the message goes */
	MAIL_TEMPFAIL,		/* kept, tried again after the retry */
	MAIL_PERMFAIL,		/* 5xx: dropped and logged */
};

/* The MTA's reply in IMSG_DB_MAIL_DONE: a line of 512 through strnvis. */
#define MAIL_REPLY_MAX		(4 * 512 + 1)

const char	*imsg_type_name(uint32_t);

#endif /* IMD_MSG_H */
