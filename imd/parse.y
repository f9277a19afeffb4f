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
 * relayd.conf: the grammar, a lexer that reads nested files and expands
 * macros, and the checks that turn what was written into a struct
 * imd_conf.  Every error is reported as file:line and counted, and the
 * parse goes on, so that one run shows every mistake in the file.
 */

%{
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <vis.h>

#include "config.h"
#include "log.h"
#include "user.h"

#define PARSE_DEPTH_MAX		16	/* files open at once, main included */
#define PARSE_TOKEN_MAX		8192	/* one word or quoted string */
#define PARSE_MACRO_NAME_MAX	64
#define PARSE_UNGET_MAX		4
#define PARSE_TEXT_MAX		48	/* token text kept for errors */

struct parse_file {
	TAILQ_ENTRY(parse_file)	 pf_entry;
	FILE			*pf_stream;
	char			*pf_name;	/* as errors name it */
	dev_t			 pf_dev;	/* to refuse include loops */
	ino_t			 pf_ino;
	unsigned int		 pf_id;		/* unique in one parse */
	int			 pf_line;	/* line being read */
	int			 pf_lastline;	/* set at end of file */
	int			 pf_lastc;	/* last byte read, or EOF */
	int			 pf_eof;
};
TAILQ_HEAD(parse_files, parse_file);

struct parse_macro {
	TAILQ_ENTRY(parse_macro) pm_entry;
	const char		*pm_name;	/* both in the string arena */
	const char		*pm_value;
};

/*
 * Every string the lexer hands to the grammar lives here until the parse
 * ends.  yacc's error recovery drops values from its stack without telling
 * anyone, so freeing them one by one in the actions would leak on every
 * syntax error.
 */
struct parse_str {
	SLIST_ENTRY(parse_str)	 ps_entry;
	char			 ps_text[];
};

/* What one listen statement said, collected option by option. */
struct listen_opts {
	int64_t		 lo_port;	/* 0: the transport's default */
	int		 lo_transport;	/* -1: both udp and tcp */
	const char	*lo_cert;
	const char	*lo_key;
	int		 lo_websocket;	/* ws or wss */
	int		 lo_bad;	/* an option was wrong, and reported */
};

/* Statements that may appear once. */
#define SEEN_DATABASE		0x0001
#define SEEN_CHROOT		0x0002
#define SEEN_CONTROL		0x0004
#define SEEN_USER		0x0008
#define SEEN_REALM		0x0010
#define SEEN_ALGS		0x0020
#define SEEN_OFF_POLICY		0x0040
#define SEEN_WORKERS		0x0080
#define SEEN_RELAY_PRIVATE	0x08000000
#define SEEN_OFF_AGE		0x10000000
#define SEEN_MTA		0x00008000
#define SEEN_MAIL_FROM		0x00010000
#define SEEN_WEB_ROOT		0x00020000
#define SEEN_DB_CACHE		0x00040000
#define SEEN_RESOLVER		0x20000000
#define SEEN_INBOUND		0x40000000
#define SEEN_TLS_CA		0x80000000
#define SEEN_PRES(id)		((uint64_t)1 << (32 + (id)))

/* In p_seen_mail: the quotas of a queue and the mail it sends. */
#define SEEN_QUOTA(id)		(0x0001 << (id))
#define SEEN_MAIL_LIMIT		0x0100
#define SEEN_MAIL_SENDER	0x0200

enum limit_id {
	LIM_MSG_SIZE,
	LIM_HEADERS,
	LIM_LINE,
	LIM_CONNS,
	LIM_CONNS_PER_ADDR,
	LIM_MIN_EXPIRES,
	LIM_MAX_EXPIRES,
	LIM_CONNS_UNAUTH,
	LIM_HELD,
	LIM_HELD_PER_ADDR,
	LIM_HELD_BYTES,
	LIM_HELD_BYTES_PER_ADDR,
	LIM_UNAUTH_WAIT,
	LIM_IPV4_PREFIX,
	LIM_IPV6_PREFIX,
	LIM_RING_TIME,
};
#define SEEN_LIMIT(id)		(1U << (id))	/* in p_seen_limits */

/* In p_seen_xmpp. */
#define SEEN_XMPP_LISTEN	0x01
#define SEEN_XMPP_DIALBACK	0x02
#define SEEN_XMPP_STANZA	0x04
#define SEEN_XMPP_STREAMS	0x08
#define SEEN_XMPP_PER_DOMAIN	0x10
#define SEEN_XMPP_IDLE		0x20

static const struct limit_def {
	const char	*ld_name;
	int64_t		 ld_min;
	int64_t		 ld_max;
} limit_defs[] = {
	[LIM_MSG_SIZE] = { "message-size",
	    LIMIT_MSG_SIZE_MIN, LIMIT_MSG_SIZE_MAX },
	[LIM_HEADERS] = { "headers", LIMIT_HEADERS_MIN, LIMIT_HEADERS_MAX },
	[LIM_LINE] = { "line-length", LIMIT_LINE_MIN, LIMIT_LINE_MAX },
	[LIM_CONNS] = { "connections", LIMIT_CONNS_MIN, LIMIT_CONNS_MAX },
	[LIM_CONNS_PER_ADDR] = { "connections-per-address",
	    LIMIT_CONNS_MIN, LIMIT_CONNS_MAX },
	[LIM_MIN_EXPIRES] = { "min-expires",
	    LIMIT_EXPIRES_MIN, LIMIT_EXPIRES_MAX },
	[LIM_MAX_EXPIRES] = { "max-expires",
	    LIMIT_EXPIRES_MIN, LIMIT_EXPIRES_MAX },
	[LIM_CONNS_UNAUTH] = { "connections-unauthenticated",
	    LIMIT_CONNS_MIN, LIMIT_CONNS_MAX },
	[LIM_HELD] = { "held-requests", LIMIT_HELD_MIN, LIMIT_HELD_MAX },
	[LIM_HELD_PER_ADDR] = { "held-requests-per-address",
	    LIMIT_HELD_MIN, LIMIT_HELD_MAX },
	[LIM_HELD_BYTES] = { "held-bytes",
	    LIMIT_HELD_BYTES_MIN, LIMIT_HELD_BYTES_MAX },
	[LIM_HELD_BYTES_PER_ADDR] = { "held-bytes-per-address",
	    LIMIT_HELD_BYTES_MIN, LIMIT_HELD_BYTES_MAX },
	[LIM_UNAUTH_WAIT] = { "unauthenticated-wait",
	    LIMIT_UNAUTH_WAIT_MIN, LIMIT_UNAUTH_WAIT_MAX },
	[LIM_IPV4_PREFIX] = { "ipv4-prefix",
	    LIMIT_IPV4_PREFIX_MIN, LIMIT_IPV4_PREFIX_MAX },
	[LIM_IPV6_PREFIX] = { "ipv6-prefix",
	    LIMIT_IPV6_PREFIX_MIN, LIMIT_IPV6_PREFIX_MAX },
	[LIM_RING_TIME] = { "ring-time",
	    LIMIT_RING_TIME_MIN, LIMIT_RING_TIME_MAX },
};

/* The presence statements, one SEEN_PRES bit each. */
enum pres_id {
	PRES_AUTHORIZE,
	PRES_MIN_EXPIRES,
	PRES_MAX_EXPIRES,
	PRES_NOTIFY_INTERVAL,
	PRES_DOC_SIZE,
	PRES_SUBS,
	PRES_DEVICES,
	PRES_RULES,
	PRES_WATCHER_SUBS,
	PRES_DOMAIN_SUBS,
	PRES_DOMAIN_TOTAL,
	PRES_STRANGER_SUBS,
	PRES_NIDS
};

_Static_assert(PRES_NIDS <= 32, "presence bits run out of p_seen");

/* The numbers of presence, checked as limits are. */
static const struct limit_def pres_defs[] = {
	[PRES_MIN_EXPIRES] = { "min-expires",
	    LIMIT_EXPIRES_MIN, LIMIT_EXPIRES_MAX },
	[PRES_MAX_EXPIRES] = { "max-expires",
	    LIMIT_EXPIRES_MIN, LIMIT_EXPIRES_MAX },
	[PRES_DOC_SIZE] = { "document-size",
	    PRESENCE_DOC_SIZE_MIN, PRESENCE_DOC_SIZE_MAX },
	[PRES_SUBS] = { "subscriptions",
	    PRESENCE_MAX_SUBS_MIN, PRESENCE_MAX_SUBS_MAX },
	[PRES_DEVICES] = { "devices",
	    PRESENCE_MAX_DOCS_MIN, PRESENCE_MAX_DOCS_MAX },
	[PRES_RULES] = { "rules",
	    PRESENCE_MAX_RULES_MIN, PRESENCE_MAX_RULES_MAX },
	[PRES_WATCHER_SUBS] = { "watcher-subscriptions",
	    PRESENCE_MAX_SUBS_MIN, PRESENCE_MAX_SUBS_MAX },
	[PRES_DOMAIN_SUBS] = { "domain-subscriptions",
	    PRESENCE_MAX_SUBS_MIN, PRESENCE_MAX_SUBS_MAX },
	[PRES_DOMAIN_TOTAL] = { "domain-total",
	    PRESENCE_MAX_SUBS_MIN, PRESENCE_MAX_SUBS_MAX },
	[PRES_STRANGER_SUBS] = { "stranger-subscriptions",
	    0, PRESENCE_MAX_SUBS_MAX },
};

/* One run of the parser; config_parse starts it afresh. */
static struct {
	struct imd_conf		*p_conf;
	struct parse_files	 p_files;	/* innermost include first */
	TAILQ_HEAD(, parse_macro) p_macros;
	SLIST_HEAD(, parse_str)	 p_strings;
	unsigned int		 p_nfiles;	/* files opened so far */
	int			 p_depth;	/* files open now */
	int			 p_errors;
	unsigned int		 p_errfile;	/* where the last error was */
	int			 p_errline;
	uint64_t		 p_seen;	/* SEEN_* */
	unsigned int		 p_seen_mail;	/* SEEN_QUOTA, SEEN_MAIL_* */
	unsigned int		 p_seen_limits;	/* SEEN_LIMIT() */
	unsigned int		 p_seen_xmpp;	/* SEEN_XMPP_* */
	struct listen_opts	 p_listen;
} parse;

/* Where the lexer is, and what it returned last (for syntax errors). */
static struct {
	int		 lx_unget[PARSE_UNGET_MAX];
	int		 lx_nunget;
	const char	*lx_expand;	/* rest of a macro value being read */
	int		 lx_bol;	/* the last token ended a line */
	int		 lx_tokens;	/* tokens returned on this line */
	int		 lx_first_string; /* this line began with a STRING */
	char		 lx_first[PARSE_TEXT_MAX];
	char		 lx_text[PARSE_TEXT_MAX];
} lx;

typedef struct {
	union {
		int64_t	 number;
		char	*string;
	} v;
	int lineno;
} YYSTYPE;
#define YYSTYPE_IS_DECLARED 1

int	yyparse(void);
int	yylex(void);
int	yyerror(const char *);

static void	parse_error(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));
static void	parse_error_at(const struct parse_file *, int,
		    const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));
static const char *shown(const char *);
static char	*parse_stralloc(size_t);
static char	*parse_strdup(const char *);
static char	*number_text(int64_t);
static int	 seen_once(uint64_t, const char *);
static void	 conf_db_cache(int64_t);
static int	 seen_once_in(unsigned int *, unsigned int, const char *);

