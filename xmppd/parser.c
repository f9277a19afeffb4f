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
 * The XML stream of RFC 6120: one expat parser per stream (renewed at
 * each stream restart), the header at depth 1, each stanza a small tree
 * of the elements at depth 2 and below.  Restricted XML (RFC 6120 11.1):
 * a DOCTYPE, an entity declaration, a comment or a processing
 * instruction ends the stream, so no entity is ever expanded (the
 * billion laughs stop at the DOCTYPE).  Bounds: one stanza may take
 * xp_limit bytes of tree, and expat may hold no more than that of input
 * that has not yet become an event (a huge attribute, an endless tag).
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "cdefs.h"
#include "xmppd.h"

#define XP_READY_MAX	(sizeof(((struct xparser *)0)->xp_ready) / \
	sizeof(((struct xparser *)0)->xp_ready[0]))

static void
xp_fail(struct xparser *xp, const char *why)
{
	if (xp->xp_error == NULL)
		xp->xp_error = why;
	XML_StopParser(xp->xp_p, XML_FALSE);
}

/* Input up to the end of the current event is consumed. */
static void
xp_consumed(struct xparser *xp)
{
	XML_Index	at = XML_GetCurrentByteIndex(xp->xp_p);

	if (at >= 0)
		xp->xp_mark = at + XML_GetCurrentByteCount(xp->xp_p);
}

static void *
xp_alloc(struct xparser *xp, size_t size)
{
	void	*p;

	if (xp->xp_depth >= 2) {
		xp->xp_used += size;
		if (xp->xp_used > xp->xp_limit) {
			xp_fail(xp, "stanza too large");
			return (NULL);
		}
	}
	if ((p = calloc(1, size)) == NULL)
		xp_fail(xp, "out of memory");
	return (p);
}

static char *
xp_strdup(struct xparser *xp, const char *s)
{
	size_t	 len = strlen(s) + 1;
	char	*p;

	if ((p = xp_alloc(xp, len)) != NULL)
		memcpy(p, s, len);
	return (p);
}

void
xnode_free(struct xnode *n)
{
	struct xnode	*c, *next;
	size_t		 i;

	if (n == NULL)
		return;
	for (c = n->xn_child; c != NULL; c = next) {
		next = c->xn_next;
		xnode_free(c);
	}
	if (n->xn_attrs != NULL) {
		for (i = 0; n->xn_attrs[i] != NULL; i++)
			free(n->xn_attrs[i]);
		free(n->xn_attrs);
	}
	free(n->xn_name);
	free(n->xn_text);
	free(n);
}

static struct xnode *
xp_node(struct xparser *xp, const char *name, const char **attrs)
{
	struct xnode	*n;
	size_t		 i, nattrs = 0;

	while (attrs[nattrs] != NULL)
		nattrs++;
	if ((n = xp_alloc(xp, sizeof(*n))) == NULL)
		return (NULL);
	if ((n->xn_name = xp_strdup(xp, name)) == NULL ||
	    (n->xn_attrs = xp_alloc(xp, (nattrs + 1) * sizeof(char *))) ==
	    NULL) {
		xnode_free(n);
		return (NULL);
	}
	for (i = 0; i < nattrs; i++) {
		if ((n->xn_attrs[i] = xp_strdup(xp, attrs[i])) == NULL) {
			xnode_free(n);
			return (NULL);
		}
	}
	return (n);
}

static void
xp_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct xparser	*xp = arg;
	struct xnode	*n;

	if (xp->xp_error != NULL)
		return;
	xp->xp_depth++;
	if (xp->xp_depth == 1) {
		if ((n = xp_node(xp, name, attrs)) == NULL)
			return;
		xp->xp_open = n;
		xp->xp_opened = 1;
		xp_consumed(xp);
		return;
	}
	if (xp->xp_depth == 2) {
		if (xp->xp_nready == XP_READY_MAX) {
			xp_fail(xp, "too many stanzas at once");
			return;
		}
		xp->xp_used = 0;
	}
	if ((n = xp_node(xp, name, attrs)) == NULL)
		return;
	if (xp->xp_cur != NULL) {
		n->xn_parent = xp->xp_cur;
		if (xp->xp_cur->xn_last != NULL)
			xp->xp_cur->xn_last->xn_next = n;
		else
			xp->xp_cur->xn_child = n;
		xp->xp_cur->xn_last = n;
	}
	xp->xp_cur = n;
}

