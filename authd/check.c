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
 * One authentication, from the listener's request to authd's answer:
 * throttling, the nonce, the HA1 from dirdb, the digest, the nonce
 * count.  A request waits in a bounded table while dirdb answers.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <event.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth_msg.h"
#include "authd.h"
#include "cdefs.h"
#include "ha1cache.h"
#include "imd_msg.h"
#include "join.h"
#include "log.h"
#include "nonce.h"
#include "prefix.h"
#include "refusal.h"
#include "throttle.h"
#include "user.h"
#include "verify.h"

#define CHECK_PENDING_MAX	4096
#define CHECK_TIMEOUT		5	/* seconds dirdb may take */

/*
 * The request and the result, most of the record's bytes, come last:
 * check_new() zeroes what comes before them, and the decoder and
 * check_new() set every field of theirs that is read.
 */
struct check {
	TAILQ_ENTRY(check)	 ck_entry;
	uint32_t		 ck_id;		/* ours, towards dirdb */
	uint32_t		 ck_lid;	/* the listener's */
	struct imsgev		*ck_listener;
	const struct conf_domain *ck_domain;
	char			 ck_address[IMD_ADDRESS_MAX];
	char			 ck_source[PREFIX_NAME_MAX]; /* as counted */
	enum digest_alg		 ck_alg;
	int			 ck_nonce;	/* NONCE_OK or NONCE_STALE */
	unsigned int		 ck_delay;	/* ms to hold the answer */
	unsigned int		 ck_fail_delay;	/* ms to hold a failure */
	time_t			 ck_started;
	struct event		 ck_timer;
	struct auth_req		 ck_req;
	struct auth_result	 ck_res;
};

static void	check_verify(struct check *, const char *);

static TAILQ_HEAD(, check)	checks = TAILQ_HEAD_INITIALIZER(checks);
static size_t			ncheck;
/*
 * One finished record kept for the next request: a malloc() and free()
 * of 4 KB for each request cost more than the throttle's checks.
 */
static struct check		*check_spare;
static uint32_t			check_nextid = 1;

void
check_init(void)
{
	throttle_init(THROTTLE_WINDOW, THROTTLE_BAN, 0);
	nonce_count_init(0);
}

static void
check_free(struct check *ck)
{
	if (event_initialized(&ck->ck_timer))
		evtimer_del(&ck->ck_timer);
	TAILQ_REMOVE(&checks, ck, ck_entry);
	ncheck--;
	/*
	 * Not wiped: it holds what the client sent in the clear and the
	 * challenge we sent back, never an HA1 (check_ha1() wipes that).
	 */
	if (check_spare == NULL)
		check_spare = ck;
	else
		free(ck);
}

static void
check_send(struct check *ck)
{
	struct ibuf	*buf;

	if ((buf = imsgev_create(ck->ck_listener, IMSG_AUTH_RESULT, ck->ck_lid,
	    IMSG_HINT_SMALL)) == NULL ||
	    auth_result_add(buf, &ck->ck_res) == -1 ||
	    imsgev_close(ck->ck_listener, buf) == -1)
		fatal("%s", __func__);
	check_free(ck);
}

static void
check_delayed(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	check_send(arg);
}

/* The answer goes now, or after the throttle's delay. */
static void
check_answer(struct check *ck, enum auth_status status)
{
	struct timeval	tv;

	ck->ck_res.res_status = status;
	if (status == AUTH_OK)
		strlcpy(ck->ck_res.res_address, ck->ck_address,
		    sizeof(ck->ck_res.res_address));
	else if (ck->ck_fail_delay > ck->ck_delay)
		ck->ck_delay = ck->ck_fail_delay;
	if (ck->ck_delay == 0) {
		check_send(ck);
		return;
	}
	if (event_initialized(&ck->ck_timer))
		evtimer_del(&ck->ck_timer);
	tv.tv_sec = ck->ck_delay / 1000;
	tv.tv_usec = (ck->ck_delay % 1000) * 1000;
	evtimer_set(&ck->ck_timer, check_delayed, ck);
	evtimer_add(&ck->ck_timer, &tv);
}

/*
 * One challenge per configured algorithm, in order of preference.  No
 * opaque: we would never check it, and every byte of a challenge is a
 * byte a forged UDP source makes us send to its victim.
 */
