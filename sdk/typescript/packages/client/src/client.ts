import { create } from '@bufbuild/protobuf';
import { Backoff, positive, type BackoffOptions } from './backoff.js';
import { codecFor, SUBPROTOCOLS, type Codec, type WireFormat } from './codec.js';
import { closeAction, codeName, SwitchboardError } from './errors.js';
import { Emitter } from './emitter.js';
import {
  ClientFrameSchema,
  ErrorCode,
  HistoryDirection,
  type ClientFrame,
  type Connected,
  type Error as ErrorPb,
  type Limits,
  type ServerFrame,
  type Subscribed,
} from './gen/switchboard/client/v1/client_pb.js';
import { tokenTimes } from './jwt.js';
import { LruSet } from './lru.js';
import { MemberListTracker } from './presence.js';
import { systemScheduler, type RandomSource, type Scheduler, type TimerHandle } from './timers.js';
import { TYPING_KIND, TypingTracker } from './typing.js';
import {
  recoveryFailureName,
  statusValue,
  toEphemeral,
  toHistoryPage,
  toPresenceChange,
  toPresencePage,
  toRoomMessage,
  toUserMessage,
  type ConnectionState,
  type EphemeralEvent,
  type HistoryDirectionName,
  type HistoryPage,
  type MemberList,
  type PresenceChange,
  type PresencePage,
  type PresenceStatusName,
  type PublishAck,
  type RoomMessage,
  type StateChange,
  type SubscribedEvent,
  type TypingChange,
  type UnsubscribedEvent,
  type UserMessage,
} from './types.js';

/** Why the client asks for a token: a (re)connect, a reconnect after 3501 TOKEN_EXPIRED, or a refresh before expiry. */
export type TokenReason = 'connect' | 'expired' | 'refresh';

/**
 * Supplies the JWT. Called before every connection attempt and before the current token expires. It may return a
 * cached token for "connect"; for "expired" and "refresh" it must return a fresh one.
 */
export type TokenProvider = (context: { reason: TokenReason }) => string | Promise<string>;

/** The subset of the WHATWG WebSocket the client uses (the browser's, Node 22's global, or the "ws" package's). */
export interface WebSocketLike {
  readonly protocol: string;
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string, protocols: string[]) => WebSocketLike;

export interface SwitchboardClientOptions {
  /** The gateway's WebSocket URL, e.g. "ws://localhost:8080/ws". */
  url: string;
  token: TokenProvider;
  /** Subprotocol: "proto" (binary, default) or "json". */
  format?: WireFormat;
  /** WebSocket implementation; defaults to globalThis.WebSocket (browsers, Node >= 22). On Node 20 pass the "ws" package's. */
  WebSocket?: WebSocketConstructor;
  /** Sent in Connect.client for the server's logs. */
  clientName?: string;
  /** Reconnect backoff (full jitter, capped). */
  backoff?: BackoffOptions;
  /** Give up on a connection attempt without Connected after this long (default 10 000). */
  connectTimeoutMs?: number;
  /** A publish (or direct message) that has no ack after this long, queued time included, rejects with TIMEOUT (default 30 000). */
  publishTimeoutMs?: number;
  /** Timeout of history, presence and status requests, queued time included (default 15 000). */
  requestTimeoutMs?: number;
  /** Requests waiting for a connection or a send window; more are rejected with QUEUE_FULL (default 1000). */
  maxQueuedRequests?: number;
  /** Requests in flight on one connection (the gateway allows 64 publishes; default 32). */
  maxInflight?: number;
  /** Message ids remembered per client to drop duplicates (default 10 000). */
  dedupCapacity?: number;
  /**
   * Members a room's member list ('members' events, members()) holds at most, 1-1000 (default 100). A room with more
   * is listed incompletely (its counts stay exact); its events are then summaries anyway (presence.large-room-threshold).
   */
  memberListLimit?: number;
  /** Ping when idle; a link with no frame for two intervals is dropped and reconnected (default 25 000). */
  pingIntervalMs?: number;
  /** Refresh the token at this fraction of its lifetime (default 0.8). */
  tokenRefreshRatio?: number;
  typing?: {
    /** Resend the typing event this often while typing (default 3000; receivers expire it after ttl_ms, 6 s by default). */
    renewMs?: number;
    /** Stop typing when setTyping(room, true) was not called for this long (default 5000). */
    idleMs?: number;
    /** Expiry of a received typing event without ttl_ms (default 6000). */
    defaultTtlMs?: number;
  };
  /** Clock and timers (tests inject fakes). */
  scheduler?: Scheduler;
  /** Random source for jitter and generated ids (tests inject a script). */
  random?: RandomSource;
  /** Generates publish idempotency ids (default: crypto.randomUUID(), else 22 random base62 characters). */
  idGenerator?: () => string;
}

export interface ClientEvents {
  state: StateChange;
  message: RoomMessage;
  subscribed: SubscribedEvent;
  unsubscribed: UnsubscribedEvent;
  presence: PresenceChange;
  /** The member list of a room subscribed with presence changed (docs/protocol.md section 11.1). */
  members: MemberList;
  typing: TypingChange;
  ephemeral: EphemeralEvent;
  userMessage: UserMessage;
  error: SwitchboardError;
}

export interface PublishOptions {
  /** Idempotency id; generated when absent. Reuse it only for a retry of the same message. */
  id?: string;
  /** Defaults to "text/plain; charset=utf-8" for string payloads. */
  contentType?: string;
  timeoutMs?: number;
}

export interface SubscribeOptions {
  /** Also receive the room's presence events, and keep its member list ('members' events, members(room)). */
  presence?: boolean;
}

export interface HistoryOptions {
  direction?: HistoryDirectionName;
  /** Exclusive bound for before/after. */
  position?: bigint;
  epoch?: string;
  /** 1-500; the server's default (50) when absent. */
  limit?: number;
}

