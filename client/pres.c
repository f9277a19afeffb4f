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
 * What we publish (RFC 3903): `imc status' sets our presence, keeping
 * the entity-tag the server gave so that the next run modifies the
 * same document instead of adding one; `imc approve' and `imc block'
 * send our decisions about a watcher (Event: x-imd-authorize, see
 * docs/presence.md).
 */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "imc.h"
#include "pidf.h"
#include "xml.h"

#define PUB_ETAG	"etag"		/* state file: our SIP-ETag */
#define PUB_TUPLE	"tuple"		/* state file: our tuple id */

struct pub {
	struct session	*pb_s;
	struct ua_req	 pb_req;
	const char	*pb_state;
	const char	*pb_note;
	const char	*pb_watcher;	/* approve, block */
	const char	*pb_decision;
	char		*pb_doc;
	int		 pb_matched;	/* sent with SIP-If-Match */
	pres_cb		 pb_done;	/* else the command ends */
	void		*pb_arg;
	char		 pb_notebuf[256];
	char		 pb_watcherbuf[IMD_ADDRESS_MAX];
};

static void	pub_send(struct pub *);
static void	pub_decide(struct pub *);

static void
pub_finish(struct pub *pb, int code)
{
	if (pb->pb_done != NULL)
		pb->pb_done(code, pb->pb_arg);
	else
		session_done(pb->pb_s, code);
}

static int
pub_etag_save(struct pub *pb, const struct sip_msg *msg)
{
	const struct sip_hdr	*h;
	char			 etag[IMC_TAG_MAX * 2];

	if ((h = sip_hdr_first(msg, SIP_HDR_SIP_ETAG)) == NULL ||
	    h->hdr_value.len >= sizeof(etag) ||
	    !sip_is_token(&h->hdr_value))
		return (-1);
	memcpy(etag, h->hdr_value.s, h->hdr_value.len);
	etag[h->hdr_value.len] = '\0';
	return (conf_state_write(pb->pb_s->s_conf, PUB_ETAG, etag));
}

static void
pub_status_done(struct ua *ua, struct ua_req *req IMD_UNUSED,
    const struct sip_msg *msg, void *arg)
{
	struct pub	*pb = arg;
	int		 code;

	/* Our document expired or the server forgot it: publish anew. */
	if (msg != NULL && msg->msg_status == 412 && pb->pb_matched) {
		(void)conf_state_write(pb->pb_s->s_conf, PUB_ETAG, NULL);
		pub_send(pb);
		return;
	}
	code = outcome_report(ua, ua_conf(ua), ua_conf(ua)->c_account, msg);
	if (code == IMC_EXIT_OK) {
		if (pub_etag_save(pb, msg) == -1)
			warnx("cannot keep the entity-tag; the next status "
			    "adds a document instead of changing this one");
		printf("%s is now %s%s%s\n", ua_conf(ua)->c_account,
		    pb->pb_state, pb->pb_note != NULL ? ": " : "",
		    pb->pb_note != NULL ? pb->pb_note : "");
		fflush(stdout);
	}
	pub_finish(pb, code);
}

/* A tuple id of this device that stays the same from run to run. */
static void
pub_tuple_id(struct imc_conf *conf, char *id, size_t size)
{
	char	tok[IMC_TAG_MAX / 2];

	if (conf_state_read(conf, PUB_TUPLE, id, size) == 0 &&
	    strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(id))
		return;
	ua_random_token(tok, sizeof(tok));
	(void)snprintf(id, size, "imc-%s", tok);
	(void)conf_state_write(conf, PUB_TUPLE, id);
}

static int
pub_document(struct pub *pb, size_t *lenp)
{
	struct imc_conf	*conf = pb->pb_s->s_conf;
	struct pres_pub	 pp;
	char		 tuple[IMC_TAG_MAX], reason[PIDF_REASON_MAX];

	pub_tuple_id(conf, tuple, sizeof(tuple));
	memset(&pp, 0, sizeof(pp));
	pp.pp_entity = conf->c_account;
	pp.pp_tuple = tuple;
	pp.pp_state = pb->pb_state;
	pp.pp_note = pb->pb_note;
	pp.pp_contact = ua_contact(pb->pb_s->s_ua);
	pp.pp_port = ua_local_port(pb->pb_s->s_ua);
	pp.pp_direct = conf->c_direct;
	pp.pp_media = conf->c_media;
	pp.pp_nmedia = conf->c_nmedia;
	if (pres_doc_make(&pp, &pb->pb_doc, lenp) == -1)
		return (-1);
	/* What the server would refuse, we find out here. */
	if (pidf_check(pb->pb_doc, *lenp, conf->c_account, reason,
	    sizeof(reason)) == -1) {
		warnx("our own presence document is wrong: %s", reason);
		return (-1);
	}
	return (0);
}

static void
pub_send(struct pub *pb)
{
	struct ua_req	*req = &pb->pb_req;
	char		 etag[IMC_TAG_MAX * 2], uri[IMC_URI_MAX];
	size_t		 len;

	free(pb->pb_doc);
	pb->pb_doc = NULL;
	(void)snprintf(uri, sizeof(uri), "sip:%s", pb->pb_s->s_conf->c_account);
	ua_req_init(pb->pb_s->s_ua, req, SIP_METHOD_PUBLISH, uri);
	if (pub_document(pb, &len) == -1) {
		pub_finish(pb, IMC_EXIT_FAIL);
		return;
	}
	pb->pb_matched = conf_state_read(pb->pb_s->s_conf, PUB_ETAG, etag,
	    sizeof(etag)) == 0;
	(void)snprintf(req->rq_extra, sizeof(req->rq_extra),
	    "Event: presence\r\nExpires: %d\r\n%s%s%s", IMC_EXPIRES,
	    pb->pb_matched ? "SIP-If-Match: " : "", pb->pb_matched ? etag : "",
	    pb->pb_matched ? "\r\n" : "");
	req->rq_ctype = "application/pidf+xml";
	req->rq_body = pb->pb_doc;
	req->rq_bodylen = len;
	if (ua_request(pb->pb_s->s_ua, req, pub_status_done, pb) == -1)
		pub_finish(pb, outcome_unreachable(pb->pb_s->s_ua));
}

