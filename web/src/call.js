// Voice calls of the web client: one at a time, audio only, with
// JsSIP's RTCSession (an INVITE through imd, media peer to peer over
// DTLS-SRTP and ICE).  The call bar shows who, the state (calling,
// ringing, in call, on hold, ended, busy, declined, no answer) and the
// buttons that fit it: Answer and Decline for a call coming in, Hold or
// Resume and Hang up else.

import JsSIP from 'jssip/lib/JsSIP';

const $ = (id) => document.getElementById(id);
const MEDIA = { audio: true, video: false };
// Loopback and the host's own addresses are enough for the calls imd
// proxies; a STUN or TURN server would go here.
const PC_CONFIG = { iceServers: [] };
const CAUSES = {
  [JsSIP.C.causes.BUSY]: 'busy',
  [JsSIP.C.causes.REJECTED]: 'declined',
  [JsSIP.C.causes.NO_ANSWER]: 'no answer',
  [JsSIP.C.causes.REQUEST_TIMEOUT]: 'no answer',
  [JsSIP.C.causes.UNAVAILABLE]: 'not available',
  [JsSIP.C.causes.NOT_FOUND]: 'no such user',
  [JsSIP.C.causes.CANCELED]: 'missed',
  [JsSIP.C.causes.USER_DENIED_MEDIA_ACCESS]: 'no microphone',
  [JsSIP.C.causes.BAD_MEDIA_DESCRIPTION]: 'no media in common',
  [JsSIP.C.causes.INCOMPATIBLE_SDP]: 'no media in common',
};

let session = null;
let peer = '';

function show(state) {
  $('call-bar').hidden = false;
  $('call-peer').textContent = peer;
  $('call-state').textContent = state;
  const incoming = state === 'incoming call';
  const live = session !== null;
  $('call-answer').hidden = !incoming;
  $('call-decline').hidden = !incoming;
  $('call-hangup').hidden = incoming || !live;
  $('call-hold').hidden = !live || !/^(in call|on hold)/.test(state);
  $('call-hold').textContent = session && session.isOnHold().local ?
    'Resume' : 'Hold';
  $('call-close').hidden = live;
  $('call-button').disabled = live;
}

function hear(pc) {
  const play = (stream) => { $('call-audio').srcObject = stream; };
  pc.addEventListener('track', (e) => play(e.streams[0]));
  const rx = pc.getReceivers().map((r) => r.track).filter(Boolean);
  if (rx.length) play(new MediaStream(rx));
}

function follow(s) {
  let rang = false;
  session = s;
  s.on('progress', () => {
    if (s.direction !== 'outgoing') return;
    rang = true;
    show('ringing');
  });
  s.on('peerconnection', (e) => hear(e.peerconnection));
  s.on('confirmed', () => show('in call'));
  // A hold either way is a re-INVITE through imd (RFC 6337 5.3).
  const held = () => {
    const h = s.isOnHold();
    show(h.local ? 'on hold' : h.remote ? 'on hold, by them' : 'in call');
  };
  s.on('hold', held);
  s.on('unhold', held);
  s.on('ended', () => { session = null; show('ended'); });
  s.on('failed', (e) => {
    session = null;
    if (e.originator === 'local' && e.cause === JsSIP.C.causes.CANCELED)
      show('ended');	// we hung up before they answered
    else if (e.cause === JsSIP.C.causes.UNAVAILABLE && rang)
      show('no answer');	// imd's 480 after ringing (limit ring-time)
    else
      show(CAUSES[e.cause] || 'failed: ' + e.cause);
  });
  if (s.connection) hear(s.connection);
}

function addressOf(uri) {
  return (uri.user + '@' + uri.host).toLowerCase();
}

// A call to addr from the chat window.
export function callStart(ua, addr) {
  if (session) return;
  peer = addr;
  follow(ua.call('sip:' + addr, { mediaConstraints: MEDIA,
    pcConfig: PC_CONFIG }));
  show('calling');
  $('call-hangup').focus();
}

// A call coming in: answered or declined by the user; a second one
// while we are in a call is busy.
export function callIncoming(e) {
  if (e.originator !== 'remote') return;
  if (session) {
    e.session.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
    return;
  }
  peer = addressOf(e.request.from.uri);
  follow(e.session);
  show('incoming call');
  $('call-answer').focus();
}

// The call bar's buttons.
export function callControls() {
  $('call-answer').addEventListener('click', () => {
    session.answer({ mediaConstraints: MEDIA, pcConfig: PC_CONFIG });
    show('connecting');
    $('call-hangup').focus();
  });
  $('call-decline').addEventListener('click', () =>
    session.terminate({ status_code: 603, reason_phrase: 'Decline' }));
  $('call-hangup').addEventListener('click', () => session.terminate());
  $('call-hold').addEventListener('click', () => {
    if (session.isOnHold().local) session.unhold();
    else session.hold();
  });
  $('call-close').addEventListener('click', () => { $('call-bar').hidden = true; });
}

// Logging out ends the call.
export function callEnd() {
  if (session) session.terminate();
  session = null;
  $('call-bar').hidden = true;
}

// The page's peer connection, for its statistics (and the tests).
export function callConnection() {
  return session ? session.connection : null;
}
