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
 * lib/pidf.c and listener/winfo.c, TAP on standard output.  The results
 * are read back with libxml2's XPath and C14N, not with the code under
 * test.  The one argument is the seed corpus: files named valid-* must
 * pass pidf_check() for alice@site1.test, bad-* must not.
 */

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <err.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "cdefs.h"
#include "pidf.h"
#include "winfo.h"
#include "tap.h"

#define ALICE		"alice@site1.test"
#define GEO_NS		"urn:example:geo"
#define WINFO_NS	"urn:ietf:params:xml:ns:watcherinfo"
#define DOC_MAX		(64 * 1024)

#define HEAD		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define PRES_AS(e, body) HEAD "<presence xmlns=\"" PIDF_NS "\" "	\
			"xmlns:x=\"" GEO_NS "\" entity=\"" e "\">"	\
			body "</presence>"
#define PRES(body)	PRES_AS("pres:" ALICE, body)
#define TUPLE(id)	"<tuple id=\"" id "\"><status><basic>open</basic>" \
			"</status></tuple>"
#define MEDIA(inner)	PRES("<tuple id=\"m\"><status><m:media xmlns:m=\"" \
			PIDF_MEDIA_NS "\">" inner "</m:media></status>"	\
			"</tuple>")

static char	reason[PIDF_REASON_MAX];
static int	loads;

static int
check(const char *doc)
{
	reason[0] = '\0';
	return (pidf_check(doc, strlen(doc), ALICE, reason, sizeof(reason)));
}

static void
ok_doc(const char *name, const char *doc)
{
	TAP_OK(check(doc) == 0, "%s passes%s%s", name,
	    reason[0] != '\0' ? ": " : "", reason);
}

/* Refused, and for the reason we expect. */
static void
bad_doc(const char *name, const char *doc, const char *why)
{
	int	 rc;

	rc = check(doc);
	TAP_OK(rc == -1 && strstr(reason, why) != NULL,
	    "%s refused: %s", name, reason);
}

/* The string value of an XPath expression over doc; free() it. */
static char *
xp(const char *doc, size_t len, const char *expr)
{
	xmlDocPtr		 xd;
	xmlXPathContextPtr	 xc;
	xmlXPathObjectPtr	 xo;
	xmlChar			*s;
	char			*r = NULL;

	if ((xd = xmlReadMemory(doc, len, NULL, NULL, XML_PARSE_NONET)) ==
	    NULL)
		return (NULL);
	xc = xmlXPathNewContext(xd);
	xmlXPathRegisterNs(xc, BAD_CAST "p", BAD_CAST PIDF_NS);
	xmlXPathRegisterNs(xc, BAD_CAST "m", BAD_CAST PIDF_MEDIA_NS);
	xmlXPathRegisterNs(xc, BAD_CAST "x", BAD_CAST GEO_NS);
	xmlXPathRegisterNs(xc, BAD_CAST "w", BAD_CAST WINFO_NS);
	if ((xo = xmlXPathEvalExpression(BAD_CAST expr, xc)) != NULL) {
		s = xmlXPathCastToString(xo);
		r = strdup((char *)s);
		xmlFree(s);
		xmlXPathFreeObject(xo);
	}
	xmlXPathFreeContext(xc);
	xmlFreeDoc(xd);
	return (r);
}

static int
xp_is(const char *doc, size_t len, const char *expr, const char *want)
{
	char	*s;
	int	 eq;

	s = xp(doc, len, expr);
	eq = s != NULL && strcmp(s, want) == 0;
	if (!eq)
		printf("# %s: \"%s\", want \"%s\"\n", expr,
		    s == NULL ? "(null)" : s, want);
	free(s);
	return (eq);
}

/* Exclusive C14N of the tuple with this id, the subtree alone. */
static char *
c14n_tuple(const char *doc, size_t len, const char *id)
{
	xmlDocPtr		 xd;
	xmlXPathContextPtr	 xc;
	xmlXPathObjectPtr	 xo;
	xmlChar			*out = NULL;
	char			 expr[512], t[64];

	snprintf(t, sizeof(t), "//p:tuple[@id='%s']", id);
	snprintf(expr, sizeof(expr), "(%s/descendant-or-self::node() | "
	    "%s/descendant-or-self::*/@* | "
	    "%s/descendant-or-self::*/namespace::*)", t, t, t);
	if ((xd = xmlReadMemory(doc, len, NULL, NULL, XML_PARSE_NONET)) ==
	    NULL)
		return (NULL);
	xc = xmlXPathNewContext(xd);
	xmlXPathRegisterNs(xc, BAD_CAST "p", BAD_CAST PIDF_NS);
	if ((xo = xmlXPathEvalExpression(BAD_CAST expr, xc)) != NULL &&
	    xo->nodesetval != NULL && xo->nodesetval->nodeNr > 0)
		(void)xmlC14NDocDumpMemory(xd, xo->nodesetval,
		    XML_C14N_EXCLUSIVE_1_0, NULL, 0, &out);
	xmlXPathFreeObject(xo);
	xmlXPathFreeContext(xc);
	xmlFreeDoc(xd);
	return ((char *)out);
}

/* Stands in for libxml2's loader: counts, and never reads anything. */
static xmlParserInputPtr
count_loader(const char *url IMD_UNUSED, const char *id IMD_UNUSED,
    xmlParserCtxtPtr ctxt IMD_UNUSED)
{
	loads++;
	return (NULL);
}

