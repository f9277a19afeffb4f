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
 * The offline queue for the listener: a message stored (and committed)
 * before its sender hears 202, and handed out oldest first on the
 * recipient's next registration, each removed once it was delivered.
 * The store refuses a message past one of the recipient's quotas (its
 * own, and the shares of senders not authenticated here), and the
 * sender hears which.
 *
 * And for relayd, when the policy mails: each message records when it
 * falls due for mail; relayd asks for the next one due, which is marked
 * mailing for a lease, and reports what the MTA said.  Only a 250 to
 * the data or a permanent refusal removes the message.  Past the mail
 * limit of its recipient a message is held instead (dirdb/mail_limit.c).
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "binding.h"
#include "config.h"
#include "dirdb.h"
#include "imd_msg.h"
#include "log.h"
#include "offline.h"
#include "proc.h"
#include "store.h"
#include "user.h"

/*
 * Long enough for every step of one SMTP dialogue to time out: a
 * message handed to relayd is not handed out again before, unless
 * relayd reports on it.
 */
#define QUEUE_MAIL_LEASE	300
/* Messages held in one MAIL_NEXT at most: relayd asks again at once. */
#define QUEUE_MAIL_TRIES	32

static uint32_t	queue_policy = OFFLINE_POLICY_STORE;
static uint32_t	queue_mail_after;
static uint32_t	queue_max_age = OFFLINE_AGE_DEFAULT_S;

static void	queue_offer_bindings(const char *);

/*
 * When a message arriving now falls due for mail, 0 for never.  No
 * later than max-age: a message that outlives it under a policy that
 * mails is mailed, not dropped.
 */
static uint64_t
queue_due(uint64_t arrived)
{
	uint32_t	after;

	switch (queue_policy) {
	case OFFLINE_POLICY_MAIL:
		return (arrived);
	case OFFLINE_POLICY_STORE_MAIL:
		after = queue_mail_after < queue_max_age ? queue_mail_after :
		    queue_max_age;
		return (arrived + after);
	default:
		return (0);
	}
}

/* relayd asks again: something may be due, or due sooner than it knew. */
static void
queue_nudge(void)
{
	struct imsgev	*relayd;

	if ((relayd = proc_peer(PROC_RELAYD)) != NULL &&
	    imsgev_compose(relayd, IMSG_DB_MAIL_NUDGE, 0, -1, NULL, 0) == -1)
		fatal("%s", __func__);
}

static const char *queue_full_names[] = {
	[OFFLINE_STORED_FULL] = "queue full",
	[OFFLINE_STORED_UNAUTH_FULL] = "quota of unauthenticated senders",
	[OFFLINE_STORED_DOMAIN_FULL] = "quota of the sender's domain",
	[OFFLINE_STORED_SENDER_FULL] = "quota of the sender",
};

static uint32_t
queue_put_status(int r, int quota)
{
	if (r == STORE_OK)
		return (OFFLINE_STORED_OK);
	if (r != STORE_FULL)
		return (OFFLINE_STORED_FAIL);
	switch (quota) {
	case OFFLINE_QUOTA_UNAUTH:
		return (OFFLINE_STORED_UNAUTH_FULL);
	case OFFLINE_QUOTA_DOMAIN:
		return (OFFLINE_STORED_DOMAIN_FULL);
	case OFFLINE_QUOTA_SENDER:
		return (OFFLINE_STORED_SENDER_FULL);
	default:
		return (OFFLINE_STORED_FULL);
	}
}

