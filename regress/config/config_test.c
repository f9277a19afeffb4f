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
 * lib/config.c on its own: defaults, clearing, look-ups and the printer.
 * What the parser makes of a file is tested through imd -n (config.t).
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "tap.h"

/* 127.0.0.1 port 25 */
static int
is_default_mta(const struct imd_conf *conf)
{
	const struct sockaddr_in	*sin;

	sin = (const struct sockaddr_in *)&conf->c_mta;
	return (conf->c_mtalen == sizeof(*sin) &&
	    sin->sin_family == AF_INET && ntohs(sin->sin_port) == 25 &&
	    ntohl(sin->sin_addr.s_addr) == INADDR_LOOPBACK);
}

static int
has_defaults(const struct imd_conf *conf)
{
	const struct conf_limits	*lim = &conf->c_limits;

	return (TAILQ_EMPTY(&conf->c_domains) &&
	    TAILQ_EMPTY(&conf->c_listens) &&
	    strcmp(conf->c_database, IMD_DATABASE_DIR) == 0 &&
	    strcmp(conf->c_user, IMD_USER) == 0 &&
	    strcmp(conf->c_chroot, IMD_CHROOT_DIR) == 0 &&
	    strcmp(conf->c_control, IMD_CONTROL_SOCKET) == 0 &&
	    conf->c_realm[0] == '\0' && conf->c_file[0] == '\0' &&
	    lim->lim_msg_size == LIMIT_MSG_SIZE_DEFAULT &&
	    lim->lim_headers == LIMIT_HEADERS_DEFAULT &&
	    lim->lim_line == LIMIT_LINE_DEFAULT &&
	    lim->lim_conns == LIMIT_CONNS_DEFAULT &&
	    lim->lim_conns_per_addr == LIMIT_CONNS_PER_ADDR_DEFAULT &&
	    conf->c_offline.off_policy == OFFLINE_POLICY_STORE &&
	    conf->c_mail_from[0] == '\0' && is_default_mta(conf));
}

static struct conf_domain *
add_domain(struct imd_conf *conf, const char *name, const char *realm)
{
	struct conf_domain	*cd;

	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		exit(2);
	strlcpy(cd->cd_name, name, sizeof(cd->cd_name));
	strlcpy(cd->cd_realm, realm, sizeof(cd->cd_realm));
	TAILQ_INSERT_TAIL(&conf->c_domains, cd, cd_entry);
	return (cd);
}

static struct conf_listen *
add_listen(struct imd_conf *conf, int af, const char *addr, int port,
    enum imd_transport transport)
{
	struct conf_listen	*cl;
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	int			 w;

	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		exit(2);
	cl->cl_fd = -1;
	for (w = 0; w < IMD_WORKERS_MAX; w++)
		cl->cl_fds[w] = -1;
	cl->cl_transport = transport;
	if (af == AF_INET) {
		sin = (struct sockaddr_in *)&cl->cl_ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		inet_pton(AF_INET, addr, &sin->sin_addr);
		cl->cl_sslen = sizeof(*sin);
	} else {
		sin6 = (struct sockaddr_in6 *)&cl->cl_ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &sin6->sin6_addr);
		cl->cl_sslen = sizeof(*sin6);
	}
	TAILQ_INSERT_TAIL(&conf->c_listens, cl, cl_entry);
	return (cl);
}

static void
test_new(void)
{
	struct imd_conf	*conf;

	TAP_OK((conf = config_new()) != NULL, "config_new");
	TAP_OK(has_defaults(conf), "config_new: the defaults of config.h");
	config_free(conf);
	config_free(NULL);
	TAP_OK(1, "config_free(NULL) does nothing");
}

