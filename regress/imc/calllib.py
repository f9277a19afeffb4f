# Calls in the imc tests: a source WAV of 8 kHz mono speech-like sound
# (a voiced, gliding pitch with syllables, seeded so every run is the
# same), the normalised cross-correlation of a recording against it
# (its peak and lag: the recording is the source, delayed, not just
# sound), and baresip set up to call and be called with its aufile
# module playing and recording WAV files, without a server.

import cmath, math, os, random, re, struct, sys, wave

sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/clients"))
from clientlib import Baresip, wait_until  # noqa: E402

RATE = 8000


def make_source(path, seconds=3.0, seed=17):
    rnd = random.Random(seed)
    n = int(seconds * RATE)
    out = []
    phase = 0.0
    pitch = 140.0
    syll = [rnd.uniform(0.15, 0.35) for _ in range(64)]
    t_next, k, env_on = 0.0, 0, True
    for i in range(n):
        t = i / RATE
        if t >= t_next:
            env_on = not env_on
            t_next = t + syll[k % len(syll)] * (1.0 if env_on else 0.4)
            k += 1
            pitch = rnd.uniform(110, 240)
        phase += 2 * math.pi * pitch / RATE
        v = sum(math.sin(h * phase) / h for h in range(1, 12))
        v += 0.3 * rnd.uniform(-1, 1)
        out.append(v * (0.45 if env_on else 0.04))
    peak = max(abs(x) for x in out)
    pcm = [int(x / peak * 20000) for x in out]
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(struct.pack("<%dh" % len(pcm), *pcm))
    return path


