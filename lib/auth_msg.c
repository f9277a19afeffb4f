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


/* The authentication messages between the listener and authd. */

#include <string.h>

#include "auth_msg.h"
#include "imsg.h"

static int
digest_req_add(struct ibuf *buf, const struct digest_req *dr)
{
	if (ibuf_add_str(buf, dr->dr_username, sizeof(dr->dr_username)) ==
	    -1 || ibuf_add_str(buf, dr->dr_realm, sizeof(dr->dr_realm)) == -1 ||
	    ibuf_add_str(buf, dr->dr_nonce, sizeof(dr->dr_nonce)) == -1 ||
	    ibuf_add_str(buf, dr->dr_uri, sizeof(dr->dr_uri)) == -1 ||
	    ibuf_add_str(buf, dr->dr_response, sizeof(dr->dr_response)) ==
	    -1 ||
	    ibuf_add_str(buf, dr->dr_algorithm, sizeof(dr->dr_algorithm)) ==
	    -1 || ibuf_add_str(buf, dr->dr_cnonce, sizeof(dr->dr_cnonce)) ==
	    -1 || ibuf_add_str(buf, dr->dr_opaque, sizeof(dr->dr_opaque)) ==
	    -1 || ibuf_add_str(buf, dr->dr_qop, sizeof(dr->dr_qop)) == -1 ||
	    ibuf_add_str(buf, dr->dr_nc, sizeof(dr->dr_nc)) == -1 ||
	    ibuf_add_str(buf, dr->dr_method, sizeof(dr->dr_method)) == -1)
		return (-1);
	return (0);
}

static int
digest_req_get(struct imsg *imsg, struct digest_req *dr)
{
	imsg_get_str(imsg, dr->dr_username, sizeof(dr->dr_username));
	imsg_get_str(imsg, dr->dr_realm, sizeof(dr->dr_realm));
	imsg_get_str(imsg, dr->dr_nonce, sizeof(dr->dr_nonce));
	imsg_get_str(imsg, dr->dr_uri, sizeof(dr->dr_uri));
	imsg_get_str(imsg, dr->dr_response, sizeof(dr->dr_response));
	imsg_get_str(imsg, dr->dr_algorithm, sizeof(dr->dr_algorithm));
	imsg_get_str(imsg, dr->dr_cnonce, sizeof(dr->dr_cnonce));
	imsg_get_str(imsg, dr->dr_opaque, sizeof(dr->dr_opaque));
	imsg_get_str(imsg, dr->dr_qop, sizeof(dr->dr_qop));
	imsg_get_str(imsg, dr->dr_nc, sizeof(dr->dr_nc));
	imsg_get_str(imsg, dr->dr_method, sizeof(dr->dr_method));
	return (imsg_get_error(imsg));
}

int
auth_req_add(struct ibuf *buf, const struct auth_req *ar)
{
	if (ibuf_add_str(buf, ar->ar_domain, sizeof(ar->ar_domain)) == -1 ||
	    ibuf_add_str(buf, ar->ar_source, sizeof(ar->ar_source)) == -1 ||
	    ibuf_add_u32(buf, ar->ar_has_cred) == -1)
		return (-1);
	if (ar->ar_has_cred)
		return (digest_req_add(buf, &ar->ar_cred));
	return (0);
}

/* Every field empty, without writing all of their bytes. */
static void
digest_req_clear(struct digest_req *dr)
{
	dr->dr_username[0] = dr->dr_realm[0] = dr->dr_nonce[0] = '\0';
	dr->dr_uri[0] = dr->dr_response[0] = dr->dr_algorithm[0] = '\0';
	dr->dr_cnonce[0] = dr->dr_opaque[0] = dr->dr_qop[0] = '\0';
	dr->dr_nc[0] = dr->dr_method[0] = '\0';
}

/*
 * The caller checks the end of the payload.  Each string is set whole
 * by its decoder (emptied on error), so the record is not zeroed first:
 * that was most of the cost of decoding it.
 */
int
auth_req_get(struct imsg *imsg, struct auth_req *ar)
{
	ar->ar_has_cred = 0;
	digest_req_clear(&ar->ar_cred);
	imsg_get_str(imsg, ar->ar_domain, sizeof(ar->ar_domain));
	imsg_get_str(imsg, ar->ar_source, sizeof(ar->ar_source));
	imsg_get_u32(imsg, &ar->ar_has_cred);
	if (ar->ar_has_cred > 1)
		imsg_set_error(imsg);
	if (imsg_get_error(imsg) == -1)
		return (-1);
	if (ar->ar_has_cred)
		return (digest_req_get(imsg, &ar->ar_cred));
	return (0);
}

int
auth_result_add(struct ibuf *buf, const struct auth_result *res)
{
	int	i;

	if (ibuf_add_u32(buf, res->res_status) == -1 ||
	    ibuf_add_str(buf, res->res_address, sizeof(res->res_address)) == -1)
		return (-1);
	for (i = 0; i < AUTH_CHALLENGES; i++)
		if (ibuf_add_str(buf, res->res_challenge[i],
		    sizeof(res->res_challenge[i])) == -1)
			return (-1);
	return (0);
}

int
auth_result_get(struct imsg *imsg, struct auth_result *res)
{
	int	i;

	imsg_get_u32(imsg, &res->res_status);
	imsg_get_str(imsg, res->res_address, sizeof(res->res_address));
	for (i = 0; i < AUTH_CHALLENGES; i++)
		imsg_get_str(imsg, res->res_challenge[i],
		    sizeof(res->res_challenge[i]));
	if (res->res_status > AUTH_FORBIDDEN)
		imsg_set_error(imsg);
	return (imsg_get_error(imsg));
}
