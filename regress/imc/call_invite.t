#!/usr/bin/env python3
# imc calls imc with INVITE, no server in the call: the caller's
# `server' line names the callee's registered contact, which takes
# the INVITE (`direct yes').  With auto-answer both recordings
# correlate with their sources, and the delay from the first packet
# sent to the first played is measured.  In the interactive mode the
# call rings until /answer, and /hangup ends it with a BYE; a second
# caller meanwhile is told busy (486, exit 8); a caller who gives up
# (-t) cancels, and the callee's imc says so.

import os, re, subprocess, sys, tempfile, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdtest import Suite, ok, done
from imclib import Client
from calllib import Chat, make_source, read_wav, correlate

P = 27600
W = tempfile.mkdtemp(prefix="imc-icall.")
SRC = make_source(os.path.join(W, "src.wav"))
SRC2 = make_source(os.path.join(W, "src2.wav"), seed=5)
src, src2 = read_wav(SRC), read_wav(SRC2)

s = Suite("site1.test", P)
ok(s.start(), "a suite for the registrations")
for u in ("alice", "carol", "dave", "frank"):
    s.add_user("%s@site1.test" % u, u + "pw")


def contact_port(user):
    m = re.search(r"sip:%s@127\.0\.0\.1:(\d+)" % user,
                  s.ctl("show", "bindings").stdout)
    return int(m.group(1)) if m else 0


def caller(user, port, extra=()):
    """user's imc with the callee's contact as its server."""
    return Client("%s@site1.test" % user, user + "pw", "127.0.0.1", port,
                  extra=list(extra))


carol = Client("carol@site1.test", "carolpw", "127.0.0.1", P,
               extra=["direct yes", "auto-answer yes",
                      "media audio port %d codecs opus pcmu" % (P + 50)])
crec, arec = os.path.join(W, "carol.wav"), os.path.join(W, "alice.wav")
lc = carol.start("listen", "--play", SRC2, "--record", crec, "-t", "60")
ok(lc.ready(), "carol's imc listens (auto-answer yes)")
cport = contact_port("carol")
alice = caller("alice", cport)
t0 = time.time()
r = alice.run("call", "carol@site1.test", "--play", SRC, "--record", arec,
              "-t", "20")
ok(r.returncode == 0 and "carol@site1.test answered (opus)" in r.stdout
   and "call with carol@site1.test ended" in r.stdout,
   "alice calls carol's contact: answered with Opus, ended with her file "
   "(%d %r %r)" % (r.returncode, r.stdout, r.stderr))
lines = [lc.line(10) for _ in range(3)]
ok(lines == ["incoming call from alice@site1.test",
             "answered alice@site1.test (opus)",
             "alice@site1.test hung up"], "carol's imc: %r" % lines)
for who, rec, want in (("carol", crec, src), ("alice", arec, src2)):
    peak, lag = correlate(read_wav(rec), want)
    ok(peak > 0.7, "%s's recording correlates with the other's source: "
       "%.4f at %s s" % (who, peak, lag))
lc.stop()
ok(lc.code() == 0, "carol's listen ends")
errs = []
while not lc.err.empty():
    errs.append(lc.err.get())
m = re.search(r"first sent (\d+\.\d+)", r.stderr)
p = [re.search(r"first played (\d+\.\d+)", e) for e in errs if e]
p = [float(x.group(1)) for x in p if x]
ok(m and p, "mouth-to-ear, first packet sent to first played, INVITE "
   "call: %.1f ms (%.1f ms from the start of imc call)" % (
       (p[0] - float(m.group(1))) * 1000 if m and p else -1,
       (p[0] - t0) * 1000 if p else -1))

# The interactive mode: it rings until /answer.
dave = Chat(Client("dave@site1.test", "davepw", "127.0.0.1", P,
                   extra=["direct yes"]), "--record", os.path.join(W, "dave.wav"))
line, _ = dave.wait_line(lambda l: l.startswith("logged in"))
ok(line is not None, "dave's interactive imc logs in")
alice = caller("alice", contact_port("dave"))
pa = subprocess.Popen(alice.argv(["call", "dave@site1.test", "-t", "30"]),
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                      text=True)
line, _ = dave.wait_line(lambda l: l.startswith("incoming call"))
ok(line == "incoming call from alice@site1.test", "dave's imc rings: %r" %
   line)
frank = caller("frank", contact_port("dave"))
dave.say("/answer")
line, _ = dave.wait_line(lambda l: l.startswith("answered"))
ok(line == "answered alice@site1.test (opus)", "/answer: %r" % line)
r = frank.run("call", "dave@site1.test", "-t", "10")
ok(r.returncode == 8 and "dave@site1.test is busy" in r.stderr,
   "frank calls dave meanwhile: busy, exit 8 (%d %r)" % (r.returncode,
                                                         r.stderr))
dave.say("/hangup")
try:
    out, err = pa.communicate(timeout=15)
except subprocess.TimeoutExpired:
    pa.kill()
    out, err = pa.communicate()
ok(pa.returncode == 0 and "dave@site1.test hung up" in out,
   "/hangup: alice's call ends, exit 0 (%d %r %r %r)" % (pa.returncode, out,
                                                       err, dave.errs))

# Nobody answers: the caller's time runs out and it cancels.
t = time.time()
r = alice.run("call", "dave@site1.test", "-t", "2")
ok(r.returncode == 10 and "dave@site1.test did not answer" in r.stderr and
   time.time() - t < 10, "alice gives up after 2 s: exit 10 (%d %r)" % (
       r.returncode, r.stderr))
line, seen = dave.wait_line(lambda l: "gave up" in l)
ok(line == "alice@site1.test gave up calling", "dave's imc: %r" % seen)
ok(dave.quit() == 0, "dave's imc quits")
done()
