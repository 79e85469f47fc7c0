import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Backoff } from '../src/backoff.js';
import { Emitter } from '../src/emitter.js';
import { SwitchboardError } from '../src/errors.js';
import { resolveSettings, type ClientEvents, type SwitchboardClientOptions } from '../src/options.js';
import { Publisher } from '../src/publisher.js';
import { RequestIds, RequestQueue, type Reply } from '../src/requests.js';
import { TokenRefresher } from '../src/token-refresh.js';
import { TypingSender } from '../src/typing-sender.js';
import { FakeLink } from './fake-link.js';
import { FakeScheduler, flush, jwt } from './fakes.js';

function requestsOver(link: FakeLink, sched: FakeScheduler): RequestQueue {
  return new RequestQueue(link, new RequestIds(), sched, { maxQueued: 10, maxInflight: 10 }, () => 100);
}

describe('TokenRefresher', () => {
  function setup(provide: () => string | Promise<string> = () => 'fresh') {
    const link = new FakeLink();
    const sched = new FakeScheduler();
    const requests = requestsOver(link, sched);
    const events = new Emitter<ClientEvents>();
    const errors: SwitchboardError[] = [];
    events.on('error', (e) => errors.push(e));
    const reasons: string[] = [];
    const refresher = new TokenRefresher({
      link,
      requests,
      token: ({ reason }) => {
        reasons.push(reason);
        return provide();
      },
      scheduler: sched,
      events,
      refreshRatio: 0.8,
      requestTimeoutMs: 1000,
    });
    const answerRefresh = () => {
      const frame = link.frames('refresh').at(-1)!;
      requests.answer(frame.requestId, { requestId: frame.requestId } as Reply);
    };
    return { link, sched, requests, refresher, errors, reasons, answerRefresh };
  }

  test('refreshes at the ratio of the lifetime from iat, then plans the next refresh for the new token', async () => {
    const h = setup(() => jwt({ iat: h.sched.now() / 1000, exp: h.sched.now() / 1000 + 100 }));
    h.link.connect();
    const now = h.sched.now() / 1000;
    h.refresher.schedule(jwt({ iat: now - 50, exp: now + 50 }), 0);
    await h.sched.advance(29_999);
    assert.equal(h.link.frames('refresh').length, 0);
    await h.sched.advance(1);
    assert.equal(h.link.frames('refresh').length, 1);
    assert.deepEqual(h.reasons, ['refresh']);
    h.answerRefresh();
    await flush();
    await h.sched.advance(80_000);
    assert.equal(h.link.frames('refresh').length, 2, 'the new token is refreshed at 80% of its own lifetime');
  });

  test('without iat the lifetime counts from when the token was obtained; an opaque token is never refreshed ahead', async () => {
    const h = setup();
    h.link.connect();
    h.refresher.schedule('opaque', h.sched.now());
    await h.sched.advance(3_600_000);
    assert.equal(h.link.frames('refresh').length, 0);
    const obtained = h.sched.now() - 10_000;
    h.refresher.schedule(jwt({ exp: (obtained + 110_000) / 1000 }), obtained);
    await h.sched.advance(77_999);
    assert.equal(h.link.frames('refresh').length, 0);
    await h.sched.advance(1);
    assert.equal(h.link.frames('refresh').length, 1);
  });

  test('a failed refresh is reported and tried once more halfway to expiry', async () => {
    const h = setup(() => {
      throw new Error('auth server down');
    });
    h.link.connect();
    const now = h.sched.now() / 1000;
    h.refresher.schedule(jwt({ iat: now, exp: now + 100 }), 0);
    await h.sched.advance(80_000);
    assert.equal(h.errors.length, 1);
    assert.match(h.errors[0]!.message, /token refresh failed: Error: auth server down/);
    await h.sched.advance(10_000);
    assert.equal(h.reasons.length, 2);
    assert.equal(h.errors.length, 2);
    await h.sched.advance(100_000);
    assert.equal(h.reasons.length, 2, 'no third try: the server closes 3501 and the reconnect fetches a token');
  });

  test('cancel() stops a planned refresh; refresh() offline rejects with NOT_CONNECTED', async () => {
    const h = setup();
    h.link.connect();
    const now = h.sched.now() / 1000;
    h.refresher.schedule(jwt({ iat: now, exp: now + 100 }), 0);
    h.refresher.cancel();
    assert.equal(h.sched.pending, 0);
    h.link.drop();
    await assert.rejects(h.refresher.refresh(), (e: SwitchboardError) => e.code === 'NOT_CONNECTED');
  });

  test('a reconnect while the provider answers drops the refresh: the new connection brought its own token', async () => {
    let release!: (token: string) => void;
    const h = setup(() => new Promise<string>((resolve) => (release = resolve)));
    h.link.connect();
    const done = h.refresher.refresh();
    h.link.connect();
    release('late');
    await done;
    assert.equal(h.link.frames('refresh').length, 0);
  });
});

