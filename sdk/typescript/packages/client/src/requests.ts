import type { Connection, Link } from './connection.js';
import { SwitchboardError } from './errors.js';
import type { ClientFrame, ServerFrame } from './gen/switchboard/client/v1/client_pb.js';
import type { Scheduler, TimerHandle } from './timers.js';

/** An answer that echoes a request id: Ack, HistoryPage, PresencePage. */
export type Reply = NonNullable<ServerFrame['frame']['value']>;

export type RequestKind = 'publish' | 'direct' | 'history' | 'presence' | 'status' | 'refresh';

/** Request ids of every frame the client sends with one (requests, Subscribe, Unsubscribe): non-zero, wrapping at 2^31. */
export class RequestIds {
  /** @param nextId the first id to hand out */
  constructor(private nextId = 1) {}

  next(): number {
    const id = this.nextId;
    this.nextId = id >= 0x7fffffff ? 1 : id + 1;
    return id;
  }
}

interface PendingRequest {
  readonly kind: RequestKind;
  /** Builds the frame for one send; a resend gets a new request id but the same content (same publish id). */
  readonly build: (requestId: number) => ClientFrame;
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: SwitchboardError) => void;
  /** False for requests that only make sense on the connection they were sent on (token refresh). */
  readonly survivesReconnect: boolean;
  /** Requests with the same key are sent in submission order, also when one of them is retried (a room's publishes). */
  readonly orderKey: string | undefined;
  /** Submission order. */
  readonly order: number;
  timer?: TimerHandle;
  retryTimer?: TimerHandle;
  retries: number;
  done: boolean;
}

export interface RequestQueueLimits {
  /** Requests waiting for a connection or a send window; more are rejected with QUEUE_FULL. */
  readonly maxQueued: number;
  /** Requests in flight on one connection. */
  readonly maxInflight: number;
}

/**
 * Requests that wait for an answer (publishes, direct messages, history, presence and status requests, token
 * refresh): a bounded queue of those not yet sent on the current connection (the offline queue), an in-flight window
 * per connection, a timeout per request that counts queued time, resends with the same frame content after a
 * reconnect or a retriable Error, in their original order. Single-threaded like the client.
 */
export class RequestQueue {
  /** Requests not yet sent on the current connection, oldest first. */
  private readonly queue: PendingRequest[] = [];
  private readonly inflight = new Map<number, PendingRequest>();
  /** Requests waiting for the backoff before their retry. */
  private readonly retrying = new Set<PendingRequest>();
  private submitted = 0;

  constructor(
    private readonly link: Link,
    private readonly ids: RequestIds,
    private readonly scheduler: Scheduler,
    private readonly limits: RequestQueueLimits,
    /** The delay before retry number `attempt` (0, 1, ...) after a retriable Error. */
    private readonly retryDelay: (attempt: number) => number,
  ) {}

