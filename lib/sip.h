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

#ifndef IMD_SIP_H
#define IMD_SIP_H

/*
 * The SIP message layer (RFC 3261).  A parsed message refers to the
 * buffer it was parsed from and never writes into it; every string is a
 * counted string.  Parsing is in layers: sip_frame() cuts a stream into
 * messages, sip_parse() reads the first line and splits the headers,
 * and the value parsers below read one header value when asked.  None
 * of them allocates, logs or keeps state between calls.
 *
 * The files are layers that call only downwards, in the order of the
 * prototypes at the end of this header:
 *
 *	sip_str.c	counted strings, character classes, names
 *	sip_uri.c	URIs and hosts			(uses str)
 *	sip_hdr.c	header slots and values		(uses uri, str)
 *	sip_parse.c	framing and the header split	(uses hdr, str)
 *	sip_print.c	responses and forwarded requests (uses hdr, str)
 */

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct sip_str {
	const char	*s;
	size_t		 len;
};

#define SIP_STR_LIT(lit)	((struct sip_str){ (lit), sizeof(lit) - 1 })
#define SIP_STR_END(str)	((str)->s + (str)->len)

/* Size of the header slot array; sip_limits can only lower it. */
#define SIP_MAX_HEADERS		128
#define SIP_DEF_MAX_MSG		65535
#define SIP_DEF_MAX_LINE	8192

struct sip_limits {
	size_t		 max_msg;	/* whole message, bytes */
	size_t		 max_headers;	/* header fields */
	size_t		 max_line;	/* one physical line, bytes */
};

enum sip_method {
	SIP_METHOD_UNKNOWN = 0,
	SIP_METHOD_ACK,
	SIP_METHOD_BYE,
	SIP_METHOD_CANCEL,
	SIP_METHOD_INFO,
	SIP_METHOD_INVITE,
	SIP_METHOD_MESSAGE,
	SIP_METHOD_NOTIFY,
	SIP_METHOD_OPTIONS,
	SIP_METHOD_PRACK,
	SIP_METHOD_PUBLISH,
	SIP_METHOD_REFER,
	SIP_METHOD_REGISTER,
	SIP_METHOD_SUBSCRIBE,
	SIP_METHOD_UPDATE,
};

/* Known header fields, in the order of their lower-case names. */
enum sip_hdr_id {
	SIP_HDR_OTHER = 0,
	SIP_HDR_ACCEPT,
	SIP_HDR_ACCEPT_CONTACT,
	SIP_HDR_ALLOW,
	SIP_HDR_ALLOW_EVENTS,
	SIP_HDR_AUTHENTICATION_INFO,
	SIP_HDR_AUTHORIZATION,
	SIP_HDR_CALL_ID,
	SIP_HDR_CONTACT,
	SIP_HDR_CONTENT_DISPOSITION,
	SIP_HDR_CONTENT_ENCODING,
	SIP_HDR_CONTENT_LENGTH,
	SIP_HDR_CONTENT_TYPE,
	SIP_HDR_CSEQ,
	SIP_HDR_DATE,
	SIP_HDR_EVENT,
	SIP_HDR_EXPIRES,
	SIP_HDR_FROM,
	SIP_HDR_IDENTITY,
	SIP_HDR_IDENTITY_INFO,
	SIP_HDR_MAX_FORWARDS,
	SIP_HDR_MIN_EXPIRES,
	SIP_HDR_PATH,
	SIP_HDR_PROXY_AUTHENTICATE,
	SIP_HDR_PROXY_AUTHORIZATION,
	SIP_HDR_PROXY_REQUIRE,
	SIP_HDR_RECORD_ROUTE,
	SIP_HDR_REFER_TO,
	SIP_HDR_REFERRED_BY,
	SIP_HDR_REJECT_CONTACT,
	SIP_HDR_REQUEST_DISPOSITION,
	SIP_HDR_REQUIRE,
	SIP_HDR_RETRY_AFTER,
	SIP_HDR_ROUTE,
	SIP_HDR_SERVER,
	SIP_HDR_SESSION_EXPIRES,
	SIP_HDR_SIP_ETAG,
	SIP_HDR_SIP_IF_MATCH,
	SIP_HDR_SUBJECT,
	SIP_HDR_SUBSCRIPTION_STATE,
	SIP_HDR_SUPPORTED,
	SIP_HDR_TIMESTAMP,
	SIP_HDR_TO,
	SIP_HDR_UNSUPPORTED,
	SIP_HDR_USER_AGENT,
	SIP_HDR_VIA,
	SIP_HDR_WARNING,
	SIP_HDR_WWW_AUTHENTICATE,
	SIP_HDR_MAX
};

