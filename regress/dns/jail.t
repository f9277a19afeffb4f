#!/bin/sh
#
# relayd/dns.c set up before the jail and used inside it: chrooted to
# an empty directory (when run as root) under relayd's seccomp filter,
# it still resolves over UDP and over TCP.  A system call the filter
# lacks kills jail_test, which fails the test.  A port of its own, so
# that it may run beside dns.t.

. "$(dirname "$0")/dnsmasq.sh"
PORT=25354

dnsmasq_start $PORT
mkdir "$T/empty" || exit 1
"$IMD_BUILD/regress/dns/jail_test" $PORT "$T/empty"
exit $?
