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
from calllib import Chat, SipTap, make_source, read_wav, correlate

P = 27400
W = tempfile.mkdtemp(prefix="imc-dcall.")
SRC = make_source(os.path.join(W, "src.wav"))
src = read_wav(SRC)
other = read_wav(make_source(os.path.join(W, "other.wav"), seed=99))

s = Suite("site1.test", P, ["presence notify-interval 0",
                            "presence authorize ask"])
ok(s.start(), "the suite starts")
tap = SipTap(P)
ok(tap.sock is not None, "a packet socket on lo sees what reaches imd")
for u in ("alice", "bob", "carol", "dave", "erin", "frank", "george",
          "henry", "ivan"):
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
   "mouth-to-ear, first packet sent to first played: %.1f ms (%.1f ms "
   "from the start of imc call -d, fetch and announcement included)" %
   ((played[-1] - sent) * 1000 if played else -1,
    (played[-1] - t) * 1000 if played else -1))

# A stranger sends PCMU of another signal to bob's port while alice's
# call (PCMU this time) is on: bob plays alice only.
import warnings  # noqa: E402
warnings.simplefilter("ignore", DeprecationWarning)
import audioop, subprocess, threading  # noqa: E402
alice_pcmu = client("alice", ["media audio port %d codecs pcmu" % (P + 62)])
stop = threading.Event()
sent_rogue = [0]


def rogue():
    sk = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    pcm = struct.pack("<%dh" % len(other), *other)
    seq, i = 1000, 0
    while not stop.is_set():
        chunk = pcm[i:i + 320] or pcm[:320]
        i = i + 320 if i + 320 < len(pcm) else 0
        pkt = struct.pack("!BBHII", 0x80, 0, seq & 0xffff, seq * 160,
                          0x1234) + audioop.lin2ulaw(chunk, 2)
        sk.sendto(pkt, ("127.0.0.1", P + 50))
        sent_rogue[0] += 1
        seq += 1
        time.sleep(0.02)
    sk.close()


th = threading.Thread(target=rogue, daemon=True)
th.start()
r = alice_pcmu.run("call", "-d", "bob@site1.test", "--play", SRC, "-t", "20")
stop.set()
th.join()
line, seen = bob.wait_line(lambda l: l.startswith("direct call with"))
ok(r.returncode == 0 and "(PCMU)" in r.stdout and line is not None,
   "alice calls bob again, PCMU, while %d packets of a stranger's come to "
   "his port (%d %r)" % (sent_rogue[0], r.returncode, r.stdout))
peak, _ = correlate(read_wav(brec), src)
ctl, _ = correlate(read_wav(brec), other)
ign = [re.search(r"ignored (\d+) from other", e) for e in bob.errs]
ign = [int(x.group(1)) for x in ign if x]
ok(peak > 0.8 and ctl < 0.3 and ign and ign[-1] > 0,
   "bob played alice (%.4f), not the stranger (%.4f), and dropped %s "
   "packets from an address no announcement named" % (peak, ctl,
                                                       ign[-1:] or "no"))


def refused(who, want, words, what):
    r = alice.run("call", "-d", who, "--play", SRC, "-t", "20")
    ok(r.returncode == want and words in r.stderr,
       "%s: exit %d, %r (%d %r %r)" % (what, want, words, r.returncode,
                                        r.stderr, r.stdout))


# An announcement in alice's name that names a third host, from a
# stranger's socket: bob's imc refuses to stream at that host.
m = re.search(r"sip:bob@127\.0\.0\.1:(\d+)", s.ctl("show", "bindings").stdout)
body = ("call start\nid spoof1\nfrom alice@site1.test\nhost 127.0.0.9\n"
        "port 40000\ncodec PCMU\n")
req = ("MESSAGE sip:bob@127.0.0.1:%s SIP/2.0\r\n"
       "Via: SIP/2.0/UDP 127.0.0.1:%%d;branch=z9hG4bKspoof1;rport\r\n"
       "Max-Forwards: 70\r\nFrom: <sip:alice@site1.test>;tag=x1\r\n"
       "To: <sip:bob@site1.test>\r\nCall-ID: spoof1@x\r\n"
       "CSeq: 1 MESSAGE\r\nContent-Type: application/x-imd-call\r\n"
       "Content-Length: %d\r\n\r\n%s" % (m.group(1) if m else "0",
                                           len(body), body))
sk = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sk.bind(("127.0.0.1", 0))
sk.settimeout(5)
sk.sendto((req % sk.getsockname()[1]).encode(), ("127.0.0.1",
                                                  int(m.group(1)) if m else 9))
try:
    resp = sk.recv(65536).decode("utf-8", "replace")
except socket.timeout:
    resp = ""
sk.close()
ok(resp.startswith("SIP/2.0 403 Forbidden (host is not the sender's)"),
   "an announcement naming a host it did not come from: 403 (%r)" %
   resp.split("\r\n")[0])
line, _ = bob.wait_line(lambda l: "refused" in l)
ok(line is not None and "403" in line, "bob's imc says so: %r" % line)

