import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  FILE_CHUNK_CONTENT_TYPE,
  FILE_MANIFEST_CONTENT_TYPE,
  FileAssembler,
  FilePacer,
  FileTransfer,
  manifestJson,
  parseManifest,
  resolveFileSettings,
  type FileManifest,
  type FileProgress,
  type IncompleteFile,
  type ReceivedFile,
} from '../src/files.js';
import type { PublishAck, RoomMessage } from '../src/types.js';
import { FakeScheduler, flush } from './fakes.js';

const CHUNK = 1024;

/** Lets promises settle until `done()` holds: the SHA-256 check runs on Web Crypto, which answers asynchronously. */
async function settled(done: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !done(); i++) {
    await flush();
  }
  assert.ok(done(), 'never settled');
}

function bytes(n: number, seed = n): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed || 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function sha(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A publish seam whose acks the test hands out: each call waits until ack() or fail() names its id. */
class Publishes {
  readonly calls: Array<{ id: string; payload: Uint8Array; contentType: string; resolve: (a: PublishAck) => void; reject: (e: unknown) => void }> = [];
  private position = 0n;
  readonly publish = (id: string, payload: Uint8Array, contentType: string): Promise<PublishAck> =>
    new Promise((resolve, reject) => this.calls.push({ id, payload, contentType, resolve, reject }));

  /** The latest publish of an id (a resumed transfer publishes an id again). */
  last(id: string) {
    return [...this.calls].reverse().find((c) => c.id === id)!;
  }

  ids(): string[] {
    return this.calls.map((c) => c.id);
  }

  ack(id: string): void {
    const call = this.last(id);
    call.resolve({ room: 'r', id, position: this.position++, epoch: 'e', duplicate: false });
  }

  fail(id: string): void {
    this.last(id).reject(new Error('TIMEOUT'));
  }
}

function transfer(sched: FakeScheduler, pub: Publishes, data: Uint8Array, progress: FileProgress[], settings = {}): FileTransfer {
  const s = resolveFileSettings({ chunkBytes: CHUNK, window: 4, ...settings });
  return new FileTransfer('r', 'f1', data, 'cat.png', 'image/png', CHUNK, s, sched, new FilePacer(s.bytesPerSecond, sched), pub.publish,
    (p) => progress.push(p));
}

describe('sending a file', () => {
  test('the manifest goes first, then chunks within the window, with ids from the file id and progress per ack', async () => {
    const sched = new FakeScheduler();
    const pub = new Publishes();
    const progress: FileProgress[] = [];
    const data = bytes(CHUNK * 5 + 10);
    const t = transfer(sched, pub, data, progress);
    await t.start();
    assert.deepEqual(pub.ids(), ['f1']);
    assert.equal(pub.calls[0]!.contentType, FILE_MANIFEST_CONTENT_TYPE);
    assert.deepEqual(parseManifest(pub.calls[0]!.payload), {
      fileId: 'f1', name: 'cat.png', contentType: 'image/png', size: data.length, chunkSize: CHUNK, chunks: 6, sha256: sha(data),
    });
    pub.ack('f1');
    await flush();
    assert.deepEqual(pub.ids(), ['f1', 'f1.0', 'f1.1', 'f1.2', 'f1.3']); // the window, nothing more
    for (let i = 0; i < 6; i++) {
      pub.ack(`f1.${i}`);
      await flush();
    }
    assert.deepEqual(await t.done, t.manifest);
    assert.deepEqual(progress.map((p) => p.chunks), [1, 2, 3, 4, 5, 6]);
    assert.equal(progress.at(-1)!.bytes, data.length);
    const joined = Buffer.concat(pub.calls.slice(1).map((c) => c.payload));
    assert.deepEqual(new Uint8Array(joined), data);
    assert.ok(pub.calls.slice(1).every((c) => c.contentType === FILE_CHUNK_CONTENT_TYPE));
  });

  test('resume() after a failure sends only the chunks not acknowledged', async () => {
    const sched = new FakeScheduler();
    const pub = new Publishes();
    const progress: FileProgress[] = [];
    const t = transfer(sched, pub, bytes(CHUNK * 6), progress);
    await t.start();
    pub.ack('f1');
    await flush();
    pub.ack('f1.0');
    pub.ack('f1.1');
    await flush();
    pub.fail('f1.2');
    pub.fail('f1.3');
    pub.fail('f1.4');
    pub.fail('f1.5');
    await assert.rejects(t.done, /TIMEOUT/);
    const before = pub.calls.length;
    const resumed = t.resume();
    await flush();
    assert.deepEqual(pub.ids().slice(before), ['f1.2', 'f1.3', 'f1.4', 'f1.5']);
    for (const id of ['f1.2', 'f1.3', 'f1.4', 'f1.5']) pub.ack(id);
    await flush();
    assert.deepEqual(await resumed, t.manifest);
    assert.deepEqual(progress.map((p) => p.chunks), [1, 2, 3, 4, 5, 6]);
  });

  test('chunks are paced to bytesPerSecond', async () => {
    const sched = new FakeScheduler();
    const pub = new Publishes();
    const t = transfer(sched, pub, bytes(CHUNK * 8), [], { window: 16, bytesPerSecond: 2 * CHUNK });
    await t.start();
    pub.ack('f1');
    await flush();
    assert.equal(pub.calls.length, 1 + 2);
    await sched.advance(1000);
    assert.equal(pub.calls.length, 1 + 4);
    await sched.advance(2000);
    assert.equal(pub.calls.length, 1 + 8);
  });
});

test('transfers sharing a pacer stay below its rate together', async () => {
  const sched = new FakeScheduler();
  const pub = new Publishes();
  const s = resolveFileSettings({ chunkBytes: CHUNK, window: 16, bytesPerSecond: 2 * CHUNK });
  const pacer = new FilePacer(s.bytesPerSecond, sched);
  const one = new FileTransfer('r', 'one', bytes(CHUNK * 4), '', '', CHUNK, s, sched, pacer, pub.publish, () => undefined);
  const two = new FileTransfer('r', 'two', bytes(CHUNK * 4, 9), '', '', CHUNK, s, sched, pacer, pub.publish, () => undefined);
  await one.start();
  await two.start();
  pub.ack('one');
  pub.ack('two');
  await flush();
  const chunks = () => pub.calls.filter((c) => c.contentType === FILE_CHUNK_CONTENT_TYPE).length;
  assert.equal(chunks(), 2);
  await sched.advance(3000);
  assert.equal(chunks(), 8);
});

describe('receiving a file', () => {
  let position = 0n;
  function msg(id: string, contentType: string, payload: Uint8Array, sender = 'bob'): RoomMessage {
    return { room: 'r', position: position++, epoch: 'e', id, sender, payload, contentType };
  }
  function setup(settings = {}) {
    const sched = new FakeScheduler();
    const files: ReceivedFile[] = [];
    const progress: FileProgress[] = [];
    const incomplete: IncompleteFile[] = [];
    const assembler = new FileAssembler(resolveFileSettings({ chunkBytes: CHUNK, ...settings }), sched, {
      file: (f) => files.push(f),
      fileProgress: (p) => progress.push(p),
      fileIncomplete: (f) => incomplete.push(f),
    });
    return { sched, files, progress, incomplete, assembler };
  }
  function manifestOf(fileId: string, data: Uint8Array): FileManifest {
    return { fileId, name: 'pic.png', contentType: 'image/png', size: data.length, chunkSize: CHUNK, chunks: Math.ceil(data.length / CHUNK), sha256: sha(data) };
  }
  const chunk = (m: FileManifest, data: Uint8Array, i: number) => msg(`${m.fileId}.${i}`, FILE_CHUNK_CONTENT_TYPE, data.slice(i * CHUNK, (i + 1) * CHUNK));

  test('chunks in any order make one verified file; other messages are left to the caller', async () => {
    const h = setup();
    const data = bytes(CHUNK * 2 + 7);
    const m = manifestOf('f2', data);
    assert.equal(h.assembler.accept(msg('f2', FILE_MANIFEST_CONTENT_TYPE, manifestJson(m))), true);
    assert.equal(h.assembler.accept(chunk(m, data, 2)), true);
    assert.equal(h.assembler.accept(msg('hello', 'text/plain', new TextEncoder().encode('hi'))), false);
    h.assembler.accept(chunk(m, data, 0));
    h.assembler.accept(chunk(m, data, 1));
    await settled(() => h.files.length + h.incomplete.length > 0);
    assert.equal(h.files.length, 1);
    assert.deepEqual(h.files[0]!.data, data);
    assert.equal(h.files[0]!.sender, 'bob');
    assert.deepEqual(h.progress.map((p) => p.bytes), [7, 7 + CHUNK, 7 + 2 * CHUNK]);
    assert.deepEqual(h.incomplete, []);
  });

  test('a corrupt chunk is a checksum mismatch, not a file', async () => {
    const h = setup();
    const data = bytes(CHUNK + 1);
    const m = manifestOf('f3', data);
    const corrupt = data.slice();
    corrupt[3]! ^= 1;
    h.assembler.accept(msg('f3', FILE_MANIFEST_CONTENT_TYPE, manifestJson(m)));
    h.assembler.accept(chunk(m, corrupt, 0));
    h.assembler.accept(chunk(m, corrupt, 1));
    await settled(() => h.files.length + h.incomplete.length > 0);
    assert.deepEqual(h.files, []);
    assert.deepEqual(h.incomplete.map((f) => f.reason), ['checksum-mismatch']);
  });

  test('a transfer that stops is reported incomplete after the stall timeout', async () => {
    const h = setup({ stallTimeoutMs: 30_000 });
    const data = bytes(CHUNK * 3);
    const m = manifestOf('f4', data);
    h.assembler.accept(msg('f4', FILE_MANIFEST_CONTENT_TYPE, manifestJson(m)));
    await h.sched.advance(20_000);
    h.assembler.accept(chunk(m, data, 0)); // progress pushes the deadline back
    await h.sched.advance(20_000);
    assert.equal(h.incomplete.length, 0);
    await h.sched.advance(11_000);
    assert.deepEqual(h.incomplete.map((f) => [f.reason, f.chunks]), [['stalled', 1]]);
  });

  test('a manifest above maxFileBytes is refused and its chunks ignored', async () => {
    const h = setup({ maxFileBytes: 2 * CHUNK });
    const data = bytes(CHUNK * 3);
    const m = manifestOf('f5', data);
    h.assembler.accept(msg('f5', FILE_MANIFEST_CONTENT_TYPE, manifestJson(m)));
    assert.equal(h.assembler.accept(chunk(m, data, 0)), true);
    assert.deepEqual(h.incomplete.map((f) => f.reason), ['too-large']);
    assert.deepEqual(h.progress, []);
  });

  test('a manifest with inconsistent counts is not a manifest', () => {
    const bad = new TextEncoder().encode(JSON.stringify({ fileId: 'x', size: 2049, chunkSize: 1024, chunks: 2, sha256: '0'.repeat(64) }));
    assert.throws(() => parseManifest(bad), /chunks 2/);
  });
});
