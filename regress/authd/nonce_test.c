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
 * Unit tests of authd/nonce.c, TAP on standard output: nonces made and
 * checked at chosen times, every kind of damage, and the nonce-count
 * table at its bounds.
 */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nonce.h"
#include "tap.h"

#define T0		1700000000
#define LIFETIME	300

static const unsigned char secret_a[32] = "0123456789abcdef0123456789abcdef";
static const unsigned char secret_b[32] = "0123456789abcdef0123456789abcdeF";

static void	make(time_t, char *);
static int	all_tampered_bad(const char *, size_t, size_t);
static void	test_init(void);
static void	test_roundtrip(void);
static void	test_age(void);
static void	test_tamper(void);
static void	test_malformed(void);
static void	test_secret(void);
static void	test_count(void);
static void	test_evict(void);
static void	test_evict_older(void);
static void	test_cap_default(void);
static void	test_sweep(void);

static void
make(time_t t, char *out)
{
	if (nonce_make(t, out, NONCE_MAX) == -1)
		errx(1, "nonce_make");
}

/* Every one-digit change in [from, to) must make the nonce BAD. */
static int
all_tampered_bad(const char *nonce, size_t from, size_t to)
{
	char	buf[NONCE_MAX];
	size_t	i;

	for (i = from; i < to; i++) {
		strlcpy(buf, nonce, sizeof(buf));
		buf[i] = buf[i] == '0' ? '1' : '0';
		if (nonce_check(buf, T0, LIFETIME) != NONCE_BAD)
			return (0);
	}
	return (1);
}

static void
test_init(void)
{
	char	n[NONCE_MAX];

	TAP_OK(nonce_init(secret_a, NONCE_SECRET_MIN - 1) == -1,
	    "a secret shorter than NONCE_SECRET_MIN is refused");
	TAP_OK(nonce_make(T0, n, sizeof(n)) == -1,
	    "no secret, no nonce");
	TAP_OK(nonce_init(secret_a, NONCE_SECRET_MAX + 1) == -1,
	    "a secret longer than NONCE_SECRET_MAX is refused");
	TAP_OK(nonce_init(secret_a, sizeof(secret_a)) == 0,
	    "a 32-byte secret is taken");
	TAP_OK(nonce_make(T0, n, NONCE_MAX - 1) == -1,
	    "nonce_make refuses a buffer below NONCE_MAX");
	TAP_OK(nonce_make(-1, n, sizeof(n)) == -1,
	    "nonce_make refuses a negative time");
}

static void
test_roundtrip(void)
{
	char	n1[NONCE_MAX], n2[NONCE_MAX];

	make(T0, n1);
	make(T0, n2);
	TAP_OK(strlen(n1) == NONCE_LEN &&
	    strspn(n1, "0123456789abcdef") == NONCE_LEN,
	    "a nonce is %d lower-case hex digits", NONCE_LEN);
	TAP_OK(strcmp(n1, n2) != 0, "two nonces of one second differ");
	TAP_OK(nonce_check(n1, T0, LIFETIME) == NONCE_OK,
	    "a fresh nonce is OK");
	TAP_OK(nonce_check(n2, T0 + 1, LIFETIME) == NONCE_OK,
	    "a nonce a second old is OK");
}

static void
test_age(void)
{
	char	n[NONCE_MAX];

	make(T0, n);
	TAP_OK(nonce_check(n, T0 + LIFETIME, LIFETIME) == NONCE_OK,
	    "a nonce exactly lifetime old is OK");
	TAP_OK(nonce_check(n, T0 + LIFETIME + 1, LIFETIME) == NONCE_STALE,
	    "a nonce older than its lifetime is STALE");
	TAP_OK(nonce_check(n, T0 + 86400 * 365, LIFETIME) == NONCE_STALE,
	    "a year-old nonce is STALE");
	TAP_OK(nonce_check(n, T0 - NONCE_SKEW, LIFETIME) == NONCE_OK,
	    "a nonce NONCE_SKEW seconds early is OK");
	TAP_OK(nonce_check(n, T0 - NONCE_SKEW - 1, LIFETIME) == NONCE_STALE,
	    "a nonce from further in the future is STALE");
	TAP_OK(nonce_check(n, -1, LIFETIME) == NONCE_STALE,
	    "a negative now makes an authentic nonce STALE");
}

