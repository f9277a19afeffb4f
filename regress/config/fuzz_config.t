#!/bin/sh
#
# A short libFuzzer run of the relayd.conf parser (fuzz_config.c) from
# its seeds; `make fuzz-config` runs it for FUZZ_TIME seconds.  The
# parser comes from the build (make generates it with byacc).

fuzz_dir=$IMD_BUILD/regress/config
. "${IMD_TOP:-.}/regress/lib/fuzz.sh"

fuzz_build fuzz_config regress/config/fuzz_config.c "$IMD_BUILD/gen/parse.c" \
    lib/config.c lib/user.c lib/imsg.c lib/prefix.c regress/lib/fuzz_log.c
fuzz_run fuzz_config "$IMD_TOP/regress/config/corpus" \
    "$IMD_TOP/regress/config/config.dict"
