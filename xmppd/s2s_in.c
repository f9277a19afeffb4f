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
 * Streams a peer opens to us (RFC 6120): we answer its header, require
 * STARTTLS, and take its word for its domain only from SASL EXTERNAL
 * with a certificate that verifies against our CA file and names that
 * domain (RFC 6120 13.7.1.2, RFC 7590, RFC 6125: a DNS-ID).  Server
 * Dialback (XEP-0220) is offered only under `xmpp dialback yes`.  Each
 * refusal is logged with its reason.  Once authenticated, the stream
 * carries stanzas from that domain, and only from it.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "xmppd.h"

#define B64_MAX		(4 * ((IMD_DOMAIN_MAX + 2) / 3) + 4)

static void
s2s_in_header(struct xstream *xs)
{
	stream_printf(xs, "<?xml version='1.0'?><stream:stream xmlns='"
	    XMPP_NS_SERVER "' xmlns:stream='" XMPP_NS_STREAM "' xmlns:db='"
	    XMPP_NS_DB "' from='%s'%s%s%s id='%s' version='1.0'>",
	    xs->xs_local, xs->xs_remote[0] != '\0' ? " to='" : "",
	    xs->xs_remote, xs->xs_remote[0] != '\0' ? "'" : "", xs->xs_sid);
	xs->xs_header_sent = 1;
}

/* The peer showed a certificate that verified against our CA file. */
static int
s2s_cert_verified(struct xstream *xs)
{
	X509	*cert;

	if ((cert = SSL_get1_peer_certificate(xs->xs_ssl)) == NULL)
		return (0);
	X509_free(cert);
	return (SSL_get_verify_result(xs->xs_ssl) == X509_V_OK);
}

static void
s2s_in_features(struct xstream *xs)
{
	if (!xs->xs_secure) {
		stream_printf(xs, "<stream:features><starttls xmlns='"
		    XMPP_NS_TLS "'><required/></starttls></stream:features>");
		return;
	}
	if (xs->xs_auth != NULL) {
		stream_printf(xs, "<stream:features/>");
		xs->xs_state = XS_READY;
		log_info("xmpp: inbound stream %s from %s ready (%s)",
		    xs->xs_peer, xs->xs_remote, xs->xs_auth);
		return;
	}
	/* EXTERNAL where a certificate verified (RFC 6120 6.3.4). */
	stream_printf(xs, "<stream:features>%s%s</stream:features>",
	    s2s_cert_verified(xs) || !xmppd_conf->c_xmpp.x_dialback ?
	    "<mechanisms xmlns='" XMPP_NS_SASL "'><mechanism>EXTERNAL"
	    "</mechanism></mechanisms>" : "", xmppd_conf->c_xmpp.x_dialback ?
	    "<dialback xmlns='" XMPP_NS_DBFEAT "'><errors/></dialback>" : "");
}

/* Valid domain text from a stream attribute, lower case. */
static int
s2s_domain(const char *s, char *out, size_t size)
{
	size_t	i;

	if (s == NULL || *s == '\0' || strlen(s) >= size)
		return (-1);
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '@' || s[i] == '/' || s[i] == '\'' ||
		    (unsigned char)s[i] <= ' ')
			return (-1);
		out[i] = s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i];
	}
	out[i] = '\0';
	return (0);
}

void
s2s_in_open(struct xstream *xs, const struct xnode *open)
{
	const char	*to = xnode_attr(open, "to");
	const char	*from = xnode_attr(open, "from");
	const char	*version = xnode_attr(open, "version");
	char		 remote[IMD_DOMAIN_MAX];

	if (!xnode_is(open, XMPP_NS_STREAM, "stream")) {
		stream_error(xs, "invalid-namespace", "not a stream header");
		return;
	}
	if (to == NULL || s2s_domain(to, xs->xs_local,
	    sizeof(xs->xs_local)) == -1 || !xmppd_is_ours(xs->xs_local)) {
		xs->xs_local[0] = '\0';
		stream_error(xs, "host-unknown", "stream to a domain not ours");
		return;
	}
	if (version == NULL || strcmp(version, "1.0") != 0) {
		stream_error(xs, "unsupported-version", "not version 1.0");
		return;
	}
	if (from != NULL && xs->xs_auth == NULL) {
		if (s2s_domain(from, remote, sizeof(remote)) == -1) {
			stream_error(xs, "invalid-from", "malformed from");
			return;
		}
		strlcpy(xs->xs_remote, remote, sizeof(xs->xs_remote));
		if (stream_count(remote) >
		    xmppd_conf->c_xmpp.x_streams_per_domain) {
			stream_error(xs, "policy-violation",
			    "too many streams for the domain");
			return;
		}
	}
	s2s_in_header(xs);
	s2s_in_features(xs);
}

