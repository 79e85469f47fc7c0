import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { FILE_CHUNK_CONTENT_TYPE, FILE_MANIFEST_CONTENT_TYPE, manifestJson, type FileManifest } from '../src/files.js';
import { filesFromHistory } from '../src/history-files.js';
import type { HistoryPage, RoomMessage } from '../src/types.js';

const CHUNK = 1024;

function bytes(n: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7919 + seed * 31 + (i >> 8)) & 0xff);
}

function manifestOf(fileId: string, data: Uint8Array): FileManifest {
  const sha256 = createHash('sha256').update(data).digest('hex');
  return { fileId, name: `${fileId}.bin`, contentType: '', size: data.length, chunkSize: CHUNK, chunks: Math.ceil(data.length / CHUNK), sha256 };
}

/** A room's stored messages, as history returns them: positions from 0, one after another. */
class Room {
  readonly messages: RoomMessage[] = [];

  constructor(readonly room = 'r', readonly epoch = 'e') {}

  text(id: string, sender = 'bob'): this {
    return this.add(id, sender, new TextEncoder().encode(id), 'text/plain');
  }

  file(fileId: string, data: Uint8Array, sender = 'bob', manifest = manifestOf(fileId, data)): this {
    this.add(fileId, sender, manifestJson(manifest), FILE_MANIFEST_CONTENT_TYPE);
    for (let i = 0; i < manifest.chunks; i++) this.add(`${fileId}.${i}`, sender, data.slice(i * CHUNK, (i + 1) * CHUNK), FILE_CHUNK_CONTENT_TYPE);
    return this;
  }

  /** Messages [from, to) as one page. */
  page(from: number, to = this.messages.length): HistoryPage {
    return { room: this.room, epoch: this.epoch, messages: this.messages.slice(from, to), hasMore: from > 0 };
  }

  private add(id: string, sender: string, payload: Uint8Array, contentType: string): this {
    this.messages.push({ room: this.room, position: BigInt(this.messages.length), epoch: this.epoch, id, sender, payload, contentType });
    return this;
  }
}

test('pages read newest first, split inside a file and overlapping, give each file once, intact, and the other messages in order', async () => {
  const one = bytes(CHUNK * 3 + 5, 1);
  const two = bytes(CHUNK, 2);
  const room = new Room().text('hello').file('one', one).text('between', 'carol').file('two', two, 'carol').text('bye');
  // 0 hello, 1-5 one, 6 between, 7-8 two, 9 bye: pages [6, 10) and [0, 7) (newest first, overlapping at 6), cut inside "one" too.
  const found = await filesFromHistory([room.page(6), room.page(3, 7), room.page(0, 3)]);
  assert.deepEqual(found.files.map((f) => [f.manifest.fileId, f.sender, f.position]), [['one', 'bob', 1n], ['two', 'carol', 7n]]);
  assert.deepEqual(found.files[0]!.data, one);
  assert.deepEqual(found.files[1]!.data, two);
  assert.deepEqual(found.messages.map((m) => m.id), ['hello', 'between', 'bye']);
  assert.deepEqual(found.incomplete, []);
  assert.equal(found.chunksWithoutManifest, 0);
});

test('only the newest page: chunks whose manifest is older are counted, a file whose chunks are not all there is incomplete', async () => {
  const room = new Room().file('old', bytes(CHUNK * 4)).file('new', bytes(CHUNK * 3, 3));
  // 0-4 old, 5-8 new: the newest page [3, 7) holds two chunks of "old", the manifest of "new" and its first chunk.
  const found = await filesFromHistory(room.page(3, 7));
  assert.deepEqual(found.files, []);
  assert.equal(found.chunksWithoutManifest, 2);
  assert.deepEqual(found.incomplete.map((f) => [f.manifest.fileId, f.reason, f.chunks]), [['new', 'missing-chunks', 1]]);
  assert.deepEqual(found.messages, []);
});

test('a corrupt file and one above maxFileBytes are reported, not returned; loose messages work like pages', async () => {
  const good = bytes(CHUNK + 1);
  const corrupt = new Room().file('bad', good, 'bob', { ...manifestOf('bad', good), sha256: '0'.repeat(64) }).file('big', bytes(CHUNK * 3)).file('ok', bytes(10));
  const found = await filesFromHistory([...corrupt.messages].reverse(), { maxFileBytes: 2 * CHUNK });
  assert.deepEqual(found.files.map((f) => f.manifest.fileId), ['ok']);
  assert.deepEqual(found.incomplete.map((f) => [f.manifest.fileId, f.reason]).sort(), [['bad', 'checksum-mismatch'], ['big', 'too-large']]);
  assert.equal(found.chunksWithoutManifest, 0);
});

test('an empty file is its manifest alone; an inbox\'s pages work the same', async () => {
  const inbox = new Room('inbox:alice', 'ie').file('empty', new Uint8Array(0), 'bob');
  const found = await filesFromHistory(inbox.page(0));
  assert.deepEqual(found.files.map((f) => [f.room, f.manifest.fileId, f.data.length]), [['inbox:alice', 'empty', 0]]);
});
