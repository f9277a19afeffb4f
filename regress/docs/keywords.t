#!/usr/bin/env python3
# Every keyword of relayd.conf, as the lexer knows them (the keywords[]
# table of imd/parse.y), is documented in docs/relayd.conf.5.
#
# The rule: a keyword is documented when it is an argument of an Ic
# macro on some macro line of the page.  On a line that starts with "."
# (or "'"), the words after an "Ic" up to the next mdoc macro name (a
# capital letter and one or two lower-case ones: Ar, Op, Cm, Xc, No,
# Ns, ...) are statement keywords, so ".It Ic offline store then mail
# after Ar duration" documents offline, store, then, mail and after, and
# ".Op Ic udp | tcp | tls" documents udp, tcp and tls.  A keyword that
# appears only in running text, in Cm or in Li does not count: it must
# be shown where the statement is.

import os, re, sys

top = os.environ.get("IMD_TOP", ".")
parse_y = os.path.join(top, "imd/parse.y")
page = os.path.join(top, "docs/relayd.conf.5")

n = 0
failed = 0


def ok(cond, desc):
    global n, failed
    n += 1
    if not cond:
        failed += 1
    print("%sok %d - %s" % ("" if cond else "not ", n, desc))


def table_keywords(path):
    text = open(path).read()
    m = re.search(r"keywords\[\]\s*=\s*\{(.*?)\n\};", text, re.S)
    if m is None:
        return []
    return re.findall(r'\{\s*"([^"]+)"\s*,\s*[A-Z_]+\s*\}', m.group(1))


MACRO = re.compile(r"^[A-Z][a-z]{1,2}$")


def documented(path):
    words = set()
    for line in open(path):
        if not line.startswith((".", "'")) or line.startswith(".\\\""):
            continue
        toks = line[1:].split()
        inside = False
        for t in toks:
            if MACRO.match(t):
                inside = t == "Ic"
                continue
            if inside:
                words.add(t.strip('"'))
    return words


kws = table_keywords(parse_y)
ok(len(kws) > 0, "the keyword table of imd/parse.y is found")
ok(kws == sorted(kws), "the keyword table is sorted (bsearch needs it)")
doc = documented(page)
for k in kws:
    ok(k in doc, "keyword %s is shown with Ic in %s" %
        (k, os.path.basename(page)))
print("1..%d" % n)
sys.exit(1 if failed else 0)
