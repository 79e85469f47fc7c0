// Browser test of a gateway's admin view (GET /admin/view) in headless Chromium against a running cluster.
//
//   node admin-view.mjs <gatewayBaseUrl> <adminToken> <peerGatewayId> <busyRoom>
//
// Signs in with the admin token; checks that the page lists this gateway (ready, probe healthy) and the peer
// gateway (known from its delivery probes, ready), at least one router with a closed breaker, and <busyRoom> (the
// test keeps publishing into it) first among the busiest rooms; the message-flow chart with the room log's rate and
// this gateway's deliveries per second; starts a debug session for user alice and sees it listed,
// ends it; takes a screenshot of the page ($E2E_ARTIFACTS/admin-view.png); then drains the gateway through the
// Drain button and sees it draining. Exit code 0 = pass. Screenshots of failures go to $E2E_ARTIFACTS.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [base, token, peer, busyRoom] = process.argv.slice(2);
if (!base || !token || !peer || !busyRoom) {
  console.error('usage: node admin-view.mjs <gatewayBaseUrl> <adminToken> <peerGatewayId> <busyRoom>');
  process.exit(2);
}
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = process.env.E2E_ARTIFACTS || 'test-results';
const WAIT_MS = 30_000;
const step = (text) => console.log('STEP ' + text);

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
const errors = [];
page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

/** Waits until fn(arg) is truthy in the page; on timeout fails with the page's text. */
async function until(what, fn, arg) {
  try {
    await page.waitForFunction(fn, arg, { timeout: WAIT_MS, polling: 100 });
  } catch (e) {
    const text = await page.evaluate(() => document.body.innerText).catch(() => '(unavailable)');
    throw new Error(`${what} (waited ${WAIT_MS} ms)\n  page shows:\n${text}\n  ${e.message.split('\n')[0]}`);
  }
}

const cells = (id) => [...(document.querySelector(`[data-testid=gateways] tr[data-gateway="${id}"]`)?.cells ?? [])]
  .map((c) => c.textContent);

let failed = false;
try {
  await page.goto(base + 'admin/view');
  step('sign in with the admin token');
  await page.getByTestId('token').fill(token);
  await page.getByRole('button', { name: 'Show' }).click();
  await until('this gateway is listed, ready, with a healthy probe', () => {
    const self = document.querySelector('[data-testid=gateways] tbody tr');
    return self && self.cells[0].textContent.includes('(this one)') && self.cells[1].textContent === 'yes'
      && self.cells[3].textContent === 'yes'
      && document.querySelector('[data-testid=probe]').dataset.healthy === 'true';
  });
  await until(`peer ${peer} is listed from its probes, ready`, (id) => {
    const r = document.querySelector(`[data-testid=gateways] tr[data-gateway="${id}"]`);
    return r && r.cells[1].textContent === 'yes' && r.cells[3].textContent.startsWith('seen ');
  }, peer);
  const self = await page.evaluate(() => document.querySelector('[data-testid=gateway-id]').textContent);
  step(`gateways: ${JSON.stringify(await page.evaluate(cells, self))}, ${JSON.stringify(await page.evaluate(cells, peer))}`);

  await until('a router is listed with a closed breaker', () => [...document.querySelectorAll('[data-testid=routers] tbody tr')]
    .some((r) => r.cells[1].textContent === 'CLOSED'));
  await until(`${busyRoom} is the busiest room, with a rate`, (room) => {
    const first = document.querySelector('[data-testid=rooms] tbody tr');
    return first && first.dataset.room === room && Number(first.cells[1].textContent) > 0;
  }, busyRoom);
  step(`routers: ${await page.evaluate(() => document.querySelector('[data-testid=routers] tbody').innerText)}`);
  await until('the message-flow chart shows the room log and this gateway\'s deliveries (its probes) as rates', () => {
    const flow = document.querySelector('[data-testid=flow]');
    return Number(flow.dataset.records) > 0 && Number(flow.dataset.deliveries) > 0
      && flow.querySelectorAll('rect').length === 4 && flow.textContent.includes('deliveries/s');
  });
  step(`flow: ${await page.evaluate(() => JSON.stringify(document.querySelector('[data-testid=flow]').dataset))}`);
  step(`rooms: ${await page.evaluate(() => document.querySelector('[data-testid=rooms] tbody').innerText)}`);

  step('start a debug session for user alice');
  await page.getByTestId('debug-value').fill('alice');
  await page.getByTestId('debug-start').click();
  await until('the debug session is listed', () => [...document.querySelectorAll('[data-testid=debug] tbody tr')]
    .some((r) => r.cells[1].textContent === 'user alice' && r.cells[3].textContent === 'redacted'));
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'admin-view.png'), fullPage: true });
  step('end it');
  await page.getByTestId('debug-end').click();
  await until('no debug session is left', () => document.querySelectorAll('[data-testid=debug] tbody tr').length === 0);

  step('drain this gateway');
  page.once('dialog', (d) => d.accept());
  await page.getByTestId('drain').click();
  await until('the gateway is draining and not ready', (id) => {
    const r = document.querySelector(`[data-testid=gateways] tr[data-gateway="${id}"]`);
    return r && r.cells[0].textContent.includes('draining') && r.cells[1].textContent === 'no'
      && document.querySelector('[data-testid=drain-state]').textContent.startsWith('Draining');
  }, self);
  if (errors.length) {
    throw new Error('page errors:\n  ' + errors.join('\n  '));
  }
  console.log('PASS');
} catch (e) {
  failed = true;
  console.log('FAIL ' + e.message);
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, 'admin-view-failure.png');
  await page.screenshot({ path: file, fullPage: true }).then(() => console.log(`screenshot ${file}`), () => {});
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
