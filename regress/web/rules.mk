# web: SIP over WebSocket and the web client.  The tests need what `make`
# builds anyway (the listener, build/web/root, build/web/npm with
# puppeteer-core); fuzz_ws.t builds its libFuzzer harness itself with
# clang, and `make fuzz-ws` runs it for FUZZ_TIME seconds.

fuzz-ws:
	IMD_BUILD=$(abspath $(BUILD)) IMD_TOP=$(CURDIR) FUZZ_TIME=$(FUZZ_TIME) \
	    sh regress/web/fuzz_ws.t

fuzz: fuzz-ws

.PHONY: fuzz-ws
