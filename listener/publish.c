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
 * PUBLISH (RFC 3903) for the event package "presence": one document per
 * device, each under its entity-tag, kept until it expires, refreshed,
 * modified or removed through SIP-If-Match.  Only the presentity itself
 * publishes, after digest authentication (401).  The answer leaves once
 * dirdb holds the document.
 *
 * The same method carries the presentity's decisions about watchers:
 * Event: x-imd-authorize, a text/plain body of lines "allow ADDRESS",
 * "block ADDRESS" or "forget ADDRESS" (docs/presence.md), at most
 * presence rules decisions kept per presentity.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "listener.h"
#include "log.h"
#include "pidf.h"
#include "presence.h"
#include "user.h"

#define PUBLISH_ALLOW_EVENTS	"Allow-Events: presence, presence.winfo, " \
				    "x-imd-authorize\r\n"

/* What a PUBLISH waits with while dirdb stores its document. */
struct publish_wait {
	char		pw_etag[PRES_ETAG_MAX];
	uint32_t	pw_expires;
};

static const struct conf_presence *
publish_conf(void)
{
	return (&listener_conf->c_presence);
}

/* "presence", "x-imd-authorize", or NULL with a 489 answered. */
static int
publish_event(const struct sip_msg *msg, char *pkg, size_t size)
{
	const struct sip_hdr	*h = sip_hdr_first(msg, SIP_HDR_EVENT);
	struct sip_event	 ev;

	if (h == NULL || sip_event_parse(h->hdr_value.s,
	    SIP_STR_END(&h->hdr_value), &ev) == -1 ||
	    ev.ev_package.len >= size)
		return (-1);
	memcpy(pkg, ev.ev_package.s, ev.ev_package.len);
	pkg[ev.ev_package.len] = '\0';
	return (0);
}

static void
publish_answer(struct sip_req *rq, int ok)
{
	struct publish_wait	*pw = rq->rq_pres;
	char			 extra[128];

	if (!ok) {
		req_reply(rq, 500, "Cannot Store", NULL);
		return;
	}
	snprintf(extra, sizeof(extra), "SIP-ETag: %s\r\nExpires: %u\r\n",
	    pw->pw_etag, pw->pw_expires);
	req_reply(rq, 200, "OK", extra);
}

static void
publish_cleanup(struct sip_req *rq)
{
	free(rq->rq_pres);
	rq->rq_pres = NULL;
}

/* A new document under a new entity-tag, in place of old if given. */
static void
publish_keep(struct sip_req *rq, struct presentity *pr, struct pres_doc *old,
    const char *body, size_t len, uint32_t expires, int refresh)
{
	struct publish_wait	*pw;
	struct pres_doc		*pd = NULL;

	if ((pw = calloc(1, sizeof(*pw))) == NULL ||
	    (pd = calloc(1, sizeof(*pd))) == NULL ||
	    (pd->pd_body = malloc(len + 1)) == NULL) {
		free(pw);
		if (pd != NULL)
			free(pd);
		req_reply(rq, 500, "Server Internal Error", NULL);
		return;
	}
	pres_random_tag(pd->pd_etag, sizeof(pd->pd_etag));
	memcpy(pd->pd_body, body, len);
	pd->pd_body[len] = '\0';
	pd->pd_len = len;
	pd->pd_expires = time(NULL) + expires;
	strlcpy(pw->pw_etag, pd->pd_etag, sizeof(pw->pw_etag));
	pw->pw_expires = expires;
	rq->rq_pres = pw;
	rq->rq_cleanup = publish_cleanup;
	rq->rq_stored = publish_answer;
	if (old != NULL)
		pres_doc_del(pr, old, !refresh);
	TAILQ_INSERT_TAIL(&pr->pr_docs, pd, pd_entry);
	pr->pr_ndocs++;
	pres_doc_put(pr, pd, rq, !refresh);
}

