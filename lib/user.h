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


#ifndef IMD_USER_H
#define IMD_USER_H

/*
 * A user of the directory: an address, digest HA1 values under the
 * realm of the user's domain, never a password.
 */

#include <stdint.h>

#include "config.h"

#define USER_HA1_MD5_LEN	32	/* hex digits */
#define USER_HA1_SHA256_LEN	64

#define USER_F_DISABLED		0x0001

struct user_rec {
	char		u_address[IMD_ADDRESS_MAX];	/* local@domain */
	char		u_realm[IMD_REALM_MAX];
	char		u_ha1_md5[USER_HA1_MD5_LEN + 1];
	char		u_ha1_sha256[USER_HA1_SHA256_LEN + 1];
	char		u_mail[IMD_ADDRESS_MAX];	/* mail address */
	uint64_t	u_created;			/* seconds */
	uint32_t	u_flags;
};

struct ibuf;
struct imsg;

int	user_msg_add(struct ibuf *, const struct user_rec *);
int	user_msg_get(struct imsg *, struct user_rec *);
int	address_split(const char *, char *, size_t, char *, size_t);
int	is_valid_address(const char *);
int	address_lower(char *);

#endif /* IMD_USER_H */
