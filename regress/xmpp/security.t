#!/usr/bin/python3
# Debian's python3, as the other XMPP tests.
#
# What a stranger can do to xmppd's server-to-server port, spoken raw:
# garbage, a stanza over `xmpp limit stanza-size`, a billion-laughs
# document (a DOCTYPE: restricted XML), a stanza before STARTTLS, each
# ends its stream (with the stream error RFC 6120 names) and the suite
# keeps serving; a peer whose certificate names another domain is
# refused SASL EXTERNAL, one whose certificate names its domain is
# taken (the same client: the test can fail); Server Dialback is
# refused under `xmpp dialback no`, and both refusals are logged with
# their reason; streams over `xmpp limit connections` and over
# `xmpp limit connections-per-domain` are closed.

import base64, os, re, socket, ssl, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import (Suite, ok, done, make_ca, make_cert, tls_listen,
                     children)

PORT = 25720
XMPP = ("127.0.0.1", 25269)
HEADER = ("<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
          "xmlns:stream='http://etherx.jabber.org/streams' "
          "from='%s' to='a.test' version='1.0'>")

s = Suite("a.test", PORT)
d = s.dir
ca = make_ca(d)
cert_a = make_cert(d, "a.test", ["a.test"])
cert_b = make_cert(d, "b.test", ["b.test"])
cert_evil = make_cert(d, "evil.test", ["evil.test"])
with open(s.conf, "a") as f:
    f.write('tls ca "%s"\n%s\nxmpp listen on 127.0.0.1 port %d\n'
            "xmpp limit stanza-size 4096\nxmpp limit connections 8\n"
            "xmpp dialback no\n" % (ca, tls_listen("127.0.0.1", PORT + 1,
                                                   cert_a), XMPP[1]))
ok(s.start(), "the suite starts with xmpp listen, stanza-size 4096")
xmppd = children(s.proc.pid).get("xmppd")
ok(xmppd is not None, "xmppd runs: pid %s" % xmppd)


def recv_until(c, pattern, timeout=5):
    """What c sends until pattern matches or it closes; (data, closed)."""
    c.settimeout(timeout)
    data = b""
    end = time.time() + timeout
    while time.time() < end:
        if re.search(pattern, data):
            return data, False
        try:
            b = c.recv(65536)
        except (socket.timeout, ssl.SSLError, OSError):
            break
        if not b:
            return data, True
        data += b
    return data, False


def closed_after(c, timeout=5):
    _, closed = recv_until(c, b"(?!x)x", timeout)
    return closed


def plain(frm="b.test"):
    c = socket.create_connection(XMPP, 3)
    c.sendall((HEADER % frm).encode())
    data, _ = recv_until(c, rb"</stream:features>")
    return c, data


def serving():
    c, data = plain()
    good = b"<starttls" in data
    c.close()
    return good and s.alive()


