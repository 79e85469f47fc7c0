import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { SwitchboardClient, type SwitchboardClientOptions } from '../src/client.js';
import { SwitchboardError } from '../src/errors.js';
import { ErrorCode } from '../src/gen/switchboard/client/v1/client_pb.js';
import type { StateChange, SubscribedEvent, RoomMessage, TypingChange } from '../src/types.js';
import { acceptWithInbox, FakeScheduler, FakeWebSocket, fakeGatewayOptions, flush, jwt, scripted } from './fakes.js';

interface Harness {
  client: SwitchboardClient;
  sched: FakeScheduler;
  states: StateChange[];
  tokenReasons: string[];
  messages: RoomMessage[];
}

function setup(options: Partial<SwitchboardClientOptions> = {}, token: () => string = () => 'opaque-token'): Harness {
  const sched = new FakeScheduler();
  const tokenReasons: string[] = [];
  const client = new SwitchboardClient({
    ...fakeGatewayOptions(sched),
    token: ({ reason }) => {
      tokenReasons.push(reason);
      return token();
    },
    ...options,
  });
  const states: StateChange[] = [];
  const messages: RoomMessage[] = [];
  client.on('state', (s) => states.push(s));
  client.on('message', (m) => messages.push(m));
  client.on('error', () => {});
  return { client, sched, states, tokenReasons, messages };
}

/** Completes the handshake of the socket the client just opened. */
async function accept(userId = 'alice'): Promise<FakeWebSocket> {
  await flush();
  const ws = FakeWebSocket.last();
  ws.open();
  assert.equal(ws.sent[0]?.frame.case, 'connect');
  ws.receive({ case: 'connected', value: { sessionId: `session-${FakeWebSocket.instances.length}`, userId } });
  await flush();
  return ws;
}

async function connect(h: Harness): Promise<FakeWebSocket> {
  h.client.connect();
  return accept();
}

/** Closes the current socket from the server side and lets the reconnect delay pass; returns the new socket, accepted. */
async function reconnect(h: Harness, ws: FakeWebSocket, code = 1006): Promise<FakeWebSocket> {
  ws.serverClose(code);
  const delay = h.states[h.states.length - 1]!.delayMs!;
  await h.sched.advance(delay);
  return accept();
}

/** Subscribes to 'chat', answers Subscribed at epoch e1 and `nextPosition`, then reconnects: returns the new socket. */
async function subscribedThenReconnected(h: Harness, nextPosition: bigint): Promise<FakeWebSocket> {
  const ws = await connect(h);
  void h.client.subscribe('chat');
  ws.receive({ case: 'subscribed', value: { requestId: ws.frames('subscribe')[0]!.requestId, room: 'chat', epoch: 'e1', nextPosition } });
  return reconnect(h, ws);
}

function message(room: string, position: bigint, id: string, epoch = 'e1', sender = 'bob') {
  return { case: 'message' as const, value: { room, position, id, sender, epoch, payload: new TextEncoder().encode(id) } };
}

beforeEach(() => {
  FakeWebSocket.instances = [];
});

