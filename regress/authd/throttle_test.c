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
 * Unit tests of authd/throttle.c, TAP on standard output: delays that
 * grow, bans that start once and end on time, and the table's cap.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "throttle.h"
#include "tap.h"

#define T0		1700000000
#define WINDOW		60
#define BAN		300
#define USER		"alice@site1.test"
#define ADDR		"192.0.2.7"

static int	status(const char *, time_t, unsigned int *);
static int	fail_n(const char *, time_t, int);
static void	test_delays(void);
static void	test_ban(void);
static void	test_window(void);
static void	test_success(void);
static void	test_keys(void);
static void	test_cap(void);
static void	test_evict_lru(void);
static void	test_evict_bans(void);
static void	test_sweep(void);
static void	test_no_ban(void);
static void	test_auth_lockout(void);
static void	test_auth_source(void);
static void	test_auth_bound(void);

static unsigned int	maxf;	/* the failure limit the tests give */

/* The old interface: one failure limit for every key. */
static void
init(unsigned int max_failures, time_t window, time_t ban, size_t cap)
{
	maxf = max_failures;
	throttle_init(window, ban, cap);
}

static int
fail(const char *key, time_t now)
{
	return (throttle_fail(key, now, maxf));
}

static int
status(const char *key, time_t now, unsigned int *ms)
{
	return (throttle_check(key, now, ms));
}

/* Returns how many of the n failures said that they started a ban. */
static int
fail_n(const char *key, time_t now, int n)
{
	int	bans = 0;

	while (n-- > 0)
		bans += fail(key, now);
	return (bans);
}

static void
test_delays(void)
{
	unsigned int	ms = 1;
	int		i, free_ok = 1;

	init(10, WINDOW, BAN, 0);
	TAP_OK(status(USER, T0, &ms) == THROTTLE_OK && ms == 0,
	    "an unknown key is OK without delay");
	TAP_OK(throttle_size() == 0, "a check creates no record");
	for (i = 0; i < THROTTLE_FREE; i++) {
		(void)fail(USER, T0);
		if (status(USER, T0, &ms) != THROTTLE_OK || ms != 0)
			free_ok = 0;
	}
	TAP_OK(free_ok, "the first %d failures cost no delay", THROTTLE_FREE);
	(void)fail(USER, T0);
	TAP_OK(status(USER, T0, &ms) == THROTTLE_DELAY && ms == 250,
	    "failure 4 costs 250 ms");
	(void)fail(USER, T0);
	TAP_OK(status(USER, T0, &ms) == THROTTLE_DELAY && ms == 500,
	    "failure 5 costs 500 ms");
	(void)fail(USER, T0);
	TAP_OK(status(USER, T0, &ms) == THROTTLE_DELAY && ms == 1000,
	    "failure 6 costs 1000 ms");
	(void)fail(USER, T0);
	TAP_OK(status(USER, T0, &ms) == THROTTLE_DELAY && ms == 2000,
	    "failure 7 costs 2000 ms");
	(void)fail(USER, T0);
	TAP_OK(status(USER, T0, &ms) == THROTTLE_DELAY &&
	    ms == THROTTLE_DELAY_CAP, "failure 8 stays at the cap");
}

static void
test_ban(void)
{
	unsigned int	ms;

	init(5, WINDOW, BAN, 0);
	TAP_OK(fail_n(ADDR, T0, 4) == 0 &&
	    status(ADDR, T0, &ms) != THROTTLE_BANNED,
	    "four failures of five allowed do not ban");
	TAP_OK(fail(ADDR, T0 + 1) == 1,
	    "the fifth failure starts a ban and says so");
	TAP_OK(status(ADDR, T0 + 1, &ms) == THROTTLE_BANNED && ms == 0,
	    "the key is banned");
	TAP_OK(fail_n(ADDR, T0 + 2, 20) == 0,
	    "failures during the ban do not start it again");
	TAP_OK(status(ADDR, T0 + 1 + BAN - 1, &ms) == THROTTLE_BANNED,
	    "the ban holds until its last second");
	TAP_OK(status(ADDR, T0 + 1 + BAN, &ms) == THROTTLE_OK && ms == 0,
	    "the ban lifts after %d seconds, not extended by failures", BAN);
	TAP_OK(throttle_size() == 0, "a lifted ban leaves no record");
	TAP_OK(fail_n(ADDR, T0 + 1 + BAN, 5) == 1,
	    "a new ban after the old one is reported again");
}

