# txc: non-INVITE client transactions (listener/tx_client.c) against a real UDP
# peer on loopback.  The test links the listener's transport objects but
# not listener.c, which holds main(), nor sip_server.c, which drags in the
# registrar: the test supplies listener_conf and sip_input() itself.

TXC_TEST = $(BUILD)/regress/txc/txc_test
TXC_OBJS = $(BUILD)/listener/tx_client.o $(BUILD)/listener/transport.o \
	$(BUILD)/listener/udp.o \
	$(BUILD)/listener/conn.o $(BUILD)/listener/tls.o \
	$(BUILD)/listener/ws.o $(BUILD)/listener/ws_frame.o \
	$(BUILD)/listener/http.o \
	$(BUILD)/listener/xmpp.o $(BUILD)/listener/worker_conn.o

CHECK_PROGS += $(TXC_TEST)

$(TXC_TEST): $(BUILD)/regress/txc/txc_test.o $(TXC_OBJS) $(LIBIMD)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lssl $(WSLAY_LIBS)

$(BUILD)/regress/txc/%.o: regress/txc/%.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -Ilistener -Iregress/lib -c -o $@ $<
