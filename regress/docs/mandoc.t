#!/bin/sh
# Every manual page is clean under mandoc -Tlint.

cd "$IMD_TOP/docs" || exit 1
n=0
for page in *.[1-8]; do
	n=$((n + 1))
	out=$(mandoc -Tlint -W warning "$page" 2>&1)
	if [ -z "$out" ]; then
		echo "ok $n - $page"
	else
		echo "not ok $n - $page"
		echo "$out" | sed 's/^/# /'
	fi
done
echo "1..$n"