static void
check_challenge(struct check *ck, int stale)
{
	char		 nonce[NONCE_MAX];
	const char	*realm = ck->ck_domain->cd_realm;
	uint32_t	 i;

	if (nonce_make(time(NULL), nonce, sizeof(nonce)) == -1)
		fatalx("cannot make a nonce");
	for (i = 0; i < authd_conf->c_nauth_algs && i < AUTH_CHALLENGES; i++)
		if (digest_challenge(ck->ck_res.res_challenge[i],
		    sizeof(ck->ck_res.res_challenge[i]), realm, nonce,
		    NULL, authd_conf->c_auth_algs[i], stale) == -1)
			fatalx("cannot make a challenge");
	check_answer(ck, AUTH_CHALLENGE);
}

static int
check_alg_allowed(enum digest_alg alg)
{
	uint32_t	i;

	for (i = 0; i < authd_conf->c_nauth_algs; i++)
		if (authd_conf->c_auth_algs[i] == alg)
			return (1);
	return (0);
}

/*
 * A failed attempt counts against the source, the user from that
 * source, and the user alone; only the first two are ever banned.
 */
static void
check_failed(struct check *ck, const char *why)
{
	int	bans;

	log_info("auth: %s from %s: %s", ck->ck_address,
	    ck->ck_req.ar_source, why);
	stats_inc(STAT_AUTH_FAILURES);
	bans = throttle_auth_fail(ck->ck_source, ck->ck_address, time(NULL));
	if (bans != 0)
		stats_inc(STAT_AUTH_BANS);
	if (bans & THROTTLE_BAN_PAIR)
		log_warnx("auth: %s from source %s banned for %d s after "
		    "repeated failures", ck->ck_address, ck->ck_source,
		    THROTTLE_BAN);
	if (bans & THROTTLE_BAN_SOURCE)
		log_warnx("auth: source %s banned for %d s after repeated "
		    "failures", ck->ck_source, THROTTLE_BAN);
	check_challenge(ck, 0);
}

/*
 * The digest user name is the local part of the address; a client that
 * sends the whole address is taken at its word when the domain matches.
 */
static int
check_address(struct check *ck)
{
	const char	*user = ck->ck_req.ar_cred.dr_username;
	const char	*at;
	char		 local[IMD_LOCALPART_MAX];
	const char	*parts[] = { local, ck->ck_domain->cd_name };

	if ((at = strchr(user, '@')) != NULL) {
		if (strcasecmp(at + 1, ck->ck_domain->cd_name) != 0 ||
		    (size_t)(at - user) >= sizeof(local))
			return (-1);
		memcpy(local, user, at - user);
		local[at - user] = '\0';
	} else if (strlcpy(local, user, sizeof(local)) >= sizeof(local))
		return (-1);
	if (join_str(ck->ck_address, sizeof(ck->ck_address), '@', parts,
	    2) == -1 || address_lower(ck->ck_address) == -1)
		return (-1);
	return (0);
}

/* A banned source is refused before any work; others may be slowed. */
static int
check_throttle(struct check *ck)
{
	if (throttle_auth_check(ck->ck_source, ck->ck_address, time(NULL),
	    &ck->ck_delay, &ck->ck_fail_delay) == THROTTLE_BANNED)
		return (-1);
	return (0);
}

/*
 * The source as it is counted: the address, or its IPv6 /64.  The last
 * one is remembered, since a client's requests come in runs (and both
 * of a challenged request's), and printing it cost more than checking
 * the digest.  The prefix lengths it was counted with go with it, as
 * a reload may change them.
 */
static void
check_source(struct check *ck)
{
	static char			 last[AUTH_SOURCE_MAX];
	static char			 last_name[PREFIX_NAME_MAX];
	static unsigned int		 last_bits4, last_bits6;
	const struct conf_limits	*lim = &authd_conf->c_limits;
	struct addr_prefix		 ap;

	if (last[0] != '\0' && strcmp(ck->ck_req.ar_source, last) == 0 &&
	    last_bits4 == lim->lim_ipv4_prefix &&
	    last_bits6 == lim->lim_ipv6_prefix) {
		memcpy(ck->ck_source, last_name, sizeof(ck->ck_source));
		return;
	}
	if (prefix_of_string(ck->ck_req.ar_source, lim->lim_ipv4_prefix,
	    lim->lim_ipv6_prefix, &ap) == 0)
		prefix_name(&ap, ck->ck_source, sizeof(ck->ck_source));
	else
		strlcpy(ck->ck_source, ck->ck_req.ar_source,
		    sizeof(ck->ck_source));
	strlcpy(last, ck->ck_req.ar_source, sizeof(last));
	last_bits4 = lim->lim_ipv4_prefix;
	last_bits6 = lim->lim_ipv6_prefix;
	memcpy(last_name, ck->ck_source, sizeof(last_name));
}

