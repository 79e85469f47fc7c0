import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { Backoff } from '../src/backoff.js';
import { jsonCodec, protoCodec } from '../src/codec.js';
import { ConnectionStateMachine, type ConnectionHandler } from '../src/connection.js';
import { Emitter } from '../src/emitter.js';
import { resolveSettings, type ClientEvents, type SwitchboardClientOptions } from '../src/options.js';
import { SseSocket } from '../src/sse-socket.js';
import { FakeScheduler, FakeWebSocket, flush } from './fakes.js';

/** A fake of the HTTP fallback's transport: a FakeWebSocket kept in a list of its own. */
class FakeFallback extends FakeWebSocket {
  static fallbacks: FakeFallback[] = [];

  constructor(url: string, protocols: string[]) {
    super(url, protocols);
    FakeFallback.fallbacks.push(this);
  }
}

function setup(options: Partial<SwitchboardClientOptions> = {}) {
  const sched = new FakeScheduler();
  // The client's format is proto: the fallback's connections must switch to JSON (FakeWebSocket parses JSON).
  const settings = resolveSettings({
    url: 'wss://gateway.example.com/ws',
    token: () => 'token',
    format: 'proto',
    WebSocket: FakeWebSocket,
    HttpFallback: FakeFallback,
    fallbackRetryMs: 60_000,
    scheduler: sched,
    random: () => 0.5,
    backoff: { initialMs: 1000, maxMs: 8000 },
    ...options,
  });
  const seen = { connected: [] as string[], lost: 0, frames: 0, states: [] as string[], delayMs: 0 };
  const handler: ConnectionHandler = {
    onConnected: (conn) => {
      seen.connected.push(conn.fallback ? 'fallback' : 'websocket');
    },
    onFrame: () => {
      seen.frames++;
    },
    onConnectionLost: () => {
      seen.lost++;
    },
    onFailed: () => undefined,
    onClosed: () => undefined,
  };
  const events = new Emitter<ClientEvents>();
  events.on('state', (s) => {
    seen.states.push(s.state);
    seen.delayMs = s.delayMs ?? 0;
  });
  const codec = settings.format === 'json' ? jsonCodec : protoCodec;
  const machine = new ConnectionStateMachine(settings, codec, new Backoff(settings.backoff, settings.random), events, handler);
  return {
    sched,
    machine,
    get connected() { return seen.connected; },
    get lost() { return seen.lost; },
    get frames() { return seen.frames; },
    get states() { return seen.states; },
    /** The delay of the last reconnect scheduled. */
    get delayMs() { return seen.delayMs; },
  };
}

/** The WebSocket attempts (FakeFallback is a FakeWebSocket too). */
function websockets(): FakeWebSocket[] {
  return FakeWebSocket.instances.filter((ws) => !(ws instanceof FakeFallback));
}

function connectFallback(stream: FakeFallback): void {
  stream.open();
  stream.receive({ case: 'connected', value: { sessionId: 'stream-session', userId: 'alice' } });
}

/** Lets the reconnect delay pass: the next attempt's socket is made, nothing else happens to it. */
async function reconnect(h: ReturnType<typeof setup>): Promise<void> {
  await h.sched.advance(h.delayMs);
  await flush();
}

beforeEach(() => {
  FakeWebSocket.instances = [];
  FakeFallback.fallbacks = [];
});

