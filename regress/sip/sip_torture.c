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
 * The RFC 4475 torture messages against the parser, one TAP line per
 * file ("expect DIR"), and the round trip parse, print, parse again
 * over any set of messages ("roundtrip FILE...").
 */

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip.h"
#include "tap.h"

#define MSG_MAX	65536

/*
 * Where our verdict differs from expect.tsv, and why.  test.dat is in
 * the RFC's archive but in no section: its request line has no
 * SIP-Version and it has neither Via nor CSeq, so it cannot be valid.
 */
static const struct {
	const char	*file;
	const char	*class;
	const char	*accept;
} overrides[] = {
	{ "test.dat", "reject", "400" },
};

static size_t
read_msg(const char *path, char *buf, size_t size)
{
	FILE	*f;
	size_t	 n;

	if ((f = fopen(path, "rb")) == NULL)
		err(1, "%s", path);
	n = fread(buf, 1, size, f);
	if (ferror(f) || n == size)
		errx(1, "%s: read error or too large", path);
	fclose(f);
	return n;
}

/* Parse, then validate: 0, or the status a receiver would answer. */
static unsigned int
judge(struct sip_msg *msg, const char *buf, size_t len, struct sip_err *e)
{
	struct sip_limits	lim;

	sip_limits_default(&lim);
	if (sip_parse(msg, buf, len, &lim, 0, e) == -1)
		return e->err_status;
	if (msg->msg_kind == SIP_REQUEST ?
	    sip_validate_request(msg, e) == -1 :
	    sip_validate_response(msg, e) == -1)
		return e->err_status;
	return 0;
}

static int
status_in(unsigned int status, const char *list)
{
	char	 code[16];
	size_t	 n;

	n = snprintf(code, sizeof(code), "%u", status);
	while (*list != '\0') {
		if (strncmp(list, code, n) == 0 &&
		    (list[n] == ',' || list[n] == '\0'))
			return 1;
		list += strcspn(list, ",");
		if (*list == ',')
			list++;
	}
	return 0;
}

/* The answer to a refused request must itself parse as a response. */
static int
answer_ok(const struct sip_msg *req, const struct sip_err *e)
{
	struct sip_reply	 rp;
	struct sip_msg		 rsp;
	struct sip_err		 e2;
	struct sip_out		 out;
	static char		 buf[MSG_MAX];

	memset(&rp, 0, sizeof(rp));
	rp.rp_status = e->err_status;
	rp.rp_reason = e->err_reason;
	rp.rp_totag = SIP_STR_LIT("t0rture");
	sip_out_init(&out, buf, sizeof(buf));
	if (sip_print_response(&out, req, &rp) == -1)
		return 0;
	return judge(&rsp, buf, out.len, &e2) == 0 ||
	    (rsp.msg_kind == SIP_RESPONSE && rsp.msg_status == e->err_status);
}

static void
check_reject(const char *file, const char *accept, unsigned int st,
    const struct sip_msg *msg, const struct sip_err *e)
{
	if (st == 0)
		TAP_OK(0, "%s: accepted, expected %s", file, accept);
	else if (!e->err_respond)
		TAP_OK(1, "%s: dropped (%u %s)", file, st, e->err_reason);
	else
		TAP_OK(status_in(st, accept) && answer_ok(msg, e),
		    "%s: %u %s", file, st, e->err_reason);
}

static void
check_one(const char *dir, const char *file, const char *class,
    const char *accept)
{
	static char	 buf[MSG_MAX];
	struct sip_msg	 msg;
	struct sip_err	 e;
	char		 path[1024];
	unsigned int	 st;
	size_t		 len;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	len = read_msg(path, buf, sizeof(buf));
	st = judge(&msg, buf, len, &e);
	if (strcmp(class, "valid") == 0)
		TAP_OK(st == 0 && msg.msg_kind == SIP_REQUEST, "%s: valid%s%s",
		    file, st ? ": " : "", st ? e.err_reason : "");
	else if (strcmp(class, "reject") == 0 || strcmp(class, "liberal") == 0)
		check_reject(file, accept, st, &msg, &e);
	else if (strcmp(class, "response") == 0)
		TAP_OK(msg.msg_kind == SIP_RESPONSE && (st == 0 ||
		    !e.err_respond), "%s: response, %s", file,
		    st ? e.err_reason : "accepted");
	else if (strcmp(class, "semantic") == 0)
		TAP_OK(st == 0 || (e.err_respond && status_in(st, accept) &&
		    answer_ok(&msg, &e)), "%s: well-formed, %u%s%s%s", file,
		    st, st ? " " : "", st ? e.err_reason : "",
		    st == 0 && strcmp(accept, "-") != 0 ?
		    " (the answer is the application's)" : "");
	else
		TAP_OK(0, "%s: unknown class %s", file, class);
}

static void
apply_override(const char *file, const char **class, const char **accept)
{
	size_t	i;

	for (i = 0; i < sizeof(overrides) / sizeof(overrides[0]); i++)
		if (strcmp(file, overrides[i].file) == 0) {
			*class = overrides[i].class;
			*accept = overrides[i].accept;
		}
}

static int
run_expect(const char *dir)
{
	char		 path[1024], line[512];
	const char	*f[5];
	char		*p;
	FILE		*tsv;
	int		 i;

	snprintf(path, sizeof(path), "%s/expect.tsv", dir);
	if ((tsv = fopen(path, "r")) == NULL)
		err(1, "%s", path);
	while (fgets(line, sizeof(line), tsv) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = '\0';
		for (i = 0, p = line; i < 5 && p != NULL; i++)
			f[i] = strsep(&p, "\t");
		if (i < 4 || f[3] == NULL)
			errx(1, "%s: bad line", path);
		apply_override(f[0], &f[2], &f[3]);
		check_one(dir, f[0], f[2], f[3]);
	}
	fclose(tsv);
	return TAP_DONE();
}

