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
 * imctl user import and export.  The file has one user a line, in one
 * of two forms, fields separated by spaces or tabs:
 *
 *	address password
 *	address ha1-md5 ha1-sha256 realm
 *
 * The password is one word (no space, tab or NUL); the HA1 values are
 * hex digits or "-" for none, not both "-", made under realm, which is
 * the rest of the line and must be the realm of the address's domain.
 * Empty lines and lines starting with "#" are passed over.  Export
 * writes the second form.
 *
 * Nothing is half-added: the whole file is read and checked here, then
 * checked batch by batch by imd (domain, realm, users there already),
 * every bad line said with its number, and only a file without any is
 * written, in batches of CTL_IMPORT_BATCH users, one transaction each.
 */

#include <sys/types.h>

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "imctl.h"
#include "imd_msg.h"
#include "imsg.h"
#include "user.h"

#define IMPORT_SEP	" \t"

struct import_line {
	char		*il_address;
	char		*il_password;	/* NULL in the HA1 form */
	char		*il_md5;	/* "" for none */
	char		*il_sha256;
	char		*il_realm;
	uint32_t	 il_line;
};

struct import {
	const char		*im_name;	/* for messages */
	char			*im_text;
	size_t			 im_size;
	struct import_line	*im_lines;
	size_t			 im_n;
	size_t			 im_cap;
	size_t			 im_bad;
	uint32_t		*im_seen;	/* hash of addresses: index + 1 */
	size_t			 im_seensize;
};

static void	import_read(struct import *, const char *);
static void	import_parse(struct import *);
static void	import_line(struct import *, char *, uint32_t);
static void	import_badline(struct import *, uint32_t, const char *);
static const char *import_fields(struct import_line *, char *);
static const char *import_check_line(const struct import_line *);
static int	is_ha1_field(char *, size_t);
static void	import_dups(struct import *);
static uint32_t	address_hash(const char *);
static int	import_send(struct import *, struct ctl_conn *, int);
static void	import_item(struct ctl_conn *, const struct import_line *);
static size_t	import_batch_end(struct import *, struct ctl_conn *, int);
static void	import_free(struct import *);

int
user_import(const char *sock, const char *file)
{
	struct import	im;
	struct ctl_conn	cc;

	memset(&im, 0, sizeof(im));
	im.im_name = strcmp(file, "-") == 0 ? "stdin" : file;
	import_read(&im, file);
	import_parse(&im);
	import_dups(&im);
	ctl_open(&cc, sock);
	/* Every bad line is told, those imd finds too, before any write. */
	if (import_send(&im, &cc, 0) == -1 || im.im_bad > 0) {
		ctl_close(&cc);
		import_free(&im);
		errx(EXIT_BADLINES, "%s: %zu bad lines, no user added",
		    im.im_name, im.im_bad);
	}
	if (import_send(&im, &cc, 1) == -1)
		errx(EXIT_ERROR, "%s: import stopped", im.im_name);
	ctl_close(&cc);
	printf("%zu user%s imported\n", im.im_n, im.im_n == 1 ? "" : "s");
	import_free(&im);
	return (EXIT_OK);
}