static void
check_ask_dirdb(struct check *ck)
{
	struct imsgev	*dirdb = proc_peer(PROC_DIRDB);
	struct ibuf	*buf;

	if ((buf = imsgev_create(dirdb, IMSG_DB_HA1_GET, ck->ck_id, 128)) ==
	    NULL ||
	    ibuf_add_str(buf, ck->ck_address, sizeof(ck->ck_address)) == -1 ||
	    ibuf_add_u32(buf, ck->ck_alg) == -1 ||
	    imsgev_close(dirdb, buf) == -1)
		fatal("%s", __func__);
}

/* Everything that can be checked without the HA1. */
static void
check_credentials(struct check *ck)
{
	const struct digest_req	*dr = &ck->ck_req.ar_cred;
	char			 ha1[DIGEST_HEX_MAX];

	if (check_address(ck) == -1) {
		strlcpy(ck->ck_address, "?", sizeof(ck->ck_address));
		check_failed(ck, "bad user name");
		return;
	}
	if (check_throttle(ck) == -1) {
		if (refusal_note(STAT_REFUSED_BANNED, ck->ck_source))
			log_info("auth: %s from %s refused: source %s banned",
			    ck->ck_address, ck->ck_req.ar_source,
			    ck->ck_source);
		ck->ck_delay = ck->ck_fail_delay = 0;
		check_answer(ck, AUTH_FORBIDDEN);
		return;
	}
	if (strcmp(dr->dr_realm, ck->ck_domain->cd_realm) != 0 ||
	    digest_alg_parse(dr->dr_algorithm, &ck->ck_alg) == -1 ||
	    !check_alg_allowed(ck->ck_alg)) {
		check_challenge(ck, 0);
		return;
	}
	ck->ck_nonce = nonce_check(dr->dr_nonce, time(NULL), NONCE_LIFETIME);
	if (ck->ck_nonce == NONCE_BAD) {
		check_challenge(ck, 0);
		return;
	}
	if (ha1cache_get(ck->ck_address, ck->ck_alg, time(NULL), ha1,
	    sizeof(ha1)) == 0) {
		check_verify(ck, ha1);
		explicit_bzero(ha1, sizeof(ha1));
		return;
	}
	check_ask_dirdb(ck);
}

/*
 * A record of 4 KB, mostly strings: zeroing all of it for each request
 * was a sixth of authd's work under REGISTER load.
 */
static struct check *
check_new(void)
{
	struct check	*ck;
	int		 i;

	if ((ck = check_spare) != NULL)
		check_spare = NULL;
	else if ((ck = malloc(sizeof(*ck))) == NULL)
		fatal("%s", __func__);
	memset(ck, 0, offsetof(struct check, ck_req));
	ck->ck_res.res_status = 0;
	ck->ck_res.res_address[0] = '\0';
	for (i = 0; i < AUTH_CHALLENGES; i++)
		ck->ck_res.res_challenge[i][0] = '\0';
	return (ck);
}

void
check_request(struct imsgev *iev, struct imsg *imsg)
{
	struct check	*ck;

	ck = check_new();
	auth_req_get(imsg, &ck->ck_req);
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "auth request");
	ck->ck_id = check_nextid++;
	ck->ck_lid = imsg->hdr.ih_peerid;
	ck->ck_listener = iev;
	ck->ck_started = time(NULL);
	check_source(ck);
	TAILQ_INSERT_TAIL(&checks, ck, ck_entry);
	ncheck++;
	if (ncheck > CHECK_PENDING_MAX ||
	    (ck->ck_domain = config_find_domain(authd_conf,
	    ck->ck_req.ar_domain)) == NULL) {
		check_answer(ck, AUTH_FORBIDDEN);
		return;
	}
	if (!ck->ck_req.ar_has_cred)
		check_challenge(ck, 0);
	else
		check_credentials(ck);
}

/*
 * Fresh nonces for the listener, which challenges a request without
 * credentials itself, one nonce each: the challenge no longer costs a
 * round trip through authd.  They are what check_challenge() would
 * put in a challenge then; the listener never sees the secret.
 */
