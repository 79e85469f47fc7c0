import { Backoff } from './backoff.js';
import { clientFrame, codecFor, type Codec, type WireFormat } from './codec.js';
import { ConnectionStateMachine, type Connection } from './connection.js';
import { Emitter } from './emitter.js';
import { codeName, SwitchboardError } from './errors.js';
import { ErrorCode, type Error as ErrorPb, type Limits, type ServerFrame } from './gen/switchboard/client/v1/client_pb.js';
import {
  FileAssembler,
  FilePacer,
  FileTransfer,
  newFileId,
  validFileId,
  type FilePublish,
  type IncompleteReason,
  type SendFileOptions,
} from './files.js';
import { HistoryPager } from './history-pager.js';
import {
  resolveSettings,
  type ClientEvents,
  type DirectOptions,
  type HistoryOptions,
  type PublishOptions,
  type SubscribeOptions,
  type SwitchboardClientOptions,
} from './options.js';
import { Publisher } from './publisher.js';
import { Queries } from './queries.js';
import { RequestIds, RequestQueue } from './requests.js';
import { RoomSubscriptions } from './subscriptions.js';
import { TokenRefresher } from './token-refresh.js';
import { TypingSender } from './typing-sender.js';
import { TYPING_KIND, TypingTracker } from './typing.js';
import {
  toEphemeral,
  toPresenceChange,
  toRoomMessage,
  toUserMessage,
  type ConnectionState,
  type DirectAck,
  type HistoryPage,
  type MemberList,
  type PresencePage,
  type PresenceStatusName,
  type PublishAck,
  type RoomMessage,
  type SubscribedEvent,
} from './types.js';

export { HistoryPager } from './history-pager.js';
export type {
  ClientEvents,
  HistoryOptions,
  PublishOptions,
  SubscribeOptions,
  SwitchboardClientOptions,
  TokenProvider,
  TokenReason,
  WebSocketConstructor,
  WebSocketLike,
} from './options.js';

/**
 * A Switchboard connection that survives reconnects: it resubscribes with resume (no gap, no duplicate), resends
 * unacknowledged publishes with their original ids, refreshes its token and exposes typed events.
 * JavaScript is single-threaded; the client is not meant to be shared across workers.
 *
 * This class is the public face and the frame dispatch; each job is done by one part: the connection lifecycle
 * (ConnectionStateMachine), rooms with resume and dedup (RoomSubscriptions), requests awaiting answers with the
 * offline queue (RequestQueue), publishes (Publisher), token refresh (TokenRefresher), typing (TypingSender,
 * TypingTracker) and member lists (MemberListTracker).
 */
export class SwitchboardClient {
  private readonly codec: Codec;
  private readonly events = new Emitter<ClientEvents>();
  private readonly ids = new RequestIds();
  private readonly connection: ConnectionStateMachine;
  private readonly requests: RequestQueue;
  private readonly rooms: RoomSubscriptions;
  private readonly publisher: Publisher;
  private readonly queries: Queries;
  private readonly tokens: TokenRefresher;
  private readonly typingIn: TypingTracker;
  private readonly typingOut: TypingSender;
  private readonly files: FileAssembler;
  /** Files sent to this user (sendFileToUser), from the inbox subscription; their own events. */
  private readonly inboxFiles: FileAssembler;
  private readonly filePacer: FilePacer;
  private readonly settings: ReturnType<typeof resolveSettings>;

