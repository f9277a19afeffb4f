#!/usr/bin/env python3
# Calls through imd, the usual way: imc calls imc, imc calls baresip
# and baresip calls imc, every INVITE, ACK and BYE through the server
# (digest as for MESSAGE), each recording correlated with its source.
# While the server does not carry INVITE (it answers 501 or 405), the
# whole test is skipped, and says so; it runs once it does.

import os, re, sys, tempfile, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdtest import Suite, ok, done
from imclib import Client
from calllib import CallBaresip, make_source, read_wav, correlate, \
    wait_until
from clientlib import require

P = 27800
D = "site1.test"
W = tempfile.mkdtemp(prefix="imc-scall.")
SRC = make_source(os.path.join(W, "src.wav"))
SRC2 = make_source(os.path.join(W, "src2.wav"), seed=5)
src, src2 = read_wav(SRC), read_wav(SRC2)

s = Suite(D, P)
started = s.start()
for u in ("alice", "bob", "carol"):
    s.add_user("%s@%s" % (u, D), u + "pw")
alice = Client("alice@" + D, "alicepw", "127.0.0.1", P)
bob = Client("bob@" + D, "bobpw", "127.0.0.1", P, extra=["auto-answer yes"])
brec, arec = os.path.join(W, "bob.wav"), os.path.join(W, "alice.wav")
lb = bob.start("listen", "--play", SRC2, "--record", brec, "-t", "80")
listening = lb.ready()
t0 = time.time()
r = alice.run("call", "bob@" + D, "--play", SRC, "--record", arec, "-t",
              "20")
m = re.search(r"the server does not carry calls \((501|405)\)", r.stderr)
if m:
    lb.kill()
    s.cleanup()
    print("1..0 # SKIP imd answers INVITE with %s: the server does not "
          "route calls yet (issue 16)" % m.group(1))
    sys.exit(0)

ok(started and listening, "the suite starts; bob's imc listens "
   "(auto-answer yes)")
ok(r.returncode == 0 and "bob@%s answered" % D in r.stdout and
   "call with bob@%s ended" % D in r.stdout,
   "alice calls bob through imd: answered, ended with her file (%d %r %r)"
   % (r.returncode, r.stdout, r.stderr))
lines = [lb.line(10) for _ in range(3)]
ok(lines[0] == "incoming call from alice@" + D and
   lines[2] == "alice@%s hung up" % D, "bob's imc: %r" % lines)
for who, rec, want in (("bob", brec, src), ("alice", arec, src2)):
    peak, lag = correlate(read_wav(rec), want)
    ok(peak > 0.7, "%s's recording correlates with the other's source: "
       "%.4f at %s s" % (who, peak, lag))
m = re.search(r"first sent (\d+\.\d+)", r.stderr)
errs = []
while not lb.err.empty():
    errs.append(lb.err.get())
p = [re.search(r"first played (\d+\.\d+)", e) for e in errs if e]
p = [float(x.group(1)) for x in p if x]
ok(m and p, "mouth-to-ear through imd: %.1f ms (%.1f ms from the start "
   "of imc call)" % ((p[0] - float(m.group(1))) * 1000 if m and p else -1,
                     (p[0] - t0) * 1000 if p else -1))

require("baresip")
carol = CallBaresip("carol", D, P + 10, P + 19, SRC2,
                    proxy="sip:127.0.0.1:%d" % P, password="carolpw")
ok(carol.start() and wait_until(lambda: 200 in carol.responses(
    "REGISTER"), 10), "carol's baresip registers at imd")
r = alice.run("call", "carol@" + D, "--play", SRC, "--record", arec, "-t",
              "20")
ok(r.returncode == 0 and "carol@%s answered (PCMU)" % D in r.stdout,
   "alice's imc calls carol's baresip through imd (%d %r %r)" % (
       r.returncode, r.stdout, r.stderr))
peak, _ = correlate(wait_until(carol.recording, 5), src)
ok(peak > 0.8, "baresip's recording of imc: %.4f" % peak)
peak, _ = correlate(read_wav(arec), src2)
ok(peak > 0.8, "imc's recording of baresip: %.4f" % peak)
ok(carol.command("dial", "sip:bob@" + D) is not None,
   "carol's baresip calls bob's imc through imd")
line = lb.line(15)
ok(line == "incoming call from carol@" + D, "bob: %r" % line)
line = lb.line(15)
ok(line is not None and line.startswith("answered carol@" + D),
   "bob: %r" % line)
line = lb.line(20)
ok(line is not None and "carol@" + D in line, "the call ends: %r" % line)
peak, _ = correlate(read_wav(brec), src2)
ok(peak > 0.8, "imc's recording of baresip: %.4f" % peak)
carol.stop()
lb.stop()
ok(lb.code() == 0, "bob's listen ends")
done()
