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
 * Non-INVITE client transactions of listener/tx_client.c, TAP on standard
 * output.  Requests leave and responses come back through the
 * listener's own transport.c; the far end is a real UDP socket on
 * loopback that answers at once, late, twice, with 100 first, or not
 * at all, and times what it receives.
 *
 * Only UDP is driven end to end.  The listener cannot open outbound
 * connections yet, so a TCP or TLS destination is either a connection
 * a client opened or nothing; the test covers the nothing (503).
 *
 * The harness supplies what listener.c and sip_server.c would:
 * listener_conf for the limits, a sip_input() that hands every
 * response to txc_response() and counts what it consumed, and a
 * sip_refuse_oversized() that never runs.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cdefs.h"
#include "listener.h"
#include "log.h"
#include "sip.h"
#include "tap.h"
#include "tx_client.h"

/*
 * T2 is not a power-of-two multiple of T1, so the cap on Timer E must
 * be a minimum and not just the end of doubling; it also leaves the
 * last retransmission 150 ms before Timer F, room for a loaded host.
 */
#define T1		50
#define T2		300
#define T4		100
#define TIMER_F		(64 * T1)
#define SLACK		40	/* ms a timer may fire late */
#define EARLY		10	/* or early: libevent's clock is coarse */
#define PEER_TIMES	64
#define TRYING_FINAL	4	/* PEER_TRYING answers this request 200 */

enum peer_mode {
	PEER_SILENT,
	PEER_OK,		/* 200 to each request */
	PEER_TRYING,		/* 100 to each, 200 to the TRYING_FINAL th */
	PEER_TWICE,		/* 200 and 486 at once, 200 after K */
	PEER_LATE		/* 200 after 2*T1 */
};

/* The far end. */
struct peer {
	int			 p_fd;
	struct sockaddr_in	 p_sin;
	struct event		 p_ev;
	struct event		 p_timer;
	enum peer_mode		 p_mode;
	int			 p_nreq;
	double			 p_times[PEER_TIMES];	/* ms into the case */
	char			 p_req[4096];	/* the last request */
	size_t			 p_reqlen;
	struct sockaddr_storage	 p_from;
	socklen_t		 p_fromlen;
};

/* What a transaction's owner heard. */
struct result {
	struct txc	*r_tc;
	int		 r_calls;
	unsigned int	 r_status;
	unsigned int	 r_resp_status;	/* 0: no response */
	double		 r_when;	/* ms into the case */
	size_t		 r_count;	/* txc_count() in the callback */
	int		 r_cancel;	/* txc_cancel() from the callback */
};

struct imd_conf		*listener_conf;

static struct peer	 peer;
static struct sip_peer	 dest;		/* the peer, from our socket */
static uint16_t		 lport;		/* our socket's port */
static double		 t0;
static int		 nconsumed, nunmatched;

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6);
}

static void
run_for(unsigned int ms)
{
	struct timeval	tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	event_loopexit(&tv);
	event_dispatch();
}

/* What sip_server.c does with a response, and nothing else. */
void
sip_input(const struct sip_peer *from IMD_UNUSED, const char *buf, size_t len)
{
	static struct sip_msg	msg;
	struct sip_limits	lim;
	struct sip_err		serr;

	sip_limits_default(&lim);
	if (sip_parse(&msg, buf, len, &lim, 0, &serr) == -1 ||
	    msg.msg_kind != SIP_RESPONSE)
		errx(1, "our socket got something other than a response");
	if (txc_response(&msg))
		nconsumed++;
	else
		nunmatched++;
}

/* Nothing here sends more than the limit. */
void
sip_refuse_oversized(const struct sip_peer *from IMD_UNUSED,
    const char *buf IMD_UNUSED, size_t len IMD_UNUSED)
{
	errx(1, "an oversized message on our socket");
}