static void
test_window(void)
{
	unsigned int	ms;

	init(5, WINDOW, BAN, 0);
	(void)fail_n(USER, T0, 4);
	TAP_OK(fail(USER, T0 + WINDOW) == 0 &&
	    status(USER, T0 + WINDOW, &ms) == THROTTLE_OK,
	    "failures spread beyond the window do not ban");
	TAP_OK(fail_n(USER, T0 + WINDOW, 3) == 0 &&
	    fail(USER, T0 + WINDOW + 1) == 1,
	    "five failures within a new window ban");
	(void)fail_n(ADDR, T0, 4);
	TAP_OK(status(ADDR, T0 + WINDOW - 1, &ms) == THROTTLE_DELAY,
	    "the count holds to the end of the window");
	TAP_OK(status(ADDR, T0 + WINDOW, &ms) == THROTTLE_OK && ms == 0,
	    "and is forgotten when the window is over");
}

static void
test_success(void)
{
	unsigned int	ms;

	init(5, WINDOW, BAN, 0);
	(void)fail_n(USER, T0, 4);
	throttle_success(USER);
	TAP_OK(status(USER, T0, &ms) == THROTTLE_OK && ms == 0 &&
	    throttle_size() == 0, "a success clears the user's record");
	(void)fail_n(USER, T0, 4);
	TAP_OK(fail(USER, T0) == 1,
	    "after a success the user gets a full count again");
	(void)fail_n(ADDR, T0, 5);
	throttle_success("bob@site1.test");
	TAP_OK(status(ADDR, T0, &ms) == THROTTLE_BANNED,
	    "a success of another user does not lift an address ban");
	throttle_success(ADDR);
	TAP_OK(status(ADDR, T0, &ms) == THROTTLE_BANNED,
	    "a success on the banned key itself does not lift the ban");
	throttle_success(USER);
	TAP_OK(status(USER, T0, &ms) == THROTTLE_BANNED,
	    "nor does one on a banned user");
}

static void
test_keys(void)
{
	unsigned int	ms;
	char		big[THROTTLE_KEY_MAX + 10];

	init(5, WINDOW, BAN, 0);
	(void)fail_n(ADDR, T0, 5);
	(void)fail_n(USER, T0, 4);
	TAP_OK(status("192.0.2.8", T0, &ms) == THROTTLE_OK && ms == 0,
	    "another address is unaffected by a ban");
	TAP_OK(status("bob@site1.test", T0, &ms) == THROTTLE_OK && ms == 0,
	    "another user is unaffected by a delay");
	TAP_OK(status("2001:db8::7", T0, &ms) == THROTTLE_OK,
	    "an IPv6 address is its own key");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	TAP_OK(fail(big, T0) == 0 && throttle_size() == 2,
	    "a key of THROTTLE_KEY_MAX or more is not stored");
	TAP_OK(fail("", T0) == 0 && throttle_size() == 2,
	    "an empty key is not stored");
}

static void
test_cap(void)
{
	char		key[32];
	size_t		most = 0;
	int		i;

	init(10, WINDOW, BAN, 8);
	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "198.51.100.%d", i);
		(void)fail(key, T0 + i);
		if (throttle_size() > most)
			most = throttle_size();
	}
	TAP_OK(most == 8 && throttle_size() == 8,
	    "the table never holds more than its cap");
	init(10, WINDOW, BAN, 0);
	for (i = 0; i < THROTTLE_TABLE_MAX + 50; i++) {
		snprintf(key, sizeof(key), "u%d@site1.test", i);
		(void)fail(key, T0);
	}
	TAP_OK(throttle_size() == THROTTLE_TABLE_MAX,
	    "the default table stops at THROTTLE_TABLE_MAX (%d)",
	    THROTTLE_TABLE_MAX);
}

