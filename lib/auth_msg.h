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


#ifndef IMD_AUTH_MSG_H
#define IMD_AUTH_MSG_H

/*
 * What the listener asks authd about a request, and what authd answers:
 * bounded digest fields, never a raw SIP message, never a hash.
 */

#include <stdint.h>

#include "config.h"
#include "digest.h"

#define DIGEST_USERNAME_MAX	IMD_ADDRESS_MAX
#define DIGEST_REALM_MAX	IMD_REALM_MAX
#define DIGEST_NONCE_MAX	65
#define DIGEST_URI_MAX		1024
#define DIGEST_RESPONSE_MAX	DIGEST_HEX_MAX
#define DIGEST_ALGNAME_MAX	16
#define DIGEST_CNONCE_MAX	256
#define DIGEST_OPAQUE_MAX	128
#define DIGEST_QOP_MAX		16
#define DIGEST_NC_LEN		8	/* hex digits, exactly */
#define DIGEST_NC_MAX		(DIGEST_NC_LEN + 1)
#define DIGEST_METHOD_MAX	32
#define DIGEST_CHALLENGE_MAX	1024
#define AUTH_SOURCE_MAX		64	/* a numeric address */

struct digest_req {
	char	dr_username[DIGEST_USERNAME_MAX];
	char	dr_realm[DIGEST_REALM_MAX];
	char	dr_nonce[DIGEST_NONCE_MAX];
	char	dr_uri[DIGEST_URI_MAX];
	char	dr_response[DIGEST_RESPONSE_MAX];
	char	dr_algorithm[DIGEST_ALGNAME_MAX];	/* "": MD5 */
	char	dr_cnonce[DIGEST_CNONCE_MAX];
	char	dr_opaque[DIGEST_OPAQUE_MAX];
	char	dr_qop[DIGEST_QOP_MAX];			/* "" or "auth" */
	char	dr_nc[DIGEST_NC_MAX];
	char	dr_method[DIGEST_METHOD_MAX];
};

/* A request to authenticate, or to be challenged when ar_has_cred is 0. */
struct auth_req {
	char			ar_domain[IMD_DOMAIN_MAX];	/* whose realm */
	char			ar_source[AUTH_SOURCE_MAX];	/* for throttling */
	uint32_t		ar_has_cred;
	struct digest_req	ar_cred;
};

enum auth_status {
	AUTH_OK,		/* ar_address is who it is */
	AUTH_CHALLENGE,		/* answer 401/407 with the challenges */
	AUTH_FORBIDDEN,		/* refused for a while: 403 */
};

#define AUTH_CHALLENGES		2	/* SHA-256 first, then MD5 */
#define AUTH_NONCES_MAX		128	/* nonces in one IMSG_AUTH_NONCES */

struct auth_result {
	uint32_t	res_status;
	char		res_address[IMD_ADDRESS_MAX];
	char		res_challenge[AUTH_CHALLENGES][DIGEST_CHALLENGE_MAX];
};

struct ibuf;
struct imsg;

int	auth_req_add(struct ibuf *, const struct auth_req *);
int	auth_req_get(struct imsg *, struct auth_req *);
int	auth_result_add(struct ibuf *, const struct auth_result *);
int	auth_result_get(struct imsg *, struct auth_result *);

#endif /* IMD_AUTH_MSG_H */
