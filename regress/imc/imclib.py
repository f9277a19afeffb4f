# imc as the tests run it: one configuration directory per account
# (imc -c DIR), commands run to the end or started in the background
# and stopped by pid whatever happens.

import atexit, os, queue, shutil, signal, subprocess, tempfile, threading

IMC = os.path.join(os.environ["IMD_BUILD"], "bin/imc")


class Client:
    def __init__(self, account, password, server, port, transport="udp",
                 mode=0o600, config=None, extra=()):
        self.dir = tempfile.mkdtemp(prefix="imc-test.")
        self.account = account
        if config is None:
            config = "account %s\nserver %s port %d %s\nbind %s\n" % (
                account, server, port, transport, server)
            config += "".join(l + "\n" for l in extra)
        with open(os.path.join(self.dir, "config"), "w") as f:
            f.write(config)
        pw = os.path.join(self.dir, "password")
        with open(pw, "w") as f:
            f.write(password + "\n")
        os.chmod(pw, mode)
        atexit.register(shutil.rmtree, self.dir, True)

    def argv(self, args):
        return [IMC, "-c", self.dir] + list(args)

    def run(self, *args, stdin=None, timeout=40):
        env = dict(os.environ)
        env.pop("IMC_PASSWORD", None)
        return subprocess.run(self.argv(args), input=stdin, env=env,
                              capture_output=True, text=True,
                              timeout=timeout)

    def start(self, *args):
        return Background(self.argv(args))


class Background:
    """imc listen or watch: lines of standard output as they come."""

    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.out, self.err = queue.Queue(), queue.Queue()
        self.errlines = []
        for pipe, q in ((self.p.stdout, self.out), (self.p.stderr, self.err)):
            threading.Thread(target=self._pump, args=(pipe, q),
                             daemon=True).start()
        atexit.register(self.kill)

    @staticmethod
    def _pump(pipe, q):
        for l in pipe:
            q.put(l.rstrip("\n"))
        q.put(None)

    def ready(self, timeout=10):
        """Waits for the "imc: listening as" or "imc: watching" line."""
        try:
            while True:
                l = self.err.get(timeout=timeout)
                if l is None:
                    return False
                self.errlines.append(l)
                if l.startswith("imc: listening as") or \
                        l.startswith("imc: watching"):
                    return True
        except queue.Empty:
            return False

    def line(self, timeout=10):
        try:
            return self.out.get(timeout=timeout)
        except queue.Empty:
            return None

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)

    def code(self, timeout=15):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
