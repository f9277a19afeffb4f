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
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth_msg.h"
#include "imd_msg.h"
#include "listener.h"
#include "log.h"
#include "proc.h"
#include "request.h"

/*
 * Each parameter into its field of struct digest_req (auth.h), which
 * also bounds what goes to authd.  Used in auth_fill() only: it returns
 * from it with the reason, which past a bound names the parameter.
 */
#define COPY(dst, src, name)						\
	do {								\
		if ((src).len >= sizeof(dst))				\
			return ("Digest " name " Too Long");		\
		if (sip_str_unquote(&(src), (dst), sizeof(dst)) == -1)	\
			return ("Bad credentials");			\
	} while (0)

static int	auth_challenge_here(struct sip_req *, const char *);
static void	auth_challenge(struct sip_req *, const struct auth_result *);

/* The credentials of the request, if it carries any. */
static const struct sip_hdr *
auth_header(const struct sip_msg *msg, int proxy)
{
	enum sip_hdr_id	id = proxy ? SIP_HDR_PROXY_AUTHORIZATION :
			    SIP_HDR_AUTHORIZATION;

	return (sip_hdr_first(msg, id));
}

/* NULL, or the reason the credentials are refused. */
static const char *
auth_fill(const struct sip_msg *msg, const struct sip_hdr *h,
    struct digest_req *dr)
{
	struct sip_auth	au;

	if (sip_auth_parse(h->hdr_value.s, SIP_STR_END(&h->hdr_value), &au) ==
	    -1 || !sip_str_is_ci(&au.au_scheme, "digest"))
		return ("Bad credentials");
	COPY(dr->dr_username, au.au_username, "username");
	COPY(dr->dr_realm, au.au_realm, "realm");
	COPY(dr->dr_nonce, au.au_nonce, "nonce");
	COPY(dr->dr_uri, au.au_uri, "uri");
	COPY(dr->dr_response, au.au_response, "response");
	COPY(dr->dr_algorithm, au.au_algorithm, "algorithm");
	COPY(dr->dr_cnonce, au.au_cnonce, "cnonce");
	COPY(dr->dr_opaque, au.au_opaque, "opaque");
	COPY(dr->dr_qop, au.au_qop, "qop");
	COPY(dr->dr_nc, au.au_nc, "nc");
	COPY(dr->dr_method, msg->msg_method_str, "method");
	if (dr->dr_username[0] == '\0' || dr->dr_response[0] == '\0')
		return ("Bad credentials");
	/*
	 * RFC 2617 wants the digest-uri to be the Request-URI, but common
	 * clients (sipp among them) put the server's address there.  The
	 * response covers whatever uri was sent and a (nonce, nc) pair is
	 * good once, so a differing uri is accepted if it is a SIP URI.
	 */
	if (strncasecmp(dr->dr_uri, "sip:", 4) != 0 &&
	    strncasecmp(dr->dr_uri, "sips:", 5) != 0)
		return ("Bad credentials");
	return (NULL);
}

/*
 * Ask authd about rq on behalf of domain; rq->rq_authed runs with
 * rq->rq_aor set to the authenticated address when authd agrees.  Of
 * the 3 KB request only the head is zeroed: auth_fill() sets every
 * field of the credentials, which go only when there are some.  It is
 * not wiped after: it holds what the client sent in the clear, as
 * authd's copy does, never a secret; zeroing it twice was a twentieth
 * of the listener's work for a REGISTER.
 */
void
auth_start(struct sip_req *rq, const char *domain)
{
	struct auth_req		 ar;
	const struct sip_hdr	*h;
	struct ibuf		*buf;
	struct imsgev		*authd = proc_peer(PROC_AUTHD);
	const char		*bad;
	uint16_t		 port;

	if ((h = auth_header(&rq->rq_msg, rq->rq_proxy)) == NULL &&
	    auth_challenge_here(rq, domain) == 0)
		return;
	memset(&ar, 0, offsetof(struct auth_req, ar_cred));
	strlcpy(ar.ar_domain, domain, sizeof(ar.ar_domain));
	sip_peer_addr(&rq->rq_peer, ar.ar_source, sizeof(ar.ar_source), &port);
	if (h != NULL) {
		if ((bad = auth_fill(&rq->rq_msg, h, &ar.ar_cred)) != NULL) {
			req_reply(rq, 400, bad, NULL);
			return;
		}
		ar.ar_has_cred = 1;
	}
	if ((buf = imsgev_create(authd, IMSG_AUTH_REQUEST, rq->rq_id,
	    IMSG_HINT_SMALL)) == NULL || auth_req_add(buf, &ar) == -1 ||
	    imsgev_close(authd, buf) == -1)
		fatal("%s", __func__);
}

/*
 * The challenge of authd's that every client can answer: MD5's.  authd
 * makes one per configured algorithm in the configured order, so the
 * index is known without parsing them; without MD5, the first.
 */
