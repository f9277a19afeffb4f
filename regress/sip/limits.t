#!/usr/bin/env python3
# The bounds on what imd keeps of a request: every value copied from
# the wire into a field of fixed size, with a value at the bound (taken,
# and it comes back whole: in the NOTIFY, the response, `imctl show
# bindings`) and one past it (refused with a reason that names the
# field), through MESSAGE, REGISTER, SUBSCRIBE and PUBLISH:
#
#	From tag		128 bytes	400 From Tag Too Long
#	Call-ID			256		400 Call-ID Too Long
#	top Via branch		256		400 Via Branch Too Long
#	SIP-If-Match		23 (ours: 16)	412 SIP-If-Match Too Long
#	Contact URI		512		400 Contact Too Long
#	From, To URI		512		400 From/To URI Too Long
#	Record-Route set	1024		400 Record-Route Too Long
#	User-Agent		256		400 User-Agent Too Long
#	Event id		128		400 Event id Too Long ...
#	offline Content-Type	127		513 Content-Type Too Long ...
#	display names		the header line (limit line-length): 513
#	digest cnonce		255		400 Digest cnonce Too Long
#
# Then sipp, a third-party tool, subscribes to presence and to
# presence.winfo with a 36-character UUID tag, as PJSIP clients do.

import hashlib, os, random, re, shutil, signal, socket, subprocess, sys
import uuid
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import (Suite, UA, Collector, ok, done, header,
                     digest_params)

signal.signal(signal.SIGTERM, lambda sig, frame: sys.exit(1))

PORT = 26300            # sipp listens on 26301 and 26302
D = "site1.test"
HERE = os.path.join(os.environ["IMD_TOP"], "regress/sip")
# sipp answers with MD5 only.  bob subscribes to alice once per field
# tried, more than a watcher's quota: that quota is not what this tests.
s = Suite(D, PORT, ["auth algorithms md5 sha-256",
                    "presence notify-interval 0",
                    "presence watcher-subscriptions 1000"])
ok(s.start(), "the suite starts")
ok(all(s.add_user("%s@%s" % (u, D), u + "pw")
       for u in ("alice", "bob", "carol")), "alice, bob and carol added")
srv = ("127.0.0.1", PORT)
ALICE, BOB, CAROL = ("sip:%s@%s" % (u, D) for u in ("alice", "bob", "carol"))

TAG_MAX, CALLID_MAX, BRANCH_MAX, URI_MAX = 128, 256, 256, 512
ROUTE_MAX, UA_MAX, EVID_MAX, ETAG_MAX, CTYPE_MAX = 1024, 256, 128, 23, 127
CNONCE_MAX = 255


def pad(prefix, n, fill="a"):
    """prefix, filled up to n characters."""
    return prefix + fill * (n - len(prefix))


def rnd():
    return "%x" % random.getrandbits(48)


def send(ua, method, ruri, frm, to, fromtag=None, totag=None, callid=None,
         branch=None, cseq=1, extra=(), body=b"", names=(None, None)):
    """One request as built here, every field the caller's; the
    response, or None when none came."""
    fn, tn = names
    msg = ("%s %s SIP/2.0\r\n"
           "Via: SIP/2.0/%s %s:%d;branch=%s;rport\r\n"
           "Max-Forwards: 70\r\n"
           "From: %s<%s>;tag=%s\r\n"
           "To: %s<%s>%s\r\n"
           "Call-ID: %s\r\n"
           "CSeq: %d %s\r\n" % (
               method, ruri, ua.transport.upper(), ua.local[0], ua.local[1],
               branch or "z9hG4bK" + rnd(),
               '"%s" ' % fn if fn else "", frm, fromtag or rnd(),
               '"%s" ' % tn if tn else "", to,
               ";tag=" + totag if totag else "",
               callid or rnd() + "@limits", cseq, method))
    for h in extra:
        msg += h + "\r\n"
    msg += "Content-Length: %d\r\n\r\n" % len(body)
    try:
        ua.send_raw(msg.encode() + body)
        return ua.recv()
    except (socket.timeout, TimeoutError, ConnectionError):
        return None


