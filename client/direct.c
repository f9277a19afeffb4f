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
 * Direct mode, the sending side: one MESSAGE straight to a peer's
 * contact, from a user agent of its own that knows no server and
 * answers no challenge, with a short deadline so that a peer that is
 * gone costs the sender seconds before it falls back to the server;
 * and the contact that worked, kept per address so that the next
 * message need not ask the server for it.
 */

#include <sys/types.h>

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "imc.h"

#define DIRECT_WAIT_SECS	5
#define DIRECT_STATE		"direct-"	/* + address: its contact */

struct direct {
	struct imc_conf	 d_conf;	/* ours, with the peer as server */
	struct ua	*d_ua;
	struct ua_req	 d_req;
	struct event	*d_timer;
	int		 d_answered;
	int		 d_ok;
	unsigned int	 d_status;	/* the peer's final response */
	char		 d_why[256];
	direct_cb	 d_cb;
	void		*d_arg;
};

/* The first contact of a 302 we can reach: sip, over UDP. */
int
direct_contact(const struct sip_msg *msg, char *uri, size_t size)
{
	const struct sip_hdr	*h;
	struct sip_addr		 a;

	for (h = sip_hdr_first(msg, SIP_HDR_CONTACT); h != NULL;
	    h = sip_hdr_next(msg, h)) {
		if (sip_contact_parse(h->hdr_value.s,
		    SIP_STR_END(&h->hdr_value), &a) == -1 ||
		    a.addr_uri.uri_scheme != SIP_SCHEME_SIP ||
		    a.addr_uri.uri_host.len == 0 ||
		    (a.addr_uri.uri_transport.len > 0 &&
		    !sip_str_is_ci(&a.addr_uri.uri_transport, "udp")) ||
		    a.addr_uri_str.len >= size)
			continue;
		memcpy(uri, a.addr_uri_str.s, a.addr_uri_str.len);
		uri[a.addr_uri_str.len] = '\0';
		if (strpbrk(uri, "\r\n\"<> ") == NULL)
			return (0);
	}
	return (-1);
}

/* The peer's host and port out of its contact, as the server line. */
static int
direct_target(struct direct *d, const char *contact)
{
	struct sip_uri	u;
	int		n;

	if (sip_uri_parse(contact, contact + strlen(contact), &u) == -1 ||
	    u.uri_host.len == 0)
		return (-1);
	if (u.uri_host_type == SIP_HOST_IPV6 && u.uri_host.len > 2 &&
	    u.uri_host.s[0] == '[')
		n = snprintf(d->d_conf.c_server, sizeof(d->d_conf.c_server),
		    "%.*s", (int)u.uri_host.len - 2, u.uri_host.s + 1);
	else
		n = snprintf(d->d_conf.c_server, sizeof(d->d_conf.c_server),
		    "%.*s", (int)u.uri_host.len, u.uri_host.s);
	if (n < 0 || (size_t)n >= sizeof(d->d_conf.c_server))
		return (-1);
	d->d_conf.c_port = u.uri_port != 0 ? u.uri_port : 5060;
	d->d_conf.c_transport = IMC_UDP;
	return (0);
}

/* Outside the user agent's own callbacks, which may free it. */
static void
direct_finish(evutil_socket_t fd IMD_UNUSED, short ev IMD_UNUSED, void *arg)
{
	struct direct	*d = arg;

	if (!d->d_answered)
		(void)snprintf(d->d_why, sizeof(d->d_why), "no answer in %d "
		    "seconds", DIRECT_WAIT_SECS);
	d->d_cb(d, d->d_ok, d->d_why, d->d_arg);
}

static void
direct_answered(struct ua *ua, struct ua_req *req IMD_UNUSED,
    const struct sip_msg *msg, void *arg)
{
	struct direct	*d = arg;

	d->d_answered = 1;
	d->d_status = msg != NULL ? msg->msg_status : 0;
	if (msg == NULL)
		(void)strlcpy(d->d_why, ua_error(ua), sizeof(d->d_why));
	else if (msg->msg_status >= 300)
		(void)snprintf(d->d_why, sizeof(d->d_why), "the peer answered "
		    "%u", msg->msg_status);
	else
		d->d_ok = 1;
	event_active(d->d_timer, EV_TIMEOUT, 1);
}

