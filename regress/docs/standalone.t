#!/bin/sh
# The repository stands alone: no test, benchmark or script names a path
# above the top of the tree (a folder beside the checkout), so that a fresh
# clone in an empty directory passes `make check` and starts `make bench`
# with nothing beside it.  Each file is checked for a path that climbs
# out of the top of the tree ($IMD_TOP/.., $TOP/..) and
# for absolute paths of a workspace.

cd "$IMD_TOP" || exit 1
n=0
fail=0
for f in $(git ls-files regress bench scripts GNUmakefile .ci 2>/dev/null ||
    find regress bench scripts GNUmakefile .ci -type f); do
	[ -f "$f" ] || continue
	case $f in
	regress/docs/standalone.t | regress/sip/rfc4475/* | */corpus/* | \
	    *-corpus/*) continue ;;
	esac
	hits=$(grep -nE '(IMD_TOP|[^A-Z_]TOP)[})"]*/\.\.|/work/' \
	    "$f" 2>/dev/null |
	    grep -vE '^[0-9]+:[[:space:]]*#' | head -3)
	n=$((n + 1))
	if [ -z "$hits" ]; then
		echo "ok $n - $f stays inside the tree"
	else
		fail=1
		echo "not ok $n - $f names a path outside the tree"
		echo "$hits" | sed 's/^/#   /'
	fi
done
echo "1..$n"
exit $fail
