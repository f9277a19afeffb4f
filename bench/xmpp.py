#!/usr/bin/python3
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
# The xmpp workload: SIP users to Jabber users through imd, xmppd and a
# real Prosody.  sipp (bench/sipp/uac_message_xmpp.xml) sends MESSAGEs
# with digest from romeo@a.test to juliet@b.test at RATE per second,
# open loop, N in all; juliet (slixmpp, on Prosody) counts what
# arrives.  The servers are those of regress/xmpp (regress/lib/
# xmpptest.py: imd on 127.0.0.1, Prosody on 127.0.0.2, dnsmasq on port
# 53), in a network namespace of their own, so run it as root:
#
#	RATE=500 N=10000 bench/xmpp.py
#
# Prints messages per second delivered, sipp's failures, and CPU
# milliseconds per message of imd (all its processes) and of Prosody.
# Debian's python3 (python3-slixmpp).  Results to bench/results/xmpp.txt.

import os, subprocess, sys, time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if os.environ.get("IMD_BENCH_NETNS") != "1":
    os.environ["IMD_BENCH_NETNS"] = "1"
    os.execvp("unshare", ["unshare", "-n", "sh", "-c",
                          "ip link set lo up; exec /usr/bin/python3 %s" %
                          os.path.abspath(__file__)])
os.environ.setdefault("IMD_BUILD", os.path.join(TOP, "build"))
os.environ.setdefault("IMD_TOP", TOP)
sys.path.insert(0, os.path.join(TOP, "regress/lib"))
from imdtest import children
from xmpptest import World, Jabber

RATE = int(os.environ.get("RATE", "500"))
N = int(os.environ.get("N", "10000"))
PORT = 15060
TICK = os.sysconf("SC_CLK_TCK")


def cpu_ms(pids):
    total = 0
    for p in pids:
        try:
            with open("/proc/%d/stat" % p) as f:
                st = f.read().rpartition(")")[2].split()
            total += int(st[11]) + int(st[12])
        except OSError:
            pass
    return total * 1000.0 / TICK


w = World(PORT, imd_extra=["limit held-requests-per-address 16384",
                           "limit held-bytes-per-address 64M"])
w.prosody.add_user("juliet", "jpw")
assert w.prosody.start() and w.imd.start()
w.imd.add_user("romeo@a.test", "rpw")
juliet = Jabber("juliet@b.test", "jpw", "127.0.0.2", 5222, w.ca)
assert juliet.ready.wait(15)
imd_pids = [w.imd.proc.pid] + list(children(w.imd.proc.pid).values())
xmppd_pid = [children(w.imd.proc.pid)["xmppd"]]
pros_pids = [w.prosody.proc.pid]

# One message first: the streams up, outside the measure.
subprocess.run(["sipp", "127.0.0.1:%d" % PORT, "-sf",
                os.path.join(TOP, "bench/sipp/uac_message_xmpp.xml"),
                "-au", "romeo", "-ap", "rpw", "-m", "1", "-p", "15070",
                "-nostdin"], capture_output=True, timeout=60)
while len(juliet.messages) < 1:
    time.sleep(0.05)
base = len(juliet.messages)
c0, x0, p0 = cpu_ms(imd_pids), cpu_ms(xmppd_pid), cpu_ms(pros_pids)
t0 = time.time()
r = subprocess.run(["sipp", "127.0.0.1:%d" % PORT, "-sf",
                    os.path.join(TOP, "bench/sipp/uac_message_xmpp.xml"),
                    "-au", "romeo", "-ap", "rpw", "-r", str(RATE), "-m",
                    str(N), "-l", str(RATE * 4), "-p", "15070", "-nostdin",
                    "-timeout", "%ds" % (N // RATE + 60)],
                   capture_output=True, text=True)
got = 0
end = time.time() + 30
while time.time() < end:
    got = len(juliet.messages) - base
    if got >= N:
        break
    time.sleep(0.05)
last = time.time()
c1, x1, p1 = cpu_ms(imd_pids), cpu_ms(xmppd_pid), cpu_ms(pros_pids)
fails = "?"
for line in r.stdout.splitlines():
    if "Failed call" in line:
        fails = line.split("|")[2].strip() if "|" in line else line
sipp_s = time.time() - t0
out = ("xmpp: %d MESSAGEs offered at %d/s, %d delivered to juliet in %.1f s"
       " (%.0f/s); sipp failed calls: %s\n"
       "  CPU per message: imd (all processes) %.3f ms, of which xmppd "
       "%.3f ms; Prosody %.3f ms\n" % (
           N, RATE, got, last - t0, got / (last - t0), fails,
           (c1 - c0) / max(got, 1), (x1 - x0) / max(got, 1),
           (p1 - p0) / max(got, 1)))
sys.stdout.write(out)
os.makedirs(os.path.join(TOP, "bench/results"), exist_ok=True)
with open(os.path.join(TOP, "bench/results/xmpp.txt"), "a") as f:
    f.write(time.strftime("%Y-%m-%d %H:%M ") + out)
juliet.stop()