void
queue_put(struct imsgev *iev, struct imsg *imsg)
{
	struct offline_rec	*o;
	struct ibuf		*buf;
	uint32_t		 status;
	int			 quota = OFFLINE_QUOTA_USER;
	int			 r;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		fatal("%s", __func__);
	offline_msg_get(imsg, o);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "offline put");
	/* The listener says who authenticated; nothing else is its to set. */
	o->o_attempts = 0;
	o->o_state = OFFLINE_WAITING;
	o->o_flags &= OFFLINE_F_AUTHED;
	o->o_next_try = queue_due(o->o_arrived);
	r = store_offline_put_quota(o, &quota);
	status = queue_put_status(r, quota);
	if (status == OFFLINE_STORED_OK)
		log_info("queue: message %llu for %s from %s%s stored",
		    (unsigned long long)o->o_id, o->o_to, o->o_from,
		    (o->o_flags & OFFLINE_F_AUTHED) ? " (authenticated)" : "");
	else
		log_warnx("queue: message for %s from %s not stored (%s)",
		    o->o_to, o->o_from, status == OFFLINE_STORED_FAIL ?
		    "database error" : queue_full_names[status]);
	if ((buf = imsgev_create(iev, IMSG_DB_OFFLINE_STORED,
	    imsg->hdr.ih_peerid, 16)) == NULL ||
	    ibuf_add_u32(buf, status) == -1 ||
	    ibuf_add_u64(buf, o->o_id) == -1 ||
	    imsgev_close(iev, buf) == -1)
		fatal("%s", __func__);
	if (status == OFFLINE_STORED_OK && o->o_next_try != 0)
		queue_nudge();
	/*
	 * The listener found no binding, but one may have come since, its
	 * REGISTER seeing an empty queue (queue_offer): it gets this one.
	 */
	if (status == OFFLINE_STORED_OK)
		queue_offer_bindings(o->o_to);
	free(o);
}

/* The delivered one goes, the next oldest comes back. */
void
queue_next(struct imsgev *iev, struct imsg *imsg)
{
	struct offline_rec	*o;
	struct ibuf		*buf;
	char			 address[IMD_ADDRESS_MAX];
	uint64_t		 done;
	uint32_t		 found;

	imsg_get_str(imsg, address, sizeof(address));
	imsg_get_u64(imsg, &done);
	if (imsg_get_end(imsg) == -1 || !is_valid_address(address))
		proc_fatal_imsg(iev, imsg, "offline next");
	if ((o = calloc(1, sizeof(*o))) == NULL)
		fatal("%s", __func__);
	if (done != 0 && store_offline_del(address, done) == STORE_OK)
		log_info("queue: message %llu for %s delivered",
		    (unsigned long long)done, address);
	found = store_offline_first(address, o) == STORE_OK;
	if ((buf = imsgev_create(iev, IMSG_DB_OFFLINE_ITEM,
	    imsg->hdr.ih_peerid, found ? OFFLINE_MSG_MAX + 4 : 4)) == NULL ||
	    ibuf_add_u32(buf, found) == -1 ||
	    (found && offline_msg_add(buf, o) == -1) ||
	    imsgev_close(iev, buf) == -1)
		fatal("%s", __func__);
	free(o);
}

struct queue_walk {
	struct imsgev	*qw_iev;
	uint32_t	 qw_id;
};

static int
queue_list_one(const struct offline_rec *o, void *arg)
{
	struct queue_walk	*qw = arg;
	struct offline_item	 oi;
	struct ibuf		*buf;

	memset(&oi, 0, sizeof(oi));
	oi.oi_id = o->o_id;
	strlcpy(oi.oi_to, o->o_to, sizeof(oi.oi_to));
	strlcpy(oi.oi_from, o->o_from, sizeof(oi.oi_from));
	oi.oi_arrived = o->o_arrived;
	oi.oi_bytes = o->o_bodylen;
	oi.oi_state = o->o_state;
	oi.oi_attempts = o->o_attempts;
	if ((buf = imsgev_create(qw->qw_iev, IMSG_DB_QUEUE_ITEM, qw->qw_id,
	    OFFLINE_ITEM_MAX)) == NULL || offline_item_add(buf, &oi) == -1 ||
	    imsgev_close(qw->qw_iev, buf) == -1)
		fatal("%s", __func__);
	return (0);
}

