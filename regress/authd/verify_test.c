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
 * Unit tests of authd/verify.c, TAP on standard output: the RFC 7616
 * and RFC 2069 examples, every field that must change the answer, and
 * the challenge text.
 */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <string.h>

#include "verify.h"
#include "tap.h"

#define RFC7616_MD5	"8ca523f5e9506fed4657c9700eebdbec"
#define RFC7616_SHA256	"753927fa0e85d155564e2e272a28d1802ca10daf" \
			"4496794697cf8db5856cb6c1"
#define RFC2069_MD5	"1949323746fe6a43ef61f9606e7febea"

static char	ha1_md5[DIGEST_HEX_MAX], ha1_sha256[DIGEST_HEX_MAX];

static void	set(char *, size_t, const char *);
static void	rfc7616(struct digest_req *, enum digest_alg);
static void	rfc2069(struct digest_req *, char *, size_t);
static int	verify_md5(const struct digest_req *);
static void	test_vectors(void);
static void	test_algorithm(void);
static void	test_wrong(void);
static void	test_nc(void);
static void	test_qop(void);
static void	test_bounds(void);
static void	test_rfc2069(void);
static void	test_alg_parse(void);
static void	test_nc_parse(void);
static void	test_challenge(void);
static void	test_challenge_bad(void);

#define SET(f, s)	set((f), sizeof(f), (s))

static void
set(char *field, size_t size, const char *s)
{
	if (strlcpy(field, s, size) >= size)
		errx(1, "test value too long: %s", s);
}