static void
peer_answer(unsigned int status, const char *reason)
{
	static struct sip_msg	msg;
	struct sip_limits	lim;
	struct sip_err		serr;
	struct sip_reply	rp;
	struct sip_out		out;
	char			buf[4096];

	sip_limits_default(&lim);
	if (sip_parse(&msg, peer.p_req, peer.p_reqlen, &lim, 0, &serr) == -1)
		errx(1, "peer: bad request: %s", serr.err_reason);
	memset(&rp, 0, sizeof(rp));
	rp.rp_status = status;
	rp.rp_reason = reason;
	if (status > 100)
		rp.rp_totag = SIP_STR_LIT("b1");
	sip_out_init(&out, buf, sizeof(buf));
	if (sip_print_response(&out, &msg, &rp) == -1)
		errx(1, "peer: response does not fit");
	if (sendto(peer.p_fd, out.buf, out.len, 0,
	    (struct sockaddr *)&peer.p_from, peer.p_fromlen) == -1)
		err(1, "peer: sendto");
}

static void
peer_late(int fd IMD_UNUSED, short event IMD_UNUSED, void *arg IMD_UNUSED)
{
	peer_answer(200, "OK");
}

static void
peer_later(unsigned int ms)
{
	struct timeval	tv;

	tv.tv_sec = 0;
	tv.tv_usec = ms * 1000;
	evtimer_add(&peer.p_timer, &tv);
}

static void
peer_act(void)
{
	switch (peer.p_mode) {
	case PEER_SILENT:
		break;
	case PEER_OK:
		peer_answer(200, "OK");
		break;
	case PEER_TRYING:
		if (peer.p_nreq == TRYING_FINAL)
			peer_answer(200, "OK");
		else
			peer_answer(100, "Trying");
		break;
	case PEER_TWICE:
		peer_answer(200, "OK");
		peer_answer(486, "Busy Here");
		peer_later(3 * T4);
		break;
	case PEER_LATE:
		peer_later(2 * T1);
		break;
	}
}

static void
peer_read(int fd, short event IMD_UNUSED, void *arg IMD_UNUSED)
{
	ssize_t	n;

	peer.p_fromlen = sizeof(peer.p_from);
	if ((n = recvfrom(fd, peer.p_req, sizeof(peer.p_req), 0,
	    (struct sockaddr *)&peer.p_from, &peer.p_fromlen)) == -1) {
		if (errno != EAGAIN && errno != EINTR)
			err(1, "peer: recvfrom");
		return;
	}
	peer.p_reqlen = n;
	if (peer.p_nreq < PEER_TIMES)
		peer.p_times[peer.p_nreq] = now_ms() - t0;
	peer.p_nreq++;
	peer_act();
}

/* What an earlier case left in the peer's socket is not this case's. */
static void
peer_drain(void)
{
	char	buf[64];

	while (recv(peer.p_fd, buf, sizeof(buf), 0) != -1)
		;
}

static int
udp_socket(struct sockaddr_in *sin)
{
	socklen_t	len = sizeof(*sin);
	int		fd;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0)) == -1)
		err(1, "socket");
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)sin, sizeof(*sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *)sin, &len) == -1)
		err(1, "bind");
	return (fd);
}

/* Our socket served by transport.c, as the listener serves it. */
static void
setup(void)
{
	static struct conf_listen	cl;
	struct sockaddr_in		sin;

	cl.cl_fd = udp_socket(&sin);
	cl.cl_transport = TRANSPORT_UDP;
	memcpy(&cl.cl_ss, &sin, sizeof(sin));
	cl.cl_sslen = sizeof(sin);
	lport = ntohs(sin.sin_port);
	if (transport_start(&cl) == -1)
		errx(1, "transport_start");

	peer.p_fd = udp_socket(&peer.p_sin);
	event_set(&peer.p_ev, peer.p_fd, EV_READ | EV_PERSIST, peer_read,
	    NULL);
	event_add(&peer.p_ev, NULL);
	evtimer_set(&peer.p_timer, peer_late, NULL);

	memset(&dest, 0, sizeof(dest));
	memcpy(&dest.sp_ss, &peer.p_sin, sizeof(peer.p_sin));
	dest.sp_sslen = sizeof(peer.p_sin);
	dest.sp_transport = TRANSPORT_UDP;
	dest.sp_fd = cl.cl_fd;
}