struct sip_hdr {
	enum sip_hdr_id	 hdr_id;
	struct sip_str	 hdr_name;	/* as written */
	struct sip_str	 hdr_value;	/* trimmed; may hold folded lines */
};

enum sip_kind {
	SIP_REQUEST = 1,
	SIP_RESPONSE
};


/*
 * Why a message was refused.  err_respond is 1 when enough was parsed
 * to answer a request (a top Via and a CSeq); the answer is err_status
 * with err_reason as its reason phrase.  Responses are never answered.
 */
struct sip_err {
	unsigned int	 err_status;
	const char	*err_reason;
	int		 err_respond;
};

#define SIP_PARSE_STREAM	0x01	/* Content-Length required */

enum sip_frame_res {
	SIP_FRAME_ERROR = -1,
	SIP_FRAME_MORE = 0,	/* need more bytes */
	SIP_FRAME_MSG,		/* a message of *lenp bytes */
	SIP_FRAME_CRLF		/* *lenp bytes of CRLF keep-alive */
};

enum sip_scheme {
	SIP_SCHEME_OTHER = 0,
	SIP_SCHEME_SIP,
	SIP_SCHEME_SIPS,
	SIP_SCHEME_TEL
};

enum sip_host_type {
	SIP_HOST_NAME = 1,
	SIP_HOST_IPV4,
	SIP_HOST_IPV6		/* uri_host holds the brackets */
};

/*
 * A parsed message keeps some of these (struct sip_msg below), and
 * sip_msg_copy() moves each of their strings: a new string in struct
 * sip_uri, sip_via or sip_addr must be added there.
 */
struct sip_uri {
	enum sip_scheme	 uri_scheme;
	struct sip_str	 uri_scheme_str;
	struct sip_str	 uri_opaque;	/* after "scheme:" for other schemes */
	struct sip_str	 uri_user;	/* escapes kept */
	struct sip_str	 uri_password;
	struct sip_str	 uri_host;
	enum sip_host_type uri_host_type;
	uint16_t	 uri_port;	/* 0 when absent */
	struct sip_str	 uri_params;	/* from the first ';' */
	struct sip_str	 uri_headers;	/* after '?' */
	struct sip_str	 uri_transport;
	struct sip_str	 uri_user_param;
	struct sip_str	 uri_maddr;
	struct sip_str	 uri_method;
	int		 uri_lr;
};

struct sip_via {
	struct sip_str	 via_proto;	/* "SIP" */
	struct sip_str	 via_version;	/* "2.0" */
	struct sip_str	 via_transport;
	struct sip_str	 via_host;
	enum sip_host_type via_host_type;
	uint16_t	 via_port;	/* 0 when absent */
	struct sip_str	 via_params;	/* from the first ';' */
	struct sip_str	 via_branch;
	struct sip_str	 via_received;
	struct sip_str	 via_maddr;
	struct sip_str	 via_ttl;
	struct sip_str	 via_rport_name; /* the "rport" of a valueless rport */
	int		 via_has_rport;
	uint16_t	 via_rport;	/* 0 when absent or valueless */
};

/* A name-addr or addr-spec with its header parameters. */
struct sip_addr {
	int		 addr_star;	/* Contact: * */
	struct sip_str	 addr_display;	/* without the quotes */
	int		 addr_display_quoted;
	struct sip_str	 addr_uri_str;
	struct sip_uri	 addr_uri;
	struct sip_str	 addr_params;	/* from the first ';' */
	struct sip_str	 addr_tag;
	int64_t		 addr_expires;	/* -1 when absent */
	int		 addr_q;	/* in thousandths, -1 when absent */
};

struct sip_cseq {
	uint32_t	 cseq_num;
	struct sip_str	 cseq_method_str;
	enum sip_method	 cseq_method;
};

#define SIP_KNOWN_VIA	0x01
#define SIP_KNOWN_FROM	0x02
#define SIP_KNOWN_TO	0x04
#define SIP_KNOWN_CSEQ	0x08

