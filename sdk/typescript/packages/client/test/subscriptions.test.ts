import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Emitter } from '../src/emitter.js';
import { SwitchboardError } from '../src/errors.js';
import { create } from '@bufbuild/protobuf';
import { SubscribedSchema, UnsubscribedSchema, ErrorCode } from '../src/gen/switchboard/client/v1/client_pb.js';
import type { ClientEvents } from '../src/options.js';
import { RequestIds } from '../src/requests.js';
import { ResumePosition } from '../src/resume-position.js';
import { RoomSubscriptions } from '../src/subscriptions.js';
import type { PresencePage, RoomMessage } from '../src/types.js';
import { FakeLink } from './fake-link.js';
import { FakeScheduler, flush } from './fakes.js';

describe('ResumePosition', () => {
  test('adopts the next position of a Subscribed without replay and never moves back', () => {
    const p = new ResumePosition();
    assert.equal(p.point, undefined);
    p.subscribed('e1', 5n, 0);
    assert.deepEqual(p.point, { epoch: 'e1', nextPosition: 5n });
    p.subscribed('e1', 3n, 0);
    assert.equal(p.nextPosition, 5n);
  });

  test('with messages replayed, the position moves only as they are processed', () => {
    const p = new ResumePosition();
    p.subscribed('e1', 2n, 0);
    p.subscribed('e1', 9n, 3);
    assert.equal(p.nextPosition, 2n);
    assert.equal(p.admits('e1', 2n), true);
    p.processed(2n);
    assert.equal(p.nextPosition, 3n);
  });

  test('admits a message at or after the next position of its epoch only', () => {
    const p = new ResumePosition();
    p.subscribed('e1', 4n, 0);
    assert.equal(p.admits('e1', 3n), false);
    assert.equal(p.admits('e1', 4n), true);
    p.processed(4n);
    assert.equal(p.admits('e1', 4n), false);
  });

  test('a new epoch forgets the position, from a Subscribed or from a message', () => {
    const p = new ResumePosition();
    p.subscribed('e1', 40n, 0);
    p.subscribed('e2', 3n, 0);
    assert.deepEqual(p.point, { epoch: 'e2', nextPosition: 3n });
    assert.equal(p.admits('e3', 1n), true);
    assert.equal(p.epoch, 'e3');
    assert.equal(p.nextPosition, undefined);
  });
});

function setup(options: { dedupCapacity?: number; readMembers?: (room: string, limit: number) => Promise<PresencePage> } = {}) {
  const link = new FakeLink();
  const sched = new FakeScheduler();
  const events = new Emitter<ClientEvents>();
  const left: string[] = [];
  const seen: Array<[keyof ClientEvents, unknown]> = [];
  for (const name of ['subscribed', 'unsubscribed', 'message', 'members', 'error'] as const) {
    events.on(name, (e) => seen.push([name, e]));
  }
  const rooms = new RoomSubscriptions({
    link,
    ids: new RequestIds(),
    scheduler: sched,
    events,
    dedupCapacity: options.dedupCapacity ?? 100,
    memberListLimit: 10,
    retryDelay: () => 50,
    readMembers: options.readMembers ?? (() => new Promise<PresencePage>(() => {})),
    onRoomLeft: (room) => left.push(room),
  });
  const messages = () => seen.filter(([n]) => n === 'message').map(([, m]) => (m as RoomMessage).id);
  return { link, sched, rooms, left, seen, messages };
}

const subscribed = (requestId: number, room: string, epoch: string, nextPosition: bigint, more: Partial<{ replayed: number; serverSide: boolean; presence: boolean }> = {}) =>
  create(SubscribedSchema, { requestId, room, epoch, nextPosition, ...more });

function message(room: string, position: bigint, id: string, epoch = 'e1', sender = 'bob'): RoomMessage {
  return { room, position, id, epoch, sender, payload: new Uint8Array(), contentType: '' };
}