void
s2s_in_secured(struct xstream *xs)
{
	log_debug("xmpp: %s: TLS up (%s)", xs->xs_peer,
	    SSL_get_version(xs->xs_ssl));
}

/*
 * Why the certificate does not prove domain, or NULL when it does:
 * it verified against our CA file, and a DNS-ID names the domain.
 */
static const char *
s2s_cert_refusal(struct xstream *xs, const char *domain)
{
	X509		*cert;
	long		 v;
	int		 ok;

	if ((cert = SSL_get1_peer_certificate(xs->xs_ssl)) == NULL)
		return ("no client certificate");
	if ((v = SSL_get_verify_result(xs->xs_ssl)) != X509_V_OK) {
		X509_free(cert);
		return (X509_verify_cert_error_string(v));
	}
	ok = X509_check_host(cert, domain, strlen(domain), 0, NULL) == 1;
	X509_free(cert);
	return (ok ? NULL : "the certificate does not name the domain");
}

static void
s2s_in_auth(struct xstream *xs, const struct xnode *n)
{
	const char	*mech = xnode_attr(n, "mechanism"), *why;
	unsigned char	 authzid[B64_MAX];
	char		 claimed[IMD_DOMAIN_MAX];
	int		 len = 0;

	if (mech == NULL || strcmp(mech, "EXTERNAL") != 0) {
		stream_printf(xs, "<failure xmlns='" XMPP_NS_SASL
		    "'><invalid-mechanism/></failure>");
		stream_close(xs, "refused: a SASL mechanism other than "
		    "EXTERNAL");
		return;
	}
	/* The authorization identity, or "=" for the stream's from. */
	if (n->xn_text != NULL && strcmp(n->xn_text, "=") != 0 &&
	    n->xn_textlen > 0) {
		if (n->xn_textlen >= sizeof(authzid) ||
		    (len = EVP_DecodeBlock(authzid,
		    (const unsigned char *)n->xn_text, n->xn_textlen)) < 0) {
			why = "malformed authorization identity";
			goto refuse;
		}
		while (len > 0 && authzid[len - 1] == '\0')
			len--;	/* the padding EVP_DecodeBlock keeps */
		authzid[len] = '\0';
		if (s2s_domain((char *)authzid, claimed,
		    sizeof(claimed)) == -1 ||
		    strcmp(claimed, xs->xs_remote) != 0) {
			why = "authorization identity is not the stream's from";
			goto refuse;
		}
	}
	if (xs->xs_remote[0] == '\0') {
		why = "no from on the stream";
		goto refuse;
	}
	if ((why = s2s_cert_refusal(xs, xs->xs_remote)) != NULL)
		goto refuse;
	xs->xs_auth = "certificate";
	stream_printf(xs, "<success xmlns='" XMPP_NS_SASL "'/>");
	stream_restart(xs);
	xs->xs_state = XS_OPENING;
	return;
 refuse:
	log_info("xmpp: %s claims %s: SASL EXTERNAL refused: %s",
	    xs->xs_peer, xs->xs_remote[0] != '\0' ? xs->xs_remote : "?",
	    why);
	stream_printf(xs, "<failure xmlns='" XMPP_NS_SASL
	    "'><not-authorized/></failure>");
	stream_close(xs, "authentication refused");
}