describe('HTTP fallback', () => {
  test('a WebSocket that closes before it opened makes the next attempt use the fallback, in JSON', async () => {
    const h = setup();
    h.machine.start();
    await flush();
    assert.equal(FakeFallback.fallbacks.length, 0, 'the first attempt is a WebSocket');
    FakeWebSocket.last().serverClose(1006, 'upgrade refused');
    await reconnect(h);
    const fallback = FakeFallback.fallbacks.at(-1)!;
    assert.ok(fallback, 'the second attempt is the fallback');
    fallback.open();
    assert.equal(fallback.frames('connect')[0]?.token, 'token', 'Connect sent in JSON');
    fallback.receive({ case: 'connected', value: { sessionId: 's', userId: 'alice' } });
    assert.equal(h.machine.state, 'connected');
  });

  test('a WebSocket that opened and then dropped does not switch to the fallback', async () => {
    const h = setup({ format: 'json' });
    h.machine.start();
    await flush();
    FakeWebSocket.last().open();
    FakeWebSocket.last().serverClose(1006);
    await reconnect(h);
    assert.equal(FakeFallback.fallbacks.length, 0);
    assert.equal(FakeWebSocket.instances.length, 2);
  });


  test('a fallback that does not open either (the gateway is down) is followed by a WebSocket again', async () => {
    const h = setup({ format: 'json' });
    h.machine.start();
    await flush();
    FakeWebSocket.last().serverClose(1006, 'connection refused');
    await reconnect(h);
    assert.equal(FakeFallback.fallbacks.length, 1, 'the fallback is tried once');
    FakeFallback.fallbacks[0]!.serverClose(1006, 'event stream failed: connection refused');
    await reconnect(h);
    assert.equal(FakeFallback.fallbacks.length, 1, 'no second fallback attempt');
    assert.equal(websockets().length, 2, 'a WebSocket again');
    websockets()[1]!.open();
    websockets()[1]!.receive({ case: 'connected', value: { sessionId: 's', userId: 'alice' } });
    assert.equal(h.machine.state, 'connected');
    assert.equal(h.machine.transport, 'websocket');
  });

  test('once its stream opened the client stays on the fallback across reconnects, also when the gateway is down', async () => {
    const h = setup({ fallbackRetryMs: 1_000_000_000 });
    h.machine.start();
    await flush();
    FakeWebSocket.last().serverClose(1006);
    await reconnect(h);
    connectFallback(FakeFallback.fallbacks.at(-1)!);
    assert.equal(h.machine.transport, 'http-fallback');
    FakeFallback.fallbacks.at(-1)!.serverClose(3000, 'reconnect');
    await reconnect(h);
    FakeFallback.fallbacks.at(-1)!.serverClose(1006, 'event stream refused with HTTP 503');
    await reconnect(h);
    assert.equal(FakeFallback.fallbacks.length, 3, 'fallback attempts only');
    connectFallback(FakeFallback.fallbacks.at(-1)!);
    assert.equal(h.machine.state, 'connected');
  });

  test('on the fallback a WebSocket is tried beside it at once, then with backoff, and takes the session over once connected', async () => {
    const h = setup({ format: 'json', fallbackRetryMs: 60_000, pingIntervalMs: 1_000_000_000 });
    h.machine.start();
    await flush();
    FakeWebSocket.last().serverClose(1006, 'upgrade refused');
    await reconnect(h);
    const stream = FakeFallback.fallbacks.at(-1)!;
    connectFallback(stream);
    assert.deepEqual(h.connected, ['fallback']);
    await h.sched.advance(0);
    assert.equal(websockets().length, 2, 'a WebSocket tried at once');
    websockets()[1]!.serverClose(1006, 'upgrade refused');
    await h.sched.advance(0);
    assert.equal(websockets().length, 2, 'the next try waits');
    assert.equal(h.machine.state, 'connected', 'the failed try leaves the fallback alone');
    assert.equal(stream.closedByClient, undefined);
    // Full jitter with random() = 0.5: half the ceiling, which is the backoff's first delay (1000 ms) doubled.
    await h.sched.advance(999);
    assert.equal(websockets().length, 2);
    await h.sched.advance(1);
    assert.equal(websockets().length, 3);
    const ws = websockets()[2]!;
    ws.open();
    assert.equal(ws.frames('connect')[0]?.token, 'token');
    assert.equal(h.machine.transport, 'http-fallback', 'still on the fallback during the handshake');
    ws.receive({ case: 'connected', value: { sessionId: 's2', userId: 'alice' } });
    assert.equal(h.machine.transport, 'websocket');
    assert.equal(h.machine.state, 'connected');
    assert.deepEqual(h.states, ['connecting', 'reconnecting', 'connected'], 'no state change for the move');
    assert.equal(h.lost, 2, 'connections given up: the first WebSocket and the fallback (a failed try is not one)');
    assert.deepEqual(h.connected, ['fallback', 'websocket']);
    assert.equal(stream.closedByClient, 1000, 'the stream is left');
    stream.receive({ case: 'pong', value: { nonce: 1n } });
    assert.equal(h.frames, 0, 'frames of the old stream are ignored');
    await h.sched.advance(1_000_000);
    assert.equal(websockets().length, 3, 'no more tries once on a WebSocket');
    ws.receive({ case: 'pong', value: { nonce: 2n } });
    assert.equal(h.frames, 1);
  });

  test('a try that stays unanswered is given up after connectTimeoutMs, and the fallback keeps the session', async () => {
    const h = setup({ format: 'json', connectTimeoutMs: 5000, pingIntervalMs: 1_000_000_000, fallbackRetryMs: 1_000_000_000 });
    h.machine.start();
    await flush();
    FakeWebSocket.last().serverClose(1006);
    await reconnect(h);
    const stream = FakeFallback.fallbacks.at(-1)!;
    connectFallback(stream);
    await h.sched.advance(0);
    const hanging = websockets()[1]!;
    hanging.open();
    await h.sched.advance(5000);
    assert.equal(hanging.closedByClient, 1000);
    assert.equal(typeof hanging.onerror, 'function', 'an error of the closing socket ("ws" emits one) is still handled');
    hanging.receive({ case: 'connected', value: { sessionId: 'late', userId: 'alice' } });
    assert.equal(h.machine.transport, 'http-fallback', 'a late Connected of a given-up try changes nothing');
    assert.equal(stream.closedByClient, undefined);
  });

  test('"always" never tries a WebSocket', async () => {
    const h = setup({ httpFallback: 'always', format: 'json' });
    h.machine.start();
    await flush();
    connectFallback(FakeFallback.fallbacks[0]!);
    await h.sched.advance(1_000_000);
    assert.equal(websockets().length, 0);
  });

  test('"never" stays on WebSockets and "always" starts on the fallback', async () => {
    const never = setup({ httpFallback: 'never' });
    never.machine.start();
    await flush();
    FakeWebSocket.last().serverClose(1006);
    await reconnect(never);
    assert.equal(FakeFallback.fallbacks.length, 0);
    const always = setup({ httpFallback: 'always' });
    always.machine.start();
    await flush();
    assert.equal(FakeFallback.fallbacks.length, 1);
  });

  test('the stream URL is the WebSocket URL\'s host and port with /sse', () => {
    assert.equal(SseSocket.streamUrl('wss://rt.example.com/ws'), 'https://rt.example.com/sse');
    assert.equal(SseSocket.streamUrl('ws://localhost:8080/ws?x=1'), 'http://localhost:8080/sse');
  });

  test('httpFallback is validated', () => {
    assert.throws(() => setup({ httpFallback: 'sometimes' as never }), /httpFallback: sometimes/);
  });
});
