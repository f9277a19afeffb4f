#!/bin/sh
# sipp, as a third-party client, registers 1,000 distinct users with
# digest authentication: no call may fail, and every user has a binding.

. "$IMD_TOP/regress/lib/suite.sh"

command -v sipp >/dev/null || { echo "1..0 # SKIP sipp missing"; exit 0; }

PORT=25340
N=${N:-1000}
# sipp answers the first challenge only, and knows MD5: the default
# configuration (no auth algorithms line) must let it in.
write_conf "$T/relayd.conf" site1.test 127.0.0.1 $PORT
start_suite "$T/relayd.conf"
ok $? "the suite starts"

echo SEQUENTIAL > "$T/users.csv"
i=0
while [ $i -lt $N ]; do
	echo "pw$i" | "$IMCTL" -s "$T/imd.sock" user add "u$i@site1.test" ||
	    break
	echo "u$i;pw$i;site1.test" >> "$T/users.csv"
	i=$((i + 1))
done
[ $i -eq $N ]
ok $? "$N users added"

timeout 120 sipp 127.0.0.1:$PORT \
    -sf "$IMD_TOP/regress/registrar/register.xml" -inf "$T/users.csv" \
    -m $N -r 200 -l 100 -i 127.0.0.1 -p 25341 -nostdin \
    -trace_stat -stf "$T/stat.csv" > "$T/sipp.out" 2>&1
ok $? "sipp exits 0: every call succeeded"
col() {	# the last value of the named column of sipp's statistics
	awk -F';' -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++)
	    if ($i == name) c = i } END { print $c }' "$T/stat.csv"
}
succ=$(col SuccessfulCall\(C\))
fail=$(col FailedCall\(C\))
[ "$succ" = "$N" ]
ok $? "$N registrations succeeded ($succ)"
[ "$fail" = 0 ]
ok $? "none failed ($fail)"
b=$("$IMCTL" -s "$T/imd.sock" show bindings | wc -l)
[ "$b" -eq $N ]
ok $? "$N bindings in the directory ($b)"

done_testing