def call(ua, user, method, ruri, frm=None, to=None, **kw):
    """send(), answering one challenge as user (password user + "pw");
    the second request has the same fields, a branch of the same
    length and the next CSeq."""
    frm, to = frm or "sip:%s@%s" % (user, D), to or ruri
    kw.setdefault("fromtag", rnd())
    kw.setdefault("callid", rnd() + "@limits")
    r = send(ua, method, ruri, frm, to, **kw)
    if r is None or r["status"] not in (401, 407):
        return r
    proxy = r["status"] == 407
    chall = header(r, "proxy-authenticate" if proxy else "www-authenticate")
    auth = ua.authorization(chall[0], user, user + "pw", method, ruri, proxy)
    kw["extra"] = list(kw.get("extra", ())) + [auth]
    kw["cseq"] = kw.get("cseq", 1) + 1
    if kw.get("branch"):
        kw["branch"] = pad("z9hG4bK" + rnd(), len(kw["branch"]), "b")
    return send(ua, method, ruri, frm, to, **kw)


def status(r):
    return "none" if r is None else "%d %s" % (r["status"], r["reason"])


def is_ok(r, code=200):
    return r is not None and r["status"] == code


def refused(r, reason, code=400):
    return r is not None and r["status"] == code and r["reason"] == reason


def hdr(req, name):
    return (header(req, name) or [""])[0] if req else ""


def sub(ua, col, extra=(), user="bob", target="alice", event="presence",
        contact=None, expires=60, **kw):
    hdrs = ["Event: %s" % event, "Expires: %d" % expires,
            "Contact: %s" % (contact or col.contact(user))] + list(extra)
    return call(ua, user, "SUBSCRIBE", "sip:%s@%s" % (target, D),
                extra=hdrs, **kw)


def notify(col, r):
    """The next NOTIFY at col in the dialog of the response r, or None:
    other subscriptions hear of alice's PUBLISHes too."""
    cid = hdr(r, "call-id")
    while True:
        n = col.next(3)
        if n is None or (n["method"] == "NOTIFY" and
                         hdr(n, "call-id") == cid):
            return n


def reg(ua, user, contact, expires=60, extra=(), **kw):
    aor = "sip:%s@%s" % (user, D)
    return call(ua, user, "REGISTER", "sip:" + D, aor, aor,
                extra=["Contact: %s" % contact, "Expires: %d" % expires] +
                list(extra), **kw)


def pidf(note="here"):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns='
            '"urn:ietf:params:xml:ns:pidf" entity="pres:alice@%s"><tuple '
            'id="t1"><status><basic>open</basic></status><note>%s</note>'
            '</tuple></presence>' % (D, note)).encode()


def publish(ua, extra=(), body=None, **kw):
    b = pidf() if body is None else body
    hdrs = ["Event: presence", "Expires: 60"] + list(extra)
    if b:
        hdrs.append("Content-Type: application/pidf+xml")
    return call(ua, "alice", "PUBLISH", ALICE, extra=hdrs, body=b, **kw)


def message(ua, to=BOB, extra=(), body=b"hello", **kw):
    return call(ua, "alice", "MESSAGE", to,
                extra=["Content-Type: text/plain"] + list(extra),
                body=body, **kw)


ua, col, bobua = UA(srv), Collector(), UA(srv)
r = reg(bobua, "bob", col.contact("bob"))
ok(is_ok(r), "bob registers a device to take MESSAGEs and NOTIFYs")
ok(is_ok(publish(ua)), "alice publishes her presence")

