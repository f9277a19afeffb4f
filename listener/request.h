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


#ifndef IMD_REQUEST_H
#define IMD_REQUEST_H

#include <sys/queue.h>
#include <sys/tree.h>

#include <time.h>

#include "auth_msg.h"
#include "binding.h"
#include "listener.h"

struct tx;
struct ist;
struct req_source;

struct sip_req {
	TAILQ_ENTRY(sip_req)	 rq_entry;	/* by age, for the sweep */
	RB_ENTRY(sip_req)	 rq_node;	/* by id, for the answers */
	uint32_t		 rq_id;
	struct sip_peer		 rq_peer;
	struct tx		*rq_tx;
	struct ist		*rq_ist;	/* an INVITE's, instead */
	char			*rq_buf;
	struct sip_msg		 rq_msg;	/* parsed from rq_buf */
	time_t			 rq_deadline;	/* answered 500 after */
	time_t			 rq_held_at;
	struct req_source	*rq_source;	/* what its sender holds */
	size_t			 rq_bytes;	/* counted against it */
	int			 rq_authenticated; /* passed digest auth */
	char			 rq_aor[IMD_ADDRESS_MAX]; /* whose request */
	char			 rq_to[IMD_ADDRESS_MAX];  /* for whom */
	char			 rq_server[IMD_DOMAIN_MAX]; /* whose server
						   its sender must be */
	int			 rq_proxy;	/* 407, not 401 */
	int			 rq_pop_route;	/* the first Route named us */
	void			(*rq_authed)(struct sip_req *);
	/* its method's entry, which an admitted request goes through again */
	void			(*rq_resume)(const struct sip_msg *,
				    const struct sip_peer *);
	void			*rq_fork;	/* fork.c's or call_fork.c's */
	void			(*rq_cleanup)(struct sip_req *);
	/* what a DB_LOOKUP_RESULT goes on with: exists, bindings */
	void			(*rq_looked_up)(struct sip_req *, int,
				    const struct binding_rec *, uint32_t);
	void			(*rq_stored)(struct sip_req *, int);
	/* what relayd's final answer goes to first: status, response */
	void			(*rq_relayed)(struct sip_req *, unsigned int,
				    const char *, size_t);
	void			*rq_pres;	/* presence's, while held */
};

/* request.c */
struct sip_req	*req_hold(const struct sip_msg *, const struct sip_peer *);
struct sip_req	*req_find(uint32_t);
void		 req_release(struct sip_req *);
void		 req_reply(struct sip_req *, unsigned int, const char *,
		    const char *);
void		 req_reply_tag(struct sip_req *, unsigned int, const char *,
		    const char *, const char *);
void		 req_forward_reply(struct sip_req *, const char *, size_t);
void		 req_sweep(void);
void		 req_authenticated(struct sip_req *);
void		 req_lookup(struct sip_req *);
void		 req_lookup_result(struct imsgev *, struct imsg *);

/* address.c */
int		 uri_address(const struct sip_str *, char *, size_t, char *,
		    size_t);
int		 from_address(const struct sip_msg *, char *, size_t, char *,
		    size_t);
int		 to_address(const struct sip_msg *, char *, size_t, char *,
		    size_t);

/* auth.c */
void		 auth_start(struct sip_req *, const char *);
void		 auth_result(struct imsgev *, struct imsg *);
int		 auth_nonces_take(char *, size_t);
void		 auth_nonces_got(struct imsgev *, struct imsg *);

/* inbound.c */
int		 inbound_refused(const struct sip_msg *,
		    const struct sip_peer *, const char *, const char *);
int		 inbound_from_stranger(const struct sip_req *);
int		 inbound_tls_allowed(const struct sip_peer *, const char *);
int		 inbound_check(struct sip_req *, const char *,
		    void (*)(struct sip_req *));
void		 inbound_verified(struct imsgev *, struct imsg *);
struct sip_req	*inbound_hold(const struct sip_msg *,
		    const struct sip_peer *, const char *, const char *,
		    char *, void (*)(const struct sip_msg *,
		    const struct sip_peer *));
struct sip_req	*inbound_hold_ruri(const struct sip_msg *,
		    const struct sip_peer *, char *,
		    void (*)(const struct sip_msg *, const struct sip_peer *));
void		 inbound_route(struct sip_req *, const char *,
		    void (*)(struct sip_req *), void (*)(struct sip_req *));

/* fork.c */
int		 fork_dest(const struct binding_rec *, struct sip_peer *,
		    char *, size_t);
void		 fork_start(struct sip_req *, const struct binding_rec *,
		    uint32_t);

/* dialog.c */
int		 dialog_out_subscribe(const struct sip_req *, const char *);
void		 dialog_out_answered(const struct sip_req *, unsigned int,
		    const char *, size_t);
void		 dialog_request(const struct sip_msg *,
		    const struct sip_peer *);

/* relaying.c */
void		 relay_start(struct sip_req *);
int		 relay_emit(uint32_t, const char *, const char *, size_t);
uint32_t	 relay_send(const char *, const char *, size_t,
		    void (*)(void *, const struct sip_msg *, unsigned int),
		    void *);
void		 relay_forget(uint32_t);
void		 relay_result(struct imsgev *, struct imsg *);

/* offline_queue.c */
void		 offq_store(struct sip_req *);
void		 offq_stored(struct imsgev *, struct imsg *);
void		 offq_item(struct imsgev *, struct imsg *);
void		 offq_offered(struct imsgev *, struct imsg *);

/* message.c */
void		 message_request(const struct sip_msg *,
		    const struct sip_peer *);
int		 message_wants_redirect(const struct sip_msg *);
int		 message_redirect(struct sip_req *, const struct binding_rec *,
		    uint32_t, const char *);

/* registrar.c */
void		 registrar_request(const struct sip_msg *,
		    const struct sip_peer *);
void		 registrar_result(struct imsgev *, struct imsg *);

#endif /* IMD_REQUEST_H */
