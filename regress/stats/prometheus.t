#!/usr/bin/env python3
# A real Prometheus (Debian's, in the foreground, its own configuration
# and data in a temporary directory, stopped by pid) scrapes metricsd
# every second; its HTTP query API must then give the numbers of a known
# load: N MESSAGEs and N REGISTERs sent by the test (each twice, once
# challenged), the answers by class, one failed authentication, the
# bindings; and promtool must find the exposition clean (names, units,
# _total counters, HELP and TYPE).

import json, os, shutil, subprocess, sys, tempfile, time
import urllib.parse, urllib.request
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/stats"))
from imdtest import (Answer, Suite, UA, ok, done, message_auth,
                     stop_process)
from stats_lib import count_requests, http

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
if not os.access(PROMETHEUS, os.X_OK):
    print("1..0 # SKIP prometheus is not installed (scripts/install-deps)")
    sys.exit(0)

PORT, MPORT, PROM = 27720, 27729, 27728
D = "site1.test"
N = 4
s = Suite(D, PORT, ["metrics listen on 127.0.0.1 port %d" % MPORT])
ok(s.start(), "the suite starts with metrics listen")
for i in range(N):
    s.add_user("u%d@%s" % (i, D), "u%dpw" % i)
s.add_user("bob@%s" % D, "bobpw")
srv = ("127.0.0.1", PORT)
sent, heard = count_requests(UA)

# The load, before Prometheus starts: its first scrape must see it all.
bob = UA(srv)
bob.register("bob", D, "bobpw")
for i in range(N - 1):
    UA(srv).register("u%d" % i, D, "u%dpw" % i)
ok(UA(srv).register("u%d" % (N - 1), D, "nope")["status"] in (401, 403),
   "one REGISTER with a wrong password is refused")
delivered = 0
for i in range(N):
    a = Answer(bob)
    r = message_auth(UA(srv), "u0", D, "u0pw", "sip:bob@%s" % D, b"m%d" % i)
    delivered += a.request() is not None and r["status"] == 200
ok(delivered == N, "%d MESSAGEs delivered" % delivered)
ok(sent["REGISTER"] == 2 * (N + 1) and sent["MESSAGE"] == 2 * N,
   "the test sent %d REGISTERs and %d MESSAGEs" % (sent["REGISTER"],
                                                   sent["MESSAGE"]))

body = http(MPORT, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
head, _, text = body.partition(b"\r\n\r\n")
ok(head.startswith(b"HTTP/1.1 200") and b"version=0.0.4" in head,
   "metricsd answers GET /metrics: 200, text format 0.0.4")
lint = subprocess.run([PROMTOOL, "check", "metrics"], input=text,
                      capture_output=True)
ok(lint.returncode == 0 and lint.stdout.strip() == b"" and
   lint.stderr.strip() == b"",
   "promtool check metrics finds nothing to say%s" %
   (": " + (lint.stdout + lint.stderr).decode()[:300]
    if lint.returncode or lint.stdout.strip() or lint.stderr.strip()
    else ""))

tmp = tempfile.mkdtemp(prefix="imd-prom.")
with open(os.path.join(tmp, "prometheus.yml"), "w") as f:
    f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
            "scrape_configs:\n  - job_name: imd\n    static_configs:\n"
            "      - targets: ['127.0.0.1:%d']\n" % MPORT)
log = open(os.path.join(tmp, "prometheus.log"), "w")
prom = subprocess.Popen([PROMETHEUS,
                         "--config.file=%s/prometheus.yml" % tmp,
                         "--storage.tsdb.path=%s/data" % tmp,
                         "--web.listen-address=127.0.0.1:%d" % PROM,
                         "--log.level=warn"], stdout=log, stderr=log)


def stop():
    stop_process(prom, 10)
    shutil.rmtree(tmp, ignore_errors=True)


import atexit
atexit.register(stop)


def query(expr):
    """The value of an instant query, or None."""
    url = "http://127.0.0.1:%d/api/v1/query?%s" % (
        PROM, urllib.parse.urlencode({"query": expr}))
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            res = json.load(r)["data"]["result"]
    except (OSError, ValueError, KeyError):
        return None
    return float(res[0]["value"][1]) if len(res) == 1 else None


deadline = time.time() + 45
while time.time() < deadline and query('up{job="imd"}') != 1:
    time.sleep(0.5)
ok(query('up{job="imd"}') == 1, "Prometheus scrapes metricsd: up is 1")

want = {
    'imd_sip_requests_total{method="MESSAGE"}': sent["MESSAGE"],
    'imd_sip_requests_total{method="REGISTER"}': sent["REGISTER"],
    'imd_sip_responses_total{class="2xx"}': heard["2xx"],
    'imd_sip_responses_total{class="4xx"}': heard["4xx"],
    'imd_auth_failures_total': 1,
    'imd_registrar_bindings': N,
}
for expr, value in want.items():
    got = query(expr)
    while got != value and time.time() < deadline:
        time.sleep(0.5)
        got = query(expr)
    ok(got == value, "Prometheus: %s = %s, the load says %d" %
       (expr, got, value))
got = query('imd_process_resident_memory_bytes{process="listener"}')
ok(got is not None and got > 1024 * 1024,
   "Prometheus has the listener's memory: %s bytes" % got)
# Each scrape sees those before it: the test's own, then Prometheus's.
expr = 'imd_metrics_scrapes_total{outcome="served"}'
got = query(expr)
while (got is None or got < 3) and time.time() < deadline:
    time.sleep(0.5)
    got = query(expr)
ok(got is not None and got >= 3, "metricsd counted the scrapes: %s" % got)
ok(query('count({__name__=~"imd_.*"})') > 40, "every series is there")
stop()
ok(s.alive(), "the suite is still up")
done()
