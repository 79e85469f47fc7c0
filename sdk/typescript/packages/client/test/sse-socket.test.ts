import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { resolveSettings } from '../src/options.js';
import { SseSocket, type PageEvents } from '../src/sse-socket.js';
import type { WebSocketLike } from '../src/options.js';
import { FakeScheduler } from './fakes.js';
import { FetchSpy } from './fetch-spy.js';

/**
 * The gateway's side of the HTTP fallback (docs/protocol.md section 15), scripted on a real HTTP server: one stream
 * (id "s1"), whose POSTs it answers with the statuses it is given (204 once they run out; 'drop' cuts the connection
 * without an answer; a promise, once it resolves), and a close event when the test sends one.
 */
class ScriptedGateway {
  readonly answers: Array<number | 'drop' | Promise<number>> = [];
  private readonly server: Server = createServer((req, res) => this.handle(req, res));
  private stream: ServerResponse | undefined;

  /** Listens on a free port; resolves with the WebSocket URL a client would be given. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/ws`;
  }

  /** The close event, then the end of the response, as the gateway closes a session. */
  close(code: number, reason: string): void {
    this.stream?.end(`event: close\ndata: ${JSON.stringify({ code, reason })}\n\n`);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'GET' && req.url === '/sse') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.write('event: open\ndata: {"stream":"s1","heartbeatMs":15000}\n\n');
      this.stream = res;
      return;
    }
    req.resume();
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/sse/s1') {
        res.writeHead(req.method === 'DELETE' ? 204 : 404).end();
        return;
      }
      const answer = this.answers.shift() ?? 204;
      if (answer === 'drop') {
        req.socket.destroy();
      } else {
        void Promise.resolve(answer).then((status) => res.writeHead(status).end());
      }
    });
  }
}

/** A browser window's pagehide, fired by the test; it counts the listeners added and not removed. */
class FakePage implements PageEvents {
  readonly listeners = new Set<() => void>();

  addEventListener(_type: 'pagehide', listener: () => void): void {
    this.listeners.add(listener);
  }

  removeEventListener(_type: 'pagehide', listener: () => void): void {
    this.listeners.delete(listener);
  }

  hide(): void {
    for (const listener of [...this.listeners]) {
      listener();
    }
  }
}

function frame(n: number): string {
  return JSON.stringify({ publish: { requestId: n, room: 'chat:lobby', id: `m-${n}`, payload: 'aGk=', ack: true } });
}

/** The DELETE that leaves the scripted gateway's stream, with the token of openSocket's connect. */
function leave(url: string) {
  return { url: `${SseSocket.streamUrl(url)}/s1`, authorization: 'Bearer token', keepalive: true };
}

/** A socket on the gateway whose first POST (connect) was taken. */
async function openSocket(url: string, spy: FetchSpy, socket: WebSocketLike = new SseSocket(url)) {
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.onclose = resolve;
  });
  await new Promise((resolve) => {
    socket.onopen = resolve;
  });
  socket.send(JSON.stringify({ connect: { token: 'token' } }));
  assert.equal(await spy.lastStatus(), 204);
  return { socket, closed };
}