# --- The From tag: a UUID, 32 hex digits, the bound, one past it. ----
UUID = str(uuid.uuid4())
for what, tag in (("a 36-character UUID", UUID),
                  ("32 hex digits", uuid.uuid4().hex),
                  ("%d bytes, the bound" % TAG_MAX, pad(UUID, TAG_MAX))):
    r = sub(ua, col, fromtag=tag)
    ok(is_ok(r), "SUBSCRIBE presence with a From tag of %s: 200 (%s)"
       % (what, status(r)))
    n = notify(col, r)
    ok(n is not None and hdr(n, "to").endswith(";tag=" + tag),
       "its NOTIFY carries the whole tag in To")
r = sub(ua, col, fromtag=pad(UUID, TAG_MAX + 1))
ok(refused(r, "From Tag Too Long"), "a From tag of %d bytes: 400 From Tag "
   "Too Long (%s)" % (TAG_MAX + 1, status(r)))

alicecol = Collector()
r = sub(ua, alicecol, user="alice", event="presence.winfo", fromtag=UUID)
ok(is_ok(r), "SUBSCRIBE presence.winfo with a UUID tag: 200 (%s)"
   % status(r))
n = notify(alicecol, r)
ok(n is not None and hdr(n, "to").endswith(";tag=" + UUID) and
   hdr(n, "event") == "presence.winfo",
   "its NOTIFY carries the tag, watcher information")
r = sub(ua, alicecol, user="alice", event="presence.winfo",
        fromtag=pad(UUID, TAG_MAX + 1))
ok(refused(r, "From Tag Too Long"), "presence.winfo with a tag past the "
   "bound: 400 From Tag Too Long (%s)" % status(r))

# A refresh in the dialog of the longest tag; a To tag none of ours.
tag, cid = pad(UUID, TAG_MAX, "r"), rnd() + "@limits"
r = sub(ua, col, fromtag=tag, callid=cid)
notify(col, r)
m = re.search(r";tag=([^;>\s]+)", hdr(r, "to"))
totag = m.group(1) if m else "none"
r = sub(ua, col, fromtag=tag, callid=cid, totag=totag, cseq=5)
ok(is_ok(r), "a refresh in the dialog of a %d-byte tag: 200 (%s)"
   % (TAG_MAX, status(r)))
notify(col, r)
r = sub(ua, col, fromtag=tag, callid=cid, totag=pad(totag, 200), cseq=7)
ok(r is not None and r["status"] == 481,
   "a To tag longer than any of ours: 481 (%s)" % status(r))

# --- Call-ID ----------------------------------------------------------
cid = pad("cid-", CALLID_MAX) + "@x"
cid = cid[-CALLID_MAX:]
r = sub(ua, col, callid=cid)
ok(is_ok(r), "SUBSCRIBE with a Call-ID of %d bytes: 200 (%s)"
   % (CALLID_MAX, status(r)))
n = notify(col, r)
ok(hdr(n, "call-id") == cid, "its NOTIFY carries the whole Call-ID")
r = sub(ua, col, callid="c" + cid)
ok(refused(r, "Call-ID Too Long"), "one byte more: 400 Call-ID Too Long "
   "(%s)" % status(r))

dev = "<sip:bob@127.0.0.1:9;dev=cid>"
cida, cidb = pad("reg-", CALLID_MAX - 1) + "a", pad("reg-", CALLID_MAX - 1) + "b"
r = reg(bobua, "bob", dev, callid=cida, cseq=10)
ok(is_ok(r), "REGISTER with a Call-ID of %d bytes: 200 (%s)"
   % (CALLID_MAX, status(r)))
r = reg(bobua, "bob", dev, callid=cidb, cseq=1)
ok(is_ok(r), "another Call-ID that differs in its last byte only, a lower "
   "CSeq: 200, the binding kept the whole Call-ID (%s)" % status(r))
r = reg(bobua, "bob", dev, callid=cidb, cseq=1)
ok(refused(r, "CSeq out of order"), "the same Call-ID and CSeq again: 400 "
   "CSeq out of order (%s)" % status(r))
