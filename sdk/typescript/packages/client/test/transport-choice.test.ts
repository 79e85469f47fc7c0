import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { Backoff } from '../src/backoff.js';
import { protoCodec } from '../src/codec.js';
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
  const handler: ConnectionHandler = {
    onConnected: () => undefined,
    onFrame: () => undefined,
    onConnectionLost: () => undefined,
    onFailed: () => undefined,
    onClosed: () => undefined,
  };
  const machine = new ConnectionStateMachine(settings, protoCodec, new Backoff(settings.backoff, settings.random),
    new Emitter<ClientEvents>(), handler);
  return { sched, machine };
}

async function reconnect(h: ReturnType<typeof setup>): Promise<void> {
  await h.sched.advance(10_000);
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

  test('after fallbackRetryMs a reconnect tries a WebSocket again', async () => {
    const h = setup({ pingIntervalMs: 1_000_000 });
    h.machine.start();
    await flush();
    FakeWebSocket.last().serverClose(1006);
    await reconnect(h);
    FakeFallback.fallbacks.at(-1)!.open();
    FakeFallback.fallbacks.at(-1)!.serverClose(1006);
    await reconnect(h);
    assert.equal(FakeFallback.fallbacks.length, 2, 'still within the retry interval: the fallback again');
    const stream = FakeFallback.fallbacks.at(-1)!;
    stream.open();
    stream.receive({ case: 'connected', value: { sessionId: 's', userId: 'alice' } });
    await h.sched.advance(60_000);
    stream.serverClose(1006);
    await reconnect(h);
    assert.equal(FakeFallback.fallbacks.length, 2);
    assert.equal(FakeWebSocket.instances.length - FakeFallback.fallbacks.length, 2, 'a second WebSocket attempt');
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
