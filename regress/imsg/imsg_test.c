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


/* The imsg layer on real socketpairs. */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imd_msg.h"
#include "imsg.h"
#include "tap.h"

static int	sv[2];
static struct imsgbuf	wb, rb;

static void
pair_open(void)
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		exit(2);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	imsgbuf_init(&wb, sv[0]);
	imsgbuf_init(&rb, sv[1]);
}

static void
pair_close(void)
{
	imsgbuf_clear(&wb);
	imsgbuf_clear(&rb);
	close(sv[0]);
	close(sv[1]);
}

/* Read until a message is there or nothing more comes. */
static int
get_one(struct imsg *imsg)
{
	int	r;

	while ((r = imsg_get(&rb, imsg)) == 0) {
		if (imsgbuf_read(&rb) <= 0)
			return (0);
	}
	return (r);
}

static void
test_many_in_one_read(void)
{
	struct imsg	imsg;
	uint32_t	v, i, ok = 1;
	ssize_t		n;

	pair_open();
	for (i = 0; i < 100; i++)
		imsg_compose(&wb, 7, i, -1, &i, sizeof(i));
	imsgbuf_flush(&wb);
	n = imsgbuf_read(&rb);
	TAP_OK(n == 100 * (ssize_t)(IMSG_HDR_SIZE + 4),
	    "100 messages arrive in one read (%zd bytes)", n);
	for (i = 0; i < 100; i++) {
		if (imsg_get(&rb, &imsg) != 1 || imsg.hdr.ih_peerid != i ||
		    imsg_get_u32(&imsg, &v) == -1 || v != i ||
		    imsg_get_end(&imsg) == -1)
			ok = 0;
	}
	TAP_OK(ok, "each of them is taken in order");
	TAP_OK(imsg_get(&rb, &imsg) == 0, "then none is left");
	pair_close();
}

static void
test_split(void)
{
	struct imsg	 imsg;
	struct imsg_hdr	 hdr;
	char		 raw[IMSG_HDR_SIZE + 5];

	pair_open();
	memset(&hdr, 0, sizeof(hdr));
	hdr.ih_type = 9;
	hdr.ih_len = sizeof(raw);
	memcpy(raw, &hdr, sizeof(hdr));
	memcpy(raw + sizeof(hdr), "abcd", 5);
	write(sv[0], raw, 7);
	imsgbuf_read(&rb);
	TAP_OK(imsg_get(&rb, &imsg) == 0, "a partial header is not a message");
	write(sv[0], raw + 7, sizeof(raw) - 9);
	imsgbuf_read(&rb);
	TAP_OK(imsg_get(&rb, &imsg) == 0, "a partial payload is not either");
	write(sv[0], raw + sizeof(raw) - 2, 2);
	imsgbuf_read(&rb);
	TAP_OK(imsg_get(&rb, &imsg) == 1 && imsg.len == 5 &&
	    memcmp(imsg.data, "abcd", 5) == 0,
	    "the message split across three reads is whole");
	pair_close();
}

static void
test_max_size(void)
{
	struct imsg	 imsg;
	char		*big;

	pair_open();
	big = calloc(1, IMSG_PAYLOAD_MAX + 1);
	memset(big, 'x', IMSG_PAYLOAD_MAX);
	TAP_OK(imsg_compose(&wb, 1, 0, -1, big, IMSG_PAYLOAD_MAX) == 0,
	    "a maximum-size message is queued");
	TAP_OK(imsg_compose(&wb, 1, 0, -1, big, IMSG_PAYLOAD_MAX + 1) == -1 &&
	    errno == EMSGSIZE, "one byte more is refused before buffering");
	imsgbuf_flush(&wb);
	TAP_OK(get_one(&imsg) == 1 && imsg.len == IMSG_PAYLOAD_MAX &&
	    imsg.data[IMSG_PAYLOAD_MAX - 1] == 'x',
	    "the maximum-size message arrives whole");
	free(big);
	pair_close();
}

