# imctl: unit tests of lib/user.c (user_test, run by user.t); imctl.t
# needs only build/bin/imctl.

IMCTL_REGRESS = $(BUILD)/regress/imctl/user_test

$(BUILD)/regress/imctl/user_test: $(BUILD)/regress/imctl/user_test.o \
	    $(LIBIMD)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

CHECK_PROGS += $(IMCTL_REGRESS)

# An imctl that speaks another catalogue version, for the mismatch test.
IMCTL_OTHER = $(BUILD)/regress/imctl/imctl-v999
CHECK_PROGS += $(IMCTL_OTHER)

$(IMCTL_OTHER): $(wildcard imctl/*.c) $(LIBIMD)
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -DIMD_MSG_VERSION=999 -o $@ $(wildcard imctl/*.c) \
	    $(LIBIMD) $(LDFLAGS) $(LDLIBS)
