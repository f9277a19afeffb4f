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
 * Presence state in the listener: presentities by address, their
 * documents, subscriptions and rules, and the store that keeps them in
 * dirdb.  A write goes to dirdb at once; a PUBLISH is answered only
 * when dirdb says its document is durable (rq_stored).  At start every
 * table is loaded back before presence is served, and every presentity
 * with watchers is notified again, so NOTIFYs resume after a restart.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/tree.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cdefs.h"
#include "imd_msg.h"
#include "listener.h"
#include "log.h"
#include "pidf.h"
#include "presence.h"
#include "proc.h"
#include "pstore.h"
#include "stats.h"
#include "tx_client.h"

_Static_assert(sizeof(struct pres_sub_rec) <= PSTORE_VALUE_MAX,
    "a subscription does not fit the presence store");

/* A restart does not know how many NOTIFYs went out since the save. */
#define PRES_CSEQ_RESTART_GAP	65536

/*
 * Subscriptions of one watcher domain to all our presentities, for
 * presence domain-total.  Strangers, whose domain is only a claim,
 * count together under PRES_STRANGERS_KEY.
 */
struct pres_domain {
	RB_ENTRY(pres_domain)	 pm_node;
	char			 pm_name[IMD_DOMAIN_MAX];
	size_t			 pm_nsubs;
};

static int	pres_cmp(struct presentity *, struct presentity *);
static int	pres_sub_cmp(struct pres_sub *, struct pres_sub *);
static int	pres_domain_cmp(struct pres_domain *, struct pres_domain *);

RB_HEAD(pres_tree, presentity);
RB_PROTOTYPE(pres_tree, presentity, pr_node, pres_cmp)
RB_GENERATE(pres_tree, presentity, pr_node, pres_cmp)
RB_HEAD(pres_sub_tree, pres_sub);
RB_PROTOTYPE(pres_sub_tree, pres_sub, ps_node, pres_sub_cmp)
RB_GENERATE(pres_sub_tree, pres_sub, ps_node, pres_sub_cmp)
RB_HEAD(pres_domain_tree, pres_domain);
RB_PROTOTYPE(pres_domain_tree, pres_domain, pm_node, pres_domain_cmp)
RB_GENERATE(pres_domain_tree, pres_domain, pm_node, pres_domain_cmp)

static struct pres_tree		presentities = RB_INITIALIZER(&presentities);
static struct pres_sub_tree	pres_subs = RB_INITIALIZER(&pres_subs);
static struct pres_domain_tree	pres_domains = RB_INITIALIZER(&pres_domains);
static int			pres_tables_loaded;

/*
 * After a start every presentity with watchers is notified again, but
 * PRES_RENOTIFY_BATCH a tick of PRES_RENOTIFY_MS (5,000 a second, in
 * bursts a watcher's receive buffer holds) for the whole suite, each
 * listener worker its share, each tick from the address the last one
 * stopped at: the tree may change in between.  All at once, 100,000 watched presentities were as many
 * NOTIFY transactions in one burst, which the watchers' server dropped
 * and we retransmitted for half a minute, and each that timed out ended
 * its subscription.
 */
#define PRES_RENOTIFY_BATCH	50
#define PRES_RENOTIFY_MS	10
static struct event		pres_renotify_ev;
static char			pres_renotify_from[IMD_ADDRESS_MAX];

static void	pres_renotify(int, short, void *);

static int
pres_cmp(struct presentity *a, struct presentity *b)
{
	return (strcmp(a->pr_aor, b->pr_aor));
}

static int
pres_sub_cmp(struct pres_sub *a, struct pres_sub *b)
{
	return (strcmp(a->ps_rec.sr_id, b->ps_rec.sr_id));
}

static int
pres_domain_cmp(struct pres_domain *a, struct pres_domain *b)
{
	return (strcmp(a->pm_name, b->pm_name));
}

int
pres_sub_is_stranger(const struct pres_sub *ps)
{
	return ((ps->ps_rec.sr_flags & PRES_SUB_STRANGER) != 0);
}

/*
 * The key ps counts under for presence domain-total: its watcher's
 * domain, the strangers' together, or NULL for a watcher of ours.
 */
static const char *
pres_domain_key(const struct pres_sub *ps)
{
	const char	*at = strchr(ps->ps_rec.sr_watcher, '@');

	if (pres_sub_is_stranger(ps))
		return (PRES_STRANGERS_KEY);
	if (at == NULL || config_find_domain(listener_conf, at + 1) != NULL)
		return (NULL);
	return (at + 1);
}

