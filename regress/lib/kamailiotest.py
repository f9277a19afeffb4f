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
#
# Kamailio from Debian as a foreign server for the tests: started in the
# foreground on the configuration given, its run files and log in a
# directory of its own, stopped by pid at exit, whatever happens.  The
# test skips when kamailio is not installed.

import atexit, os, shutil, socket, subprocess, sys, tempfile, time

KAMAILIO = shutil.which("kamailio") or "/usr/sbin/kamailio"


def skip_unless_kamailio():
    if not os.access(KAMAILIO, os.X_OK):
        print("1..0 # SKIP kamailio is not installed")
        sys.exit(0)


class Kamailio:
    def __init__(self, cfg):
        self.dir = tempfile.mkdtemp(prefix="imd-kamailio.")
        self.logpath = os.path.join(self.dir, "kamailio.log")
        log = open(self.logpath, "w")
        self.proc = subprocess.Popen(
            [KAMAILIO, "-f", cfg, "-DD", "-E", "-m", "32", "-M", "8",
             "-Y", self.dir, "-P", os.path.join(self.dir, "k.pid")],
            stdout=log, stderr=log)
        log.close()
        atexit.register(self.stop)

    def ready(self, addr, port, secs=10):
        """True once Kamailio answers an OPTIONS on addr:port (UDP)."""
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, 0))
        s.settimeout(0.2)
        req = ("OPTIONS sip:%s:%d SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;"
               "branch=z9hG4bKready\r\nMax-Forwards: 70\r\nFrom: "
               "<sip:probe@%s>;tag=1\r\nTo: <sip:%s>\r\nCall-ID: ready\r\n"
               "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n" % (
                   addr, port, addr, s.getsockname()[1], addr,
                   addr)).encode()
        end = time.time() + secs
        try:
            while time.time() < end and self.alive():
                s.sendto(req, (addr, port))
                try:
                    s.recvfrom(65536)
                    return True
                except OSError:
                    pass
            return False
        finally:
            s.close()

    def alive(self):
        return self.proc.poll() is None

    def logtail(self, n=500):
        with open(self.logpath) as f:
            return f.read()[-n:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