  constructor(options: SwitchboardClientOptions) {
    const settings = resolveSettings(options);
    this.settings = settings;
    const scheduler = settings.scheduler;
    const events = this.events;
    this.codec = codecFor(settings.format);
    const backoff = new Backoff(settings.backoff, settings.random);
    const retryDelay = (attempt: number): number => backoff.delayMs(attempt);
    this.connection = new ConnectionStateMachine(settings, this.codec, backoff, events, {
      onConnected: (conn) => this.onConnected(conn),
      onFrame: (conn, frame) => this.onFrame(conn, frame),
      onConnectionLost: () => this.onConnectionLost(),
      onFailed: (error) => this.rejectAll(error),
      onClosed: (error) => {
        this.rejectAll(error);
        this.rooms.forgetAll(error);
      },
    });
    const link = this.connection;
    this.requests = new RequestQueue(
      link,
      this.ids,
      scheduler,
      { maxQueued: settings.maxQueuedRequests, maxInflight: settings.maxInflight },
      retryDelay,
    );
    this.typingIn = new TypingTracker(scheduler, settings.typingDefaultTtlMs, (room, users) => events.emit('typing', { room, users }));
    this.typingOut = new TypingSender(scheduler, settings.typingRenewMs, settings.typingIdleMs, (room, stop) => {
      this.sendEphemeral(room, TYPING_KIND, new Uint8Array(), stop);
    });
    this.filePacer = new FilePacer(settings.files.bytesPerSecond, scheduler);
    this.files = new FileAssembler(settings.files, scheduler, {
      file: (f) => events.emit('file', f),
      fileProgress: (p) => events.emit('fileProgress', p),
      fileIncomplete: (f) => events.emit('fileIncomplete', f),
    });
    this.inboxFiles = new FileAssembler(settings.files, scheduler, {
      file: (f) => events.emit('inboxFile', f),
      fileProgress: (p) => events.emit('inboxFileProgress', p),
      fileIncomplete: (f) => events.emit('inboxFileIncomplete', f),
    });
    events.on('subscribed', (s) => {
      if (s.resumed && !s.recovered) {
        this.giveUpFiles(s.room, 'recovery-failed', `resume of ${s.room} failed: ${s.recoveryFailure}`);
      }
    });
    events.on('unsubscribed', (u) => this.giveUpFiles(u.room, 'closed', `subscription of ${u.room} ended: ${u.reason}`));
    this.rooms = new RoomSubscriptions({
      link,
      ids: this.ids,
      scheduler,
      // File messages go to the room's or the inbox's assembler (after dedup), the inbox's other messages to
      // 'inboxMessage', every other event to the application.
      events: {
        emit: <K extends keyof ClientEvents>(name: K, event: ClientEvents[K]): void => {
          if (name === 'message') {
            const message = event as RoomMessage;
            const inInbox = message.room === this.connection.info?.inbox;
            if ((inInbox ? this.inboxFiles : this.files).accept(message)) {
              return;
            }
            if (inInbox) {
              events.emit('inboxMessage', message);
              return;
            }
          }
          events.emit(name, event);
        },
      },
      dedupCapacity: settings.dedupCapacity,
      memberListLimit: settings.memberListLimit,
      retryDelay,
      readMembers: (room, limit) => this.queries.readMembers(room, limit),
      onRoomLeft: (room) => {
        this.typingOut.stopLocally(room);
        this.typingIn.clearRoom(room);
      },
    });
    this.queries = new Queries({
      link,
      requests: this.requests,
      ids: this.ids,
      requestTimeoutMs: settings.requestTimeoutMs,
      ensureOpen: () => this.ensureOpen(),
    });
    this.publisher = new Publisher(this.requests, settings.publishTimeoutMs, settings.random, settings.idGenerator);
    this.tokens = new TokenRefresher({
      link,
      requests: this.requests,
      token: settings.token,
      scheduler,
      events,
      refreshRatio: settings.tokenRefreshRatio,
      requestTimeoutMs: settings.requestTimeoutMs,
    });
  }

  // ------------------------------------------------------------------ public API

  get state(): ConnectionState {
    return this.connection.state;
  }

  /** The authenticated user id, once connected. */
  get userId(): string | undefined {
    return this.connection.info?.userId;
  }

  get sessionId(): string | undefined {
    return this.connection.info?.sessionId;
  }

  /** The limits of the current connection (from Connected). */
  get limits(): Limits | undefined {
    return this.connection.info?.limits;
  }

