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
 * Reading DNS answers (RFC 1035 4.1) into the records a lookup
 * gathers.  A small walker of our own rather than ares_parse_srv_reply()
 * and friends, because those drop the TTLs of SRV records and the SOA
 * of negative answers, which the cache needs.  Everything here is
 * pure: a message and its length in, a struct dns_work out; no
 * globals, no logging, no allocation (regress/dns/fuzz_dns_wire.c).
 */

#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>

#include <stdint.h>
#include <string.h>

#include "dns_private.h"

#define DNS_INDIRS_MAX	50	/* pointers in one name, as c-ares allows */

/* The message being read: answer and authority sections. */
struct dns_msg {
	const unsigned char	*m_buf;
	size_t			 m_len;
	size_t			 m_off;
	unsigned int		 m_an;		/* answer records left */
	unsigned int		 m_ns;		/* authority records left */
};

struct dns_rr {
	int			 rr_answer;	/* else authority */
	uint16_t		 rr_type;
	uint16_t		 rr_class;
	uint32_t		 rr_ttl;
	size_t			 rr_off;	/* of the rdata */
	uint16_t		 rr_len;
};

/* XMPP's TLS is XEP-0368's direct TLS, its TCP RFC 6120's STARTTLS. */
const struct dns_service dns_services[DNS_SERVICES_ALL] = {
	{ "_sips._tcp.", TRANSPORT_TLS },
	{ "_sip._tcp.", TRANSPORT_TCP },
	{ "_sip._udp.", TRANSPORT_UDP },
	{ "_xmpps-server._tcp.", TRANSPORT_TLS },
	{ "_xmpp-server._tcp.", TRANSPORT_TCP },
};

static int
dns_is_name_char(unsigned char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_');
}

/*
 * A domain name from a SIP URI or an SRV target, lowered and without
 * its final dot; anything else than letters, digits, '-' and '_' in
 * labels of 1 to 63 is refused, so the name is safe to log.
 */
int
dns_name_copy(char *dst, size_t size, const char *src)
{
	size_t	len, label, i;

	len = strnlen(src, size + 1);
	if (len > 0 && src[len - 1] == '.')
		len--;
	if (len == 0 || len >= size)
		return (-1);
	for (i = 0, label = 0; i < len; i++) {
		if (src[i] == '.') {
			if (label == 0)
				return (-1);
			label = 0;
		} else if (!dns_is_name_char(src[i]) ||
		    ++label > DNS_LABEL_MAX)
			return (-1);
		dst[i] = (src[i] >= 'A' && src[i] <= 'Z') ?
		    src[i] - 'A' + 'a' : src[i];
	}
	dst[len] = '\0';
	return (label == 0 ? -1 : 0);
}

static uint16_t
dns_get16(const unsigned char *p)
{
	return ((uint16_t)(p[0] << 8 | p[1]));
}

static uint32_t
dns_get32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3]);
}

/* Only the length of a name matters here: pointers are not followed. */
static int
dns_skip_name(struct dns_msg *m)
{
	size_t	off = m->m_off;
	int	c;

	for (;;) {
		if (off >= m->m_len)
			return (-1);
		c = m->m_buf[off];
		if ((c & 0xc0) == 0xc0) {
			if (off + 2 > m->m_len)
				return (-1);
			m->m_off = off + 2;
			return (0);
		}
		if (c & 0xc0)
			return (-1);
		if (c == 0) {
			m->m_off = off + 1;
			return (0);
		}
		off += 1 + c;
	}
}

/*
 * Appends a label to the name in dst, or marks the name bad: too long
 * for size, or with a byte that dns_name_copy() would refuse.
 */
static void
dns_name_label(const unsigned char *p, size_t n, char *dst, size_t size,
    size_t *dlen, int *bad)
{
	size_t	i;

	if (*bad || *dlen + (*dlen > 0) + n >= size) {
		*bad = 1;
		return;
	}
	if (*dlen > 0)
		dst[(*dlen)++] = '.';
	for (i = 0; i < n; i++) {
		if (!dns_is_name_char(p[i]))
			*bad = 1;
		dst[(*dlen)++] = p[i];
	}
}

