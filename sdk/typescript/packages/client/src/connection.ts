import type { Backoff } from './backoff.js';
import { clientFrame, jsonCodec, offeredSubprotocols, unpack, type Codec } from './codec.js';
import type { Emitter } from './emitter.js';
import { closeAction, codeName, SwitchboardError } from './errors.js';
import { ErrorCode, type ClientFrame, type Connected, type ServerFrame } from './gen/switchboard/client/v1/client_pb.js';
import type { ClientEvents, ClientSettings, TokenReason, WebSocketLike } from './options.js';
import type { TimerHandle } from './timers.js';
import { TransportChoice } from './transport-choice.js';
import type { ConnectionState, StateChange } from './types.js';

/** One WebSocket and what the client knows of it. Every attempt makes a new one; callbacks of older ones are ignored. */
export interface Connection {
  readonly ws: WebSocketLike;
  /** The connection's encoding: the client's format on a WebSocket, JSON on the HTTP fallback. */
  readonly codec: Codec;
  /** The connection is the HTTP fallback's (docs/protocol.md section 15). */
  readonly fallback: boolean;
  /** The transport opened (WebSocket open, or the event stream's open event). */
  opened: boolean;
  readonly token: string;
  readonly tokenObtainedAt: number;
  /** The server sent Connected on it. */
  connected: boolean;
  lastFrameAt: number;
  lastPingAt: number;
  /** reconnect_within_ms of a Drain frame, if one came. */
  drainWithinMs?: number;
}

/** What the client's parts need of the connection: the current one, and sending a frame on one. */
export interface Link {
  /** The connection of the current attempt (connected or still in its handshake); undefined between attempts. */
  readonly current: Connection | undefined;
  send(conn: Connection, frame: ClientFrame): void;
}

/** The client's reactions to the connection's lifecycle. */
export interface ConnectionHandler {
  /** Connected arrived (state 'connected', keepalive running): refresh, resubscribe, resend. */
  onConnected(conn: Connection): void;
  /** Any other frame of the current connection (a Drain is noted first). */
  onFrame(conn: Connection, frame: ServerFrame): void;
  /** The current connection or attempt is gone: requeue or fail what was in flight on it, stop its timers. */
  onConnectionLost(): void;
  /** A terminal close code or a socket that cannot be opened: reject waiting requests; rooms stay for a later connect(). */
  onFailed(error: SwitchboardError): void;
  /** close(): reject everything and forget the rooms. */
  onClosed(error: SwitchboardError): void;
}

type TimerName = 'reconnectTimer' | 'connectTimer' | 'pingTimer' | 'upgradeTimer' | 'candidateTimer';

/**
 * The connection lifecycle: token, WebSocket, Connect handshake and its timeout, keepalive pings, and what follows a
 * close (reconnect with full-jitter backoff, within a Drain's hint, with a fresh token after 3501, or close for good;
 * see closeAction). On the HTTP fallback it tries a WebSocket beside the stream now and then and hands the session
 * over to it once Connected (TransportChoice says when). Emits 'state' and connection 'error' events. Single-threaded
 * like the client; time and timers come from the injected scheduler only.
 */
export class ConnectionStateMachine implements Link {
  private stateValue: ConnectionState = 'disconnected';
  private conn: Connection | undefined;
  /** Increments per connection attempt so that late callbacks of an abandoned attempt are ignored. */
  private attempt = 0;
  private nextTokenReason: TokenReason = 'connect';
  private reconnectTimer?: TimerHandle;
  private connectTimer?: TimerHandle;
  private pingTimer?: TimerHandle;
  private upgradeTimer?: TimerHandle;
  private candidateTimer?: TimerHandle;
  /** A WebSocket in its Connect handshake beside the current fallback connection, to take the session over. */
  private candidate: Connection | undefined;
  private connectedInfo?: Connected;
  private readonly transports: TransportChoice;