static void
test_tamper(void)
{
	char	n[NONCE_MAX], old[NONCE_MAX], now[NONCE_MAX];

	make(T0, n);
	TAP_OK(all_tampered_bad(n, 0, 16),
	    "each changed digit of the time is BAD");
	TAP_OK(all_tampered_bad(n, 16, 32),
	    "each changed digit of the random part is BAD");
	TAP_OK(all_tampered_bad(n, 32, NONCE_LEN),
	    "each changed digit of the MAC is BAD");
	/* An expired nonce given a new time must not pass as fresh. */
	make(T0 - 10 * LIFETIME, old);
	make(T0, now);
	memcpy(old, now, 16);
	TAP_OK(nonce_check(old, T0, LIFETIME) == NONCE_BAD,
	    "an old nonce with its time refreshed is BAD");
	memcpy(now + 32, n + 32, NONCE_LEN - 32);
	TAP_OK(nonce_check(now, T0, LIFETIME) == NONCE_BAD,
	    "a MAC moved from another nonce is BAD");
}

static void
test_malformed(void)
{
	char	n[NONCE_MAX], buf[NONCE_MAX + 8];
	size_t	i;

	make(T0, n);
	strlcpy(buf, n, sizeof(buf));
	buf[NONCE_LEN - 1] = '\0';
	TAP_OK(nonce_check(buf, T0, LIFETIME) == NONCE_BAD,
	    "a nonce one digit short is BAD");
	TAP_OK(nonce_check("", T0, LIFETIME) == NONCE_BAD,
	    "an empty nonce is BAD");
	snprintf(buf, sizeof(buf), "%s0", n);
	TAP_OK(nonce_check(buf, T0, LIFETIME) == NONCE_BAD,
	    "a nonce one digit long is BAD");
	strlcpy(buf, n, sizeof(buf));
	buf[10] = 'g';
	TAP_OK(nonce_check(buf, T0, LIFETIME) == NONCE_BAD,
	    "a nonce with a non-hex digit is BAD");
	strlcpy(buf, n, sizeof(buf));
	buf[20] = ' ';
	TAP_OK(nonce_check(buf, T0, LIFETIME) == NONCE_BAD,
	    "a nonce with a space is BAD");
	strlcpy(buf, n, sizeof(buf));
	for (i = 0; buf[i] != '\0'; i++)
		if (buf[i] >= 'a' && buf[i] <= 'f')
			buf[i] -= 'a' - 'A';
	TAP_OK(strcmp(buf, n) == 0 ||
	    nonce_check(buf, T0, LIFETIME) == NONCE_BAD,
	    "a nonce in upper case is BAD");
}

static void
test_secret(void)
{
	char	n[NONCE_MAX];

	make(T0, n);
	if (nonce_init(secret_b, sizeof(secret_b)) == -1)
		errx(1, "nonce_init");
	TAP_OK(nonce_check(n, T0, LIFETIME) == NONCE_BAD,
	    "a nonce of another secret is BAD");
	if (nonce_init(secret_a, sizeof(secret_a)) == -1)
		errx(1, "nonce_init");
	TAP_OK(nonce_check(n, T0, LIFETIME) == NONCE_OK,
	    "the same nonce under its own secret is OK");
}

static void
test_count(void)
{
	char	n[NONCE_MAX], m[NONCE_MAX];

	nonce_count_init(0);
	make(T0, n);
	make(T0, m);
	TAP_OK(nonce_count_check(n, 1) == NONCE_OK, "nc 1 is accepted");
	TAP_OK(nonce_count_check(n, 1) == NONCE_BAD, "nc 1 again is a replay");
	TAP_OK(nonce_count_check(n, 2) == NONCE_OK, "nc 2 is accepted");
	TAP_OK(nonce_count_check(n, 7) == NONCE_OK,
	    "a count that skips ahead is accepted");
	TAP_OK(nonce_count_check(n, 3) == NONCE_BAD,
	    "a count below the highest seen is a replay");
	TAP_OK(nonce_count_check(n, 7) == NONCE_BAD,
	    "the highest count again is a replay");
	TAP_OK(nonce_count_check(m, 0) == NONCE_BAD,
	    "nc 0 is refused");
	TAP_OK(nonce_count_check(m, 1) == NONCE_OK,
	    "another nonce has its own count");
	TAP_OK(nonce_count_check(m, UINT32_MAX) == NONCE_OK &&
	    nonce_count_check(m, UINT32_MAX) == NONCE_BAD,
	    "the largest count is accepted once");
	TAP_OK(nonce_count_check("xyz", 1) == NONCE_BAD,
	    "a malformed nonce is refused");
	TAP_OK(nonce_count_size() == 2, "two nonces are tracked");
}

