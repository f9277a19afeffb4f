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
 * The configuration in memory: a new one with its defaults, freeing it,
 * look-ups every process needs, and printing it back in the grammar of
 * relayd.conf (imd -nv), so that what the parser understood can be read
 * and parsed again.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <netdb.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"

static void
config_default_quotas(struct conf_offline *off)
{
	struct conf_quota	*q = off->off_quota;

	q[OFFLINE_QUOTA_USER].q_msgs = OFFLINE_MAX_DEFAULT;
	q[OFFLINE_QUOTA_USER].q_bytes = OFFLINE_BYTES_DEFAULT;
	q[OFFLINE_QUOTA_UNAUTH].q_msgs = OFFLINE_UNAUTH_MSGS_DEFAULT;
	q[OFFLINE_QUOTA_UNAUTH].q_bytes = OFFLINE_UNAUTH_BYTES_DEFAULT;
	q[OFFLINE_QUOTA_DOMAIN].q_msgs = OFFLINE_DOMAIN_MSGS_DEFAULT;
	q[OFFLINE_QUOTA_DOMAIN].q_bytes = OFFLINE_DOMAIN_BYTES_DEFAULT;
	q[OFFLINE_QUOTA_SENDER].q_msgs = OFFLINE_SENDER_MSGS_DEFAULT;
	q[OFFLINE_QUOTA_SENDER].q_bytes = OFFLINE_SENDER_BYTES_DEFAULT;
	off->off_mail_max = OFFLINE_MAIL_MAX_DEFAULT;
	off->off_mail_period = OFFLINE_MAIL_PERIOD_DEFAULT;
}

