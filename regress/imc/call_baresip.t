#!/usr/bin/env python3
# imc speaks ordinary SIP and SDP for calls: against baresip (aufile
# plays a WAV, sndfile keeps what it hears), with no server in the
# call.  imc calls baresip: INVITE with our offer (Opus, PCMU,
# telephone-event), baresip takes PCMU, both recordings correlate with
# the source.  baresip calls imc at the contact imc registered
# (`direct yes', `auto-answer yes'): imc answers, and again both ways
# correlate.  Then the bad cases: a callee who declines (603), one that
# is busy (486), one that is offline (480), an imc whose INVITE nobody
# answers in time (CANCEL, 487): each a message and its exit status.
# A callee whose 200 comes again after our ACK is ACKed again.

import os, re, socket, sys, tempfile, threading, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdtest import Suite, ok, done
from imclib import Client
from calllib import CallBaresip, make_source, read_wav, correlate, \
    wait_until
from clientlib import require

require("baresip")
P = 27300
W = tempfile.mkdtemp(prefix="imc-call.")
SRC = make_source(os.path.join(W, "src.wav"))
# baresip's is longer, so that imc's file ends first when imc calls.
LONG = make_source(os.path.join(W, "long.wav"), seconds=5)
OTHER = make_source(os.path.join(W, "other.wav"), seed=99)
src = read_wav(SRC)
long_src = read_wav(LONG)
other = read_wav(OTHER)
MIN = 0.8


def check(rec, who, src=src):
    peak, lag = correlate(rec, src)
    ctl, _ = correlate(rec, other)
    ok(peak > MIN and ctl < 0.3,
       "%s: %d samples; correlation with the source %.4f at %s s, with "
       "another signal %.4f" % (who, len(rec), peak, lag, ctl))
    return peak


bob = CallBaresip("bob", "site1.test", P + 10, P + 19, LONG)
ok(bob.start(), "baresip (PCMU only, auto-answer) starts")

# 1. imc calls baresip: baresip's address stands in for the server.
alice = Client("alice@site1.test", "alicepw", "127.0.0.1", P + 10)
arec = os.path.join(W, "alice.wav")
r = alice.run("call", "bob@site1.test", "--play", SRC, "--record", arec,
              "-t", "20")
ok(r.returncode == 0 and "bob@site1.test answered (PCMU)" in r.stdout and
   "call with bob@site1.test ended" in r.stdout,
   "imc call bob: answered with PCMU, ended when the file did (%d %r %r)"
   % (r.returncode, r.stdout, r.stderr))
inv = [m for m in bob.received("INVITE")]
ok(inv and b"m=audio" in inv[0]["body"] and
   re.search(rb"a=rtpmap:\d+ opus/48000/2", inv[0]["body"]) and
   b"a=rtpmap:0 PCMU/8000" in inv[0]["body"] and
   b"telephone-event/8000" in inv[0]["body"],
   "our INVITE offered Opus, PCMU and telephone-event")
ok(len(bob.received("ACK")) == 1 and len(bob.received("BYE")) == 1,
   "baresip got our ACK and our BYE, once each")
check(wait_until(bob.recording, 5), "baresip's recording of imc")
check(read_wav(arec), "imc's recording of baresip", long_src)

# 2. baresip calls imc at imc's registered contact.
s = Suite("site1.test", P)
ok(s.start(), "a suite for the registration")
s.add_user("carol@site1.test", "carolpw")
carol = Client("carol@site1.test", "carolpw", "127.0.0.1", P,
               extra=["direct yes", "auto-answer yes"])
crec = os.path.join(W, "carol.wav")
lc = carol.start("listen", "--play", SRC, "--record", crec, "-t", "60")
ok(lc.ready(), "carol's imc listens (direct yes, auto-answer yes)")
m = re.search(r"sip:carol@127\.0\.0\.1:(\d+)", s.ctl("show",
                                                     "bindings").stdout)
ok(m is not None, "her contact is registered")
cport = int(m.group(1)) if m else 0
ok(bob.command("dial", "sip:carol@127.0.0.1:%d" % cport) is not None,
   "baresip dials carol's contact, no server between")
line = lc.line(10)
ok(line == "incoming call from bob@site1.test", "carol: %r" % line)
line = lc.line(10)
ok(line == "answered bob@site1.test (PCMU)", "carol: %r" % line)
line = lc.line(15)
ok(line == "bob@site1.test hung up",
   "baresip hangs up when its file ends: %r" % line)
check(read_wav(crec) if os.path.exists(crec) else [],
      "imc's recording of baresip", long_src)
