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
 * metricsd: serves the suite's numbers to a Prometheus server.  It holds
 * no secret and no user data: it asks the parent for the numbers of each
 * scrape and writes them as text.  Its only peer is the parent.
 */

#include <sys/types.h>

#include <event.h>
#include <stdlib.h>

#include "config.h"
#include "imd_msg.h"
#include "log.h"
#include "metricsd.h"
#include "proc.h"
#include "sandbox.h"
#include "stats.h"

static void	metricsd_dispatch_parent(struct imsgev *, struct imsg *);

static const struct proc_peer metricsd_peers[] = {
	{ PROC_PARENT, metricsd_dispatch_parent },
};

struct imd_conf		*metricsd_conf;

static const struct proc_self metricsd_self = {
	PROC_METRICSD, "metricsd", metricsd_peers,
	sizeof(metricsd_peers) / sizeof(metricsd_peers[0]),
	&metricsd_conf, http_start, NULL
};

static void
metricsd_item(struct imsgev *iev, struct imsg *imsg)
{
	struct stats_item	si;

	if (stats_item_get(imsg, &si) == -1 || imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "metrics item");
	http_item(imsg->hdr.ih_peerid, &si);
}

static void
metricsd_dispatch_parent(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_METRICS_ITEM:
		metricsd_item(iev, imsg);
		break;
	case IMSG_METRICS_END:
		if (imsg_get_end(imsg) == -1)
			proc_fatal_imsg(iev, imsg, "metrics end");
		http_end(imsg->hdr.ih_peerid);
		break;
	default:
		proc_dispatch_parent(iev, imsg);
	}
}

int
main(int argc, char *argv[])
{
	proc_child_start(&metricsd_self, argc, argv);
	/* The socket outlives the configuration, which may reload. */
	http_take_socket(metricsd_conf);
	proc_child_jail(metricsd_conf->c_chroot, metricsd_conf->c_uid,
	    metricsd_conf->c_gid);
	sandbox_apply(PROC_METRICSD);
	proc_child_ready();
	proc_child_loop();
}