struct sip_msg {
	const char	*msg_buf;
	size_t		 msg_len;	/* without datagram trailing bytes */
	enum sip_kind	 msg_kind;
	enum sip_method	 msg_method;
	struct sip_str	 msg_method_str;
	struct sip_str	 msg_ruri;
	struct sip_str	 msg_version;
	unsigned int	 msg_status;
	struct sip_str	 msg_reason;
	size_t		 msg_nhdrs;
	/* Slot index + 1 of the first header of each id, 0 when absent. */
	uint16_t	 msg_first[SIP_HDR_MAX];
	struct sip_str	 msg_body;
	/*
	 * The top Via, From, To and CSeq as sip_validate_request() or
	 * sip_validate_response() parsed them, pointing into msg_buf like
	 * the rest, with a bit each in msg_known when set: the
	 * transaction layer, the registrar and the response printer read
	 * them (sip_top_via(), sip_first_addr(), sip_first_cseq()) instead
	 * of parsing them again, which was a fifth of the listener's work
	 * for a REGISTER.  Nothing edits a parsed message; sip_msg_copy()
	 * moves them along.
	 */
	unsigned int	 msg_known;
	struct sip_via	 msg_via;
	struct sip_addr	 msg_from;
	struct sip_addr	 msg_to;
	struct sip_cseq	 msg_cseq;
	/*
	 * Last, and never read past msg_nhdrs: a parse or a copy touches
	 * only the slots in use, not all 5 KB of them.
	 */
	struct sip_hdr	 msg_hdrs[SIP_MAX_HEADERS];
};

/* A media type, or an Accept media range ("*" allowed). */
struct sip_ctype {
	struct sip_str	 ct_type;
	struct sip_str	 ct_subtype;
	struct sip_str	 ct_params;
};

struct sip_event {
	struct sip_str	 ev_package;
	struct sip_str	 ev_id;
	struct sip_str	 ev_params;
};

/*
 * Credentials or a challenge.  Quoted values are given without their
 * quotes, backslash escapes kept (sip_str_unquote() removes them).
 */
struct sip_auth {
	struct sip_str	 au_scheme;
	struct sip_str	 au_username;
	struct sip_str	 au_realm;
	struct sip_str	 au_nonce;
	struct sip_str	 au_uri;
	struct sip_str	 au_response;
	struct sip_str	 au_algorithm;
	struct sip_str	 au_cnonce;
	struct sip_str	 au_opaque;
	struct sip_str	 au_qop;
	struct sip_str	 au_nc;
	struct sip_str	 au_userhash;
	struct sip_str	 au_stale;
	struct sip_str	 au_domain;
};

/* An element iterator over the comma lists of all headers of one id. */
struct sip_iter {
	const struct sip_msg	*it_msg;
	size_t			 it_slot;
	const char		*it_p;
	const char		*it_end;
};

/* Bounded output: an overflow sticks and fails the message. */
struct sip_out {
	char		*buf;
	size_t		 size, len;
	int		 overflow;
};

struct sip_reply {
	unsigned int	 rp_status;
	const char	*rp_reason;
	struct sip_str	 rp_totag;	/* added when To has none */
	struct sip_str	 rp_received;	/* source address for the top Via */
	uint16_t	 rp_rport;	/* source port, for a valueless rport */
	struct sip_str	 rp_extra;	/* header lines, each ending CRLF */
	struct sip_str	 rp_ctype;
	struct sip_str	 rp_body;
};

struct sip_fwd {
	struct sip_str	 fw_ruri;	/* empty: keep the Request-URI */
	struct sip_str	 fw_via;	/* "SIP/2.0/UDP host:port" */
	struct sip_str	 fw_branch;	/* starts with z9hG4bK */
	struct sip_str	 fw_head;	/* header lines right after ours */
	struct sip_str	 fw_extra;	/* header lines, each ending CRLF */
	int		 fw_pop_route;	/* drop this many first Route values */
	int		 fw_drop_routes; /* drop every Route header */
	int		 fw_drop_proxy_auth; /* credentials that were ours */
};

/* sip_str.c: counted strings, character classes, method and header names */
int		 sip_str_eq(const struct sip_str *, const struct sip_str *);
int		 sip_str_eq_ci(const struct sip_str *, const struct sip_str *);
int		 sip_str_is_ci(const struct sip_str *, const char *);
int		 sip_str_num(const struct sip_str *, uint64_t, uint64_t *);
void		 sip_str_trim(struct sip_str *);
void		 sip_str_copy(const struct sip_str *, char *, size_t);
int		 sip_str_unquote(const struct sip_str *, char *, size_t);
int		 sip_str_unescape(const struct sip_str *, char *, size_t,
		    size_t *);
int		 sip_is_token(const struct sip_str *);
enum sip_method	 sip_method_lookup(const struct sip_str *);
const char	*sip_method_name(enum sip_method);
enum sip_hdr_id	 sip_hdr_lookup(const struct sip_str *);
const char	*sip_hdr_name(enum sip_hdr_id);

