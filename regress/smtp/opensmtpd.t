#!/bin/sh
#
# The hand-off of an offline message to a real MTA: OpenSMTPD from
# Debian, in the foreground on 127.0.0.1 port 25525, accepting mail for
# one domain (new each run) and delivering it to a maildir in the test
# directory.  mta_send composes the mail with mail_compose() and sends
# it with smtp_send() on the event loop; the delivered file is then read
# with Python's email package.  Also: a dot at the start of a line
# arrives intact, a recipient the MTA refuses is SMTP_PERMFAIL, and with
# the MTA gone the refused connection is SMTP_TEMPFAIL at once.
#
# smtpd needs root, its own users and the system spool
# /var/spool/smtpd; mail left queued for the test domain is removed
# before smtpd stops, and the spool itself if the test created it.

if [ -z "$IMD_BUILD" ]; then
	echo "1..0 # SKIP IMD_BUILD is not set: run under make check"
	exit 0
fi
SMTPD=/usr/sbin/smtpd
SMTPCTL=/usr/sbin/smtpctl
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP OpenSMTPD needs root"
	exit 0
fi
if [ ! -x "$SMTPD" ] || [ ! -x "$SMTPCTL" ]; then
	echo "1..0 # SKIP $SMTPD missing: install the opensmtpd package"
	exit 0
fi
if "$SMTPCTL" show status >/dev/null 2>&1; then
	echo "1..0 # SKIP an smtpd is running: its spool and control socket" \
	    "would be shared"
	exit 0
fi
command -v python3 >/dev/null || {
	echo "1..0 # SKIP python3 missing"
	exit 0
}

. "$IMD_TOP/regress/lib/suite.sh"

MTA_SEND="$IMD_BUILD/regress/smtp/mta_send"
PORT=25525
DOM="imd-$$.test"
RCPT="bob@$DOM"
FROM="alice@site1.test"
SPOOL=/var/spool/smtpd
SPOOL_EXISTED=no
[ -d "$SPOOL" ] && SPOOL_EXISTED=yes
SMTPD_PID=

# Nothing of ours stays queued: what is left for the test domain is
# removed while smtpd can still be asked, then smtpd stops.
smtpd_stop() {
	[ -n "$SMTPD_PID" ] || return 0
	if kill -0 "$SMTPD_PID" 2>/dev/null; then
		"$SMTPCTL" show queue 2>/dev/null |
		    awk -F'|' -v d="@$DOM" 'index($6 "|" $7, d) { print $1 }' |
		    while read -r evp; do
			"$SMTPCTL" remove "$evp" >/dev/null 2>&1
		done
		kill -TERM "$SMTPD_PID" 2>/dev/null
	fi
	wait_gone "$SMTPD_PID" 10
	r=$?
	kill -KILL "$SMTPD_PID" 2>/dev/null
	SMTPD_PID=
	return $r
}

# Also on failure: smtpd, every other process, the spool if ours.
smtpd_cleanup() {
	smtpd_stop
	suite_cleanup
	[ "$SPOOL_EXISTED" = no ] && rm -rf "$SPOOL"
}
trap smtpd_cleanup EXIT

mkdir -p "$T/Maildir"
chown "$TEST_USER" "$T/Maildir"
echo "$RCPT $TEST_USER" > "$T/vusers"
cat > "$T/smtpd.conf" <<CONF
table vusers file:$T/vusers
listen on 127.0.0.1 port $PORT hostname mta.imd.test
action "imd-test" maildir "$T/Maildir" virtual <vusers>
match from local for domain "$DOM" action "imd-test"
CONF

"$SMTPD" -n -f "$T/smtpd.conf" > "$T/smtpd-n.log" 2>&1
ok $? "smtpd -n accepts the test configuration"

listening() {
	ss -Hltn "sport = :$PORT" 2>/dev/null | grep -q .
}
if listening; then
	ok 1 "port $PORT is free"
	done_testing
	exit 1
fi
"$SMTPD" -d -f "$T/smtpd.conf" > "$T/smtpd.log" 2>&1 &
SMTPD_PID=$!
SUITE_PIDS="$SUITE_PIDS $SMTPD_PID"
for i in $(seq 1 100); do
	listening && break
	kill -0 "$SMTPD_PID" 2>/dev/null || break
	sleep 0.1
done
listening
ok $? "smtpd listens on 127.0.0.1 port $PORT"

