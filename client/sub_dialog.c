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
 * The dialog of a subscription, from the subscriber's side (RFC 3261
 * 12.1.2, RFC 6665 4.1.2): the remote tag, target and route set, taken
 * from the 2xx to our SUBSCRIBE or from the first NOTIFY, whichever
 * comes first, so that the SUBSCRIBE that ends it finds its way.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "imc.h"

#define DIALOG_ROUTES_MAX	8

static void
dialog_copy(char *dst, size_t size, const struct sip_str *v)
{
	if (v->len == 0 || v->len >= size || memchr(v->s, '\r', v->len) ||
	    memchr(v->s, '\n', v->len))
		return;
	memcpy(dst, v->s, v->len);
	dst[v->len] = '\0';
}

int
dialog_is(const struct ua_req *req, const struct sip_msg *msg)
{
	const struct sip_hdr	*h;

	return ((h = sip_hdr_first(msg, SIP_HDR_CALL_ID)) != NULL &&
	    h->hdr_value.len == strlen(req->rq_callid) &&
	    memcmp(h->hdr_value.s, req->rq_callid, h->hdr_value.len) == 0);
}

static void
dialog_tag(struct ua_req *req, const struct sip_msg *msg, enum sip_hdr_id id)
{
	const struct sip_hdr	*h;
	struct sip_addr		 a;

	if ((h = sip_hdr_first(msg, id)) != NULL && sip_addr_parse(h->hdr_value.s,
	    SIP_STR_END(&h->hdr_value), &a) == 0 && sip_is_token(&a.addr_tag))
		dialog_copy(req->rq_totag, sizeof(req->rq_totag), &a.addr_tag);
}

/* The remote target: where the requests of the dialog go. */
static void
dialog_target(struct ua_req *req, const struct sip_msg *msg)
{
	const struct sip_hdr	*h;
	struct sip_addr		 a;

	if ((h = sip_hdr_first(msg, SIP_HDR_CONTACT)) != NULL &&
	    sip_contact_parse(h->hdr_value.s, SIP_STR_END(&h->hdr_value),
	    &a) == 0 && !a.addr_star)
		dialog_copy(req->rq_ruri, sizeof(req->rq_ruri),
		    &a.addr_uri_str);
}

/* Record-Route, reversed when it comes in a response (12.1.2). */
static void
dialog_routes(struct ua_req *req, const struct sip_msg *msg, int reverse)
{
	struct sip_iter	 it;
	struct sip_str	 v[DIALOG_ROUTES_MAX];
	size_t		 n = 0, i, len = 0;
	int		 w;

	sip_iter_init(&it, msg, SIP_HDR_RECORD_ROUTE);
	while (n < DIALOG_ROUTES_MAX && sip_iter_next(&it, &v[n]) == 1)
		n++;
	req->rq_route[0] = '\0';
	for (i = 0; i < n; i++) {
		const struct sip_str *r = &v[reverse ? n - 1 - i : i];

		w = snprintf(req->rq_route + len, sizeof(req->rq_route) - len,
		    "%s%.*s", i > 0 ? ", " : "", (int)r->len, r->s);
		if (w < 0 || (size_t)w >= sizeof(req->rq_route) - len) {
			req->rq_route[0] = '\0';
			return;
		}
		len += w;
	}
}

void
dialog_from_response(struct ua_req *req, const struct sip_msg *msg)
{
	if (req->rq_totag[0] != '\0')
		return;
	dialog_tag(req, msg, SIP_HDR_TO);
	dialog_target(req, msg);
	dialog_routes(req, msg, 1);
}

void
dialog_from_notify(struct ua_req *req, const struct sip_msg *msg)
{
	if (req->rq_totag[0] != '\0')
		return;
	dialog_tag(req, msg, SIP_HDR_FROM);
	dialog_target(req, msg);
	dialog_routes(req, msg, 0);
}

/* Subscription-State: the state, and the reason of a terminated one. */
int
dialog_substate(const struct sip_msg *msg, char *state, size_t ssize,
    char *reason, size_t rsize)
{
	const struct sip_hdr	*h;
	struct sip_str		 v, params, r;
	const char		*semi;

	state[0] = reason[0] = '\0';
	if ((h = sip_hdr_first(msg, SIP_HDR_SUBSCRIPTION_STATE)) == NULL)
		return (-1);
	v = h->hdr_value;
	if ((semi = memchr(v.s, ';', v.len)) != NULL) {
		params.s = semi;
		params.len = SIP_STR_END(&v) - semi;
		v.len = semi - v.s;
		if (sip_param_find(&params, "reason", &r) == 1 &&
		    sip_is_token(&r))
			dialog_copy(reason, rsize, &r);
	}
	sip_str_trim(&v);
	if (!sip_is_token(&v))
		return (-1);
	dialog_copy(state, ssize, &v);
	return (0);
}