static void	 include_open(const char *);
static void	 macro_set(const char *, const char *);
static void	 domain_add(const char *, const char *, int);
static void	 listen_begin(void);
static void	 listen_port(int64_t);
static void	 listen_transport(int);
static void	 listen_file(const char **, const char *, const char *);
static void	 listen_add(const char *);
static void	 web_set(const char *, const char *);
static void	 web_origin_add(const char *);
static int64_t	 port_number(int64_t);
static int64_t	 size_parse(const char *);
static int64_t	 duration_parse(const char *);
static int64_t	 duration_ms_parse(const char *);
static int64_t	 seconds_ms(int64_t);
static void	 conf_path(char *, const char *, unsigned int, const char *);
static void	 conf_user(const char *);
static void	 conf_realm(const char *);
static void	 limit_set(enum limit_id, int64_t);
static void	 route_add(const char *, const char *, int);
static void	 route_xmpp_dns(const char *);
static void	 xmpp_listen(const char *);
static void	 xmpp_dialback(int);
static void	 xmpp_limit(unsigned int, const char *, int64_t, int64_t,
		    int64_t, uint32_t *);
static void	 xmpp_tls_listen(struct conf_xmpp *);
static void	 resolver_set(const char *);
static void	 inbound_set(enum inbound_policy);
static void	 relay_private_set(int);
static void	 tls_ca_set(const char *);
static void	 metrics_listen(const char *, int64_t);
static void	 metrics_allow(const char *);
static void	 conf_offline_policy(enum offline_policy, int64_t);
static void	 conf_mta(const char *, int64_t);
static void	 conf_mail_from(const char *);
static void	 conf_mail_sender(const char *);
static void	 conf_mail_limit(int64_t, int64_t);
static void	 conf_quota(enum offline_quota_id, int64_t, int64_t);
static void	 conf_quota_defaults(struct conf_offline *);
static void	 conf_number(uint32_t *, const char *, uint64_t, int64_t,
		    int64_t, int64_t);
static void	 pres_authorize(enum presence_authorize);
static void	 pres_number(enum pres_id, int64_t);
static void	 conf_workers(int64_t, int);
static void	 pres_interval(int64_t);
static void	 limits_check(const struct parse_file *, int,
		    struct conf_limits *);
%}

%token	DIRECT
%token	AFTER ALGORITHMS ALLOW ANY ASK AUTH AUTHORIZE AUTO BYTES CA CACHE
%token	CERTIFICATE
%token	CHROOT CONNECTIONS CONNS_PER_ADDR CONNS_UNAUTH CONTROL DATABASE
%token	DEVICES DOCUMENT_SIZE DOMAIN DOMAIN_SUBS DOMAIN_TOTAL FROM HEADERS
%token	HELD_BYTES HELD_BYTES_PER_ADDR HELD_REQUESTS HELD_PER_ADDR INBOUND
%token	INCLUDE IPV4_PREFIX IPV6_PREFIX KEY LIMIT LINE_LENGTH LISTEN LISTENER
%token	MAIL
%token	MESSAGE_SIZE METRICS MTA NO ON MAX_AGE MAX_EXPIRES MIN_EXPIRES NONE
%token	NOTIFY_INTERVAL OFFLINE PER PORT PRESENCE PRIVATE_ADDRESSES REALM
%token	RELAY RESOLVER RING_TIME ROUTE RULES SENDER SOCKET STORE STRANGER_SUBS
%token	SUBSCRIPTIONS TCP THEN TLS TLS_VERIFIED UDP UNAUTH_WAIT
%token	UNAUTHENTICATED USER VERIFIED VIA WATCHER_SUBS WORKERS YES
%token	ORIGIN WEB WEBSOCKET WS WSS
%token	XMPP DIALBACK STANZA_SIZE CONNS_PER_DOMAIN IDLE_TIMEOUT
%token	ERROR
%token	<v.string>	STRING
%token	<v.number>	NUMBER
%type	<v.string>	include optrealm value metricson
%type	<v.number>	optdirect number port size transport duration mtaport
%type	<v.number>	msduration yesno optbytes metricsport optxmpp

%%

grammar		: /* empty */
		| grammar '\n'
		| grammar include '\n'		{ include_open($2); }
		| grammar macro '\n'
		| grammar statement '\n'
		| grammar error '\n'		{ yyerrok; }
		;

/* Opened once its line is complete: the next token is the file's first. */
include		: INCLUDE STRING		{ $$ = $2; }
		;

macro		: STRING '=' value		{ macro_set($1, $3); }
		;

value		: STRING
		| NUMBER			{ $$ = number_text($1); }
		;

statement	: domain
		| listen
		| DATABASE STRING		{
			conf_path(parse.p_conf->c_database, "database",
			    SEEN_DATABASE, $2);
		}
		| DATABASE CACHE size		{ conf_db_cache($3); }
		| LISTENER WORKERS number	{ conf_workers($3, 0); }
		| LISTENER WORKERS AUTO		{ conf_workers(0, 1); }
		| CHROOT STRING			{
			conf_path(parse.p_conf->c_chroot, "chroot",
			    SEEN_CHROOT, $2);
		}
		| CONTROL SOCKET STRING		{
			conf_path(parse.p_conf->c_control, "control socket",
			    SEEN_CONTROL, $3);
		}
		| USER STRING			{ conf_user($2); }
		| AUTH REALM STRING		{ conf_realm($3); }
		| AUTH ALGORITHMS algorithms
		| LIMIT limit
		| OFFLINE offline
		| PRESENCE presence
		| MTA STRING mtaport		{ conf_mta($2, $3); }
		| MAIL FROM STRING		{ conf_mail_from($3); }
		| MAIL SENDER STRING		{ conf_mail_sender($3); }
		| MAIL LIMIT number PER duration {
			conf_mail_limit($3, $5);
		}
		| ROUTE STRING VIA STRING	{ listen_begin(); }
		    listenopts optxmpp		{ route_add($2, $4, $7); }
		| ROUTE STRING XMPP		{ route_xmpp_dns($2); }
		| XMPP xmpp
		| RESOLVER STRING		{ listen_begin(); }
		    listenopts			{ resolver_set($2); }
		| INBOUND ANY			{ inbound_set(INBOUND_ANY); }
		| INBOUND TLS_VERIFIED		{
			inbound_set(INBOUND_TLS_VERIFIED);
		}
		| INBOUND VERIFIED		{ inbound_set(INBOUND_VERIFIED); }
		| TLS CA STRING			{ tls_ca_set($3); }
		| WEB STRING STRING		{ web_set($2, $3); }
		| WEBSOCKET ORIGIN origins
		| RELAY PRIVATE_ADDRESSES yesno	{ relay_private_set($3); }
		| METRICS LISTEN metricson metricsport {
			metrics_listen($3, $4);
		}
		| METRICS ALLOW STRING		{ metrics_allow($3); }
		;

metricson	: /* empty */			{ $$ = IMD_METRICS_ADDRESS; }
		| ON STRING			{ $$ = $2; }
		;

metricsport	: /* empty */			{ $$ = IMD_METRICS_PORT; }
		| PORT port			{ $$ = $2; }
		;

optxmpp		: /* empty */			{ $$ = 0; }
		| XMPP				{ $$ = 1; }
		;

xmpp		: LISTEN ON STRING		{ listen_begin(); }
		    listenopts			{ xmpp_listen($3); }
		| DIALBACK yesno		{ xmpp_dialback($2); }
		| LIMIT STANZA_SIZE size	{
			xmpp_limit(SEEN_XMPP_STANZA, "stanza-size", $3,
			    XMPP_STANZA_SIZE_MIN, XMPP_STANZA_SIZE_MAX,
			    &parse.p_conf->c_xmpp.x_stanza_size);
		}
		| LIMIT CONNECTIONS number	{
			xmpp_limit(SEEN_XMPP_STREAMS, "connections", $3,
			    XMPP_STREAMS_MIN, XMPP_STREAMS_MAX,
			    &parse.p_conf->c_xmpp.x_streams);
		}
		| LIMIT CONNS_PER_DOMAIN number	{
			xmpp_limit(SEEN_XMPP_PER_DOMAIN,
			    "connections-per-domain", $3, XMPP_STREAMS_MIN,
			    XMPP_STREAMS_MAX,
			    &parse.p_conf->c_xmpp.x_streams_per_domain);
		}
		| LIMIT IDLE_TIMEOUT duration	{
			xmpp_limit(SEEN_XMPP_IDLE, "idle-timeout", $3,
			    XMPP_IDLE_MIN, XMPP_IDLE_MAX,
			    &parse.p_conf->c_xmpp.x_idle);
		}
		;

yesno		: YES				{ $$ = 1; }
		| NO				{ $$ = 0; }
		;

mtaport		: /* empty */			{ $$ = IMD_MTA_PORT; }
		| PORT port			{ $$ = $2; }
		;

origins		: STRING			{ web_origin_add($1); }
		| origins STRING		{ web_origin_add($2); }
		;

algorithms	: STRING			{ conf_algorithm($1); }
		| algorithms STRING		{ conf_algorithm($2); }
		;

domain		: DOMAIN STRING optrealm optdirect {
			domain_add($2, $3, $4);
		}
		;

optdirect	: /* empty */			{ $$ = 0; }
		| DIRECT			{ $$ = 1; }
		;

optrealm	: /* empty */			{ $$ = NULL; }
		| REALM STRING			{ $$ = $2; }
		;

listen		: LISTEN ON STRING		{ listen_begin(); }
		    listenopts			{ listen_add($3); }
		;

listenopts	: /* empty */
		| listenopts listenopt
		;

listenopt	: PORT port			{ listen_port($2); }
		| transport			{ listen_transport($1); }
		| WS				{
			listen_transport(TRANSPORT_TCP);
			parse.p_listen.lo_websocket = 1;
		}
		| WSS				{
			listen_transport(TRANSPORT_TLS);
			parse.p_listen.lo_websocket = 1;
		}
		| CERTIFICATE STRING		{
			listen_file(&parse.p_listen.lo_cert, "certificate", $2);
		}
		| KEY STRING			{
			listen_file(&parse.p_listen.lo_key, "key", $2);
		}
		;

transport	: UDP				{ $$ = TRANSPORT_UDP; }
		| TCP				{ $$ = TRANSPORT_TCP; }
		| TLS				{ $$ = TRANSPORT_TLS; }
		;

/* -1 stands for a value already reported as wrong. */
port		: NUMBER			{ $$ = port_number($1); }
		| STRING			{
			parse_error("port \"%s\" is not a number", shown($1));
			$$ = -1;
		}
		;

number		: NUMBER
		| STRING			{
			parse_error("\"%s\" is not a number", shown($1));
			$$ = -1;
		}
		;

size		: NUMBER
		| STRING			{ $$ = size_parse($1); }
		;

offline		: STORE				{
			conf_offline_policy(OFFLINE_POLICY_STORE, 0);
		}
		| STORE THEN MAIL AFTER duration {
			conf_offline_policy(OFFLINE_POLICY_STORE_MAIL, $5);
		}
		| MAIL				{
			conf_offline_policy(OFFLINE_POLICY_MAIL, 0);
		}
		| NONE				{
			conf_offline_policy(OFFLINE_POLICY_NONE, 0);
		}
		| LIMIT number optbytes		{
			conf_quota(OFFLINE_QUOTA_USER, $2, $3);
		}
		| LIMIT UNAUTHENTICATED number optbytes {
			conf_quota(OFFLINE_QUOTA_UNAUTH, $3, $4);
		}
		| LIMIT DOMAIN number optbytes	{
			conf_quota(OFFLINE_QUOTA_DOMAIN, $3, $4);
		}
		| LIMIT SENDER number optbytes	{
			conf_quota(OFFLINE_QUOTA_SENDER, $3, $4);
		}
		| MAX_AGE duration		{
			conf_number(&parse.p_conf->c_offline.off_age,
			    "offline max-age", SEEN_OFF_AGE, $2, OFFLINE_AGE_MIN,
			    OFFLINE_AGE_MAX);
		}
		;

