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
 * Presence documents (see pidf.h, docs/presence.md).  Every document
 * comes from the network, so it is read by pidf_read() alone: a parser
 * context whose SAX callbacks refuse a document type declaration
 * before its internal subset is read (no entity is ever declared, so
 * none can expand or load a file) and stop at the depth and tuple
 * limits while the document is still streaming in.
 */

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "cdefs.h"
#include "pidf.h"
#include "xml.h"

#define PIDF_STR(x)		PIDF_STR2(x)
#define PIDF_STR2(x)		#x

/* Never NOENT, DTDLOAD or HUGE; blanks kept so copies stay exact. */
#define PIDF_PARSE		(XML_PARSE_NONET | XML_PARSE_NOERROR | \
				 XML_PARSE_NOWARNING)
#define PIDF_CODECS_MAX		16	/* <m:codec>s per <m:media> */
#define PIDF_CODEC_LEN		32	/* octets of a codec name */
#define PIDF_REG_TUPLE		"imd-reg"
#define PIDF_BASIC_WORD_LEN	32	/* octets of a basic we do not know */

/* Each child element ns:name of a node, like the sys/queue.h loops. */
#define PIDF_EACH(v, first, ns, name)					\
	for ((v) = pidf_next((first), (ns), (name)); (v) != NULL;	\
	    (v) = pidf_next((v)->next, (ns), (name)))

struct pidf_guard {
	int		 pg_depth;
	int		 pg_tuples;
	const char	*pg_refused;	/* why the parse stopped, or NULL */
};

/* What one <m:media> holds, counted while its children are read. */
struct pidf_media {
	int		 pm_types;
	int		 pm_audiovideo;
	int		 pm_ports;
	int		 pm_codecs;
	int		 pm_directs;
};

static int	pidf_fail(char *, size_t, const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));
static void	pidf_stop(xmlParserCtxtPtr, const char *);
static void	pidf_sax_subset(void *, const xmlChar *, const xmlChar *,
		    const xmlChar *);
static void	pidf_sax_start(void *, const xmlChar *, const xmlChar *,
		    const xmlChar *, int, const xmlChar **, int, int,
		    const xmlChar **);
static void	pidf_sax_end(void *, const xmlChar *, const xmlChar *,
		    const xmlChar *);
static void	pidf_malformed(xmlParserCtxtPtr, char *, size_t);
static xmlDocPtr pidf_verdict(xmlParserCtxtPtr, const struct pidf_guard *,
		    char *, size_t);
static xmlDocPtr pidf_read(const char *, size_t, char *, size_t);
static int	pidf_is(xmlNodePtr, const char *, const char *);
static xmlNodePtr pidf_next(xmlNodePtr, const char *, const char *);
static int	pidf_in_media_ns(xmlNodePtr);
static xmlChar	*pidf_text(xmlNodePtr);
static int	pidf_text_is(xmlNodePtr, const char *);
static int	pidf_is_entity(const char *, const char *);
static int	pidf_is_port(const char *);
static int	pidf_is_codec(const char *);
static int	pidf_media_child(xmlNodePtr, struct pidf_media *, char *,
		    size_t);
static int	pidf_check_media(xmlNodePtr, char *, size_t);
static int	pidf_check_ns(xmlNodePtr, char *, size_t);
static int	pidf_is_basic_known(xmlNodePtr);
static int	pidf_check_basic(xmlNodePtr, char *, size_t);
static int	pidf_check_status(xmlNodePtr, char *, size_t);
static int	pidf_check_tuple(xmlNodePtr, char *, size_t);
static int	pidf_check_ids(xmlNodePtr, char *, size_t);
static int	pidf_check_root(xmlNodePtr, const char *, char *, size_t);
static xmlDocPtr pidf_new(const char *, xmlNodePtr *);
static int	pidf_add_basic(xmlNodePtr, int);
static void	pidf_drop_unknown_basic(xmlNodePtr);
static int	pidf_is_whereabouts(xmlNodePtr);
static void	pidf_strip_whereabouts(xmlNodePtr);
static int	pidf_add_doc(xmlNodePtr, const char *, size_t, int);
static int	pidf_compose_doc(const char *, const char *const *,
		    const size_t *, size_t, int, int, char **, size_t *);
