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
 * The outcome of a request in words a person understands, and the
 * exit status that goes with it (see EXIT STATUS in imc(1)).
 */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>

#include "imc.h"

int
outcome_unreachable(struct ua *ua)
{
	warnx("cannot reach the server %s: %s", ua_server_name(ua),
	    ua_error(ua));
	return (IMC_EXIT_UNREACH);
}

static void
outcome_other(const char *target, const struct sip_msg *msg)
{
	fprintf(stderr, "imc: %s: the server answered %u ", target,
	    msg->msg_status);
	print_safe(stderr, msg->msg_reason.s, msg->msg_reason.len);
	fputc('\n', stderr);
}

/* Says what went wrong with a final response; 0 for a 2xx. */
int
outcome_report(struct ua *ua, const struct imc_conf *conf,
    const char *target, const struct sip_msg *msg)
{
	if (msg == NULL)
		return (outcome_unreachable(ua));
	switch (msg->msg_status) {
	case 401:
	case 407:
		warnx("the server refused the password for %s",
		    conf->c_account);
		return (IMC_EXIT_AUTH);
	case 404:
	case 604:
		warnx("no such user: %s", target);
		return (IMC_EXIT_NOUSER);
	case 480:
		warnx("recipient offline: %s", target);
		return (IMC_EXIT_OFFLINE);
	case 403:
		warnx("%s: the server does not allow it (403)", target);
		return (IMC_EXIT_FAIL);
	}
	if (msg->msg_status >= 300) {
		outcome_other(target, msg);
		return (IMC_EXIT_FAIL);
	}
	return (IMC_EXIT_OK);
}
