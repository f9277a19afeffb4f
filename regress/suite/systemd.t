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
# systemd-analyze verify is clean on the installed unit.  The unit names
# /usr/local/sbin/imd, which exists only inside the DESTDIR, and verify
# checks that every command is executable; --root= would want a whole
# systemd tree inside the DESTDIR.  So the copy that is verified has the
# DESTDIR put in front of its absolute paths, and nothing else changed;
# MANPATH lets verify find the installed pages Documentation= names.
# scripts/install-deps installs systemd, so a missing tool is a failure.

. "$IMD_TOP/regress/lib/suite.sh"

D="$T/dest"
make -s -C "$IMD_TOP" install BUILD="$IMD_BUILD" DESTDIR="$D" \
    PREFIX=/usr/local ETCDIR=/etc/imd > "$T/install.log" 2>&1
ok $? "make install into a DESTDIR"

command -v systemd-analyze > /dev/null
ok $? "systemd-analyze is installed (scripts/install-deps: systemd)"

unit="$D/usr/local/lib/systemd/system/imd.service"
mkdir -p "$T/verify"
sed -e "s|^\(Exec[A-Za-z]*=-*\)/usr/local/|\1$D/usr/local/|" \
    -e "s| -f /etc/imd/| -f $D/etc/imd/|" "$unit" > "$T/verify/imd.service"
[ "$(grep -c "$D" "$T/verify/imd.service")" -eq 3 ]
ok $? "the copy to verify runs the DESTDIR's imd"

MANPATH="$D/usr/local/share/man" systemd-analyze verify \
    "$T/verify/imd.service" > "$T/verify.out" 2>&1
r=$?
sed 's/^/# /' "$T/verify.out"
[ $r -eq 0 ] && [ ! -s "$T/verify.out" ]
ok $? "systemd-analyze verify: exit 0, nothing said"

# The check has teeth: a unit whose program is missing fails it.
sed "s|/sbin/imd |/sbin/imd-missing |" "$T/verify/imd.service" \
    > "$T/verify/imd-broken.service"
MANPATH="$D/usr/local/share/man" systemd-analyze verify \
    "$T/verify/imd-broken.service" > "$T/broken.out" 2>&1
[ $? -ne 0 ] && grep -q "imd-missing" "$T/broken.out"
ok $? "a unit whose program is missing fails verify"

grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$unit"
ok $? "systemctl reload sends SIGHUP to the parent"
grep -q '^Restart=on-failure$' "$unit"
ok $? "Restart=on-failure"
! grep -q '^User=' "$unit"
ok $? "runs as root: imd drops privileges itself"

done_testing
