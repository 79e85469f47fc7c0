import assert from 'node:assert/strict';
import WebSocket from 'ws';
import type { WebSocketConstructor } from '../../src/index.js';

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
