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
 * The parent makes the user records dirdb stores, for imctl's user add,
 * user passwd and user import: an address of a domain we serve, and the
 * HA1 values under that domain's realm, made from a password or brought
 * ready from another server that used the same realm.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "digest.h"
#include "imd.h"
#include "imd_msg.h"
#include "user.h"

static int	is_ha1(const char *, size_t);
static void	lowercase(char *);

struct conf_domain *
user_domain(const char *address, char *local, size_t localsize,
    enum ctl_status *status, char *msg, size_t msgsize)
{
	struct conf_domain	*cd;
	char			 domain[IMD_DOMAIN_MAX];

	if (!is_valid_address(address) || address_split(address, local,
	    localsize, domain, sizeof(domain)) == -1) {
		snprintf(msg, msgsize, "malformed address: %.200s", address);
		*status = CTL_BADADDR;
		return (NULL);
	}
	if ((cd = config_find_domain(imd_conf, domain)) == NULL) {
		snprintf(msg, msgsize, "unknown domain: %.200s", domain);
		*status = CTL_BADDOMAIN;
		return (NULL);
	}
	return (cd);
}

/* Addresses are compared without case: store one spelling. */
static void
lowercase(char *s)
{
	for (; *s != '\0'; s++)
		*s = tolower((unsigned char)*s);
}

/* "" for none, or len hex digits of either case. */
static int
is_ha1(const char *s, size_t len)
{
	size_t	i, n = strlen(s);

	if (n == 0)
		return (1);
	if (n != len)
		return (0);
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return (0);
	return (1);
}

/*
 * HA1 values are only good under the realm they were made with: a
 * record whose realm is not its domain's would never log in, so it is
 * refused rather than stored.
 */
static enum ctl_status
user_ready_ha1(const struct conf_domain *cd, const char *realm,
    const char *md5, const char *sha256, struct user_rec *u, char *msg,
    size_t msgsize)
{
	if (strcmp(realm, cd->cd_realm) != 0) {
		snprintf(msg, msgsize, "realm is not %.200s, the realm of "
		    "the domain", cd->cd_realm);
		return (CTL_BADPASS);
	}
	if ((*md5 == '\0' && *sha256 == '\0') ||
	    !is_ha1(md5, USER_HA1_MD5_LEN) ||
	    !is_ha1(sha256, USER_HA1_SHA256_LEN)) {
		snprintf(msg, msgsize, "malformed HA1 values");
		return (CTL_BADPASS);
	}
	strlcpy(u->u_ha1_md5, md5, sizeof(u->u_ha1_md5));
	strlcpy(u->u_ha1_sha256, sha256, sizeof(u->u_ha1_sha256));
	lowercase(u->u_ha1_md5);
	lowercase(u->u_ha1_sha256);
	return (CTL_OK);
}

/* The digest user name is the local part, the realm the domain's. */
static enum ctl_status
user_password_ha1(const struct conf_domain *cd, const char *local,
    const char *password, struct user_rec *u, char *msg, size_t msgsize)
{
	if (*password == '\0') {
		snprintf(msg, msgsize, "empty password");
		return (CTL_BADPASS);
	}
	if (digest_ha1(DIGEST_MD5, local, cd->cd_realm, password,
	    u->u_ha1_md5, sizeof(u->u_ha1_md5)) == -1 ||
	    digest_ha1(DIGEST_SHA256, local, cd->cd_realm, password,
	    u->u_ha1_sha256, sizeof(u->u_ha1_sha256)) == -1) {
		snprintf(msg, msgsize, "cannot compute digest");
		return (CTL_ERROR);
	}
	return (CTL_OK);
}

/*
 * A record from an address and a password, or, when the password is
 * NULL, from the realm and HA1 values given.  On failure msg says why.
 */
enum ctl_status
user_make(const char *address, const char *password, const char *realm,
    const char *md5, const char *sha256, struct user_rec *u, char *msg,
    size_t msgsize)
{
	struct conf_domain	*cd;
	char			 local[IMD_LOCALPART_MAX];
	enum ctl_status		 status;

	memset(u, 0, sizeof(*u));
	if ((cd = user_domain(address, local, sizeof(local), &status, msg,
	    msgsize)) == NULL)
		return (status);
	lowercase(local);
	snprintf(u->u_address, sizeof(u->u_address), "%s@%s", local,
	    cd->cd_name);
	strlcpy(u->u_realm, cd->cd_realm, sizeof(u->u_realm));
	strlcpy(u->u_mail, u->u_address, sizeof(u->u_mail));
	u->u_created = time(NULL);
	if (password != NULL)
		status = user_password_ha1(cd, local, password, u, msg,
		    msgsize);
	else
		status = user_ready_ha1(cd, realm, md5, sha256, u, msg,
		    msgsize);
	if (status != CTL_OK)
		explicit_bzero(u, sizeof(*u));
	return (status);
}
