#!/usr/bin/env python3
# A 401/407 to a forged UDP source is all the forger gains: it must not
# be much more than the request.  A minimal MESSAGE over UDP from an
# unauthenticated sender gets one challenge (MD5, which every client
# answers) and no opaque: the answer is 1.65 times the request (at most
# 1.7 here), where it was 2.7 with two challenges and an opaque.  Lower
# it cannot go: it must echo Via, From, To, Call-ID and CSeq and carry
# a To tag and a nonce.  A request the size of a real client's gets
# every challenge and an answer no longer than itself; any request over
# TCP, whose source the handshake proved, gets every challenge.  One
# challenge is enough to authenticate.

import os, socket, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import (Answer, Suite, UA, ok, done, header, parse_response,
                     digest_params)

P = 26340
# SHA-256 offered first, so that a challenge can carry two
s = Suite("x.test", P, ["auth algorithms sha-256 md5"])
ok(s.start(), "x.test starts")
s.add_user("bob@x.test", "bobpw")
s.add_user("al@x.test", "alpw")

MINIMAL = (b"MESSAGE sip:bob@x.test SIP/2.0\r\n"
           b"Via: SIP/2.0/UDP 127.0.0.5:5060;branch=z9hG4bK1\r\n"
           b"Max-Forwards: 70\r\n"
           b"From: <sip:al@x.test>;tag=1\r\n"
           b"To: <sip:bob@x.test>\r\n"
           b"Call-ID: 1\r\n"
           b"CSeq: 1 MESSAGE\r\n"
           b"Content-Type: text/plain\r\n"
           b"Content-Length: 2\r\n\r\nhi")

# What a real client sends first: the same and what it says of itself.
CLIENT = MINIMAL.replace(b"Content-Type", b"".join([
    b"Contact: <sip:al@127.0.0.5:5060;transport=udp>;+sip.instance="
    b"\"<urn:uuid:8d3c1b8e-7f3a-4c1e-9a4b-0d0f6e2c5a11>\"\r\n",
    b"User-Agent: baresip v3.10.1 (x86_64/linux)\r\n",
    b"Allow: INVITE,ACK,BYE,CANCEL,OPTIONS,NOTIFY,SUBSCRIBE,INFO,MESSAGE,"
    b"UPDATE,REFER\r\n",
    b"Supported: replaces,norefersub,gruu\r\n",
    b"Accept: text/plain, message/cpim\r\n",
    b"Date: Sun, 06 Dec 2026 12:00:00 GMT\r\n",
    b"Content-Type"])).replace(b"branch=z9hG4bK1", b"branch=z9hG4bK2")

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.5", 5060))
u.settimeout(3)


def udp(req):
    u.sendto(req, ("127.0.0.1", P))
    data, _ = u.recvfrom(65536)
    return data, parse_response(data)


data, r = udp(MINIMAL)
ratio = len(data) / len(MINIMAL)
print("# minimal MESSAGE %d bytes, 407 %d bytes: %.2f" %
      (len(MINIMAL), len(data), ratio))
ok(r["status"] == 407, "minimal MESSAGE over UDP: 407")
ch = header(r, "proxy-authenticate")
ok(len(ch) == 1 and "algorithm=MD5" in ch[0],
   "one challenge, MD5's: %s" % ch)
ok(all("opaque" not in c for c in ch), "no opaque")
ok(ratio <= 1.7, "answer / request = %.2f <= 1.7 (it was 2.69)" % ratio)

data, r = udp(CLIENT)
ratio = len(data) / len(CLIENT)
print("# client-sized MESSAGE %d bytes, 407 %d bytes: %.2f" %
      (len(CLIENT), len(data), ratio))
algs = [digest_params(c).get("algorithm")
        for c in header(r, "proxy-authenticate")]
ok(algs == ["SHA-256", "MD5"], "a client-sized request gets both "
   "challenges, SHA-256 first: %s" % algs)
ok(ratio <= 1.0, "answer / request = %.2f <= 1.0" % ratio)

t = UA(("127.0.0.1", P), "tcp")
r = t.request("MESSAGE", "sip:bob@x.test", "sip:al@x.test",
              "sip:bob@x.test", ["Content-Type: text/plain"], b"hi")
algs = [digest_params(c).get("algorithm")
        for c in header(r, "proxy-authenticate")]
ok(algs == ["SHA-256", "MD5"], "over TCP, both challenges: %s" % algs)

# The one challenge is enough: answered, the MESSAGE goes through.
bob = UA(("127.0.0.1", P))
ok(bob.register("bob", "x.test", "bobpw")["status"] == 200,
   "bob registers")
ans = Answer(bob)
al = UA(("127.0.0.1", P))
r = al.request("MESSAGE", "sip:bob@x.test", "sip:al@x.test",
               "sip:bob@x.test", ["Content-Type: text/plain"], b"hi")
ch = header(r, "proxy-authenticate")
ok(r["status"] == 407 and len(ch) == 1,
   "al's small MESSAGE over UDP: one challenge")
auth = al.authorization(ch[0], "al", "alpw", "MESSAGE", "sip:bob@x.test",
                        proxy=True)
r = al.request("MESSAGE", "sip:bob@x.test", "sip:al@x.test",
               "sip:bob@x.test", ["Content-Type: text/plain", auth], b"hi")
ok(r["status"] == 200 and isinstance(ans.request(), dict),
   "answered with MD5, delivered")
ok(s.alive(), "x.test still runs")
done()
