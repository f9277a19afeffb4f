#!/usr/bin/env python3
# Berkeley DB's cache, as db_stat -m reads it from the running suite's
# environment: 64 MB by default for a small database, what `database
# cache` says when it is given, and the size of the database files at
# start (with the log not yet checkpointed into them) when they are
# larger than 64 MB (about 200,000 users imported,
# then the suite started again).

import os, re, subprocess, sys, time
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, ok, done

PORT = 25486
MB = 1024 * 1024
USERS = 200000


def cache_bytes(s):
    """The environment's cache: db_stat's "Total cache size" line."""
    r = subprocess.run(["db5.3_stat", "-m", "-h",
                        os.path.join(s.dir, "db", "env")],
                       capture_output=True, text=True)
    for line in r.stdout.splitlines():
        if line.endswith("Total cache size"):
            n = 0
            for num, unit in re.findall(r"(\d+)([GMK]?B)", line):
                n += int(num) * {"GB": 1 << 30, "MB": MB, "KB": 1024,
                                 "B": 1}[unit]
            return n
    return None


def files_bytes(s):
    env = os.path.join(s.dir, "db", "env")
    return sum(os.path.getsize(os.path.join(env, f))
               for f in os.listdir(env)
               if f.endswith(".db") or f.startswith("log."))


# Berkeley DB rounds a cache up and adds its own overhead to small ones.
def near(got, want):
    return got is not None and want <= got <= want * 1.3 + MB


s = Suite("cache.test", PORT)
ok(s.start(), "the suite starts with the default cache")
n = cache_bytes(s)
ok(near(n, 64 * MB), "the default cache is 64 MB (%s bytes)" % n)

t0 = time.time()
users = "".join("u%d@cache.test pw%d\n" % (i, i) for i in range(USERS))
r = s.ctl("user", "import", "-", stdin=users)
ok(r.returncode == 0, "%d users imported in %.1f s" % (USERS,
                                                        time.time() - t0))
s.proc.terminate()
s.proc.wait(10)
size = files_bytes(s)
ok(size > 64 * MB, "the database files hold %d MB" % (size // MB))
ok(s.start(), "the suite starts again")
n = cache_bytes(s)
ok(near(n, size), "the cache is sized from them (%s bytes for %d)" %
   (n, size))
s.cleanup()

s = Suite("cache.test", PORT, extra=["database cache 200M"])
ok(s.start(), "the suite starts with database cache 200M")
n = cache_bytes(s)
ok(near(n, 200 * MB), "the cache is 200 MB (%s bytes)" % n)
s.cleanup()

done()