# The file in new/ holding the mail with this Message-ID.
delivered() {
	for i in $(seq 1 100); do
		f=$(grep -l -i "^Message-ID: <$1>" "$T/Maildir/new/"* \
		    2>/dev/null | head -n 1)
		[ -n "$f" ] && { echo "$f"; return 0; }
		sleep 0.1
	done
	return 1
}

# 안녕하세요, 잘 지내요? without a line break after it.
printf '\354\225\210\353\205\225\355\225\230\354\204\270\354\232\224, ' \
    > "$T/korean"
printf '\354\236\230 \354\247\200\353\202\264\354\232\224?' >> "$T/korean"

"$MTA_SEND" -b "$T/korean" -i "ko-$$" -d 1700000000 ok $PORT \
    "$FROM" "$RCPT" > "$T/send1" 2>&1
ok $? "smtp_send hands the Korean message over: SMTP_OK"
F=$(delivered "ko-$$@im.imd.test")
ok $? "the mail is in the maildir"

check_mail() {	# check_mail FILE: what mail_compose() promised
	python3 - "$1" "$T/korean" "$FROM" "$RCPT" "ko-$$" <<'PY'
import email, email.policy, email.utils, sys
path, body, frm, rcpt, mid = sys.argv[1:]
raw = open(path, 'rb').read()
m = email.message_from_bytes(raw, policy=email.policy.compat32)
want = {
    'From': frm,
    'To': rcpt,
    'Subject': 'Instant message from ' + frm,
    'Date': 'Tue, 14 Nov 2023 22:13:20 +0000',
    'Message-ID': '<' + mid + '@im.imd.test>',
    'Auto-Submitted': 'auto-generated',
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=UTF-8',
    'Content-Transfer-Encoding': 'base64',
}
bad = 0
for k, v in want.items():
    got = m.get_all(k)
    if got != [v]:
        print('# %s: %r, want %r' % (k, got, v))
        bad = 1
d = email.utils.parsedate_to_datetime(m['Date'])
if d.timestamp() != 1700000000 or d.utcoffset().total_seconds() != 0:
    print('# Date is not the arrival time in UTC')
    bad = 1
text = m.get_payload(decode=True)
if text != open(body, 'rb').read():
    print('# body: %r' % text)
    bad = 1
if max(len(l) for l in raw.split(b'\n')) > 998:
    print('# a line longer than 998')
    bad = 1
sys.exit(bad)
PY
}
[ -n "$F" ] && check_mail "$F"
ok $? "From, To, Subject, Date, Message-ID, Auto-Submitted, MIME and \
the exact Korean text"

printf 'Message-ID: <dots-%s@im.imd.test>\r\nSubject: dots\r\n\r\n' $$ \
    > "$T/dots"
printf '.leading dot\r\n..two dots\r\n.\r\nafter a lone dot\r\n' >> "$T/dots"
"$MTA_SEND" -r "$T/dots" ok $PORT "$FROM" "$RCPT" > "$T/send2" 2>&1
ok $? "a body with lines starting with a dot: SMTP_OK"
F=$(delivered "dots-$$@im.imd.test")
[ -n "$F" ] && sed -n '/^$/,$p' "$F" | tr -d '\r' > "$T/dots.got"
printf '\n.leading dot\n..two dots\n.\nafter a lone dot\n' > "$T/dots.want"
cmp -s "$T/dots.got" "$T/dots.want"
ok $? "those lines arrive intact"

"$MTA_SEND" -b "$T/korean" -i "perm-$$" permfail $PORT "$FROM" \
    "bob@elsewhere-$$.test" > "$T/send3" 2>&1
ok $? "a domain the MTA does not take: SMTP_PERMFAIL"
grep -q '^result: permanent failure: 550 ' "$T/send3"
ok $? "with the MTA's 550 as the reply"

"$MTA_SEND" -b "$T/korean" -i "user-$$" permfail $PORT "$FROM" \
    "carol@$DOM" > "$T/send4" 2>&1
ok $? "a user the MTA does not know: SMTP_PERMFAIL"

n=$(ls "$T/Maildir/new" 2>/dev/null | wc -l)
[ "$n" -eq 2 ]
ok $? "exactly the two accepted mails were delivered"

smtpd_stop
ok $? "smtpd stops"

"$MTA_SEND" -b "$T/korean" -t 1000 tempfail $PORT "$FROM" "$RCPT" \
    > "$T/send5" 2>&1
ok $? "with the MTA gone: SMTP_TEMPFAIL within a second"
grep -q 'refused' "$T/send5"
ok $? "naming the refused connection"

for f in "$T"/send*; do sed 's/^/# /' "$f"; done
done_testing
