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
 * imctl: one request to imd over the control socket, one answer printed.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <readpassphrase.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <vis.h>

#include "binding.h"
#include "imctl.h"
#include "config.h"
#include "imd_msg.h"
#include "imsg.h"
#include "offline.h"
#include "proc.h"
#include "stats.h"
#include "user.h"

#define CTL_TIMEOUT_MS		10000	/* for all of imd's answers */
#define CTL_NAME_MAX		64	/* process name in a status item */
#define CTL_INFO_MAX		IMD_PATH_MAX
#define CTL_VIS_MAX		(4 * CTL_INFO_MAX + 1)
#define ADDRESS_VIS_MAX		(4 * IMD_ADDRESS_MAX + 1)


#define ADDR_NONE	0
#define ADDR_NEEDED	1
#define ADDR_OPTIONAL	2
#define ADDR_TWO	3	/* presentity and watcher */

struct ctl_command {
	const char	*cmd_noun;
	const char	*cmd_verb;
	int		 cmd_address;	/* ADDR_* */
	int		 cmd_password;	/* sends a password */
	uint32_t	 cmd_type;
	int		(*cmd_reply)(struct ctl_conn *);
};

static void	usage(int) __attribute__((__noreturn__));
static const struct ctl_command *ctl_lookup(int, char **);
static void	password_get(char *, size_t);
static void	password_read_stdin(char *, size_t);
static void	password_read_tty(char *, size_t);
static void	ctl_connect(struct ctl_conn *, const char *);
static void	ctl_hello(struct ctl_conn *);
static void	ctl_request(struct ctl_conn *, const struct ctl_command *,
		    const char *, const char *, const char *);
static int	ctl_timeleft(const struct ctl_conn *);
static int	ctl_result(struct ctl_conn *);
static int	ctl_list(struct ctl_conn *, uint32_t, int (*)(struct imsg *),
		    void (*)(void));
static int	user_list(struct ctl_conn *);
static int	user_list_item(struct imsg *);
static int	show_stats(struct ctl_conn *);
static int	show_stats_item(struct imsg *);
static int	show_status(struct ctl_conn *);
static int	show_status_item(struct imsg *);
static void	show_status_header(void);
static int	show_bindings(struct ctl_conn *);
static int	show_bindings_item(struct imsg *);
static int	show_queue(struct ctl_conn *);
static int	show_queue_item(struct imsg *);
static int	show_calls(struct ctl_conn *);
static int	show_calls_item(struct imsg *);
static int	show_watchers(struct ctl_conn *);
static int	show_watchers_item(struct imsg *);
static int	show_xmpp(struct ctl_conn *);
static int	show_xmpp_item(struct imsg *);

static const struct ctl_command ctl_commands[] = {
	{ "log", "brief",   0, 0, IMSG_CTL_LOG_BRIEF,	ctl_result },
	{ "log", "verbose", 0, 0, IMSG_CTL_LOG_VERBOSE,	ctl_result },
	{ "presence", "allow", ADDR_TWO, 0, IMSG_CTL_PRES_ALLOW, ctl_result },
	{ "presence", "block", ADDR_TWO, 0, IMSG_CTL_PRES_BLOCK, ctl_result },
	{ "queue", "flush", 1, 0, IMSG_CTL_QUEUE_FLUSH,	ctl_result },
	{ "show", "bindings", 2, 0, IMSG_CTL_SHOW_BINDINGS, show_bindings },
	{ "show", "calls",  0, 0, IMSG_CTL_SHOW_CALLS,	show_calls },
	{ "show", "queue",  2, 0, IMSG_CTL_SHOW_QUEUE,	show_queue },
	{ "show", "stats",  0, 0, IMSG_CTL_SHOW_STATS,	show_stats },
	{ "show", "status", 0, 0, IMSG_CTL_SHOW_STATUS,	show_status },
	{ "show", "watchers", 1, 0, IMSG_CTL_SHOW_WATCHERS, show_watchers },
	{ "show", "xmpp",   0, 0, IMSG_CTL_SHOW_XMPP,	show_xmpp },
	{ "user", "add",    1, 1, IMSG_CTL_USER_ADD,	ctl_result },
	{ "user", "del",    1, 0, IMSG_CTL_USER_DEL,	ctl_result },
	{ "user", "list",   0, 0, IMSG_CTL_USER_LIST,	user_list },
	{ "user", "passwd", 1, 1, IMSG_CTL_USER_PASSWD,	ctl_result },
};

