import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { beforeEach, describe, test } from 'node:test';
import { SwitchboardClient } from '../src/client.js';
import type { SwitchboardError } from '../src/errors.js';
import { FILE_CHUNK_CONTENT_TYPE, FILE_MANIFEST_CONTENT_TYPE, manifestJson, type FileManifest, type FileProgress, type IncompleteFile, type ReceivedFile } from '../src/files.js';
import { ErrorCode, RecoveryFailure } from '../src/gen/switchboard/client/v1/client_pb.js';
import type { RoomMessage, StateChange } from '../src/types.js';
import { acceptWithInbox, FakeScheduler, FakeWebSocket, fakeGatewayOptions, flush } from './fakes.js';

const CHUNK = 1024;

/** Files to a user (sendFileToUser) and from the inbox ('inboxFile' events), through the client and a fake gateway. */

interface Harness {
  client: SwitchboardClient;
  sched: FakeScheduler;
  states: StateChange[];
  seen: {
    inboxFiles: ReceivedFile[];
    inboxProgress: FileProgress[];
    inboxIncomplete: IncompleteFile[];
    files: ReceivedFile[];
    inboxMessages: RoomMessage[];
    messages: RoomMessage[];
  };
}

function setup(): Harness {
  const sched = new FakeScheduler();
  const client = new SwitchboardClient({
    ...fakeGatewayOptions(sched),
    token: () => 'opaque-token',
    files: { chunkBytes: CHUNK, window: 4 },
  });
  const states: StateChange[] = [];
  const seen: Harness['seen'] = { inboxFiles: [], inboxProgress: [], inboxIncomplete: [], files: [], inboxMessages: [], messages: [] };
  client.on('state', (s) => states.push(s));
  client.on('inboxFile', (f) => seen.inboxFiles.push(f));
  client.on('inboxFileProgress', (p) => seen.inboxProgress.push(p));
  client.on('inboxFileIncomplete', (f) => seen.inboxIncomplete.push(f));
  client.on('file', (f) => seen.files.push(f));
  client.on('inboxMessage', (m) => seen.inboxMessages.push(m));
  client.on('message', (m) => seen.messages.push(m));
  client.on('error', () => {});
  return { client, sched, states, seen };
}

/** Lets promises settle until `done()` holds: hashing runs on Web Crypto, which answers asynchronously. */
async function settled(done: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !done(); i++) {
    await flush();
  }
  assert.ok(done(), 'never settled');
}

function bytes(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7919 + (i >> 8)) & 0xff);
}

function manifestOf(fileId: string, data: Uint8Array): FileManifest {
  const sha256 = createHash('sha256').update(data).digest('hex');
  return { fileId, name: 'a.bin', contentType: 'application/octet-stream', size: data.length, chunkSize: CHUNK, chunks: Math.ceil(data.length / CHUNK), sha256 };
}

beforeEach(() => {
  FakeWebSocket.instances = [];
});

describe('sending a file to a user', () => {
  test('the manifest, then the chunks in the window, go as stored direct messages with the file ids; a cut connection resends only what was not acknowledged', async () => {
    const h = setup();
    h.client.connect();
    let ws = await acceptWithInbox();
    const data = bytes(CHUNK * 5 + 10);
    const progress: FileProgress[] = [];
    const transfer = h.client.sendFileToUser('bob', data, { name: 'a.bin', contentType: 'application/octet-stream', fileId: 'f1', onProgress: (p) => progress.push(p) });
    await settled(() => ws.frames('direct').length > 0);
    const ack = (socket: FakeWebSocket, id: string, position: bigint) => {
      const frame = socket.frames('direct').filter((d) => d.id === id).at(-1)!;
      socket.receive({ case: 'ack', value: { requestId: frame.requestId, id, room: 'inbox:bob', position, epoch: 'ie' } });
    };
    const manifest = ws.frames('direct')[0]!;
    assert.deepEqual([manifest.userId, manifest.id, manifest.stored, manifest.contentType], ['bob', 'f1', true, FILE_MANIFEST_CONTENT_TYPE]);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(manifest.payload)), manifestOf('f1', data));
    await flush();
    assert.equal(ws.frames('direct').length, 1, 'no chunk before the manifest is stored');
    assert.equal(transfer.room, '');
    ack(ws, 'f1', 10n);
    await flush();
    assert.equal(transfer.room, 'inbox:bob');
    const chunks = ws.frames('direct').slice(1);
    assert.deepEqual(chunks.map((d) => [d.id, d.stored, d.userId, d.contentType]), [0, 1, 2, 3].map((i) => [`f1.${i}`, true, 'bob', FILE_CHUNK_CONTENT_TYPE]));
    ack(ws, 'f1.0', 11n);
    ack(ws, 'f1.1', 12n);
    await flush();

    ws.serverClose(1006);
    await h.sched.advance(h.states.at(-1)!.delayMs!);
    ws = await acceptWithInbox();
    await flush();
    // The two in flight again, with their ids, then the window fills with the rest; nothing acknowledged goes twice.
    assert.deepEqual(ws.frames('direct').map((d) => d.id), ['f1.2', 'f1.3', 'f1.4', 'f1.5']);
    for (const [i, id] of ['f1.2', 'f1.3', 'f1.4', 'f1.5'].entries()) ack(ws, id, 13n + BigInt(i));
    assert.deepEqual(await transfer.done, manifestOf('f1', data));
    assert.deepEqual(progress.map((p) => [p.room, p.chunks]), [1, 2, 3, 4, 5, 6].map((n) => ['inbox:bob', n]));
    assert.equal(progress.at(-1)!.bytes, data.length);
    const sentChunks = [...FakeWebSocket.instances.flatMap((s) => s.frames('direct'))].filter((d) => d.contentType === FILE_CHUNK_CONTENT_TYPE);
    assert.deepEqual(new Uint8Array(Buffer.concat([0, 1, 2, 3, 4, 5].map((i) => sentChunks.find((d) => d.id === `f1.${i}`)!.payload))), data);
  });

  test('a gateway that does not store direct messages fails the transfer with BAD_REQUEST, sending nothing', async () => {
    const h = setup();
    h.client.connect();
    const ws = await acceptWithInbox('alice', '');
    const transfer = h.client.sendFileToUser('bob', bytes(10));
    await assert.rejects(transfer.done, (e: SwitchboardError) => e.code === ErrorCode.BAD_REQUEST);
    assert.deepEqual(ws.frames('direct'), []);
  });

  test('bad input is refused at once, as for sendFile', () => {
    const h = setup();
    assert.throws(() => h.client.sendFileToUser('bob', bytes(10), { fileId: 'a.b' }), RangeError);
  });
});

