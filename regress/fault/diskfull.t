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
# The database directory on a small tmpfs, filled up by a file of the
# test: a MESSAGE for an offline user gets 500 or 503 and never a 202
# it cannot keep, a REGISTER gets 5xx too, the log says that the device
# is full, and the suite keeps running.  With the file gone it accepts
# again at once, without a restart; stopped, its databases verify
# clean, and started again every message answered 202, before and while
# the disk was full, is delivered exactly once.
#
# The libdb log is a sparse file on tmpfs: the page it is writing into
# when the disk fills still takes a few records, so the first messages
# after the fill may still be stored (and answered 202); from the first
# 5xx on nothing more may be.
#
# Needs root and tmpfs; port 26040, 127.0.0.1 only.

import glob, os, shutil, signal, subprocess, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done, children, message_auth, \
    take_messages

# A SIGTERM (prove's timeout) still runs the clean-up: atexit, finally.
signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))

PORT = 26040
VERIFY = shutil.which("db5.3_verify") or shutil.which("db_verify")

if os.geteuid() != 0:
    print("1..0 # SKIP mounting a tmpfs needs root")
    sys.exit(0)

s = Suite("site1.test", PORT)
db = os.path.join(s.dir, "db")
os.mkdir(db, 0o755)
r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0755",
                    "imd-diskfull", db], capture_output=True, text=True)
if r.returncode != 0:
    s.cleanup()
    print("1..0 # SKIP mount -t tmpfs is not permitted: %s" %
          r.stderr.strip())
    sys.exit(0)
srv = ("127.0.0.1", PORT)
filler = os.path.join(db, "filler")


def send(text):
    try:
        return message_auth(UA(srv, timeout=5), "a1", "site1.test", "a1pw",
                            "sip:b1@site1.test", text.encode())["status"]
    except OSError:
        return None


try:
    ok(s.start(), "the suite starts, its database on a 16M tmpfs")
    for u in ("a1", "b1", "c1"):
        s.add_user("%s@site1.test" % u, u + "pw")
    kids = children(s.proc.pid)
    accepted, refused = [], []
    st = [send("before %d" % i) for i in range(3)]
    ok(st == [202] * 3, "three messages for offline b1: 202 (%s)" % st)
    accepted += ["before %d" % i for i in range(3)]

    subprocess.run(["dd", "if=/dev/zero", "of=" + filler, "bs=1M"],
                   capture_output=True)
    df = os.statvfs(db)
    ok(df.f_bavail == 0, "the filler fills the tmpfs (%d blocks free)" %
       df.f_bavail)

    # Until the page the log is in is used up, then 5xx only.
    first = None
    for i in range(40):
        r = send("full %d" % i)
        if r == 202:
            accepted.append("full %d" % i)
        else:
            first = r
            refused.append("full %d" % i)
            break
    ok(first in (500, 503), "a MESSAGE on the full disk gets %s after %d "
       "more were stored" % (first, len(accepted) - 3))
    st = [send("refused %d" % i) for i in range(5)]
    refused += ["refused %d" % i for i in range(5)]
    ok(all(x in (500, 503) for x in st), "and so do the next five, never "
       "202 (%s)" % st)
    r = UA(srv, timeout=5).register("c1", "site1.test", "c1pw")
    ok(r["status"] in (500, 503), "a REGISTER gets %d %s" % (r["status"],
                                                            r["reason"]))
    log = s.logtext()
    ok("No space left on device" in log, "the log says the device is full")
    nospace = [l for l in log.splitlines() if "not stored" in l]
    ok(len(nospace) >= 6 and all("b1@site1.test" in l for l in nospace),
       "and names each message not stored: %s" % nospace[:1])
    ok(s.alive() and children(s.proc.pid) == kids,
       "the suite keeps running, every child the same")

    os.unlink(filler)
    r = send("after")
    ok(r == 202, "with the space back: 202 without a restart (%s)" % r)
    accepted.append("after")
    r = UA(srv, timeout=5).register("c1", "site1.test", "c1pw")
    ok(r["status"] == 200, "and REGISTER 200 (%s)" % r["status"])

    s.proc.send_signal(signal.SIGTERM)
    ok(s.proc.wait(10) == 0, "the suite stops cleanly")
    if VERIFY is None:
        ok(True, "# SKIP db_verify is missing: install db5.3-util")
    else:
        bad = []
        for f in sorted(glob.glob(os.path.join(db, "env", "*.db"))):
            v = subprocess.run([VERIFY, "-q", "-h", os.path.dirname(f),
                                os.path.basename(f)],
                               capture_output=True, text=True)
            if v.returncode != 0:
                bad.append((os.path.basename(f), v.stderr.strip()))
        ok(bad == [], "db_verify finds every database sound %s" % bad)

    ok(s.start(), "the suite starts again, with recovery")
    b1 = UA(srv, timeout=2)
    ok(b1.register("b1", "site1.test", "b1pw")["status"] == 200,
       "b1 registers")
    got = take_messages(b1)
    ok(got == accepted, "b1 gets the %d messages answered 202, in order, "
       "once each (%s)" % (len(accepted), got))
    ok(not set(got) & set(refused), "and none of the refused")
finally:
    if s.proc is not None and s.proc.poll() is None:
        s.proc.send_signal(signal.SIGTERM)
        s.proc.wait(10)
    subprocess.run(["umount", db], capture_output=True)
    s.cleanup()
done()
