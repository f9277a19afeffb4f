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

#ifndef IMD_STATS_H
#define IMD_STATS_H

/*
 * The numbers an operator watches.  Each process keeps its own counters
 * in stats[] and answers the parent's IMSG_STATS_GET with those that are
 * not zero; the parent adds them up over the processes, adds each
 * process's CPU time and memory, and hands the lot to imctl (show stats)
 * or metricsd (Prometheus text) as self-describing items.
 *
 * A family is one Prometheus metric name; a counter is one of its
 * series.  Adding a number is one line in STATS_COUNTERS and a
 * stats_inc() where it happens (a new family: one line in STATS_FAMILIES
 * too).  Gauges that go up and down are kept with stats_add(id, +-1) at
 * the allocation and the free; values another part keeps anyway are set
 * by a process's stats_before_answer() hook.  Counter ids travel between
 * the processes of one suite, which come from one build.
 */

#include <stddef.h>
#include <stdint.h>

struct ibuf;
struct imsg;
struct imsgev;

enum stats_kind {
	STATS_COUNTER,
	STATS_GAUGE,
};

/* F(id, name, kind, scale, help); scale divides the value for display. */
#define STATS_FAMILIES(F)						\
	F(SIP_REQUESTS, "imd_sip_requests_total", COUNTER, 1,		\
	    "SIP requests received, by method")				\
	F(SIP_RESPONSES, "imd_sip_responses_total", COUNTER, 1,	\
	    "SIP responses sent, by status class")			\
	F(SIP_RECEIVED, "imd_sip_messages_received_total", COUNTER, 1,	\
	    "SIP messages read from the network")			\
	F(SIP_REJECTED, "imd_sip_messages_rejected_total", COUNTER, 1,	\
	    "SIP messages refused before any processing, by reason")	\
	F(SIP_RETRANSMISSIONS, "imd_sip_retransmissions_total", COUNTER, \
	    1, "Retransmitted requests absorbed by a transaction")	\
	F(SIP_TRANSACTIONS, "imd_sip_transactions", GAUGE, 1,		\
	    "Server transactions in progress")				\
	F(SIP_DIALOGS, "imd_sip_dialogs", GAUGE, 1,			\
	    "Dialogs in progress")					\
	F(BINDINGS, "imd_registrar_bindings", GAUGE, 1,		\
	    "Registered contacts in the location database")		\
	F(SUBSCRIPTIONS, "imd_presence_subscriptions", GAUGE, 1,	\
	    "Presence subscriptions held")				\
	F(OFFLINE, "imd_offline_queue_messages", GAUGE, 1,		\
	    "Messages waiting in the offline queue")			\
	F(RELAYED, "imd_relayed_requests_total", COUNTER, 1,		\
	    "Requests relayed to other domains, by outcome")		\
	F(AUTH_FAILURES, "imd_auth_failures_total", COUNTER, 1,	\
	    "Digest authentications that failed")			\
	F(AUTH_BANS, "imd_auth_bans_total", COUNTER, 1,		\
	    "Sources banned after repeated failures")			\
	F(CONNECTIONS, "imd_connections", GAUGE, 1,			\
	    "Stream connections open, by transport")			\
	F(CONNECTIONS_ACCEPTED, "imd_connections_accepted_total",	\
	    COUNTER, 1, "Stream connections accepted, by transport")	\
	F(CONNECTIONS_CLOSED, "imd_connections_closed_total", COUNTER,	\
	    1, "Stream connections closed by the server, by reason")	\
	F(TLS_FAILURES, "imd_tls_handshake_failures_total", COUNTER, 1, \
	    "TLS handshakes that failed")				\
	F(REFUSALS, "imd_refusals_total", COUNTER, 1,			\
	    "Connections and requests refused by a bound, by kind")	\
	F(METRICS_SCRAPES, "imd_metrics_scrapes_total", COUNTER, 1,	\
	    "HTTP requests to the metrics endpoint, by outcome")	\
	F(WORKER_HANDOFFS, "imd_listener_handoffs_total", COUNTER, 1,	\
	    "SIP messages and bytes a listener worker passed to another, "	\
	    "or dropped while the other's channel was full")	\
	F(PROCESS_CPU, "imd_process_cpu_seconds_total", COUNTER, 1000, \
	    "CPU time used, by process")				\
	F(PROCESS_MEMORY, "imd_process_resident_memory_bytes", GAUGE, 1, \
	    "Resident memory, by process")

