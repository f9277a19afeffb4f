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
 * The least of HTTP/1.1 (RFC 9110, 9112) that a WebSocket listen address
 * needs: the request head that carries the upgrade (ws.c), and GET or
 * HEAD of the web client's files.  The files are read once, before the
 * jail, from one folder, into memory; nothing is read from disk after.
 * No request body, no ranges, no directories: anything else is refused
 * with its status.  A head is bounded, and so is what the folder may
 * make us hold.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listener.h"
#include "log.h"

#define HTTP_FILES_MAX		64
#define HTTP_FILE_MAX		(4 * 1024 * 1024)
#define HTTP_TOTAL_MAX		(16 * 1024 * 1024)
#define HTTP_NAME_MAX		64

struct http_file {
	char		 hf_name[HTTP_NAME_MAX];
	const char	*hf_type;
	char		*hf_data;
	size_t		 hf_len;
};

static struct http_file	http_files[HTTP_FILES_MAX];
static size_t		http_nfiles;

static const struct {
	const char	*ext;
	const char	*type;
} http_types[] = {
	{ ".html",	"text/html; charset=utf-8" },
	{ ".js",	"text/javascript; charset=utf-8" },
	{ ".css",	"text/css; charset=utf-8" },
	{ ".json",	"application/json" },
	{ ".webmanifest", "application/manifest+json" },
	{ ".svg",	"image/svg+xml" },
	{ ".png",	"image/png" },
	{ ".ico",	"image/x-icon" },
	{ ".txt",	"text/plain; charset=utf-8" },
};

static const char *
http_type(const char *name)
{
	const char	*dot;
	size_t		 i;

	if ((dot = strrchr(name, '.')) == NULL)
		return (NULL);
	for (i = 0; i < sizeof(http_types) / sizeof(http_types[0]); i++)
		if (strcmp(dot, http_types[i].ext) == 0)
			return (http_types[i].type);
	return (NULL);
}

/* Names a URL path can carry as they are: no dot first, no slash. */
static int
is_http_name(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len >= HTTP_NAME_MAX || s[0] == '.')
		return (0);
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '-' && s[i] != '_')
			return (0);
	return (1);
}

static int
http_read_file(int dfd, const char *name, struct http_file *hf,
    size_t *total)
{
	struct stat	 st;
	ssize_t		 n;
	size_t		 off = 0;
	int		 fd;

	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1 || fstat(fd, &st) == -1) {
		log_warn("http: %s", name);
		if (fd != -1)
			close(fd);
		return (-1);
	}
	if (!S_ISREG(st.st_mode) || st.st_size > HTTP_FILE_MAX ||
	    *total + st.st_size > HTTP_TOTAL_MAX) {
		log_warnx("http: %s: not a file, or over the bounds "
		    "(%d bytes a file, %d in all)", name, HTTP_FILE_MAX,
		    HTTP_TOTAL_MAX);
		close(fd);
		return (-1);
	}
	if ((hf->hf_data = malloc(st.st_size + 1)) == NULL)
		fatal("%s", __func__);
	while (off < (size_t)st.st_size &&
	    (n = read(fd, hf->hf_data + off, st.st_size - off)) > 0)
		off += n;
	close(fd);
	hf->hf_len = off;
	*total += off;
	strlcpy(hf->hf_name, name, sizeof(hf->hf_name));
	hf->hf_type = http_type(name);
	return (0);
}

/*
 * The files of the web client, before the jail.  Only files directly in
 * the folder, with a plain name and a type we know; a file that cannot
 * be read or breaks a bound is fatal, as any start-up step.
 */