  /**
   * How the current connection reaches the gateway: 'websocket', or 'http-fallback' (Server-Sent Events and POSTs,
   * docs/protocol.md section 15); undefined between connections.
   */
  get transport(): 'websocket' | 'http-fallback' | undefined {
    return this.connection.transport;
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
    this.connection.start();
  }

  /**
   * Closes the connection for good: pending publishes and requests reject with CLOSED, subscriptions are
   * forgotten. connect() may be called again later.
   */
  close(): void {
    this.connection.close();
  }

  /**
   * Subscribes to a room (idempotent). Resolves on the first Subscribed; while offline it resolves once connected.
   * After reconnects the client resubscribes by itself, resuming from the last processed position.
   */
  subscribe(room: string, options: SubscribeOptions = {}): Promise<SubscribedEvent> {
    this.ensureOpen();
    return this.rooms.subscribe(room, options);
  }

  /** Stops receiving a room and forgets its position. Resolves when the server confirmed (or at once offline). */
  unsubscribe(room: string): Promise<void> {
    this.giveUpFiles(room, 'closed', `unsubscribed from ${room}`);
    return this.rooms.unsubscribe(room);
  }

  /** Rooms the client is subscribed to (or will subscribe to once connected). */
  subscriptions(): string[] {
    return this.rooms.list();
  }

  /** The next position to process and its epoch for a room, as the client would resume from. */
  resumePoint(room: string): { epoch: string; nextPosition: bigint } | undefined {
    return this.rooms.resumePoint(room);
  }

  /**
   * Publishes and resolves with the ack once the message is durably stored. The id is fixed at this call: a
   * publish queued offline or cut off by a reconnect is resent with the same id, so it is stored once.
   */
  publish(room: string, payload: string | Uint8Array, options: PublishOptions = {}): Promise<PublishAck> {
    this.ensureOpen();
    return this.publisher.publish(room, payload, options);
  }

  /**
   * Sends a file into a room (docs/protocol.md section 16): a manifest (name, content type, size, SHA-256), then
   * chunks of at most files.chunkBytes (and the connection's maxPayloadBytes), each an acknowledged publish with an id
   * derived from the file id, paced and pipelined; options.onProgress hears of every chunk stored. Subscribers get a
   * 'file' event. Queued while offline and resent across reconnects like any publish; FileTransfer.resume() continues
   * after a failure, and sending the same bytes with the same fileId (e.g. after a reload) adds only what is missing.
   * Throws a RangeError for data above files.maxFileBytes or a bad fileId.
   */
  sendFile(room: string, data: Uint8Array, options: SendFileOptions = {}): FileTransfer {
    this.ensureOpen();
    return this.startTransfer(room, data, options, (id, payload, contentType) => this.publisher.publish(room, payload, { id, contentType }));
  }

  /**
   * Sends a file to one user (docs/protocol.md section 16, To a user): the same manifest and chunk messages as
   * sendFile, as stored direct messages into the user's inbox, so every device of theirs receives it once as an
   * 'inboxFile' event when it next subscribes to its inbox (subscribeInbox()), also if the user is offline now. The
   * manifest is acknowledged before the chunks go; chunks are pipelined and paced like sendFile's, queued offline
   * and resent with their ids across reconnects; resume() and the same fileId work the same way. The transfer's
   * room (and its progress' room) is the user's inbox, known from the manifest's ack ('' until then). Throws a
   * RangeError like sendFile; `done` rejects with BAD_REQUEST when the gateway does not store direct messages.
   */
  sendFileToUser(userId: string, data: Uint8Array, options: SendFileOptions = {}): FileTransfer {
    this.ensureOpen();
    return this.startTransfer('', data, options, (id, payload, contentType) =>
      this.storedDirectRefused() ?? this.publisher.sendDirect(userId, payload, { id, contentType, stored: true }));
  }

