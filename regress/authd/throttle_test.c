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
		bans += throttle_fail(key, now);
	return (bans);
}

static void
test_delays(void)
{
	unsigned int	ms = 1;
	int		i, free_ok = 1;

	throttle_init(10, WINDOW, BAN, 0);
	TAP_OK(status(USER, T0, &ms) == THROTTLE_OK && ms == 0,
	    "an unknown key is OK without delay");
	TAP_OK(throttle_size() == 0, "a check creates no record");
	for (i = 0; i < THROTTLE_FREE; i++) {
		(void)throttle_fail(USER, T0);
		if (status(USER, T0, &ms) != THROTTLE_OK || ms != 0)
			free_ok = 0;
	}
	TAP_OK(free_ok, "the first %d failures cost no delay", THROTTLE_FREE);
	(void)throttle_fail(USER, T0);
	TAP_OK(status(USER, T0, &ms) == THROTTLE_DELAY && ms == 250,
	    "failure 4 costs 250 ms");
	(void)throttle_fail(USER, T0);
	TAP_OK(status(USER, T0, &ms) == THROTTLE_DELAY && ms == 500,
	    "failure 5 costs 500 ms");
	(void)throttle_fail(USER, T0);
	TAP_OK(status(USER, T0, &ms) == THROTTLE_DELAY && ms == 1000,
	    "failure 6 costs 1000 ms");
	(void)throttle_fail(USER, T0);
	TAP_OK(status(USER, T0, &ms) == THROTTLE_DELAY && ms == 2000,
	    "failure 7 costs 2000 ms");
	(void)throttle_fail(USER, T0);
	TAP_OK(status(USER, T0, &ms) == THROTTLE_DELAY &&
	    ms == THROTTLE_DELAY_CAP, "failure 8 stays at the cap");
}

static void
test_ban(void)
{
	unsigned int	ms;

	throttle_init(5, WINDOW, BAN, 0);
	TAP_OK(fail_n(ADDR, T0, 4) == 0 &&
	    status(ADDR, T0, &ms) != THROTTLE_BANNED,
	    "four failures of five allowed do not ban");
	TAP_OK(throttle_fail(ADDR, T0 + 1) == 1,
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

	throttle_init(5, WINDOW, BAN, 0);
	(void)fail_n(USER, T0, 4);
	TAP_OK(throttle_fail(USER, T0 + WINDOW) == 0 &&
	    status(USER, T0 + WINDOW, &ms) == THROTTLE_OK,
	    "failures spread beyond the window do not ban");
	TAP_OK(fail_n(USER, T0 + WINDOW, 3) == 0 &&
	    throttle_fail(USER, T0 + WINDOW + 1) == 1,
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

	throttle_init(5, WINDOW, BAN, 0);
	(void)fail_n(USER, T0, 4);
	throttle_success(USER);
	TAP_OK(status(USER, T0, &ms) == THROTTLE_OK && ms == 0 &&
	    throttle_size() == 0, "a success clears the user's record");
	(void)fail_n(USER, T0, 4);
	TAP_OK(throttle_fail(USER, T0) == 1,
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

	throttle_init(5, WINDOW, BAN, 0);
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
	TAP_OK(throttle_fail(big, T0) == 0 && throttle_size() == 2,
	    "a key of THROTTLE_KEY_MAX or more is not stored");
	TAP_OK(throttle_fail("", T0) == 0 && throttle_size() == 2,
	    "an empty key is not stored");
}

static void
test_cap(void)
{
	char		key[32];
	size_t		most = 0;
	int		i;

	throttle_init(10, WINDOW, BAN, 8);
	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "198.51.100.%d", i);
		(void)throttle_fail(key, T0 + i);
		if (throttle_size() > most)
			most = throttle_size();
	}
	TAP_OK(most == 8 && throttle_size() == 8,
	    "the table never holds more than its cap");
	throttle_init(10, WINDOW, BAN, 0);
	for (i = 0; i < THROTTLE_TABLE_MAX + 50; i++) {
		snprintf(key, sizeof(key), "u%d@site1.test", i);
		(void)throttle_fail(key, T0);
	}
	TAP_OK(throttle_size() == THROTTLE_TABLE_MAX,
	    "the default table stops at THROTTLE_TABLE_MAX (%d)",
	    THROTTLE_TABLE_MAX);
}

static void
test_evict_lru(void)
{
	unsigned int	ms;

	throttle_init(10, WINDOW, BAN, 3);
	(void)fail_n("a", T0, 4);
	(void)fail_n("b", T0, 4);
	(void)fail_n("c", T0, 4);
	(void)throttle_fail("d", T0);
	TAP_OK(status("a", T0, &ms) == THROTTLE_OK &&
	    status("b", T0, &ms) == THROTTLE_DELAY &&
	    status("c", T0, &ms) == THROTTLE_DELAY,
	    "a full table evicts the oldest record");
	(void)fail_n("b", T0, 1);
	(void)throttle_fail("e", T0);
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

	throttle_init(2, WINDOW, BAN, 4);
	(void)fail_n(ADDR, T0, 2);
	for (i = 0; i < 50; i++) {
		snprintf(key, sizeof(key), "203.0.113.%d", i);
		(void)throttle_fail(key, T0 + 1);
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
	throttle_init(3, WINDOW, BAN, 0);
	(void)throttle_fail("x", T0);
	(void)throttle_fail("y", T0 + 30);
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

	throttle_init(0, WINDOW, BAN, 0);
	TAP_OK(fail_n(USER, T0, 100) == 0 &&
	    status(USER, T0, &ms) == THROTTLE_DELAY &&
	    ms == THROTTLE_DELAY_CAP,
	    "max_failures 0 only delays, never bans");
	throttle_init(5, WINDOW, 0, 0);
	TAP_OK(fail_n(USER, T0, 100) == 0 &&
	    status(USER, T0, &ms) == THROTTLE_DELAY,
	    "a ban of 0 seconds never bans");
	throttle_init(5, 0, BAN, 0);
	TAP_OK(fail_n(USER, T0, 100) == 0 &&
	    status(USER, T0, &ms) == THROTTLE_OK,
	    "a window of 0 seconds never counts");
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
	throttle_init(0, 0, 0, 0);
	return (TAP_DONE());
}
