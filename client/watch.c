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
 * imc watch: register, subscribe to the presence of each address (RFC
 * 3856), print a line whenever what we would say about one changes,
 * and at the end unsubscribe and unregister.  The registration is what
 * lets NOTIFYs from another domain reach us: the server of our domain
 * hands them only to a registered device.
 */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "imc.h"

#define WATCH_LINE_MAX	512

enum watch_state {
	WATCH_ASKING,		/* SUBSCRIBE sent */
	WATCH_ON,		/* in a dialog */
	WATCH_ENDED
};

struct watch_one {
	struct watch	*wo_w;
	char		 wo_addr[IMD_ADDRESS_MAX];
	struct ua_req	 wo_req;
	enum watch_state wo_state;
	int		 wo_winfo;	/* our own watchers, not a buddy */
	char		 wo_last[WATCH_LINE_MAX];
};

struct watch {
	struct session	*w_s;
	struct reg	*w_reg;
	struct watch_one w_ones[IMC_BUDDIES_MAX];
	size_t		 w_n;
	size_t		 w_ending;	/* unsubscriptions under way */
	int		 w_code;
	ua_req_cb	 w_other;	/* requests not for a watch */
	void		(*w_ready)(void *);
	void		*w_arg;
};

static void	watch_unregister(struct watch *);

/* "bob@site2.test away at lunch": the state in colour where it can be. */
static void
watch_print(const char *indent, const char *addr, const char *what,
    const char *note)
{
	printf("%s%s %s%s%s", indent, addr, colour_state(what), what,
	    colour_reset());
	if (note != NULL && note[0] != '\0') {
		putchar(' ');
		print_safe(stdout, note, strlen(note));
	}
	putchar('\n');
	fflush(stdout);
}

/* The buddy list: each address and what was last heard of it. */
void
watch_list(const struct watch *w)
{
	const struct watch_one	*wo;
	char			 what[WATCH_LINE_MAX], *note;
	size_t			 i;

	for (i = 0; i < w->w_n; i++) {
		wo = &w->w_ones[i];
		if (wo->wo_winfo)
			continue;
		(void)strlcpy(what, wo->wo_last[0] != '\0' ? wo->wo_last :
		    "unknown yet", sizeof(what));
		if ((note = strchr(what, '\n')) != NULL)
			*note++ = '\0';
		watch_print("  ", wo->wo_addr, what, note);
	}
}

/* Print a line about an address only when it says something new. */
static void
watch_say(struct watch_one *wo, const char *what, const char *note)
{
	char	key[WATCH_LINE_MAX];

	(void)snprintf(key, sizeof(key), "%s\n%s", what, note != NULL ?
	    note : "");
	if (strcmp(key, wo->wo_last) == 0)
		return;
	(void)strlcpy(wo->wo_last, key, sizeof(wo->wo_last));
	watch_print("", wo->wo_addr, what, note);
}

/* "open", "closed", or the RPID activity away or busy of an open one. */
static void
watch_presence(struct watch_one *wo, const struct sip_msg *msg)
{
	struct pres_view	 pv;
	const char		*word;

	if (pres_doc_read(msg->msg_body.s, msg->msg_body.len, &pv) == -1) {
		warnx("%s: a presence document we cannot read", wo->wo_addr);
		return;
	}
	if (strcmp(pv.pv_basic, "closed") == 0)
		word = "closed";
	else if (strcmp(pv.pv_activity, "away") == 0 ||
	    strcmp(pv.pv_activity, "busy") == 0)
		word = pv.pv_activity;
	else
		word = pv.pv_basic[0] != '\0' ? "open" : "unknown";
	watch_say(wo, word, pv.pv_note);
}

static void
watch_winfo_line(const char *uri, const char *state, void *arg IMD_UNUSED)
{
	if (strncasecmp(uri, "sip:", 4) == 0 ||
	    strncasecmp(uri, "pres:", 5) == 0)
		uri = strchr(uri, ':') + 1;
	fputs("watcher ", stdout);
	print_safe(stdout, uri, strlen(uri));
	putchar(' ');
	print_safe(stdout, state, strlen(state));
	putchar('\n');
}