static void
test_valid(void)
{
	ok_doc("one tuple", PRES(TUPLE("t1")));
	ok_doc("no tuple, a note", PRES("<note>away</note>"));
	ok_doc("RPID person and activities", PRES_AS("pres:" ALICE,
	    TUPLE("t1") "<dm:person xmlns:dm=\"urn:ietf:params:xml:ns:"
	    "pidf:data-model\" xmlns:rp=\"urn:ietf:params:xml:ns:pidf:rpid\""
	    " id=\"p\"><rp:activities><rp:busy/></rp:activities>"
	    "</dm:person>"));
	ok_doc("media text, direct", MEDIA("<m:type>text</m:type>"
	    "<m:port>5062</m:port><m:direct>true</m:direct>"));
	ok_doc("media audio, two codecs, white space", MEDIA(
	    "<m:type> audio </m:type>\n<m:port>\t40000\n</m:port>"
	    "<m:codec>opus</m:codec><m:codec>telephone-event</m:codec>"));
	ok_doc("media port 1 and 65535", PRES("<tuple id=\"a\"><status>"
	    "<m:media xmlns:m=\"" PIDF_MEDIA_NS "\"><m:type>text</m:type>"
	    "<m:port>1</m:port></m:media><m:media xmlns:m=\"" PIDF_MEDIA_NS
	    "\"><m:type>video</m:type><m:port>65535</m:port><m:codec>VP8"
	    "</m:codec></m:media></status></tuple>"));
	ok_doc("unknown namespace in media, tuple, status, root", MEDIA(
	    "<m:type>text</m:type><m:port>9</m:port><x:q>1</x:q>") );
	ok_doc("unknown namespace everywhere", PRES("<x:a><x:b/></x:a>"
	    "<tuple id=\"t\" x:attr=\"1\"><x:c/><status><x:d/></status>"
	    "</tuple>"));
	ok_doc("sip: entity, domain in capitals",
	    PRES_AS("sip:alice@SITE1.TEST", TUPLE("t")));
	ok_doc("sips: entity", PRES_AS("sips:alice@site1.test", TUPLE("t")));
	ok_doc("PRES: scheme in capitals",
	    PRES_AS("PRES:alice@site1.test", TUPLE("t")));
}

static void
test_entity(void)
{
	bad_doc("another user", PRES_AS("pres:bob@site1.test", TUPLE("t")),
	    "entity");
	bad_doc("user part in another case",
	    PRES_AS("pres:Alice@site1.test", TUPLE("t")), "entity");
	bad_doc("another domain", PRES_AS("pres:alice@site2.test",
	    TUPLE("t")), "entity");
	bad_doc("a longer domain", PRES_AS("pres:alice@site1.test.evil",
	    TUPLE("t")), "entity");
	bad_doc("no scheme", PRES_AS(ALICE, TUPLE("t")), "entity");
	bad_doc("tel: scheme", PRES_AS("tel:alice@site1.test", TUPLE("t")),
	    "entity");
	bad_doc("URI parameter", PRES_AS("sip:alice@site1.test;x=1",
	    TUPLE("t")), "entity");
	bad_doc("no entity", HEAD "<presence xmlns=\"" PIDF_NS "\">"
	    TUPLE("t") "</presence>", "without entity");
}

static void
test_malformed(void)
{
	bad_doc("empty document", "", "empty");
	bad_doc("not XML", "hello", "malformed");
	bad_doc("unclosed tuple", PRES("<tuple id=\"t\"><status/>"),
	    "malformed");
	bad_doc("undeclared prefix", HEAD "<presence xmlns=\"" PIDF_NS
	    "\" entity=\"pres:" ALICE "\"><y:z/></presence>", "malformed");
	bad_doc("undeclared entity", PRES("<note>&nbsp;</note>"),
	    "malformed");
	bad_doc("bad UTF-8", PRES("<note>\xc3\x28</note>"), "malformed");
	bad_doc("two roots", PRES("") "<presence/>", "malformed");
	bad_doc("root not presence", HEAD "<foo xmlns=\"" PIDF_NS
	    "\" entity=\"pres:" ALICE "\"/>", "not a PIDF");
	bad_doc("presence in no namespace", HEAD "<presence entity=\"pres:"
	    ALICE "\"/>", "not a PIDF");
	bad_doc("tuple without id", PRES("<tuple><status/></tuple>"),
	    "without id");
	bad_doc("tuple with empty id", PRES("<tuple id=\"\"><status/>"
	    "</tuple>"), "empty id");
	bad_doc("tuple without status", PRES("<tuple id=\"t\"><contact>"
	    "sip:a@b</contact></tuple>"), "without status");
	bad_doc("status in another namespace", PRES("<tuple id=\"t\">"
	    "<x:status/></tuple>"), "without status");
	bad_doc("two statuses", PRES("<tuple id=\"t\"><status/><status/>"
	    "</tuple>"), "more than one status");
	bad_doc("basic of two words", PRES("<tuple id=\"t\"><status><basic>"
	    "maybe not</basic></status></tuple>"), "nor one word");
	bad_doc("empty basic", PRES("<tuple id=\"t\"><status><basic/>"
	    "</status></tuple>"), "nor one word");
	bad_doc("basic of 33 letters", PRES("<tuple id=\"t\"><status><basic>"
	    "abcdefghijklmnopqrstuvwxyzabcdefg</basic></status></tuple>"),
	    "nor one word");
	bad_doc("basic Open", PRES("<tuple id=\"t\"><status><basic>Open"
	    "</basic></status></tuple>"), "in capitals");
	bad_doc("basic CLOSED", PRES("<tuple id=\"t\"><status><basic>CLOSED"
	    "</basic></status></tuple>"), "in capitals");
	bad_doc("basic with an element", PRES("<tuple id=\"t\"><status><basic>"
	    "<x:e/>open</basic></status></tuple>"), "elements in it");
	bad_doc("an unknown basic beside open", PRES("<tuple id=\"t\"><status>"
	    "<basic>unknown</basic><basic>open</basic></status></tuple>"),
	    "more than one basic");
	bad_doc("two basics", PRES("<tuple id=\"t\"><status><basic>open"
	    "</basic><basic>open</basic></status></tuple>"),
	    "more than one basic");
	bad_doc("same id twice", PRES(TUPLE("t") TUPLE("u") TUPLE("t")),
	    "same id");
}

