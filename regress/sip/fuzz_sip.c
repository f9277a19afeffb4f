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
 * libFuzzer harness: framing, parsing, every value parser on every
 * header, and the printers.  Besides the sanitizers it checks one
 * property: what we print from a valid request parses and validates.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip.h"

#define OUT_MAX	(3 * 65536)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
values(enum sip_hdr_id id, const char *p, const char *end)
{
	struct sip_via		via;
	struct sip_addr		addr;
	struct sip_cseq		cs;
	struct sip_ctype	ct;
	struct sip_event	ev;
	struct sip_auth		au;
	struct sip_uri		uri;
	struct sip_str		s;
	unsigned int		mf;
	uint32_t		ex;
	size_t			cl;
	time_t			t;
	char			buf[256];

	sip_via_parse(p, end, &via);
	sip_contact_parse(p, end, &addr);
	sip_uri_parse(p, end, &uri);
	sip_ctype_parse(p, end, &ct);
	s.s = p;
	s.len = end - p;
	sip_param_find(&s, "tag", &s);
	switch (id) {
	case SIP_HDR_CSEQ:
		sip_cseq_parse(p, end, &cs);
		break;
	case SIP_HDR_CALL_ID:
		sip_callid_parse(p, end, &s);
		break;
	case SIP_HDR_CONTENT_LENGTH:
		sip_clen_parse(p, end, &cl);
		break;
	case SIP_HDR_MAX_FORWARDS:
		sip_maxfwd_parse(p, end, &mf);
		break;
	case SIP_HDR_EXPIRES:
		sip_expires_parse(p, end, &ex);
		break;
	case SIP_HDR_EVENT:
		sip_event_parse(p, end, &ev);
		break;
	case SIP_HDR_DATE:
		sip_date_parse(p, end, &t);
		break;
	default:
		if (sip_auth_parse(p, end, &au) == 0)
			sip_str_unquote(&au.au_username, buf, sizeof(buf));
		break;
	}
}

static void
all_values(const struct sip_msg *msg)
{
	const struct sip_hdr	*h;
	struct sip_iter		 it;
	struct sip_str		 el;
	size_t			 i;

	for (i = 0; i < msg->msg_nhdrs; i++) {
		h = &msg->msg_hdrs[i];
		values(h->hdr_id, h->hdr_value.s, SIP_STR_END(&h->hdr_value));
	}
	sip_iter_init(&it, msg, SIP_HDR_CONTACT);
	while (sip_iter_next(&it, &el) == 1)
		values(SIP_HDR_CONTACT, el.s, SIP_STR_END(&el));
}

static void
reparse(const struct sip_out *out, int response)
{
	struct sip_limits	lim;
	struct sip_msg		msg;
	struct sip_err		e;

	sip_limits_default(&lim);
	lim.max_msg = OUT_MAX;
	if (sip_parse(&msg, out->buf, out->len, &lim, SIP_PARSE_STREAM,
	    &e) == -1)
		abort();
	if (response ? sip_validate_response(&msg, &e) == -1 :
	    sip_validate_request(&msg, &e) == -1)
		abort();
}

static void
print(const struct sip_msg *msg)
{
	static char		 buf[OUT_MAX];
	struct sip_reply	 rp;
	struct sip_fwd		 fw;
	struct sip_out		 out;

	memset(&rp, 0, sizeof(rp));
	rp.rp_status = 200;
	rp.rp_reason = "OK";
	rp.rp_totag = SIP_STR_LIT("fz");
	rp.rp_received = SIP_STR_LIT("192.0.2.1");
	rp.rp_rport = 5060;
	sip_out_init(&out, buf, sizeof(buf));
	if (sip_print_response(&out, msg, &rp) == -1)
		abort();
	reparse(&out, 1);
	memset(&fw, 0, sizeof(fw));
	fw.fw_via = SIP_STR_LIT("SIP/2.0/UDP 192.0.2.2");
	fw.fw_branch = SIP_STR_LIT("z9hG4bKfz");
	fw.fw_pop_route = 1;
	sip_out_init(&out, buf, sizeof(buf));
	if (sip_print_request(&out, msg, &fw) == 0)
		reparse(&out, 0);
	/* A proxied call: our Record-Route on top, two Route values off. */
	fw.fw_head = SIP_STR_LIT("Record-Route: <sip:192.0.2.2;lr>\r\n");
	fw.fw_pop_route = 2;
	sip_out_init(&out, buf, sizeof(buf));
	if (sip_print_request(&out, msg, &fw) == 0)
		reparse(&out, 0);
	/* The ACK of a failure and the CANCEL of an INVITE we sent. */
	if (msg->msg_method != SIP_METHOD_INVITE)
		return;
	sip_out_init(&out, buf, sizeof(buf));
	if (sip_print_sibling(&out, msg, "CANCEL", NULL) == 0)
		reparse(&out, 0);
	sip_out_init(&out, buf, sizeof(buf));
	if (sip_print_sibling(&out, msg, "ACK", msg) == 0)
		reparse(&out, 0);
}

/* A response passed back, less our Via (a proxy's, RFC 3261 16.7). */
static void
print_back(const struct sip_msg *msg)
{
	static char		 buf[OUT_MAX];
	struct sip_out		 out;

	sip_out_init(&out, buf, sizeof(buf));
	if (sip_print_response_back(&out, msg) == 0 &&
	    sip_hdr_count(msg, SIP_HDR_VIA) > 1)
		reparse(&out, 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*buf = (const char *)data;
	struct sip_limits	 lim;
	struct sip_msg		 msg;
	struct sip_err		 e;
	size_t			 n;

	sip_limits_default(&lim);
	values(SIP_HDR_OTHER, buf, buf + size);
	if (sip_frame(buf, size, &lim, &n, &e) == SIP_FRAME_MSG)
		sip_parse(&msg, buf, n, &lim, SIP_PARSE_STREAM, &e);
	if (sip_parse(&msg, buf, size, &lim, 0, &e) == -1)
		return 0;
	all_values(&msg);
	if (msg.msg_kind == SIP_REQUEST &&
	    sip_validate_request(&msg, &e) == 0)
		print(&msg);
	else if (msg.msg_kind == SIP_RESPONSE &&
	    sip_validate_response(&msg, &e) == 0)
		print_back(&msg);
	return 0;
}
