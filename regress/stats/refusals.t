#!/usr/bin/env python3
# A connection flood does not flood the log.  Three sources each hold
# their two connections (limit connections-per-address 2) and try 100
# more: 300 refusals.  The log must show the first refusal in full and
# then one summary a period, "N refusals of connection_cap from M
# sources in the last ...", adding up to all of them, where one line a
# refusal would be 300.  The same for a guesser banned by authd who
# keeps trying: the ban is counted, each refusal too, and the log has a
# line and a summary.  IMD_REFUSAL_PERIOD=2 (lib/refusal.h, for tests
# only) makes the period 2 s instead of a minute.

import os, re, socket, sys, threading, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/stats"))
from imdtest import Suite, UA, ok, done
from stats_lib import poll, show_stats

PORT = 27740
SOURCES = ("127.0.0.1", "127.0.0.2", "127.0.0.3")
TRIES = 100
os.environ["IMD_REFUSAL_PERIOD"] = "2"
s = Suite("site1.test", PORT, ["listen on 127.0.0.1 port %d tcp" %
                               (PORT + 1),
                               "limit connections-per-address 2",
                               # one process's summaries (each worker
                               # sums up its own refusals)
                               "listener workers 1"])
ok(s.start(), "the suite starts, two connections per address")

held = []
for src in SOURCES:
    for i in range(2):
        c = socket.socket()
        c.bind((src, 0))
        c.connect(("127.0.0.1", PORT + 1))
        held.append(c)


def refused():
    return show_stats(s)[1].get('imd_refusals_total{kind="connection_cap"}')


ok(poll(lambda: show_stats(s)[1].get('imd_connections{transport="tcp"}'),
        6) == 6, "each source holds its two connections")

for src in SOURCES:
    for i in range(TRIES):
        c = socket.socket()
        c.bind((src, 0))
        try:
            c.connect(("127.0.0.1", PORT + 1))
        except OSError:
            pass
        c.close()
total = len(SOURCES) * TRIES
got = poll(refused, total)
ok(got == total, "%d refusals counted (%s)" % (total, got))

SUMMARY = re.compile(r"listener: (\d+) refusals of connection_cap from "
                     r"(\d+) sources in the last 2 s")


def summed():
    return sum(int(m.group(1)) for m in SUMMARY.finditer(s.logtext()))


# The period ends at most 2 s after the last refusal.
n = poll(summed, total, timeout=10)
text = s.logtext()
lines = [l for l in text.splitlines() if "refus" in l]
full = [l for l in lines if "connections from this address" in l]
sums = SUMMARY.findall(text)
ok(n == total, "the summaries add up to every refusal: %d" % n)
ok(any(int(m) == len(SOURCES) for _, m in sums) or len(sums) > 1,
   "a summary names %d sources: %s" % (len(SOURCES), sums))
ok(1 <= len(full) <= 1 + len(sums),
   "one refusal in full per period at most: %d lines" % len(full))
ok(len(lines) <= 10,
   "%d log lines about refusals for %d refusals" % (len(lines), total))
for c in held:
    c.close()

# A guesser: 12 wrong passwords for carl from 127.0.0.5 at once (authd
# bans carl from there after 10), then 40 tries more, all refused.
s.add_user("carl@site1.test", "carlpw")
srv = ("127.0.0.1", PORT)


def guess(i):
    UA(srv, bind="127.0.0.5", timeout=8).register("carl", "site1.test",
                                                  "guess%d" % i)


threads = [threading.Thread(target=guess, args=(i,)) for i in range(12)]
for t in threads:
    t.start()
for t in threads:
    t.join()
st = show_stats(s)[1]
ok(st.get("imd_auth_bans_total", 0) >= 1 and
   st.get("imd_auth_failures_total", 0) >= 10,
   "the ban is counted: %s bans after %s failures" %
   (st.get("imd_auth_bans_total"), st.get("imd_auth_failures_total")))
before = st.get('imd_refusals_total{kind="banned_source"}', 0)
tries = [UA(srv, bind="127.0.0.5").register("carl", "site1.test",
                                            "carlpw")["status"]
         for i in range(40)]
ok(tries.count(403) == 40, "40 tries from the banned source: 403 each")
got = show_stats(s)[1].get('imd_refusals_total{kind="banned_source"}')
ok(got == before + 40, "each refusal counted (%s)" % got)
BANNED = re.compile(r"authd: (\d+) refusals of banned_source from 1 "
                    r"sources in the last 2 s")
n = poll(lambda: sum(int(m.group(1)) for m in
                     BANNED.finditer(s.logtext())), got, timeout=10)
ok(n == got, "the summaries add up to every refusal of the banned "
   "source: %d" % n)
lines = [l for l in s.logtext().splitlines() if "refused: source" in l]
ok(1 <= len(lines) <= 3, "%d log lines of refusals in full for %d" %
   (len(lines), got))
ok(s.alive(), "the suite is still up")
done()