void
http_load(const char *root)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 total = 0;

	if (root[0] == '\0')
		return;
	if ((d = opendir(root)) == NULL)
		fatal("http: web root %s", root);
	while ((de = readdir(d)) != NULL) {
		if (!is_http_name(de->d_name, strlen(de->d_name)) ||
		    http_type(de->d_name) == NULL)
			continue;
		if (http_nfiles == HTTP_FILES_MAX)
			fatalx("http: web root %s: more than %d files", root,
			    HTTP_FILES_MAX);
		if (http_read_file(dirfd(d), de->d_name,
		    &http_files[http_nfiles], &total) == -1)
			fatalx("http: web root %s: cannot load", root);
		http_nfiles++;
	}
	closedir(d);
	log_debug("http: %zu files, %zu bytes, from %s", http_nfiles, total,
	    root);
}

static const struct http_file *
http_file_find(const char *path, size_t len)
{
	size_t	i;

	if (len == 1)	/* "/" */
		path = "/index.html", len = 11;
	path++, len--;
	if (!is_http_name(path, len))
		return (NULL);
	for (i = 0; i < http_nfiles; i++)
		if (strlen(http_files[i].hf_name) == len &&
		    memcmp(http_files[i].hf_name, path, len) == 0)
			return (&http_files[i]);
	return (NULL);
}

/* Header names are case-insensitive (RFC 9110 5.1). */
static int
http_name_is(const char *s, size_t len, const char *name)
{
	return (strlen(name) == len && strncasecmp(s, name, len) == 0);
}

static void
http_field(struct http_req *hr, const char *name, size_t nlen,
    struct sip_str *v)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} fields[] = {
		{ "host", offsetof(struct http_req, hr_host) },
		{ "upgrade", offsetof(struct http_req, hr_upgrade) },
		{ "connection", offsetof(struct http_req, hr_connection) },
		{ "origin", offsetof(struct http_req, hr_origin) },
		{ "sec-websocket-key", offsetof(struct http_req, hr_key) },
		{ "sec-websocket-version",
		    offsetof(struct http_req, hr_version) },
		{ "content-length", offsetof(struct http_req, hr_length) },
		{ "transfer-encoding", offsetof(struct http_req, hr_te) },
	};
	size_t	i;

	if (http_name_is(name, nlen, "sec-websocket-protocol")) {
		/* The list may be split over fields: any may name sip. */
		if (http_token_in(v, "sip"))
			hr->hr_sip = 1;
		hr->hr_protocols = 1;
		return;
	}
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (http_name_is(name, nlen, fields[i].name)) {
			*(struct sip_str *)((char *)hr + fields[i].off) = *v;
			return;
		}
}

/* Does the comma-separated list hold the token, in any case? */
int
http_token_in(const struct sip_str *list, const char *token)
{
	const char	*p, *end, *t;
	size_t		 tlen = strlen(token);

	if (list->s == NULL)	/* the field was not there */
		return (0);
	p = list->s;
	end = SIP_STR_END(list);
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		for (t = p; t < end && *t != ',' && *t != ' ' &&
		    *t != '\t'; t++)
			;
		if ((size_t)(t - p) == tlen && strncasecmp(p, token, tlen) == 0)
			return (1);
		while (t < end && *t != ',')
			t++;
		p = t;
	}
	return (0);
}

static int
http_request_line(struct http_req *hr, const char *p, const char *eol)
{
	const char	*sp1, *sp2;

	if ((sp1 = memchr(p, ' ', eol - p)) == NULL ||
	    (sp2 = memchr(sp1 + 1, ' ', eol - sp1 - 1)) == NULL)
		return (-1);
	hr->hr_method.s = p;
	hr->hr_method.len = sp1 - p;
	hr->hr_target.s = sp1 + 1;
	hr->hr_target.len = sp2 - sp1 - 1;
	if (eol - sp2 - 1 != 8 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
	    hr->hr_target.len == 0 || hr->hr_target.s[0] != '/')
		return (-1);
	hr->hr_http10 = sp2[8] == '0';
	return (0);
}