/* RFC 7616 section 3.9.1. */
static void
rfc7616(struct digest_req *dr, enum digest_alg alg)
{
	memset(dr, 0, sizeof(*dr));
	SET(dr->dr_username, "Mufasa");
	SET(dr->dr_realm, "http-auth@example.org");
	SET(dr->dr_nonce, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
	SET(dr->dr_uri, "/dir/index.html");
	SET(dr->dr_cnonce, "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");
	SET(dr->dr_opaque, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
	SET(dr->dr_qop, "auth");
	SET(dr->dr_nc, "00000001");
	SET(dr->dr_method, "GET");
	if (alg == DIGEST_SHA256) {
		SET(dr->dr_algorithm, "SHA-256");
		SET(dr->dr_response, RFC7616_SHA256);
	} else {
		SET(dr->dr_algorithm, "MD5");
		SET(dr->dr_response, RFC7616_MD5);
	}
}

/* The example credentials of RFC 2069: no qop, no cnonce, no nc. */
static void
rfc2069(struct digest_req *dr, char *ha1, size_t ha1size)
{
	memset(dr, 0, sizeof(*dr));
	SET(dr->dr_username, "Mufasa");
	SET(dr->dr_realm, "testrealm@host.com");
	SET(dr->dr_nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
	SET(dr->dr_uri, "/dir/index.html");
	SET(dr->dr_opaque, "5ccc069c403ebaf9f0171e9517f40e41");
	SET(dr->dr_method, "GET");
	SET(dr->dr_response, RFC2069_MD5);
	if (digest_ha1(DIGEST_MD5, "Mufasa", "testrealm@host.com",
	    "CircleOfLife", ha1, ha1size) == -1)
		errx(1, "digest_ha1");
}

static int
verify_md5(const struct digest_req *dr)
{
	return (digest_verify(dr, ha1_md5, DIGEST_MD5));
}

static void
test_vectors(void)
{
	struct digest_req	dr;

	rfc7616(&dr, DIGEST_MD5);
	TAP_OK(digest_verify(&dr, ha1_md5, DIGEST_MD5) == 0,
	    "RFC 7616 3.9.1 MD5 example verifies");
	rfc7616(&dr, DIGEST_SHA256);
	TAP_OK(digest_verify(&dr, ha1_sha256, DIGEST_SHA256) == 0,
	    "RFC 7616 3.9.1 SHA-256 example verifies");
	rfc7616(&dr, DIGEST_MD5);
	TAP_OK(digest_verify(&dr, ha1_sha256, DIGEST_SHA256) == -1,
	    "an MD5 response is refused against a SHA-256 HA1");
	rfc7616(&dr, DIGEST_SHA256);
	TAP_OK(digest_verify(&dr, ha1_md5, DIGEST_MD5) == -1,
	    "algorithm=SHA-256 is refused against an MD5 HA1");
	SET(dr.dr_algorithm, "MD5");
	TAP_OK(digest_verify(&dr, ha1_md5, DIGEST_MD5) == -1,
	    "a SHA-256 response is refused as MD5");
}

static void
test_algorithm(void)
{
	struct digest_req	dr;
	size_t			i;

	rfc7616(&dr, DIGEST_MD5);
	SET(dr.dr_algorithm, "");
	TAP_OK(verify_md5(&dr) == 0, "no algorithm means MD5");
	SET(dr.dr_algorithm, "md5");
	TAP_OK(verify_md5(&dr) == 0, "algorithm=md5 in lower case");
	rfc7616(&dr, DIGEST_SHA256);
	SET(dr.dr_algorithm, "sha-256");
	TAP_OK(digest_verify(&dr, ha1_sha256, DIGEST_SHA256) == 0,
	    "algorithm=sha-256 in lower case");
	for (i = 0; dr.dr_response[i] != '\0'; i++)
		if (dr.dr_response[i] >= 'a' && dr.dr_response[i] <= 'f')
			dr.dr_response[i] -= 'a' - 'A';
	TAP_OK(digest_verify(&dr, ha1_sha256, DIGEST_SHA256) == 0,
	    "a response in upper-case hex");
	rfc7616(&dr, DIGEST_MD5);
	SET(dr.dr_algorithm, "MD5-sess");
	TAP_OK(verify_md5(&dr) == -1, "algorithm=MD5-sess is refused");
	TAP_OK(digest_verify(&dr, ha1_md5, (enum digest_alg)7) == -1,
	    "an unknown enum digest_alg is refused");
}

static void
test_wrong(void)
{
	struct digest_req	dr;
	char			ha1[DIGEST_HEX_MAX];

	if (digest_ha1(DIGEST_MD5, "Mufasa", "http-auth@example.org",
	    "Circle Of Life", ha1, sizeof(ha1)) == -1)
		errx(1, "digest_ha1");
	rfc7616(&dr, DIGEST_MD5);
	TAP_OK(digest_verify(&dr, ha1, DIGEST_MD5) == -1,
	    "the wrong password is refused");
	SET(dr.dr_uri, "/dir/index.htm");
	TAP_OK(verify_md5(&dr) == -1, "the wrong uri is refused");
	rfc7616(&dr, DIGEST_MD5);
	TAP_OK(verify_md5(&dr) == 0 && verify_md5(&dr) == 0,
	    "the right uri after it is accepted, twice (HA2 remembered)");
	SET(dr.dr_uri, "/dir/index.htm");
	TAP_OK(verify_md5(&dr) == -1, "and the wrong one refused again");
	rfc7616(&dr, DIGEST_MD5);
	rfc7616(&dr, DIGEST_MD5);
	SET(dr.dr_method, "POST");
	TAP_OK(verify_md5(&dr) == -1, "the wrong method is refused");
	rfc7616(&dr, DIGEST_MD5);
	SET(dr.dr_method, "get");
	TAP_OK(verify_md5(&dr) == -1, "the method is case-sensitive");
	rfc7616(&dr, DIGEST_MD5);
	dr.dr_nonce[0] = '8';
	TAP_OK(verify_md5(&dr) == -1, "the wrong nonce is refused");
	rfc7616(&dr, DIGEST_MD5);
	dr.dr_cnonce[0] = 'g';
	TAP_OK(verify_md5(&dr) == -1, "the wrong cnonce is refused");
	rfc7616(&dr, DIGEST_MD5);
	SET(dr.dr_nc, "00000002");
	TAP_OK(verify_md5(&dr) == -1, "the wrong nc is refused");
	rfc7616(&dr, DIGEST_MD5);
	dr.dr_response[31] = dr.dr_response[31] == '0' ? '1' : '0';
	TAP_OK(verify_md5(&dr) == -1, "a response one digit off is refused");
}

static void
test_nc(void)
{
	struct digest_req	dr;

	rfc7616(&dr, DIGEST_MD5);
	SET(dr.dr_nc, "0000001");
	TAP_OK(verify_md5(&dr) == -1, "an nc of 7 digits is refused");
	SET(dr.dr_nc, "0000000g");
	TAP_OK(verify_md5(&dr) == -1, "an nc with a non-hex digit is refused");
	SET(dr.dr_nc, "00000000");
	TAP_OK(verify_md5(&dr) == -1, "nc 00000000 is refused");
	SET(dr.dr_nc, "");
	TAP_OK(verify_md5(&dr) == -1, "qop without nc is refused");
	memset(dr.dr_nc, '1', sizeof(dr.dr_nc));
	TAP_OK(verify_md5(&dr) == -1, "an unterminated nc is refused");
}

static void
test_qop(void)
{
	struct digest_req	dr;

	rfc7616(&dr, DIGEST_MD5);
	SET(dr.dr_qop, "auth-int");
	TAP_OK(verify_md5(&dr) == -1, "qop=auth-int is refused");
	SET(dr.dr_qop, "AUTH");
	TAP_OK(verify_md5(&dr) == -1, "qop=AUTH is refused");
	SET(dr.dr_qop, "auth,auth-int");
	TAP_OK(verify_md5(&dr) == -1, "a list of qop values is refused");
	rfc7616(&dr, DIGEST_MD5);
	SET(dr.dr_cnonce, "");
	TAP_OK(verify_md5(&dr) == -1, "qop without cnonce is refused");
}

static void
test_bounds(void)
{
	struct digest_req	dr;
	char			ha1[DIGEST_HEX_MAX];
	size_t			i;

	rfc7616(&dr, DIGEST_MD5);
	memset(dr.dr_uri, 'a', sizeof(dr.dr_uri));
	TAP_OK(verify_md5(&dr) == -1, "an unterminated uri is refused");
	rfc7616(&dr, DIGEST_MD5);
	memset(dr.dr_username, 'a', sizeof(dr.dr_username));
	TAP_OK(verify_md5(&dr) == -1, "an unterminated username is refused");
	rfc7616(&dr, DIGEST_MD5);
	SET(dr.dr_username, "");
	TAP_OK(verify_md5(&dr) == -1, "an empty username is refused");
	rfc7616(&dr, DIGEST_MD5);
	dr.dr_response[31] = '\0';
	TAP_OK(verify_md5(&dr) == -1, "a response one digit short is refused");
	rfc7616(&dr, DIGEST_MD5);
	dr.dr_response[5] = 'x';
	TAP_OK(verify_md5(&dr) == -1, "a non-hex response is refused");
	rfc7616(&dr, DIGEST_MD5);
	SET(ha1, ha1_md5);
	for (i = 0; ha1[i] != '\0'; i++)
		if (ha1[i] >= 'a' && ha1[i] <= 'f')
			ha1[i] -= 'a' - 'A';
	TAP_OK(digest_verify(&dr, ha1, DIGEST_MD5) == -1,
	    "an HA1 in upper case is refused");
	ha1[31] = '\0';
	TAP_OK(digest_verify(&dr, ha1, DIGEST_MD5) == -1,
	    "an HA1 one digit short is refused");
	TAP_OK(digest_verify(&dr, ha1_sha256, DIGEST_MD5) == -1,
	    "an HA1 of the wrong length is refused");
}

static void
test_rfc2069(void)
{
	struct digest_req	dr;
	char			ha1[DIGEST_HEX_MAX];
	uint32_t		nc;

	rfc2069(&dr, ha1, sizeof(ha1));
	TAP_OK(digest_verify(&dr, ha1, DIGEST_MD5) == 0,
	    "RFC 2069 example without qop verifies");
	TAP_OK(digest_req_nc(&dr, &nc) == 0 && nc == 1,
	    "without qop the count to record is 1");
	SET(dr.dr_uri, "/");
	TAP_OK(digest_verify(&dr, ha1, DIGEST_MD5) == -1,
	    "RFC 2069 form with the wrong uri is refused");
	rfc2069(&dr, ha1, sizeof(ha1));
	SET(dr.dr_nc, "00000001");
	TAP_OK(digest_verify(&dr, ha1, DIGEST_MD5) == -1,
	    "nc without qop is refused");
	rfc2069(&dr, ha1, sizeof(ha1));
	SET(dr.dr_cnonce, "0a4f113b");
	TAP_OK(digest_verify(&dr, ha1, DIGEST_MD5) == -1,
	    "cnonce without qop is refused");
}

static void
test_alg_parse(void)
{
	enum digest_alg	alg;

	TAP_OK(digest_alg_parse(NULL, &alg) == 0 && alg == DIGEST_MD5,
	    "digest_alg_parse(NULL) is MD5");
	TAP_OK(digest_alg_parse("", &alg) == 0 && alg == DIGEST_MD5,
	    "digest_alg_parse(\"\") is MD5");
	TAP_OK(digest_alg_parse("Md5", &alg) == 0 && alg == DIGEST_MD5,
	    "digest_alg_parse(\"Md5\") is MD5");
	TAP_OK(digest_alg_parse("SHA-256", &alg) == 0 &&
	    alg == DIGEST_SHA256, "digest_alg_parse(\"SHA-256\")");
	TAP_OK(digest_alg_parse("sha-256", &alg) == 0 &&
	    alg == DIGEST_SHA256, "digest_alg_parse(\"sha-256\")");
	TAP_OK(digest_alg_parse("SHA256", &alg) == -1,
	    "digest_alg_parse(\"SHA256\") fails");
	TAP_OK(digest_alg_parse("SHA-256-sess", &alg) == -1,
	    "digest_alg_parse(\"SHA-256-sess\") fails");
	TAP_OK(digest_alg_parse("SHA-512-256", &alg) == -1,
	    "digest_alg_parse(\"SHA-512-256\") fails");
	TAP_OK(strcmp(digest_alg_name(DIGEST_SHA256), "SHA-256") == 0 &&
	    strcmp(digest_alg_name(DIGEST_MD5), "MD5") == 0,
	    "digest_alg_name gives the RFC names");
}

static void
test_nc_parse(void)
{
	uint32_t	nc;

	TAP_OK(digest_nc_parse("00000001", &nc) == 0 && nc == 1,
	    "nc 00000001 is 1");
	TAP_OK(digest_nc_parse("ffffffff", &nc) == 0 && nc == UINT32_MAX,
	    "nc ffffffff is the largest");
	TAP_OK(digest_nc_parse("0000ABCD", &nc) == 0 && nc == 0xabcd,
	    "nc in upper-case hex");
	TAP_OK(digest_nc_parse("000000001", &nc) == -1,
	    "nc of 9 digits fails");
	TAP_OK(digest_nc_parse("", &nc) == -1, "empty nc fails");
	TAP_OK(digest_nc_parse("+0000001", &nc) == -1, "signed nc fails");
	TAP_OK(digest_nc_parse(" 0000001", &nc) == -1,
	    "nc with a space fails");
	TAP_OK(digest_nc_parse("0x000001", &nc) == -1,
	    "nc with a 0x prefix fails");
}

static void
test_challenge(void)
{
	char	buf[DIGEST_CHALLENGE_MAX];
	int	n;

	TAP_OK(digest_challenge(buf, sizeof(buf), "site1.test", "abc",
	    "xyz", DIGEST_SHA256, 0) == 0 && strcmp(buf,
	    "Digest realm=\"site1.test\", nonce=\"abc\", opaque=\"xyz\", "
	    "algorithm=SHA-256, qop=\"auth\"") == 0,
	    "a SHA-256 challenge with opaque");
	TAP_OK(digest_challenge(buf, sizeof(buf), "site1.test", "abc",
	    NULL, DIGEST_MD5, 1) == 0 && strcmp(buf,
	    "Digest realm=\"site1.test\", nonce=\"abc\", "
	    "algorithm=MD5, qop=\"auth\", stale=true") == 0,
	    "a stale MD5 challenge without opaque");
	TAP_OK(digest_challenge(buf, sizeof(buf), "site1.test", "abc",
	    "", DIGEST_MD5, 0) == 0 && strstr(buf, "opaque") == NULL,
	    "an empty opaque is left out");
	n = snprintf(buf, sizeof(buf), "Digest realm=\"r\", nonce=\"n\", "
	    "algorithm=MD5, qop=\"auth\"");
	TAP_OK(digest_challenge(buf, n, "r", "n", NULL, DIGEST_MD5, 0) == -1,
	    "a buffer one byte short fails");
	TAP_OK(digest_challenge(buf, n + 1, "r", "n", NULL, DIGEST_MD5,
	    0) == 0, "a buffer of the exact size is enough");
}

static void
test_challenge_bad(void)
{
	char	buf[DIGEST_CHALLENGE_MAX];

	TAP_OK(digest_challenge(buf, sizeof(buf), "a\"b", "n", NULL,
	    DIGEST_MD5, 0) == -1, "a realm with a quote fails");
	TAP_OK(digest_challenge(buf, sizeof(buf), "r", "n\\", NULL,
	    DIGEST_MD5, 0) == -1, "a nonce with a backslash fails");
	TAP_OK(digest_challenge(buf, sizeof(buf), "r", "n", "o\r\nX: y",
	    DIGEST_MD5, 0) == -1, "an opaque with CRLF fails");
	TAP_OK(digest_challenge(buf, sizeof(buf), "", "n", NULL,
	    DIGEST_MD5, 0) == -1, "an empty realm fails");
	TAP_OK(digest_challenge(buf, sizeof(buf), "r", "", NULL,
	    DIGEST_MD5, 0) == -1, "an empty nonce fails");
	TAP_OK(digest_challenge(buf, sizeof(buf), "r", "n", NULL,
	    (enum digest_alg)7, 0) == -1, "an unknown algorithm fails");
}

int
main(void)
{
	if (digest_ha1(DIGEST_MD5, "Mufasa", "http-auth@example.org",
	    "Circle of Life", ha1_md5, sizeof(ha1_md5)) == -1 ||
	    digest_ha1(DIGEST_SHA256, "Mufasa", "http-auth@example.org",
	    "Circle of Life", ha1_sha256, sizeof(ha1_sha256)) == -1)
		errx(1, "digest_ha1");
	test_vectors();
	test_algorithm();
	test_wrong();
	test_nc();
	test_qop();
	test_bounds();
	test_rfc2069();
	test_alg_parse();
	test_nc_parse();
	test_challenge();
	test_challenge_bad();
	return (TAP_DONE());
}
