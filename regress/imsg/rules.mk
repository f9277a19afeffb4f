IMSG_TEST = $(BUILD)/regress/imsg/imsg_test
CHECK_PROGS += $(IMSG_TEST)

$(IMSG_TEST): $(BUILD)/regress/imsg/imsg_test.o $(LIBIMD)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/regress/imsg/imsg_test.o: regress/imsg/imsg_test.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -Iregress/lib -Wno-unused-result -c -o $@ $<

# The libFuzzer harness of the typed reader (fuzz_imsg.t, built there
# with clang); `make fuzz-imsg` runs it for FUZZ_TIME seconds.
fuzz-imsg:
	IMD_BUILD=$(abspath $(BUILD)) IMD_TOP=$(CURDIR) FUZZ_TIME=$(FUZZ_TIME) \
	    sh regress/imsg/fuzz_imsg.t

fuzz: fuzz-imsg

.PHONY: fuzz-imsg