static int	pidf_dump(xmlDocPtr, char **, size_t *);

/*
 * The reason may end up in a SIP reason phrase and may quote libxml2,
 * which quotes the document: keep it to printable ASCII.
 */
static int
pidf_fail(char *reason, size_t reasonsize, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	if (reasonsize == 0)
		return (-1);
	va_start(ap, fmt);
	(void)vsnprintf(reason, reasonsize, fmt, ap);
	va_end(ap);
	for (p = reason; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f)
			*p = '?';
	return (-1);
}

void
pidf_init(void)
{
	xmlInitParser();
	xml_quiet();
}

static void
pidf_stop(xmlParserCtxtPtr ctxt, const char *why)
{
	struct pidf_guard	*pg = ctxt->_private;

	if (pg->pg_refused == NULL)
		pg->pg_refused = why;
	xmlStopParser(ctxt);
}

/*
 * libxml2 calls this at <!DOCTYPE ...>, before it reads the internal
 * subset: stopping here means no entity or external subset is ever
 * declared, let alone expanded or loaded.
 */
static void
pidf_sax_subset(void *ctx, const xmlChar *name IMD_UNUSED,
    const xmlChar *extid IMD_UNUSED, const xmlChar *sysid IMD_UNUSED)
{
	pidf_stop(ctx, "a document type declaration is not allowed");
}

static void
pidf_sax_start(void *ctx, const xmlChar *name, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattr,
    int ndefaulted, const xmlChar **attr)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	struct pidf_guard	*pg = ctxt->_private;

	if (++pg->pg_depth > PIDF_DEPTH_MAX) {
		pidf_stop(ctxt, "elements nested deeper than "
		    PIDF_STR(PIDF_DEPTH_MAX));
		return;
	}
	if (pg->pg_depth == 2 && uri != NULL &&
	    xmlStrEqual(uri, BAD_CAST PIDF_NS) &&
	    xmlStrEqual(name, BAD_CAST "tuple") &&
	    ++pg->pg_tuples > PIDF_TUPLES_MAX) {
		pidf_stop(ctxt, "more than " PIDF_STR(PIDF_TUPLES_MAX)
		    " tuples");
		return;
	}
	xmlSAX2StartElementNs(ctx, name, prefix, uri, nns, ns, nattr,
	    ndefaulted, attr);
}

static void
pidf_sax_end(void *ctx, const xmlChar *name, const xmlChar *prefix,
    const xmlChar *uri)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	struct pidf_guard	*pg = ctxt->_private;

	pg->pg_depth--;
	xmlSAX2EndElementNs(ctx, name, prefix, uri);
}

static void
pidf_malformed(xmlParserCtxtPtr ctxt, char *reason, size_t reasonsize)
{
	xmlErrorPtr	 e;
	size_t		 len;

	e = xmlCtxtGetLastError(ctxt);
	if (e == NULL || e->message == NULL) {
		pidf_fail(reason, reasonsize, "malformed XML");
		return;
	}
	len = strcspn(e->message, "\n");
	pidf_fail(reason, reasonsize, "malformed XML at line %d: %.*s",
	    e->line, (int)len, e->message);
}

/*
 * After the parse: the tree, or NULL with a reason.  A namespace error
 * (an undeclared prefix) counts as malformed too, which libxml2 on its
 * own does not insist on.
 */