r = reg(bobua, "bob", dev, callid="c" + cidb)
ok(refused(r, "Call-ID Too Long"), "REGISTER with a Call-ID of %d bytes: "
   "400 Call-ID Too Long (%s)" % (CALLID_MAX + 1, status(r)))
reg(bobua, "bob", dev, expires=0, callid=cidb, cseq=20)

# MESSAGE and PUBLISH keep no Call-ID: only the line bounds it.
col.drain(0.2)
long_cid = pad("m-", 4000)
r = message(ua, callid=long_cid)
m = col.next()
ok(is_ok(r) and m is not None and hdr(m, "call-id") == long_cid,
   "MESSAGE with a Call-ID of 4000 bytes: delivered with it, 200 (%s)"
   % status(r))
r = publish(ua, callid=long_cid)
ok(is_ok(r), "PUBLISH with a Call-ID of 4000 bytes: 200 (%s)" % status(r))
r = message(ua, callid=pad("m-", 8200))
ok(refused(r, "Call-ID Line Too Long", 513), "a Call-ID line over limit "
   "line-length (8192): 513 Call-ID Line Too Long (%s)" % status(r))

# --- The top Via branch ----------------------------------------------
at, past = pad("z9hG4bK", BRANCH_MAX), pad("z9hG4bK", BRANCH_MAX + 1)


def branch_of(r):
    m = re.search(r"branch=([^;\s]+)", hdr(r, "via"))
    return m.group(1) if m else ""


tries = (("MESSAGE", lambda b: message(ua, branch=b)),
         ("REGISTER", lambda b: reg(bobua, "bob", col.contact("bob"),
                                    branch=b)),
         ("SUBSCRIBE", lambda b: sub(ua, col, branch=b, expires=0)),
         ("PUBLISH", lambda b: publish(ua, branch=b)))
for method, f in tries:
    r = f(at)
    ok(is_ok(r) and len(branch_of(r)) == BRANCH_MAX,
       "%s with a branch of %d bytes: 200 with it in Via (%s)"
       % (method, BRANCH_MAX, status(r)))
    r = f(past)
    ok(refused(r, "Via Branch Too Long"), "%s with one of %d: 400 Via "
       "Branch Too Long (%s)" % (method, BRANCH_MAX + 1, status(r)))
col.drain(0.3)

# --- SIP-If-Match: our entity-tags are 16 hex digits ----------------
r = publish(ua)
etag = hdr(r, "sip-etag")
r = publish(ua, extra=["SIP-If-Match: " + etag], body=b"")
etag2 = hdr(r, "sip-etag")
ok(is_ok(r) and len(etag) == 16, "a refresh by SIP-If-Match %s: 200" % etag)
r = publish(ua, extra=["SIP-If-Match: " + pad(etag2, ETAG_MAX)])
ok(refused(r, "Conditional Request Failed", 412), "a SIP-If-Match of %d "
   "bytes we never issued: 412 (%s)" % (ETAG_MAX, status(r)))
r = publish(ua, extra=["SIP-If-Match: " + pad(etag2, ETAG_MAX + 1)])
ok(refused(r, "SIP-If-Match Too Long", 412), "one of %d: 412 SIP-If-Match "
   "Too Long (%s)" % (ETAG_MAX + 1, status(r)))

# --- Contact ----------------------------------------------------------
c_at = pad("sip:bob@127.0.0.1:9;dev=", URI_MAX)
r = reg(bobua, "bob", "<%s>" % c_at)
lst = s.ctl("show", "bindings", "bob@" + D).stdout
ok(is_ok(r) and c_at in lst, "REGISTER with a Contact URI of %d bytes: "
   "200, and imctl show bindings lists it whole (%s)" % (URI_MAX, status(r)))