  private startTransfer(room: string, data: Uint8Array, options: SendFileOptions, publish: FilePublish): FileTransfer {
    const max = this.settings.files.maxFileBytes;
    if (data.length > max) {
      throw new RangeError(`data: ${data.length} bytes (expected: <= files.maxFileBytes ${max})`);
    }
    const fileId = options.fileId ?? newFileId(this.settings.random);
    if (!validFileId(fileId)) {
      throw new RangeError(`fileId: ${fileId} (expected: 1-48 characters of A-Z a-z 0-9 _ -)`);
    }
    const limit = this.limits?.maxPayloadBytes || Infinity;
    const transfer = new FileTransfer(room, fileId, data.slice(), options.name ?? '', options.contentType ?? '',
      Math.min(this.settings.files.chunkBytes, limit), this.settings.files, this.settings.scheduler, this.filePacer,
      publish, options.onProgress ?? (() => undefined));
    void transfer.start();
    return transfer;
  }

  /**
   * Sends a message to a user. By default to every connected device of the user, not stored (at most once; the ack
   * counts the devices). With `stored: true` into the user's inbox: each of their devices receives it once, in the
   * order sent, as an 'inboxMessage' on its next connection. Resolves on the ack; like a publish it is queued offline
   * and resent with the same id. Rejects with BAD_REQUEST for `stored` when the gateway does not store direct
   * messages (its Connected names no inbox).
   */
  sendDirect(userId: string, payload: string | Uint8Array, options: DirectOptions = {}): Promise<DirectAck> {
    this.ensureOpen();
    return (options.stored && this.storedDirectRefused()) || this.publisher.sendDirect(userId, payload, options);
  }

  /** A rejection when the gateway does not store direct messages (its Connected names no inbox); else undefined. */
  private storedDirectRefused(): Promise<never> | undefined {
    const info = this.connection.info;
    return info !== undefined && info.inbox === ''
      ? Promise.reject(new SwitchboardError('stored direct messages: not supported by this gateway (Connected has no inbox)', ErrorCode.BAD_REQUEST, false))
      : undefined;
  }

  /** This user's inbox room (from Connected), once connected to a gateway that stores direct messages. */
  get inbox(): string | undefined {
    return this.connection.info?.inbox || undefined;
  }

  /**
   * Subscribes to this user's inbox: every stored direct message arrives once, in the order stored, as an
   * 'inboxMessage' event, then every new one, also across reconnects (resumed like any room). Without
   * `resumeFrom` it starts at the oldest retained message; with the point this device kept (resumePoint(inbox), or
   * the last processed inbox message's epoch and position + 1, persisted by the application) only what came after.
   * Each device's kept position is its acknowledgement. Needs a connection first (the gateway names the inbox):
   * throws BAD_REQUEST before it, or when the gateway does not store direct messages.
   */
  subscribeInbox(options: { resumeFrom?: { epoch: string; nextPosition: bigint } } = {}): Promise<SubscribedEvent> {
    this.ensureOpen();
    const info = this.connection.info;
    if (!info?.inbox) {
      throw new SwitchboardError(info ? 'inbox: this gateway does not store direct messages'
        : 'inbox: not connected yet (expected: after the first connection)', ErrorCode.BAD_REQUEST, false);
    }
    const resumeFrom = options.resumeFrom ?? { epoch: info.inboxEpoch, nextPosition: 0n };
    return this.rooms.subscribe(info.inbox, { resumeFrom });
  }

  /** Reads one page of a room's history (no subscription needed). */
  history(room: string, options: HistoryOptions = {}): Promise<HistoryPage> {
    return this.queries.history(room, options);
  }

  /** A helper that pages a room backwards from the newest message ("load earlier"). */
  historyPager(room: string, pageSize = 50): HistoryPager {
    return new HistoryPager(this, room, pageSize);
  }

  /**
   * Sets this user's status on all devices (last writer wins). The client sets it again on every new connection,
   * so it survives reconnects, gateway switches and presence-service restarts.
   */
  setStatus(status: PresenceStatusName, text = ''): Promise<void> {
    return this.queries.setStatus(status, text);
  }

  /** One page of a room's member list, ordered by user id (the connection must be subscribed to the room). */
  presenceQuery(room: string, options: { afterUser?: string; limit?: number } = {}): Promise<PresencePage> {
    return this.queries.presenceQuery(room, options);
  }