check(wait_until(bob.recording, 5), "baresip's recording of imc")
ok(200 in bob.responses("INVITE") and 200 in bob.responses("BYE"),
   "baresip: 200 to its INVITE and to its BYE (%s %s)" % (
       bob.responses("INVITE"), bob.responses("BYE")))
lc.stop()
ok(lc.code() == 0, "carol's listen ends")
bob.stop()

# 3. Refusals, from a peer of ours that answers as we tell it.
class Callee(threading.Thread):
    def __init__(self, port, status, ring=True):
        threading.Thread.__init__(self, daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", port))
        self.status, self.ring, self.got = status, ring, []
        self.start()

    def reply(self, req, addr, code, reason, tag="c1", body=""):
        head, _ = req.split("\r\n\r\n", 1)
        keep = [l for l in head.split("\r\n")[1:] if re.match(
            r"(Via|From|To|Call-ID|CSeq):", l, re.I)]
        keep = [l + ";tag=" + tag if l.startswith("To:") and "tag=" not in l
                else l for l in keep]
        if body:
            keep += ["Contact: <sip:bob@127.0.0.1:%d>" %
                     self.sock.getsockname()[1],
                     "Content-Type: application/sdp"]
        self.sock.sendto(("SIP/2.0 %d %s\r\n%s\r\nContent-Length: %d\r\n"
                          "\r\n%s" % (code, reason, "\r\n".join(keep),
                                       len(body), body)).encode(), addr)

    def run(self):
        while True:
            try:
                data, addr = self.sock.recvfrom(65536)
            except OSError:
                return
            req = data.decode("utf-8", "replace")
            self.got.append(req.split(" ", 1)[0])
            if req.startswith("INVITE ") and self.got.count("INVITE") == 1:
                if self.ring:
                    self.reply(req, addr, 180, "Ringing")
                if self.status:
                    self.reply(req, addr, self.status[0], self.status[1],
                               body=SDP if self.status[0] == 200 else "")
                self.invite = req
            elif req.startswith("CANCEL "):
                self.reply(req, addr, 200, "OK")
                self.reply(self.invite, addr, 487, "Request Terminated")
            elif req.startswith("ACK ") and self.status and \
                    self.status[0] == 200 and self.got.count("ACK") == 1:
                # As if our ACK were lost: the 200 once more.
                self.reply(self.invite, addr, 200, "OK", body=SDP)
            elif req.startswith("BYE "):
                self.reply(req, addr, 200, "OK")


for code, reason, want, words in (
        (603, "Decline", 9, "declined the call"),
        (486, "Busy Here", 8, "is busy"),
        (480, "Temporarily Unavailable", 7, "recipient offline")):
    c = Callee(P + 30 + code % 100, (code, reason))
    dave = Client("dave@site1.test", "davepw", "127.0.0.1",
                  P + 30 + code % 100)
    r = dave.run("call", "bob@site1.test", "--play", SRC, "-t", "10")
    wait_until(lambda: "ACK" in c.got, 3)
    ok(r.returncode == want and words in r.stderr and "ringing" in
       r.stdout and c.got.count("ACK") == 1,
       "%d %s: exit %d, %r, and the failure was acknowledged (%d %r %s)"
       % (code, reason, want, words, r.returncode, r.stderr, c.got))
    c.sock.close()

# A callee whose 200 comes again after our ACK: ACKed again, and the
# call goes on until our time is up (BYE).
SDP = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
       "t=0 0\r\nm=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n" %
       (P + 45))
c = Callee(P + 44, (200, "OK"))
dave = Client("dave@site1.test", "davepw", "127.0.0.1", P + 44)
r = dave.run("call", "bob@site1.test", "--play", SRC, "-t", "2")
wait_until(lambda: "BYE" in c.got, 3)
ok(r.returncode == 0 and c.got.count("ACK") == 2 and "BYE" in c.got,
   "a 2xx that comes again is ACKed again; the call then ends with our "
   "BYE (%d %s %r)" % (r.returncode, c.got, r.stderr))
c.sock.close()

c = Callee(P + 40, None)
dave = Client("dave@site1.test", "davepw", "127.0.0.1", P + 40)
t = time.time()
r = dave.run("call", "bob@site1.test", "--play", SRC, "-t", "2")
wait_until(lambda: "ACK" in c.got, 3)
ok(r.returncode == 10 and "did not answer" in r.stderr and
   "CANCEL" in c.got and "ACK" in c.got and time.time() - t < 10,
   "it rings, nobody answers in the 2 s of -t: CANCEL, 487 acknowledged, "
   "exit 10 (%d %r %s)" % (r.returncode, r.stderr, c.got))
c.sock.close()
done()