describe('connection state machine', () => {
  test('offers the subprotocol and goes connecting -> connected', async () => {
    const h = setup();
    await connect(h);
    assert.deepEqual(FakeWebSocket.last().protocols, ['switchboard.v1.json+batch', 'switchboard.v1.json']);
    assert.deepEqual(h.states.map((s) => s.state), ['connecting', 'connected']);
    assert.equal(h.client.userId, 'alice');
  });

  test('offers only the plain subprotocol without batching', async () => {
    const h = setup({ batching: false });
    await connect(h);
    assert.deepEqual(FakeWebSocket.last().protocols, ['switchboard.v1.json']);
    assert.throws(() => setup({ batching: 'yes' as never }), /batching: yes \(expected: true or false\)/);
  });

  test('backoff grows exponentially with full jitter, is capped, and resets after connected', async () => {
    const h = setup({ backoff: { initialMs: 100, maxMs: 1000, multiplier: 2 }, random: () => 0.5 });
    h.client.connect();
    await flush();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      FakeWebSocket.last().serverClose(1006);
      const delay = h.states[h.states.length - 1]!.delayMs!;
      delays.push(delay);
      await h.sched.advance(delay);
    }
    assert.deepEqual(delays, [50, 100, 200, 400, 500, 500]);
    assert.equal(FakeWebSocket.instances.length, 7);
    const ws = await accept();
    ws.serverClose(1006);
    assert.equal(h.states[h.states.length - 1]!.delayMs, 50);
  });

  test('jitter spans [0, ceiling)', async () => {
    const h = setup({ backoff: { initialMs: 1000 }, random: scripted(0, 0.999) });
    h.client.connect();
    await flush();
    FakeWebSocket.last().serverClose(1006);
    assert.equal(h.states.at(-1)!.delayMs, 0);
    await h.sched.advance(0);
    FakeWebSocket.last().serverClose(1006);
    assert.equal(h.states.at(-1)!.delayMs, 1998);
  });

  for (const code of [1001, 1006, 1011, 3000, 3001, 3002, 3003, 3499]) {
    test(`close ${code} reconnects`, async () => {
      const h = setup();
      const ws = await connect(h);
      ws.serverClose(code);
      assert.equal(h.client.state, 'reconnecting');
      assert.equal(h.states.at(-1)!.code, code);
      await h.sched.advance(h.states.at(-1)!.delayMs!);
      await flush();
      assert.equal(FakeWebSocket.instances.length, 2);
      assert.deepEqual(h.tokenReasons, ['connect', 'connect']);
    });
  }

  for (const code of [1007, 1009, 3500, 3502, 3503, 3999, 4000, 4999]) {
    test(`close ${code} is terminal`, async () => {
      const h = setup();
      const ws = await connect(h);
      const queued = h.client.publish('room', 'x');
      ws.serverClose(code);
      assert.equal(h.client.state, 'closed');
      await assert.rejects(queued, (e: SwitchboardError) => e.code === code);
      await h.sched.advance(120_000);
      assert.equal(FakeWebSocket.instances.length, 1);
    });
  }

  test('close 3501 asks the token provider for a fresh token, then reconnects', async () => {
    const h = setup();
    const ws = await connect(h);
    ws.serverClose(3501);
    assert.equal(h.client.state, 'reconnecting');
    await h.sched.advance(h.states.at(-1)!.delayMs!);
    await accept();
    assert.deepEqual(h.tokenReasons, ['connect', 'expired']);
    assert.equal(h.client.state, 'connected');
  });

  test('close 3000 after Drain reconnects within reconnect_within_ms, not after the backoff', async () => {
    const h = setup({ random: () => 0.25, backoff: { initialMs: 100, maxMs: 100 } });
    const ws = await connect(h);
    ws.receive({ case: 'drain', value: { reconnectWithinMs: 10_000 } });
    ws.serverClose(3000);
    assert.equal(h.states.at(-1)!.delayMs, 2500);
    await h.sched.advance(2499);
    assert.equal(FakeWebSocket.instances.length, 1);
    await h.sched.advance(1);
    assert.equal(FakeWebSocket.instances.length, 2);
  });

  test('a connect attempt without Connected times out and reconnects', async () => {
    const h = setup({ connectTimeoutMs: 5000 });
    h.client.connect();
    await flush();
    FakeWebSocket.last().open();
    await h.sched.advance(5000);
    assert.equal(h.client.state, 'reconnecting');
    assert.equal(FakeWebSocket.instances[0]!.closedByClient, 1000);
  });

  test('a silent link is dropped after a ping goes unanswered', async () => {
    const h = setup({ pingIntervalMs: 1000 });
    const ws = await connect(h);
    await h.sched.advance(1000);
    assert.equal(ws.frames('ping').length, 1);
    await h.sched.advance(1000);
    assert.equal(h.client.state, 'reconnecting');
  });

  test('close() rejects pending work and stops reconnecting', async () => {
    const h = setup();
    await connect(h);
    const p = h.client.publish('room', 'x');
    h.client.close();
    await assert.rejects(p, (e: SwitchboardError) => e.code === 'CLOSED');
    assert.equal(h.client.state, 'closed');
    await h.sched.advance(60_000);
    assert.equal(FakeWebSocket.instances.length, 1);
  });
});

describe('publish', () => {
  test('resolves with the ack', async () => {
    const h = setup();
    const ws = await connect(h);
    const p = h.client.publish('chat', 'hi');
    const [frame] = ws.frames('publish');
    assert.equal(frame!.ack, true);
    assert.equal(frame!.contentType, 'text/plain; charset=utf-8');
    ws.receive({ case: 'ack', value: { requestId: frame!.requestId, room: 'chat', id: frame!.id, position: 7n, epoch: 'e' } });
    assert.deepEqual(await p, { room: 'chat', id: frame!.id, position: 7n, epoch: 'e', duplicate: false });
  });

  test('the offline queue is bounded', async () => {
    const h = setup({ maxQueuedRequests: 3 });
    const ps = [1, 2, 3].map((i) => h.client.publish('chat', `m${i}`));
    await assert.rejects(h.client.publish('chat', 'm4'), (e: SwitchboardError) => e.code === 'QUEUE_FULL');
    const ws = await connect(h);
    assert.deepEqual(ws.frames('publish').map((f) => new TextDecoder().decode(f.payload)), ['m1', 'm2', 'm3']);
    ps.forEach((p) => p.catch(() => {}));
  });

  test('unacknowledged publishes are resent with the same ids after a reconnect, in order', async () => {
    const h = setup();
    let ws = await connect(h);
    const p1 = h.client.publish('chat', 'one');
    const p2 = h.client.publish('chat', 'two');
    const ids = ws.frames('publish').map((f) => f.id);
    assert.equal(new Set(ids).size, 2);
    ws = await reconnect(h, ws);
    const resent = ws.frames('publish');
    assert.deepEqual(resent.map((f) => f.id), ids);
    for (const f of resent) {
      ws.receive({ case: 'ack', value: { requestId: f.requestId, room: 'chat', id: f.id, position: 1n, epoch: 'e', duplicate: true } });
    }
    assert.equal((await p1).duplicate, true);
    assert.equal((await p2).id, ids[1]);
  });

  test('the in-flight window holds back the rest', async () => {
    const h = setup({ maxInflight: 2 });
    const ws = await connect(h);
    const ps = [1, 2, 3].map((i) => h.client.publish('chat', `m${i}`));
    assert.equal(ws.frames('publish').length, 2);
    const first = ws.frames('publish')[0]!;
    ws.receive({ case: 'ack', value: { requestId: first.requestId, room: 'chat', id: first.id, position: 1n } });
    await ps[0];
    assert.equal(ws.frames('publish').length, 3);
    ps.forEach((p) => p.catch(() => {}));
  });

  test('a retriable error is retried with the same id; a permanent one rejects', async () => {
    const h = setup({ backoff: { initialMs: 100 } });
    const ws = await connect(h);
    const p = h.client.publish('chat', 'x');
    const first = ws.frames('publish')[0]!;
    ws.receive({ case: 'error', value: { requestId: first.requestId, code: ErrorCode.TIMEOUT, retriable: true } });
    await h.sched.advance(100);
    const second = ws.frames('publish')[1]!;
    assert.equal(second.id, first.id);
    assert.notEqual(second.requestId, first.requestId);
    ws.receive({ case: 'error', value: { requestId: second.requestId, code: ErrorCode.INVALID_ROOM, message: 'bad room' } });
    await assert.rejects(p, (e: SwitchboardError) => e.code === ErrorCode.INVALID_ROOM && e.codeName === 'INVALID_ROOM');
  });

  test('times out while offline', async () => {
    const h = setup({ publishTimeoutMs: 1000 });
    h.client.connect();
    const p = h.client.publish('chat', 'x');
    await h.sched.advance(999);
    let settled = false;
    p.catch(() => (settled = true));
    await flush();
    assert.equal(settled, false);
    await h.sched.advance(1);
    await assert.rejects(p, (e: SwitchboardError) => e.code === 'TIMEOUT' && e.retriable);
    await accept();
    assert.equal(FakeWebSocket.last().frames('publish').length, 0);
  });
});