def tls_stream(cert, frm="b.test"):
    """STARTTLS with cert as client certificate; then the new stream's
    features.  (socket, features)."""
    c, data = plain(frm)
    c.sendall(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    data, _ = recv_until(c, rb"<proceed")
    ctx = ssl.create_default_context(cafile=ca)
    ctx.load_cert_chain(cert[0], cert[1])
    ctx.check_hostname = True
    t = ctx.wrap_socket(c, server_hostname="a.test")
    t.sendall((HEADER % frm).encode())
    data, _ = recv_until(t, rb"</stream:features>")
    return t, data


# Garbage.
c = socket.create_connection(XMPP, 3)
c.sendall(b"\x16\x03\x01 GET / HTTP/1.0\r\n\r\n<<<>>>")
data, closed = recv_until(c, rb"</stream:stream>")
ok(b"not-well-formed" in data, "garbage: <not-well-formed/> stream error")
ok(closed or closed_after(c), "and the connection is closed")
ok(serving(), "xmppd still serves a new stream")

# An oversized stanza: 10000 bytes of text in one element.
c, _ = plain()
c.sendall(b"<message to='x@a.test'><body>" + b"x" * 10000)
data, closed = recv_until(c, rb"</stream:stream>")
ok(b"policy-violation" in data, "a stanza over 4096 bytes: "
   "<policy-violation/>")
ok(closed or closed_after(c), "and the connection is closed")
# Never-ending attribute: no event at all, input held by expat.
c, _ = plain()
c.sendall(b"<message to='" + b"y" * 10000)
data, closed = recv_until(c, rb"</stream:stream>")
ok(b"policy-violation" in data, "an endless tag over 4096 bytes: "
   "<policy-violation/>")
ok(serving(), "xmppd still serves")

# Billion laughs: a DOCTYPE with nested entities before the stream.
lol = ("<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>" +
       "".join("<!ENTITY lol%d '%s'>" % (i, ("&lol%d;" % (i - 1) if i > 1
               else "&lol;") * 10) for i in range(1, 10)) +
       "]><stream:stream xmlns='jabber:server' xmlns:stream="
       "'http://etherx.jabber.org/streams' to='a.test' version='1.0'>"
       "<x>&lol9;</x>")
c = socket.create_connection(XMPP, 3)
t0 = time.time()
c.sendall(lol.encode())
data, closed = recv_until(c, rb"</stream:stream>")
ok(b"restricted-xml" in data, "billion laughs: <restricted-xml/>")
ok(closed or closed_after(c), "and the connection is closed, in %.2f s" %
   (time.time() - t0))
ok(serving(), "xmppd still serves")
ok("a DOCTYPE (restricted XML)" in s.logtext(), "the log says why")

# A stanza before STARTTLS.
c, _ = plain()
c.sendall(b"<message from='a@b.test' to='x@a.test'><body>hi</body>"
          b"</message>")
data, closed = recv_until(c, rb"</stream:stream>")
ok(b"policy-violation" in data and "STARTTLS is required" in s.logtext(),
   "a stanza before STARTTLS: refused, logged")

# A certificate for another domain.
t, feats = tls_stream(cert_evil)
ok(b"EXTERNAL" in feats, "after STARTTLS SASL EXTERNAL is offered")
ok(b"urn:xmpp:features:dialback" not in feats, "and dialback is not (xmpp dialback no)")
t.sendall(b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' "
          b"mechanism='EXTERNAL'>" + base64.b64encode(b"b.test") +
          b"</auth>")
data, closed = recv_until(t, rb"</stream:stream>")
ok(b"<not-authorized/>" in data, "evil.test's certificate claiming b.test:"
   " <not-authorized/>")
ok("claims b.test: SASL EXTERNAL refused: the certificate does not name "
   "the domain" in s.logtext(), "logged with the reason")

# The same with b.test's own certificate: taken.
t, feats = tls_stream(cert_b)
t.sendall(b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' "
          b"mechanism='EXTERNAL'>=</auth>")
data, _ = recv_until(t, rb"<success")
ok(b"<success" in data, "b.test's own certificate: <success/>")
t.sendall((HEADER % "b.test").encode())
data, _ = recv_until(t, rb"</stream:features>|<stream:features/>")
ok(b"stream:features" in data, "the restarted stream is ready")
# A stanza from another domain than the authenticated one.
t.sendall(b"<message from='x@c.test' to='romeo@a.test'><body>spoof"
          b"</body></message>")
data, closed = recv_until(t, rb"</stream:stream>")
ok(b"invalid-from" in data, "a stanza from c.test on b.test's stream: "
   "<invalid-from/>")

# Dialback, not allowed.
t, feats = tls_stream(cert_evil)
t.sendall(b"<db:result xmlns:db='jabber:server:dialback' from='b.test' "
          b"to='a.test'>0123456789abcdef</db:result>")
data, closed = recv_until(t, rb"</stream:stream>")
ok(b"type='error'" in data and b"not-allowed" in data,
   "dialback under 'xmpp dialback no': refused")
ok("claims b.test: dialback refused: not allowed (xmpp dialback no)" in
   s.logtext(), "logged with the reason")

# Streams of one domain: 4 (the default); the fifth gets an error.
held = [plain()[0] for _ in range(4)]
c, data = plain()
data += recv_until(c, rb"</stream:stream>")[0]
ok(b"policy-violation" in data, "a fifth stream from b.test: "
   "<policy-violation/>")
for h in held:
    h.close()
time.sleep(0.3)

# The bound on streams: 8 in all; the ninth is closed at once.
held = [plain("d%d.test" % i)[0] for i in range(8)]
c = socket.create_connection(XMPP, 3)
ok(closed_after(c, 3), "the ninth stream at 'xmpp limit connections 8' "
   "is closed")
for h in held:
    h.close()
time.sleep(0.3)
ok(serving(), "after they go, xmppd serves again")
xmppd2 = children(s.proc.pid).get("xmppd")
ok(xmppd2 == xmppd and s.alive(), "the same xmppd ran throughout")
done()
