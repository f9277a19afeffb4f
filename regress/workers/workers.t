#!/usr/bin/env python3
#
# Copyright (c) 2026 The imd Authors
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
#
# `listener workers N`: N listener processes on the same ports
# (SO_REUSEPORT).  Clients from many source ports, so that the kernel
# hands their traffic to every worker: REGISTER and MESSAGE across
# workers, presence whose watchers land on a worker that does not own the
# presentity (the hand-off), a MESSAGE to a device whose TCP connection
# another worker holds, sipp calls whose legs land on different workers,
# show status and show calls over every worker, and a worker killed with
# SIGKILL ending the suite.

import os, re, signal, socket, subprocess, sys, threading, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/calls"))
from imdtest import (Suite, UA, Collector, ok, done, header, auth_request,
                     message_auth, gone)
from calllib import DOMAIN, bind_sipp, finished, have_sipp, sipp

D = DOMAIN


def stat(s, name):
    """The sum of a family's series in imctl show stats."""
    out = s.ctl("show", "stats").stdout
    return sum(int(v) for v in re.findall(
        r"(?m)^%s(?:\{[^}]*\})?\s+(\d+)" % re.escape(name), out))


def stat_series(s, name, labels):
    out = s.ctl("show", "stats").stdout
    m = re.search(r"(?m)^%s\{%s\}\s+(\d+)" % (re.escape(name),
                                              re.escape(labels)), out)
    return int(m.group(1)) if m else -1


def workers_shown(s):
    return re.findall(r"(?m)^listener \d+", s.ctl("show", "status").stdout)


def subscribe(ua, col, user, target, expires=60, totag=None):
    hdrs = ["Event: presence", "Expires: %d" % expires,
            "Contact: %s" % col.contact(user)]
    to = "sip:%s@%s" % (target, D)
    return auth_request(ua, "SUBSCRIBE", to, user, D, user + "pw", to=to,
                        extra=hdrs, totag=totag)


def publish(user, note):
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns='
            '"urn:ietf:params:xml:ns:pidf" entity="pres:%s@%s"><tuple '
            'id="t1"><status><basic>open</basic></status><note>%s</note>'
            '</tuple></presence>' % (user, D, note)).encode()
    return auth_request(UA(srv), "PUBLISH", "sip:%s@%s" % (user, D), user,
                        D, user + "pw", extra=[
                            "Event: presence", "Expires: 60",
                            "Content-Type: application/pidf+xml"],
                        body=body)


def messages_until_handoff(user, prefix, most, kind):
    """alice's MESSAGEs to user, each from a new port, until at least 4
    went and a hand-off of kind was counted (most at most): how many
    were sent, and how many answered 200."""
    sent = answered = 0
    while sent < most:
        r = message_auth(UA(srv), "alice", D, "alicepw",
                         "sip:%s@%s" % (user, D), b"%s %d" % (prefix, sent))
        sent += 1
        answered += r["status"] == 200
        if sent >= 4 and stat_series(s, "imd_listener_handoffs_total",
                                     'kind="%s"' % kind) > 0:
            break
    return sent, answered


# Configuration errors: see regress/config/fail/listener-workers.conf.
# The default, auto, is one worker per online core.
s = Suite(D, 28300)
r = subprocess.run([os.path.join(os.environ["IMD_BUILD"], "sbin/imd"),
                    "-nv", "-f", s.conf], capture_output=True, text=True)
ok("listener workers auto" in r.stdout, "imd -nv shows the default: "
   "listener workers auto")
ok(s.start(), "the suite starts with the default")
n = len(workers_shown(s)) or 1
ok(n == min(os.cpu_count(), 16) or (os.cpu_count() == 1 and n == 1),
   "one listener worker per online core (%d here)" % n)
s.cleanup()

# Three workers: every one is a process of the suite.
s = Suite(D, 28310, ["listener workers 3"])
ok(s.start(), "the suite starts with listener workers 3")
ok(workers_shown(s) == ["listener 0", "listener 1", "listener 2"],
   "show status lists listener 0, 1 and 2")
s.add_user("carol@" + D, "carolpw")
col = Collector()
got = 0
for i in range(8):
    r = UA(("127.0.0.1", 28310)).register("carol", D, "carolpw",
                                          contacts=[col.contact("carol")])
    got += r["status"] == 200
ok(got == 8, "REGISTER from 8 source ports over 3 workers: 8 x 200")
s.add_user("dan@" + D, "danpw")
answered = 0
for i in range(8):
    r = message_auth(UA(("127.0.0.1", 28310)), "dan", D, "danpw",
                     "sip:carol@%s" % D, b"three %d" % i)
    answered += r["status"] == 200
seen = set()
deadline = time.time() + 5
while len(seen) < 8 and time.time() < deadline:
    m = col.next(0.5)
    if m is not None and m["method"] == "MESSAGE":
        seen.add(m["body"])
