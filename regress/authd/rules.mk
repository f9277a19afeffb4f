# authd: unit tests of nonces, digest verification, throttling and the
# HA1 cache.  They link the authd objects under test, never authd.o,
# which holds main().

AUTHD_REGRESS_OBJS = $(BUILD)/authd/nonce.o $(BUILD)/authd/verify.o \
	$(BUILD)/authd/throttle.o $(BUILD)/authd/ha1cache.o
AUTHD_REGRESS = $(BUILD)/regress/authd/nonce_test \
	$(BUILD)/regress/authd/verify_test \
	$(BUILD)/regress/authd/throttle_test \
	$(BUILD)/regress/authd/ha1cache_test

CHECK_PROGS += $(AUTHD_REGRESS)

$(AUTHD_REGRESS): %: %.o $(AUTHD_REGRESS_OBJS) $(LIBIMD)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/regress/authd/%.o: regress/authd/%.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -Iauthd -Iregress/lib -c -o $@ $<
