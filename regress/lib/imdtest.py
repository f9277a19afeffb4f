# Helpers for the regress tests written in Python: a real suite on
# loopback (started, and stopped by pid, whatever happens) and a small
# SIP user agent with digest authentication over UDP, TCP and TLS.

import atexit, hashlib, os, pwd, random, re, resource, select, shutil
import signal, socket, ssl, subprocess, sys, tempfile, threading, time

BUILD = os.environ["IMD_BUILD"]
IMD = os.path.join(BUILD, "sbin/imd")
IMCTL = os.path.join(BUILD, "bin/imctl")

_n = 0
_failed = 0


def ok(cond, desc):
    global _n, _failed
    _n += 1
    if not cond:
        _failed += 1
    print("%sok %d - %s" % ("" if cond else "not ", _n, desc), flush=True)
    return cond


def done():
    print("1..%d" % _n, flush=True)
    sys.exit(1 if _failed else 0)


class Suite:
    def __init__(self, domain, port, extra=(), addr="127.0.0.1",
                 domain_extra=""):
        self.dir = tempfile.mkdtemp(prefix="imd-test.")
        os.chmod(self.dir, 0o755)
        self.domain, self.port, self.addr = domain, port, addr
        self.sock = os.path.join(self.dir, "imd.sock")
        self.conf = os.path.join(self.dir, "relayd.conf")
        os.mkdir(os.path.join(self.dir, "empty"))
        lines = ['domain "%s"%s' % (domain, domain_extra),
                 "listen on %s port %d" % (addr, port),
                 'database "%s/db"' % self.dir,
                 'chroot "%s/empty"' % self.dir,
                 'control socket "%s"' % self.sock,
                 'user "nobody"'] + list(extra)
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = None
        atexit.register(self.cleanup)

    def start(self):
        self.log = open(os.path.join(self.dir, "imd.log"), "w")
        self.proc = subprocess.Popen([IMD, "-d"] + (["-v"] if os.environ.get("IMD_VERBOSE") else []) + ["-f", self.conf],
                                     stdout=self.log, stderr=self.log)
        for _ in range(100):
            if self.ctl("show", "status").returncode == 0:
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.1)
        return False

    def ctl(self, *args, stdin=None):
        return subprocess.run([IMCTL, "-s", self.sock] + list(args),
                              input=stdin, capture_output=True, text=True)

    def add_user(self, address, password):
        return self.ctl("user", "add", address,
                        stdin=password + "\n").returncode == 0

    def logtext(self):
        with open(os.path.join(self.dir, "imd.log")) as f:
            return f.read()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def cleanup(self):
        stop_process(self.proc)
        shutil.rmtree(self.dir, ignore_errors=True)


