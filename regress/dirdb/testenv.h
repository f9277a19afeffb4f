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


#ifndef REGRESS_DIRDB_TESTENV_H
#define REGRESS_DIRDB_TESTENV_H

/*
 * What the dirdb store tests share: a fresh Berkeley DB environment in
 * a temporary directory, removed at exit; the store's log in a file of
 * its own; a socketpair to carry one message across; and a child
 * killed right after its writes.
 */

#include <limits.h>
#include <stddef.h>

#include "imsg.h"

extern char	testenv_dir[PATH_MAX];
extern char	testenv_log[PATH_MAX];

void		 testenv_setup(const char *);
const char	*testenv_path(char *, size_t, const char *);
void		 testenv_pair(int *, struct imsgbuf *, struct imsgbuf *);
int		 testenv_send(struct imsgbuf *, struct imsgbuf *, const void *,
		    size_t, struct imsg *);
int		 testenv_killed(int (*)(void));

#endif /* REGRESS_DIRDB_TESTENV_H */
