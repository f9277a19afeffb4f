# Helpers for the call tests: sipp as caller and callee, each stopped by
# pid whatever happens, and a callee's binding registered for sipp.

import atexit, os, shutil, signal, subprocess, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import UA

HERE = os.path.join(os.environ["IMD_TOP"], "regress/calls")
DOMAIN = "site1.test"
_procs = []


def _stop_all():
    for p in _procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(3)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


atexit.register(_stop_all)


def have_sipp():
    return shutil.which("sipp") is not None


def bind_sipp(suite, user, password, port, transport="udp"):
    """user's binding: sipp's socket on port (registered for it)."""
    ua = UA(("127.0.0.1", suite.port))
    r = ua.register(user, DOMAIN, password,
                    contacts=["<sip:%s@127.0.0.1:%d>" % (user, port)])
    return r["status"] == 200


def sipp(suite, scenario, port, log, uac=None, extra=(), timeout=30):
    """sipp in the background: as a caller (uac = (caller, password,
    callee)) towards the suite, else as a callee on port."""
    argv = ["sipp", "-sf", os.path.join(HERE, scenario), "-i", "127.0.0.1",
            "-p", str(port), "-m", "1", "-nostdin", "-timeout",
            "%ds" % timeout, "-timeout_error", "-key", "domain", DOMAIN,
            "-trace_msg", "-message_file", log + ".msg",
            "-trace_err", "-error_file", log + ".err"] + list(extra)
    if uac is not None:
        caller, password, callee = uac
        argv += ["-s", callee, "-au", caller, "-ap", password,
                 "-key", "caller", caller,
                 "127.0.0.1:%d" % suite.port]
    out = open(log, "w")
    p = subprocess.Popen(argv, stdout=out, stderr=out,
                         stdin=subprocess.DEVNULL)
    _procs.append(p)
    return p


def finished(p, secs=40):
    """sipp's exit status: 0 when every call of its scenario passed."""
    try:
        return p.wait(secs)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return -1


def messages(log):
    """What sipp sent and received, as its message trace holds it."""
    try:
        with open(log + ".msg", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def diag(*logs):
    """sipp's errors and last messages, as TAP comments."""
    for log in logs:
        for suffix, tail in ((".err", 20), (".msg", 60)):
            try:
                with open(log + suffix, errors="replace") as f:
                    lines = f.read().splitlines()[-tail:]
            except OSError:
                continue
            for l in lines:
                print("# %s%s: %s" % (os.path.basename(log), suffix, l))