static void
test_bad_header(void)
{
	struct imsg	imsg;
	struct imsg_hdr	hdr;

	pair_open();
	memset(&hdr, 0, sizeof(hdr));
	hdr.ih_len = IMSG_MAX + 1;
	write(sv[0], &hdr, sizeof(hdr));
	imsgbuf_read(&rb);
	TAP_OK(imsg_get(&rb, &imsg) == -1 && errno == EBADMSG,
	    "a header claiming more than the maximum is rejected");
	pair_close();

	pair_open();
	hdr.ih_len = 3;
	write(sv[0], &hdr, sizeof(hdr));
	imsgbuf_read(&rb);
	TAP_OK(imsg_get(&rb, &imsg) == -1,
	    "a header shorter than itself is rejected");
	pair_close();

	pair_open();
	hdr.ih_len = sizeof(hdr);
	hdr.ih_flags = IMSGF_HASFD;
	write(sv[0], &hdr, sizeof(hdr));
	imsgbuf_read(&rb);
	TAP_OK(imsg_get(&rb, &imsg) == -1,
	    "a descriptor announced but not sent is rejected");
	pair_close();
}

static void
test_typed(void)
{
	struct imsg	 imsg;
	struct ibuf	*buf;
	uint32_t	 v;
	uint64_t	 w;
	char		 s[8];

	pair_open();
	buf = imsg_create(&wb, 2, 0, 0);
	ibuf_add_u32(buf, 42);
	ibuf_add_str(buf, "hello", 8);
	imsg_close(&wb, buf);
	imsgbuf_flush(&wb);
	get_one(&imsg);
	TAP_OK(imsg_get_u32(&imsg, &v) == 0 && v == 42 &&
	    imsg_get_str(&imsg, s, sizeof(s)) == 0 &&
	    strcmp(s, "hello") == 0 && imsg_get_end(&imsg) == 0,
	    "typed fields read back exactly");
	imsg.off = 0;
	TAP_OK(imsg_get_u32(&imsg, &v) == 0 && imsg_get_end(&imsg) == -1,
	    "a payload not consumed fails the end check");
	imsg.off = 0;
	TAP_OK(imsg_get_u32(&imsg, &v) == 0 &&
	    imsg_get_str(&imsg, s, 5) == -1,
	    "a string longer than the buffer is refused");
	imsg.off = 0;
	imsg.err = 0;
	TAP_OK(imsg_get_u32(&imsg, &v) == 0 &&
	    imsg_get_str(&imsg, s, sizeof(s)) == 0 &&
	    imsg_get_u64(&imsg, &w) == -1,
	    "reading past the payload is refused");

	imsg_compose(&wb, 3, 0, -1, "abc", 3);
	imsgbuf_flush(&wb);
	get_one(&imsg);
	TAP_OK(imsg_get_str(&imsg, s, sizeof(s)) == -1,
	    "a string without its NUL in the payload is refused");
	imsg_compose(&wb, 3, 0, -1, "ab", 2);
	imsgbuf_flush(&wb);
	get_one(&imsg);
	TAP_OK(imsg_get_u32(&imsg, &v) == -1, "a short payload is refused");

	buf = imsg_create(&wb, 4, 0, 0);
	TAP_OK(ibuf_add_str(buf, "toolong", 4) == -1 &&
	    imsg_close(&wb, buf) == -1,
	    "a writer's over-long string spoils the whole message");
	pair_close();
}

/* The first failed get spoils the rest: zero-filled, and the end says so. */
static void
test_sticky(void)
{
	struct imsg	 imsg;
	struct ibuf	*buf;
	uint32_t	 a, b;
	uint64_t	 w;
	char		 s[8];

	pair_open();
	imsg_compose(&wb, 3, 0, -1, "ab", 2);
	imsgbuf_flush(&wb);
	get_one(&imsg);
	a = b = 7;
	w = 7;
	memset(s, 'x', sizeof(s));
	imsg_get_u32(&imsg, &a);
	imsg_get_str(&imsg, s, sizeof(s));
	imsg_get_u64(&imsg, &w);
	TAP_OK(a == 0 && s[0] == '\0' && w == 0 && imsg.off == 0 &&
	    imsg_get_end(&imsg) == -1,
	    "after a short read every get is zero-filled and the end fails");

	buf = imsg_create(&wb, 4, 0, 0);
	ibuf_add_u32(buf, 1);
	ibuf_add_data(buf, "abc", 3);
	ibuf_add_u32(buf, 0xffffffff);
	imsg_close(&wb, buf);
	imsgbuf_flush(&wb);
	get_one(&imsg);
	memset(s, 'x', sizeof(s));
	imsg_get_u32(&imsg, &a);
	imsg_get_str(&imsg, s, sizeof(s));
	b = 7;
	TAP_OK(a == 1 && s[0] == '\0' && imsg_get_u32(&imsg, &b) == -1 &&
	    b == 0 && imsg_get_end(&imsg) == -1,
	    "a string without its NUL spoils the reads after it");

	buf = imsg_create(&wb, 5, 0, 0);
	ibuf_add_u32(buf, 9);
	ibuf_add_str(buf, "ok", 8);
	ibuf_add_u64(buf, 10);
	imsg_close(&wb, buf);
	imsgbuf_flush(&wb);
	get_one(&imsg);
	imsg_get_u32(&imsg, &a);
	imsg_get_str(&imsg, s, sizeof(s));
	imsg_get_u64(&imsg, &w);
	TAP_OK(a == 9 && strcmp(s, "ok") == 0 && w == 10 &&
	    imsg_get_end(&imsg) == 0,
	    "the next message starts clean and reads back exactly");
	pair_close();
}

