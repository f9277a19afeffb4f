# Helpers for the XMPP tests: a real Prosody from Debian on loopback
# (its own config, data directory and certificates, in the foreground,
# stopped by pid), and a Jabber client (slixmpp) driven from a thread.

import asyncio, atexit, os, shutil, signal, subprocess, tempfile, threading
import time

# Prosody's own resolver (net.dns, without lua-unbound) reads
# /etc/resolv.conf and asks port 53: this module gives it the test's
# DNS server instead, before its first question.
RESOLVER_PLUGIN = """
local dns = require "net.dns";
local server = module:get_option_string("imd_test_nameserver");
local cls = getmetatable(dns._resolver).__index;
cls.adddefaultnameservers = function(self) self:addnameserver(server); end
dns._resolver.server = nil;
"""

CONFIG = """
daemonize = false
pidfile = "{dir}/prosody.pid"
data_path = "{dir}/data"
plugin_paths = {{ "{dir}/plugins" }}
log = {{ debug = "{dir}/prosody.log" }}
interfaces = {{ "{addr}" }}
c2s_ports = {{ {c2s} }}
s2s_ports = {{ 5269 }}
c2s_interfaces = {{ "{addr}" }}
s2s_interfaces = {{ "{addr}" }}
http_ports = {{ }}
https_ports = {{ }}
component_ports = {{ }}
admin_socket = "{dir}/admin.sock"
run_as_root = true
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
s2s_require_encryption = true
s2s_secure_auth = {secure}
imd_test_nameserver = "127.0.0.1"
authentication = "internal_plain"
storage = "internal"
modules_enabled = {{ "roster", "saslauth", "tls", "disco", "ping",
    "presence", "message", "iq", "imd_test_resolver" {extra} }}
modules_disabled = {{ "offline", "posix" }}
ssl = {{ certificate = "{crt}", key = "{key}", cafile = "{ca}" }}
VirtualHost "{domain}"
    ssl = {{ certificate = "{crt}", key = "{key}", cafile = "{ca}" }}
{hosts}"""

HOST = """VirtualHost "{domain}"
    ssl = {{ certificate = "{crt}", key = "{key}", cafile = "{ca}" }}
"""


class Prosody:
    def __init__(self, domain, addr, cert, ca, c2s=5222, modules=(),
                 hosts=(), secure_auth=True):
        self.dir = tempfile.mkdtemp(prefix="imd-prosody.")
        os.chmod(self.dir, 0o755)
        self.domain, self.addr, self.c2s = domain, addr, c2s
        os.mkdir(os.path.join(self.dir, "data"))
        os.mkdir(os.path.join(self.dir, "plugins"))
        with open(os.path.join(self.dir, "plugins",
                               "mod_imd_test_resolver.lua"), "w") as f:
            f.write(RESOLVER_PLUGIN)
        self.conf = os.path.join(self.dir, "prosody.cfg.lua")
        extra = "".join(', "%s"' % m for m in modules)
        hosts = "".join(HOST.format(domain=d, crt=c[0], key=c[1], ca=ca)
                        for d, c in hosts)
        with open(self.conf, "w") as f:
            f.write(CONFIG.format(dir=self.dir, addr=addr, c2s=c2s,
                                  crt=cert[0], key=cert[1], ca=ca,
                                  domain=domain, extra=extra,
                                  hosts=hosts, secure="true" if
                                  secure_auth else "false"))
        self.proc = None
        atexit.register(self.cleanup)

    def ctl(self, *args):
        return subprocess.run(["prosodyctl", "--config", self.conf] +
                              list(args), capture_output=True, text=True,
                              timeout=30)

    def add_user(self, user, password, domain=None):
        r = subprocess.run(["prosodyctl", "--config", self.conf,
                            "register", user, domain or self.domain,
                            password],
                           capture_output=True, text=True, timeout=30)
        return r.returncode == 0

    def start(self):
        self.log = open(os.path.join(self.dir, "stdout.log"), "w")
        self.proc = subprocess.Popen(["prosody", "--config", self.conf,
                                      "-F"], stdout=self.log,
                                     stderr=self.log)
        import socket
        for _ in range(200):
            try:
                socket.create_connection((self.addr, self.c2s), 0.2).close()
                return True
            except OSError:
                if self.proc.poll() is not None:
                    return False
                time.sleep(0.05)
        return False

    def logtext(self):
        try:
            with open(os.path.join(self.dir, "prosody.log")) as f:
                return f.read()
        except OSError:
            return ""

    def cleanup(self):
        import imdtest
        imdtest.stop_process(self.proc)
        if os.environ.get("IMD_KEEP"):
            return
        shutil.rmtree(self.dir, ignore_errors=True)


