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
 * The numbers of the whole suite, for imctl's show stats and metricsd's
 * scrapes: each child is asked for its counters (lib/stats.c), their
 * sum goes back to whoever asked, with the CPU time and resident memory
 * of every process, which the parent reads from /proc itself: the
 * children need no files for it.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imd.h"
#include "imd_msg.h"
#include "log.h"
#include "stats.h"

/* Requests in flight: imctl's clients and metricsd's connections. */
#define GATHER_MAX	64

struct gather {
	TAILQ_ENTRY(gather)	 g_entry;
	uint32_t		 g_id;
	enum imd_proc		 g_to;		/* PROC_CONTROL, PROC_METRICSD */
	uint32_t		 g_reqid;	/* the asker's request id */
	int			 g_waiting;	/* children yet to answer */
	uint64_t		 g_sum[STAT_MAX];
};

static TAILQ_HEAD(, gather)	gathers = TAILQ_HEAD_INITIALIZER(gathers);
static size_t			ngathers;
static uint32_t			gather_nextid = 1;

/* One item to the asker; a gone imctl client is no error. */
static void
gather_send(struct gather *g, const struct stats_item *si)
{
	struct ctl_conn	*cc;
	struct child	*ch;
	struct ibuf	*buf;

	if (g->g_to == PROC_CONTROL) {
		if ((cc = control_client(g->g_reqid)) == NULL ||
		    (buf = control_item(cc, IMSG_CTL_STATS_ITEM, 320)) == NULL)
			return;
		stats_item_add(buf, si);
		control_item_close(cc, buf);
		return;
	}
	if ((ch = child_get(PROC_METRICSD)) == NULL)
		return;
	if ((buf = imsgev_create(&ch->ch_iev, IMSG_METRICS_ITEM, g->g_reqid,
	    320)) == NULL || stats_item_add(buf, si) == -1 ||
	    imsgev_close(&ch->ch_iev, buf) == -1)
		fatal("%s", __func__);
}

static void
gather_end(struct gather *g)
{
	struct ctl_conn	*cc;
	struct child	*ch;

	if (g->g_to == PROC_CONTROL) {
		if ((cc = control_client(g->g_reqid)) != NULL)
			control_list_end(cc);
	} else if ((ch = child_get(PROC_METRICSD)) != NULL)
		imsgev_compose(&ch->ch_iev, IMSG_METRICS_END, g->g_reqid, -1,
		    NULL, 0);
}

/*
 * Milliseconds of CPU (user and system) and bytes resident, from
 * /proc/PID/stat and statm; zeros when the process is gone.
 */
static void
proc_usage(pid_t pid, uint64_t *cpu_ms, uint64_t *rss)
{
	FILE			*fp;
	char			 path[64], buf[1024], *p;
	unsigned long long	 utime, stime, size, resident;
	long			 hz = sysconf(_SC_CLK_TCK);

	*cpu_ms = *rss = 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fp = fopen(path, "r")) != NULL) {
		/* The name in parentheses may hold spaces: after the last. */
		if (fgets(buf, sizeof(buf), fp) != NULL &&
		    (p = strrchr(buf, ')')) != NULL && sscanf(p + 1,
		    " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		    &utime, &stime) == 2 && hz > 0)
			*cpu_ms = (utime + stime) * 1000 / hz;
		fclose(fp);
	}
	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	if ((fp = fopen(path, "r")) != NULL) {
		if (fscanf(fp, "%llu %llu", &size, &resident) == 2)
			*rss = resident * (uint64_t)sysconf(_SC_PAGESIZE);
		fclose(fp);
	}
}

/* The listener's workers add up to one process="listener" series. */
static void
gather_process(struct gather *g, enum imd_proc id, enum stats_family f)
{
	struct stats_item	si;
	struct child		*ch;
	char			labels[STATS_LABELS_MAX];
	uint64_t		cpu_ms = 0, rss = 0, c, r;

	if (id == PROC_PARENT)
		proc_usage(getpid(), &cpu_ms, &rss);
	for (ch = child_next(NULL); ch != NULL; ch = child_next(ch)) {
		if (ch->ch_id != id)
			continue;
		proc_usage(ch->ch_pid, &c, &r);
		cpu_ms += c;
		rss += r;
	}
	snprintf(labels, sizeof(labels), "process=\"%s\"", proc_names[id]);
	stats_item_of(&si, f, labels, f == STATS_F_PROCESS_CPU ? cpu_ms :
	    rss);
	gather_send(g, &si);
}

/* Every counter, zero or not, so that each series is always there. */
static void
gather_done(struct gather *g)
{
	struct stats_item	 si;
	enum stats_family	 f;
	int			 id;

	for (id = 0; id < STAT_MAX; id++) {
		stats_item_of(&si, stats_counters[id].sc_family,
		    stats_counters[id].sc_labels, g->g_sum[id]);
		gather_send(g, &si);
	}
	for (f = STATS_F_PROCESS_CPU; f <= STATS_F_PROCESS_MEMORY; f++) {
		gather_process(g, PROC_PARENT, f);
		for (id = PROC_LISTENER; id < PROC_MAX; id++)
			gather_process(g, id, f);
	}
	gather_end(g);
	TAILQ_REMOVE(&gathers, g, g_entry);
	ngathers--;
	free(g);
}

/*
 * Ask every child for its counters on behalf of imctl's client or
 * metricsd's request reqid.  Past GATHER_MAX the asker gets an empty
 * list at once.
 */
void
stats_gather(enum imd_proc to, uint32_t reqid)
{
	struct gather	*g, none = { .g_to = to, .g_reqid = reqid };
	struct child	*ch;

	if (ngathers >= GATHER_MAX || (g = calloc(1, sizeof(*g))) == NULL) {
		log_warnx("stats: %zu requests in flight, one refused",
		    ngathers);
		gather_end(&none);
		return;
	}
	g->g_id = gather_nextid++;
	g->g_to = to;
	g->g_reqid = reqid;
	TAILQ_INSERT_TAIL(&gathers, g, g_entry);
	ngathers++;
	for (ch = child_next(NULL); ch != NULL; ch = child_next(ch)) {
		if (imsgev_compose(&ch->ch_iev, IMSG_STATS_GET, g->g_id, -1,
		    NULL, 0) == -1)
			fatal("%s", __func__);
		g->g_waiting++;
	}
	if (g->g_waiting == 0)
		gather_done(g);
}

/* A child's counters, for the request in the peer id. */
void
stats_child_set(struct imsgev *iev, struct imsg *imsg)
{
	struct gather	*g;

	TAILQ_FOREACH(g, &gathers, g_entry)
		if (g->g_id == imsg->hdr.ih_peerid)
			break;
	if (g == NULL)
		proc_fatal_imsg(iev, imsg, "stats for no request");
	if (stats_set_get(imsg, g->g_sum) == -1)
		proc_fatal_imsg(iev, imsg, "stats");
	if (--g->g_waiting == 0)
		gather_done(g);
}
