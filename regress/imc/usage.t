#!/usr/bin/env python3
# imc's command line on its own: -h and --help print the synopsis on
# standard output and exit 0; a wrong option prints it on standard
# error and exits 2.  Nothing here needs a server or a configuration.

import os, subprocess, sys

IMC = os.path.join(os.environ["IMD_BUILD"], "bin/imc")
n = 0
failed = 0


def ok(cond, name):
    global n, failed
    n += 1
    print("%sok %d - %s" % ("" if cond else "not ", n, name))
    if not cond:
        failed += 1


def run(*args):
    return subprocess.run([IMC] + list(args), capture_output=True,
                          text=True, timeout=10, stdin=subprocess.DEVNULL)


for h in ("-h", "--help"):
    r = run(h)
    ok(r.returncode == 0, "imc %s exits 0" % h)
    ok(r.stdout.startswith("usage: imc [-c dir] [chat [--play file] "
                           "[--record file]]\n"),
       "imc %s prints the usage on standard output" % h)
    ok(r.stderr == "", "imc %s prints nothing on standard error" % h)
    if r.returncode != 0 or r.stderr:
        print("# exit %d, stderr: %r" % (r.returncode, r.stderr))

r = run("-x")
ok(r.returncode == 2 and r.stdout == "" and "usage: imc" in r.stderr,
   "an unknown option: usage on standard error, exit 2")
r = run("--frob")
ok(r.returncode == 2 and "usage: imc" in r.stderr,
   "an unknown long option: usage on standard error, exit 2")

print("1..%d" % n)
sys.exit(1 if failed else 0)