void
check_nonces(struct imsgev *iev, struct imsg *imsg)
{
	struct ibuf	*buf;
	char		 nonce[NONCE_MAX];
	uint32_t	 n, i;
	time_t		 now = time(NULL);

	imsg_get_u32(imsg, &n);
	if (imsg_get_end(imsg) == -1 || n == 0 || n > AUTH_NONCES_MAX)
		proc_fatal_imsg(iev, imsg, "nonces wanted");
	if ((buf = imsgev_create(iev, IMSG_AUTH_NONCES, 0,
	    4 + n * NONCE_MAX)) == NULL || ibuf_add_u32(buf, n) == -1)
		fatal("%s", __func__);
	for (i = 0; i < n; i++) {
		if (nonce_make(now, nonce, sizeof(nonce)) == -1)
			fatalx("cannot make a nonce");
		if (ibuf_add_str(buf, nonce, sizeof(nonce)) == -1)
			fatal("%s", __func__);
	}
	if (imsgev_close(iev, buf) == -1)
		fatal("%s", __func__);
}

static struct check *
check_find(uint32_t id)
{
	struct check	*ck;

	TAILQ_FOREACH(ck, &checks, ck_entry)
		if (ck->ck_id == id && !event_initialized(&ck->ck_timer))
			return (ck);
	return (NULL);
}

/* With the HA1: the digest, then the nonce's freshness and count. */
static void
check_verify(struct check *ck, const char *ha1)
{
	const struct digest_req	*dr = &ck->ck_req.ar_cred;
	uint32_t		 nc;

	if (digest_verify(dr, ha1, ck->ck_alg) != 0) {
		check_failed(ck, "wrong credentials");
		return;
	}
	if (ck->ck_nonce == NONCE_STALE) {
		check_challenge(ck, 1);
		return;
	}
	if (digest_req_nc(dr, &nc) == -1) {
		check_challenge(ck, 0);
		return;
	}
	switch (nonce_count_check(dr->dr_nonce, nc)) {
	case NONCE_OK:
		throttle_auth_success(ck->ck_source, ck->ck_address);
		check_answer(ck, AUTH_OK);
		break;
	case NONCE_STALE:
		check_challenge(ck, 1);
		break;
	default:
		log_info("auth: %s from %s: nonce count replayed",
		    ck->ck_address, ck->ck_req.ar_source);
		check_challenge(ck, 0);
	}
}

void
check_ha1(struct imsgev *iev, struct imsg *imsg)
{
	struct check	*ck;
	uint32_t	 found;
	char		 ha1[DIGEST_HEX_MAX];

	imsg_get_u32(imsg, &found);
	imsg_get_str(imsg, ha1, sizeof(ha1));
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "HA1");
	if ((ck = check_find(imsg->hdr.ih_peerid)) == NULL) {
		log_debug("auth: HA1 for a request that is gone");
		explicit_bzero(ha1, sizeof(ha1));
		return;
	}
	if (!found || ha1[0] == '\0')
		check_failed(ck, "no such user");
	else {
		ha1cache_put(ck->ck_address, ck->ck_alg, time(NULL), ha1);
		check_verify(ck, ha1);
	}
	explicit_bzero(ha1, sizeof(ha1));
}

/* dirdb: a user was added, changed or deleted. */
void
check_forget(struct imsgev *iev, struct imsg *imsg)
{
	char	address[IMD_ADDRESS_MAX];

	imsg_get_str(imsg, address, sizeof(address));
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "HA1 forget");
	ha1cache_forget(address);
}

/* Old nonce counts, old throttle records, requests dirdb never answered. */
void
check_sweep(void)
{
	struct check	*ck, *next;
	time_t		 now = time(NULL);

	nonce_sweep(now, NONCE_LIFETIME);
	throttle_sweep(now);
	ha1cache_sweep(now);
	for (ck = TAILQ_FIRST(&checks); ck != NULL; ck = next) {
		next = TAILQ_NEXT(ck, ck_entry);
		if (!event_initialized(&ck->ck_timer) &&
		    now - ck->ck_started > CHECK_TIMEOUT) {
			log_warnx("auth: dirdb did not answer for %s",
			    ck->ck_address);
			check_answer(ck, AUTH_FORBIDDEN);
		}
	}
}
