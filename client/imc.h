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

#ifndef IMC_H
#define IMC_H

/*
 * imc, the user's client: shared declarations of its parts.  conf.c
 * reads the configuration and the password, ua.c is the SIP user agent
 * (transport, transactions, digest), reg.c keeps the registration,
 * msg.c sends and receives messages, pres.c, watch.c, watchers.c,
 * dialog.c and pres_doc.c do presence, session.c runs the event loop
 * of a command, outcome.c says what happened, imc.c reads the command
 * line.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <limits.h>
#include <stdio.h>
#include <stdint.h>

#include "config.h"
#include "sip.h"

/* Exit statuses; documented in imc(1), so never renumber them. */
#define IMC_EXIT_OK		0	/* done, delivered or queued */
#define IMC_EXIT_FAIL		1	/* refused for another reason */
#define IMC_EXIT_USAGE		2	/* usage or malformed address */
#define IMC_EXIT_CONFIG		3	/* configuration or password file */
#define IMC_EXIT_UNREACH	4	/* no answer from the server */
#define IMC_EXIT_AUTH		5	/* the server refused the password */
#define IMC_EXIT_NOUSER		6	/* no such user (404) */
#define IMC_EXIT_OFFLINE	7	/* recipient offline (480) */
#define IMC_EXIT_BUSY		8	/* the callee is busy (486, 600) */
#define IMC_EXIT_DECLINED	9	/* the callee declined (603) */
#define IMC_EXIT_NOANSWER	10	/* nobody answered the call */
#define IMC_EXIT_NODIRECT	11	/* not authorised to call directly */

#define IMC_BUDDIES_MAX		64
#define IMC_URI_MAX		(IMD_ADDRESS_MAX + 64)
#define IMC_TAG_MAX		64
#define IMC_ROUTE_MAX		1024
#define IMC_EXTRA_MAX		2048
#define IMC_EXPIRES		3600	/* registration, publication */
#define IMC_TEXT_MAX		(SIP_UDP_MAX - 4096)

enum imc_transport {
	IMC_UDP,
	IMC_TCP,
	IMC_TLS
};

#define IMC_MEDIA_MAX		2	/* audio, video */
#define IMC_CODECS_MAX		8
#define IMC_CODEC_NAME_MAX	33

/* A medium we publish in our tuple: media audio port N codecs ... */
struct imc_media {
	char		 im_type[8];
	uint16_t	 im_port;
	size_t		 im_ncodecs;
	char		 im_codecs[IMC_CODECS_MAX][IMC_CODEC_NAME_MAX];
	int		 im_direct;
};

enum imc_direct_calls {
	IMC_DC_ACCEPT,		/* from a buddy: played at once */
	IMC_DC_ASK,		/* from a buddy: played once answered */
	IMC_DC_REFUSE
};

struct imc_conf {
	char		 c_dir[PATH_MAX];
	char		 c_state[PATH_MAX];
	char		 c_account[IMD_ADDRESS_MAX];
	char		 c_user[IMD_LOCALPART_MAX];
	char		 c_domain[IMD_DOMAIN_MAX];
	char		 c_server[IMD_DOMAIN_MAX];
	uint16_t	 c_port;
	enum imc_transport c_transport;
	char		 c_ca[PATH_MAX];
	char		 c_bind[IMD_DOMAIN_MAX];
	int		 c_direct;
	int		 c_calls;	/* a command that takes calls */
	int		 c_auto_answer;
	enum imc_direct_calls c_direct_calls;
	struct imc_media c_media[IMC_MEDIA_MAX];
	size_t		 c_nmedia;
	size_t		 c_nbuddies;
	char		 c_buddies[IMC_BUDDIES_MAX][IMD_ADDRESS_MAX];
	char		 c_password[IMD_PASSWORD_MAX];
};

/* conf.c */
int	conf_load(struct imc_conf *, const char *);
int	conf_password(struct imc_conf *);
int	conf_state_read(const struct imc_conf *, const char *, char *,
	    size_t);
int	conf_state_write(const struct imc_conf *, const char *,
	    const char *);

/* A request to send: what differs between the requests we make. */
struct ua_req {
	enum sip_method	 rq_method;
	char		 rq_ruri[IMC_URI_MAX];
	char		 rq_to[IMC_URI_MAX];
	char		 rq_totag[IMC_TAG_MAX];
	char		 rq_callid[IMC_TAG_MAX];
	char		 rq_fromtag[IMC_TAG_MAX];
	uint32_t	 rq_cseq;
	char		 rq_route[IMC_ROUTE_MAX];
	char		 rq_extra[IMC_EXTRA_MAX];	/* lines ending CRLF */
	const char	*rq_ctype;
	const char	*rq_body;
	size_t		 rq_bodylen;
	/* The provisional responses to an INVITE, if wanted. */
	void		(*rq_prov)(const struct sip_msg *, void *);
};

