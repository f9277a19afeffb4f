#!/usr/bin/env python3
# A full transaction table (65,536 answered transactions within Timer J)
# makes room by dropping the oldest answered one: a new authenticated
# REGISTER still gets a transaction, so its retransmission is answered
# with the same 200 and not taken for a new request (whose reused nonce
# count authd would refuse with a fresh 401).

import os, socket, sys, threading, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done

PORT = 25455
FLOOD = 70000
s = Suite("site1.test", PORT)
ok(s.start(), "the suite starts")
ok(s.add_user("ann@site1.test", "annpw"), "ann added")
srv = ("127.0.0.1", PORT)

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
sock.bind(("127.0.0.1", 0))
sock.settimeout(0.5)
got = [0]
stop = [False]


def count():
    while not stop[0]:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue
        if data.startswith(b"SIP/2.0 401"):
            got[0] += 1


def register(i):
    port = sock.getsockname()[1]
    return ("REGISTER sip:site1.test SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKfill%d\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:u%d@site1.test>;tag=f%d\r\n"
            "To: <sip:u%d@site1.test>\r\n"
            "Call-ID: fill%d@imd.test\r\n"
            "CSeq: 1 REGISTER\r\n"
            "Contact: <sip:u%d@127.0.0.1:%d>\r\n"
            "Content-Length: 0\r\n\r\n" %
            (port, i, i, i, i, i, i, port)).encode()


t = threading.Thread(target=count, daemon=True)
t.start()
start = time.time()
sent = 0
# At most 2,000 unanswered at once, so that no queue on the way drops.
while got[0] < FLOOD and time.time() - start < 25:
    while sent < FLOOD and sent - got[0] < 2000:
        sock.sendto(register(sent), srv)
        sent += 1
    time.sleep(0.005)
took = time.time() - start
stop[0] = True
t.join()
ok(got[0] >= 66000, "%d challenges answered in %.1f s, more than the "
   "65,536 transactions the table holds" % (got[0], took))

ua = UA(srv)
r = ua.register("ann", "site1.test", "annpw")
ok(r["status"] == 200, "an authenticated REGISTER gets 200 (%d)" %
   r["status"])
ua.send_raw(ua.last)
r2 = ua.recv()
ok(r2["status"] == 200, "its retransmission gets the same 200 (%d)" %
   r2["status"])
ok("nonce count replayed" not in s.logtext(),
   "it was not taken for a new request")
ok(s.alive(), "the suite is still running")
s.cleanup()
done()
