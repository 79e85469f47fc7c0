import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { textOf } from '../../src/index.js';
import { SseSocket } from '../../src/sse-socket.js';
import { FetchSpy } from '../../test/fetch-spy.js';
import { client, messagesIn, skip, states, token, url, waitFor, waitForAsync } from './platform.js';

/**
 * docs/protocol.md section 15: after a POST that was not taken, a client posts nothing more on that stream; what it
 * sends meanwhile goes on the next stream, behind the resends of what the refused POST carried. Against the real
 * gateway, with the real fetch watched (FetchSpy).
 */
describe('against a running Switchboard: a refused POST of the HTTP fallback', { skip }, () => {
  let spy: FetchSpy;

  beforeEach(() => {
    spy = new FetchSpy().install();
  });

  afterEach(() => {
    spy.uninstall();
  });

  test('a 413 of the gateway: nothing more is posted on the stream, which then closes 1009', async () => {
    const socket = new SseSocket(url!);
    const frames: string[] = [];
    socket.onmessage = (event) => frames.push(event.data as string);
    const closed = new Promise<number>((resolve) => {
      socket.onclose = (event) => resolve(event.code);
    });
    try {
      await new Promise((resolve) => {
        socket.onopen = resolve;
      });
      socket.send(JSON.stringify({ connect: { token: await token('pam'), client: 'switchboard-ts-integration' } }));
      await waitFor(() => frames.some((f) => f.startsWith('{"connected"')), 15_000, 'connected');
      // The connect POST may still be waiting for its 204 (over TLS it often is): until it has, a frame sent now
      // would wait in the queue and go in a later POST, and the last POST would still be the connect.
      assert.equal(await spy.lastStatus(), 204);

      // The close event the gateway writes before its 413 waits here until the test has sent behind the refusal.
      spy.hold();
      const room = `demo:sdk-it-refused-${Date.now()}`;
      // A line above limits.maxFrameBytes (128 KiB by default): the gateway answers 413 and closes the session 1009.
      socket.send(publish(room, 1, 'x'.repeat(200_000)));
      assert.equal(spy.posts.length, 2, 'the oversized frame went in a POST of its own at once');
      assert.equal(await spy.lastStatus(), 413);
      socket.send(publish(room, 2, 'sent after the refusal'));
      spy.release();

      assert.equal(await closed, 1009);
      assert.equal(spy.posts.length, 2, 'POSTs: connect, then the oversized frame, then nothing');
    } finally {
      spy.release();
      socket.close();
    }
  });

  test('a POST answered 404 (sent to another gateway): every publish is stored once, in the order sent', async () => {
    const room = `demo:sdk-it-misrouted-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
    const sam = client('sam', 'json', { httpFallback: 'always' });
    const wes = client('wes', 'json');
    const samStates = states(sam);
    const wesSees = messagesIn(wes, room);
    try {
      sam.connect();
      wes.connect();
      await wes.subscribe(room);
      await sam.subscribe(room);
      assert.equal(sam.transport, 'http-fallback');
      const sent = Array.from({ length: 30 }, (_, i) => `m${i}`);
      await Promise.all(sent.slice(0, 10).map((text) => sam.publish(room, text)));
      // The next POST carries some of m10..m29 (sent together, without waiting for acks) and is answered 404: the
      // stream is dropped, the client reconnects and resends them behind nothing that went out after the 404.
      spy.misrouteNextPost();
      await Promise.all(sent.slice(10).map((text) => sam.publish(room, text)));
      assert.ok(samStates.some((s) => s.state === 'reconnecting' && s.code === 1006), 'the refused POST dropped the stream');
      assert.ok((await Promise.all(spy.posts.map((p) => p.status))).includes(404), 'a POST was answered 404');

      await waitFor(() => wesSees.length >= sent.length, 15_000, 'every message delivered');
      assert.deepEqual(wesSees.map(textOf), sent, 'every message once, in the order sent');
      let stored: string[] = [];
      await waitForAsync(async () => {
        stored = (await wes.history(room, { limit: 100 })).messages.map(textOf);
        return stored.length >= sent.length;
      });
      assert.deepEqual(stored, sent, 'stored once each, in order');
    } finally {
      sam.close();
      wes.close();
    }
  });
});

function publish(room: string, n: number, text: string): string {
  const payload = Buffer.from(text).toString('base64');
  return JSON.stringify({ publish: { requestId: n, room, id: `refused-${n}`, payload, ack: true } });
}
