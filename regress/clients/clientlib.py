# Real SIP clients driven headless for the tests in regress/clients:
# baresip through its ctrl_tcp module, linphonec through its standard
# input, each with a configuration directory of its own under a
# temporary directory, on loopback, started and stopped by pid whatever
# happens.  What they received is read from baresip's SIP trace (-s) and
# from what linphonec prints.

import atexit, json, os, re, shutil, signal, socket, subprocess, sys
import tempfile, threading, time

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def version(argv, pattern):
    """The version a program prints, as a string, or None."""
    try:
        r = subprocess.run(argv, capture_output=True, timeout=10,
                           stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(pattern, (r.stdout + r.stderr).decode("utf-8", "replace"))
    return m.group(1) if m else None


# How each client tells its version.
VERSION = {"baresip": (["baresip", "-h"], r"baresip v(\S+)"),
           "linphonec": (["linphonec", "-v"], r"version: (\S+)")}


def require(*names):
    """The versions of the clients named, printed as a TAP comment; the
    whole test skipped when one is not installed."""
    got = [version(*VERSION[n]) for n in names]
    missing = [n for n, v in zip(names, got) if v is None]
    if missing:
        print("1..0 # SKIP %s %s not installed (scripts/install-deps)" % (
            " or ".join(missing), "is" if len(missing) == 1 else "are"))
        sys.exit(0)
    print("# %s" % ", ".join("%s %s" % nv for nv in zip(names, got)))
    return got


def _stop(proc, quit_fn=None, secs=5):
    """Ask politely, then SIGTERM, then SIGKILL: by pid, never by name."""
    if proc is None or proc.poll() is not None:
        return
    if quit_fn is not None:
        try:
            quit_fn()
            proc.wait(secs)
            return
        except Exception:
            pass
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(secs)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_until(pred, secs, step=0.1):
    end = time.time() + secs
    while True:
        v = pred()
        if v or time.time() >= end:
            return v
        time.sleep(step)


class Baresip:
    """baresip 1.x for one account: accounts, contacts and config in
    its own directory (-f), commands over ctrl_tcp, SIP trace (-s) on
    its standard output, kept in a file."""

    def __init__(self, user, domain, password, sip_port, ctrl_port,
                 proxy, contacts=(), addr="127.0.0.1", register=True):
        self.dir = tempfile.mkdtemp(prefix="baresip-test.")
        atexit.register(shutil.rmtree, self.dir, True)
        self.aor = "sip:%s@%s" % (user, domain)
        self.ctrl_port = ctrl_port
        self.addr = addr
        with open(os.path.join(self.dir, "config"), "w") as f:
            f.write("poll_method epoll\n"
                    "sip_listen %s:%d\n"
                    # Loopback only: without this baresip looks for an
                    # interface with a routable address, and fails.
                    "net_interface %s\n"
                    "audio_player aufile,/dev/null\n"
                    "audio_source aufile,/dev/null\n"
                    "module_path /usr/lib/baresip/modules\n"
                    "module g711.so\n"
                    "module aufile.so\n"
                    "module ctrl_tcp.so\n"
                    "module_tmp account.so\n"
                    "module_app contact.so\n"
                    "module_app menu.so\n"
                    "module_app presence.so\n"
                    "ctrl_tcp_listen %s:%d\n" % (addr, sip_port, addr,
                                                 addr, ctrl_port))
        # outbound: every request through imd; pubint: publish presence;
        # regint=0: no REGISTER (then baresip publishes basic unknown).
        with open(os.path.join(self.dir, "accounts"), "w") as f:
            f.write('<%s>;auth_pass=%s;outbound="%s";regint=%d;'
                    'pubint=60;mwi=no\n' % (self.aor, password, proxy,
                                            60 if register else 0))
        # presence=p2p: the presence module subscribes to the contact.
        with open(os.path.join(self.dir, "contacts"), "w") as f:
            for c in contacts:
                f.write('"%s" <%s>;presence=p2p\n' % (c.split(":")[1], c))
        self.contacts = list(contacts)
        self.trace_path = os.path.join(self.dir, "trace")
        self.proc = self.sock = None
        self.buf = b""
        atexit.register(self.stop)

    def start(self):
        self.trace_file = open(self.trace_path, "wb")
        self.proc = subprocess.Popen(["baresip", "-f", self.dir, "-s"],
                                     stdin=subprocess.DEVNULL,
                                     stdout=self.trace_file,
                                     stderr=subprocess.STDOUT)
        for _ in range(50):
            if self.proc.poll() is not None:
                return False
            try:
                self.sock = socket.create_connection(
                    (self.addr, self.ctrl_port), 1)
                return True
            except OSError:
                time.sleep(0.1)
        return False

    def _netstrings(self, secs):
        """Read ctrl_tcp netstrings for up to secs; yield each as JSON."""
        end = time.time() + secs
        while True:
            m = re.match(rb"(\d+):", self.buf)
            if m and len(self.buf) >= m.end() + int(m.group(1)) + 1:
                n = int(m.group(1))
                raw = self.buf[m.end():m.end() + n]
                self.buf = self.buf[m.end() + n + 1:]
                yield json.loads(raw.decode("utf-8", "replace"))
                continue
            left = end - time.time()
            if left <= 0:
                return
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return
            if not data:
                return
            self.buf += data

    def command(self, cmd, params=None, secs=5):
        """A ctrl_tcp command; its response's data, or None."""
        self._token = getattr(self, "_token", 0) + 1
        d = {"command": cmd, "token": str(self._token)}
        if params is not None:
            d["params"] = params
        raw = json.dumps(d, ensure_ascii=False).encode()
        self.sock.sendall(b"%d:%s," % (len(raw), raw))
        for msg in self._netstrings(secs):
            # Events (REGISTER_OK ...) come unasked; the trace says more.
            if not msg.get("event") and msg.get("token") == str(self._token):
                return msg.get("data", "") if msg.get("ok") else None
        return None

    def trace(self):
        self.trace_file.flush()
        with open(self.trace_path, "rb") as f:
            return f.read()

    def sip_messages(self):
        """Every SIP message of the trace as (direction line, bytes),
        the body cut at its Content-Length."""
        data = self.trace()
        res = []
        for m in re.finditer(rb"\n(?:UDP|TCP|TLS) (\S+) -> (\S+)\n", data):
            start = m.end()
            head_end = data.find(b"\r\n\r\n", start)
            if head_end < 0:
                continue
            head = data[start:head_end]
            cl = re.search(rb"\r\n(?:Content-Length|l):\s*(\d+)", head, re.I)
            n = int(cl.group(1)) if cl else 0
            body = data[head_end + 4:head_end + 4 + n]
            res.append({"src": m.group(1).decode(), "dst": m.group(2).decode(),
                        "head": head.decode("utf-8", "replace"),
                        "body": body})
        return res

    def received(self, method):
        """Requests of this method that came in, per the trace."""
        return [m for m in self.sip_messages()
                if m["head"].startswith(method + " ") and
                m["dst"].endswith(":%d" % self.sip_port())]

    def texts(self):
        """Bodies of the text/plain MESSAGEs that came in (Linphone also
        sends message/imdn+xml delivery notices, deflated)."""
        return [m["body"] for m in self.received("MESSAGE")
                if re.search(r"\r\n(?:Content-Type|c):\s*text/plain", m["head"],
                             re.I)]

    def sent(self, method):
        return [m for m in self.sip_messages()
                if m["head"].startswith(method + " ") and
                m["src"].endswith(":%d" % self.sip_port())]

    def responses(self, method):
        """Status codes of the responses to this method that came in."""
        codes = []
        for m in self.sip_messages():
            if m["dst"].endswith(":%d" % self.sip_port()) and \
                    m["head"].startswith("SIP/2.0 ") and \
                    re.search(r"\r\nCSeq:\s*\d+ %s\b" % method, m["head"],
                              re.I):
                codes.append(int(m["head"][8:11]))
        return codes

    def sip_port(self):
        with open(os.path.join(self.dir, "config")) as f:
            return int(re.search(r"sip_listen \S+:(\d+)", f.read()).group(1))

    def presence_of(self):
        """Contact AOR -> the status the contacts list shows
        (Online, Offline, Busy, Unknown)."""
        data = self.command("contacts") or ""
        res = {}
        for line in ANSI.sub("", data).splitlines():
            m = re.match(r"^\s*>?\s*(\w+)\s+\S.*<(sip:[^>]+)>", line)
            if m:
                res[m.group(2)] = m.group(1)
        return res

    def wait_presence(self, aor, status, secs=10):
        return wait_until(lambda: self.presence_of().get(aor) == status,
                          secs, 0.3)

    def message(self, text):
        """MESSAGE to the current contact (the first, until
        contact_next steps on)."""
        return self.command("message", text) is not None

    def stop(self):
        def quit():
            self.command("quit", secs=1)
        _stop(self.proc, quit if self.sock is not None else None)
        if self.sock is not None:
            self.sock.close()
            self.sock = None


class Linphonec:
    """linphonec (Linphone 5) for one account: its rc file and HOME (for
    its database) in a directory of its own, commands on its standard
    input, what it prints collected line by line."""

    def __init__(self, user, domain, password, sip_port, proxy_addr,
                 proxy_port, rtp_port):
        self.dir = tempfile.mkdtemp(prefix="linphonec-test.")
        atexit.register(shutil.rmtree, self.dir, True)
        self.home = os.path.join(self.dir, "home")
        # Without its database directory linphonec never opens its SIP
        # port and every request fails with "no channel available".
        os.makedirs(os.path.join(self.home, ".local/share/linphone"))
        self.rc = os.path.join(self.dir, "linphonerc")
        self.aor = "sip:%s@%s" % (user, domain)
        with open(self.rc, "w") as f:
            f.write("[sip]\nsip_port=%d\nsip_tcp_port=0\nsip_tls_port=0\n"
                    "default_proxy=0\n"
                    "[rtp]\naudio_rtp_port=%d\nvideo_rtp_port=%d\n"
                    "text_rtp_port=%d\n"
                    "[video]\nenabled=0\ndisplay=0\ncapture=0\n"
                    "[proxy_0]\n"
                    "reg_proxy=<sip:%s:%d;transport=udp>\n"
                    "reg_route=<sip:%s:%d;transport=udp;lr>\n"
                    "reg_identity=%s\nreg_expires=60\nreg_sendregister=1\n"
                    "publish=1\n"
                    "[auth_info_0]\nusername=%s\npasswd=%s\nrealm=%s\n"
                    "domain=%s\n" % (sip_port, rtp_port, rtp_port + 2,
                                     rtp_port + 4, proxy_addr, proxy_port,
                                     proxy_addr, proxy_port, self.aor, user,
                                     password, domain, domain))
        self.log = os.path.join(self.dir, "linphonec.log")
        self.proc = None
        self.lines = []
        self.lock = threading.Lock()
        atexit.register(self.stop)

    def start(self):
        env = dict(os.environ, HOME=self.home)
        env.pop("DISPLAY", None)
        self.proc = subprocess.Popen(
            ["linphonec", "-c", self.rc, "-d", "6", "-l", self.log],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, env=env, cwd=self.dir)
        threading.Thread(target=self._pump, daemon=True).start()
        return self.proc.poll() is None

    def _pump(self):
        for raw in iter(self.proc.stdout.readline, b""):
            # The prompt is printed before whatever comes next.
            raw = raw.replace(b"linphonec> ", b"")
            with self.lock:
                self.lines.append(raw.rstrip(b"\r\n"))

    def send(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def wait_line(self, pattern, secs=10, start=0):
        """The first printed line (bytes) from index start that matches
        the bytes regex pattern, or None."""
        rx = re.compile(pattern)

        def find():
            with self.lock:
                for l in self.lines[start:]:
                    if rx.search(l):
                        return l
            return None
        return wait_until(find, secs)

    def mark(self):
        with self.lock:
            return len(self.lines)

    def logtext(self):
        try:
            with open(self.log, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def registered(self):
        return "moving from state [LinphoneRegistrationProgress] to " \
            "[LinphoneRegistrationOk]" in self.logtext()

    def stop(self):
        def quit():
            self.send("quit")
        _stop(self.proc, quit if self.proc is not None else None)
