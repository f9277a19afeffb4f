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
 * Tests of dirdb/pstore_requests.c, TAP on standard output: the listener's
 * PSTORE_PUT, DEL and LOAD through a socketpair, answered by the real
 * handlers in an event loop, with the store under them.  A load of
 * 100,000 rows comes whole, in order, while dirdb's queue to the
 * listener stays bounded and a PUT sent meanwhile is answered before
 * the load ends; malformed requests stop the process.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <err.h>
#include <event.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dirdb.h"
#include "imd_msg.h"
#include "imsg.h"
#include "proc.h"
#include "pstore.h"
#include "store.h"
#include "tap.h"
#include "testenv.h"

#define BIGROWS		100000
/* What dirdb may queue: its mark, one item over it, and slack. */
#define QUEUE_BOUND	(2 * 1024 * 1024)

/* What one load brought back. */
struct load {
	size_t		ld_items;
	int		ld_sorted;	/* each key after the one before */
	int		ld_tagged;	/* each item had the id and table */
	int		ld_ended;
	int		ld_done_seen;	/* a DONE came before the END */
	char		ld_last[PSTORE_KEY_MAX];
	size_t		ld_maxq;	/* most bytes dirdb had queued */
};

static struct imsgev	dirdb_iev;	/* dirdb's end */
static struct imsgbuf	lsn;		/* the listener's end */

static void	send_req(uint32_t, uint32_t, uint32_t, const char *,
		    const void *, size_t);
static int	next_reply(struct imsg *);
static int	done_of(uint32_t);
static void	load_item(struct load *, struct imsg *, uint32_t, uint32_t);
static void	load_run(struct load *, uint32_t, uint32_t, int);
static void	test_put_del(void);
static void	test_load_small(void);
static void	test_load_big(void);
static void	test_two_loads(void);
static int	killed_by(uint32_t, uint32_t, const char *, uint32_t);
static void	test_malformed(void);

/* key NULL: a LOAD; val NULL: a DEL. */
static void
send_req(uint32_t type, uint32_t id, uint32_t table, const char *key,
    const void *val, size_t len)
{
	struct ibuf	*buf;

	if ((buf = imsg_create(&lsn, type, id, len + 600)) == NULL ||
	    ibuf_add_u32(buf, table) == -1 ||
	    (key != NULL && ibuf_add_str(buf, key, PSTORE_KEY_MAX) == -1) ||
	    (val != NULL && (ibuf_add_u32(buf, len) == -1 ||
	    ibuf_add_data(buf, val, len) == -1)) ||
	    imsg_close(&lsn, buf) == -1 || imsgbuf_flush(&lsn) == -1)
		err(1, "send");
}

/* Turn dirdb's loop until the listener's end holds a message. */
static int
next_reply(struct imsg *imsg)
{
	struct pollfd	pfd;
	int		r, spins;

	for (spins = 0; spins < 1000; spins++) {
		if ((r = imsg_get(&lsn, imsg)) != 0)
			return (r);
		event_loop(EVLOOP_NONBLOCK);
		pfd.fd = lsn.ib_fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 10) == 1 && imsgbuf_read(&lsn) == 0)
			return (0);
	}
	return (0);
}

/* The answer to request id: 1 ok, 0 failed, -1 none or another. */
static int
done_of(uint32_t id)
{
	struct imsg	imsg;
	uint32_t	ok;
	int		r = -1;

	if (next_reply(&imsg) != 1)
		return (-1);
	if (imsg.hdr.ih_type == IMSG_DB_PSTORE_DONE &&
	    imsg.hdr.ih_peerid == id && imsg_get_u32(&imsg, &ok) == 0 &&
	    imsg_get_end(&imsg) == 0 && ok <= 1)
		r = ok;
	imsg_free(&imsg);
	return (r);
}

static void
load_item(struct load *ld, struct imsg *imsg, uint32_t id, uint32_t table)
{
	static unsigned char	val[PSTORE_VALUE_MAX];
	char			key[PSTORE_KEY_MAX];
	uint32_t		t, len;

	if (imsg->hdr.ih_peerid != id || imsg_get_u32(imsg, &t) == -1 ||
	    t != table || imsg_get_str(imsg, key, sizeof(key)) == -1 ||
	    imsg_get_u32(imsg, &len) == -1 || len > sizeof(val) ||
	    imsg_get_data(imsg, val, len) == -1 || imsg_get_end(imsg) == -1) {
		ld->ld_tagged = 0;
		return;
	}
	if (ld->ld_items > 0 && strcmp(ld->ld_last, key) >= 0)
		ld->ld_sorted = 0;
	strlcpy(ld->ld_last, key, sizeof(ld->ld_last));
	ld->ld_items++;
}

