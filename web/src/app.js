// imd's web client: SIP over a WebSocket to imd's listener, with JsSIP.
// Log in (REGISTER), chat (MESSAGE), buddies' presence (SUBSCRIBE to
// each, PIDF), our own status (PUBLISH), and who asks to see us
// (SUBSCRIBE presence.winfo; approve or block with a PUBLISH of
// x-imd-authorize, docs/presence.md), voice calls (call.js).  History
// lives in this page only.

import JsSIP from 'jssip/lib/JsSIP';
import { OutgoingRequest } from 'jssip/lib/SIPMessage';
import RequestSender from 'jssip/lib/RequestSender';
import { pidfMake, pidfRead, winfoRead } from './pidf.js';
import { callConnection, callControls, callEnd, callIncoming, callStart }
  from './call.js';

const $ = (id) => document.getElementById(id);
// Short, so that a page closed without logging out looks offline soon.
const PUBLISH_EXPIRES = 120;
const SUBSCRIBE_EXPIRES = 600;

let ua = null;
let me = '';
let everRegistered = false;
let wasConnected = false;
const buddies = new Map();	// address -> { state, note, sub, unread }
const chats = new Map();	// address -> [ { mine, text, when, ... } ]
let current = null;		// the address whose chat is shown
let etag = null;		// of our presence document
let refresh = null;
let winfo = null;

// One id per browser: the same instance after a reload replaces its
// old flow (RFC 5626) instead of adding a binding.
function instanceId() {
  let id = localStorage.getItem('imd.instance');
  if (!id) {
    id = crypto.randomUUID();
    localStorage.setItem('imd.instance', id);
  }
  return id;
}

function banner(text, bad) {
  const b = $('banner');
  b.textContent = text || '';
  b.hidden = !text;
  b.classList.toggle('bad', !!bad);
}

function defaultServer() {
  return (location.protocol === 'https:' ? 'wss://' : 'ws://') +
    location.host + '/';
}

function savedBuddies() {
  try {
    return JSON.parse(localStorage.getItem('imd.buddies.' + me)) || [];
  } catch (e) {
    return [];
  }
}

function saveBuddies() {
  localStorage.setItem('imd.buddies.' + me, JSON.stringify([...buddies.keys()]));
}

// A request JsSIP has no API for (PUBLISH), digest included.
function sendRequest(method, target, headers, body) {
  return new Promise((resolve) => {
    const req = new OutgoingRequest(method, ua.normalizeTarget(target), ua, {},
      headers, body);
    const sender = new RequestSender(ua, req, {
      onReceiveResponse: (r) => { if (r.status_code >= 200) resolve(r); },
      onRequestTimeout: () => resolve({ status_code: 408 }),
      onTransportError: () => resolve({ status_code: 503 }),
      onAuthenticated: () => {},
    });
    sender.send();
  });
}

async function publishStatus() {
  const state = $('my-status').value;
  const body = pidfMake(me, state, $('my-note').value.trim());
  const headers = ['Event: presence', 'Content-Type: application/pidf+xml',
    'Expires: ' + PUBLISH_EXPIRES];
  if (etag) headers.push('SIP-If-Match: ' + etag);
  let r = await sendRequest('PUBLISH', 'sip:' + me, headers, body);
  if (r.status_code === 412 && etag) {	// the server forgot it: anew
    etag = null;
    return publishStatus();
  }
  if (r.status_code === 200) {
    etag = r.getHeader('SIP-ETag');
    clearTimeout(refresh);
    refresh = setTimeout(publishStatus, (PUBLISH_EXPIRES - 60) * 1000);
  } else {
    banner('Could not publish your status (' + r.status_code + ').', true);
  }
}

// Logging out: our document goes at once (RFC 3903 4.5: Expires 0).
async function unpublish() {
  clearTimeout(refresh);
  if (!etag) return;
  await sendRequest('PUBLISH', 'sip:' + me, ['Event: presence', 'Expires: 0',
    'SIP-If-Match: ' + etag]);
  etag = null;
}

async function decide(watcher, verdict) {
  const r = await sendRequest('PUBLISH', 'sip:' + me,
    ['Event: x-imd-authorize', 'Content-Type: text/plain'],
    verdict + ' sip:' + watcher + '\r\n');
  if (r.status_code !== 200)
    banner('Could not ' + verdict + ' ' + watcher + ' (' + r.status_code + ').', true);
}

// Buddies and their presence.

function renderBuddies() {
  const ul = $('buddies');
  ul.replaceChildren();
  for (const [addr, b] of buddies) {
    const li = document.createElement('li');
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.className = b.state + (b.unread ? ' unread' : '');
    btn.dataset.address = addr;
    btn.setAttribute('aria-current', addr === current ? 'true' : 'false');
    const dot = document.createElement('span');
    dot.className = 'dot';
    dot.setAttribute('aria-hidden', 'true');
    const name = document.createElement('span');
    name.textContent = addr + (b.unread ? ' (' + b.unread + ' new)' : '');
    const state = document.createElement('span');
    state.className = 'visually-hidden state';
    state.textContent = ', ' + stateName(b.state);
    btn.append(dot, name, state);
    if (b.note) {
      const note = document.createElement('span');
      note.className = 'note';
      note.textContent = b.note;
      btn.append(note);
    }
    btn.addEventListener('click', () => openChat(addr));
    li.append(btn);
    ul.append(li);
  }
}