static void
watch_notify(struct watch_one *wo, const struct sip_msg *msg)
{
	char	state[32], reason[32], what[WATCH_LINE_MAX];

	dialog_from_notify(&wo->wo_req, msg);
	if (dialog_substate(msg, state, sizeof(state), reason,
	    sizeof(reason)) == -1)
		return;
	if (strcmp(state, "pending") == 0) {
		(void)snprintf(what, sizeof(what), "pending: waiting for %s to "
		    "approve", wo->wo_addr);
		watch_say(wo, what, NULL);
	} else if (strcmp(state, "terminated") == 0) {
		if (wo->wo_state != WATCH_ENDED && !wo->wo_w->w_s->s_finishing) {
			(void)snprintf(what, sizeof(what), "ended: %s",
			    strcmp(reason, "rejected") == 0 ?
			    "refused by the presentity" : reason[0] != '\0' ?
			    reason : "by the server");
			watch_say(wo, what, NULL);
		}
		wo->wo_state = WATCH_ENDED;
	} else if (msg->msg_body.len > 0 && wo->wo_winfo) {
		if (winfo_read(msg->msg_body.s, msg->msg_body.len,
		    watch_winfo_line, wo) == -1)
			warnx("the server sent a watcher list we cannot read");
		fflush(stdout);
	} else if (msg->msg_body.len > 0)
		watch_presence(wo, msg);
}

static void
watch_request(struct ua *ua, const struct sip_msg *msg, void *arg)
{
	struct watch	*w = arg;
	size_t		 i;

	if (msg->msg_method == SIP_METHOD_NOTIFY) {
		for (i = 0; i < w->w_n; i++) {
			if (!dialog_is(&w->w_ones[i].wo_req, msg))
				continue;
			(void)ua_reply(ua, msg, 200, "OK");
			watch_notify(&w->w_ones[i], msg);
			return;
		}
	}
	if (w->w_other != NULL)
		w->w_other(ua, msg, w->w_arg);
	else if (msg->msg_method == SIP_METHOD_MESSAGE)
		(void)ua_reply(ua, msg, 480, "Temporarily Unavailable");
	else
		(void)ua_reply(ua, msg, 481, "Call/Transaction Does Not Exist");
}

static int
watch_all_ended(struct watch *w)
{
	size_t	i;

	for (i = 0; i < w->w_n; i++)
		if (w->w_ones[i].wo_state != WATCH_ENDED)
			return (0);
	return (1);
}

static void
watch_subscribed(struct ua *ua, struct ua_req *req, const struct sip_msg *msg,
    void *arg)
{
	struct watch_one	*wo = arg;
	struct watch		*w = wo->wo_w;
	int			 code;

	if ((code = outcome_report(ua, ua_conf(ua), wo->wo_addr,
	    msg)) != IMC_EXIT_OK) {
		wo->wo_state = WATCH_ENDED;
		if (w->w_code == IMC_EXIT_OK)
			w->w_code = code;
		if (msg == NULL || watch_all_ended(w))
			session_done(w->w_s, code);
		return;
	}
	dialog_from_response(req, msg);
	if (wo->wo_state == WATCH_ASKING)
		wo->wo_state = WATCH_ON;
}

static void
watch_subscribe(struct watch_one *wo, uint32_t expires,
    ua_resp_cb cb)
{
	struct ua	*ua = wo->wo_w->w_s->s_ua;
	struct ua_req	*req = &wo->wo_req;

	(void)snprintf(req->rq_extra, sizeof(req->rq_extra),
	    "Event: presence%s\r\nAccept: application/%s+xml\r\n"
	    "Contact: <%s>\r\nExpires: %u\r\n", wo->wo_winfo ? ".winfo" :
	    "", wo->wo_winfo ? "watcherinfo" : "pidf", ua_contact(ua),
	    expires);
	if (ua_request(ua, req, cb, wo) == -1)
		session_done(wo->wo_w->w_s, outcome_unreachable(ua));
}

static void
watch_registered(struct reg *rg IMD_UNUSED, int code, void *arg)
{
	struct watch	*w = arg;
	size_t		 i;
	char		 uri[IMC_URI_MAX];

	if (code != IMC_EXIT_OK) {
		session_done(w->w_s, code);
		return;
	}
	if (w->w_ones[0].wo_req.rq_method != SIP_METHOD_UNKNOWN)
		return;		/* a refresh of the registration */
	for (i = 0; i < w->w_n; i++) {
		(void)snprintf(uri, sizeof(uri), "sip:%s",
		    w->w_ones[i].wo_addr);
		ua_req_init(w->w_s->s_ua, &w->w_ones[i].wo_req,
		    SIP_METHOD_SUBSCRIBE, uri);
		watch_subscribe(&w->w_ones[i], IMC_EXPIRES, watch_subscribed);
	}
	if (w->w_ready != NULL)
		w->w_ready(w->w_arg);
	else
		fprintf(stderr, "imc: watching %zu address%s\n", w->w_n,
		    w->w_n == 1 ? "" : "es");
}

static void
watch_unregistered(struct reg *rg IMD_UNUSED, int code IMD_UNUSED, void *arg)
{
	struct watch	*w = arg;

	session_done(w->w_s, w->w_code);
}