static void
test_evict_lru(void)
{
	unsigned int	ms;

	init(10, WINDOW, BAN, 3);
	(void)fail_n("a", T0, 4);
	(void)fail_n("b", T0, 4);
	(void)fail_n("c", T0, 4);
	(void)fail("d", T0);
	TAP_OK(status("a", T0, &ms) == THROTTLE_OK &&
	    status("b", T0, &ms) == THROTTLE_DELAY &&
	    status("c", T0, &ms) == THROTTLE_DELAY,
	    "a full table evicts the oldest record");
	(void)fail_n("b", T0, 1);
	(void)fail("e", T0);
	TAP_OK(status("c", T0, &ms) == THROTTLE_OK &&
	    status("b", T0, &ms) == THROTTLE_DELAY,
	    "a new failure makes a record young again");
}

static void
test_evict_bans(void)
{
	char		key[32];
	unsigned int	ms;
	int		i;

	init(2, WINDOW, BAN, 4);
	(void)fail_n(ADDR, T0, 2);
	for (i = 0; i < 50; i++) {
		snprintf(key, sizeof(key), "203.0.113.%d", i);
		(void)fail(key, T0 + 1);
	}
	TAP_OK(status(ADDR, T0 + 1, &ms) == THROTTLE_BANNED,
	    "a flood of new keys does not evict a ban");
	for (i = 0; i < 4; i++) {
		snprintf(key, sizeof(key), "203.0.113.%d", 100 + i);
		(void)fail_n(key, T0 + 2, 2);
	}
	TAP_OK(status(ADDR, T0 + 2, &ms) == THROTTLE_OK &&
	    throttle_size() == 4,
	    "a table full of bans gives up the oldest ban");
}

static void
test_sweep(void)
{
	init(3, WINDOW, BAN, 0);
	(void)fail("x", T0);
	(void)fail("y", T0 + 30);
	(void)fail_n("z", T0, 3);
	throttle_sweep(T0 + WINDOW - 1);
	TAP_OK(throttle_size() == 3, "the sweep keeps counts in their window");
	throttle_sweep(T0 + WINDOW);
	TAP_OK(throttle_size() == 2, "the sweep drops counts past the window");
	throttle_sweep(T0 + BAN - 1);
	TAP_OK(throttle_size() == 1, "the sweep keeps a ban that runs");
	throttle_sweep(T0 + BAN);
	TAP_OK(throttle_size() == 0, "the sweep drops a ban that ended");
}

static void
test_no_ban(void)
{
	unsigned int	ms;

	init(0, WINDOW, BAN, 0);
	TAP_OK(fail_n(USER, T0, 100) == 0 &&
	    status(USER, T0, &ms) == THROTTLE_DELAY &&
	    ms == THROTTLE_DELAY_CAP,
	    "max_failures 0 only delays, never bans");
	init(5, WINDOW, 0, 0);
	TAP_OK(fail_n(USER, T0, 100) == 0 &&
	    status(USER, T0, &ms) == THROTTLE_DELAY,
	    "a ban of 0 seconds never bans");
	init(5, 0, BAN, 0);
	TAP_OK(fail_n(USER, T0, 100) == 0 &&
	    status(USER, T0, &ms) == THROTTLE_OK,
	    "a window of 0 seconds never counts");
}

