#!/usr/bin/env python3
# The bad inputs of calls that need no peer: the command line of
# `imc call' and `imc listen' (exit 2), the configuration keywords of
# calls with the file and line of each mistake (exit 3), and sound
# files that cannot be played or written (exit 1, with the reason).

import os, struct, sys, tempfile, wave
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdtest import ok, done
from imclib import Client

P = 27900
W = tempfile.mkdtemp(prefix="imc-cusage.")
good = Client("alice@site1.test", "pw", "127.0.0.1", P)

for args, what in ((["call"], "no address"),
                   (["call", "bob@site1.test", "extra"], "two addresses"),
                   (["call", "bob@site1.test", "--play"], "--play without "
                    "a file"),
                   (["call", "bob@site1.test", "--record", "a", "--record",
                     "b"], "--record twice"),
                   (["call", "-d", "not an address"], "a malformed address"),
                   (["call", "bob@site1.test", "-t", "0"], "-t 0"),
                   (["listen", "--play"], "listen --play without a file")):
    r = good.run(*args)
    ok(r.returncode == 2 and (r.stderr.startswith("imc: ") or
                              r.stderr.startswith("usage: imc")),
       "imc %s: %s, exit 2 (%d %r)" % (" ".join(args), what, r.returncode,
                                       r.stderr.strip()))

BAD = [
    ("media audio port 0 codecs opus", "port 0 is too small"),
    ("media audio port 40000 codecs", "media audio | video port N codecs"),
    ("media voice port 40000 codecs opus", "media audio | video port N"),
    ("media audio port 40000 codecs opus direct maybe",
     "direct yes or direct no"),
    ("media audio port 40000 codecs op/us", "not a codec name: op/us"),
    ("auto-answer perhaps", "auto-answer yes or auto-answer no"),
    ("direct-calls sometimes", "direct-calls accept | ask | refuse"),
]
for i, (line, words) in enumerate(BAD):
    c = Client("alice@site1.test", "pw", "127.0.0.1", P,
               extra=["# a comment", line])
    r = c.run("call", "bob@site1.test")
    path = os.path.join(c.dir, "config")
    ok(r.returncode == 3 and "%s:5: " % path in r.stderr and words in
       r.stderr, "%r: exit 3 at line 5, %r (%d %r)" % (
           line, words, r.returncode, r.stderr.strip()))
c = Client("alice@site1.test", "pw", "127.0.0.1", P,
           extra=["media audio port 40000 codecs opus",
                  "media video port 40002 codecs VP8",
                  "media audio port 40004 codecs pcmu"])
r = c.run("call", "bob@site1.test")
ok(r.returncode == 3 and "config:6: " in r.stderr and "once per medium"
   in r.stderr, "a third media line: exit 3 at its line (%r)" %
   r.stderr.strip())
c = Client("alice@site1.test", "pw", "127.0.0.1", P,
           extra=["media audio port 40000 codecs G722"])
r = c.run("call", "bob@site1.test")
ok(r.returncode == 1 and "none of its codecs is opus or PCMU" in r.stderr,
   "audio with no codec imc has: exit 1 (%d %r)" % (r.returncode,
                                                     r.stderr.strip()))

r = good.run("call", "bob@site1.test", "--play", os.path.join(W, "none.wav"))
ok(r.returncode == 1 and "none.wav" in r.stderr,
   "--play of a file that is not there: exit 1, named (%d %r)" % (
       r.returncode, r.stderr.strip()))
cd = os.path.join(W, "cd.wav")
with wave.open(cd, "wb") as w:
    w.setnchannels(2)
    w.setsampwidth(2)
    w.setframerate(44100)
    w.writeframes(struct.pack("<4h", 0, 0, 0, 0))
r = good.run("call", "bob@site1.test", "--play", cd)
ok(r.returncode == 1 and "44100 Hz, 2 channels; imc plays 8000 Hz mono"
   in r.stderr, "--play of a 44.1 kHz stereo file: exit 1, says why (%r)" %
   r.stderr.strip())
r = good.run("call", "bob@site1.test", "--record",
             os.path.join(W, "no", "such", "dir.wav"))
ok(r.returncode == 1 and "dir.wav" in r.stderr,
   "--record into a directory that is not there: exit 1 (%r)" %
   r.stderr.strip())
done()
