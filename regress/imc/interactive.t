#!/usr/bin/env python3
# The interactive mode in a terminal: alice runs `imc -c DIR` in a tmux
# session of a fixed size, with bob@site2 as her buddy.  The screen says
# she logged in, shows bob open when he publishes it, shows bob's
# message; her `/msg` reaches bob's `imc listen`; `/quit` exits 0.

import atexit, os, shutil, subprocess, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdtest import Suite, ok, done
from imclib import Client, IMC

if shutil.which("tmux") is None:
    print("1..0 # SKIP tmux is not installed (scripts/install-deps)")
    sys.exit(0)

P = 25995
SOCK = "imc-interactive-%d" % os.getpid()
NAME = "alice"


def tmux(*args):
    return subprocess.run(["tmux", "-L", SOCK] + list(args),
                          capture_output=True, text=True)


atexit.register(lambda: tmux("kill-server"))


def screen():
    return tmux("capture-pane", "-p", "-t", NAME).stdout


def wait_for(text, timeout=15):
    end = time.time() + timeout
    while time.time() < end:
        s = screen()
        if text in s:
            return True
        time.sleep(0.2)
    return False


s1 = Suite("site1.test", P, ['route "site2.test" via 127.0.0.2 port %d' % P,
                             "presence notify-interval 0"])
s2 = Suite("site2.test", P, ['route "site1.test" via 127.0.0.1 port %d' % P,
                             "presence notify-interval 0"],
           addr="127.0.0.2")
ok(s1.start() and s2.start(), "site1 and site2 start")
s1.add_user("alice@site1.test", "alicepw")
s2.add_user("bob@site2.test", "bobpw")
alice = Client("alice@site1.test", "alicepw", "127.0.0.1", P,
               extra=["buddy bob@site2.test"])
bob = Client("bob@site2.test", "bobpw", "127.0.0.2", P)
status = os.path.join(alice.dir, "exit")

cmd = "%s -c %s; echo \"exit $?\" > %s; sleep 30" % (IMC, alice.dir, status)
r = tmux("new-session", "-d", "-s", NAME, "-x", "100", "-y", "40", cmd)
ok(r.returncode == 0, "tmux runs alice's imc in a 100x40 pane (%r)" %
   r.stderr.strip())
ok(wait_for("logged in as alice@site1.test"),
   "the screen says alice logged in")
# A watcher of another domain waits for the user's word by default.
r = bob.run("approve", "alice@site1.test")
ok(r.returncode == 0, "bob: imc approve alice@site1.test")
r = bob.run("status", "open", "at my desk")
ok(r.returncode == 0, "bob: imc status open")
ok(wait_for("bob@site2.test open at my desk"),
   "alice's screen shows bob open with his note")
ok("\x1b[32mopen" in tmux("capture-pane", "-p", "-e", "-t",
                                  NAME).stdout,
   "in colour on this terminal: open is green") or print("# %r" % tmux(
       "capture-pane", "-p", "-e", "-t", NAME).stdout[:600])

tmux("send-keys", "-t", NAME, "/who", "Enter")
ok(wait_for("  bob@site2.test open at my desk"),
   "/who shows the buddy list with bob open")

lb = bob.start("listen", "-t", "60")
ok(lb.ready(), "bob listens")
r = bob.run("send", "alice@site1.test", "hi alice")
ok(r.returncode == 0, "bob sends alice a message")
ok(wait_for("from bob@site2.test: hi alice"),
   "the message appears on alice's screen")
tmux("send-keys", "-t", NAME, "/msg bob@site2.test hello", "Enter")
ok(lb.line() == "from alice@site1.test: hello",
   "alice's /msg reaches bob's imc listen")
ok(wait_for("delivered to bob@site2.test"), "alice's screen says delivered")
if os.environ.get("IMC_SHOW_SCREEN"):
    print("# screen:\n# " + screen().replace("\n", "\n# "))
tmux("send-keys", "-t", NAME, "/quit", "Enter")
end = time.time() + 15
while time.time() < end and not os.path.exists(status):
    time.sleep(0.2)
code = open(status).read().strip() if os.path.exists(status) else None
ok(code == "exit 0", "/quit ends imc with exit 0 (%r)" % code)
if code != "exit 0":
    print("# screen:\n# " + screen().replace("\n", "\n# "))
lb.stop()
lb.code()
tmux("kill-session", "-t", NAME)
done()