# carol, not approved by anyone, calls bob.
carol = client("carol")
t = time.time()
r = carol.run("call", "-d", "bob@site1.test", "--play", SRC, "-t", "20")
ok(r.returncode == 11 and "not authorised to call bob@site1.test "
   "directly" in r.stderr and time.time() - t < 10,
   "carol, whom bob has not approved: exit 11, not authorised (%d %r)" % (
       r.returncode, r.stderr))
bob.quit()

# henry refuses direct calls.
henry, up = callee("henry", BOB[:2] + ["direct-calls refuse",
                                       "media audio port %d codecs pcmu "
                                       "direct yes" % (P + 58)])
ok(up, "henry's imc, with direct-calls refuse")
refused("henry@site1.test", 9, "henry@site1.test refuses direct calls",
        "direct-calls refuse")
line, _ = henry.wait_line(lambda l: "refused" in l)
ok(line == "direct call from alice@site1.test refused: 603 Decline",
   "henry's imc says so: %r" % line)
henry.quit()

# ivan asks: direct-calls ask in the interactive mode rings (202)
# until /answer, and only then does his stream start.
irec = os.path.join(W, "ivan.wav")
ivan, up = callee("ivan", ["direct yes", "buddy alice@site1.test",
                           "direct-calls ask", "media audio port %d codecs "
                           "pcmu direct yes" % (P + 64)], "--record", irec)
ok(up, "ivan's imc, direct-calls ask")
pa = subprocess.Popen(alice.argv(["call", "-d", "ivan@site1.test", "--play",
                                  SRC, "-t", "20"]),
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                      text=True)
line, _ = ivan.wait_line(lambda l: "rings" in l)
ok(line == "direct call from alice@site1.test rings: /answer or /hangup",
   "ivan's imc rings: %r" % line)
ivan.say("/answer")
out, err = pa.communicate(timeout=30)
ok(pa.returncode == 0 and "ringing ivan@site1.test (its imc asks)" in out
   and "call with ivan@site1.test ended" in out,
   "alice: ringing, then the call, ended with her file (%d %r %r)" % (
       pa.returncode, out, err))
line, seen = ivan.wait_line(lambda l: l.startswith("direct call with"))
peak, lag = correlate(read_wav(irec), src)
ok(line == "direct call with alice@site1.test ended: it hung up" and
   peak > 0.8, "ivan answered, heard her (%.4f at %s s), and her hang-up "
   "(%r)" % (peak, lag, seen))
# ivan lets the next one go: alice's time runs out, nobody answered.
pa = subprocess.Popen(alice.argv(["call", "-d", "ivan@site1.test", "--play",
                                  SRC, "-t", "20"]),
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                      text=True)
line, _ = ivan.wait_line(lambda l: "rings" in l)
ivan.say("/hangup")
line2, _ = ivan.wait_line(lambda l: "declined" in l)
out, err = pa.communicate(timeout=30)
ok(line is not None and line2 == "direct call from alice@site1.test "
   "declined" and pa.returncode == 10 and "ivan@site1.test did not "
   "answer the call" in err, "/hangup while it rings: alice hears "
   "nothing, and her call ends unanswered, exit 10 (%d %r)" % (
       pa.returncode, err))
ivan.quit()

# Not a buddy of george's: approved, but his imc does not take it.
george, up = callee("george", ["direct yes", "media audio port %d codecs "
                               "pcmu direct yes" % (P + 52)])
ok(up, "george (alice approved, not his buddy) publishes direct audio")
refused("george@site1.test", 11, "does not take direct calls from us",
        "not george's buddy")
george.quit()

dave, up = callee("dave", ["direct yes", "buddy alice@site1.test"])
ok(up, "dave publishes no audio medium")
refused("dave@site1.test", 1, "dave@site1.test publishes no audio medium",
        "a callee with no audio medium")
dave.quit()

erin, up = callee("erin", ["direct yes", "buddy alice@site1.test",
                           "media audio port %d codecs G722 direct yes" %
                           (P + 54)])
ok(up, "erin publishes audio with G722 only")
refused("erin@site1.test", 1, "erin@site1.test has no codec in common "
        "with us", "no codec in common")
erin.quit()

frank, up = callee("frank", ["direct yes", "buddy alice@site1.test",
                             "media audio port %d codecs pcmu direct yes" %
                             (P + 56)])
ok(up, "frank publishes direct audio")
os.kill(frank.p.pid, 19)        # SIGSTOP: his imc hears nothing
t = time.time()
refused("frank@site1.test", 10, "frank@site1.test did not answer the call",
        "an imc that never answers the announcement")
ok(time.time() - t < 15, "and that took %.1f s, not a hang" % (
    time.time() - t))
os.kill(frank.p.pid, 18)        # SIGCONT
frank.quit()

m = tap.methods()
ok("INVITE" not in m and "SUBSCRIBE" in m and "PUBLISH" in m,
   "no INVITE reached imd in all these calls; it saw %s" % sorted(set(m)))
r = alice.run("call", "bob@site1.test", "-t", "3")
ok(r.returncode != 0 and "INVITE" in tap.methods(),
   "and the tap does see an INVITE when alice calls the usual way "
   "(%d %r)" % (r.returncode, r.stderr.strip()))
tap.close()
done()