/*
 * The items of load id up to its END; with put_midway, a PUT goes
 * out after the first item and its DONE is looked for before the END.
 */
static void
load_run(struct load *ld, uint32_t id, uint32_t table, int put_midway)
{
	struct imsg	imsg;
	uint32_t	t;

	memset(ld, 0, sizeof(*ld));
	ld->ld_sorted = ld->ld_tagged = 1;
	while (!ld->ld_ended && next_reply(&imsg) == 1) {
		if (dirdb_iev.iev_ibuf.ib_queued > ld->ld_maxq)
			ld->ld_maxq = dirdb_iev.iev_ibuf.ib_queued;
		if (imsg.hdr.ih_type == IMSG_DB_PSTORE_ITEM)
			load_item(ld, &imsg, id, table);
		else if (imsg.hdr.ih_type == IMSG_DB_PSTORE_DONE &&
		    imsg.hdr.ih_peerid == 999)
			ld->ld_done_seen = 1;
		else if (imsg.hdr.ih_type == IMSG_DB_PSTORE_END)
			ld->ld_ended = imsg.hdr.ih_peerid == id &&
			    imsg_get_u32(&imsg, &t) == 0 && t == table &&
			    imsg_get_end(&imsg) == 0 ? 1 : -1;
		else
			ld->ld_tagged = 0;
		imsg_free(&imsg);
		if (put_midway && ld->ld_items == 1) {
			send_req(IMSG_DB_PSTORE_PUT, 999, PSTORE_AUTHZ,
			    "midway", "v", 1);
			put_midway = 0;
		}
	}
}

static void
test_put_del(void)
{
	unsigned char	*big;

	if ((big = calloc(1, PSTORE_VALUE_MAX)) == NULL)
		err(1, NULL);
	send_req(IMSG_DB_PSTORE_PUT, 1, PSTORE_DOCS, "alice@x.test", "doc", 3);
	TAP_OK(done_of(1) == 1, "PUT answered DONE 1 under its id");
	send_req(IMSG_DB_PSTORE_PUT, 2, PSTORE_DOCS, "bob@x.test", big,
	    PSTORE_VALUE_MAX);
	TAP_OK(done_of(2) == 1, "PUT of the largest value");
	send_req(IMSG_DB_PSTORE_DEL, 3, PSTORE_DOCS, "bob@x.test", NULL, 0);
	TAP_OK(done_of(3) == 1, "DEL answered DONE 1");
	send_req(IMSG_DB_PSTORE_DEL, 4, PSTORE_DOCS, "nobody@x.test", NULL,
	    0);
	TAP_OK(done_of(4) == 1, "DEL of a missing key answered DONE 1");
	send_req(IMSG_DB_PSTORE_PUT, 5, PSTORE_DOCS, "carol@x.test", big,
	    PSTORE_VALUE_MAX);
	send_req(IMSG_DB_PSTORE_DEL, 6, PSTORE_DOCS, "carol@x.test", NULL, 0);
	TAP_OK(done_of(5) == 1 && done_of(6) == 1,
	    "two requests at once, answered in order");
	free(big);
}

static void
test_load_small(void)
{
	struct load	ld;

	send_req(IMSG_DB_PSTORE_LOAD, 10, PSTORE_DOCS, NULL, NULL, 0);
	load_run(&ld, 10, PSTORE_DOCS, 0);
	TAP_OK(ld.ld_ended == 1 && ld.ld_items == 1 && ld.ld_tagged &&
	    strcmp(ld.ld_last, "alice@x.test") == 0,
	    "LOAD gives the one row, then END, all under its id");
	send_req(IMSG_DB_PSTORE_LOAD, 11, PSTORE_SUBS, NULL, NULL, 0);
	load_run(&ld, 11, PSTORE_SUBS, 0);
	TAP_OK(ld.ld_ended == 1 && ld.ld_items == 0,
	    "LOAD of an empty table gives END alone");
}

static void
test_load_big(void)
{
	struct load	ld;
	char		key[64], val[200];
	size_t		i, fails = 0;

	memset(val, 'p', sizeof(val));
	for (i = 0; i < BIGROWS; i++) {
		snprintf(key, sizeof(key), "w%06zu@big.test",
		    i * 7919 % BIGROWS);
		if (store_pstore_put(PSTORE_SUBS, key, val, sizeof(val)) !=
		    STORE_OK)
			fails++;
	}
	TAP_OK(fails == 0 && store_sync() == 0, "%d rows stored", BIGROWS);
	send_req(IMSG_DB_PSTORE_LOAD, 20, PSTORE_SUBS, NULL, NULL, 0);
	load_run(&ld, 20, PSTORE_SUBS, 1);
	TAP_OK(ld.ld_ended == 1 && ld.ld_items == BIGROWS && ld.ld_sorted &&
	    ld.ld_tagged, "LOAD gives the %zu rows in key order, then END",
	    ld.ld_items);
	TAP_OK(ld.ld_done_seen, "a PUT sent during the load is answered "
	    "before it ends");
	TAP_OK(ld.ld_maxq < QUEUE_BOUND, "dirdb never queued more than %zu "
	    "bytes for the listener (%zu)", (size_t)QUEUE_BOUND, ld.ld_maxq);
}