/* imctl show queue, through the parent: what waits, never the text. */
void
queue_list(struct imsgev *iev, struct imsg *imsg)
{
	struct queue_walk	qw;
	char			address[IMD_ADDRESS_MAX];
	int			r;

	imsg_get_str(imsg, address, sizeof(address));
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "queue list");
	qw.qw_iev = iev;
	qw.qw_id = imsg->hdr.ih_peerid;
	if (address[0] != '\0')
		r = store_offline_list(address, queue_list_one, &qw);
	else
		r = store_offline_walk(queue_list_one, &qw);
	if (r != STORE_OK)
		log_warnx("queue: listing failed");
	imsgev_compose(iev, IMSG_DB_QUEUE_END, qw.qw_id, -1, NULL, 0);
}

#define QUEUE_EXPIRE_BATCH	256

struct queue_expired {
	char		qe_to[QUEUE_EXPIRE_BATCH][IMD_ADDRESS_MAX];
	uint64_t	qe_id[QUEUE_EXPIRE_BATCH];
	int		qe_held[QUEUE_EXPIRE_BATCH];	/* mail policy */
	size_t		qe_n;
};

static int
queue_expired_one(const struct offline_rec *o, void *arg)
{
	struct queue_expired	*qe = arg;

	if (qe->qe_n == QUEUE_EXPIRE_BATCH)
		return (-1);
	strlcpy(qe->qe_to[qe->qe_n], o->o_to, sizeof(qe->qe_to[0]));
	qe->qe_id[qe->qe_n++] = o->o_id;
	return (0);
}

/*
 * Under a policy that mails, an old message is mailed instead; only
 * one that was never due for mail (kept under an earlier policy) needs
 * a due time, now.  A held one is not mailed (that is what the mail
 * limit held it from) but dropped, as under `offline store'.
 */
static int
queue_expired_mail(const struct offline_rec *o, void *arg)
{
	struct queue_expired	*qe = arg;

	if (o->o_next_try != 0)
		return (0);
	if (queue_expired_one(o, arg) == -1)
		return (-1);
	qe->qe_held[qe->qe_n - 1] = (o->o_flags & OFFLINE_F_HELD) != 0;
	return (0);
}

static void
queue_expired_drop(const char *to, uint64_t id)
{
	if (store_offline_del(to, id) == STORE_OK)
		log_warnx("queue: message %llu for %s dropped: older than "
		    "offline max-age", (unsigned long long)id, to);
}

static void
queue_expired_due(struct queue_expired *qe, uint64_t now)
{
	struct offline_rec	*o;
	size_t			 i;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return;
	for (i = 0; i < qe->qe_n; i++) {
		if (qe->qe_held[i]) {
			queue_expired_drop(qe->qe_to[i], qe->qe_id[i]);
			continue;
		}
		strlcpy(o->o_to, qe->qe_to[i], sizeof(o->o_to));
		o->o_id = qe->qe_id[i];
		o->o_state = OFFLINE_WAITING;
		o->o_next_try = now;
		if (store_offline_update(o) == STORE_OK)
			log_info("queue: message %llu for %s older than "
			    "offline max-age: mailing it",
			    (unsigned long long)o->o_id, o->o_to);
	}
	if (qe->qe_n > 0)
		queue_nudge();
	free(o);
}

/*
 * Messages older than `offline max-age` are dropped and logged, or
 * mailed when the policy mails; the callback runs inside the store's
 * transaction, so the deletes and updates follow.
 */
void
queue_expire(void)
{
	struct queue_expired	*qe;
	uint64_t		 now = time(NULL);
	size_t			 i;

	if ((qe = calloc(1, sizeof(*qe))) == NULL)
		return;
	if (OFFLINE_MAILS(queue_policy)) {
		if (store_offline_expired(now, queue_expired_mail, qe,
		    QUEUE_EXPIRE_BATCH) == STORE_FAIL)
			log_warnx("queue: looking for old messages failed");
		queue_expired_due(qe, now);
		free(qe);
		return;
	}
	if (store_offline_expired(now, queue_expired_one, qe,
	    QUEUE_EXPIRE_BATCH) == STORE_FAIL)
		log_warnx("queue: looking for expired messages failed");
	for (i = 0; i < qe->qe_n; i++)
		queue_expired_drop(qe->qe_to[i], qe->qe_id[i]);
	free(qe);
}