describe('receiving files in the inbox', () => {
  function fileMessages(room: string, sender: string, fileId: string, data: Uint8Array, from: bigint): RoomMessage[] {
    const m = manifestOf(fileId, data);
    const out: RoomMessage[] = [{ room, position: from, epoch: 'ie', id: fileId, sender, payload: manifestJson(m), contentType: FILE_MANIFEST_CONTENT_TYPE }];
    for (let i = 0; i < m.chunks; i++) {
      out.push({ room, position: from + BigInt(i + 1), epoch: 'ie', id: `${fileId}.${i}`, sender, payload: data.slice(i * CHUNK, (i + 1) * CHUNK), contentType: FILE_CHUNK_CONTENT_TYPE });
    }
    return out;
  }

  function deliver(ws: FakeWebSocket, m: RoomMessage): void {
    ws.receive({ case: 'message', value: { room: m.room, position: m.position, epoch: m.epoch, id: m.id, sender: m.sender, payload: m.payload, contentType: m.contentType } });
  }

  async function subscribed(room: string, subscribe: () => Promise<unknown>): Promise<FakeWebSocket> {
    const ws = FakeWebSocket.last();
    const ready = subscribe();
    const sub = ws.frames('subscribe').filter((s) => s.room === room).at(-1)!;
    ws.receive({ case: 'subscribed', value: { requestId: sub.requestId, room, epoch: 'ie', recovered: true, nextPosition: 0n } });
    await ready;
    return ws;
  }

  test('a file in the inbox is an inboxFile (once, a repeat dropped), not inboxMessage; a room\'s file stays a file', async () => {
    const h = setup();
    h.client.connect();
    await acceptWithInbox();
    const ws = await subscribed('inbox:alice', () => h.client.subscribeInbox());
    await subscribed('team', () => h.client.subscribe('team'));
    const data = bytes(CHUNK * 2 + 3);
    const inbox = fileMessages('inbox:alice', 'bob', 'f9', data, 5n);
    inbox.forEach((m) => deliver(ws, m));
    deliver(ws, inbox[1]!); // a repeat of a chunk
    deliver(ws, { room: 'inbox:alice', position: 9n, epoch: 'ie', id: 'hi', sender: 'bob', payload: new TextEncoder().encode('hi'), contentType: 'text/plain' });
    fileMessages('team', 'carol', 'f9', bytes(CHUNK), 1n).forEach((m) => deliver(ws, m));
    await settled(() => h.seen.inboxFiles.length > 0 && h.seen.files.length > 0);
    await flush();
    assert.equal(h.seen.inboxFiles.length, 1);
    const file = h.seen.inboxFiles[0]!;
    assert.deepEqual([file.room, file.sender, file.position, file.manifest], ['inbox:alice', 'bob', 5n, manifestOf('f9', data)]);
    assert.deepEqual(file.data, data);
    assert.deepEqual(h.seen.inboxProgress.map((p) => [p.room, p.chunks]), [['inbox:alice', 1], ['inbox:alice', 2], ['inbox:alice', 3]]);
    assert.deepEqual(h.seen.inboxMessages.map((m) => m.id), ['hi'], 'only the application\'s message');
    assert.deepEqual(h.seen.files.map((f) => [f.room, f.sender]), [['team', 'carol']]);
    assert.deepEqual(h.seen.messages, []);
    assert.deepEqual(h.seen.inboxIncomplete, []);
  });

  test('a file in progress in the inbox is reported incomplete when the inbox\'s resume does not recover', async () => {
    const h = setup();
    h.client.connect();
    let ws = await acceptWithInbox();
    await subscribed('inbox:alice', () => h.client.subscribeInbox());
    fileMessages('inbox:alice', 'bob', 'f7', bytes(CHUNK * 3), 1n).slice(0, 2).forEach((m) => deliver(ws, m));
    ws.serverClose(1006);
    await h.sched.advance(h.states.at(-1)!.delayMs!);
    ws = await acceptWithInbox();
    const again = ws.frames('subscribe')[0]!;
    ws.receive({ case: 'subscribed', value: { requestId: again.requestId, room: 'inbox:alice', epoch: 'ie2', recovered: false, recoveryFailure: RecoveryFailure.POSITION_EXPIRED, nextPosition: 0n } });
    await flush();
    assert.deepEqual(h.seen.inboxIncomplete.map((f) => [f.room, f.sender, f.reason, f.chunks]), [['inbox:alice', 'bob', 'recovery-failed', 1]]);
    assert.deepEqual(h.seen.inboxFiles, []);
  });
});
