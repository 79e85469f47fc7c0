import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  SwitchboardClient,
  textOf,
  type FileProgress,
  type IncompleteFile,
  type ReceivedFile,
  type RoomMessage,
  type WebSocketConstructor,
  type WebSocketLike,
} from '../../src/index.js';
import { client, DroppableTransport, lostWithoutCloseHandshake, messagesIn, RealWebSocket, skip, states, waitFor, waitForAsync } from './platform.js';

if (skip) {
  console.log(`# integration tests skipped: ${skip}`);
}

/** What a socket saw on the wire: WebSocket messages received, and the subprotocol the gateway chose. */
interface Wire {
  messages: number;
  protocol: string;
}

/** The real WebSocket, counting the messages it receives (a Batch counts once, however many frames it holds). */
function countingWebSocket(wire: Wire): WebSocketConstructor {
  return function (socketUrl: string, protocols: string[]) {
    const ws = new RealWebSocket(socketUrl, protocols) as WebSocketLike & {
      addEventListener(type: string, listener: () => void): void;
    };
    ws.addEventListener('message', () => {
      wire.messages++;
    });
    ws.addEventListener('open', () => {
      wire.protocol = ws.protocol;
    });
    return ws;
  } as unknown as WebSocketConstructor;
}



/** The client's transport now (a call, so that an earlier assertion's narrowing does not stick to it). */
function transportOf(c: SwitchboardClient): SwitchboardClient['transport'] {
  return c.transport;
}


