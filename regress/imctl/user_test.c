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
 * Unit tests of lib/user.c, TAP on standard output: the address rules at
 * their boundaries, and user records through a real socketpair.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vis.h>

#include "imsg.h"
#include "user.h"

#define TEST_TYPE	42

static int	tap_count;
static int	tap_failed;

static void	ok(int, const char *);
static char	*repeat(char *, size_t, char, size_t, const char *);
static char	*domain_of(char *, size_t, size_t);
static void	test_valid(void);
static void	test_malformed(void);
static void	test_lengths(void);
static void	test_split(void);
static void	test_lower(void);
static void	user_fill(struct user_rec *);
static void	channel_open(struct imsgbuf *, struct imsgbuf *);
static void	channel_close(struct imsgbuf *, struct imsgbuf *);
static int	channel_pass(struct imsgbuf *, struct imsgbuf *, struct imsg *);
static void	test_roundtrip(void);
static size_t	record_bytes(const struct user_rec *, unsigned char *, size_t);
static void	test_truncated(void);
static void	test_trailing(void);
static void	test_unterminated(void);

static void
ok(int cond, const char *name)
{
	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_count, name);
}

/* n copies of c, then tail. */
static char *
repeat(char *buf, size_t size, char c, size_t n, const char *tail)
{
	if (n >= size)
		errx(1, "repeat: %zu too long", n);
	memset(buf, c, n);
	buf[n] = '\0';
	if (strlcat(buf, tail, size) >= size)
		errx(1, "repeat: tail too long");
	return (buf);
}

/* A host name of exactly len octets, in labels of 63 and dots. */
static char *
domain_of(char *buf, size_t size, size_t len)
{
	size_t	i;

	if (len >= size)
		errx(1, "domain_of: %zu too long", len);
	for (i = 0; i < len; i++)
		buf[i] = (i % 64 == 63) ? '.' : 'd';
	if (buf[len - 1] == '.')
		buf[len - 1] = 'e';
	buf[len] = '\0';
	return (buf);
}

static void
test_valid(void)
{
	static const char *good[] = {
		"alice@example.org",
		"a@b",
		"Bob@Example.COM",
		"a.b_c-d+e@x-y.example",
		"0@0.0",
		"x@a-b.c",
	};
	char	name[128];
	size_t	i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(name, sizeof(name), "valid: %s", good[i]);
		ok(is_valid_address(good[i]) == 1, name);
	}
}

static void
test_malformed(void)
{
	static const char *bad[] = {
		"", "@", "alice", "alice@", "@example.org",
		"a@@example.org", "a@b@example.org", "a b@example.org",
		"a\"b@example.org", "a,b@example.org", "a\tb@example.org",
		"\xc3\xa9@example.org", "a@ex\xc3\xa9.org", ".a@example.org",
		"a.@example.org", "a..b@example.org", "a@example.org.",
		"a@.example.org", "a@example..org", "a@-example.org",
		"a@example-.org", "a@ex_ample.org", "a@[192.0.2.1]",
		"a@example.org:5060", "sip:a@example.org", "a@exa mple.org",
	};
	char	name[160], vis[4 * 32 + 1];
	size_t	i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strnvis(vis, bad[i], sizeof(vis), VIS_CSTYLE | VIS_WHITE);
		snprintf(name, sizeof(name), "malformed: \"%s\"", vis);
		ok(is_valid_address(bad[i]) == 0, name);
	}
}

static void
test_lengths(void)
{
	char	addr[1024], dom[512], tail[600];

	ok(is_valid_address(repeat(addr, sizeof(addr), 'l', 64,
	    "@example.org")) == 1, "local part of 64 octets accepted");
	ok(is_valid_address(repeat(addr, sizeof(addr), 'l', 65,
	    "@example.org")) == 0, "local part of 65 octets refused");

	snprintf(tail, sizeof(tail), "@%s", domain_of(dom, sizeof(dom), 253));
	ok(is_valid_address(repeat(addr, sizeof(addr), 'l', 1, tail)) == 1,
	    "domain of 253 octets accepted");
	ok(is_valid_address(repeat(addr, sizeof(addr), 'l', 64, tail)) == 1,
	    "address of 318 octets accepted");
	snprintf(tail, sizeof(tail), "@%s", domain_of(dom, sizeof(dom), 254));
	ok(is_valid_address(repeat(addr, sizeof(addr), 'l', 1, tail)) == 0,
	    "domain of 254 octets refused");

	snprintf(tail, sizeof(tail), "@%s.org",
	    repeat(dom, sizeof(dom), 'd', 63, ""));
	ok(is_valid_address(repeat(addr, sizeof(addr), 'l', 1, tail)) == 1,
	    "label of 63 octets accepted");
	snprintf(tail, sizeof(tail), "@%s.org",
	    repeat(dom, sizeof(dom), 'd', 64, ""));
	ok(is_valid_address(repeat(addr, sizeof(addr), 'l', 1, tail)) == 0,
	    "label of 64 octets refused");

	ok(is_valid_address(repeat(addr, sizeof(addr), 'l', 900,
	    "@example.org")) == 0, "address far over the maximum refused");
}

