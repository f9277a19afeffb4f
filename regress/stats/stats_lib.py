# Helpers of the stats tests: the numbers of `imctl show stats` and of a
# scrape of metricsd, parsed the same way, and a UA that counts what it
# sends and what it hears back.

import collections, re, socket, time

LINE = re.compile(r'^([a-z_]+)(\{[^}]*\})? (\S+)$')


def parse(text):
    """{ 'name{labels}': value } from show stats or Prometheus text."""
    out = {}
    for line in text.splitlines():
        if line.startswith("#") or not line:
            continue
        m = LINE.match(line)
        if m:
            out[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return out


def show_stats(suite):
    r = suite.ctl("show", "stats")
    return r.returncode, parse(r.stdout), r.stdout


def poll(fn, want, timeout=20):
    """fn() until it returns want, at most timeout s; the last value."""
    end = time.time() + timeout
    v = fn()
    while v != want and time.time() < end:
        time.sleep(0.2)
        v = fn()
    return v


def http(port, data, addr="127.0.0.1", bind=None, timeout=5):
    """Send data, read to the end; b"" if the server closed at once."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if bind:
        s.bind((bind, 0))
    s.settimeout(timeout)
    s.connect((addr, port))
    out = b""
    try:
        if data:
            s.sendall(data)
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except (ConnectionResetError, BrokenPipeError):
        pass
    s.close()
    return out


def count_requests(UA):
    """Wrap UA.request: requests sent by method, answers by class."""
    sent, heard = collections.Counter(), collections.Counter()
    orig = UA.request

    def counted(self, method, *a, **k):
        r = orig(self, method, *a, **k)
        sent[method] += 1
        heard["%dxx" % (r["status"] // 100)] += 1
        return r
    UA.request = counted
    return sent, heard