describe('SseSocket: after a POST that was not taken, nothing more is posted on the stream (protocol.md 15)', () => {
  let gateway: ScriptedGateway;
  let spy: FetchSpy;
  let url: string;

  beforeEach(async () => {
    gateway = new ScriptedGateway();
    url = await gateway.start();
    spy = new FetchSpy().install();
  });

  afterEach(async () => {
    spy.uninstall();
    await gateway.stop();
  });

  for (const [status, code] of [[400, 3502], [413, 1009]] as const) {
    test(`${status}: frames queued behind it and sent after it stay off the stream until its close event (${code})`, async () => {
      const { socket, closed } = await openSocket(url, spy);
      gateway.answers.push(status);
      socket.send(frame(1));
      socket.send(frame(2)); // queued while the POST of frame 1 is out
      assert.equal(await spy.lastStatus(), status);

      socket.send(frame(3)); // after the refusal, before the close event
      socket.send(frame(4));
      assert.deepEqual(spy.bodies.slice(1), [frame(1)], 'no POST after the refused one');

      gateway.close(code, 'closed by the gateway');
      assert.deepEqual(await closed, { code, reason: 'closed by the gateway' });
      assert.deepEqual(spy.bodies.slice(1), [frame(1)]);
      assert.deepEqual(spy.deletes, [], 'the gateway ended the session: nothing to leave');
    });
  }

  for (const status of [401, 403, 404, 409, 429, 500, 503, 'drop'] as const) {
    const left = status === 404 ? 'not left (the gateway has no such stream)' : 'left with DELETE';
    test(`${status === 'drop' ? 'no answer' : status}: the stream ends as a dropped connection (1006), takes no more frames, ${left}`, async () => {
      const { socket, closed } = await openSocket(url, spy);
      gateway.answers.push(status);
      socket.send(frame(1));
      socket.send(frame(2));
      assert.equal(await spy.lastStatus(), status === 'drop' ? -1 : status);
      assert.equal((await closed).code, 1006);

      assert.throws(() => socket.send(frame(3)), /not open/);
      assert.deepEqual(spy.bodies.slice(1), [frame(1)], 'no POST after the refused one');
      assert.deepEqual(spy.deletes, status === 404 ? [] : [leave(url)]);
    });
  }

  test('frames sent while a POST is out go together in the next one, in order', async () => {
    const { socket } = await openSocket(url, spy);
    socket.send(frame(1));
    socket.send(frame(2));
    socket.send(frame(3));
    assert.equal(await spy.lastStatus(), 204);
    assert.equal(await spy.lastStatus(), 204);
    assert.deepEqual(spy.bodies.slice(1), [frame(1), `${frame(2)}\n${frame(3)}`]);
    socket.close();
  });

  describe('a 400 or 413 with no close event behind it (a proxy answered) ends the stream as dropped', () => {
    const closeWaitMs = 3000;
    let scheduler: FakeScheduler;

    beforeEach(() => {
      scheduler = new FakeScheduler();
    });

    /** An open socket (on the fake scheduler by default), its closes recorded, whose POST of frame 1 got `status`. */
    async function refusedSocket(status: number, created?: WebSocketLike) {
      const { socket, closed } = await openSocket(url, spy, created ?? new SseSocket(url, [], { scheduler, closeWaitMs }));
      const closes: Array<{ code: number; reason: string }> = [];
      const onclose = socket.onclose!;
      socket.onclose = (event) => {
        closes.push(event);
        onclose(event);
      };
      gateway.answers.push(status);
      socket.send(frame(1));
      assert.equal(await spy.lastStatus(), status);
      return { socket, closed, closes };
    }

    for (const status of [400, 413]) {
      test(`${status} and no close event: closes 1006 after closeWaitMs, having posted nothing more, and leaves the stream once`, async () => {
        const { socket, closes } = await refusedSocket(status);
        socket.send(frame(2));
        await scheduler.advance(closeWaitMs - 1);
        assert.deepEqual(closes, [], 'still waiting for the close event');
        assert.deepEqual(spy.deletes, []);

        await scheduler.advance(1);
        const reason = `POST answered HTTP ${status} and no close event followed within ${closeWaitMs} ms`;
        assert.deepEqual(closes, [{ code: 1006, reason }]);
        assert.deepEqual(spy.bodies.slice(1), [frame(1)], 'no POST after the refused one');
        // The session behind a proxy's refusal is still open on the gateway: left now, not at its next heartbeat.
        assert.deepEqual(spy.deletes, [leave(url)]);
        socket.close();
        assert.deepEqual(spy.deletes, [leave(url)], 'left once');
      });
    }

    test("413 and the gateway's close event 1009 just before the bound: closes 1009, and the wait is called off", async () => {
      const { closed, closes } = await refusedSocket(413);
      assert.equal(scheduler.pending, 1, 'waiting for the close event');
      await scheduler.advance(closeWaitMs - 1);

      gateway.close(1009, 'message too big');
      assert.deepEqual(await closed, { code: 1009, reason: 'message too big' });
      assert.equal(scheduler.pending, 0, 'the wait was called off');
      await scheduler.advance(closeWaitMs);
      assert.deepEqual(closes, [{ code: 1009, reason: 'message too big' }], 'no 1006 after it');
      assert.deepEqual(spy.deletes, [], 'the gateway ended the session: nothing to leave');
    });

    test("the gateway's order, its close event 1009 before its 413: closes 1009, and no wait starts", async () => {
      const { socket, closed } = await openSocket(url, spy, new SseSocket(url, [], { scheduler, closeWaitMs }));
      let answer413!: () => void;
      gateway.answers.push(new Promise((resolve) => (answer413 = () => resolve(413))));
      socket.send(frame(1));
      gateway.close(1009, 'message too big');
      assert.deepEqual(await closed, { code: 1009, reason: 'message too big' });

      answer413();
      assert.equal(await spy.lastStatus(), 413);
      assert.equal(scheduler.pending, 0, 'no wait for a close event that came already');
      assert.deepEqual(spy.deletes, []);
    });

    test('closed by the application while waiting for the close event: the wait is called off', async () => {
      const { socket, closes } = await refusedSocket(413);
      assert.equal(scheduler.pending, 1, 'waiting for the close event');

      socket.close(1000, 'bye');
      assert.equal(scheduler.pending, 0, 'the wait was called off');
      await scheduler.advance(closeWaitMs);
      assert.deepEqual(closes, [{ code: 1000, reason: 'bye' }]);
      assert.deepEqual(spy.deletes, [leave(url)], 'left by the close, once');
    });

    test("the client's fallback socket waits fallbackCloseWaitMs on the client's scheduler", async () => {
      const { HttpFallback } = resolveSettings({ url, token: () => 'token', scheduler, fallbackCloseWaitMs: 1234 });
      const { closes } = await refusedSocket(413, new HttpFallback(url, []));
      await scheduler.advance(1233);
      assert.equal(closes.length, 0);
      await scheduler.advance(1);
      assert.equal(closes[0]?.code, 1006);
    });
  });
});

