#!/usr/bin/perl
#
# Copyright (c) 2026 The imd Authors
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
#
# Two presence user agents written with Net::SIP, an independent SIP
# stack, against one imd: alice publishes and watches her watchers
# (presence.winfo), bob subscribes to her presence and unsubscribes.
# Net::SIP makes its own tags (32 hex digits) and Call-IDs.  Each check
# is printed as "check 0|1 description" for regress/clients/netsip.t;
# other lines are comments.
#
# usage: netsip_ua.pl domain server-port alice-port bob-port

use strict;
use warnings;
use Net::SIP;
use Net::SIP::Util qw(sip_hdrval2parts);

my ($domain, $sport, $aport, $bport) = @ARGV;
die "usage: netsip_ua.pl domain server-port alice-port bob-port\n"
    unless defined $bport;
my $server = "127.0.0.1:$sport";
my $loop = Net::SIP::Dispatcher::Eventloop->new;
$| = 1;

sub check {
	my ($cond, $desc) = @_;
	print "check ", ($cond ? 1 : 0), " $desc\n";
	return $cond;
}

sub note { print "# @_\n" }

sub ua {
	my ($user, $port) = @_;
	return Net::SIP::Simple->new(
	    from => "sip:$user\@$domain",
	    leg => "127.0.0.1:$port",
	    outgoing_proxy => $server,
	    registrar => $server,
	    contact => "sip:$user\@127.0.0.1:$port",
	    auth => [ $user, "${user}pw" ],
	    loop => $loop,
	);
}

my $alice = ua("alice", $aport);
my $bob = ua("bob", $bport);

# Run the shared event loop until $$flag is set or $secs have passed.
sub wait_for {
	my ($flag, $secs) = @_;
	$loop->loop($secs, $flag) unless $$flag;
	return $$flag;
}