/* A document as sent: type, size and PIDF checked; 0, or answered. */
static int
publish_check_body(struct sip_req *rq)
{
	const struct sip_msg	*msg = &rq->rq_msg;
	const struct sip_hdr	*h = sip_hdr_first(msg, SIP_HDR_CONTENT_TYPE);
	struct sip_ctype	 ct;
	char			 reason[PIDF_REASON_MAX], phrase[160];

	if (h == NULL || sip_ctype_parse(h->hdr_value.s,
	    SIP_STR_END(&h->hdr_value), &ct) == -1 ||
	    !sip_str_is_ci(&ct.ct_type, "application") ||
	    !sip_str_is_ci(&ct.ct_subtype, "pidf+xml")) {
		req_reply(rq, 415, "Unsupported Media Type",
		    "Accept: application/pidf+xml\r\n");
		return (-1);
	}
	if (msg->msg_body.len > publish_conf()->pr_doc_size) {
		req_reply(rq, 413, "Presence Document Too Large", NULL);
		return (-1);
	}
	if (pidf_check(msg->msg_body.s, msg->msg_body.len, rq->rq_aor,
	    reason, sizeof(reason)) == -1) {
		snprintf(phrase, sizeof(phrase), "Bad PIDF: %s", reason);
		req_reply(rq, 400, phrase, NULL);
		return (-1);
	}
	return (0);
}

static void
publish_presence(struct sip_req *rq, struct presentity *pr)
{
	const struct sip_msg	*msg = &rq->rq_msg;
	const struct sip_hdr	*h = sip_hdr_first(msg, SIP_HDR_SIP_IF_MATCH);
	struct pres_doc		*old = NULL;
	char			 etag[PRES_ETAG_MAX];
	int64_t			 expires;

	if ((expires = pres_expires(rq)) == -1)
		return;
	if (h != NULL) {
		/* Longer than the entity-tags we make: none of ours. */
		if (h->hdr_value.len >= sizeof(etag)) {
			req_reply(rq, 412, "SIP-If-Match Too Long", NULL);
			return;
		}
		snprintf(etag, sizeof(etag), "%.*s", (int)h->hdr_value.len,
		    h->hdr_value.s);
		if ((old = pres_doc_find(pr, etag)) == NULL) {
			req_reply(rq, 412, "Conditional Request Failed", NULL);
			return;
		}
	}
	if (old != NULL && expires == 0) {
		pres_doc_del(pr, old, 1);
		req_reply(rq, 200, "OK", "Expires: 0\r\n");
	} else if (old != NULL && msg->msg_body.len == 0)
		publish_keep(rq, pr, old, old->pd_body, old->pd_len, expires,
		    1);
	else if (msg->msg_body.len == 0 || expires == 0)
		req_reply(rq, 400, "A New Document Needs A Body", NULL);
	else if (publish_check_body(rq) == -1)
		return;
	else if (old == NULL &&
	    pr->pr_ndocs >= publish_conf()->pr_max_docs)
		req_reply(rq, 403, "Too Many Documents", NULL);
	else
		publish_keep(rq, pr, old, msg->msg_body.s, msg->msg_body.len,
		    expires, 0);
}

/* One line "allow|block|forget ADDRESS"; -1 if malformed. */
static int
publish_rule_line(const char *line, size_t len, uint32_t *rule,
    char *watcher, size_t size)
{
	char	verb[8], addr[340], *a;

	if (len >= sizeof(addr) ||
	    sscanf(line, "%7s %330s", verb, addr) != 2)
		return (-1);
	if (strcmp(verb, "allow") == 0)
		*rule = PRES_RULE_ALLOW;
	else if (strcmp(verb, "block") == 0)
		*rule = PRES_RULE_BLOCK;
	else if (strcmp(verb, "forget") == 0)
		*rule = PRES_RULE_NONE;
	else
		return (-1);
	a = strncasecmp(addr, "sip:", 4) == 0 ? addr + 4 : addr;
	if (address_lower(a) == -1 || strlcpy(watcher, a, size) >= size)
		return (-1);
	return (0);
}

/*
 * Each line of the body, read and checked, then, with apply, kept.
 * Into *grow how many more decisions the presentity would keep: those
 * about watchers without one yet less those forgotten (a watcher named
 * twice counts twice; pres_rule_set() holds the cap whatever this
 * says).  The number of lines, or -1 for a malformed one.
 */
