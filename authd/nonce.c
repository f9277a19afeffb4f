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
 * Nonces (RFC 7616 section 3.3, RFC 8760): stateless to issue and to
 * check, so a flood of challenges costs authd no memory.  Only nonces
 * that carried a correct response are remembered, with their highest
 * nonce-count, to refuse replays.
 */

#include <sys/types.h>
#include <sys/tree.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <stdlib.h>
#include <string.h>

#include "nonce.h"

#define NONCE_TIME_LEN	8
#define NONCE_RAND_LEN	8
#define NONCE_DATA_LEN	(NONCE_TIME_LEN + NONCE_RAND_LEN)
#define NONCE_MAC_LEN	(NONCE_RAW_LEN - NONCE_DATA_LEN)

/*
 * The tree is ordered by the raw nonce, which starts with the big-endian
 * issue time: its minimum is always the oldest nonce, so one tree serves
 * look-up, eviction and the sweep.
 */
struct nonce_entry {
	RB_ENTRY(nonce_entry)	 ne_node;
	unsigned char		 ne_raw[NONCE_RAW_LEN];
	uint32_t		 ne_nc;		/* highest count seen */
};

RB_HEAD(nonce_tree, nonce_entry);

static int	nonce_entry_cmp(struct nonce_entry *, struct nonce_entry *);
static int	nonce_hexval(char);
static int	nonce_decode(const char *, unsigned char *);
static uint64_t	nonce_issued(const unsigned char *);
static int	nonce_mac(const unsigned char *, unsigned char *);
static void	nonce_random(unsigned char *);
static int	nonce_is_old(uint64_t, time_t, time_t);
static int	nonce_is_early(uint64_t, time_t);
static void	nonce_count_remove(struct nonce_entry *);

/* Not the static variant: libbsd cannot mark its unused functions so. */
RB_PROTOTYPE(nonce_tree, nonce_entry, ne_node, nonce_entry_cmp);
RB_GENERATE(nonce_tree, nonce_entry, ne_node, nonce_entry_cmp);

/*
 * The HMAC keyed once: each MAC starts again from the key's inner and
 * outer states.  HMAC(3) fetched SHA-256 and keyed afresh every time,
 * which cost a challenge as much as all the rest of it.
 */
static EVP_MAC_CTX	*nonce_ctx;

/*
 * Random bytes for NONCE_POOL nonces, drawn at once: libbsd's
 * arc4random_buf() calls getpid(2) each time, to notice a fork, and
 * nonces are made in batches for the listener.  Each byte is used once,
 * and is no secret once its nonce is sent.
 */
#define NONCE_POOL	128
static unsigned char	 nonce_pool[NONCE_POOL * NONCE_RAND_LEN];
static size_t		 nonce_pool_left;

static struct nonce_tree nonce_counts = RB_INITIALIZER(&nonce_counts);
static size_t		 nonce_count_n;
static size_t		 nonce_count_cap = NONCE_COUNT_MAX;

/*
 * Every nonce at or below the horizon has been evicted or swept, or is
 * older than one that was: its count is unknown, so it is stale.
 */
static unsigned char	 nonce_horizon[NONCE_RAW_LEN];

static int
nonce_entry_cmp(struct nonce_entry *a, struct nonce_entry *b)
{
	return (memcmp(a->ne_raw, b->ne_raw, NONCE_RAW_LEN));
}

/*
 * The first use of libcrypto reads its configuration file, so one MAC
 * is made here: call this before the jail and the seccomp filter.
 */
int
nonce_init(const unsigned char *secret, size_t len)
{
	unsigned char	 data[NONCE_DATA_LEN], mac[NONCE_MAC_LEN];
	OSSL_PARAM	 params[2];
	EVP_MAC		*hmac;

	EVP_MAC_CTX_free(nonce_ctx);
	nonce_ctx = NULL;
	if (len < NONCE_SECRET_MIN || len > NONCE_SECRET_MAX)
		return (-1);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    "SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((hmac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return (-1);
	nonce_ctx = EVP_MAC_CTX_new(hmac);
	EVP_MAC_free(hmac);
	if (nonce_ctx == NULL || EVP_MAC_init(nonce_ctx, secret, len,
	    params) != 1) {
		EVP_MAC_CTX_free(nonce_ctx);
		nonce_ctx = NULL;
		return (-1);
	}
	memset(data, 0, sizeof(data));
	if (nonce_mac(data, mac) == -1) {
		EVP_MAC_CTX_free(nonce_ctx);
		nonce_ctx = NULL;
		return (-1);
	}
	return (0);
}

