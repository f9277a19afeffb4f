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
 * The presence documents of imc, through libxml2: the PIDF we publish
 * (RFC 3863, with an RPID activity for away and busy, RFC 4480, and
 * our media extension, docs/presence.md), and the PIDF and watcher
 * information (RFC 3858) that NOTIFYs bring.  What comes from the
 * network is parsed without a DTD: a document type declaration stops
 * the parser before any entity can be declared.
 */

#include <sys/types.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <string.h>

#include "cdefs.h"
#include "imc.h"
#include "pidf.h"
#include "xml.h"
#include "pres_xml.h"

#define RPID_NS		"urn:ietf:params:xml:ns:pidf:rpid"
#define DM_NS		"urn:ietf:params:xml:ns:pidf:data-model"
#define WINFO_NS	"urn:ietf:params:xml:ns:watcherinfo"
#define DOC_PARSE	(XML_PARSE_NONET | XML_PARSE_NOERROR | \
			    XML_PARSE_NOWARNING | XML_PARSE_NOCDATA)

/* One <m:media>: type, port, its codecs, direct (docs/presence.md). */
static int
doc_medium(xmlTextWriterPtr w, const char *type, uint16_t port,
    const struct imc_media *im, int direct)
{
	char	num[8];
	size_t	i;

	(void)snprintf(num, sizeof(num), "%u", port);
	if (xmlTextWriterStartElement(w, BAD_CAST "m:media") < 0 ||
	    xmlTextWriterWriteElement(w, BAD_CAST "m:type",
	    BAD_CAST type) < 0 ||
	    xmlTextWriterWriteElement(w, BAD_CAST "m:port", BAD_CAST num) < 0)
		return (-1);
	for (i = 0; im != NULL && i < im->im_ncodecs; i++)
		if (xmlTextWriterWriteElement(w, BAD_CAST "m:codec",
		    BAD_CAST im->im_codecs[i]) < 0)
			return (-1);
	return (xmlTextWriterWriteElement(w, BAD_CAST "m:direct",
	    BAD_CAST (direct ? "true" : "false")) < 0 ||
	    xmlTextWriterEndElement(w) < 0 ? -1 : 0);
}

/* Text on our SIP port, then each medium of the configuration. */
static int
doc_media(xmlTextWriterPtr w, const struct pres_pub *pp)
{
	const struct imc_media	*im;
	size_t			 i;

	if (doc_medium(w, "text", pp->pp_port, NULL, pp->pp_direct) == -1)
		return (-1);
	for (i = 0; i < pp->pp_nmedia; i++) {
		im = &pp->pp_media[i];
		if (doc_medium(w, im->im_type, im->im_port, im,
		    im->im_direct) == -1)
			return (-1);
	}
	return (0);
}

static int
doc_tuple(xmlTextWriterPtr w, const struct pres_pub *pp)
{
	const char	*basic;

	basic = strcmp(pp->pp_state, "closed") == 0 ? "closed" : "open";
	if (xmlTextWriterStartElement(w, BAD_CAST "tuple") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "id",
	    BAD_CAST pp->pp_tuple) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "status") < 0 ||
	    xmlTextWriterWriteElement(w, BAD_CAST "basic",
	    BAD_CAST basic) < 0 || doc_media(w, pp) == -1 ||
	    xmlTextWriterEndElement(w) < 0 ||
	    xmlTextWriterWriteElement(w, BAD_CAST "contact",
	    BAD_CAST pp->pp_contact) < 0)
		return (-1);
	if (pp->pp_note != NULL && xmlTextWriterWriteElement(w,
	    BAD_CAST "note", BAD_CAST pp->pp_note) < 0)
		return (-1);
	return (xmlTextWriterEndElement(w) < 0 ? -1 : 0);
}

/* away and busy are RPID activities of the person (RFC 4480 3.2). */
static int
doc_person(xmlTextWriterPtr w, const struct pres_pub *pp)
{
	char	id[IMC_TAG_MAX + 4], act[16];

	if (strcmp(pp->pp_state, "away") != 0 &&
	    strcmp(pp->pp_state, "busy") != 0)
		return (0);
	(void)snprintf(id, sizeof(id), "p-%s", pp->pp_tuple);
	(void)snprintf(act, sizeof(act), "rpid:%s", pp->pp_state);
	return (xmlTextWriterStartElement(w, BAD_CAST "dm:person") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "id", BAD_CAST id) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "rpid:activities") < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST act) < 0 ||
	    xmlTextWriterEndElement(w) < 0 ||
	    xmlTextWriterEndElement(w) < 0 ||
	    xmlTextWriterEndElement(w) < 0 ? -1 : 0);
}

static int
doc_write(xmlTextWriterPtr w, const struct pres_pub *pp)
{
	char	entity[IMD_ADDRESS_MAX + 8];

	(void)snprintf(entity, sizeof(entity), "pres:%s", pp->pp_entity);
	return (xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "presence") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns",
	    BAD_CAST PIDF_NS) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns:dm",
	    BAD_CAST DM_NS) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns:rpid",
	    BAD_CAST RPID_NS) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns:m",
	    BAD_CAST PIDF_MEDIA_NS) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "entity",
	    BAD_CAST entity) < 0 ||
	    doc_tuple(w, pp) == -1 || doc_person(w, pp) == -1 ||
	    xmlTextWriterEndDocument(w) < 0 ? -1 : 0);
}