static size_t
make_request(char *buf, size_t size, const char *branch, const char *method)
{
	int	n;

	n = snprintf(buf, size,
	    "%s sip:bob@127.0.0.1:%u SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=%s\r\n"
	    "Max-Forwards: 70\r\n"
	    "From: <sip:alice@site1.test>;tag=a1\r\n"
	    "To: <sip:bob@site1.test>\r\n"
	    "Call-ID: %s@site1.test\r\n"
	    "CSeq: 1 %s\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 2\r\n"
	    "\r\n"
	    "hi", method, ntohs(peer.p_sin.sin_port), lport, branch, branch,
	    method);
	if (n < 0 || (size_t)n >= size)
		errx(1, "request does not fit");
	return (n);
}

static void
owner_cb(void *arg, const struct sip_msg *resp, unsigned int status)
{
	struct result	*r = arg;

	r->r_calls++;
	r->r_status = status;
	r->r_resp_status = resp != NULL ? resp->msg_status : 0;
	r->r_when = now_ms() - t0;
	if (r->r_cancel)
		txc_cancel(r->r_tc);
	r->r_count = txc_count();
}

static struct txc *
start_to(const struct sip_peer *to, struct result *r, const char *branch,
    const char *method)
{
	char	req[4096];
	size_t	len;

	len = make_request(req, sizeof(req), branch, method);
	r->r_tc = txc_start(to, req, len, branch, method, owner_cb, r);
	return (r->r_tc);
}

/* A new case: a clean peer in the given mode, and the clock at zero. */
static struct txc *
start(struct result *r, enum peer_mode mode, const char *branch)
{
	memset(r, 0, sizeof(*r));
	peer_drain();
	evtimer_del(&peer.p_timer);
	peer.p_mode = mode;
	peer.p_nreq = 0;
	nconsumed = nunmatched = 0;
	t0 = now_ms();
	return (start_to(&dest, r, branch, "MESSAGE"));
}

/*
 * Each gap between sends within bounds of want[i], or print them all.
 * The first request left at t0, whenever the peer got to read it.
 */
static int
gaps_are(const unsigned int *want, int n)
{
	double	gap, prev = 0;
	int	i, ok = 1;

	printf("# gaps (ms):");
	for (i = 1; i <= n && i < PEER_TIMES; i++) {
		gap = peer.p_times[i] - prev;
		prev = peer.p_times[i];
		printf(" %.0f/%u", gap, want[i - 1]);
		if (gap < want[i - 1] - EARLY || gap > want[i - 1] + SLACK)
			ok = 0;
	}
	printf("\n");
	return (ok);
}

static void
test_ok(void)
{
	struct result	r;

	TAP_OK(start(&r, PEER_OK, "z9hG4bK-ok") != NULL,
	    "immediate 200: the transaction starts");
	TAP_OK(r.r_calls == 0 && txc_count() == 1,
	    "immediate 200: nothing reported from inside txc_start");
	run_for(T4 + 4 * T1);
	TAP_OK(r.r_calls == 1 && r.r_status == 200 && r.r_resp_status == 200,
	    "immediate 200: reported once, as 200 with the response");
	TAP_OK(peer.p_nreq == 1,
	    "immediate 200: sent once, never retransmitted (%d)",
	    peer.p_nreq);
	TAP_OK(nconsumed == 1 && nunmatched == 0,
	    "immediate 200: the response is consumed");
	TAP_OK(r.r_count == 1,
	    "immediate 200: Completed while the owner hears it");
	TAP_OK(txc_count() == 0, "immediate 200: gone after Timer K");
}