static xmlDocPtr
pidf_verdict(xmlParserCtxtPtr ctxt, const struct pidf_guard *pg,
    char *reason, size_t reasonsize)
{
	xmlDocPtr	 xd = ctxt->myDoc;

	ctxt->myDoc = NULL;
	if (pg->pg_refused != NULL)
		pidf_fail(reason, reasonsize, "%s", pg->pg_refused);
	else if (!ctxt->wellFormed || !ctxt->nsWellFormed || xd == NULL)
		pidf_malformed(ctxt, reason, reasonsize);
	else if (xd->intSubset != NULL || xd->extSubset != NULL)
		pidf_fail(reason, reasonsize, "a document type declaration "
		    "is not allowed");
	else if (xmlDocGetRootElement(xd) == NULL)
		pidf_fail(reason, reasonsize, "no root element");
	else
		return (xd);
	xmlFreeDoc(xd);
	return (NULL);
}

/* The one way a document is parsed: the tree, or NULL with a reason. */
static xmlDocPtr
pidf_read(const char *doc, size_t len, char *reason, size_t reasonsize)
{
	struct pidf_guard	 pg;
	xmlParserCtxtPtr	 ctxt;
	xmlDocPtr		 xd;

	xml_quiet();
	if (len == 0 || len > INT_MAX) {
		pidf_fail(reason, reasonsize, len == 0 ? "empty document" :
		    "document too large");
		return (NULL);
	}
	if ((ctxt = xmlCreateMemoryParserCtxt(doc, (int)len)) == NULL) {
		pidf_fail(reason, reasonsize, "out of memory");
		return (NULL);
	}
	memset(&pg, 0, sizeof(pg));
	(void)xmlCtxtUseOptions(ctxt, PIDF_PARSE);
	ctxt->_private = &pg;
	ctxt->sax->internalSubset = pidf_sax_subset;
	ctxt->sax->startElementNs = pidf_sax_start;
	ctxt->sax->endElementNs = pidf_sax_end;
	(void)xmlParseDocument(ctxt);
	xd = pidf_verdict(ctxt, &pg, reason, reasonsize);
	xmlFreeParserCtxt(ctxt);
	return (xd);
}

/* Is n the element ns:name?  (ns NULL: no namespace.) */
static int
pidf_is(xmlNodePtr n, const char *ns, const char *name)
{
	if (n == NULL || n->type != XML_ELEMENT_NODE ||
	    !xmlStrEqual(n->name, BAD_CAST name))
		return (0);
	if (ns == NULL)
		return (n->ns == NULL);
	return (n->ns != NULL && xmlStrEqual(n->ns->href, BAD_CAST ns));
}

/* n or the first element ns:name after it. */
static xmlNodePtr
pidf_next(xmlNodePtr n, const char *ns, const char *name)
{
	while (n != NULL && !pidf_is(n, ns, name))
		n = n->next;
	return (n);
}

static int
pidf_in_media_ns(xmlNodePtr n)
{
	return (n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    xmlStrEqual(n->ns->href, BAD_CAST PIDF_MEDIA_NS));
}

/*
 * The text of a simple element with the white space around it taken
 * off, as XML Schema does for tokens, booleans and numbers.  The
 * caller frees it with xmlFree().
 */
static xmlChar *
pidf_text(xmlNodePtr n)
{
	xmlChar	*s;
	size_t	 len, skip;

	if ((s = xmlNodeGetContent(n)) == NULL)
		return (NULL);
	skip = strspn((char *)s, " \t\r\n");
	len = strlen((char *)s + skip);
	while (len > 0 && strchr(" \t\r\n", s[skip + len - 1]) != NULL)
		len--;
	memmove(s, s + skip, len);
	s[len] = '\0';
	return (s);
}

static int
pidf_text_is(xmlNodePtr n, const char *want)
{
	xmlChar	*s;
	int	 eq;

	if ((s = pidf_text(n)) == NULL)
		return (0);
	eq = strcmp((char *)s, want) == 0;
	xmlFree(s);
	return (eq);
}

/*
 * entity is pres:, sip: or sips: followed by presentity (user@domain):
 * the user part exactly as registered, the domain in any case.
 */