/* The limits of the configuration in force, at start and on reload. */
void
queue_configure(const struct imd_conf *conf)
{
	store_offline_limits(
	    conf->c_offline.off_quota[OFFLINE_QUOTA_USER].q_msgs,
	    conf->c_offline.off_age);
	store_offline_quotas(conf->c_offline.off_quota);
	mail_limit_configure(conf);
	queue_policy = conf->c_offline.off_policy;
	queue_mail_after = conf->c_offline.off_mail_after;
	queue_max_age = conf->c_offline.off_age;
}

/*
 * The mail address of the recipient from the user record, when it has
 * one; else the IM address, which is a mail address too.
 */
void
queue_mail_address(const char *to, char *mail, size_t size)
{
	struct user_rec	u;

	if (store_user_get(to, &u) == STORE_OK && u.u_mail[0] != '\0')
		strlcpy(mail, u.u_mail, size);
	else
		strlcpy(mail, to, size);
	explicit_bzero(&u, sizeof(u));
}

/*
 * The next message due that may be mailed now, marked mailing: one
 * past its recipient's mail limit is held instead and the next one
 * looked at, at most QUEUE_MAIL_TRIES of them in one call; a summary
 * gets its text, or goes when nothing is held any more.  A retry was
 * counted at its first attempt: an MTA that is down does not use up a
 * recipient's mails.
 */
static int
queue_mail_due(struct offline_rec *o, uint64_t *next)
{
	uint64_t	now = time(NULL);
	int		i;

	for (i = 0; i < QUEUE_MAIL_TRIES; i++) {
		if (store_offline_due(now, QUEUE_MAIL_LEASE, o, next) !=
		    STORE_OK)
			return (0);
		if (o->o_flags & OFFLINE_F_SUMMARY) {
			if (mail_limit_summary(o) == 0)
				return (1);
			store_offline_del(o->o_to, o->o_id);
		} else if (o->o_attempts > 0 || mail_limit_take(o->o_to, now))
			return (1);
		else
			mail_limit_hold(o, now);
	}
	*next = now;
	return (0);
}

/* relayd's question: the next message due for mail, marked mailing. */
void
queue_mail_next(struct imsgev *iev, struct imsg *imsg)
{
	struct offline_rec	*o;
	struct ibuf		*buf;
	char			 mail[IMD_ADDRESS_MAX];
	uint64_t		 next = 0;
	uint32_t		 found;

	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "mail next");
	if ((o = calloc(1, sizeof(*o))) == NULL)
		fatal("%s", __func__);
	found = queue_mail_due(o, &next);
	if (found)
		queue_mail_address(o->o_to, mail, sizeof(mail));
	if ((buf = imsgev_create(iev, IMSG_DB_MAIL_ITEM, imsg->hdr.ih_peerid,
	    found ? OFFLINE_MSG_MAX + IMD_ADDRESS_MAX + 12 : 12)) == NULL ||
	    ibuf_add_u32(buf, found) == -1 || ibuf_add_u64(buf, next) == -1 ||
	    (found && (ibuf_add_str(buf, mail, sizeof(mail)) == -1 ||
	    offline_msg_add(buf, o) == -1)) ||
	    imsgev_close(iev, buf) == -1)
		fatal("%s", __func__);
	free(o);
}

/* A TEMPFAIL: waiting again, for the next try relayd chose. */
static void
queue_mail_retry(const char *to, uint64_t id, uint32_t attempts,
    uint32_t retry, const char *reply)
{
	struct offline_rec	*o;
	int			 r;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		fatal("%s", __func__);
	strlcpy(o->o_to, to, sizeof(o->o_to));
	o->o_id = id;
	o->o_attempts = attempts;
	o->o_state = OFFLINE_WAITING;
	o->o_next_try = time(NULL) + retry;
	if ((r = store_offline_update(o)) == STORE_OK)
		log_info("queue: message %llu for %s not mailed (attempt %u, "
		    "next in %us): %s", (unsigned long long)id, to, attempts,
		    retry, reply);
	else if (r == STORE_NOTFOUND)
		log_info("queue: message %llu for %s gone while mailed",
		    (unsigned long long)id, to);
	free(o);
}

