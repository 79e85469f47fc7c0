import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { Backoff } from '../src/backoff.js';
import { clientFrame, jsonCodec } from '../src/codec.js';
import { ConnectionStateMachine, type ConnectionHandler } from '../src/connection.js';
import { Emitter } from '../src/emitter.js';
import type { SwitchboardError } from '../src/errors.js';
import { resolveSettings, type ClientEvents, type SwitchboardClientOptions } from '../src/options.js';
import type { StateChange } from '../src/types.js';
import { FakeScheduler, FakeWebSocket, fakeGatewayOptions, flush } from './fakes.js';

function setup(options: Partial<SwitchboardClientOptions> = {}) {
  const sched = new FakeScheduler();
  const settings = resolveSettings({
    ...fakeGatewayOptions(sched),
    token: () => 'token',
    backoff: { initialMs: 1000, maxMs: 8000 },
    ...options,
  });
  const events = new Emitter<ClientEvents>();
  const states: StateChange[] = [];
  const errors: SwitchboardError[] = [];
  events.on('state', (s) => states.push(s));
  events.on('error', (e) => errors.push(e));
  const calls: string[] = [];
  const handler: ConnectionHandler = {
    onConnected: (conn) => calls.push(`connected:${conn.token}`),
    onFrame: (_conn, frame) => calls.push(`frame:${frame.frame.case}`),
    onConnectionLost: () => calls.push('lost'),
    onFailed: (e) => calls.push(`failed:${String(e.code)}`),
    onClosed: (e) => calls.push(`closed:${String(e.code)}`),
  };
  const machine = new ConnectionStateMachine(settings, jsonCodec, new Backoff(settings.backoff, settings.random), events, handler);
  return { sched, machine, states, errors, calls };
}

async function handshake(userId = 'alice'): Promise<FakeWebSocket> {
  await flush();
  const ws = FakeWebSocket.last();
  ws.open();
  ws.receive({ case: 'connected', value: { sessionId: 's', userId } });
  return ws;
}

/** A fresh harness whose machine is started and through the handshake: the harness and its socket. */
async function connected(options: Partial<SwitchboardClientOptions> = {}) {
  const h = setup(options);
  h.machine.start();
  return { h, ws: await handshake() };
}

beforeEach(() => {
  FakeWebSocket.instances = [];
});

