import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { SwitchboardClient, type SwitchboardClientOptions, type WebSocketConstructor } from '../../src/index.js';
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
