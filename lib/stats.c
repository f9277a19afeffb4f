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
 * The counter set of a process, its answer to the parent, and the items
 * the parent hands to imctl and metricsd (lib/stats.h).
 */

#include <sys/types.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "imd_msg.h"
#include "log.h"
#include "proc.h"
#include "sip.h"
#include "stats.h"

#define STATS_FAMILY_DEF(id, name, kind, scale, help) \
	[STATS_F_##id] = { name, STATS_##kind, scale, help },
const struct stats_family_def stats_families[STATS_F_MAX] = {
	STATS_FAMILIES(STATS_FAMILY_DEF)
};

#define STATS_COUNTER_DEF(id, family, labels) \
	[STAT_##id] = { STATS_F_##family, labels },
const struct stats_counter_def stats_counters[STAT_MAX] = {
	STATS_COUNTERS(STATS_COUNTER_DEF)
};

/* A method indexes the request counters (listener/sip_server.c). */
_Static_assert(STAT_SIP_REQ_UPDATE - STAT_SIP_REQ_OTHER == SIP_METHOD_UPDATE,
    "STATS_COUNTERS' SIP_REQ_ rows follow enum sip_method");

uint64_t		 stats[STAT_MAX];
static void		(*stats_hook)(void);

/* Runs before each answer: the gauges a process computes on demand. */
void
stats_before_answer(void (*hook)(void))
{
	stats_hook = hook;
}

/*
 * IMSG_STATS_GET: u32 n, then n x (u32 id, u64 value), the counters
 * that are not zero, with the parent's request id.
 */
void
stats_answer(struct imsgev *iev, struct imsg *imsg)
{
	struct ibuf	*buf;
	uint32_t	 id, n = 0;

	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "stats request");
	if (stats_hook != NULL)
		stats_hook();
	for (id = 0; id < STAT_MAX; id++)
		if (stats[id] != 0)
			n++;
	if ((buf = imsgev_create(iev, IMSG_STATS_SET, imsg->hdr.ih_peerid,
	    4 + n * 12)) == NULL || ibuf_add_u32(buf, n) == -1)
		fatal("%s", __func__);
	for (id = 0; id < STAT_MAX; id++)
		if (stats[id] != 0 && (ibuf_add_u32(buf, id) == -1 ||
		    ibuf_add_u64(buf, stats[id]) == -1))
			fatal("%s", __func__);
	if (imsgev_close(iev, buf) == -1)
		fatal("%s", __func__);
}

/*
 * A child's IMSG_STATS_SET added into sum[STAT_MAX]; -1 when it is
 * malformed (an id this build does not know included).
 */
int
stats_set_get(struct imsg *imsg, uint64_t *sum)
{
	uint32_t	n, id;
	uint64_t	v;

	imsg_get_u32(imsg, &n);
	if (n > STAT_MAX)
		return (-1);
	while (n-- > 0) {
		imsg_get_u32(imsg, &id);
		imsg_get_u64(imsg, &v);
		if (id >= STAT_MAX)
			return (-1);
		sum[id] += v;
	}
	return (imsg_get_end(imsg));
}

void
stats_item_of(struct stats_item *si, enum stats_family f,
    const char *labels, uint64_t value)
{
	const struct stats_family_def	*sf = &stats_families[f];

	memset(si, 0, sizeof(*si));
	strlcpy(si->sti_name, sf->sf_name, sizeof(si->sti_name));
	strlcpy(si->sti_labels, labels, sizeof(si->sti_labels));
	strlcpy(si->sti_help, sf->sf_help, sizeof(si->sti_help));
	si->sti_kind = sf->sf_kind;
	si->sti_scale = sf->sf_scale;
	si->sti_value = value;
}

/* str name, str labels, str help, u32 kind, u32 scale, u64 value */
int
stats_item_add(struct ibuf *buf, const struct stats_item *si)
{
	if (ibuf_add_str(buf, si->sti_name, sizeof(si->sti_name)) == -1 ||
	    ibuf_add_str(buf, si->sti_labels, sizeof(si->sti_labels)) == -1 ||
	    ibuf_add_str(buf, si->sti_help, sizeof(si->sti_help)) == -1 ||
	    ibuf_add_u32(buf, si->sti_kind) == -1 ||
	    ibuf_add_u32(buf, si->sti_scale) == -1 ||
	    ibuf_add_u64(buf, si->sti_value) == -1)
		return (-1);
	return (0);
}

/* The caller checks imsg_get_end(); -1 when a field is out of range. */
int
stats_item_get(struct imsg *imsg, struct stats_item *si)
{
	imsg_get_str(imsg, si->sti_name, sizeof(si->sti_name));
	imsg_get_str(imsg, si->sti_labels, sizeof(si->sti_labels));
	imsg_get_str(imsg, si->sti_help, sizeof(si->sti_help));
	imsg_get_u32(imsg, &si->sti_kind);
	imsg_get_u32(imsg, &si->sti_scale);
	imsg_get_u64(imsg, &si->sti_value);
	if (si->sti_kind > STATS_GAUGE || si->sti_scale == 0)
		return (-1);
	return (0);
}

/* The value as text: an integer, or a decimal for a scaled one. */
void
stats_item_value(const struct stats_item *si, char *buf, size_t size)
{
	if (si->sti_scale == 1)
		snprintf(buf, size, "%" PRIu64, si->sti_value);
	else if (si->sti_scale == 1000)
		snprintf(buf, size, "%" PRIu64 ".%03" PRIu64,
		    si->sti_value / 1000, si->sti_value % 1000);
	else
		snprintf(buf, size, "%.6f",
		    (double)si->sti_value / si->sti_scale);
}

/* A response on its way out ("SIP/2.0 404 ..."), by class. */
void
stats_count_response(const char *buf, size_t len)
{
	if (len > 9 && memcmp(buf, "SIP/2.0 ", 8) == 0 && buf[8] >= '1' &&
	    buf[8] <= '6')
		stats_inc(STAT_SIP_RESP_1XX + (buf[8] - '1'));
}