describe('subscriptions, resume and dedup', () => {
  test('tracks the resume point from Subscribed (replayed 0) and from messages', async () => {
    const h = setup();
    let ws = await connect(h);
    const sub = h.client.subscribe('chat', { presence: true });
    const s = ws.frames('subscribe')[0]!;
    assert.equal(s.resumeFrom, undefined);
    assert.equal(s.presence, true);
    ws.receive({ case: 'subscribed', value: { requestId: s.requestId, room: 'chat', epoch: 'e1', nextPosition: 10n } });
    assert.equal((await sub).nextPosition, 10n);
    assert.deepEqual(h.client.resumePoint('chat'), { epoch: 'e1', nextPosition: 10n });
    ws.receive(message('chat', 12n, 'a'));
    assert.deepEqual(h.client.resumePoint('chat'), { epoch: 'e1', nextPosition: 13n });

    ws = await reconnect(h, ws);
    const resume = ws.frames('subscribe')[0]!;
    assert.deepEqual(resume.resumeFrom?.from, { case: 'nextPosition', value: 13n });
    assert.equal(resume.resumeFrom?.epoch, 'e1');
    assert.equal(resume.presence, true);
  });

  test('does not adopt next_position while messages are replayed', async () => {
    const h = setup();
    let ws = await subscribedThenReconnected(h, 5n);
    const events: SubscribedEvent[] = [];
    h.client.on('subscribed', (e) => events.push(e));
    const r = ws.frames('subscribe')[0]!;
    ws.receive({ case: 'subscribed', value: { requestId: r.requestId, room: 'chat', epoch: 'e1', nextPosition: 20n, recovered: true, replayed: 3 } });
    assert.equal(events[0]!.resumed, true);
    assert.deepEqual(h.client.resumePoint('chat'), { epoch: 'e1', nextPosition: 5n });
    ws.receive(message('chat', 6n, 'a'));
    ws.receive(message('chat', 9n, 'b'));
    // dropped mid-replay: the next resume starts after the last processed message, not at 20
    ws = await reconnect(h, ws);
    assert.deepEqual(ws.frames('subscribe')[0]!.resumeFrom?.from, { case: 'nextPosition', value: 10n });
  });

  test('drops messages already processed, by position and by id', async () => {
    const h = setup();
    const ws = await connect(h);
    void h.client.subscribe('chat');
    ws.receive(message('chat', 3n, 'a')); // may precede Subscribed on a plain subscribe
    ws.receive({ case: 'subscribed', value: { requestId: ws.frames('subscribe')[0]!.requestId, room: 'chat', epoch: 'e1', nextPosition: 4n } });
    ws.receive(message('chat', 3n, 'a'));
    ws.receive(message('chat', 4n, 'b'));
    ws.receive(message('chat', 4n, 'b'));
    ws.receive(message('chat', 2n, 'old'));
    ws.receive(message('chat', 9n, 'b', 'e2')); // same (sender, id) under a new epoch
    ws.receive(message('chat', 10n, 'c', 'e2'));
    ws.receive(message('other', 1n, 'x')); // not subscribed
    assert.deepEqual(h.messages.map((m) => `${m.epoch}/${m.position}`), ['e1/3', 'e1/4', 'e2/10']);
  });

  test('a batch is processed frame by frame, in order, as if each frame had come alone', async () => {
    const h = setup();
    const ws = await connect(h);
    const sub = h.client.subscribe('chat');
    const requestId = ws.frames('subscribe')[0]!.requestId;
    ws.receive({
      case: 'batch',
      value: {
        frames: [
          { frame: { case: 'subscribed', value: { requestId, room: 'chat', epoch: 'e1', nextPosition: 4n } } },
          { frame: message('chat', 4n, 'a') },
          { frame: message('chat', 4n, 'a') }, // a duplicate inside the batch is still dropped
          { frame: message('chat', 7n, 'b') },
        ],
      },
    });
    assert.equal((await sub).nextPosition, 4n);
    ws.receive(message('chat', 8n, 'c'));
    assert.deepEqual(h.messages.map((m) => m.id), ['a', 'b', 'c']);
    assert.deepEqual(h.client.resumePoint('chat'), { epoch: 'e1', nextPosition: 9n });
  });

  test('an epoch change resets the tracked position', async () => {
    const h = setup();
    const ws = await subscribedThenReconnected(h, 50n);
    const events: SubscribedEvent[] = [];
    h.client.on('subscribed', (e) => events.push(e));
    ws.receive({ case: 'subscribed', value: { requestId: ws.frames('subscribe')[0]!.requestId, room: 'chat', epoch: 'e2', nextPosition: 3n, recoveryFailure: 2 } });
    assert.equal(events[0]!.recoveryFailure, 'EPOCH_CHANGED');
    assert.deepEqual(h.client.resumePoint('chat'), { epoch: 'e2', nextPosition: 3n });
    ws.receive(message('chat', 3n, 'n'));
    assert.equal(h.messages.length, 1);
  });

  test('RECOVERY_UNAVAILABLE retries the same resuming subscribe', async () => {
    const h = setup({ backoff: { initialMs: 100 } });
    const ws = await subscribedThenReconnected(h, 8n);
    const first = ws.frames('subscribe')[0]!;
    ws.receive({ case: 'error', value: { requestId: first.requestId, code: ErrorCode.RECOVERY_UNAVAILABLE, retriable: true, room: 'chat' } });
    await h.sched.advance(100);
    const again = ws.frames('subscribe')[1]!;
    assert.deepEqual(again.resumeFrom?.from, { case: 'nextPosition', value: 8n });
  });

  test('a room closed by the server is forgotten and reported', async () => {
    const h = setup();
    const ws = await connect(h);
    const sub = h.client.subscribe('chat');
    const closed: string[] = [];
    h.client.on('unsubscribed', (e) => closed.push(`${e.room}:${e.reason}`));
    ws.receive({ case: 'unsubscribed', value: { requestId: 0, room: 'chat', reason: ErrorCode.ROOM_CLOSED } });
    assert.deepEqual(closed, ['chat:ROOM_CLOSED']);
    await assert.rejects(sub, (e: SwitchboardError) => e.code === ErrorCode.ROOM_CLOSED);
    assert.deepEqual(h.client.subscriptions(), []);
  });

  test('a subscription a backend made is reported, held, delivered and resumed like one of the client', async () => {
    const h = setup();
    let ws = await connect(h);
    const events: SubscribedEvent[] = [];
    h.client.on('subscribed', (e) => events.push(e));
    ws.receive({ case: 'subscribed', value: { requestId: 0, room: 'team:7', epoch: 'e1', nextPosition: 4n, serverSide: true, presence: true } });
    assert.equal(events.length, 1);
    assert.equal(events[0]!.serverSide, true);
    assert.equal(events[0]!.room, 'team:7');
    assert.deepEqual(h.client.subscriptions(), ['team:7']);
    ws.receive(message('team:7', 4n, 'a'));
    assert.deepEqual(h.messages.map((m) => `${m.room}/${m.position}`), ['team:7/4']);
    // With presence, its member list is read and kept like that of the client's own subscriptions.
    await flush();
    const query = ws.frames('presence').at(-1)!;
    assert.equal(query.room, 'team:7');
    ws.receive({
      case: 'presencePage',
      value: { requestId: query.requestId, room: 'team:7', members: [{ userId: 'ann', status: 1, devices: 1 }], users: 1n, connections: 1n, version: 3n, epoch: 'p1' },
    });
    await flush();
    assert.deepEqual(h.client.members('team:7')?.members.map((m) => m.userId), ['ann']);
    assert.equal(h.client.members('team:7')?.version, 3n);
    // subscribe() of a room the backend subscribed resolves at once: it is already held.
    assert.equal((await h.client.subscribe('team:7')).room, 'team:7');

    ws = await reconnect(h, ws);
    const resume = ws.frames('subscribe')[0]!;
    assert.equal(resume.room, 'team:7');
    assert.equal(resume.presence, true);
    assert.deepEqual(resume.resumeFrom?.from, { case: 'nextPosition', value: 5n });
  });

  test('a subscription revoked on refresh or ended by a backend is forgotten with its reason', async () => {
    const h = setup();
    const ws = await connect(h);
    const chat = h.client.subscribe('chat');
    const news = h.client.subscribe('news');
    const ended: string[] = [];
    h.client.on('unsubscribed', (e) => ended.push(`${e.room}:${e.reason}:${e.message}`));
    ws.receive({ case: 'unsubscribed', value: { requestId: 0, room: 'chat', reason: ErrorCode.PERMISSION_REVOKED, message: 'subscribe in chat: not granted' } });
    ws.receive({ case: 'unsubscribed', value: { requestId: 0, room: 'news', reason: ErrorCode.SERVER_UNSUBSCRIBED, message: 'moved' } });
    assert.deepEqual(ended, ['chat:PERMISSION_REVOKED:subscribe in chat: not granted', 'news:SERVER_UNSUBSCRIBED:moved']);
    await assert.rejects(chat, (e: SwitchboardError) => e.code === ErrorCode.PERMISSION_REVOKED);
    await assert.rejects(news, (e: SwitchboardError) => e.code === ErrorCode.SERVER_UNSUBSCRIBED);
    assert.deepEqual(h.client.subscriptions(), []);
  });

  test('a subscribe the server denies is reported and not retried', async () => {
    const h = setup({ backoff: { initialMs: 100 } });
    const ws = await connect(h);
    const sub = h.client.subscribe('secret');
    const errors: SwitchboardError[] = [];
    h.client.on('error', (e) => errors.push(e));
    ws.receive({ case: 'error', value: { requestId: ws.frames('subscribe')[0]!.requestId, code: ErrorCode.PERMISSION_DENIED, message: 'subscribe in secret: not granted', room: 'secret' } });
    await assert.rejects(sub, (e: SwitchboardError) => e.code === ErrorCode.PERMISSION_DENIED && e.room === 'secret');
    await h.sched.advance(10_000);
    assert.equal(ws.frames('subscribe').length, 1);
    assert.deepEqual(h.client.subscriptions(), []);
    assert.equal(errors.length, 1);
  });
});

