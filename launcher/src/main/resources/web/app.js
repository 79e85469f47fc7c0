// The demo chat page on @switchboard/client. The launcher build bundles the TypeScript SDK into
// switchboard-client.js next to this file; everything about connections (reconnect, resume without gaps or
// duplicates, acked publishes that survive reconnects, typing expiry) is the SDK's job, this file only renders.
const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 20;
/** Text files up to this size show their text; larger ones (and other files) a link to save them. */
const TEXT_SHOWN_BYTES = 4096;
const params = new URLSearchParams(location.search);

let sdk;
try {
  sdk = await import('./switchboard-client.js');
} catch (e) {
  showBanner('The browser bundle switchboard-client.js is missing: it is built by the launcher build ' +
    '(needs Node and npm; -Dskip.npm=true skips it). Rebuild without -Dskip.npm to use this page.');
  throw e;
}

/** @type {import('@switchboard/client').SwitchboardClient | undefined} */
let client;
let pending = 0;
/** room name -> what the page knows about it */
const rooms = new Map();
let current;
/** Files sent to this user, by sender and file id, in the order they began to arrive: receiving, done or incomplete. */
const inbox = new Map();
let inboxOpened = false;

function newRoom(name) {
  return {
    name,
    messages: [],          // ascending by position
    keys: new Set(),       // epoch/position of every shown message: history pages and live delivery overlap
    pager: client.historyPager(name, PAGE_SIZE),
    loading: false,
    loadedOnce: false,
    members: [],           // the SDK's member list (by user id), kept right by its versioning rule
    membersNote: '',
    typing: [],
  };
}

// ------------------------------------------------------------------ sign in

async function fetchToken(name) {
  const res = await fetch('/demo/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'user=' + encodeURIComponent(name),
  });
  if (!res.ok) {
    throw new Error(`sign-in failed (${res.status}): ${await res.text()}`);
  }
  return (await res.json()).token;
}

