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
 * imc, the user's client: the command line, and the small helpers the
 * commands share for their arguments and their output.
 */

#include <sys/types.h>

#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imc.h"
#include "pidf.h"
#include "user.h"

struct imc_cmd {
	const char	*cmd_name;
	int		 cmd_min, cmd_max;	/* arguments, -t not counted */
	int		(*cmd_run)(struct imc_conf *, int, char **);
};

static int	cmd_approve(struct imc_conf *, int, char **);
static int	cmd_block(struct imc_conf *, int, char **);

static const struct imc_cmd imc_cmds[] = {
	{ "approve",	1, 1,	cmd_approve },
	{ "block",	1, 1,	cmd_block },
	{ "call",	1, 6,	cmd_call },
	{ "chat",	0, 4,	cmd_chat },
	{ "listen",	0, 4,	cmd_listen },
	{ "send",	1, 3,	cmd_send },
	{ "status",	1, 2,	cmd_status },
	{ "watch",	0, IMC_BUDDIES_MAX, cmd_watch },
	{ "watchers",	0, 0,	cmd_watchers },
};

static void __attribute__((__noreturn__))
usage(int status)
{
	/* Asked for (-h, --help): on stdout, success; else a mistake. */
	fprintf(status == 0 ? stdout : stderr,
	    "usage: imc [-c dir] [chat [--play file] [--record file]]\n"
	    "       imc [-c dir] send [-d] address [text | -]\n"
	    "       imc [-c dir] call [-d] address [--play file] "
	    "[--record file]\n"
	    "                [-t seconds]\n"
	    "       imc [-c dir] listen [--play file] [--record file] "
	    "[-t seconds]\n"
	    "       imc [-c dir] status open | away | busy | closed [note]\n"
	    "       imc [-c dir] watch [address ...] [-t seconds]\n"
	    "       imc [-c dir] watchers\n"
	    "       imc [-c dir] approve | block address\n");
	exit(status == 0 ? 0 : IMC_EXIT_USAGE);
}

static int
cmd_approve(struct imc_conf *conf, int argc, char **argv)
{
	return (cmd_decide(conf, "allow", argc, argv));
}

static int
cmd_block(struct imc_conf *conf, int argc, char **argv)
{
	return (cmd_decide(conf, "block", argc, argv));
}

/* "bob@site2.test" or "sip:bob@site2.test" as a SIP URI; -1 if neither. */
int
address_arg(const char *arg, char *uri, size_t size)
{
	int	n;

	if (strncasecmp(arg, "sip:", 4) == 0)
		arg += 4;
	if (!is_valid_address(arg)) {
		warnx("malformed address: %s (say user@domain)", arg);
		return (-1);
	}
	n = snprintf(uri, size, "sip:%s", arg);
	return (n < 0 || (size_t)n >= size ? -1 : 0);
}

/* Take "-t seconds" out of the arguments, wherever it stands. */
int
seconds_arg(int *argc, char **argv, int *seconds)
{
	const char	*errstr;
	int		 i;

	*seconds = 0;
	for (i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "-t") != 0)
			continue;
		if (i + 1 == *argc)
			return (-1);
		*seconds = strtonum(argv[i + 1], 1, 86400 * 365, &errstr);
		if (errstr != NULL) {
			warnx("-t %s: the number of seconds is %s",
			    argv[i + 1], errstr);
			return (-1);
		}
		memmove(&argv[i], &argv[i + 2], (*argc - i - 2) *
		    sizeof(*argv));
		*argc -= 2;
		i--;
	}
	return (0);
}

/*
 * Text from the network on a terminal: UTF-8 passes, but no control
 * character (C0, DEL or C1) reaches it unescaped.
 */
void
print_safe(FILE *fp, const char *p, size_t len)
{
	unsigned char	c;
	size_t		i;

	for (i = 0; i < len; i++) {
		c = p[i];
		if (c == '\n')
			fputs("\\n", fp);
		else if (c == '\t')
			fputc(' ', fp);
		else if (c < 0x20 || c == 0x7f || (c == 0xc2 && i + 1 < len &&
		    (unsigned char)p[i + 1] < 0xa0 &&
		    (unsigned char)p[i + 1] >= 0x80))
			fprintf(fp, "\\%03o", c);
		else
			fputc(c, fp);
	}
}

/* user@host of a name-addr (From, To, a watcher), for printing. */
const char *
uri_address(const struct sip_str *v, char *buf, size_t size)
{
	struct sip_addr	 a;
	int		 n;

	if (sip_addr_parse(v->s, SIP_STR_END(v), &a) == -1 ||
	    a.addr_uri.uri_host.len == 0)
		return (NULL);
	n = snprintf(buf, size, "%.*s%s%.*s", (int)a.addr_uri.uri_user.len,
	    a.addr_uri.uri_user.s, a.addr_uri.uri_user.len > 0 ? "@" : "",
	    (int)a.addr_uri.uri_host.len, a.addr_uri.uri_host.s);
	if (n < 0 || (size_t)n >= size || strpbrk(buf, "\r\n\033") != NULL)
		return (NULL);
	return (buf);
}

static const struct imc_cmd *
cmd_lookup(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(imc_cmds) / sizeof(imc_cmds[0]); i++)
		if (strcmp(imc_cmds[i].cmd_name, name) == 0)
			return (&imc_cmds[i]);
	return (NULL);
}

static int
cmd_args_ok(const struct imc_cmd *cmd, int argc, char **argv)
{
	int	i, n = argc;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "-t") == 0)
			n -= 2;
	return (n >= cmd->cmd_min && n <= cmd->cmd_max);
}

int
main(int argc, char *argv[])
{
	static struct imc_conf	 conf;
	static char		*chat_argv[] = { "chat", NULL };
	const struct imc_cmd	*cmd;
	const char		*dir = NULL;
	int			 ch, r;

	/* The GNU spelling, which getopt(3) would call an invalid option. */
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		usage(0);
	while ((ch = getopt(argc, argv, "+hc:")) != -1) {
		switch (ch) {
		case 'h':
			usage(0);
		case 'c':
			dir = optarg;
			break;
		default:
			usage(1);
		}
	}
	argc -= optind;
	argv += optind;
	/* No command: the interactive mode, for a person at a terminal. */
	if (argc == 0)
		cmd = cmd_lookup("chat");
	else if ((cmd = cmd_lookup(argv[0])) == NULL ||
	    !cmd_args_ok(cmd, argc - 1, argv + 1))
		usage(1);
	if (argc == 0) {
		argc = 1;
		argv = chat_argv;
	}
	(void)signal(SIGPIPE, SIG_IGN);
	pidf_init();
	if (conf_load(&conf, dir) == -1 || conf_password(&conf) == -1)
		return (IMC_EXIT_CONFIG);
	r = cmd->cmd_run(&conf, argc - 1, argv + 1);
	explicit_bzero(conf.c_password, sizeof(conf.c_password));
	fflush(stdout);
	return (r);
}