struct ua;

/* Where a request came from or goes to: uo_len 0 is the server. */
struct ua_origin {
	struct sockaddr_storage	 uo_addr;
	socklen_t		 uo_len;
};

/* A response to a request of a dialog: what differs from ua_reply(). */
struct ua_answer {
	const char	*an_totag;
	const char	*an_extra;	/* lines ending CRLF, or NULL */
	const char	*an_ctype;
	const char	*an_body;
	size_t		 an_bodylen;
};

/*
 * The final response to a request, or NULL when there was none: the
 * server could not be reached, and ua_error() says why.
 */
typedef void	(*ua_resp_cb)(struct ua *, struct ua_req *,
		    const struct sip_msg *, void *);
/* A request from the server; the callee answers with ua_reply(). */
typedef void	(*ua_req_cb)(struct ua *, const struct sip_msg *, void *);

/* ua.c */
struct ua	*ua_new(struct event_base *, struct imc_conf *);
void		 ua_free(struct ua *);
int		 ua_open(struct ua *);
void		 ua_on_request(struct ua *, ua_req_cb, void *);
void		 ua_on_late_2xx(struct ua *, ua_req_cb, void *);
int		 ua_request(struct ua *, struct ua_req *, ua_resp_cb, void *);
int		 ua_reply(struct ua *, const struct sip_msg *, unsigned int,
		    const char *);
int		 ua_request_to(struct ua *, const struct ua_origin *,
		    struct ua_req *, ua_resp_cb, void *);
int		 ua_answer(struct ua *, const struct ua_origin *,
		    const struct sip_msg *, unsigned int, const char *,
		    const struct ua_answer *);
int		 ua_send_ack(struct ua *, const struct ua_origin *,
		    struct ua_req *);
int		 ua_cancel(struct ua *, struct ua_req *);
void		 ua_origin_of(struct ua *, struct ua_origin *);
void		 ua_req_init(struct ua *, struct ua_req *, enum sip_method,
		    const char *);
const char	*ua_contact(struct ua *);
const char	*ua_local_host(struct ua *);
uint16_t	 ua_local_port(struct ua *);
const char	*ua_error(struct ua *);
const char	*ua_server_name(struct ua *);
struct imc_conf	*ua_conf(struct ua *);
struct event_base *ua_base(struct ua *);
void		 ua_no_auth(struct ua *);
const char	*ua_peer_name(struct ua *, char *, size_t);
void		 ua_random_token(char *, size_t);

/* ua_auth.c */
struct ua_cred;
struct ua_cred	*ua_cred_new(void);
void		 ua_cred_free(struct ua_cred *);
int		 ua_cred_challenge(struct ua_cred *, const struct sip_msg *);
int		 ua_cred_header(struct ua_cred *, const struct imc_conf *,
		    const char *, const char *, char *, size_t);

/* outcome.c: words and exit statuses for what happened */
int		 outcome_report(struct ua *, const struct imc_conf *,
		    const char *, const struct sip_msg *);
int		 outcome_unreachable(struct ua *);

/* reg.c: code is 0 when registered, else an exit status */
struct reg;
typedef void	(*reg_cb)(struct reg *, int, void *);
struct reg	*reg_start(struct ua *, reg_cb, void *);
void		 reg_stop(struct reg *, reg_cb);
void		 reg_free(struct reg *);

/* session.c: one command's run of the event loop */
struct session {
	struct imc_conf	*s_conf;
	struct event_base *s_base;
	struct ua	*s_ua;
	struct event	*s_sigint;
	struct event	*s_sigterm;
	struct event	*s_timer;
	void		(*s_finish)(struct session *);
	void		(*s_cleanup)(struct session *);
	int		 s_finishing;
	int		 s_exit;
	void		*s_cmd;		/* the command's own state */
};
int		 session_open(struct session *, struct imc_conf *);
int		 session_deadline(struct session *, int,
		    void (*)(struct session *));
void		 session_done(struct session *, int);
void		 session_fail(struct session *, int);
int		 session_run(struct session *);

/* direct.c: direct mode, a MESSAGE straight to a peer's contact */
struct direct;
typedef void	(*direct_cb)(struct direct *, int, const char *, void *);
int		 direct_contact(const struct sip_msg *, char *, size_t);
struct direct	*direct_send(struct event_base *, const struct imc_conf *,
		    const char *, const char *, const struct ua_req *,
		    direct_cb, void *);