/*
 * Only lower case: a nonce has one spelling, as we issued it.  A table,
 * not comparisons: every request's nonce is decoded twice (for its MAC,
 * then for its count).
 */
static int
nonce_hexval(char c)
{
	/* One more than the digit's value, 0 for any other byte. */
	static const unsigned char	val[256] = {
		['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
		['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
		['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15,
		['f'] = 16,
	};

	return (val[(unsigned char)c] - 1);
}

/*
 * The last nonce decoded is remembered: a request's nonce is decoded
 * for its MAC and again for its count, most often one after the other.
 */
static int
nonce_decode(const char *hex, unsigned char *raw)
{
	static char		last[NONCE_MAX];
	static unsigned char	last_raw[NONCE_RAW_LEN];
	size_t			i;
	int			hi, lo;

	if (strnlen(hex, NONCE_MAX) != NONCE_LEN)
		return (-1);
	if (memcmp(hex, last, NONCE_LEN) == 0) {
		memcpy(raw, last_raw, NONCE_RAW_LEN);
		return (0);
	}
	for (i = 0; i < NONCE_RAW_LEN; i++) {
		hi = nonce_hexval(hex[i * 2]);
		lo = nonce_hexval(hex[i * 2 + 1]);
		if ((hi | lo) < 0)
			return (-1);
		raw[i] = (unsigned char)(hi << 4 | lo);
	}
	memcpy(last, hex, NONCE_LEN);
	memcpy(last_raw, raw, NONCE_RAW_LEN);
	return (0);
}

static uint64_t
nonce_issued(const unsigned char *raw)
{
	uint64_t	t = 0;
	int		i;

	for (i = 0; i < NONCE_TIME_LEN; i++)
		t = t << 8 | raw[i];
	return (t);
}

static int
nonce_mac(const unsigned char *data, unsigned char *mac)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	size_t		mdlen;

	if (nonce_ctx == NULL)
		return (-1);
	if (EVP_MAC_init(nonce_ctx, NULL, 0, NULL) != 1 ||
	    EVP_MAC_update(nonce_ctx, data, NONCE_DATA_LEN) != 1 ||
	    EVP_MAC_final(nonce_ctx, md, &mdlen, sizeof(md)) != 1 ||
	    mdlen < NONCE_MAC_LEN) {
		explicit_bzero(md, sizeof(md));
		return (-1);
	}
	memcpy(mac, md, NONCE_MAC_LEN);
	explicit_bzero(md, sizeof(md));
	return (0);
}

static void
nonce_random(unsigned char *out)
{
	if (nonce_pool_left == 0) {
		arc4random_buf(nonce_pool, sizeof(nonce_pool));
		nonce_pool_left = NONCE_POOL;
	}
	nonce_pool_left--;
	memcpy(out, nonce_pool + nonce_pool_left * NONCE_RAND_LEN,
	    NONCE_RAND_LEN);
}

int
nonce_make(time_t now, char *out, size_t outsize)
{
	static const char	 digits[] = "0123456789abcdef";
	unsigned char		 raw[NONCE_RAW_LEN];
	uint64_t		 t;
	int			 i;

	if (outsize < NONCE_MAX || now < 0)
		return (-1);
	t = (uint64_t)now;
	for (i = NONCE_TIME_LEN - 1; i >= 0; i--) {
		raw[i] = t & 0xff;
		t >>= 8;
	}
	nonce_random(raw + NONCE_TIME_LEN);
	if (nonce_mac(raw, raw + NONCE_DATA_LEN) == -1)
		return (-1);
	for (i = 0; i < NONCE_RAW_LEN; i++) {
		out[i * 2] = digits[raw[i] >> 4];
		out[i * 2 + 1] = digits[raw[i] & 0x0f];
	}
	out[NONCE_LEN] = '\0';
	return (0);
}

static int
nonce_is_old(uint64_t issued, time_t now, time_t lifetime)
{
	if (now < 0 || lifetime < 0)
		return (1);
	return (issued < (uint64_t)now &&
	    (uint64_t)now - issued > (uint64_t)lifetime);
}

/* An authentic nonce from the future means our clock was stepped back. */
static int
nonce_is_early(uint64_t issued, time_t now)
{
	if (now < 0)
		return (1);
	return (issued > (uint64_t)now &&
	    issued - (uint64_t)now > NONCE_SKEW);
}

int
nonce_check(const char *nonce, time_t now, time_t lifetime)
{
	unsigned char	raw[NONCE_RAW_LEN], mac[NONCE_MAC_LEN];
	uint64_t	issued;

	if (nonce_decode(nonce, raw) == -1 || nonce_mac(raw, mac) == -1)
		return (NONCE_BAD);
	/* libbsd lacks timingsafe_bcmp(); libcrypto has the same thing. */
	if (CRYPTO_memcmp(mac, raw + NONCE_DATA_LEN, NONCE_MAC_LEN) != 0)
		return (NONCE_BAD);
	issued = nonce_issued(raw);
	if (nonce_is_old(issued, now, lifetime) || nonce_is_early(issued, now))
		return (NONCE_STALE);
	return (NONCE_OK);
}

/* Forgets every count: for start-up and for tests. */
void
nonce_count_init(size_t cap)
{
	struct nonce_entry	*ne;

	while ((ne = RB_MIN(nonce_tree, &nonce_counts)) != NULL) {
		RB_REMOVE(nonce_tree, &nonce_counts, ne);
		free(ne);
	}
	nonce_count_n = 0;
	nonce_count_cap = cap == 0 ? NONCE_COUNT_MAX : cap;
	memset(nonce_horizon, 0, sizeof(nonce_horizon));
}

/* Entries leave only from the old end, so the horizon only moves up. */
static void
nonce_count_remove(struct nonce_entry *ne)
{
	memcpy(nonce_horizon, ne->ne_raw, NONCE_RAW_LEN);
	RB_REMOVE(nonce_tree, &nonce_counts, ne);
	nonce_count_n--;
	free(ne);
}

/*
 * Call only for a nonce that nonce_check() accepted and whose response
 * was correct, so that nobody without a password can fill the table.
 */
int
nonce_count_check(const char *nonce, uint32_t nc)
{
	struct nonce_entry	 key, *ne, *oldest;

	if (nc == 0 || nonce_decode(nonce, key.ne_raw) == -1)
		return (NONCE_BAD);
	if ((ne = RB_FIND(nonce_tree, &nonce_counts, &key)) != NULL) {
		if (nc <= ne->ne_nc)
			return (NONCE_BAD);
		ne->ne_nc = nc;
		return (NONCE_OK);
	}
	if (memcmp(key.ne_raw, nonce_horizon, NONCE_RAW_LEN) <= 0)
		return (NONCE_STALE);
	if (nonce_count_n >= nonce_count_cap) {
		oldest = RB_MIN(nonce_tree, &nonce_counts);
		/* The newcomer would be the oldest: it is the one to go. */
		if (oldest == NULL || nonce_entry_cmp(&key, oldest) < 0)
			return (NONCE_STALE);
		nonce_count_remove(oldest);
	}
	if ((ne = calloc(1, sizeof(*ne))) == NULL)
		return (NONCE_BAD);
	memcpy(ne->ne_raw, key.ne_raw, NONCE_RAW_LEN);
	ne->ne_nc = nc;
	RB_INSERT(nonce_tree, &nonce_counts, ne);
	nonce_count_n++;
	return (NONCE_OK);
}

/* Drops the counts of nonces that nonce_check() would call stale. */
void
nonce_sweep(time_t now, time_t lifetime)
{
	struct nonce_entry	*ne;

	while ((ne = RB_MIN(nonce_tree, &nonce_counts)) != NULL &&
	    nonce_is_old(nonce_issued(ne->ne_raw), now, lifetime))
		nonce_count_remove(ne);
}

size_t
nonce_count_size(void)
{
	return (nonce_count_n);
}
