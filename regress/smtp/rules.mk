# smtp: the mail that stands in for an offline message (relayd/mail.c,
# mail_test, run by mail.t), and the SMTP client of relayd
# (relayd/smtp.c) handing mail to a real OpenSMTPD (mta_send, driven by
# opensmtpd.t).  The SMTP tests link relayd/smtp.o, never relayd.o,
# which holds main().

SMTP_REGRESS = $(BUILD)/regress/smtp/mail_test \
	$(BUILD)/regress/smtp/mta_send

CHECK_PROGS += $(SMTP_REGRESS)

$(BUILD)/regress/smtp/mail_test: $(BUILD)/regress/smtp/mail_test.o \
	    $(BUILD)/relayd/mail.o $(LIBIMD)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/regress/smtp/mta_send: %: %.o \
	    $(BUILD)/relayd/smtp.o $(BUILD)/relayd/mail.o $(LIBIMD)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/regress/smtp/%.o: regress/smtp/%.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -Irelayd -Iregress/lib -c -o $@ $<