/* -2 for none given: the default stays. */
optbytes	: /* empty */			{ $$ = -2; }
		| BYTES size			{ $$ = $2; }
		;

duration	: NUMBER
		| STRING			{ $$ = duration_parse($1); }
		;

/* Milliseconds: a bare number is seconds, as in every duration. */
msduration	: NUMBER			{ $$ = seconds_ms($1); }
		| STRING			{ $$ = duration_ms_parse($1); }
		;

presence	: AUTHORIZE AUTO		{
			pres_authorize(PRESENCE_AUTH_AUTO);
		}
		| AUTHORIZE DOMAIN		{
			pres_authorize(PRESENCE_AUTH_DOMAIN);
		}
		| AUTHORIZE ASK			{
			pres_authorize(PRESENCE_AUTH_ASK);
		}
		| MIN_EXPIRES number		{
			pres_number(PRES_MIN_EXPIRES, $2);
		}
		| MAX_EXPIRES number		{
			pres_number(PRES_MAX_EXPIRES, $2);
		}
		| NOTIFY_INTERVAL msduration	{ pres_interval($2); }
		| DOCUMENT_SIZE size		{
			pres_number(PRES_DOC_SIZE, $2);
		}
		| SUBSCRIPTIONS number		{ pres_number(PRES_SUBS, $2); }
		| DEVICES number		{
			pres_number(PRES_DEVICES, $2);
		}
		| RULES number			{ pres_number(PRES_RULES, $2); }
		| WATCHER_SUBS number		{
			pres_number(PRES_WATCHER_SUBS, $2);
		}
		| DOMAIN_SUBS number		{
			pres_number(PRES_DOMAIN_SUBS, $2);
		}
		| DOMAIN_TOTAL number		{
			pres_number(PRES_DOMAIN_TOTAL, $2);
		}
		| STRANGER_SUBS number		{
			pres_number(PRES_STRANGER_SUBS, $2);
		}
		;

limit		: MESSAGE_SIZE size		{ limit_set(LIM_MSG_SIZE, $2); }
		| HEADERS number		{ limit_set(LIM_HEADERS, $2); }
		| LINE_LENGTH number		{ limit_set(LIM_LINE, $2); }
		| CONNECTIONS number		{ limit_set(LIM_CONNS, $2); }
		| CONNS_PER_ADDR number		{
			limit_set(LIM_CONNS_PER_ADDR, $2);
		}
		| MIN_EXPIRES number		{ limit_set(LIM_MIN_EXPIRES, $2); }
		| MAX_EXPIRES number		{ limit_set(LIM_MAX_EXPIRES, $2); }
		| CONNS_UNAUTH number		{
			limit_set(LIM_CONNS_UNAUTH, $2);
		}
		| HELD_REQUESTS number		{ limit_set(LIM_HELD, $2); }
		| HELD_PER_ADDR number		{
			limit_set(LIM_HELD_PER_ADDR, $2);
		}
		| HELD_BYTES size		{ limit_set(LIM_HELD_BYTES, $2); }
		| HELD_BYTES_PER_ADDR size	{
			limit_set(LIM_HELD_BYTES_PER_ADDR, $2);
		}
		| UNAUTH_WAIT duration		{
			limit_set(LIM_UNAUTH_WAIT, $2);
		}
		| IPV4_PREFIX number		{ limit_set(LIM_IPV4_PREFIX, $2); }
		| IPV6_PREFIX number		{ limit_set(LIM_IPV6_PREFIX, $2); }
		| RING_TIME duration		{ limit_set(LIM_RING_TIME, $2); }
		;

%%

/*
 * Errors.
 */

static struct parse_file *
file_top(void)
{
	return (TAILQ_FIRST(&parse.p_files));
}

static void __attribute__((__format__ (printf, 3, 0)))
parse_verror(const struct parse_file *pf, int line, const char *fmt,
    va_list ap)
{
	char	msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_warnx("%s:%d: %s", pf->pf_name, line, msg);
	parse.p_errors++;
	parse.p_errfile = pf->pf_id;
	parse.p_errline = line;
}

/* An error at the token being read, in the file being read. */
static void
parse_error(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	parse_verror(file_top(), yylval.lineno, fmt, ap);
	va_end(ap);
}

static void
parse_error_at(const struct parse_file *pf, int line, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	parse_verror(pf, line, fmt, ap);
	va_end(ap);
}

/*
 * yacc's own complaint.  A line that already has an error (a bad token
 * from the lexer, an undefined macro) is not reported twice; a line that
 * starts with a word that is not a keyword is named for what it is.
 */
int
yyerror(const char *msg)
{
	if (parse.p_errfile == file_top()->pf_id &&
	    parse.p_errline == yylval.lineno)
		return (0);
	if (strcmp(msg, "syntax error") != 0)
		parse_error("%s", msg);
	else if (lx.lx_first_string && lx.lx_tokens <= 2)
		parse_error("unknown keyword \"%s\"", shown(lx.lx_first));
	else if (yychar == '\n' || yychar == 0)
		parse_error("syntax error at end of line");
	else
		parse_error("syntax error near \"%s\"", shown(lx.lx_text));
	return (0);
}

/*
 * Text from the file made printable and short for an error message, with
 * its double quotes escaped as the message quotes it.  A few buffers in
 * turn, so that one message can show several.
 */
static const char *
shown(const char *s)
{
	static char	buf[4][LOG_VIS_MAX * 4 + 1];
	static int	next;
	char		*b = buf[next];
	size_t		 len;

	next = (next + 1) % 4;
	if ((len = strlen(s)) > LOG_VIS_MAX)
		len = LOG_VIS_MAX;
	strnvisx(b, sizeof(buf[0]), s, len,
	    VIS_SAFE | VIS_NL | VIS_CSTYLE | VIS_DQ);
	return (b);
}

/*
 * Strings the lexer makes, freed together at the end.
 */

static char *
parse_stralloc(size_t size)
{
	struct parse_str	*ps;

	if ((ps = malloc(sizeof(*ps) + size)) == NULL)
		fatal("%s", __func__);
	SLIST_INSERT_HEAD(&parse.p_strings, ps, ps_entry);
	return (ps->ps_text);
}

static char *
parse_strdup(const char *s)
{
	size_t	 size;

	size = strlen(s) + 1;
	return (memcpy(parse_stralloc(size), s, size));
}

static char *
number_text(int64_t n)
{
	char	buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)n);
	return (parse_strdup(buf));
}

/*
 * Keywords.
 */

struct keyword {
	const char	*k_name;
	int		 k_token;
};

/* Sorted for bsearch; keywords_check() insists. */
static const struct keyword keywords[] = {
	{ "after",			AFTER },
	{ "algorithms",			ALGORITHMS },
	{ "allow",			ALLOW },
	{ "any",			ANY },
	{ "ask",			ASK },
	{ "auth",			AUTH },
	{ "authorize",			AUTHORIZE },
	{ "auto",			AUTO },
	{ "bytes",			BYTES },
	{ "ca",				CA },
	{ "cache",			CACHE },
	{ "certificate",		CERTIFICATE },
	{ "chroot",			CHROOT },
	{ "connections",		CONNECTIONS },
	{ "connections-per-address",	CONNS_PER_ADDR },
	{ "connections-per-domain",	CONNS_PER_DOMAIN },
	{ "connections-unauthenticated", CONNS_UNAUTH },
	{ "control",			CONTROL },
	{ "database",			DATABASE },
	{ "devices",			DEVICES },
	{ "dialback",			DIALBACK },
	{ "direct",			DIRECT },
	{ "document-size",		DOCUMENT_SIZE },
	{ "domain",			DOMAIN },
	{ "domain-subscriptions",	DOMAIN_SUBS },
	{ "domain-total",		DOMAIN_TOTAL },
	{ "from",			FROM },
	{ "headers",			HEADERS },
	{ "held-bytes",			HELD_BYTES },
	{ "held-bytes-per-address",	HELD_BYTES_PER_ADDR },
	{ "held-requests",		HELD_REQUESTS },
	{ "held-requests-per-address",	HELD_PER_ADDR },
	{ "idle-timeout",		IDLE_TIMEOUT },
	{ "inbound",			INBOUND },
	{ "include",			INCLUDE },
	{ "ipv4-prefix",		IPV4_PREFIX },
	{ "ipv6-prefix",		IPV6_PREFIX },
	{ "key",			KEY },
	{ "limit",			LIMIT },
	{ "line-length",		LINE_LENGTH },
	{ "listen",			LISTEN },
	{ "listener",			LISTENER },
	{ "mail",			MAIL },
	{ "max-age",			MAX_AGE },
	{ "max-expires",		MAX_EXPIRES },
	{ "message-size",		MESSAGE_SIZE },
	{ "metrics",			METRICS },
	{ "min-expires",		MIN_EXPIRES },
	{ "mta",			MTA },
	{ "no",				NO },
	{ "none",			NONE },
	{ "notify-interval",		NOTIFY_INTERVAL },
	{ "offline",			OFFLINE },
	{ "on",				ON },
	{ "origin",			ORIGIN },
	{ "per",			PER },
	{ "port",			PORT },
	{ "presence",			PRESENCE },
	{ "private-addresses",		PRIVATE_ADDRESSES },
	{ "realm",			REALM },
	{ "relay",			RELAY },
	{ "resolver",			RESOLVER },
	{ "ring-time",			RING_TIME },
	{ "route",			ROUTE },
	{ "rules",			RULES },
	{ "sender",			SENDER },
	{ "socket",			SOCKET },
	{ "stanza-size",		STANZA_SIZE },
	{ "store",			STORE },
	{ "stranger-subscriptions",	STRANGER_SUBS },
	{ "subscriptions",		SUBSCRIPTIONS },
	{ "tcp",			TCP },
	{ "then",			THEN },
	{ "tls",			TLS },
	{ "tls-verified",		TLS_VERIFIED },
	{ "udp",			UDP },
	{ "unauthenticated",		UNAUTHENTICATED },
	{ "unauthenticated-wait",	UNAUTH_WAIT },
	{ "user",			USER },
	{ "verified",			VERIFIED },
	{ "via",			VIA },
	{ "watcher-subscriptions",	WATCHER_SUBS },
	{ "web",				WEB },
	{ "websocket",			WEBSOCKET },
	{ "workers",			WORKERS },
	{ "ws",				WS },
	{ "wss",				WSS },
	{ "xmpp",			XMPP },
	{ "yes",			YES },
};
#define NKEYWORDS	(sizeof(keywords) / sizeof(keywords[0]))

static int
keyword_cmp(const void *name, const void *kw)
{
	return (strcmp(name, ((const struct keyword *)kw)->k_name));
}

static int
keyword_lookup(const char *word)
{
	const struct keyword	*kw;

	kw = bsearch(word, keywords, NKEYWORDS, sizeof(keywords[0]),
	    keyword_cmp);
	return (kw == NULL ? STRING : kw->k_token);
}

