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
# The installed programs do the real work: make install into a DESTDIR,
# then the installed imd and imctl, not the build's, serve a test
# configuration: users are added, one registers, a MESSAGE from the
# other is delivered to it.

import atexit, os, shutil, subprocess, sys, tempfile
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
import imdtest
from imdtest import Answer, Suite, UA, ok, done, message_auth

PORT = 25900
dest = tempfile.mkdtemp(prefix="imd-dest.")
# atexit runs last what was registered first: after the suite is stopped.
atexit.register(shutil.rmtree, dest, True)
r = subprocess.run(["make", "-s", "-C", os.environ["IMD_TOP"], "install",
                    "BUILD=" + os.environ["IMD_BUILD"], "DESTDIR=" + dest,
                    "PREFIX=/usr/local", "ETCDIR=/etc/imd"],
                   capture_output=True, text=True)
ok(r.returncode == 0, "make install into a DESTDIR")
imdtest.IMD = os.path.join(dest, "usr/local/sbin/imd")
imdtest.IMCTL = os.path.join(dest, "usr/local/bin/imctl")

s = Suite("site1.test", PORT)
ok(s.start(), "the installed suite starts")
exe = os.readlink("/proc/%d/exe" % s.proc.pid)
ok(exe == imdtest.IMD, "the parent is the installed imd")
ok(s.add_user("a1@site1.test", "a1pw") and
   s.add_user("b1@site1.test", "b1pw"), "the installed imctl adds users")
ok("b1@site1.test " in s.ctl("user", "list").stdout,
   "the installed imctl lists them")

srv = ("127.0.0.1", PORT)
b1 = UA(srv)
ok(b1.register("b1", "site1.test", "b1pw")["status"] == 200,
   "b1 registers")
ans = Answer(b1)
r = message_auth(UA(srv), "a1", "site1.test", "a1pw", "sip:b1@site1.test",
                 b"hello from the installed suite")
req = ans.request()
ok(isinstance(req, dict) and req["method"] == "MESSAGE" and
   req["body"] == b"hello from the installed suite",
   "b1 receives a1's MESSAGE")
ok(r["status"] == 200, "a1 gets b1's 200")
ok(s.alive(), "the suite is still up")
s.cleanup()
ok(not s.alive(), "the suite stops")
done()