/* Ten wrong passwords for one user from one source ban the pair only. */
static void
test_auth_lockout(void)
{
	unsigned int	d, fd;
	int		i, bans = 0;

	throttle_init(WINDOW, BAN, 0);
	for (i = 0; i < THROTTLE_FAILURES; i++)
		bans |= throttle_auth_fail(ADDR, USER, T0);
	TAP_OK(bans == THROTTLE_BAN_PAIR, "%d failures ban the user from "
	    "that source, not the source", THROTTLE_FAILURES);
	TAP_OK(throttle_auth_check(ADDR, USER, T0, &d, &fd) ==
	    THROTTLE_BANNED, "the user from that source is refused");
	TAP_OK(throttle_auth_check(ADDR, "bob@site1.test", T0, &d, &fd) !=
	    THROTTLE_BANNED, "another user from that source is not");
	TAP_OK(throttle_auth_check("192.0.2.8", USER, T0, &d, &fd) !=
	    THROTTLE_BANNED && d == 0 && fd == THROTTLE_DELAY_CAP,
	    "the user from another source is not refused, and only its "
	    "failures are slowed (%u ms, failures %u ms)", d, fd);
	for (i = 0; i < 100; i++)
		(void)throttle_auth_fail("198.51.100.1", USER, T0);
	TAP_OK(throttle_auth_check("192.0.2.8", USER, T0, &d, &fd) !=
	    THROTTLE_BANNED && d == 0,
	    "a hundred more failures elsewhere never lock the user out");
	throttle_auth_success("192.0.2.8", USER);
	TAP_OK(throttle_auth_check("192.0.2.8", USER, T0, &d, &fd) ==
	    THROTTLE_OK && fd == 0, "a success forgets the user's count");
	TAP_OK(throttle_auth_check(ADDR, USER, T0, &d, &fd) ==
	    THROTTLE_BANNED, "but not a ban of the pair");
}

/* A source guessing at many users is banned for all of them. */
static void
test_auth_source(void)
{
	char		user[64];
	unsigned int	d, fd;
	int		i, bans = 0;

	throttle_init(WINDOW, BAN, 0);
	for (i = 0; i < THROTTLE_SOURCE_FAILURES; i++) {
		snprintf(user, sizeof(user), "u%d@site1.test", i);
		bans |= throttle_auth_fail(ADDR, user, T0);
	}
	TAP_OK(bans == THROTTLE_BAN_SOURCE, "%d failures for different users "
	    "ban the source", THROTTLE_SOURCE_FAILURES);
	TAP_OK(throttle_auth_check(ADDR, "new@site1.test", T0, &d, &fd) ==
	    THROTTLE_BANNED, "the banned source is refused for any user");
	TAP_OK(throttle_auth_check("192.0.2.8", "u1@site1.test", T0, &d,
	    &fd) == THROTTLE_OK && d == 0 && fd == 0,
	    "its users from elsewhere are neither refused nor slowed");
	TAP_OK(throttle_auth_check(ADDR, USER, T0 + BAN, &d, &fd) !=
	    THROTTLE_BANNED, "the source ban lifts after %d s", BAN);
}

/* What one source can make the table hold. */
static void
test_auth_bound(void)
{
	char		user[64];
	unsigned int	d, fd;
	size_t		most = 0;
	int		i, t;

	throttle_init(WINDOW, BAN, 0);
	/*
	 * As authd does: nothing is counted while the source is banned,
	 * since the attempt is refused before its digest is checked.
	 */
	for (t = 0; t < 4 * BAN; t += 10)
		for (i = 0; i < 100; i++) {
			snprintf(user, sizeof(user), "v%d.%d@site1.test", t, i);
			if (throttle_auth_check(ADDR, user, T0 + t, &d, &fd) !=
			    THROTTLE_BANNED)
				(void)throttle_auth_fail(ADDR, user, T0 + t);
			throttle_sweep(T0 + t);
			if (throttle_size() > most)
				most = throttle_size();
		}
	TAP_OK(most <= 2 * THROTTLE_SOURCE_FAILURES + 1,
	    "one source guessing at %d users held %zu records at most, "
	    "bound %d", 4 * BAN / 10 * 100, most,
	    2 * THROTTLE_SOURCE_FAILURES + 1);
}

int
main(void)
{
	test_delays();
	test_ban();
	test_window();
	test_success();
	test_keys();
	test_cap();
	test_evict_lru();
	test_evict_bans();
	test_sweep();
	test_no_ban();
	test_auth_lockout();
	test_auth_source();
	test_auth_bound();
	init(0, 0, 0, 0);
	return (TAP_DONE());
}