for my $u ([ alice => $alice ], [ bob => $bob ]) {
	my $expires = $u->[1]->register(expires => 60);
	check($expires && $expires > 0,
	    "$u->[0] registers with digest (expires " . ($expires // 0) . ")");
}

# One request in a context of its own; the final response, or undef.
sub request {
	my ($ua, $method, $uri, $body, %hdr) = @_;
	my ($done, $resp);
	my $user = ($ua->{from} =~ /sip:([^@]+)@/)[0];
	my $ctx = $ua->{endpoint}->new_request($method, {
	    from => $ua->{from}, to => "<$uri>", auth => [ $user, "${user}pw" ],
	    contact => $ua->{contact} },
	    sub {
		my ($ep, $ctx, $errno, $code, $pkt) = @_;
		return unless $pkt && $pkt->is_response;
		$resp = $pkt;
		$done = 1;
	    }, $body, uri => $uri, %hdr);
	wait_for(\$done, 5);
	return $resp;
}

# A subscription: the SUBSCRIBE's context kept for the dialog (Net::SIP
# closes a context at the final response to anything but an INVITE),
# NOTIFYs answered 200 and kept in @{$sub->{notifies}}.
sub subscribe {
	my ($ua, $uri, $event, $accept) = @_;
	my $sub = { notifies => [], ua => $ua };
	my $user = ($ua->{from} =~ /sip:([^@]+)@/)[0];
	my $ep = $ua->{endpoint};
	my $cb = sub {
		my ($ep, $ctx, $errno, $code, $pkt, $leg, $from) = @_;
		return unless $pkt;
		if ($pkt->is_response) {
			$sub->{resp} = $pkt;
			$ep->{ctx}{$ctx->callid} = $ctx;	# keep the dialog
			return;
		}
		# An in-dialog request: the NOTIFY.
		if (!$sub->{dialog}++) {
			$ctx->{to} = $pkt->get_header("from");
			my $c = $pkt->get_header("contact");
			$ctx->{remote_contact} = $1 if $c && $c =~ /<([^>]+)>/;
		}
		push @{ $sub->{notifies} }, $pkt;
		$ep->new_response($ctx, $pkt->create_response(200, "OK"),
		    $leg, $from);
	};
	$sub->{ctx} = $ep->new_request("SUBSCRIBE", {
	    from => $ua->{from}, to => "<$uri>", auth => [ $user, "${user}pw" ],
	    contact => $ua->{contact} }, $cb, undef, uri => $uri,
	    event => $event, accept => $accept, expires => 60);
	return $sub;
}

sub body { return (($_[0]->as_parts)[3]) // "" }

sub wait_notify {
	my ($sub, $n, $secs) = @_;
	my $end = time + $secs;
	while (@{ $sub->{notifies} } < $n && time < $end) {
		my $got = 0;
		$loop->loop(0.2, \$got);
	}
	return $sub->{notifies}[$n - 1];
}

# Any NOTIFY of the subscription whose body matches, waiting for it.
sub wait_body {
	my ($sub, $re, $secs) = @_;
	my $end = time + $secs;
	while (1) {
		for my $n (@{ $sub->{notifies} }) {
			return $n if body($n) =~ $re;
		}
		return undef if time >= $end;
		my $got = 0;
		$loop->loop(0.2, \$got);
	}
}

sub final_code {
	my ($sub, $secs) = @_;
	my $end = time + $secs;
	$loop->loop(0.2) while !$sub->{resp} && time < $end;
	return $sub->{resp} ? $sub->{resp}->code : 0;
}

sub pidf {
	my ($basic, $note) = @_;
	return qq{<?xml version="1.0" encoding="UTF-8"?>\n} .
	    qq{<presence xmlns="urn:ietf:params:xml:ns:pidf" } .
	    qq{entity="sip:alice\@$domain"><tuple id="netsip1"><status>} .
	    qq{<basic>$basic</basic></status>} .
	    qq{<contact>sip:alice\@127.0.0.1:$aport</contact></tuple>} .
	    qq{<note>$note</note></presence>\n};
}

my $auri = "sip:alice\@$domain";
my $r = request($alice, "PUBLISH", $auri, pidf("open", "Net::SIP here"),
    event => "presence", expires => 60,
    "content-type" => "application/pidf+xml");
check($r && $r->code == 200, "alice PUBLISHes an open PIDF: " .
    ($r ? $r->code . " " . $r->msg : "no answer"));
my $etag = $r ? $r->get_header("sip-etag") : undef;
check(defined $etag && $etag ne "", "the 200 carries a SIP-ETag");

my $winfo = subscribe($alice, $auri, "presence.winfo",
    "application/watcherinfo+xml");
my $wtag = ($winfo->{ctx}{from} =~ /;tag=([^;]+)/)[0];
note("alice's presence.winfo SUBSCRIBE From tag: $wtag (" .
    length($wtag) . " characters)");
my $code = final_code($winfo, 5);
check($code >= 200 && $code < 300,
    "alice SUBSCRIBEs to her watcher information: $code " .
    ($winfo->{resp} ? $winfo->{resp}->msg : ""));
my $n = wait_notify($winfo, 1, 5);
check($n && ($n->get_header("event") // "") eq "presence.winfo",
    "alice gets a presence.winfo NOTIFY");

my $pres = subscribe($bob, $auri, "presence", "application/pidf+xml");
my $btag = ($pres->{ctx}{from} =~ /;tag=([^;]+)/)[0];
check(length($btag) == 32,
    "bob's SUBSCRIBE carries Net::SIP's own tag: $btag (" .
    length($btag) . " characters)");
$code = final_code($pres, 5);
check($code >= 200 && $code < 300, "bob SUBSCRIBEs to alice's presence: " .
    "$code " . ($pres->{resp} ? $pres->{resp}->msg : ""));
$n = wait_notify($pres, 1, 5);
my $body = $n ? body($n) : "";
check($n && ($n->get_header("event") // "") eq "presence",
    "bob gets a presence NOTIFY");
check($body =~ m{<basic>open</basic>} && $body =~ m{Net::SIP here},
    "the NOTIFY has alice's open tuple and her note");
note("NOTIFY body: " . join(" ", split /\n/, $body));

# alice's watcher information now names bob.
my $w = wait_body($winfo, qr{status="active"[^>]*>sip:bob\@\Q$domain\E<}, 5);
check($w, "alice's watcher information lists bob, active");

$r = request($alice, "PUBLISH", $auri, pidf("closed", "gone"),
    event => "presence", expires => 60, "sip-if-match" => $etag,
    "content-type" => "application/pidf+xml");
check($r && $r->code == 200,
    "alice PUBLISHes closed, SIP-If-Match her entity-tag: " .
    ($r ? $r->code : "no answer"));
$etag = $r->get_header("sip-etag") if $r && $r->get_header("sip-etag");
$n = wait_notify($pres, 2, 5);
check($n && body($n) =~ m{<basic>closed</basic>} && body($n) =~ m{gone},
    "bob gets a NOTIFY with alice closed");

# Unsubscribe: the same dialog, Expires: 0.
my $before = @{ $pres->{notifies} };
$pres->{resp} = undef;
$bob->{endpoint}{ctx}{ $pres->{ctx}->callid } = $pres->{ctx};
$bob->{endpoint}->new_request("SUBSCRIBE", $pres->{ctx}, undef, undef,
    event => "presence", accept => "application/pidf+xml", expires => 0);
$code = final_code($pres, 5);
check($code >= 200 && $code < 300, "bob unsubscribes (Expires: 0): $code");
$n = wait_notify($pres, $before + 1, 5);
check($n && ($n->get_header("subscription-state") // "") =~ /^terminated/,
    "the last NOTIFY says terminated: " .
    ($n ? $n->get_header("subscription-state") // "" : "none"));
$w = wait_body($winfo,
    qr{status="terminated"[^>]*>sip:bob\@\Q$domain\E<}, 5);
check($w, "alice's watcher information shows bob's subscription ended");
note("watcher information: " . join(" ", split /\n/, body($_)))
    for @{ $winfo->{notifies} };

$r = request($alice, "PUBLISH", $auri, undef, event => "presence",
    expires => 0, "sip-if-match" => $etag);
note("alice removes her publication: " . ($r ? $r->code : "no answer"));
$_->register(expires => 0) for ($alice, $bob);
