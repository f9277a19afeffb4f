#!/usr/bin/env python3
# Where a request goes is never a stranger's choice (issue 13, items 1
# and 2).  x.test (127.0.0.1) and y.test (127.0.0.2) relay to each other
# over TLS; a trap on 127.0.0.46 (a SIP port over TCP and UDP, and an
# "MTA" port that x.test also hands mail to) notes whatever reaches it.
# A Route header of an authenticated user, a Record-Route or Contact of
# an unauthenticated watcher, and DNS answers with loopback addresses
# must not send anything to the trap or off the domain's TLS route;
# `relay private-addresses yes` lets a lab's DNS name loopback.

import os, socket, sys, threading, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import (Answer, Collector, Dnsmasq, Suite, UA, ok, done, header,
                     message_auth, make_ca, make_cert, auth_request,
                     tls_listen)

P, TRAP, MTA, DNS = 26400, 26446, 26425, 26453
TRAP_ADDR = "127.0.0.46"


class Trap:
    """TCP and UDP listeners on TRAP_ADDR that keep what reaches them."""

    def __init__(self, port, udp=True):
        self.hits = []
        self.lock = threading.Lock()
        self.t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.t.bind((TRAP_ADDR, port))
        self.t.listen(16)
        self.t.settimeout(0.2)
        self.u = None
        if udp:
            self.u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.u.bind((TRAP_ADDR, port))
            self.u.settimeout(0.2)
        self.running = True
        self.threads = [threading.Thread(target=self._tcp, daemon=True)]
        if udp:
            self.threads.append(threading.Thread(target=self._udp,
                                                 daemon=True))
        for th in self.threads:
            th.start()

    def _note(self, what):
        with self.lock:
            self.hits.append(what)

    def _tcp(self):
        while self.running:
            try:
                c, src = self.t.accept()
            except OSError:
                continue
            c.settimeout(0.5)
            try:
                data = c.recv(65536)
            except OSError:
                data = b""
            self._note(("tcp", src, data))
            c.close()

    def _udp(self):
        while self.running:
            try:
                data, src = self.u.recvfrom(65536)
            except OSError:
                continue
            self._note(("udp", src, data))

    def take(self):
        with self.lock:
            out, self.hits = self.hits, []
        return out

    def stop(self):
        self.running = False
        for th in self.threads:
            th.join(2)
        self.t.close()
        if self.u is not None:
            self.u.close()


tmp = __import__("tempfile").TemporaryDirectory(prefix="imd-nexthop.")
ca = make_ca(tmp.name)
certx = make_cert(tmp.name, "x", ["x.test"])
certy = make_cert(tmp.name, "y", ["y.test"])


dns = Dnsmasq(DNS, [
    "--srv-host=_sip._udp.dns.test,sip.dns.test,%d,10,0" % P,
    "--host-record=sip.dns.test,127.0.0.2",
])
sx = Suite("x.test", P, [
    tls_listen("127.0.0.1", P + 1, certx), 'tls ca "%s"' % ca,
    'route "y.test" via 127.0.0.2 port %d tls' % (P + 1),
    "resolver 127.0.0.1 port %d" % DNS,
    "mta %s port %d" % (TRAP_ADDR, MTA)])
sy = Suite("y.test", P, [
    'domain "dns.test"',
    tls_listen("127.0.0.2", P + 1, certy), 'tls ca "%s"' % ca,
    'route "x.test" via 127.0.0.1 port %d tls' % (P + 1),
    "inbound any", "presence notify-interval 0"], addr="127.0.0.2")
# A lab whose DNS serves loopback: the switch lets it relay there.
sv = Suite("v.test", P, [
    "resolver 127.0.0.1 port %d" % DNS, "relay private-addresses yes"],
    addr="127.0.0.3")
trap = Trap(TRAP)
mta = Trap(MTA, udp=False)
ok(sx.start() and sy.start(), "x.test and y.test start")
sx.add_user("alice@x.test", "alicepw")
sy.add_user("dave@y.test", "davepw")
sy.add_user("dora@dns.test", "dorapw")
srvx, srvy, srvv = ("127.0.0.1", P), ("127.0.0.2", P), ("127.0.0.3", P)