describe('token refresh', () => {
  test('refreshes at 80% of the lifetime with a RefreshToken frame, then again for the new token', async () => {
    const sched = new FakeScheduler();
    let n = 0;
    const token = () => jwt({ sub: 'alice', iat: sched.now() / 1000, exp: sched.now() / 1000 + 100, n: n++ });
    const h = setup({ scheduler: sched, pingIntervalMs: 1e9 }, token);
    const ws = await connect(h);
    await sched.advance(79_999);
    assert.equal(ws.frames('refresh').length, 0);
    await sched.advance(1);
    const [refresh] = ws.frames('refresh');
    assert.ok(refresh);
    assert.deepEqual(h.tokenReasons, ['connect', 'refresh']);
    assert.notEqual(refresh.token, ws.frames('connect')[0]!.token);
    ws.receive({ case: 'ack', value: { requestId: refresh.requestId } });
    await flush();
    await sched.advance(79_999);
    assert.equal(ws.frames('refresh').length, 1);
    await sched.advance(1);
    assert.equal(ws.frames('refresh').length, 2);
  });

  test('a rejected refresh is reported and the connection keeps going', async () => {
    const sched = new FakeScheduler();
    const token = () => jwt({ sub: 'alice', iat: sched.now() / 1000, exp: sched.now() / 1000 + 100 });
    const h = setup({ scheduler: sched, pingIntervalMs: 1e9 }, token);
    const errors: string[] = [];
    h.client.on('error', (e) => errors.push(e.codeName));
    const ws = await connect(h);
    await sched.advance(80_000);
    const [refresh] = ws.frames('refresh');
    ws.receive({ case: 'error', value: { requestId: refresh!.requestId, code: ErrorCode.INVALID_TOKEN, message: 'other subject' } });
    await flush();
    assert.deepEqual(errors, ['INVALID_TOKEN']);
    assert.equal(h.client.state, 'connected');
    await sched.advance(10_000); // retried halfway to expiry
    assert.equal(ws.frames('refresh').length, 2);
  });
});

