// Browser test of the demo chat page: two users (alice, bob) in headless Chromium against a running platform.
//
//   node chat.mjs <baseUrl> [--no-restart] [--expect-fallback]
//
// Both sign in, see each other in the member list, see each other typing, chat, page back through history
// (bob reloads, loads earlier; both member lists show both of them throughout the reload), then the script
// prints RESTART_GATEWAY and waits for a line RESTARTED on stdin (the launcher's DemoBrowserTest restarts
// gateway 0 meanwhile), keeps chatting, and checks on both pages that every message sent is shown exactly once,
// in the same order, that both are connected again and that each member list shows exactly alice and bob.
// --expect-fallback (the page behind a proxy that refuses WebSocket upgrades): also checks that each page tried a
// WebSocket, that none ever carried a frame, and that each page opened HTTP fallback event streams (GET /sse, 200).
// At the end alice sends an image (a PNG of noise drawn in her page, several chunks): both pages must show it, decoded
// to the same size and the same pixels. Then she sends bob a text file through "File to a user": bob's page must show
// it in his inbox, from alice, with its name and its text, and alice's page that it is in bob's inbox.
// Exit code 0 = pass. Screenshots of failures go to $E2E_ARTIFACTS (default ./test-results).
import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const base = process.argv[2];
const restart = !process.argv.includes('--no-restart');
const expectFallback = process.argv.includes('--expect-fallback');
if (!base) {
  console.error('usage: node chat.mjs <baseUrl> [--no-restart]');
  process.exit(2);
}
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = process.env.E2E_ARTIFACTS || 'test-results';
const WAIT_MS = 30_000;           // one UI expectation (generous: CI machines have 2 cores)
const RECONNECT_MS = 60_000;      // back to connected after the gateway restart (SDK backoff is capped at 30 s)
const PAGE_SIZE = 20;             // app.js's history page size
const ROOM = 'demo:e2e-' + Date.now().toString(36); // the demo token grants lobby and demo:*
const step = (text) => console.log('STEP ' + text);

// ------------------------------------------------------------------ page helpers

/** Waits for fn(arg) to be truthy in the page; on timeout fails with what the page shows. */
async function until(user, what, fn, arg, timeout = WAIT_MS) {
  try {
    await user.page.waitForFunction(fn, arg, { timeout, polling: 100 });
  } catch (e) {
    throw new Error(`${user.name}: ${what} (waited ${timeout} ms)\n  page shows: ${JSON.stringify(await snapshot(user))}\n  ${e.message.split('\n')[0]}`);
  }
}

async function snapshot(user) {
  return user.page.evaluate(() => ({
    status: document.querySelector('[data-testid=status]')?.dataset.state,
    messages: [...document.querySelectorAll('[data-testid=message] [data-testid=text]')].map((e) => e.textContent),
    members: [...document.querySelectorAll('[data-testid=member]')].map((e) => e.dataset.user),
    typing: document.querySelector('[data-testid=typing]')?.textContent,
    banner: document.querySelector('[data-testid=banner]:not([hidden])')?.textContent,
    inbox: [...document.querySelectorAll('[data-testid=inbox-file]')].map((e) => e.textContent),
    sending: document.querySelector('[data-testid=direct-status]')?.textContent,
  })).catch((e) => ({ unavailable: e.message }));
}

const shownTexts = () =>
  [...document.querySelectorAll('[data-testid=message] [data-testid=text]')].map((e) => e.textContent);

async function texts(user) {
  return user.page.evaluate(shownTexts);
}

async function signIn(user) {
  await user.page.goto(`${base}?room=${ROOM}`);
  await user.page.getByTestId('name').fill(user.name);
  await user.page.getByTestId('signin').click();
  await connected(user, WAIT_MS);
}

async function connected(user, timeout) {
  await until(user, 'status connected', () => document.querySelector('[data-testid=status]').dataset.state === 'connected', null, timeout);
}

async function send(user, text) {
  await user.page.getByTestId('composer').fill(text);
  await user.page.getByTestId('composer').press('Enter');
  user.sent.push(text);
}

/** Waits until the page shows exactly `expected` messages, in that order. */
async function showsExactly(user, expected, what) {
  await until(user, `${what}: expected ${JSON.stringify(expected)}`,
    (want) => {
      const got = [...document.querySelectorAll('[data-testid=message] [data-testid=text]')].map((e) => e.textContent);
      return got.length === want.length && got.every((t, i) => t === want[i]);
    }, expected);
}

