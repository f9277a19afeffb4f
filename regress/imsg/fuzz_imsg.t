#!/bin/sh
#
# A short libFuzzer run of the typed imsg reader (fuzz_imsg.c) from its
# seeds; `make fuzz-imsg` runs it for FUZZ_TIME seconds.

fuzz_dir=$IMD_BUILD/regress/imsg
. "${IMD_TOP:-.}/regress/lib/fuzz.sh"

fuzz_build fuzz_imsg regress/imsg/fuzz_imsg.c lib/imsg.c lib/config_msg.c \
    lib/config.c lib/user.c lib/auth_msg.c lib/binding.c lib/offline.c \
    lib/prefix.c \
    regress/lib/fuzz_log.c
fuzz_run fuzz_imsg "$IMD_TOP/regress/imsg/corpus"
