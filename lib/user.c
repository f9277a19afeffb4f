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

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "imsg.h"
#include "user.h"

#define DOMAIN_LABEL_MAX	63	/* octets of one label */

/*
 * The address rules are deliberately narrower than RFC 5321 allows: a
 * local part is a dot-atom of letters, digits and "._+-", a domain is a
 * host name.  Anything wider would have to be quoted or escaped in SIP
 * URIs, log lines and database keys, and no user needs it.
 */

/* ASCII only: the answer must not depend on the locale. */
static int
is_alnum(unsigned char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'));
}

static int
is_local_char(unsigned char c)
{
	return (is_alnum(c) || c == '.' || c == '_' || c == '-' || c == '+');
}

/* No leading, trailing or doubled dot, as in an RFC 5321 dot-atom. */
static int
is_valid_localpart(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > IMD_LOCALPART_MAX - 1)
		return (0);
	if (s[0] == '.' || s[len - 1] == '.')
		return (0);
	for (i = 0; i < len; i++) {
		if (!is_local_char(s[i]))
			return (0);
		if (s[i] == '.' && s[i + 1] == '.')
			return (0);
	}
	return (1);
}

/* RFC 1123 host name: labels of letters, digits and inner hyphens. */
static int
is_valid_domain(const char *s, size_t len)
{
	size_t	i, label = 0;

	if (len == 0 || len > IMD_DOMAIN_MAX - 1)
		return (0);
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return (0);
			label = 0;
			continue;
		}
		if (!is_alnum(s[i]) && (s[i] != '-' || label == 0))
			return (0);
		if (++label > DOMAIN_LABEL_MAX)
			return (0);
	}
	return (label > 0 && s[len - 1] != '-');
}

int
is_valid_address(const char *address)
{
	const char	*at;
	size_t		 len;

	len = strnlen(address, IMD_ADDRESS_MAX);
	if (len == IMD_ADDRESS_MAX)
		return (0);
	if ((at = strchr(address, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return (0);
	return (is_valid_localpart(address, at - address) &&
	    is_valid_domain(at + 1, len - (at - address) - 1));
}

/*
 * Addresses compare without case: one spelling, the lower case, is
 * kept and sent.  -1, and the address untouched, when it is not one.
 */
int
address_lower(char *address)
{
	char	*p;

	if (!is_valid_address(address))
		return (-1);
	for (p = address; *p != '\0'; p++)
		*p = tolower((unsigned char)*p);
	return (0);
}

/*
 * Copy the two halves of a valid address; a buffer too small is an
 * error, not a truncation.
 */
int
address_split(const char *address, char *local, size_t localsize,
    char *domain, size_t domainsize)
{
	const char	*at;
	size_t		 len;

	if (localsize > 0)
		local[0] = '\0';
	if (domainsize > 0)
		domain[0] = '\0';
	if (!is_valid_address(address))
		return (-1);
	at = strchr(address, '@');
	len = at - address;
	if (len >= localsize || strlen(at + 1) >= domainsize)
		return (-1);
	memcpy(local, address, len);
	local[len] = '\0';
	strlcpy(domain, at + 1, domainsize);
	return (0);
}

int
user_msg_add(struct ibuf *buf, const struct user_rec *u)
{
	if (ibuf_add_str(buf, u->u_address, sizeof(u->u_address)) == -1 ||
	    ibuf_add_str(buf, u->u_realm, sizeof(u->u_realm)) == -1 ||
	    ibuf_add_str(buf, u->u_ha1_md5, sizeof(u->u_ha1_md5)) == -1 ||
	    ibuf_add_str(buf, u->u_ha1_sha256,
	    sizeof(u->u_ha1_sha256)) == -1 ||
	    ibuf_add_str(buf, u->u_mail, sizeof(u->u_mail)) == -1 ||
	    ibuf_add_u64(buf, u->u_created) == -1 ||
	    ibuf_add_u32(buf, u->u_flags) == -1)
		return (-1);
	return (0);
}

/*
 * The caller checks imsg_get_end(): a record may be followed by more
 * fields in some messages.  A partial record is wiped, since the HA1
 * values are as good as a password to anyone who holds them.
 */
int
user_msg_get(struct imsg *imsg, struct user_rec *u)
{
	memset(u, 0, sizeof(*u));
	imsg_get_str(imsg, u->u_address, sizeof(u->u_address));
	imsg_get_str(imsg, u->u_realm, sizeof(u->u_realm));
	imsg_get_str(imsg, u->u_ha1_md5, sizeof(u->u_ha1_md5));
	imsg_get_str(imsg, u->u_ha1_sha256, sizeof(u->u_ha1_sha256));
	imsg_get_str(imsg, u->u_mail, sizeof(u->u_mail));
	imsg_get_u64(imsg, &u->u_created);
	imsg_get_u32(imsg, &u->u_flags);
	if (imsg_get_error(imsg) == -1) {
		explicit_bzero(u, sizeof(*u));
		return (-1);
	}
	return (0);
}
