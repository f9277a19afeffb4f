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
 * Streams we open, one per pair of our domain and a peer's domain:
 * relayd finds the peer's servers (a route, else DNS: XEP-0368
 * _xmpps-server._tcp for direct TLS, _xmpp-server._tcp, else the
 * domain's A/AAAA on 5269), we connect to each in turn until one
 * answers, require STARTTLS and a certificate that names the domain,
 * and authenticate with SASL EXTERNAL.  Stanzas wait in a bounded queue
 * until then.  A message sent for a SIP request waits a moment for an
 * error stanza before the request is answered 200.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <event.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "cdefs.h"
#include "imd_msg.h"
#include "log.h"
#include "proc.h"
#include "xmppd.h"

#define OUT_TARGETS_MAX		16
#define OUT_WAITING_MAX		8192

/* Sent messages whose SIP request waits for a possible error. */
static struct xsend_queue	waiting = TAILQ_HEAD_INITIALIZER(waiting);
static size_t			nwaiting;

static void	out_connect_next(struct xstream *);

/* The answer to relayd's request behind a stanza, if one waits. */
static void
out_answer(uint32_t job, unsigned int status, const char *reason)
{
	if (job != 0)
		gateway_answer(job, status, reason);
}

static void
xsend_free(struct xsend *xq)
{
	free(xq->xq_text);
	free(xq);
}

static void
out_wait_done(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg)
{
	struct xsend	*xq = arg;

	TAILQ_REMOVE(&waiting, xq, xq_entry);
	nwaiting--;
	out_answer(xq->xq_job, 200, "OK");
	xsend_free(xq);
}

/* Written to a ready stream: a request behind it waits for an error. */
static void
out_sent(struct xstream *xs, struct xsend *xq)
{
	struct timeval	tv = { 0, XMPP_ERROR_WAIT_MS * 1000 };

	if (stream_write(xs, xq->xq_text, xq->xq_len) == -1) {
		out_answer(xq->xq_job, 503, "XMPP Stream Lost");
		xsend_free(xq);
		return;
	}
	if (xq->xq_job == 0 || nwaiting >= OUT_WAITING_MAX) {
		out_answer(xq->xq_job, 200, "OK");
		xsend_free(xq);
		return;
	}
	free(xq->xq_text);
	xq->xq_text = NULL;
	evtimer_set(&xq->xq_timer, out_wait_done, xq);
	evtimer_add(&xq->xq_timer, &tv);
	TAILQ_INSERT_TAIL(&waiting, xq, xq_entry);
	nwaiting++;
}

/* An error stanza for a message we sent: its request gets the status. */
int
s2s_out_error_for(const char *id, const char *from, unsigned int status,
    const char *reason)
{
	struct xsend	*xq;

	TAILQ_FOREACH(xq, &waiting, xq_entry) {
		if (strcmp(xq->xq_id, id) != 0)
			continue;
		log_info("xmpp: message %s: error from %s: %u %s", id, from,
		    status, reason);
		evtimer_del(&xq->xq_timer);
		TAILQ_REMOVE(&waiting, xq, xq_entry);
		nwaiting--;
		out_answer(xq->xq_job, status, reason);
		xsend_free(xq);
		return (0);
	}
	return (-1);
}

static struct xstream *
out_find(const char *local, const char *remote)
{
	struct xstream	*xs;

	TAILQ_FOREACH(xs, &xstreams, xs_entry)
		if (xs->xs_dir == XS_OUT && !xs->xs_freeing &&
		    !xs->xs_close_next && xs->xs_db_for == 0 &&
		    strcmp(xs->xs_local, local) == 0 &&
		    strcmp(xs->xs_remote, remote) == 0)
			return (xs);
	return (NULL);
}

static int
out_resolve(struct xstream *xs)
{
	struct imsgev	*relayd = proc_peer(PROC_RELAYD);
	struct ibuf	*buf;

	xs->xs_lookup = (uint32_t)xs->xs_id;
	if ((buf = imsgev_create(relayd, IMSG_XMPP_RESOLVE, xs->xs_lookup,
	    IMD_DOMAIN_MAX)) == NULL ||
	    ibuf_add_str(buf, xs->xs_remote, IMD_DOMAIN_MAX) == -1 ||
	    imsgev_close(relayd, buf) == -1)
		fatal("%s", __func__);
	return (0);
}

/*
 * Queue text for remote from our domain local; job is relayd's request
 * to answer (0: none).  -1 when it cannot go (the caller answers).
 */