type Reply = NonNullable<ServerFrame['frame']['value']>;

interface PendingRequest {
  readonly kind: 'publish' | 'direct' | 'history' | 'presence' | 'status' | 'refresh';
  readonly build: (requestId: number) => ClientFrame;
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: SwitchboardError) => void;
  /** False for requests that only make sense on the connection they were sent on (token refresh). */
  readonly survivesReconnect: boolean;
  timer?: TimerHandle;
  retryTimer?: TimerHandle;
  retries: number;
  done: boolean;
}

interface RoomState {
  readonly room: string;
  presence: boolean;
  /** The member list, for rooms subscribed with presence. */
  members?: MemberListTracker;
  /** Subscribed on the current connection. */
  active: boolean;
  epoch?: string;
  /** The next position to process (docs/protocol.md section 10). */
  next?: bigint;
  retries: number;
  retryTimer?: TimerHandle;
  waiters: Array<{ resolve: (e: SubscribedEvent) => void; reject: (e: SwitchboardError) => void }>;
}

interface Connection {
  readonly ws: WebSocketLike;
  readonly token: string;
  readonly tokenObtainedAt: number;
  connected: boolean;
  lastFrameAt: number;
  lastPingAt: number;
  /** requestId -> room of Subscribe frames in flight. */
  readonly subscribes: Map<number, { room: string; resumed: boolean }>;
  readonly unsubscribes: Map<number, () => void>;
  /** reconnect_within_ms of a Drain frame, if one came. */
  drainWithinMs?: number;
}

const TEXT = 'text/plain; charset=utf-8';
const encoder = new TextEncoder();
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * A Switchboard connection that survives reconnects: it resubscribes with resume (no gap, no duplicate), resends
 * unacknowledged publishes with their original ids, refreshes its token and exposes typed events.
 * JavaScript is single-threaded; the client is not meant to be shared across workers.
 */
export class SwitchboardClient {
  private readonly options: SwitchboardClientOptions;
  private readonly codec: Codec;
  private readonly scheduler: Scheduler;
  private readonly random: RandomSource;
  private readonly WebSocketImpl: WebSocketConstructor | undefined;
  private readonly backoff: Backoff;
  private readonly events = new Emitter<ClientEvents>();
  private readonly dedup: LruSet;
  private readonly typingIn: TypingTracker;
  private readonly rooms = new Map<string, RoomState>();
  /** Requests not yet sent on the current connection, oldest first. */
  private readonly queue: PendingRequest[] = [];
  private readonly inflight = new Map<number, PendingRequest>();
  private readonly typingOut = new Map<string, { lastActivity: number; timer: TimerHandle }>();
  private readonly connectTimeoutMs: number;
  private readonly publishTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly maxQueued: number;
  private readonly maxInflight: number;
  private readonly pingIntervalMs: number;
  private readonly refreshRatio: number;
  private readonly typingRenewMs: number;
  private readonly typingIdleMs: number;
  private readonly memberListLimit: number;

  private stateValue: ConnectionState = 'disconnected';
  private conn: Connection | undefined;
  /** Increments per connection attempt so that late callbacks of an abandoned attempt are ignored. */
  private attempt = 0;
  private nextRequestId = 1;
  private nextTokenReason: TokenReason = 'connect';
  private reconnectTimer?: TimerHandle;
  private connectTimer?: TimerHandle;
  private pingTimer?: TimerHandle;
  private refreshTimer?: TimerHandle;
  private connectedInfo?: Connected;
  /** The last status set: set again on every new connection (a reconnect, another gateway, a restarted presence). */
  private desiredStatus?: { status: PresenceStatusName; text: string };