static void
xp_end(void *arg, const XML_Char *name IMD_UNUSED)
{
	struct xparser	*xp = arg;
	struct xnode	*n = xp->xp_cur;

	if (xp->xp_error != NULL)
		return;
	xp->xp_depth--;
	if (xp->xp_depth == 0) {
		xp->xp_closed = 1;
		xp_consumed(xp);
		XML_StopParser(xp->xp_p, XML_FALSE);
		return;
	}
	xp->xp_cur = n->xn_parent;
	if (xp->xp_depth == 1) {
		xp->xp_ready[(xp->xp_first + xp->xp_nready++) % XP_READY_MAX] =
		    n;
		xp_consumed(xp);
	}
}

static void
xp_text(void *arg, const XML_Char *s, int len)
{
	struct xparser	*xp = arg;
	struct xnode	*n = xp->xp_cur;
	char		*t;

	if (xp->xp_error != NULL)
		return;
	if (xp->xp_depth < 2 || n == NULL) {
		xp_consumed(xp);	/* whitespace between stanzas */
		return;
	}
	xp->xp_used += len;
	if (xp->xp_used > xp->xp_limit) {
		xp_fail(xp, "stanza too large");
		return;
	}
	if ((t = realloc(n->xn_text, n->xn_textlen + len + 1)) == NULL) {
		xp_fail(xp, "out of memory");
		return;
	}
	memcpy(t + n->xn_textlen, s, len);
	n->xn_textlen += len;
	t[n->xn_textlen] = '\0';
	n->xn_text = t;
}

static void
xp_doctype(void *arg, const XML_Char *name IMD_UNUSED,
    const XML_Char *sysid IMD_UNUSED, const XML_Char *pubid IMD_UNUSED,
    int internal IMD_UNUSED)
{
	xp_fail(arg, "a DOCTYPE (restricted XML)");
}

static void
xp_entity(void *arg, const XML_Char *name IMD_UNUSED,
    int param IMD_UNUSED, const XML_Char *value IMD_UNUSED,
    int len IMD_UNUSED, const XML_Char *base IMD_UNUSED,
    const XML_Char *sysid IMD_UNUSED, const XML_Char *pubid IMD_UNUSED,
    const XML_Char *notation IMD_UNUSED)
{
	xp_fail(arg, "an entity declaration (restricted XML)");
}

static void
xp_comment(void *arg, const XML_Char *data IMD_UNUSED)
{
	xp_fail(arg, "a comment (restricted XML)");
}

static void
xp_pi(void *arg, const XML_Char *target IMD_UNUSED,
    const XML_Char *data IMD_UNUSED)
{
	xp_fail(arg, "a processing instruction (restricted XML)");
}

int
xparser_init(struct xparser *xp, size_t limit)
{
	memset(xp, 0, sizeof(*xp));
	xp->xp_limit = limit;
	if ((xp->xp_p = XML_ParserCreateNS("UTF-8", XMPP_SEP)) == NULL)
		return (-1);
	XML_SetUserData(xp->xp_p, xp);
	XML_SetElementHandler(xp->xp_p, xp_start, xp_end);
	XML_SetCharacterDataHandler(xp->xp_p, xp_text);
	XML_SetStartDoctypeDeclHandler(xp->xp_p, xp_doctype);
	XML_SetEntityDeclHandler(xp->xp_p, xp_entity);
	XML_SetCommentHandler(xp->xp_p, xp_comment);
	XML_SetProcessingInstructionHandler(xp->xp_p, xp_pi);
	XML_SetParamEntityParsing(xp->xp_p, XML_PARAM_ENTITY_PARSING_NEVER);
	return (0);
}

