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
 * libFuzzer harness of the DNS answer reader, relayd/dns_wire.c.  The
 * first byte picks the question (SRV of one of the three services, A
 * or AAAA), the rest is the answer.  What was taken then goes through
 * dns_srv.c as a lookup's records would: hosts, entries, RFC 2782
 * order.  The seeds in corpus/ are dnsmasq's answers to dns.t's zone,
 * with that byte in front, and two made by hand (a CNAME, an SOA).
 */

#include <sys/types.h>
#include <arpa/nameser.h>

#include <stdint.h>
#include <string.h>

#include "dns_private.h"

#define FUZZ_QUESTIONS	(DNS_NSERVICES + 2)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The addresses a lookup would have asked next, one per host. */
static void
fuzz_addresses(struct dns_work *wk)
{
	size_t	i;

	for (i = 0; i < wk->wk_nhost; i++) {
		memset(&wk->wk_host[i].dh_v4[0], 0x7f, 1);
		wk->wk_host[i].dh_nv4 = 1;
	}
}

/* A and AAAA questions are for the domain's own name, as a fallback. */
static void
fuzz_fallback(struct dns_work *wk)
{
	wk->wk_nsrv = 1;
	wk->wk_srv[0].sv_transport = TRANSPORT_TCP;
	wk->wk_srv[0].sv_port = 5060;
	strlcpy(wk->wk_srv[0].sv_target, "example.test",
	    sizeof(wk->wk_srv[0].sv_target));
	dns_srv_hosts(wk);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_work	 wk;
	struct dns_entry	 e[DNS_TARGETS_MAX];
	struct dns_target	 t[DNS_TARGETS_MAX];
	size_t			 n, question;
	int			 type;

	if (size < 1)
		return (0);
	memset(&wk, 0, sizeof(wk));
	wk.wk_ttl = DNS_TTL_MAX;
	question = data[0] % FUZZ_QUESTIONS;
	if (question < DNS_NSERVICES)
		type = ns_t_srv;
	else {
		type = question == DNS_NSERVICES ? ns_t_a : ns_t_aaaa;
		fuzz_fallback(&wk);
		question = 0;
	}
	/* Twice, so that a transport overflows and records are replaced. */
	if (dns_parse(&wk, type, question, data + 1, size - 1) == -1 ||
	    dns_parse(&wk, type, question, data + 1, size - 1) == -1)
		return (0);
	if (type == ns_t_srv) {
		dns_srv_hosts(&wk);
		fuzz_addresses(&wk);
	}
	n = dns_build(&wk, e);
	(void)dns_order(e, n, t);
	return (0);
}