def stop_process(proc, grace=5):
    """SIGTERM to a process we started, SIGKILL after grace seconds;
    None or one already gone is left as it is."""
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _parse(data, first):
    """A SIP message: the first line matched by `first`, the headers in
    order as (lower-case name, value), the body."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", "replace").split("\r\n")
    m = re.match(first, lines[0])
    if not m:
        return None, None
    hdrs = []
    for l in lines[1:]:
        name, _, value = l.partition(":")
        hdrs.append((name.strip().lower(), value.strip()))
    return m, {"headers": hdrs, "body": body, "raw": data}


def parse_response(data):
    m, msg = _parse(data, r"SIP/2.0 (\d{3}) ?(.*)")
    if m:
        msg.update(status=int(m.group(1)), reason=m.group(2))
    return msg


def header(resp, name):
    return [v for n, v in resp["headers"] if n == name.lower()]


def digest_params(value):
    value = value[len("Digest"):]
    return dict((k, v1 if v1 else v2) for k, v1, v2 in
                re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]+))', value))


class UA:
    """One SIP client socket: udp, tcp or tls to (host, port)."""

    def __init__(self, server, transport="udp", bind="127.0.0.1",
                 timeout=3.0, cert=None):
        self.server, self.transport = server, transport
        self.cseq = 0
        self.callid = "%x@imd.test" % random.getrandbits(64)
        self.tag = "%x" % random.getrandbits(32)
        if transport == "udp":
            self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.s.bind((bind, 0))
        else:
            self.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.s.bind((bind, 0))
            self.s.connect(server)
            if transport == "tls":
                ctx = ssl.create_default_context()
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
                if cert is not None:
                    ctx.load_cert_chain(*cert)
                self.s = ctx.wrap_socket(self.s)
        self.s.settimeout(timeout)
        self.local = self.s.getsockname()
        self.buf = b""
        self.early = []         # requests that came before an answer

    def send_raw(self, data):
        if self.transport == "udp":
            self.s.sendto(data, self.server)
        else:
            self.s.sendall(data)

    def recv(self, parse=None):
        parse = parse or parse_response
        if self.transport == "udp":
            while True:
                data, src = self.s.recvfrom(65536)
                # A request that comes while we wait for an answer (a
                # message the server delivers at once after a REGISTER,
                # which another listener worker may send before the
                # 200) is kept for recv_request(), not taken for it.
                if parse is parse_response and \
                        not data.startswith(b"SIP/2.0") and \
                        parse_request(data) is not None:
                    self.early.append((data, src))
                    continue
                return parse(data)
        while True:
            head, sep, rest = self.buf.partition(b"\r\n\r\n")
            if sep:
                m = re.search(rb"(?im)^(?:content-length|l)\s*:\s*(\d+)",
                              head)
                blen = int(m.group(1)) if m else 0
                if len(rest) >= blen:
                    self.buf = rest[blen:]
                    return parse(head + sep + rest[:blen])
            chunk = self.s.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk

    def request(self, method, ruri, frm, to, extra=(), body=b"",
                cseq=None, branch=None, callid=None, totag=None):
        if cseq is None:
            self.cseq += 1
            cseq = self.cseq
        branch = branch or "z9hG4bK%x" % random.getrandbits(48)
        msg = ("%s %s SIP/2.0\r\n"
               "Via: SIP/2.0/%s %s:%d;branch=%s;rport\r\n"
               "Max-Forwards: 70\r\n"
               "From: <%s>;tag=%s\r\n"
               "To: <%s>%s\r\n"
               "Call-ID: %s\r\n"
               "CSeq: %d %s\r\n" % (method, ruri, self.transport.upper(),
                                    self.local[0], self.local[1], branch,
                                    frm, self.tag, to,
                                    ";tag=" + totag if totag else "",
                                    callid or self.callid, cseq, method))
        for h in extra:
            msg += h + "\r\n"
        msg += "Content-Length: %d\r\n\r\n" % len(body)
        data = msg.encode() + body
        self.last = data
        self.send_raw(data)
        return self.recv()

    def authorization(self, challenge, user, password, method, uri,
                      proxy=False):
        p = digest_params(challenge)
        alg = p.get("algorithm", "MD5")
        h = (lambda s: hashlib.sha256(s.encode()).hexdigest()) \
            if alg.upper() == "SHA-256" else \
            (lambda s: hashlib.md5(s.encode()).hexdigest())
        cnonce, nc = "%x" % random.getrandbits(32), "00000001"
        ha1 = h("%s:%s:%s" % (user, p["realm"], password))
        ha2 = h("%s:%s" % (method, uri))
        resp = h("%s:%s:%s:%s:auth:%s" % (ha1, p["nonce"], nc, cnonce, ha2))
        return ('%s: Digest username="%s", realm="%s", nonce="%s", '
                'uri="%s", response="%s", algorithm=%s, cnonce="%s", '
                'opaque="%s", qop=auth, nc=%s' % (
                    "Proxy-Authorization" if proxy else "Authorization",
                    user, p["realm"], p["nonce"], uri, resp, alg, cnonce,
                    p.get("opaque", ""), nc))

    def register(self, user, domain, password, contacts=None, expires=60,
                 alg=None, extra=()):
        aor = "sip:%s@%s" % (user, domain)
        ruri = "sip:%s" % domain
        if contacts is None:
            contacts = ["<sip:%s@%s:%d>" % (user, self.local[0],
                                           self.local[1])]
        hdrs = ["Contact: %s" % c for c in contacts]
        hdrs += ["Expires: %d" % expires] + list(extra)
        r = self.request("REGISTER", ruri, aor, aor, hdrs)
        if r["status"] != 401:
            return r
        chall = header(r, "www-authenticate")
        if alg is not None:
            chall = [c for c in chall if ("algorithm=%s" % alg) in c]
        self.auth = self.authorization(chall[0], user, password,
                                       "REGISTER", ruri)
        return self.request("REGISTER", ruri, aor, aor, hdrs + [self.auth])


def parse_request(data):
    m, msg = _parse(data, r"(\S+) (\S+) SIP/2.0$")
    if m:
        msg.update(method=m.group(1), ruri=m.group(2))
    return msg


def _ua_recv_request(self):
    """The next request on this UA's socket (UDP: from anyone)."""
    if self.transport == "udp":
        if self.early:
            data, src = self.early.pop(0)
            self.peer = src
            return parse_request(data)
        data, src = self.s.recvfrom(65536)
        self.peer = src
        return parse_request(data)
    return self.recv(parse_request)


