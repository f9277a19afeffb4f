#!/bin/sh
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
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
#
# As root: what the installed sysusers.d and tmpfiles.d files make is
# enough for the installed imd.  Install under a temporary PREFIX; let
# systemd-sysusers make _imd (nothing to do when it exists) and
# systemd-tmpfiles make the directories under a temporary root, with the
# host's passwd and group copied in so that _imd has the same uid there;
# start the installed imd with the database and chroot in that root; each
# child runs as _imd, jailed where relayd.conf(5) says.

. "$IMD_TOP/regress/lib/suite.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root: makes the user _imd and jails the children"
	exit 0
fi

P="$T/prefix"
make -s -C "$IMD_TOP" install BUILD="$IMD_BUILD" PREFIX="$P" \
    ETCDIR="$T/etc" > "$T/install.log" 2>&1
ok $? "make install under a temporary PREFIX"

systemd-sysusers "$P/lib/sysusers.d/imd.conf" > "$T/sysusers.log" 2>&1
ok $? "systemd-sysusers with the installed file"
uid=$(id -u _imd) && gid=$(id -g _imd) && [ "$uid" -lt 1000 ]
ok $? "_imd is a system user"

R="$T/root"
mkdir -p "$R/etc"
cp /etc/passwd /etc/group "$R/etc/"
systemd-tmpfiles --root="$R" --create "$P/lib/tmpfiles.d/imd.conf" \
    > "$T/tmpfiles.log" 2>&1
ok $? "systemd-tmpfiles with the installed file, under a temporary root"

# has_owner_mode PATH UID GID MODE
has_owner_mode() {
	[ "$(stat -c '%u %g %a' "$1")" = "$2 $3 $4" ]
}
has_owner_mode "$R/var/empty" 0 0 755
ok $? "/var/empty: root, 0755"
has_owner_mode "$R/var/db/imd" 0 0 755
ok $? "/var/db/imd: root, 0755 (dirdb's jail)"
has_owner_mode "$R/var/db/imd/env" "$uid" "$gid" 700
ok $? "/var/db/imd/env: _imd, 0700"

IMD="$P/sbin/imd"
IMCTL="$P/bin/imctl"
cat > "$T/relayd.conf" <<CONF
domain "site1.test"
listen on 127.0.0.1 port 25901
database "$R/var/db/imd"
chroot "$R/var/empty"
control socket "$T/imd.sock"
user "_imd"
CONF
start_suite "$T/relayd.conf"
ok $? "the installed imd starts as root"

for c in listener relayd authd dirdb metricsd xmppd; do
	pid=$(child_pid "$IMD_PID" "$c")
	[ -n "$pid" ] || { ok 1 "$c runs"; continue; }
	jail="$R/var/empty"
	[ "$c" = dirdb ] && jail="$R/var/db/imd"
	u=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' /proc/$pid/status)
	[ "$u" = "$uid $uid $uid $uid" ]
	ok $? "$c: every uid is _imd's"
	g=$(awk '/^Gid:/ { print $2, $3, $4, $5 }' /proc/$pid/status)
	[ "$g" = "$gid $gid $gid $gid" ]
	ok $? "$c: every gid is _imd's"
	g=$(awk '/^Groups:/ { print $2, $3 }' /proc/$pid/status)
	[ "$g" = "$gid " ]
	ok $? "$c: the only supplementary group is _imd's"
	[ "$(readlink /proc/$pid/root)" = "$jail" ]
	ok $? "$c: root directory is $jail"
done

echo pw | "$IMCTL" -s "$T/imd.sock" user add a@site1.test
ok $? "dirdb writes the database as _imd"

kids=$(suite_children "$IMD_PID" | awk '{ print $1 }')
kill -TERM "$IMD_PID"
wait "$IMD_PID"
ok $? "stopped by pid: exit 0"
left=0
for p in $kids; do wait_gone "$p" 1 || left=1; done
ok $left "no child left"

done_testing