/* The whole input in memory: it is read twice, and may be a pipe. */
static void
import_read(struct import *im, const char *file)
{
	size_t	cap = 1 << 20;
	ssize_t	n;
	int	fd;

	if (strcmp(file, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		err(EXIT_ERROR, "%s", file);
	if ((im->im_text = malloc(cap)) == NULL)
		err(EXIT_ERROR, "reading %s", im->im_name);
	for (;;) {
		if (im->im_size + 1 == cap) {
			if ((im->im_text = recallocarray(im->im_text, cap,
			    cap * 2, 1)) == NULL)
				err(EXIT_ERROR, "reading %s", im->im_name);
			cap *= 2;
		}
		n = read(fd, im->im_text + im->im_size,
		    cap - 1 - im->im_size);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			err(EXIT_ERROR, "reading %s", im->im_name);
		if (n == 0)
			break;
		im->im_size += n;
	}
	im->im_text[im->im_size] = '\0';
	if (fd != STDIN_FILENO)
		close(fd);
}

static void
import_parse(struct import *im)
{
	char		*p = im->im_text, *end = im->im_text + im->im_size;
	char		*nl;
	uint32_t	 line = 0;

	while (p < end) {
		line++;
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		if (memchr(p, '\0', nl - p) != NULL) {
			import_badline(im, line, "line holds a NUL byte");
			p = nl + 1;
			continue;
		}
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		import_line(im, p, line);
		p = nl + 1;
	}
}

static void
import_badline(struct import *im, uint32_t line, const char *why)
{
	warnx("%s:%u: %s", im->im_name, line, why);
	im->im_bad++;
}

static void
import_line(struct import *im, char *p, uint32_t line)
{
	struct import_line	il;
	const char		*why;

	p += strspn(p, IMPORT_SEP);
	if (*p == '\0' || *p == '#')
		return;
	memset(&il, 0, sizeof(il));
	il.il_line = line;
	if ((why = import_fields(&il, p)) != NULL ||
	    (why = import_check_line(&il)) != NULL) {
		import_badline(im, line, why);
		return;
	}
	if (im->im_n == im->im_cap) {
		im->im_cap = im->im_cap ? im->im_cap * 2 : 1024;
		if ((im->im_lines = reallocarray(im->im_lines, im->im_cap,
		    sizeof(*im->im_lines))) == NULL)
			err(EXIT_ERROR, "reading %s", im->im_name);
	}
	im->im_lines[im->im_n++] = il;
}

/* Split in place: two fields, or three and the realm, the rest. */
static const char *
import_fields(struct import_line *il, char *p)
{
	char	*f[3];
	size_t	 i;

	for (i = 0; i < 3; i++) {
		f[i] = p;
		p += strcspn(p, IMPORT_SEP);
		if (*p != '\0')
			*p++ = '\0';
		p += strspn(p, IMPORT_SEP);
		if (*p == '\0')
			break;
	}
	il->il_address = f[0];
	if (i == 1) {
		il->il_password = f[1];
		il->il_md5 = il->il_sha256 = il->il_realm = "";
		return (NULL);
	}
	if (i < 3)
		return ("expected \"address password\" or \"address ha1-md5 "
		    "ha1-sha256 realm\"");
	il->il_md5 = f[1];
	il->il_sha256 = f[2];
	il->il_realm = p;
	/* A realm ends where the line does, but not with a blank. */
	for (p += strlen(p); p > il->il_realm && (p[-1] == ' ' ||
	    p[-1] == '\t'); p--)
		p[-1] = '\0';
	return (NULL);
}

static const char *
import_check_line(const struct import_line *il)
{
	if (!is_valid_address(il->il_address))
		return ("malformed address");
	if (il->il_password != NULL)
		return (strlen(il->il_password) >= IMD_PASSWORD_MAX ?
		    "password too long" : NULL);
	if (strlen(il->il_realm) >= IMD_REALM_MAX)
		return ("realm too long");
	if (!is_ha1_field(il->il_md5, USER_HA1_MD5_LEN) ||
	    !is_ha1_field(il->il_sha256, USER_HA1_SHA256_LEN))
		return ("malformed HA1 value");
	if (*il->il_md5 == '\0' && *il->il_sha256 == '\0')
		return ("no HA1 value");
	return (NULL);
}

/* len hex digits, or "-", which becomes "" for none. */
static int
is_ha1_field(char *s, size_t len)
{
	size_t	i;

	if (strcmp(s, "-") == 0) {
		*s = '\0';
		return (1);
	}
	if (strlen(s) != len)
		return (0);
	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return (0);
	return (1);
}

/* FNV-1a of the address in lower case: imd stores one spelling. */
static uint32_t
address_hash(const char *s)
{
	uint32_t	h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (uint32_t)tolower((unsigned char)*s)) * 16777619u;
	return (h);
}

/* The second line for one user is bad: imd would refuse it anyway. */
static void
import_dups(struct import *im)
{
	char		 why[64];
	size_t		 i, j, mask;
	uint32_t	 k;

	for (im->im_seensize = 1024; im->im_seensize < im->im_n * 2;
	    im->im_seensize *= 2)
		;
	if ((im->im_seen = calloc(im->im_seensize,
	    sizeof(*im->im_seen))) == NULL)
		err(EXIT_ERROR, "reading %s", im->im_name);
	mask = im->im_seensize - 1;
	for (i = 0; i < im->im_n; i++) {
		j = address_hash(im->im_lines[i].il_address) & mask;
		while ((k = im->im_seen[j]) != 0 &&
		    strcasecmp(im->im_lines[k - 1].il_address,
		    im->im_lines[i].il_address) != 0)
			j = (j + 1) & mask;
		if (k == 0) {
			im->im_seen[j] = i + 1;
			continue;
		}
		snprintf(why, sizeof(why), "user also on line %u",
		    im->im_lines[k - 1].il_line);
		import_badline(im, im->im_lines[i].il_line, why);
	}
}

/*
 * Every line in batches, each closed by an end that checks (write 0)
 * or writes.  -1 when a batch failed as a whole, lines said or not.
 */
static int
import_send(struct import *im, struct ctl_conn *cc, int write)
{
	size_t	i, n, done = 0;

	for (i = 0; i < im->im_n; i += n) {
		n = im->im_n - i;
		if (n > CTL_IMPORT_BATCH)
			n = CTL_IMPORT_BATCH;
		for (done = 0; done < n; done++)
			import_item(cc, &im->im_lines[i + done]);
		if (import_batch_end(im, cc, write) > 0 && write) {
			if (i > 0)
				warnx("%s: the %zu users before line %u were "
				    "imported", im->im_name, i,
				    im->im_lines[i].il_line);
			return (-1);
		}
	}
	return (0);
}

static void
import_item(struct ctl_conn *cc, const struct import_line *il)
{
	struct ibuf	*buf;

	if ((buf = imsg_create(&cc->cc_ibuf, IMSG_CTL_USER_IMPORT, 0,
	    512)) == NULL ||
	    ibuf_add_u32(buf, il->il_line) == -1 ||
	    ibuf_add_str(buf, il->il_address, IMD_ADDRESS_MAX) == -1 ||
	    ibuf_add_str(buf, il->il_password != NULL ? il->il_password : "",
	    IMD_PASSWORD_MAX) == -1 ||
	    ibuf_add_str(buf, il->il_realm, IMD_REALM_MAX) == -1 ||
	    ibuf_add_str(buf, il->il_md5, USER_HA1_MD5_LEN + 1) == -1 ||
	    ibuf_add_str(buf, il->il_sha256, USER_HA1_SHA256_LEN + 1) == -1 ||
	    imsg_close(&cc->cc_ibuf, buf) == -1)
		errx(EXIT_ERROR, "sending to imd");
}

/* The end of a batch and its answers: the bad lines, then a result. */
static size_t
import_batch_end(struct import *im, struct ctl_conn *cc, int write)
{
	struct imsg	 imsg;
	char		 msg[CTL_MESSAGE_MAX], vis[4 * CTL_MESSAGE_MAX + 1];
	uint32_t	 w = write, line, status;
	size_t		 bad = 0;

	if (imsg_compose(&cc->cc_ibuf, IMSG_CTL_USER_IMPORT_END, 0, -1,
	    &w, sizeof(w)) == -1 || imsgbuf_flush(&cc->cc_ibuf) == -1)
		err(EXIT_ERROR, "sending to imd");
	ctl_deadline(cc);
	for (;;) {
		ctl_read(cc, &imsg);
		if (imsg.hdr.ih_type == IMSG_CTL_RESULT)
			break;
		if (imsg.hdr.ih_type != IMSG_CTL_USER_BAD)
			ctl_badreply();
		imsg_get_u32(&imsg, &line);
		imsg_get_u32(&imsg, &status);
		imsg_get_str(&imsg, msg, sizeof(msg));
		if (imsg_get_end(&imsg) == -1)
			ctl_badreply();
		import_badline(im, line, ctl_vis(msg, vis, sizeof(vis)));
		bad++;
	}
	imsg_get_u32(&imsg, &status);
	imsg_get_str(&imsg, msg, sizeof(msg));
	if (imsg_get_end(&imsg) == -1)
		ctl_badreply();
	if (status != CTL_OK && bad == 0)
		exit(ctl_result_exit(&imsg));
	return (bad);
}

static void
import_free(struct import *im)
{
	freezero(im->im_text, im->im_size + 1);
	free(im->im_lines);
	free(im->im_seen);
}

/* One page of users, the address of the last in last; how many. */
static size_t
export_page(struct ctl_conn *cc, char *last, size_t lastsize)
{
	struct user_rec	 u;
	struct imsg	 imsg;
	size_t		 n = 0;

	if (imsg_compose(&cc->cc_ibuf, IMSG_CTL_USER_EXPORT, 0, -1, last,
	    strlen(last) + 1) == -1 || imsgbuf_flush(&cc->cc_ibuf) == -1)
		err(EXIT_ERROR, "sending to imd");
	ctl_deadline(cc);
	for (;;) {
		ctl_read(cc, &imsg);
		if (imsg.hdr.ih_type == IMSG_CTL_END)
			break;
		if (imsg.hdr.ih_type == IMSG_CTL_RESULT)
			exit(ctl_result_exit(&imsg));
		if (imsg.hdr.ih_type != IMSG_CTL_USER_RECORD ||
		    user_msg_get(&imsg, &u) == -1 ||
		    imsg_get_end(&imsg) == -1 ||
		    !is_valid_address(u.u_address) ||
		    strcspn(u.u_realm, "\n") != strlen(u.u_realm))
			ctl_badreply();
		printf("%s %s %s %s\n", u.u_address,
		    u.u_ha1_md5[0] != '\0' ? u.u_ha1_md5 : "-",
		    u.u_ha1_sha256[0] != '\0' ? u.u_ha1_sha256 : "-",
		    u.u_realm);
		strlcpy(last, u.u_address, lastsize);
		explicit_bzero(&u, sizeof(u));
		n++;
	}
	if (imsg_get_end(&imsg) == -1)
		ctl_badreply();
	return (n);
}

/* Every user in the second form of an import file, a page at a time. */
int
user_export(const char *sock)
{
	struct ctl_conn	cc;
	char		last[IMD_ADDRESS_MAX] = "";

	ctl_open(&cc, sock);
	printf("# address ha1-md5 ha1-sha256 realm\n");
	while (export_page(&cc, last, sizeof(last)) == CTL_IMPORT_BATCH)
		;
	ctl_close(&cc);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EXIT_ERROR, "writing the users");
	return (EXIT_OK);
}