static void
config_defaults(struct imd_conf *conf)
{
	struct conf_limits	*lim = &conf->c_limits;

	TAILQ_INIT(&conf->c_domains);
	TAILQ_INIT(&conf->c_listens);
	TAILQ_INIT(&conf->c_routes);
	strlcpy(conf->c_database, IMD_DATABASE_DIR, sizeof(conf->c_database));
	strlcpy(conf->c_user, IMD_USER, sizeof(conf->c_user));
	strlcpy(conf->c_chroot, IMD_CHROOT_DIR, sizeof(conf->c_chroot));
	strlcpy(conf->c_control, IMD_CONTROL_SOCKET, sizeof(conf->c_control));
	strlcpy(conf->c_tls_ca, IMD_TLS_CA_DEFAULT, sizeof(conf->c_tls_ca));
	lim->lim_msg_size = LIMIT_MSG_SIZE_DEFAULT;
	lim->lim_headers = LIMIT_HEADERS_DEFAULT;
	lim->lim_line = LIMIT_LINE_DEFAULT;
	lim->lim_conns = LIMIT_CONNS_DEFAULT;
	lim->lim_conns_per_addr = LIMIT_CONNS_PER_ADDR_DEFAULT;
	lim->lim_min_expires = LIMIT_MIN_EXPIRES_DEFAULT;
	/*
	 * MD5 alone: sipp, sipsak and baresip (libre 1.1) give up on a
	 * challenge set that names SHA-256, and an attacker who can edit
	 * the challenge picks the weakest offered anyway.  SHA-256 is an
	 * opt-in (relayd.conf(5)).
	 */
	conf->c_auth_algs[0] = DIGEST_MD5;
	conf->c_nauth_algs = 1;
	/* A foreign From is taken only from that domain's own server. */
	conf->c_inbound = INBOUND_VERIFIED;
	conf->c_offline.off_policy = OFFLINE_POLICY_STORE;
	conf->c_offline.off_age = OFFLINE_AGE_DEFAULT_S;
	config_default_quotas(&conf->c_offline);
	if (config_sockaddr(IMD_MTA_ADDRESS, IMD_MTA_PORT, &conf->c_mta,
	    &conf->c_mtalen) == -1)
		abort();
	lim->lim_max_expires = LIMIT_MAX_EXPIRES_DEFAULT;
	lim->lim_conns_unauth = LIMIT_CONNS_UNAUTH_DEFAULT;
	lim->lim_held = LIMIT_HELD_DEFAULT;
	lim->lim_held_per_addr = LIMIT_HELD_PER_ADDR_DEFAULT;
	lim->lim_held_bytes = LIMIT_HELD_BYTES_DEFAULT;
	lim->lim_held_bytes_per_addr = LIMIT_HELD_BYTES_PER_ADDR_DEFAULT;
	lim->lim_unauth_wait = LIMIT_UNAUTH_WAIT_DEFAULT;
	lim->lim_ipv4_prefix = LIMIT_IPV4_PREFIX_DEFAULT;
	lim->lim_ipv6_prefix = LIMIT_IPV6_PREFIX_DEFAULT;
	lim->lim_ring_time = LIMIT_RING_TIME_DEFAULT;
	conf->c_xmpp.x_fd = -1;
	conf->c_xmpp.x_stanza_size = XMPP_STANZA_SIZE_DEFAULT;
	conf->c_xmpp.x_streams = XMPP_STREAMS_DEFAULT;
	conf->c_xmpp.x_streams_per_domain = XMPP_STREAMS_PER_DOMAIN_DEFAULT;
	conf->c_xmpp.x_idle = XMPP_IDLE_DEFAULT;
	conf->c_presence.pr_authorize = PRESENCE_AUTH_DOMAIN;
	conf->c_presence.pr_min_expires = PRESENCE_MIN_EXPIRES_DEFAULT;
	conf->c_presence.pr_max_expires = PRESENCE_MAX_EXPIRES_DEFAULT;
	conf->c_presence.pr_notify_interval = PRESENCE_NOTIFY_INTERVAL_DEFAULT;
	conf->c_presence.pr_doc_size = PRESENCE_DOC_SIZE_DEFAULT;
	conf->c_presence.pr_max_subs = PRESENCE_MAX_SUBS_DEFAULT;
	conf->c_presence.pr_max_docs = PRESENCE_MAX_DOCS_DEFAULT;
	conf->c_presence.pr_max_rules = PRESENCE_MAX_RULES_DEFAULT;
	conf->c_presence.pr_watcher_subs = PRESENCE_WATCHER_SUBS_DEFAULT;
	conf->c_presence.pr_domain_subs = PRESENCE_DOMAIN_SUBS_DEFAULT;
	conf->c_presence.pr_domain_total = PRESENCE_DOMAIN_TOTAL_DEFAULT;
	conf->c_presence.pr_stranger_subs = PRESENCE_STRANGER_SUBS_DEFAULT;
	conf->c_metrics.cm_fd = -1;
}

struct imd_conf *
config_new(void)
{
	struct imd_conf	*conf;

	if ((conf = calloc(1, sizeof(*conf))) == NULL)
		return (NULL);
	config_defaults(conf);
	return (conf);
}

/*
 * Back to what config_new() returns.  A listening socket still held here
 * was never handed on, so it is closed.
 */
void
config_clear(struct imd_conf *conf)
{
	struct conf_domain	*cd;
	struct conf_listen	*cl;
	struct conf_route	*cr;
	int			 w;

	while ((cd = TAILQ_FIRST(&conf->c_domains)) != NULL) {
		TAILQ_REMOVE(&conf->c_domains, cd, cd_entry);
		freezero(cd, sizeof(*cd));
	}
	while ((cl = TAILQ_FIRST(&conf->c_listens)) != NULL) {
		TAILQ_REMOVE(&conf->c_listens, cl, cl_entry);
		if (cl->cl_fd != -1)
			close(cl->cl_fd);
		for (w = 0; w < IMD_WORKERS_MAX; w++)
			if (cl->cl_fds[w] != -1)
				close(cl->cl_fds[w]);
		freezero(cl, sizeof(*cl));
	}
	while ((cr = TAILQ_FIRST(&conf->c_routes)) != NULL) {
		TAILQ_REMOVE(&conf->c_routes, cr, cr_entry);
		freezero(cr, sizeof(*cr));
	}
	if (conf->c_metrics.cm_fd != -1)
		close(conf->c_metrics.cm_fd);
	if (conf->c_xmpp.x_fd != -1)
		close(conf->c_xmpp.x_fd);
	explicit_bzero(conf, sizeof(*conf));
	config_defaults(conf);
}

