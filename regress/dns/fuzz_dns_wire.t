#!/bin/sh
#
# A short libFuzzer run of the DNS answer reader (fuzz_dns_wire.c) from
# the seed answers in corpus/; `make fuzz-dns` runs it for FUZZ_TIME
# seconds.

fuzz_dir=$IMD_BUILD/regress/dns
FUZZ_CFLAGS="-I${IMD_TOP:-.}/relayd"
. "${IMD_TOP:-.}/regress/lib/fuzz.sh"

fuzz_build fuzz_dns_wire regress/dns/fuzz_dns_wire.c relayd/dns_wire.c \
    relayd/dns_srv.c
fuzz_run fuzz_dns_wire "$IMD_TOP/regress/dns/corpus"
