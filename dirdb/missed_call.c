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
 * A call that found none of the callee's devices, under an offline
 * policy that mails: the callee hears of it by mail, through relayd.
 * Nothing of the call is stored; the mail counts against the
 * recipient's `mail limit` like the offline queue's, so that a caller
 * who rings again and again cannot make our MTA flood the mailbox
 * (past the limit the notice is dropped).
 */

#include <sys/types.h>

#include <time.h>

#include "config.h"
#include "dirdb.h"
#include "imd_msg.h"
#include "log.h"
#include "proc.h"

/* IMSG_DB_MISSED_CALL: str callee, str caller, u64 when. */
void
missed_call(struct imsgev *iev, struct imsg *imsg)
{
	struct imsgev	*relayd = proc_peer(PROC_RELAYD);
	struct ibuf	*buf;
	char		 callee[IMD_ADDRESS_MAX], caller[IMD_ADDRESS_MAX];
	char		 mail[IMD_ADDRESS_MAX];
	uint64_t	 when;

	imsg_get_str(imsg, callee, sizeof(callee));
	imsg_get_str(imsg, caller, sizeof(caller));
	imsg_get_u64(imsg, &when);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "missed call");
	if (!mail_limit_take(callee, time(NULL))) {
		log_info("missed call: %s from %s: past the mail limit, not "
		    "mailed", callee, caller);
		return;
	}
	queue_mail_address(callee, mail, sizeof(mail));
	if ((buf = imsgev_create(relayd, IMSG_DB_MISSED_MAIL, 0,
	    3 * IMD_ADDRESS_MAX + 8)) == NULL ||
	    ibuf_add_str(buf, mail, sizeof(mail)) == -1 ||
	    ibuf_add_str(buf, callee, sizeof(callee)) == -1 ||
	    ibuf_add_str(buf, caller, sizeof(caller)) == -1 ||
	    ibuf_add_u64(buf, when) == -1 || imsgev_close(relayd, buf) == -1)
		fatal("%s", __func__);
}
