# dns: relayd/dns.c against a real dnsmasq on loopback, which dns.t and
# jail.t start.  The tests link the dns objects, never relayd.o, which
# holds main().  The libFuzzer harness of the answer reader,
# dns_wire.c (fuzz_dns_wire.t, built there with clang); `make
# fuzz-dns` runs it for FUZZ_TIME seconds.

DNS_OBJS = $(BUILD)/relayd/dns.o $(BUILD)/relayd/dns_wire.o \
	$(BUILD)/relayd/dns_cache.o $(BUILD)/relayd/dns_srv.o
DNS_REGRESS = $(BUILD)/regress/dns/dns_test $(BUILD)/regress/dns/jail_test

CHECK_PROGS += $(DNS_REGRESS)

$(DNS_REGRESS): %: %.o $(DNS_OBJS) $(LIBIMD)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcares

$(BUILD)/regress/dns/%.o: regress/dns/%.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -Irelayd -Iregress/lib -c -o $@ $<

fuzz-dns:
	IMD_BUILD=$(abspath $(BUILD)) IMD_TOP=$(CURDIR) FUZZ_TIME=$(FUZZ_TIME) \
	    sh regress/dns/fuzz_dns_wire.t

fuzz: fuzz-dns

.PHONY: fuzz-dns