#define LOL(a, b)	"<!ENTITY " a " \"&" b ";&" b ";&" b ";&" b ";&" b \
			";&" b ";&" b ";&" b ";&" b ";&" b ";\">"
#define LAUGHS		"<?xml version=\"1.0\"?>\n<!DOCTYPE presence [" \
			"<!ENTITY a \"lol\">" LOL("b", "a") LOL("c", "b") \
			LOL("d", "c") LOL("e", "d") LOL("f", "e")	\
			LOL("g", "f") LOL("h", "g") LOL("i", "h") "]>\n" \
			"<presence xmlns=\"" PIDF_NS "\" entity=\"pres:" \
			ALICE "\"><note>&i;</note></presence>"
#define XXE(decl, use)	"<?xml version=\"1.0\"?>\n<!DOCTYPE presence " \
			decl ">\n<presence xmlns=\"" PIDF_NS "\" "	\
			"entity=\"pres:" ALICE "\"><note>" use "</note>"	\
			"</presence>"

static void
bad_attack_as(const char *name, const char *doc, const char *why)
{
	int	 rc;

	loads = 0;
	rc = check(doc);
	TAP_OK(rc == -1 && strstr(reason, why) != NULL &&
	    strstr(reason, "root:") == NULL && loads == 0,
	    "%s refused, nothing loaded: %s", name, reason);
}

static void
bad_attack(const char *name, const char *doc)
{
	bad_attack_as(name, doc, "document type");
}

/*
 * With libxml2's own loader in place: an external entity naming a FIFO
 * that no one writes would block in open(2), and the alarm ends the
 * test.  Returning at all shows that the file was never opened.
 */
static void
test_fifo(void)
{
	char	 dir[] = "/tmp/pidf_test.XXXXXX", fifo[64], doc[512];

	if (mkdtemp(dir) == NULL)
		err(1, "mkdtemp");
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	if (mkfifo(fifo, 0600) == -1)
		err(1, "mkfifo");
	alarm(20);
	snprintf(doc, sizeof(doc), XXE("[<!ENTITY x SYSTEM \"file://%s\">]",
	    "&x;"), fifo);
	bad_doc("external entity on a FIFO", doc, "document type");
	snprintf(doc, sizeof(doc), XXE("SYSTEM \"%s\"", ""), fifo);
	bad_doc("external DTD on a FIFO", doc, "document type");
	alarm(0);
	unlink(fifo);
	rmdir(dir);
}

static void
test_attacks(void)
{
	test_fifo();
	xmlSetExternalEntityLoader(count_loader);
	bad_attack("billion laughs", LAUGHS);
	bad_attack("external entity /etc/passwd",
	    XXE("[<!ENTITY x SYSTEM \"file:///etc/passwd\">]", "&x;"));
	bad_attack("external entity, bare path",
	    XXE("[<!ENTITY x SYSTEM \"/etc/passwd\">]", "&x;"));
	bad_attack("external DTD", XXE("SYSTEM \"file:///etc/passwd\"", ""));
	bad_attack("public DTD", XXE("PUBLIC \"-//x//y\" "
	    "\"http://127.0.0.1:9/x.dtd\"", ""));
	bad_attack("parameter entity", XXE("[<!ENTITY % x SYSTEM "
	    "\"file:///etc/passwd\"> %x;]", ""));
	bad_attack("empty DOCTYPE", XXE("", ""));
	/*
	 * After a first error libxml2 reads on with its SAX callbacks off:
	 * the DOCTYPE goes unseen, but no entity is declared either.
	 */
	bad_attack_as("billion laughs after an error", "<!-- -- -->"
	    LAUGHS, "malformed");
	bad_attack_as("external entity after an error", "<!-- -- -->"
	    XXE("[<!ENTITY x SYSTEM \"file:///etc/passwd\">]", "&x;"),
	    "malformed");
	bad_attack("DOCTYPE after a comment", "<?xml version=\"1.0\"?>"
	    "<!-- hi --><!DOCTYPE presence><presence/>");
}

/* root, tuple, status, then nested <x:d> to the depth asked for. */
static void
nested(char *doc, size_t size, int depth)
{
	int	 i;

	strlcpy(doc, HEAD "<presence xmlns=\"" PIDF_NS "\" xmlns:x=\""
	    GEO_NS "\" entity=\"pres:" ALICE "\"><tuple id=\"t\"><status>",
	    size);
	for (i = 3; i < depth; i++)
		strlcat(doc, "<x:d>", size);
	for (i = 3; i < depth; i++)
		strlcat(doc, "</x:d>", size);
	strlcat(doc, "</status></tuple></presence>", size);
}

static void
tuples(char *doc, size_t size, int n)
{
	char	 t[64];
	int	 i;

	strlcpy(doc, HEAD "<presence xmlns=\"" PIDF_NS "\" entity=\"pres:"
	    ALICE "\">", size);
	for (i = 0; i < n; i++) {
		snprintf(t, sizeof(t), "<tuple id=\"t%d\"><status/></tuple>",
		    i);
		strlcat(doc, t, size);
	}
	strlcat(doc, "</presence>", size);
}

