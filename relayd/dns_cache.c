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
 * The answers of finished lookups, the negative ones too, per domain
 * until their TTL runs out; at most DNS_CACHE_MAX, the least recently
 * used going first.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/tree.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns_private.h"
#include "log.h"

static int	dns_cache_cmp(const struct dns_cache *,
		    const struct dns_cache *);

RB_HEAD(dns_cache_tree, dns_cache);
RB_PROTOTYPE(dns_cache_tree, dns_cache, dc_node, dns_cache_cmp);
RB_GENERATE(dns_cache_tree, dns_cache, dc_node, dns_cache_cmp);

static struct dns_cache_tree dns_cache = RB_INITIALIZER(&dns_cache);
static TAILQ_HEAD(dns_lru_head, dns_cache) dns_lru =
    TAILQ_HEAD_INITIALIZER(dns_lru);
static size_t		 dns_ncached;

static uint64_t
dns_now(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

static int
dns_cache_cmp(const struct dns_cache *a, const struct dns_cache *b)
{
	return (strcmp(a->dc_domain, b->dc_domain));
}

static void
dns_cache_remove(struct dns_cache *dc)
{
	RB_REMOVE(dns_cache_tree, &dns_cache, dc);
	TAILQ_REMOVE(&dns_lru, dc, dc_lru);
	dns_ncached--;
	free(dc->dc_entries);
	free(dc);
}

struct dns_cache *
dns_cache_get(const char *domain)
{
	struct dns_cache	 find, *dc;

	if (strlcpy(find.dc_domain, domain, sizeof(find.dc_domain)) >=
	    sizeof(find.dc_domain))
		return (NULL);
	if ((dc = RB_FIND(dns_cache_tree, &dns_cache, &find)) == NULL)
		return (NULL);
	if (dc->dc_expire <= dns_now()) {
		dns_cache_remove(dc);
		return (NULL);
	}
	TAILQ_REMOVE(&dns_lru, dc, dc_lru);
	TAILQ_INSERT_HEAD(&dns_lru, dc, dc_lru);
	return (dc);
}

struct dns_entry *
dns_entries_copy(const struct dns_entry *e, size_t n)
{
	struct dns_entry	*copy;

	/* Not NULL even for none: NULL is the failure. */
	if ((copy = reallocarray(NULL, n > 0 ? n : 1, sizeof(*copy))) == NULL)
		return (NULL);
	if (n > 0)
		memcpy(copy, e, n * sizeof(*copy));
	return (copy);
}

/* Replaces what the cache has of the domain; a TTL of 0 only drops it. */
void
dns_cache_put(const char *domain, int error, const struct dns_entry *e,
    size_t n, uint32_t ttl)
{
	struct dns_cache	*dc;

	if ((dc = dns_cache_get(domain)) != NULL)
		dns_cache_remove(dc);
	if (ttl == 0)
		return;
	if (dns_ncached == DNS_CACHE_MAX)
		dns_cache_remove(TAILQ_LAST(&dns_lru, dns_lru_head));
	if ((dc = calloc(1, sizeof(*dc))) == NULL ||
	    (dc->dc_entries = dns_entries_copy(e, n)) == NULL) {
		log_warn("dns: cache %s", domain);
		free(dc);
		return;
	}
	strlcpy(dc->dc_domain, domain, sizeof(dc->dc_domain));
	dc->dc_expire = dns_now() + (uint64_t)ttl * 1000;
	dc->dc_error = error;
	dc->dc_nentries = n;
	RB_INSERT(dns_cache_tree, &dns_cache, dc);
	TAILQ_INSERT_HEAD(&dns_lru, dc, dc_lru);
	dns_ncached++;
}

void
dns_cache_clear(void)
{
	struct dns_cache	*dc;

	while ((dc = TAILQ_FIRST(&dns_lru)) != NULL)
		dns_cache_remove(dc);
}

size_t
dns_cache_count(void)
{
	return (dns_ncached);
}
