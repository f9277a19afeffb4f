#!/usr/bin/env python3
# imctl user import and export against a real suite: users from a file
# in both of its forms, then registered with the passwords of the file;
# every bad line said with its number and no user added, whichever batch
# it is in; standard input; the export imported into another suite.

import hashlib, os, sys
sys.path.insert(0, os.path.join(os.environ["IMD_TOP"], "regress/lib"))
from imdtest import Suite, UA, ok, done

PORT, PORT2 = 25480, 25481
s = Suite("site1.test", PORT, ["auth algorithms md5 sha-256"])
ok(s.start(), "the suite starts")
srv = ("127.0.0.1", PORT)


def write(name, text):
    path = os.path.join(s.dir, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def register(port, user, password):
    return UA(("127.0.0.1", port), "tcp").register(
        user, "site1.test", password)["status"]


def users(suite):
    r = suite.ctl("user", "list")
    return sorted(l.split()[0] for l in r.stdout.splitlines())


def ha1(alg, user, realm, password):
    return hashlib.new(alg, ("%s:%s:%s" % (user, realm, password))
                       .encode()).hexdigest()


# The password form, with comments, blank lines, tabs and CRLF.
f = write("pw.txt", "# users of site1\n\nann@site1.test  annpw\n"
          "Bob@SITE1.test\tbob:pw!\r\n   carol@site1.test c\n")
r = s.ctl("user", "import", f)
ok(r.returncode == 0 and r.stdout == "3 users imported\n",
   "a file of three users is imported: %r %r" % (r.stdout, r.stderr))
ok(users(s) == ["ann@site1.test", "bob@site1.test", "carol@site1.test"],
   "user list shows them, in lower case")
ok(register(PORT, "ann", "annpw") == 200,
   "ann registers with the password of the file")
ok(register(PORT, "bob", "bob:pw!") == 200,
   "bob too, with a password of punctuation")
ok(register(PORT, "ann", "wrong") == 403 or
   register(PORT, "ann", "wrong") == 401,
   "a password not in the file does not register")

# The HA1 form: values made elsewhere under the same realm, one
# algorithm alone or both; either case of hex.
f = write("ha1.txt",
          "dave@site1.test %s %s site1.test\n"
          "erin@site1.test - %s site1.test\n" % (
              ha1("md5", "dave", "site1.test", "davepw").upper(),
              ha1("sha256", "dave", "site1.test", "davepw"),
              ha1("sha256", "erin", "site1.test", "erinpw")))
r = s.ctl("user", "import", f)
ok(r.returncode == 0, "the HA1 form is imported: %r" % r.stderr)
ok(register(PORT, "dave", "davepw") == 200,
   "dave registers with the password behind his HA1s")
ok(UA(srv, "tcp").register("erin", "site1.test", "erinpw",
                           alg="SHA-256")["status"] == 200,
   "erin, with only an SHA-256 HA1, registers with SHA-256")

# Bad lines: each said by its number, and the good lines of the same
# file not added either.
before = users(s)
bad = ("ok1@site1.test fine\n"                         # 1: good
       "not-an-address pw\n"                           # 2
       "x@other.test pw\n"                             # 3: unknown domain
       "y@site1.test a b\n"                            # 4: three fields
       "z@site1.test 1234 - site1.test\n"              # 5: short HA1
       "w@site1.test - - site1.test\n"                 # 6: no HA1
       "v@site1.test %s - other realm\n"               # 7: wrong realm
       "ann@site1.test again\n"                        # 8: exists
       "ok2@site1.test fine\n"                         # 9: good
       "OK1@site1.test twice\n"                        # 10: duplicate
       "u@site1.test %s\n"                             # 11: too long
       % ("0" * 32, "p" * 300))
f = write("bad.txt", bad)
r = s.ctl("user", "import", f)
ok(r.returncode == 8, "bad lines: exit 8 (%d)" % r.returncode)
want = {2: "malformed address", 3: "unknown domain", 4: "expected",
        5: "malformed HA1", 6: "no HA1", 7: "realm", 8: "user exists",
        10: "also on line 1", 11: "too long"}
lines = r.stderr.splitlines()
for n, what in sorted(want.items()):
    ok(any(l.startswith("imctl: %s:%d: " % (f, n)) and what in l
           for l in lines), "line %d is said: %s" % (n, what))
ok(not any(":1: " in l or ":9: " in l for l in lines),
   "the good lines are not")
ok("11 bad lines" not in r.stderr and "9 bad lines, no user added"
   in r.stderr, "the count of bad lines: %r" % lines[-1:])
ok(users(s) == before, "no user of the file was added")

# Three batches of a thousand, the bad line in the last: the first two
# are not written either.
many = "".join("m%d@site1.test pw%d\n" % (i, i) for i in range(2500))
f = write("many.txt", many + "m0@site1.test again\n")
r = s.ctl("user", "import", f)
ok(r.returncode == 8 and ":2501: user also on line 1" in r.stderr,
   "a duplicate in the last batch is said: %r" % r.stderr[-200:])
ok(users(s) == before, "and nothing of the first batches is added")
f = write("many.txt", many)
r = s.ctl("user", "import", f)
ok(r.returncode == 0 and len(users(s)) == len(before) + 2500,
   "without it, the 2,500 users go in")
ok(register(PORT, "m2499", "pw2499") == 200,
   "the last of them registers")

# Standard input.
r = s.ctl("user", "import", "-", stdin="fred@site1.test fredpw\n")
ok(r.returncode == 0 and register(PORT, "fred", "fredpw") == 200,
   "a user from standard input registers")
r = s.ctl("user", "import", "-", stdin="gus@site1.test two words\n")
ok(r.returncode == 8 and "imctl: stdin:1: expected" in r.stderr,
   "a bad line on standard input is said as stdin:1")

# Export, and the export imported into another suite: the same users,
# who log in there with their passwords.
r = s.ctl("user", "export")
ok(r.returncode == 0 and r.stdout.startswith("# address ha1-md5 "),
   "user export writes the HA1 form")
exported = r.stdout
ok(len(exported.splitlines()) == len(users(s)) + 1,
   "one line per user, across pages of a thousand")
s2 = Suite("site1.test", PORT2, ["auth algorithms md5 sha-256"])
ok(s2.start(), "a second suite starts")
f = write("export.txt", exported)
r = s2.ctl("user", "import", f)
ok(r.returncode == 0, "it imports the export: %r" % r.stderr[-200:])
ok(users(s2) == users(s), "with the same users")
ok(register(PORT2, "ann", "annpw") == 200 and
   register(PORT2, "m1234", "pw1234") == 200,
   "who register there with their passwords")
r = s2.ctl("user", "export")
ok(r.stdout == exported, "and whose export is the same again")

# Usage and files.
r = s.ctl("user", "import")
ok(r.returncode == 2, "import without a file is a usage error")
r = s.ctl("user", "import", os.path.join(s.dir, "absent"))
ok(r.returncode == 1 and "No such file" in r.stderr,
   "an absent file: exit 1 and why")
r = s.ctl("user", "export", "x")
ok(r.returncode == 2, "export takes no argument")
done()