void
xparser_free(struct xparser *xp)
{
	size_t	i;

	for (i = 0; i < xp->xp_nready; i++)
		xnode_free(xp->xp_ready[(xp->xp_first + i) % XP_READY_MAX]);
	if (xp->xp_cur != NULL) {
		while (xp->xp_cur->xn_parent != NULL)
			xp->xp_cur = xp->xp_cur->xn_parent;
		xnode_free(xp->xp_cur);
	}
	xnode_free(xp->xp_open);
	if (xp->xp_p != NULL)
		XML_ParserFree(xp->xp_p);
	memset(xp, 0, sizeof(*xp));
}

/*
 * 0: taken (events wait in xp); -1: the stream must end, xp_error says
 * why.  After </stream:stream> nothing more is read.
 */
int
xparser_feed(struct xparser *xp, const char *buf, size_t len)
{
	if (xp->xp_error != NULL)
		return (-1);
	if (xp->xp_closed || len == 0)
		return (0);
	xp->xp_fed += len;
	if (XML_Parse(xp->xp_p, buf, len, XML_FALSE) == XML_STATUS_ERROR &&
	    xp->xp_error == NULL && !xp->xp_closed)
		xp->xp_error = XML_ErrorString(XML_GetErrorCode(xp->xp_p));
	if (xp->xp_error == NULL && xp->xp_fed - xp->xp_mark > xp->xp_limit)
		xp->xp_error = "stanza too large";
	return (xp->xp_error != NULL ? -1 : 0);
}

/* The next complete stanza, the caller's to free; NULL when none. */
struct xnode *
xparser_next(struct xparser *xp)
{
	struct xnode	*n;

	if (xp->xp_nready == 0)
		return (NULL);
	n = xp->xp_ready[xp->xp_first];
	xp->xp_first = (xp->xp_first + 1) % XP_READY_MAX;
	xp->xp_nready--;
	return (n);
}

const char *
xnode_attr(const struct xnode *n, const char *name)
{
	size_t	i;

	for (i = 0; n->xn_attrs[i] != NULL; i += 2)
		if (strcmp(n->xn_attrs[i], name) == 0)
			return (n->xn_attrs[i + 1]);
	return (NULL);
}

/* The local name, after the namespace. */
const char *
xnode_local(const struct xnode *n)
{
	const char	*p = strrchr(n->xn_name, XMPP_SEP);

	return (p != NULL ? p + 1 : n->xn_name);
}

int
xnode_is(const struct xnode *n, const char *ns, const char *local)
{
	size_t	len = strlen(ns);

	return (strncmp(n->xn_name, ns, len) == 0 &&
	    n->xn_name[len] == XMPP_SEP &&
	    strcmp(n->xn_name + len + 1, local) == 0);
}

/* The first child of that local name, in any namespace. */
struct xnode *
xnode_child(const struct xnode *n, const char *local)
{
	struct xnode	*c;

	for (c = n->xn_child; c != NULL; c = c->xn_next)
		if (strcmp(xnode_local(c), local) == 0)
			return (c);
	return (NULL);
}

/*
 * Text or attribute value escaped; the length it needs, as snprintf.
 * Callers drop what does not fit: a cut could split an entity or a
 * UTF-8 sequence and break the stream it goes on.
 */
size_t
xml_escape(char *out, size_t size, const char *s, size_t len)
{
	const char	*rep;
	size_t		 n = 0, rl, i;
	char		 one[2] = { 0, 0 };

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		default: one[0] = s[i]; rep = one; break;
		}
		rl = strlen(rep);
		if (n + rl < size)
			memcpy(out + n, rep, rl);
		n += rl;
	}
	if (size > 0)
		out[n < size ? n : size - 1] = '\0';
	return (n);
}