/*
 * The name at off, which may go on through pointers (RFC 1035 4.1.4),
 * into dst, and in *enclen what it takes at off.  The checks are those
 * of ares_expand_name(), which read it before: -1 for a label or a
 * pointer out of the message, a reserved label type, too many
 * pointers.  A name no caller could use (too long, a byte other than a
 * letter, digit, '-' or '_') comes back empty, like the root.  That
 * includes a label of one zero byte, which c-ares wrote as a NUL and so
 * cut the name short there.
 */
static int
dns_name_expand(const unsigned char *buf, size_t len, size_t off,
    char *dst, size_t size, size_t *enclen)
{
	size_t		start = off, dlen = 0, ptr;
	unsigned int	indirs = 0;
	int		bad = 0, c;

	*enclen = 0;
	if (off >= len)
		return (-1);
	while ((c = buf[off]) != 0) {
		if ((c & 0xc0) == 0xc0) {
			if (off + 1 >= len)
				return (-1);
			ptr = (size_t)(c & 0x3f) << 8 | buf[off + 1];
			if (ptr >= len || ++indirs > DNS_INDIRS_MAX ||
			    indirs > len)
				return (-1);
			if (*enclen == 0)
				*enclen = off + 2 - start;
			off = ptr;
		} else if ((c & 0xc0) == 0) {
			if (off + c + 1 >= len)
				return (-1);
			dns_name_label(buf + off + 1, c, dst, size, &dlen,
			    &bad);
			off += c + 1;
		} else
			return (-1);
	}
	if (*enclen == 0)
		*enclen = off + 1 - start;
	dst[bad ? 0 : dlen] = '\0';
	return (0);
}

static int
dns_msg_init(struct dns_msg *m, const unsigned char *buf, size_t len)
{
	unsigned int	qd;

	if (buf == NULL || len < DNS_HEADER_LEN)
		return (-1);
	m->m_buf = buf;
	m->m_len = len;
	qd = dns_get16(buf + 4);
	m->m_an = dns_get16(buf + 6);
	m->m_ns = dns_get16(buf + 8);
	m->m_off = DNS_HEADER_LEN;
	while (qd-- > 0) {
		if (dns_skip_name(m) == -1 || m->m_len - m->m_off < 4)
			return (-1);
		m->m_off += 4;
	}
	return (0);
}

/* 1 with the next record, 0 at the end of the authority section, -1. */
static int
dns_msg_next(struct dns_msg *m, struct dns_rr *rr)
{
	const unsigned char	*p;

	if (m->m_an == 0 && m->m_ns == 0)
		return (0);
	rr->rr_answer = m->m_an > 0;
	if (rr->rr_answer)
		m->m_an--;
	else
		m->m_ns--;
	if (dns_skip_name(m) == -1 || m->m_len - m->m_off < 10)
		return (-1);
	p = m->m_buf + m->m_off;
	rr->rr_type = dns_get16(p);
	rr->rr_class = dns_get16(p + 2);
	rr->rr_ttl = dns_get32(p + 4);
	rr->rr_len = dns_get16(p + 8);
	m->m_off += 10;
	if (rr->rr_len > m->m_len - m->m_off)
		return (-1);
	rr->rr_off = m->m_off;
	m->m_off += rr->rr_len;
	if (rr->rr_ttl > INT32_MAX)	/* RFC 2181 8 */
		rr->rr_ttl = 0;
	return (1);
}

/* RFC 2308 5: the lesser of the SOA's own TTL and its MINIMUM. */
static uint32_t
dns_soa_ttl(const struct dns_msg *m, const struct dns_rr *rr)
{
	uint32_t	minimum;

	if (rr->rr_len < 22)		/* two root names, five numbers */
		return (DNS_NEG_TTL);
	minimum = dns_get32(m->m_buf + rr->rr_off + rr->rr_len - 4);
	return (minimum < rr->rr_ttl ? minimum : rr->rr_ttl);
}

static void
dns_ttl(struct dns_work *wk, uint32_t ttl)
{
	if (ttl < wk->wk_ttl)
		wk->wk_ttl = ttl;
}

/*
 * Where a new SRV record of a transport goes: a free place while the
 * transport has fewer than DNS_TARGETS_MAX, else the place of its worst
 * one if the new one is better; NULL if it is not.
 */
