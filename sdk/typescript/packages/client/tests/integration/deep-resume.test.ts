import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import {
  SwitchboardClient,
  textOf,
  type PublishAck,
  type SubscribedEvent,
  type WebSocketConstructor,
} from '../../src/index.js';
import type { WireFormat } from '../../src/codec.js';
import { client, messagesIn, RealWebSocket, skip } from './platform.js';

/*
 * Deep resume (docs/protocol.md section 10): a client that was offline while far more messages were stored than one
 * replay page (gateway.resume.page-size, 200 by default) gets every one of them on its next connection, streamed page
 * by page, once each and in order, then the live ones (the platform: ./platform.ts).
 */

/** Missed while offline: three replay pages of the default size. */
const MISSED = 600;

/**
 * A network the test can take away: while offline, every socket the client opens goes to a port nobody listens on
 * (refused at once, as a phone between networks), and the client's current socket is broken without a close
 * handshake when it goes offline.
 */
class Network {
  offline = false;
  private readonly sockets: WebSocket[] = [];
  readonly WebSocket: WebSocketConstructor;

  constructor() {
    const network = this;
    this.WebSocket = class extends WebSocket {
      constructor(address: string, protocols: string[]) {
        super(network.offline ? 'ws://127.0.0.1:1/ws' : address, protocols);
        network.sockets.push(this);
      }
    } as unknown as WebSocketConstructor;
  }

  goOffline(): void {
    this.offline = true;
    this.sockets.at(-1)?.terminate();
  }
}

function deepClient(user: string, format: WireFormat, WebSocketImpl = RealWebSocket): SwitchboardClient {
  // A refused socket must not send the client to the HTTP fallback: the test is about the WebSocket's resume.
  return client(user, format, { WebSocket: WebSocketImpl, httpFallback: 'never', backoff: { initialMs: 100, maxMs: 1000 } });
}

function waitFor(predicate: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (predicate()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error(`${what}: not within ${timeoutMs} ms`));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

for (const format of ['json', 'proto'] as const) {
  describe(`deep resume against a running Switchboard (${format})`, { skip }, () => {
    test(`a client offline while ${MISSED} messages were stored gets each once, in order, then the live ones`, async () => {
      const room = `demo:sdk-deep-${format}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
      const network = new Network();
      const alice = deepClient('alice', format);
      const bob = deepClient('bob', format, network.WebSocket);
      const received = messagesIn(bob, room);
      const subscribed: SubscribedEvent[] = [];
      bob.on('subscribed', (e) => {
        if (e.room === room) subscribed.push(e);
      });
      try {
        alice.connect();
        bob.connect();
        await bob.subscribe(room);
        const acks: PublishAck[] = [await alice.publish(room, 'before')];
        await waitFor(() => received.length === 1, 'the first message');

        network.goOffline();
        await waitFor(() => bob.state !== 'connected', 'bob offline');
        // Pipelined up to the SDK's in-flight window; stored in the order sent (docs/protocol.md section 4).
        const missed = Array.from({ length: MISSED }, (_, i) => alice.publish(room, `missed ${i}`));
        acks.push(...(await Promise.all(missed)));
        assert.equal(received.length, 1, 'nothing reached bob while offline');

        network.offline = false;
        await waitFor(() => subscribed.length === 2, 'bob resubscribed');
        acks.push(await alice.publish(room, 'after'));
        await waitFor(() => received.length >= MISSED + 2, `all ${MISSED + 2} messages`);

        const resumed = subscribed[1]!;
        assert.ok(resumed.resumed && resumed.recovered, `resumed and recovered: ${JSON.stringify(resumed, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
        assert.equal(resumed.replayed, MISSED, 'the whole gap replayed');
        await new Promise((r) => setTimeout(r, 300)); // a late duplicate would show up here
        const expected = ['before', ...Array.from({ length: MISSED }, (_, i) => `missed ${i}`), 'after'];
        assert.deepEqual(received.map(textOf), expected, 'each once, in the order sent');
        assert.deepEqual(received.map((m) => m.position), acks.map((a) => a.position), 'at the acknowledged positions');
      } finally {
        alice.close();
        bob.close();
      }
    });
  });
}