static void
test_split(void)
{
	char	local[IMD_LOCALPART_MAX], domain[IMD_DOMAIN_MAX];
	char	small[5], addr[128];

	ok(address_split("alice@Example.ORG", local, sizeof(local), domain,
	    sizeof(domain)) == 0 && strcmp(local, "alice") == 0 &&
	    strcmp(domain, "Example.ORG") == 0, "split: both halves");
	ok(address_split("alice", local, sizeof(local), domain,
	    sizeof(domain)) == -1 && local[0] == '\0' && domain[0] == '\0',
	    "split: malformed refused, outputs empty");
	ok(address_split("abcd@example.org", small, sizeof(small), domain,
	    sizeof(domain)) == 0 && strcmp(small, "abcd") == 0,
	    "split: local part that just fits");
	ok(address_split("abcde@example.org", small, sizeof(small), domain,
	    sizeof(domain)) == -1, "split: local part one too long");
	ok(address_split("a@b.cd", local, sizeof(local), small,
	    sizeof(small)) == 0 && strcmp(small, "b.cd") == 0,
	    "split: domain that just fits");
	ok(address_split("a@b.cde", local, sizeof(local), small,
	    sizeof(small)) == -1, "split: domain one too long");
	ok(address_split(repeat(addr, sizeof(addr), 'l', 64, "@x.org"),
	    local, sizeof(local), domain, sizeof(domain)) == 0 &&
	    strlen(local) == 64, "split: 64-octet local part into "
	    "IMD_LOCALPART_MAX");
}

/* address_lower(): one spelling of a valid address, nothing else. */
static void
test_lower(void)
{
	char	addr[IMD_ADDRESS_MAX + 8];

	strlcpy(addr, "Alice.B+X@Example.ORG", sizeof(addr));
	ok(address_lower(addr) == 0 &&
	    strcmp(addr, "alice.b+x@example.org") == 0,
	    "lower: both halves in lower case");
	strlcpy(addr, "bob@example.org", sizeof(addr));
	ok(address_lower(addr) == 0 && strcmp(addr, "bob@example.org") == 0,
	    "lower: lower case stays");
	strlcpy(addr, "Alice@@Example.ORG", sizeof(addr));
	ok(address_lower(addr) == -1 &&
	    strcmp(addr, "Alice@@Example.ORG") == 0,
	    "lower: malformed refused and left as it was");
	strlcpy(addr, "", sizeof(addr));
	ok(address_lower(addr) == -1, "lower: empty refused");
	ok(address_lower(repeat(addr, sizeof(addr), 'L', 64, "@X.ORG")) ==
	    0 && addr[0] == 'l' && strcmp(addr + 64, "@x.org") == 0,
	    "lower: 64-octet local part");
	ok(address_lower(repeat(addr, sizeof(addr), 'L', 65, "@X.ORG")) ==
	    -1 && addr[0] == 'L', "lower: 65-octet local part refused");
}

static void
user_fill(struct user_rec *u)
{
	memset(u, 0, sizeof(*u));
	strlcpy(u->u_address, "alice@example.org", sizeof(u->u_address));
	strlcpy(u->u_realm, "example.org", sizeof(u->u_realm));
	memset(u->u_ha1_md5, 'a', USER_HA1_MD5_LEN);
	memset(u->u_ha1_sha256, 'b', USER_HA1_SHA256_LEN);
	strlcpy(u->u_mail, "alice@mail.example.org", sizeof(u->u_mail));
	u->u_created = 0x0123456789abcdefULL;
	u->u_flags = USER_F_DISABLED;
}

static void
channel_open(struct imsgbuf *a, struct imsgbuf *b)
{
	int	sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		err(1, "socketpair");
	if (imsgbuf_init(a, sv[0]) == -1 || imsgbuf_init(b, sv[1]) == -1)
		err(1, "imsgbuf_init");
}

static void
channel_close(struct imsgbuf *a, struct imsgbuf *b)
{
	close(a->ib_fd);
	close(b->ib_fd);
	imsgbuf_clear(a);
	imsgbuf_clear(b);
}

/* Flush what a queued and take one message out at b. */
static int
channel_pass(struct imsgbuf *a, struct imsgbuf *b, struct imsg *imsg)
{
	int	r;

	if (imsgbuf_flush(a) == -1)
		return (-1);
	while ((r = imsg_get(b, imsg)) == 0) {
		if (imsgbuf_read(b) <= 0)
			return (-1);
	}
	return (r == 1 ? 0 : -1);
}