static int
pidf_is_entity(const char *entity, const char *presentity)
{
	static const char *const schemes[] = { "pres:", "sip:", "sips:" };
	const char	*at, *rest = NULL;
	size_t		 i, ulen;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strncasecmp(entity, schemes[i], strlen(schemes[i])) == 0)
			rest = entity + strlen(schemes[i]);
	if (rest == NULL || (at = strchr(presentity, '@')) == NULL)
		return (0);
	ulen = at - presentity;
	return (ulen > 0 && strncmp(rest, presentity, ulen) == 0 &&
	    rest[ulen] == '@' && strcasecmp(rest + ulen + 1, at + 1) == 0);
}

/* An xs:unsignedShort from 1 on, written plainly: digits only. */
static int
pidf_is_port(const char *s)
{
	const char	*errstr;
	size_t		 len;

	len = strlen(s);
	if (len == 0 || len > 5 || s[0] == '0' ||
	    strspn(s, "0123456789") != len)
		return (0);
	(void)strtonum(s, 1, 65535, &errstr);
	return (errstr == NULL);
}

/* A codec name is an RFC 3261 token, like an SDP encoding name. */
static int
pidf_is_codec(const char *s)
{
	static const char	 token[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~";
	size_t			 len;

	len = strlen(s);
	return (len > 0 && len <= PIDF_CODEC_LEN &&
	    strspn(s, token) == len);
}

/* One child of <m:media>; children of other namespaces pass. */
static int
pidf_media_child(xmlNodePtr c, struct pidf_media *pm, char *reason,
    size_t reasonsize)
{
	xmlChar	*s;
	int	 ok;

	if (!pidf_in_media_ns(c))
		return (0);
	if ((s = pidf_text(c)) == NULL)
		return (pidf_fail(reason, reasonsize, "out of memory"));
	if (xmlStrEqual(c->name, BAD_CAST "type")) {
		pm->pm_types++;
		pm->pm_audiovideo = !xmlStrEqual(s, BAD_CAST "text");
		ok = !pm->pm_audiovideo || xmlStrEqual(s, BAD_CAST "audio") ||
		    xmlStrEqual(s, BAD_CAST "video");
	} else if (xmlStrEqual(c->name, BAD_CAST "port")) {
		pm->pm_ports++;
		ok = pidf_is_port((char *)s);
	} else if (xmlStrEqual(c->name, BAD_CAST "codec")) {
		pm->pm_codecs++;
		ok = pidf_is_codec((char *)s);
	} else if (xmlStrEqual(c->name, BAD_CAST "direct")) {
		pm->pm_directs++;
		ok = xmlStrEqual(s, BAD_CAST "true") ||
		    xmlStrEqual(s, BAD_CAST "false");
	} else {
		xmlFree(s);
		return (pidf_fail(reason, reasonsize,
		    "unknown element in the media extension"));
	}
	xmlFree(s);
	if (!ok)
		return (pidf_fail(reason, reasonsize, "bad media %s",
		    (const char *)c->name));
	return (0);
}

static int
pidf_check_media(xmlNodePtr media, char *reason, size_t reasonsize)
{
	struct pidf_media	 pm;
	xmlNodePtr		 c;

	memset(&pm, 0, sizeof(pm));
	for (c = media->children; c != NULL; c = c->next)
		if (pidf_media_child(c, &pm, reason, reasonsize) == -1)
			return (-1);
	if (pm.pm_types != 1)
		return (pidf_fail(reason, reasonsize,
		    "media needs exactly one type"));
	if (pm.pm_ports != 1)
		return (pidf_fail(reason, reasonsize,
		    "media needs exactly one port"));
	if (pm.pm_directs > 1)
		return (pidf_fail(reason, reasonsize,
		    "media has more than one direct"));
	if (pm.pm_codecs > PIDF_CODECS_MAX)
		return (pidf_fail(reason, reasonsize, "media has more than "
		    PIDF_STR(PIDF_CODECS_MAX) " codecs"));
	if (pm.pm_audiovideo && pm.pm_codecs == 0)
		return (pidf_fail(reason, reasonsize,
		    "audio or video media needs a codec"));
	return (0);
}

/*
 * Our namespace, our rules: its elements may stand only as an
 * <m:media> in the <status> of a <tuple>, or as a child of one (which
 * pidf_check_media() judges).  The walk is as deep as the document,
 * which pidf_read() bounds.
 */
static int
pidf_check_ns(xmlNodePtr n, char *reason, size_t reasonsize)
{
	xmlNodePtr	 c, p = n->parent;

	if (pidf_in_media_ns(n)) {
		if (xmlStrEqual(n->name, BAD_CAST "media") &&
		    pidf_is(p, PIDF_NS, "status") &&
		    pidf_is(p->parent, PIDF_NS, "tuple")) {
			if (pidf_check_media(n, reason, reasonsize) == -1)
				return (-1);
		} else if (!pidf_is(p, PIDF_MEDIA_NS, "media"))
			return (pidf_fail(reason, reasonsize,
			    "media extension out of place"));
	}
	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    pidf_check_ns(c, reason, reasonsize) == -1)
			return (-1);
	return (0);
}

