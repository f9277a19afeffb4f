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
 * What the user agent puts on the wire: requests with their Via,
 * dialog headers and credentials; responses to the server's requests;
 * and the last responses kept, so that a retransmitted request gets
 * the same answer instead of running its command twice.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imc.h"
#include "ua.h"

#define UA_HEAD_MAX	8192	/* a request without its body */

void
ua_req_init(struct ua *ua, struct ua_req *req, enum sip_method method,
    const char *target)
{
	char	tok[IMC_TAG_MAX / 2];

	memset(req, 0, sizeof(*req));
	req->rq_method = method;
	(void)strlcpy(req->rq_ruri, target, sizeof(req->rq_ruri));
	(void)strlcpy(req->rq_to, target, sizeof(req->rq_to));
	ua_random_token(tok, sizeof(tok));
	(void)snprintf(req->rq_callid, sizeof(req->rq_callid), "%s@imc", tok);
	(void)strlcpy(req->rq_fromtag, ua->ua_fromtag,
	    sizeof(req->rq_fromtag));
	req->rq_cseq = 1;
}

/* Credentials for the challenge this method met last, if any. */
static void
ua_out_cred(struct ua *ua, struct ua_tx *tx, struct sip_out *out)
{
	struct ua_req	*req = tx->tx_req;
	unsigned int	 kind = ua->ua_kind[req->rq_method];
	char		 line[1024];

	if (kind == 0)
		return;
	if (ua_cred_header(kind == 401 ? ua->ua_www : ua->ua_proxy,
	    ua->ua_conf, sip_method_name(req->rq_method), req->rq_ruri, line,
	    sizeof(line)) == -1)
		return;
	if (tx->tx_cred != UA_CRED_FRESH)
		tx->tx_cred = UA_CRED_CACHED;
	(void)sip_out_printf(out, "%s: %s\r\n", kind == 401 ?
	    "Authorization" : "Proxy-Authorization", line);
	explicit_bzero(line, sizeof(line));
}

static void
ua_out_head(struct ua *ua, struct ua_req *req, const char *branch,
    struct sip_out *out)
{
	static const char *const tp[] = { "UDP", "TCP", "TLS" };
	const char	*mname = sip_method_name(req->rq_method);
	int		 v6 = strchr(ua->ua_lhost, ':') != NULL;

	(void)sip_out_printf(out, "%s %s SIP/2.0\r\n", mname, req->rq_ruri);
	(void)sip_out_printf(out, "Via: SIP/2.0/%s %s%s%s:%u;branch=%s;"
	    "rport\r\n", tp[ua->ua_conf->c_transport], v6 ? "[" : "",
	    ua->ua_lhost, v6 ? "]" : "", ua->ua_lport, branch);
	(void)sip_out_printf(out, "Max-Forwards: 70\r\n");
	if (req->rq_route[0] != '\0')
		(void)sip_out_printf(out, "Route: %s\r\n", req->rq_route);
	(void)sip_out_printf(out, "From: <sip:%s>;tag=%s\r\n",
	    ua->ua_conf->c_account, req->rq_fromtag);
	(void)sip_out_printf(out, "To: <%s>%s%s\r\n", req->rq_to,
	    req->rq_totag[0] != '\0' ? ";tag=" : "", req->rq_totag);
	(void)sip_out_printf(out, "Call-ID: %s\r\nCSeq: %u %s\r\n",
	    req->rq_callid, req->rq_cseq, mname);
}

/*
 * req on the wire with this branch, into *bufp (malloc'd); with the
 * credentials of tx's method when tx is given.
 */
int
ua_req_print(struct ua *ua, struct ua_req *req, const char *branch,
    struct ua_tx *tx, char **bufp, size_t *lenp)
{
	struct sip_out	 out;
	size_t		 size;

	size = UA_HEAD_MAX + req->rq_bodylen;
	if ((*bufp = malloc(size)) == NULL)
		return (-1);
	sip_out_init(&out, *bufp, size);
	ua_out_head(ua, req, branch, &out);
	if (tx != NULL)
		ua_out_cred(ua, tx, &out);
	(void)sip_out_printf(&out, "%sUser-Agent: imc\r\n", req->rq_extra);
	if (req->rq_ctype != NULL)
		(void)sip_out_printf(&out, "Content-Type: %s\r\n",
		    req->rq_ctype);
	(void)sip_out_printf(&out, "Content-Length: %zu\r\n\r\n",
	    req->rq_bodylen);
	(void)sip_out_add(&out, req->rq_body, req->rq_bodylen);
	if (out.overflow) {
		free(*bufp);
		*bufp = NULL;
		return (-1);
	}
	*lenp = out.len;
	return (0);
}