static void
test_silent(void)
{
	static const unsigned int want[] = { 50, 100, 200, 300, 300, 300,
	    300, 300, 300, 300, 300, 300 };
	const int	nwant = sizeof(want) / sizeof(want[0]);
	struct result	r;
	int		i, before = 1;

	TAP_OK(start(&r, PEER_SILENT, "z9hG4bK-silent") != NULL,
	    "silent peer: the transaction starts");
	run_for(TIMER_F + 400);
	TAP_OK(peer.p_nreq == nwant + 1,
	    "silent peer: 1 send and %d retransmissions before Timer F (%d)",
	    nwant, peer.p_nreq);
	TAP_OK(gaps_are(want, nwant),
	    "silent peer: Timer E doubles from T1 and stops at T2");
	TAP_OK(r.r_calls == 1 && r.r_status == 408 && r.r_resp_status == 0,
	    "silent peer: reported once, as 408 without a response");
	TAP_OK(r.r_when >= TIMER_F - EARLY && r.r_when <= TIMER_F + SLACK,
	    "silent peer: the 408 comes at 64*T1 (%.0f ms)", r.r_when);
	for (i = 0; i < peer.p_nreq && i < PEER_TIMES; i++)
		if (peer.p_times[i] > r.r_when)
			before = 0;
	TAP_OK(before, "silent peer: nothing sent after the 408");
	TAP_OK(txc_count() == 0, "silent peer: the transaction is gone");
}

static void
test_proceeding(void)
{
	static const unsigned int want[] = { T1, T2, T2 };
	struct result	r;

	TAP_OK(start(&r, PEER_TRYING, "z9hG4bK-trying") != NULL,
	    "100 then 200: the transaction starts");
	run_for(T1 + 2 * T2 + T4 + 300);
	TAP_OK(peer.p_nreq == TRYING_FINAL,
	    "100 then 200: retransmitted until the 200 (%d sends)",
	    peer.p_nreq);
	TAP_OK(gaps_are(want, TRYING_FINAL - 1),
	    "100 then 200: Timer E runs out, then retransmits every T2");
	TAP_OK(r.r_calls == 1 && r.r_status == 200,
	    "100 then 200: the 100s are not reported, the 200 once");
	TAP_OK(nconsumed == TRYING_FINAL && nunmatched == 0,
	    "100 then 200: every response consumed");
	TAP_OK(txc_count() == 0, "100 then 200: gone after Timer K");
}

static void
test_twice(void)
{
	struct result	r;
	uint64_t	retrans = transport_stats.ts_retransmits;

	TAP_OK(start(&r, PEER_TWICE, "z9hG4bK-twice") != NULL,
	    "two finals: the transaction starts");
	r.r_cancel = 1;
	run_for(T4 / 2);
	TAP_OK(r.r_calls == 1 && r.r_status == 200,
	    "two finals: the first (200) is reported, the 486 is not");
	TAP_OK(nconsumed == 2 && nunmatched == 0 &&
	    transport_stats.ts_retransmits == retrans + 1,
	    "two finals: the second is absorbed and counted");
	TAP_OK(r.r_count == 1 && txc_count() == 1,
	    "two finals: txc_cancel from the callback does nothing");
	run_for(3 * T4 + 100);
	TAP_OK(txc_count() == 0 && nunmatched == 1 && nconsumed == 2,
	    "two finals: gone after Timer K, a later 200 is not consumed");
	TAP_OK(r.r_calls == 1 && peer.p_nreq == 1,
	    "two finals: still one callback and one send");
}

static void
test_cancel(void)
{
	struct result	r;

	TAP_OK(start(&r, PEER_LATE, "z9hG4bK-cancel") != NULL,
	    "cancel: the transaction starts");
	txc_cancel(r.r_tc);
	TAP_OK(txc_count() == 0, "cancel: the transaction is gone at once");
	run_for(4 * T1);
	TAP_OK(r.r_calls == 0, "cancel: no callback");
	TAP_OK(peer.p_nreq == 1, "cancel: no retransmission after it (%d)",
	    peer.p_nreq);
	TAP_OK(nunmatched == 1 && nconsumed == 0,
	    "cancel: the late 200 is not consumed");
}