/** Waits until the page shows every one of `sent` (in any order), then returns what it shows. */
async function showsAll(user, sent, timeout = 2 * WAIT_MS) {
  await until(user, `all ${sent.length} sent messages shown`,
    (want) => {
      const got = new Set([...document.querySelectorAll('[data-testid=message] [data-testid=text]')].map((e) => e.textContent));
      return want.every((t) => got.has(t));
    }, sent, timeout);
  return texts(user);
}

/** Waits until the member list shows exactly `names` (sorted), each with one device. */
async function membersExactly(user, names) {
  await until(user, `members exactly ${names}, one device each`,
    (want) => {
      const got = [...document.querySelectorAll('[data-testid=member]')];
      return JSON.stringify(got.map((e) => e.dataset.user)) === JSON.stringify(want)
        && got.every((e) => !e.querySelector('.devices'));
    }, names);
}

/** From now on the page records every member list it shows (to check later that nobody vanished meanwhile). */
async function recordMembers(user) {
  await user.page.evaluate(() => {
    const list = document.querySelector('[data-testid=members]');
    const shown = () => [...list.querySelectorAll('[data-testid=member]')].map((e) => e.dataset.user).join(',');
    window.memberLists = [shown()];
    new MutationObserver(() => window.memberLists.push(shown())).observe(list, { childList: true, subtree: true });
  });
}

async function recordedMembers(user) {
  return user.page.evaluate(() => window.memberLists);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Every message once, both senders' messages in their send order, positions strictly ascending. */
async function checkConversation(user, all, alice, bob) {
  const shown = await texts(user);
  const positions = await user.page.evaluate(() =>
    [...document.querySelectorAll('[data-testid=message]')].map((e) => BigInt(e.dataset.position).toString()));
  check(shown.length === all.length, `${user.name}: ${shown.length} messages shown, ${all.length} sent: ${JSON.stringify(shown)}`);
  check(new Set(shown).size === shown.length, `${user.name}: duplicates in ${JSON.stringify(shown)}`);
  for (const who of [alice, bob]) {
    const mine = shown.filter((t) => t.startsWith(who.name + ' '));
    check(JSON.stringify(mine) === JSON.stringify(who.sent), `${user.name}: ${who.name}'s messages out of order or missing: ${JSON.stringify(mine)} vs sent ${JSON.stringify(who.sent)}`);
  }
  for (let i = 1; i < positions.length; i++) {
    check(BigInt(positions[i]) > BigInt(positions[i - 1]), `${user.name}: positions not ascending at ${i}: ${positions}`);
  }
  return shown;
}

// ------------------------------------------------------------------ the image

const IMAGE = { width: 256, height: 192 };

/** Draws a noise image in the page; returns it as PNG (base64) and the FNV-1a hash of its RGBA pixels. */
async function drawNoisePng(user) {
  return user.page.evaluate(async ({ width, height }) => {
    const canvas = Object.assign(document.createElement('canvas'), { width, height });
    const ctx = canvas.getContext('2d');
    const image = ctx.createImageData(width, height);
    let x = 12345;
    for (let i = 0; i < image.data.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      image.data[i] = i % 4 === 3 ? 255 : x >>> 24; // opaque, so the pixels survive the canvas exactly
    }
    ctx.putImageData(image, 0, 0);
    let hash = 0x811c9dc5;
    for (const b of ctx.getImageData(0, 0, width, height).data) hash = Math.imul(hash ^ b, 16777619) >>> 0;
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
    let binary = '';
    for (const b of new Uint8Array(await blob.arrayBuffer())) binary += String.fromCharCode(b);
    return { png: btoa(binary), hash };
  }, IMAGE);
}

/** Waits until the page shows the image decoded at its size; returns the FNV-1a hash of the pixels it shows. */
async function shownImageHash(user) {
  await until(user, `shows an image of ${IMAGE.width}x${IMAGE.height}`, ({ width, height }) => {
    const img = document.querySelector('[data-testid=message] [data-testid=file-image]');
    return img && img.complete && img.naturalWidth === width && img.naturalHeight === height;
  }, IMAGE);
  return user.page.evaluate(() => {
    const img = document.querySelector('[data-testid=message] [data-testid=file-image]');
    const canvas = Object.assign(document.createElement('canvas'), { width: img.naturalWidth, height: img.naturalHeight });
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    let hash = 0x811c9dc5;
    for (const b of ctx.getImageData(0, 0, canvas.width, canvas.height).data) hash = Math.imul(hash ^ b, 16777619) >>> 0;
    const li = img.closest('[data-testid=message]');
    return { hash, sender: li.dataset.sender, name: li.querySelector('[data-testid=file-name]').textContent,
      images: document.querySelectorAll('[data-testid=message] [data-testid=file-image]').length };
  });
}

// ------------------------------------------------------------------ the restart hand-shake

const stdinLines = createInterface({ input: process.stdin });
function waitForLine(expected, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stdinLines.off('line', onLine);
      reject(new Error(`no ${expected} on stdin within ${timeoutMs} ms`));
    }, timeoutMs);
    const onLine = (line) => {
      if (line.trim() === expected) {
        clearTimeout(timer);
        stdinLines.off('line', onLine);
        resolve();
      }
    };
    stdinLines.on('line', onLine);
  });
}

