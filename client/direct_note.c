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
 * The announcement of a direct call (docs/presence.md, "Direct
 * calls"): a MESSAGE body of type application/x-imd-call, lines of
 * "key value", written by the caller and read, with every field
 * checked, by the callee.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "user.h"

#define NOTE_LINE_MAX	128

int
direct_note_write(char *buf, size_t size, const struct direct_note *dn)
{
	int	n;

	if (dn->dn_start)
		n = snprintf(buf, size, "call start\nid %s\nfrom %s\nhost %s\n"
		    "port %u\ncodec %s\n", dn->dn_id, dn->dn_from, dn->dn_host,
		    dn->dn_port, codec_name(dn->dn_codec));
	else
		n = snprintf(buf, size, "call end\nid %s\nfrom %s\n",
		    dn->dn_id, dn->dn_from);
	return (n < 0 || (size_t)n >= size ? -1 : 0);
}

static int
note_field(struct direct_note *dn, const char *key, const char *v)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	const char		*errstr;

	if (strcmp(key, "call") == 0 && (strcmp(v, "start") == 0 ||
	    strcmp(v, "end") == 0))
		dn->dn_start = strcmp(v, "start") == 0;
	else if (strcmp(key, "id") == 0 && strlen(v) < sizeof(dn->dn_id) &&
	    strspn(v, "0123456789abcdefghijklmnopqrstuvwxyz") == strlen(v))
		(void)strlcpy(dn->dn_id, v, sizeof(dn->dn_id));
	else if (strcmp(key, "from") == 0 && is_valid_address(v))
		(void)strlcpy(dn->dn_from, v, sizeof(dn->dn_from));
	else if (strcmp(key, "host") == 0 && strlen(v) < sizeof(dn->dn_host) &&
	    rtp_addr(v, 9, &ss, &len) == 0)
		(void)strlcpy(dn->dn_host, v, sizeof(dn->dn_host));
	else if (strcmp(key, "port") == 0) {
		dn->dn_port = strtonum(v, 1, 65534, &errstr);
		if (errstr != NULL)
			return (-1);
	} else if (strcmp(key, "codec") == 0 &&
	    (dn->dn_codec = codec_by_name(v)) != CODEC_NONE)
		return (0);
	else
		return (-1);
	return (0);
}

/* A body from the network: -1 unless every line is one we know. */
int
direct_note_read(const char *body, size_t len, struct direct_note *dn)
{
	char		 line[NOTE_LINE_MAX], *sp;
	const char	*p = body, *end = body + len, *nl;
	size_t		 n;

	memset(dn, 0, sizeof(*dn));
	dn->dn_start = -1;
	while (p < end) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		if ((n = nl - p) >= sizeof(line) || memchr(p, '\0', n) != NULL)
			return (-1);
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl + 1;
		if (n == 0)
			continue;
		if ((sp = strchr(line, ' ')) == NULL)
			return (-1);
		*sp++ = '\0';
		if (note_field(dn, line, sp) == -1)
			return (-1);
	}
	if (dn->dn_start == -1 || dn->dn_id[0] == '\0' ||
	    dn->dn_from[0] == '\0')
		return (-1);
	if (dn->dn_start && (dn->dn_host[0] == '\0' || dn->dn_port == 0 ||
	    dn->dn_codec == CODEC_NONE))
		return (-1);
	return (0);
}
