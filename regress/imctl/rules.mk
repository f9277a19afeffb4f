# imctl: unit tests of lib/user.c (user_test, run by user.t); imctl.t
# needs only build/bin/imctl.

IMCTL_REGRESS = $(BUILD)/regress/imctl/user_test

$(BUILD)/regress/imctl/user_test: $(BUILD)/regress/imctl/user_test.o \
	    $(LIBIMD)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

CHECK_PROGS += $(IMCTL_REGRESS)