static ssize_t
publish_rules_walk(struct sip_req *rq, struct presentity *pr, int apply,
    int64_t *grow)
{
	const struct sip_str	*b = &rq->rq_msg.msg_body;
	char			 line[512], watcher[IMD_ADDRESS_MAX];
	const char		*p = b->s, *end = b->s + b->len, *nl;
	uint32_t		 rule;
	size_t			 len, n = 0;
	int			 known;

	while (p < end) {
		nl = memchr(p, '\n', end - p);
		len = (nl != NULL ? nl : end) - p;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len >= sizeof(line))
			return (-1);
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl != NULL ? nl + 1 : end;
		if (len == 0)
			continue;
		if (publish_rule_line(line, len, &rule, watcher,
		    sizeof(watcher)) == -1)
			return (-1);
		n++;
		known = pres_rule_find(pr, watcher) != NULL;
		if (rule != PRES_RULE_NONE && !known)
			(*grow)++;
		else if (rule == PRES_RULE_NONE && known)
			(*grow)--;
		if (apply && pres_rule_set(pr, watcher, rule) == 0 &&
		    rule != PRES_RULE_NONE)
			subscribe_authorize(pr, watcher, rule);
	}
	return ((ssize_t)n);
}

/*
 * The presentity's decisions.  A body that would take it past presence
 * rules is refused whole (403), so that a client never has to guess
 * which of its lines were kept; forgetting some first makes room.
 */
static void
publish_rules(struct sip_req *rq, struct presentity *pr)
{
	int64_t	grow = 0;
	ssize_t	n;

	if ((n = publish_rules_walk(rq, pr, 0, &grow)) <= 0) {
		req_reply(rq, 400, n == 0 ? "No Rule" : "Bad Rule", NULL);
		return;
	}
	if ((int64_t)pr->pr_nrules + grow >
	    (int64_t)publish_conf()->pr_max_rules) {
		log_info("presence: %s: refused %lld more decisions, %zu kept "
		    "already", pr->pr_aor, (long long)grow, pr->pr_nrules);
		req_reply(rq, 403, "Too Many Decisions", NULL);
		return;
	}
	publish_rules_walk(rq, pr, 1, &grow);
	req_reply(rq, 200, "OK", NULL);
}

static void
publish_authed(struct sip_req *rq)
{
	char			 pkg[32];
	struct presentity	*pr;

	if (strcmp(rq->rq_aor, rq->rq_to) != 0) {
		req_reply(rq, 403, "Only The Presentity Publishes", NULL);
		return;
	}
	if (!pres_ready()) {
		req_reply(rq, 503, "Presence Loading", "Retry-After: 1\r\n");
		return;
	}
	pr = pres_get(rq->rq_to, 1);
	publish_event(&rq->rq_msg, pkg, sizeof(pkg));
	if (strcmp(pkg, "x-imd-authorize") == 0)
		publish_rules(rq, pr);
	else
		publish_presence(rq, pr);
}

void
publish_request(const struct sip_msg *msg, const struct sip_peer *peer)
{
	struct sip_req	*rq;
	char		 to[IMD_ADDRESS_MAX], todom[IMD_DOMAIN_MAX];
	char		 from[IMD_ADDRESS_MAX], fromdom[IMD_DOMAIN_MAX];
	char		 pkg[32];

	if (uri_address(&msg->msg_ruri, to, sizeof(to), todom,
	    sizeof(todom)) == -1) {
		sip_reply(peer, msg, 416, "Unsupported URI Scheme", NULL);
		return;
	}
	if (from_address(msg, from, sizeof(from), fromdom,
	    sizeof(fromdom)) == -1) {
		sip_reply(peer, msg, 400, "Bad From", NULL);
		return;
	}
	if (publish_event(msg, pkg, sizeof(pkg)) == -1 ||
	    (strcmp(pkg, "presence") != 0 &&
	    strcmp(pkg, "x-imd-authorize") != 0)) {
		sip_reply(peer, msg, 489, "Bad Event", PUBLISH_ALLOW_EVENTS);
		return;
	}
	if (config_find_domain(listener_conf, todom) == NULL ||
	    config_find_domain(listener_conf, fromdom) == NULL) {
		sip_reply(peer, msg, 403, "Publish Here For Our Users Only",
		    NULL);
		return;
	}
	if ((rq = req_hold(msg, peer)) == NULL)
		return;
	strlcpy(rq->rq_to, to, sizeof(rq->rq_to));
	strlcpy(rq->rq_aor, from, sizeof(rq->rq_aor));
	rq->rq_authed = publish_authed;
	auth_start(rq, fromdom);
}
