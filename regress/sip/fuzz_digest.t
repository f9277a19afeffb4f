#!/bin/sh
#
# A short libFuzzer run of the Authorization and WWW-Authenticate
# parser (fuzz_digest.c) from its seeds; `make fuzz-digest` runs it for
# FUZZ_TIME seconds.

fuzz_dir=$IMD_BUILD/regress/sip
. "${IMD_TOP:-.}/regress/lib/fuzz.sh"

fuzz_build fuzz_digest regress/sip/fuzz_digest.c lib/sip_str.c \
    lib/sip_parse.c lib/sip_uri.c lib/sip_hdr.c
fuzz_run fuzz_digest "$IMD_TOP/regress/sip/digest-corpus" \
    "$IMD_TOP/regress/sip/digest.dict"