/* A keyword added out of order would silently never match. */
static void
keywords_check(void)
{
	size_t	i;

	for (i = 1; i < NKEYWORDS; i++)
		if (strcmp(keywords[i - 1].k_name, keywords[i].k_name) >= 0)
			fatalx("parse: keyword \"%s\" out of order",
			    keywords[i].k_name);
}

/*
 * Files: a stack with the innermost include on top.
 */

/*
 * Checked before the stream is made: opening a FIFO with no writer
 * would otherwise wait for one, and the parent with it.
 */
static FILE *
file_open_regular(const char *name, struct stat *st, const char **why)
{
	FILE	*fp;
	int	 fd;

	if ((fd = open(name, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1 ||
	    fstat(fd, st) == -1)
		*why = strerror(errno);
	else if (!S_ISREG(st->st_mode))
		*why = "not a regular file";
	else if ((fp = fdopen(fd, "r")) == NULL)
		*why = strerror(errno);
	else
		return (fp);
	if (fd != -1)
		close(fd);
	return (NULL);
}

static struct parse_file *
file_open(const char *name, const char **why)
{
	struct parse_file	*pf;
	struct stat		 st;

	if ((pf = calloc(1, sizeof(*pf))) == NULL ||
	    (pf->pf_name = strdup(name)) == NULL)
		fatal("%s", __func__);
	if ((pf->pf_stream = file_open_regular(name, &st, why)) != NULL) {
		pf->pf_dev = st.st_dev;
		pf->pf_ino = st.st_ino;
		pf->pf_id = ++parse.p_nfiles;
		pf->pf_line = 1;
		pf->pf_lastline = 1;
		pf->pf_lastc = EOF;
		return (pf);
	}
	free(pf->pf_name);
	free(pf);
	return (NULL);
}

static void
file_close(struct parse_file *pf)
{
	TAILQ_REMOVE(&parse.p_files, pf, pf_entry);
	parse.p_depth--;
	fclose(pf->pf_stream);
	free(pf->pf_name);
	free(pf);
}

static void
file_push(struct parse_file *pf)
{
	TAILQ_INSERT_HEAD(&parse.p_files, pf, pf_entry);
	parse.p_depth++;
}

static int
file_is_open(const struct parse_file *nf)
{
	const struct parse_file	*pf;

	TAILQ_FOREACH(pf, &parse.p_files, pf_entry)
		if (pf->pf_dev == nf->pf_dev && pf->pf_ino == nf->pf_ino)
			return (1);
	return (0);
}

/*
 * A relative include is found beside the file that names it, so that a
 * configuration and its parts can move together.
 */
static int
include_path(const char *name, char *buf, size_t size)
{
	const char	*cur, *slash;
	int		 n;

	cur = file_top()->pf_name;
	if (name[0] == '/' || (slash = strrchr(cur, '/')) == NULL)
		n = snprintf(buf, size, "%s", name);
	else
		n = snprintf(buf, size, "%.*s/%s", (int)(slash - cur), cur,
		    name);
	return (n < 0 || (size_t)n >= size ? -1 : 0);
}

static void
include_open(const char *name)
{
	struct parse_file	*pf;
	char			 path[PATH_MAX];
	const char		*why;

	if (include_path(name, path, sizeof(path)) == -1) {
		parse_error("include \"%s\": path too long", shown(name));
		return;
	}
	if (parse.p_depth >= PARSE_DEPTH_MAX) {
		parse_error("include \"%s\": nested too deeply", shown(name));
		return;
	}
	if ((pf = file_open(path, &why)) == NULL) {
		parse_error("cannot include \"%s\": %s", shown(name), why);
		return;
	}
	if (file_is_open(pf)) {
		parse_error("include \"%s\": the file includes itself",
		    shown(name));
		fclose(pf->pf_stream);
		free(pf->pf_name);
		free(pf);
		return;
	}
	file_push(pf);
}

/*
 * Macros.
 */

static struct parse_macro *
macro_find(const char *name)
{
	struct parse_macro	*pm;

	TAILQ_FOREACH(pm, &parse.p_macros, pm_entry)
		if (strcmp(pm->pm_name, name) == 0)
			return (pm);
	return (NULL);
}

static int
is_macro_char(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_');
}

static void
macro_set(const char *name, const char *value)
{
	struct parse_macro	*pm;
	const char		*p;

	for (p = name; *p != '\0'; p++)
		if (!is_macro_char((unsigned char)*p))
			break;
	if (*p != '\0' || p - name > PARSE_MACRO_NAME_MAX) {
		parse_error("invalid macro name \"%s\"", shown(name));
		return;
	}
	if ((pm = macro_find(name)) == NULL) {
		if ((pm = calloc(1, sizeof(*pm))) == NULL)
			fatal("%s", __func__);
		pm->pm_name = name;
		TAILQ_INSERT_TAIL(&parse.p_macros, pm, pm_entry);
	}
	pm->pm_value = value;
}

/*
 * The lexer.  Characters come from a pushed-back character, then the
 * rest of a macro value, then the file on top of the stack.
 */

/* A backslash at the end of a line joins it to the next. */
static int
file_getc(struct parse_file *pf)
{
	int	c, next;

	if (pf->pf_eof)
		return (EOF);
	while ((c = getc(pf->pf_stream)) == '\\') {
		if ((next = getc(pf->pf_stream)) != '\n') {
			ungetc(next, pf->pf_stream);
			break;
		}
		pf->pf_line++;
	}
	if (c != EOF)
		pf->pf_lastc = c;
	return (c);
}

static int
lex_getc(void)
{
	if (lx.lx_nunget > 0)
		return (lx.lx_unget[--lx.lx_nunget]);
	if (lx.lx_expand != NULL) {
		if (*lx.lx_expand != '\0')
			return ((unsigned char)*lx.lx_expand++);
		lx.lx_expand = NULL;
	}
	return (file_getc(file_top()));
}

static void
lex_ungetc(int c)
{
	if (c == EOF)
		return;
	if (lx.lx_nunget == PARSE_UNGET_MAX)
		fatalx("parse: pushback overflow");
	lx.lx_unget[lx.lx_nunget++] = c;
}

/* Blanks and a comment up to the end of the line. */
static int
lex_skip(void)
{
	int	c;

	do {
		c = lex_getc();
	} while (c == ' ' || c == '\t' || c == '\r');
	if (c == '#')
		while ((c = lex_getc()) != '\n' && c != EOF)
			;
	return (c);
}

/* Note what is returned: syntax errors quote it, newlines count lines. */
static int
lex_emit(int token, const char *text)
{
	if (lx.lx_bol) {
		lx.lx_tokens = 0;
		lx.lx_first_string = token == STRING;
		strlcpy(lx.lx_first, text, sizeof(lx.lx_first));
	}
	lx.lx_tokens++;
	strlcpy(lx.lx_text, text, sizeof(lx.lx_text));
	lx.lx_bol = token == '\n';
	if (token == '\n')
		file_top()->pf_line++;
	return (token);
}

/*
 * The end of a file gives one newline first, so that a last line without
 * one still ends its statement; then the includer goes on, or the input
 * ends.  Returns 1 with a token, or 0 to read on in the includer.
 */
static int
lex_eof(int *token)
{
	struct parse_file	*pf;

	pf = file_top();
	if (!pf->pf_eof) {
		pf->pf_eof = 1;
		pf->pf_lastline = pf->pf_line;
		if (pf->pf_lastc == '\n' || pf->pf_lastc == EOF)
			pf->pf_lastline--;
		if (pf->pf_lastline < 1)
			pf->pf_lastline = 1;
		if (!lx.lx_bol) {
			*token = '\n';
			return (1);
		}
	}
	if (TAILQ_NEXT(pf, pf_entry) == NULL) {
		*token = 0;
		return (1);
	}
	file_close(pf);
	return (0);
}

/* The name after '$'; *endc is the character that ended it. */
static int
lex_macro_name(char *name, size_t size, int *endc)
{
	size_t	len = 0;
	int	c;

	while (is_macro_char(c = lex_getc())) {
		if (len == size - 1) {
			parse_error("macro name too long");
			return (-1);
		}
		name[len++] = c;
	}
	name[len] = '\0';
	*endc = c;
	if (len == 0) {
		lex_ungetc(c);
		parse_error("missing macro name after \"$\"");
		return (-1);
	}
	return (0);
}

/*
 * $name: the value is read in place of the name.  The character that
 * ended the name comes after the value, so it is put at its end.
 */
static int
lex_macro(void)
{
	struct parse_macro	*pm;
	char			 name[PARSE_MACRO_NAME_MAX + 1];
	char			*value;
	size_t			 len;
	int			 c;

	if (lex_macro_name(name, sizeof(name), &c) == -1)
		return (-1);
	if ((pm = macro_find(name)) == NULL) {
		lex_ungetc(c);
		parse_error("macro \"%s\" is not defined", name);
		return (-1);
	}
	len = strlen(pm->pm_value);
	value = parse_stralloc(len + 2);
	memcpy(value, pm->pm_value, len);
	value[len] = c == EOF ? '\0' : c;
	value[len + 1] = '\0';
	lx.lx_expand = value;
	return (0);
}

/* Braces, commas and the like are kept out of words for later syntax. */
static int
is_word_char(int c)
{
	return (c > ' ' && c < 0x7f && strchr("\"'#=,{}()", c) == NULL);
}

static int
is_digits(const char *s)
{
	if (*s == '\0')
		return (0);
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return (0);
	return (1);
}

static int
lex_classify(const char *word)
{
	const char	*errstr;
	int		 token;

	if (is_digits(word)) {
		yylval.v.number = strtonum(word, 0, LLONG_MAX, &errstr);
		if (errstr != NULL) {
			parse_error("number %s is %s", shown(word), errstr);
			return (lex_emit(ERROR, word));
		}
		return (lex_emit(NUMBER, word));
	}
	if ((token = keyword_lookup(word)) != STRING)
		return (lex_emit(token, word));
	yylval.v.string = parse_strdup(word);
	return (lex_emit(STRING, word));
}

static int
lex_word(int c)
{
	char	buf[PARSE_TOKEN_MAX];
	size_t	len = 0;
	int	toolong = 0;

	do {
		if (len < sizeof(buf) - 1)
			buf[len++] = c;
		else
			toolong = 1;
	} while (is_word_char(c = lex_getc()));
	lex_ungetc(c);
	buf[len] = '\0';
	if (toolong) {
		parse_error("word too long");
		return (lex_emit(ERROR, buf));
	}
	return (lex_classify(buf));
}

/* Inside quotes a backslash escapes the quote and itself; no macros. */
static int
lex_quoted(int quote)
{
	char	buf[PARSE_TOKEN_MAX];
	size_t	len = 0;
	int	c, next, bad = 0;

	while ((c = lex_getc()) != quote) {
		if (c == '\n' || c == EOF) {
			lex_ungetc(c);
			parse_error("unterminated quoted string");
			return (lex_emit(ERROR, "\""));
		}
		if (c == '\\' && ((next = lex_getc()) == quote ||
		    next == '\\'))
			c = next;
		else if (c == '\\')
			lex_ungetc(next);
		if (c == '\0' && !bad++)
			parse_error("NUL byte in quoted string");
		if (len == sizeof(buf) - 1 && !bad++)
			parse_error("quoted string too long");
		if (len < sizeof(buf) - 1)
			buf[len++] = c;
	}
	buf[len] = '\0';
	if (bad)
		return (lex_emit(ERROR, buf));
	yylval.v.string = parse_strdup(buf);
	return (lex_emit(STRING, buf));
}

static int
lex_read(int c)
{
	char	text[8];

	if (c == '"' || c == '\'')
		return (lex_quoted(c));
	if (is_word_char(c))
		return (lex_word(c));
	if (c == '\n')
		return (lex_emit('\n', "end of line"));
	if (c >= ' ' && c < 0x7f)
		snprintf(text, sizeof(text), "%c", c);
	else
		snprintf(text, sizeof(text), "\\x%02x", c & 0xff);
	return (lex_emit(c, text));
}

int
yylex(void)
{
	int	c, token;

	for (;;) {
		c = lex_skip();
		yylval.lineno = file_top()->pf_line;
		if (c == EOF) {
			if (lex_eof(&token))
				return (lex_emit(token, "end of file"));
			continue;
		}
		/* A '$' inside a macro value is just a character. */
		if (c == '$' && lx.lx_expand == NULL) {
			if (lex_macro() == -1)
				return (lex_emit(ERROR, "$"));
			continue;
		}
		return (lex_read(c));
	}
}

/*
 * Statements.
 */

static int
seen_once_in(unsigned int *seen, unsigned int bit, const char *what)
{
	if (*seen & bit) {
		parse_error("%s given twice", what);
		return (-1);
	}
	*seen |= bit;
	return (0);
}

static int
seen_once(uint64_t bit, const char *what)
{
	if (parse.p_seen & bit) {
		parse_error("%s given twice", what);
		return (-1);
	}
	parse.p_seen |= bit;
	return (0);
}

static int
is_hostname(const char *s)
{
	size_t	label = 0;
	int	c, prev = '.';

	if (*s == '\0' || strlen(s) > IMD_DOMAIN_MAX - 1)
		return (0);
	for (; (c = (unsigned char)*s) != '\0'; prev = c, s++) {
		if (c == '.') {
			if (prev == '.' || prev == '-')
				return (0);
			label = 0;
			continue;
		}
		if (c == '-' && prev == '.')
			return (0);
		if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') &&
		    c != '-')
			return (0);
		if (++label > 63)
			return (0);
	}
	return (prev != '.' && prev != '-');
}

/* The realm goes out inside a quoted header value. */
static int
is_realm(const char *s)
{
	if (*s == '\0' || strlen(s) > IMD_REALM_MAX - 1)
		return (0);
	for (; *s != '\0'; s++)
		if (*s < ' ' || *s > '~' || *s == '"' || *s == '\\')
			return (0);
	return (1);
}

static int
domain_count(void)
{
	struct conf_domain	*cd;
	int			 n = 0;

	TAILQ_FOREACH(cd, &parse.p_conf->c_domains, cd_entry)
		n++;
	return (n);
}

/* A domain name in lower case, or -1 and an error. */
static int
domain_lower(const char *name, char *lower)
{
	size_t	i;

	for (i = 0; i < IMD_DOMAIN_MAX - 1 && name[i] != '\0'; i++)
		lower[i] = name[i] >= 'A' && name[i] <= 'Z' ?
		    name[i] - 'A' + 'a' : name[i];
	lower[i] = '\0';
	if (name[i] != '\0' || !is_hostname(lower)) {
		parse_error("invalid domain name \"%s\"", shown(name));
		return (-1);
	}
	return (0);
}

static void
domain_add(const char *name, const char *realm, int direct)
{
	struct imd_conf		*conf = parse.p_conf;
	struct conf_domain	*cd;
	char			 lower[IMD_DOMAIN_MAX];

	if (domain_lower(name, lower) == -1)
		return;
	if (realm != NULL && !is_realm(realm)) {
		parse_error("invalid realm \"%s\"", shown(realm));
		return;
	}
	if (config_find_domain(conf, lower) != NULL) {
		parse_error("duplicate domain \"%s\"", lower);
		return;
	}
	if (domain_count() == IMD_MAX_DOMAINS) {
		parse_error("too many domains (at most %d)", IMD_MAX_DOMAINS);
		return;
	}
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		fatal("%s", __func__);
	strlcpy(cd->cd_name, lower, sizeof(cd->cd_name));
	if (realm != NULL)
		strlcpy(cd->cd_realm, realm, sizeof(cd->cd_realm));
	cd->cd_direct = direct;
	TAILQ_INSERT_TAIL(&conf->c_domains, cd, cd_entry);
}

static void
listen_begin(void)
{
	memset(&parse.p_listen, 0, sizeof(parse.p_listen));
	parse.p_listen.lo_transport = -1;
}

static int64_t
port_number(int64_t port)
{
	if (port < 1 || port > 65535) {
		parse_error("port %lld is out of range (1-65535)",
		    (long long)port);
		return (-1);
	}
	return (port);
}

static void
listen_port(int64_t port)
{
	struct listen_opts	*lo = &parse.p_listen;

	if (port == -1)
		lo->lo_bad = 1;
	else if (lo->lo_port != 0) {
		parse_error("port given twice");
		lo->lo_bad = 1;
	} else
		lo->lo_port = port;
}

static void
listen_transport(int transport)
{
	struct listen_opts	*lo = &parse.p_listen;

	if (lo->lo_transport != -1) {
		parse_error("more than one transport");
		lo->lo_bad = 1;
	} else
		lo->lo_transport = transport;
}

/* The parent reads certificate and key: they must be there now. */
static void
listen_file(const char **slot, const char *what, const char *path)
{
	if (*slot != NULL)
		parse_error("%s given twice", what);
	else if (path[0] != '/')
		parse_error("%s path \"%s\" is not absolute", what,
		    shown(path));
	else if (strlen(path) >= IMD_PATH_MAX)
		parse_error("%s path too long", what);
	else if (access(path, R_OK) == -1)
		parse_error("%s \"%s\": %s", what, shown(path),
		    strerror(errno));
	else {
		*slot = path;
		return;
	}
	parse.p_listen.lo_bad = 1;
	*slot = path;
}

/* A numeric address only: the parent never waits for DNS. */
static int
listen_address(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	if (strcasecmp(s, "localhost") == 0)
		s = "127.0.0.1";
	return (config_sockaddr(s, 0, ss, len));
}

static void
listen_set_port(struct sockaddr_storage *ss, in_port_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static int
listen_same(const struct conf_listen *a, const struct conf_listen *b)
{
	return (a->cl_transport == b->cl_transport &&
	    a->cl_sslen == b->cl_sslen &&
	    memcmp(&a->cl_ss, &b->cl_ss, a->cl_sslen) == 0);
}

static struct conf_listen *
listen_find(const struct conf_listen *cl)
{
	struct conf_listen	*o;

	TAILQ_FOREACH(o, &parse.p_conf->c_listens, cl_entry)
		if (listen_same(o, cl))
			return (o);
	return (NULL);
}

static int
listen_count(void)
{
	struct conf_listen	*cl;
	int			 n = 0;

	TAILQ_FOREACH(cl, &parse.p_conf->c_listens, cl_entry)
		n++;
	return (n);
}

/* TLS needs its files; the others must not be given any. */
static int
listen_check_tls(const struct listen_opts *lo)
{
	if (lo->lo_transport == TRANSPORT_TLS) {
		if (lo->lo_cert != NULL && lo->lo_key != NULL)
			return (0);
		parse_error("%s needs a certificate and a key",
		    lo->lo_websocket ? "wss" : "tls");
		return (-1);
	}
	if (lo->lo_cert != NULL || lo->lo_key != NULL) {
		parse_error("certificate and key are for tls only");
		return (-1);
	}
	return (0);
}

/*
 * The entries of one statement: one, or udp and tcp when no transport is
 * named.  All are checked before any is kept, so a statement is taken
 * whole or not at all.
 */
static int
listen_make(const struct listen_opts *lo, const struct sockaddr_storage *ss,
    socklen_t sslen, struct conf_listen *out)
{
	int	i, w, n = lo->lo_transport == -1 ? 2 : 1;

	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].cl_ss = *ss;
		out[i].cl_sslen = sslen;
		out[i].cl_fd = -1;
		for (w = 0; w < IMD_WORKERS_MAX; w++)
			out[i].cl_fds[w] = -1;
		out[i].cl_websocket = lo->lo_websocket;
		out[i].cl_transport = lo->lo_transport == -1 ?
		    (i == 0 ? TRANSPORT_UDP : TRANSPORT_TCP) :
		    (enum imd_transport)lo->lo_transport;
		if (lo->lo_cert != NULL)
			strlcpy(out[i].cl_cert, lo->lo_cert,
			    sizeof(out[i].cl_cert));
		if (lo->lo_key != NULL)
			strlcpy(out[i].cl_key, lo->lo_key,
			    sizeof(out[i].cl_key));
	}
	return (n);
}

