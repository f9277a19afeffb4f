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
 * Unit tests of authd/ha1cache.c, TAP on standard output: found by user
 * and algorithm, forgotten for both, too old, and bounded.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "ha1cache.h"
#include "tap.h"

#define T0	1700000000
#define MD5A	"0123456789abcdef0123456789abcdef"
#define MD5B	"fedcba9876543210fedcba9876543210"
#define SHA	"0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef"

static int	has(const char *, enum digest_alg, time_t, const char *);
static void	test_get_put(void);
static void	test_forget(void);
static void	test_age(void);
static void	test_bound(void);

static int
has(const char *address, enum digest_alg alg, time_t now, const char *want)
{
	char	ha1[DIGEST_HEX_MAX];

	if (ha1cache_get(address, alg, now, ha1, sizeof(ha1)) == -1)
		return (want == NULL);
	return (want != NULL && strcmp(ha1, want) == 0);
}

static void
test_get_put(void)
{
	TAP_OK(has("a@x.test", DIGEST_MD5, T0, NULL), "empty at first");
	ha1cache_put("a@x.test", DIGEST_MD5, T0, MD5A);
	ha1cache_put("a@x.test", DIGEST_SHA256, T0, SHA);
	TAP_OK(has("a@x.test", DIGEST_MD5, T0, MD5A) &&
	    has("a@x.test", DIGEST_SHA256, T0 + 1, SHA),
	    "each algorithm has its own HA1");
	TAP_OK(has("b@x.test", DIGEST_MD5, T0, NULL) &&
	    has("a@x.tes", DIGEST_MD5, T0, NULL), "other users have none");
	ha1cache_put("a@x.test", DIGEST_MD5, T0, MD5B);
	TAP_OK(has("a@x.test", DIGEST_MD5, T0, MD5B) && ha1cache_size() == 2,
	    "a second put replaces the first");
}

static void
test_forget(void)
{
	ha1cache_put("b@x.test", DIGEST_MD5, T0, MD5A);
	ha1cache_forget("a@x.test");
	TAP_OK(has("a@x.test", DIGEST_MD5, T0, NULL) &&
	    has("a@x.test", DIGEST_SHA256, T0, NULL),
	    "forget drops both algorithms");
	TAP_OK(has("b@x.test", DIGEST_MD5, T0, MD5A) && ha1cache_size() == 1,
	    "and no other user");
	ha1cache_forget("nobody@x.test");
	TAP_OK(ha1cache_size() == 1, "forgetting one not there is harmless");
	ha1cache_forget("b@x.test");
}

static void
test_age(void)
{
	ha1cache_put("c@x.test", DIGEST_MD5, T0, MD5A);
	TAP_OK(has("c@x.test", DIGEST_MD5, T0 + HA1CACHE_AGE - 1, MD5A),
	    "trusted until its age");
	TAP_OK(has("c@x.test", DIGEST_MD5, T0 + HA1CACHE_AGE, NULL) &&
	    ha1cache_size() == 0, "then found no more, and dropped");
	ha1cache_put("c@x.test", DIGEST_MD5, T0, MD5A);
	TAP_OK(has("c@x.test", DIGEST_MD5, T0 - 10, NULL),
	    "a clock that went back trusts nothing");
	ha1cache_put("c@x.test", DIGEST_MD5, T0, MD5A);
	ha1cache_put("d@x.test", DIGEST_MD5, T0 + 10, MD5A);
	ha1cache_sweep(T0 + HA1CACHE_AGE);
	TAP_OK(ha1cache_size() == 1 &&
	    has("d@x.test", DIGEST_MD5, T0 + HA1CACHE_AGE, MD5A),
	    "the sweep drops the old ones only");
	ha1cache_sweep(T0 + 2 * HA1CACHE_AGE);
	TAP_OK(ha1cache_size() == 0, "and later the rest");
}

static void
test_bound(void)
{
	char	address[64];
	int	i, n = HA1CACHE_MAX + 10;

	for (i = 0; i < n; i++) {
		snprintf(address, sizeof(address), "u%d@x.test", i);
		ha1cache_put(address, DIGEST_MD5, T0, MD5A);
	}
	TAP_OK(ha1cache_size() == HA1CACHE_MAX, "never more than %d",
	    HA1CACHE_MAX);
	TAP_OK(has("u0@x.test", DIGEST_MD5, T0, NULL) &&
	    has("u9@x.test", DIGEST_MD5, T0, NULL) &&
	    has("u10@x.test", DIGEST_MD5, T0, MD5A), "the oldest went first");
	ha1cache_put("long@x.test", DIGEST_SHA256, T0, SHA "0");
	TAP_OK(has("long@x.test", DIGEST_SHA256, T0, NULL),
	    "an HA1 too long is not kept");
}

int
main(void)
{
	test_get_put();
	test_forget();
	test_age();
	test_bound();
	return (TAP_DONE());
}
