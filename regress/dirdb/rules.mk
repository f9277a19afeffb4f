# dirdb: unit tests of the store (store_test, run by store.t).  Only the
# store's objects are linked: dirdb/dirdb.c has the process's main().

DIRDB_TEST = $(BUILD)/regress/dirdb/store_test
DIRDB_STORE_OBJS = $(BUILD)/dirdb/store.o $(BUILD)/dirdb/user_store.o \
	    $(BUILD)/dirdb/record.o
CHECK_PROGS += $(DIRDB_TEST)

$(DIRDB_TEST): $(BUILD)/regress/dirdb/store_test.o $(DIRDB_STORE_OBJS) \
	    $(LIBIMD)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -ldb

$(BUILD)/regress/dirdb/store_test.o: regress/dirdb/store_test.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -Idirdb -Iregress/lib -c -o $@ $<

# binding_test: the bindings database and the binding message, run by
# binding.t.
BINDING_TEST = $(BUILD)/regress/dirdb/binding_test
BINDING_STORE_OBJS = $(BUILD)/dirdb/store.o $(BUILD)/dirdb/binding_store.o \
	    $(BUILD)/dirdb/record.o
CHECK_PROGS += $(BINDING_TEST)

$(BINDING_TEST): $(BUILD)/regress/dirdb/binding_test.o \
	    $(BINDING_STORE_OBJS) $(LIBIMD)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -ldb

$(BUILD)/regress/dirdb/binding_test.o: regress/dirdb/binding_test.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -Idirdb -Iregress/lib -c -o $@ $<

# offline_test: the offline queue and the offline message, run by
# offline.t.
OFFLINE_TEST = $(BUILD)/regress/dirdb/offline_test
OFFLINE_STORE_OBJS = $(BUILD)/dirdb/store.o $(BUILD)/dirdb/offline_store.o \
	    $(BUILD)/dirdb/record.o
CHECK_PROGS += $(OFFLINE_TEST)

$(OFFLINE_TEST): $(BUILD)/regress/dirdb/offline_test.o \
	    $(OFFLINE_STORE_OBJS) $(LIBIMD)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -ldb

$(BUILD)/regress/dirdb/offline_test.o: regress/dirdb/offline_test.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -Idirdb -Iregress/lib -c -o $@ $<