  constructor(
    private readonly settings: ClientSettings,
    private readonly codec: Codec,
    private readonly backoff: Backoff,
    private readonly events: Emitter<ClientEvents>,
    private readonly handler: ConnectionHandler,
  ) {
    this.transports = new TransportChoice(settings.httpFallback, settings.fallbackRetryMs, settings.backoff.initialMs,
      settings.random);
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  get current(): Connection | undefined {
    return this.conn;
  }

  /** The transport of the current connection. */
  get transport(): 'websocket' | 'http-fallback' | undefined {
    return this.conn === undefined ? undefined : this.conn.fallback ? 'http-fallback' : 'websocket';
  }

  /** The Connected frame of the current connection. */
  get info(): Connected | undefined {
    return this.connectedInfo;
  }

  /** Starts connecting (and keeps reconnecting). Harmless while already started; restarts a closed client. */
  start(): void {
    if (this.stateValue === 'connecting' || this.stateValue === 'connected' || this.stateValue === 'reconnecting') {
      return;
    }
    this.backoff.reset();
    this.setState('connecting', {});
    void this.openSocket();
  }

  /** Closes for good: the socket closes with 1000, no reconnect follows, the handler rejects what waits. */
  close(): void {
    if (this.stateValue === 'closed' || this.stateValue === 'disconnected') {
      this.handler.onClosed(new SwitchboardError('client closed', 'CLOSED', false));
      this.setState('closed', {});
      return;
    }
    this.attempt++;
    const conn = this.conn;
    this.teardown();
    conn?.ws.close(1000, 'client closed');
    this.clearTimer('reconnectTimer');
    this.handler.onClosed(new SwitchboardError('client closed', 'CLOSED', false));
    this.setState('closed', { code: 1000, reason: 'client closed' });
  }

  send(conn: Connection, frame: ClientFrame): void {
    try {
      conn.ws.send(conn.codec.encode(frame));
    } catch (e) {
      // The socket is closing: its close event reconnects and requeues.
      this.events.emit('error', new SwitchboardError(`send failed: ${String(e)}`, 'NOT_CONNECTED', true));
    }
  }

  private async openSocket(): Promise<void> {
    const attempt = ++this.attempt;
    const reason = this.nextTokenReason;
    let token: string;
    try {
      token = await this.settings.token({ reason });
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
    const conn = this.newConnection(this.transports.useFallback(), token);
    if (conn instanceof SwitchboardError) {
      this.fail(conn);
      return;
    }
    this.conn = conn;
    this.connectTimer = this.settings.scheduler.setTimeout(() => {
      if (conn === this.conn && !conn.connected) {
        this.dropConnection(conn, 1006, 'connect timeout');
      }
    }, this.settings.connectTimeoutMs);
  }

  /** A new WebSocket (or fallback stream) wired to this machine, sending Connect once open; the error if it cannot be made. */
  private newConnection(fallback: boolean, token: string): Connection | SwitchboardError {
    const WebSocketImpl = fallback ? this.settings.HttpFallback : this.settings.WebSocket;
    const codec = fallback ? jsonCodec : this.codec;
    if (!WebSocketImpl) {
      return new SwitchboardError('no WebSocket implementation: pass options.WebSocket (e.g. the "ws" package) on Node < 22', 'CLOSED', false);
    }
    let ws: WebSocketLike;
    try {
      ws = new WebSocketImpl(this.settings.url, offeredSubprotocols(codec.format, this.settings.batching));
    } catch (e) {
      return new SwitchboardError(`cannot open ${this.settings.url}: ${String(e)}`, 'CLOSED', false);
    }
    ws.binaryType = 'arraybuffer';
    const now = this.settings.scheduler.now();
    const conn: Connection = { ws, codec, fallback, opened: false, token, tokenObtainedAt: now, connected: false, lastFrameAt: now, lastPingAt: now };
    ws.onopen = () => {
      if (conn !== this.conn && conn !== this.candidate) return;
      conn.opened = true;
      if (fallback) {
        this.transports.fallbackOpened();
      }
      this.send(conn, clientFrame({ case: 'connect', value: { token, client: this.settings.clientName } }));
    };
    ws.onmessage = (event) => this.onData(conn, event.data);
    ws.onclose = (event) => this.onClose(conn, event.code, event.reason);
    ws.onerror = () => {
      // A close event always follows; the error event carries no detail worth reporting.
    };
    return conn;
  }

  private onData(conn: Connection, data: unknown): void {
    if (conn !== this.conn && conn !== this.candidate) {
      return;
    }
    conn.lastFrameAt = this.settings.scheduler.now();
    let message: ServerFrame;
    try {
      message = conn.codec.decode(data);
    } catch (e) {
      this.events.emit('error', new SwitchboardError(`undecodable frame: ${String(e)}`, 'DECODE', false));
      return;
    }
    for (const frame of unpack(message)) {
      if (conn === this.candidate) {
        if (frame.frame.case === 'connected') {
          this.adopt(conn, frame.frame.value);
        }
        continue; // a WebSocket sends nothing else before Connected
      }
      if (conn !== this.conn) {
        return; // a frame of the batch closed or replaced the connection: the rest belongs to no one
      }
      this.onFrame(conn, frame);
    }
  }

  private onFrame(conn: Connection, frame: ServerFrame): void {
    const f = frame.frame;
    if (f.case === 'connected') {
      this.onConnected(conn, f.value);
    } else if (f.case === 'drain') {
      conn.drainWithinMs = f.value.reconnectWithinMs;
    } else {
      this.handler.onFrame(conn, frame);
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
    this.handler.onConnected(conn);
    if (conn.fallback) {
      this.scheduleUpgrade(conn);
    }
  }

  /** On the fallback: the next try of a WebSocket beside it (TransportChoice says when; never outside 'auto'). */
  private scheduleUpgrade(fallback: Connection): void {
    const delay = this.transports.nextUpgradeDelayMs();
    if (delay === undefined) {
      return;
    }
    this.upgradeTimer = this.settings.scheduler.setTimeout(() => {
      this.upgradeTimer = undefined;
      void this.tryUpgrade(fallback);
    }, delay);
  }

  private async tryUpgrade(fallback: Connection): Promise<void> {
    let token: string;
    try {
      token = await this.settings.token({ reason: 'connect' });
    } catch (e) {
      if (fallback !== this.conn) return;
      this.events.emit('error', new SwitchboardError(`token provider failed: ${String(e)}`, 'TOKEN', true));
      this.scheduleUpgrade(fallback);
      return;
    }
    if (fallback !== this.conn || this.candidate) {
      return;
    }
    const candidate = this.newConnection(false, token);
    if (candidate instanceof SwitchboardError) {
      this.events.emit('error', candidate);
      return; // no WebSocket here (an option, not the network): stay on the fallback
    }
    this.candidate = candidate;
    this.candidateTimer = this.settings.scheduler.setTimeout(() => this.upgradeFailed(candidate), this.settings.connectTimeoutMs);
  }

  /** The WebSocket beside the fallback closed or timed out before Connected: stay on the fallback, try again later. */
  private upgradeFailed(candidate: Connection): void {
    if (candidate !== this.candidate) {
      return;
    }
    this.dropCandidate();
    const fallback = this.conn;
    if (fallback?.connected) {
      this.scheduleUpgrade(fallback);
    }
  }

  /**
   * The WebSocket beside the fallback is Connected: it takes the session over. The fallback connection is torn down as
   * on any reconnect (what was in flight on it is resent with its ids, rooms resume from their positions on the new
   * connection, so nothing is lost or doubled) and its stream is left; the state stays 'connected'.
   */
  private adopt(candidate: Connection, connected: Connected): void {
    const fallback = this.conn;
    this.candidate = undefined;
    this.clearTimer('candidateTimer');
    this.transports.upgraded();
    this.teardown();
    fallback?.ws.close(1000, 'moved to a WebSocket');
    this.conn = candidate;
    this.onConnected(candidate, connected);
  }

  private dropCandidate(): void {
    const candidate = this.candidate;
    this.candidate = undefined;
    this.clearTimer('candidateTimer');
    if (candidate) {
      cutCallbacks(candidate.ws);
      try {
        candidate.ws.close(1000, 'not needed');
      } catch {
        // already closing
      }
    }
  }

  private schedulePing(conn: Connection): void {
    this.pingTimer = this.settings.scheduler.setTimeout(() => {
      if (conn !== this.conn) return;
      if (conn.lastFrameAt < conn.lastPingAt) {
        this.dropConnection(conn, 1006, 'no answer to ping');
        return;
      }
      conn.lastPingAt = this.settings.scheduler.now();
      this.send(conn, clientFrame({ case: 'ping', value: { nonce: BigInt(conn.lastPingAt) } }));
      this.schedulePing(conn);
    }, this.settings.pingIntervalMs);
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
    if (conn === this.candidate) {
      this.upgradeFailed(conn);
      return;
    }
    if (conn !== this.conn) {
      return;
    }
    this.teardown();
    if (!conn.opened) {
      // A WebSocket that never opened: a proxy may refuse the upgrade, and the next attempt tries the fallback. A
      // fallback that never opened either: the gateway is down.
      if (conn.fallback) {
        this.transports.fallbackFailedToOpen();
      } else {
        this.transports.webSocketFailedToOpen();
      }
    }
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
      delay = Math.floor(this.settings.random() * conn.drainWithinMs);
    }
    this.scheduleReconnect(delay, reason, code);
  }

  private scheduleReconnect(delayMs: number | undefined, reason: string, code?: number): void {
    const delay = delayMs ?? this.backoff.next();
    this.setState('reconnecting', { code, reason, delayMs: delay });
    this.clearTimer('reconnectTimer');
    this.reconnectTimer = this.settings.scheduler.setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.openSocket();
    }, delay);
  }