/* relayd's report: sent and refused go, a temporary failure stays. */
void
queue_mail_done(struct imsgev *iev, struct imsg *imsg)
{
	char		to[IMD_ADDRESS_MAX], reply[MAIL_REPLY_MAX];
	uint64_t	id;
	uint32_t	outcome, attempts, retry;

	imsg_get_str(imsg, to, sizeof(to));
	imsg_get_u64(imsg, &id);
	imsg_get_u32(imsg, &outcome);
	imsg_get_u32(imsg, &attempts);
	imsg_get_u32(imsg, &retry);
	imsg_get_str(imsg, reply, sizeof(reply));
	if (imsg_get_end(imsg) == -1 || !is_valid_address(to) || id == 0 ||
	    outcome > MAIL_PERMFAIL)
		proc_fatal_imsg(iev, imsg, "mail done");
	switch (outcome) {
	case MAIL_SENT:
		if (store_offline_del(to, id) == STORE_OK)
			log_info("queue: message %llu for %s mailed: %s",
			    (unsigned long long)id, to, reply);
		break;
	case MAIL_PERMFAIL:
		if (store_offline_del(to, id) == STORE_OK)
			log_warnx("queue: message %llu for %s dropped: the MTA "
			    "refused it: %s", (unsigned long long)id, to,
			    reply);
		break;
	default:
		queue_mail_retry(to, id, attempts, retry, reply);
	}
}

#define QUEUE_FLUSH_BATCH	OFFLINE_PER_USER_DEFAULT

struct queue_flush {
	uint64_t	qf_id[QUEUE_FLUSH_BATCH];
	uint32_t	qf_attempts[QUEUE_FLUSH_BATCH];
	size_t		qf_n;
	uint64_t	qf_now;
	int		qf_more;	/* the batch was full */
};

/*
 * A message waiting for mail whose back-off runs; one whose `store
 * then mail after` delay runs stays for it, and one due now already
 * needs nothing (so a second walk does not meet it again).
 */
static int
queue_flush_one(const struct offline_rec *o, void *arg)
{
	struct queue_flush	*qf = arg;

	if (o->o_state != OFFLINE_WAITING || o->o_next_try == 0 ||
	    o->o_next_try <= qf->qf_now ||
	    (o->o_attempts == 0 && o->o_next_try > qf->qf_now))
		return (0);
	if (qf->qf_n == QUEUE_FLUSH_BATCH) {
		qf->qf_more = 1;
		return (-1);
	}
	qf->qf_id[qf->qf_n] = o->o_id;
	qf->qf_attempts[qf->qf_n++] = o->o_attempts;
	return (0);
}

/* Due now, whatever the back-off said; returns how many. */
static size_t
queue_flush_mail(const char *address)
{
	struct queue_flush	*qf;
	struct offline_rec	*o;
	size_t			 i, n = 0;

	if ((qf = calloc(1, sizeof(*qf))) == NULL ||
	    (o = calloc(1, sizeof(*o))) == NULL) {
		free(qf);
		return (0);
	}
	qf->qf_now = time(NULL);
	do {
		qf->qf_n = 0;
		qf->qf_more = 0;
		if (store_offline_list(address, queue_flush_one, qf) ==
		    STORE_FAIL)
			log_warnx("queue: flush of %s: listing failed",
			    address);
		for (i = 0; i < qf->qf_n; i++) {
			strlcpy(o->o_to, address, sizeof(o->o_to));
			o->o_id = qf->qf_id[i];
			o->o_attempts = qf->qf_attempts[i];
			o->o_state = OFFLINE_WAITING;
			o->o_next_try = qf->qf_now;
			if (store_offline_update(o) == STORE_OK)
				n++;
		}
	} while (qf->qf_more && qf->qf_n > 0 && n > 0);
	free(o);
	free(qf);
	return (n);
}

