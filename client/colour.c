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
 * Colour for people in a terminal: a status word and a sender stand
 * out.  Only when standard output is a terminal that is not "dumb" and
 * NO_COLOR is not set, so scripts, pipes and capture get plain text.
 */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imc.h"

#define COLOUR_RESET	"\033[0m"

static int
colour_on(void)
{
	static int	on = -1;
	const char	*term;

	if (on == -1)
		on = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL &&
		    (term = getenv("TERM")) != NULL && term[0] != '\0' &&
		    strcmp(term, "dumb") != 0;
	return (on);
}

/* The escape for a status word: open, away, busy, closed, pending... */
const char *
colour_state(const char *what)
{
	if (!colour_on())
		return ("");
	if (strncmp(what, "open", 4) == 0)
		return ("\033[32m");		/* green */
	if (strncmp(what, "away", 4) == 0)
		return ("\033[33m");		/* yellow */
	if (strncmp(what, "busy", 4) == 0)
		return ("\033[31m");		/* red */
	return ("\033[2m");			/* dim: closed, pending, ended */
}

/* Bold, for who sent a message. */
const char *
colour_sender(void)
{
	return (colour_on() ? "\033[1m" : "");
}

const char *
colour_reset(void)
{
	return (colour_on() ? COLOUR_RESET : "");
}
