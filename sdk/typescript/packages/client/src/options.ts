import { resolveFileSettings, type FileProgress, type FileSettings, type IncompleteFile, type ReceivedFile } from './files.js';
import { resolveBackoff, positive, type BackoffOptions } from './backoff.js';
import type { WireFormat } from './codec.js';
import type { SwitchboardError } from './errors.js';
import { checkCapacity } from './lru.js';
import { DEFAULT_CLOSE_WAIT_MS, SseSocket } from './sse-socket.js';
import type { HttpFallbackMode } from './transport-choice.js';
import { systemScheduler, type RandomSource, type Scheduler } from './timers.js';
import type {
  EphemeralEvent,
  HistoryDirectionName,
  MemberList,
  PresenceChange,
  RoomMessage,
  StateChange,
  SubscribedEvent,
  TypingChange,
  UnsubscribedEvent,
  UserMessage,
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
  /**
   * Ask the gateway to send frames that wait together as one batch message (default true): fewer WebSocket messages
   * under bursts, the same frames in the same order for the application. The plain subprotocol is offered as well, so
   * a gateway without batching still connects.
   */
  batching?: boolean;
  /** WebSocket implementation; defaults to globalThis.WebSocket (browsers, Node >= 22). On Node 20 pass the "ws" package's. */
  WebSocket?: WebSocketConstructor;
  /**
   * The HTTP fallback (docs/protocol.md section 15: Server-Sent Events down, POSTs up, JSON mapping) for networks whose
   * proxies refuse WebSocket upgrades. "auto" (default): when a WebSocket closes before it opened, the next attempt
   * tries the fallback, and the client stays on it if its stream opens (else the gateway is down, and the attempt after
   * is a WebSocket again); on the fallback it tries a WebSocket beside it, at once and then with backoff up to
   * fallbackRetryMs, and moves the session over once one is connected. "never"; "always" (no WebSocket at all).
   */
  httpFallback?: HttpFallbackMode;
  /** In "auto" mode, the longest wait between two tries of a WebSocket while on the fallback (default 300 000). */
  fallbackRetryMs?: number;
  /**
   * On the fallback, after a POST answered 400 or 413, how long to wait for the stream's close event (the gateway
   * sends one at once; a proxy that answered in its stead, e.g. nginx's client_max_body_size, sends none) before
   * dropping the stream (1006) and reconnecting (default 5000).
   */
  fallbackCloseWaitMs?: number;
  /** The fallback transport (default: SseSocket, over fetch, with scheduler and fallbackCloseWaitMs); tests inject fakes. */
  HttpFallback?: WebSocketConstructor;
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
  /**
   * File transfer (sendFile, sendFileToUser, 'file' and 'inboxFile' events; docs/protocol.md section 16): maxFileBytes (default 50 MiB), chunkBytes
   * (48 KiB), window (16 chunks awaiting their ack), bytesPerSecond (4 MiB/s), stallTimeoutMs (120 000),
   * maxFilesInProgress (4 per room).
   */
  files?: Partial<FileSettings>;
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
  /** A stored direct message from this user's inbox (subscribeInbox()); never also a 'message' event. */
  inboxMessage: RoomMessage;
  error: SwitchboardError;
  /** A file sent into a subscribed room arrived whole, its SHA-256 checked (its messages are not 'message' events). */
  file: ReceivedFile;
  /** Another chunk of a file being received arrived. */
  fileProgress: FileProgress;
  /** A file whose manifest arrived cannot be delivered whole (stalled, corrupt, too large, chunks lost). */
  fileIncomplete: IncompleteFile;
  /**
   * A file sent to this user (sendFileToUser) arrived whole on the inbox subscription (subscribeInbox()), its SHA-256
   * checked; `room` is the inbox, `sender` who sent it. Its messages are not 'inboxMessage' events.
   */
  inboxFile: ReceivedFile;
  /** Another chunk of a file to this user arrived. */
  inboxFileProgress: FileProgress;
  /** A file to this user whose manifest arrived cannot be delivered whole (as fileIncomplete). */
  inboxFileIncomplete: IncompleteFile;
}

export interface PublishOptions {
  /** Idempotency id; generated when absent. Reuse it only for a retry of the same message. */
  id?: string;
  /** Defaults to "text/plain; charset=utf-8" for string payloads. */
  contentType?: string;
  timeoutMs?: number;
  /**
   * publish() only: the W3C traceparent of the caller's span ("00-<trace id>-<span id>-<flags>"), sent with every
   * attempt; a gateway with tracing on continues that trace (docs/ops/tracing.md). Ignored by sendDirect().
   */
  traceparent?: string;
  /**
   * publish() only: the conflation key (1-64 of [A-Za-z0-9._:/-]). In a namespace the gateways conflate
   * (gateway.conflation.namespaces.<ns>.max-rate), each subscriber gets at most max-rate messages per second of
   * each key of the room, always the latest of the key; without a key, the room's messages are conflated together.
   * Elsewhere it changes nothing. Subscribers see it as RoomMessage.conflationKey (docs/protocol.md section 14).
   * A malformed key rejects the publish with INVALID_CONFLATION_KEY.
   */
  conflationKey?: string;
}

export interface SubscribeOptions {
  /** Also receive the room's presence events, and keep its member list ('members' events, members(room)). */
  presence?: boolean;
  /**
   * Where a new subscription starts: a point the application kept (resumePoint(room), or a processed message's
   * epoch and position + 1), so that a restarted application receives only what it has not processed. Ignored when
   * the room is already held.
   */
  resumeFrom?: { epoch: string; nextPosition: bigint };
}

