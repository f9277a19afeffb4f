# What the call tests of regress/web share: a browser whose media is
# Chromium's fake microphone (a beep), and the call bar and the call's
# statistics read from its pages.

import json, time
from browserlib import Browser, WEB_ROOT
from imdtest import Suite, ok

D = "site1.test"


def web_suite(port, wsport, extra=()):
    """A suite of D serving the web client on wsport, with alice and
    bob; the page's URL."""
    s = Suite(D, port, ["listen on 127.0.0.1 port %d ws" % wsport,
                        'web root "%s"' % WEB_ROOT] + list(extra))
    ok(s.start(), "the suite starts with ws on %d" % wsport)
    s.add_user("alice@" + D, "alicepw")
    s.add_user("bob@" + D, "bobpw")
    return s, "http://127.0.0.1:%d/" % wsport

# The tests' netns has loopback only, which Chromium's ICE leaves out
# unless told.
MEDIA_FLAGS = ["--use-fake-ui-for-media-stream",
               "--use-fake-device-for-media-stream",
               "--allow-loopback-in-peer-connection"]

# The inbound audio of the page's call: packets and energy so far.
INBOUND = """const pc = window.imdCallConnection();
if (!pc) return null;
const st = await pc.getStats();
for (const r of st.values())
  if (r.type === 'inbound-rtp' && r.kind === 'audio')
    return { packets: r.packetsReceived,
             energy: r.totalAudioEnergy || 0 };
return null;"""


class CallPages:
    def __init__(self, shots):
        self.b = Browser(shots, MEDIA_FLAGS)

    def js(self, page, code):
        return self.b.cmd("eval", page=page, js=code)

    def state(self, page):
        return self.js(page, "return document.getElementById('call-state')"
                       ".textContent")

    def wait_state(self, page, want, timeout=10000):
        return self.b.wait(page, "document.getElementById('call-state')"
                           ".textContent === %s" % json.dumps(want), timeout)

    def audio_arrives(self, page):
        """Polls until audio packets with some energy arrived (15 s at
        most); whether they did, and the figures."""
        last = None
        for _ in range(60):
            last = self.js(page, INBOUND)
            if last and last["packets"] > 20 and last["energy"] > 1e-4:
                return True, last
            time.sleep(0.25)
        return False, last

    def open_chat(self, page, addr):
        self.b.cmd("type", page=page, selector="#add-address", text=addr)
        self.b.cmd("press", page=page, key="Enter")
        self.b.click(page, "#buddies button[data-address=\"%s\"]" % addr)