def _ua_reply(self, req, status, reason):
    hdrs = [(n, v) for n, v in req["headers"]
            if n in ("via", "from", "to", "call-id", "cseq")]
    out = "SIP/2.0 %d %s\r\n" % (status, reason)
    for n, v in hdrs:
        if n == "to" and "tag=" not in v:
            v += ";tag=%x" % random.getrandbits(32)
        out += "%s: %s\r\n" % (n.title(), v)
    out += "Content-Length: 0\r\n\r\n"
    if self.transport == "udp":
        self.s.sendto(out.encode(), self.peer)
    else:
        self.send_raw(out.encode())


class Answer:
    """The next request on a UA, taken and answered in a thread while the
    test sends: a = Answer(ua); send...; req = a.request()."""

    def __init__(self, ua, status=200, reason="OK"):
        self.req = self.error = None
        self.t = threading.Thread(target=self._run,
                                  args=(ua, status, reason))
        self.t.start()

    def _run(self, ua, status, reason):
        try:
            req = ua.recv_request()
            ua.reply(req, status, reason)
            self.req = req
        except Exception as e:
            self.error = e

    def request(self, timeout=10):
        """The request answered, or None when none came in time."""
        self.t.join(timeout)
        return self.req


def _ua_answer_request(self, timeout=3):
    """The next request within timeout, answered 200; None if none came."""
    self.s.settimeout(timeout)
    try:
        req = self.recv_request()
    except OSError:
        return None
    if req is not None:
        self.reply(req, 200, "OK")
    return req


UA.recv_request = _ua_recv_request
UA.reply = _ua_reply
UA.answer_request = _ua_answer_request


def message_auth(ua, user, domain, password, to, body, ctype="text/plain",
                 extra=()):
    """MESSAGE from user@domain to `to`, answering the 407 once."""
    frm = "sip:%s@%s" % (user, domain)
    hdrs = ["Content-Type: %s" % ctype] + list(extra)
    r = ua.request("MESSAGE", to, frm, to, hdrs, body)
    if r["status"] != 407:
        return r
    auth = ua.authorization(header(r, "proxy-authenticate")[0], user,
                            password, "MESSAGE", to, proxy=True)
    return ua.request("MESSAGE", to, frm, to, hdrs + [auth], body)


class Dnsmasq:
    """A real DNS server on 127.0.0.1:port that knows only `options`
    (dnsmasq --srv-host=... / --host-record=... lines); stopped by pid
    at exit."""

    def __init__(self, port, options):
        self.dir = tempfile.mkdtemp(prefix="imd-dns.")
        log = os.path.join(self.dir, "dnsmasq.log")
        exe = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
        self.proc = subprocess.Popen(
            [exe, "--keep-in-foreground", "--conf-file=/dev/null",
             "--pid-file=", "--no-resolv", "--no-hosts",
             "--port=%d" % port, "--listen-address=127.0.0.1",
             "--bind-interfaces", "--user=" + pwd.getpwuid(os.getuid()).pw_name, "--log-queries",
             "--log-facility=%s" % log, "--local=/test/",
             "--local-ttl=60"] + list(options),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        atexit.register(self.cleanup)
        for _ in range(100):
            if os.path.exists(log) and "started" in open(log).read():
                break
            time.sleep(0.05)

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def make_ca(directory):
    """A test CA in directory: returns the path of its certificate."""
    key, crt = (os.path.join(directory, "ca." + e) for e in ("key", "crt"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-days", "2", "-subj", "/CN=imd test CA",
                    "-keyout", key, "-out", crt], check=True,
                   capture_output=True)
    return crt


def make_cert(directory, name, sans):
    """A certificate signed by the CA of make_ca(directory) for the DNS
    names in sans; returns (certificate, key)."""
    base = os.path.join(directory, name)
    ext = base + ".ext"
    with open(ext, "w") as f:
        f.write("subjectAltName=%s\n" % ",".join("DNS:" + s for s in sans))
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes",
                    "-subj", "/CN=%s" % name, "-keyout", base + ".key",
                    "-out", base + ".csr"], check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", base + ".csr",
                    "-CA", os.path.join(directory, "ca.crt"),
                    "-CAkey", os.path.join(directory, "ca.key"),
                    "-CAcreateserial", "-days", "2", "-extfile", ext,
                    "-out", base + ".crt"], check=True, capture_output=True)
    os.chmod(base + ".key", 0o644)
    return base + ".crt", base + ".key"