  /** Forgets the current connection: its timers stop and its callbacks are cut; the handler requeues the rest. */
  private teardown(): void {
    const conn = this.conn;
    this.conn = undefined;
    this.connectedInfo = undefined;
    this.clearTimer('connectTimer');
    this.clearTimer('pingTimer');
    this.clearTimer('upgradeTimer');
    this.dropCandidate();
    if (conn) {
      cutCallbacks(conn.ws);
    }
    this.handler.onConnectionLost();
  }

  private fail(error: SwitchboardError, code?: number, reason?: string): void {
    this.attempt++;
    this.teardown();
    this.clearTimer('reconnectTimer');
    this.handler.onFailed(error);
    this.events.emit('error', error);
    this.setState('closed', { code, reason });
  }

  private setState(state: ConnectionState, details: Omit<StateChange, 'state' | 'previous'>): void {
    const previous = this.stateValue;
    if (previous === state && state !== 'reconnecting') {
      return;
    }
    this.stateValue = state;
    this.events.emit('state', { state, previous, ...details });
  }

  private clearTimer(name: TimerName): void {
    const handle = this[name];
    if (handle !== undefined) {
      this.settings.scheduler.clearTimeout(handle);
      this[name] = undefined;
    }
  }
}

/**
 * Detaches a socket the client gave up. The error handler stays, as a no-op: closing a socket still connecting makes
 * the "ws" package emit an error ("closed before the connection was established"), which without a listener would be
 * an uncaught exception.
 */
function cutCallbacks(ws: WebSocketLike): void {
  ws.onopen = ws.onmessage = ws.onclose = null;
  ws.onerror = () => undefined;
}
