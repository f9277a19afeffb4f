# imc: unit tests of the parsers and the media parts of calls.  They
# link the client objects under test, never imc.o, which holds main().

IMC_REGRESS_OBJS = $(BUILD)/client/g711.o $(BUILD)/client/codec.o \
	$(BUILD)/client/rtp.o $(BUILD)/client/rtcp.o \
	$(BUILD)/client/jitter.o $(BUILD)/client/sdp.o \
	$(BUILD)/client/direct_note.o
IMC_REGRESS = $(BUILD)/regress/imc/media_test

CHECK_PROGS += $(IMC_REGRESS)

$(IMC_REGRESS): %: %.o $(IMC_REGRESS_OBJS) $(LIBIMD)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(MEDIA_LIBS) -lm

$(BUILD)/regress/imc/%.o: regress/imc/%.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) $(MEDIA_CFLAGS) -Iclient -Iregress/lib -c -o $@ $<