for (const format of ['json', 'proto'] as const) {
  describe(`against a running Switchboard (${format})`, { skip }, () => {
    test('publish with ack, receive in order, resume after a dropped socket with no gap and no duplicate', async () => {
      const room = `demo:sdk-it-${format}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
      const aliceSockets = new DroppableTransport();
      const bobSockets = new DroppableTransport();
      const alice = client('alice', format, { WebSocket: aliceSockets.WebSocket });
      const bob = client('bob', format, { WebSocket: bobSockets.WebSocket });
      const aliceStates = states(alice);
      const bobStates = states(bob);
      const received = messagesIn(bob, room);
      const resumes: string[] = [];
      bob.on('subscribed', (e) => resumes.push(`${e.resumed}/${e.recovered}`));
      try {
        alice.connect();
        bob.connect();
        await bob.subscribe(room);

        const acks = [];
        for (let i = 0; i < 5; i++) {
          acks.push(await alice.publish(room, `m${i}`));
        }
        await waitFor(() => received.length === 5);

        bobSockets.dropCurrent();
        await waitFor(() => lostWithoutCloseHandshake(bobStates));
        for (let i = 5; i < 10; i++) {
          acks.push(await alice.publish(room, `m${i}`));
        }
        // alice's own socket drops with a publish in flight: it is resent with its id and stored once
        const inFlight = alice.publish(room, 'm10');
        aliceSockets.dropCurrent();
        acks.push(await inFlight);
        assert.ok(lostWithoutCloseHandshake(aliceStates), 'alice reconnected before the ack came');

        await waitFor(() => received.length >= 11);
        assert.deepEqual(resumes, ['false/false', 'true/true'], 'bob resumed and recovered');
        await new Promise((r) => setTimeout(r, 300)); // a late duplicate would show up here
        assert.deepEqual(received.map(textOf), Array.from({ length: 11 }, (_, i) => `m${i}`));
        assert.deepEqual(received.map((m) => m.position), acks.map((a) => a.position));
        assert.deepEqual(received.map((m) => m.sender), Array(11).fill('alice'));
        for (let i = 1; i < received.length; i++) {
          assert.ok(received[i]!.position > received[i - 1]!.position, 'positions increase');
        }
        const page = await bob.history(room, { limit: 50 });
        assert.deepEqual(page.messages.map(textOf), received.map(textOf), 'stored once each');
      } finally {
        alice.close();
        bob.close();
      }
    });

    test('a file interrupted by a dropped socket arrives once and intact on another client', async () => {
      const room = `demo:sdk-file-${format}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
      const aliceSockets = new DroppableTransport();
      // Paced slowly (64 KiB/s) so that the drop lands in the middle of the transfer.
      const alice = client('alice', format, { WebSocket: aliceSockets.WebSocket, files: { chunkBytes: 16 * 1024, bytesPerSecond: 64 * 1024 } });
      const bob = client('bob', format);
      const aliceStates = states(alice);
      const files: ReceivedFile[] = [];
      const incomplete: IncompleteFile[] = [];
      const messages: RoomMessage[] = [];
      const progress: FileProgress[] = [];
      bob.on('file', (f) => files.push(f));
      bob.on('fileIncomplete', (f) => incomplete.push(f));
      bob.on('message', (m) => messages.push(m));
      const data = new Uint8Array(20 * 16 * 1024 + 123); // 21 chunks, the last one short
      for (let i = 0; i < data.length; i++) data[i] = (i * 7919 + (i >> 8)) & 0xff;
      try {
        alice.connect();
        bob.connect();
        await bob.subscribe(room);
        const transfer = alice.sendFile(room, data, { name: 'photo.png', contentType: 'image/png', onProgress: (p) => progress.push(p) });
        await waitFor(() => progress.length >= 4);
        aliceSockets.dropCurrent();
        const manifest = await transfer.done;
        assert.ok(lostWithoutCloseHandshake(aliceStates), 'the transfer went on after a reconnect');
        await waitFor(() => files.length > 0);
        assert.equal(files.length, 1);
        assert.deepEqual(files[0]!.data, data);
        assert.equal(files[0]!.sender, 'alice');
        assert.deepEqual(files[0]!.manifest, manifest);
        assert.equal(manifest.chunks, 21);
        assert.equal(progress.at(-1)!.bytes, data.length);
        assert.deepEqual(incomplete, []);
        assert.deepEqual(messages, [], 'file messages are not application messages');
        // Stored like any message (history is written behind delivery): the manifest first, every chunk once.
        await waitForAsync(async () => (await bob.history(room, { limit: 100 })).messages.length >= 22);
        const ids = (await bob.history(room, { limit: 100 })).messages.map((m) => m.id);
        assert.equal(ids.length, 22);
        assert.equal(new Set(ids).size, 22);
        assert.equal(ids[0], manifest.fileId);
      } finally {
        alice.close();
        bob.close();
      }
    });

    test('batching: a burst arrives in fewer WebSocket messages than messages, as the same messages in the same order', async () => {
      const room = `demo:sdk-batch-${format}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
      const burst = 200;
      const batchedWire: Wire = { messages: 0, protocol: '' };
      const plainWire: Wire = { messages: 0, protocol: '' };
      const alice = client('alice', format);
      const bob = client('bob', format, { WebSocket: countingWebSocket(batchedWire) });
      const carol = client('carol', format, { WebSocket: countingWebSocket(plainWire), batching: false });
      const bobSees = messagesIn(bob, room);
      const carolSees = messagesIn(carol, room);
      try {
        alice.connect();
        bob.connect();
        carol.connect();
        await bob.subscribe(room);
        await carol.subscribe(room);
        assert.equal(batchedWire.protocol, `switchboard.v1.${format}+batch`);
        assert.equal(plainWire.protocol, `switchboard.v1.${format}`);
        const bobBefore = batchedWire.messages;
        const carolBefore = plainWire.messages;

        const acks = await Promise.all(Array.from({ length: burst }, (_, i) => alice.publish(room, `b${i}`)));
        await waitFor(() => bobSees.length >= burst && carolSees.length >= burst);

        // The order the room stored them in (publishes in flight together may be stored in any order).
        const stored = [...acks].sort((a, b) => (a.position < b.position ? -1 : 1)).map((a) => a.position);
        assert.deepEqual(bobSees.map((m) => m.position), stored, 'the batching client sees every message once, in order');
        assert.deepEqual(carolSees.map((m) => m.position), stored, 'the plain client sees the same');
        assert.deepEqual(bobSees.map(textOf), carolSees.map(textOf));
        assert.ok(plainWire.messages - carolBefore >= burst, 'one WebSocket message per message (and pongs) without batching');
        const bobMessages = batchedWire.messages - bobBefore;
        console.log(`# ${format}: ${burst} messages arrived in ${bobMessages} WebSocket messages with batching`);
        assert.ok(bobMessages < burst, `${bobMessages} WebSocket messages for ${burst} messages (expected: fewer)`);
      } finally {
        alice.close();
        bob.close();
        carol.close();
      }
    });
  });
}