describe('ConnectionStateMachine', () => {
  test('sends Connect with the token and client name, then reports Connected and hands on later frames', async () => {
    const { h, ws } = await connected({ clientName: 'test-app' });
    assert.deepEqual(ws.frames('connect'), [{ $typeName: 'switchboard.client.v1.Connect', token: 'token', client: 'test-app' }]);
    assert.equal(h.machine.state, 'connected');
    assert.equal(h.machine.info?.userId, 'alice');
    assert.equal(h.machine.current?.connected, true);
    ws.receive({ case: 'pong', value: { nonce: 1n } });
    assert.deepEqual(h.calls, ['connected:token', 'frame:pong']);
  });

  test('start() while started does nothing', async () => {
    const h = setup();
    h.machine.start();
    h.machine.start();
    await flush();
    assert.equal(FakeWebSocket.instances.length, 1);
    assert.deepEqual(h.states.map((s) => s.state), ['connecting']);
  });

  test('a lost connection is torn down once, and its late events are ignored', async () => {
    const { h, ws } = await connected();
    const onmessage = ws.onmessage!;
    ws.serverClose(1006);
    assert.equal(h.machine.current, undefined);
    assert.equal(h.machine.info, undefined);
    assert.equal(ws.onmessage, null, 'callbacks are cut');
    onmessage({ data: '{"pong":{}}' });
    assert.deepEqual(h.calls, ['connected:token', 'lost']);
    assert.deepEqual(h.states.at(-1), { state: 'reconnecting', previous: 'connected', code: 1006, reason: '', delayMs: 500 });
  });

  test('a socket lost without a close handshake (1006) reconnects after the backoff', async () => {
    const h = setup();
    h.machine.start();
    (await handshake()).serverClose(1006);
    assert.equal(h.machine.state, 'reconnecting');
    await h.sched.advance(h.states.at(-1)!.delayMs!);
    await handshake();
    assert.equal(h.machine.state, 'connected');
    assert.equal(FakeWebSocket.instances.length, 2);
  });

  test('a Drain sets the reconnect delay of the close that follows: random within reconnect_within_ms', async () => {
    const { h, ws } = await connected();
    ws.receive({ case: 'drain', value: { reconnectWithinMs: 4000 } });
    assert.deepEqual(h.calls, ['connected:token'], 'a Drain is the connection\'s business');
    ws.serverClose(3000, 'draining');
    assert.equal(h.states.at(-1)!.delayMs, 2000);
    await h.sched.advance(2000);
    assert.equal(FakeWebSocket.instances.length, 2);
  });

  test('a terminal close code fails waiting work and closes; connect() restarts', async () => {
    const { h, ws } = await connected();
    ws.serverClose(3502, 'banned');
    assert.equal(h.machine.state, 'closed');
    assert.equal(h.calls.at(-1), 'failed:3502');
    assert.ok(h.calls.indexOf('lost') > 0, 'torn down first');
    assert.match(h.errors[0]!.message, /closed by server: 3502 .*\(banned\)/);
    await h.sched.advance(60_000);
    assert.equal(FakeWebSocket.instances.length, 1);
    h.machine.start();
    await flush();
    assert.equal(FakeWebSocket.instances.length, 2);
  });

  test('a failing token provider is reported and retried with backoff', async () => {
    let fail = true;
    const h = setup({ token: () => (fail ? Promise.reject(new Error('auth server down')) : 'fresh') });
    h.machine.start();
    await flush();
    assert.equal(FakeWebSocket.instances.length, 0);
    assert.equal(h.errors[0]!.code, 'TOKEN');
    assert.equal(h.machine.state, 'reconnecting');
    fail = false;
    await h.sched.advance(h.states.at(-1)!.delayMs!);
    await handshake();
    assert.deepEqual(h.calls, ['connected:fresh']);
  });

  test('without a WebSocket implementation the client closes with a clear error', async () => {
    const global = globalThis as { WebSocket?: unknown };
    const saved = global.WebSocket; // Node >= 22 has one
    global.WebSocket = undefined;
    let h: ReturnType<typeof setup>;
    try {
      h = setup({ WebSocket: undefined });
    } finally {
      global.WebSocket = saved;
    }
    h.machine.start();
    await flush();
    assert.equal(h.machine.state, 'closed');
    assert.match(h.errors[0]!.message, /no WebSocket implementation/);
  });

  test('close() closes the socket with 1000, stops reconnecting and closes even before connect()', async () => {
    const idle = setup();
    idle.machine.close();
    assert.deepEqual(idle.calls, ['closed:CLOSED']);
    assert.deepEqual(idle.states, [{ state: 'closed', previous: 'disconnected' }]);

    const { h, ws } = await connected();
    h.machine.close();
    assert.equal(ws.closedByClient, 1000);
    assert.deepEqual(h.calls, ['connected:token', 'lost', 'closed:CLOSED']);
    assert.deepEqual(h.states.at(-1), { state: 'closed', previous: 'connected', code: 1000, reason: 'client closed' });
    await h.sched.advance(60_000);
    assert.equal(FakeWebSocket.instances.length, 1);
  });

  test('an undecodable frame is reported and the connection stays', async () => {
    const { h, ws } = await connected();
    ws.onmessage!({ data: new Uint8Array([1]) });
    assert.equal(h.errors[0]!.code, 'DECODE');
    assert.equal(h.machine.state, 'connected');
  });

  test('a send that throws is reported, not thrown', async () => {
    const { h, ws } = await connected();
    ws.send = () => {
      throw new Error('socket closing');
    };
    h.machine.send(h.machine.current!, clientFrame({ case: 'ping', value: { nonce: 1n } }));
    assert.equal(h.errors[0]!.code, 'NOT_CONNECTED');
  });

  test('pings when idle and drops a link whose ping goes unanswered', async () => {
    const { h, ws } = await connected({ pingIntervalMs: 1000 });
    await h.sched.advance(1000);
    assert.equal(ws.frames('ping').length, 1);
    ws.receive({ case: 'pong', value: { nonce: 1n } });
    await h.sched.advance(1000);
    assert.equal(ws.frames('ping').length, 2, 'answered: ping again');
    await h.sched.advance(1000);
    assert.equal(h.machine.state, 'reconnecting');
    assert.equal(h.states.at(-1)!.reason, 'no answer to ping');
  });
});