static int
http_header_line(struct http_req *hr, const char *p, const char *eol)
{
	const char	*colon;
	struct sip_str	 v;

	if ((colon = memchr(p, ':', eol - p)) == NULL || colon == p ||
	    p[0] == ' ' || p[0] == '\t')	/* no obsolete folding */
		return (-1);
	v.s = colon + 1;
	while (v.s < eol && (*v.s == ' ' || *v.s == '\t'))
		v.s++;
	v.len = eol - v.s;
	while (v.len > 0 && (v.s[v.len - 1] == ' ' || v.s[v.len - 1] == '\t'))
		v.len--;
	http_field(hr, p, colon - p, &v);
	return (0);
}

/*
 * One request head from buf.  HTTP_MORE while it is incomplete and
 * under HTTP_HEAD_MAX; HTTP_BAD when it is malformed or too long;
 * else its length, with hr filled (pointing into buf).
 */
ssize_t
http_request_parse(const char *buf, size_t len, struct http_req *hr)
{
	const char	*p = buf, *end, *eol;
	size_t		 n = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;

	memset(hr, 0, sizeof(*hr));
	if ((end = memmem(buf, n, "\r\n\r\n", 4)) == NULL)
		return (len >= HTTP_HEAD_MAX ? HTTP_TOO_LONG : HTTP_MORE);
	end += 2;
	eol = memmem(p, end - p, "\r\n", 2);
	if (http_request_line(hr, p, eol) == -1)
		return (HTTP_BAD);
	for (p = eol + 2; p < end; p = eol + 2) {
		eol = memmem(p, end - p, "\r\n", 2);
		if (memchr(p, '\0', eol - p) != NULL ||
		    http_header_line(hr, p, eol) == -1)
			return (HTTP_BAD);
	}
	return (end + 2 - buf);
}

/* A response with a short body of its own, or none. */
int
http_reply(struct conn *c, unsigned int status, const char *reason,
    const char *extra, const char *body)
{
	char	head[1024];
	size_t	blen = body == NULL ? 0 : strlen(body);
	int	n;

	n = snprintf(head, sizeof(head), "HTTP/1.1 %u %s\r\n"
	    "Server: imd\r\n%s"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n\r\n%s", status, reason,
	    extra == NULL ? "" : extra, blen, body == NULL ? "" : body);
	if (n < 0 || (size_t)n >= sizeof(head))
		return (-1);
	return (conn_write(c, head, n));
}

/*
 * GET or HEAD of a file.  The body is long (the bundled client): it
 * goes out through *body and *bodylen as the output queue drains.
 * Returns -1 when the connection is gone.
 */
int
http_serve(struct conn *c, const struct http_req *hr, const char **body,
    size_t *bodylen)
{
	const struct http_file	*hf;
	char			 head[1024];
	size_t			 tlen = hr->hr_target.len;
	const char		*q;
	int			 head_only, n;

	*body = NULL;
	*bodylen = 0;
	head_only = http_name_is(hr->hr_method.s, hr->hr_method.len, "HEAD");
	if (!head_only && !(hr->hr_method.len == 3 &&
	    memcmp(hr->hr_method.s, "GET", 3) == 0))
		return (http_reply(c, 405, "Method Not Allowed",
		    "Allow: GET, HEAD\r\n", "GET and HEAD only\n"));
	if ((q = memchr(hr->hr_target.s, '?', tlen)) != NULL)
		tlen = q - hr->hr_target.s;
	if ((hf = http_file_find(hr->hr_target.s, tlen)) == NULL)
		return (http_reply(c, 404, "Not Found", NULL,
		    "Not found\n"));
	n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
	    "Server: imd\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-cache\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "Content-Security-Policy: default-src 'self'; "
	    "connect-src 'self' ws: wss:; img-src 'self' data:\r\n\r\n",
	    hf->hf_type, hf->hf_len);
	if (conn_write(c, head, n) == -1)
		return (-1);
	if (!head_only) {
		*body = hf->hf_data;
		*bodylen = hf->hf_len;
	}
	return (0);
}
