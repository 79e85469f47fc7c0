import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { filesFromHistory, SwitchboardClient, textOf, type FileProgress, type IncompleteFile, type ReceivedFile, type RoomMessage } from '../../src/index.js';
import { client, DroppableTransport, lostWithoutCloseHandshake, skip, states, waitFor, waitForAsync } from './platform.js';

function connected(c: SwitchboardClient): Promise<void> {
  c.connect();
  return waitFor(() => c.state === 'connected');
}

for (const format of ['json', 'proto'] as const) {
  describe(`files to a user against a running Switchboard (${format})`, { skip }, () => {
    test('a file to an offline user, whose sender\'s connection is cut mid-transfer, arrives once and intact when the user subscribes to the inbox', async () => {
      const user = `files-${format}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
      const aliceSockets = new DroppableTransport();
      // Paced slowly (64 KiB/s, 16 KiB chunks) so that the drop lands in the middle of the transfer.
      const alice = client('alice', format, { WebSocket: aliceSockets.WebSocket, files: { chunkBytes: 16 * 1024, bytesPerSecond: 64 * 1024 } });
      const bob = client(user, format);
      const aliceStates = states(alice);
      const progress: FileProgress[] = [];
      const files: ReceivedFile[] = [];
      const incomplete: IncompleteFile[] = [];
      const inboxMessages: RoomMessage[] = [];
      const other: string[] = [];
      bob.on('inboxFile', (f) => files.push(f));
      bob.on('inboxFileIncomplete', (f) => incomplete.push(f));
      bob.on('inboxMessage', (m) => inboxMessages.push(m));
      bob.on('file', (f) => other.push(`file ${f.manifest.fileId}`));
      bob.on('message', (m) => other.push(`message ${m.id}`));
      const data = new Uint8Array(12 * 16 * 1024 + 123); // 13 chunks, the last one short
      for (let i = 0; i < data.length; i++) data[i] = (i * 7919 + (i >> 8)) & 0xff;
      try {
        await connected(alice);
        // The user has never connected: the file waits in their inbox.
        const transfer = alice.sendFileToUser(user, data, { name: 'scan.pdf', contentType: 'application/pdf', onProgress: (p) => progress.push(p) });
        await waitFor(() => progress.length >= 3);
        aliceSockets.dropCurrent();
        const manifest = await transfer.done;
        assert.ok(lostWithoutCloseHandshake(aliceStates), 'the transfer went on after a reconnect');
        assert.equal(transfer.room, `inbox:${user}`);
        assert.equal(manifest.chunks, 13);
        assert.equal(progress.at(-1)!.bytes, data.length);
        // Stored after every chunk: once it arrived, every file message before it has too.
        await alice.sendDirect(user, 'see attached', { stored: true });

        await connected(bob);
        await bob.subscribeInbox();
        await waitFor(() => inboxMessages.length >= 1 && files.length + incomplete.length >= 1);
        assert.equal(files.length, 1);
        assert.deepEqual(files[0]!.data, data);
        assert.deepEqual(files[0]!.manifest, manifest);
        assert.equal(files[0]!.sender, 'alice');
        assert.equal(files[0]!.room, bob.inbox);
        assert.deepEqual(incomplete, []);
        assert.deepEqual(inboxMessages.map(textOf), ['see attached'], 'file messages are not inbox messages');
        assert.deepEqual(other, []);

        // The inbox stores the manifest first and every chunk once; its history gives the same file back.
        const inbox = bob.inbox!;
        await waitForAsync(async () => (await bob.history(inbox, { limit: 100 })).messages.length >= 15);
        const page = await bob.history(inbox, { limit: 100 });
        const ids = page.messages.map((m) => m.id);
        assert.equal(ids.length, 15);
        assert.equal(new Set(ids).size, 15);
        assert.equal(ids[0], manifest.fileId);
        const fromHistory = await filesFromHistory(page);
        assert.deepEqual(fromHistory.files.map((f) => f.data), [data]);
        assert.deepEqual(fromHistory.messages.map(textOf), ['see attached']);
      } finally {
        alice.close();
        bob.close();
      }
    });
  });
}
