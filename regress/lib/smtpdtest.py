#
# Copyright (c) 2026 The imd Authors
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
#
# A real OpenSMTPD for the Python tests and the demo that hand offline
# messages to an MTA: Debian's smtpd in the foreground on 127.0.0.1,
# taking mail for a few users of one domain and delivering it to a
# maildir of its own.  smtpd needs root and the system spool, which
# another smtpd would share, so the tests skip without them.  Mail it
# still holds for the test domain is removed before it stops (by pid,
# also at exit), and the spool too if it was not there before.

import atexit, email, email.policy, glob, os, shutil, signal, socket
import subprocess, sys, tempfile, time

SMTPD = "/usr/sbin/smtpd"
SMTPCTL = "/usr/sbin/smtpctl"
SPOOL = "/var/spool/smtpd"


def unusable():
    """Why smtpd cannot run for a test here, or None."""
    if os.geteuid() != 0:
        return "OpenSMTPD needs root"
    if not os.access(SMTPD, os.X_OK) or not os.access(SMTPCTL, os.X_OK):
        return "%s missing: install the opensmtpd package" % SMTPD
    if subprocess.run([SMTPCTL, "show", "status"],
                      capture_output=True).returncode == 0:
        return ("an smtpd is running: its spool and control socket would "
                "be shared")
    return None


def skip_unless_usable():
    """The TAP skip of the whole test when smtpd cannot run."""
    why = unusable()
    if why is not None:
        print("1..0 # SKIP %s" % why)
        sys.exit(0)


class Smtpd:
    """smtpd on 127.0.0.1:port delivering mail for user@domain, for each
    of users, as nobody to self.maildir."""

    def __init__(self, port, domain, users):
        self.port, self.domain = port, domain
        self.dir = tempfile.mkdtemp(prefix="imd-smtpd.")
        # Delivery runs as the virtual users' system user, nobody.
        os.chmod(self.dir, 0o755)
        self.maildir = os.path.join(self.dir, "Maildir")
        self.conf = os.path.join(self.dir, "smtpd.conf")
        self.spool_existed = os.path.isdir(SPOOL)
        self.proc = None
        os.makedirs(self.maildir)
        shutil.chown(self.maildir, "nobody")
        with open(os.path.join(self.dir, "vusers"), "w") as f:
            for u in users:
                f.write("%s@%s nobody\n" % (u, domain))
        with open(self.conf, "w") as f:
            f.write('table vusers file:%s/vusers\n'
                    'listen on 127.0.0.1 port %d hostname mta.imd.test\n'
                    'action "imd-test" maildir "%s" virtual <vusers>\n'
                    'match from local for domain "%s" action "imd-test"\n'
                    % (self.dir, port, self.maildir, domain))
        atexit.register(self.cleanup)
        # A killed test still purges and stops smtpd: through atexit.
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))

    def start(self):
        """smtpd started and listening: True, or False."""
        log = open(os.path.join(self.dir, "smtpd.log"), "a")
        # A session of its own: Ctrl-C reaches the test or demo, which
        # purges and stops smtpd in order, not smtpd directly.
        self.proc = subprocess.Popen([SMTPD, "-d", "-f", self.conf],
                                     stdout=log, stderr=log,
                                     start_new_session=True)
        log.close()
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port),
                                         0.5).close()
                return True
            except OSError:
                if self.proc.poll() is not None:
                    return False
                time.sleep(0.1)
        return False

    def purge(self):
        """Mail still queued for the domain goes, while smtpd runs."""
        q = subprocess.run([SMTPCTL, "show", "queue"], capture_output=True,
                           text=True).stdout
        for line in q.splitlines():
            f = line.split("|")
            if len(f) > 7 and "@" + self.domain in f[6] + "|" + f[7]:
                subprocess.run([SMTPCTL, "remove", f[0]],
                               capture_output=True)

    def stop(self):
        """smtpd purged and stopped, if it runs; True."""
        if self.proc is not None and self.proc.poll() is None:
            self.purge()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        return True

    def mails(self, policy=email.policy.compat32):
        """Every mail delivered so far, as email.message objects."""
        out = []
        for p in sorted(glob.glob(os.path.join(self.maildir, "new", "*"))):
            with open(p, "rb") as f:
                out.append(email.message_from_bytes(f.read(),
                                                    policy=policy))
        return out

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        if not self.spool_existed:
            shutil.rmtree(SPOOL, ignore_errors=True)