/* One live binding of the user is named to the listener. */
static int
queue_offer_one(const struct binding_rec *b, void *arg)
{
	struct imsgev	*listener = arg;
	struct ibuf	*buf;

	if ((buf = imsgev_create(listener, IMSG_DB_OFFLINE_DRAIN, 0,
	    sizeof(*b))) == NULL || binding_msg_add(buf, b) == -1 ||
	    imsgev_close(listener, buf) == -1)
		fatal("%s", __func__);
	return (0);
}

/*
 * The listener worker that owns the user hands what waits for the user
 * to each binding: one worker drains a queue, never two at once.
 */
static void
queue_offer_bindings(const char *address)
{
	struct imsgev	*listener;

	if ((listener = proc_worker_peer(proc_worker_of(address))) != NULL &&
	    store_binding_list(address, time(NULL), queue_offer_one,
	    listener) == STORE_FAIL)
		log_warnx("queue: bindings of %s not listed", address);
}

/*
 * A REGISTER was stored and its transaction saw messages waiting.
 * Most users have none: that look saves the listener a round trip for
 * every REGISTER.
 */
void
queue_offer(const char *address)
{
	queue_offer_bindings(address);
}

/*
 * imctl queue flush: the user's bindings are given the queue, and the
 * mail of the user is due now.  The address was checked by the parent
 * and is in lower case.
 */
enum ctl_status
queue_flush(const char *address, size_t *nmail)
{
	struct user_rec	 u;
	int		 r;

	*nmail = 0;
	r = store_user_get(address, &u);
	explicit_bzero(&u, sizeof(u));
	if (r == STORE_NOTFOUND)
		return (CTL_NOUSER);
	if (r != STORE_OK)
		return (CTL_ERROR);
	queue_offer_bindings(address);
	if ((*nmail = queue_flush_mail(address)) > 0)
		queue_nudge();
	log_info("queue: flush of %s: %zu messages due for mail now", address,
	    *nmail);
	return (CTL_OK);
}

struct queue_unmark {
	char		qu_to[QUEUE_EXPIRE_BATCH][IMD_ADDRESS_MAX];
	uint64_t	qu_id[QUEUE_EXPIRE_BATCH];
	uint32_t	qu_attempts[QUEUE_EXPIRE_BATCH];
	size_t		qu_n;
};

static int
queue_unmark_one(const struct offline_rec *o, void *arg)
{
	struct queue_unmark	*qu = arg;

	if (o->o_state != OFFLINE_MAILING)
		return (0);
	if (qu->qu_n == QUEUE_EXPIRE_BATCH)
		return (-1);
	strlcpy(qu->qu_to[qu->qu_n], o->o_to, sizeof(qu->qu_to[0]));
	qu->qu_attempts[qu->qu_n] = o->o_attempts;
	qu->qu_id[qu->qu_n++] = o->o_id;
	return (0);
}

/*
 * At start nothing is being mailed: a mark left by the relayd of the
 * last run would hide the message from registrations until its lease
 * ran out.  Each is due again now; the walk repeats while it fills a
 * batch, since an unmarked message is not met again.
 */
void
queue_unmark(void)
{
	struct queue_unmark	*qu;
	struct offline_rec	*o;
	size_t			 i, n;

	if ((qu = calloc(1, sizeof(*qu))) == NULL ||
	    (o = calloc(1, sizeof(*o))) == NULL)
		fatal("%s", __func__);
	do {
		qu->qu_n = 0;
		if (store_offline_walk(queue_unmark_one, qu) == STORE_FAIL)
			log_warnx("queue: looking for marked messages failed");
		for (i = n = 0; i < qu->qu_n; i++) {
			strlcpy(o->o_to, qu->qu_to[i], sizeof(o->o_to));
			o->o_id = qu->qu_id[i];
			o->o_attempts = qu->qu_attempts[i];
			o->o_state = OFFLINE_WAITING;
			o->o_next_try = time(NULL);
			if (store_offline_update(o) == STORE_OK)
				n++;
		}
		if (n > 0)
			log_info("queue: %zu messages left mailing by the last "
			    "run are due again", n);
	} while (qu->qu_n == QUEUE_EXPIRE_BATCH && n > 0);
	free(o);
	free(qu);
}