static void
test_limits(void)
{
	static char	 doc[DOC_MAX];

	nested(doc, sizeof(doc), PIDF_DEPTH_MAX);
	ok_doc("depth at the limit", doc);
	nested(doc, sizeof(doc), PIDF_DEPTH_MAX + 1);
	bad_doc("depth over the limit", doc, "nested deeper");
	nested(doc, sizeof(doc), 300);
	bad_doc("depth 300, past libxml2's own limit", doc, "nested deeper");
	tuples(doc, sizeof(doc), PIDF_TUPLES_MAX);
	ok_doc("tuples at the limit", doc);
	tuples(doc, sizeof(doc), PIDF_TUPLES_MAX + 1);
	bad_doc("tuples over the limit", doc, "tuples");
	TAP_OK(pidf_check(PRES("<note>x</note>"), 20, ALICE, reason,
	    sizeof(reason)) == -1, "a document cut short is refused: %s",
	    reason);
	TAP_OK(pidf_check("<", 1, ALICE, reason, 8) == -1 &&
	    strlen(reason) == 7, "a short reason buffer is cut: %s", reason);
}

static void
test_media(void)
{
	bad_doc("media type unknown", MEDIA("<m:type>smell</m:type>"
	    "<m:port>5062</m:port>"), "bad media type");
	bad_doc("media type empty", MEDIA("<m:type/><m:port>5062</m:port>"),
	    "bad media type");
	bad_doc("media without type", MEDIA("<m:port>5062</m:port>"),
	    "exactly one type");
	bad_doc("media with two types", MEDIA("<m:type>text</m:type>"
	    "<m:type>text</m:type><m:port>5062</m:port>"),
	    "exactly one type");
	bad_doc("media without port", MEDIA("<m:type>text</m:type>"),
	    "exactly one port");
	bad_doc("media with two ports", MEDIA("<m:type>text</m:type>"
	    "<m:port>1</m:port><m:port>2</m:port>"), "exactly one port");
	bad_doc("media port 0", MEDIA("<m:type>text</m:type>"
	    "<m:port>0</m:port>"), "bad media port");
	bad_doc("media port 65536", MEDIA("<m:type>text</m:type>"
	    "<m:port>65536</m:port>"), "bad media port");
	bad_doc("media port 99999999999", MEDIA("<m:type>text</m:type>"
	    "<m:port>99999999999</m:port>"), "bad media port");
	bad_doc("media port -1", MEDIA("<m:type>text</m:type>"
	    "<m:port>-1</m:port>"), "bad media port");
	bad_doc("media port +80", MEDIA("<m:type>text</m:type>"
	    "<m:port>+80</m:port>"), "bad media port");
	bad_doc("media port 080", MEDIA("<m:type>text</m:type>"
	    "<m:port>080</m:port>"), "bad media port");
	bad_doc("media port abc", MEDIA("<m:type>text</m:type>"
	    "<m:port>abc</m:port>"), "bad media port");
	bad_doc("media direct yes", MEDIA("<m:type>text</m:type>"
	    "<m:port>5062</m:port><m:direct>yes</m:direct>"),
	    "bad media direct");
	bad_doc("media direct twice", MEDIA("<m:type>text</m:type>"
	    "<m:port>5062</m:port><m:direct>true</m:direct>"
	    "<m:direct>true</m:direct>"), "more than one direct");
	bad_doc("media codec with a space", MEDIA("<m:type>audio</m:type>"
	    "<m:port>5062</m:port><m:codec>G 711</m:codec>"),
	    "bad media codec");
	bad_doc("media codec too long", MEDIA("<m:type>audio</m:type>"
	    "<m:port>5062</m:port><m:codec>"
	    "abcdefghijklmnopqrstuvwxyz0123456</m:codec>"),
	    "bad media codec");
	bad_doc("audio without codec", MEDIA("<m:type>audio</m:type>"
	    "<m:port>5062</m:port>"), "needs a codec");
	bad_doc("seventeen codecs", MEDIA("<m:type>audio</m:type>"
	    "<m:port>5062</m:port>"
	    "<m:codec>a</m:codec><m:codec>b</m:codec><m:codec>c</m:codec>"
	    "<m:codec>d</m:codec><m:codec>e</m:codec><m:codec>f</m:codec>"
	    "<m:codec>g</m:codec><m:codec>h</m:codec><m:codec>i</m:codec>"
	    "<m:codec>j</m:codec><m:codec>k</m:codec><m:codec>l</m:codec>"
	    "<m:codec>m</m:codec><m:codec>n</m:codec><m:codec>o</m:codec>"
	    "<m:codec>p</m:codec><m:codec>q</m:codec>"), "codecs");
	bad_doc("unknown child in our namespace", MEDIA("<m:type>text"
	    "</m:type><m:port>5062</m:port><m:colour>red</m:colour>"),
	    "unknown element");
	bad_doc("our child nested in a foreign one", MEDIA("<m:type>text"
	    "</m:type><m:port>5062</m:port><x:e><m:port>1</m:port></x:e>"),
	    "out of place");
	bad_doc("media in the tuple, not its status", PRES("<tuple id=\"t\">"
	    "<status/><m:media xmlns:m=\"" PIDF_MEDIA_NS "\"><m:type>text"
	    "</m:type><m:port>1</m:port></m:media></tuple>"), "out of place");
	bad_doc("media at the root", PRES("<m:media xmlns:m=\""
	    PIDF_MEDIA_NS "\"/>"), "out of place");
}

/* Device one: media, RPID and a foreign element, namespaces at the root. */
#define DEV1		HEAD "<presence xmlns=\"" PIDF_NS "\" xmlns:m=\""  \
			PIDF_MEDIA_NS "\" xmlns:x=\"" GEO_NS "\" xmlns:rp=" \
			"\"urn:ietf:params:xml:ns:pidf:rpid\" entity=\"sip:" \
			ALICE "\">\n <tuple id=\"d1\">\n  <status>"	\
			"<basic>open</basic>\n   <m:media><m:type>text"	\
			"</m:type><m:port>5062</m:port><m:direct>true"	\
			"</m:direct></m:media>\n  </status>\n  <x:geo "	\
			"x:floor=\"4\">Room &lt;4&gt;</x:geo>\n"	\
			" <contact>sip:alice@192.0.2.1:5062</contact>\n" \
			" </tuple>\n <rp:mood><rp:happy/></rp:mood>\n"	\
			" <note>one &amp; two</note>\n</presence>\n"
