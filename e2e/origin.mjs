// Browser test of the gateway's origin allow-list and CORS: a page served from one origin uses a gateway at
// another, in headless Chromium.
//
//   node origin.mjs <gatewayBaseUrl> <pagePort>
//
// This script serves an empty page on 127.0.0.1:<pagePort> under two host names, which Chromium resolves to
// 127.0.0.1: http://app.test:<pagePort> (the gateway must list it in gateway.allowed-origins) and
// http://evil.test:<pagePort> (not listed). From each origin the page fetches a demo token from the gateway
// (POST /demo/token with an Authorization header, so the browser sends a CORS preflight first), then opens a
// WebSocket to the gateway, connects, subscribes, publishes and waits for its own message.
// Expected: from app.test both work; from evil.test the browser blocks the token answer (no CORS headers) and the
// WebSocket never opens (HTTP 403 on the upgrade), even with a valid token. Exit code 0 = pass.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';

const gateway = process.argv[2]?.replace(/\/$/, '');
const pagePort = Number(process.argv[3]);
if (!gateway || !pagePort) {
  console.error('usage: node origin.mjs <gatewayBaseUrl> <pagePort>');
  process.exit(2);
}
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const server = createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end('<!doctype html><title>origin test</title><p>origin test</p>');
});
await new Promise((resolve) => server.listen(pagePort, '127.0.0.1', resolve));

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--host-resolver-rules=MAP app.test 127.0.0.1, MAP evil.test 127.0.0.1'],
});

/** Runs in the page: fetch a token, then chat over the WebSocket (with the given token when the fetch fails). */
async function inPage({ gateway, user, fallbackToken }) {
  const result = {};
  let token = fallbackToken;
  try {
    const r = await fetch(gateway + '/demo/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'Bearer app-session' },
      body: 'user=' + encodeURIComponent(user),
    });
    token = (await r.json()).token;
    result.tokenFetched = true;
  } catch (e) {
    result.tokenFetched = false;
    result.tokenError = String(e);
  }
  result.token = token;
  const room = 'demo:origin-' + Math.random().toString(36).slice(2);
  Object.assign(result, await new Promise((resolve) => {
    const outcome = { opened: false, connected: false, chatted: false };
    const ws = new WebSocket(gateway.replace(/^http/, 'ws') + '/ws', 'switchboard.v1.json');
    const timer = setTimeout(() => { outcome.timedOut = true; ws.close(); resolve(outcome); }, 20_000);
    ws.onopen = () => { outcome.opened = true; ws.send(JSON.stringify({ connect: { token, client: 'origin.mjs' } })); };
    ws.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      if (frame.connected) {
        outcome.connected = true;
        ws.send(JSON.stringify({ subscribe: { requestId: 1, room } }));
      } else if (frame.subscribed) {
        ws.send(JSON.stringify({ publish: { requestId: 2, room, id: 'm-1', payload: btoa('hello'), ack: true } }));
      } else if (frame.message && frame.message.id === 'm-1') {
        outcome.chatted = atob(frame.message.payload) === 'hello';
        clearTimeout(timer);
        ws.close();
        resolve(outcome);
      } else if (frame.error) {
        outcome.error = frame.error;
      }
    };
    ws.onclose = (event) => { outcome.closeCode = event.code; clearTimeout(timer); resolve(outcome); };
  }));
  return result;
}

let failed = false;
function expect(what, ok, detail) {
  console.log((ok ? 'PASS ' : 'FAIL ') + what + (ok ? '' : ' ' + JSON.stringify(detail)));
  failed ||= !ok;
}

try {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`http://app.test:${pagePort}/`);
  const allowed = await page.evaluate(inPage, { gateway, user: 'alice', fallbackToken: '' });
  expect('allowed origin: token fetched across origins (CORS preflight passed)', allowed.tokenFetched, allowed);
  expect('allowed origin: WebSocket opened, connected and chatted', allowed.opened && allowed.connected
    && allowed.chatted, allowed);

  await page.goto(`http://evil.test:${pagePort}/`);
  const refused = await page.evaluate(inPage, { gateway, user: 'mallory', fallbackToken: allowed.token });
  expect('other origin: the browser kept the token answer from the page', !refused.tokenFetched, refused);
  expect('other origin: the WebSocket never opened, even with a valid token', !refused.opened
    && !refused.connected, refused);
} catch (e) {
  console.log('FAIL ' + (e.stack || e));
  failed = true;
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
