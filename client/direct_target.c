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
 * Where a direct call goes, from the callee's presence: the first
 * tuple with a contact whose audio medium says direct true, its host
 * and audio port, and the first of our codecs that the medium lists.
 * What is missing is told apart, since each case has its own remedy.
 */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <string.h>

#include "call.h"

/* The host of a contact URI, without the brackets of IPv6. */
static int
target_host(const char *contact, char *host, size_t size)
{
	struct sip_uri	u;
	struct sip_str	h;

	if (sip_uri_parse(contact, contact + strlen(contact), &u) == -1 ||
	    u.uri_host.len == 0)
		return (-1);
	h = u.uri_host;
	if (u.uri_host_type == SIP_HOST_IPV6 && h.len > 2 && h.s[0] == '[') {
		h.s++;
		h.len -= 2;
	}
	if (h.len >= size)
		return (-1);
	memcpy(host, h.s, h.len);
	host[h.len] = '\0';
	return (0);
}

static enum codec_id
target_codec(const struct imc_conf *conf, const struct pres_medium *pm)
{
	enum codec_id	ours[MEDIA_CODECS_MAX];
	size_t		nours, i, k;

	(void)call_our_codecs(conf, ours, &nours);
	for (i = 0; i < nours; i++)
		for (k = 0; k < pm->pm_ncodecs; k++)
			if (codec_by_name(pm->pm_codecs[k]) == ours[i])
				return (ours[i]);
	return (CODEC_NONE);
}

/* What the tuples say, as counts: the reason when none will do. */
struct target_seen {
	int	ts_contact, ts_audio, ts_direct, ts_codec;
};

static int
target_tuple(const struct imc_conf *conf, const struct pres_tuple *pt,
    struct dcall_target *t, struct target_seen *seen)
{
	const struct pres_medium	*pm;
	size_t				 i;

	if (pt->pt_contact[0] == '\0' || target_host(pt->pt_contact,
	    t->dt_host, sizeof(t->dt_host)) == -1)
		return (-1);
	seen->ts_contact++;
	for (i = 0; i < pt->pt_nmedia; i++) {
		pm = &pt->pt_media[i];
		if (strcmp(pm->pm_type, "audio") != 0 || pm->pm_port == 0)
			continue;
		seen->ts_audio++;
		if (!pm->pm_direct)
			continue;
		seen->ts_direct++;
		if ((t->dt_codec = target_codec(conf, pm)) == CODEC_NONE)
			continue;
		seen->ts_codec++;
		t->dt_port = pm->pm_port;
		(void)strlcpy(t->dt_contact, pt->pt_contact,
		    sizeof(t->dt_contact));
		return (0);
	}
	return (-1);
}

/* IMC_EXIT_OK with t filled in, else an exit status, said why. */
int
dcall_target(const struct imc_conf *conf, const char *addr,
    const char *body, size_t len, struct dcall_target *t)
{
	struct pres_tuple	tuples[PRES_TUPLES_MAX];
	struct target_seen	seen;
	size_t			n, i;

	memset(&seen, 0, sizeof(seen));
	if (pres_doc_tuples(body, len, tuples, PRES_TUPLES_MAX, &n) == -1) {
		warnx("%s: a presence document we cannot read", addr);
		return (IMC_EXIT_FAIL);
	}
	for (i = 0; i < n; i++)
		if (target_tuple(conf, &tuples[i], t, &seen) == 0)
			return (IMC_EXIT_OK);
	if (seen.ts_contact == 0)
		warnx("not authorised to call %s directly: its presence "
		    "shows us no device", addr);
	else if (seen.ts_audio == 0)
		warnx("%s publishes no audio medium: it cannot take calls "
		    "directly", addr);
	else if (seen.ts_direct == 0)
		warnx("%s takes no direct calls (its audio says direct "
		    "false)", addr);
	else
		warnx("%s has no codec in common with us", addr);
	return (seen.ts_contact == 0 || (seen.ts_audio > 0 &&
	    seen.ts_direct == 0) ? IMC_EXIT_NODIRECT : IMC_EXIT_FAIL);
}
