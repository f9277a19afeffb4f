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
 * imc's configuration: the directory it lives in, the `config' file
 * (account, server, ca, bind, direct, buddy, media, auto-answer,
 * direct-calls), the password, and the
 * small state files (the entity-tag of our presence) kept between runs.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <readpassphrase.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imc.h"
#include "user.h"

#define CONF_WORDS_MAX	(6 + IMC_CODECS_MAX)
#define CONF_LINE_MAX	1024

struct conf_parse {
	const char	*cp_file;
	int		 cp_line;
	int		 cp_errors;
};

static void	conf_error(struct conf_parse *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));

static void
conf_error(struct conf_parse *cp, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "imc: %s:%d: ", cp->cp_file, cp->cp_line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cp->cp_errors++;
}

static int
conf_path(char *buf, size_t size, const char *base, const char *rest)
{
	int	n;

	n = snprintf(buf, size, "%s/%s", base, rest);
	return (n < 0 || (size_t)n >= size ? -1 : 0);
}

/* $XDG_<kind>_HOME/imc, or ~/<fallback>/imc. */
static int
conf_xdg_dir(char *buf, size_t size, const char *var, const char *fallback)
{
	const char	*base, *home;
	char		 tmp[PATH_MAX];

	if ((base = getenv(var)) != NULL && base[0] == '/')
		return (conf_path(buf, size, base, "imc"));
	if ((home = getenv("HOME")) == NULL || home[0] == '\0') {
		fprintf(stderr, "imc: neither $%s nor $HOME is set\n", var);
		return (-1);
	}
	if (conf_path(tmp, sizeof(tmp), home, fallback) == -1)
		return (-1);
	return (conf_path(buf, size, tmp, "imc"));
}

static int
conf_dirs(struct imc_conf *conf, const char *dir)
{
	if (dir != NULL) {
		/* Tests and second accounts keep everything in one place. */
		if (strlcpy(conf->c_dir, dir, sizeof(conf->c_dir)) >=
		    sizeof(conf->c_dir) || strlcpy(conf->c_state, dir,
		    sizeof(conf->c_state)) >= sizeof(conf->c_state))
			return (-1);
		return (0);
	}
	if (conf_xdg_dir(conf->c_dir, sizeof(conf->c_dir), "XDG_CONFIG_HOME",
	    ".config") == -1)
		return (-1);
	return (conf_xdg_dir(conf->c_state, sizeof(conf->c_state),
	    "XDG_STATE_HOME", ".local/state"));
}

static int
conf_split(char *line, char **w)
{
	int	 n = 0;
	char	*p;

	if ((p = strchr(line, '#')) != NULL)
		*p = '\0';
	for (p = strtok(line, " \t\r\n"); p != NULL;
	    p = strtok(NULL, " \t\r\n")) {
		if (n == CONF_WORDS_MAX)
			return (-1);
		w[n++] = p;
	}
	return (n);
}

static void
conf_account(struct conf_parse *cp, struct imc_conf *conf, char **w, int n)
{
	if (n != 2 || !is_valid_address(w[1]) ||
	    address_split(w[1], conf->c_user, sizeof(conf->c_user),
	    conf->c_domain, sizeof(conf->c_domain)) == -1) {
		conf_error(cp, "account needs one address, user@domain");
		return;
	}
	(void)strlcpy(conf->c_account, w[1], sizeof(conf->c_account));
}

/* server HOST [port N] [udp | tcp | tls] */
static void
conf_server(struct conf_parse *cp, struct imc_conf *conf, char **w, int n)
{
	const char	*errstr;
	int		 i, port = 0;

	if (n < 2 || strlcpy(conf->c_server, w[1], sizeof(conf->c_server)) >=
	    sizeof(conf->c_server)) {
		conf_error(cp, "server needs a host name or address");
		return;
	}
	conf->c_transport = IMC_UDP;
	for (i = 2; i < n; i++) {
		if (strcmp(w[i], "port") == 0 && i + 1 < n) {
			port = strtonum(w[++i], 1, 65535, &errstr);
			if (errstr != NULL)
				conf_error(cp, "port %s is %s", w[i], errstr);
		} else if (strcmp(w[i], "udp") == 0)
			conf->c_transport = IMC_UDP;
		else if (strcmp(w[i], "tcp") == 0)
			conf->c_transport = IMC_TCP;
		else if (strcmp(w[i], "tls") == 0)
			conf->c_transport = IMC_TLS;
		else
			conf_error(cp, "unknown word in server: %s", w[i]);
	}
	if (port == 0)
		port = conf->c_transport == IMC_TLS ? 5061 : 5060;
	conf->c_port = port;
}