class Jabber:
    """A Jabber user on Prosody (slixmpp), its event loop in a thread:
    messages and errors received wait in lists, polled with wait()."""

    def __init__(self, jid, password, addr, port, ca):
        self.messages, self.errors, self.presences = [], [], []
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.made = threading.Event()
        self.jid, self.password, self.ca = jid, password, ca
        self.addr, self.port = addr, port
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()
        self.made.wait(10)

    def _run(self):
        import slixmpp
        asyncio.set_event_loop(self.loop)
        self.c = slixmpp.ClientXMPP(self.jid, self.password)
        self.c.ca_certs = self.ca
        self.c.register_plugin("xep_0030")
        self.c.register_plugin("xep_0199")
        self.c.add_event_handler("session_start", self._start)
        self.c.add_event_handler("message", self._message)
        self.c.add_event_handler("message_error", self._error)
        self.c.add_event_handler("presence", self._presence)
        self.made.set()
        self.c.connect(address=(self.addr, self.port),
                       force_starttls=False, disable_starttls=True)
        self.loop.run_forever()

    async def _start(self, event):
        # Only a resource that asked for its roster gets roster pushes.
        await self.c.get_roster()
        self.c.send_presence()
        self.ready.set()

    def _message(self, msg):
        if msg["type"] in ("chat", "normal"):
            self.messages.append((str(msg["from"]), msg["body"]))

    def _error(self, msg):
        self.errors.append((str(msg["from"]), msg["error"]["condition"],
                            msg["id"]))

    def _presence(self, p):
        self.presences.append((str(p["from"]), p["type"], p["show"],
                               p["status"]))

    def call(self, fn, *args, **kw):
        self.loop.call_soon_threadsafe(lambda: fn(*args, **kw))

    def send(self, to, body, mid=None):
        def go():
            m = self.c.make_message(mto=to, mbody=body, mtype="chat")
            if mid:
                m["id"] = mid
            m.send()
        self.call(go)

    def wait(self, what, pred, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            for x in list(what):
                if pred(x):
                    return x
            time.sleep(0.02)
        return None

    def stop(self):
        """Offline; the loop stays, idle, until the test exits."""
        self.call(self.c.disconnect)
        time.sleep(0.2)


class World:
    """imd serving a.test on 127.0.0.1 (SIP on sip_port, XMPP on 5269)
    and Prosody serving b.test and c.test on 127.0.0.2, certificates
    from one test CA, and a dnsmasq on 127.0.0.1:53 with the domains'
    _xmpp-server._tcp records: Prosody finds imd by DNS, and imd finds
    Prosody by DNS, for b.test as its route says (route b.test xmpp),
    for c.test because it has XMPP SRV records and no SIP ones (only an
    A record, a web server's)."""

    def __init__(self, sip_port, imd_extra=(), prosody_modules=(),
                 dns_extra=()):
        import imdtest
        self.dir = tempfile.mkdtemp(prefix="imd-xmpp.")
        os.chmod(self.dir, 0o755)
        atexit.register(shutil.rmtree, self.dir, True)
        self.ca = imdtest.make_ca(self.dir)
        self.cert_a = imdtest.make_cert(self.dir, "a.test", ["a.test"])
        self.cert_b = imdtest.make_cert(self.dir, "b.test", ["b.test"])
        self.cert_c = imdtest.make_cert(self.dir, "c.test", ["c.test"])
        self.dns = imdtest.Dnsmasq(53, [
            "--srv-host=_xmpp-server._tcp.a.test,xmpp.a.test,5269,0,0",
            "--host-record=xmpp.a.test,127.0.0.1",
            "--srv-host=_xmpp-server._tcp.b.test,xmpp.b.test,5269,0,0",
            "--host-record=xmpp.b.test,127.0.0.2",
            "--srv-host=_xmpp-server._tcp.c.test,xmpp.b.test,5269,0,0",
            "--host-record=c.test,127.0.0.3"] + list(dns_extra))
        self.prosody = Prosody("b.test", "127.0.0.2", self.cert_b, self.ca,
                               modules=prosody_modules,
                               hosts=[("c.test", self.cert_c)])
        self.sip_port = sip_port
        self.imd = imdtest.Suite("a.test", sip_port, extra=[
            'tls ca "%s"' % self.ca,
            imdtest.tls_listen("127.0.0.1", sip_port + 1, self.cert_a),
            "xmpp listen on 127.0.0.1", "route b.test xmpp",
            "resolver 127.0.0.1 port 53",
            "relay private-addresses yes"] + list(imd_extra))
