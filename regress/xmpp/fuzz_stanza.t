#!/bin/sh
#
# A short libFuzzer run of xmppd's XML stream reader (fuzz_stanza.c)
# from the seed streams in corpus/; `make fuzz-xmpp` runs it for
# FUZZ_TIME seconds.

fuzz_dir=$IMD_BUILD/regress/xmpp
FUZZ_CFLAGS="-I${IMD_TOP:-.}/xmppd $(pkg-config --cflags expat 2>/dev/null)"
FUZZ_LIBS="$(pkg-config --libs expat 2>/dev/null || echo -lexpat)"
. "${IMD_TOP:-.}/regress/lib/fuzz.sh"

fuzz_build fuzz_stanza regress/xmpp/fuzz_stanza.c xmppd/parser.c
fuzz_run fuzz_stanza "$IMD_TOP/regress/xmpp/corpus"
