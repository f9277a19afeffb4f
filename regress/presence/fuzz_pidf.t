#!/bin/sh
#
# A short libFuzzer run of the presence documents (fuzz_pidf.c) from
# the PIDF seeds; `make fuzz-pidf` runs it for FUZZ_TIME seconds.

fuzz_dir=$IMD_BUILD/regress/presence
FUZZ_CFLAGS="-I$IMD_TOP/listener $(pkg-config --cflags libxml-2.0 \
    2>/dev/null || xml2-config --cflags)"
FUZZ_LIBS=$(pkg-config --libs libxml-2.0 2>/dev/null || xml2-config --libs)
. "${IMD_TOP:-.}/regress/lib/fuzz.sh"

fuzz_build fuzz_pidf regress/presence/fuzz_pidf.c lib/pidf.c \
    listener/winfo.c lib/xml.c
fuzz_run fuzz_pidf "$IMD_TOP/regress/presence/corpus" \
    "$IMD_TOP/regress/presence/pidf.dict"
