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
 * The e-mail fallback of the offline queue.  dirdb owns the messages
 * and knows when each falls due; relayd asks it for the next one due,
 * composes it as mail (mail.c) and hands it to the MTA of the
 * configuration (relayd/smtp.c), then reports what the MTA said.  A
 * message leaves the queue only when the MTA took it (250 to the data)
 * or refused it for good (5xx); anything else is tried again with a
 * back-off of its own, so an MTA that is down costs one connection per
 * message per back-off step, never a loop.
 *
 * One mail per message, never a digest of several: each keeps its own
 * Date, Message-ID and sender, a retry resends exactly the mail that
 * failed, and a message taken by a registration meanwhile is simply
 * not mailed.  Past a recipient's `mail limit', dirdb holds messages
 * instead and hands out one summary of them (dirdb/mail_limit.c),
 * which goes as a mail of ours.
 *
 * The envelope sender is one of our addresses unless the IM sender
 * was authenticated as one of our users: a stranger's From is his to
 * write, and must not make our MTA send mail in another's name, nor
 * send its bounces to whoever he named.
 *
 * relayd asks when dirdb nudges it (a message was stored that falls due
 * for mail, or imctl queue flush), when a mail is done and a slot is
 * free, and on a timer: at the time dirdb named for the next message
 * due, and at least every MAILER_POLL_S seconds in any case.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <errno.h>
#include <event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cdefs.h"
#include "config.h"
#include "imd_msg.h"
#include "log.h"
#include "mail.h"
#include "mailer.h"
#include "offline.h"
#include "proc.h"
#include "smtp.h"

#define MAILER_JOBS_MAX		4	/* mails on their way at once */
#define MAILER_POLL_S		30	/* dirdb is asked at least this often */
#define MAILER_RETRY_MIN_S	1	/* after the first failure */
#define MAILER_RETRY_MAX_S	300	/* doubling up to this */

/* One message on its way to the MTA. */
struct mailer_job {
	TAILQ_ENTRY(mailer_job)	 mj_entry;
	struct smtp_job		*mj_smtp;
	char			 mj_to[IMD_ADDRESS_MAX];
	uint64_t		 mj_id;
	uint32_t		 mj_attempts;	/* this one included */
};

static TAILQ_HEAD(, mailer_job)	mailer_jobs =
    TAILQ_HEAD_INITIALIZER(mailer_jobs);
static size_t			mailer_njobs;
static struct imd_conf		**mailer_conf;
static struct event		mailer_timer;
static int			mailer_started;
static int			mailer_asking;	/* a MAIL_NEXT is out */
static int			mailer_again;	/* nudged while asking */

static void	mailer_ask(void);

/* 1 s, 2 s, 4 s ... after each failure in a row, at most 5 minutes. */
static uint32_t
mailer_retry(uint32_t attempts)
{
	uint32_t	retry = MAILER_RETRY_MIN_S;

	for (; attempts > 1 && retry < MAILER_RETRY_MAX_S; attempts--)
		retry *= 2;
	return (retry < MAILER_RETRY_MAX_S ? retry : MAILER_RETRY_MAX_S);
}

static void
mailer_report(const char *to, uint64_t id, uint32_t attempts,
    enum mail_outcome outcome, const char *reply)
{
	struct imsgev	*dirdb = proc_peer(PROC_DIRDB);
	struct ibuf	*buf;

	if ((buf = imsgev_create(dirdb, IMSG_DB_MAIL_DONE, 0,
	    IMD_ADDRESS_MAX + MAIL_REPLY_MAX + 20)) == NULL ||
	    ibuf_add_str(buf, to, IMD_ADDRESS_MAX) == -1 ||
	    ibuf_add_u64(buf, id) == -1 ||
	    ibuf_add_u32(buf, outcome) == -1 ||
	    ibuf_add_u32(buf, attempts) == -1 ||
	    ibuf_add_u32(buf, mailer_retry(attempts)) == -1 ||
	    ibuf_add_str(buf, reply, MAIL_REPLY_MAX) == -1 ||
	    imsgev_close(dirdb, buf) == -1)
		fatal("%s", __func__);
}

static enum mail_outcome
mailer_outcome(int result)
{
	switch (result) {
	case SMTP_OK:
		return (MAIL_SENT);
	case SMTP_PERMFAIL:
		return (MAIL_PERMFAIL);
	default:
		return (MAIL_TEMPFAIL);
	}
}