function stateName(s) {
  return { open: 'available', away: 'away', busy: 'busy', closed: 'offline' }[s] ||
    'unknown';
}

function watch(addr) {
  const b = buddies.get(addr);
  const sub = ua.subscribe('sip:' + addr, 'presence', 'application/pidf+xml',
    { expires: SUBSCRIBE_EXPIRES });
  sub.on('notify', (isFinal, req, body) => {
    const p = pidfRead(body || '');
    b.state = p.state;
    b.note = p.note;
    renderBuddies();
  });
  sub.on('terminated', () => {
    b.state = 'unknown';
    b.sub = null;
    renderBuddies();
    // Pending approval or a lost connection: ask again later.
    setTimeout(() => { if (ua && buddies.get(addr) === b && !b.sub) watch(addr); },
      30000);
  });
  b.sub = sub;
  sub.subscribe();
}

function addBuddy(addr) {
  addr = addr.trim().toLowerCase().replace(/^sip:/, '');
  if (!addr || buddies.has(addr) || addr === me) return;
  buddies.set(addr, { state: 'unknown', note: '', sub: null, unread: 0 });
  saveBuddies();
  renderBuddies();
  if (ua && ua.isRegistered()) watch(addr);
}

// Watchers waiting for our decision.

function renderWatchers(list) {
  const ul = $('watchers');
  ul.replaceChildren();
  const waiting = list.filter((w) => w.status === 'pending' || w.status === 'waiting');
  for (const w of waiting) {
    const li = document.createElement('li');
    li.dataset.watcher = w.address;
    const who = document.createElement('span');
    who.textContent = w.address + ' ';
    const yes = document.createElement('button');
    yes.type = 'button';
    yes.textContent = 'Approve';
    yes.setAttribute('aria-label', 'Approve ' + w.address);
    yes.addEventListener('click', () => { li.remove(); decide(w.address, 'allow'); addBuddy(w.address); });
    const no = document.createElement('button');
    no.type = 'button';
    no.textContent = 'Block';
    no.setAttribute('aria-label', 'Block ' + w.address);
    no.addEventListener('click', () => { li.remove(); decide(w.address, 'block'); });
    li.append(who, yes, ' ', no);
    ul.append(li);
  }
  $('watchers-box').hidden = waiting.length === 0;
}

function watchWatchers() {
  winfo = ua.subscribe('sip:' + me, 'presence.winfo', 'application/watcherinfo+xml',
    { expires: SUBSCRIBE_EXPIRES });
  // JsSIP 3.13's grammar writes a template package as "presence.,winfo"
  // (and reads NOTIFYs the same way, so only what is sent is mended).
  winfo._headers = winfo._headers.map((h) => h.replace(/^Event: .*/, 'Event: presence.winfo'));
  winfo.on('notify', (isFinal, req, body) => renderWatchers(winfoRead(body || '')));
  winfo.on('terminated', () => {
    winfo = null;
    setTimeout(() => { if (ua && !winfo) watchWatchers(); }, 30000);
  });
  winfo.subscribe();
}

// Chats.

function chatOf(addr) {
  if (!chats.has(addr)) chats.set(addr, []);
  return chats.get(addr);
}

function renderTabs() {
  const tabs = $('tabs');
  tabs.replaceChildren();
  for (const addr of chats.keys()) {
    const t = document.createElement('button');
    t.type = 'button';
    t.setAttribute('role', 'tab');
    t.setAttribute('aria-selected', addr === current ? 'true' : 'false');
    t.textContent = addr;
    t.addEventListener('click', () => openChat(addr));
    tabs.append(t);
  }
}

function renderLog() {
  const log = $('log');
  log.replaceChildren();
  for (const m of chatOf(current)) {
    const li = document.createElement('li');
    li.className = (m.mine ? 'mine' : 'theirs') + (m.failed ? ' failed' : '');
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = m.text;
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = (m.mine ? 'me' : current) + ', ' +
      m.when.toLocaleTimeString() + (m.offline ? ', sent while you were away' : '') +
      (m.queued ? ', kept until they are back' : '') +
      (m.failed ? ', not delivered: ' + m.failed : '');
    li.append(text, meta);
    log.append(li);
  }
  log.scrollTop = log.scrollHeight;
}

function openChat(addr) {
  current = addr;
  chatOf(addr);
  if (buddies.has(addr)) buddies.get(addr).unread = 0;
  $('no-chat').hidden = true;
  $('log').hidden = false;
  $('send').hidden = false;
  $('text-label').textContent = 'Message to ' + addr;
  $('call-button').setAttribute('aria-label', 'Call ' + addr);
  renderTabs();
  renderLog();
  renderBuddies();
  $('text').focus();
}

