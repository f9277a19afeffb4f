#!/bin/sh
# make install into a DESTDIR: the installed imd finds its children in
# ../libexec/imd, starts, and the installed imctl manages a user; the
# systemd unit, sysusers.d and tmpfiles.d files are installed with the
# paths substituted; make uninstall removes exactly what was installed,
# and leaves a configuration the site changed.

. "$IMD_TOP/regress/lib/suite.sh"

D="$T/dest"
make -s -C "$IMD_TOP" install BUILD="$IMD_BUILD" DESTDIR="$D" \
    PREFIX=/usr/local ETCDIR=/etc/imd > "$T/install.log" 2>&1
ok $? "make install into a DESTDIR"
for f in usr/local/sbin/imd usr/local/bin/imctl usr/local/bin/imc \
    usr/local/libexec/imd/listener usr/local/libexec/imd/relayd \
    usr/local/libexec/imd/authd usr/local/libexec/imd/dirdb \
    usr/local/share/man/man8/imd.8 usr/local/share/man/man8/imctl.8 \
    usr/local/share/man/man8/relayd.8 usr/local/share/man/man8/authd.8 \
    usr/local/share/man/man8/dirdb.8 usr/local/share/man/man8/listener.8 \
    usr/local/share/man/man1/imc.1 usr/local/share/man/man5/relayd.conf.5 \
    usr/local/share/imd/web/index.html usr/local/share/imd/web/app.js \
    usr/local/share/imd/web/style.css etc/imd/relayd.conf \
    usr/local/lib/systemd/system/imd.service \
    usr/local/lib/sysusers.d/imd.conf usr/local/lib/tmpfiles.d/imd.conf; do
	[ -f "$D/$f" ]
	ok $? "installed $f"
done
"$D/usr/local/sbin/imd" -n -f "$D/etc/imd/relayd.conf" >/dev/null 2>&1 ||
    [ "$(id -u)" -eq 0 ]
ok $? "the sample configuration parses (or names a user to create)"

unit="$D/usr/local/lib/systemd/system/imd.service"
! grep -q @ "$unit"
ok $? "the unit has every @VARIABLE@ substituted"
grep -qx 'ExecStart=/usr/local/sbin/imd -d -f /etc/imd/relayd.conf' "$unit"
ok $? "the unit starts the installed imd with the installed configuration"
grep -q '^u _imd ' "$D/usr/local/lib/sysusers.d/imd.conf"
ok $? "sysusers.d creates _imd"

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

kill -TERM "$IMD_PID"
wait "$IMD_PID"
ok $? "the installed suite stops cleanly"

# Other places for everything, as a package would choose them.
E="$T/dest2"
make -s -C "$IMD_TOP" install BUILD="$IMD_BUILD" DESTDIR="$E" PREFIX=/usr \
    ETCDIR=/etc/imd2 SYSTEMDDIR=/lib/systemd/system \
    SYSUSERSDIR=/usr/share/sysusers.d TMPFILESDIR=/usr/share/tmpfiles.d \
    > "$T/install2.log" 2>&1 &&
    [ -f "$E/lib/systemd/system/imd.service" ] &&
    [ -f "$E/usr/share/sysusers.d/imd.conf" ] &&
    [ -f "$E/usr/share/tmpfiles.d/imd.conf" ]
ok $? "SYSTEMDDIR, SYSUSERSDIR and TMPFILESDIR choose the places"
grep -qx 'ExecStart=/usr/sbin/imd -d -f /etc/imd2/relayd.conf' \
    "$E/lib/systemd/system/imd.service"
ok $? "the unit names PREFIX's imd and ETCDIR's configuration"

# uninstall: every file goes, the site's own files stay.
touch "$D/usr/local/libexec/imd/site-file"
make -s -C "$IMD_TOP" uninstall BUILD="$IMD_BUILD" DESTDIR="$D" \
    PREFIX=/usr/local ETCDIR=/etc/imd > "$T/uninstall.log" 2>&1
ok $? "make uninstall"
[ "$(cd "$D" && find . -type f)" = "./usr/local/libexec/imd/site-file" ]
ok $? "uninstall removes every installed file and only those"
rm "$D/usr/local/libexec/imd/site-file"
make -s -C "$IMD_TOP" uninstall BUILD="$IMD_BUILD" DESTDIR="$D" \
    PREFIX=/usr/local ETCDIR=/etc/imd > "$T/uninstall.log" 2>&1
ok $? "make uninstall again: nothing to do is no error"
[ ! -e "$D/usr/local/libexec/imd" ] && [ ! -e "$D/etc/imd" ] &&
    [ ! -e "$D/usr/local/share/imd" ]
ok $? "the directories of imd's own go when empty"

make -s -C "$IMD_TOP" install BUILD="$IMD_BUILD" DESTDIR="$D" \
    PREFIX=/usr/local ETCDIR=/etc/imd > "$T/install.log" 2>&1
echo 'domain example.net' >> "$D/etc/imd/relayd.conf"
make -s -C "$IMD_TOP" uninstall BUILD="$IMD_BUILD" DESTDIR="$D" \
    PREFIX=/usr/local ETCDIR=/etc/imd > "$T/uninstall.log" 2>&1
[ "$(cd "$D" && find . -type f)" = "./etc/imd/relayd.conf" ]
ok $? "uninstall leaves a changed configuration, and nothing else"

done_testing