/* The two values RFC 3863 knows, the only ones a watcher is told. */
static int
pidf_is_basic_known(xmlNodePtr basic)
{
	return (pidf_text_is(basic, "open") || pidf_text_is(basic, "closed"));
}

/*
 * RFC 3863 allows open and closed, but baresip publishes "unknown":
 * a basic that is one plain word other than those says nothing, so the
 * document is kept and watchers get the tuple without it
 * (pidf_drop_unknown_basic()).  What could be read two ways is still
 * refused: elements inside, or open or closed in another case.
 */
static int
pidf_check_basic(xmlNodePtr basic, char *reason, size_t reasonsize)
{
	static const char	 word[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._";
	xmlNodePtr		 c;
	xmlChar			*s;
	size_t			 len;
	int			 rc = 0;

	for (c = basic->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return (pidf_fail(reason, reasonsize,
			    "basic status with elements in it"));
	if (pidf_is_basic_known(basic))
		return (0);
	if ((s = pidf_text(basic)) == NULL)
		return (pidf_fail(reason, reasonsize, "out of memory"));
	len = strlen((char *)s);
	if (strcasecmp((char *)s, "open") == 0 ||
	    strcasecmp((char *)s, "closed") == 0)
		rc = pidf_fail(reason, reasonsize,
		    "basic status is open or closed in capitals");
	else if (len == 0 || len > PIDF_BASIC_WORD_LEN ||
	    strspn((char *)s, word) != len)
		rc = pidf_fail(reason, reasonsize,
		    "basic status is neither open, closed nor one word");
	xmlFree(s);
	return (rc);
}

static int
pidf_check_status(xmlNodePtr status, char *reason, size_t reasonsize)
{
	xmlNodePtr	 c;
	int		 basics = 0;

	PIDF_EACH(c, status->children, PIDF_NS, "basic") {
		if (++basics > 1)
			return (pidf_fail(reason, reasonsize,
			    "status has more than one basic"));
		if (pidf_check_basic(c, reason, reasonsize) == -1)
			return (-1);
	}
	return (0);
}

static int
pidf_check_tuple(xmlNodePtr tuple, char *reason, size_t reasonsize)
{
	xmlNodePtr	 c, status = NULL;
	xmlChar		*id;
	int		 empty;

	if ((id = xmlGetNoNsProp(tuple, BAD_CAST "id")) == NULL)
		return (pidf_fail(reason, reasonsize, "tuple without id"));
	empty = id[0] == '\0';
	xmlFree(id);
	if (empty)
		return (pidf_fail(reason, reasonsize, "tuple with empty id"));
	PIDF_EACH(c, tuple->children, PIDF_NS, "status") {
		if (status != NULL)
			return (pidf_fail(reason, reasonsize,
			    "tuple with more than one status"));
		status = c;
	}
	if (status == NULL)
		return (pidf_fail(reason, reasonsize, "tuple without status"));
	return (pidf_check_status(status, reason, reasonsize));
}

/* Tuple ids are xs:ID: unique in the document. */
static int
pidf_check_ids(xmlNodePtr root, char *reason, size_t reasonsize)
{
	xmlNodePtr	 a, b;
	xmlChar		*ida, *idb;
	int		 same;

	PIDF_EACH(a, root->children, PIDF_NS, "tuple") {
		ida = xmlGetNoNsProp(a, BAD_CAST "id");
		same = 0;
		PIDF_EACH(b, a->next, PIDF_NS, "tuple") {
			idb = xmlGetNoNsProp(b, BAD_CAST "id");
			same |= xmlStrEqual(ida, idb);
			xmlFree(idb);
		}
		xmlFree(ida);
		if (same)
			return (pidf_fail(reason, reasonsize,
			    "two tuples with the same id"));
	}
	return (0);
}

static int
pidf_check_root(xmlNodePtr root, const char *presentity, char *reason,
    size_t reasonsize)
{
	xmlNodePtr	 c;
	xmlChar		*entity;
	int		 match;

	if (!pidf_is(root, PIDF_NS, "presence"))
		return (pidf_fail(reason, reasonsize,
		    "the root is not a PIDF <presence>"));
	if ((entity = xmlGetNoNsProp(root, BAD_CAST "entity")) == NULL)
		return (pidf_fail(reason, reasonsize, "presence without "
		    "entity"));
	match = pidf_is_entity((char *)entity, presentity);
	xmlFree(entity);
	if (!match)
		return (pidf_fail(reason, reasonsize, "entity is not the "
		    "presentity"));
	PIDF_EACH(c, root->children, PIDF_NS, "tuple")
		if (pidf_check_tuple(c, reason, reasonsize) == -1)
			return (-1);
	if (pidf_check_ids(root, reason, reasonsize) == -1)
		return (-1);
	return (pidf_check_ns(root, reason, reasonsize));
}

int
pidf_check(const char *doc, size_t len, const char *presentity,
    char *reason, size_t reasonsize)
{
	xmlDocPtr	 xd;
	int		 rc;

	if ((xd = pidf_read(doc, len, reason, reasonsize)) == NULL)
		return (-1);
	rc = pidf_check_root(xmlDocGetRootElement(xd), presentity, reason,
	    reasonsize);
	xmlFreeDoc(xd);
	return (rc);
}

/* <tuple><status><m:media><m:direct>true</m:direct>... anywhere. */
int
pidf_direct(const char *doc, size_t len)
{
	return (pidf_direct_medium(doc, len, NULL));
}

/* The same for one medium's <m:media> (its <m:type>), or any if NULL. */
static int
pidf_media_is(xmlNodePtr m, const char *medium)
{
	xmlNodePtr	ty;

	if (medium == NULL)
		return (1);
	PIDF_EACH(ty, m->children, PIDF_MEDIA_NS, "type")
		if (pidf_text_is(ty, medium))
			return (1);
	return (0);
}

int
pidf_direct_medium(const char *doc, size_t len, const char *medium)
{
	xmlDocPtr	 xd;
	xmlNodePtr	 t, s, m, d;
	char		 reason[PIDF_REASON_MAX];
	int		 direct = 0;

	if ((xd = pidf_read(doc, len, reason, sizeof(reason))) == NULL)
		return (0);
	PIDF_EACH(t, xmlDocGetRootElement(xd)->children, PIDF_NS, "tuple")
		PIDF_EACH(s, t->children, PIDF_NS, "status")
			PIDF_EACH(m, s->children, PIDF_MEDIA_NS, "media")
				PIDF_EACH(d, m->children, PIDF_MEDIA_NS,
				    "direct")
					direct |= pidf_media_is(m, medium) &&
					    pidf_text_is(d, "true");
	xmlFreeDoc(xd);
	return (direct);
}

/* <presence xmlns=PIDF_NS entity="pres:user@domain"/> */
static xmlDocPtr
pidf_new(const char *presentity, xmlNodePtr *rootp)
{
	xmlDocPtr	 xd;
	xmlNodePtr	 root;
	xmlNsPtr	 ns = NULL;
	xmlChar		*entity;
	int		 ok;

	if (!xml_is_text(presentity) || strchr(presentity, '@') == NULL)
		return (NULL);
	if ((xd = xmlNewDoc(BAD_CAST "1.0")) == NULL)
		return (NULL);
	entity = xmlStrncatNew(BAD_CAST "pres:", BAD_CAST presentity, -1);
	if ((root = xmlNewDocNode(xd, NULL, BAD_CAST "presence",
	    NULL)) != NULL) {
		xmlDocSetRootElement(xd, root);
		if ((ns = xmlNewNs(root, BAD_CAST PIDF_NS, NULL)) != NULL)
			xmlSetNs(root, ns);
	}
	/* xmlNewProp() takes the value as text: the writer escapes it. */
	ok = entity != NULL && ns != NULL &&
	    xmlNewProp(root, BAD_CAST "entity", entity) != NULL;
	xmlFree(entity);
	if (!ok) {
		xmlFreeDoc(xd);
		return (NULL);
	}
	*rootp = root;
	return (xd);
}

/* The tuple of a presentity that published nothing: registered or not. */
static int
pidf_add_basic(xmlNodePtr root, int registered)
{
	xmlNodePtr	 tuple, status;

	if ((tuple = xmlNewChild(root, root->ns, BAD_CAST "tuple",
	    NULL)) == NULL ||
	    xmlNewProp(tuple, BAD_CAST "id", BAD_CAST PIDF_REG_TUPLE) ==
	    NULL ||
	    (status = xmlNewChild(tuple, root->ns, BAD_CAST "status",
	    NULL)) == NULL ||
	    xmlNewTextChild(status, root->ns, BAD_CAST "basic",
	    BAD_CAST (registered ? "open" : "closed")) == NULL)
		return (-1);
	return (0);
}

/*
 * A basic status other than open or closed (pidf_check_basic()) is
 * kept in the store but not told: the copied tuple loses it.
 */
static void
pidf_drop_unknown_basic(xmlNodePtr tuple)
{
	xmlNodePtr	 status, b, next;

	if (!pidf_is(tuple, PIDF_NS, "tuple"))
		return;
	PIDF_EACH(status, tuple->children, PIDF_NS, "status")
		for (b = pidf_next(status->children, PIDF_NS, "basic");
		    b != NULL; b = next) {
			next = pidf_next(b->next, PIDF_NS, "basic");
			if (!pidf_is_basic_known(b)) {
				xmlUnlinkNode(b);
				xmlFreeNode(b);
			}
		}
}

/*
 * Every element child of a published document's root, copied whole.
 * xmlDocCopyNode() gives the copy a declaration of each namespace it
 * uses from above it in its own document, so every reference in the
 * copy points at a declaration inside the copy: valid wherever it
 * lands, at the price of a redundant xmlns on some.  Neither
 * xmlReconciliateNs() (it moves inner declarations up to the copy, and
 * rebinds) nor xmlDOMWrapCloneNode() (its references to the source's
 * declarations outlive the source in libxml2 2.9) does better.
 */
/*
 * An element that was in no namespace must stay in none where it lands:
 * under our <presence> the default namespace is PIDF's, so without an
 * xmlns="" it would turn into a PIDF element (a <tuple> the check never
 * saw as one).  Its children inherit the empty default.
 */
static void
pidf_keep_no_ns(xmlNodePtr node)
{
	xmlNsPtr	def;
	xmlNodePtr	c;

	if (node->type != XML_ELEMENT_NODE)
		return;
	if (node->ns == NULL &&
	    (def = xmlSearchNs(node->doc, node->parent, NULL)) != NULL &&
	    def->href != NULL && def->href[0] != '\0')
		xmlNewNs(node, BAD_CAST "", NULL);
	for (c = node->children; c != NULL; c = c->next)
		pidf_keep_no_ns(c);
}

/*
 * What says where a device is: the PIDF <contact> (its address), our
 * media extension (its ports; an address only with the contact), and
 * GEOPRIV location objects (RFC 4119).
 */
static int
pidf_is_whereabouts(xmlNodePtr n)
{
	return (pidf_is(n, PIDF_NS, "contact") ||
	    pidf_is(n, PIDF_MEDIA_NS, "media") ||
	    (n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    xmlStrEqual(n->ns->href, BAD_CAST PIDF_GEOPRIV_NS)));
}

/* Every element below node that says where a device is, gone. */
static void
pidf_strip_whereabouts(xmlNodePtr node)
{
	xmlNodePtr	c, next;

	for (c = node->children; c != NULL; c = next) {
		next = c->next;
		if (pidf_is_whereabouts(c)) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		} else
			pidf_strip_whereabouts(c);
	}
}

static int
pidf_add_doc(xmlNodePtr root, const char *doc, size_t len, int strip)
{
	xmlDocPtr	 src;
	xmlNodePtr	 c, copy;
	char		 reason[PIDF_REASON_MAX];
	int		 rc = 0;

	if ((src = pidf_read(doc, len, reason, sizeof(reason))) == NULL)
		return (-1);
	c = xmlDocGetRootElement(src);
	if (!pidf_is(c, PIDF_NS, "presence"))
		rc = -1;
	for (c = c->children; c != NULL && rc == 0; c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    (strip && pidf_is_whereabouts(c)))
			continue;
		if ((copy = xmlDocCopyNode(c, root->doc, 1)) == NULL)
			rc = -1;
		else if (xmlAddChild(root, copy) == NULL) {
			xmlFreeNode(copy);
			rc = -1;
		} else {
			pidf_keep_no_ns(copy);
			pidf_drop_unknown_basic(copy);
			if (strip)
				pidf_strip_whereabouts(copy);
		}
	}
	xmlFreeDoc(src);
	return (rc);
}