  constructor(options: SwitchboardClientOptions) {
    if (!options || typeof options.url !== 'string' || options.url === '') {
      throw new TypeError('url: missing (expected: a ws:// or wss:// URL)');
    }
    if (typeof options.token !== 'function') {
      throw new TypeError('token: missing (expected: a function returning a JWT or a promise of one)');
    }
    this.options = options;
    this.codec = codecFor(options.format ?? 'proto');
    if (options.format !== undefined && options.format !== 'json' && options.format !== 'proto') {
      throw new RangeError(`format: ${String(options.format)} (expected: "json" or "proto")`);
    }
    this.scheduler = options.scheduler ?? systemScheduler;
    this.random = options.random ?? Math.random;
    this.WebSocketImpl =
      options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    this.backoff = new Backoff(options.backoff ?? {}, this.random);
    this.connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs ?? 10_000);
    this.publishTimeoutMs = positive('publishTimeoutMs', options.publishTimeoutMs ?? 30_000);
    this.requestTimeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs ?? 15_000);
    this.maxQueued = positive('maxQueuedRequests', options.maxQueuedRequests ?? 1000);
    this.maxInflight = positive('maxInflight', options.maxInflight ?? 32);
    this.pingIntervalMs = positive('pingIntervalMs', options.pingIntervalMs ?? 25_000);
    this.refreshRatio = options.tokenRefreshRatio ?? 0.8;
    if (!(this.refreshRatio > 0 && this.refreshRatio < 1)) {
      throw new RangeError(`tokenRefreshRatio: ${this.refreshRatio} (expected: between 0 and 1, exclusive)`);
    }
    this.typingRenewMs = positive('typing.renewMs', options.typing?.renewMs ?? 3000);
    this.typingIdleMs = positive('typing.idleMs', options.typing?.idleMs ?? 5000);
    this.dedup = new LruSet(options.dedupCapacity ?? 10_000);
    this.memberListLimit = positive('memberListLimit', options.memberListLimit ?? 100);
    if (this.memberListLimit > 1000) {
      throw new RangeError(`memberListLimit: ${this.memberListLimit} (expected: 1-1000)`);
    }
    this.typingIn = new TypingTracker(
      this.scheduler,
      positive('typing.defaultTtlMs', options.typing?.defaultTtlMs ?? 6000),
      (room, users) => this.events.emit('typing', { room, users }),
    );
  }

  // ------------------------------------------------------------------ public API

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** The authenticated user id, once connected. */
  get userId(): string | undefined {
    return this.connectedInfo?.userId;
  }

  get sessionId(): string | undefined {
    return this.connectedInfo?.sessionId;
  }

  /** The limits of the current connection (from Connected). */
  get limits(): Limits | undefined {
    return this.connectedInfo?.limits;
  }

  /** The wire format in use. */
  get format(): WireFormat {
    return this.codec.format;
  }

  on<K extends keyof ClientEvents>(name: K, listener: (event: ClientEvents[K]) => void): () => void {
    return this.events.on(name, listener);
  }

  off<K extends keyof ClientEvents>(name: K, listener: (event: ClientEvents[K]) => void): void {
    this.events.off(name, listener);
  }

  /** Starts connecting (and keeps reconnecting). Harmless while already started; restarts a closed client. */
  connect(): void {
    if (this.stateValue === 'connecting' || this.stateValue === 'connected' || this.stateValue === 'reconnecting') {
      return;
    }
    this.backoff.reset();
    this.setState('connecting', {});
    void this.openSocket();
  }

  /**
   * Closes the connection for good: pending publishes and requests reject with CLOSED, subscriptions are
   * forgotten. connect() may be called again later.
   */
  close(): void {
    if (this.stateValue === 'closed' || this.stateValue === 'disconnected') {
      this.failAll(new SwitchboardError('client closed', 'CLOSED', false));
      this.setState('closed', {});
      return;
    }
    this.attempt++;
    const conn = this.conn;
    this.teardown();
    conn?.ws.close(1000, 'client closed');
    this.clearTimer('reconnectTimer');
    this.failAll(new SwitchboardError('client closed', 'CLOSED', false));
    this.setState('closed', { code: 1000, reason: 'client closed' });
  }

  /**
   * Subscribes to a room (idempotent). Resolves on the first Subscribed; while offline it resolves once connected.
   * After reconnects the client resubscribes by itself, resuming from the last processed position.
   */
  subscribe(room: string, options: SubscribeOptions = {}): Promise<SubscribedEvent> {
    this.ensureOpen();
    const existing = this.rooms.get(room);
    if (existing) {
      if (options.presence && !existing.presence) {
        existing.presence = true;
        existing.members = this.memberList(room);
        // A plain Subscribe on a subscribed room is harmless and turns on presence events; its Subscribed reads the list.
        if (existing.active && this.conn?.connected) {
          this.sendSubscribe(this.conn, existing, false);
        }
      }
      if (existing.active && existing.epoch !== undefined) {
        return Promise.resolve({
          room,
          epoch: existing.epoch,
          nextPosition: existing.next ?? 0n,
          resumed: false,
          recovered: false,
          replayed: 0,
          serverSide: false,
        });
      }
      return new Promise((resolve, reject) => existing.waiters.push({ resolve, reject }));
    }
    const state: RoomState = {
      room,
      presence: !!options.presence,
      members: options.presence ? this.memberList(room) : undefined,
      active: false,
      retries: 0,
      waiters: [],
    };
    this.rooms.set(room, state);
    const promise = new Promise<SubscribedEvent>((resolve, reject) => state.waiters.push({ resolve, reject }));
    if (this.conn?.connected) {
      this.sendSubscribe(this.conn, state, true);
    }
    return promise;
  }

  /** Stops receiving a room and forgets its position. Resolves when the server confirmed (or at once offline). */
  unsubscribe(room: string): Promise<void> {
    const state = this.rooms.get(room);
    if (state) {
      this.rooms.delete(room);
      this.clearRoomTimers(state);
      state.members?.stop();
      state.waiters.splice(0).forEach((w) => w.reject(new SwitchboardError(`unsubscribed from ${room}`, 'CLOSED', false, room)));
    }
    this.stopTypingLocally(room);
    this.typingIn.clearRoom(room);
    const conn = this.conn;
    if (!conn?.connected) {
      return Promise.resolve();
    }
    const requestId = this.allocateRequestId();
    return new Promise<void>((resolve) => {
      conn.unsubscribes.set(requestId, resolve);
      this.send(conn, create(ClientFrameSchema, { frame: { case: 'unsubscribe', value: { requestId, room } } }));
    });
  }

  /** Rooms the client is subscribed to (or will subscribe to once connected). */
  subscriptions(): string[] {
    return [...this.rooms.keys()];
  }

  /** The next position to process and its epoch for a room, as the client would resume from. */
  resumePoint(room: string): { epoch: string; nextPosition: bigint } | undefined {
    const s = this.rooms.get(room);
    return s?.epoch !== undefined && s.next !== undefined ? { epoch: s.epoch, nextPosition: s.next } : undefined;
  }

  /**
   * Publishes and resolves with the ack once the message is durably stored. The id is fixed at this call: a
   * publish queued offline or cut off by a reconnect is resent with the same id, so it is stored once.
   */
  publish(room: string, payload: string | Uint8Array, options: PublishOptions = {}): Promise<PublishAck> {
    this.ensureOpen();
    const id = options.id ?? this.generateId();
    const bytes = typeof payload === 'string' ? encoder.encode(payload) : payload;
    const contentType = options.contentType ?? (typeof payload === 'string' ? TEXT : '');
    return this.submit(
      'publish',
      (requestId) =>
        create(ClientFrameSchema, {
          frame: { case: 'publish', value: { requestId, room, id, payload: bytes, contentType, ack: true } },
        }),
      options.timeoutMs ?? this.publishTimeoutMs,
      true,
    ).then((reply) => {
      const ack = reply as { room: string; id: string; position: bigint; epoch: string; duplicate: boolean };
      return { room: ack.room || room, id: ack.id || id, position: ack.position, epoch: ack.epoch, duplicate: ack.duplicate };
    });
  }

  /** Sends a message to every connected device of a user (not stored; at most once). Resolves on the ack. */
  sendDirect(userId: string, payload: string | Uint8Array, options: PublishOptions = {}): Promise<{ id: string }> {
    this.ensureOpen();
    const id = options.id ?? this.generateId();
    const bytes = typeof payload === 'string' ? encoder.encode(payload) : payload;
    const contentType = options.contentType ?? (typeof payload === 'string' ? TEXT : '');
    return this.submit(
      'direct',
      (requestId) =>
        create(ClientFrameSchema, {
          frame: { case: 'direct', value: { requestId, userId, id, payload: bytes, contentType } },
        }),
      options.timeoutMs ?? this.publishTimeoutMs,
      true,
    ).then(() => ({ id }));
  }

  /** Reads one page of a room's history (no subscription needed). */
  async history(room: string, options: HistoryOptions = {}): Promise<HistoryPage> {
    this.ensureOpen();
    const direction =
      options.direction === 'before'
        ? HistoryDirection.BEFORE
        : options.direction === 'after'
          ? HistoryDirection.AFTER
          : HistoryDirection.LATEST;
    const reply = await this.submit(
      'history',
      (requestId) =>
        create(ClientFrameSchema, {
          frame: {
            case: 'history',
            value: {
              requestId,
              room,
              direction,
              position: options.position ?? 0n,
              epoch: options.epoch ?? '',
              limit: options.limit ?? 0,
            },
          },
        }),
      this.requestTimeoutMs,
      true,
    );
    return toHistoryPage(reply as Parameters<typeof toHistoryPage>[0]);
  }

  /** A helper that pages a room backwards from the newest message ("load earlier"). */
  historyPager(room: string, pageSize = 50): HistoryPager {
    return new HistoryPager(this, room, pageSize);
  }

  /**
   * Sets this user's status on all devices (last writer wins). The client sets it again on every new connection,
   * so it survives reconnects, gateway switches and presence-service restarts.
   */
  async setStatus(status: PresenceStatusName, text = ''): Promise<void> {
    this.ensureOpen();
    const value = statusValue(status);
    this.desiredStatus = { status, text };
    await this.submit(
      'status',
      (requestId) => create(ClientFrameSchema, { frame: { case: 'setStatus', value: { requestId, status: value, text } } }),
      this.requestTimeoutMs,
      true,
    );
  }

  /** One page of a room's member list, ordered by user id (the connection must be subscribed to the room). */
  async presenceQuery(room: string, options: { afterUser?: string; limit?: number } = {}): Promise<PresencePage> {
    this.ensureOpen();
    const reply = await this.submit(
      'presence',
      (requestId) =>
        create(ClientFrameSchema, {
          frame: {
            case: 'presence',
            value: { requestId, room, afterUser: options.afterUser ?? '', limit: options.limit ?? 0 },
          },
        }),
      this.requestTimeoutMs,
      true,
    );
    return toPresencePage(reply as Parameters<typeof toPresencePage>[0]);
  }

  /**
   * The member list of a room subscribed with presence, kept by the versioning rule (docs/protocol.md section 11.1);
   * undefined for other rooms. Changes are announced with 'members' events.
   */
  members(room: string): MemberList | undefined {
    return this.rooms.get(room)?.members?.list;
  }

  /**
   * Every member of a room, paging through presenceQuery (at most maxPages pages). The pages may show different
   * versions of a changing room; for a list that stays right, subscribe with presence and use members(room).
   */
  async presenceMembers(room: string, maxPages = 10): Promise<PresencePage> {
    let page = await this.presenceQuery(room);
    const members = [...page.members];
    for (let i = 1; i < maxPages && page.hasMore; i++) {
      page = await this.presenceQuery(room, { afterUser: page.nextAfterUser });
      members.push(...page.members);
    }
    return { ...page, members };
  }

  /**
   * Typing indicator: call with true on each keystroke; the client sends "typing" at once, renews it every
   * typing.renewMs while keystrokes keep coming, and sends stop after typing.idleMs without one or on false.
   */
  setTyping(room: string, typing: boolean): void {
    const entry = this.typingOut.get(room);
    if (!typing) {
      if (entry) {
        this.stopTypingLocally(room);
        this.sendEphemeral(room, TYPING_KIND, new Uint8Array(), true);
      }
      return;
    }
    const now = this.scheduler.now();
    if (entry) {
      entry.lastActivity = now;
      return;
    }
    this.sendEphemeral(room, TYPING_KIND, new Uint8Array(), false);
    this.typingOut.set(room, { lastActivity: now, timer: this.scheduler.setTimeout(() => this.renewTyping(room), this.typingRenewMs) });
  }

  /** Users typing in a room right now (own user excluded). */
  typingUsers(room: string): string[] {
    return this.typingIn.users(room);
  }

  /** Sends an ephemeral event to a subscribed room; dropped silently while offline (never queued). */
  sendEphemeral(room: string, kind: string, payload: Uint8Array = new Uint8Array(), stop = false, contentType = ''): boolean {
    const conn = this.conn;
    if (!conn?.connected || !this.rooms.get(room)?.active) {
      return false;
    }
    this.send(conn, create(ClientFrameSchema, { frame: { case: 'ephemeral', value: { room, kind, payload, stop, contentType } } }));
    return true;
  }

  /** Replaces the connection's token now (normally done automatically at tokenRefreshRatio of its lifetime). */
  async refreshToken(): Promise<void> {
    const conn = this.conn;
    if (!conn?.connected) {
      throw new SwitchboardError('not connected', 'NOT_CONNECTED', true);
    }
    const token = await this.options.token({ reason: 'refresh' });
    if (conn !== this.conn) {
      return; // reconnected meanwhile: the new connection fetched its own token
    }
    await this.submit(
      'refresh',
      (requestId) => create(ClientFrameSchema, { frame: { case: 'refresh', value: { requestId, token } } }),
      this.requestTimeoutMs,
      false,
    );
    if (conn === this.conn) {
      this.scheduleRefresh(token, this.scheduler.now());
    }
  }

  /** Test hook: drops the socket as a network failure would (close 1006), then reconnects and resumes. */
  debugDropConnection(): void {
    const conn = this.conn;
    if (!conn) {
      return;
    }
    const ws = conn.ws as WebSocketLike & { terminate?: () => void };
    this.onClose(conn, 1006, 'debugDropConnection');
    try {
      if (typeof ws.terminate === 'function') {
        ws.terminate();
      } else {
        ws.close(4000, 'debugDropConnection');
      }
    } catch {
      // the socket may still be connecting; it is abandoned either way
    }
  }

  private memberList(room: string): MemberListTracker {
    return new MemberListTracker(
      room,
      this.memberListLimit,
      {
        read: async (limit) => {
          const reply = await this.submit(
            'presence',
            (requestId) => create(ClientFrameSchema, { frame: { case: 'presence', value: { requestId, room, afterUser: '', limit } } }),
            this.requestTimeoutMs,
            false, // a lost connection resubscribes, and its Subscribed reads again
          );
          return toPresencePage(reply as Parameters<typeof toPresencePage>[0]);
        },
        subscribed: () => this.conn?.connected === true && this.rooms.get(room)?.active === true,
        retryDelay: (attempt) => this.retryDelay(attempt),
        scheduler: this.scheduler,
      },
      (list) => this.events.emit('members', list),
    );
  }

  // ------------------------------------------------------------------ connection

  private async openSocket(): Promise<void> {
    const attempt = ++this.attempt;
    const reason = this.nextTokenReason;
    let token: string;
    try {
      token = await this.options.token({ reason });
    } catch (e) {
      if (attempt !== this.attempt) return;
      this.events.emit('error', new SwitchboardError(`token provider failed: ${String(e)}`, 'TOKEN', true));
      this.scheduleReconnect(undefined, 'token provider failed');
      return;
    }
    if (attempt !== this.attempt) {
      return;
    }
    this.nextTokenReason = 'connect';
    if (!this.WebSocketImpl) {
      this.fail(new SwitchboardError('no WebSocket implementation: pass options.WebSocket (e.g. the "ws" package) on Node < 22', 'CLOSED', false));
      return;
    }
    let ws: WebSocketLike;
    try {
      ws = new this.WebSocketImpl(this.options.url, [SUBPROTOCOLS[this.codec.format]]);
    } catch (e) {
      this.fail(new SwitchboardError(`cannot open ${this.options.url}: ${String(e)}`, 'CLOSED', false));
      return;
    }
    ws.binaryType = 'arraybuffer';
    const now = this.scheduler.now();
    const conn: Connection = {
      ws,
      token,
      tokenObtainedAt: now,
      connected: false,
      lastFrameAt: now,
      lastPingAt: now,
      subscribes: new Map(),
      unsubscribes: new Map(),
    };
    this.conn = conn;
    ws.onopen = () => {
      if (conn !== this.conn) return;
      this.send(conn, create(ClientFrameSchema, { frame: { case: 'connect', value: { token, client: this.options.clientName ?? 'switchboard-ts/0.1.0' } } }));
    };
    ws.onmessage = (event) => this.onData(conn, event.data);
    ws.onclose = (event) => this.onClose(conn, event.code, event.reason);
    ws.onerror = () => {
      // A close event always follows; the error event carries no detail worth reporting.
    };
    this.connectTimer = this.scheduler.setTimeout(() => {
      if (conn === this.conn && !conn.connected) {
        this.dropConnection(conn, 1006, 'connect timeout');
      }
    }, this.connectTimeoutMs);
  }

  private dropConnection(conn: Connection, code: number, reason: string): void {
    this.onClose(conn, code, reason);
    try {
      conn.ws.close(1000, reason);
    } catch {
      // already closing
    }
  }

  private onClose(conn: Connection, code: number, reason: string): void {
    if (conn !== this.conn) {
      return;
    }
    this.teardown();
    const action = closeAction(code);
    if (action === 'close') {
      this.fail(new SwitchboardError(`closed by server: ${code} ${codeName(code)}${reason ? ` (${reason})` : ''}`, code, false), code, reason);
      return;
    }
    if (action === 'refresh-token') {
      this.nextTokenReason = 'expired';
    }
    let delay: number | undefined;
    if (code === ErrorCode.SERVER_SHUTDOWN && conn.drainWithinMs !== undefined) {
      delay = Math.floor(this.random() * conn.drainWithinMs);
    }
    this.scheduleReconnect(delay, reason, code);
  }

  private scheduleReconnect(delayMs: number | undefined, reason: string, code?: number): void {
    const delay = delayMs ?? this.backoff.next();
    this.setState('reconnecting', { code, reason, delayMs: delay });
    this.clearTimer('reconnectTimer');
    this.reconnectTimer = this.scheduler.setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.openSocket();
    }, delay);
  }

  /** Forgets the current connection: timers stop, in-flight requests go back to the queue, rooms become inactive. */
  private teardown(): void {
    const conn = this.conn;
    this.conn = undefined;
    this.connectedInfo = undefined;
    this.clearTimer('connectTimer');
    this.clearTimer('pingTimer');
    this.clearTimer('refreshTimer');
    if (conn) {
      conn.ws.onopen = conn.ws.onmessage = conn.ws.onclose = conn.ws.onerror = null;
      conn.unsubscribes.forEach((resolve) => resolve());
    }
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
    // Unacknowledged requests go first, in their original order, with the same frame (same publish id).
    this.queue.unshift(...requeue);
    for (const state of this.rooms.values()) {
      state.active = false;
      this.clearRoomTimers(state);
    }
    for (const room of [...this.typingOut.keys()]) this.stopTypingLocally(room);
  }

  private fail(error: SwitchboardError, code?: number, reason?: string): void {
    this.attempt++;
    this.teardown();
    this.clearTimer('reconnectTimer');
    // Subscriptions (and their resume positions) stay: a later connect() resumes them. Requests fail now.
    this.failAll(error, false);
    this.events.emit('error', error);
    this.setState('closed', { code, reason });
  }

  private failAll(error: SwitchboardError, forgetRooms = true): void {
    for (const request of this.queue.splice(0)) {
      this.finish(request);
      request.reject(error);
    }
    for (const request of this.inflight.values()) {
      this.finish(request);
      request.reject(error);
    }
    this.inflight.clear();
    this.typingIn.clearAll();
    if (!forgetRooms) {
      return;
    }
    for (const state of this.rooms.values()) {
      this.clearRoomTimers(state);
      state.members?.stop();
      state.waiters.splice(0).forEach((w) => w.reject(error));
    }
    this.rooms.clear();
  }

  private setState(state: ConnectionState, details: Omit<StateChange, 'state' | 'previous'>): void {
    const previous = this.stateValue;
    if (previous === state && state !== 'reconnecting') {
      return;
    }
    this.stateValue = state;
    this.events.emit('state', { state, previous, ...details });
  }

  private ensureOpen(): void {
    if (this.stateValue === 'closed') {
      throw new SwitchboardError('client closed: call connect() first', 'CLOSED', false);
    }
  }

  // ------------------------------------------------------------------ frames in

  private onData(conn: Connection, data: unknown): void {
    if (conn !== this.conn) {
      return;
    }
    conn.lastFrameAt = this.scheduler.now();
    let frame: ServerFrame;
    try {
      frame = this.codec.decode(data);
    } catch (e) {
      this.events.emit('error', new SwitchboardError(`undecodable frame: ${String(e)}`, 'DECODE', false));
      return;
    }
    const f = frame.frame;
    switch (f.case) {
      case 'connected':
        this.onConnected(conn, f.value);
        break;
      case 'subscribed':
        this.onSubscribed(conn, f.value);
        break;
      case 'unsubscribed': {
        const resolve = conn.unsubscribes.get(f.value.requestId);
        if (resolve) {
          conn.unsubscribes.delete(f.value.requestId);
          resolve();
        } else if (f.value.requestId === 0) {
          this.onServerUnsubscribed(f.value.room, f.value.reason, f.value.message);
        }
        break;
      }
      case 'message':
        this.onMessage(toRoomMessage(f.value));
        break;
      case 'ack':
      case 'historyPage':
      case 'presencePage':
        this.onReply(f.value.requestId, f.value);
        break;
      case 'error':
        this.onError(conn, f.value);
        break;
      case 'ephemeral': {
        const event = toEphemeral(f.value);
        this.typingIn.apply(event, this.connectedInfo?.userId);
        this.events.emit('ephemeral', event);
        break;
      }
      case 'presence': {
        const change = toPresenceChange(f.value);
        this.events.emit('presence', change);
        this.rooms.get(change.room)?.members?.onEvent(change);
        break;
      }
      case 'userMessage':
        this.events.emit('userMessage', toUserMessage(f.value));
        break;
      case 'drain':
        conn.drainWithinMs = f.value.reconnectWithinMs;
        break;
      case 'pong':
      default:
        break;
    }
  }

  private onConnected(conn: Connection, connected: Connected): void {
    if (conn.connected) {
      return;
    }
    conn.connected = true;
    this.connectedInfo = connected;
    this.clearTimer('connectTimer');
    this.backoff.reset();
    this.setState('connected', {});
    this.schedulePing(conn);
    this.scheduleRefresh(conn.token, conn.tokenObtainedAt);
    for (const state of this.rooms.values()) {
      this.sendSubscribe(conn, state, true);
    }
    if (this.desiredStatus) {
      const { status, text } = this.desiredStatus;
      // Answered by an Ack nobody waits for; an Error frame is reported as an 'error' event.
      this.send(conn, create(ClientFrameSchema, {
        frame: { case: 'setStatus', value: { requestId: this.allocateRequestId(), status: statusValue(status), text } },
      }));
    }
    this.pump();
  }

  private sendSubscribe(conn: Connection, state: RoomState, resume: boolean): void {
    const requestId = this.allocateRequestId();
    const resumeFrom =
      resume && state.next !== undefined && state.epoch !== undefined
        ? { from: { case: 'nextPosition' as const, value: state.next }, epoch: state.epoch }
        : undefined;
    conn.subscribes.set(requestId, { room: state.room, resumed: resumeFrom !== undefined });
    this.send(
      conn,
      create(ClientFrameSchema, {
        frame: { case: 'subscribe', value: { requestId, room: state.room, presence: state.presence, resumeFrom } },
      }),
    );
  }

  private onSubscribed(conn: Connection, s: Subscribed): void {
    const request = conn.subscribes.get(s.requestId);
    conn.subscribes.delete(s.requestId);
    if (s.serverSide && s.requestId === 0 && !this.rooms.has(s.room)) {
      // A backend subscribed this connection: hold the room from now on as if subscribe() had asked for it.
      this.rooms.set(s.room, {
        room: s.room, presence: s.presence, active: false, retries: 0, waiters: [],
        members: s.presence ? this.memberList(s.room) : undefined,
      });
    }
    const state = this.rooms.get(s.room);
    if (!state) {
      return; // unsubscribed meanwhile
    }
    if (state.epoch !== undefined && state.epoch !== s.epoch) {
      state.next = undefined; // a new log: positions of the old epoch mean nothing
    }
    state.epoch = s.epoch;
    // With replayed > 0 the replayed messages advance `next`; jumping ahead now would skip them after a drop mid-replay.
    if (s.replayed === 0) {
      state.next = state.next === undefined || s.nextPosition > state.next ? s.nextPosition : state.next;
    }
    state.active = true;
    state.retries = 0;
    const event: SubscribedEvent = {
      room: s.room,
      epoch: s.epoch,
      nextPosition: s.nextPosition,
      resumed: request?.resumed ?? false,
      recovered: s.recovered,
      recoveryFailure: recoveryFailureName(s.recoveryFailure),
      replayed: s.replayed,
      serverSide: s.serverSide,
    };
    state.waiters.splice(0).forEach((w) => w.resolve(event));
    this.events.emit('subscribed', event);
    // Events may have been missed while not subscribed: the list is read again on every (re)subscription.
    state.members?.reload();
  }

  /** The server ended a subscription (ROOM_CLOSED, PERMISSION_REVOKED, SERVER_UNSUBSCRIBED): it is gone for good. */
  private onServerUnsubscribed(room: string, code: number, message: string): void {
    const reason = codeName(code);
    const state = this.rooms.get(room);
    if (state) {
      this.rooms.delete(room);
      this.clearRoomTimers(state);
      state.members?.stop();
      state.waiters.splice(0).forEach((w) => w.reject(new SwitchboardError(`${room}: ${reason} ${message}`, code, false, room)));
    }
    this.stopTypingLocally(room);
    this.typingIn.clearRoom(room);
    this.events.emit('unsubscribed', { room, reason, message });
  }

  private onMessage(message: RoomMessage): void {
    const state = this.rooms.get(message.room);
    if (!state) {
      return; // not (or no longer) subscribed
    }
    if (state.epoch !== message.epoch) {
      if (state.epoch !== undefined) {
        state.next = undefined;
      }
      state.epoch = message.epoch;
    } else if (state.next !== undefined && message.position < state.next) {
      return; // already processed (position dedup)
    }
    if (!this.dedup.add(`${message.room}\u0000${message.sender}\u0000${message.id}`)) {
      return; // the same (sender, id) delivered before, e.g. under another epoch
    }
    state.next = message.position + 1n;
    this.events.emit('message', message);
  }

  private onReply(requestId: number, reply: Reply): void {
    const request = this.inflight.get(requestId);
    if (!request) {
      return; // timed out meanwhile
    }
    this.inflight.delete(requestId);
    this.finish(request);
    request.resolve(reply);
    this.pump();
  }

  private onError(conn: Connection, e: ErrorPb): void {
    const error = new SwitchboardError(`${codeName(e.code)}: ${e.message}`, e.code, e.retriable, e.room || undefined);
    const subscribe = conn.subscribes.get(e.requestId);
    if (subscribe) {
      conn.subscribes.delete(e.requestId);
      this.onSubscribeError(conn, subscribe.room, error);
      return;
    }
    const request = this.inflight.get(e.requestId);
    if (request) {
      this.inflight.delete(e.requestId);
      if (e.retriable && request.survivesReconnect && !request.done) {
        // Retry later with the same frame (same publish id): the outcome may be unknown (TIMEOUT).
        const delay = this.retryDelay(request.retries++);
        request.retryTimer = this.scheduler.setTimeout(() => {
          request.retryTimer = undefined;
          if (!request.done) {
            this.queue.unshift(request);
            this.pump();
          }
        }, delay);
      } else {
        this.finish(request);
        request.reject(error);
      }
      this.pump();
      return;
    }
    this.events.emit('error', error);
  }

  private onSubscribeError(conn: Connection, room: string, error: SwitchboardError): void {
    const state = this.rooms.get(room);
    if (!state) {
      return;
    }
    if (error.retriable) {
      // e.g. RECOVERY_UNAVAILABLE: a resume is never turned into a plain subscribe; retry it with backoff.
      const delay = this.retryDelay(state.retries++);
      state.retryTimer = this.scheduler.setTimeout(() => {
        state.retryTimer = undefined;
        if (conn === this.conn && this.rooms.get(room) === state && !state.active) {
          this.sendSubscribe(conn, state, true);
        }
      }, delay);
      this.events.emit('error', error);
      return;
    }
    this.rooms.delete(room);
    state.members?.stop();
    state.waiters.splice(0).forEach((w) => w.reject(error));
    this.events.emit('error', error);
  }

  // ------------------------------------------------------------------ requests out

  private submit(kind: PendingRequest['kind'], build: PendingRequest['build'], timeoutMs: number, survivesReconnect: boolean): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      if (this.queue.length >= this.maxQueued) {
        reject(new SwitchboardError(`request queue full (${this.maxQueued} waiting)`, 'QUEUE_FULL', true));
        return;
      }
      const request: PendingRequest = { kind, build, resolve, reject, survivesReconnect, retries: 0, done: false };
      request.timer = this.scheduler.setTimeout(() => this.timeout(request, timeoutMs), timeoutMs);
      this.queue.push(request);
      this.pump();
    });
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
  }

  /** Sends queued requests while connected and the in-flight window has room. */
  private pump(): void {
    const conn = this.conn;
    if (!conn?.connected) {
      return;
    }
    while (this.queue.length > 0 && this.inflight.size < this.maxInflight) {
      const request = this.queue.shift()!;
      const requestId = this.allocateRequestId();
      this.inflight.set(requestId, request);
      this.send(conn, request.build(requestId));
    }
  }

  private send(conn: Connection, frame: ClientFrame): void {
    try {
      conn.ws.send(this.codec.encode(frame));
    } catch (e) {
      // The socket is closing: its close event reconnects and requeues.
      this.events.emit('error', new SwitchboardError(`send failed: ${String(e)}`, 'NOT_CONNECTED', true));
    }
  }

  private allocateRequestId(): number {
    const id = this.nextRequestId;
    this.nextRequestId = id >= 0x7fffffff ? 1 : id + 1;
    return id;
  }

  private retryDelay(attempt: number): number {
    return Math.floor(this.random() * this.backoff.ceilingMs(attempt));
  }

  private generateId(): string {
    if (this.options.idGenerator) {
      return this.options.idGenerator();
    }
    const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
    if (crypto?.randomUUID) {
      return crypto.randomUUID(); // browsers (secure contexts) and Node >= 19
    }
    let id = '';
    for (let i = 0; i < 22; i++) {
      id += ALPHABET[Math.floor(this.random() * ALPHABET.length)];
    }
    return id;
  }

  // ------------------------------------------------------------------ timers

  private schedulePing(conn: Connection): void {
    this.pingTimer = this.scheduler.setTimeout(() => {
      if (conn !== this.conn) return;
      if (conn.lastFrameAt < conn.lastPingAt) {
        this.dropConnection(conn, 1006, 'no answer to ping');
        return;
      }
      conn.lastPingAt = this.scheduler.now();
      this.send(conn, create(ClientFrameSchema, { frame: { case: 'ping', value: { nonce: BigInt(conn.lastPingAt) } } }));
      this.schedulePing(conn);
    }, this.pingIntervalMs);
  }

  private scheduleRefresh(token: string, obtainedAt: number): void {
    this.clearTimer('refreshTimer');
    const times = tokenTimes(token);
    if (!times) {
      return; // opaque token: the server closes with 3501 when it expires, and the client reconnects
    }
    const issued = times.issuedAtMs ?? obtainedAt;
    const at = issued + (times.expiresAtMs - issued) * this.refreshRatio;
    const delay = Math.max(0, at - this.scheduler.now());
    this.refreshTimer = this.scheduler.setTimeout(() => {
      this.refreshTimer = undefined;
      this.refreshToken().catch((e: unknown) => {
        const error = e instanceof SwitchboardError ? e : new SwitchboardError(`token refresh failed: ${String(e)}`, 'TOKEN', true);
        this.events.emit('error', error);
        // Try again halfway to expiry; if it expires first, the server closes 3501 and the reconnect fetches a token.
        const remaining = times.expiresAtMs - this.scheduler.now();
        if (this.conn?.connected && remaining > 2000 && this.refreshTimer === undefined) {
          this.refreshTimer = this.scheduler.setTimeout(() => {
            this.refreshTimer = undefined;
            this.refreshToken().catch((e2: unknown) => this.events.emit('error', e2 instanceof SwitchboardError ? e2 : new SwitchboardError(String(e2), 'TOKEN', true)));
          }, remaining / 2);
        }
      });
    }, delay);
  }

  private renewTyping(room: string): void {
    const entry = this.typingOut.get(room);
    if (!entry) return;
    if (this.scheduler.now() - entry.lastActivity >= this.typingIdleMs) {
      this.setTyping(room, false);
      return;
    }
    this.sendEphemeral(room, TYPING_KIND, new Uint8Array(), false);
    entry.timer = this.scheduler.setTimeout(() => this.renewTyping(room), this.typingRenewMs);
  }

  private stopTypingLocally(room: string): void {
    const entry = this.typingOut.get(room);
    if (entry) {
      this.scheduler.clearTimeout(entry.timer);
      this.typingOut.delete(room);
    }
  }

  private clearRoomTimers(state: RoomState): void {
    if (state.retryTimer !== undefined) {
      this.scheduler.clearTimeout(state.retryTimer);
      state.retryTimer = undefined;
    }
  }

  private clearTimer(name: 'reconnectTimer' | 'connectTimer' | 'pingTimer' | 'refreshTimer'): void {
    const handle = this[name];
    if (handle !== undefined) {
      this.scheduler.clearTimeout(handle);
      this[name] = undefined;
    }
  }
}