/*
 * XEP-0220.  Under `xmpp dialback no` a request to verify by dialback
 * is refused (its error, then the stream ends): the peer must prove
 * itself with a certificate.  Under `yes` the key goes back to the
 * claimed domain's own servers, found by DNS, on a stream of its own
 * (s2s_out_dialback_verify()); their answer decides.
 */
static void
s2s_in_dialback(struct xstream *xs, const struct xnode *n)
{
	const char	*from = xnode_attr(n, "from"), *to = xnode_attr(n, "to");
	char		 f[IMD_DOMAIN_MAX], t[IMD_DOMAIN_MAX];

	if (s2s_domain(from, f, sizeof(f)) == -1 ||
	    s2s_domain(to, t, sizeof(t)) == -1) {
		stream_error(xs, "improper-addressing", "dialback: bad from "
		    "or to");
		return;
	}
	if (xmppd_conf->c_xmpp.x_dialback && xnode_is(n, XMPP_NS_DB,
	    "result") && xs->xs_auth == NULL && !xs->xs_db_pending &&
	    strcmp(t, xs->xs_local) == 0 && (xs->xs_remote[0] == '\0' ||
	    strcmp(f, xs->xs_remote) == 0) && n->xn_text != NULL &&
	    n->xn_textlen > 0 && n->xn_textlen < 256) {
		strlcpy(xs->xs_remote, f, sizeof(xs->xs_remote));
		if (s2s_out_dialback_verify(xs, n->xn_text) == 0) {
			xs->xs_db_pending = 1;
			return;
		}
	}
	log_info("xmpp: %s claims %s: dialback refused: %s", xs->xs_peer, f,
	    xmppd_conf->c_xmpp.x_dialback ? "a request out of place, or "
	    "no stream to verify it" : "not allowed (xmpp dialback no)");
	stream_printf(xs, "<db:result from='%s' to='%s' type='error'>"
	    "<error type='cancel'><not-allowed xmlns='" XMPP_NS_STANZAS
	    "'/></error></db:result>", t, f);
	stream_close(xs, "dialback refused");
}

/* What the authoritative servers said of the key (XEP-0220 2.4). */
void
s2s_in_dialback_result(uint64_t id, int valid, const char *why)
{
	struct xstream	*xs;

	if ((xs = stream_find(id)) == NULL || xs->xs_freeing ||
	    !xs->xs_db_pending)
		return;
	xs->xs_db_pending = 0;
	stream_printf(xs, "<db:result from='%s' to='%s' type='%s'/>",
	    xs->xs_local, xs->xs_remote, valid ? "valid" : "invalid");
	if (!valid) {
		log_info("xmpp: %s claims %s: dialback refused: %s",
		    xs->xs_peer, xs->xs_remote, why);
		stream_close(xs, "dialback refused");
		return;
	}
	xs->xs_auth = "dialback";
	xs->xs_state = XS_READY;
	log_info("xmpp: inbound stream %s from %s ready (dialback)",
	    xs->xs_peer, xs->xs_remote);
}

void
s2s_in_stanza(struct xstream *xs, struct xnode *n)
{
	if (xnode_is(n, XMPP_NS_TLS, "starttls")) {
		if (xs->xs_secure) {
			stream_error(xs, "policy-violation", "STARTTLS twice");
			return;
		}
		stream_printf(xs, "<proceed xmlns='" XMPP_NS_TLS "'/>");
		xs->xs_tls_next = 1;
		return;
	}
	if (!xs->xs_secure) {
		stream_error(xs, "policy-violation", "refused: STARTTLS "
		    "is required");
		return;
	}
	if (xnode_is(n, XMPP_NS_SASL, "auth") && xs->xs_auth == NULL) {
		s2s_in_auth(xs, n);
		return;
	}
	if (xnode_is(n, XMPP_NS_DB, "result") ||
	    xnode_is(n, XMPP_NS_DB, "verify")) {
		s2s_in_dialback(xs, n);
		return;
	}
	if (xs->xs_state != XS_READY) {
		stream_error(xs, "not-authorized", "a stanza before "
		    "authentication");
		return;
	}
	gateway_stanza(xs, n);
}