dave = UA(srvy, bind="127.0.0.2")
ok(dave.register("dave", "y.test", "davepw")["status"] == 200,
   "dave registers at y.test")
dave.s.settimeout(4)


def relay_with_route(route, body=b"hello dave", desc=""):
    """alice's MESSAGE to dave with a Route header: dave must get it
    over the TLS route, nothing may reach the traps."""
    ans = Answer(dave)
    try:
        r = message_auth(UA(srvx, timeout=6), "alice", "x.test", "alicepw",
                         "sip:dave@y.test", body,
                         extra=["Route: %s" % route])
    except OSError:
        r = {"status": 0}
    req = ans.request(6)
    vias = header(req, "via") if isinstance(req, dict) else []
    ok(r["status"] == 200 and isinstance(req, dict) and
       req["body"] == body, "%s: dave gets the MESSAGE, 200" % desc) or \
        print("# status %s" % r["status"])
    ok(len(vias) >= 2 and "SIP/2.0/TLS 127.0.0.1" in vias[1],
       "%s: relayed over the TLS route (Via %s)" % (desc, vias[1:2]))
    time.sleep(0.3)
    hits = trap.take() + mta.take()
    ok(not hits, "%s: nothing reaches the trap" % desc) or \
        print("# trap: %r" % hits[:2])


# (a) Route headers naming the trap, over TCP and UDP, and y.test's own
# address with a weaker transport: none of them is the next hop.
relay_with_route("<sip:%s:%d;lr;transport=tcp>" % (TRAP_ADDR, TRAP),
                 desc="Route to the trap over TCP")
relay_with_route("<sip:%s:%d;lr>" % (TRAP_ADDR, TRAP),
                 desc="Route to the trap over UDP")
relay_with_route("<sip:127.0.0.1:%d;lr>, <sip:%s:%d;lr;transport=tcp>" % (
    P, TRAP_ADDR, TRAP), desc="Route through x.test, then the trap")
relay_with_route("<sip:127.0.0.2:%d;lr;transport=udp>" % P,
                 desc="Route to y.test's address over UDP, no TLS")
ok("no server of the domain: ignored" in sx.logtext(),
   "x.test's relayd logs the route set it ignored")

# (b) SMTP commands in the body, aimed at the MTA's port.
smtp = (b"HELO evil.test\r\nMAIL FROM:<evil@evil.test>\r\n"
        b"RCPT TO:<victim@x.test>\r\nDATA\r\nSubject: spam\r\n\r\nspam\r\n"
        b".\r\nQUIT\r\n")
relay_with_route("<sip:%s:%d;lr;transport=tcp>" % (TRAP_ADDR, MTA),
                 body=smtp, desc="SMTP body, Route to the MTA's port")

# A route set that names a server of the domain is followed: alice of
# x.test watches dave; x.test's relayd put x.test in the route set, and
# y.test's NOTIFYs come back over the TLS route to alice's device.
an = Collector(bind="127.0.0.1")
ok(UA(srvx).register("alice", "x.test", "alicepw",
                     contacts=[an.contact("alice")])["status"] == 200,
   "alice registers her device at x.test")
r = auth_request(UA(srvx), "SUBSCRIBE", "sip:dave@y.test", "alice", "x.test",
                 "alicepw", extra=["Event: presence", "Expires: 60",
                                   "Contact: %s" % an.contact("alice")])
ok(r["status"] == 200, "alice's SUBSCRIBE to dave@y.test: 200")
n = an.next(5)
vias = header(n, "via") if n else []
ok(n is not None and n["method"] == "NOTIFY" and len(vias) == 3 and
   "SIP/2.0/TLS 127.0.0.2" in vias[1],
   "alice's device gets dave's NOTIFY, through y.test's relayd over TLS "
   "and x.test's listener (Vias %s)" % vias)
ok("route set names 127.0.0.1" not in sy.logtext(),
   "y.test's relayd kept that route set: it names x.test's server")
an.stop()