static void
test_evict(void)
{
	char	n[6][NONCE_MAX];
	size_t	i, most = 0;
	int	ok = 1;

	nonce_count_init(4);
	for (i = 0; i < 6; i++) {
		make(T0 + i, n[i]);
		if (nonce_count_check(n[i], 1) != NONCE_OK)
			ok = 0;
		if (nonce_count_size() > most)
			most = nonce_count_size();
	}
	TAP_OK(ok, "six nonces are accepted into a table of four");
	TAP_OK(most == 4 && nonce_count_size() == 4,
	    "the table never holds more than its cap");
	TAP_OK(nonce_count_check(n[0], 2) == NONCE_STALE &&
	    nonce_count_check(n[1], 2) == NONCE_STALE,
	    "the two oldest were evicted and are STALE");
	TAP_OK(nonce_count_check(n[0], 1) == NONCE_STALE,
	    "an evicted nonce is never fresh again");
	TAP_OK(nonce_count_check(n[2], 2) == NONCE_OK &&
	    nonce_count_check(n[5], 1) == NONCE_BAD,
	    "the newer ones keep their counts");
}

static void
test_evict_older(void)
{
	char	n[NONCE_MAX], old[NONCE_MAX];
	int	i;

	nonce_count_init(4);
	for (i = 0; i < 4; i++) {
		make(T0 + 10 + i, n);
		(void)nonce_count_check(n, 1);
	}
	make(T0, old);
	TAP_OK(nonce_count_check(old, 1) == NONCE_STALE,
	    "a first use older than a full table is STALE");
	TAP_OK(nonce_count_size() == 4,
	    "and it did not push a newer nonce out");
}

static void
test_cap_default(void)
{
	char	n[NONCE_MAX];
	size_t	i;
	int	ok = 1;

	nonce_count_init(0);
	for (i = 0; i < NONCE_COUNT_MAX + 100; i++) {
		make(T0 + i / 1000, n);
		if (nonce_count_check(n, 1) != NONCE_OK)
			ok = 0;
	}
	TAP_OK(ok && nonce_count_size() == NONCE_COUNT_MAX,
	    "the default table stops at NONCE_COUNT_MAX (%d)",
	    NONCE_COUNT_MAX);
}

static void
test_sweep(void)
{
	char	a[NONCE_MAX], b[NONCE_MAX], c[NONCE_MAX], f[NONCE_MAX];

	nonce_count_init(0);
	make(T0, a);
	make(T0 + 100, b);
	make(T0 + 200, c);
	make(T0 + 1000, f);
	(void)nonce_count_check(a, 1);
	(void)nonce_count_check(b, 1);
	(void)nonce_count_check(c, 1);
	(void)nonce_count_check(f, 1);
	nonce_sweep(T0 + LIFETIME, LIFETIME);
	TAP_OK(nonce_count_size() == 4, "a nonce exactly lifetime old stays");
	nonce_sweep(T0 + LIFETIME + 101, LIFETIME);
	TAP_OK(nonce_count_size() == 2, "the sweep drops stale nonces");
	TAP_OK(nonce_count_check(a, 2) == NONCE_STALE &&
	    nonce_count_check(b, 1) == NONCE_STALE,
	    "a swept nonce is STALE, never fresh");
	TAP_OK(nonce_count_check(c, 1) == NONCE_BAD,
	    "a nonce the sweep kept keeps its count");
	nonce_sweep(T0, LIFETIME);
	TAP_OK(nonce_count_size() == 2,
	    "a clock stepped back sweeps nothing");
}

int
main(void)
{
	test_init();
	test_roundtrip();
	test_age();
	test_tamper();
	test_malformed();
	test_secret();
	test_count();
	test_evict();
	test_evict_older();
	test_cap_default();
	test_sweep();
	nonce_count_init(0);
	return (TAP_DONE());
}
