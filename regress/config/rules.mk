#
# Copyright (c) 2026 The imd Authors
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
#
# config: unit tests of lib/config.c (config_test, run by lib.t); config.t
# needs only build/sbin/imd.

CONFIG_TEST = $(BUILD)/regress/config/config_test
CHECK_PROGS += $(CONFIG_TEST)

$(CONFIG_TEST): $(BUILD)/regress/config/config_test.o $(LIBIMD)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/regress/config/config_test.o: regress/config/config_test.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -Iregress/lib -c -o $@ $<

# The libFuzzer harness of the parser (fuzz_config.t, built there with
# clang from the generated parse.c); `make fuzz-config` runs it for
# FUZZ_TIME seconds.
fuzz-config: $(BUILD)/gen/parse.c
	IMD_BUILD=$(abspath $(BUILD)) IMD_TOP=$(CURDIR) FUZZ_TIME=$(FUZZ_TIME) \
	    sh regress/config/fuzz_config.t

fuzz: fuzz-config

.PHONY: fuzz-config

# parts_test: lib/config_msg.c's table on real channels (parts.t).
PARTS_TEST = $(BUILD)/regress/config/parts_test
CHECK_PROGS += $(PARTS_TEST)

$(PARTS_TEST): $(BUILD)/regress/config/parts_test.o $(LIBIMD)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/regress/config/parts_test.o: regress/config/parts_test.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -Iregress/lib -c -o $@ $<
