# Audio for the call tests: a test signal written as an 8 kHz mono
# 16-bit WAV (white noise whose loudness jumps every 20 ms, so that any
# stretch of it is unlike any other), and how well a recording matches
# it, in plain Python (no numpy): the loudness envelopes find the lag,
# the samples around it give the correlation.

import math, random, struct, wave

RATE = 8000
BLOCK = 80		# 10 ms: one envelope value


def write_signal(path, seed, secs=8):
    rnd = random.Random(seed)
    frames = bytearray()
    for _ in range(RATE * secs // 160):
        amp = rnd.choice((0, 3000, 9000, 16000))
        for _ in range(160):
            frames += struct.pack("<h", int(amp * (rnd.random() * 2 - 1)))
    w = wave.open(path, "wb")
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(RATE)
    w.writeframes(bytes(frames))
    w.close()


def read(path):
    w = wave.open(path, "rb")
    data = w.readframes(w.getnframes())
    w.close()
    return list(struct.unpack("<%dh" % (len(data) // 2), data))


def rms(x):
    return math.sqrt(sum(v * v for v in x) / len(x)) if x else 0.0


def _env(x):
    return [sum(abs(v) for v in x[i:i + BLOCK]) / BLOCK
            for i in range(0, len(x) - BLOCK + 1, BLOCK)]


def _pearson(a, b):
    n = len(a)
    if n == 0:
        return 0.0
    ma, mb = sum(a) / n, sum(b) / n
    sab = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    sa = math.sqrt(sum((x - ma) ** 2 for x in a))
    sb = math.sqrt(sum((y - mb) ** 2 for y in b))
    return sab / (sa * sb) if sa and sb else 0.0


def correlation(src, rec, max_lag_s=3):
    """The best correlation of rec with src over lags up to max_lag_s,
    and the lag in samples: the envelopes over 3 s, then the samples
    over 1 s around the best envelope lag."""
    es, er = _env(src), _env(rec)
    best, lag = -1.0, 0
    for l in range(0, min(max_lag_s * RATE // BLOCK, len(er) - 100)):
        n = min(len(es), len(er) - l, 300)
        p = _pearson(es[:n], er[l:l + n])
        if p > best:
            best, lag = p, l
    best, at = -1.0, 0
    for d in range(-BLOCK, BLOCK + 1):
        l = lag * BLOCK + d
        if l < 0:
            continue
        n = min(RATE, len(rec) - l, len(src))
        p = _pearson(src[:n], rec[l:l + n])
        if p > best:
            best, at = p, l
    return best, at