describe('TypingSender', () => {
  function setup() {
    const sched = new FakeScheduler();
    const sent: string[] = [];
    const typing = new TypingSender(sched, 1000, 2500, (room, stop) => sent.push(`${room}:${stop ? 'stop' : 'typing'}`));
    return { sched, sent, typing };
  }

  test('sends typing at the first keystroke only, renews while keystrokes come, stops when idle', async () => {
    const h = setup();
    h.typing.set('r', true);
    h.typing.set('r', true);
    assert.deepEqual(h.sent, ['r:typing']);
    await h.sched.advance(1000);
    h.typing.set('r', true);
    await h.sched.advance(2000);
    assert.deepEqual(h.sent, ['r:typing', 'r:typing', 'r:typing', 'r:typing']);
    await h.sched.advance(1000);
    assert.deepEqual(h.sent.slice(4), ['r:stop'], '2.5 s without a keystroke');
    await h.sched.advance(10_000);
    assert.equal(h.sent.length, 5);
  });

  test('false sends stop once; stopping locally sends nothing', async () => {
    const h = setup();
    h.typing.set('a', false);
    h.typing.set('a', true);
    h.typing.set('a', false);
    h.typing.set('a', false);
    h.typing.set('b', true);
    h.typing.set('c', true);
    h.typing.stopLocally('b');
    h.typing.stopAllLocally();
    await h.sched.advance(10_000);
    assert.deepEqual(h.sent, ['a:typing', 'a:stop', 'b:typing', 'c:typing']);
    assert.equal(h.sched.pending, 0);
  });
});