describe('RoomSubscriptions', () => {
  test('subscribes once connected and resubscribes every room after a reconnect, resuming where it was', async () => {
    const h = setup();
    const first = h.rooms.subscribe('r', {});
    assert.equal(h.link.sent.length, 0, 'offline: nothing sent yet');
    const c1 = h.link.connect();
    h.rooms.resubscribeAll(c1);
    const [sub] = h.link.frames('subscribe', c1);
    assert.equal(sub!.resumeFrom, undefined);
    h.rooms.onSubscribed(subscribed(sub!.requestId, 'r', 'e1', 7n));
    assert.equal((await first).nextPosition, 7n);
    h.rooms.onMessage(message('r', 7n, 'm7'));
    h.link.drop();
    h.rooms.connectionLost();
    assert.equal(h.rooms.isActive('r'), false);
    const c2 = h.link.connect();
    h.rooms.resubscribeAll(c2);
    const [resume] = h.link.frames('subscribe', c2);
    assert.deepEqual({ epoch: resume!.resumeFrom?.epoch, from: resume!.resumeFrom?.from.value }, { epoch: 'e1', from: 8n });
    h.rooms.onSubscribed(subscribed(resume!.requestId, 'r', 'e1', 8n));
    const event = h.seen.filter(([n]) => n === 'subscribed').at(-1)![1] as { resumed: boolean };
    assert.equal(event.resumed, true);
  });

  test('drops a message already processed, by position and by (room, sender, id)', () => {
    const h = setup();
    const conn = h.link.connect();
    void h.rooms.subscribe('r', {});
    h.rooms.onSubscribed(subscribed(h.link.frames('subscribe', conn)[0]!.requestId, 'r', 'e1', 1n));
    h.rooms.onMessage(message('r', 1n, 'a'));
    h.rooms.onMessage(message('r', 1n, 'a')); // same position
    h.rooms.onMessage(message('r', 5n, 'b', 'e2')); // a new epoch
    h.rooms.onMessage(message('r', 6n, 'a', 'e2')); // same id, another epoch
    h.rooms.onMessage(message('r', 7n, 'a', 'e2', 'carol')); // same id, another sender
    h.rooms.onMessage(message('other', 1n, 'z')); // not subscribed
    assert.deepEqual(h.messages(), ['a', 'b', 'a']);
    assert.deepEqual(h.rooms.resumePoint('r'), { epoch: 'e2', nextPosition: 8n });
  });

  test('remembers at most dedupCapacity ids', () => {
    const h = setup({ dedupCapacity: 2 });
    const conn = h.link.connect();
    void h.rooms.subscribe('r', {});
    h.rooms.onSubscribed(subscribed(h.link.frames('subscribe', conn)[0]!.requestId, 'r', 'e1', 0n));
    h.rooms.onMessage(message('r', 0n, 'a'));
    h.rooms.onMessage(message('r', 1n, 'b'));
    h.rooms.onMessage(message('r', 2n, 'c'));
    h.rooms.onMessage(message('r', 3n, 'a', 'e2')); // 'a' was forgotten
    assert.deepEqual(h.messages(), ['a', 'b', 'c', 'a']);
  });

  test('a retriable refusal resends the same resuming subscribe on the same connection only', async () => {
    const h = setup();
    const c1 = h.link.connect();
    void h.rooms.subscribe('r', {});
    h.rooms.onSubscribed(subscribed(h.link.frames('subscribe', c1)[0]!.requestId, 'r', 'e1', 4n));
    h.link.drop();
    h.rooms.connectionLost();
    const c2 = h.link.connect();
    h.rooms.resubscribeAll(c2);
    const refused = h.link.frames('subscribe', c2)[0]!;
    const error = new SwitchboardError('RECOVERY_UNAVAILABLE', ErrorCode.RECOVERY_UNAVAILABLE, true, 'r');
    assert.equal(h.rooms.onError(c2, refused.requestId, error), true);
    await h.sched.advance(50);
    const retry = h.link.frames('subscribe', c2)[1]!;
    assert.equal(retry.resumeFrom?.from.value, 4n);
    assert.notEqual(retry.requestId, refused.requestId);
    h.rooms.onError(c2, retry.requestId, error);
    h.link.drop();
    h.rooms.connectionLost();
    await h.sched.advance(1000);
    assert.equal(h.link.frames('subscribe', c2).length, 2, 'no retry on a lost connection');
    assert.deepEqual(h.rooms.list(), ['r']);
  });

  test('a permanent refusal forgets the room and rejects its waiters', async () => {
    const h = setup();
    const conn = h.link.connect();
    const waiting = h.rooms.subscribe('secret', {});
    const denied = new SwitchboardError('PERMISSION_DENIED', ErrorCode.PERMISSION_DENIED, false, 'secret');
    assert.equal(h.rooms.onError(conn, h.link.frames('subscribe')[0]!.requestId, denied), true);
    await assert.rejects(waiting, (e) => e === denied);
    assert.deepEqual(h.rooms.list(), []);
    assert.equal(h.rooms.onError(conn, 999, denied), false, 'not a subscribe');
  });

  test('a subscription a backend made is held like the client\'s own; one the server ends is forgotten', async () => {
    const h = setup();
    const conn = h.link.connect();
    h.rooms.onSubscribed(subscribed(0, 'pushed', 'e1', 3n, { serverSide: true }));
    assert.deepEqual(h.rooms.list(), ['pushed']);
    assert.equal(h.rooms.isActive('pushed'), true);
    h.rooms.onUnsubscribed(create(UnsubscribedSchema, { requestId: 0, room: 'pushed', reason: ErrorCode.PERMISSION_REVOKED, message: 'token' }));
    assert.deepEqual(h.rooms.list(), []);
    assert.deepEqual(h.left, ['pushed']);
    assert.deepEqual(h.seen.at(-1), ['unsubscribed', { room: 'pushed', reason: 'PERMISSION_REVOKED', message: 'token' }]);
    assert.equal(h.link.frames('subscribe', conn).length, 0);
  });

  test('unsubscribe resolves on Unsubscribed, or when the connection is lost first', async () => {
    const h = setup();
    h.link.connect();
    const pendingA = h.rooms.subscribe('a', {});
    void h.rooms.subscribe('b', {}).catch(() => {});
    let aDone = false;
    let bDone = false;
    void h.rooms.unsubscribe('a').then(() => (aDone = true));
    void h.rooms.unsubscribe('b').then(() => (bDone = true));
    await assert.rejects(pendingA, (e: SwitchboardError) => e.code === 'CLOSED' && e.room === 'a');
    const [ua] = h.link.frames('unsubscribe');
    h.rooms.onUnsubscribed(create(UnsubscribedSchema, { requestId: ua!.requestId, room: 'a' }));
    await flush();
    assert.deepEqual([aDone, bDone], [true, false]);
    h.rooms.connectionLost();
    await flush();
    assert.equal(bDone, true);
    assert.deepEqual(h.left, ['a', 'b']);
  });

  test('forgetAll rejects waiters with the error and drops every room', async () => {
    const h = setup();
    const waiting = h.rooms.subscribe('r', {});
    const closed = new SwitchboardError('client closed', 'CLOSED', false);
    h.rooms.forgetAll(closed);
    await assert.rejects(waiting, (e) => e === closed);
    assert.deepEqual(h.rooms.list(), []);
  });

  test('a presence room reads its member list on every Subscribed', async () => {
    const reads: string[] = [];
    const h = setup({
      readMembers: async (room) => {
        reads.push(room);
        return { room, members: [{ userId: 'bob', devices: 1, status: 'online', statusText: '' }], users: 1, connections: 1, hasMore: false, nextAfterUser: '', version: 1n, epoch: 'p1' };
      },
    });
    const conn = h.link.connect();
    void h.rooms.subscribe('r', { presence: true });
    assert.equal(h.link.frames('subscribe', conn)[0]!.presence, true);
    h.rooms.onSubscribed(subscribed(h.link.frames('subscribe', conn)[0]!.requestId, 'r', 'e1', 0n));
    await flush();
    assert.deepEqual(reads, ['r']);
    assert.deepEqual(h.rooms.members('r')?.members.map((m) => m.userId), ['bob']);
    assert.equal(h.rooms.members('plain'), undefined);
  });
});