describe('typing', () => {
  test('received typing expires after ttl_ms unless renewed; stop ends it at once', async () => {
    const h = setup();
    const ws = await connect(h);
    const changes: TypingChange[] = [];
    h.client.on('typing', (c) => changes.push(c));
    const typing = (sender: string, stop = false) =>
      ws.receive({ case: 'ephemeral', value: { room: 'chat', kind: 'typing', sender, sessionId: `${sender}-1`, ttlMs: 6000, stop } });
    typing('bob');
    assert.deepEqual(h.client.typingUsers('chat'), ['bob']);
    await h.sched.advance(4000);
    typing('bob'); // renewed
    await h.sched.advance(5999);
    assert.deepEqual(h.client.typingUsers('chat'), ['bob']);
    await h.sched.advance(1);
    assert.deepEqual(h.client.typingUsers('chat'), []);
    typing('carol');
    typing('alice'); // own user on another device: ignored
    typing('carol', true);
    assert.deepEqual(changes.map((c) => c.users), [['bob'], [], ['carol'], []]);
  });

  test('setTyping sends typing, renews while active and stops when idle', async () => {
    const h = setup({ typing: { renewMs: 3000, idleMs: 5000 } });
    const ws = await connect(h);
    void h.client.subscribe('chat');
    ws.receive({ case: 'subscribed', value: { requestId: ws.frames('subscribe')[0]!.requestId, room: 'chat', epoch: 'e1' } });
    h.client.setTyping('chat', true);
    await h.sched.advance(2000);
    h.client.setTyping('chat', true); // keystroke: no extra frame
    assert.deepEqual(ws.frames('ephemeral').map((e) => e.stop), [false]);
    await h.sched.advance(1000); // renew at 3 s
    assert.deepEqual(ws.frames('ephemeral').map((e) => e.stop), [false, false]);
    await h.sched.advance(3000); // 6 s: last keystroke 4 s ago -> renew
    await h.sched.advance(3000); // 9 s: idle 7 s -> stop
    assert.deepEqual(ws.frames('ephemeral').map((e) => e.stop), [false, false, false, true]);
    assert.ok(ws.frames('ephemeral').every((e) => e.kind === 'typing' && e.room === 'chat'));
  });
});

