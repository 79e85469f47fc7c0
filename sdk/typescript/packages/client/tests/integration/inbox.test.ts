import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SwitchboardClient, textOf, type RoomMessage } from '../../src/index.js';
import { client, skip, waitFor } from './platform.js';



function connected(c: SwitchboardClient): Promise<void> {
  c.connect();
  return waitFor(() => c.state === 'connected');
}

for (const format of ['json', 'proto'] as const) {
  describe(`inbox against a running Switchboard (${format})`, { skip }, () => {
    test('an offline user\'s devices each receive the stored direct messages once, in order, then resume after the kept position', async () => {
      const user = `inbox-${format}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
      const sender = client('alice', format);
      const phone = client(user, format);
      const laptop = client(user, format);
      const restarted = client(user, format);
      try {
        await connected(sender);
        // Pipelined while the user has never connected: stored in call order.
        const acks = await Promise.all([1, 2, 3, 4].map((i) => sender.sendDirect(user, `m${i}`, { stored: true })));
        assert.ok(acks.every((a) => a.room === `inbox:${user}`), 'acknowledged into the inbox');
        for (let i = 1; i < acks.length; i++) {
          assert.ok(acks[i]!.position! > acks[i - 1]!.position!, 'stored in call order');
        }

        const seen = new Map<SwitchboardClient, RoomMessage[]>([[phone, []], [laptop, []]]);
        for (const [device, list] of seen) {
          device.on('inboxMessage', (m) => list.push(m));
          await connected(device);
          const subscribed = await device.subscribeInbox();
          assert.equal(subscribed.replayed, 4);
        }
        await waitFor(() => [...seen.values()].every((l) => l.length >= 4));
        for (const list of seen.values()) {
          assert.deepEqual(list.map(textOf), ['m1', 'm2', 'm3', 'm4']);
          assert.deepEqual(list.map((m) => m.sender), Array(4).fill('alice'));
        }

        // A restarted application resumes from the point its device kept: only what came after arrives.
        const kept = phone.resumePoint(phone.inbox!)!;
        phone.close();
        await sender.sendDirect(user, 'm5', { stored: true });
        const after: RoomMessage[] = [];
        restarted.on('inboxMessage', (m) => after.push(m));
        await connected(restarted);
        await restarted.subscribeInbox({ resumeFrom: kept });
        await sender.sendDirect(user, 'm6', { stored: true });
        await waitFor(() => after.length >= 2 && seen.get(laptop)!.length >= 6);
        assert.deepEqual(after.map(textOf), ['m5', 'm6']);
        assert.deepEqual(seen.get(laptop)!.map(textOf), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
      } finally {
        for (const c of [sender, phone, laptop, restarted]) c.close();
      }
    });
  });
}
