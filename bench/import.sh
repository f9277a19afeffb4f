#!/bin/bash
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
# Provisioning: NUSERS users (u0..) imported into an empty imd with
# imctl user import, in both forms of the file, timed.
#
#	NUSERS=1000000 bench/import.sh
#
# Writes bench/results/import.txt: users, seconds and users per second
# for the password form (imd computes two HA1s per user) and for the
# HA1 form (imd checks them), and the size of the database.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/lib.sh"
NUSERS=${NUSERS:-1000000}
IMD_PORT=${IMD_PORT:-15091}
OUT=$RES/import.txt
FILE=$RUN/import-users.txt

# the seconds, with milliseconds, that "$@" takes
seconds() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" > /dev/null || { echo "failed: $*" >&2; exit 1; }
	t1=$(date +%s%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'
}

one() {		# one FORM: import $FILE into a fresh suite, one line
	local s size
	IMD_SEED= imd_start bench.test 127.0.0.1 "$RUN/import"
	s=$(seconds "$TOP/build/bin/imctl" -s "$RUN/import/imd.sock" \
	    user import "$FILE")
	if [ "$1" = password ]; then
		"$TOP/build/bin/imctl" -s "$RUN/import/imd.sock" user export \
		    > "$RUN/import-ha1.txt"
	fi
	size=$(du -sm "$RUN/import/db" | cut -f1)
	stop_pid "$SRV_PID"
	printf "%-9s %8d %8.2f %8.0f %8d\n" "$1" "$NUSERS" "$s" \
	    "$(awk -v n="$NUSERS" -v s="$s" 'BEGIN { print n / s }')" "$size"
}

awk -v n="$NUSERS" 'BEGIN { for (i = 0; i < n; i++)
	printf "u%d@bench.test pw%d\n", i, i }' > "$FILE"
{ echo "# $(date -u +%FT%TZ) imctl user import, $NUSERS users"
  echo "form         users  seconds  users/s   db MiB"
  one password
  FILE=$RUN/import-ha1.txt
  one ha1; } > "$OUT"
cat "$OUT"