describe('other requests', () => {
  test('history, presence and status requests resolve on their replies', async () => {
    const h = setup();
    const ws = await connect(h);
    const history = h.client.history('chat', { direction: 'before', position: 43n, limit: 2 });
    const hr = ws.frames('history')[0]!;
    assert.equal(hr.position, 43n);
    ws.receive({ case: 'historyPage', value: { requestId: hr.requestId, room: 'chat', epoch: 'e', messages: [message('chat', 38n, 'a').value], hasMore: true } });
    const page = await history;
    assert.equal(page.messages[0]!.position, 38n);
    assert.equal(page.hasMore, true);

    const presence = h.client.presenceQuery('chat');
    const pq = ws.frames('presence')[0]!;
    ws.receive({ case: 'presencePage', value: { requestId: pq.requestId, room: 'chat', members: [{ userId: 'bob', status: 1, devices: 2 }], users: 1n } });
    assert.deepEqual((await presence).members, [{ userId: 'bob', status: 'away', statusText: '', devices: 2 }]);

    const status = h.client.setStatus('busy', 'in a meeting');
    const ss = ws.frames('setStatus')[0]!;
    assert.equal(ss.text, 'in a meeting');
    ws.receive({ case: 'ack', value: { requestId: ss.requestId } });
    await status;
  });

  test('the history pager walks backwards', async () => {
    const h = setup();
    const ws = await connect(h);
    const pager = h.client.historyPager('chat', 2);
    const first = pager.loadEarlier();
    const r1 = ws.frames('history')[0]!;
    assert.equal(r1.direction, 0);
    ws.receive({ case: 'historyPage', value: { requestId: r1.requestId, room: 'chat', epoch: 'e', messages: [message('chat', 8n, 'a').value, message('chat', 9n, 'b').value], hasMore: true } });
    await first;
    const second = pager.loadEarlier();
    const r2 = ws.frames('history')[1]!;
    assert.deepEqual([r2.direction, r2.position, r2.epoch], [1, 8n, 'e']);
    ws.receive({ case: 'historyPage', value: { requestId: r2.requestId, room: 'chat', epoch: 'e', messages: [message('chat', 2n, 'c').value], hasMore: false } });
    await second;
    assert.equal(pager.hasMore, false);
  });

  test('user messages and presence events are emitted', async () => {
    const h = setup();
    const ws = await connect(h);
    const seen: string[] = [];
    h.client.on('userMessage', (m) => seen.push(`dm:${m.sender}`));
    h.client.on('presence', (p) => seen.push(`presence:${p.joined.map((m) => m.userId)}:${p.users}`));
    ws.receive({ case: 'userMessage', value: { id: 'x', sender: 'service:bot' } });
    ws.receive({ case: 'presence', value: { room: 'chat', joined: [{ userId: 'bob' }], users: 2n } });
    assert.deepEqual(seen, ['dm:service:bot', 'presence:bob:2']);
  });
});