/* The reply may be longer than a report carries: it is cut, not lost. */
static void
mailer_done(void *arg, int result, const char *reply)
{
	struct mailer_job	*mj = arg;
	char			 r[MAIL_REPLY_MAX];

	strlcpy(r, reply, sizeof(r));
	log_debug("mailer: message %llu for %s: %s: %s",
	    (unsigned long long)mj->mj_id, mj->mj_to,
	    smtp_result_name(result), r);
	mailer_report(mj->mj_to, mj->mj_id, mj->mj_attempts,
	    mailer_outcome(result), r);
	TAILQ_REMOVE(&mailer_jobs, mj, mj_entry);
	mailer_njobs--;
	free(mj);
	mailer_ask();
}

/*
 * The mail of one message.  Its Message-ID names the message, the same
 * on every retry; the host part is the recipient's domain, ours.
 */
static char *
mailer_compose(const struct offline_rec *o, const char *rcpt,
    const char *sender, size_t *len)
{
	struct mail_msg	 mm;
	char		*out;
	size_t		 size;

	memset(&mm, 0, sizeof(mm));
	if (strlcpy(mm.mm_from, o->o_from, sizeof(mm.mm_from)) >=
	    sizeof(mm.mm_from) ||
	    strlcpy(mm.mm_to, rcpt, sizeof(mm.mm_to)) >= sizeof(mm.mm_to) ||
	    strlcpy(mm.mm_sender, sender, sizeof(mm.mm_sender)) >=
	    sizeof(mm.mm_sender) ||
	    strlcpy(mm.mm_ctype, o->o_ctype, sizeof(mm.mm_ctype)) >=
	    sizeof(mm.mm_ctype) ||
	    strlcpy(mm.mm_hostname, strchr(o->o_to, '@') + 1,
	    sizeof(mm.mm_hostname)) >= sizeof(mm.mm_hostname))
		return (NULL);
	snprintf(mm.mm_id, sizeof(mm.mm_id), "im.%llu.%llu",
	    (unsigned long long)o->o_arrived, (unsigned long long)o->o_id);
	mm.mm_date = o->o_arrived;
	mm.mm_summary = (o->o_flags & OFFLINE_F_SUMMARY) != 0;
	mm.mm_body = (const char *)o->o_body;
	mm.mm_bodylen = o->o_bodylen;
	if ((size = mail_compose_bound(mm.mm_bodylen)) == 0 ||
	    (out = malloc(size)) == NULL)
		return (NULL);
	if (mail_compose(&mm, out, size, len) == -1) {
		free(out);
		return (NULL);
	}
	return (out);
}

/*
 * The envelope sender is `mail from` when set; else the IM sender, who
 * then hears of a mail that bounces later, if he was authenticated as
 * one of our users; else `mail sender', or the postmaster of the
 * recipient's domain, ours.  Not the null reverse-path: these mails
 * carry messages, not delivery notices, and RFC 5321 4.5.5 wants a
 * valid one for them, so that a bounce reaches someone who answers for
 * the mail; postmaster must exist (RFC 5321 4.5.1).
 */
static const char *
mailer_envelope_from(const struct offline_rec *o, char *buf, size_t size)
{
	const struct imd_conf	*conf = *mailer_conf;

	if (conf->c_mail_from[0] != '\0')
		return (conf->c_mail_from);
	if ((o->o_flags & OFFLINE_F_AUTHED) &&
	    !(o->o_flags & OFFLINE_F_SUMMARY))
		return (o->o_from);
	if (conf->c_mail_sender[0] != '\0')
		return (conf->c_mail_sender);
	snprintf(buf, size, "postmaster@%s", strchr(o->o_to, '@') + 1);
	return (buf);
}