/*
 * Character classes, inline: the parser asks them of nearly every byte
 * of a message, and a function call per byte was a tenth of the
 * listener's work for a REGISTER.
 */
extern const unsigned char sip_token_chars[256];

static inline int
sip_is_digit(int c)
{
	return (c >= '0' && c <= '9');
}

/* Inside a split header value CR and LF only remain as folds. */
static inline int
sip_is_lws(int c)
{
	return (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

/* token (RFC 3261 25.1) */
static inline int
sip_is_token_char(int c)
{
	return (c >= 0 && c < 256 && sip_token_chars[c]);
}

/* sip_uri.c: SIP, SIPS, tel and other URIs, hosts */
int		 sip_uri_parse(const char *, const char *, struct sip_uri *);
const char	*sip_host_scan(const char *, const char *, struct sip_str *,
		    enum sip_host_type *);
int		 sip_port_parse(const char *, const char *, uint16_t *);

/* sip_hdr.c: header slots, lists, parameters, header values, validation */
const struct sip_hdr *sip_hdr_first(const struct sip_msg *, enum sip_hdr_id);
const struct sip_hdr *sip_hdr_next(const struct sip_msg *,
		    const struct sip_hdr *);
size_t		 sip_hdr_count(const struct sip_msg *, enum sip_hdr_id);
int		 sip_can_respond(const struct sip_msg *);
int		 sip_list_next(const char **, const char *, struct sip_str *);
void		 sip_iter_init(struct sip_iter *, const struct sip_msg *,
		    enum sip_hdr_id);
int		 sip_iter_next(struct sip_iter *, struct sip_str *);
int		 sip_param_find(const struct sip_str *, const char *,
		    struct sip_str *);
int		 sip_via_parse(const char *, const char *, struct sip_via *);
int		 sip_top_via(const struct sip_msg *, struct sip_via *);
int		 sip_addr_parse(const char *, const char *, struct sip_addr *);
int		 sip_first_addr(const struct sip_msg *, enum sip_hdr_id,
		    struct sip_addr *);
int		 sip_contact_parse(const char *, const char *,
		    struct sip_addr *);
int		 sip_cseq_parse(const char *, const char *, struct sip_cseq *);
int		 sip_first_cseq(const struct sip_msg *, struct sip_cseq *);
int		 sip_callid_parse(const char *, const char *, struct sip_str *);
int		 sip_clen_parse(const char *, const char *, size_t *);
int		 sip_maxfwd_parse(const char *, const char *, unsigned int *);
int		 sip_expires_parse(const char *, const char *, uint32_t *);
int		 sip_ctype_parse(const char *, const char *,
		    struct sip_ctype *);
int		 sip_event_parse(const char *, const char *,
		    struct sip_event *);
int		 sip_auth_parse(const char *, const char *, struct sip_auth *);
int		 sip_date_parse(const char *, const char *, time_t *);
int		 sip_validate_request(struct sip_msg *, struct sip_err *);
int		 sip_validate_response(struct sip_msg *, struct sip_err *);

/* sip_parse.c: limits, framing, first line, header split, copy */
void		 sip_limits_default(struct sip_limits *);
void		 sip_limits_set(struct sip_limits *, uint32_t, uint32_t,
		    uint32_t);
int		 sip_frame(const char *, size_t, const struct sip_limits *,
		    size_t *, struct sip_err *);
int		 sip_parse(struct sip_msg *, const char *, size_t,
		    const struct sip_limits *, int, struct sip_err *);
void		 sip_msg_copy(struct sip_msg *, const struct sip_msg *,
		    const char *);

/* sip_print.c: bounded output, responses, forwarded requests */
void		 sip_out_init(struct sip_out *, char *, size_t);
int		 sip_out_add(struct sip_out *, const void *, size_t);
int		 sip_out_uint(struct sip_out *, uint64_t);
int		 sip_out_printf(struct sip_out *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
int		 sip_print_response(struct sip_out *, const struct sip_msg *,
		    const struct sip_reply *);
int		 sip_branch_derived(const struct sip_msg *, uint32_t, char *,
		    size_t);
int		 sip_print_request(struct sip_out *, const struct sip_msg *,
		    const struct sip_fwd *);
int		 sip_print_response_back(struct sip_out *,
		    const struct sip_msg *);
int		 sip_print_sibling(struct sip_out *, const struct sip_msg *,
		    const char *, const struct sip_msg *);
void		 sip_date_line(const struct sip_msg *, time_t, char *, size_t);

#define SIP_DATE_LINE_MAX	48
#define SIP_UDP_MAX		65507	/* the largest IPv4 UDP payload */

#endif /* IMD_SIP_H */