static struct pres_domain *
pres_domain_find(const char *name, int create)
{
	struct pres_domain	 key, *pm;

	if (strlcpy(key.pm_name, name, sizeof(key.pm_name)) >=
	    sizeof(key.pm_name))
		return (NULL);
	if ((pm = RB_FIND(pres_domain_tree, &pres_domains, &key)) != NULL ||
	    !create)
		return (pm);
	if ((pm = calloc(1, sizeof(*pm))) == NULL)
		fatal("%s", __func__);
	strlcpy(pm->pm_name, name, sizeof(pm->pm_name));
	RB_INSERT(pres_domain_tree, &pres_domains, pm);
	return (pm);
}

/* Subscriptions of the domain (or PRES_STRANGERS_KEY) to all of ours. */
size_t
pres_domain_count(const char *name)
{
	struct pres_domain	*pm;

	return ((pm = pres_domain_find(name, 0)) != NULL ? pm->pm_nsubs : 0);
}

static void
pres_domain_add(const struct pres_sub *ps, int delta)
{
	struct pres_domain	*pm;
	const char		*name;

	if ((name = pres_domain_key(ps)) == NULL ||
	    (pm = pres_domain_find(name, delta > 0)) == NULL)
		return;
	pm->pm_nsubs += delta;
	if (pm->pm_nsubs == 0) {
		RB_REMOVE(pres_domain_tree, &pres_domains, pm);
		free(pm);
	}
}

/* A refresh tells again who the watcher is: its count may move. */
void
pres_sub_set_stranger(struct pres_sub *ps, int stranger)
{
	if (pres_sub_is_stranger(ps) == (stranger != 0))
		return;
	pres_domain_add(ps, -1);
	ps->ps_rec.sr_flags ^= PRES_SUB_STRANGER;
	pres_domain_add(ps, 1);
}

void
pres_random_tag(char *buf, size_t size)
{
	snprintf(buf, size, "%08x%08x", arc4random(), arc4random());
}

static void	pres_timer(int, short, void *);
static void	pres_changed(struct presentity *);

struct presentity *
pres_get(const char *aor, int create)
{
	struct presentity	 key, *pr;

	strlcpy(key.pr_aor, aor, sizeof(key.pr_aor));
	if ((pr = RB_FIND(pres_tree, &presentities, &key)) != NULL ||
	    !create)
		return (pr);
	if ((pr = calloc(1, sizeof(*pr))) == NULL)
		fatal("%s", __func__);
	strlcpy(pr->pr_aor, aor, sizeof(pr->pr_aor));
	TAILQ_INIT(&pr->pr_docs);
	TAILQ_INIT(&pr->pr_subs);
	TAILQ_INIT(&pr->pr_rules);
	evtimer_set(&pr->pr_timer, pres_timer, pr);
	RB_INSERT(pres_tree, &presentities, pr);
	return (pr);
}

struct pres_sub *
pres_sub_find(const char *id)
{
	struct pres_sub	key;

	if (strlcpy(key.ps_rec.sr_id, id, sizeof(key.ps_rec.sr_id)) >=
	    sizeof(key.ps_rec.sr_id))
		return (NULL);
	return (RB_FIND(pres_sub_tree, &pres_subs, &key));
}

struct pres_doc *
pres_doc_find(struct presentity *pr, const char *etag)
{
	struct pres_doc	*pd;

	TAILQ_FOREACH(pd, &pr->pr_docs, pd_entry)
		if (strcmp(pd->pd_etag, etag) == 0)
			return (pd);
	return (NULL);
}

/*
 * "presentity\nname": rows of one presentity sort together.  Two
 * addresses of the longest kind do not fit; such a row is not kept.
 */
static int
pres_key(char *key, const char *aor, const char *name)
{
	int	n;

	n = snprintf(key, PSTORE_KEY_MAX, "%s\n%s", aor, name);
	if (n < 0 || n >= PSTORE_KEY_MAX) {
		log_warnx("presence: %s: a key too long to store", aor);
		return (-1);
	}
	return (0);
}

