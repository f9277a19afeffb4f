#!/usr/bin/env python3
# imctl show stats against a known load: every request the test sends is
# counted by method, every answer it hears by class, and the numbers must
# be those exactly; one failed authentication; the bindings, the
# subscription, the TCP connection open then closed, a MESSAGE relayed
# to a domain relayd cannot reach; each process's CPU and memory.  The gauges kept with +1/-1 never wrap below zero.

import os, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/stats"))
from imdtest import (Answer, Collector, Suite, UA, auth_request, ok, done,
                     message_auth)
from stats_lib import count_requests, poll, show_stats

PORT = 27700
D = "site1.test"
N_USERS, N_MESSAGES = 3, 5
s = Suite(D, PORT)
ok(s.start(), "the suite starts")
rc, st, text = show_stats(s)
ok(rc == 0 and st.get('imd_sip_requests_total{method="REGISTER"}') == 0,
   "show stats answers, nothing counted yet")
for u in ["u%d" % i for i in range(N_USERS)] + ["bob", "alice"]:
    s.add_user("%s@%s" % (u, D), u + "pw")
srv = ("127.0.0.1", PORT)
sent, heard = count_requests(UA)

for i in range(N_USERS):
    ok(UA(srv).register("u%d" % i, D, "u%dpw" % i)["status"] == 200,
       "u%d registers" % i)
bob = UA(srv)
ok(bob.register("bob", D, "bobpw")["status"] == 200, "bob registers")
ok(UA(srv).register("u0", D, "wrong")["status"] in (401, 403),
   "a wrong password is refused")
for i in range(N_MESSAGES):
    a = Answer(bob)
    r = message_auth(UA(srv), "u1", D, "u1pw", "sip:bob@%s" % D, b"hi")
    a.request()
    ok(r["status"] == 200, "MESSAGE %d reaches bob" % i)
UA(srv).send_raw(b"not SIP at all\r\n\r\n")	# read, refused, unanswered
ok(UA(srv).request("OPTIONS", "sip:%s" % D, "sip:x@%s" % D,
                   "sip:%s" % D)["status"] == 200, "OPTIONS: 200")
ok(UA(srv).request("FOO", "sip:%s" % D, "sip:x@%s" % D,
                   "sip:%s" % D)["status"] == 405, "FOO: 405")
col = Collector()
r = auth_request(UA(srv), "SUBSCRIBE", "sip:alice@%s" % D, "bob", D, "bobpw",
                 extra=["Event: presence", "Expires: 60",
                        "Contact: %s" % col.contact("bob")])
ok(r["status"] == 200, "bob subscribes to alice's presence")
r = message_auth(UA(srv), "u1", D, "u1pw", "sip:x@far.test", b"far")
ok(r["status"] in (404, 503), "a MESSAGE to far.test, which has no route "
   "and no DNS here: %d" % r["status"])
tcp = UA(srv, transport="tcp")
ok(tcp.register("u2", D, "u2pw")["status"] == 200, "u2 registers over TCP")

rc, st, text = show_stats(s)
ok(rc == 0, "show stats exits 0")
for m in ("REGISTER", "MESSAGE", "OPTIONS", "SUBSCRIBE"):
    got = st.get('imd_sip_requests_total{method="%s"}' % m)
    ok(got == sent[m], "%s requests: %s counted, %d sent" % (m, got, sent[m]))
got = st.get('imd_sip_requests_total{method="other"}')
ok(got == sent["FOO"] == 1, "an unknown method counts as other (%s)" % got)
for c in ("2xx", "4xx", "5xx"):
    got = st.get('imd_sip_responses_total{class="%s"}' % c)
    ok(got == heard[c], "%s responses: %s counted, %d heard" %
       (c, got, heard[c]))
# What imd read: the test's requests, bob's answers to the MESSAGEs and
# the collector's to the first NOTIFY, and the datagram that is not SIP.
want = sum(sent.values()) + N_MESSAGES + 1 + 1
ok(st.get("imd_sip_messages_received_total") == want,
   "SIP messages read: %s, %d sent to imd" % (
       st.get("imd_sip_messages_received_total"), want))
ok(st.get('imd_sip_messages_rejected_total{reason="unparsable"}') == 1,
   "the datagram that is not SIP is counted as unparsable")
ok(st.get("imd_auth_failures_total") == 1,
   "one failed authentication (%s)" % st.get("imd_auth_failures_total"))
ok(st.get("imd_presence_subscriptions") == 1, "one subscription held")
ok(st.get('imd_relayed_requests_total{outcome="unreachable"}') == 1 and
   st.get('imd_relayed_requests_total{outcome="answered_2xx"}') == 0,
   "one relayed request, its next hop unreachable")
ok(st.get('imd_connections{transport="tcp"}') == 1 and
   st.get('imd_connections_accepted_total{transport="tcp"}') == 1,
   "one TCP connection open, one accepted")
ok(0 <= st.get("imd_sip_transactions", -1) < 1000,
   "transactions in progress: %s" % st.get("imd_sip_transactions"))


def bindings():
    return show_stats(s)[1].get("imd_registrar_bindings")


# N users and bob, u2 a second time over TCP: dirdb counts every 10 s.
got = poll(bindings, N_USERS + 2)
ok(got == N_USERS + 2, "bindings in the database: %s" % got)
for p in ("parent", "listener", "relayd", "authd", "dirdb", "metricsd"):
    mem = st.get('imd_process_resident_memory_bytes{process="%s"}' % p, 0)
    cpu = st.get('imd_process_cpu_seconds_total{process="%s"}' % p, -1)
    ok(mem > 1024 * 1024 and cpu >= 0,
       "%s: %.1f MB resident, %.2f s CPU" % (p, mem / 1048576.0, cpu))
tcp.s.close()
got = poll(lambda: show_stats(s)[1].get('imd_connections{transport="tcp"}'),
           0)
ok(got == 0, "the TCP connection closed: none open (%s)" % got)
ok(all(v < 2 ** 62 for v in show_stats(s)[1].values()),
   "no number wrapped below zero")
ok(s.alive(), "the suite is still up")
done()