/*
 * X(id, family, labels).  The SIP_REQ_ rows follow enum sip_method
 * (lib/sip.h) so that a method indexes them; lib/stats.c checks it.
 */
#define STATS_COUNTERS(X)						\
	X(SIP_REQ_OTHER, SIP_REQUESTS, "method=\"other\"")		\
	X(SIP_REQ_ACK, SIP_REQUESTS, "method=\"ACK\"")			\
	X(SIP_REQ_BYE, SIP_REQUESTS, "method=\"BYE\"")			\
	X(SIP_REQ_CANCEL, SIP_REQUESTS, "method=\"CANCEL\"")		\
	X(SIP_REQ_INFO, SIP_REQUESTS, "method=\"INFO\"")		\
	X(SIP_REQ_INVITE, SIP_REQUESTS, "method=\"INVITE\"")		\
	X(SIP_REQ_MESSAGE, SIP_REQUESTS, "method=\"MESSAGE\"")		\
	X(SIP_REQ_NOTIFY, SIP_REQUESTS, "method=\"NOTIFY\"")		\
	X(SIP_REQ_OPTIONS, SIP_REQUESTS, "method=\"OPTIONS\"")		\
	X(SIP_REQ_PRACK, SIP_REQUESTS, "method=\"PRACK\"")		\
	X(SIP_REQ_PUBLISH, SIP_REQUESTS, "method=\"PUBLISH\"")		\
	X(SIP_REQ_REFER, SIP_REQUESTS, "method=\"REFER\"")		\
	X(SIP_REQ_REGISTER, SIP_REQUESTS, "method=\"REGISTER\"")	\
	X(SIP_REQ_SUBSCRIBE, SIP_REQUESTS, "method=\"SUBSCRIBE\"")	\
	X(SIP_REQ_UPDATE, SIP_REQUESTS, "method=\"UPDATE\"")		\
	X(SIP_RESP_1XX, SIP_RESPONSES, "class=\"1xx\"")		\
	X(SIP_RESP_2XX, SIP_RESPONSES, "class=\"2xx\"")		\
	X(SIP_RESP_3XX, SIP_RESPONSES, "class=\"3xx\"")		\
	X(SIP_RESP_4XX, SIP_RESPONSES, "class=\"4xx\"")		\
	X(SIP_RESP_5XX, SIP_RESPONSES, "class=\"5xx\"")		\
	X(SIP_RESP_6XX, SIP_RESPONSES, "class=\"6xx\"")		\
	X(SIP_RECEIVED, SIP_RECEIVED, "")				\
	X(SIP_OVERSIZED, SIP_REJECTED, "reason=\"oversized\"")	\
	X(SIP_UNPARSABLE, SIP_REJECTED, "reason=\"unparsable\"")	\
	X(SIP_MALFORMED, SIP_REJECTED, "reason=\"malformed\"")	\
	X(SIP_RETRANSMISSIONS, SIP_RETRANSMISSIONS, "")		\
	X(SIP_TRANSACTIONS, SIP_TRANSACTIONS, "")			\
	X(SIP_DIALOGS, SIP_DIALOGS, "")				\
	X(BINDINGS, BINDINGS, "")					\
	X(SUBSCRIPTIONS, SUBSCRIPTIONS, "")				\
	X(OFFLINE, OFFLINE, "")					\
	X(RELAYED_OK, RELAYED, "outcome=\"answered_2xx\"")		\
	X(RELAYED_REFUSED, RELAYED, "outcome=\"answered_error\"")	\
	X(RELAYED_FAILED, RELAYED, "outcome=\"unreachable\"")		\
	X(AUTH_FAILURES, AUTH_FAILURES, "")				\
	X(AUTH_BANS, AUTH_BANS, "")					\
	X(CONNS_TCP, CONNECTIONS, "transport=\"tcp\"")			\
	X(CONNS_TLS, CONNECTIONS, "transport=\"tls\"")			\
	X(ACCEPTED_TCP, CONNECTIONS_ACCEPTED, "transport=\"tcp\"")	\
	X(ACCEPTED_TLS, CONNECTIONS_ACCEPTED, "transport=\"tls\"")	\
	X(CLOSED_FRAMING, CONNECTIONS_CLOSED, "reason=\"framing_error\"") \
	X(CLOSED_TIMEOUT, CONNECTIONS_CLOSED, "reason=\"timeout\"")	\
	X(TLS_FAILURES, TLS_FAILURES, "")				\
	X(REFUSED_CONN_CAP, REFUSALS, "kind=\"connection_cap\"")	\
	X(REFUSED_HELD, REFUSALS, "kind=\"held_requests\"")		\
	X(REFUSED_BANNED, REFUSALS, "kind=\"banned_source\"")		\
	X(REFUSED_INBOUND, REFUSALS, "kind=\"inbound_unverified\"")	\
	X(REFUSED_METRICS, REFUSALS, "kind=\"metrics_source\"")	\
	X(SCRAPES_OK, METRICS_SCRAPES, "outcome=\"served\"")		\
	X(SCRAPES_BAD, METRICS_SCRAPES, "outcome=\"bad_request\"")	\
	X(HANDOFF_MESSAGE, WORKER_HANDOFFS, "kind=\"message\"")	\
	X(HANDOFF_CONNECTION, WORKER_HANDOFFS, "kind=\"connection\"") \
	X(HANDOFF_DROPPED, WORKER_HANDOFFS, "kind=\"dropped\"")