static void
pres_store_put(uint32_t id, uint32_t table, const char *key,
    const void *v1, size_t l1, const void *v2, size_t l2)
{
	struct imsgev	*dirdb = proc_peer(PROC_DIRDB);
	struct ibuf	*buf;

	if ((buf = imsgev_create(dirdb, IMSG_DB_PSTORE_PUT, id,
	    PSTORE_KEY_MAX + l1 + l2 + 16)) == NULL ||
	    ibuf_add_u32(buf, table) == -1 ||
	    ibuf_add_str(buf, key, PSTORE_KEY_MAX) == -1 ||
	    ibuf_add_u32(buf, l1 + l2) == -1 ||
	    ibuf_add_data(buf, v1, l1) == -1 ||
	    (l2 > 0 && ibuf_add_data(buf, v2, l2) == -1) ||
	    imsgev_close(dirdb, buf) == -1)
		fatal("%s", __func__);
}

static void
pres_store_del(uint32_t table, const char *key)
{
	struct imsgev	*dirdb = proc_peer(PROC_DIRDB);
	struct ibuf	*buf;

	if ((buf = imsgev_create(dirdb, IMSG_DB_PSTORE_DEL, 0,
	    PSTORE_KEY_MAX + 8)) == NULL ||
	    ibuf_add_u32(buf, table) == -1 ||
	    ibuf_add_str(buf, key, PSTORE_KEY_MAX) == -1 ||
	    imsgev_close(dirdb, buf) == -1)
		fatal("%s", __func__);
}

/* Kept, and rq answered once it is durable (rq_stored). */
void
pres_doc_put(struct presentity *pr, struct pres_doc *pd, struct sip_req *rq,
    int changed)
{
	char	key[PSTORE_KEY_MAX];
	int64_t	expires = pd->pd_expires;

	if (pres_key(key, pr->pr_aor, pd->pd_etag) == 0)
		pres_store_put(rq != NULL ? rq->rq_id : 0, PSTORE_DOCS, key,
		    &expires, sizeof(expires), pd->pd_body, pd->pd_len);
	if (changed)
		pres_changed(pr);
}

/* Gone; watchers hear of it if changed (not for a refresh). */
void
pres_doc_del(struct presentity *pr, struct pres_doc *pd, int changed)
{
	char	key[PSTORE_KEY_MAX];

	if (pres_key(key, pr->pr_aor, pd->pd_etag) == 0)
		pres_store_del(PSTORE_DOCS, key);
	TAILQ_REMOVE(&pr->pr_docs, pd, pd_entry);
	pr->pr_ndocs--;
	free(pd->pd_body);
	free(pd);
	if (changed)
		pres_changed(pr);
}

struct pres_sub *
pres_sub_add(struct presentity *pr, const struct pres_sub_rec *rec)
{
	struct pres_sub	*ps;

	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		fatal("%s", __func__);
	ps->ps_rec = *rec;
	ps->ps_pres = pr;
	if (RB_INSERT(pres_sub_tree, &pres_subs, ps) != NULL) {
		free(ps);
		return (NULL);
	}
	TAILQ_INSERT_TAIL(&pr->pr_subs, ps, ps_entry);
	pr->pr_nsubs++;
	stats_add(STAT_SUBSCRIPTIONS, 1);
	pres_domain_add(ps, 1);
	return (ps);
}

void
pres_sub_save(struct pres_sub *ps)
{
	char	key[PSTORE_KEY_MAX];

	if (pres_key(key, ps->ps_rec.sr_presentity, ps->ps_rec.sr_id) == 0)
		pres_store_put(0, PSTORE_SUBS, key, &ps->ps_rec,
		    sizeof(ps->ps_rec), NULL, 0);
}

void
pres_sub_del(struct pres_sub *ps)
{
	struct presentity	*pr = ps->ps_pres;
	char			 key[PSTORE_KEY_MAX];

	if (pres_key(key, ps->ps_rec.sr_presentity, ps->ps_rec.sr_id) == 0)
		pres_store_del(PSTORE_SUBS, key);
	if (ps->ps_txc != NULL)
		txc_cancel(ps->ps_txc);
	if (ps->ps_relay != 0)
		relay_forget(ps->ps_relay);
	RB_REMOVE(pres_sub_tree, &pres_subs, ps);
	TAILQ_REMOVE(&pr->pr_subs, ps, ps_entry);
	pr->pr_nsubs--;
	stats_add(STAT_SUBSCRIPTIONS, -1);
	pres_domain_add(ps, -1);
	free(ps);
}