/**
 * Pages a room backwards: the first loadEarlier() returns the newest page, each next one the page before it.
 * A changed epoch (EPOCH_MISMATCH) restarts from the newest page.
 */
export class HistoryPager {
  private oldest?: bigint;
  private epoch?: string;
  private more = true;

  constructor(
    private readonly client: SwitchboardClient,
    readonly room: string,
    private readonly pageSize: number,
  ) {}

  /** False once the oldest retained message was returned. */
  get hasMore(): boolean {
    return this.more;
  }

  async loadEarlier(): Promise<RoomMessage[]> {
    if (!this.more) {
      return [];
    }
    let page: HistoryPage;
    try {
      page =
        this.oldest === undefined
          ? await this.client.history(this.room, { direction: 'latest', limit: this.pageSize })
          : await this.client.history(this.room, { direction: 'before', position: this.oldest, epoch: this.epoch, limit: this.pageSize });
    } catch (e) {
      if (e instanceof SwitchboardError && e.code === ErrorCode.EPOCH_MISMATCH) {
        this.reset();
      }
      throw e;
    }
    this.epoch = page.epoch;
    if (page.messages.length > 0) {
      this.oldest = page.messages[0]!.position;
    }
    this.more = page.hasMore && page.messages.length > 0;
    return page.messages;
  }

  reset(): void {
    this.oldest = undefined;
    this.epoch = undefined;
    this.more = true;
  }
}
