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


#ifndef AUTHD_THROTTLE_H
#define AUTHD_THROTTLE_H

/*
 * Failed authentications counted per key, a string: first a growing
 * delay, then, for keys the caller gives a failure limit, a ban.  authd
 * counts per source prefix and per source and user, which are banned,
 * and per user alone, which is only slowed: a stranger who could ban a
 * user could lock anyone out.
 */

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "prefix.h"

#define THROTTLE_KEY_MAX	(IMD_ADDRESS_MAX + PREFIX_NAME_MAX) /* "src user" */
#define THROTTLE_TABLE_MAX	65536	/* default cap on records */
#define THROTTLE_FREE		3	/* failures that cost no delay */
#define THROTTLE_DELAY_BASE	250	/* ms after the first costly one */
#define THROTTLE_DELAY_CAP	2000	/* ms */

/* Defaults for callers without a configured policy. */
#define THROTTLE_FAILURES	10	/* of one user from one source */
#define THROTTLE_SOURCE_FAILURES 30	/* from one source, any users */
#define THROTTLE_WINDOW		300	/* seconds */
#define THROTTLE_BAN		900	/* seconds */

enum throttle_status {
	THROTTLE_OK,
	THROTTLE_DELAY,		/* answer only after the delay */
	THROTTLE_BANNED,
};

void	throttle_init(time_t, time_t, size_t);
int	throttle_check(const char *, time_t, unsigned int *);
int	throttle_fail(const char *, time_t, unsigned int);
void	throttle_success(const char *);
void	throttle_sweep(time_t);
size_t	throttle_size(void);

/* authd's policy over the three keys of one attempt. */
#define THROTTLE_BAN_PAIR	0x01	/* this user from this source */
#define THROTTLE_BAN_SOURCE	0x02	/* every user from this source */

int	throttle_auth_check(const char *, const char *, time_t,
	    unsigned int *, unsigned int *);
int	throttle_auth_fail(const char *, const char *, time_t);
void	throttle_auth_success(const char *, const char *);

#endif /* AUTHD_THROTTLE_H */