/* A response made up here, as if it had just been received. */
static int
inject(const char *vias, const char *method)
{
	static struct sip_msg	msg;
	struct sip_limits	lim;
	struct sip_err		serr;
	char			buf[1024];
	int			n;

	n = snprintf(buf, sizeof(buf), "SIP/2.0 200 OK\r\n%s"
	    "From: <sip:alice@site1.test>;tag=a1\r\n"
	    "To: <sip:bob@site1.test>;tag=b1\r\n"
	    "Call-ID: inject@site1.test\r\n"
	    "CSeq: 1 %s\r\n"
	    "Content-Length: 0\r\n\r\n", vias, method);
	sip_limits_default(&lim);
	if (n < 0 || (size_t)n >= sizeof(buf) ||
	    sip_parse(&msg, buf, n, &lim, 0, &serr) == -1)
		errx(1, "inject: bad response");
	return (txc_response(&msg));
}

#define VIA(b)	"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=" b "\r\n"

static void
test_match(void)
{
	struct result	r;

	TAP_OK(start(&r, PEER_SILENT, "z9hG4bK-match") != NULL,
	    "match: the transaction starts");
	TAP_OK(inject(VIA("z9hG4bK-other"), "MESSAGE") == 0,
	    "match: an unknown branch is not consumed");
	TAP_OK(inject("Via: SIP/2.0/UDP 127.0.0.1:5060\r\n", "MESSAGE") == 0,
	    "match: a Via without a branch is not consumed");
	TAP_OK(inject(VIA("z9hG4bK-match"), "NOTIFY") == 0,
	    "match: the branch with another CSeq method is not consumed");
	TAP_OK(inject(VIA("z9hG4bK-match"), "message") == 0,
	    "match: the CSeq method compares with case");
	TAP_OK(inject(VIA("z9hG4bK-other") VIA("z9hG4bK-match"),
	    "MESSAGE") == 0, "match: only the top Via counts");
	TAP_OK(r.r_calls == 0 && txc_count() == 1,
	    "match: none of them touched the transaction");
	TAP_OK(inject(VIA("Z9HG4BK-MATCH"), "MESSAGE") == 1 &&
	    r.r_calls == 1 && r.r_status == 200,
	    "match: the branch compares without case, and the 200 is taken");
	run_for(T4 + 50);
	TAP_OK(txc_count() == 0, "match: gone after Timer K");
}

static void
test_args(void)
{
	struct result	r1, r2, r3;
	char		branch[TXC_BRANCH_MAX + 1];

	memset(&r1, 0, sizeof(r1));
	errno = 0;
	TAP_OK(start_to(&dest, &r1, "abc", "MESSAGE") == NULL &&
	    errno == EINVAL, "args: a branch without z9hG4bK is refused");
	TAP_OK(start_to(&dest, &r1, "z9hG4bK", "MESSAGE") == NULL &&
	    errno == EINVAL, "args: the bare magic cookie is refused");
	TAP_OK(start_to(&dest, &r1, "z9hG4bK-a", "") == NULL &&
	    errno == EINVAL, "args: an empty method is refused");
	TAP_OK(txc_start(&dest, "x", 0, "z9hG4bK-a", "MESSAGE", owner_cb,
	    &r1) == NULL && errno == EINVAL,
	    "args: an empty request is refused");
	memset(branch, 'a', sizeof(branch));
	memcpy(branch, "z9hG4bK", 7);
	branch[TXC_BRANCH_MAX] = '\0';
	TAP_OK(start_to(&dest, &r1, branch, "MESSAGE") == NULL &&
	    errno == EINVAL, "args: a branch of TXC_BRANCH_MAX is refused");
	branch[TXC_BRANCH_MAX - 1] = '\0';
	TAP_OK(start_to(&dest, &r1, branch, "MESSAGE") != NULL,
	    "args: a branch of TXC_BRANCH_MAX - 1 is taken");
	memset(&r2, 0, sizeof(r2));
	TAP_OK(start_to(&dest, &r2, branch, "MESSAGE") == NULL &&
	    errno == EEXIST,
	    "args: the same branch and method twice is refused");
	memset(&r3, 0, sizeof(r3));
	TAP_OK(start_to(&dest, &r3, branch, "NOTIFY") != NULL,
	    "args: the same branch with another method is taken");
	txc_cancel(r1.r_tc);
	txc_cancel(r3.r_tc);
	TAP_OK(txc_count() == 0 && r1.r_calls + r3.r_calls == 0,
	    "args: both cancelled without a callback");
}