reg(bobua, "bob", "<%s>" % c_at, expires=0)
r = reg(bobua, "bob", "<%s>" % (c_at + "a"))
ok(refused(r, "Contact Too Long"), "one of %d: 400 Contact Too Long (%s)"
   % (URI_MAX + 1, status(r)))
c_at = pad("sip:bob@%s:%d;dev=" % col.addr, URI_MAX)
r = sub(ua, col, contact="<%s>" % c_at)
n = notify(col, r)
ok(is_ok(r) and n is not None and n["ruri"] == c_at, "SUBSCRIBE with a "
   "Contact URI of %d bytes: 200, the NOTIFY goes to it (%s)"
   % (URI_MAX, status(r)))
r = sub(ua, col, contact="<%s>" % (c_at + "a"))
ok(refused(r, "Contact Too Long"), "one of %d: 400 Contact Too Long (%s)"
   % (URI_MAX + 1, status(r)))

# --- From and To URIs of a subscription -------------------------------
f_at, t_at = pad(BOB + ";f=", URI_MAX), pad(ALICE + ";t=", URI_MAX)
r = sub(ua, col, frm=f_at, to=t_at)
n = notify(col, r)
ok(is_ok(r) and n is not None and ("<%s>" % f_at) in hdr(n, "to") and
   ("<%s>" % t_at) in hdr(n, "from"), "SUBSCRIBE with From and To URIs of "
   "%d bytes: 200, the NOTIFY carries both (%s)" % (URI_MAX, status(r)))
r = sub(ua, col, frm=f_at + "a", to=t_at)
ok(refused(r, "From URI Too Long"), "a From URI of %d: 400 From URI Too "
   "Long (%s)" % (URI_MAX + 1, status(r)))
r = sub(ua, col, frm=f_at, to=t_at + "a")
ok(refused(r, "To URI Too Long"), "a To URI of %d: 400 To URI Too Long "
   "(%s)" % (URI_MAX + 1, status(r)))

# --- The route set of a subscription --------------------------------
rr1 = "<sip:127.0.0.1:%d;lr>" % PORT
rr2 = pad("<sip:proxy.%s;lr;x=" % D, ROUTE_MAX - len(rr1) - 3) + ">"
r = sub(ua, col, extra=["Record-Route: %s, %s" % (rr1, rr2)], expires=0)
ok(r is not None and r["status"] == 200 and
   hdr(r, "record-route") == "%s, %s" % (rr1, rr2), "SUBSCRIBE with a "
   "route set of %d bytes: 200, the route set in it (%s)"
   % (ROUTE_MAX, status(r)))
r = sub(ua, col, extra=["Record-Route: %s, %s" % (rr1, rr2[:-1] + "a>")])
ok(refused(r, "Record-Route Too Long"), "one of %d: 400 Record-Route Too "
   "Long (%s)" % (ROUTE_MAX + 1, status(r)))
col.drain(0.3)

# --- User-Agent -------------------------------------------------------
ua_at = pad("Linphone/5.1 (belle-sip/5.1) build-", UA_MAX, "x")
r = reg(bobua, "bob", col.contact("bob"), extra=["User-Agent: " + ua_at])
lst = s.ctl("show", "bindings", "bob@" + D).stdout
ok(is_ok(r) and ua_at in lst, "REGISTER with a User-Agent of %d bytes: "
   "200, and imctl show bindings shows it whole (%s)" % (UA_MAX, status(r)))
r = reg(bobua, "bob", col.contact("bob"),
        extra=["User-Agent: " + ua_at + "x"])
ok(refused(r, "User-Agent Too Long"), "one of %d: 400 User-Agent Too Long "
   "(%s)" % (UA_MAX + 1, status(r)))
r = message(ua, extra=["User-Agent: " + pad("ua", 2000)])
ok(is_ok(r), "MESSAGE, which keeps no User-Agent, with one of 2000 bytes: "
   "200 (%s)" % status(r))
col.drain(0.3)