static void
usage(int status)
{
	/* Asked for (-h, --help): on stdout, success; else a mistake. */
	fprintf(status == 0 ? stdout : stderr,
	    "usage: imctl [-s socket] log brief | verbose\n"
	    "       imctl [-s socket] presence allow | block presentity "
	    "watcher\n"
	    "       imctl [-s socket] queue flush address\n"
	    "       imctl [-s socket] user add | del | passwd address\n"
	    "       imctl [-s socket] user list | export\n"
	    "       imctl [-s socket] user import file | -\n"
	    "       imctl [-s socket] show bindings [address]\n"
	    "       imctl [-s socket] show calls\n"
	    "       imctl [-s socket] show queue [address]\n"
	    "       imctl [-s socket] show stats\n"
	    "       imctl [-s socket] show status\n"
	    "       imctl [-s socket] show watchers address\n"
	    "       imctl [-s socket] show xmpp\n");
	exit(status == 0 ? 0 : EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	const struct ctl_command	*cmd;
	struct ctl_conn			 cc;
	const char			*sock = IMD_CONTROL_SOCKET;
	const char			*address = NULL, *address2 = NULL;
	char				 password[IMD_PASSWORD_MAX];
	char				 vis[ADDRESS_VIS_MAX];
	int				 ch, status;

	/* "+": glibc would take "-a@b" after the command for an option. */
	/* The GNU spelling, which getopt(3) would call an invalid option. */
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		usage(0);
	while ((ch = getopt(argc, argv, "+hs:")) != -1) {
		switch (ch) {
		case 'h':
			usage(0);
		case 's':
			sock = optarg;
			break;
		default:
			usage(1);
		}
	}
	argc -= optind;
	argv += optind;

	/* Commands with a dialogue of their own, not one request. */
	if (argc == 3 && strcmp(argv[0], "user") == 0 &&
	    strcmp(argv[1], "import") == 0)
		return (user_import(sock, argv[2]));
	if (argc == 2 && strcmp(argv[0], "user") == 0 &&
	    strcmp(argv[1], "export") == 0)
		return (user_export(sock));
	if ((cmd = ctl_lookup(argc, argv)) == NULL)
		usage(1);
	if (cmd->cmd_address == ADDR_OPTIONAL && argc == 2)
		address = "";
	else if (cmd->cmd_address != ADDR_NONE) {
		address = argv[2];
		if (!is_valid_address(address))
			errx(EXIT_BADADDR, "malformed address: %s",
			    ctl_vis(address, vis, sizeof(vis)));
	}
	if (cmd->cmd_address == ADDR_TWO) {
		address2 = argv[3];
		if (!is_valid_address(address2))
			errx(EXIT_BADADDR, "malformed address: %s",
			    ctl_vis(address2, vis, sizeof(vis)));
	}
	/* Before connecting, so imd does not wait while someone types. */
	if (cmd->cmd_password)
		password_get(password, sizeof(password));

	ctl_open(&cc, sock);
	ctl_request(&cc, cmd, address, address2,
	    cmd->cmd_password ? password : NULL);
	explicit_bzero(password, sizeof(password));
	status = cmd->cmd_reply(&cc);
	ctl_close(&cc);
	return (status);
}

/* Connected and greeted, or exit. */
void
ctl_open(struct ctl_conn *cc, const char *sock)
{
	ctl_connect(cc, sock);
	ctl_hello(cc);
}

void
ctl_close(struct ctl_conn *cc)
{
	close(cc->cc_ibuf.ib_fd);
	imsgbuf_clear(&cc->cc_ibuf);
}

/* The command that matches the words exactly, argument count included. */
static const struct ctl_command *
ctl_lookup(int argc, char **argv)
{
	const struct ctl_command	*cmd;
	size_t				 i;

	if (argc < 2)
		return (NULL);
	for (i = 0; i < sizeof(ctl_commands) / sizeof(ctl_commands[0]); i++) {
		cmd = &ctl_commands[i];
		if (strcmp(argv[0], cmd->cmd_noun) != 0 ||
		    strcmp(argv[1], cmd->cmd_verb) != 0)
			continue;
		if (cmd->cmd_address == ADDR_OPTIONAL)
			return (argc <= 3 ? cmd : NULL);
		if (cmd->cmd_address == ADDR_TWO)
			return (argc == 4 ? cmd : NULL);
		if (argc != 2 + cmd->cmd_address)
			return (NULL);
		return (cmd);
	}
	return (NULL);
}

/* Whatever the terminal gets from argv or from imd, it gets visibly. */
const char *
ctl_vis(const char *src, char *dst, size_t dstsize)
{
	strnvis(dst, src, dstsize, VIS_SAFE | VIS_NL | VIS_CSTYLE);
	return (dst);
}

static void
password_get(char *password, size_t size)
{
	if (isatty(STDIN_FILENO))
		password_read_tty(password, size);
	else
		password_read_stdin(password, size);
	if (password[0] == '\0')
		errx(EXIT_BADPASS, "empty password");
}

/*
 * One line from a pipe or file.  read(2) a byte at a time rather than
 * stdio, so that no copy of the password stays in a FILE buffer and
 * nothing past the first line is consumed.
 */
static void
password_read_stdin(char *password, size_t size)
{
	size_t	len = 0;
	ssize_t	n;
	char	c;

	for (;;) {
		if ((n = read(STDIN_FILENO, &c, 1)) == -1) {
			if (errno == EINTR)
				continue;
			err(EXIT_ERROR, "reading the password");
		}
		if (n == 0 || c == '\n')
			break;
		if (c == '\0' || len == size - 1) {
			explicit_bzero(password, size);
			if (c == '\0')
				errx(EXIT_BADPASS,
				    "password contains a NUL byte");
			errx(EXIT_BADPASS, "password too long (at most %zu "
			    "characters)", size - 1);
		}
		password[len++] = c;
	}
	password[len] = '\0';
	explicit_bzero(&c, sizeof(c));
}

/*
 * Twice without echo.  The buffer has room for one character more than
 * imd accepts, because readpassphrase(3) truncates silently.
 */
static void
password_read_tty(char *password, size_t size)
{
	char	again[IMD_PASSWORD_MAX + 1], first[IMD_PASSWORD_MAX + 1];
	int	same;

	if (readpassphrase("Password: ", first, sizeof(first),
	    RPP_REQUIRE_TTY) == NULL ||
	    readpassphrase("Repeat password: ", again, sizeof(again),
	    RPP_REQUIRE_TTY) == NULL) {
		explicit_bzero(first, sizeof(first));
		err(EXIT_ERROR, "reading the password");
	}
	same = strcmp(first, again) == 0;
	explicit_bzero(again, sizeof(again));
	if (!same || strlcpy(password, first, size) >= size) {
		explicit_bzero(first, sizeof(first));
		if (!same)
			errx(EXIT_BADPASS, "passwords do not match");
		errx(EXIT_BADPASS, "password too long (at most %zu "
		    "characters)", size - 1);
	}
	explicit_bzero(first, sizeof(first));
}

static void
ctl_connect(struct ctl_conn *cc, const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		errx(EXIT_ERROR, "socket path too long: %s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(EXIT_ERROR, "socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			errx(EXIT_ERROR, "imd is not running (socket %s: %s)",
			    path, strerror(errno));
		err(EXIT_ERROR, "connect to imd (socket %s)", path);
	}
	if (imsgbuf_init(&cc->cc_ibuf, fd) == -1)
		err(EXIT_ERROR, "imsgbuf_init");
	/* The control socket never carries descriptors, either way. */
	cc->cc_ibuf.ib_nofd = 1;
	ctl_deadline(cc);
}

/* The answers from now on come within CTL_TIMEOUT_MS. */
void
ctl_deadline(struct ctl_conn *cc)
{
	if (clock_gettime(CLOCK_MONOTONIC, &cc->cc_deadline) == -1)
		err(EXIT_ERROR, "clock_gettime");
	cc->cc_deadline.tv_sec += CTL_TIMEOUT_MS / 1000;
}

/*
 * Greet imd and check that it speaks our catalogue.  The version is read
 * and compared before anything else, since a different version may lay
 * out the rest of its greeting differently.
 */
static void
ctl_hello(struct ctl_conn *cc)
{
	struct ibuf	*buf;
	struct imsg	 imsg;
	uint32_t	 version, id;

	if ((buf = imsg_create(&cc->cc_ibuf, IMSG_HELLO, 0, 8)) == NULL ||
	    ibuf_add_u32(buf, IMD_MSG_VERSION) == -1 ||
	    ibuf_add_u32(buf, PROC_CONTROL) == -1 ||
	    imsg_close(&cc->cc_ibuf, buf) == -1 ||
	    imsgbuf_flush(&cc->cc_ibuf) == -1)
		err(EXIT_ERROR, "sending to imd");

	ctl_read(cc, &imsg);
	if (imsg.hdr.ih_type == IMSG_CTL_RESULT)
		exit(ctl_result_exit(&imsg));
	imsg_get_u32(&imsg, &version);
	if (imsg.hdr.ih_type != IMSG_HELLO || imsg_get_error(&imsg) == -1)
		ctl_badreply();
	if (version != IMD_MSG_VERSION)
		errx(EXIT_ERROR, "version mismatch: imd speaks %u, imctl "
		    "speaks %u", version, IMD_MSG_VERSION);
	imsg_get_u32(&imsg, &id);
	if (imsg_get_end(&imsg) == -1 || id != PROC_PARENT)
		ctl_badreply();
}

/*
 * The size hint covers the largest request, so the buffer holding the
 * password is never reallocated and left behind unwiped.
 */
static void
ctl_request(struct ctl_conn *cc, const struct ctl_command *cmd,
    const char *address, const char *address2, const char *password)
{
	struct ibuf	*buf;

	if ((buf = imsg_create(&cc->cc_ibuf, cmd->cmd_type, 0,
	    2 * IMD_ADDRESS_MAX + IMD_PASSWORD_MAX)) == NULL)
		err(EXIT_ERROR, "imsg_create");
	if ((address != NULL &&
	    ibuf_add_str(buf, address, IMD_ADDRESS_MAX) == -1) ||
	    (address2 != NULL &&
	    ibuf_add_str(buf, address2, IMD_ADDRESS_MAX) == -1) ||
	    (password != NULL &&
	    ibuf_add_str(buf, password, IMD_PASSWORD_MAX) == -1)) {
		ibuf_free(buf);
		errx(EXIT_ERROR, "request too long");
	}
	if (imsg_close(&cc->cc_ibuf, buf) == -1 ||
	    imsgbuf_flush(&cc->cc_ibuf) == -1)
		err(EXIT_ERROR, "sending to imd");
}

/* Milliseconds left before the deadline, 0 once it has passed. */
static int
ctl_timeleft(const struct ctl_conn *cc)
{
	struct timespec	now;
	long long	ms;

	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		err(EXIT_ERROR, "clock_gettime");
	ms = (long long)(cc->cc_deadline.tv_sec - now.tv_sec) * 1000 +
	    (cc->cc_deadline.tv_nsec - now.tv_nsec) / 1000000;
	if (ms <= 0)
		return (0);
	return (ms > CTL_TIMEOUT_MS ? CTL_TIMEOUT_MS : (int)ms);
}

/* The next message from imd, waiting no later than the deadline. */
void
ctl_read(struct ctl_conn *cc, struct imsg *imsg)
{
	struct pollfd	pfd;
	ssize_t		n;
	int		r;

	while ((r = imsg_get(&cc->cc_ibuf, imsg)) == 0) {
		pfd.fd = cc->cc_ibuf.ib_fd;
		pfd.events = POLLIN;
		if ((r = poll(&pfd, 1, ctl_timeleft(cc))) == -1) {
			if (errno == EINTR)
				continue;
			err(EXIT_ERROR, "poll");
		}
		if (r == 0)
			errx(EXIT_ERROR, "imd did not answer");
		if ((n = imsgbuf_read(&cc->cc_ibuf)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == EBADMSG)
				ctl_badreply();
			err(EXIT_ERROR, "reading from imd");
		}
		if (n == 0)
			errx(EXIT_ERROR, "imd closed the connection");
	}
	if (r == -1 || imsg->hdr.ih_peerid != 0 || imsg->fd != -1)
		ctl_badreply();
}

void
ctl_badreply(void)
{
	errx(EXIT_ERROR, "bad reply from imd");
}

/* A request whose only answer is a result. */
static int
ctl_result(struct ctl_conn *cc)
{
	struct imsg	imsg;

	ctl_read(cc, &imsg);
	if (imsg.hdr.ih_type != IMSG_CTL_RESULT)
		ctl_badreply();
	return (ctl_result_exit(&imsg));
}

/*
 * Report a result and map it to the exit status.  Success returns, for
 * the caller to exit with; a failure exits here.
 */
int
ctl_result_exit(struct imsg *imsg)
{
	static const struct {
		uint32_t	 status;
		int		 code;
		const char	*what;
	} kinds[] = {
		{ CTL_EXISTS,	 EXIT_EXISTS,	 "user exists" },
		{ CTL_NOUSER,	 EXIT_NOUSER,	 "no such user" },
		{ CTL_BADADDR,	 EXIT_BADADDR,	 "malformed address" },
		{ CTL_BADDOMAIN, EXIT_BADDOMAIN, "unknown domain" },
		{ CTL_BADPASS,	 EXIT_BADPASS,	 "unacceptable password" },
	};
	char		 message[CTL_MESSAGE_MAX], vis[4 * CTL_MESSAGE_MAX + 1];
	const char	*what = "request failed";
	uint32_t	 status;
	int		 code = EXIT_ERROR;
	size_t		 i;

	imsg_get_u32(imsg, &status);
	imsg_get_str(imsg, message, sizeof(message));
	if (imsg_get_end(imsg) == -1)
		ctl_badreply();
	ctl_vis(message, vis, sizeof(vis));
	if (status == CTL_OK) {
		if (message[0] != '\0')
			printf("%s\n", vis);
		return (EXIT_OK);
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (kinds[i].status == status) {
			code = kinds[i].code;
			what = kinds[i].what;
		}
	}
	errx(code, "%s", message[0] != '\0' ? vis : what);
}

/*
 * A list answer: items of one type until IMSG_CTL_END, each printed by
 * item(); header, if not NULL, runs before the first line.  The daemon
 * may refuse the request with IMSG_CTL_RESULT instead.
 */
static int
ctl_list(struct ctl_conn *cc, uint32_t type, int (*item)(struct imsg *),
    void (*header)(void))
{
	struct imsg	imsg;

	for (;;) {
		ctl_read(cc, &imsg);
		if (header != NULL && (imsg.hdr.ih_type == type ||
		    imsg.hdr.ih_type == IMSG_CTL_END)) {
			header();
			header = NULL;
		}
		if (imsg.hdr.ih_type == type) {
			if (item(&imsg) == -1)
				ctl_badreply();
		} else if (imsg.hdr.ih_type == IMSG_CTL_END) {
			if (imsg_get_end(&imsg) == -1)
				ctl_badreply();
			return (EXIT_OK);
		} else if (imsg.hdr.ih_type == IMSG_CTL_RESULT)
			return (ctl_result_exit(&imsg));
		else
			ctl_badreply();
	}
}

static int
user_list(struct ctl_conn *cc)
{
	return (ctl_list(cc, IMSG_CTL_USER_ITEM, user_list_item, NULL));
}

/* One line: the address and when it was created, in UTC. */
static int
user_list_item(struct imsg *imsg)
{
	char		 address[IMD_ADDRESS_MAX], vis[4 * IMD_ADDRESS_MAX + 1];
	char		 when[32];
	struct tm	 tm;
	uint64_t	 created;
	uint32_t	 flags;
	time_t		 t;

	imsg_get_str(imsg, address, sizeof(address));
	imsg_get_u64(imsg, &created);
	imsg_get_u32(imsg, &flags);
	if (imsg_get_end(imsg) == -1)
		return (-1);
	t = (time_t)created;
	if (t < 0 || (uint64_t)t != created || gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return (-1);
	printf("%s %s\n", ctl_vis(address, vis, sizeof(vis)), when);
	return (0);
}

static int
show_stats(struct ctl_conn *cc)
{
	return (ctl_list(cc, IMSG_CTL_STATS_ITEM, show_stats_item, NULL));
}

/*
 * One line per number, named as metricsd names it:
 * imd_sip_requests_total{method="MESSAGE"} 12
 */
static int
show_stats_item(struct imsg *imsg)
{
	struct stats_item	si;
	char			vname[4 * STATS_NAME_MAX + 1];
	char			vlabels[4 * STATS_LABELS_MAX + 1];
	char			value[32];

	if (stats_item_get(imsg, &si) == -1 || imsg_get_end(imsg) == -1)
		return (-1);
	stats_item_value(&si, value, sizeof(value));
	ctl_vis(si.sti_name, vname, sizeof(vname));
	if (si.sti_labels[0] != '\0')
		printf("%s{%s} %s\n", vname, ctl_vis(si.sti_labels, vlabels,
		    sizeof(vlabels)), value);
	else
		printf("%s %s\n", vname, value);
	return (0);
}

static void
show_status_header(void)
{
	printf("%-10s %8s %12s  %s\n", "PROCESS", "PID", "UPTIME", "INFO");
}

static int
show_status(struct ctl_conn *cc)
{
	return (ctl_list(cc, IMSG_CTL_STATUS_ITEM, show_status_item,
	    show_status_header));
}

/* One row; uptime as [days+]hh:mm:ss. */
static int
show_status_item(struct imsg *imsg)
{
	char		 name[CTL_NAME_MAX], info[CTL_INFO_MAX];
	char		 vname[4 * CTL_NAME_MAX + 1], vinfo[CTL_VIS_MAX];
	char		 up[32];
	uint64_t	 uptime, days;
	uint32_t	 pid;

	imsg_get_str(imsg, name, sizeof(name));
	imsg_get_u32(imsg, &pid);
	imsg_get_u64(imsg, &uptime);
	imsg_get_str(imsg, info, sizeof(info));
	if (imsg_get_end(imsg) == -1)
		return (-1);
	days = uptime / 86400;
	if (days > 0)
		snprintf(up, sizeof(up), "%" PRIu64 "+%02u:%02u:%02u", days,
		    (unsigned)(uptime % 86400 / 3600),
		    (unsigned)(uptime % 3600 / 60), (unsigned)(uptime % 60));
	else
		snprintf(up, sizeof(up), "%02u:%02u:%02u",
		    (unsigned)(uptime / 3600), (unsigned)(uptime % 3600 / 60),
		    (unsigned)(uptime % 60));
	printf("%-10s %8u %12s%s%s\n", ctl_vis(name, vname, sizeof(vname)),
	    pid, up, info[0] != '\0' ? "  " : "",
	    ctl_vis(info, vinfo, sizeof(vinfo)));
	return (0);
}

static int
show_bindings(struct ctl_conn *cc)
{
	return (ctl_list(cc, IMSG_CTL_BINDING_ITEM, show_bindings_item, NULL));
}

/*
 * One line per binding: the user, the contact, where it registered from
 * (transport, address, port), seconds left and the user agent.
 */
static int
show_bindings_item(struct imsg *imsg)
{
	struct binding_rec	b;
	char			host[NI_MAXHOST], port[NI_MAXSERV];
	char			v1[4 * BINDING_CONTACT_MAX + 1];
	char			v2[4 * BINDING_UA_MAX + 1];
	char			v3[4 * IMD_ADDRESS_MAX + 1];
	time_t			now = time(NULL);

	binding_msg_get(imsg, &b);
	if (imsg_get_end(imsg) == -1)
		return (-1);
	if (getnameinfo((struct sockaddr *)&b.b_src, b.b_srclen, host,
	    sizeof(host), port, sizeof(port),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		strlcpy(host, "?", sizeof(host));
		strlcpy(port, "?", sizeof(port));
	}
	printf("%s %s %s %s:%s %llds %s\n", ctl_vis(b.b_address, v3,
	    sizeof(v3)), ctl_vis(b.b_contact, v1, sizeof(v1)),
	    transport_name(b.b_transport), host, port,
	    (long long)((time_t)b.b_expires - now),
	    ctl_vis(b.b_ua[0] != '\0' ? b.b_ua : "-", v2, sizeof(v2)));
	return (0);
}

static int
show_queue(struct ctl_conn *cc)
{
	return (ctl_list(cc, IMSG_CTL_QUEUE_ITEM, show_queue_item, NULL));
}

/*
 * One line per waiting message: its id, recipient, sender, arrival in
 * UTC, size, and whether it waits for a registration or for mail.
 */
static int
show_queue_item(struct imsg *imsg)
{
	struct offline_item	 oi;
	char			 vto[4 * IMD_ADDRESS_MAX + 1];
	char			 vfrom[4 * IMD_ADDRESS_MAX + 1];
	char			 when[32];
	struct tm		 tm;
	time_t			 t;

	offline_item_get(imsg, &oi);
	if (imsg_get_end(imsg) == -1)
		return (-1);
	t = (time_t)oi.oi_arrived;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return (-1);
	printf("%llu %s %s %s %u %s %u\n", (unsigned long long)oi.oi_id,
	    ctl_vis(oi.oi_to, vto, sizeof(vto)),
	    ctl_vis(oi.oi_from, vfrom, sizeof(vfrom)), when, oi.oi_bytes,
	    oi.oi_state == 0 ? "waiting" : "mailing", oi.oi_attempts);
	return (0);
}

static int
show_calls(struct ctl_conn *cc)
{
	return (ctl_list(cc, IMSG_CTL_CALL_ITEM, show_calls_item, NULL));
}

/* One line per call: caller, callee, state, age in seconds. */
static int
show_calls_item(struct imsg *imsg)
{
	char		caller[IMD_ADDRESS_MAX], callee[IMD_ADDRESS_MAX];
	char		state[32], v1[ADDRESS_VIS_MAX], v2[ADDRESS_VIS_MAX];
	char		v3[4 * sizeof(state)];
	uint64_t	age;

	imsg_get_str(imsg, caller, sizeof(caller));
	imsg_get_str(imsg, callee, sizeof(callee));
	imsg_get_str(imsg, state, sizeof(state));
	imsg_get_u64(imsg, &age);
	if (imsg_get_end(imsg) == -1)
		return (-1);
	printf("%s %s %s %llus\n", ctl_vis(caller, v1, sizeof(v1)),
	    ctl_vis(callee, v2, sizeof(v2)), ctl_vis(state, v3, sizeof(v3)),
	    (unsigned long long)age);
	return (0);
}

static int
show_watchers(struct ctl_conn *cc)
{
	return (ctl_list(cc, IMSG_CTL_WATCHER_ITEM, show_watchers_item, NULL));
}

/*
 * One line per subscription: the watcher, the package, pending or
 * active, seconds left; one per decision: the watcher, "rule", allow
 * or block.
 */
static int
show_watchers_item(struct imsg *imsg)
{
	char		watcher[IMD_ADDRESS_MAX], what[32], state[32];
	char		v[ADDRESS_VIS_MAX];
	uint32_t	left;

	imsg_get_str(imsg, watcher, sizeof(watcher));
	imsg_get_str(imsg, what, sizeof(what));
	imsg_get_str(imsg, state, sizeof(state));
	imsg_get_u32(imsg, &left);
	if (imsg_get_end(imsg) == -1)
		return (-1);
	if (strcmp(what, "rule") == 0)
		printf("%s rule %s\n", ctl_vis(watcher, v, sizeof(v)),
		    state);
	else
		printf("%s %s %s %us\n", ctl_vis(watcher, v, sizeof(v)), what,
		    state, left);
	return (0);
}

static int
show_xmpp(struct ctl_conn *cc)
{
	return (ctl_list(cc, IMSG_CTL_XMPP_ITEM, show_xmpp_item, NULL));
}

/*
 * One line per server-to-server stream: in or out, our domain, the
 * peer's, its address, its state, how the peer proved its domain, age.
 */
static int
show_xmpp_item(struct imsg *imsg)
{
	char		dir[8], local[IMD_DOMAIN_MAX], remote[IMD_DOMAIN_MAX];
	char		peer[64], state[16], auth[16];
	char		v1[4 * IMD_DOMAIN_MAX + 1], v2[4 * IMD_DOMAIN_MAX + 1];
	uint64_t	age;

	imsg_get_str(imsg, dir, sizeof(dir));
	imsg_get_str(imsg, local, sizeof(local));
	imsg_get_str(imsg, remote, sizeof(remote));
	imsg_get_str(imsg, peer, sizeof(peer));
	imsg_get_str(imsg, state, sizeof(state));
	imsg_get_str(imsg, auth, sizeof(auth));
	imsg_get_u64(imsg, &age);
	if (imsg_get_end(imsg) == -1)
		return (-1);
	printf("%s %s %s %s %s %s %llus\n", dir,
	    ctl_vis(local[0] != '\0' ? local : "-", v1, sizeof(v1)),
	    ctl_vis(remote[0] != '\0' ? remote : "-", v2, sizeof(v2)), peer,
	    state, auth, (unsigned long long)age);
	return (0);
}
