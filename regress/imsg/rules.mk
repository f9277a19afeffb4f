IMSG_TEST = $(BUILD)/regress/imsg/imsg_test
CHECK_PROGS += $(IMSG_TEST)

$(IMSG_TEST): $(BUILD)/regress/imsg/imsg_test.o $(LIBIMD)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/regress/imsg/imsg_test.o: regress/imsg/imsg_test.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -Iregress/lib -Wno-unused-result -c -o $@ $<