# --- Event id (RFC 6665 8.2.1) --------------------------------------
evid, cid = pad("id-", EVID_MAX), rnd() + "@limits"
tag = rnd()
r = sub(ua, col, event="presence;id=" + evid, callid=cid, fromtag=tag)
n = notify(col, r)
ok(is_ok(r) and hdr(n, "event") == "presence;id=" + evid, "SUBSCRIBE with "
   "an Event id of %d bytes: 200, the NOTIFY's Event carries it (%s)"
   % (EVID_MAX, status(r)))
m = re.search(r";tag=([^;>\s]+)", hdr(r, "to"))
totag = m.group(1) if m else "none"
r = sub(ua, col, event="presence;id=" + evid, callid=cid, fromtag=tag,
        totag=totag, cseq=5)
ok(is_ok(r), "its refresh with the same id: 200 (%s)" % status(r))
notify(col, r)
r = sub(ua, col, event="presence;id=other", callid=cid, fromtag=tag,
        totag=totag, cseq=7)
ok(r is not None and r["status"] == 481, "with another id: 481 (%s)"
   % status(r))
r = sub(ua, col, event="presence;id=" + evid + "x")
ok(refused(r, "Event id Too Long Or Not A Token"), "an Event id of %d: 400 "
   "(%s)" % (EVID_MAX + 1, status(r)))

# --- Display names: the line is their bound --------------------------
col.drain(0.3)
big = pad("Alice ", 3900, "A"), pad("Bob ", 3900, "B")
r = message(ua, names=big)
m = col.next()
ok(is_ok(r) and m is not None and big[0] in hdr(m, "from"),
   "MESSAGE with display names of 3900 bytes in From and To: delivered "
   "with them, and the 200 that echoes both reaches the sender (%s)"
   % status(r))
r = reg(bobua, "bob", col.contact("bob"), names=big)
ok(is_ok(r), "REGISTER with them: 200 (%s)" % status(r))
r = sub(ua, col, names=big, expires=0)
ok(is_ok(r), "SUBSCRIBE with them: 200 (%s)" % status(r))
r = publish(ua, names=big)
ok(is_ok(r), "PUBLISH with them: 200 (%s)" % status(r))
r = message(ua, names=(pad("A", 8200), None))
ok(refused(r, "From Line Too Long", 513), "a From line over limit "
   "line-length: 513 From Line Too Long (%s)" % status(r))
tcp = UA(srv, "tcp")
r = send(tcp, "MESSAGE", BOB, ALICE, BOB, names=(None, pad("B", 8200)),
         extra=["Content-Type: text/plain"], body=b"x")
ok(refused(r, "To Line Too Long", 513), "over TCP a To line over it: 513 "
   "To Line Too Long before the connection closes (%s)" % status(r))
col.drain(0.3)

# --- Content-Type of a message kept for an offline user ---------------
ct = pad("text/plain;x=", CTYPE_MAX)
r = call(ua, "alice", "MESSAGE", CAROL, extra=["Content-Type: " + ct],
         body=b"later")
ok(is_ok(r, 202), "MESSAGE to carol, offline, with a Content-Type of %d "
   "bytes: 202 (%s)" % (CTYPE_MAX, status(r)))
r = call(ua, "alice", "MESSAGE", CAROL, extra=["Content-Type: " + ct + "a"],
         body=b"later")
ok(refused(r, "Content-Type Too Long to keep for later", 513), "one of %d: "
   "513 Content-Type Too Long (%s)" % (CTYPE_MAX + 1, status(r)))