// ------------------------------------------------------------------ the scenario

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  // Playwright gives each launch a fresh user-data-dir.
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
const users = [];
for (const name of ['alice', 'bob']) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const user = { name, page, sent: [], console: [], webSockets: 0, webSocketFrames: 0, eventStreams: 0 };
  page.on('console', (m) => { if (m.type() === 'warning' || m.type() === 'error') user.console.push(m.text()); });
  page.on('websocket', (ws) => {
    user.webSockets++;
    ws.on('framereceived', () => user.webSocketFrames++);
    ws.on('framesent', () => user.webSocketFrames++);
  });
  page.on('response', (r) => {
    if (r.request().method() === 'GET' && new URL(r.url()).pathname === '/sse' && r.status() === 200) user.eventStreams++;
  });
  page.on('pageerror', (e) => user.console.push('pageerror: ' + e.message));
  users.push(user);
}
const [alice, bob] = users;
let failed = false;
try {
  step(`room ${ROOM} at ${base}`);
  await signIn(alice);
  await signIn(bob);
  step('both signed in and connected');

  await membersExactly(alice, ['alice', 'bob']);
  await membersExactly(bob, ['alice', 'bob']);
  step('each sees both in the member list');

  await alice.page.getByTestId('composer').fill('hel');
  await until(bob, 'sees alice typing', () => document.querySelector('[data-testid=typing]').textContent === 'alice is typing…');
  await send(alice, 'alice 1');
  await until(bob, 'typing indicator gone after alice sent', () => document.querySelector('[data-testid=typing]').textContent === '');
  await bob.page.getByTestId('composer').fill('hi al');
  await until(alice, 'sees bob typing', () => document.querySelector('[data-testid=typing]').textContent === 'bob is typing…');
  await send(bob, 'bob 1');
  step('each sees the other typing, and the indicator ends on send');

  for (let i = 2; i <= 13; i++) {
    await send(alice, `alice ${i}`);
    await send(bob, `bob ${i}`);
  }
  const before = await showsAll(alice, [...alice.sent, ...bob.sent]);
  await showsExactly(bob, before, 'bob shows the same conversation as alice');
  await checkConversation(alice, before, alice, bob);
  step(`chatted: ${before.length} messages, the same on both pages`);

  await recordMembers(alice);
  await bob.page.reload();
  await bob.page.getByTestId('signin').click(); // the name is remembered for the tab (enabled once the page is ready)
  await connected(bob, WAIT_MS);
  await membersExactly(bob, ['alice', 'bob']);
  await recordMembers(bob);
  await showsExactly(bob, before.slice(-PAGE_SIZE), 'after a reload bob shows the newest page');
  await bob.page.getByTestId('load-earlier').click();
  await showsExactly(bob, before, 'after "load earlier" bob shows the whole conversation in order');
  await until(bob, 'no more history to load', () => document.querySelector('[data-testid=load-earlier]').hidden);
  step(`history: newest ${PAGE_SIZE} after reload, then all ${before.length} after "load earlier"`);
  // A reload is within the leave grace: bob never left alice's list, and his own list, once it showed both
  // of them, kept showing both.
  for (const user of [alice, bob]) {
    const lists = await recordedMembers(user);
    check(lists.every((l) => l === 'alice,bob'), `${user.name}'s member list changed during the reload: ${JSON.stringify(lists)}`);
  }
  step('both member lists showed alice and bob throughout the reload');

  if (restart) {
    const restarted = waitForLine('RESTARTED', 120_000);
    console.log('RESTART_GATEWAY');
    // Sent while the gateway goes down: queued or in flight, the SDK resends them with their ids.
    for (let i = 14; i <= 16; i++) {
      await send(alice, `alice ${i}`);
      await send(bob, `bob ${i}`);
    }
    await restarted;
    await connected(alice, RECONNECT_MS);
    await connected(bob, RECONNECT_MS);
    step('both reconnected after the gateway restart');
  }
  for (let i = 17; i <= 20; i++) {
    await send(alice, `alice ${i}`);
    await send(bob, `bob ${i}`);
  }
  const all = [...alice.sent, ...bob.sent];
  const final = await showsAll(alice, all);
  await showsExactly(bob, final, 'bob shows the same conversation as alice at the end');
  await checkConversation(alice, final, alice, bob);
  await checkConversation(bob, final, alice, bob);
  await connected(alice, WAIT_MS);
  await connected(bob, WAIT_MS);
  await membersExactly(alice, ['alice', 'bob']);
  await membersExactly(bob, ['alice', 'bob']);
  step(`end: ${final.length} messages, each exactly once and in order on both pages; both connected; both members`);

  const image = await drawNoisePng(alice);
  const pngBytes = Buffer.from(image.png, 'base64');
  await alice.page.getByTestId('attach').setInputFiles({ name: 'noise.png', mimeType: 'image/png', buffer: pngBytes });
  for (const user of [bob, alice]) {
    const shown = await shownImageHash(user);
    check(shown.hash === image.hash && shown.sender === 'alice' && shown.name.startsWith('noise.png') && shown.images === 1,
      `${user.name}: the image shown is not the one sent: ${JSON.stringify(shown)} (sent hash ${image.hash})`);
  }
  await until(alice, 'no transfer in progress', () => document.querySelector('[data-testid=file-status]').textContent === '');
  step(`image: alice sent a ${IMAGE.width}x${IMAGE.height} PNG (${pngBytes.length} bytes); both pages show it, pixel for pixel`);

  // A new name each run: bob's inbox keeps the files of earlier runs against the same platform, and shows them all.
  const note = { name: `note-${ROOM.slice('demo:e2e-'.length)}.txt`, text: `hello bob, from alice (${ROOM})` };
  await alice.page.getByTestId('direct-user').fill('bob');
  await alice.page.getByTestId('direct-file').setInputFiles({ name: note.name, mimeType: 'text/plain', buffer: Buffer.from(note.text) });
  const inboxEntries = (name) => [...document.querySelectorAll('[data-testid=inbox-file]')]
    .filter((li) => li.querySelector('[data-testid=file-name]')?.textContent.startsWith(name + ' ('))
    .map((li) => ({ sender: li.dataset.sender, text: li.querySelector('[data-testid=file-text]')?.textContent }));
  await until(bob, `shows ${note.name} from alice in his inbox, with its text`, ({ name, text }) => {
    const shown = [...document.querySelectorAll('[data-testid=inbox-file]')]
      .filter((li) => li.querySelector('[data-testid=file-name]')?.textContent.startsWith(name + ' ('));
    return shown.length === 1 && shown[0].dataset.sender === 'alice'
      && shown[0].querySelector('[data-testid=file-text]')?.textContent === text;
  }, note);
  await until(alice, `says ${note.name} is in bob's inbox`,
    (name) => document.querySelector('[data-testid=direct-status]').textContent === `${name} is in bob's inbox`, note.name);
  const aliceInbox = await alice.page.evaluate(inboxEntries, note.name);
  check(aliceInbox.length === 0, `alice's own inbox shows the file she sent bob: ${JSON.stringify(aliceInbox)}`);
  step(`file to a user: alice sent bob ${note.name}; his inbox shows it with its text, hers does not`);
  if (expectFallback) {
    for (const user of users) {
      const seen = `${user.webSockets} WebSockets, ${user.webSocketFrames} frames on them, ${user.eventStreams} event streams`;
      // Reconnecting after the restart takes a new stream.
      check(user.webSockets >= 1 && user.webSocketFrames === 0 && user.eventStreams >= (restart ? 2 : 1),
        `${user.name}'s page did not use the fallback as expected: ${seen}`);
      console.log(`PASS fallback: ${user.name}'s page: every WebSocket refused, event streams used (${seen})`);
    }
  }
  console.log('PASS');
} catch (e) {
  failed = true;
  console.log('FAIL ' + e.message);
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const user of users) {
    const file = join(ARTIFACTS, `${user.name}.png`);
    await user.page.screenshot({ path: file, fullPage: true }).then(() => console.log(`screenshot ${file}`), () => {});
    if (user.console.length) console.log(`${user.name} console:\n  ` + user.console.join('\n  '));
  }
} finally {
  stdinLines.close();
  await browser.close();
}
process.exit(failed ? 1 : 0);