#define STATS_FAMILY_ID(id, name, kind, scale, help)	STATS_F_##id,
enum stats_family {
	STATS_FAMILIES(STATS_FAMILY_ID)
	STATS_F_MAX
};
#undef STATS_FAMILY_ID

#define STATS_COUNTER_ID(id, family, labels)		STAT_##id,
enum stats_id {
	STATS_COUNTERS(STATS_COUNTER_ID)
	STAT_MAX
};
#undef STATS_COUNTER_ID

struct stats_family_def {
	const char	*sf_name;
	enum stats_kind	 sf_kind;
	uint32_t	 sf_scale;
	const char	*sf_help;
};

struct stats_counter_def {
	enum stats_family sc_family;
	const char	*sc_labels;
};

extern const struct stats_family_def	stats_families[STATS_F_MAX];
extern const struct stats_counter_def	stats_counters[STAT_MAX];
extern uint64_t				stats[STAT_MAX];

#define stats_inc(id)		(stats[(id)]++)
#define stats_add(id, n)	(stats[(id)] += (uint64_t)(int64_t)(n))
#define stats_set(id, v)	(stats[(id)] = (v))

/* One number as imctl and metricsd receive it from the parent. */
#define STATS_NAME_MAX		64
#define STATS_LABELS_MAX	64
#define STATS_HELP_MAX		128

struct stats_item {
	char		sti_name[STATS_NAME_MAX];
	char		sti_labels[STATS_LABELS_MAX];	/* k="v",... or "" */
	char		sti_help[STATS_HELP_MAX];
	uint32_t	sti_kind;	/* enum stats_kind */
	uint32_t	sti_scale;	/* the value is sti_value / sti_scale */
	uint64_t	sti_value;
};

/* A child's side. */
void	stats_count_response(const char *, size_t);
void	stats_before_answer(void (*)(void));
void	stats_answer(struct imsgev *, struct imsg *);

/* The parent's side: a child's answer, and the items it makes. */
int	stats_set_get(struct imsg *, uint64_t *);
void	stats_item_of(struct stats_item *, enum stats_family, const char *,
	    uint64_t);
int	stats_item_add(struct ibuf *, const struct stats_item *);
int	stats_item_get(struct imsg *, struct stats_item *);
void	stats_item_value(const struct stats_item *, char *, size_t);

#endif /* IMD_STATS_H */
