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


#ifndef IMD_BINDING_H
#define IMD_BINDING_H

/*
 * A binding of the location service (RFC 3261 10): where a user can be
 * reached now.  The registrar in the listener makes them, dirdb keeps
 * them and sweeps them when they expire.
 */

#include <sys/socket.h>

#include <stdint.h>

#include "config.h"

/*
 * Each with its NUL.  RFC 3261 bounds none of them; these leave room to
 * spare for every user agent seen.  The registrar refuses a REGISTER
 * past one with a reason that names the field.  On disk each is a
 * counted string (dirdb/binding_store.c): growing them needs no new
 * record version.
 */
#define BINDING_CONTACT_MAX	513	/* contact URI: 512 bytes */
#define BINDING_CALLID_MAX	257	/* Call-ID: 256 bytes */
#define BINDING_UA_MAX		257	/* User-Agent: 256 bytes */
#define BINDING_MAX_PER_USER	16

struct binding_rec {
	char		b_address[IMD_ADDRESS_MAX];	/* the user, lower case */
	char		b_contact[BINDING_CONTACT_MAX];	/* URI, as registered */
	struct sockaddr_storage b_src;			/* where it came from */
	uint32_t	b_srclen;
	uint32_t	b_transport;			/* enum imd_transport */
	uint64_t	b_conn;		/* stream connection id, 0 for udp */
	uint64_t	b_expires;	/* absolute, seconds since the epoch */
	int32_t		b_q;		/* thousandths, -1 when absent */
	char		b_callid[BINDING_CALLID_MAX];
	uint32_t	b_cseq;
	char		b_ua[BINDING_UA_MAX];		/* User-Agent */
};

struct ibuf;
struct imsg;

int	binding_msg_add(struct ibuf *, const struct binding_rec *);
int	binding_msg_get(struct imsg *, struct binding_rec *);

#endif /* IMD_BINDING_H */
