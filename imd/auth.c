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
 * The listener's side of digest authentication: the credentials of a
 * request go to authd as bounded fields, and the answer comes back as
 * an identity, a challenge or a refusal.  The listener never sees a hash.
 */

#include <sys/types.h>

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "imd_msg.h"
#include "listener.h"
#include "log.h"
#include "proc.h"
#include "request.h"

#define COPY(dst, src)	(sip_str_unquote(&(src), (dst), sizeof(dst)) == -1)

/* The credentials of the request, if it carries any. */
static const struct sip_hdr *
auth_header(const struct sip_msg *msg, int proxy)
{
	enum sip_hdr_id	id = proxy ? SIP_HDR_PROXY_AUTHORIZATION :
			    SIP_HDR_AUTHORIZATION;

	return (sip_hdr_first(msg, id));
}

static int
auth_fill(const struct sip_msg *msg, const struct sip_hdr *h,
    struct digest_req *dr)
{
	struct sip_auth	au;

	if (sip_auth_parse(h->hdr_value.s, SIP_STR_END(&h->hdr_value), &au) ==
	    -1 || !sip_str_is_ci(&au.au_scheme, "digest"))
		return (-1);
	if (COPY(dr->dr_username, au.au_username) ||
	    COPY(dr->dr_realm, au.au_realm) ||
	    COPY(dr->dr_nonce, au.au_nonce) ||
	    COPY(dr->dr_uri, au.au_uri) ||
	    COPY(dr->dr_response, au.au_response) ||
	    COPY(dr->dr_algorithm, au.au_algorithm) ||
	    COPY(dr->dr_cnonce, au.au_cnonce) ||
	    COPY(dr->dr_opaque, au.au_opaque) ||
	    COPY(dr->dr_qop, au.au_qop) || COPY(dr->dr_nc, au.au_nc) ||
	    COPY(dr->dr_method, msg->msg_method_str))
		return (-1);
	if (dr->dr_username[0] == '\0' || dr->dr_response[0] == '\0')
		return (-1);
	/*
	 * RFC 2617 wants the digest-uri to be the Request-URI, but common
	 * clients (sipp among them) put the server's address there.  The
	 * response covers whatever uri was sent and a (nonce, nc) pair is
	 * good once, so a differing uri is accepted if it is a SIP URI.
	 */
	if (strncasecmp(dr->dr_uri, "sip:", 4) != 0 &&
	    strncasecmp(dr->dr_uri, "sips:", 5) != 0)
		return (-1);
	return (0);
}

/*
 * Ask authd about rq on behalf of domain; rq->rq_authed runs with
 * rq->rq_aor set to the authenticated address when authd agrees.
 */
void
auth_start(struct sip_req *rq, const char *domain)
{
	struct auth_req		 ar;
	const struct sip_hdr	*h;
	struct ibuf		*buf;
	struct imsgev		*authd = proc_peer(PROC_AUTHD);
	uint16_t		 port;

	memset(&ar, 0, sizeof(ar));
	strlcpy(ar.ar_domain, domain, sizeof(ar.ar_domain));
	sip_peer_addr(&rq->rq_peer, ar.ar_source, sizeof(ar.ar_source), &port);
	if ((h = auth_header(&rq->rq_msg, rq->rq_proxy)) != NULL) {
		if (auth_fill(&rq->rq_msg, h, &ar.ar_cred) == -1) {
			req_reply(rq, 400, "Bad credentials", NULL);
			return;
		}
		ar.ar_has_cred = 1;
	}
	if ((buf = imsgev_create(authd, IMSG_AUTH_REQUEST, rq->rq_id,
	    sizeof(ar))) == NULL || auth_req_add(buf, &ar) == -1 ||
	    imsgev_close(authd, buf) == -1)
		fatal("%s", __func__);
	explicit_bzero(&ar, sizeof(ar));
}

static void
auth_challenge(struct sip_req *rq, const struct auth_result *res)
{
	const char	*name = rq->rq_proxy ? "Proxy-Authenticate" :
			    "WWW-Authenticate";
	char		 extra[2 * DIGEST_CHALLENGE_MAX + 64];
	size_t		 len;

	snprintf(extra, sizeof(extra), "%s: %s\r\n", name,
	    res->res_challenge[0]);
	if (res->res_challenge[1][0] != '\0') {
		len = strlen(extra);
		snprintf(extra + len, sizeof(extra) - len, "%s: %s\r\n",
		    name, res->res_challenge[1]);
	}
	if (rq->rq_proxy)
		req_reply(rq, 407, "Proxy Authentication Required", extra);
	else
		req_reply(rq, 401, "Unauthorized", extra);
}

void
auth_result(struct imsgev *iev, struct imsg *imsg)
{
	struct auth_result	 res;
	struct sip_req		*rq;

	if (auth_result_get(imsg, &res) == -1 || imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "auth result");
	if ((rq = req_find(imsg->hdr.ih_peerid)) == NULL) {
		log_debug("auth: result for a request that is gone");
		return;
	}
	switch (res.res_status) {
	case AUTH_OK:
		/* The identity must be the one the request speaks for. */
		if (strcmp(res.res_address, rq->rq_aor) != 0) {
			req_reply(rq, 403, "Identity does not match", NULL);
			return;
		}
		req_authenticated(rq);
		rq->rq_authed(rq);
		break;
	case AUTH_CHALLENGE:
		auth_challenge(rq, &res);
		break;
	default:
		req_reply(rq, 403, "Forbidden", NULL);
	}
}