const struct pres_rule_ent *
pres_rule_find(struct presentity *pr, const char *watcher)
{
	struct pres_rule_ent	*pa;

	TAILQ_FOREACH(pa, &pr->pr_rules, pa_entry)
		if (strcmp(pa->pa_watcher, watcher) == 0)
			return (pa);
	return (NULL);
}

static void
pres_rule_keep(struct presentity *pr, const char *watcher, uint32_t rule)
{
	struct pres_rule_ent	*pa;

	if ((pa = (struct pres_rule_ent *)pres_rule_find(pr, watcher)) ==
	    NULL) {
		if ((pa = calloc(1, sizeof(*pa))) == NULL)
			fatal("%s", __func__);
		strlcpy(pa->pa_watcher, watcher, sizeof(pa->pa_watcher));
		TAILQ_INSERT_TAIL(&pr->pr_rules, pa, pa_entry);
		pr->pr_nrules++;
	}
	pa->pa_rule = rule;
}

static void
pres_rule_forget(struct presentity *pr, const char *watcher)
{
	struct pres_rule_ent	*pa;
	char			 key[PSTORE_KEY_MAX];

	if ((pa = (struct pres_rule_ent *)pres_rule_find(pr, watcher)) ==
	    NULL)
		return;
	TAILQ_REMOVE(&pr->pr_rules, pa, pa_entry);
	pr->pr_nrules--;
	free(pa);
	if (pres_key(key, pr->pr_aor, watcher) == 0)
		pres_store_del(PSTORE_AUTHZ, key);
}

/*
 * A decision kept, changed or (PRES_RULE_NONE) forgotten; -1 when it
 * would be one more than presence rules allows.
 */
int
pres_rule_set(struct presentity *pr, const char *watcher, uint32_t rule)
{
	char	key[PSTORE_KEY_MAX];

	if (rule == PRES_RULE_NONE) {
		pres_rule_forget(pr, watcher);
		return (0);
	}
	if (pres_rule_find(pr, watcher) == NULL && pr->pr_nrules >=
	    listener_conf->c_presence.pr_max_rules)
		return (-1);
	pres_rule_keep(pr, watcher, rule);
	if (pres_key(key, pr->pr_aor, watcher) == 0)
		pres_store_put(0, PSTORE_AUTHZ, key, &rule, sizeof(rule), NULL,
		    0);
	return (0);
}

static void
pres_timer(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct presentity	*pr = arg;

	pr->pr_dirty = 0;
	gettimeofday(&pr->pr_last, NULL);
	notify_fanout(pr);
}

/*
 * Something a watcher sees changed.  Changes closer together than
 * presence notify-interval make one NOTIFY (RFC 6665 4.2.2).
 */
static void
pres_changed(struct presentity *pr)
{
	struct timeval	now, next, tv;
	uint32_t	ms = listener_conf->c_presence.pr_notify_interval;

	free(pr->pr_body);
	pr->pr_body = NULL;
	free(pr->pr_public);
	pr->pr_public = NULL;
	if (pr->pr_dirty || !pres_ready())
		return;
	pr->pr_dirty = 1;
	gettimeofday(&now, NULL);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	timeradd(&pr->pr_last, &tv, &next);
	if (timercmp(&next, &now, <))
		timerclear(&tv);
	else
		timersub(&next, &now, &tv);
	evtimer_add(&pr->pr_timer, &tv);
}

/* A REGISTER changed whether the user has a device. */
void
pres_registered(const char *aor, int registered)
{
	struct presentity	*pr;

	if ((pr = pres_get(aor, 0)) == NULL ||
	    pr->pr_registered == registered)
		return;
	pr->pr_registered = registered;
	if (pr->pr_ndocs == 0)
		pres_changed(pr);
}

void
pres_start(void)
{
	struct imsgev	*dirdb = proc_peer(PROC_DIRDB);
	uint32_t	 t;

	for (t = 0; t < PSTORE_TABLES; t++)
		if (imsgev_compose(dirdb, IMSG_DB_PSTORE_LOAD, 0, -1, &t,
		    sizeof(t)) == -1)
			fatal("%s", __func__);
}

int
pres_ready(void)
{
	return (pres_tables_loaded == PSTORE_TABLES);
}