static void
watch_unregister(struct watch *w)
{
	reg_stop(w->w_reg, watch_unregistered);
}

static void
watch_unsubscribed(struct ua *ua IMD_UNUSED, struct ua_req *req IMD_UNUSED,
    const struct sip_msg *msg IMD_UNUSED, void *arg)
{
	struct watch_one	*wo = arg;

	wo->wo_state = WATCH_ENDED;
	if (--wo->wo_w->w_ending == 0)
		watch_unregister(wo->wo_w);
}

/* SUBSCRIBE with Expires: 0 in each dialog, then unregister. */
/* Unsubscribe, unregister, then the session ends with w_code. */
void
watch_stop(struct watch *w)
{
	size_t		 i;

	for (i = 0; i < w->w_n; i++) {
		if (w->w_ones[i].wo_state != WATCH_ON)
			continue;
		w->w_ones[i].wo_req.rq_cseq++;
		w->w_ending++;
		watch_subscribe(&w->w_ones[i], 0, watch_unsubscribed);
	}
	if (w->w_ending == 0)
		watch_unregister(w);
}

static void
watch_finish(struct session *s)
{
	watch_stop(s->s_cmd);
}

static void
watch_cleanup(struct session *s)
{
	struct watch	*w = s->s_cmd;

	reg_free(w->w_reg);
}

/*
 * For the interactive mode: register, watch every buddy and, with
 * winfo, our own watchers; other requests go to other, and ready
 * comes once the subscriptions are out.
 */
struct watch *
watch_start(struct session *s, ua_req_cb other, void (*ready)(void *),
    void *arg)
{
	struct watch	*w;
	size_t		 i;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return (NULL);
	w->w_s = s;
	w->w_other = other;
	w->w_ready = ready;
	w->w_arg = arg;
	for (i = 0; i < s->s_conf->c_nbuddies; i++) {
		(void)strlcpy(w->w_ones[w->w_n].wo_addr,
		    s->s_conf->c_buddies[i], sizeof(w->w_ones[0].wo_addr));
		w->w_ones[w->w_n++].wo_w = w;
	}
	if (w->w_n < IMC_BUDDIES_MAX) {
		(void)strlcpy(w->w_ones[w->w_n].wo_addr,
		    s->s_conf->c_account, sizeof(w->w_ones[0].wo_addr));
		w->w_ones[w->w_n].wo_winfo = 1;
		w->w_ones[w->w_n++].wo_w = w;
	}
	ua_on_request(s->s_ua, watch_request, w);
	if ((w->w_reg = reg_start(s->s_ua, watch_registered, w)) == NULL) {
		free(w);
		return (NULL);
	}
	return (w);
}

void
watch_free(struct watch *w)
{
	if (w == NULL)
		return;
	reg_free(w->w_reg);
	free(w);
}

static int
watch_args(struct imc_conf *conf, struct watch *w, int argc, char **argv)
{
	char	uri[IMC_URI_MAX];
	int	i;

	for (i = 0; i < argc; i++) {
		if (address_arg(argv[i], uri, sizeof(uri)) == -1)
			return (-1);
		(void)strlcpy(w->w_ones[w->w_n].wo_addr, uri + 4,
		    sizeof(w->w_ones[0].wo_addr));
		w->w_ones[w->w_n++].wo_w = w;
	}
	for (i = 0; argc == 0 && (size_t)i < conf->c_nbuddies; i++) {
		(void)strlcpy(w->w_ones[w->w_n].wo_addr, conf->c_buddies[i],
		    sizeof(w->w_ones[0].wo_addr));
		w->w_ones[w->w_n++].wo_w = w;
	}
	if (w->w_n == 0) {
		warnx("whom to watch?  Name addresses or put buddy lines in "
		    "the config");
		return (-1);
	}
	return (0);
}

int
cmd_watch(struct imc_conf *conf, int argc, char **argv)
{
	struct session	 s;
	struct watch	*w;
	int		 code, secs;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return (IMC_EXIT_FAIL);
	if (seconds_arg(&argc, argv, &secs) == -1 ||
	    watch_args(conf, w, argc, argv) == -1) {
		free(w);
		return (IMC_EXIT_USAGE);
	}
	if ((code = session_open(&s, conf)) != IMC_EXIT_OK) {
		free(w);
		return (code);
	}
	w->w_s = &s;
	s.s_cmd = w;
	s.s_cleanup = watch_cleanup;
	ua_on_request(s.s_ua, watch_request, w);
	if (session_deadline(&s, secs, watch_finish) == -1 ||
	    (w->w_reg = reg_start(s.s_ua, watch_registered, w)) == NULL)
		session_done(&s, IMC_EXIT_FAIL);
	code = session_run(&s);
	free(w);
	return (code);
}