/* Device two: the PIDF namespace with a prefix. */
#define DEV2		HEAD "<p:presence xmlns:p=\"" PIDF_NS "\" "	\
			"entity=\"pres:" ALICE "\"><p:tuple id=\"d2\">"	\
			"<p:status><p:basic>closed</p:basic></p:status>" \
			"</p:tuple></p:presence>"
/* Device three: a GEOPRIV location (RFC 4119) in its status. */
#define GEOPRIV		HEAD "<presence xmlns=\"" PIDF_NS "\" xmlns:gp=\"" \
			PIDF_GEOPRIV_NS "\" entity=\"pres:" ALICE "\">"	\
			"<tuple id=\"d3\"><status><basic>open</basic>"	\
			"<gp:geopriv><gp:location-info>Lab 3"		\
			"</gp:location-info></gp:geopriv></status>"	\
			"</tuple></presence>"

static void
same_tuple(const char *in, const char *out, size_t outlen, const char *id)
{
	char	*a, *b;

	a = c14n_tuple(in, strlen(in), id);
	b = c14n_tuple(out, outlen, id);
	TAP_OK(a != NULL && b != NULL && strcmp(a, b) == 0,
	    "tuple %s: exclusive C14N the same before and after", id);
	if (a != NULL && b != NULL && strcmp(a, b) != 0)
		printf("# in:  %s\n# out: %s\n", a, b);
	free(a);
	free(b);
}

static void
test_compose_two(void)
{
	const char	*docs[] = { DEV1, DEV2 };
	size_t		 lens[] = { strlen(DEV1), strlen(DEV2) };
	char		*out = NULL;
	size_t		 len = 0;

	TAP_OK(pidf_compose(ALICE, docs, lens, 2, 0, &out, &len) == 0 &&
	    out != NULL && strlen(out) == len, "compose two devices");
	if (out == NULL)
		return;
	TAP_OK(strncmp(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
	    38) == 0, "XML declaration, UTF-8");
	reason[0] = '\0';
	TAP_OK(pidf_check(out, len, ALICE, reason, sizeof(reason)) == 0,
	    "composed document passes pidf_check%s%s",
	    reason[0] != '\0' ? ": " : "", reason);
	TAP_OK(xp_is(out, len, "string(/p:presence/@entity)", "pres:" ALICE),
	    "entity is pres:" ALICE);
	TAP_OK(xp_is(out, len, "count(/p:presence/p:tuple)", "2") &&
	    xp_is(out, len, "string(/p:presence/p:tuple[1]/@id)", "d1") &&
	    xp_is(out, len, "string(/p:presence/p:tuple[2]/@id)", "d2"),
	    "both tuples, in order");
	TAP_OK(xp_is(out, len, "name(/p:presence/*[2])", "rp:mood") &&
	    xp_is(out, len, "string(/p:presence/p:note)", "one & two"),
	    "RPID and note come along");
	TAP_OK(xp_is(out, len, "string(//x:geo/@x:floor)", "4") &&
	    xp_is(out, len, "string(//x:geo)", "Room <4>"),
	    "unknown namespaced element kept, text unescaped the same");
	same_tuple(DEV1, out, len, "d1");
	same_tuple(DEV2, out, len, "d2");
	TAP_OK(pidf_direct(out, len) == 1, "direct survives compose");
	free(out);
}

/* What baresip 1.0 publishes before it has registered, byte for byte. */
#define BARESIP(basic)	"<?xml version=\"1.0\" encoding=\"UTF-8\" "	\
			"standalone=\"no\"?>\r\n<presence xmlns=\""	\
			PIDF_NS "\"\r\n    xmlns:dm=\"urn:ietf:params:"	\
			"xml:ns:pidf:data-model\"\r\n    xmlns:rpid=\""	\
			"urn:ietf:params:xml:ns:pidf:rpid\"\r\n    "	\
			"entity=\"sip:" ALICE "\">\r\n  <dm:person "	\
			"id=\"p4159\"><rpid:activities/></dm:person>\r\n" \
			"  <tuple id=\"t4109\">\r\n    <status>\r\n"	\
			"      <basic>" basic "</basic>\r\n    </status>"	\
			"\r\n    <contact>sip:" ALICE "</contact>\r\n"	\
			"  </tuple>\r\n</presence>\r\n"

/*
 * A basic status that is one word but neither open nor closed is kept
 * and not told: the watcher gets the tuple without a basic.
 */
static void
test_unknown_basic(void)
{
	const char	*docs[] = { BARESIP("unknown") };
	size_t		 lens[] = { strlen(docs[0]) };
	char		*out = NULL;
	size_t		 len = 0;

	ok_doc("baresip's first document, basic unknown", BARESIP("unknown"));
	ok_doc("baresip's document, basic open", BARESIP("open"));
	ok_doc("another single word", PRES("<tuple id=\"t\"><status><basic>"
	    " away-for_now.2 </basic></status></tuple>"));
	TAP_OK(pidf_compose(ALICE, docs, lens, 1, 1, &out, &len) == 0 &&
	    out != NULL, "compose baresip's document");
	if (out == NULL)
		return;
	TAP_OK(xp_is(out, len, "count(//p:tuple)", "1") &&
	    xp_is(out, len, "string(//p:tuple/@id)", "t4109") &&
	    xp_is(out, len, "count(//p:tuple/p:status)", "1") &&
	    xp_is(out, len, "string(//p:tuple/p:contact)", "sip:" ALICE),
	    "the tuple, its status and contact reach the watcher");
	TAP_OK(xp_is(out, len, "count(//p:basic)", "0") &&
	    strstr(out, "unknown") == NULL,
	    "the unknown basic does not reach the watcher");
	TAP_OK(pidf_check(out, len, ALICE, reason, sizeof(reason)) == 0,
	    "the composed document passes pidf_check");
	free(out);
	out = NULL;
	docs[0] = BARESIP("open");
	lens[0] = strlen(docs[0]);
	TAP_OK(pidf_compose(ALICE, docs, lens, 1, 1, &out, &len) == 0 &&
	    xp_is(out, len, "string(//p:tuple/p:status/p:basic)", "open"),
	    "an open basic still reaches the watcher");
	free(out);
}