def read_wav(path):
    with wave.open(path, "rb") as w:
        ch, width = w.getnchannels(), w.getsampwidth()
        data = w.readframes(w.getnframes())
    if width != 2:
        return []
    s = struct.unpack("<%dh" % (len(data) // 2), data)
    return list(s[::ch])


def _fft(a, invert=False):
    n = len(a)
    j = 0
    for i in range(1, n):
        bit = n >> 1
        while j & bit:
            j ^= bit
            bit >>= 1
        j ^= bit
        if i < j:
            a[i], a[j] = a[j], a[i]
    length = 2
    while length <= n:
        ang = 2 * math.pi / length * (-1 if invert else 1)
        wl = cmath.exp(1j * ang)
        half = length // 2
        ws = [1]
        for _ in range(half - 1):
            ws.append(ws[-1] * wl)
        for i in range(0, n, length):
            for k in range(half):
                u = a[i + k]
                v = a[i + k + half] * ws[k]
                a[i + k] = u + v
                a[i + k + half] = u - v
        length <<= 1
    if invert:
        for i in range(n):
            a[i] /= n
    return a


def _ncc(rec, src, lag):
    """Normalised correlation of src against rec shifted by lag: rec
    delayed (lag > 0) or its beginning missing (lag < 0)."""
    a, b = (rec[lag:], src) if lag >= 0 else (rec, src[-lag:])
    m = min(len(a), len(b))
    if m < RATE // 2:
        return 0.0
    num = sum(x * y for x, y in zip(a[:m], b[:m]))
    den = math.sqrt(sum(x * x for x in a[:m]) * sum(y * y for y in b[:m]))
    return num / den if den else 0.0


def correlate(rec, src, max_lag_s=2.0):
    """(peak, lag in seconds): the normalised correlation of src with
    the part of rec it lines up with best, 1.0 for an exact copy; a
    negative lag means the recording misses the source's beginning."""
    if not rec or not src:
        return 0.0, None
    # Decimated by 2 for the search, then exact at full rate.
    r2, s2 = rec[::2], src[::2]
    n = 1
    while n < len(r2) + len(s2):
        n <<= 1
    fr = _fft([complex(x) for x in r2] + [0j] * (n - len(r2)))
    fs = _fft([complex(x) for x in s2] + [0j] * (n - len(s2)))
    c = _fft([a * b.conjugate() for a, b in zip(fr, fs)], invert=True)
    max_lag = int(max_lag_s * RATE / 2)
    lags = list(range(-min(max_lag, len(s2) - 1), min(max_lag, len(r2))))
    lag2 = max(lags, key=lambda k: c[k % n].real)
    best = (0.0, None)
    for lag in range(2 * lag2 - 3, 2 * lag2 + 4):
        v = _ncc(rec, src, lag)
        if v > best[0]:
            best = (v, lag / RATE)
    return best


class CallBaresip(Baresip):
    """baresip with no server: it listens on addr:sip_port, answers by
    itself, plays src through aufile and keeps what it hears through
    sndfile, offers only the codecs given (PCMU, opus)."""

    def __init__(self, user, domain, sip_port, ctrl_port, src,
                 codecs=("PCMU",), addr="127.0.0.1", proxy=None,
                 password=None):
        Baresip.__init__(self, user, domain, "unused", sip_port, ctrl_port,
                         "sip:%s:%d" % (addr, sip_port), addr=addr,
                         register=False)
        mods = "".join("module %s.so\n" % m for m in
                       ({"PCMU": "g711", "opus": "opus"}[c] for c in codecs))
        with open(os.path.join(self.dir, "config"), "w") as f:
            f.write("poll_method epoll\n"
                    "sip_listen %s:%d\n"
                    "net_interface %s\n"
                    "audio_source aufile,%s\n"
                    # sndfile writes what baresip decodes: dump-*-dec.wav
                    "snd_path %s\n"
                    "module_path /usr/lib/baresip/modules\n"
                    "%s"
                    "module aufile.so\n"
                    "module sndfile.so\n"
                    "module ctrl_tcp.so\n"
                    "module_tmp account.so\n"
                    "module_app menu.so\n"
                    "ctrl_tcp_listen %s:%d\n" % (addr, sip_port, addr, src,
                                                 self.dir, mods, addr,
                                                 ctrl_port))
        with open(os.path.join(self.dir, "accounts"), "w") as f:
            # With a proxy: registered there, every request through it.
            via = ";auth_pass=%s;outbound=\"%s\";regint=60" % (
                password, proxy) if proxy else ";regint=0"
            f.write("<sip:%s@%s>%s;answermode=auto;mwi=no;"
                    "audio_codecs=%s\n" % (user, domain, via,
                                           ",".join(c if c != "opus" else
                                                    "opus/48000/2"
                                                    for c in codecs)))

    def recording(self):
        """What baresip heard in its last call, as samples."""
        dumps = sorted((os.path.getmtime(os.path.join(self.dir, f)), f)
                       for f in os.listdir(self.dir)
                       if f.startswith("dump-") and f.endswith("-dec.wav"))
        if not dumps:
            return []
        try:
            # Until baresip closes it, its header may not be there yet.
            return read_wav(os.path.join(self.dir, dumps[-1][1]))
        except (EOFError, wave.Error):
            return []


class Chat:
    """imc's interactive mode with commands on its standard input and
    its lines collected, for a callee that publishes its media."""

    def __init__(self, client, *args):
        import queue, subprocess, threading
        self.p = subprocess.Popen(client.argv(["chat"] + list(args)),
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.out, self.errs = queue.Queue(), []
        threading.Thread(target=self._pump, args=(self.p.stdout, self.out),
                         daemon=True).start()
        threading.Thread(target=self._err, daemon=True).start()

    @staticmethod
    def _pump(pipe, q):
        for line in pipe:
            q.put(line.rstrip("\n"))
        q.put(None)

    def _err(self):
        for line in self.p.stderr:
            self.errs.append(line.rstrip("\n"))

    def say(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def wait_line(self, pred, timeout=10):
        import queue, time
        end = time.time() + timeout
        seen = []
        while time.time() < end:
            try:
                line = self.out.get(timeout=max(0.01, end - time.time()))
            except queue.Empty:
                break
            if line is None:
                break
            seen.append(line)
            if pred(line):
                return line, seen
        return None, seen

    def quit(self):
        import subprocess
        if self.p.poll() is None:
            try:
                self.say("/quit")
                self.p.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.p.kill()
                self.p.wait()
        return self.p.returncode


class SipTap:
    """Every UDP datagram to a port on loopback, seen with a packet
    socket (root in the test's network namespace): what reached the
    server, whatever it logs."""

    def __init__(self, port):
        import socket, threading
        self.port, self.seen, self.sock = port, [], None
        try:
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                      socket.htons(0x0003))
            self.sock.bind(("lo", 0))
        except (OSError, AttributeError):
            self.sock = None
            return
        self.sock.settimeout(0.2)
        self.stop = threading.Event()
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        import socket
        while not self.stop.is_set():
            try:
                frame, addr = self.sock.recvfrom(70000)
            except socket.timeout:
                continue
            except OSError:
                return
            if addr[2] == socket.PACKET_OUTGOING:
                continue        # each datagram on lo is seen twice
            ip = frame[14:]
            if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
                continue
            udp = ip[(ip[0] & 0x0f) * 4:]
            if int.from_bytes(udp[2:4], "big") == self.port:
                self.seen.append(bytes(udp[8:]))

    def methods(self):
        return [d.split(b" ", 1)[0].decode("ascii", "replace")
                for d in self.seen if not d.startswith(b"SIP/2.0")]

    def close(self):
        if self.sock is not None:
            self.stop.set()
            self.t.join()
            self.sock.close()