static void
test_find_domain(void)
{
	struct imd_conf		*conf;
	struct conf_domain	*a, *b;

	if ((conf = config_new()) == NULL)
		exit(2);
	TAP_OK(config_find_domain(conf, "example.org") == NULL,
	    "find_domain: none configured");
	a = add_domain(conf, "example.org", "r1");
	b = add_domain(conf, "example.net", "r2");
	TAP_OK(config_find_domain(conf, "example.org") == a,
	    "find_domain: first");
	TAP_OK(config_find_domain(conf, "example.net") == b,
	    "find_domain: second");
	TAP_OK(config_find_domain(conf, "EXAMPLE.Net") == b,
	    "find_domain: any case");
	TAP_OK(config_find_domain(conf, "example.or") == NULL,
	    "find_domain: a prefix is not the domain");
	TAP_OK(config_find_domain(conf, "example.org.") == NULL,
	    "find_domain: a longer name is not the domain");
	TAP_OK(config_find_domain(conf, "") == NULL,
	    "find_domain: the empty name");
	config_free(conf);
}

static void
test_transport_name(void)
{
	TAP_OK(strcmp(transport_name(TRANSPORT_UDP), "udp") == 0,
	    "transport_name: udp");
	TAP_OK(strcmp(transport_name(TRANSPORT_TCP), "tcp") == 0,
	    "transport_name: tcp");
	TAP_OK(strcmp(transport_name(TRANSPORT_TLS), "tls") == 0,
	    "transport_name: tls");
	TAP_OK(strcmp(transport_name((enum imd_transport)7), "unknown") == 0,
	    "transport_name: out of range");
}

/* A descriptor still in the configuration was never handed on. */
static void
test_clear(void)
{
	struct imd_conf		*conf;
	struct conf_listen	*cl;
	int			 fds[2];

	if ((conf = config_new()) == NULL || pipe(fds) == -1)
		exit(2);
	strlcpy(conf->c_file, "/etc/imd/relayd.conf", sizeof(conf->c_file));
	strlcpy(conf->c_database, "/tmp/db", sizeof(conf->c_database));
	strlcpy(conf->c_realm, "realm", sizeof(conf->c_realm));
	conf->c_limits.lim_headers = 9;
	add_domain(conf, "example.org", "example.org");
	cl = add_listen(conf, AF_INET, "127.0.0.1", 5060, TRANSPORT_UDP);
	cl->cl_fd = fds[0];
	add_listen(conf, AF_INET, "127.0.0.1", 5060, TRANSPORT_TCP);
	config_clear(conf);
	TAP_OK(has_defaults(conf), "config_clear: back to the defaults");
	errno = 0;
	TAP_OK(fcntl(fds[0], F_GETFD) == -1 && errno == EBADF,
	    "config_clear: a held socket is closed");
	TAP_OK(fcntl(fds[1], F_GETFD) != -1,
	    "config_clear: nothing else is closed");
	close(fds[1]);
	add_domain(conf, "example.net", "r");
	TAP_OK(config_find_domain(conf, "example.net") != NULL,
	    "config_clear: the configuration can be filled again");
	config_free(conf);
}

static const char print_expected[] =
    "domain \"example.org\" realm \"a \\\"quoted\\\" realm\"\n"
    "listen on 127.0.0.1 port 5060 udp\n"
    "listen on ::1 port 65535 tcp\n"
    "listen on 192.0.2.1 port 5061 tls certificate \"/etc/c.pem\" "
    "key \"/etc/k\\\\.pem\"\n"
    "auth realm \"site\"\n"
    "auth algorithms md5\n"
    "user \"nobody\"\n"
    "chroot \"/var/empty\"\n"
    "database \"/var/db/imd\"\n"
    "control socket \"/var/run/imd.sock\"\n"
    "listener workers auto\n"
    "limit message-size 1048576\n"
    "limit headers 64\n"
    "limit line-length 8192\n"
    "limit connections 1024\n"
    "limit connections-per-address 32\n"
    "limit min-expires 60\n"
    "limit max-expires 7200\n"
    "limit connections-unauthenticated 768\n"
    "limit held-requests 16384\n"
    "limit held-requests-per-address 256\n"
    "limit held-bytes 67108864\n"
    "limit held-bytes-per-address 8388608\n"
    "limit unauthenticated-wait 10\n"
    "limit ipv4-prefix 32\n"
    "limit ipv6-prefix 64\n"
    "limit ring-time 180\n"
    "offline store then mail after 120\n"
    "offline limit 100 bytes 8388608\n"
    "offline limit unauthenticated 50 bytes 2097152\n"
    "offline limit domain 30 bytes 1048576\n"
    "offline limit sender 20 bytes 262144\n"
    "offline max-age 86400\n"
    "presence authorize ask\n"
    "presence min-expires 60\n"
    "presence max-expires 86400\n"
    "presence notify-interval 0ms\n"
    "presence document-size 16384\n"
    "presence subscriptions 1000\n"
    "presence devices 16\n"
    "presence rules 1000\n"
    "presence watcher-subscriptions 8\n"
    "presence domain-subscriptions 100\n"
    "presence domain-total 10000\n"
    "presence stranger-subscriptions 20\n"
    "mta ::1 port 2525\n"
    "mail from \"im@example.org\"\n"
    "mail sender \"postmaster@example.org\"\n"
    "mail limit 10 per 3600\n"
    "route \"site2.test\" via 127.0.0.2 port 5062 tls\n"
    "resolver ::1 port 53\n"
    "inbound verified\n"
    "tls ca \"/etc/ssl/certs/ca-certificates.crt\"\n";

