#!/bin/sh
# Every message type of the catalogue, each IMSG_ name in lib/imd_msg.h,
# is mentioned in docs/ARCHITECTURE.md, as a whole word: IMSG_DB_HA1 is
# not found inside IMSG_DB_HA1_GET.  IMD_MSG_VERSION is checked too, so
# that the document says which version of the catalogue it describes.

top=${IMD_TOP:-.}
hdr="$top/lib/imd_msg.h"
doc="$top/docs/ARCHITECTURE.md"
n=0
fail=0

ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fail=1
	fi
}

# The names of the enum, in the order they are declared.
types=$(sed -n '/^enum imsg_type {/,/^};/p' "$hdr" |
    grep -o '^[[:space:]]*IMSG_[A-Z0-9_]*' | sed 's/^[[:space:]]*//' | tr '\n' ' ')
[ -n "$types" ]
ok $? "the catalogue of lib/imd_msg.h is found"
[ -f "$doc" ]
ok $? "docs/ARCHITECTURE.md exists"

for t in $types; do
	grep -q -E "(^|[^A-Z0-9_])$t([^A-Z0-9_]|\$)" "$doc"
	ok $? "$t is in docs/ARCHITECTURE.md"
done

v=$(sed -n 's/^#define IMD_MSG_VERSION[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$hdr")
grep -q "catalogue version $v\b" "$doc"
ok $? "docs/ARCHITECTURE.md names catalogue version $v"

echo "1..$n"
exit $fail
