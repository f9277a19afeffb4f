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
 * TLS on accepted connections (RFC 3261 26.2, RFC 5630).  One server
 * context per `listen ... tls`, built before the jail because it reads
 * the certificate and key; afterwards every call is non-blocking and
 * reports what it waits for, so the connection code drives the
 * handshake from its events like any other read or write.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "cdefs.h"
#include "listener.h"
#include "log.h"
#include "tls_policy.h"

#define TLS_SESSION_ID	"imd"

/*
 * A client certificate is asked for but not required, and not judged
 * here: the inbound federation policy decides later what a certificate
 * that names a domain may do.  So any certificate, or none, passes.
 */
static int
tls_verify(int ok IMD_UNUSED, X509_STORE_CTX *store IMD_UNUSED)
{
	return (1);
}

/* A key with a passphrase must fail to load, never prompt. */
static int
tls_no_password(char *buf IMD_UNUSED, int size IMD_UNUSED,
    int rwflag IMD_UNUSED, void *arg IMD_UNUSED)
{
	return (0);
}

/* The first queued OpenSSL error, and the queue cleared. */
static const char *
tls_error(char *buf, size_t size)
{
	unsigned long	e;

	if ((e = ERR_peek_error()) == 0) {
		strlcpy(buf, errno != 0 ? strerror(errno) : "unexpected eof",
		    size);
	} else
		ERR_error_string_n(e, buf, size);
	ERR_clear_error();
	return (buf);
}

static int
tls_ctx_files(SSL_CTX *ctx, const struct conf_listen *cl)
{
	char	err[256];

	if (SSL_CTX_use_certificate_chain_file(ctx, cl->cl_cert) != 1) {
		log_warnx("tls: certificate \"%s\": %s", cl->cl_cert,
		    tls_error(err, sizeof(err)));
		return (-1);
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, cl->cl_key,
	    SSL_FILETYPE_PEM) != 1) {
		log_warnx("tls: key \"%s\": %s", cl->cl_key,
		    tls_error(err, sizeof(err)));
		return (-1);
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		log_warnx("tls: key \"%s\" does not match \"%s\": %s",
		    cl->cl_key, cl->cl_cert, tls_error(err, sizeof(err)));
		return (-1);
	}
	return (0);
}

/*
 * TLS 1.2 at least (RFC 8996 retired 1.0 and 1.1), with the suites and
 * groups of lib/tls_policy.h.  No renegotiation,
 * which a client could use to make us spend CPU at will; unexpected
 * EOF is a plain EOF since SIP frames its own messages.
 */
SSL_CTX *
tls_ctx_new(const struct conf_listen *cl)
{
	SSL_CTX	*ctx;
	char	 err[256];

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    tls_policy_apply(ctx, 1) == -1 ||
	    SSL_CTX_set_session_id_context(ctx,
	    (const unsigned char *)TLS_SESSION_ID,
	    sizeof(TLS_SESSION_ID) - 1) != 1) {
		log_warnx("tls: context: %s", tls_error(err, sizeof(err)));
		SSL_CTX_free(ctx);
		return (NULL);
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
	    SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, tls_verify);
	SSL_CTX_set_default_passwd_cb(ctx, tls_no_password);
	/* Only to judge client certificates, for the inbound policy. */
	if (SSL_CTX_load_verify_locations(ctx, listener_conf->c_tls_ca,
	    NULL) != 1)
		log_warnx("tls: ca \"%s\": %s", listener_conf->c_tls_ca,
		    tls_error(err, sizeof(err)));
	if (tls_ctx_files(ctx, cl) == -1) {
		SSL_CTX_free(ctx);
		return (NULL);
	}
	return (ctx);
}

int
tls_conn_start(struct conn *c, SSL_CTX *ctx)
{
	char	err[256];

	ERR_clear_error();
	if ((c->cn_ssl = SSL_new(ctx)) == NULL ||
	    SSL_set_fd(c->cn_ssl, c->cn_fd) != 1) {
		log_warnx("tls: %s: %s", c->cn_name,
		    tls_error(err, sizeof(err)));
		return (-1);
	}
	SSL_set_accept_state(c->cn_ssl);
	return (0);
}

