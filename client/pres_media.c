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
 * The tuples of a presence document with their contact and the media
 * of our extension (docs/presence.md), for a direct call: which
 * device takes audio directly, on which port, with which codecs.  The
 * server checked the extension when it was published; we read it
 * again with the same care, since what we connect to depends on it.
 */

#include <sys/types.h>

#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imc.h"
#include "pidf.h"
#include "pres_xml.h"

/* The text of n, trimmed, if it fits; else "". */
static void
media_text(xmlNodePtr n, char *buf, size_t size)
{
	xmlChar		*t;
	const char	*p;
	size_t		 len;

	buf[0] = '\0';
	if ((t = xmlNodeGetContent(n)) == NULL)
		return;
	p = (const char *)t;
	p += strspn(p, " \t\r\n");
	len = strlen(p);
	while (len > 0 && strchr(" \t\r\n", p[len - 1]) != NULL)
		len--;
	if (len < size) {
		memcpy(buf, p, len);
		buf[len] = '\0';
	}
	xmlFree(t);
}

static void
media_one(xmlNodePtr n, struct pres_medium *pm)
{
	char		 v[64];
	const char	*errstr;

	memset(pm, 0, sizeof(*pm));
	for (n = n->children; n != NULL; n = n->next) {
		if (!pres_xml_is(n, PIDF_MEDIA_NS, NULL))
			continue;
		media_text(n, v, sizeof(v));
		if (xmlStrEqual(n->name, BAD_CAST "type"))
			(void)strlcpy(pm->pm_type, v, sizeof(pm->pm_type));
		else if (xmlStrEqual(n->name, BAD_CAST "port"))
			pm->pm_port = strtonum(v, 1, 65535, &errstr);
		else if (xmlStrEqual(n->name, BAD_CAST "direct"))
			pm->pm_direct = strcmp(v, "true") == 0;
		else if (xmlStrEqual(n->name, BAD_CAST "codec") &&
		    pm->pm_ncodecs < IMC_CODECS_MAX && v[0] != '\0' &&
		    strlen(v) < IMC_CODEC_NAME_MAX)
			(void)strlcpy(pm->pm_codecs[pm->pm_ncodecs++], v,
			    IMC_CODEC_NAME_MAX);
	}
}

static void
media_tuple(xmlNodePtr t, struct pres_tuple *pt)
{
	xmlNodePtr	n, m;

	memset(pt, 0, sizeof(*pt));
	for (n = t->children; n != NULL; n = n->next) {
		if (pres_xml_is(n, PIDF_NS, "contact"))
			media_text(n, pt->pt_contact, sizeof(pt->pt_contact));
		if (!pres_xml_is(n, PIDF_NS, "status"))
			continue;
		for (m = n->children; m != NULL; m = m->next)
			if (pres_xml_is(m, PIDF_MEDIA_NS, "media") &&
			    pt->pt_nmedia < PRES_MEDIA_MAX)
				media_one(m, &pt->pt_media[pt->pt_nmedia++]);
	}
}

/* The tuples of a PIDF document, at most max of them. */
int
pres_doc_tuples(const char *body, size_t len, struct pres_tuple *pt,
    size_t max, size_t *n)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root, t;

	*n = 0;
	if ((doc = pres_xml_read(body, len)) == NULL)
		return (-1);
	if ((root = xmlDocGetRootElement(doc)) == NULL ||
	    !pres_xml_is(root, PIDF_NS, "presence")) {
		xmlFreeDoc(doc);
		return (-1);
	}
	for (t = root->children; t != NULL && *n < max; t = t->next)
		if (pres_xml_is(t, PIDF_NS, "tuple"))
			media_tuple(t, &pt[(*n)++]);
	xmlFreeDoc(doc);
	return (0);
}
