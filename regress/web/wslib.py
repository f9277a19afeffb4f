# A SIP user agent over a WebSocket (RFC 6455, RFC 7118) for the tests
# of regress/web: the imdtest UA with its bytes in frames, and the raw
# pieces (handshake, frames) the bad-input tests bend.

import base64, hashlib, os, random, re, socket, struct, sys

sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
import imdtest
from imdtest import parse_response

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def handshake(s, host="127.0.0.1", path="/", protocol="sip", origin=None,
              version="13", extra=()):
    """Sends the upgrade; returns (status, headers dict, raw head)."""
    key = base64.b64encode(os.urandom(16)).decode()
    req = ["GET %s HTTP/1.1" % path, "Host: %s" % host,
           "Upgrade: websocket", "Connection: Upgrade",
           "Sec-WebSocket-Key: %s" % key,
           "Sec-WebSocket-Version: %s" % version]
    if protocol is not None:
        req.append("Sec-WebSocket-Protocol: %s" % protocol)
    if origin is not None:
        req.append("Origin: %s" % origin)
    req += list(extra)
    s.sendall(("\r\n".join(req) + "\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(4096)
        if not chunk:
            break
        head += chunk
    lines = head.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1.1 (\d+)", lines[0]) if lines else None
    hdrs = {}
    for l in lines[1:]:
        n, _, v = l.partition(":")
        hdrs[n.strip().lower()] = v.strip()
    accept = base64.b64encode(hashlib.sha1((key + GUID).encode())
                              .digest()).decode()
    hdrs["_accept_ok"] = hdrs.get("sec-websocket-accept") == accept
    return (int(m.group(1)) if m else 0), hdrs, head


def frame(opcode, payload, mask=True, fin=True):
    """One client frame (masked unless told otherwise)."""
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", b0, (0x80 if mask else 0) | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, (0x80 if mask else 0) | 126, n)
    else:
        head = struct.pack("!BBQ", b0, (0x80 if mask else 0) | 127, n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(c ^ key[i % 4] for i, c in enumerate(payload))


def read_frame(s, buf=b""):
    """(opcode, payload, rest of buf) of the next server frame."""
    def need(n):
        nonlocal buf
        while len(buf) < n:
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            buf += chunk
    need(2)
    op, n = buf[0] & 0x0f, buf[1] & 0x7f
    off = 2
    if n == 126:
        need(4)
        n = struct.unpack("!H", buf[2:4])[0]
        off = 4
    elif n == 127:
        need(10)
        n = struct.unpack("!Q", buf[2:10])[0]
        off = 10
    need(off + n)
    return op, buf[off:off + n], buf[off + n:]


class WSUA(imdtest.UA):
    """imdtest.UA over ws: each SIP message one masked text frame."""

    def __init__(self, server, timeout=3.0, protocol="sip"):
        self.server, self.transport = server, "ws"
        self.cseq = 0
        self.callid = "%x@imd.test" % random.getrandbits(64)
        self.tag = "%x" % random.getrandbits(32)
        self.s = socket.create_connection(server, timeout=timeout)
        self.local = self.s.getsockname()
        self.status, self.hdrs, _ = handshake(self.s, protocol=protocol)
        self.buf = b""
        self.pings = 0

    def send_raw(self, data):
        self.s.sendall(frame(1, data))

    def recv(self, parse=None):
        parse = parse or parse_response
        while True:
            op, data, self.buf = read_frame(self.s, self.buf)
            if op == 9:		# ping: pong it, as a browser does
                self.pings += 1
                self.s.sendall(frame(10, data))
                continue
            if op == 8:
                raise ConnectionError("close frame")
            if data in (b"\r\n",):
                continue
            return parse(data)
