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

#ifndef IMC_CALL_H
#define IMC_CALL_H

/*
 * A call set up with INVITE (RFC 3261, offer/answer of RFC 3264):
 * call.c keeps what both sides share (the dialog, the media, hanging
 * up, the words for how it ended), call_out.c is the caller's side,
 * call_in.c the callee's.  The direct way, without INVITE, is
 * call_direct.c.
 */

#include "imc.h"
#include "media.h"

#define CALL_SDP_MAX		1024
#define CALL_RING_SECS		60	/* then the caller gives up */
#define CALL_ACK_SECS		32	/* 64*T1: our 200 was never acked */

enum call_state {
	CALL_CALLING,		/* our INVITE is out */
	CALL_RINGING,		/* an INVITE came; not answered yet */
	CALL_UP,
	CALL_ENDING,		/* our BYE or CANCEL is out */
	CALL_DONE
};

struct call;
/* The call is over; code is the exit status it makes. */
typedef void	(*call_end_cb)(struct call *, int, void *);

struct call {
	struct ua		*cl_ua;
	struct imc_conf		*cl_conf;
	int			 cl_outgoing;
	enum call_state		 cl_state;
	char			 cl_peer[IMD_ADDRESS_MAX + 8];
	struct ua_req		 cl_req;	/* the INVITE; then the dialog */
	struct ua_req		 cl_bye;
	struct ua_req		 cl_ack;	/* as sent, to send again */
	uint32_t		 cl_invite_cseq;
	struct ua_origin	 cl_dest;	/* the server, or the peer */
	char			*cl_invite;	/* theirs, to answer later */
	size_t			 cl_invlen;
	struct media_conf	 cl_mc;
	struct media		*cl_media;
	char			 cl_sdp[CALL_SDP_MAX];
	struct event		*cl_timer;
	int			 cl_retrans_ms;
	int			 cl_retrans_total;
	int			 cl_acked;
	int			 cl_code;
	call_end_cb		 cl_end;
	void			*cl_arg;
};

/* call.c */
struct call	*call_new(struct ua *, const struct media_conf *,
		    call_end_cb, void *);
void		 call_free(struct call *);
int		 call_our_codecs(const struct imc_conf *, enum codec_id *,
		    size_t *);
int		 call_media_open(struct call *);
uint16_t	 call_audio_port(const struct imc_conf *);
int		 call_media_start(struct call *, const struct sdp_desc *,
		    size_t);
void		 call_hangup(struct call *);
void		 call_over(struct call *, int);
int		 call_in_dialog(struct call *, const struct sip_msg *);
int		 call_request(struct call *, const struct sip_msg *);
int		 call_media_args(int *, char **, struct media_conf *);
int		 call_contact_line(struct call *, char *, size_t);

/* call_out.c */
int		 call_dial(struct call *, const char *);
int		 call_outcome(struct call *, const struct sip_msg *);
void		 call_late_2xx(struct call *, const struct sip_msg *);

/* call_in.c */
int		 call_incoming(struct call *, const struct sip_msg *);
int		 call_accept(struct call *);
void		 call_decline(struct call *, unsigned int, const char *);

/* call_host.c: the calls that come to listen and chat */
struct call_host;
struct call_host *call_host_new(struct ua *, const struct media_conf *,
		    int);
void		 call_host_free(struct call_host *);
int		 call_host_request(struct call_host *, const struct sip_msg *);
int		 call_host_answer(struct call_host *);
int		 call_host_hangup(struct call_host *);

/* call_direct.c: calls without INVITE, announced in MESSAGEs */
#define DIRECT_CALL_CTYPE	"application/x-imd-call"
struct direct_in;
struct direct_note {
	int		 dn_start;	/* 1: call start, 0: call end */
	char		 dn_id[33];
	char		 dn_from[IMD_ADDRESS_MAX];
	char		 dn_host[64];
	uint16_t	 dn_port;
	enum codec_id	 dn_codec;
};
struct dcall_target {
	char		 dt_contact[IMC_URI_MAX];
	char		 dt_host[64];
	uint16_t	 dt_port;
	enum codec_id	 dt_codec;
};
int		 dcall_target(const struct imc_conf *, const char *,
		    const char *, size_t, struct dcall_target *);
int		 direct_note_write(char *, size_t, const struct direct_note *);
int		 direct_note_read(const char *, size_t, struct direct_note *);
int		 call_direct(struct imc_conf *, const char *, int,
		    const struct media_conf *);
int		 direct_in_request(struct direct_in **, struct ua *,
		    const struct media_conf *, const struct sip_msg *, int,
		    int);
int		 direct_in_active(const struct direct_in *);
int		 direct_in_answer(struct direct_in *);
int		 direct_in_hangup(struct direct_in *);
void		 direct_in_free(struct direct_in *);

#endif /* IMC_CALL_H */