static void
test_transport_error(void)
{
	struct sip_peer		to;
	struct sockaddr_in	sin;
	struct result		r;

	printf("# two \"sendto: Bad file descriptor\" warnings are due\n");
	to = dest;
	to.sp_fd = -1;
	memset(&r, 0, sizeof(r));
	TAP_OK(start_to(&to, &r, "z9hG4bK-badfd", "MESSAGE") != NULL &&
	    r.r_calls == 0,
	    "transport: a failed first send is not reported from txc_start");
	run_for(T1 / 2);
	TAP_OK(r.r_calls == 1 && r.r_status == 503 && r.r_resp_status == 0 &&
	    txc_count() == 0, "transport: a failed first send is a 503");

	to = dest;
	to.sp_fd = udp_socket(&sin);
	memset(&r, 0, sizeof(r));
	TAP_OK(start_to(&to, &r, "z9hG4bK-closed", "MESSAGE") != NULL,
	    "transport: sent from a socket about to close");
	close(to.sp_fd);
	run_for(2 * T1);
	TAP_OK(r.r_calls == 1 && r.r_status == 503 && txc_count() == 0,
	    "transport: a failed retransmission is a 503");

	to = dest;
	to.sp_transport = TRANSPORT_TCP;
	to.sp_conn_id = 424242;
	memset(&r, 0, sizeof(r));
	TAP_OK(start_to(&to, &r, "z9hG4bK-noconn", "MESSAGE") != NULL,
	    "transport: TCP to a connection that is gone starts");
	run_for(T1 / 2);
	TAP_OK(r.r_calls == 1 && r.r_status == 503 && txc_count() == 0,
	    "transport: TCP to a connection that is gone is a 503");
}

/* The table is full at TXC_MAX; the requests go to a socket never read. */
static void
test_cap(void)
{
	struct txc		**all;
	struct sip_peer		  to;
	struct sockaddr_in	  sin;
	struct result		  r;
	char			  branch[32];
	int			  i, fd, started = 0;

	if ((all = calloc(TXC_MAX, sizeof(*all))) == NULL)
		err(1, NULL);
	fd = udp_socket(&sin);
	to = dest;
	memcpy(&to.sp_ss, &sin, sizeof(sin));
	memset(&r, 0, sizeof(r));
	for (i = 0; i < TXC_MAX; i++) {
		snprintf(branch, sizeof(branch), "z9hG4bK-cap-%d", i);
		if ((all[i] = start_to(&to, &r, branch, "NOTIFY")) != NULL)
			started++;
	}
	TAP_OK(started == TXC_MAX && txc_count() == TXC_MAX,
	    "cap: %d transactions run at once", TXC_MAX);
	errno = 0;
	TAP_OK(start_to(&to, &r, "z9hG4bK-cap-over", "NOTIFY") == NULL &&
	    errno == ENOBUFS, "cap: one more is refused");
	for (i = 0; i < TXC_MAX; i++)
		if (all[i] != NULL)
			txc_cancel(all[i]);
	TAP_OK(txc_count() == 0 && r.r_calls == 0,
	    "cap: all cancelled without a callback");
	TAP_OK(start_to(&to, &r, "z9hG4bK-cap-over", "NOTIFY") != NULL,
	    "cap: room again after that");
	txc_cancel(r.r_tc);
	close(fd);
	free(all);
}

int
main(void)
{
	log_init(1, 0);
	if ((listener_conf = config_new()) == NULL)
		err(1, "config_new");
	event_init();
	setup();
	txc_set_timers(T1, T2, T4);

	test_ok();
	test_silent();
	test_proceeding();
	test_twice();
	test_cancel();
	test_match();
	test_args();
	test_transport_error();
	test_cap();

	config_free(listener_conf);
	return (TAP_DONE());
}
