#!/bin/sh
#
# A short libFuzzer run of the WebSocket frame reader and the HTTP
# request head parser (fuzz_ws.c) from the seeds in corpus/.  `make
# fuzz-ws` runs the same for FUZZ_TIME seconds (an hour: FUZZ_TIME=3600).

if [ -z "$IMD_BUILD" ] || [ -z "$IMD_TOP" ]; then
	echo "1..0 # SKIP IMD_BUILD or IMD_TOP is not set: run under make check"
	exit 0
fi
secs=${FUZZ_TIME:-20}
out=$IMD_BUILD/regress/web
top=$IMD_TOP
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
    -fno-sanitize-recover=all -D_GNU_SOURCE -DLIBBSD_OVERLAY \
    -isystem /usr/include/bsd -I"$top/lib" -I"$top/listener" \
    $(pkg-config --cflags libxml-2.0) \
    -o "$out/fuzz_ws" "$top/regress/web/fuzz_ws.c" \
    "$top/listener/ws_frame.c" "$top/listener/http.c" "$top/lib/log.c" \
    -lwslay -lbsd > "$out/fuzz-build.log" 2>&1; then
	echo "ok 1 - fuzz_ws builds"
else
	echo "not ok 1 - fuzz_ws builds"
	sed 's/^/# /' "$out/fuzz-build.log"
	echo "not ok 2 - fuzz_ws runs for $secs s # not built"
	exit 1
fi

# The first corpus directory is the one libFuzzer writes to.
if "$out/fuzz_ws" -max_total_time="$secs" -max_len=8192 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$out/" "$out/fuzz-corpus" \
    "$top/regress/web/corpus" > "$out/fuzz.log" 2>&1; then
	echo "ok 2 - fuzz_ws runs for $secs s"
	grep -aE '^(#[0-9]+ +DONE|Done)' "$out/fuzz.log" | sed 's/^/# /'
else
	echo "not ok 2 - fuzz_ws runs for $secs s"
	tail -n 40 "$out/fuzz.log" | sed 's/^/# /'
	exit 1
fi
