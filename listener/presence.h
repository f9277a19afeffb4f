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


#ifndef IMD_PRESENCE_H
#define IMD_PRESENCE_H

/*
 * The presence agent of the listener (RFC 3856, 3903, 6665, 3857).
 * Presence lives here, in memory: per presentity its published
 * documents, its subscriptions (dialogs in which we are the notifier)
 * and the presentity's decisions about watchers.  The listener is its
 * only writer and keeps it durable through dirdb's presence store
 * (lib/pstore.h), which gives it back at start.
 */

#include <sys/queue.h>
#include <sys/tree.h>
#include <sys/time.h>

#include <event.h>
#include <time.h>

#include "binding.h"
#include "config.h"
#include "request.h"

/*
 * What a subscription keeps of its SUBSCRIBE, each with its NUL.  RFC
 * 3261 bounds none of these; real user agents send tags of 8 to 36
 * characters (PJSIP: a UUID) and Call-IDs well under 100, so the bounds
 * leave room to spare.  A SUBSCRIBE past one is refused with a reason
 * that names the field (subscribe.c).  Our own tags and entity-tags are
 * 16 hex digits: a longer one is none of ours.
 */
#define PRES_ID_MAX		24	/* our tags (subscription ids) */
#define PRES_ETAG_MAX		PRES_ID_MAX
#define PRES_TAG_MAX		129	/* the watcher's From tag: 128 */
#define PRES_CALLID_MAX		BINDING_CALLID_MAX	/* 256 */
#define PRES_URI_MAX		BINDING_CONTACT_MAX	/* 512 */
#define PRES_ROUTE_MAX		1025	/* the route set, joined: 1024 */
#define PRES_EVENT_ID_MAX	129	/* the Event id parameter: 128 */
#define PRES_REC_VERSION	2	/* 1: presence.c reads it still */
#define PRESENCE_MAX_DOCS_LIMIT	64	/* presence devices, at most */

enum pres_event {
	PRES_EVENT_PRESENCE,
	PRES_EVENT_WINFO,
};

/* RFC 3857 watcher states; terminated subscriptions are gone. */
enum pres_state {
	PRES_PENDING,
	PRES_ACTIVE,
	PRES_TERMINATED,
};

/*
 * Who the watcher is known to be.  A stranger is a watcher of another
 * domain whose server the inbound policy did not verify (inbound any):
 * its From is only a claim.
 */
#define PRES_SUB_STRANGER	0x01
#define PRES_STRANGERS_KEY	"*"	/* their domain-total, together */

/* A presentity's decision about one watcher (presence authorize ask). */
enum pres_rule {
	PRES_RULE_NONE,		/* forgotten: the policy decides again */
	PRES_RULE_ALLOW,
	PRES_RULE_BLOCK,
};

struct presentity;

struct pres_doc {
	TAILQ_ENTRY(pres_doc)	 pd_entry;
	char			 pd_etag[PRES_ETAG_MAX];
	time_t			 pd_expires;
	char			*pd_body;
	size_t			 pd_len;
};

/* What is kept of a subscription in dirdb: no pointers. */
struct pres_sub_rec {
	uint32_t		 sr_version;	/* PRES_REC_VERSION */
	uint32_t		 sr_event;	/* enum pres_event */
	uint32_t		 sr_state;	/* enum pres_state */
	uint32_t		 sr_cseq;	/* of our last NOTIFY */
	int64_t			 sr_expires;
	int64_t			 sr_created;
	char			 sr_id[PRES_ID_MAX];	/* our tag */
	char			 sr_presentity[IMD_ADDRESS_MAX];
	char			 sr_watcher[IMD_ADDRESS_MAX];
	char			 sr_callid[PRES_CALLID_MAX];
	char			 sr_remote_tag[PRES_TAG_MAX];
	char			 sr_remote_uri[PRES_URI_MAX]; /* From */
	char			 sr_local_uri[PRES_URI_MAX];  /* To */
	char			 sr_route[PRES_ROUTE_MAX];
	char			 sr_event_id[PRES_EVENT_ID_MAX]; /* or "" */
	struct binding_rec	 sr_target;	/* Contact, how to reach it */
	uint32_t		 sr_flags;	/* PRES_SUB_*; not in version 1 */
};

