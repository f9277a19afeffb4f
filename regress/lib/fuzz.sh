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
# Shell helpers for a libFuzzer harness as a TAP test of two points.
# Source it with fuzz_dir set to the output directory, then
#	fuzz_build <name> <source>...
#	fuzz_run <name> <seed directory> [<dictionary>]
# The run replays the seeds (crashes found before among them) and fuzzes
# for FUZZ_TIME seconds, 3 unless set; `make fuzz` sets it for a long run.

if [ -z "$IMD_BUILD" ] || [ -z "$IMD_TOP" ]; then
	echo "1..0 # SKIP IMD_BUILD or IMD_TOP is not set: run under make check"
	exit 0
fi
fuzz_secs=${FUZZ_TIME:-3}
mkdir -p "$fuzz_dir" || exit 1

fuzz_probe=$fuzz_dir/fuzz-probe
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n%s\n' \
    '{ return 0; }' > "$fuzz_probe.c"
if ! clang -fsanitize=fuzzer,address,undefined -o "$fuzz_probe" \
    "$fuzz_probe.c" >/dev/null 2>&1; then
	echo "1..0 # SKIP clang libFuzzer missing"
	exit 0
fi
echo "1..2"

# Sources name files under $IMD_TOP, or absolute paths.
fuzz_build() {
	fb_name=$1
	shift
	fb_srcs=
	for fb_s in "$@"; do
		case $fb_s in
		/*)	fb_srcs="$fb_srcs $fb_s" ;;
		*)	fb_srcs="$fb_srcs $IMD_TOP/$fb_s" ;;
		esac
	done
	# shellcheck disable=SC2086
	if clang -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -D_GNU_SOURCE -DLIBBSD_OVERLAY \
	    -DLIBBSD_OPENBSD_VIS -isystem /usr/include/bsd \
	    -I"$IMD_TOP/lib" -I"$IMD_TOP/imd" $FUZZ_CFLAGS \
	    -o "$fuzz_dir/$fb_name" $fb_srcs -lbsd $FUZZ_LIBS \
	    > "$fuzz_dir/$fb_name-build.log" 2>&1; then
		echo "ok 1 - $fb_name builds"
		return 0
	fi
	echo "not ok 1 - $fb_name builds"
	sed 's/^/# /' "$fuzz_dir/$fb_name-build.log"
	echo "not ok 2 - $fb_name runs for $fuzz_secs s # not built"
	exit 1
}

# The first corpus directory is the one libFuzzer writes to.
fuzz_run() {
	fr_name=$1
	fr_dict=
	[ -n "$3" ] && fr_dict=-dict=$3
	mkdir -p "$fuzz_dir/$fr_name-corpus" || exit 1
	# shellcheck disable=SC2086
	if "$fuzz_dir/$fr_name" -max_total_time="$fuzz_secs" -max_len=4096 \
	    -timeout=10 -rss_limit_mb=2048 $fr_dict \
	    -artifact_prefix="$fuzz_dir/$fr_name-" \
	    "$fuzz_dir/$fr_name-corpus" "$2" \
	    < /dev/null > "$fuzz_dir/$fr_name.log" 2>&1; then
		echo "ok 2 - $fr_name runs for $fuzz_secs s"
		grep -aE '^(#[0-9]+ +DONE|Done)' "$fuzz_dir/$fr_name.log" |
		    sed 's/^/# /'
		return 0
	fi
	echo "not ok 2 - $fr_name runs for $fuzz_secs s"
	tail -n 40 "$fuzz_dir/$fr_name.log" | sed 's/^/# /'
	exit 1
}
