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
# presence: unit tests of lib/pidf.c and the listener's winfo.c
# (pidf_test, run by pidf.t over the seed corpus in
# regress/presence/corpus).

PIDF_TEST = $(BUILD)/regress/presence/pidf_test
CHECK_PROGS += $(PIDF_TEST)

$(PIDF_TEST): $(BUILD)/regress/presence/pidf_test.o \
	    $(BUILD)/listener/winfo.o $(LIBIMD)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/regress/presence/pidf_test.o: regress/presence/pidf_test.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -Ilistener -Iregress/lib -c -o $@ $<

# The libFuzzer harness of the presence documents (fuzz_pidf.t, built
# there with clang); `make fuzz-pidf` runs it for FUZZ_TIME seconds.
fuzz-pidf:
	IMD_BUILD=$(abspath $(BUILD)) IMD_TOP=$(CURDIR) FUZZ_TIME=$(FUZZ_TIME) \
	    sh regress/presence/fuzz_pidf.t

fuzz: fuzz-pidf

.PHONY: fuzz-pidf