static int
mailer_send(struct mailer_job *mj, const struct offline_rec *o,
    const char *rcpt)
{
	const struct imd_conf	*conf = *mailer_conf;
	const char		*from;
	char			*data, local[IMD_ADDRESS_MAX];
	size_t			 len;

	from = mailer_envelope_from(o, local, sizeof(local));
	if ((data = mailer_compose(o, rcpt, conf->c_mail_from, &len)) ==
	    NULL) {
		mailer_report(o->o_to, o->o_id, mj->mj_attempts,
		    MAIL_PERMFAIL, "the message cannot be written as mail");
		return (-1);
	}
	mj->mj_smtp = smtp_send((const struct sockaddr *)&conf->c_mta,
	    conf->c_mtalen, strchr(o->o_to, '@') + 1, from, rcpt, data, len,
	    mailer_done, mj);
	free(data);
	if (mj->mj_smtp == NULL) {
		log_warn("mailer: message %llu for %s",
		    (unsigned long long)o->o_id, o->o_to);
		mailer_report(o->o_to, o->o_id, mj->mj_attempts,
		    errno == EINVAL ? MAIL_PERMFAIL : MAIL_TEMPFAIL,
		    errno == EINVAL ? "an address SMTP cannot carry" :
		    "no SMTP connection");
		return (-1);
	}
	return (0);
}

/* A message handed out by dirdb, marked mailing there. */
static void
mailer_start_job(const struct offline_rec *o, const char *rcpt)
{
	struct mailer_job	*mj;

	if ((mj = calloc(1, sizeof(*mj))) == NULL)
		fatal("%s", __func__);
	strlcpy(mj->mj_to, o->o_to, sizeof(mj->mj_to));
	mj->mj_id = o->o_id;
	mj->mj_attempts = o->o_attempts + 1;
	if (mailer_send(mj, o, rcpt) == -1) {
		free(mj);
		return;
	}
	log_debug("mailer: message %llu for %s to %s, attempt %u",
	    (unsigned long long)o->o_id, o->o_to, rcpt, mj->mj_attempts);
	TAILQ_INSERT_TAIL(&mailer_jobs, mj, mj_entry);
	mailer_njobs++;
}

/* Until the next message falls due, but never longer than the poll. */
static void
mailer_wait(uint64_t next)
{
	struct timeval	tv = { MAILER_POLL_S, 0 };
	uint64_t	now = time(NULL);

	if (next != 0 && next <= now)
		tv.tv_sec = 1;
	else if (next != 0 && next - now < MAILER_POLL_S)
		tv.tv_sec = next - now;
	evtimer_add(&mailer_timer, &tv);
}

static void
mailer_item(struct imsgev *iev, struct imsg *imsg)
{
	struct offline_rec	*o;
	char			 rcpt[IMD_ADDRESS_MAX];
	uint64_t		 next;
	uint32_t		 found;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		fatal("%s", __func__);
	imsg_get_u32(imsg, &found);
	imsg_get_u64(imsg, &next);
	if (found) {
		imsg_get_str(imsg, rcpt, sizeof(rcpt));
		offline_msg_get(imsg, o);
	}
	if (imsg_get_end(imsg) == -1 ||
	    (found && strchr(o->o_to, '@') == NULL))
		proc_fatal_imsg(iev, imsg, "mail item");
	mailer_asking = 0;
	if (found)
		mailer_start_job(o, rcpt);
	free(o);
	if (found || mailer_again)
		mailer_ask();
	else
		mailer_wait(next);
}

/* One question at a time, and none while every slot is busy. */
static void
mailer_ask(void)
{
	struct imsgev	*dirdb = proc_peer(PROC_DIRDB);

	if (!mailer_started || mailer_njobs >= MAILER_JOBS_MAX)
		return;
	if (mailer_asking) {
		mailer_again = 1;
		return;
	}
	mailer_again = 0;
	evtimer_del(&mailer_timer);
	if (imsgev_compose(dirdb, IMSG_DB_MAIL_NEXT, 0, -1, NULL, 0) == -1)
		fatal("%s", __func__);
	mailer_asking = 1;
}

static void
mailer_poll(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg IMD_UNUSED)
{
	mailer_ask();
}

void
mailer_init(struct imd_conf **confp)
{
	mailer_conf = confp;
	evtimer_set(&mailer_timer, mailer_poll, NULL);
}

void
mailer_start(void)
{
	mailer_started = 1;
	mailer_ask();
}

int
mailer_dispatch_dirdb(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.ih_type) {
	case IMSG_DB_MAIL_ITEM:
		mailer_item(iev, imsg);
		return (1);
	case IMSG_DB_MAIL_NUDGE:
		if (imsg_get_end(imsg) == -1)
			proc_fatal_imsg(iev, imsg, "mail nudge");
		mailer_ask();
		return (1);
	default:
		return (0);
	}
}