/* Every message type has its own name (catalogue.t checks the spelling). */
static void
test_type_names(void)
{
	uint32_t	t;
	int		named = 1;

	for (t = 0; t < IMSG_TYPE_MAX; t++)
		if (strncmp(imsg_type_name(t), "IMSG_", 5) != 0 ||
		    strcmp(imsg_type_name(t), "IMSG_UNKNOWN") == 0)
			named = 0;
	TAP_OK(named, "every message type has a name");
	TAP_OK(strcmp(imsg_type_name(IMSG_DB_HA1), "IMSG_DB_HA1") == 0 &&
	    strcmp(imsg_type_name(IMSG_TYPE_MAX), "IMSG_UNKNOWN") == 0,
	    "a type is named after its enum, one out of range is unknown");
}

static void
test_fd_passing(void)
{
	struct imsg	imsg;
	struct stat	a, b;
	int		fd, got;

	pair_open();
	rb.ib_nofd = 0;
	fd = open("/dev/null", O_RDONLY);
	fstat(fd, &a);
	imsg_compose(&wb, 5, 0, -1, "x", 1);
	imsg_compose(&wb, 6, 0, fd, "y", 1);
	imsgbuf_flush(&wb);
	TAP_OK(fcntl(fd, F_GETFD) == -1, "the sender's copy is closed");
	get_one(&imsg);
	TAP_OK(imsg.hdr.ih_type == 5 && imsg_get_fd(&imsg) == -1,
	    "a message without a descriptor has none");
	get_one(&imsg);
	got = imsg_get_fd(&imsg);
	TAP_OK(imsg.hdr.ih_type == 6 && got != -1 && fstat(got, &b) == 0 &&
	    a.st_ino == b.st_ino && a.st_dev == b.st_dev,
	    "the descriptor arrives with its message");
	close(got);

	rb.ib_nofd = 1;
	fd = open("/dev/null", O_RDONLY);
	imsg_compose(&wb, 6, 0, fd, "y", 1);
	imsgbuf_flush(&wb);
	TAP_OK(imsgbuf_read(&rb) == -1 && errno == EBADMSG,
	    "a channel that takes no descriptors refuses one");
	pair_close();
}

/* Only a channel whose reader asked for them takes descriptors. */
static void
test_fd_refused_by_default(void)
{
	struct imsg	imsg;
	int		fd, before;

	pair_open();
	TAP_OK(rb.ib_nofd == 1, "a new channel refuses descriptors");
	fd = open("/dev/null", O_RDONLY);
	before = fd;
	imsg_compose(&wb, 6, 0, fd, "y", 1);
	imsgbuf_flush(&wb);
	TAP_OK(imsgbuf_read(&rb) == -1 && errno == EBADMSG,
	    "a descriptor on it fails the read");
	fd = open("/dev/null", O_RDONLY);
	TAP_OK(fd == before, "and the refused descriptor is closed");
	close(fd);
	TAP_OK(imsg_get(&rb, &imsg) == 0, "nothing of the message is taken");
	pair_close();
}

static void
test_peer_close(void)
{
	pair_open();
	close(sv[0]);
	TAP_OK(imsgbuf_read(&rb) == 0, "a closed peer reads as end of file");
	imsg_compose(&rb, 1, 0, -1, NULL, 0);
	TAP_OK(imsgbuf_write(&rb) == -1, "writing to a closed peer fails");
	imsgbuf_clear(&wb);
	imsgbuf_clear(&rb);
	close(sv[1]);
}

int
main(void)
{
	test_many_in_one_read();
	test_split();
	test_max_size();
	test_bad_header();
	test_typed();
	test_sticky();
	test_type_names();
	test_fd_passing();
	test_fd_refused_by_default();
	test_peer_close();
	return (TAP_DONE());
}