describe('SseSocket: a page being left or reloaded leaves its stream at once (protocol.md 15)', () => {
  let gateway: ScriptedGateway;
  let spy: FetchSpy;
  let url: string;
  let page: FakePage;

  beforeEach(async () => {
    gateway = new ScriptedGateway();
    url = await gateway.start();
    spy = new FetchSpy().install();
    page = new FakePage();
  });

  afterEach(async () => {
    spy.uninstall();
    await gateway.stop();
  });

  test('pagehide: leaves with a keepalive DELETE, closes 1001 (as a browser closes a WebSocket), once', async () => {
    const { socket, closed } = await openSocket(url, spy, new SseSocket(url, [], { page }));
    assert.equal(page.listeners.size, 1);

    page.hide();
    assert.deepEqual(await closed, { code: 1001, reason: 'the page is being left' });
    assert.deepEqual(spy.deletes, [leave(url)], 'left, with a request that outlives the page');
    assert.equal(page.listeners.size, 0, 'no longer listening');
    assert.throws(() => socket.send(frame(1)), /not open/);

    page.hide();
    socket.close();
    assert.deepEqual(spy.deletes, [leave(url)], 'left once');
  });

  test('a socket closed before the page is left stops listening, and a later pagehide sends nothing', async () => {
    const { socket, closed } = await openSocket(url, spy, new SseSocket(url, [], { page }));
    gateway.close(1000, 'bye');
    assert.deepEqual(await closed, { code: 1000, reason: 'bye' });
    assert.equal(page.listeners.size, 0);

    page.hide();
    socket.close();
    assert.deepEqual(spy.deletes, [], 'the gateway ended the session: nothing to leave');
  });

  test('by default it listens to the global scope where that is a window (addEventListener and a document)', async () => {
    const scope = globalThis as { document?: unknown; addEventListener?: unknown; removeEventListener?: unknown };
    assert.equal(scope.document, undefined, 'Node has no document');
    Object.assign(scope, {
      document: {},
      addEventListener: page.addEventListener.bind(page),
      removeEventListener: page.removeEventListener.bind(page),
    });
    try {
      const { closed } = await openSocket(url, spy);
      assert.equal(page.listeners.size, 1, 'listening to the window');
      page.hide();
      assert.equal((await closed).code, 1001);
      assert.deepEqual(spy.deletes, [leave(url)]);
    } finally {
      delete scope.document;
      delete scope.addEventListener;
      delete scope.removeEventListener;
    }
  });
});