export interface DirectOptions extends PublishOptions {
  /**
   * Store the message in the user's inbox instead of sending it to the devices connected now: each of the user's
   * devices receives it once, in the order sent, as an 'inboxMessage' on its next connection (subscribeInbox()).
   * The ack then carries the inbox room and the position (docs/protocol.md section 11.3).
   */
  stored?: boolean;
}

export interface HistoryOptions {
  direction?: HistoryDirectionName;
  /** Exclusive bound for before/after. */
  position?: bigint;
  epoch?: string;
  /** 1-500; the server's default (50) when absent. */
  limit?: number;
}

/** The options with their defaults applied, validated once; the client's parts read only these. */
export interface ClientSettings {
  readonly url: string;
  readonly token: TokenProvider;
  readonly format: WireFormat;
  readonly batching: boolean;
  readonly WebSocket: WebSocketConstructor | undefined;
  readonly httpFallback: HttpFallbackMode;
  readonly fallbackRetryMs: number;
  readonly HttpFallback: WebSocketConstructor;
  readonly clientName: string;
  readonly backoff: Required<BackoffOptions>;
  readonly connectTimeoutMs: number;
  readonly publishTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxQueuedRequests: number;
  readonly maxInflight: number;
  readonly dedupCapacity: number;
  readonly memberListLimit: number;
  readonly pingIntervalMs: number;
  readonly tokenRefreshRatio: number;
  readonly typingRenewMs: number;
  readonly typingIdleMs: number;
  readonly typingDefaultTtlMs: number;
  readonly scheduler: Scheduler;
  readonly random: RandomSource;
  readonly idGenerator: (() => string) | undefined;
  readonly files: FileSettings;
}

/** Applies the defaults and checks every option, throwing a TypeError or RangeError that names the first bad one. */
export function resolveSettings(options: SwitchboardClientOptions): ClientSettings {
  if (!options || typeof options.url !== 'string' || options.url === '') {
    throw new TypeError('url: missing (expected: a ws:// or wss:// URL)');
  }
  if (typeof options.token !== 'function') {
    throw new TypeError('token: missing (expected: a function returning a JWT or a promise of one)');
  }
  if (options.format !== undefined && options.format !== 'json' && options.format !== 'proto') {
    throw new RangeError(`format: ${String(options.format)} (expected: "json" or "proto")`);
  }
  if (options.batching !== undefined && typeof options.batching !== 'boolean') {
    throw new TypeError(`batching: ${String(options.batching)} (expected: true or false)`);
  }
  const httpFallback = options.httpFallback ?? 'auto';
  if (httpFallback !== 'auto' && httpFallback !== 'never' && httpFallback !== 'always') {
    throw new RangeError(`httpFallback: ${String(httpFallback)} (expected: "auto", "never" or "always")`);
  }
  const fallbackRetryMs = positive('fallbackRetryMs', options.fallbackRetryMs ?? 300_000);
  const fallbackCloseWaitMs = positive('fallbackCloseWaitMs', options.fallbackCloseWaitMs ?? DEFAULT_CLOSE_WAIT_MS);
  const scheduler = options.scheduler ?? systemScheduler;
  const backoff = resolveBackoff(options.backoff ?? {});
  const connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs ?? 10_000);
  const publishTimeoutMs = positive('publishTimeoutMs', options.publishTimeoutMs ?? 30_000);
  const requestTimeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs ?? 15_000);
  const maxQueuedRequests = positive('maxQueuedRequests', options.maxQueuedRequests ?? 1000);
  const maxInflight = positive('maxInflight', options.maxInflight ?? 32);
  const pingIntervalMs = positive('pingIntervalMs', options.pingIntervalMs ?? 25_000);
  const tokenRefreshRatio = options.tokenRefreshRatio ?? 0.8;
  if (!(tokenRefreshRatio > 0 && tokenRefreshRatio < 1)) {
    throw new RangeError(`tokenRefreshRatio: ${tokenRefreshRatio} (expected: between 0 and 1, exclusive)`);
  }
  const typingRenewMs = positive('typing.renewMs', options.typing?.renewMs ?? 3000);
  const typingIdleMs = positive('typing.idleMs', options.typing?.idleMs ?? 5000);
  const dedupCapacity = checkCapacity(options.dedupCapacity ?? 10_000);
  const memberListLimit = positive('memberListLimit', options.memberListLimit ?? 100);
  if (memberListLimit > 1000) {
    throw new RangeError(`memberListLimit: ${memberListLimit} (expected: 1-1000)`);
  }
  return Object.freeze({
    url: options.url,
    token: options.token,
    format: options.format ?? 'proto',
    batching: options.batching ?? true,
    WebSocket: options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket,
    httpFallback,
    fallbackRetryMs,
    HttpFallback: options.HttpFallback ?? SseSocket.withOptions({ scheduler, closeWaitMs: fallbackCloseWaitMs }),
    clientName: options.clientName ?? 'switchboard-ts/0.1.0',
    backoff,
    connectTimeoutMs,
    publishTimeoutMs,
    requestTimeoutMs,
    maxQueuedRequests,
    maxInflight,
    dedupCapacity,
    memberListLimit,
    pingIntervalMs,
    tokenRefreshRatio,
    typingRenewMs,
    typingIdleMs,
    typingDefaultTtlMs: positive('typing.defaultTtlMs', options.typing?.defaultTtlMs ?? 6000),
    scheduler,
    random: options.random ?? Math.random,
    idGenerator: options.idGenerator,
    files: resolveFileSettings(options.files),
  });
}