static void
test_two_loads(void)
{
	struct load	a, b;

	send_req(IMSG_DB_PSTORE_LOAD, 30, PSTORE_AUTHZ, NULL, NULL, 0);
	send_req(IMSG_DB_PSTORE_LOAD, 31, PSTORE_DOCS, NULL, NULL, 0);
	load_run(&a, 30, PSTORE_AUTHZ, 0);
	load_run(&b, 31, PSTORE_DOCS, 0);
	TAP_OK(a.ld_ended == 1 && a.ld_items == 1 && a.ld_tagged &&
	    strcmp(a.ld_last, "midway") == 0 && b.ld_ended == 1 &&
	    b.ld_items == 1 && b.ld_tagged,
	    "two loads asked at once come one after the other");
}

/* A child hands one request to the handlers: did it stop? */
static int
killed_by(uint32_t type, uint32_t table, const char *key, uint32_t len)
{
	struct imsgbuf	wb, rb;
	struct imsg	imsg;
	struct ibuf	*buf;
	pid_t		pid;
	int		sv[2], status;

	fflush(stdout);
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		testenv_pair(sv, &wb, &rb);
		if ((buf = imsg_create(&wb, type, 1, 64)) == NULL ||
		    ibuf_add_u32(buf, table) == -1 ||
		    (key != NULL && ibuf_add_data(buf, key,
		    strlen(key) + 1) == -1) ||
		    (len != UINT32_MAX && ibuf_add_u32(buf, len) == -1) ||
		    imsg_close(&wb, buf) == -1 || imsgbuf_flush(&wb) == -1)
			_exit(2);
		while (imsg_get(&rb, &imsg) == 0)
			if (imsgbuf_read(&rb) <= 0)
				_exit(3);
		presence_dispatch(&dirdb_iev, &imsg);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) == -1)
		err(1, "waitpid");
	return (WIFEXITED(status) && WEXITSTATUS(status) == 1);
}

static void
test_malformed(void)
{
	TAP_OK(killed_by(IMSG_DB_PSTORE_PUT, PSTORE_TABLES, "k", 0),
	    "PUT to a table beyond the last stops dirdb");
	TAP_OK(killed_by(IMSG_DB_PSTORE_PUT, PSTORE_DOCS, "", 0),
	    "PUT with an empty key stops dirdb");
	TAP_OK(killed_by(IMSG_DB_PSTORE_PUT, PSTORE_DOCS, "k", 5),
	    "PUT whose value is shorter than its length stops dirdb");
	TAP_OK(killed_by(IMSG_DB_PSTORE_PUT, PSTORE_DOCS, "k", UINT32_MAX),
	    "PUT without a length stops dirdb");
	TAP_OK(killed_by(IMSG_DB_PSTORE_DEL, PSTORE_DOCS, "k", 0),
	    "DEL with bytes after the key stops dirdb");
	TAP_OK(killed_by(IMSG_DB_PSTORE_DEL, 7, "k", UINT32_MAX),
	    "DEL of a table beyond the last stops dirdb");
	TAP_OK(killed_by(IMSG_DB_PSTORE_LOAD, 3, NULL, UINT32_MAX),
	    "LOAD of a table beyond the last stops dirdb");
	TAP_OK(!killed_by(IMSG_DB_PSTORE_DEL, PSTORE_DOCS, "k", UINT32_MAX),
	    "a good DEL does not");
}

int
main(void)
{
	int	sv[2];

	testenv_setup("presence");
	TAP_OK(store_open(testenv_dir) == 0, "open a fresh environment");
	if (event_init() == NULL)
		errx(1, "event_init");
	store_group_commit(1);
	proc_before_write(store_sync);
	presence_init();
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    fcntl(sv[1], F_SETFL, O_NONBLOCK) == -1)
		err(1, "socketpair");
	if (imsgev_init(&dirdb_iev, sv[0], PROC_LISTENER,
	    presence_dispatch) == -1 ||
	    imsgbuf_init(&lsn, sv[1]) == -1)
		err(1, "imsgev_init");
	imsgev_update(&dirdb_iev);
	test_put_del();
	test_load_small();
	test_load_big();
	test_two_loads();
	test_malformed();
	store_close();
	return (TAP_DONE());
}
