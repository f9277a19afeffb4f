# baresip set up for the call tests: a WAV file as its microphone,
# ALSA's null device as its speaker, what it decodes recorded by the
# sndfile module, and incoming calls answered at once.

import glob, os, struct, sys, time, wave
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/clients"))
from clientlib import Baresip
import audio


class CallBaresip(Baresip):
    """baresip with a WAV file as its microphone, ALSA's null device as
    its speaker, what it decodes recorded (sndfile), calls answered."""

    def __init__(self, *args, source, **kw):
        super().__init__(*args, **kw)
        conf = os.path.join(self.dir, "config")
        with open(conf) as f:
            t = f.read()
        t = t.replace("audio_player aufile,/dev/null\n",
                      "audio_player alsa,null\n")
        t = t.replace("audio_source aufile,/dev/null\n",
                      "audio_source aufile,%s\n" % source)
        t += "module alsa.so\nmodule sndfile.so\nsnd_path %s\n" % self.dir
        with open(conf, "w") as f:
            f.write(t)
        acc = os.path.join(self.dir, "accounts")
        with open(acc) as f:
            t = f.read().rstrip("\n")
        with open(acc, "w") as f:
            f.write(t + ";answermode=auto\n")

    def recording(self, secs=5):
        """What it decoded in its first call, once sndfile closed the
        file (the WAV header is complete only then); [] if none."""
        end = time.time() + secs
        while True:
            got = sorted(glob.glob(os.path.join(self.dir,
                                                "dump-*-dec.wav")))
            samples = []
            if got:
                try:
                    samples = audio.read(got[0])
                except (EOFError, struct.error, wave.Error):
                    pass
            if samples or time.time() >= end:
                return samples
            time.sleep(0.2)