/* media audio | video port N codecs NAME ... [direct yes | no] */
static void
conf_media(struct conf_parse *cp, struct imc_conf *conf, char **w, int n)
{
	struct imc_media	*im;
	const char		*errstr;
	int			 i;

	if (conf->c_nmedia == IMC_MEDIA_MAX || n < 6 ||
	    (strcmp(w[1], "audio") != 0 && strcmp(w[1], "video") != 0) ||
	    strcmp(w[2], "port") != 0 || strcmp(w[4], "codecs") != 0) {
		conf_error(cp, "media audio | video port N codecs NAME ... "
		    "[direct yes | no], once per medium");
		return;
	}
	im = &conf->c_media[conf->c_nmedia];
	memset(im, 0, sizeof(*im));
	(void)strlcpy(im->im_type, w[1], sizeof(im->im_type));
	im->im_port = strtonum(w[3], 1, 65534, &errstr);
	if (errstr != NULL)
		conf_error(cp, "media port %s is %s", w[3], errstr);
	for (i = 5; i < n && strcmp(w[i], "direct") != 0; i++) {
		if (strspn(w[i], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
		    "QRSTUVWXYZ0123456789-.") != strlen(w[i]) ||
		    strlcpy(im->im_codecs[im->im_ncodecs], w[i],
		    IMC_CODEC_NAME_MAX) >= IMC_CODEC_NAME_MAX)
			conf_error(cp, "media: not a codec name: %s", w[i]);
		im->im_ncodecs++;
	}
	if (im->im_ncodecs == 0)
		conf_error(cp, "media %s: no codec", w[1]);
	if (i < n && (i + 2 != n || (strcmp(w[i + 1], "yes") != 0 &&
	    strcmp(w[i + 1], "no") != 0)))
		conf_error(cp, "media: direct yes or direct no, at the end");
	im->im_direct = i + 1 < n && strcmp(w[i + 1], "yes") == 0;
	conf->c_nmedia++;
}

/* auto-answer yes | no; direct-calls accept | ask | refuse */
static int
conf_calls(struct conf_parse *cp, struct imc_conf *conf, char **w, int n)
{
	if (strcmp(w[0], "auto-answer") == 0) {
		if (n != 2 || (strcmp(w[1], "yes") != 0 &&
		    strcmp(w[1], "no") != 0))
			conf_error(cp, "auto-answer yes or auto-answer no");
		conf->c_auto_answer = n == 2 && strcmp(w[1], "yes") == 0;
	} else if (strcmp(w[0], "direct-calls") == 0) {
		if (n == 2 && strcmp(w[1], "accept") == 0)
			conf->c_direct_calls = IMC_DC_ACCEPT;
		else if (n == 2 && strcmp(w[1], "ask") == 0)
			conf->c_direct_calls = IMC_DC_ASK;
		else if (n == 2 && strcmp(w[1], "refuse") == 0)
			conf->c_direct_calls = IMC_DC_REFUSE;
		else
			conf_error(cp, "direct-calls accept | ask | refuse");
	} else if (strcmp(w[0], "media") == 0)
		conf_media(cp, conf, w, n);
	else
		return (0);
	return (1);
}

static void
conf_option(struct conf_parse *cp, struct imc_conf *conf, char **w, int n)
{
	if (conf_calls(cp, conf, w, n))
		return;
	if (strcmp(w[0], "direct") == 0 && n == 2 &&
	    (strcmp(w[1], "yes") == 0 || strcmp(w[1], "no") == 0))
		conf->c_direct = strcmp(w[1], "yes") == 0;
	else if (strcmp(w[0], "ca") == 0 && n == 2) {
		if (strlcpy(conf->c_ca, w[1], sizeof(conf->c_ca)) >=
		    sizeof(conf->c_ca))
			conf_error(cp, "ca: path too long");
	} else if (strcmp(w[0], "bind") == 0 && n == 2) {
		if (strlcpy(conf->c_bind, w[1], sizeof(conf->c_bind)) >=
		    sizeof(conf->c_bind))
			conf_error(cp, "bind: address too long");
	} else if (strcmp(w[0], "buddy") == 0 && n == 2) {
		if (!is_valid_address(w[1]))
			conf_error(cp, "buddy: not an address: %s", w[1]);
		else if (conf->c_nbuddies == IMC_BUDDIES_MAX)
			conf_error(cp, "more than %d buddies", IMC_BUDDIES_MAX);
		else
			(void)strlcpy(conf->c_buddies[conf->c_nbuddies++],
			    w[1], sizeof(conf->c_buddies[0]));
	} else
		conf_error(cp, "%s: unknown keyword or wrong arguments", w[0]);
}

static void
conf_line(struct conf_parse *cp, struct imc_conf *conf, char *line)
{
	char	*w[CONF_WORDS_MAX];
	int	 n;

	if ((n = conf_split(line, w)) == -1) {
		conf_error(cp, "too many words");
		return;
	}
	if (n == 0)
		return;
	if (strcmp(w[0], "account") == 0)
		conf_account(cp, conf, w, n);
	else if (strcmp(w[0], "server") == 0)
		conf_server(cp, conf, w, n);
	else
		conf_option(cp, conf, w, n);
}