describe('Publisher', () => {
  function setup(idGenerator?: () => string) {
    const link = new FakeLink();
    const sched = new FakeScheduler();
    const requests = requestsOver(link, sched);
    link.connect();
    return { link, sched, requests, publisher: new Publisher(requests, 5000, () => 0.5, idGenerator) };
  }

  test('fixes the id at the call, encodes text as UTF-8 with its content type, and maps the ack', async () => {
    const h = setup(() => 'generated');
    const acked = h.publisher.publish('r', 'héllo', {});
    const [frame] = h.link.frames('publish');
    assert.equal(frame!.id, 'generated');
    assert.equal(new TextDecoder().decode(frame!.payload), 'héllo');
    assert.equal(frame!.contentType, 'text/plain; charset=utf-8');
    assert.equal(frame!.ack, true);
    h.requests.answer(frame!.requestId, { requestId: frame!.requestId, room: '', id: '', position: 4n, epoch: 'e', duplicate: true } as Reply);
    assert.deepEqual(await acked, { room: 'r', id: 'generated', position: 4n, epoch: 'e', duplicate: true });
  });

  test('bytes have no content type unless given; a given id is kept; ids default to UUIDs', async () => {
    const h = setup();
    void h.publisher.publish('r', new Uint8Array([1]), { id: 'mine' }).catch(() => {});
    void h.publisher.sendDirect('bob', new Uint8Array([2]), { contentType: 'application/x' }).catch(() => {});
    const [publish] = h.link.frames('publish');
    const [direct] = h.link.frames('direct');
    assert.deepEqual([publish!.id, publish!.contentType], ['mine', '']);
    assert.equal(direct!.contentType, 'application/x');
    assert.match(direct!.id, /^[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  test('a traceparent goes with its publish only', () => {
    const h = setup();
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    void h.publisher.publish('r', 'traced', { id: 't', traceparent }).catch(() => {});
    void h.publisher.publish('r', 'plain', { id: 'p' }).catch(() => {});
    assert.deepEqual(h.link.frames('publish').map((f) => [f.id, f.traceparent]), [['t', traceparent], ['p', '']]);
  });

  test('a conflation key goes with its publish only', () => {
    const h = setup();
    void h.publisher.publish('ticker:prices', '1', { id: 'k', conflationKey: 'btc' }).catch(() => {});
    void h.publisher.publish('ticker:prices', '2', { id: 'n' }).catch(() => {});
    assert.deepEqual(h.link.frames('publish').map((f) => [f.id, f.conflationKey]), [['k', 'btc'], ['n', '']]);
  });

  test('pipelined publishes into a room are resent in call order, and later ones wait for the retry', async () => {
    const h = setup();
    const acks = ['a1', 'a2', 'a3'].map((id) => h.publisher.publish('r', id, { id }));
    void h.publisher.publish('other', 'o1', { id: 'o1' }).catch(() => {});
    const first = h.link.frames('publish');
    assert.deepEqual(first.map((f) => f.id), ['a1', 'a2', 'a3', 'o1'], 'all sent without waiting for acks');
    const retriable = () => new SwitchboardError('router unavailable', 101, true);
    // a2 and a3 fail (the server refuses what follows a failed publish); a3's error arrives first.
    h.requests.fail(first[2]!.requestId, retriable());
    h.requests.fail(first[1]!.requestId, retriable());
    const a4 = h.publisher.publish('r', 'a4', { id: 'a4' });
    assert.deepEqual(h.link.frames('publish').slice(4).map((f) => f.id), [], 'a4 waits behind the retries');
    await h.sched.advance(200);
    assert.deepEqual(h.link.frames('publish').slice(4).map((f) => f.id), [],
      'the resends wait while a1 is still on its way (a resend starts the server\'s order afresh)');
    h.requests.answer(first[0]!.requestId, { requestId: first[0]!.requestId, room: 'r', id: 'a1', position: 1n, epoch: 'e', duplicate: false } as Reply);
    const resent = h.link.frames('publish').slice(4);
    assert.deepEqual(resent.map((f) => f.id), ['a2', 'a3', 'a4']);
    for (const f of resent) {
      h.requests.answer(f.requestId, { requestId: f.requestId, room: 'r', id: f.id, position: 1n, epoch: 'e', duplicate: false } as Reply);
    }
    assert.deepEqual((await Promise.all([...acks, a4])).map((a) => a.id), ['a1', 'a2', 'a3', 'a4']);
  });

  test('a resend waits while a later publish of its room is still in flight', async () => {
    const h = setup();
    const acks = ['a1', 'a2'].map((id) => h.publisher.publish('r', id, { id }));
    const first = h.link.frames('publish');
    const retriable = () => new SwitchboardError('router unavailable', 101, true);
    // a1 fails while a2 is on its way: a2 may yet fail (and then be resent behind a3) or be stored after a3.
    h.requests.fail(first[0]!.requestId, retriable());
    const a3 = h.publisher.publish('r', 'a3', { id: 'a3' });
    await h.sched.advance(200);
    assert.deepEqual(h.link.frames('publish').slice(2).map((f) => f.id), [], 'a1\'s resend and a3 wait for a2');
    h.requests.answer(first[1]!.requestId, { requestId: first[1]!.requestId, room: 'r', id: 'a2', position: 2n, epoch: 'e', duplicate: false } as Reply);
    const resent = h.link.frames('publish').slice(2);
    assert.deepEqual(resent.map((f) => f.id), ['a1', 'a3']);
    for (const f of resent) {
      h.requests.answer(f.requestId, { requestId: f.requestId, room: 'r', id: f.id, position: 3n, epoch: 'e', duplicate: false } as Reply);
    }
    assert.deepEqual((await Promise.all([...acks, a3])).map((a) => a.id), ['a1', 'a2', 'a3']);
  });

  test('a direct message resolves with its id on the ack', async () => {
    const h = setup(() => 'd1');
    const sent = h.publisher.sendDirect('bob', 'hi', {});
    const [frame] = h.link.frames('direct');
    assert.equal(frame!.userId, 'bob');
    h.requests.answer(frame!.requestId, { requestId: frame!.requestId } as Reply);
    assert.deepEqual(await sent, { id: 'd1', duplicate: false, devices: 0 });
  });
});

describe('settings', () => {
  const base: SwitchboardClientOptions = { url: 'ws://g/ws', token: () => 't' };

  test('defaults', () => {
    const s = resolveSettings(base);
    assert.equal(s.format, 'proto');
    assert.equal(s.clientName, 'switchboard-ts/0.1.0');
    assert.deepEqual(s.backoff, { initialMs: 500, maxMs: 30_000, multiplier: 2 });
    assert.deepEqual(
      [s.connectTimeoutMs, s.publishTimeoutMs, s.requestTimeoutMs, s.maxQueuedRequests, s.maxInflight, s.dedupCapacity, s.memberListLimit],
      [10_000, 30_000, 15_000, 1000, 32, 10_000, 100],
    );
    assert.deepEqual([s.pingIntervalMs, s.tokenRefreshRatio, s.typingRenewMs, s.typingIdleMs, s.typingDefaultTtlMs], [25_000, 0.8, 3000, 5000, 6000]);
    assert.ok(Object.isFrozen(s));
  });

  test('a bad option is named with what was expected', () => {
    const bad: Array<[Partial<SwitchboardClientOptions>, RegExp]> = [
      [{ url: '' }, /^url: missing/],
      [{ token: 'x' as never }, /^token: missing/],
      [{ format: 'xml' as never }, /^format: xml \(expected: "json" or "proto"\)/],
      [{ backoff: { maxMs: 10, initialMs: 20 } }, /^backoff.maxMs: 10 \(expected: >= initialMs 20\)/],
      [{ backoff: { multiplier: 0.5 } }, /^backoff.multiplier: 0.5/],
      [{ connectTimeoutMs: 0 }, /^connectTimeoutMs: 0 \(expected: a positive number\)/],
      [{ maxInflight: -1 }, /^maxInflight: -1/],
      [{ tokenRefreshRatio: 1 }, /^tokenRefreshRatio: 1 \(expected: between 0 and 1, exclusive\)/],
      [{ typing: { idleMs: Number.NaN } }, /^typing.idleMs: NaN/],
      [{ dedupCapacity: 0 }, /^capacity: 0 \(expected: >= 1\)/],
      [{ memberListLimit: 1001 }, /^memberListLimit: 1001 \(expected: 1-1000\)/],
      [{ typing: { defaultTtlMs: 0 } }, /^typing.defaultTtlMs: 0/],
    ];
    for (const [options, message] of bad) {
      assert.throws(() => resolveSettings({ ...base, ...options }), (e: Error) => message.test(e.message), String(message));
    }
  });

  test('Backoff.delayMs draws within the ceiling of an attempt without moving the counter', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 0.999);
    assert.deepEqual([0, 1, 2, 5].map((a) => backoff.delayMs(a)), [99, 199, 399, 999]);
    assert.equal(backoff.attempts, 0);
  });
});