/* Write the request anew, with a new branch: a new transaction. */
int
ua_tx_build(struct ua_tx *tx)
{
	char	tok[IMC_TAG_MAX / 2];

	ua_random_token(tok, sizeof(tok));
	(void)snprintf(tx->tx_branch, sizeof(tx->tx_branch), "z9hG4bK%s",
	    tok);
	free(tx->tx_buf);
	return (ua_req_print(tx->tx_ua, tx->tx_req, tx->tx_branch, tx,
	    &tx->tx_buf, &tx->tx_len));
}

/*
 * A request that is not a transaction of its own (RFC 3261 17.1.1.3,
 * 9.1): ACK or CANCEL of an INVITE, copied from it with method and
 * To changed, on branch.
 */
static int
ua_send_copy(struct ua *ua, const struct ua_origin *dest,
    const struct ua_req *invite, enum sip_method method, const char *totag,
    const char *branch)
{
	struct ua_req	 r = *invite;
	char		*buf;
	size_t		 len;
	int		 rc;

	r.rq_method = method;
	r.rq_extra[0] = '\0';
	r.rq_ctype = NULL;
	r.rq_body = NULL;
	r.rq_bodylen = 0;
	if (totag != NULL)
		(void)strlcpy(r.rq_totag, totag, sizeof(r.rq_totag));
	if (ua_req_print(ua, &r, branch, NULL, &buf, &len) == -1)
		return (-1);
	rc = ua_send_dest(ua, dest, buf, len);
	free(buf);
	return (rc);
}

/* The ACK of a failed INVITE: hop by hop, on the INVITE's branch. */
void
ua_ack_failure(struct ua_tx *tx, const struct sip_msg *msg)
{
	struct ua_req	 r;

	r = *tx->tx_req;
	dialog_from_response(&r, msg);
	(void)strlcpy(r.rq_ruri, tx->tx_req->rq_ruri, sizeof(r.rq_ruri));
	(void)strlcpy(r.rq_route, tx->tx_req->rq_route, sizeof(r.rq_route));
	(void)ua_send_copy(tx->tx_ua, &tx->tx_dest, &r, SIP_METHOD_ACK,
	    NULL, tx->tx_branch);
}

int
ua_send_cancel(struct ua *ua, const struct ua_origin *dest,
    const struct ua_req *invite, const char *branch)
{
	return (ua_send_copy(ua, dest, invite, SIP_METHOD_CANCEL, NULL,
	    branch));
}

/* The ACK of a 2xx: end to end, a branch of its own, in the dialog. */
int
ua_send_ack(struct ua *ua, const struct ua_origin *dest, struct ua_req *req)
{
	char	branch[IMC_TAG_MAX], tok[IMC_TAG_MAX / 2];

	ua_random_token(tok, sizeof(tok));
	(void)snprintf(branch, sizeof(branch), "z9hG4bK%s", tok);
	return (ua_send_copy(ua, dest, req, SIP_METHOD_ACK, NULL, branch));
}

/*
 * A 401 or 407: answer it, unless we just did with a nonce the server
 * still calls fresh, which means it refused the password.  A stale
 * nonce is answered again, a few times at most.
 */
int
ua_tx_auth_retry(struct ua_tx *tx, const struct sip_msg *msg)
{
	struct ua	*ua = tx->tx_ua;
	struct ua_req	*req = tx->tx_req;
	unsigned int	 kind = msg->msg_status;
	int		 stale;

	stale = ua_cred_challenge(kind == 401 ? ua->ua_www : ua->ua_proxy,
	    msg);
	if (stale == -1)
		return (-1);
	if (tx->tx_cred == UA_CRED_FRESH && (!stale || ++tx->tx_stale > 2))
		return (-1);
	ua->ua_kind[req->rq_method] = kind;
	tx->tx_cred = UA_CRED_FRESH;
	req->rq_cseq++;
	if (ua_tx_build(tx) == -1)
		return (-1);
	return (ua_tx_restart(tx));
}