# (c) An unauthenticated watcher of another domain names the trap in its
# Record-Route and Contact.  From x.test: the NOTIFYs go to x.test's
# server, over TLS, by y.test's route.
eve = UA(srvy, bind="127.0.0.3")
eve.s.settimeout(1)
try:
    r = eve.request("SUBSCRIBE", "sip:dave@y.test", "sip:eve@x.test",
                    "sip:dave@y.test", [
                        "Event: presence", "Expires: 60",
                        "Record-Route: <sip:%s:%d;lr;transport=tcp>" % (
                            TRAP_ADDR, TRAP),
                        "Contact: <sip:eve@%s:%d;transport=tcp>" % (
                            TRAP_ADDR, TRAP)])
except OSError:
    r = {"status": 0}
ok(r["status"] in (200, 202), "eve@x.test subscribes to dave, "
   "unauthenticated, Record-Route naming the trap: %s" % r["status"])
time.sleep(3)
hits = trap.take()
ok(not hits, "no NOTIFY (or connection) at the trap in 3 s") or \
    print("# trap: %r" % hits[:2])
ok("route set names %s" % TRAP_ADDR in sy.logtext(),
   "y.test's relayd sent the NOTIFY to x.test's server, not the route set")

# From a domain without a route or DNS, no Record-Route, a Contact that
# names the trap over UDP: the NOTIFY comes back to where the SUBSCRIBE
# came from.
zed = Collector(bind="127.0.0.3")
zed.s.sendto(("SUBSCRIBE sip:dave@y.test SIP/2.0\r\n"
              "Via: SIP/2.0/UDP 127.0.0.3:%d;branch=z9hG4bKzed1;rport\r\n"
              "Max-Forwards: 70\r\nFrom: <sip:zed@z.test>;tag=zed1\r\n"
              "To: <sip:dave@y.test>\r\nCall-ID: zed1@z.test\r\n"
              "CSeq: 1 SUBSCRIBE\r\nEvent: presence\r\nExpires: 60\r\n"
              "Contact: <sip:zed@%s:%d>\r\nContent-Length: 0\r\n\r\n" % (
                  zed.addr[1], TRAP_ADDR, TRAP)).encode(), srvy)
n = zed.next(4)
ok(n is not None and n["method"] == "NOTIFY",
   "zed@z.test's NOTIFY comes to the address its SUBSCRIBE came from")
ok(n is not None and n["ruri"] == "sip:zed@%s:%d" % (TRAP_ADDR, TRAP),
   "its Request-URI is still zed's Contact")
time.sleep(1)
hits = trap.take()
ok(not hits, "nothing at the trap that zed's Contact names") or \
    print("# trap: %r" % hits[:2])
zed.stop()

# (d) DNS that answers with loopback addresses: refused unless the lab
# switch says otherwise.
dora = UA(srvy, bind="127.0.0.2")
ok(dora.register("dora", "dns.test", "dorapw")["status"] == 200,
   "dora registers at y.test for dns.test")
dora.s.settimeout(3)
ans = Answer(dora)
try:
    r = message_auth(UA(srvx, timeout=6), "alice", "x.test", "alicepw",
                     "sip:dora@dns.test", b"by dns")
except OSError:
    r = {"status": 0}
req = ans.request(4)
ok(r["status"] == 404 and req is None, "x.test: DNS names 127.0.0.2 for "
   "dns.test: not used, 404 (%s %s)" % (r["status"], r.get("reason")))
ok("DNS names only private or loopback addresses" in sx.logtext(),
   "the refusal is logged")
if ok(sv.start(), "v.test starts with relay private-addresses yes"):
    sv.add_user("vera@v.test", "verapw")
    ans = Answer(dora)
    try:
        r = message_auth(UA(srvv, bind="127.0.0.3", timeout=6), "vera",
                         "v.test", "verapw", "sip:dora@dns.test",
                         b"by dns, in a lab")
    except OSError:
        r = {"status": 0}
    req = ans.request(6)
    ok(r["status"] == 200 and isinstance(req, dict) and
       req["body"] == b"by dns, in a lab",
       "v.test: the lab switch lets DNS name loopback: delivered")
else:
    ok(False, "v.test: the lab switch lets DNS name loopback: delivered")
hits = trap.take() + mta.take()
ok(not hits, "nothing reached the traps at all")
trap.stop()
mta.stop()
for s in (sx, sy):
    ok(s.alive(), "%s still runs" % s.domain)
done()