describe('against a running Switchboard: the HTTP fallback', { skip }, () => {
  test('a client whose WebSocket upgrade is refused falls back to Server-Sent Events and POSTs by itself', async () => {
    const room = `demo:sdk-it-sse-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
    let refused = 0;
    // A network that refuses upgrades: every WebSocket goes to a path the gateway does not upgrade (HTTP 404).
    const Refused = function (socketUrl: string, protocols: string[]) {
      refused++;
      const u = new URL(socketUrl);
      u.pathname = '/no-websocket-here';
      return new RealWebSocket(u.toString(), protocols);
    } as unknown as WebSocketConstructor;
    const sam = client('sam', 'proto', { WebSocket: Refused });
    const wes = client('wes', 'proto');
    const samSees = messagesIn(sam, room);
    const wesSees = messagesIn(wes, room);
    try {
      sam.connect();
      wes.connect();
      await sam.subscribe(room);
      await wes.subscribe(room);
      assert.ok(refused >= 1, 'the first attempt was a WebSocket');
      assert.equal(sam.transport, 'http-fallback');
      const first = await sam.publish(room, 'from the stream');
      const second = await wes.publish(room, 'from the socket');
      await waitFor(() => samSees.length === 2 && wesSees.length === 2);
      assert.deepEqual(samSees.map(textOf), ['from the stream', 'from the socket']);
      assert.deepEqual(wesSees.map((m) => m.position), [first.position, second.position]);
    } finally {
      sam.close();
      wes.close();
    }
  });

  test('a client on the fallback moves to a WebSocket once upgrades work, resuming its room with no gap and no duplicate', async () => {
    const room = `demo:sdk-it-upgrade-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
    // A network that refuses upgrades until the test lets them through.
    const network = { refusing: true, refused: 0, passed: 0 };
    const Switchable = function (socketUrl: string, protocols: string[]) {
      const u = new URL(socketUrl);
      if (network.refusing) {
        network.refused++;
        u.pathname = '/no-websocket-here';
      } else {
        network.passed++;
      }
      return new RealWebSocket(u.toString(), protocols);
    } as unknown as WebSocketConstructor;
    // Tries of a WebSocket at most 0.3 s apart while on the fallback (by default up to 5 minutes).
    const sam = client('sam', 'proto', { WebSocket: Switchable, fallbackRetryMs: 300 });
    const wes = client('wes', 'proto');
    const samStates = states(sam);
    const samSees = messagesIn(sam, room);
    try {
      sam.connect();
      wes.connect();
      await sam.subscribe(room);
      assert.equal(sam.transport, 'http-fallback');
      // Both publish, each waiting for its ack, before, during and after the move, which the test does not time: it
      // happens at the next try after upgrades pass; publishing goes on until 10 more messages after it.
      const sent: string[] = [];
      let movedAfter: number | undefined;
      for (let i = 0; movedAfter === undefined || i < movedAfter + 10; i++) {
        // (Bounded so that one history page of 500 holds them all.)
        assert.ok(i < 480, `still on the fallback after ${i} messages; tries: ${JSON.stringify(network)}`);
        const from = i % 2 === 0 ? wes : sam;
        const text = `${from === wes ? 'wes' : 'sam'} ${i}`;
        await from.publish(room, text);
        sent.push(text);
        if (i === 9) {
          network.refusing = false;
        }
        if (movedAfter === undefined && transportOf(sam) === 'websocket') {
          movedAfter = i;
        }
      }
      assert.ok(network.passed >= 1 && network.refused >= 2, `tries: ${JSON.stringify(network)}`);
      console.log(`# moved to a WebSocket after message ${movedAfter} of ${sent.length}; tries: ${JSON.stringify(network)}`);
      // The room's order is the order of the acks: once the last one is shown, everything before it was.
      await waitFor(() => samSees.at(-1) !== undefined && textOf(samSees.at(-1)!) === sent.at(-1));
      assert.deepEqual(samSees.map(textOf), sent, 'every message once, in the order sent');
      assert.equal(transportOf(sam), 'websocket');
      const after = samStates.filter((s) => s.previous === 'connected');
      assert.deepEqual(after, [], 'the move is not a reconnect for the application');
      // History is written behind delivery: wait until it holds as many as were sent, then compare.
      let stored: string[] = [];
      await waitForAsync(async () => {
        stored = (await sam.history(room, { limit: 500 })).messages.map(textOf);
        return stored.length >= sent.length;
      });
      assert.deepEqual(stored, sent, 'stored once each');
    } finally {
      sam.close();
      wes.close();
    }
  });
});
