# dns: relayd/dns.c against a real dnsmasq on loopback, which dns.t and
# jail.t start.  The tests link dns.o, never relayd.o, which holds
# main().

DNS_OBJS = $(BUILD)/relayd/dns.o
DNS_REGRESS = $(BUILD)/regress/dns/dns_test $(BUILD)/regress/dns/jail_test

CHECK_PROGS += $(DNS_REGRESS)

$(DNS_REGRESS): %: %.o $(DNS_OBJS) $(LIBIMD)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcares

$(BUILD)/regress/dns/%.o: regress/dns/%.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -Irelayd -Iregress/lib -c -o $@ $<
