# sip: unit tests of the SIP message layer (sip_test, run by unit.t), the
# RFC 4475 torture messages and the print round trip (sip_torture, run by
# rfc4475.t and roundtrip.t), and the libFuzzer harness (fuzz.t, built
# there with clang; `make fuzz-sip` runs it for FUZZ_TIME seconds), and
# the harness of the Authorization parser (fuzz_digest.t, `make
# fuzz-digest`).

SIP_REGRESS = $(BUILD)/regress/sip/sip_test $(BUILD)/regress/sip/sip_torture

CHECK_PROGS += $(SIP_REGRESS)

$(BUILD)/regress/sip/%.o: regress/sip/%.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -Iregress/lib -c -o $@ $<

$(BUILD)/regress/sip/sip_test: $(BUILD)/regress/sip/sip_test.o $(LIBIMD)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/regress/sip/sip_torture: $(BUILD)/regress/sip/sip_torture.o \
	    $(LIBIMD)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

fuzz-sip:
	IMD_BUILD=$(abspath $(BUILD)) IMD_TOP=$(CURDIR) SIP_FUZZ_TIME=$(FUZZ_TIME) \
	    sh regress/sip/fuzz.t

fuzz-digest:
	IMD_BUILD=$(abspath $(BUILD)) IMD_TOP=$(CURDIR) FUZZ_TIME=$(FUZZ_TIME) \
	    sh regress/sip/fuzz_digest.t

fuzz: fuzz-sip fuzz-digest

.PHONY: fuzz-sip fuzz-digest