static size_t
auth_challenge_md5(void)
{
	size_t	i;

	for (i = 0; i < listener_conf->c_nauth_algs && i < AUTH_CHALLENGES;
	    i++)
		if (listener_conf->c_auth_algs[i] == DIGEST_MD5)
			return (i);
	return (0);
}

/* "name: value\r\n" at *len, NUL-terminated: 0, or -1 if it does not fit. */
static int
auth_line(char *out, size_t size, size_t *len, const char *name,
    const char *value)
{
	size_t	nl = strlen(name), vl = strlen(value);

	if (nl + vl + 4 >= size - *len)
		return (-1);
	memcpy(out + *len, name, nl);
	memcpy(out + *len + nl, ": ", 2);
	memcpy(out + *len + nl + 2, value, vl);
	memcpy(out + *len + nl + 2 + vl, "\r\n", 3);
	*len += nl + vl + 4;
	return (0);
}

/* The challenges chosen, as header lines; their length, or -1. */
static int
auth_challenge_lines(char *out, size_t size, const char *name,
    const struct auth_result *res, int one)
{
	size_t	i, len = 0;

	out[0] = '\0';
	if (one)
		return (auth_line(out, size, &len, name,
		    res->res_challenge[auth_challenge_md5()]) == -1 ? -1 :
		    (int)len);
	for (i = 0; i < AUTH_CHALLENGES; i++) {
		if (res->res_challenge[i][0] == '\0')
			continue;
		if (auth_line(out, size, &len, name,
		    res->res_challenge[i]) == -1)
			return (-1);
	}
	return (len);
}

/*
 * A 401 or 407 with every challenge authd made, in its order of
 * preference.  Over UDP the source may be forged, and the answer must
 * not make us an amplifier: when the whole answer would be longer than
 * the request, it carries one challenge only, MD5's (which every
 * client answers, those that prefer SHA-256 too), and nothing else we
 * could leave out.  Over TCP and TLS the handshake proved the source.
 * Over UDP the answer with one challenge is built first, and sent as
 * it is when the whole one would be too long: its length is that of
 * the short one and the difference of the challenge lines, since they
 * go in as they are.
 */
static void
auth_challenge(struct sip_req *rq, const struct auth_result *res)
{
	const char	*name = rq->rq_proxy ? "Proxy-Authenticate" :
			    "WWW-Authenticate";
	unsigned int	 status = rq->rq_proxy ? 407 : 401;
	const char	*reason = rq->rq_proxy ?
			    "Proxy Authentication Required" : "Unauthorized";
	char		 all[AUTH_CHALLENGES * (DIGEST_CHALLENGE_MAX + 32)];
	char		 one[DIGEST_CHALLENGE_MAX + 32];
	char		 buf[SIP_REPLY_MAX];
	struct sip_out	 out;
	int		 nall, none;

	if ((nall = auth_challenge_lines(all, sizeof(all), name, res,
	    0)) == -1 || (none = auth_challenge_lines(one, sizeof(one), name,
	    res, 1)) == -1) {
		req_reply(rq, 500, "Server Internal Error", NULL);
		return;
	}
	if (rq->rq_peer.sp_transport == TRANSPORT_UDP) {
		sip_out_init(&out, buf, sizeof(buf));
		if (sip_build_reply(&out, &rq->rq_peer, &rq->rq_msg, status,
		    reason, one) == 0 && out.len - none + nall >
		    rq->rq_msg.msg_len) {
			req_forward_reply(rq, out.buf, out.len);
			return;
		}
	}
	req_reply(rq, status, reason, all);
}

/*
 * A request without credentials, challenged as authd would, with a
 * nonce of its from the stock (auth_nonces.c): one challenge per
 * configured algorithm in the configured order.  -1 when authd must
 * do it: no nonce in stock, or a domain not ours.
 */
static int
auth_challenge_here(struct sip_req *rq, const char *domain)
{
	const struct conf_domain	*cd;
	struct auth_result		 res;
	char				 nonce[DIGEST_NONCE_MAX];
	uint32_t			 i;

	if ((cd = config_find_domain(listener_conf, domain)) == NULL ||
	    auth_nonces_take(nonce, sizeof(nonce)) == -1)
		return (-1);
	res.res_status = AUTH_CHALLENGE;
	res.res_address[0] = '\0';
	for (i = 0; i < AUTH_CHALLENGES; i++) {
		res.res_challenge[i][0] = '\0';
		if (i < listener_conf->c_nauth_algs &&
		    digest_challenge(res.res_challenge[i],
		    sizeof(res.res_challenge[i]), cd->cd_realm, nonce, NULL,
		    listener_conf->c_auth_algs[i], 0) == -1)
			return (-1);
	}
	auth_challenge(rq, &res);
	return (0);
}

void
auth_result(struct imsgev *iev, struct imsg *imsg)
{
	struct auth_result	 res;
	struct sip_req		*rq;

	auth_result_get(imsg, &res);
	if (imsg_get_end(imsg) == -1)
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