/* The transaction a request belongs to (RFC 3261 17.2.3), as a string. */
static int
ua_dedup_key(const struct sip_msg *msg, char *key, size_t size)
{
	const struct sip_hdr	*cid, *cs;
	struct sip_via		 via;
	int			 n;

	if ((cid = sip_hdr_first(msg, SIP_HDR_CALL_ID)) == NULL ||
	    (cs = sip_hdr_first(msg, SIP_HDR_CSEQ)) == NULL ||
	    sip_top_via(msg, &via) == -1)
		return (-1);
	n = snprintf(key, size, "%.*s|%.*s|%.*s", (int)cid->hdr_value.len,
	    cid->hdr_value.s, (int)cs->hdr_value.len, cs->hdr_value.s,
	    (int)via.via_branch.len, via.via_branch.s);
	return (n < 0 || (size_t)n >= size ? -1 : 0);
}

/* 0 when msg is a retransmission, answered again; -1 when it is new. */
int
ua_dedup_replay(struct ua *ua, const struct sip_msg *msg)
{
	char	key[UA_KEY_MAX];
	size_t	i;

	if (ua_dedup_key(msg, key, sizeof(key)) == -1)
		return (-1);
	for (i = 0; i < UA_DEDUP_MAX; i++) {
		if (ua->ua_dedup[i].dd_resp != NULL &&
		    strcmp(ua->ua_dedup[i].dd_key, key) == 0) {
			(void)ua_send_raw(ua, ua->ua_dedup[i].dd_resp,
			    ua->ua_dedup[i].dd_len);
			return (0);
		}
	}
	return (-1);
}

static void
ua_dedup_store(struct ua *ua, const struct sip_msg *msg, const char *resp,
    size_t len)
{
	struct ua_dedup	*dd = &ua->ua_dedup[ua->ua_dedup_next];

	free(dd->dd_resp);
	dd->dd_resp = NULL;
	if (ua_dedup_key(msg, dd->dd_key, sizeof(dd->dd_key)) == -1 ||
	    (dd->dd_resp = malloc(len)) == NULL)
		return;
	memcpy(dd->dd_resp, resp, len);
	dd->dd_len = len;
	ua->ua_dedup_next = (ua->ua_dedup_next + 1) % UA_DEDUP_MAX;
}

void
ua_dedup_free(struct ua *ua)
{
	size_t	i;

	for (i = 0; i < UA_DEDUP_MAX; i++) {
		free(ua->ua_dedup[i].dd_resp);
		ua->ua_dedup[i].dd_resp = NULL;
	}
}

/* A response to msg, to whoever sent it (orig NULL: who sends now). */
int
ua_answer(struct ua *ua, const struct ua_origin *orig,
    const struct sip_msg *msg, unsigned int status, const char *reason,
    const struct ua_answer *an)
{
	struct sip_reply	 rp;
	struct sip_out		 out;
	char			 buf[8192], tag[IMC_TAG_MAX / 2];
	struct ua_origin	 here;

	memset(&rp, 0, sizeof(rp));
	rp.rp_status = status;
	rp.rp_reason = reason;
	if (an != NULL && an->an_totag != NULL)
		(void)strlcpy(tag, an->an_totag, sizeof(tag));
	else
		ua_random_token(tag, sizeof(tag));
	rp.rp_totag.s = tag;
	rp.rp_totag.len = strlen(tag);
	if (an != NULL && an->an_extra != NULL) {
		rp.rp_extra.s = an->an_extra;
		rp.rp_extra.len = strlen(an->an_extra);
	}
	if (an != NULL && an->an_ctype != NULL) {
		rp.rp_ctype.s = an->an_ctype;
		rp.rp_ctype.len = strlen(an->an_ctype);
		rp.rp_body.s = an->an_body;
		rp.rp_body.len = an->an_bodylen;
	}
	sip_out_init(&out, buf, sizeof(buf));
	if (sip_print_response(&out, msg, &rp) == -1)
		return (-1);
	if (orig == NULL) {
		ua_dedup_store(ua, msg, buf, out.len);
		return (ua_send_raw(ua, buf, out.len));
	}
	/* Later than the request: to where it came from, kept then. */
	ua_origin_of(ua, &here);
	ua->ua_peer = orig->uo_addr;
	ua->ua_peerlen = orig->uo_len;
	ua_dedup_store(ua, msg, buf, out.len);
	(void)ua_send_raw(ua, buf, out.len);
	ua->ua_peer = here.uo_addr;
	ua->ua_peerlen = here.uo_len;
	return (0);
}

int
ua_reply(struct ua *ua, const struct sip_msg *msg, unsigned int status,
    const char *reason)
{
	return (ua_answer(ua, NULL, msg, status, reason, NULL));
}