const char	*direct_peer(struct direct *);
unsigned int	 direct_status(struct direct *);
void		 direct_free(struct direct *);
int		 direct_cache_get(const struct imc_conf *, const char *,
		    char *, size_t);
void		 direct_cache_put(const struct imc_conf *, const char *,
		    const char *);

/* send.c: one message, through the server or directly */
struct send;
typedef void	(*send_cb)(int, void *);
struct send	*send_start(struct ua *, const char *, const char *, size_t,
		    int, send_cb, void *);
void		 send_free(struct send *);

/* pres_fetch.c: someone's presence, once */
struct fetch;
typedef void	(*fetch_cb)(int, const char *, const char *, size_t, void *);
struct fetch	*fetch_start(struct ua *, const char *, fetch_cb, void *);
int		 fetch_request(struct fetch *, const struct sip_msg *);
void		 fetch_free(struct fetch *);

/* chat.c: the interactive mode */
int		 cmd_chat(struct imc_conf *, int, char **);

/* msg.c */
int		 text_is_utf8(const char *, size_t);
int		 msg_receive(struct ua *, const struct sip_msg *, FILE *);
int		 cmd_send(struct imc_conf *, int, char **);
int		 cmd_listen(struct imc_conf *, int, char **);

/* call_cmd.c */
int		 cmd_call(struct imc_conf *, int, char **);

/* pres.c: PUBLISH of our presence and of our decisions */
int		 cmd_status(struct imc_conf *, int, char **);
int		 cmd_decide(struct imc_conf *, const char *, int, char **);
struct pub;
typedef void	(*pres_cb)(int, void *);
struct pub	*pres_publish(struct session *, const char *, const char *,
		    pres_cb, void *);
struct pub	*pres_decide(struct session *, const char *, const char *,
		    pres_cb, void *);
void		 pres_free(struct pub *);

/* watch.c, watchers.c */
int		 cmd_watch(struct imc_conf *, int, char **);
int		 cmd_watchers(struct imc_conf *, int, char **);
struct watch;
struct watch	*watch_start(struct session *, ua_req_cb, void (*)(void *),
		    void *);
void		 watch_stop(struct watch *);
void		 watch_list(const struct watch *);
void		 watch_free(struct watch *);

/* dialog.c: the subscription dialogs we hold (RFC 6665 4.1.2) */
int		 dialog_is(const struct ua_req *, const struct sip_msg *);
void		 dialog_from_response(struct ua_req *, const struct sip_msg *);
void		 dialog_from_notify(struct ua_req *, const struct sip_msg *);
int		 dialog_substate(const struct sip_msg *, char *, size_t,
		    char *, size_t);

/* pres_doc.c: the documents, read and written with libxml2 */
struct pres_pub {
	const char	*pp_entity;	/* alice@site1.test */
	const char	*pp_tuple;
	const char	*pp_state;	/* open away busy closed */
	const char	*pp_note;	/* or NULL */
	const char	*pp_contact;
	uint16_t	 pp_port;
	int		 pp_direct;
	const struct imc_media *pp_media;	/* audio, video */
	size_t		 pp_nmedia;
};
struct pres_view {
	char	 pv_basic[16];
	char	 pv_activity[32];
	char	 pv_note[256];
};
int		 pres_doc_make(const struct pres_pub *, char **, size_t *);
int		 pres_doc_read(const char *, size_t, struct pres_view *);
typedef void	(*winfo_each_cb)(const char *, const char *, void *);

/* pres_media.c: the tuples and their media, for direct calls */
#define PRES_MEDIA_MAX	4
#define PRES_TUPLES_MAX	8
struct pres_medium {
	char		 pm_type[8];
	uint16_t	 pm_port;
	int		 pm_direct;
	size_t		 pm_ncodecs;
	char		 pm_codecs[IMC_CODECS_MAX][IMC_CODEC_NAME_MAX];
};
struct pres_tuple {
	char		 pt_contact[IMC_URI_MAX];
	struct pres_medium pt_media[PRES_MEDIA_MAX];
	size_t		 pt_nmedia;
};
int		 pres_doc_tuples(const char *, size_t, struct pres_tuple *,
		    size_t, size_t *);
int		 winfo_read(const char *, size_t, winfo_each_cb, void *);

/* imc.c */
int		 address_arg(const char *, char *, size_t);
int		 seconds_arg(int *, char **, int *);
void		 print_safe(FILE *, const char *, size_t);
const char	*uri_address(const struct sip_str *, char *, size_t);

/* colour.c */
const char	*colour_state(const char *);
const char	*colour_sender(void);
const char	*colour_reset(void);

#endif /* IMC_H */