void
pres_store_done(struct imsgev *iev, struct imsg *imsg)
{
	struct sip_req	*rq;
	uint32_t	 ok;

	imsg_get_u32(imsg, &ok);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "pstore done");
	if (!ok)
		log_warnx("presence: a write to the store failed");
	if (imsg->hdr.ih_peerid != 0 &&
	    (rq = req_find(imsg->hdr.ih_peerid)) != NULL &&
	    rq->rq_stored != NULL)
		rq->rq_stored(rq, ok);
}

/* "presentity\nname" back into its parts. */
static int
pres_key_split(const char *key, char *aor, char *name, size_t namesize)
{
	const char	*nl;

	if ((nl = strchr(key, '\n')) == NULL ||
	    (size_t)(nl - key) >= IMD_ADDRESS_MAX ||
	    strlcpy(name, nl + 1, namesize) >= namesize)
		return (-1);
	memcpy(aor, key, nl - key);
	aor[nl - key] = '\0';
	return (0);
}

static void
pres_load_doc(struct presentity *pr, const char *etag, const char *v,
    size_t len)
{
	struct pres_doc	*pd = NULL;
	int64_t		 expires;

	if (len < sizeof(expires))
		return;
	memcpy(&expires, v, sizeof(expires));
	if (expires <= time(NULL) || (pd = calloc(1, sizeof(*pd))) == NULL ||
	    (pd->pd_body = malloc(len - sizeof(expires) + 1)) == NULL) {
		if (pd != NULL)
			free(pd);
		return;
	}
	strlcpy(pd->pd_etag, etag, sizeof(pd->pd_etag));
	pd->pd_expires = expires;
	pd->pd_len = len - sizeof(expires);
	memcpy(pd->pd_body, v + sizeof(expires), pd->pd_len);
	pd->pd_body[pd->pd_len] = '\0';
	TAILQ_INSERT_TAIL(&pr->pr_docs, pd, pd_entry);
	pr->pr_ndocs++;
}

/*
 * Version 1 of the subscription record, written before the bounds of
 * presence.h and binding.h grew: read, never written.
 */
struct pres_binding_v1 {
	char			b_address[IMD_ADDRESS_MAX];
	char			b_contact[512];
	struct sockaddr_storage	b_src;
	uint32_t		b_srclen;
	uint32_t		b_transport;
	uint64_t		b_conn;
	uint64_t		b_expires;
	int32_t			b_q;
	char			b_callid[256];
	uint32_t		b_cseq;
	char			b_ua[128];
};

struct pres_sub_rec_v1 {
	uint32_t		sr_version;
	uint32_t		sr_event;
	uint32_t		sr_state;
	uint32_t		sr_cseq;
	int64_t			sr_expires;
	int64_t			sr_created;
	char			sr_id[24];
	char			sr_presentity[IMD_ADDRESS_MAX];
	char			sr_watcher[IMD_ADDRESS_MAX];
	char			sr_callid[256];
	char			sr_remote_tag[24];
	char			sr_remote_uri[512];
	char			sr_local_uri[512];
	char			sr_route[1024];
	struct pres_binding_v1	sr_target;
};

/* A string of an old record into its larger field; -1 without a NUL. */
static int
pres_v1_str(char *dst, size_t dsize, const char *src, size_t ssize)
{
	size_t	n = strnlen(src, ssize);

	if (n == ssize || n >= dsize)
		return (-1);
	memcpy(dst, src, n);
	dst[n] = '\0';
	return (0);
}

#define PRES_V1_STR(d, s) \
	pres_v1_str((d), sizeof(d), (s), sizeof(s))

/*
 * A subscription of version 1 knows nothing of strangers: a watcher of
 * another domain is taken for one until it subscribes again.
 */
static void
pres_sub_v1_stranger(struct pres_sub_rec *rec)
{
	const char	*at = strchr(rec->sr_watcher, '@');

	if (at == NULL || config_find_domain(listener_conf, at + 1) == NULL)
		rec->sr_flags |= PRES_SUB_STRANGER;
}

