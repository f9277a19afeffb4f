#!/bin/sh
#
# RFC 3263 resolution of relayd/dns.c against a real dnsmasq on
# 127.0.0.1 port 25353: SRV order, TLS, the A fallback, negative
# answers, TCP after truncation, weights, the cache and its TTL, shared
# lookups, a mute resolver and a closed port.  dns_test speaks TAP.

. "$(dirname "$0")/dnsmasq.sh"
PORT=25353

dnsmasq_start $PORT
"$IMD_BUILD/regress/dns/dns_test" $PORT "$T/dnsmasq.log"
exit $?