# --- Digest credentials: a cnonce is the client's own ---------------
def digest(chall, user, method, uri, cnonce):
    """An Authorization header as UA.authorization() makes it, with the
    cnonce given."""
    p = digest_params(chall)
    h = (lambda x: hashlib.sha256(x.encode()).hexdigest()) \
        if p.get("algorithm", "MD5").upper() == "SHA-256" else \
        (lambda x: hashlib.md5(x.encode()).hexdigest())
    ha1 = h("%s:%s:%spw" % (user, p["realm"], user))
    resp = h("%s:%s:00000001:%s:auth:%s" % (ha1, p["nonce"], cnonce,
                                           h("%s:%s" % (method, uri))))
    return ('Authorization: Digest username="%s", realm="%s", nonce="%s", '
            'uri="%s", response="%s", algorithm=%s, cnonce="%s", '
            'opaque="%s", qop=auth, nc=00000001' % (
                user, p["realm"], p["nonce"], uri, resp,
                p.get("algorithm", "MD5"), cnonce, p.get("opaque", "")))


for n, want in ((CNONCE_MAX, None), (CNONCE_MAX + 1, "Digest cnonce Too Long")):
    hdrs = ["Contact: %s" % col.contact("bob"), "Expires: 60"]
    r = send(bobua, "REGISTER", "sip:" + D, BOB, BOB, extra=hdrs)
    chall = hdr(r, "www-authenticate")
    r = send(bobua, "REGISTER", "sip:" + D, BOB, BOB, cseq=2, extra=hdrs +
             [digest(chall, "bob", "REGISTER", "sip:" + D, pad("c", n))])
    if want is None:
        ok(is_ok(r), "REGISTER with a digest cnonce of %d bytes: 200 (%s)"
           % (n, status(r)))
    else:
        ok(refused(r, want), "one of %d: 400 %s (%s)" % (n, want, status(r)))

ok(s.alive(), "the suite is still running")

# --- sipp subscribes with a UUID tag, to presence and presence.winfo --
if shutil.which("sipp") is None:
    ok(False, "sipp is installed (scripts/install-deps)")
    done()

running = []


def sipp(port, user, service, event, tag):
    base = os.path.join(s.dir, "sipp-%s" % event)
    cmd = ["sipp", "127.0.0.1:%d" % PORT,
           "-sf", os.path.join(HERE, "sipp_uuid_subscribe.xml"),
           "-i", "127.0.0.1", "-p", str(port), "-m", "1", "-nostdin",
           "-s", service, "-au", user, "-ap", user + "pw",
           "-key", "domain", D, "-key", "watcher", user,
           "-key", "event", event, "-key", "uuid", tag,
           "-timeout", "20s", "-timeout_error",
           "-default_behaviors", "abortunexp",
           "-trace_msg", "-message_file", base + ".msg"]
    with open(base + ".out", "w") as out:
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    running.append(p)
    try:
        rc = p.wait(30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        rc = None
    try:
        with open(base + ".msg", errors="replace") as f:
            log = f.read()
    except OSError:
        log = ""
    if rc != 0:
        with open(base + ".out", errors="replace") as f:
            for line in f.read().splitlines()[-15:]:
                print("# sipp: " + line)
        for line in log.splitlines()[-40:]:
            print("# msg: " + line)
    return rc, log


try:
    for port, user, event in ((26301, "bob", "presence"),
                              (26302, "alice", "presence.winfo")):
        tag = str(uuid.uuid4())
        rc, log = sipp(port, user, "alice", event, tag)
        ok(rc == 0, "sipp: %s SUBSCRIBEs to %s with the UUID tag %s: 200, "
           "a NOTIFY (exit %s)" % (user, event, tag, rc))
        m = re.search(r"NOTIFY sip:.*?(?:\r?\n\r?\n|\Z)", log, re.S)
        to = re.search(r"(?im)^To:.*$", m.group(0)) if m else None
        ok(to is not None and to.group(0).rstrip().endswith(";tag=" + tag),
           "the NOTIFY sipp got carries its tag in To")
finally:
    for p in running:
        if p.poll() is None:
            p.kill()
        p.wait()

ok(s.alive(), "the suite is still running")
col.stop()
alicecol.stop()
done()