/* A version 1 record as the current one: every field fits. */
static int
pres_sub_from_v1(struct pres_sub_rec *rec, const char *v)
{
	struct pres_sub_rec_v1	 old;
	struct binding_rec	*t = &rec->sr_target;

	memcpy(&old, v, sizeof(old));
	memset(rec, 0, sizeof(*rec));
	rec->sr_version = PRES_REC_VERSION;
	rec->sr_event = old.sr_event;
	rec->sr_state = old.sr_state;
	rec->sr_cseq = old.sr_cseq;
	rec->sr_expires = old.sr_expires;
	rec->sr_created = old.sr_created;
	if (PRES_V1_STR(rec->sr_id, old.sr_id) == -1 ||
	    PRES_V1_STR(rec->sr_presentity, old.sr_presentity) == -1 ||
	    PRES_V1_STR(rec->sr_watcher, old.sr_watcher) == -1 ||
	    PRES_V1_STR(rec->sr_callid, old.sr_callid) == -1 ||
	    PRES_V1_STR(rec->sr_remote_tag, old.sr_remote_tag) == -1 ||
	    PRES_V1_STR(rec->sr_remote_uri, old.sr_remote_uri) == -1 ||
	    PRES_V1_STR(rec->sr_local_uri, old.sr_local_uri) == -1 ||
	    PRES_V1_STR(rec->sr_route, old.sr_route) == -1 ||
	    PRES_V1_STR(t->b_address, old.sr_target.b_address) == -1 ||
	    PRES_V1_STR(t->b_contact, old.sr_target.b_contact) == -1 ||
	    PRES_V1_STR(t->b_callid, old.sr_target.b_callid) == -1 ||
	    PRES_V1_STR(t->b_ua, old.sr_target.b_ua) == -1 ||
	    old.sr_target.b_srclen > sizeof(t->b_src))
		return (-1);
	memcpy(&t->b_src, &old.sr_target.b_src, sizeof(t->b_src));
	t->b_srclen = old.sr_target.b_srclen;
	t->b_transport = old.sr_target.b_transport;
	t->b_conn = old.sr_target.b_conn;
	t->b_expires = old.sr_target.b_expires;
	t->b_q = old.sr_target.b_q;
	t->b_cseq = old.sr_target.b_cseq;
	pres_sub_v1_stranger(rec);
	return (0);
}

/* A stored subscription: this version, or version 1. */
static int
pres_sub_decode(struct pres_sub_rec *rec, const char *v, size_t len)
{
	uint32_t	version;

	if (len < sizeof(version))
		return (-1);
	memcpy(&version, v, sizeof(version));
	if (version == 1 && len == sizeof(struct pres_sub_rec_v1))
		return (pres_sub_from_v1(rec, v));
	if (version != PRES_REC_VERSION || len != sizeof(*rec))
		return (-1);
	memcpy(rec, v, sizeof(*rec));
	return (0);
}

static void
pres_load_sub(struct presentity *pr, const char *v, size_t len)
{
	struct pres_sub_rec	rec;

	if (pres_sub_decode(&rec, v, len) == -1 ||
	    rec.sr_event > PRES_EVENT_WINFO || rec.sr_state > PRES_ACTIVE) {
		log_warnx("presence: a stored subscription of %s is of "
		    "another version, dropped", pr->pr_aor);
		return;
	}
	rec.sr_id[sizeof(rec.sr_id) - 1] = '\0';
	rec.sr_cseq += PRES_CSEQ_RESTART_GAP;
	pres_sub_add(pr, &rec);
}

void
pres_store_item(struct imsgev *iev, struct imsg *imsg)
{
	static char		 v[PSTORE_VALUE_MAX];
	struct presentity	*pr;
	char			 key[PSTORE_KEY_MAX], aor[IMD_ADDRESS_MAX];
	char			 name[PSTORE_KEY_MAX];
	uint32_t		 table, len, rule;

	imsg_get_u32(imsg, &table);
	imsg_get_str(imsg, key, sizeof(key));
	imsg_get_u32(imsg, &len);
	if (len <= sizeof(v))		/* never past v */
		imsg_get_data(imsg, v, len);
	if (imsg_get_end(imsg) == -1 || table >= PSTORE_TABLES ||
	    len > sizeof(v))
		proc_fatal_imsg(iev, imsg, "pstore item");
	/* Each worker loads its own shard (listener/worker.c). */
	if (pres_key_split(key, aor, name, sizeof(name)) == -1 ||
	    proc_worker_of(aor) != proc_worker)
		return;
	pr = pres_get(aor, 1);
	switch (table) {
	case PSTORE_DOCS:
		pres_load_doc(pr, name, v, len);
		break;
	case PSTORE_SUBS:
		pres_load_sub(pr, v, len);
		break;
	case PSTORE_AUTHZ:
		if (len == sizeof(rule)) {
			memcpy(&rule, v, sizeof(rule));
			pres_rule_keep(pr, name, rule);
		}
		break;
	}
}

