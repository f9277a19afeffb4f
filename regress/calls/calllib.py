# Helpers for the call tests: sipp as caller and callee, each stopped by
# pid whatever happens, and a callee's binding registered for sipp.

import atexit, os, random, shutil, subprocess, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import UA, stop_process

HERE = os.path.join(os.environ["IMD_TOP"], "regress/calls")
DOMAIN = "site1.test"
_procs = []


def _stop_all():
    for p in _procs:
        stop_process(p, 3)


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


SDP = (b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
       b"t=0 0\r\nm=audio 7000 RTP/AVP 0\r\n")


def build(ua, method, ruri, frm, to, branch, cseq, extra=(), body=b"",
          callid=None, ftag=None):
    """A request from ua, not sent."""
    msg = ("%s %s SIP/2.0\r\n"
           "Via: SIP/2.0/%s %s:%d;branch=%s;rport\r\n"
           "Max-Forwards: 70\r\n"
           "From: <%s>;tag=%s\r\n"
           "To: %s\r\n"
           "Call-ID: %s\r\n"
           "CSeq: %d %s\r\n" % (method, ruri, ua.transport.upper(),
                                ua.local[0], ua.local[1], branch, frm,
                                ftag or ua.tag, to, callid or ua.callid,
                                cseq, method))
    for h in extra:
        msg += h + "\r\n"
    msg += "Content-Length: %d\r\n\r\n" % len(body)
    return msg.encode() + body


def responses(ua, until_final=True, secs=5):
    """Responses on ua until a final one (or secs without any)."""
    got = []
    end = time.monotonic() + secs
    while time.monotonic() < end:
        ua.s.settimeout(max(0.01, end - time.monotonic()))
        try:
            r = ua.recv()
        except OSError:
            return got
        if r is None:
            continue
        got.append(r)
        if until_final and r["status"] >= 200:
            return got
    return got


def ack_failure(ua, invite_branch, ruri, frm, resp, cseq):
    to = [v for n, v in resp["headers"] if n == "to"][0]
    ua.send_raw(build(ua, "ACK", ruri, frm, to, invite_branch, cseq))


def invite(ua, user, password, callee, body=SDP, extra=(), secs=5,
           to_domain=DOMAIN, from_domain=DOMAIN):
    """An INVITE from user to callee answering the 407; the responses to
    the authenticated INVITE (the last one final, if any came) and its
    branch."""
    frm = "sip:%s@%s" % (user, from_domain)
    ruri = "sip:%s@%s" % (callee, to_domain)
    hdrs = ["Contact: <sip:%s@%s:%d>" % (user, ua.local[0], ua.local[1]),
            "Content-Type: application/sdp"] + list(extra)
    branch = "z9hG4bK%x" % random.getrandbits(48)
    ua.send_raw(build(ua, "INVITE", ruri, frm, "<%s>" % ruri, branch, 1,
                      hdrs, body))
    got = responses(ua, secs=secs)
    if not got or got[-1]["status"] != 407:
        return got, branch
    ack_failure(ua, branch, ruri, frm, got[-1], 1)
    chall = [v for n, v in got[-1]["headers"]
             if n == "proxy-authenticate"][0]
    auth = ua.authorization(chall, user, password, "INVITE", ruri,
                            proxy=True)
    branch = "z9hG4bK%x" % random.getrandbits(48)
    ua.last = build(ua, "INVITE", ruri, frm, "<%s>" % ruri, branch, 2,
                    hdrs + [auth], body)
    ua.send_raw(ua.last)
    return responses(ua, secs=secs), branch


def reply(ua, req, status, reason, totag, extra=(), body=b""):
    """A response of ua's to req (its Via, From, To, Call-ID, CSeq and
    Record-Route), To tagged totag."""
    out = "SIP/2.0 %d %s\r\n" % (status, reason)
    for n, v in req["headers"]:
        if n in ("via", "from", "call-id", "cseq", "record-route"):
            out += "%s: %s\r\n" % (n.title(), v)
        elif n == "to":
            out += "To: %s%s\r\n" % (v, "" if "tag=" in v
                                     else ";tag=" + totag)
    out += "Contact: <sip:dev@%s:%d>\r\n" % ua.local
    for h in extra:
        out += h + "\r\n"
    out += "Content-Length: %d\r\n\r\n" % len(body)
    data = out.encode() + body
    if ua.transport == "udp":
        ua.s.sendto(data, ua.peer)
    else:
        ua.s.sendall(data)
    return data


def requests(ua, secs=1.0):
    """Requests arriving on ua within secs."""
    got = []
    end = time.monotonic() + secs
    while time.monotonic() < end:
        ua.s.settimeout(max(0.01, end - time.monotonic()))
        try:
            r = ua.recv_request()
        except OSError:
            return got
        if r is not None:
            got.append(r)
    return got
