import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clientFrame } from '../src/codec.js';
import { SwitchboardError } from '../src/errors.js';
import { RequestIds, RequestQueue, type Reply } from '../src/requests.js';
import { FakeLink } from './fake-link.js';
import { FakeScheduler, flush } from './fakes.js';

function setup(limits = { maxQueued: 10, maxInflight: 10 }) {
  const link = new FakeLink();
  const sched = new FakeScheduler();
  const retries: number[] = [];
  const queue = new RequestQueue(link, new RequestIds(), sched, limits, (attempt) => {
    retries.push(attempt);
    return 100;
  });
  /** A publish whose frame carries `id`; its settlement lands in `outcome`. */
  const publish = (id: string, options: { timeoutMs?: number; survivesReconnect?: boolean } = {}) => {
    const outcome: { reply?: Reply; error?: SwitchboardError } = {};
    const promise = queue.submit(
      'publish',
      (requestId) => clientFrame({ case: 'publish', value: { requestId, room: 'r', id } }),
      options.timeoutMs ?? 10_000,
      options.survivesReconnect ?? true,
    );
    promise.then((reply) => (outcome.reply = reply), (error: SwitchboardError) => (outcome.error = error));
    return outcome;
  };
  return { link, sched, queue, retries, publish };
}

const ack = (requestId: number): Reply => ({ requestId }) as Reply;

describe('RequestIds', () => {
  test('are non-zero and wrap around at 2^31', () => {
    const ids = new RequestIds();
    assert.deepEqual([ids.next(), ids.next()], [1, 2]);
    const nearEnd = new RequestIds(0x7ffffffe);
    assert.deepEqual([nearEnd.next(), nearEnd.next(), nearEnd.next()], [0x7ffffffe, 0x7fffffff, 1]);
  });
});

describe('RequestQueue', () => {
  test('holds requests while offline and sends them in order once connected', async () => {
    const h = setup();
    h.publish('one');
    h.publish('two');
    assert.equal(h.link.sent.length, 0);
    h.link.connect();
    h.queue.pump();
    assert.deepEqual(h.link.frames('publish').map((f) => f.id), ['one', 'two']);
  });

  test('rejects with QUEUE_FULL beyond maxQueued waiting requests', async () => {
    const h = setup({ maxQueued: 2, maxInflight: 10 });
    h.publish('a');
    h.publish('b');
    const third = h.publish('c');
    await flush();
    assert.equal(third.error?.code, 'QUEUE_FULL');
    assert.equal(third.error?.retriable, true);
  });

  test('keeps at most maxInflight requests in flight; an answer lets the next one go', async () => {
    const h = setup({ maxQueued: 10, maxInflight: 2 });
    h.link.connect();
    const first = h.publish('a');
    h.publish('b');
    h.publish('c');
    assert.deepEqual(h.link.frames('publish').map((f) => f.id), ['a', 'b']);
    h.queue.answer(h.link.frames('publish')[0]!.requestId, ack(1));
    await flush();
    assert.ok(first.reply);
    assert.deepEqual(h.link.frames('publish').map((f) => f.id), ['a', 'b', 'c']);
  });

  test('a lost connection requeues in-flight requests first, in order, and resends the same content with new ids', async () => {
    const h = setup({ maxQueued: 10, maxInflight: 2 });
    const first = h.link.connect();
    h.publish('a');
    h.publish('b');
    h.publish('c');
    h.link.drop();
    h.queue.connectionLost();
    const second = h.link.connect();
    h.queue.pump();
    h.queue.answer(h.link.frames('publish', second)[0]!.requestId, ack(1));
    const before = h.link.frames('publish', first);
    const after = h.link.frames('publish', second);
    assert.deepEqual(after.map((f) => f.id), ['a', 'b', 'c']);
    assert.ok(after.every((f) => !before.some((b) => b.requestId === f.requestId)));
  });

  test('a request bound to its connection rejects with NOT_CONNECTED when the connection is lost', async () => {
    const h = setup();
    h.link.connect();
    const bound = h.publish('refresh', { survivesReconnect: false });
    h.link.drop();
    h.queue.connectionLost();
    await flush();
    assert.equal(bound.error?.code, 'NOT_CONNECTED');
    h.link.connect();
    h.queue.pump();
    assert.equal(h.link.frames('publish').length, 1);
  });

  test('times out counting queued time, and a late answer is ignored', async () => {
    const h = setup();
    const late = h.publish('a', { timeoutMs: 1000 });
    await h.sched.advance(600);
    const conn = h.link.connect();
    h.queue.pump();
    await h.sched.advance(399);
    assert.deepEqual(Object.keys(late), [], 'not settled before its time');
    await h.sched.advance(1);
    assert.equal(late.error?.code, 'TIMEOUT');
    assert.match(late.error!.message, /no answer within 1000 ms/);
    h.queue.answer(h.link.frames('publish', conn)[0]!.requestId, ack(1));
    await flush();
    assert.equal(late.reply, undefined);
  });

  test('a timed-out request frees its window slot', async () => {
    const h = setup({ maxQueued: 10, maxInflight: 1 });
    h.link.connect();
    h.publish('a', { timeoutMs: 100 });
    h.publish('b');
    await h.sched.advance(100);
    assert.deepEqual(h.link.frames('publish').map((f) => f.id), ['a', 'b']);
  });

  test('a retriable error resends the same content after the retry delay, ahead of the queue; a permanent one rejects', async () => {
    const h = setup({ maxQueued: 10, maxInflight: 1 });
    h.link.connect();
    const retried = h.publish('a');
    h.publish('b');
    h.publish('c');
    const first = h.link.frames('publish')[0]!;
    assert.equal(h.queue.fail(first.requestId, new SwitchboardError('TIMEOUT', 110, true)), true);
    assert.deepEqual(h.link.frames('publish').map((f) => f.id), ['a', 'b'], 'the window slot goes to the next request meanwhile');
    await h.sched.advance(100);
    assert.deepEqual(h.retries, [0]);
    h.queue.answer(h.link.frames('publish')[1]!.requestId, ack(2));
    assert.deepEqual(h.link.frames('publish').map((f) => f.id), ['a', 'b', 'a'], 'the retry goes before c');
    const resent = h.link.frames('publish')[2]!;
    assert.notEqual(resent.requestId, first.requestId);
    h.queue.fail(resent.requestId, new SwitchboardError('INVALID_ROOM', 201, false));
    await flush();
    assert.equal(retried.error?.code, 201);
    assert.deepEqual(h.link.frames('publish').map((f) => f.id), ['a', 'b', 'a', 'c']);
  });

  test('an error for an unknown request id is not claimed', () => {
    const h = setup();
    assert.equal(h.queue.fail(42, new SwitchboardError('x', 101, true)), false);
  });

  test('rejectAll rejects queued and in-flight requests and stops their timers', async () => {
    const h = setup({ maxQueued: 10, maxInflight: 1 });
    h.link.connect();
    const inflight = h.publish('a');
    const queued = h.publish('b');
    const closed = new SwitchboardError('client closed', 'CLOSED', false);
    h.queue.rejectAll(closed);
    await flush();
    assert.equal(inflight.error, closed);
    assert.equal(queued.error, closed);
    assert.equal(h.sched.pending, 0);
  });
});