/*
 * Maps the result of an SSL call to CONN_IO_*; on CONN_IO_WAIT, *want
 * says which event lets the call go on.
 */
static int
tls_result(struct conn *c, int r, short *want, const char *what)
{
	char	err[256];
	int	e;

	e = SSL_get_error(c->cn_ssl, r);
	switch (e) {
	case SSL_ERROR_WANT_READ:
		*want = EV_READ;
		return (CONN_IO_WAIT);
	case SSL_ERROR_WANT_WRITE:
		*want = EV_WRITE;
		return (CONN_IO_WAIT);
	case SSL_ERROR_ZERO_RETURN:
		return (CONN_IO_EOF);
	default:
		break;
	}
	c->cn_flags |= CONN_TLS_BROKEN;
	if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno == 0)
		return (CONN_IO_EOF);
	log_debug("tls: %s: %s: %s", c->cn_name, what,
	    tls_error(err, sizeof(err)));
	return (CONN_IO_ERROR);
}

static void
tls_log_session(struct conn *c)
{
	char	subject[256], vis[LOG_VIS_MAX * 4 + 1];

	if (c->cn_cert == NULL)
		strlcpy(subject, "none", sizeof(subject));
	else if (X509_NAME_oneline(X509_get_subject_name(c->cn_cert),
	    subject, sizeof(subject)) == NULL)
		strlcpy(subject, "unreadable", sizeof(subject));
	log_debug("tls: %s: %s %s, client certificate %s", c->cn_name,
	    SSL_get_version(c->cn_ssl), SSL_get_cipher_name(c->cn_ssl),
	    log_vis(subject, strlen(subject), vis, sizeof(vis)));
}

/* 0 when established, else CONN_IO_WAIT or CONN_IO_ERROR. */
int
tls_handshake(struct conn *c)
{
	int	r;

	ERR_clear_error();
	errno = 0;
	if ((r = SSL_accept(c->cn_ssl)) == 1) {
		c->cn_cert = SSL_get1_peer_certificate(c->cn_ssl);
		tls_log_session(c);
		return (0);
	}
	r = tls_result(c, r, &c->cn_rwant, "handshake");
	return (r == CONN_IO_WAIT ? r : CONN_IO_ERROR);
}

ssize_t
tls_read(struct conn *c, void *buf, size_t len)
{
	int	r;

	if (len > INT_MAX)
		len = INT_MAX;
	ERR_clear_error();
	errno = 0;
	c->cn_rwant = EV_READ;
	if ((r = SSL_read(c->cn_ssl, buf, len)) > 0)
		return (r);
	return (tls_result(c, r, &c->cn_rwant, "read"));
}

/*
 * After CONN_IO_WAIT the caller must offer at least the same bytes
 * again; its output queue only grows at the tail, so it does.
 */
ssize_t
tls_write(struct conn *c, const void *buf, size_t len)
{
	int	r;

	if (len > INT_MAX)
		len = INT_MAX;
	ERR_clear_error();
	errno = 0;
	c->cn_wwant = EV_WRITE;
	if ((r = SSL_write(c->cn_ssl, buf, len)) > 0)
		return (r);
	r = tls_result(c, r, &c->cn_wwant, "write");
	return (r == CONN_IO_EOF ? CONN_IO_ERROR : r);
}

/* One close_notify, not waited for: the socket closes right after. */
void
tls_conn_free(struct conn *c)
{
	if (c->cn_ssl == NULL)
		return;
	if ((c->cn_flags & (CONN_HANDSHAKE | CONN_TLS_BROKEN)) == 0) {
		SSL_shutdown(c->cn_ssl);
		ERR_clear_error();
	}
	SSL_free(c->cn_ssl);
	c->cn_ssl = NULL;
	X509_free(c->cn_cert);
	c->cn_cert = NULL;
}
