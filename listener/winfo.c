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
 * Watcher information documents (RFC 3858), written with libxml2's
 * writer so that every value, however odd, comes out escaped.  What
 * the writer cannot make safe (bytes that are not UTF-8, characters
 * XML forbids) and values outside the RFC's lists are refused instead.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include "winfo.h"
#include "xml.h"

#define WINFO_NS		"urn:ietf:params:xml:ns:watcherinfo"

static int	winfo_is_in(const char *, const char *const *);
static int	winfo_is_valid(const char *, const struct winfo_watcher *,
		    size_t);
static int	winfo_write_watcher(xmlTextWriterPtr,
		    const struct winfo_watcher *);
static int	winfo_write(xmlTextWriterPtr, const char *, uint32_t, int,
		    const struct winfo_watcher *, size_t);

/* RFC 3858 section 5: the status and event attributes. */
static const char *const winfo_statuses[] = {
	"pending", "active", "waiting", "terminated", NULL
};
static const char *const winfo_events[] = {
	"subscribe", "approved", "deactivated", "probation", "rejected",
	"timeout", "giveup", "noresource", NULL
};

static int
winfo_is_in(const char *s, const char *const *list)
{
	for (; s != NULL && *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return (1);
	return (0);
}

static int
winfo_is_valid(const char *presentity, const struct winfo_watcher *ww,
    size_t n)
{
	size_t	 i;

	if (presentity == NULL || !xml_is_text(presentity))
		return (0);
	for (i = 0; i < n; i++) {
		if (ww[i].ww_id == NULL || ww[i].ww_id[0] == '\0' ||
		    !xml_is_text(ww[i].ww_id) || ww[i].ww_uri == NULL ||
		    ww[i].ww_uri[0] == '\0' || !xml_is_text(ww[i].ww_uri) ||
		    !winfo_is_in(ww[i].ww_status, winfo_statuses) ||
		    !winfo_is_in(ww[i].ww_event, winfo_events))
			return (0);
	}
	return (1);
}

static int
winfo_write_watcher(xmlTextWriterPtr w, const struct winfo_watcher *ww)
{
	if (xmlTextWriterStartElement(w, BAD_CAST "watcher") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "id",
	    BAD_CAST ww->ww_id) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "status",
	    BAD_CAST ww->ww_status) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "event",
	    BAD_CAST ww->ww_event) < 0)
		return (-1);
	if (ww->ww_duration != 0 && xmlTextWriterWriteFormatAttribute(w,
	    BAD_CAST "duration-subscribed", "%u", ww->ww_duration) < 0)
		return (-1);
	if (xmlTextWriterWriteString(w, BAD_CAST ww->ww_uri) < 0 ||
	    xmlTextWriterEndElement(w) < 0)
		return (-1);
	return (0);
}

static int
winfo_write(xmlTextWriterPtr w, const char *presentity, uint32_t version,
    int full, const struct winfo_watcher *ww, size_t n)
{
	size_t	 i;

	if (xmlTextWriterSetIndent(w, 1) < 0 ||
	    xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElementNS(w, NULL, BAD_CAST "watcherinfo",
	    BAD_CAST WINFO_NS) < 0 ||
	    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "version", "%u",
	    version) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "state",
	    BAD_CAST (full ? "full" : "partial")) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "watcher-list") < 0 ||
	    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "resource",
	    "sip:%s", presentity) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "package",
	    BAD_CAST "presence") < 0)
		return (-1);
	for (i = 0; i < n; i++)
		if (winfo_write_watcher(w, &ww[i]) == -1)
			return (-1);
	if (xmlTextWriterEndDocument(w) < 0 || xmlTextWriterFlush(w) < 0)
		return (-1);
	return (0);
}

int
winfo_compose(const char *presentity, uint32_t version, int full,
    const struct winfo_watcher *ww, size_t n, char **out, size_t *outlen)
{
	xmlBufferPtr	 buf;
	xmlTextWriterPtr w;
	int		 rc = -1;

	xml_quiet();
	if (!winfo_is_valid(presentity, ww, n))
		return (-1);
	if ((buf = xmlBufferCreate()) == NULL)
		return (-1);
	if ((w = xmlNewTextWriterMemory(buf, 0)) != NULL &&
	    winfo_write(w, presentity, version, full, ww, n) == 0)
		rc = xml_out(xmlBufferContent(buf), xmlBufferLength(buf), out,
		    outlen);
	xmlFreeTextWriter(w);
	xmlBufferFree(buf);
	return (rc);
}