  /**
   * Queues a request and sends it when connected and the window has room; settles with its answer or an error.
   * Requests with an `orderKey` go out in submission order per key: while one waits for its retry, the later ones of its
   * key wait too, and the retry goes out before them (the server stores a connection's publishes into a room in the
   * order they arrive and refuses those behind a failed one, so resending in order keeps the order); a retry also waits
   * while any request of its key is still in flight.
   */
  submit(kind: RequestKind, build: PendingRequest['build'], timeoutMs: number, survivesReconnect: boolean, orderKey?: string): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      if (this.queue.length >= this.limits.maxQueued) {
        reject(new SwitchboardError(`request queue full (${this.limits.maxQueued} waiting)`, 'QUEUE_FULL', true));
        return;
      }
      const request: PendingRequest = { kind, build, resolve, reject, survivesReconnect, orderKey, order: this.submitted++, retries: 0, done: false };
      request.timer = this.scheduler.setTimeout(() => this.timeout(request, timeoutMs), timeoutMs);
      this.queue.push(request);
      this.pump();
    });
  }

  /** The answer to `requestId` (ignored when it timed out meanwhile). */
  answer(requestId: number, reply: Reply): void {
    const request = this.inflight.get(requestId);
    if (!request) {
      return; // timed out meanwhile
    }
    this.inflight.delete(requestId);
    this.finish(request);
    request.resolve(reply);
    this.pump();
  }

  /**
   * An Error frame for `requestId`: a retriable one is sent again after a backoff with the same content (the outcome
   * may be unknown, e.g. TIMEOUT), any other rejects. Returns false when no request waits for that id.
   */
  fail(requestId: number, error: SwitchboardError): boolean {
    const request = this.inflight.get(requestId);
    if (!request) {
      return false;
    }
    this.inflight.delete(requestId);
    if (error.retriable && request.survivesReconnect && !request.done) {
      const delay = this.retryDelay(request.retries++);
      this.retrying.add(request);
      request.retryTimer = this.scheduler.setTimeout(() => {
        request.retryTimer = undefined;
        this.retrying.delete(request);
        if (!request.done) {
          this.requeue(request);
          this.pump();
        }
      }, delay);
    } else {
      this.finish(request);
      request.reject(error);
    }
    this.pump();
    return true;
  }

  /** Sends queued requests while connected and the in-flight window has room. */
  pump(): void {
    const conn: Connection | undefined = this.link.current;
    if (!conn?.connected) {
      return;
    }
    const held = this.heldKeys();
    const busy = this.busyKeys();
    for (let i = 0; i < this.queue.length && this.inflight.size < this.limits.maxInflight; ) {
      const request = this.queue[i]!;
      const key = request.orderKey;
      const waitingFrom = key === undefined ? undefined : held.get(key);
      if (waitingFrom !== undefined && waitingFrom < request.order) {
        i++; // an earlier request of its key waits for its retry
        continue;
      }
      if (request.retries > 0 && key !== undefined && busy.has(key)) {
        // A resend starts the server's order afresh: a request of its key still on its way, earlier or later than
        // it, could be stored after the requests that follow the resend, or fail and need a resend behind them.
        held.set(key, Math.min(held.get(key) ?? Infinity, request.order));
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      const requestId = this.ids.next();
      this.inflight.set(requestId, request);
      this.link.send(conn, request.build(requestId));
    }
  }

  /** Per order key, the earliest request waiting for its retry. */
  private heldKeys(): Map<string, number> {
    const held = new Map<string, number>();
    for (const r of this.retrying) {
      if (r.orderKey !== undefined && !(r.order >= (held.get(r.orderKey) ?? Infinity))) {
        held.set(r.orderKey, r.order);
      }
    }
    return held;
  }

  /** The order keys with a request in flight (sent before this pass). */
  private busyKeys(): Set<string> {
    const busy = new Set<string>();
    for (const r of this.inflight.values()) {
      if (r.orderKey !== undefined) {
        busy.add(r.orderKey);
      }
    }
    return busy;
  }

  /** Back into the queue at its submission place, so that retries of one key go out in order. */
  private requeue(request: PendingRequest): void {
    const at = this.queue.findIndex((r) => r.order > request.order);
    if (at < 0) {
      this.queue.push(request);
    } else {
      this.queue.splice(at, 0, request);
    }
  }

  /**
   * The connection is gone: requests in flight go back to the front of the queue in their original order (same
   * content, same publish id), except those bound to the connection, which reject with NOT_CONNECTED.
   */
  connectionLost(): void {
    const requeue: PendingRequest[] = [];
    for (const request of this.inflight.values()) {
      if (request.survivesReconnect) {
        requeue.push(request);
      } else {
        this.finish(request);
        request.reject(new SwitchboardError('connection lost', 'NOT_CONNECTED', true));
      }
    }
    this.inflight.clear();
    this.queue.unshift(...requeue);
  }

  /** Rejects every queued and in-flight request with `error`. */
  rejectAll(error: SwitchboardError): void {
    for (const request of this.queue.splice(0)) {
      this.finish(request);
      request.reject(error);
    }
    for (const request of this.inflight.values()) {
      this.finish(request);
      request.reject(error);
    }
    this.inflight.clear();
  }

  private timeout(request: PendingRequest, timeoutMs: number): void {
    if (request.done) {
      return;
    }
    const queued = this.queue.indexOf(request);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
    }
    for (const [id, r] of this.inflight) {
      if (r === request) this.inflight.delete(id);
    }
    this.finish(request);
    request.reject(new SwitchboardError(`${request.kind}: no answer within ${timeoutMs} ms (outcome unknown)`, 'TIMEOUT', true));
    this.pump();
  }

  private finish(request: PendingRequest): void {
    request.done = true;
    if (request.timer !== undefined) this.scheduler.clearTimeout(request.timer);
    if (request.retryTimer !== undefined) this.scheduler.clearTimeout(request.retryTimer);
    this.retrying.delete(request);
  }
}