static int
conf_read(struct imc_conf *conf, const char *path)
{
	struct conf_parse	 cp;
	char			 line[CONF_LINE_MAX];
	FILE			*fp;

	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "imc: %s: %s\n", path, strerror(errno));
		return (-1);
	}
	memset(&cp, 0, sizeof(cp));
	cp.cp_file = path;
	while (fgets(line, sizeof(line), fp) != NULL) {
		cp.cp_line++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			conf_error(&cp, "line too long");
			break;
		}
		conf_line(&cp, conf, line);
	}
	fclose(fp);
	if (conf->c_account[0] == '\0')
		conf_error(&cp, "no account line");
	if (conf->c_server[0] == '\0')
		conf_error(&cp, "no server line");
	return (cp.cp_errors > 0 ? -1 : 0);
}

int
conf_load(struct imc_conf *conf, const char *dir)
{
	char	path[PATH_MAX];

	memset(conf, 0, sizeof(*conf));
	conf->c_direct_calls = IMC_DC_ASK;
	if (conf_dirs(conf, dir) == -1 ||
	    conf_path(path, sizeof(path), conf->c_dir, "config") == -1)
		return (-1);
	return (conf_read(conf, path));
}

static int
conf_password_file(struct imc_conf *conf, const char *path, int fd)
{
	struct stat	 st;
	ssize_t		 n;
	char		*nl;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "imc: %s is not a regular file\n", path);
		return (-1);
	}
	if ((st.st_mode & 077) != 0) {
		fprintf(stderr, "imc: %s may be read by others (mode %04o); "
		    "make it 0600 with chmod 600 %s\n", path,
		    (unsigned)st.st_mode & 07777, path);
		return (-1);
	}
	n = read(fd, conf->c_password, sizeof(conf->c_password) - 1);
	if (n <= 0) {
		fprintf(stderr, "imc: %s: %s\n", path, n == 0 ? "empty" :
		    strerror(errno));
		return (-1);
	}
	conf->c_password[n] = '\0';
	if ((nl = strpbrk(conf->c_password, "\r\n")) != NULL)
		*nl = '\0';
	return (0);
}

/* The password file, else $IMC_PASSWORD, else the terminal. */
int
conf_password(struct imc_conf *conf)
{
	char		 path[PATH_MAX], prompt[IMD_ADDRESS_MAX + 32];
	const char	*env;
	int		 fd, r;

	if (conf_path(path, sizeof(path), conf->c_dir, "password") == -1)
		return (-1);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) != -1) {
		r = conf_password_file(conf, path, fd);
		close(fd);
		return (r);
	}
	if (errno != ENOENT) {
		fprintf(stderr, "imc: %s: %s\n", path, strerror(errno));
		return (-1);
	}
	if ((env = getenv("IMC_PASSWORD")) != NULL && env[0] != '\0') {
		if (strlcpy(conf->c_password, env, sizeof(conf->c_password)) >=
		    sizeof(conf->c_password))
			return (-1);
		return (0);
	}
	(void)snprintf(prompt, sizeof(prompt), "Password for %s: ",
	    conf->c_account);
	if (readpassphrase(prompt, conf->c_password, sizeof(conf->c_password),
	    RPP_REQUIRE_TTY) == NULL || conf->c_password[0] == '\0') {
		fprintf(stderr, "imc: no password: put it in %s (mode 0600), "
		    "set IMC_PASSWORD, or run imc on a terminal\n", path);
		return (-1);
	}
	return (0);
}

int
conf_state_read(const struct imc_conf *conf, const char *name, char *buf,
    size_t size)
{
	char	 path[PATH_MAX];
	FILE	*fp;

	if (conf_path(path, sizeof(path), conf->c_state, name) == -1 ||
	    (fp = fopen(path, "r")) == NULL)
		return (-1);
	if (fgets(buf, size, fp) == NULL) {
		fclose(fp);
		return (-1);
	}
	fclose(fp);
	buf[strcspn(buf, "\r\n")] = '\0';
	return (buf[0] == '\0' ? -1 : 0);
}

/* Written beside and renamed, so a crash leaves the old value. */
int
conf_state_write(const struct imc_conf *conf, const char *name,
    const char *value)
{
	char	 path[PATH_MAX], tmp[PATH_MAX];
	FILE	*fp;
	int	 r;

	if (conf_path(path, sizeof(path), conf->c_state, name) == -1 ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return (-1);
	if (value == NULL)
		return (unlink(path) == -1 && errno != ENOENT ? -1 : 0);
	if (mkdir(conf->c_state, 0700) == -1 && errno != EEXIST)
		return (-1);
	if ((fp = fopen(tmp, "w")) == NULL)
		return (-1);
	r = fprintf(fp, "%s\n", value) < 0;
	if (fclose(fp) == EOF || r || rename(tmp, path) == -1) {
		(void)unlink(tmp);
		return (-1);
	}
	return (0);
}
