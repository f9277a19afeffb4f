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
 * The mail of a missed call (dirdb/missed_call.c): "Missed call from X
 * at T", from one of our addresses (`mail from`, else `mail sender`,
 * else the postmaster of the callee's domain), Reply-To the caller,
 * marked Auto-Submitted like every mail of ours, to the MTA once: a
 * notice that the MTA does not take is logged and dropped, never
 * retried or stored.
 */

#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "imd_msg.h"
#include "log.h"
#include "mail.h"
#include "proc.h"
#include "relayd.h"
#include "smtp.h"

#define MISSED_MAIL_MAX		4096

static void
missed_done(void *arg, int result, const char *reply)
{
	char	*callee = arg;

	log_info("missed call: mail for %s: %s: %.80s", callee,
	    smtp_result_name(result), reply);
	free(callee);
}

static int
missed_compose(struct mail_msg *mm, const char *rcpt, const char *callee,
    const char *caller, uint64_t when, const char *sender)
{
	memset(mm, 0, sizeof(*mm));
	if (strlcpy(mm->mm_from, caller, sizeof(mm->mm_from)) >=
	    sizeof(mm->mm_from) ||
	    strlcpy(mm->mm_to, rcpt, sizeof(mm->mm_to)) >= sizeof(mm->mm_to) ||
	    strlcpy(mm->mm_sender, sender, sizeof(mm->mm_sender)) >=
	    sizeof(mm->mm_sender) ||
	    strlcpy(mm->mm_hostname, strchr(callee, '@') + 1,
	    sizeof(mm->mm_hostname)) >= sizeof(mm->mm_hostname))
		return (-1);
	snprintf(mm->mm_id, sizeof(mm->mm_id), "call.%llu.%08x",
	    (unsigned long long)when, arc4random());
	mm->mm_date = when;
	mm->mm_missed = 1;
	return (0);
}

/* IMSG_DB_MISSED_MAIL: str mail address, str callee, str caller, u64. */
void
missed_mail(struct imsgev *iev, struct imsg *imsg)
{
	const struct imd_conf	*conf = relayd_conf;
	struct mail_msg		 mm;
	char			 rcpt[IMD_ADDRESS_MAX], callee[IMD_ADDRESS_MAX];
	char			 caller[IMD_ADDRESS_MAX], sender[IMD_ADDRESS_MAX];
	char			 data[MISSED_MAIL_MAX], *arg;
	uint64_t		 when;
	size_t			 len;

	imsg_get_str(imsg, rcpt, sizeof(rcpt));
	imsg_get_str(imsg, callee, sizeof(callee));
	imsg_get_str(imsg, caller, sizeof(caller));
	imsg_get_u64(imsg, &when);
	if (imsg_get_end(imsg) == -1 || strchr(callee, '@') == NULL)
		proc_fatal_imsg(iev, imsg, "missed mail");
	if (conf->c_mail_from[0] != '\0')
		strlcpy(sender, conf->c_mail_from, sizeof(sender));
	else if (conf->c_mail_sender[0] != '\0')
		strlcpy(sender, conf->c_mail_sender, sizeof(sender));
	else
		snprintf(sender, sizeof(sender), "postmaster@%s",
		    strchr(callee, '@') + 1);
	if (missed_compose(&mm, rcpt, callee, caller, when, sender) == -1 ||
	    mail_compose(&mm, data, sizeof(data), &len) == -1) {
		log_info("missed call: %s from %s cannot be written as mail",
		    callee, caller);
		return;
	}
	if ((arg = strdup(callee)) == NULL)
		fatal("%s", __func__);
	if (smtp_send((const struct sockaddr *)&conf->c_mta, conf->c_mtalen,
	    strchr(callee, '@') + 1, sender, rcpt, data, len, missed_done,
	    arg) == NULL) {
		log_warn("missed call: mail for %s", callee);
		free(arg);
	}
}