describe('member lists (versioned presence)', () => {
  const member = (userId: string, devices = 1) => ({ userId, devices });
  const event = (fromVersion: bigint, version: bigint, change: { joined?: string[]; left?: string[]; users: bigint; summary?: boolean; epoch?: string }) => ({
    case: 'presence' as const,
    value: {
      room: 'chat',
      joined: (change.joined ?? []).map((u) => member(u)),
      left: change.left ?? [],
      users: change.users,
      connections: change.users,
      summary: change.summary ?? false,
      fromVersion,
      version,
      epoch: change.epoch ?? 'p1',
    },
  });
  const ids = (h: Harness) => h.client.members('chat')?.members.map((m) => m.userId);

  /** Subscribes to "chat" with presence and returns the member query the Subscribed started. */
  async function subscribed(h: Harness, ws: FakeWebSocket) {
    void h.client.subscribe('chat', { presence: true });
    const s = ws.frames('subscribe').at(-1)!;
    ws.receive({ case: 'subscribed', value: { requestId: s.requestId, room: 'chat', epoch: 'e1', nextPosition: 1n } });
    await flush();
    return ws.frames('presence').at(-1)!;
  }

  function page(ws: FakeWebSocket, requestId: number, users: string[], version: bigint, epoch = 'p1', hasMore = false) {
    ws.receive({
      case: 'presencePage',
      value: { requestId, room: 'chat', members: users.map((u) => member(u)), users: BigInt(users.length), connections: BigInt(users.length), version, epoch, hasMore },
    });
  }

  test('reads the list on Subscribed, buffers events meanwhile and applies only those after the page', async () => {
    const h = setup();
    const ws = await connect(h);
    const lists: string[][] = [];
    h.client.on('members', (l) => lists.push(l.members.map((m) => m.userId)));
    const query = await subscribed(h, ws);
    assert.equal(query.room, 'chat');
    assert.equal(query.limit, 100);
    // Both arrive before the page: the first is already in it (version 6), the second is not.
    ws.receive(event(5n, 6n, { joined: ['bob'], users: 2n }));
    ws.receive(event(6n, 7n, { joined: ['carol'], users: 3n }));
    assert.deepEqual(h.client.members('chat')?.loaded, false);
    page(ws, query.requestId, ['alice', 'bob'], 6n);
    await flush();
    assert.deepEqual(ids(h), ['alice', 'bob', 'carol']);
    const list = h.client.members('chat')!;
    assert.equal(list.version, 7n);
    assert.equal(list.users, 3);
    assert.equal(list.complete, true);
    // A repeat (at or below the version held) changes nothing; the next one applies.
    ws.receive(event(6n, 7n, { joined: ['carol'], users: 3n }));
    ws.receive(event(7n, 8n, { left: ['alice'], users: 2n }));
    assert.deepEqual(ids(h), ['bob', 'carol']);
    assert.deepEqual(lists, [['alice', 'bob', 'carol'], ['bob', 'carol']]);
    assert.equal(ws.frames('presence').length, 1);
  });

  test('a gap or a new epoch reads the list again, keeping the old one until the page arrives', async () => {
    const h = setup();
    const ws = await connect(h);
    const first = await subscribed(h, ws);
    page(ws, first.requestId, ['alice'], 3n);
    await flush();
    ws.receive(event(4n, 5n, { joined: ['bob'], users: 2n })); // version 4 was missed
    await flush();
    assert.deepEqual(ids(h), ['alice']);
    const again = ws.frames('presence').at(-1)!;
    assert.notEqual(again.requestId, first.requestId);
    page(ws, again.requestId, ['alice', 'bob'], 5n);
    await flush();
    assert.deepEqual(ids(h), ['alice', 'bob']);

    // The presence service restarted: its first event (a new epoch) leads to a read of the new state.
    ws.receive(event(0n, 2n, { joined: ['alice', 'bob', 'dave'], users: 3n, epoch: 'p2' }));
    await flush();
    const third = ws.frames('presence').at(-1)!;
    assert.notEqual(third.requestId, again.requestId);
    page(ws, third.requestId, ['alice', 'bob', 'dave'], 2n, 'p2');
    await flush();
    assert.deepEqual(ids(h), ['alice', 'bob', 'dave']);
    assert.equal(h.client.members('chat')!.epoch, 'p2');
  });

  test('a summary reads the names again in a listable room and marks a large room incomplete', async () => {
    const h = setup({ memberListLimit: 3 });
    const ws = await connect(h);
    const first = await subscribed(h, ws);
    page(ws, first.requestId, ['a', 'b'], 1n);
    await flush();
    ws.receive(event(1n, 2n, { users: 3n, summary: true }));
    await flush();
    const second = ws.frames('presence').at(-1)!;
    assert.equal(second.limit, 3);
    assert.notEqual(second.requestId, first.requestId);
    page(ws, second.requestId, ['a', 'b', 'c'], 2n);
    await flush();
    assert.equal(h.client.members('chat')!.complete, true);

    ws.receive(event(2n, 3n, { users: 40n, summary: true }));
    await flush();
    const list = h.client.members('chat')!;
    assert.equal(list.complete, false);
    assert.equal(list.users, 40);
    assert.deepEqual(ids(h), ['a', 'b', 'c']);
    assert.equal(ws.frames('presence').length, 2, 'no read for a room too large to list');
  });

  test('reads again after every resubscription, and retries a read the presence service could not answer', async () => {
    const h = setup();
    let ws = await connect(h);
    const first = await subscribed(h, ws);
    ws.receive({ case: 'error', value: { requestId: first.requestId, code: ErrorCode.UNAVAILABLE, retriable: true, message: 'warming up' } });
    await flush();
    assert.equal(ws.frames('presence').length, 1);
    await h.sched.advance(1000); // the first retry comes within the initial backoff (500 ms)
    const retry = ws.frames('presence').at(-1)!;
    assert.notEqual(retry.requestId, first.requestId);
    page(ws, retry.requestId, ['alice'], 4n);
    await flush();
    assert.deepEqual(ids(h), ['alice']);

    ws = await reconnect(h, ws);
    const s = ws.frames('subscribe')[0]!;
    ws.receive({ case: 'subscribed', value: { requestId: s.requestId, room: 'chat', epoch: 'e1', nextPosition: 1n } });
    await flush();
    const reread = ws.frames('presence')[0]!;
    assert.deepEqual(ids(h), ['alice'], 'the old list stays until the new page');
    page(ws, reread.requestId, ['alice', 'bob'], 9n);
    await flush();
    assert.deepEqual(ids(h), ['alice', 'bob']);
    void h.client.unsubscribe('chat');
    assert.equal(h.client.members('chat'), undefined);
  });

  test('the status is set again on every new connection', async () => {
    const h = setup();
    let ws = await connect(h);
    const set = h.client.setStatus('away', 'lunch');
    const first = ws.frames('setStatus')[0]!;
    ws.receive({ case: 'ack', value: { requestId: first.requestId } });
    await set;
    ws = await reconnect(h, ws);
    const again = ws.frames('setStatus');
    assert.equal(again.length, 1);
    assert.equal(again[0]!.text, 'lunch');
  });
});