function received(e) {
  if (e.originator !== 'remote') return;
  const req = e.request;
  const from = (req.from.uri.user + '@' + req.from.uri.host).toLowerCase();
  const date = req.getHeader('Date');
  const when = date ? new Date(date) : new Date();
  const offline = date && Date.now() - when.getTime() > 60000;
  chatOf(from).push({ mine: false, text: req.body || '', when, offline });
  if (from !== current) {
    if (!buddies.has(from)) addBuddy(from);
    buddies.get(from).unread++;
    renderTabs();
    renderBuddies();
    if (current === null) openChat(from);
  } else {
    renderLog();
  }
}

function send(text) {
  const m = { mine: true, text, when: new Date() };
  const to = current;
  chatOf(to).push(m);
  renderLog();
  ua.sendMessage('sip:' + to, text, {
    contentType: 'text/plain;charset=utf-8',
    eventHandlers: {
      succeeded: (e) => {
        if (e.response && e.response.status_code === 202) {
          m.queued = true;	// kept by the server until they are back
          if (current === to) renderLog();
        }
      },
      failed: (e) => {
        m.failed = e.response ? e.response.status_code + ' ' + e.response.reason_phrase : e.cause;
        if (current === to) renderLog();
      },
    },
  });
}

// Logging in and out, and the connection's ups and downs.

function loggedIn() {
  $('login').hidden = true;
  $('app').hidden = false;
  $('me').hidden = false;
  $('me-address').textContent = me;
  for (const a of savedBuddies()) addBuddy(a);
  for (const a of buddies.keys()) watch(a);
  watchWatchers();
  publishStatus();
}

function login(address, password, server) {
  me = address.trim().toLowerCase().replace(/^sip:/, '');
  everRegistered = wasConnected = false;
  $('login-error').textContent = '';
  $('login-button').disabled = true;
  const socket = new JsSIP.WebSocketInterface(server);
  ua = new JsSIP.UA({
    sockets: [socket], uri: 'sip:' + me, password,
    instance_id: instanceId(), register: true, register_expires: 600,
    user_agent: 'imd web', session_timers: false,
    connection_recovery_min_interval: 1, connection_recovery_max_interval: 10,
  });
  ua.on('connected', () => {
    if (wasConnected) banner('Connected again.');
    wasConnected = true;
  });
  ua.on('disconnected', () => {
    if (everRegistered) {
      banner('Connection lost. Reconnecting…', true);
    } else if (!wasConnected) {
      $('login-error').textContent = 'Cannot reach the server at ' + server + '.';
      logout();
    }
  });
  ua.on('registered', () => {
    if (!everRegistered) {
      everRegistered = true;
      loggedIn();
    } else {
      banner('');
      for (const [a, b] of buddies) if (!b.sub) watch(a);
    }
  });
  ua.on('registrationFailed', (e) => {
    const code = e.response ? e.response.status_code : 0;
    if (!everRegistered) {
      $('login-error').textContent = code === 401 || code === 403 || code === 407 ||
        e.cause === JsSIP.C.causes.AUTHENTICATION_ERROR ?
        'Wrong address or password.' : 'Cannot log in: ' + (code || e.cause) + '.';
      logout();
    } else {
      banner('Cannot register again: ' + (code || e.cause) + '.', true);
    }
  });
  ua.on('newMessage', received);
  ua.on('newRTCSession', callIncoming);
  ua.start();
}

function logout() {
  callEnd();
  if (ua) {
    const old = ua;
    ua = null;
    old.removeAllListeners();
    old.stop();
  }
  clearTimeout(refresh);
  etag = null;
  buddies.clear();
  chats.clear();
  current = null;
  winfo = null;
  $('login-button').disabled = false;
  $('login').hidden = false;
  $('app').hidden = true;
  $('me').hidden = true;
  banner('');
}

// The page's controls.

$('login-server').value = defaultServer();
$('login-address').value = localStorage.getItem('imd.address') || '';
$('login').addEventListener('submit', (ev) => {
  ev.preventDefault();
  localStorage.setItem('imd.address', $('login-address').value);
  login($('login-address').value, $('login-password').value, $('login-server').value);
});
$('logout').addEventListener('click', async () => {
  await unpublish();
  logout();
  $('login-address').focus();
});
$('add-buddy').addEventListener('submit', (ev) => {
  ev.preventDefault();
  addBuddy($('add-address').value);
  $('add-address').value = '';
});
$('send').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const text = $('text').value;
  if (text.trim() === '' || !current) return;
  $('text').value = '';
  send(text);
});
// Enter sends, Shift+Enter starts a new line.
$('text').addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && !ev.shiftKey) {
    ev.preventDefault();
    $('send').requestSubmit();
  }
});
$('call-button').addEventListener('click', () => { if (current) callStart(ua, current); });
callControls();
$('my-status').addEventListener('change', publishStatus);
// The call's RTCPeerConnection, for its statistics from the console.
window.imdCallConnection = callConnection;
$('my-note').addEventListener('change', publishStatus);