static void
listen_keep(const struct conf_listen *entries, int n, const char *addr,
    int64_t port)
{
	struct conf_listen	*cl;
	int			 i;

	for (i = 0; i < n; i++) {
		if (listen_find(&entries[i]) == NULL)
			continue;
		parse_error("duplicate listen on %s port %lld %s",
		    shown(addr), (long long)port,
		    listen_transport_name(&entries[i]));
		return;
	}
	if (listen_count() + n > IMD_MAX_LISTENS) {
		parse_error("too many listen addresses (at most %d)",
		    IMD_MAX_LISTENS);
		return;
	}
	for (i = 0; i < n; i++) {
		if ((cl = malloc(sizeof(*cl))) == NULL)
			fatal("%s", __func__);
		*cl = entries[i];
		TAILQ_INSERT_TAIL(&parse.p_conf->c_listens, cl, cl_entry);
	}
}

static void
listen_add(const char *addr)
{
	struct listen_opts	*lo = &parse.p_listen;
	struct conf_listen	 entries[2];
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	int			 n, bad = lo->lo_bad;

	if (listen_address(addr, &ss, &sslen) == -1) {
		parse_error("invalid listen address \"%s\": a numeric IPv4 "
		    "or IPv6 address or localhost is needed", shown(addr));
		bad = 1;
	}
	if (listen_check_tls(lo) == -1)
		bad = 1;
	if (bad)
		return;
	if (lo->lo_port == 0 && lo->lo_websocket)
		lo->lo_port = lo->lo_transport == TRANSPORT_TLS ?
		    IMD_WSS_PORT : IMD_WS_PORT;
	if (lo->lo_port == 0)
		lo->lo_port = lo->lo_transport == TRANSPORT_TLS ?
		    IMD_SIPS_PORT : IMD_SIP_PORT;
	listen_set_port(&ss, lo->lo_port);
	n = listen_make(lo, &ss, sslen, entries);
	listen_keep(entries, n, addr, lo->lo_port);
}

/* Without a listen statement: udp and tcp on the loopback address. */
static void
listen_default(void)
{
	listen_begin();
	listen_add("127.0.0.1");
}

static void
conf_path(char *dst, const char *what, unsigned int bit, const char *path)
{
	if (seen_once(bit, what) == -1)
		return;
	if (path[0] != '/')
		parse_error("%s path \"%s\" is not absolute", what,
		    shown(path));
	else if (strlcpy(dst, path, IMD_PATH_MAX) >= IMD_PATH_MAX)
		parse_error("%s path too long", what);
}

/* -1 is a size reported already. */
static void
conf_db_cache(int64_t bytes)
{
	if (bytes == -1 || seen_once(SEEN_DB_CACHE, "database cache") == -1)
		return;
	if (bytes < DB_CACHE_MIN || bytes > DB_CACHE_MAX)
		parse_error("database cache %lld is out of range (%lld-%lld)",
		    (long long)bytes, (long long)DB_CACHE_MIN,
		    (long long)DB_CACHE_MAX);
	else
		parse.p_conf->c_db_cache = bytes;
}