/* The same header values of one id, in the same order. */
static int
same_values(const struct sip_msg *a, const struct sip_msg *b,
    enum sip_hdr_id id)
{
	const struct sip_hdr	*ha, *hb;

	ha = sip_hdr_first(a, id);
	hb = sip_hdr_first(b, id);
	while (ha != NULL && hb != NULL) {
		if (!sip_str_eq(&ha->hdr_value, &hb->hdr_value))
			return 0;
		ha = sip_hdr_next(a, ha);
		hb = sip_hdr_next(b, hb);
	}
	return ha == hb;
}

static int
roundtrip_response(const struct sip_msg *req)
{
	static char		 buf[MSG_MAX];
	struct sip_limits	 lim;
	struct sip_reply	 rp;
	struct sip_msg		 rsp;
	struct sip_addr		 to;
	struct sip_err		 e;
	struct sip_out		 out;
	const struct sip_hdr	*h;

	memset(&rp, 0, sizeof(rp));
	rp.rp_status = 200;
	rp.rp_reason = "OK";
	rp.rp_totag = SIP_STR_LIT("rt1");
	rp.rp_extra = SIP_STR_LIT("Server: imd\r\n");
	sip_limits_default(&lim);
	sip_out_init(&out, buf, sizeof(buf));
	if (sip_print_response(&out, req, &rp) == -1 ||
	    sip_parse(&rsp, buf, out.len, &lim, SIP_PARSE_STREAM, &e) == -1 ||
	    sip_validate_response(&rsp, &e) == -1)
		return 0;
	h = sip_hdr_first(&rsp, SIP_HDR_TO);
	return rsp.msg_status == 200 && same_values(req, &rsp, SIP_HDR_VIA) &&
	    same_values(req, &rsp, SIP_HDR_FROM) &&
	    same_values(req, &rsp, SIP_HDR_CALL_ID) &&
	    same_values(req, &rsp, SIP_HDR_CSEQ) &&
	    sip_addr_parse(h->hdr_value.s, SIP_STR_END(&h->hdr_value),
	    &to) == 0 && to.addr_tag.len > 0;
}

static int
roundtrip_request(const struct sip_msg *req)
{
	static char		 buf[MSG_MAX];
	struct sip_limits	 lim;
	struct sip_fwd		 fw;
	struct sip_msg		 fwd;
	struct sip_via		 via;
	struct sip_iter		 it;
	struct sip_str		 top;
	struct sip_err		 e;
	struct sip_out		 out;

	memset(&fw, 0, sizeof(fw));
	fw.fw_via = SIP_STR_LIT("SIP/2.0/TCP proxy.test:5060");
	fw.fw_branch = SIP_STR_LIT("z9hG4bKrt1");
	sip_limits_default(&lim);
	sip_out_init(&out, buf, sizeof(buf));
	if (sip_print_request(&out, req, &fw) == -1 ||
	    sip_parse(&fwd, buf, out.len, &lim, SIP_PARSE_STREAM, &e) == -1 ||
	    sip_validate_request(&fwd, &e) == -1)
		return 0;
	sip_iter_init(&it, &fwd, SIP_HDR_VIA);
	return sip_iter_next(&it, &top) == 1 &&
	    sip_via_parse(top.s, SIP_STR_END(&top), &via) == 0 &&
	    sip_str_eq(&via.via_branch, &fw.fw_branch) &&
	    sip_str_eq(&fwd.msg_body, &req->msg_body) &&
	    sip_str_eq(&fwd.msg_ruri, &req->msg_ruri) &&
	    sip_hdr_count(&fwd, SIP_HDR_MAX_FORWARDS) == 1 &&
	    sip_hdr_count(&fwd, SIP_HDR_VIA) == sip_hdr_count(req,
	    SIP_HDR_VIA) + 1;
}

static int
maxfwd_zero(const struct sip_msg *req)
{
	const struct sip_hdr	*h;
	unsigned int		 mf;

	h = sip_hdr_first(req, SIP_HDR_MAX_FORWARDS);
	return h != NULL && sip_maxfwd_parse(h->hdr_value.s,
	    SIP_STR_END(&h->hdr_value), &mf) == 0 && mf == 0;
}

static int
run_roundtrip(int argc, char **argv)
{
	static char		 buf[MSG_MAX];
	struct sip_msg		 req;
	struct sip_err		 e;
	const char		*name;
	size_t			 len;
	int			 i;

	for (i = 0; i < argc; i++) {
		name = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 :
		    argv[i];
		len = read_msg(argv[i], buf, sizeof(buf));
		if (judge(&req, buf, len, &e) != 0) {
			printf("ok %d - %s # SKIP refused: %s\n", ++tap_n, name,
			    e.err_reason);
			continue;
		}
		if (req.msg_kind == SIP_RESPONSE) {
			TAP_OK(1, "%s: response parses and validates", name);
			continue;
		}
		TAP_OK(roundtrip_response(&req), "%s: response round trip",
		    name);
		if (maxfwd_zero(&req))
			TAP_OK(!roundtrip_request(&req),
			    "%s: Max-Forwards 0 is not forwarded", name);
		else
			TAP_OK(roundtrip_request(&req),
			    "%s: request round trip", name);
	}
	return TAP_DONE();
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "expect") == 0)
		return run_expect(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "roundtrip") == 0)
		return run_roundtrip(argc - 2, argv + 2);
	fprintf(stderr, "usage: sip_torture expect dir | roundtrip file...\n");
	return 2;
}