ok(answered == 8 and len(seen) == 8, "8 MESSAGEs from 8 ports over 3 "
   "workers reach carol and her 200s, wherever they land, reach the "
   "worker that sent each (%d answered, %d delivered)" % (answered,
                                                         len(seen)))
s.cleanup()

# Two workers for the rest.
PORT = 28320
s = Suite(D, PORT, ["listener workers 2",
                    "limit connections-per-address 4"])
srv = ("127.0.0.1", PORT)
ok(s.start(), "the suite starts with listener workers 2")
for u in ("alice", "bob", "dave", "bobt"):
    s.add_user("%s@%s" % (u, D), u + "pw")

# REGISTER and MESSAGE between users, from many source ports.
bobc = Collector()
r = UA(srv).register("bob", D, "bobpw", contacts=[bobc.contact("bob")])
ok(r["status"] == 200, "bob registers")
# MESSAGEs from new ports until one was sent by the worker that does
# not get bob's answers (his one port meets one worker): its 200 is
# handed to the worker holding the transaction.
sent, answered = messages_until_handoff("bob", b"hello", 20, "message")
got = set()
deadline = time.time() + 5
while len(got) < sent and time.time() < deadline:
    m = bobc.next(0.5)
    if m is not None and m["method"] == "MESSAGE":
        got.add(m["body"])
ok(answered == sent and len(got) == sent, "alice's %d MESSAGEs from as "
   "many ports reach bob: %d answered 200, %d delivered" %
   (sent, answered, len(got)))
ok(stat_series(s, "imd_listener_handoffs_total", 'kind="message"') > 0,
   "some went out from one worker and came back through the other")
rx0 = stat(s, "imd_sip_messages_received_total")
ok(rx0 >= 3 * sent + 2, "the workers' counters add up in show stats: %d "
   "messages received (bob's 2 REGISTERs, 2 requests and a 200 a "
   "MESSAGE: %d)" % (rx0, 3 * sent + 2))

# Presence: the owner of alice is one worker, the kernel spreads her
# watchers over both.
ok(publish("alice", "at lunch")["status"] == 200, "alice publishes")
# Watchers join, each on its own port, until one landed on the worker
# that does not own alice (each does so with odds of one half).
watchers, fine = [], 0
users = ["w%02d" % i for i in range(16)]
for u in users:
    s.add_user("%s@%s" % (u, D), u + "pw")
for u in users:
    ua, c = UA(srv), Collector()
    r = subscribe(ua, c, u, "alice")
    n = c.next()
    tag = re.search(r"tag=([^;>\s]+)", (header(r, "to") or [""])[0])
    watchers.append((u, ua, c, tag.group(1) if tag else None))
    fine += r["status"] == 200 and n is not None and b"at lunch" in n["body"]
    if len(watchers) >= 3 and stat_series(
            s, "imd_listener_handoffs_total", 'kind="message"') > 0:
        break
ok(fine == len(watchers), "%d watchers subscribe (200) and get alice's "
   "NOTIFY" % fine)
handed = stat_series(s, "imd_listener_handoffs_total", 'kind="message"')
ok(handed > 0, "some SUBSCRIBEs were handed to the owner (%d)" % handed)
ok(publish("alice", "back")["status"] == 200, "alice publishes again")
fine = 0
for u, ua, c, tag in watchers:
    n = c.next()
    fine += n is not None and b"back" in n["body"]
ok(fine == len(watchers), "every watcher gets the new state (%d)" % fine)
fine = 0
for u, ua, c, tag in watchers:
    r = subscribe(ua, c, u, "alice", expires=120, totag=tag)
    n = c.next()
    fine += r["status"] == 200 and n is not None
ok(fine == len(watchers), "every refresh in the dialog: 200 and a "
   "NOTIFY (%d)" % fine)
fine = 0
for u, ua, c, tag in watchers:
    r = subscribe(ua, c, u, "alice", expires=0, totag=tag)
    n = c.next()
    st = (header(n, "subscription-state") or [""])[0] if n else ""
    fine += r["status"] == 200 and st.startswith("terminated")
ok(fine == len(watchers), "every unsubscribe: 200 and a terminated "
   "NOTIFY (%d)" % fine)
out = s.ctl("show", "watchers", "alice@" + D).stdout
ok(s.ctl("show", "watchers", "alice@" + D).returncode == 0,
   "show watchers asks the owner of alice")

# A device over TCP: its connection is one worker's; MESSAGEs from many
# ports land on both, and the other worker has it write them.
tcp = UA(srv, transport="tcp")
r = tcp.register("bobt", D, "bobtpw")
ok(r["status"] == 200, "bobt registers over TCP")
got, want = set(), 0


