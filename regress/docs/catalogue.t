#!/bin/sh
# Every message type of the catalogue, each IMSG_ name in lib/imd_msg.h,
# is mentioned in docs/ARCHITECTURE.md, as a whole word: IMSG_DB_HA1 is
# not found inside IMSG_DB_HA1_GET.  IMD_MSG_VERSION is checked too, so
# that the document says which version of the catalogue it describes.
# lib/imd_msg.c names every type for imsg_type_name(), one line each,
# in the order of the enum, each line's string its own index's name.

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

names="$top/lib/imd_msg.c"
table=$(sed -n 's/^[[:space:]]*\[\(IMSG_[A-Z0-9_]*\)\] = "\(IMSG_[A-Z0-9_]*\)",$/\1 \2/p' \
    "$names")
bad=$(echo "$table" | awk '$1 != $2')
[ -z "$bad" ]
ok $? "each name in lib/imd_msg.c is the name of its index${bad:+: $bad}"
want=$(echo "$types" | tr ' ' '\n' | grep -v '^IMSG_TYPE_MAX$' | grep -v '^$')
have=$(echo "$table" | awk '{ print $1 }')
[ -n "$have" ] && [ "$want" = "$have" ]
ok $? "lib/imd_msg.c names every message type, in the order of the enum"

v=$(sed -n 's/^#define IMD_MSG_VERSION[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$hdr")
grep -q "catalogue version $v\b" "$doc"
ok $? "docs/ARCHITECTURE.md names catalogue version $v"

echo "1..$n"
exit $fail
