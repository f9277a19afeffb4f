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
 * The listener's stock of fresh nonces, made by authd in batches: a
 * request without credentials is challenged here with one of them,
 * without a round trip through authd (which was a third of authd's
 * work and two of the six messages of a REGISTER).  authd keeps the
 * secret and checks every response; a nonce goes into one challenge
 * only, since its nonce-counts are counted per nonce.  Nonces wait
 * NONCES_MAX_AGE seconds at most, so a challenge is as fresh as
 * authd's own within that; with none in stock, authd challenges.
 */

#include <sys/types.h>

#include <string.h>
#include <time.h>

#include "auth_msg.h"
#include "imd_msg.h"
#include "listener.h"
#include "log.h"
#include "proc.h"
#include "request.h"

#define NONCES_STOCK	(2 * AUTH_NONCES_MAX)
#define NONCES_LOW	AUTH_NONCES_MAX	/* a batch is asked for below */
#define NONCES_MAX_AGE	10		/* seconds in stock at most */

struct auth_nonce {
	char	an_nonce[DIGEST_NONCE_MAX];
	time_t	an_got;
};

/* A ring, oldest first: batches come in the order they were asked. */
static struct auth_nonce	nonces[NONCES_STOCK];
static size_t			nonces_head, nonces_count;
static int			nonces_asked;	/* a batch is on its way */

static void
auth_nonces_ask(void)
{
	struct imsgev	*authd = proc_peer(PROC_AUTHD);
	struct ibuf	*buf;

	if (nonces_asked)
		return;
	if ((buf = imsgev_create(authd, IMSG_AUTH_NONCES_WANT, 0, 4)) ==
	    NULL || ibuf_add_u32(buf, AUTH_NONCES_MAX) == -1 ||
	    imsgev_close(authd, buf) == -1)
		fatal("%s", __func__);
	nonces_asked = 1;
}

/* The oldest fresh nonce into nonce, 0; -1 when there is none. */
int
auth_nonces_take(char *nonce, size_t size)
{
	struct auth_nonce	*an;
	time_t			 now = time(NULL);
	size_t			 len;

	while (nonces_count > 0) {
		an = &nonces[nonces_head];
		if (now >= an->an_got && now - an->an_got < NONCES_MAX_AGE)
			break;
		nonces_head = (nonces_head + 1) % NONCES_STOCK;
		nonces_count--;
	}
	if (nonces_count < NONCES_LOW)
		auth_nonces_ask();
	if (nonces_count == 0)
		return (-1);
	an = &nonces[nonces_head];
	/* not strlcpy(3): libbsd's copies byte by byte */
	if ((len = strlen(an->an_nonce)) >= size)
		return (-1);
	memcpy(nonce, an->an_nonce, len + 1);
	an->an_nonce[0] = '\0';		/* used once */
	nonces_head = (nonces_head + 1) % NONCES_STOCK;
	nonces_count--;
	return (0);
}

/* IMSG_AUTH_NONCES: u32 n, n nonces; beyond the stock they are dropped. */
void
auth_nonces_got(struct imsgev *iev, struct imsg *imsg)
{
	struct auth_nonce	*an;
	char			 nonce[DIGEST_NONCE_MAX];
	uint32_t		 n, i;
	time_t			 now = time(NULL);

	imsg_get_u32(imsg, &n);
	if (n > AUTH_NONCES_MAX)	/* bounds the loop */
		imsg_set_error(imsg);
	for (i = 0; i < n && imsg_get_error(imsg) == 0; i++) {
		if (imsg_get_str(imsg, nonce, sizeof(nonce)) == -1 ||
		    nonce[0] == '\0' || nonces_count == NONCES_STOCK)
			continue;
		an = &nonces[(nonces_head + nonces_count) % NONCES_STOCK];
		memcpy(an->an_nonce, nonce, sizeof(an->an_nonce));
		an->an_got = now;
		nonces_count++;
	}
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "nonces");
	nonces_asked = 0;
}
