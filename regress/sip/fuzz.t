#!/bin/sh
#
# A short libFuzzer run of the SIP parser and printer (fuzz_sip.c) from
# the seed corpus and the RFC 4475 messages.  `make fuzz-sip` runs the
# same for FUZZ_TIME seconds by setting SIP_FUZZ_TIME.

if [ -z "$IMD_BUILD" ] || [ -z "$IMD_TOP" ]; then
	echo "1..0 # SKIP IMD_BUILD or IMD_TOP is not set: run under make check"
	exit 0
fi
secs=${SIP_FUZZ_TIME:-20}
out=$IMD_BUILD/regress/sip
src=$IMD_TOP/lib
mkdir -p "$out/fuzz-corpus" || exit 1

probe=$out/fuzz-probe
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n%s\n' \
    '{ return 0; }' > "$probe.c"
if ! clang -fsanitize=fuzzer,address,undefined -o "$probe" "$probe.c" \
    >/dev/null 2>&1; then
	echo "1..0 # SKIP clang libFuzzer missing"
	exit 0
fi

echo "1..2"
if clang -g -O1 -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=all -D_GNU_SOURCE -I"$src" \
    -o "$out/fuzz_sip" "$IMD_TOP/regress/sip/fuzz_sip.c" \
    "$src/sip_str.c" "$src/sip_parse.c" "$src/sip_uri.c" \
    "$src/sip_hdr.c" "$src/sip_print.c" > "$out/fuzz-build.log" 2>&1; then
	echo "ok 1 - fuzz_sip builds"
else
	echo "not ok 1 - fuzz_sip builds"
	sed 's/^/# /' "$out/fuzz-build.log"
	echo "not ok 2 - fuzz_sip runs for $secs s # not built"
	exit 1
fi

seeds="$IMD_TOP/regress/sip/corpus"
seeds="$seeds $IMD_TOP/regress/sip/rfc4475"
# The first corpus directory is the one libFuzzer writes to.
if "$out/fuzz_sip" -max_total_time="$secs" -max_len=4096 -timeout=10 \
    -rss_limit_mb=2048 -dict="$IMD_TOP/regress/sip/sip.dict" \
    -artifact_prefix="$out/" "$out/fuzz-corpus" $seeds \
    > "$out/fuzz.log" 2>&1; then
	echo "ok 2 - fuzz_sip runs for $secs s"
	grep -aE '^(#[0-9]+ +DONE|Done)' "$out/fuzz.log" | sed 's/^/# /'
else
	echo "not ok 2 - fuzz_sip runs for $secs s"
	tail -n 40 "$out/fuzz.log" | sed 's/^/# /'
	exit 1
fi
