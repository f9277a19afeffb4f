#!/usr/bin/env python3
# TLS hardening.  The listener speaks only Mozilla's "intermediate"
# suites: a TLS 1.2 client offering static RSA or CBC with SHA-1 fails
# the handshake, ECDHE and DHE with AES-GCM and TLS 1.3 succeed.
# relayd offers the same: a peer that takes only AES128-SHA finds no
# shared cipher.  And RFC 5922 7.2: a wildcard certificate never names
# a SIP domain, neither for relaying (503) nor for `inbound
# tls-verified` (403), where a certificate naming the domain exactly
# passes.

import os, subprocess, sys, tempfile, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import (Answer, Suite, UA, ok, done, message_auth, make_ca,
                     make_cert, tls_listen)

P = 26330
tmp = tempfile.TemporaryDirectory(prefix="imd-sec-tls.")
ca = make_ca(tmp.name)
cert_x = make_cert(tmp.name, "x", ["x.test"])
cert_wild = make_cert(tmp.name, "wild", ["*.lab.test"])
cert_z = make_cert(tmp.name, "z", ["z.lab.test"])
cert_w = make_cert(tmp.name, "w", ["w.lab.test"])


def route(domain, addr, port=P + 1):
    return 'route "%s" via %s port %d tls' % (domain, addr, port)


sx = Suite("x.test", P, [
    tls_listen("127.0.0.1", P + 1, cert_x), 'tls ca "%s"' % ca,
    "inbound tls-verified", route("y.lab.test", "127.0.0.2"),
    route("z.lab.test", "127.0.0.3"), route("w.lab.test", "127.0.0.4", P + 9)])
sy = Suite("y.lab.test", P, [tls_listen("127.0.0.2", P + 1, cert_wild),
                             'tls ca "%s"' % ca, "inbound tls-verified"],
           addr="127.0.0.2")
sz = Suite("z.lab.test", P, [tls_listen("127.0.0.3", P + 1, cert_z),
                             'tls ca "%s"' % ca, "inbound tls-verified"],
           addr="127.0.0.3")
for s in (sx, sy, sz):
    ok(s.start(), "%s starts" % s.domain)
sx.add_user("a@x.test", "apw")
sy.add_user("b@y.lab.test", "bpw")
sz.add_user("c@z.lab.test", "cpw")


def s_client(*args):
    """openssl s_client against x.test's TLS port: (handshake done,
    what it printed)."""
    r = subprocess.run(["openssl", "s_client", "-connect",
                        "127.0.0.1:%d" % (P + 1), "-brief"] + list(args),
                       input=b"", capture_output=True, timeout=20)
    out = (r.stdout + r.stderr).decode(errors="replace")
    return "Protocol version" in out and r.returncode == 0, out


for cipher, what in (("AES128-SHA", "static RSA, CBC, SHA-1"),
                     ("AES128-GCM-SHA256", "static RSA with AES-GCM"),
                     ("ECDHE-RSA-AES128-SHA", "ECDHE with CBC and SHA-1"),
                     ("DHE-RSA-AES256-SHA256", "DHE with CBC")):
    shook, out = s_client("-tls1_2", "-cipher", cipher)
    ok(not shook, "TLS 1.2 %s (%s): refused" % (cipher, what)) or \
        print("# " + out.replace("\n", "\n# "))
for cipher in ("ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-CHACHA20-POLY1305",
               "DHE-RSA-AES128-GCM-SHA256"):
    shook, out = s_client("-tls1_2", "-cipher", cipher)
    ok(shook and cipher in out, "TLS 1.2 %s: accepted" % cipher) or \
        print("# " + out.replace("\n", "\n# "))
shook, out = s_client("-tls1_3")
ok(shook and "TLSv1.3" in out, "TLS 1.3 with its default suites: accepted")
shook, out = s_client("-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256",
                      "-groups", "secp521r1")
ok(not shook, "TLS 1.2 ECDHE on secp521r1, no group of ours: refused")

# relayd's side: a peer that takes nothing but AES128-SHA.
log = os.path.join(tmp.name, "s_server.log")
with open(log, "w") as f:
    srv = subprocess.Popen(["openssl", "s_server", "-accept",
                            "127.0.0.4:%d" % (P + 9), "-tls1_2", "-cipher",
                            "AES128-SHA", "-cert", cert_w[0], "-key",
                            cert_w[1], "-naccept", "1"],
                           stdin=subprocess.PIPE, stdout=f, stderr=f)
try:
    time.sleep(0.5)
    try:	# the answer comes after relayd's retries: not waited for
        message_auth(UA(("127.0.0.1", P)), "a", "x.test", "apw",
                     "sip:w@w.lab.test", b"x")
    except TimeoutError:
        pass
    srv.wait(5)
except subprocess.TimeoutExpired:
    pass
finally:
    if srv.poll() is None:
        srv.kill()
        srv.wait()
text = open(log).read()
ok("CIPHER is" not in text and "no shared cipher" in text,
   "relayd offers no AES128-SHA: a peer with nothing else has no "
   "handshake") or print("# " + text.replace("\n", "\n# "))

# RFC 5922 7.2: relaying to a domain whose certificate is *.lab.test.
b = UA(("127.0.0.2", P), bind="127.0.0.2")
ok(b.register("b", "y.lab.test", "bpw")["status"] == 200, "b registers")
ans = Answer(b)
r = message_auth(UA(("127.0.0.1", P)), "a", "x.test", "apw",
                 "sip:b@y.lab.test", b"to a wildcard")
ok(r["status"] == 503 and ans.request(0.5) is None,
   "relaying to y.lab.test, certificate *.lab.test: 503 (%d)" % r["status"])
c = UA(("127.0.0.3", P), bind="127.0.0.3")
ok(c.register("c", "z.lab.test", "cpw")["status"] == 200, "c registers")
ans = Answer(c)
r = message_auth(UA(("127.0.0.1", P)), "a", "x.test", "apw",
                 "sip:c@z.lab.test", b"to z")
ok(r["status"] == 200 and isinstance(ans.request(), dict),
   "relaying to z.lab.test, certificate z.lab.test: delivered")

# inbound tls-verified at x.test.
a = UA(("127.0.0.1", P))
ok(a.register("a", "x.test", "apw")["status"] == 200, "a registers")
r = UA(("127.0.0.1", P + 1), "tls", bind="127.0.0.2", cert=cert_wild).request(
    "MESSAGE", "sip:a@x.test", "sip:b@y.lab.test", "sip:a@x.test",
    ["Content-Type: text/plain"], b"wildcard")
ok(r["status"] == 403, "inbound from y.lab.test with *.lab.test: 403 (%d)"
   % r["status"])
ans = Answer(a)
r = UA(("127.0.0.1", P + 1), "tls", bind="127.0.0.3", cert=cert_z).request(
    "MESSAGE", "sip:a@x.test", "sip:c@z.lab.test", "sip:a@x.test",
    ["Content-Type: text/plain"], b"exact")
req = ans.request()
ok(r["status"] == 200 and isinstance(req, dict) and req["body"] == b"exact",
   "inbound from z.lab.test with z.lab.test: delivered (%d)" % r["status"])
for s in (sx, sy, sz):
    ok(s.alive(), "%s still runs" % s.domain)
done()