def tls_listen(addr, port, cert):
    """The listen line of a TLS port; cert is (certificate, key), as
    make_cert returns it."""
    return 'listen on %s port %d tls certificate "%s" key "%s"' % (
        addr, port, cert[0], cert[1])


def auth_request(ua, method, ruri, user, domain, password, to=None,
                 extra=(), body=b"", frm=None, totag=None):
    """A request from user@domain that answers one 401 or 407."""
    frm = frm or "sip:%s@%s" % (user, domain)
    to = to or ruri
    r = ua.request(method, ruri, frm, to, list(extra), body, totag=totag)
    if r["status"] not in (401, 407):
        return r
    proxy = r["status"] == 407
    chall = header(r, "proxy-authenticate" if proxy else "www-authenticate")
    auth = ua.authorization(chall[0], user, password, method, ruri, proxy)
    return ua.request(method, ruri, frm, to, list(extra) + [auth], body,
                      totag=totag)


class Collector:
    """A UDP socket that answers every request it gets with 200 (or what
    `status` says) and keeps them, in order, for the test to take."""

    def __init__(self, bind="127.0.0.1", status=200):
        import queue
        self.q = queue.Queue()
        self.status = status
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind((bind, 0))
        self.s.settimeout(0.2)
        self.addr = self.s.getsockname()
        self.running = True
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def contact(self, user):
        return "<sip:%s@%s:%d>" % (user, self.addr[0], self.addr[1])

    def _run(self):
        while self.running:
            try:
                data, src = self.s.recvfrom(65536)
            except OSError:
                continue
            if data.startswith(b"SIP/2.0"):
                self.response(parse_response(data))
                continue
            req = parse_request(data)
            if req is None:
                continue
            hdrs = [(n, v) for n, v in req["headers"]
                    if n in ("via", "from", "to", "call-id", "cseq")]
            out = "SIP/2.0 %d %s\r\n" % (self.status, "OK" if
                                         self.status == 200 else "No")
            for n, v in hdrs:
                out += "%s: %s\r\n" % (n.title(), v)
            out += "Content-Length: 0\r\n\r\n"
            self.s.sendto(out.encode(), src)
            self.keep(req)

    def keep(self, req):
        """A request answered: kept for next() and drain()."""
        self.q.put(req)

    def response(self, resp):
        """A response to what a subclass sent from this socket: dropped."""

    def next(self, timeout=5):
        """The next request kept, or None."""
        import queue
        try:
            return self.q.get(timeout=timeout)
        except queue.Empty:
            return None

    def drain(self, wait=0.3):
        """Every request kept until nothing came for `wait` seconds."""
        out = []
        while True:
            r = self.next(wait)
            if r is None:
                return out
            out.append(r)

    def stop(self):
        self.running = False
        self.t.join(2)
        self.s.close()


def children(ppid):
    """The children of process ppid: {title: pid}, the title being what
    follows "imd: " in the process title (listener, relayd, ...; with
    listener workers, "listener 1"..., and "listener" is worker 0)."""
    out = {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as f:
                stat = f.read()
            with open("/proc/%s/cmdline" % p, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) != ppid:
            continue
        # Listener workers are "listener 0", "listener 1"...: each by
        # its title, and worker 0 as "listener" too.
        m = re.match(r"imd: (\w+)(?: (\d+))?", cmd)
        if m and m.group(2) is not None:
            out["%s %s" % (m.group(1), m.group(2))] = int(p)
        if m is None or m.group(2) in (None, "0"):
            out[m.group(1) if m else cmd] = int(p)
    return out


def gone(pid, secs):
    """True when process pid (not a child of ours) ends within secs."""
    end = time.time() + secs
    while time.time() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def raise_nofile(need):
    """The descriptor limit raised to the hard limit; the whole test
    skipped when that is below need."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < need:
        print("1..0 # SKIP descriptor limit %d is below %d" % (hard, need))
        sys.exit(0)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def closed(c):
    """True when the server closed socket c: readable, and EOF or reset."""
    if not select.select([c], [], [], 0)[0]:
        return False
    try:
        return c.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def take_messages(ua):
    """Answers every request that comes to ua with 200 until none came
    for ua's timeout; the bodies of the MESSAGEs among them, in order."""
    out = []
    while True:
        try:
            req = ua.recv_request()
        except (socket.timeout, TimeoutError):
            return out
        if req is None:
            continue
        if req["method"] == "MESSAGE":
            out.append(req["body"].decode())
        ua.reply(req, 200, "OK")