/*
 * How many listener processes share the ports: as configured, or one
 * per online core, at most IMD_WORKERS_MAX.
 */
unsigned int
config_workers(const struct imd_conf *conf)
{
	long	n;

	if (conf->c_workers != 0)
		return (conf->c_workers);
	if ((n = sysconf(_SC_NPROCESSORS_ONLN)) < 1)
		return (1);
	return (n > IMD_WORKERS_MAX ? IMD_WORKERS_MAX : n);
}

void
config_free(struct imd_conf *conf)
{
	if (conf == NULL)
		return;
	config_clear(conf);
	freezero(conf, sizeof(*conf));
}

/* Domain names are stored in lower case; the caller's may be in any. */
struct conf_domain *
config_find_domain(const struct imd_conf *conf, const char *name)
{
	struct conf_domain	*cd;

	TAILQ_FOREACH(cd, &conf->c_domains, cd_entry)
		if (strcasecmp(cd->cd_name, name) == 0)
			return (cd);
	return (NULL);
}

struct conf_route *
config_find_route(const struct imd_conf *conf, const char *domain)
{
	struct conf_route	*cr;

	TAILQ_FOREACH(cr, &conf->c_routes, cr_entry)
		if (strcasecmp(cr->cr_domain, domain) == 0)
			return (cr);
	return (NULL);
}

/*
 * A mark of this suite, the same in every process: a hash of the
 * domains served.  relayd puts it in the branch of its Via, so that
 * the listener knows a request it relayed itself when it comes back.
 */
uint32_t
config_loop_tag(const struct imd_conf *conf)
{
	const struct conf_domain	*cd;
	const unsigned char		*p;
	uint32_t			 h = 2166136261U;	/* FNV-1a */

	TAILQ_FOREACH(cd, &conf->c_domains, cd_entry) {
		for (p = (const unsigned char *)cd->cd_name; *p != '\0'; p++)
			h = (h ^ *p) * 16777619U;
		h = (h ^ ' ') * 16777619U;
	}
	return (h);
}

/* A numeric address and port, IPv6 in brackets, for Via and logs. */
void
sockaddr_name(const struct sockaddr_storage *ss, socklen_t sslen,
    char *buf, size_t size)
{
	char	host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo((const struct sockaddr *)ss, sslen, host,
	    sizeof(host), serv, sizeof(serv),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		strlcpy(buf, "?", size);
		return;
	}
	snprintf(buf, size, ss->ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
	    host, serv);
}

const char *
transport_name(enum imd_transport transport)
{
	switch (transport) {
	case TRANSPORT_UDP:
		return ("udp");
	case TRANSPORT_TCP:
		return ("tcp");
	case TRANSPORT_TLS:
		return ("tls");
	}
	return ("unknown");
}

/* What a listen statement names: udp, tcp, tls, ws or wss. */
const char *
listen_transport_name(const struct conf_listen *cl)
{
	if (cl->cl_websocket)
		return (cl->cl_transport == TRANSPORT_TLS ? "wss" : "ws");
	return (transport_name(cl->cl_transport));
}

/* A numeric IPv4 or IPv6 address and a port: nobody waits for DNS. */
int
config_sockaddr(const char *s, in_port_t port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return (0);
	}
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return (0);
	}
	return (-1);
}