/* auto is 0, one per online core; -1 is a number reported already. */
static void
conf_workers(int64_t n, int is_auto)
{
	if (n == -1)
		return;
	if (!is_auto && (n < 1 || n > IMD_WORKERS_MAX))
		parse_error("listener workers %lld is out of range (1-%d)",
		    (long long)n, IMD_WORKERS_MAX);
	else if (seen_once(SEEN_WORKERS, "listener workers") == 0)
		parse.p_conf->c_workers = n;
}

/*
 * Only root can become another user, so only root needs the user to
 * exist; anyone else runs everything as themselves (development mode).
 */
static int
user_resolve(struct imd_conf *conf, const char *name)
{
	struct passwd	*pw;

	if (geteuid() != 0) {
		conf->c_uid = geteuid();
		conf->c_gid = getegid();
		return (0);
	}
	if ((pw = getpwnam(name)) == NULL)
		return (-1);
	conf->c_uid = pw->pw_uid;
	conf->c_gid = pw->pw_gid;
	return (0);
}

static void
conf_user(const char *name)
{
	struct imd_conf	*conf = parse.p_conf;

	if (seen_once(SEEN_USER, "user") == -1)
		return;
	if (*name == '\0')
		parse_error("empty user name");
	else if (strlcpy(conf->c_user, name, sizeof(conf->c_user)) >=
	    sizeof(conf->c_user))
		parse_error("user name \"%s\" too long", shown(name));
	else if (user_resolve(conf, name) == -1)
		parse_error("unknown user \"%s\"", shown(name));
}

/* The first name replaces the default list; order is preference. */
static void
conf_algorithm(const char *name)
{
	struct imd_conf	*conf = parse.p_conf;
	uint32_t	 alg, i;

	if (strcasecmp(name, "md5") == 0)
		alg = DIGEST_MD5;
	else if (strcasecmp(name, "sha-256") == 0)
		alg = DIGEST_SHA256;
	else {
		parse_error("unknown algorithm \"%s\": md5 or sha-256",
		    shown(name));
		return;
	}
	if (!(parse.p_seen & SEEN_ALGS)) {
		parse.p_seen |= SEEN_ALGS;
		conf->c_nauth_algs = 0;
	}
	for (i = 0; i < conf->c_nauth_algs; i++)
		if (conf->c_auth_algs[i] == alg) {
			parse_error("algorithm %s given twice", shown(name));
			return;
		}
	conf->c_auth_algs[conf->c_nauth_algs++] = alg;
}

static void
conf_realm(const char *realm)
{
	if (seen_once(SEEN_REALM, "auth realm") == -1)
		return;
	if (!is_realm(realm))
		parse_error("invalid realm \"%s\"", shown(realm));
	else
		strlcpy(parse.p_conf->c_realm, realm,
		    sizeof(parse.p_conf->c_realm));
}

/* after: the delay of store then mail, -1 when already reported. */
static void
conf_offline_policy(enum offline_policy policy, int64_t after)
{
	struct conf_offline	*off = &parse.p_conf->c_offline;

	if (seen_once(SEEN_OFF_POLICY, "offline store|mail|none") == -1 ||
	    after == -1)
		return;
	if (policy == OFFLINE_POLICY_STORE_MAIL &&
	    (after < OFFLINE_MAIL_AFTER_MIN || after > OFFLINE_MAIL_AFTER_MAX)) {
		parse_error("offline store then mail after %lld is out of "
		    "range (%d-%d)", (long long)after, OFFLINE_MAIL_AFTER_MIN,
		    OFFLINE_MAIL_AFTER_MAX);
		return;
	}
	off->off_policy = policy;
	off->off_mail_after = policy == OFFLINE_POLICY_STORE_MAIL ? after : 0;
}

/* A numeric address, as for listen: the parent never waits for DNS. */
static void
conf_mta(const char *addr, int64_t port)
{
	struct imd_conf	*conf = parse.p_conf;

	if (seen_once(SEEN_MTA, "mta") == -1 || port == -1)
		return;
	if (strcasecmp(addr, "localhost") == 0)
		addr = "127.0.0.1";
	if (config_sockaddr(addr, port, &conf->c_mta, &conf->c_mtalen) == -1)
		parse_error("mta \"%s\" is not a numeric address", shown(addr));
}

/*
 * The envelope sender and From of every mail; an address the mail
 * may carry: ASCII, no quoting (relayd/mail.h).
 */
static void
conf_mail_from(const char *address)
{
	if (seen_once(SEEN_MAIL_FROM, "mail from") == -1)
		return;
	if (!is_valid_address(address) || strlen(address) >=
	    sizeof(parse.p_conf->c_mail_from))
		parse_error("mail from \"%s\" is not a mail address",
		    shown(address));
	else
		strlcpy(parse.p_conf->c_mail_from, address,
		    sizeof(parse.p_conf->c_mail_from));
}

/*
 * The envelope sender of the mail of a message whose sender was not
 * authenticated here, and of the summaries: an address of ours, so
 * that a stranger cannot make our MTA send mail in another's name.
 */
static void
conf_mail_sender(const char *address)
{
	if (seen_once_in(&parse.p_seen_mail, SEEN_MAIL_SENDER,
	    "mail sender") == -1)
		return;
	if (!is_valid_address(address) || strlen(address) >=
	    sizeof(parse.p_conf->c_mail_sender))
		parse_error("mail sender \"%s\" is not a mail address",
		    shown(address));
	else
		strlcpy(parse.p_conf->c_mail_sender, address,
		    sizeof(parse.p_conf->c_mail_sender));
}

static void
conf_mail_limit(int64_t mails, int64_t period)
{
	struct conf_offline	*off = &parse.p_conf->c_offline;

	if (seen_once_in(&parse.p_seen_mail, SEEN_MAIL_LIMIT,
	    "mail limit") == -1 || mails == -1 || period == -1)
		return;
	if (mails < OFFLINE_MAIL_MAX_MIN || mails > OFFLINE_MAIL_MAX_MAX)
		parse_error("mail limit %lld is out of range (%d-%d)",
		    (long long)mails, OFFLINE_MAIL_MAX_MIN,
		    OFFLINE_MAIL_MAX_MAX);
	else if (period < OFFLINE_MAIL_PERIOD_MIN ||
	    period > OFFLINE_MAIL_PERIOD_MAX)
		parse_error("mail limit period %lld is out of range (%d-%d)",
		    (long long)period, OFFLINE_MAIL_PERIOD_MIN,
		    OFFLINE_MAIL_PERIOD_MAX);
	else {
		off->off_mail_max = mails;
		off->off_mail_period = period;
	}
}

static const char *quota_names[OFFLINE_QUOTA_MAX] = {
	[OFFLINE_QUOTA_USER] = "offline limit",
	[OFFLINE_QUOTA_UNAUTH] = "offline limit unauthenticated",
	[OFFLINE_QUOTA_DOMAIN] = "offline limit domain",
	[OFFLINE_QUOTA_SENDER] = "offline limit sender",
};

/* Messages, and bytes unless -2 (not given); -1 was reported already. */
static void
conf_quota(enum offline_quota_id id, int64_t msgs, int64_t bytes)
{
	struct conf_quota	*q = &parse.p_conf->c_offline.off_quota[id];

	if (seen_once_in(&parse.p_seen_mail, SEEN_QUOTA(id),
	    quota_names[id]) == -1 || msgs == -1 || bytes == -1)
		return;
	if (msgs < OFFLINE_MAX_MIN || msgs > OFFLINE_MAX_MAX)
		parse_error("%s %lld is out of range (%d-%d)", quota_names[id],
		    (long long)msgs, OFFLINE_MAX_MIN, OFFLINE_MAX_MAX);
	else if (bytes != -2 && (bytes < OFFLINE_BYTES_MIN ||
	    bytes > OFFLINE_BYTES_MAX))
		parse_error("%s bytes %lld is out of range (%d-%d)",
		    quota_names[id], (long long)bytes, OFFLINE_BYTES_MIN,
		    OFFLINE_BYTES_MAX);
	else {
		q->q_msgs = msgs;
		if (bytes != -2)
			q->q_bytes = bytes;
	}
}

/*
 * A quota not given is at most what the wider one holds, and the
 * strangers' share at most half the user's queue: with `offline limit
 * 10` alone, strangers may still leave only 5.
 */
static void
conf_quota_defaults(struct conf_offline *off)
{
	struct conf_quota	*q = off->off_quota, *wider;
	uint32_t		 half;
	int			 id;

	for (id = OFFLINE_QUOTA_UNAUTH; id < OFFLINE_QUOTA_MAX; id++) {
		if (parse.p_seen_mail & SEEN_QUOTA(id))
			continue;
		wider = &q[id - 1];
		half = id == OFFLINE_QUOTA_UNAUTH ?
		    (wider->q_msgs + 1) / 2 : wider->q_msgs;
		if (q[id].q_msgs > half)
			q[id].q_msgs = half;
		half = id == OFFLINE_QUOTA_UNAUTH ?
		    wider->q_bytes / 2 : wider->q_bytes;
		if (q[id].q_bytes > half)
			q[id].q_bytes = half;
	}
}

/* A number statement given once, in range; -1 was reported already. */
static void
conf_number(uint32_t *field, const char *what, uint64_t seen,
    int64_t value, int64_t min, int64_t max)
{
	if (seen_once(seen, what) == -1 || value == -1)
		return;
	if (value < min || value > max) {
		parse_error("%s %lld is out of range (%lld-%lld)", what,
		    (long long)value, (long long)min, (long long)max);
		return;
	}
	*field = value;
}

/* Milliseconds, without overflow: too many is out of any range. */
static int64_t
seconds_ms(int64_t n)
{
	if (n < 0)
		return (n);
	return (n > INT64_MAX / 1000 ? INT64_MAX : n * 1000);
}

/* A duration in milliseconds: a number with ms, or any duration. */
static int64_t
duration_ms_parse(const char *s)
{
	char		 digits[32];
	const char	*errstr;
	size_t		 len = strlen(s);
	int64_t		 n;

	if (len < 3 || strcmp(s + len - 2, "ms") != 0)
		return (seconds_ms(duration_parse(s)));
	if (len - 2 >= sizeof(digits)) {
		parse_error("\"%s\" is not a duration", shown(s));
		return (-1);
	}
	memcpy(digits, s, len - 2);
	digits[len - 2] = '\0';
	n = strtonum(digits, 0, INT32_MAX, &errstr);
	if (!is_digits(digits) || errstr != NULL) {
		parse_error("\"%s\" is not a duration", shown(s));
		return (-1);
	}
	return (n);
}

/* Seconds, or a number with s, m, h or d. */
static int64_t
duration_parse(const char *s)
{
	char		 digits[32];
	const char	*errstr;
	size_t		 len = strlen(s);
	int64_t		 n, unit = 1;

	if (len > 1) {
		switch (s[len - 1]) {
		case 's':
			unit = 1;
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 60 * 60;
			break;
		case 'd':
			unit = 24 * 60 * 60;
			break;
		default:
			unit = 0;
		}
	}
	if (unit == 0 || len < 2 || len - 1 >= sizeof(digits)) {
		parse_error("\"%s\" is not a duration", shown(s));
		return (-1);
	}
	memcpy(digits, s, len - 1);
	digits[len - 1] = '\0';
	n = strtonum(digits, 0, 10L * 365 * 24 * 60 * 60, &errstr);
	if (!is_digits(digits) || errstr != NULL) {
		parse_error("\"%s\" is not a duration", shown(s));
		return (-1);
	}
	return (n * unit);
}