static int
pidf_dump(xmlDocPtr xd, char **out, size_t *outlen)
{
	xmlChar	*buf = NULL;
	int	 len = 0, rc;

	/* Not formatted: indenting would add text to copied elements. */
	xmlDocDumpFormatMemoryEnc(xd, &buf, &len, "UTF-8", 0);
	if (buf == NULL || len < 0) {
		xmlFree(buf);
		return (-1);
	}
	rc = xml_out(buf, len, out, outlen);
	xmlFree(buf);
	return (rc);
}

static int
pidf_compose_doc(const char *presentity, const char *const *docs,
    const size_t *lens, size_t n, int registered, int strip, char **out,
    size_t *outlen)
{
	xmlDocPtr	 xd;
	xmlNodePtr	 root;
	size_t		 i;
	int		 rc = 0;

	xml_quiet();
	if ((xd = pidf_new(presentity, &root)) == NULL)
		return (-1);
	if (n == 0)
		rc = pidf_add_basic(root, registered);
	for (i = 0; i < n && rc == 0; i++)
		rc = pidf_add_doc(root, docs[i], lens[i], strip);
	if (rc == 0)
		rc = pidf_dump(xd, out, outlen);
	xmlFreeDoc(xd);
	return (rc);
}

int
pidf_compose(const char *presentity, const char *const *docs,
    const size_t *lens, size_t n, int registered, char **out,
    size_t *outlen)
{
	return (pidf_compose_doc(presentity, docs, lens, n, registered, 0,
	    out, outlen));
}

int
pidf_compose_public(const char *presentity, const char *const *docs,
    const size_t *lens, size_t n, int registered, char **out,
    size_t *outlen)
{
	return (pidf_compose_doc(presentity, docs, lens, n, registered, 1,
	    out, outlen));
}