static int
direct_request(struct direct *d, const char *contact, const char *to,
    const struct ua_req *tmpl)
{
	struct ua_req	*req = &d->d_req;

	ua_req_init(d->d_ua, req, SIP_METHOD_MESSAGE, contact);
	(void)strlcpy(req->rq_to, to, sizeof(req->rq_to));
	req->rq_ctype = tmpl->rq_ctype;
	req->rq_body = tmpl->rq_body;
	req->rq_bodylen = tmpl->rq_bodylen;
	return (ua_request(d->d_ua, req, direct_answered, d));
}

/*
 * Send what tmpl holds (type and body, which must live until cb) to
 * contact, addressed to the URI to.  cb comes once, from the loop.
 */
struct direct *
direct_send(struct event_base *base, const struct imc_conf *conf,
    const char *contact, const char *to, const struct ua_req *tmpl,
    direct_cb cb, void *arg)
{
	struct direct	*d;
	struct timeval	 tv = { DIRECT_WAIT_SECS, 0 };

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return (NULL);
	d->d_conf = *conf;
	/* A peer never gets our password, nor a socket of direct mode. */
	explicit_bzero(d->d_conf.c_password, sizeof(d->d_conf.c_password));
	d->d_conf.c_direct = 0;
	d->d_conf.c_calls = 0;
	d->d_cb = cb;
	d->d_arg = arg;
	if ((d->d_timer = evtimer_new(base, direct_finish, d)) == NULL ||
	    evtimer_add(d->d_timer, &tv) == -1) {
		direct_free(d);
		return (NULL);
	}
	(void)strlcpy(d->d_why, "cannot reach the contact", sizeof(d->d_why));
	if (direct_target(d, contact) == -1 ||
	    (d->d_ua = ua_new(base, &d->d_conf)) == NULL) {
		d->d_answered = 1;
		event_active(d->d_timer, EV_TIMEOUT, 1);
		return (d);
	}
	ua_no_auth(d->d_ua);
	if (ua_open(d->d_ua) == -1 ||
	    direct_request(d, contact, to, tmpl) == -1) {
		(void)strlcpy(d->d_why, ua_error(d->d_ua), sizeof(d->d_why));
		d->d_answered = 1;
		event_active(d->d_timer, EV_TIMEOUT, 1);
	}
	return (d);
}

/* "127.0.0.2:5062", the peer as we sent to it. */
const char *
direct_peer(struct direct *d)
{
	return (d->d_ua != NULL ? ua_server_name(d->d_ua) : d->d_conf.c_server);
}

/* The peer's final response, or 0 when none came. */
unsigned int
direct_status(struct direct *d)
{
	return (d->d_status);
}

void
direct_free(struct direct *d)
{
	if (d == NULL)
		return;
	if (d->d_timer != NULL)
		event_free(d->d_timer);
	ua_free(d->d_ua);
	free(d);
}

/* The contact that last worked for address, or -1. */
int
direct_cache_get(const struct imc_conf *conf, const char *address,
    char *uri, size_t size)
{
	char	name[sizeof(DIRECT_STATE) + IMD_ADDRESS_MAX];

	(void)snprintf(name, sizeof(name), "%s%s", DIRECT_STATE, address);
	if (conf_state_read(conf, name, uri, size) == -1)
		return (-1);
	return (strncmp(uri, "sip:", 4) == 0 ? 0 : -1);
}

/* Keep the contact for address; NULL forgets it. */
void
direct_cache_put(const struct imc_conf *conf, const char *address,
    const char *uri)
{
	char	name[sizeof(DIRECT_STATE) + IMD_ADDRESS_MAX];

	(void)snprintf(name, sizeof(name), "%s%s", DIRECT_STATE, address);
	(void)conf_state_write(conf, name, uri);
}