  /**
   * The member list of a room subscribed with presence, kept by the versioning rule (docs/protocol.md section 11.1);
   * undefined for other rooms. Changes are announced with 'members' events.
   */
  members(room: string): MemberList | undefined {
    return this.rooms.members(room);
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
    this.typingOut.set(room, typing);
  }

  /** Users typing in a room right now (own user excluded). */
  typingUsers(room: string): string[] {
    return this.typingIn.users(room);
  }

  /** Sends an ephemeral event to a subscribed room; dropped silently while offline (never queued). */
  sendEphemeral(room: string, kind: string, payload: Uint8Array = new Uint8Array(), stop = false, contentType = ''): boolean {
    const conn = this.connection.current;
    if (!conn?.connected || !this.rooms.isActive(room)) {
      return false;
    }
    this.connection.send(conn, clientFrame({ case: 'ephemeral', value: { room, kind, payload, stop, contentType } }));
    return true;
  }

  /** Replaces the connection's token now (normally done automatically at tokenRefreshRatio of its lifetime). */
  refreshToken(): Promise<void> {
    return this.tokens.refresh();
  }

  // ------------------------------------------------------------------ connection events

  private onConnected(conn: Connection): void {
    this.tokens.schedule(conn.token, conn.tokenObtainedAt);
    this.rooms.resubscribeAll(conn);
    this.queries.restoreStatus(conn);
    this.requests.pump();
  }

  /** Forgets what belonged to the lost connection: in-flight requests go back to the queue, rooms become inactive. */
  private onConnectionLost(): void {
    this.tokens.cancel();
    this.rooms.connectionLost();
    this.requests.connectionLost();
    this.typingOut.stopAllLocally();
  }

  /** Requests fail now; rooms (and their resume positions) stay unless the caller forgets them too. */
  private rejectAll(error: SwitchboardError): void {
    this.requests.rejectAll(error);
    this.typingIn.clearAll();
  }

  private onFrame(conn: Connection, frame: ServerFrame): void {
    const f = frame.frame;
    switch (f.case) {
      case 'subscribed':
        this.rooms.onSubscribed(f.value);
        break;
      case 'unsubscribed':
        this.rooms.onUnsubscribed(f.value);
        break;
      case 'message':
        this.rooms.onMessage(toRoomMessage(f.value));
        break;
      case 'ack':
      case 'historyPage':
      case 'presencePage':
        this.requests.answer(f.value.requestId, f.value);
        break;
      case 'error':
        this.onError(conn, f.value);
        break;
      case 'ephemeral': {
        const event = toEphemeral(f.value);
        this.typingIn.apply(event, this.connection.info?.userId);
        this.events.emit('ephemeral', event);
        break;
      }
      case 'presence': {
        const change = toPresenceChange(f.value);
        this.events.emit('presence', change);
        this.rooms.onPresence(change);
        break;
      }
      case 'userMessage':
        this.events.emit('userMessage', toUserMessage(f.value));
        break;
      default:
        break; // pong; connected and drain are the connection's
    }
  }

  /** An Error frame: it answers a Subscribe, a request, or nothing (then it is only reported). */
  private onError(conn: Connection, e: ErrorPb): void {
    const error = new SwitchboardError(`${codeName(e.code)}: ${e.message}`, e.code, e.retriable, e.room || undefined);
    if (!this.rooms.onError(conn, e.requestId, error) && !this.requests.fail(e.requestId, error)) {
      this.events.emit('error', error);
    }
  }

  /** Files being received in `room` (a room's or the inbox's) are reported incomplete. */
  private giveUpFiles(room: string, reason: IncompleteReason, why: string): void {
    this.files.giveUpRoom(room, reason, why);
    this.inboxFiles.giveUpRoom(room, reason, why);
  }

  private ensureOpen(): void {
    if (this.connection.state === 'closed') {
      throw new SwitchboardError('client closed: call connect() first', 'CLOSED', false);
    }
  }
}