void
pres_store_end(struct imsgev *iev, struct imsg *imsg)
{
	uint32_t	table;

	imsg_get_u32(imsg, &table);
	if (imsg_get_end(imsg) == -1 || table >= PSTORE_TABLES)
		proc_fatal_imsg(iev, imsg, "pstore end");
	if (++pres_tables_loaded < PSTORE_TABLES)
		return;
	log_debug("presence: store loaded");
	pres_renotify_from[0] = '\0';
	evtimer_set(&pres_renotify_ev, pres_renotify, NULL);
	pres_renotify(-1, 0, NULL);
}

static void
pres_renotify(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg IMD_UNUSED)
{
	static struct presentity find;
	struct presentity	*pr;
	struct timeval		 tv = { 0, PRES_RENOTIFY_MS * 1000 };
	uint32_t		 n = 0, batch;

	batch = worker_share(PRES_RENOTIFY_BATCH);
	strlcpy(find.pr_aor, pres_renotify_from, sizeof(find.pr_aor));
	pr = RB_NFIND(pres_tree, &presentities, &find);
	for (; pr != NULL && n < batch;
	    pr = RB_NEXT(pres_tree, &presentities, pr))
		if (!TAILQ_EMPTY(&pr->pr_subs)) {
			pres_changed(pr);
			n++;
		}
	if (pr == NULL) {
		log_debug("presence: every watched presentity notified again");
		return;
	}
	strlcpy(pres_renotify_from, pr->pr_aor, sizeof(pres_renotify_from));
	evtimer_add(&pres_renotify_ev, &tv);
}

/*
 * A presentity nobody publishes for, watches or has rules for takes no
 * memory: it is made again by the next PUBLISH or SUBSCRIBE.
 */
static int
pres_forget(struct presentity *pr)
{
	if (!TAILQ_EMPTY(&pr->pr_docs) || !TAILQ_EMPTY(&pr->pr_subs) ||
	    !TAILQ_EMPTY(&pr->pr_rules) || pr->pr_dirty)
		return (0);
	RB_REMOVE(pres_tree, &presentities, pr);
	free(pr->pr_body);
	free(pr->pr_public);
	free(pr);
	return (1);
}

/* Documents and subscriptions whose time is up; the empty forgotten. */
void
pres_sweep(time_t now)
{
	struct presentity	*pr, *next;
	struct pres_doc		*pd, *pdn;
	struct pres_sub		*ps, *psn;

	for (pr = RB_MIN(pres_tree, &presentities); pr != NULL; pr = next) {
		next = RB_NEXT(pres_tree, &presentities, pr);
		if (pres_forget(pr))
			continue;
		for (pd = TAILQ_FIRST(&pr->pr_docs); pd != NULL; pd = pdn) {
			pdn = TAILQ_NEXT(pd, pd_entry);
			if (pd->pd_expires <= now)
				pres_doc_del(pr, pd, 1);
		}
		for (ps = TAILQ_FIRST(&pr->pr_subs); ps != NULL; ps = psn) {
			psn = TAILQ_NEXT(ps, ps_entry);
			/* Granted whole seconds: never a moment early. */
			if (ps->ps_rec.sr_expires < now)
				notify_final(ps, "timeout");
		}
	}
}

/*
 * Expires of a PUBLISH or SUBSCRIBE: the default when absent, the
 * maximum at most; under the minimum (but for 0, the end) 423 with
 * Min-Expires (RFC 3903 6, RFC 6665 4.2.1.1).  -1 once answered.
 */
int64_t
pres_expires(struct sip_req *rq)
{
	const struct conf_presence	*cp = &listener_conf->c_presence;
	const struct sip_hdr		*h = sip_hdr_first(&rq->rq_msg,
					    SIP_HDR_EXPIRES);
	uint32_t			 secs = PRESENCE_EXPIRES_DEFAULT;
	char				 extra[64];

	if (h != NULL && sip_expires_parse(h->hdr_value.s,
	    SIP_STR_END(&h->hdr_value), &secs) == -1) {
		req_reply(rq, 400, "Bad Expires", NULL);
		return (-1);
	}
	if (secs != 0 && secs < cp->pr_min_expires) {
		snprintf(extra, sizeof(extra), "Min-Expires: %u\r\n",
		    cp->pr_min_expires);
		req_reply(rq, 423, "Interval Too Brief", extra);
		return (-1);
	}
	return (secs > cp->pr_max_expires ? cp->pr_max_expires : secs);
}

