# xmpp: xmppd against a real Prosody (message.t, restart.t) and raw
# streams (security.t); the libFuzzer harness of its XML stream reader,
# xmppd/parser.c (fuzz_stanza.t, built there with clang); `make
# fuzz-xmpp` runs it for FUZZ_TIME seconds.

fuzz-xmpp:
	IMD_BUILD=$(abspath $(BUILD)) IMD_TOP=$(CURDIR) FUZZ_TIME=$(FUZZ_TIME) \
	    sh regress/xmpp/fuzz_stanza.t

fuzz: fuzz-xmpp

.PHONY: fuzz-xmpp
