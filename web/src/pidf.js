// The presence documents the page writes and reads: PIDF (RFC 3863)
// with RPID activities for away and busy (RFC 4480), as imc writes
// them, and watcher information (RFC 3858).

const PIDF = 'urn:ietf:params:xml:ns:pidf';
const RPID = 'urn:ietf:params:xml:ns:pidf:rpid';
const WINFO = 'urn:ietf:params:xml:ns:watcherinfo';

function esc(s) {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);
}

// state: open, away, busy or closed.
export function pidfMake(entity, state, note) {
  const basic = state === 'closed' ? 'closed' : 'open';
  const person = state === 'away' || state === 'busy' ?
    `<dm:person id="p-web"><rpid:activities><rpid:${state}/></rpid:activities></dm:person>` : '';
  return '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<presence xmlns="${PIDF}" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" ` +
    `xmlns:rpid="${RPID}" entity="pres:${esc(entity)}">` +
    `<tuple id="web"><status><basic>${basic}</basic></status>` +
    (note ? `<note>${esc(note)}</note>` : '') + `</tuple>${person}</presence>`;
}

function parse(xml) {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  return doc.getElementsByTagName('parsererror').length ? null : doc;
}

// The most present of the tuples, an activity, the first note.
export function pidfRead(xml) {
  const doc = parse(xml);
  if (!doc) return { state: 'unknown', note: '' };
  const basics = [...doc.getElementsByTagNameNS(PIDF, 'basic')].map((b) => b.textContent.trim());
  let state = basics.includes('open') ? 'open' : basics.length ? 'closed' : 'unknown';
  if (state === 'open') {
    if (doc.getElementsByTagNameNS(RPID, 'busy').length) state = 'busy';
    else if (doc.getElementsByTagNameNS(RPID, 'away').length) state = 'away';
  }
  const note = doc.getElementsByTagNameNS(PIDF, 'note')[0];
  return { state, note: note ? note.textContent.trim() : '' };
}

export function winfoRead(xml) {
  const doc = parse(xml);
  if (!doc) return [];
  return [...doc.getElementsByTagNameNS(WINFO, 'watcher')].map((w) => ({
    address: w.textContent.trim().replace(/^sip:/, '').toLowerCase(),
    status: w.getAttribute('status'),
  }));
}