def answer_tcp():
    """bobt's device: every MESSAGE on its connection answered 200."""
    tcp.s.settimeout(0.5)
    deadline = time.time() + 20
    while (want == 0 or len(got) < want) and time.time() < deadline:
        try:
            m = tcp.recv(parse=lambda d: d)
        except Exception:
            continue
        if not m.startswith(b"MESSAGE"):
            continue
        got.add(m.split(b"\r\n\r\n", 1)[1])
        hdrs = re.findall(rb"(?im)^via:[^\r\n]*", m) + [
            re.search(rb"(?im)^%s:[^\r\n]*" % h, m).group(0)
            for h in (b"from", b"to", b"call-id", b"cseq")]
        tcp.send_raw(b"SIP/2.0 200 OK\r\n" + b"\r\n".join(hdrs) +
                     b"\r\nContent-Length: 0\r\n\r\n")


t = threading.Thread(target=answer_tcp, daemon=True)
t.start()
sent, answered = messages_until_handoff("bobt", b"tcp", 16, "connection")
want = sent
t.join(20)
ok(answered == sent, "alice's %d MESSAGEs to bobt from as many ports: 200 "
   "each, bobt's answers back through the worker that sent each (%d)" %
   (sent, answered))
ok(len(got) == sent, "%d MESSAGEs reach bobt over its one connection (%d)"
   % (sent, len(got)))
conn = stat_series(s, "imd_listener_handoffs_total", 'kind="connection"')
ok(conn > 0, "some were written by the worker holding the connection "
   "for the other (%d)" % conn)

# Calls: the callee's device and the callers on different ports; the
# 200 and the BYE land where the kernel says, the call's worker takes them.
if have_sipp():
    ok(bind_sipp(s, "dave", "davepw", 28331), "dave's sipp registers")
    # Calls from new ports until one's legs landed on two workers: the
    # callee's 200 on the worker that does not hold the call.
    passed = calls = 0
    before = stat_series(s, "imd_listener_handoffs_total", 'kind="message"')
    while calls < 12:
        uas = sipp(s, "uas.xml", 28331, s.dir + "/uas%d.log" % calls)
        uac = sipp(s, "uac.xml", 28340 + calls, s.dir + "/uac%d.log" % calls,
                   uac=("alice", "alicepw", "dave"))
        passed += finished(uac) == 0 and finished(uas) == 0
        calls += 1
        if calls >= 2 and stat_series(s, "imd_listener_handoffs_total",
                                      'kind="message"') > before:
            break
    after = stat_series(s, "imd_listener_handoffs_total", 'kind="message"')
    ok(passed == calls, "%d calls from as many ports: INVITE, 200, ACK, BYE "
       "(%d passed)" % (calls, passed))
    ok(after > before, "their responses or requests went to the worker "
       "holding the call (%d hand-offs)" % (after - before))
    ok(s.ctl("show", "calls").returncode == 0,
       "show calls gathers every worker")
else:
    for _ in range(4):
        ok(True, "# SKIP sipp missing")
# The bounds are the suite's: each worker holds its share (2 of 4
# connections per address), so one address never holds more than 4.
held = []
for i in range(12):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.connect(srv)
    held.append(c)
time.sleep(1)
alive = 0
for c in held:
    c.settimeout(2)
    try:
        c.sendall(b"OPTIONS sip:%s SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;"
                  b"branch=z9hG4bKb%d\r\nFrom: <sip:x@%s>;tag=1\r\nTo: "
                  b"<sip:%s>\r\nCall-ID: b%d@test\r\nCSeq: 1 OPTIONS\r\n"
                  b"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n" %
                  (D.encode(), c.fileno(), D.encode(), D.encode(),
                   c.fileno()))
        alive += c.recv(4096).startswith(b"SIP/2.0 200")
    except OSError:
        pass
ok(1 <= alive <= 3, "limit connections-per-address 4 over 2 workers: of "
   "12 more connections from one address (bobt's is open), %d served" %
   alive)
for c in held:
    c.close()
ok(s.alive(), "the suite is still up")

# A worker killed ends the suite, as any child does.
st = s.ctl("show", "status").stdout
m = re.search(r"(?m)^listener 1\s+(\d+)", st)
pid = int(m.group(1)) if m else 0
ok(pid > 0, "listener 1 has a pid in show status")
if pid > 0:
    os.kill(pid, signal.SIGKILL)
ended = False
for _ in range(50):
    if s.proc.poll() is not None:
        ended = True
        break
    time.sleep(0.1)
ok(ended and s.proc.returncode != 0, "kill -9 of listener 1 ends the suite "
   "(exit %s)" % s.proc.returncode)
log = s.logtext()
ok(re.search(r"(channel to listener 1 closed|listener 1 \(pid \d+\) "
             r"killed by signal 9)", log) is not None,
   "the worker that died is named in the log")
done()