struct pres_sub {
	TAILQ_ENTRY(pres_sub)	 ps_entry;	/* in its presentity */
	RB_ENTRY(pres_sub)	 ps_node;	/* by id */
	struct presentity	*ps_pres;
	struct pres_sub_rec	 ps_rec;
	struct txc		*ps_txc;	/* a NOTIFY on its way */
	uint32_t		 ps_relay;	/* or through relayd */
	int			 ps_again;	/* one more once it is done */
	const char		*ps_reason;	/* of the final NOTIFY */
	uint32_t		 ps_winfo_version;
};

struct pres_rule_ent {
	TAILQ_ENTRY(pres_rule_ent) pa_entry;
	char			 pa_watcher[IMD_ADDRESS_MAX];
	uint32_t		 pa_rule;	/* enum pres_rule */
};

struct presentity {
	RB_ENTRY(presentity)	 pr_node;
	char			 pr_aor[IMD_ADDRESS_MAX];
	TAILQ_HEAD(, pres_doc)	 pr_docs;
	TAILQ_HEAD(, pres_sub)	 pr_subs;
	TAILQ_HEAD(, pres_rule_ent) pr_rules;
	size_t			 pr_ndocs;
	size_t			 pr_nsubs;
	size_t			 pr_nrules;
	int			 pr_registered;	/* a device is bound */
	int			 pr_dirty;	/* a NOTIFY is owed */
	struct timeval		 pr_last;	/* of the last fan-out */
	struct event		 pr_timer;
	char			*pr_body;	/* composed PIDF, or NULL */
	size_t			 pr_bodylen;
	char			*pr_public;	/* the same without contacts */
	size_t			 pr_publiclen;
};

/* presence.c: the state and its store */
struct presentity *pres_get(const char *, int);
struct pres_sub	*pres_sub_find(const char *);
struct pres_doc	*pres_doc_find(struct presentity *, const char *);
void		 pres_doc_put(struct presentity *, struct pres_doc *,
		    struct sip_req *, int);
void		 pres_doc_del(struct presentity *, struct pres_doc *, int);
struct pres_sub	*pres_sub_add(struct presentity *,
		    const struct pres_sub_rec *);
void		 pres_sub_save(struct pres_sub *);
void		 pres_sub_del(struct pres_sub *);
const struct pres_rule_ent *pres_rule_find(struct presentity *,
		    const char *);
int		 pres_rule_set(struct presentity *, const char *, uint32_t);
int		 pres_sub_is_stranger(const struct pres_sub *);
void		 pres_sub_set_stranger(struct pres_sub *, int);
size_t		 pres_domain_count(const char *);
void		 pres_registered(const char *, int);
void		 pres_start(void);
int		 pres_ready(void);
void		 pres_store_done(struct imsgev *, struct imsg *);
void		 pres_store_item(struct imsgev *, struct imsg *);
void		 pres_store_end(struct imsgev *, struct imsg *);
void		 pres_random_tag(char *, size_t);
int64_t		 pres_expires(struct sip_req *);
int		 pres_direct_allowed(const char *, const char *);
void		 pres_ctl_watchers(struct imsgev *, struct imsg *);
void		 pres_ctl_rule(struct imsgev *, struct imsg *);
void		 pres_sweep(time_t);

/* publish.c */
void		 publish_request(const struct sip_msg *,
		    const struct sip_peer *);

/* subscribe.c */
void		 subscribe_request(const struct sip_msg *,
		    const struct sip_peer *);
void		 subscribe_authorize(struct presentity *, const char *,
		    uint32_t);

/* notify.c */
void		 notify_fanout(struct presentity *);
void		 pres_contact(const struct pres_sub *, const char *, char *,
		    size_t);
void		 notify_send(struct pres_sub *);
void		 notify_final(struct pres_sub *, const char *);
void		 notify_winfo(struct presentity *, struct pres_sub *);

#endif /* IMD_PRESENCE_H */
