# The Python side of driver.js: a headless Chromium whose pages the
# tests of regress/web open, fill in, click and read, with a screenshot
# of each step kept under the build tree beside the test's log.

import atexit, json, os, shutil, signal, subprocess, tempfile

BUILD = os.environ["IMD_BUILD"]
WEB_NPM = os.path.join(BUILD, "web/npm")
WEB_ROOT = os.path.join(BUILD, "web/root")
CHROMIUM = "/usr/bin/chromium"


def require_browser():
    """Skips the whole test when Chromium or the npm modules are absent."""
    for what, p in (("chromium", CHROMIUM),
                    ("puppeteer-core (make)",
                     os.path.join(WEB_NPM, "node_modules/puppeteer-core")),
                    ("the web client (make)",
                     os.path.join(WEB_ROOT, "app.js")),
                    ("node", shutil.which("node") or "/nonexistent")):
        if not os.path.exists(p):
            print("1..0 # SKIP %s missing" % what)
            raise SystemExit(0)


class Browser:
    def __init__(self, shots, extra=()):
        self.shots = shots
        os.makedirs(shots, exist_ok=True)
        self.profile = tempfile.mkdtemp(prefix="imd-chromium.")
        env = dict(os.environ, WEB_NPM=WEB_NPM, CHROMIUM=CHROMIUM,
                   CHROMIUM_PROFILE=self.profile, HOME=self.profile,
                   CHROMIUM_EXTRA=" ".join(extra))
        here = os.path.dirname(os.path.abspath(__file__))
        self.p = subprocess.Popen(["node", os.path.join(here, "driver.js")],
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True,
                                  env=env, start_new_session=True)
        self.n = 0
        self.step = 0
        atexit.register(self.stop)
        first = json.loads(self.p.stdout.readline() or "{}")
        if not first.get("ok"):
            raise RuntimeError("chromium: %s" % first.get("error"))
        self.chromium_pid = first["result"]

    def cmd(self, cmd, **args):
        self.n += 1
        args.update(id=self.n, cmd=cmd)
        self.p.stdin.write(json.dumps(args) + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("the browser driver ended")
        r = json.loads(line)
        if not r["ok"]:
            raise RuntimeError("%s: %s" % (cmd, r["error"]))
        return r.get("result")

    def try_cmd(self, cmd, **args):
        """The result, or the exception, for checks that may fail."""
        try:
            return self.cmd(cmd, **args)
        except RuntimeError as e:
            return e

    def click(self, page, selector):
        """A click in one step of the page's own, so that a list drawn
        again meanwhile cannot leave the click on a detached node."""
        return self.cmd("eval", page=page, js="const e = document."
                        "querySelector(%s); if (!e) throw new Error("
                        "'nothing matches ' + %s); e.click(); return true"
                        % (json.dumps(selector), json.dumps(selector)))

    def wait(self, page, js, timeout=5000):
        return not isinstance(self.try_cmd("wait", page=page, js=js,
                                           timeout=timeout), Exception)

    def shot(self, page, name):
        self.step += 1
        path = os.path.join(self.shots, "%02d-%s.png" % (self.step, name))
        self.cmd("shot", page=page, path=path)
        return path

    def stop(self):
        if self.p.poll() is None:
            try:
                self.p.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                self.p.stdin.flush()
                self.p.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.p.poll() is None:
            os.killpg(self.p.pid, signal.SIGKILL)
            self.p.wait()
        try:
            os.kill(self.chromium_pid, 0)
            os.kill(self.chromium_pid, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
        shutil.rmtree(self.profile, ignore_errors=True)


def login(b, page, url, address, password, width=1000, height=700,
          context=None):
    """Opens the page and logs in; True once the buddy list shows."""
    if context != page:
        b.cmd("open", page=page, url=url, width=width, height=height,
              context=context)
    b.cmd("eval", page=page, js="document.getElementById('login-address')"
          ".value = ''; document.getElementById('login-password').value = ''")
    b.cmd("type", page=page, selector="#login-address", text=address)
    b.cmd("type", page=page, selector="#login-password", text=password)
    b.cmd("press", page=page, key="Enter")
    return b.wait(page, "!document.getElementById('app').hidden", 8000)