/* Our PIDF for a PUBLISH; *out is malloc'd. */
int
pres_doc_make(const struct pres_pub *pp, char **out, size_t *outlen)
{
	xmlBufferPtr		 buf;
	xmlTextWriterPtr	 w;
	int			 r = -1;

	xml_quiet();
	if ((pp->pp_note != NULL && !xml_is_text(pp->pp_note)) ||
	    (buf = xmlBufferCreate()) == NULL)
		return (-1);
	if ((w = xmlNewTextWriterMemory(buf, 0)) != NULL) {
		r = doc_write(w, pp);
		xmlFreeTextWriter(w);
	}
	if (r == 0)
		r = xml_out(xmlBufferContent(buf), xmlBufferLength(buf), out,
		    outlen);
	xmlBufferFree(buf);
	return (r);
}

/* libxml2 calls this at <!DOCTYPE, before the internal subset. */
static void
doc_refuse_dtd(void *ctx, const xmlChar *name IMD_UNUSED,
    const xmlChar *extid IMD_UNUSED, const xmlChar *sysid IMD_UNUSED)
{
	xmlStopParser(ctx);
}

xmlDocPtr
pres_xml_read(const char *body, size_t len)
{
	xmlParserCtxtPtr	 ctxt;
	xmlDocPtr		 doc = NULL;

	xml_quiet();
	if (len == 0 || len > SIP_UDP_MAX ||
	    (ctxt = xmlCreateMemoryParserCtxt(body, (int)len)) == NULL)
		return (NULL);
	(void)xmlCtxtUseOptions(ctxt, DOC_PARSE);
	ctxt->sax->internalSubset = doc_refuse_dtd;
	(void)xmlParseDocument(ctxt);
	if (ctxt->wellFormed && !ctxt->disableSAX)
		doc = ctxt->myDoc;
	else if (ctxt->myDoc != NULL)
		xmlFreeDoc(ctxt->myDoc);
	xmlFreeParserCtxt(ctxt);
	return (doc);
}

int
pres_xml_is(xmlNodePtr n, const char *ns, const char *name)
{
	return (n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    xmlStrEqual(n->ns->href, BAD_CAST ns) &&
	    (name == NULL || xmlStrEqual(n->name, BAD_CAST name)));
}

static void
doc_text(xmlNodePtr n, char *buf, size_t size)
{
	xmlChar	*t;

	if (buf[0] != '\0' || (t = xmlNodeGetContent(n)) == NULL)
		return;
	(void)strlcpy(buf, (const char *)t, size);
	xmlFree(t);
}

/* The first basic, activity and note found, depth first. */
static void
doc_walk(xmlNodePtr n, struct pres_view *pv)
{
	for (; n != NULL; n = n->next) {
		if (pres_xml_is(n, PIDF_NS, "basic"))
			doc_text(n, pv->pv_basic, sizeof(pv->pv_basic));
		else if (pres_xml_is(n, PIDF_NS, "note"))
			doc_text(n, pv->pv_note, sizeof(pv->pv_note));
		else if (n->parent != NULL && pres_xml_is(n->parent, RPID_NS,
		    "activities") && pres_xml_is(n, RPID_NS, NULL) &&
		    pv->pv_activity[0] == '\0')
			(void)strlcpy(pv->pv_activity, (const char *)n->name,
			    sizeof(pv->pv_activity));
		if (n->type == XML_ELEMENT_NODE)
			doc_walk(n->children, pv);
	}
}

int
pres_doc_read(const char *body, size_t len, struct pres_view *pv)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root;
	int		 r = -1;

	memset(pv, 0, sizeof(*pv));
	if ((doc = pres_xml_read(body, len)) == NULL)
		return (-1);
	if ((root = xmlDocGetRootElement(doc)) != NULL &&
	    pres_xml_is(root, PIDF_NS, "presence")) {
		doc_walk(root->children, pv);
		r = 0;
	}
	xmlFreeDoc(doc);
	return (r);
}

static void
winfo_list(xmlNodePtr n, winfo_each_cb cb, void *arg)
{
	xmlChar	*uri, *status;

	for (; n != NULL; n = n->next) {
		if (!pres_xml_is(n, WINFO_NS, "watcher"))
			continue;
		uri = xmlNodeGetContent(n);
		status = xmlGetProp(n, BAD_CAST "status");
		if (uri != NULL && status != NULL)
			cb((const char *)uri, (const char *)status, arg);
		xmlFree(uri);
		xmlFree(status);
	}
}

/* cb(uri, status) for each watcher of a watcherinfo document. */
int
winfo_read(const char *body, size_t len, winfo_each_cb cb, void *arg)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root, n;
	int		 r = -1;

	if ((doc = pres_xml_read(body, len)) == NULL)
		return (-1);
	if ((root = xmlDocGetRootElement(doc)) != NULL &&
	    pres_xml_is(root, WINFO_NS, "watcherinfo")) {
		for (n = root->children; n != NULL; n = n->next)
			if (pres_xml_is(n, WINFO_NS, "watcher-list"))
				winfo_list(n->children, cb, arg);
		r = 0;
	}
	xmlFreeDoc(doc);
	return (r);
}