int
s2s_out_send(const char *local, const char *remote, const char *text,
    size_t len, uint32_t job, const char *id)
{
	struct xstream	*xs;
	struct xsend	*xq;

	if ((xs = out_find(local, remote)) == NULL) {
		if (stream_count(NULL) >= xmppd_conf->c_xmpp.x_streams ||
		    stream_count(remote) >=
		    xmppd_conf->c_xmpp.x_streams_per_domain) {
			log_info("xmpp: no stream to %s: at the limit",
			    remote);
			return (-1);
		}
		if ((xs = stream_new(XS_OUT, -1, NULL, 0)) == NULL)
			return (-1);
		strlcpy(xs->xs_local, local, sizeof(xs->xs_local));
		strlcpy(xs->xs_remote, remote, sizeof(xs->xs_remote));
		out_resolve(xs);
	}
	if (xs->xs_nqueue >= XMPP_QUEUE_MAX ||
	    (xq = calloc(1, sizeof(*xq))) == NULL)
		return (-1);
	if ((xq->xq_text = malloc(len)) == NULL) {
		free(xq);
		return (-1);
	}
	memcpy(xq->xq_text, text, len);
	xq->xq_len = len;
	xq->xq_job = job;
	strlcpy(xq->xq_id, id, sizeof(xq->xq_id));
	if (xs->xs_state == XS_READY) {
		out_sent(xs, xq);
		return (0);
	}
	TAILQ_INSERT_TAIL(&xs->xs_queue, xq, xq_entry);
	xs->xs_nqueue++;
	return (0);
}

static void
out_flush_queue(struct xstream *xs)
{
	struct xsend	*xq;

	while ((xq = TAILQ_FIRST(&xs->xs_queue)) != NULL) {
		TAILQ_REMOVE(&xs->xs_queue, xq, xq_entry);
		xs->xs_nqueue--;
		out_sent(xs, xq);
	}
}

/* IMSG_XMPP_TARGETS: u32 error, u32 n, n x (u32 direct, u32 len, addr). */
void
s2s_out_targets(struct imsgev *iev, struct imsg *imsg)
{
	struct xstream	*xs;
	struct xtarget	 t[OUT_TARGETS_MAX];
	uint32_t	 error, n, i, direct, len;

	imsg_get_u32(imsg, &error);
	imsg_get_u32(imsg, &n);
	if (n > OUT_TARGETS_MAX)
		proc_fatal_imsg(iev, imsg, "xmpp targets");
	for (i = 0; i < n; i++) {
		imsg_get_u32(imsg, &direct);
		imsg_get_u32(imsg, &len);
		imsg_get_data(imsg, &t[i].xt_ss, sizeof(t[i].xt_ss));
		t[i].xt_direct = direct != 0;
		t[i].xt_sslen = len;
		if (len > sizeof(t[i].xt_ss))
			proc_fatal_imsg(iev, imsg, "xmpp targets");
	}
	if (imsg_get_end(imsg) == -1)
		proc_fatal_imsg(iev, imsg, "xmpp targets");
	TAILQ_FOREACH(xs, &xstreams, xs_entry)
		if (xs->xs_dir == XS_OUT && xs->xs_lookup ==
		    imsg->hdr.ih_peerid && xs->xs_state == XS_RESOLVING)
			break;
	if (xs == NULL || xs->xs_freeing)
		return;
	if (n == 0) {
		log_info("xmpp: %s: no XMPP server found (dns error %u)",
		    xs->xs_remote, error);
		stream_close(xs, "no server");
		return;
	}
	if ((xs->xs_targets = calloc(n, sizeof(*t))) == NULL) {
		stream_close(xs, "out of memory");
		return;
	}
	memcpy(xs->xs_targets, t, n * sizeof(*t));
	xs->xs_ntargets = n;
	out_connect_next(xs);
}