describe('inbox (stored direct messages)', () => {
  test('stored direct messages carry stored, keep their order per user and resolve with the inbox position', async () => {
    const h = setup();
    h.client.connect();
    const ws = await acceptWithInbox();
    const first = h.client.sendDirect('bob', 'one', { stored: true, id: 'd1' });
    const second = h.client.sendDirect('bob', 'two', { stored: true, id: 'd2' });
    const signal = h.client.sendDirect('bob', 'ping', { id: 's1' });
    await flush();
    const sent = ws.frames('direct');
    assert.deepEqual(sent.map((d) => [d.id, d.stored]), [['d1', true], ['d2', true], ['s1', false]]);
    ws.receive({ case: 'ack', value: { requestId: sent[0]!.requestId, id: 'd1', room: 'inbox:bob', position: 7n, epoch: 'ie' } });
    ws.receive({ case: 'ack', value: { requestId: sent[1]!.requestId, id: 'd2', room: 'inbox:bob', position: 9n, epoch: 'ie', duplicate: true } });
    ws.receive({ case: 'ack', value: { requestId: sent[2]!.requestId, id: 's1', devices: 2 } });
    assert.deepEqual(await first, { id: 'd1', duplicate: false, devices: 0, room: 'inbox:bob', position: 7n, epoch: 'ie' });
    assert.deepEqual(await second, { id: 'd2', duplicate: true, devices: 0, room: 'inbox:bob', position: 9n, epoch: 'ie' });
    assert.deepEqual(await signal, { id: 's1', duplicate: false, devices: 2 });
  });

  test('the inbox starts at its oldest message, arrives as inboxMessage events and resumes after a reconnect', async () => {
    const h = setup();
    const inboxSeen: string[] = [];
    h.client.on('inboxMessage', (m) => inboxSeen.push(m.id));
    h.client.connect();
    let ws = await acceptWithInbox();
    assert.equal(h.client.inbox, 'inbox:alice');
    const ready = h.client.subscribeInbox();
    const sub = ws.frames('subscribe')[0]!;
    assert.equal(sub.room, 'inbox:alice');
    assert.deepEqual([sub.resumeFrom?.epoch, sub.resumeFrom?.from.value], ['ie', 0n]);
    ws.receive({ case: 'subscribed', value: { requestId: sub.requestId, room: 'inbox:alice', epoch: 'ie', recovered: true, replayed: 2, nextPosition: 20n } });
    await ready;
    ws.receive(message('inbox:alice', 3n, 'd1', 'ie'));
    ws.receive(message('inbox:alice', 8n, 'd2', 'ie'));
    assert.deepEqual(inboxSeen, ['d1', 'd2']);
    assert.deepEqual(h.messages, [], 'inbox messages are not room messages');

    ws.serverClose(1006);
    await h.sched.advance(h.states[h.states.length - 1]!.delayMs!);
    ws = await acceptWithInbox();
    const again = ws.frames('subscribe')[0]!;
    assert.deepEqual([again.room, again.resumeFrom?.epoch, again.resumeFrom?.from.value], ['inbox:alice', 'ie', 9n]);
    ws.receive({ case: 'subscribed', value: { requestId: again.requestId, room: 'inbox:alice', epoch: 'ie', recovered: true, replayed: 1, nextPosition: 30n } });
    ws.receive(message('inbox:alice', 8n, 'd2', 'ie')); // a repeat is dropped
    ws.receive(message('inbox:alice', 25n, 'd3', 'ie'));
    assert.deepEqual(inboxSeen, ['d1', 'd2', 'd3']);
  });

  test('a kept position starts the inbox after it', async () => {
    const h = setup();
    h.client.connect();
    const ws = await acceptWithInbox();
    void h.client.subscribeInbox({ resumeFrom: { epoch: 'ie', nextPosition: 42n } });
    const sub = ws.frames('subscribe')[0]!;
    assert.deepEqual([sub.resumeFrom?.epoch, sub.resumeFrom?.from.value], ['ie', 42n]);
  });

  test('without an inbox from the gateway: subscribeInbox throws and stored direct messages are refused', async () => {
    const h = setup();
    assert.throws(() => h.client.subscribeInbox(), /not connected yet/);
    const ws = await connect(h); // an older gateway: Connected has no inbox
    assert.equal(h.client.inbox, undefined);
    assert.throws(() => h.client.subscribeInbox(), /does not store direct messages/);
    await assert.rejects(h.client.sendDirect('bob', 'x', { stored: true }), (e: SwitchboardError) => e.code === ErrorCode.BAD_REQUEST);
    assert.deepEqual(ws.frames('direct'), []);
  });
});
