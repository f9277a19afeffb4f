# dirdb: unit tests of the stores, each run by its .t: store_test (the
# environment and users), binding_test (bindings and the binding
# message), offline_test (the offline queue and its message),
# pstore_test (the presence store), presence_test (the listener's
# presence requests through a socketpair).  Only the stores' objects,
# and presence.c, are linked: dirdb/dirdb.c has the process's main().
# testenv.c is what they share: the temporary environment, the log
# file, a socketpair, a child killed after its writes.

DIRDB_TESTS = $(BUILD)/regress/dirdb/store_test \
	$(BUILD)/regress/dirdb/binding_test \
	$(BUILD)/regress/dirdb/offline_test \
	$(BUILD)/regress/dirdb/pstore_test \
	$(BUILD)/regress/dirdb/presence_test
DIRDB_TEST_COMMON = $(BUILD)/regress/dirdb/testenv.o \
	$(BUILD)/dirdb/store.o $(BUILD)/dirdb/record.o $(LIBIMD)
CHECK_PROGS += $(DIRDB_TESTS)

$(BUILD)/regress/dirdb/store_test: $(BUILD)/dirdb/user_store.o
$(BUILD)/regress/dirdb/binding_test: $(BUILD)/dirdb/binding_store.o
$(BUILD)/regress/dirdb/offline_test: $(BUILD)/dirdb/offline_store.o \
	$(BUILD)/dirdb/offline_record.o
$(BUILD)/regress/dirdb/pstore_test: $(BUILD)/dirdb/pstore.o
$(BUILD)/regress/dirdb/presence_test: $(BUILD)/dirdb/pstore.o \
	$(BUILD)/dirdb/pstore_requests.o

$(DIRDB_TESTS): %: %.o $(DIRDB_TEST_COMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIBIMD) $(LDLIBS) -ldb

$(BUILD)/regress/dirdb/%.o: regress/dirdb/%.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -Idirdb -Iregress/lib -Iregress/dirdb -c -o $@ $<