/* A number with an optional K or M for 1024 or 1048576. */
static int64_t
size_parse(const char *s)
{
	char		 digits[32];
	const char	*errstr;
	size_t		 len;
	int64_t		 n, unit = 1;

	len = strlen(s);
	if (len > 1 && (s[len - 1] == 'K' || s[len - 1] == 'k'))
		unit = 1024;
	else if (len > 1 && (s[len - 1] == 'M' || s[len - 1] == 'm'))
		unit = 1024 * 1024;
	if (unit != 1)
		len--;
	if (len >= sizeof(digits)) {
		parse_error("\"%s\" is not a size", shown(s));
		return (-1);
	}
	memcpy(digits, s, len);
	digits[len] = '\0';
	n = strtonum(digits, 0, LLONG_MAX / (1024 * 1024), &errstr);
	if (!is_digits(digits) || errstr != NULL) {
		parse_error("\"%s\" is not a size", shown(s));
		return (-1);
	}
	return (n * unit);
}

static uint32_t *
limit_field(struct conf_limits *lim, enum limit_id id)
{
	switch (id) {
	case LIM_MSG_SIZE:
		return (&lim->lim_msg_size);
	case LIM_HEADERS:
		return (&lim->lim_headers);
	case LIM_LINE:
		return (&lim->lim_line);
	case LIM_CONNS:
		return (&lim->lim_conns);
	case LIM_CONNS_PER_ADDR:
		return (&lim->lim_conns_per_addr);
	case LIM_MIN_EXPIRES:
		return (&lim->lim_min_expires);
	case LIM_MAX_EXPIRES:
		return (&lim->lim_max_expires);
	case LIM_CONNS_UNAUTH:
		return (&lim->lim_conns_unauth);
	case LIM_HELD:
		return (&lim->lim_held);
	case LIM_HELD_PER_ADDR:
		return (&lim->lim_held_per_addr);
	case LIM_HELD_BYTES:
		return (&lim->lim_held_bytes);
	case LIM_HELD_BYTES_PER_ADDR:
		return (&lim->lim_held_bytes_per_addr);
	case LIM_UNAUTH_WAIT:
		return (&lim->lim_unauth_wait);
	case LIM_IPV4_PREFIX:
		return (&lim->lim_ipv4_prefix);
	case LIM_IPV6_PREFIX:
		return (&lim->lim_ipv6_prefix);
	case LIM_RING_TIME:
		return (&lim->lim_ring_time);
	}
	fatalx("%s: limit %d", __func__, id);
}

static void
limit_set(enum limit_id id, int64_t value)
{
	const struct limit_def	*ld = &limit_defs[id];
	char			 what[64];

	snprintf(what, sizeof(what), "limit %s", ld->ld_name);
	/* Limits outgrew p_seen: they keep their own bits. */
	if (parse.p_seen_limits & SEEN_LIMIT(id)) {
		parse_error("%s given twice", what);
		return;
	}
	parse.p_seen_limits |= SEEN_LIMIT(id);
	conf_number(limit_field(&parse.p_conf->c_limits, id), what, 0,
	    value, ld->ld_min, ld->ld_max);
}

static void
pres_authorize(enum presence_authorize authorize)
{
	if (seen_once(SEEN_PRES(PRES_AUTHORIZE), "presence authorize") == 0)
		parse.p_conf->c_presence.pr_authorize = authorize;
}

static uint32_t *
pres_field(struct conf_presence *pr, enum pres_id id)
{
	switch (id) {
	case PRES_MIN_EXPIRES:
		return (&pr->pr_min_expires);
	case PRES_MAX_EXPIRES:
		return (&pr->pr_max_expires);
	case PRES_DOC_SIZE:
		return (&pr->pr_doc_size);
	case PRES_SUBS:
		return (&pr->pr_max_subs);
	case PRES_DEVICES:
		return (&pr->pr_max_docs);
	case PRES_RULES:
		return (&pr->pr_max_rules);
	case PRES_WATCHER_SUBS:
		return (&pr->pr_watcher_subs);
	case PRES_DOMAIN_SUBS:
		return (&pr->pr_domain_subs);
	case PRES_DOMAIN_TOTAL:
		return (&pr->pr_domain_total);
	case PRES_STRANGER_SUBS:
		return (&pr->pr_stranger_subs);
	default:
		fatalx("%s: presence statement %d", __func__, id);
	}
}

static void
pres_number(enum pres_id id, int64_t value)
{
	const struct limit_def	*pd = &pres_defs[id];
	char			 what[64];

	snprintf(what, sizeof(what), "presence %s", pd->ld_name);
	conf_number(pres_field(&parse.p_conf->c_presence, id), what,
	    SEEN_PRES(id), value, pd->ld_min, pd->ld_max);
}

/*
 * A per-address bound above its total: an error when both were given,
 * else the default one comes down to the total.
 */
static void
limit_within(const struct parse_file *top, int line, enum limit_id part,
    enum limit_id whole)
{
	struct conf_limits	*lim = &parse.p_conf->c_limits;
	uint32_t		*p = limit_field(lim, part);
	uint32_t		 w = *limit_field(lim, whole);

	if (*p <= w)
		return;
	if (parse.p_seen_limits & SEEN_LIMIT(part))
		parse_error_at(top, line, "limit %s %u is above limit %s %u",
		    limit_defs[part].ld_name, *p, limit_defs[whole].ld_name, w);
	else
		*p = w;
}

/* Unset, the unauthenticated may hold three quarters of the connections. */
static void
limits_check(const struct parse_file *top, int line, struct conf_limits *lim)
{
	if (lim->lim_conns_unauth == 0)
		lim->lim_conns_unauth = lim->lim_conns > 1 ?
		    lim->lim_conns - lim->lim_conns / 4 : 1;
	limit_within(top, line, LIM_CONNS_UNAUTH, LIM_CONNS);
	limit_within(top, line, LIM_HELD_PER_ADDR, LIM_HELD);
	limit_within(top, line, LIM_HELD_BYTES_PER_ADDR, LIM_HELD_BYTES);
}

/* Its own message: the value is in milliseconds, whatever its unit. */
static void
pres_interval(int64_t ms)
{
	if (seen_once(SEEN_PRES(PRES_NOTIFY_INTERVAL),
	    "presence notify-interval") == -1 || ms == -1)
		return;
	if (ms > PRESENCE_NOTIFY_INTERVAL_MAX) {
		parse_error("presence notify-interval of %lldms is above "
		    "%dms", (long long)ms, PRESENCE_NOTIFY_INTERVAL_MAX);
		return;
	}
	parse.p_conf->c_presence.pr_notify_interval = ms;
}

/*
 * After the last line: defaults, and the checks that need the whole file.
 * Their errors are reported at the last line of the main file.
 */
static void
conf_finish(void)
{
	struct imd_conf		*conf = parse.p_conf;
	struct parse_file	*top;
	struct conf_domain	*cd;
	int			 line;

	/* The main file is at the bottom of the stack. */
	top = TAILQ_LAST(&parse.p_files, parse_files);
	line = top->pf_eof ? top->pf_lastline : top->pf_line;
	if (TAILQ_EMPTY(&conf->c_domains))
		parse_error_at(top, line, "no domain configured");
	TAILQ_FOREACH(cd, &conf->c_domains, cd_entry) {
		if (cd->cd_realm[0] != '\0')
			continue;
		strlcpy(cd->cd_realm, conf->c_realm[0] != '\0' ?
		    conf->c_realm : cd->cd_name, sizeof(cd->cd_realm));
	}
	if (TAILQ_EMPTY(&conf->c_listens))
		listen_default();
	if (conf->c_limits.lim_min_expires > conf->c_limits.lim_max_expires)
		parse_error_at(top, line, "limit min-expires %u is above "
		    "limit max-expires %u", conf->c_limits.lim_min_expires,
		    conf->c_limits.lim_max_expires);
	conf_quota_defaults(&conf->c_offline);
	limits_check(top, line, &conf->c_limits);
	if (conf->c_presence.pr_min_expires > conf->c_presence.pr_max_expires)
		parse_error_at(top, line, "presence min-expires %u is above "
		    "presence max-expires %u", conf->c_presence.pr_min_expires,
		    conf->c_presence.pr_max_expires);
	if (!(parse.p_seen & SEEN_USER) &&
	    user_resolve(conf, conf->c_user) == -1)
		parse_error_at(top, line, "unknown user \"%s\"",
		    shown(conf->c_user));
}

static void
parse_start(struct imd_conf *conf)
{
	memset(&parse, 0, sizeof(parse));
	memset(&lx, 0, sizeof(lx));
	parse.p_conf = conf;
	TAILQ_INIT(&parse.p_files);
	TAILQ_INIT(&parse.p_macros);
	SLIST_INIT(&parse.p_strings);
	lx.lx_bol = 1;
}

static void
parse_end(void)
{
	struct parse_file	*pf;
	struct parse_macro	*pm;
	struct parse_str	*ps;

	while ((pf = TAILQ_FIRST(&parse.p_files)) != NULL)
		file_close(pf);
	while ((pm = TAILQ_FIRST(&parse.p_macros)) != NULL) {
		TAILQ_REMOVE(&parse.p_macros, pm, pm_entry);
		free(pm);
	}
	while ((ps = SLIST_FIRST(&parse.p_strings)) != NULL) {
		SLIST_REMOVE_HEAD(&parse.p_strings, ps_entry);
		free(ps);
	}
	lx.lx_expand = NULL;
}

/*
 * Read file into a new configuration.  Returns it checked and complete,
 * or NULL once every error has been reported.
 */
struct imd_conf *
config_parse(const char *file)
{
	struct imd_conf		*conf;
	struct parse_file	*pf;
	const char		*why;
	int			 errors;

	keywords_check();
	if ((conf = config_new()) == NULL) {
		log_warn("%s", __func__);
		return (NULL);
	}
	if (strlcpy(conf->c_file, file, sizeof(conf->c_file)) >=
	    sizeof(conf->c_file)) {
		log_warnx("%s: path too long", file);
		config_free(conf);
		return (NULL);
	}
	parse_start(conf);
	if ((pf = file_open(file, &why)) == NULL) {
		log_warnx("%s: %s", file, why);
		config_free(conf);
		return (NULL);
	}
	file_push(pf);
	if (yyparse() != 0 && parse.p_errors == 0)
		parse.p_errors++;
	conf_finish();
	errors = parse.p_errors;
	parse_end();
	if (errors > 0) {
		config_free(conf);
		return (NULL);
	}
	return (conf);
}

/*
 * route DOMAIN via ADDRESS [port N] [udp | tcp | tls]: a numeric next
 * hop, so that relaying never waits for DNS; over UDP unless named.
 */
