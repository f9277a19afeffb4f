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
 * libFuzzer harness: config_parse() on the data as relayd.conf.  The
 * data goes to a memory file read back through /proc/self/fd, so that
 * an include may name any file the process can see: the parser must
 * refuse what it cannot read and never wait on it.  A parse that
 * succeeds is printed, as `imd -n` does, to memory.
 */

#include <sys/mman.h>

#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	conf_fd = -1;
static char	conf_path[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if ((conf_fd = memfd_create("relayd.conf", 0)) == -1)
		err(1, "memfd_create");
	snprintf(conf_path, sizeof(conf_path), "/proc/self/fd/%d", conf_fd);
	return 0;
}

static void
print(const struct imd_conf *conf)
{
	char	*buf;
	size_t	 len;
	FILE	*fp;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		err(1, "open_memstream");
	config_print(conf, fp);
	fclose(fp);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imd_conf	*conf;

	if (ftruncate(conf_fd, 0) == -1 ||
	    pwrite(conf_fd, data, size, 0) != (ssize_t)size)
		err(1, "%s", conf_path);
	if ((conf = config_parse(conf_path)) == NULL)
		return 0;
	print(conf);
	config_free(conf);
	return 0;
}