static void
pres_ctl_item(struct imsgev *iev, uint32_t id, const char *watcher,
    const char *what, const char *state, uint32_t left)
{
	struct ibuf	*buf;

	if ((buf = imsgev_create(iev, IMSG_LSN_WATCHER_ITEM, id,
	    IMD_ADDRESS_MAX + 80)) == NULL ||
	    ibuf_add_str(buf, watcher, IMD_ADDRESS_MAX) == -1 ||
	    ibuf_add_str(buf, what, 32) == -1 ||
	    ibuf_add_str(buf, state, 32) == -1 ||
	    ibuf_add_u32(buf, left) == -1 || imsgev_close(iev, buf) == -1)
		fatal("%s", __func__);
}

/* imctl show watchers: the subscriptions of a presentity, its rules. */
void
pres_ctl_watchers(struct imsgev *iev, struct imsg *imsg)
{
	struct presentity		*pr;
	const struct pres_sub		*ps;
	const struct pres_rule_ent	*pa;
	char				 aor[IMD_ADDRESS_MAX];
	time_t				 now = time(NULL);
	uint32_t			 id = imsg->hdr.ih_peerid;

	imsg_get_str(imsg, aor, sizeof(aor));
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "watchers");
	if ((pr = pres_get(aor, 0)) != NULL) {
		TAILQ_FOREACH(ps, &pr->pr_subs, ps_entry)
			pres_ctl_item(iev, id, ps->ps_rec.sr_watcher,
			    ps->ps_rec.sr_event == PRES_EVENT_WINFO ?
			    "presence.winfo" : "presence",
			    ps->ps_rec.sr_state == PRES_ACTIVE ? "active" :
			    "pending", ps->ps_rec.sr_expires > now ?
			    ps->ps_rec.sr_expires - now : 0);
		TAILQ_FOREACH(pa, &pr->pr_rules, pa_entry)
			pres_ctl_item(iev, id, pa->pa_watcher, "rule",
			    pa->pa_rule == PRES_RULE_ALLOW ? "allow" : "block",
			    0);
	}
	if (imsgev_compose(iev, IMSG_LSN_END, id, -1, NULL, 0) == -1)
		fatal("%s", __func__);
}

/* imctl presence allow|block: as if the presentity had decided. */
void
pres_ctl_rule(struct imsgev *iev, struct imsg *imsg)
{
	struct presentity	*pr;
	struct ibuf		*buf;
	char			 aor[IMD_ADDRESS_MAX], watcher[IMD_ADDRESS_MAX];
	uint32_t		 rule, status = CTL_OK;
	const char		*why = "";

	imsg_get_str(imsg, aor, sizeof(aor));
	imsg_get_str(imsg, watcher, sizeof(watcher));
	imsg_get_u32(imsg, &rule);
	if (imsg_get_end(imsg) == -1 ||
	    (rule != PRES_RULE_ALLOW && rule != PRES_RULE_BLOCK))
		proc_fatal_imsg(iev, imsg, "presence rule");
	if (!pres_ready()) {
		status = CTL_ERROR;
		why = "presence is loading";
	} else if (pres_rule_set(pr = pres_get(aor, 1), watcher, rule) ==
	    -1) {
		status = CTL_ERROR;
		why = "too many decisions (presence rules)";
	} else
		subscribe_authorize(pr, watcher, rule);
	if ((buf = imsgev_create(iev, IMSG_LSN_RESULT, imsg->hdr.ih_peerid,
	    CTL_MESSAGE_MAX + 8)) == NULL ||
	    ibuf_add_u32(buf, status) == -1 ||
	    ibuf_add_str(buf, why, CTL_MESSAGE_MAX) == -1 ||
	    imsgev_close(iev, buf) == -1)
		fatal("%s", __func__);
}

/*
 * Direct mode (docs/presence.md): some document of aor's says so, for
 * medium ("audio", "video", "text"), or for any when it is NULL.
 */
int
pres_direct_allowed(const char *aor, const char *medium)
{
	struct presentity	*pr;
	struct pres_doc		*pd;

	if ((pr = pres_get(aor, 0)) == NULL)
		return (0);
	TAILQ_FOREACH(pd, &pr->pr_docs, pd_entry)
		if (pidf_direct_medium(pd->pd_body, pd->pd_len, medium))
			return (1);
	return (0);
}
