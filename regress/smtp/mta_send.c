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
 * mta_send: one mail through smtp_send() on the event loop, for
 * opensmtpd.t.
 *
 *	mta_send [-b body] [-d date] [-i id] [-r raw] [-t ms]
 *	    ok|tempfail|permfail port from to
 *
 * Composes the mail with mail_compose() from the UTF-8 text in the
 * file body (from and to are the IM sender and recipient, the envelope
 * too), or with -r sends the file raw as the data, to 127.0.0.1 port.
 * Prints the result and the reply; exits 0 only when the result is the
 * one expected, done ran from the loop and not inside smtp_send(), no
 * job is left, and it all took at most ms milliseconds (-t).
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <event.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cdefs.h"
#include "mail.h"
#include "smtp.h"

#define FILE_MAX	(1024 * 1024)

static int	 in_send, called, inside, got;
static char	 reply[2048];

static void
usage(void)
{
	fprintf(stderr, "usage: mta_send [-b body] [-d date] [-i id] "
	    "[-r raw] [-t ms] ok|tempfail|permfail port from to\n");
	exit(2);
}

static char *
read_file(const char *path, size_t *len)
{
	char	*buf;
	ssize_t	 n;
	int	 fd;

	if ((buf = malloc(FILE_MAX)) == NULL)
		err(2, NULL);
	if ((fd = open(path, O_RDONLY)) == -1)
		err(2, "%s", path);
	*len = 0;
	while ((n = read(fd, buf + *len, FILE_MAX - *len)) > 0)
		*len += n;
	if (n == -1)
		err(2, "%s", path);
	if (*len == FILE_MAX)
		errx(2, "%s: too large", path);
	close(fd);
	return (buf);
}

static char *
compose(const char *from, const char *to, const char *bodyfile,
    const char *id, time_t date, size_t *len)
{
	struct mail_msg	 mm;
	char		*body, *out;
	size_t		 size;

	memset(&mm, 0, sizeof(mm));
	body = read_file(bodyfile, &mm.mm_bodylen);
	mm.mm_body = body;
	if (strlcpy(mm.mm_from, from, sizeof(mm.mm_from)) >=
	    sizeof(mm.mm_from) ||
	    strlcpy(mm.mm_to, to, sizeof(mm.mm_to)) >= sizeof(mm.mm_to) ||
	    strlcpy(mm.mm_id, id, sizeof(mm.mm_id)) >= sizeof(mm.mm_id))
		errx(2, "argument too long");
	mm.mm_date = date;
	strlcpy(mm.mm_ctype, "text/plain;charset=UTF-8", sizeof(mm.mm_ctype));
	strlcpy(mm.mm_hostname, "im.imd.test", sizeof(mm.mm_hostname));
	if ((size = mail_compose_bound(mm.mm_bodylen)) == 0 ||
	    (out = malloc(size)) == NULL)
		err(2, NULL);
	if (mail_compose(&mm, out, size, len) == -1)
		errx(2, "mail_compose failed");
	free(body);
	return (out);
}

static void
done(void *arg IMD_UNUSED, int result, const char *r)
{
	called++;
	inside = in_send;
	got = result;
	strlcpy(reply, r, sizeof(reply));
}

static int
result_of(const char *s)
{
	if (strcmp(s, "ok") == 0)
		return (SMTP_OK);
	if (strcmp(s, "tempfail") == 0)
		return (SMTP_TEMPFAIL);
	if (strcmp(s, "permfail") == 0)
		return (SMTP_PERMFAIL);
	usage();
	return (-1);
}

static long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static void
send_mail(const char *port, const char *from, const char *to,
    const char *data, size_t len)
{
	struct sockaddr_in	 sin;
	const char		*errstr;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(strtonum(port, 1, 65535, &errstr));
	if (errstr != NULL)
		errx(2, "port %s: %s", port, errstr);
	in_send = 1;
	if (smtp_send((struct sockaddr *)&sin, sizeof(sin), "im.imd.test",
	    from, to, data, len, done, NULL) == NULL)
		err(2, "smtp_send");
	in_send = 0;
	while (!called)
		if (event_loop(EVLOOP_ONCE) == -1)
			err(2, "event_loop");
}

int
main(int argc, char *argv[])
{
	const char	*body = NULL, *raw = NULL, *id = "mta.1", *errstr;
	char		*data;
	time_t		 date = 1700000000;
	long		 maxms = 0, t0;
	size_t		 len;
	int		 ch, want;

	while ((ch = getopt(argc, argv, "b:d:i:r:t:")) != -1) {
		switch (ch) {
		case 'b':
			body = optarg;
			break;
		case 'd':
			date = strtonum(optarg, 0, 253402300799LL, &errstr);
			if (errstr != NULL)
				errx(2, "date %s: %s", optarg, errstr);
			break;
		case 'i':
			id = optarg;
			break;
		case 'r':
			raw = optarg;
			break;
		case 't':
			maxms = strtonum(optarg, 1, 600000, &errstr);
			if (errstr != NULL)
				errx(2, "ms %s: %s", optarg, errstr);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 4 || (body == NULL) == (raw == NULL))
		usage();
	want = result_of(argv[0]);
	if (raw != NULL)
		data = read_file(raw, &len);
	else
		data = compose(argv[2], argv[3], body, id, date, &len);
	if (event_init() == NULL)
		errx(2, "event_init");
	t0 = now_ms();
	send_mail(argv[1], argv[2], argv[3], data, len);
	t0 = now_ms() - t0;
	free(data);
	printf("result: %s: %s (%ld ms)\n", smtp_result_name(got), reply, t0);
	if (called != 1 || inside || smtp_count() != 0)
		errx(1, "done ran %d times, %s smtp_send, %zu jobs left",
		    called, inside ? "inside" : "after", smtp_count());
	if (maxms != 0 && t0 > maxms)
		errx(1, "took %ld ms, more than %ld", t0, maxms);
	return (got == want ? 0 : 1);
}