static void
test_roundtrip(void)
{
	struct imsgbuf	 a, b;
	struct imsg	 imsg;
	struct user_rec	 in, out;
	struct ibuf	*buf;

	channel_open(&a, &b);
	user_fill(&in);
	if ((buf = imsg_create(&a, TEST_TYPE, 7, 0)) == NULL)
		err(1, "imsg_create");
	ok(user_msg_add(buf, &in) == 0, "roundtrip: record added");
	ok(imsg_close(&a, buf) == 0, "roundtrip: message closed");
	ok(channel_pass(&a, &b, &imsg) == 0 && imsg.hdr.ih_type ==
	    TEST_TYPE && imsg.hdr.ih_peerid == 7, "roundtrip: message read");
	ok(user_msg_get(&imsg, &out) == 0, "roundtrip: record read");
	ok(imsg_get_end(&imsg) == 0, "roundtrip: payload consumed exactly");
	ok(memcmp(&in, &out, sizeof(in)) == 0, "roundtrip: record equal");
	channel_close(&a, &b);
}

/* The payload user_msg_add() writes, as bytes. */
static size_t
record_bytes(const struct user_rec *u, unsigned char *dst, size_t size)
{
	struct imsgbuf	 ib;
	struct ibuf	*buf;
	size_t		 len;

	if (imsgbuf_init(&ib, -1) == -1 ||
	    (buf = imsg_create(&ib, TEST_TYPE, 0, 0)) == NULL ||
	    user_msg_add(buf, u) == -1)
		errx(1, "record_bytes");
	len = buf->ib_len - IMSG_HDR_SIZE;
	if (len > size)
		errx(1, "record_bytes: %zu too long", len);
	memcpy(dst, buf->ib_data + IMSG_HDR_SIZE, len);
	ibuf_free(buf);
	imsgbuf_clear(&ib);
	return (len);
}

/* Every prefix of a record must be refused, and the record wiped. */
static void
test_truncated(void)
{
	struct imsgbuf	 a, b;
	struct imsg	 imsg;
	struct user_rec	 in, out;
	unsigned char	 full[2048];
	size_t		 len, cut;
	int		 refused = 1, wiped = 1;

	channel_open(&a, &b);
	user_fill(&in);
	len = record_bytes(&in, full, sizeof(full));
	for (cut = 0; cut < len; cut++) {
		if (imsg_compose(&a, TEST_TYPE, 0, -1, full, cut) == -1 ||
		    channel_pass(&a, &b, &imsg) == -1)
			errx(1, "compose %zu", cut);
		memset(&out, 'x', sizeof(out));
		if (user_msg_get(&imsg, &out) != -1)
			refused = 0;
		if (out.u_ha1_md5[0] != '\0' || out.u_ha1_sha256[0] != '\0')
			wiped = 0;
	}
	ok(len > 0, "truncated: record serialised");
	ok(refused, "truncated: every shorter payload refused");
	ok(wiped, "truncated: partial record wiped");
	channel_close(&a, &b);
}

static void
test_trailing(void)
{
	struct imsgbuf	 a, b;
	struct imsg	 imsg;
	struct user_rec	 in, out;
	struct ibuf	*buf;

	channel_open(&a, &b);
	user_fill(&in);
	if ((buf = imsg_create(&a, TEST_TYPE, 0, 0)) == NULL ||
	    user_msg_add(buf, &in) == -1 || ibuf_add_u8(buf, 0) == -1 ||
	    imsg_close(&a, buf) == -1 || channel_pass(&a, &b, &imsg) == -1)
		errx(1, "trailing byte");
	ok(user_msg_get(&imsg, &out) == 0 && imsg_get_end(&imsg) == -1,
	    "trailing: record read, extra byte caught by imsg_get_end");
	channel_close(&a, &b);
}

static void
test_unterminated(void)
{
	struct imsgbuf	 a, b;
	struct imsg	 imsg;
	struct user_rec	 in, out;
	struct ibuf	*buf;
	char		 longaddr[IMD_ADDRESS_MAX + 1];

	channel_open(&a, &b);
	user_fill(&in);
	memset(in.u_address, 'a', sizeof(in.u_address));
	if ((buf = imsg_create(&a, TEST_TYPE, 0, 0)) == NULL)
		err(1, "imsg_create");
	ok(user_msg_add(buf, &in) == -1, "add: unterminated field refused");
	ibuf_free(buf);

	/* A string one octet over the field, sent by hand. */
	memset(longaddr, 'a', IMD_ADDRESS_MAX);
	longaddr[IMD_ADDRESS_MAX] = '\0';
	if ((buf = imsg_create(&a, TEST_TYPE, 0, 0)) == NULL ||
	    ibuf_add_str(buf, longaddr, sizeof(longaddr)) == -1 ||
	    imsg_close(&a, buf) == -1 || channel_pass(&a, &b, &imsg) == -1)
		errx(1, "long address");
	ok(user_msg_get(&imsg, &out) == -1, "get: over-long address refused");
	channel_close(&a, &b);
}

int
main(void)
{
	test_valid();
	test_malformed();
	test_lengths();
	test_split();
	test_lower();
	test_roundtrip();
	test_truncated();
	test_trailing();
	test_unterminated();
	printf("1..%d\n", tap_count);
	return (tap_failed > 0);
}
