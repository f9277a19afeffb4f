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
 * Entries are found by address and algorithm in a tree and aged in a
 * list in the order they were put: the oldest goes first, when it is
 * too old or the cache is full.  A password change must never leave the
 * old one usable, so a forget drops both algorithms of the address.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/tree.h>

#include <stdlib.h>
#include <string.h>

#include "ha1cache.h"
#include "log.h"

struct ha1_entry {
	RB_ENTRY(ha1_entry)	 he_node;
	TAILQ_ENTRY(ha1_entry)	 he_age;
	char			*he_address;
	enum digest_alg		 he_alg;
	time_t			 he_put;
	char			 he_ha1[DIGEST_HEX_MAX];
};

static int	ha1_entry_cmp(const struct ha1_entry *,
		    const struct ha1_entry *);
RB_HEAD(ha1_tree, ha1_entry);
RB_PROTOTYPE(ha1_tree, ha1_entry, he_node, ha1_entry_cmp);
RB_GENERATE(ha1_tree, ha1_entry, he_node, ha1_entry_cmp);

static struct ha1_tree			ha1_entries =
				    RB_INITIALIZER(&ha1_entries);
static TAILQ_HEAD(, ha1_entry)		ha1_by_age =
				    TAILQ_HEAD_INITIALIZER(ha1_by_age);
static size_t				ha1_n;

static int
ha1_entry_cmp(const struct ha1_entry *a, const struct ha1_entry *b)
{
	int	c;

	if ((c = strcmp(a->he_address, b->he_address)) != 0)
		return (c);
	return (a->he_alg < b->he_alg ? -1 : a->he_alg > b->he_alg);
}

static void
ha1_entry_drop(struct ha1_entry *he)
{
	RB_REMOVE(ha1_tree, &ha1_entries, he);
	TAILQ_REMOVE(&ha1_by_age, he, he_age);
	ha1_n--;
	free(he->he_address);
	explicit_bzero(he, sizeof(*he));
	free(he);
}

static struct ha1_entry *
ha1_entry_find(const char *address, enum digest_alg alg)
{
	struct ha1_entry	find;

	find.he_address = (char *)address;
	find.he_alg = alg;
	return (RB_FIND(ha1_tree, &ha1_entries, &find));
}

/* 0 and the HA1 in ha1 when a fresh entry is there, -1 if not. */
int
ha1cache_get(const char *address, enum digest_alg alg, time_t now,
    char *ha1, size_t len)
{
	struct ha1_entry	*he;
	size_t			 n;

	if ((he = ha1_entry_find(address, alg)) == NULL)
		return (-1);
	if (now - he->he_put >= HA1CACHE_AGE || now < he->he_put) {
		ha1_entry_drop(he);
		return (-1);
	}
	/* Not strlcpy(): libbsd's copies byte by byte, on every request. */
	if ((n = strlen(he->he_ha1)) >= len)
		return (-1);
	memcpy(ha1, he->he_ha1, n + 1);
	return (0);
}

void
ha1cache_put(const char *address, enum digest_alg alg, time_t now,
    const char *ha1)
{
	struct ha1_entry	*he;

	if (strlen(ha1) >= sizeof(he->he_ha1))
		return;
	if ((he = ha1_entry_find(address, alg)) != NULL)
		ha1_entry_drop(he);
	if (ha1_n >= HA1CACHE_MAX)
		ha1_entry_drop(TAILQ_FIRST(&ha1_by_age));
	if ((he = calloc(1, sizeof(*he))) == NULL ||
	    (he->he_address = strdup(address)) == NULL) {
		log_warn("auth: HA1 cache");
		free(he);
		return;
	}
	he->he_alg = alg;
	he->he_put = now;
	strlcpy(he->he_ha1, ha1, sizeof(he->he_ha1));
	RB_INSERT(ha1_tree, &ha1_entries, he);
	TAILQ_INSERT_TAIL(&ha1_by_age, he, he_age);
	ha1_n++;
}

void
ha1cache_forget(const char *address)
{
	struct ha1_entry	*he;

	if ((he = ha1_entry_find(address, DIGEST_MD5)) != NULL)
		ha1_entry_drop(he);
	if ((he = ha1_entry_find(address, DIGEST_SHA256)) != NULL)
		ha1_entry_drop(he);
}

/* The list is in the order of he_put: the old ones are at its head. */
void
ha1cache_sweep(time_t now)
{
	struct ha1_entry	*he;

	while ((he = TAILQ_FIRST(&ha1_by_age)) != NULL &&
	    (now - he->he_put >= HA1CACHE_AGE || now < he->he_put))
		ha1_entry_drop(he);
}

size_t
ha1cache_size(void)
{
	return (ha1_n);
}