static void
out_connect_next(struct xstream *xs)
{
	struct xtarget	*t;
	int		 s;

	while (xs->xs_next < xs->xs_ntargets) {
		t = &xs->xs_targets[xs->xs_next++];
		if ((s = socket(t->xt_ss.ss_family, SOCK_STREAM |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
			log_warn("xmpp: socket");
			continue;
		}
		if (connect(s, (struct sockaddr *)&t->xt_ss,
		    t->xt_sslen) == -1 && errno != EINPROGRESS) {
			log_info("xmpp: %s: connect: %s", xs->xs_remote,
			    strerror(errno));
			close(s);
			continue;
		}
		xs->xs_fd = s;
		xs->xs_direct = t->xt_direct;
		sockaddr_name(&t->xt_ss, t->xt_sslen, xs->xs_peer,
		    sizeof(xs->xs_peer));
		xs->xs_state = XS_CONNECTING;
		stream_start_io(xs);
		event_add(&xs->xs_wev, NULL);
		return;
	}
	stream_close(xs, "no server answered");
}

static void
out_header(struct xstream *xs)
{
	stream_printf(xs, "<?xml version='1.0'?><stream:stream xmlns='"
	    XMPP_NS_SERVER "' xmlns:stream='" XMPP_NS_STREAM "' xmlns:db='"
	    XMPP_NS_DB "' from='%s' to='%s' version='1.0'>", xs->xs_local,
	    xs->xs_remote);
	xs->xs_header_sent = 1;
	xs->xs_state = XS_OPENING;
}

void
s2s_out_connected(struct xstream *xs)
{
	log_debug("xmpp: %s: connected to %s%s", xs->xs_remote, xs->xs_peer,
	    xs->xs_direct ? " (direct TLS)" : "");
	if (xs->xs_direct)
		stream_tls_start(xs);
	else
		out_header(xs);
}

/*
 * Dialback (XEP-0220 2.3): a stream of its own to the claimed domain's
 * servers, found as for sending, which carries one db:verify.  Its TLS
 * need not verify: the trust of dialback is DNS's.
 */
int
s2s_out_dialback_verify(struct xstream *in, const char *key)
{
	struct xstream	*xs;

	if (stream_count(NULL) >= xmppd_conf->c_xmpp.x_streams ||
	    (xs = stream_new(XS_OUT, -1, NULL, 0)) == NULL)
		return (-1);
	if ((xs->xs_db_key = strdup(key)) == NULL) {
		stream_free(xs);
		return (-1);
	}
	strlcpy(xs->xs_local, in->xs_local, sizeof(xs->xs_local));
	strlcpy(xs->xs_remote, in->xs_remote, sizeof(xs->xs_remote));
	strlcpy(xs->xs_db_id, in->xs_sid, sizeof(xs->xs_db_id));
	xs->xs_db_for = in->xs_id;
	out_resolve(xs);
	return (0);
}

static void
out_dialback_send(struct xstream *xs)
{
	char	key[3 * 256];

	if (xml_escape(key, sizeof(key), xs->xs_db_key,
	    strlen(xs->xs_db_key)) >= sizeof(key)) {
		stream_close(xs, "dialback key too long");
		return;
	}
	stream_printf(xs, "<db:verify from='%s' to='%s' id='%s'>%s"
	    "</db:verify>", xs->xs_local, xs->xs_remote, xs->xs_db_id, key);
	xs->xs_state = XS_AUTH;
}

/* The server's certificate must name the domain we want. */
void
s2s_out_secured(struct xstream *xs)
{
	X509	*cert;
	long	 v;
	int	 ok = 0;

	if ((cert = SSL_get1_peer_certificate(xs->xs_ssl)) != NULL) {
		v = SSL_get_verify_result(xs->xs_ssl);
		ok = v == X509_V_OK && X509_check_host(cert, xs->xs_remote,
		    strlen(xs->xs_remote), 0, NULL) == 1;
		if (!ok)
			log_info("xmpp: %s at %s: certificate refused: %s",
			    xs->xs_remote, xs->xs_peer, v != X509_V_OK ?
			    X509_verify_cert_error_string(v) :
			    "it does not name the domain");
		X509_free(cert);
	} else
		log_info("xmpp: %s at %s: no certificate", xs->xs_remote,
		    xs->xs_peer);
	if (!ok && xs->xs_db_for == 0) {
		stream_close(xs, "server not verified");
		return;
	}
	out_header(xs);
}

void
s2s_out_open(struct xstream *xs, const struct xnode *open)
{
	if (!xnode_is(open, XMPP_NS_STREAM, "stream")) {
		stream_error(xs, "invalid-namespace", "not a stream header");
		return;
	}
	xs->xs_state = XS_FEATURES;
}

static int
has_external(const struct xnode *features)
{
	const struct xnode	*m, *c;

	if ((m = xnode_child(features, "mechanisms")) == NULL)
		return (0);
	for (c = m->xn_child; c != NULL; c = c->xn_next)
		if (c->xn_text != NULL && strcmp(c->xn_text, "EXTERNAL") == 0)
			return (1);
	return (0);
}

static void
out_features(struct xstream *xs, const struct xnode *n)
{
	unsigned char	b64[4 * ((IMD_DOMAIN_MAX + 2) / 3) + 1];

	if (xs->xs_auth != NULL) {
		xs->xs_state = XS_READY;
		log_info("xmpp: outbound stream %s to %s ready (%s)",
		    xs->xs_peer, xs->xs_remote, xs->xs_auth);
		out_flush_queue(xs);
		return;
	}
	if (xs->xs_db_for != 0 && (xs->xs_secure ||
	    xnode_child(n, "starttls") == NULL)) {
		out_dialback_send(xs);
		return;
	}
	if (!xs->xs_secure) {
		if (xnode_child(n, "starttls") == NULL) {
			stream_close(xs, "refused: the server offers no "
			    "STARTTLS");
			return;
		}
		stream_printf(xs, "<starttls xmlns='" XMPP_NS_TLS "'/>");
		xs->xs_state = XS_STARTTLS;
		return;
	}
	if (!has_external(n)) {
		stream_close(xs, "the server does not take our certificate "
		    "(no SASL EXTERNAL)");
		return;
	}
	EVP_EncodeBlock(b64, (const unsigned char *)xs->xs_local,
	    strlen(xs->xs_local));
	stream_printf(xs, "<auth xmlns='" XMPP_NS_SASL "' mechanism="
	    "'EXTERNAL'>%s</auth>", b64);
	xs->xs_state = XS_AUTH;
}

void
s2s_out_stanza(struct xstream *xs, struct xnode *n)
{
	const struct xnode	*c;

	if (xnode_is(n, XMPP_NS_STREAM, "features"))
		out_features(xs, n);
	else if (xnode_is(n, XMPP_NS_TLS, "proceed") &&
	    xs->xs_state == XS_STARTTLS)
		stream_tls_start(xs);
	else if (xnode_is(n, XMPP_NS_SASL, "success") &&
	    xs->xs_state == XS_AUTH) {
		xs->xs_auth = "certificate";
		stream_restart(xs);
		out_header(xs);
	} else if (xnode_is(n, XMPP_NS_SASL, "failure")) {
		c = n->xn_child;
		log_info("xmpp: %s refused our certificate: %s",
		    xs->xs_remote, c != NULL ? xnode_local(c) : "?");
		stream_close(xs, "authentication failed");
	} else if (xnode_is(n, XMPP_NS_DB, "verify") && xs->xs_db_for != 0 &&
	    xs->xs_state == XS_AUTH) {
		c = NULL;
		s2s_in_dialback_result(xs->xs_db_for, xnode_attr(n, "type") !=
		    NULL && strcmp(xnode_attr(n, "type"), "valid") == 0,
		    "the authoritative server says the key is invalid");
		xs->xs_db_for = 0;
		stream_close(xs, "dialback verified");
	} else if (xnode_is(n, XMPP_NS_STREAM, "error")) {
		c = n->xn_child;
		stream_close(xs, c != NULL ? xnode_local(c) : "stream error");
	} else
		log_debug("xmpp: %s: %s ignored on an outbound stream",
		    xs->xs_remote, n->xn_name);
}

/*
 * The stream ends: a next target gets what is queued if the stream
 * never got ready, else every request behind it gets 503.
 */
void
s2s_out_lost(struct xstream *xs)
{
	struct xstream	*nx;
	struct xsend	*xq;

	if (xs->xs_db_for != 0) {
		s2s_in_dialback_result(xs->xs_db_for, 0,
		    "its domain's servers could not be asked");
		return;
	}

	if (xs->xs_state != XS_READY && xs->xs_state != XS_CLOSING &&
	    xs->xs_next < xs->xs_ntargets &&
	    (nx = stream_new(XS_OUT, -1, NULL, 0)) != NULL) {
		strlcpy(nx->xs_local, xs->xs_local, sizeof(nx->xs_local));
		strlcpy(nx->xs_remote, xs->xs_remote, sizeof(nx->xs_remote));
		TAILQ_CONCAT(&nx->xs_queue, &xs->xs_queue, xq_entry);
		nx->xs_nqueue = xs->xs_nqueue;
		nx->xs_targets = xs->xs_targets;
		nx->xs_ntargets = xs->xs_ntargets;
		nx->xs_next = xs->xs_next;
		xs->xs_targets = NULL;
		xs->xs_nqueue = 0;
		out_connect_next(nx);
		return;
	}
	while ((xq = TAILQ_FIRST(&xs->xs_queue)) != NULL) {
		TAILQ_REMOVE(&xs->xs_queue, xq, xq_entry);
		out_answer(xq->xq_job, 503, "XMPP Server Unreachable");
		xsend_free(xq);
	}
	xs->xs_nqueue = 0;
}