static void
route_add(const char *domain, const char *addr, int xmpp)
{
	struct listen_opts	*lo = &parse.p_listen;
	struct conf_route	*cr;
	char			 lower[IMD_DOMAIN_MAX];
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	int			 bad = lo->lo_bad;

	if (domain_lower(domain, lower) == -1)
		bad = 1;
	else if (config_find_domain(parse.p_conf, lower) != NULL) {
		parse_error("route for \"%s\", a domain served here", lower);
		bad = 1;
	} else if (config_find_route(parse.p_conf, lower) != NULL) {
		parse_error("duplicate route for \"%s\"", lower);
		bad = 1;
	}
	if (listen_address(addr, &ss, &sslen) == -1) {
		parse_error("invalid route address \"%s\": a numeric IPv4 "
		    "or IPv6 address is needed", shown(addr));
		bad = 1;
	}
	if (lo->lo_cert != NULL || lo->lo_key != NULL) {
		parse_error("certificate and key are for listen only");
		bad = 1;
	}
	if (lo->lo_websocket) {
		parse_error("ws and wss are for listen only");
		bad = 1;
	}
	if (xmpp && lo->lo_transport != -1) {
		parse_error("an xmpp route takes no transport");
		bad = 1;
	}
	if (bad)
		return;
	if (lo->lo_transport == -1)
		lo->lo_transport = xmpp ? TRANSPORT_TCP : TRANSPORT_UDP;
	if (lo->lo_port == 0)
		lo->lo_port = xmpp ? IMD_XMPP_PORT :
		    lo->lo_transport == TRANSPORT_TLS ?
		    IMD_SIPS_PORT : IMD_SIP_PORT;
	listen_set_port(&ss, lo->lo_port);
	if ((cr = calloc(1, sizeof(*cr))) == NULL)
		fatal("%s", __func__);
	strlcpy(cr->cr_domain, lower, sizeof(cr->cr_domain));
	cr->cr_ss = ss;
	cr->cr_sslen = sslen;
	cr->cr_transport = lo->lo_transport;
	cr->cr_xmpp = xmpp;
	TAILQ_INSERT_TAIL(&parse.p_conf->c_routes, cr, cr_entry);
}

/* route DOMAIN xmpp: an XMPP domain, its servers found by DNS. */
static void
route_xmpp_dns(const char *domain)
{
	struct conf_route	*cr;
	char			 lower[IMD_DOMAIN_MAX];

	if (domain_lower(domain, lower) == -1)
		return;
	if (config_find_domain(parse.p_conf, lower) != NULL) {
		parse_error("route for \"%s\", a domain served here", lower);
		return;
	}
	if (config_find_route(parse.p_conf, lower) != NULL) {
		parse_error("duplicate route for \"%s\"", lower);
		return;
	}
	if ((cr = calloc(1, sizeof(*cr))) == NULL)
		fatal("%s", __func__);
	strlcpy(cr->cr_domain, lower, sizeof(cr->cr_domain));
	cr->cr_transport = TRANSPORT_TCP;
	cr->cr_xmpp = 1;
	TAILQ_INSERT_TAIL(&parse.p_conf->c_routes, cr, cr_entry);
}

/*
 * xmpp listen on ADDRESS [port N] [certificate FILE key FILE]: the
 * server-to-server port, 5269 unless named.  Without files, those of
 * a TLS listen on a line before (xmpp_tls_listen()).
 */
static void
xmpp_listen(const char *addr)
{
	struct listen_opts	*lo = &parse.p_listen;
	struct conf_xmpp	*x = &parse.p_conf->c_xmpp;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;

	x->x_set = 1;
	if (seen_once_in(&parse.p_seen_xmpp, SEEN_XMPP_LISTEN,
	    "xmpp listen") == -1 || lo->lo_bad)
		return;
	if (listen_address(addr, &ss, &sslen) == -1) {
		parse_error("invalid xmpp listen address \"%s\": a numeric "
		    "IPv4 or IPv6 address or localhost is needed",
		    shown(addr));
		return;
	}
	if (lo->lo_transport != -1) {
		parse_error("xmpp listen takes no transport");
		return;
	}
	if ((lo->lo_cert == NULL) != (lo->lo_key == NULL)) {
		parse_error("xmpp listen needs both a certificate and a key");
		return;
	}
	listen_set_port(&ss, lo->lo_port != 0 ? lo->lo_port : IMD_XMPP_PORT);
	x->x_ss = ss;
	x->x_sslen = sslen;
	if (lo->lo_cert != NULL) {
		strlcpy(x->x_cert, lo->lo_cert, sizeof(x->x_cert));
		strlcpy(x->x_key, lo->lo_key, sizeof(x->x_key));
	} else
		xmpp_tls_listen(x);
}

static void
xmpp_dialback(int allow)
{
	parse.p_conf->c_xmpp.x_set = 1;
	if (seen_once_in(&parse.p_seen_xmpp, SEEN_XMPP_DIALBACK,
	    "xmpp dialback") == 0)
		parse.p_conf->c_xmpp.x_dialback = allow;
}

static void
xmpp_limit(unsigned int bit, const char *what, int64_t value, int64_t min,
    int64_t max, uint32_t *field)
{
	parse.p_conf->c_xmpp.x_set = 1;
	if (seen_once_in(&parse.p_seen_xmpp, bit, what) == -1 || value == -1)
		return;
	if (value < min || value > max) {
		parse_error("xmpp limit %s %lld is out of range (%lld-%lld)",
		    what, (long long)value, (long long)min, (long long)max);
		return;
	}
	*field = value;
}

/* Without files of its own, xmppd uses those of a TLS listen before. */
static void
xmpp_tls_listen(struct conf_xmpp *x)
{
	struct conf_listen	*cl;

	TAILQ_FOREACH(cl, &parse.p_conf->c_listens, cl_entry) {
		if (cl->cl_transport != TRANSPORT_TLS)
			continue;
		strlcpy(x->x_cert, cl->cl_cert, sizeof(x->x_cert));
		strlcpy(x->x_key, cl->cl_key, sizeof(x->x_key));
		return;
	}
	parse_error("xmpp listen needs a certificate and a key: name them, "
	    "or listen with tls on a line before");
}

/* resolver ADDRESS [port N]: the DNS server relayd asks, port 53. */
static void
resolver_set(const char *addr)
{
	struct listen_opts	*lo = &parse.p_listen;
	struct imd_conf		*conf = parse.p_conf;

	if (seen_once(SEEN_RESOLVER, "resolver") == -1 || lo->lo_bad)
		return;
	if (lo->lo_transport != -1 || lo->lo_cert != NULL ||
	    lo->lo_key != NULL) {
		parse_error("resolver takes an address and a port only");
		return;
	}
	if (listen_address(addr, &conf->c_resolver,
	    &conf->c_resolverlen) == -1) {
		parse_error("invalid resolver address \"%s\": a numeric "
		    "IPv4 or IPv6 address is needed", shown(addr));
		memset(&conf->c_resolver, 0, sizeof(conf->c_resolver));
		conf->c_resolverlen = 0;
		return;
	}
	listen_set_port(&conf->c_resolver, lo->lo_port ? lo->lo_port : 53);
}

static void
inbound_set(enum inbound_policy policy)
{
	if (seen_once(SEEN_INBOUND, "inbound") == -1)
		return;
	parse.p_conf->c_inbound = policy;
}

/* Only for labs whose DNS serves loopback or private addresses. */
static void
relay_private_set(int allow)
{
	if (seen_once(SEEN_RELAY_PRIVATE, "relay private-addresses") == -1)
		return;
	parse.p_conf->c_relay_private = allow;
}

/* Read by the children before their chroot: it must be there now. */
/*
 * web root PATH: the web client's files, read by the listener at start.
 * "root" is no keyword, so that "user root" still names a user.
 */
static void
web_set(const char *what, const char *path)
{
	struct stat	st;

	if (strcmp(what, "root") != 0) {
		parse_error("unknown web option \"%s\", root expected",
		    shown(what));
		return;
	}
	if (seen_once(SEEN_WEB_ROOT, "web root") == -1)
		return;
	if (path[0] != '/')
		parse_error("web root \"%s\" is not absolute", shown(path));
	else if (strlen(path) >= IMD_PATH_MAX)
		parse_error("web root path too long");
	else if (stat(path, &st) == -1)
		parse_error("web root \"%s\": %s", shown(path),
		    strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		parse_error("web root \"%s\" is not a directory",
		    shown(path));
	else
		strlcpy(parse.p_conf->c_web.cw_root, path,
		    sizeof(parse.p_conf->c_web.cw_root));
}

/*
 * websocket origin "https://host[:port]" ...: the pages whose scripts
 * may open a WebSocket here (RFC 6455 10.2).  As a browser sends it:
 * scheme, host and port only.
 */
static void
web_origin_add(const char *origin)
{
	struct conf_web	*cw = &parse.p_conf->c_web;
	const char	*host;

	if (cw->cw_norigins == WEB_ORIGINS_MAX) {
		parse_error("too many websocket origins (at most %d)",
		    WEB_ORIGINS_MAX);
		return;
	}
	if (strncmp(origin, "http://", 7) == 0)
		host = origin + 7;
	else if (strncmp(origin, "https://", 8) == 0)
		host = origin + 8;
	else
		host = NULL;
	if (host == NULL || *host == '\0' || strchr(host, '/') != NULL ||
	    strlen(origin) >= WEB_ORIGIN_MAX) {
		parse_error("websocket origin \"%s\": http:// or https:// "
		    "and a host, with no path", shown(origin));
		return;
	}
	strlcpy(cw->cw_origins[cw->cw_norigins++], origin, WEB_ORIGIN_MAX);
}

static void
tls_ca_set(const char *path)
{
	if (seen_once(SEEN_TLS_CA, "tls ca") == -1)
		return;
	if (path[0] != '/')
		parse_error("tls ca path \"%s\" is not absolute", shown(path));
	else if (strlen(path) >= IMD_PATH_MAX)
		parse_error("tls ca path too long");
	else if (access(path, R_OK) == -1)
		parse_error("tls ca \"%s\": %s", shown(path), strerror(errno));
	else
		strlcpy(parse.p_conf->c_tls_ca, path,
		    sizeof(parse.p_conf->c_tls_ca));
}

/* A numeric address, as for listen: the parent never waits for DNS. */
static void
metrics_listen(const char *addr, int64_t port)
{
	struct conf_metrics	*cm = &parse.p_conf->c_metrics;

	if (port == -1)
		return;
	if (cm->cm_sslen != 0) {
		parse_error("metrics listen given twice");
		return;
	}
	if (listen_address(addr, &cm->cm_ss, &cm->cm_sslen) == -1) {
		parse_error("metrics listen on \"%s\" is not a numeric "
		    "address", shown(addr));
		return;
	}
	listen_set_port(&cm->cm_ss, port);
}

/* ADDRESS/PREFIX, the prefix no longer than the address. */
static void
metrics_allow(const char *s)
{
	struct conf_metrics	*cm = &parse.p_conf->c_metrics;
	char			 addr[INET6_ADDRSTRLEN], *slash, *end;
	long			 bits;

	if (cm->cm_nallow >= IMD_MAX_METRICS_ALLOW) {
		parse_error("too many metrics allow statements (at most %d)",
		    IMD_MAX_METRICS_ALLOW);
		return;
	}
	if (strlcpy(addr, s, sizeof(addr)) >= sizeof(addr) ||
	    (slash = strchr(addr, '/')) == NULL) {
		parse_error("metrics allow \"%s\" is not ADDRESS/PREFIX",
		    shown(s));
		return;
	}
	*slash++ = '\0';
	errno = 0;
	bits = strtol(slash, &end, 10);
	if (*slash == '\0' || *end != '\0' || errno != 0 || bits < 0 ||
	    bits > (strchr(addr, ':') != NULL ? 128 : 32) ||
	    prefix_of_string(addr, bits, bits,
	    &cm->cm_allow[cm->cm_nallow]) == -1) {
		parse_error("metrics allow \"%s\" is not ADDRESS/PREFIX",
		    shown(s));
		return;
	}
	cm->cm_nallow++;
}