#define XI_NS		"http://www.w3.org/2001/XInclude"
#define XI_SECRET	"xinclude-secret-7f3a"
#define XI_DOC(href)	PRES("<tuple id=\"t\"><status><basic>open</basic>" \
			"</status><xi:include xmlns:xi=\"" XI_NS "\" "	\
			"href=\"" href "\" parse=\"text\"/></tuple>")

/*
 * XInclude (docs/presence.md): an <xi:include> is an element of a
 * namespace we do not know, kept and passed on as it is, never
 * processed.  One names a file holding a secret, one a FIFO that no one
 * writes, on which processing would block until the alarm.
 */
static void
test_xinclude(void)
{
	char		 dir[] = "/tmp/pidf_test.XXXXXX", file[64], fifo[64];
	char		 doc[1024], *out = NULL, href[128];
	const char	*docs[1];
	size_t		 lens[1], len = 0;
	FILE		*fp;

	if (mkdtemp(dir) == NULL)
		err(1, "mkdtemp");
	snprintf(file, sizeof(file), "%s/secret", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	if ((fp = fopen(file, "w")) == NULL || fputs(XI_SECRET, fp) == EOF ||
	    fclose(fp) == EOF || mkfifo(fifo, 0600) == -1)
		err(1, "%s", dir);
	alarm(20);
	snprintf(doc, sizeof(doc), XI_DOC("file://%s"), file);
	ok_doc("an xi:include of a local file", doc);
	loads = 0;
	docs[0] = doc;
	lens[0] = strlen(doc);
	TAP_OK(pidf_compose(ALICE, docs, lens, 1, 0, &out, &len) == 0 &&
	    out != NULL, "composed with the xi:include");
	if (out != NULL) {
		snprintf(href, sizeof(href), "file://%s", file);
		TAP_OK(xp_is(out, len, "count(//*[local-name()='include' and "
		    "namespace-uri()='" XI_NS "'])", "1") &&
		    xp_is(out, len, "string(//*[local-name()='include']/"
		    "@href)", href), "the xi:include passed on unexpanded");
		TAP_OK(strstr(out, XI_SECRET) == NULL && loads == 0,
		    "the file it names never read");
		free(out);
	}
	snprintf(doc, sizeof(doc), XI_DOC("%s"), fifo);
	ok_doc("an xi:include of a FIFO: not opened", doc);
	docs[0] = doc;
	lens[0] = strlen(doc);
	out = NULL;
	TAP_OK(pidf_compose(ALICE, docs, lens, 1, 0, &out, &len) == 0,
	    "composed with an xi:include of a FIFO: not opened");
	free(out);
	alarm(0);
	unlink(fifo);
	unlink(file);
	rmdir(dir);
}

/* For a stranger: no contact, no media ports, no location; the rest. */
static void
test_compose_public(void)
{
	const char	*docs[] = { DEV1, DEV2, GEOPRIV };
	size_t		 lens[] = { strlen(DEV1), strlen(DEV2),
			    strlen(GEOPRIV) };
	char		*out = NULL;
	size_t		 len = 0;

	TAP_OK(pidf_compose_public(ALICE, docs, lens, 3, 1, &out, &len) ==
	    0 && out != NULL, "compose for a stranger");
	if (out == NULL)
		return;
	TAP_OK(xp_is(out, len, "count(//p:contact)", "0") &&
	    strstr(out, "192.0.2.1") == NULL, "no contact, no address");
	TAP_OK(xp_is(out, len, "count(//m:*)", "0") &&
	    strstr(out, "5062") == NULL, "no media extension, no port");
	/* Its namespace may stay declared on the tuple: that says nothing. */
	TAP_OK(strstr(out, "geopriv>") == NULL &&
	    strstr(out, "location-info") == NULL &&
	    strstr(out, "Lab 3") == NULL, "no GEOPRIV location");
	TAP_OK(xp_is(out, len, "count(/p:presence/p:tuple)", "3") &&
	    xp_is(out, len, "string(//p:tuple[@id='d1']/p:status/p:basic)",
	    "open") && xp_is(out, len, "string(/p:presence/p:note)",
	    "one & two") && xp_is(out, len, "string(//x:geo/@x:floor)", "4"),
	    "tuples, status, note and unknown elements stay");
	TAP_OK(pidf_check(out, len, ALICE, reason, sizeof(reason)) == 0,
	    "and it passes pidf_check");
	TAP_OK(pidf_direct(out, len) == 0, "direct mode is not offered");
	free(out);
}

static void
test_compose_none(void)
{
	char	*out = NULL;
	size_t	 len = 0;

	TAP_OK(pidf_compose(ALICE, NULL, NULL, 0, 1, &out, &len) == 0 &&
	    xp_is(out, len, "count(//p:tuple)", "1") &&
	    xp_is(out, len, "string(//p:tuple/@id)", "imd-reg") &&
	    xp_is(out, len, "string(//p:tuple/p:status/p:basic)", "open") &&
	    pidf_check(out, len, ALICE, reason, sizeof(reason)) == 0,
	    "nothing published, registered: open");
	free(out);
	out = NULL;
	TAP_OK(pidf_compose(ALICE, NULL, NULL, 0, 0, &out, &len) == 0 &&
	    xp_is(out, len, "string(//p:tuple/p:status/p:basic)", "closed") &&
	    xp_is(out, len, "string(//p:tuple/@id)", "imd-reg"),
	    "nothing published, not registered: closed");
	free(out);
}

static void
test_compose_bad(void)
{
	const char	*docs[] = { DEV1, "<presence" };
	size_t		 lens[] = { strlen(DEV1), strlen(docs[1]) };
	char		*out = NULL;
	size_t		 len = 0;

	TAP_OK(pidf_compose(ALICE, docs, lens, 2, 1, &out, &len) == -1 &&
	    out == NULL, "compose refuses a broken stored document");
	docs[1] = LAUGHS;
	lens[1] = strlen(LAUGHS);
	TAP_OK(pidf_compose(ALICE, docs, lens, 2, 1, &out, &len) == -1,
	    "compose refuses a DOCTYPE");
	TAP_OK(pidf_compose("alice", NULL, NULL, 0, 1, &out, &len) == -1,
	    "compose refuses a presentity without a domain");
	TAP_OK(pidf_compose("a\001@b", NULL, NULL, 0, 1, &out, &len) == -1,
	    "compose refuses a control character");
	TAP_OK(pidf_compose("a&b<c>\"@site1.test", NULL, NULL, 0, 1, &out,
	    &len) == 0 && xp_is(out, len, "string(/p:presence/@entity)",
	    "pres:a&b<c>\"@site1.test"), "odd presentity comes out escaped");
	free(out);
}

static void
test_direct(void)
{
	const char	*d;

	d = MEDIA("<m:type>text</m:type><m:port>1</m:port>"
	    "<m:direct>true</m:direct>");
	TAP_OK(pidf_direct(d, strlen(d)) == 1, "direct true");
	d = MEDIA("<m:type>text</m:type><m:port>1</m:port>"
	    "<m:direct> true </m:direct>");
	TAP_OK(pidf_direct(d, strlen(d)) == 1, "direct true with spaces");
	d = MEDIA("<m:type>text</m:type><m:port>1</m:port>"
	    "<m:direct>false</m:direct>");
	TAP_OK(pidf_direct(d, strlen(d)) == 0, "direct false");
	d = MEDIA("<m:type>text</m:type><m:port>1</m:port>");
	TAP_OK(pidf_direct(d, strlen(d)) == 0, "direct left out");
	d = MEDIA("<m:type>audio</m:type><m:port>1</m:port>"
	    "<m:codec>PCMU</m:codec><m:direct>true</m:direct>");
	TAP_OK(pidf_direct_medium(d, strlen(d), "audio") == 1 &&
	    pidf_direct_medium(d, strlen(d), NULL) == 1,
	    "direct for audio, and for any medium");
	TAP_OK(pidf_direct_medium(d, strlen(d), "video") == 0,
	    "not for video, which the document does not offer");
	d = PRES(TUPLE("a") "<tuple id=\"b\"><status><m:media xmlns:m=\""
	    PIDF_MEDIA_NS "\"><m:type>text</m:type><m:port>1</m:port>"
	    "</m:media><m:media xmlns:m=\"" PIDF_MEDIA_NS "\"><m:type>audio"
	    "</m:type><m:port>2</m:port><m:codec>opus</m:codec><m:direct>"
	    "true</m:direct></m:media></status></tuple>");
	TAP_OK(pidf_direct(d, strlen(d)) == 1,
	    "direct in the second media of the second tuple");
	d = PRES("<tuple id=\"a\"><status/><x:direct>true</x:direct>"
	    "</tuple>");
	TAP_OK(pidf_direct(d, strlen(d)) == 0,
	    "direct of another namespace does not count");
	TAP_OK(pidf_direct("<presence", 9) == 0, "unparsable: 0");
	TAP_OK(pidf_direct(LAUGHS, strlen(LAUGHS)) == 0, "DOCTYPE: 0");
}

static void
test_winfo_full(void)
{
	struct winfo_watcher	 ww[] = {
		{ "w1", "sip:bob@site2.test", "active", "approved", 120 },
		{ "w2", "sip:<&>\"'@odd.test", "pending", "subscribe", 0 },
	};
	char			*out = NULL;
	size_t			 len = 0;

	TAP_OK(winfo_compose(ALICE, 7, 1, ww, 2, &out, &len) == 0 &&
	    out != NULL && strlen(out) == len, "winfo full, two watchers");
	if (out == NULL)
		return;
	TAP_OK(xp_is(out, len, "string(/w:watcherinfo/@version)", "7") &&
	    xp_is(out, len, "string(/w:watcherinfo/@state)", "full"),
	    "version and state");
	TAP_OK(xp_is(out, len, "string(//w:watcher-list/@resource)",
	    "sip:" ALICE) &&
	    xp_is(out, len, "string(//w:watcher-list/@package)", "presence"),
	    "resource and package");
	TAP_OK(xp_is(out, len, "count(//w:watcher)", "2") &&
	    xp_is(out, len, "string(//w:watcher[1]/@id)", "w1") &&
	    xp_is(out, len, "string(//w:watcher[1]/@status)", "active") &&
	    xp_is(out, len, "string(//w:watcher[1]/@event)", "approved") &&
	    xp_is(out, len, "string(//w:watcher[1])", "sip:bob@site2.test"),
	    "first watcher");
	TAP_OK(xp_is(out, len,
	    "string(//w:watcher[1]/@duration-subscribed)", "120") &&
	    xp_is(out, len,
	    "count(//w:watcher[2]/@duration-subscribed)", "0"),
	    "duration-subscribed only where known");
	TAP_OK(strstr(out, "&lt;&amp;&gt;") != NULL &&
	    xp_is(out, len, "string(//w:watcher[2])", ww[1].ww_uri),
	    "odd watcher URI escaped and read back the same");
	free(out);
}

static void
test_winfo_partial(void)
{
	struct winfo_watcher	 ww = { "x&y", "sip:carol@site3.test",
	    "terminated", "rejected", 0 };
	struct winfo_watcher	 bad;
	char			*out = NULL;
	size_t			 len = 0;

	TAP_OK(winfo_compose(ALICE, 4294967295U, 0, &ww, 1, &out, &len) ==
	    0 && xp_is(out, len, "string(/w:watcherinfo/@state)", "partial") &&
	    xp_is(out, len, "string(/w:watcherinfo/@version)", "4294967295")
	    && xp_is(out, len, "string(//w:watcher/@id)", "x&y"),
	    "winfo partial, largest version, escaped id");
	free(out);
	out = NULL;
	TAP_OK(winfo_compose(ALICE, 0, 1, NULL, 0, &out, &len) == 0 &&
	    xp_is(out, len, "count(//w:watcher-list)", "1") &&
	    xp_is(out, len, "count(//w:watcher)", "0"),
	    "no watchers: an empty list");
	free(out);
	out = NULL;
	bad = ww;
	bad.ww_status = "approved";
	TAP_OK(winfo_compose(ALICE, 1, 1, &bad, 1, &out, &len) == -1 &&
	    out == NULL, "status approved refused");
	bad = ww;
	bad.ww_event = "active";
	TAP_OK(winfo_compose(ALICE, 1, 1, &bad, 1, &out, &len) == -1,
	    "event active refused");
	bad.ww_event = NULL;
	TAP_OK(winfo_compose(ALICE, 1, 1, &bad, 1, &out, &len) == -1,
	    "no event refused");
	bad = ww;
	bad.ww_id = "";
	TAP_OK(winfo_compose(ALICE, 1, 1, &bad, 1, &out, &len) == -1,
	    "empty id refused");
	bad = ww;
	bad.ww_uri = "sip:a\001b@c";
	TAP_OK(winfo_compose(ALICE, 1, 1, &bad, 1, &out, &len) == -1,
	    "control character in a URI refused");
	bad.ww_uri = "sip:\xc3\x28@c";
	TAP_OK(winfo_compose(ALICE, 1, 1, &bad, 1, &out, &len) == -1,
	    "bad UTF-8 in a URI refused");
	bad.ww_uri = "sip:\x8e\xa3@c";
	TAP_OK(winfo_compose(ALICE, 1, 1, &bad, 1, &out, &len) == -1,
	    "continuation byte first in a URI refused");
	bad.ww_uri = "sip:\xc1\xbf@c";
	TAP_OK(winfo_compose(ALICE, 1, 1, &bad, 1, &out, &len) == -1,
	    "overlong UTF-8 in a URI refused");
	bad.ww_uri = "sip:\xea\xb9\x80@\xec\x82\xac.test";
	TAP_OK(winfo_compose(ALICE, 1, 1, &bad, 1, &out, &len) == 0 &&
	    xp_is(out, len, "string(//w:watcher)", bad.ww_uri),
	    "UTF-8 URI kept");
	free(out);
}

static int
read_file(const char *path, char *buf, size_t size, size_t *len)
{
	FILE	*f;

	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	*len = fread(buf, 1, size, f);
	fclose(f);
	return (*len == size ? -1 : 0);
}

static void
test_corpus(const char *dir)
{
	static char	 doc[DOC_MAX];
	struct dirent	**names;
	char		 path[1024];
	size_t		 len;
	int		 i, n, valid, rc;

	if ((n = scandir(dir, &names, NULL, alphasort)) == -1)
		err(1, "%s", dir);
	for (i = 0; i < n; i++) {
		valid = strncmp(names[i]->d_name, "valid-", 6) == 0;
		if (valid || strncmp(names[i]->d_name, "bad-", 4) == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir,
			    names[i]->d_name);
			if (read_file(path, doc, sizeof(doc), &len) == -1)
				err(1, "%s", path);
			rc = pidf_check(doc, len, ALICE, reason,
			    sizeof(reason));
			TAP_OK(rc == (valid ? 0 : -1), "corpus %s %s%s%s",
			    names[i]->d_name, valid ? "passes" : "refused",
			    rc == 0 ? "" : ": ", rc == 0 ? "" : reason);
		}
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char *argv[])
{
	char		 errpath[] = "/tmp/pidf_test.err.XXXXXX";
	struct stat	 st;
	int		 errfd, saved;

	if (argc != 2)
		errx(1, "usage: pidf_test corpus-directory");
	/* Whatever libxml2 might print about bad documents lands here. */
	if ((errfd = mkstemp(errpath)) == -1 || (saved = dup(2)) == -1 ||
	    dup2(errfd, 2) == -1)
		err(1, "stderr");
	unlink(errpath);
	test_valid();
	test_entity();
	test_malformed();
	test_attacks();
	test_limits();
	test_media();
	test_compose_two();
	test_xinclude();
	test_compose_public();
	test_compose_none();
	test_unknown_basic();
	test_compose_bad();
	test_direct();
	test_winfo_full();
	test_winfo_partial();
	test_corpus(argv[1]);
	if (fstat(errfd, &st) == -1 || dup2(saved, 2) == -1)
		err(1, "stderr");
	TAP_OK(st.st_size == 0, "libxml2 wrote nothing to stderr (%lld "
	    "bytes)", (long long)st.st_size);
	return (TAP_DONE());
}