static void
add_route(struct imd_conf *conf, const char *domain, const char *addr,
    int port, enum imd_transport transport)
{
	struct conf_route	*cr;
	struct sockaddr_in	*sin;

	if ((cr = calloc(1, sizeof(*cr))) == NULL)
		exit(2);
	strlcpy(cr->cr_domain, domain, sizeof(cr->cr_domain));
	sin = (struct sockaddr_in *)&cr->cr_ss;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	inet_pton(AF_INET, addr, &sin->sin_addr);
	cr->cr_sslen = sizeof(*sin);
	cr->cr_transport = transport;
	TAILQ_INSERT_TAIL(&conf->c_routes, cr, cr_entry);
}

static void
test_print(void)
{
	struct imd_conf		*conf;
	struct conf_listen	*cl;
	char			*buf = NULL;
	size_t			 len = 0;
	FILE			*fp;

	if ((conf = config_new()) == NULL ||
	    (fp = open_memstream(&buf, &len)) == NULL)
		exit(2);
	add_domain(conf, "example.org", "a \"quoted\" realm");
	add_listen(conf, AF_INET, "127.0.0.1", 5060, TRANSPORT_UDP);
	add_listen(conf, AF_INET6, "::1", 65535, TRANSPORT_TCP);
	cl = add_listen(conf, AF_INET, "192.0.2.1", 5061, TRANSPORT_TLS);
	strlcpy(cl->cl_cert, "/etc/c.pem", sizeof(cl->cl_cert));
	strlcpy(cl->cl_key, "/etc/k\\.pem", sizeof(cl->cl_key));
	strlcpy(conf->c_realm, "site", sizeof(conf->c_realm));
	strlcpy(conf->c_user, "nobody", sizeof(conf->c_user));
	conf->c_limits.lim_msg_size = 1048576;
	conf->c_offline.off_policy = OFFLINE_POLICY_STORE_MAIL;
	conf->c_offline.off_mail_after = 120;
	conf->c_presence.pr_authorize = PRESENCE_AUTH_ASK;
	conf->c_presence.pr_notify_interval = 0;
	if (config_sockaddr("::1", 2525, &conf->c_mta, &conf->c_mtalen) == -1)
		exit(2);
	strlcpy(conf->c_mail_from, "im@example.org", sizeof(conf->c_mail_from));
	strlcpy(conf->c_mail_sender, "postmaster@example.org",
	    sizeof(conf->c_mail_sender));
	add_route(conf, "site2.test", "127.0.0.2", 5062, TRANSPORT_TLS);
	if (config_sockaddr("::1", 53, &conf->c_resolver,
	    &conf->c_resolverlen) == -1)
		exit(2);
	config_print(conf, fp);
	fclose(fp);
	TAP_OK(strcmp(buf, print_expected) == 0,
	    "config_print: every statement, quotes and backslashes escaped");
	if (strcmp(buf, print_expected) != 0)
		printf("# got:\n%s", buf);
	free(buf);
	config_free(conf);
}

int
main(void)
{
	test_new();
	test_find_domain();
	test_transport_name();
	test_clear();
	test_print();
	return (TAP_DONE());
}