static struct dns_srv *
dns_srv_slot(struct dns_work *wk, enum imd_transport transport,
    uint16_t prio)
{
	struct dns_srv	*worst = NULL;
	size_t		 i, n = 0;

	for (i = 0; i < wk->wk_nsrv; i++) {
		if (wk->wk_srv[i].sv_transport != transport)
			continue;
		n++;
		if (worst == NULL || wk->wk_srv[i].sv_prio > worst->sv_prio)
			worst = &wk->wk_srv[i];
	}
	if (n < DNS_TARGETS_MAX)
		return (&wk->wk_srv[wk->wk_nsrv++]);
	return (prio < worst->sv_prio ? worst : NULL);
}

static int
dns_add_srv(struct dns_work *wk, enum imd_transport transport,
    const struct dns_msg *m, const struct dns_rr *rr)
{
	const unsigned char	*p = m->m_buf + rr->rr_off;
	struct dns_srv		*sv;
	char			 name[IMD_DOMAIN_MAX], target[IMD_DOMAIN_MAX];
	size_t			 enclen;

	if (rr->rr_len < 7 || dns_name_expand(m->m_buf, m->m_len,
	    rr->rr_off + 6, name, sizeof(name), &enclen) == -1 ||
	    enclen > rr->rr_len - 6U)
		return (-1);
	wk->wk_srvseen = 1;
	/* A target of "." says the transport is not offered (RFC 2782). */
	if (name[0] == '\0' || dns_get16(p + 4) == 0 ||
	    dns_name_copy(target, sizeof(target), name) == -1)
		return (0);
	if ((sv = dns_srv_slot(wk, transport, dns_get16(p))) == NULL)
		return (0);
	strlcpy(sv->sv_target, target, sizeof(sv->sv_target));
	sv->sv_transport = transport;
	sv->sv_prio = dns_get16(p);
	sv->sv_weight = dns_get16(p + 2);
	sv->sv_port = dns_get16(p + 4);
	return (0);
}

static int
dns_add_addr(struct dns_host *h, int type, const struct dns_msg *m,
    const struct dns_rr *rr)
{
	const unsigned char	*p = m->m_buf + rr->rr_off;

	if (type == ns_t_a && rr->rr_len == sizeof(struct in_addr)) {
		if (h->dh_nv4 < DNS_HOST_ADDRS)
			memcpy(&h->dh_v4[h->dh_nv4++], p, rr->rr_len);
		return (0);
	}
	if (type == ns_t_aaaa && rr->rr_len == sizeof(struct in6_addr)) {
		if (h->dh_nv6 < DNS_HOST_ADDRS)
			memcpy(&h->dh_v6[h->dh_nv6++], p, rr->rr_len);
		return (0);
	}
	return (-1);
}

static int
dns_add_record(struct dns_work *wk, int type, size_t index,
    const struct dns_msg *m, const struct dns_rr *rr)
{
	if (type == ns_t_srv)
		return (dns_add_srv(wk, dns_services[index].sv_transport,
		    m, rr));
	return (dns_add_addr(&wk->wk_host[index], type, m, rr));
}

/*
 * Takes the records of the type asked from the answer section: SRV of
 * dns_services[index], or A or AAAA of wk_host[index].  The resolver is
 * ours, so their owner names are not checked against the CNAME chain.
 * The TTL is the least of those records and the CNAMEs before them, or
 * of a negative answer.  Returns the records taken, or -1 for a
 * malformed message.
 */
int
dns_parse(struct dns_work *wk, int type, size_t index,
    const unsigned char *buf, size_t len)
{
	struct dns_msg	m;
	struct dns_rr	rr;
	uint32_t	ttl = DNS_TTL_MAX, neg = DNS_NEG_TTL;
	int		found = 0, r;

	if (dns_msg_init(&m, buf, len) == -1)
		return (-1);
	while ((r = dns_msg_next(&m, &rr)) == 1) {
		if (rr.rr_class != ns_c_in)
			continue;
		if (!rr.rr_answer) {
			if (rr.rr_type == ns_t_soa)
				neg = dns_soa_ttl(&m, &rr);
			continue;
		}
		if (rr.rr_type == type &&
		    dns_add_record(wk, type, index, &m, &rr) == 0)
			found++;
		else if (rr.rr_type != ns_t_cname)
			continue;
		if (rr.rr_ttl < ttl)
			ttl = rr.rr_ttl;
	}
	if (r == -1)
		return (-1);
	dns_ttl(wk, found > 0 ? ttl : neg);
	return (found);
}
