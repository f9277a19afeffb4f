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


#ifndef IMD_CALL_H
#define IMD_CALL_H

/*
 * Calls: the listener as a stateful proxy for INVITE (RFC 3261 16).
 *
 *	call.c		a new call: the caller authenticates, the callee's
 *			bindings are looked up, the INVITE forks to them
 *	call_fork.c	the branches: best response (16.7), Timer C,
 *			CANCEL of what still rings
 *	call_relay.c	a call to another domain, through relayd
 *	route.c		Record-Route, and requests inside a call's dialog
 *			loose-routed through us (BYE, ACK for a 2xx, ...)
 *	route_next.c	a Route past ours to a hop the dialog recorded
 *	calls.c		the table of calls: set up and established
 *	invite_server.c	INVITE server transactions (17.2.1, RFC 6026)
 *	invite_client.c	INVITE client transactions (17.1.1, RFC 6026)
 */

#include "binding.h"
#include "listener.h"
#include "proc.h"

#define INV_T1_MS	500
#define INV_T2_MS	4000
#define INV_T4_MS	5000
#define INV_64T1_MS	(64 * INV_T1_MS)
#define CALL_HOP_MAX	128	/* a recorded hop's URI, past ours */
#define CALL_BRANCH_MAX	128	/* "z9hG4bK", the loop tag, our random */

struct ist;
struct ict;
struct sip_req;

/* invite_server.c */
void		 inv_timer_add(struct event *, unsigned int);
struct ist	*ist_new(const struct sip_msg *, const struct sip_peer *);
int		 ist_absorb(const struct sip_msg *, const struct sip_peer *);
void		 ist_respond(struct ist *, const char *, size_t);
void		 ist_respond_again(const struct sip_msg *, const char *,
		    size_t);
void		 ist_drop(struct ist *);
void		 ist_set_owner(struct ist *, void (*)(void *), void *);
int		 ist_cancel(const struct sip_msg *,
		    const struct sip_peer *);
size_t		 ist_count(void);

/* invite_client.c */
struct ict	*ict_start(const struct sip_peer *, const char *, size_t,
		    const char *, void (*)(void *, const struct sip_msg *,
		    unsigned int), void *);
int		 ict_response(const struct sip_msg *);
void		 ict_cancel(struct ict *);
void		 ict_detach(struct ict *, const struct sip_peer *);
size_t		 ict_count(void);

/* call.c */
void		 call_request(const struct sip_msg *, const struct sip_peer *);
void		 call_missed(struct sip_req *);
void		 call_cancel_request(const struct sip_msg *,
		    const struct sip_peer *);

/* call_relay.c */
void		 call_relay_start(struct sip_req *, const char *, int);
void		 call_relay_provisional(struct imsgev *, struct imsg *);
void		 call_relay_ack(const struct sip_msg *, const char *);
void		 call_relay_request(const struct sip_msg *,
		    const struct sip_peer *, const char *);

/* call_fork.c */
struct call_dest {
	struct sip_peer	 cd_peer;
	const char	*cd_ruri;	/* NULL: the request's own */
	char		 cd_rr[2][128];	/* Record-Route URIs, "" when none */
};
int		 call_fork(struct sip_req *, const struct call_dest *, size_t,
		    int);

/* route_next.c */
void		 route_next_recorded(const struct sip_msg *, char *, char *,
		    size_t);
void		 route_next_hop(const struct sip_msg *, const char *,
		    struct sip_peer *);

/* route.c */
int		 route_names_us(const struct sip_str *);
int		 route_ours(const struct sip_msg *);
int		 route_record(const struct sip_peer *, const struct sip_peer *,
		    struct call_dest *);
int		 route_in_dialog(const struct sip_msg *,
		    const struct sip_peer *);
int		 route_ack(const struct sip_msg *, const struct sip_peer *);

/* calls.c */
enum call_state {
	CALL_TRYING,
	CALL_RINGING,
	CALL_ESTABLISHED
};
struct call_leg;
int		 calls_setup(const struct sip_req *);
void		 calls_ringing(const struct sip_req *, const struct sip_msg *,
		    const struct sip_peer *);
void		 calls_answered_again(const struct sip_msg *,
		    const struct sip_peer *);
int		 calls_answered(const struct sip_req *, const struct sip_msg *,
		    const struct sip_peer *);
void		 calls_failed(const struct sip_req *);
int		 calls_route(const struct sip_msg *, struct sip_peer *, char *,
		    size_t);
void		 calls_bye(const struct sip_msg *);
void		 calls_gone(const struct sip_msg *);
size_t		 calls_count(void);
void		 calls_ctl_list(struct imsgev *, struct imsg *);

#endif /* IMD_CALL_H */