$('signin-form').onsubmit = async (e) => {
  e.preventDefault();
  const name = $('name').value.trim();
  let token;
  try {
    token = await fetchToken(name);
  } catch (err) {
    showBanner(err.message);
    return;
  }
  if (client) {
    client.close();
  }
  rooms.clear();
  current = undefined;
  pending = 0;
  inbox.clear();
  inboxOpened = false;
  renderInbox();
  $('inbox-note').textContent = $('direct-status').textContent = '';
  sessionStorage.setItem('switchboard-demo-name', name);
  client = new sdk.SwitchboardClient({
    url: (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws',
    // JSON keeps the frames readable in the browser's developer tools; ?format=proto uses the binary one.
    format: params.get('format') === 'proto' ? 'proto' : 'json',
    clientName: 'demo-page/2',
    // "connect" may reuse the token; "expired" and "refresh" need a new one.
    token: async ({ reason }) => (reason === 'connect' ? token : (token = await fetchToken(name))),
  });
  wire(client);
  client.connect();
  $('user').textContent = 'signed in as ' + name;
  $('composer').disabled = $('send').disabled = $('join').disabled = $('attach-button').disabled = false;
  $('direct-user').disabled = $('direct-file-button').disabled = false;
  $('composer').placeholder = 'say something';
  hideBanner();
  join(params.get('room') || 'lobby');
};
$('name').value = sessionStorage.getItem('switchboard-demo-name') || '';
// Signing in works from here on (before, a click would submit the bare form and reload the page, and a name typed
// would be overwritten by the line above).
$('name').disabled = $('signin').disabled = false;

function wire(c) {
  c.on('state', (s) => {
    if (c !== client) return;
    const status = $('status');
    status.dataset.state = s.state;
    status.textContent = s.state + (s.state === 'reconnecting' && s.code ? ` (${s.code})` : '');
    if (s.state === 'connected') {
      hideBanner();
      // After the SDK's own work on the new connection (it resubscribes what it holds, the inbox too once opened).
      setTimeout(() => openInbox(c));
    }
    if (s.state === 'closed' && s.code) showBanner(`connection closed: ${s.code} ${s.reason || ''}`);
  });
  c.on('message', (m) => {
    const r = rooms.get(m.room);
    if (r && addMessage(r, m)) renderIfCurrent(r, { messages: true });
  });
  // A file (an image) arrived whole and checked; its manifest and chunk messages never reach 'message'.
  c.on('file', (f) => {
    const r = rooms.get(f.room);
    if (r && addMessage(r, fileEntry(f))) renderIfCurrent(r, { messages: true });
  });
  c.on('fileIncomplete', (f) => console.warn(`switchboard: file ${f.manifest.name} from ${f.sender} incomplete: ${f.reason} ${f.message}`));
  // Files sent to this user (sendFileToUser), from the inbox subscription: progress, then the file whole and checked,
  // or why it cannot be put together.
  c.on('inboxFileProgress', (p) => c === client && updateInbox(p.sender, p.manifest, { bytes: p.bytes }));
  c.on('inboxFile', (f) => c === client && updateInbox(f.sender, f.manifest, { received: fileEntry(f) }));
  c.on('inboxFileIncomplete', (f) => {
    if (c !== client) return;
    console.warn(`switchboard: file ${f.manifest.name} to you from ${f.sender} incomplete: ${f.reason} ${f.message}`);
    updateInbox(f.sender, f.manifest, { incomplete: f.reason });
  });
  c.on('subscribed', (s) => {
    if (s.serverSide && !rooms.has(s.room)) {
      // A backend subscribed this user (SubscribeUser): show the room like one joined by hand.
      rooms.set(s.room, newRoom(s.room));
      renderRooms();
    }
    const r = rooms.get(s.room);
    if (!r) return;
    // A resume that could not be served (retention passed, new epoch): reload the newest page instead.
    if (!r.loadedOnce || (s.resumed && !s.recovered)) {
      if (r.loadedOnce) {
        r.messages = [];
        r.keys.clear();
        r.pager.reset();
      }
      r.loadedOnce = true;
      loadEarlier(r);
    }
  });
  // The SDK reads the list on every (re)subscription and applies presence events by their versions.
  c.on('members', (list) => {
    const r = rooms.get(list.room);
    if (!r) return;
    r.members = list.members;
    r.membersNote = list.loaded && !list.complete ? `${list.users} users, first ${list.members.length} shown` : '';
    renderIfCurrent(r, { members: true });
  });
  c.on('typing', (t) => {
    const r = rooms.get(t.room);
    if (!r) return;
    r.typing = t.users;
    renderIfCurrent(r, { typing: true });
  });
  c.on('unsubscribed', (u) => {
    const r = rooms.get(u.room);
    if (r) {
      // ROOM_CLOSED (a backend closed it), PERMISSION_REVOKED (a refreshed token no longer grants it) or
      // SERVER_UNSUBSCRIBED (a backend ended this user's subscription).
      r.membersNote = `left: ${u.reason} ${u.message}`;
      renderIfCurrent(r, { members: true });
    }
  });
  c.on('error', (err) => console.warn('switchboard:', err.message));
}

// ------------------------------------------------------------------ rooms

$('join-form').onsubmit = (e) => {
  e.preventDefault();
  const name = $('room-input').value.trim();
  if (name) join(name);
  $('room-input').value = '';
};

function join(name) {
  if (!rooms.has(name)) {
    rooms.set(name, newRoom(name));
    client.subscribe(name, { presence: true }).catch((err) => {
      rooms.delete(name);
      showBanner(`cannot join ${name}: ${err.message}`);
      if (current === name) select(rooms.keys().next().value);
      else renderRooms();
    });
  }
  select(name);
}

function select(name) {
  current = name;
  renderRooms();
  const r = rooms.get(name);
  if (r) render(r, { messages: true, members: true, typing: true, scrollToEnd: true });
}

async function loadEarlier(r) {
  if (r.loading) return;
  r.loading = true;
  renderIfCurrent(r, {});
  try {
    const older = await r.pager.loadEarlier();
    // History holds a file as its manifest and chunks; this page shows a manifest as the file's name only (the
    // live 'file' event, with the bytes, replaces it) and skips the chunks.
    older.filter((m) => m.contentType !== sdk.FILE_CHUNK_CONTENT_TYPE).forEach((m) => addMessage(r, m));
  } catch (err) {
    showBanner(`history of ${r.name}: ${err.message}`);
  } finally {
    r.loading = false;
    renderIfCurrent(r, { messages: true });
  }
}
$('load-earlier').onclick = () => current && loadEarlier(rooms.get(current));

/** A received file as a message entry at its manifest's position, with a URL of its bytes (and a small text's text). */
function fileEntry(f) {
  const text = f.manifest.contentType.startsWith('text/') && f.data.length <= TEXT_SHOWN_BYTES
    ? new TextDecoder().decode(f.data) : undefined;
  return {
    room: f.room, position: f.position, epoch: f.epoch, id: f.manifest.fileId, sender: f.sender, timestamp: new Date(),
    file: f.manifest, url: URL.createObjectURL(new Blob([f.data], { type: f.manifest.contentType })), text,
  };
}

/** Inserts in position order; false when the message is shown already (a file's bytes replace its bare manifest). */
function addMessage(r, m) {
  const key = m.epoch + '/' + m.position;
  if (r.keys.has(key)) {
    const i = r.messages.findIndex((shown) => shown.epoch + '/' + shown.position === key);
    if (!m.url || i < 0 || r.messages[i].url) return false;
    r.messages[i] = m;
    return true;
  }
  r.keys.add(key);
  let i = r.messages.length;
  while (i > 0 && r.messages[i - 1].position > m.position) i--;
  r.messages.splice(i, 0, m);
  return true;
}

// ------------------------------------------------------------------ composing

$('composer').oninput = () => {
  if (current && $('composer').value) client.setTyping(current, true);
};

$('composer-form').onsubmit = (e) => {
  e.preventDefault();
  const text = $('composer').value;
  if (!text || !current) return;
  const r = rooms.get(current);
  const c = client;
  $('composer').value = '';
  c.setTyping(r.name, false);
  setPending(+1);
  // Sent at once, without waiting for the previous ack: the platform stores a connection's publishes into a room
  // in the order they were sent (docs/protocol.md section 4), and the SDK resends them in that order across
  // errors and reconnects, with their ids. The message itself is shown when it is delivered.
  c.publish(r.name, text)
    .catch((err) => showBanner(`not sent to ${r.name}: ${err.message}`))
    .finally(() => setPending(-1));
};

$('attach-button').onclick = () => $('attach').click();

$('attach').onchange = async () => {
  const file = $('attach').files[0];
  $('attach').value = '';
  if (!file || !current) return;
  const r = rooms.get(current);
  await sendChosenFile(file, $('file-status'), file.name, r.name, '', (data, options) => client.sendFile(r.name, data, options));
};

/**
 * Sends a chosen file with start (client.sendFile or client.sendFileToUser: the SDK sends a manifest, then
 * chunks within the connection's limits, resent across reconnects; progress counts the chunks the server has
 * stored), showing "sending <label>" and its progress in status, then doneText; a failure goes to the
 * banner, naming target.
 */
async function sendChosenFile(file, status, label, target, doneText, start) {
  try {
    const data = new Uint8Array(await file.arrayBuffer());
    status.textContent = `sending ${label}…`;
    const transfer = start(data, {
      name: file.name,
      contentType: file.type || 'application/octet-stream',
      onProgress: (p) => (status.textContent = `sending ${label}: ${percent(p.bytes, p.manifest.size)}%`),
    });
    await transfer.done;
    status.textContent = doneText;
  } catch (err) {
    status.textContent = '';
    showBanner(`${file.name} not sent to ${target}: ${err.message}`);
  }
}

// ------------------------------------------------------------------ files to a user, and this user's inbox

$('direct-form').onsubmit = (e) => {
  e.preventDefault();
  $('direct-file').click(); // the browser checked the user name first (required, pattern)
};

$('direct-file').onchange = async () => {
  const file = $('direct-file').files[0];
  $('direct-file').value = '';
  const to = $('direct-user').value.trim();
  const status = $('direct-status');
  if (!file) return;
  if (!$('direct-user').checkValidity()) {
    status.textContent = 'name the user to send it to first';
    return;
  }
  // Stored direct messages into the user's inbox.
  await sendChosenFile(file, status, `${file.name} to ${to}`, to, `${file.name} is in ${to}'s inbox`,
    (data, options) => client.sendFileToUser(to, data, options));
};

/**
 * Subscribes to this user's inbox once per sign-in, on the first connection (the gateway names the inbox in its
 * Connected); the SDK resumes it across reconnects. It starts at the oldest file the inbox keeps, so every file sent
 * to this user while retained shows after each sign-in.
 */
function openInbox(c) {
  if (c !== client || inboxOpened || c.state !== 'connected') return;
  inboxOpened = true;
  if (!c.inbox) {
    $('inbox-note').textContent = 'this gateway keeps no inboxes (no stored direct messages)';
    return;
  }
  Promise.resolve().then(() => c.subscribeInbox())
    .catch((err) => ($('inbox-note').textContent = `inbox: ${err.message}`));
}

function updateInbox(sender, manifest, change) {
  const key = sender + '/' + manifest.fileId;
  const entry = inbox.get(key) ?? { sender, manifest, bytes: 0 };
  if (entry.received) return; // whole already: a late progress event changes nothing
  Object.assign(entry, change);
  inbox.set(key, entry);
  renderInbox();
}

function setPending(delta) {
  pending += delta;
  $('status').dataset.pending = String(pending);
  $('status').title = pending ? `${pending} message(s) waiting for the server` : 'connection state';
}

// ------------------------------------------------------------------ rendering

function renderIfCurrent(r, what) {
  if (r.name === current) render(r, what);
}

function render(r, what) {
  $('load-earlier').hidden = !r.pager.hasMore;
  $('load-earlier').disabled = r.loading;
  if (what.messages) renderMessages(r, what.scrollToEnd);
  if (what.members) renderMembers(r);
  if (what.typing) renderTyping(r);
}

function renderRooms() {
  const ul = $('rooms');
  ul.replaceChildren(...[...rooms.keys()].map((name) => {
    const li = el('li', { 'data-testid': 'room', 'data-room': name }, name);
    if (name === current) li.className = 'current';
    li.onclick = () => select(name);
    return li;
  }));
}

function renderMessages(r, scrollToEnd) {
  const ul = $('messages');
  const atEnd = ul.scrollHeight - ul.scrollTop - ul.clientHeight < 40;
  const fromEnd = ul.scrollHeight - ul.scrollTop;
  ul.replaceChildren(...r.messages.map((m) => {
    const time = m.timestamp ? m.timestamp.toLocaleTimeString() : '';
    return el('li', { 'data-testid': 'message', 'data-id': m.id, 'data-sender': m.sender, 'data-position': String(m.position) },
      el('span', { class: 'meta' }, `${time} #${m.position}`),
      el('b', { 'data-testid': 'sender' }, m.sender),
      ': ',
      ...body(m));
  }));
  // Follow new messages when at the end; keep the view still when older ones are put above it.
  ul.scrollTop = scrollToEnd || atEnd ? ul.scrollHeight : ul.scrollHeight - fromEnd;
}

/** What a message shows: its text; a file's name, and a received image itself (or a link to other files). */
function body(m) {
  if (m.contentType === sdk.FILE_MANIFEST_CONTENT_TYPE && !m.url) {
    const manifest = sdk.parseManifest(m.payload);
    return [el('span', { 'data-testid': 'file-name' }, `${manifest.name} (${kb(manifest.size)}, sent earlier)`)];
  }
  if (!m.url) return [el('span', { 'data-testid': 'text' }, sdk.textOf(m))];
  return fileView(m);
}

/** A received file (a fileEntry): its name and size, and the image itself, a small text's text, or a link to save it. */
function fileView(f) {
  const caption = el('span', { 'data-testid': 'file-name' }, `${f.file.name} (${kb(f.file.size)})`);
  if (f.file.contentType.startsWith('image/')) {
    return [caption, el('img', { 'data-testid': 'file-image', src: f.url, alt: f.file.name })];
  }
  const link = el('a', { href: f.url, download: f.file.name }, caption);
  return f.text === undefined ? [link] : [link, el('pre', { 'data-testid': 'file-text' }, f.text)];
}

function renderInbox() {
  const entries = [...inbox.values()];
  $('inbox').replaceChildren(...entries.map((e) => {
    const state = e.received ? 'received' : e.incomplete ? 'incomplete' : 'receiving';
    const li = el('li', { 'data-testid': 'inbox-file', 'data-state': state, 'data-sender': e.sender, 'data-file-id': e.manifest.fileId });
    if (e.received) li.append(el('span', { class: 'meta' }, e.received.timestamp.toLocaleTimeString()));
    li.append(el('b', { 'data-testid': 'sender' }, e.sender), ': ');
    if (e.received) {
      li.append(...fileView(e.received));
    } else {
      li.append(el('span', { 'data-testid': 'file-name' }, e.manifest.name), el('span', { class: 'notice' },
        e.incomplete ? ` incomplete (${e.incomplete})` : ` receiving ${percent(e.bytes, e.manifest.size)}%`));
    }
    return li;
  }));
  $('inbox-count').textContent = entries.length ? `(${entries.length})` : '';
}

function percent(bytes, size) {
  return Math.floor((100 * bytes) / Math.max(1, size));
}

function kb(bytes) {
  return bytes < 1024 ? `${bytes} B` : `${Math.round(bytes / 1024)} KB`;
}

function renderMembers(r) {
  const me = client.userId;
  const members = r.members;
  $('members').replaceChildren(...members.map((m) => {
    const li = el('li',
      { 'data-testid': 'member', 'data-user': m.userId, 'data-status': m.status },
      m.userId + (m.userId === me ? ' (you)' : ''),
      m.status !== 'online' ? ` ${m.status}${m.statusText ? ': ' + m.statusText : ''}` : '',
      m.devices > 1 ? el('span', { class: 'devices' }, ` ${m.devices} tabs`) : '');
    if (m.userId !== me) {
      li.dataset.other = '';
      li.title = `click to send ${m.userId} a file`;
      li.onclick = () => ($('direct-user').value = m.userId);
    }
    return li;
  }));
  $('member-count').textContent = members.length ? `(${members.length})` : '';
  $('members-note').textContent = r.membersNote;
}

function renderTyping(r) {
  const users = r.typing;
  $('typing').textContent =
    users.length === 0 ? '' :
    users.length === 1 ? `${users[0]} is typing…` :
    users.length === 2 ? `${users[0]} and ${users[1]} are typing…` :
    `${users[0]}, ${users[1]} and ${users.length - 2} more are typing…`;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function showBanner(text) {
  $('banner').textContent = text;
  $('banner').hidden = false;
}

function hideBanner() {
  $('banner').hidden = true;
}
