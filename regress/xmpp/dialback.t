#!/usr/bin/python3
# Debian's python3, as the other XMPP tests.
#
# Server Dialback (XEP-0220) where `xmpp dialback yes` allows it: a
# second Prosody serving d.test on 127.0.0.3 has a certificate from a CA
# imd does not trust, so imd offers it no SASL EXTERNAL but dialback;
# Prosody sends its key, xmppd asks d.test's own server (found by DNS)
# on a stream of its own, and on "valid" takes the stream: a message of
# a d.test user reaches an imd user, and imctl show xmpp says the
# stream was authenticated by dialback.  A forged key, which d.test's
# server disowns, is refused and logged.  (Under `xmpp dialback no`,
# the default, a dialback request is refused: security.t.)

import os, sys, tempfile, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import UA, ok, done, header, make_ca, make_cert
from xmpptest import World, Jabber, Prosody

PORT = 25800
w = World(PORT, imd_extra=["xmpp dialback yes"], dns_extra=[
    "--srv-host=_xmpp-server._tcp.d.test,xmpp.d.test,5269,0,0",
    "--host-record=xmpp.d.test,127.0.0.3"])
other = tempfile.mkdtemp(prefix="imd-otherca.")
other_ca = make_ca(other)
cert_d = make_cert(other, "d.test", ["d.test"])
d = Prosody("d.test", "127.0.0.3", cert_d, other_ca, modules=["dialback"],
            secure_auth=False)
ok(d.add_user("tybalt", "tpw"), "prosody: tybalt@d.test created")
ok(d.start(), "a second prosody serves d.test on 127.0.0.3, its "
   "certificate from a CA imd does not trust")
ok(w.imd.start(), "imd serves a.test with xmpp dialback yes")
w.imd.add_user("romeo@a.test", "rpw")
srv = ("127.0.0.1", PORT)
romeo = UA(srv, timeout=15)
ok(romeo.register("romeo", "a.test", "rpw")["status"] == 200,
   "romeo registers")

tybalt = Jabber("tybalt@d.test", "tpw", "127.0.0.3", 5222, other_ca)
ok(tybalt.ready.wait(15), "tybalt is online on d.test")
tybalt.send("romeo@a.test", "다이얼백으로 왔어요")
req = romeo.recv_request()
ok(req is not None and req["body"] == "다이얼백으로 왔어요".encode() and
   "<sip:tybalt@d.test>" in header(req, "from")[0],
   "tybalt's message reaches romeo, from tybalt@d.test")
if req is not None:
    romeo.reply(req, 200, "OK")
ok("inbound stream" in w.imd.logtext() and
   "from d.test ready (dialback)" in w.imd.logtext(),
   "the stream from d.test was taken on dialback")
ok("d.test: dialback verified" in w.imd.logtext() or
   "closed: dialback verified" in w.imd.logtext(),
   "after d.test's own server said the key is valid")
lines = w.imd.ctl("show", "xmpp").stdout.splitlines()
ok(any(l.startswith("in a.test d.test ") and " ready dialback " in l
       for l in lines), "imctl show xmpp: %s" % lines)
tybalt.stop()

# A forged key: d.test's server says it is not its own.
import re, socket, ssl
HEADER = ("<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
          "xmlns:stream='http://etherx.jabber.org/streams' "
          "xmlns:db='jabber:server:dialback' from='d.test' to='a.test' "
          "version='1.0'>")


def recv_until(c, pattern, timeout=8):
    c.settimeout(timeout)
    data = b""
    end = time.time() + timeout
    while time.time() < end and not re.search(pattern, data):
        try:
            b = c.recv(65536)
        except (socket.timeout, ssl.SSLError, OSError):
            break
        if not b:
            break
        data += b
    return data


c = socket.create_connection(("127.0.0.1", 5269), 3)
c.sendall(HEADER.encode())
recv_until(c, rb"</stream:features>")
c.sendall(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
recv_until(c, rb"<proceed")
ctx = ssl.create_default_context(cafile=w.ca)
t = ctx.wrap_socket(c, server_hostname="a.test")
t.sendall(HEADER.encode())
feats = recv_until(t, rb"</stream:features>")
ok(b"urn:xmpp:features:dialback" in feats and b"EXTERNAL" not in feats,
   "a peer without a certificate is offered dialback, not EXTERNAL")
t.sendall(b"<db:result from='d.test' to='a.test'>forged0123456789"
          b"</db:result>")
data = recv_until(t, rb"</stream:stream>")
ok(b"type='invalid'" in data, "a forged key: <db:result type='invalid'/>")
ok("claims d.test: dialback refused: the authoritative server says the "
   "key is invalid" in w.imd.logtext(), "logged with the reason")
done()
