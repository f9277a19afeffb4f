#!/bin/sh
# make install into a DESTDIR: the installed imd finds its children in
# ../libexec/imd, starts, and the installed imctl manages a user.

. "$IMD_TOP/regress/lib/suite.sh"

D="$T/dest"
make -s -C "$IMD_TOP" install BUILD="$IMD_BUILD" DESTDIR="$D" \
    PREFIX=/usr/local ETCDIR=/etc/imd > "$T/install.log" 2>&1
ok $? "make install into a DESTDIR"
for f in usr/local/sbin/imd usr/local/bin/imctl \
    usr/local/libexec/imd/listener usr/local/libexec/imd/relayd \
    usr/local/libexec/imd/authd usr/local/libexec/imd/dirdb \
    usr/local/share/man/man8/imd.8 usr/local/share/man/man8/imctl.8 \
    usr/local/share/man/man8/relayd.8 usr/local/share/man/man8/authd.8 \
    usr/local/share/man/man8/dirdb.8 \
    usr/local/share/man/man5/relayd.conf.5 etc/imd/relayd.conf; do
	[ -f "$D/$f" ]
	ok $? "installed $f"
done
"$D/usr/local/sbin/imd" -n -f "$D/etc/imd/relayd.conf" >/dev/null 2>&1 ||
    [ "$(id -u)" -eq 0 ]
ok $? "the sample configuration parses (or names a user to create)"

IMD="$D/usr/local/sbin/imd"
IMCTL="$D/usr/local/bin/imctl"
write_conf "$T/relayd.conf" site1.test 127.0.0.1 25190
start_suite "$T/relayd.conf"
ok $? "the installed suite starts"
echo pw | "$IMCTL" -s "$T/imd.sock" user add alice@site1.test
ok $? "the installed imctl adds a user"
[ "$(readlink /proc/$(child_pid "$IMD_PID" dirdb)/exe)" = \
    "$D/usr/local/libexec/imd/dirdb" ]
ok $? "the children are the installed programs"

done_testing
