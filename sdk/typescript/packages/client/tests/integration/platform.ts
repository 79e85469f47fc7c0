import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { SwitchboardClient, type RoomMessage, type StateChange, type SwitchboardClientOptions, type WebSocketConstructor } from '../../src/index.js';
import type { WireFormat } from '../../src/codec.js';

/**
 * The running platform the integration tests talk to (TypeScriptSdkIntegrationTest starts one and sets both
 * variables), its demo token endpoint, and the WebSocket the clients use.
 */
export const url = process.env.SWITCHBOARD_URL;
export const tokenUrl = process.env.SWITCHBOARD_TOKEN_URL;
export const skip: string | false =
  url && tokenUrl
    ? false
    : 'set SWITCHBOARD_URL (e.g. ws://localhost:8080/ws) and SWITCHBOARD_TOKEN_URL (e.g. http://localhost:8080/demo/token) to run against a running ./switchboard run';

/** A token for {@code user} from the platform's demo token endpoint. */
export async function token(user: string): Promise<string> {
  const response = await fetch(tokenUrl!, { method: 'POST', body: new URLSearchParams({ user }) });
  assert.equal(response.status, 200, `token endpoint answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** Node's own WebSocket where it has one (22+), else the "ws" package's. */
export const RealWebSocket: WebSocketConstructor =
  (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket ?? (WebSocket as unknown as WebSocketConstructor);

/**
 * A client of {@code user} on the running platform over a real WebSocket, reconnecting quickly; {@code options}
 * override any of these. Errors are logged, not thrown: the tests assert what the application sees.
 */
export function client(user: string, format: WireFormat, options: Partial<SwitchboardClientOptions> = {}): SwitchboardClient {
  const c = new SwitchboardClient({
    url: url!,
    format,
    token: () => token(user),
    WebSocket: RealWebSocket,
    backoff: { initialMs: 200, maxMs: 2000 },
    clientName: 'switchboard-ts-integration',
    ...options,
  });
  c.on('error', (e) => console.log(`# ${user}: ${e.message}`));
  return c;
}

/** Resolves once {@code predicate} holds (polled every 20 ms); rejects after {@code timeoutMs}. */
export function waitFor(predicate: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (predicate()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error(`${what}: not met within ${timeoutMs} ms`));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

/**
 * The "ws" package's WebSocket, keeping each client's sockets so that a test can break the current one as a network
 * failure would: terminate() destroys the TCP connection without a close handshake, so the client sees close 1006.
 * (A browser's or Node's built-in WebSocket can only close politely, hence "ws" here.)
 */
export class DroppableTransport {
  private readonly sockets: WebSocket[] = [];
  readonly WebSocket: WebSocketConstructor;

  constructor() {
    const sockets = this.sockets;
    this.WebSocket = class extends WebSocket {
      constructor(address: string, protocols: string[]) {
        super(address, protocols);
        sockets.push(this);
      }
    } as unknown as WebSocketConstructor;
  }

  /** Breaks the newest socket, the client's current connection. */
  dropCurrent(): void {
    const socket = this.sockets.at(-1);
    assert.ok(socket, 'the client opened a socket');
    socket.terminate();
  }
}

/** waitFor with an asynchronous condition, polled one at a time. */
export async function waitForAsync(predicate: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!(await predicate())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The client's state changes, to wait for one that may pass in less than a poll. */
export function states(c: SwitchboardClient): StateChange[] {
  const seen: StateChange[] = [];
  c.on('state', (s) => seen.push(s));
  return seen;
}

/** The messages the client receives in `room`, in the order it hands them to the application. */
export function messagesIn(c: SwitchboardClient, room: string): RoomMessage[] {
  const seen: RoomMessage[] = [];
  c.on('message', (m) => {
    if (m.room === room) seen.push(m);
  });
  return seen;
}

/** True once the client lost a connection without a close handshake (close 1006) and went reconnecting. */
export function lostWithoutCloseHandshake(seen: StateChange[]): boolean {
  return seen.some((s) => s.state === 'reconnecting' && s.code === 1006);
}
