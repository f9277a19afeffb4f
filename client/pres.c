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
 * Presence commands: not written yet.
 */

#include <err.h>

#include "imc.h"

int
cmd_status(struct imc_conf *conf, int argc, char **argv)
{
	warnx("status: not implemented yet");
	return (IMC_EXIT_FAIL);
}

int
cmd_watch(struct imc_conf *conf, int argc, char **argv)
{
	warnx("watch: not implemented yet");
	return (IMC_EXIT_FAIL);
}

int
cmd_watchers(struct imc_conf *conf, int argc, char **argv)
{
	warnx("watchers: not implemented yet");
	return (IMC_EXIT_FAIL);
}

int
cmd_decide(struct imc_conf *conf, const char *what, int argc, char **argv)
{
	warnx("%s: not implemented yet", what);
	return (IMC_EXIT_FAIL);
}
