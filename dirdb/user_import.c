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
 * imctl user import and export, through the parent.  An import comes as
 * batches: the records of a batch one message each, then its end, which
 * says whether to check the batch (is any of these users there?) or to
 * write it, all in one transaction.  An export goes a page at a time,
 * each page asked for after the last address of the one before, so
 * neither dirdb nor the parent ever holds more than a page.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dirdb.h"
#include "imd_msg.h"
#include "imsg.h"
#include "log.h"
#include "proc.h"
#include "store.h"
#include "user.h"

static struct user_rec	*import_users;	/* CTL_IMPORT_BATCH of them */
static uint32_t		 import_lines[CTL_IMPORT_BATCH];
static size_t		 import_n;

static void	import_bad(struct imsgev *, uint32_t, uint32_t,
		    enum ctl_status, const char *);
static size_t	import_check(struct imsgev *, uint32_t);
static size_t	import_write(struct imsgev *, uint32_t);
static void	import_forget(void);
static int	export_one(const struct user_rec *, void *);

/* The parent keeps a batch within CTL_IMPORT_BATCH: more is its bug. */
void
user_import_item(struct imsgev *iev, struct imsg *imsg)
{
	uint32_t	line;

	if (import_users == NULL && (import_users = calloc(CTL_IMPORT_BATCH,
	    sizeof(*import_users))) == NULL)
		fatal("%s", __func__);
	if (import_n == CTL_IMPORT_BATCH)
		proc_fatal_imsg(iev, imsg, "import batch too long");
	imsg_get_u32(imsg, &line);
	user_msg_get(imsg, &import_users[import_n]);
	if (imsg_get_end(imsg) == -1 ||
	    !is_valid_address(import_users[import_n].u_address))
		proc_fatal_imsg(iev, imsg, "import record");
	import_lines[import_n++] = line;
}

void
user_import_end(struct imsgev *iev, struct imsg *imsg)
{
	uint32_t	id = imsg->hdr.ih_peerid, write;
	size_t		bad;

	imsg_get_u32(imsg, &write);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "import end");
	bad = write ? import_write(iev, id) : import_check(iev, id);
	if (bad == 0 && write)
		log_info("users: %zu imported", import_n);
	import_forget();
	dirdb_result(iev, id, bad == 0 ? CTL_OK : CTL_ERROR, "%s",
	    bad == 0 ? "" : "users refused");
}

static void
import_bad(struct imsgev *iev, uint32_t id, uint32_t line,
    enum ctl_status status, const char *why)
{
	struct ibuf	*buf;

	if ((buf = imsgev_create(iev, IMSG_DB_USER_BAD, id, 128)) == NULL ||
	    ibuf_add_u32(buf, line) == -1 ||
	    ibuf_add_u32(buf, status) == -1 ||
	    ibuf_add_str(buf, why, CTL_MESSAGE_MAX) == -1 ||
	    imsgev_close(iev, buf) == -1)
		fatal("%s", __func__);
}

/* Every user of the batch that is there already, by its line. */
static size_t
import_check(struct imsgev *iev, uint32_t id)
{
	struct user_rec	u;
	size_t		i, bad = 0;

	for (i = 0; i < import_n; i++) {
		switch (store_user_get(import_users[i].u_address, &u)) {
		case STORE_NOTFOUND:
			continue;
		case STORE_OK:
			import_bad(iev, id, import_lines[i], CTL_EXISTS,
			    "user exists");
			break;
		default:
			import_bad(iev, id, import_lines[i], CTL_ERROR,
			    "database error");
		}
		bad++;
	}
	explicit_bzero(&u, sizeof(u));
	return (bad);
}

/*
 * The batch goes in whole or not at all.  authd may hold an HA1 for
 * none of these users: a user that existed makes the whole batch fail,
 * so there is nothing for it to forget.
 */
static size_t
import_write(struct imsgev *iev, uint32_t id)
{
	size_t	at;

	switch (store_user_add_many(import_users, import_n, &at)) {
	case STORE_OK:
		return (0);
	case STORE_EXISTS:
		import_bad(iev, id, import_lines[at], CTL_EXISTS,
		    "user exists");
		break;
	default:
		import_bad(iev, id, import_lines[at], CTL_ERROR,
		    "database error");
	}
	return (1);
}

static void
import_forget(void)
{
	if (import_users != NULL)
		explicit_bzero(import_users, import_n * sizeof(*import_users));
	import_n = 0;
}

struct export_page {
	struct imsgev	*ep_iev;
	uint32_t	 ep_id;
};

static int
export_one(const struct user_rec *u, void *arg)
{
	struct export_page	*ep = arg;
	struct ibuf		*buf;

	if ((buf = imsgev_create(ep->ep_iev, IMSG_DB_USER_RECORD, ep->ep_id,
	    sizeof(*u))) == NULL || user_msg_add(buf, u) == -1 ||
	    imsgev_close(ep->ep_iev, buf) == -1)
		fatal("%s", __func__);
	return (0);
}

void
user_export(struct imsgev *iev, struct imsg *imsg)
{
	struct export_page	ep = { iev, imsg->hdr.ih_peerid };
	char			after[IMD_ADDRESS_MAX];
	size_t			n;

	imsg_get_str(imsg, after, sizeof(after));
	if (imsg_get_end(imsg) == -1 ||
	    (after[0] != '\0' && !is_valid_address(after)))
		proc_fatal_imsg(iev, imsg, "export");
	if (store_user_page(after, CTL_IMPORT_BATCH, export_one, &ep, &n) !=
	    STORE_OK) {
		dirdb_result(iev, ep.ep_id, CTL_ERROR, "database error%s", "");
		return;
	}
	imsgev_compose(iev, IMSG_DB_USER_END, ep.ep_id, -1, NULL, 0);
}