static int
pub_run(struct imc_conf *conf, struct pub *pb, void (*start)(struct pub *))
{
	struct session	 s;
	int		 code;

	if ((code = session_open(&s, conf)) != IMC_EXIT_OK)
		return (code);
	pb->pb_s = &s;
	start(pb);
	code = session_run(&s);
	free(pb->pb_doc);
	return (code);
}

/* A status word and an optional note, checked; -1 after a warning. */
static int
pub_status_args(struct pub *pb, const char *state, const char *note)
{
	static const char *const states[] = { "open", "away", "busy",
	    "closed" };
	size_t		 i;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(state, states[i]) == 0)
			pb->pb_state = states[i];
	if (pb->pb_state == NULL) {
		warnx("status is open, away, busy or closed, not %s", state);
		return (-1);
	}
	if (note != NULL && (strlen(note) > 200 || !xml_is_text(note))) {
		warnx("the note must be UTF-8 text of at most 200 bytes");
		return (-1);
	}
	if (note != NULL && note[0] != '\0') {
		(void)strlcpy(pb->pb_notebuf, note, sizeof(pb->pb_notebuf));
		pb->pb_note = pb->pb_notebuf;
	}
	return (0);
}

int
cmd_status(struct imc_conf *conf, int argc, char **argv)
{
	struct pub	 pb;

	memset(&pb, 0, sizeof(pb));
	if (pub_status_args(&pb, argv[0], argc == 2 ? argv[1] : NULL) == -1)
		return (IMC_EXIT_USAGE);
	return (pub_run(conf, &pb, pub_send));
}

/*
 * The same within a running session (the interactive mode): done gets
 * the status instead of the session ending.  NULL after a warning.
 */
struct pub *
pres_publish(struct session *s, const char *state, const char *note,
    pres_cb done, void *arg)
{
	struct pub	*pb;

	if ((pb = calloc(1, sizeof(*pb))) == NULL)
		return (NULL);
	if (pub_status_args(pb, state, note) == -1) {
		free(pb);
		return (NULL);
	}
	pb->pb_s = s;
	pb->pb_done = done;
	pb->pb_arg = arg;
	pub_send(pb);
	return (pb);
}

/* decision is "allow" or "block"; watcher a checked address. */
struct pub *
pres_decide(struct session *s, const char *decision, const char *watcher,
    pres_cb done, void *arg)
{
	struct pub	*pb;

	if ((pb = calloc(1, sizeof(*pb))) == NULL)
		return (NULL);
	pb->pb_s = s;
	pb->pb_done = done;
	pb->pb_arg = arg;
	pb->pb_decision = decision;
	(void)strlcpy(pb->pb_watcherbuf, watcher, sizeof(pb->pb_watcherbuf));
	pb->pb_watcher = pb->pb_watcherbuf;
	pub_decide(pb);
	return (pb);
}

void
pres_free(struct pub *pb)
{
	if (pb == NULL)
		return;
	free(pb->pb_doc);
	free(pb);
}

static void
pub_decide_done(struct ua *ua, struct ua_req *req IMD_UNUSED,
    const struct sip_msg *msg, void *arg)
{
	struct pub	*pb = arg;
	int		 code;

	code = outcome_report(ua, ua_conf(ua), ua_conf(ua)->c_account, msg);
	if (code == IMC_EXIT_OK)
		printf(strcmp(pb->pb_decision, "allow") == 0 ?
		    "%s may now see your presence\n" :
		    "%s is blocked from your presence\n", pb->pb_watcher);
	fflush(stdout);
	pub_finish(pb, code);
}

static void
pub_decide(struct pub *pb)
{
	struct ua_req	*req = &pb->pb_req;
	char		 uri[IMC_URI_MAX];

	(void)snprintf(uri, sizeof(uri), "sip:%s", pb->pb_s->s_conf->c_account);
	ua_req_init(pb->pb_s->s_ua, req, SIP_METHOD_PUBLISH, uri);
	(void)strlcpy(req->rq_extra, "Event: x-imd-authorize\r\n",
	    sizeof(req->rq_extra));
	if (asprintf(&pb->pb_doc, "%s sip:%s\r\n", pb->pb_decision,
	    pb->pb_watcher) == -1) {
		pb->pb_doc = NULL;
		pub_finish(pb, IMC_EXIT_FAIL);
		return;
	}
	req->rq_ctype = "text/plain";
	req->rq_body = pb->pb_doc;
	req->rq_bodylen = strlen(pb->pb_doc);
	if (ua_request(pb->pb_s->s_ua, req, pub_decide_done, pb) == -1)
		pub_finish(pb, outcome_unreachable(pb->pb_s->s_ua));
}

/* imc approve | block ADDRESS */
int
cmd_decide(struct imc_conf *conf, const char *decision, int argc IMD_UNUSED,
    char **argv)
{
	struct pub	 pb;
	char		 uri[IMC_URI_MAX];

	if (address_arg(argv[0], uri, sizeof(uri)) == -1)
		return (IMC_EXIT_USAGE);
	memset(&pb, 0, sizeof(pb));
	pb.pb_decision = decision;
	pb.pb_watcher = uri + 4;
	return (pub_run(conf, &pb, pub_decide));
}