/* A string as the parser reads it back: quoted, with \" and \\. */
static void
print_quoted(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

static void
print_address(FILE *fp, const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	char				 addr[INET6_ADDRSTRLEN];
	in_port_t			 port;

	if (ss->ss_family == AF_INET) {
		sin = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
		port = ntohs(sin->sin_port);
	} else {
		sin6 = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
		port = ntohs(sin6->sin6_port);
	}
	fprintf(fp, "%s port %u", addr, port);
}

static void
print_listen(FILE *fp, const struct conf_listen *cl)
{
	fputs("listen on ", fp);
	print_address(fp, &cl->cl_ss);
	fprintf(fp, " %s", listen_transport_name(cl));
	if (cl->cl_transport == TRANSPORT_TLS) {
		fputs(" certificate ", fp);
		print_quoted(fp, cl->cl_cert);
		fputs(" key ", fp);
		print_quoted(fp, cl->cl_key);
	}
	fputc('\n', fp);
}

/* Only what was configured: no endpoint, no lines. */
static void
print_metrics(FILE *fp, const struct conf_metrics *cm)
{
	char		name[PREFIX_NAME_MAX];
	uint32_t	i;

	if (cm->cm_sslen == 0)
		return;
	fputs("metrics listen on ", fp);
	print_address(fp, &cm->cm_ss);
	fputc('\n', fp);
	for (i = 0; i < cm->cm_nallow; i++) {
		prefix_name(&cm->cm_allow[i], name, sizeof(name));
		if (strchr(name, '/') == NULL)
			fprintf(fp, "metrics allow %s/%u\n", name,
			    cm->cm_allow[i].ap_bits);
		else
			fprintf(fp, "metrics allow %s\n", name);
	}
}

static void
print_string(FILE *fp, const char *keyword, const char *path)
{
	fprintf(fp, "%s ", keyword);
	print_quoted(fp, path);
	fputc('\n', fp);
}

static void
print_algorithms(FILE *fp, const struct imd_conf *conf)
{
	uint32_t	i;

	fputs("auth algorithms", fp);
	for (i = 0; i < conf->c_nauth_algs; i++)
		fputs(conf->c_auth_algs[i] == DIGEST_SHA256 ? " sha-256" :
		    " md5", fp);
	fputc('\n', fp);
}

static void
print_limits(FILE *fp, const struct conf_limits *lim)
{
	fprintf(fp, "limit message-size %u\n", lim->lim_msg_size);
	fprintf(fp, "limit headers %u\n", lim->lim_headers);
	fprintf(fp, "limit line-length %u\n", lim->lim_line);
	fprintf(fp, "limit connections %u\n", lim->lim_conns);
	fprintf(fp, "limit connections-per-address %u\n",
	    lim->lim_conns_per_addr);
	fprintf(fp, "limit min-expires %u\n", lim->lim_min_expires);
	fprintf(fp, "limit max-expires %u\n", lim->lim_max_expires);
	/* Unset, as config_init() leaves it: what the parser makes of it. */
	fprintf(fp, "limit connections-unauthenticated %u\n",
	    lim->lim_conns_unauth != 0 ? lim->lim_conns_unauth :
	    lim->lim_conns > 1 ? lim->lim_conns - lim->lim_conns / 4 : 1);
	fprintf(fp, "limit held-requests %u\n", lim->lim_held);
	fprintf(fp, "limit held-requests-per-address %u\n",
	    lim->lim_held_per_addr);
	fprintf(fp, "limit held-bytes %u\n", lim->lim_held_bytes);
	fprintf(fp, "limit held-bytes-per-address %u\n",
	    lim->lim_held_bytes_per_addr);
	fprintf(fp, "limit unauthenticated-wait %u\n", lim->lim_unauth_wait);
	fprintf(fp, "limit ipv4-prefix %u\n", lim->lim_ipv4_prefix);
	fprintf(fp, "limit ipv6-prefix %u\n", lim->lim_ipv6_prefix);
	fprintf(fp, "limit ring-time %u\n", lim->lim_ring_time);
}

static void
print_offline(FILE *fp, const struct conf_offline *off)
{
	switch (off->off_policy) {
	case OFFLINE_POLICY_NONE:
		fputs("offline none\n", fp);
		break;
	case OFFLINE_POLICY_MAIL:
		fputs("offline mail\n", fp);
		break;
	case OFFLINE_POLICY_STORE_MAIL:
		fprintf(fp, "offline store then mail after %u\n",
		    off->off_mail_after);
		break;
	default:
		fputs("offline store\n", fp);
	}
	fprintf(fp, "offline limit %u bytes %u\n",
	    off->off_quota[OFFLINE_QUOTA_USER].q_msgs,
	    off->off_quota[OFFLINE_QUOTA_USER].q_bytes);
	fprintf(fp, "offline limit unauthenticated %u bytes %u\n",
	    off->off_quota[OFFLINE_QUOTA_UNAUTH].q_msgs,
	    off->off_quota[OFFLINE_QUOTA_UNAUTH].q_bytes);
	fprintf(fp, "offline limit domain %u bytes %u\n",
	    off->off_quota[OFFLINE_QUOTA_DOMAIN].q_msgs,
	    off->off_quota[OFFLINE_QUOTA_DOMAIN].q_bytes);
	fprintf(fp, "offline limit sender %u bytes %u\n",
	    off->off_quota[OFFLINE_QUOTA_SENDER].q_msgs,
	    off->off_quota[OFFLINE_QUOTA_SENDER].q_bytes);
	fprintf(fp, "offline max-age %u\n", off->off_age);
}

static void
print_presence(FILE *fp, const struct conf_presence *pr)
{
	static const char	*authorize[] = {
		[PRESENCE_AUTH_AUTO] = "auto",
		[PRESENCE_AUTH_DOMAIN] = "domain",
		[PRESENCE_AUTH_ASK] = "ask",
	};

	fprintf(fp, "presence authorize %s\n",
	    pr->pr_authorize <= PRESENCE_AUTH_ASK ?
	    authorize[pr->pr_authorize] : "domain");
	fprintf(fp, "presence min-expires %u\n", pr->pr_min_expires);
	fprintf(fp, "presence max-expires %u\n", pr->pr_max_expires);
	fprintf(fp, "presence notify-interval %ums\n",
	    pr->pr_notify_interval);
	fprintf(fp, "presence document-size %u\n", pr->pr_doc_size);
	fprintf(fp, "presence subscriptions %u\n", pr->pr_max_subs);
	fprintf(fp, "presence devices %u\n", pr->pr_max_docs);
	fprintf(fp, "presence rules %u\n", pr->pr_max_rules);
	fprintf(fp, "presence watcher-subscriptions %u\n",
	    pr->pr_watcher_subs);
	fprintf(fp, "presence domain-subscriptions %u\n",
	    pr->pr_domain_subs);
	fprintf(fp, "presence domain-total %u\n", pr->pr_domain_total);
	fprintf(fp, "presence stranger-subscriptions %u\n",
	    pr->pr_stranger_subs);
}

static void
print_web(FILE *fp, const struct conf_web *cw)
{
	uint32_t	i;

	if (cw->cw_root[0] != '\0')
		print_string(fp, "web root", cw->cw_root);
	if (cw->cw_norigins == 0)
		return;
	fputs("websocket origin", fp);
	for (i = 0; i < cw->cw_norigins; i++) {
		fputc(' ', fp);
		print_quoted(fp, cw->cw_origins[i]);
	}
	fputc('\n', fp);
}

static void
print_mail(FILE *fp, const struct imd_conf *conf)
{
	fputs("mta ", fp);
	print_address(fp, &conf->c_mta);
	fputc('\n', fp);
	if (conf->c_mail_from[0] != '\0')
		print_string(fp, "mail from", conf->c_mail_from);
	if (conf->c_mail_sender[0] != '\0')
		print_string(fp, "mail sender", conf->c_mail_sender);
	fprintf(fp, "mail limit %u per %u\n", conf->c_offline.off_mail_max,
	    conf->c_offline.off_mail_period);
}

static void
print_relay(FILE *fp, const struct imd_conf *conf)
{
	const struct conf_route	*cr;

	TAILQ_FOREACH(cr, &conf->c_routes, cr_entry) {
		fputs("route ", fp);
		print_quoted(fp, cr->cr_domain);
		if (cr->cr_xmpp && cr->cr_ss.ss_family == 0) {
			fputs(" xmpp\n", fp);
			continue;
		}
		fputs(" via ", fp);
		print_address(fp, &cr->cr_ss);
		if (cr->cr_xmpp)
			fputs(" xmpp\n", fp);
		else
			fprintf(fp, " %s\n", transport_name(cr->cr_transport));
	}
	if (conf->c_resolver.ss_family != 0) {
		fputs("resolver ", fp);
		print_address(fp, &conf->c_resolver);
		fputc('\n', fp);
	}
	fprintf(fp, "inbound %s\n", conf->c_inbound == INBOUND_TLS_VERIFIED ?
	    "tls-verified" : conf->c_inbound == INBOUND_VERIFIED ? "verified" :
	    "any");
	if (conf->c_relay_private)	/* a lab's switch, off by default */
		fputs("relay private-addresses yes\n", fp);
	print_string(fp, "tls ca", conf->c_tls_ca);
	print_web(fp, &conf->c_web);
}

/* Only where the file speaks of XMPP: other dumps stay as they were. */
static void
print_xmpp(FILE *fp, const struct conf_xmpp *x)
{
	if (!x->x_set)
		return;
	if (x->x_ss.ss_family != 0) {
		fputs("xmpp listen on ", fp);
		print_address(fp, &x->x_ss);
		fputs(" certificate ", fp);
		print_quoted(fp, x->x_cert);
		fputs(" key ", fp);
		print_quoted(fp, x->x_key);
		fputc('\n', fp);
	}
	fprintf(fp, "xmpp dialback %s\n", x->x_dialback ? "yes" : "no");
	fprintf(fp, "xmpp limit stanza-size %u\n", x->x_stanza_size);
	fprintf(fp, "xmpp limit connections %u\n", x->x_streams);
	fprintf(fp, "xmpp limit connections-per-domain %u\n",
	    x->x_streams_per_domain);
	fprintf(fp, "xmpp limit idle-timeout %u\n", x->x_idle);
}

void
config_print(const struct imd_conf *conf, FILE *fp)
{
	const struct conf_domain	*cd;
	const struct conf_listen	*cl;

	TAILQ_FOREACH(cd, &conf->c_domains, cd_entry) {
		fputs("domain ", fp);
		print_quoted(fp, cd->cd_name);
		fputs(" realm ", fp);
		print_quoted(fp, cd->cd_realm);
		fputs(cd->cd_direct ? " direct\n" : "\n", fp);
	}
	TAILQ_FOREACH(cl, &conf->c_listens, cl_entry)
		print_listen(fp, cl);
	if (conf->c_realm[0] != '\0')
		print_string(fp, "auth realm", conf->c_realm);
	print_algorithms(fp, conf);
	print_string(fp, "user", conf->c_user);
	print_string(fp, "chroot", conf->c_chroot);
	print_string(fp, "database", conf->c_database);
	if (conf->c_db_cache != 0)
		fprintf(fp, "database cache %llu\n",
		    (unsigned long long)conf->c_db_cache);
	print_string(fp, "control socket", conf->c_control);
	if (conf->c_workers == 0)
		fputs("listener workers auto\n", fp);
	else
		fprintf(fp, "listener workers %u\n", conf->c_workers);
	print_limits(fp, &conf->c_limits);
	print_offline(fp, &conf->c_offline);
	print_presence(fp, &conf->c_presence);
	print_mail(fp, conf);
	print_relay(fp, conf);
	print_metrics(fp, &conf->c_metrics);
	print_xmpp(fp, &conf->c_xmpp);
}
