import { clientFrame } from './codec.js';
import type { Link } from './connection.js';
import type { Emitter } from './emitter.js';
import { SwitchboardError } from './errors.js';
import { tokenTimes } from './jwt.js';
import type { ClientEvents, TokenProvider } from './options.js';
import type { RequestQueue } from './requests.js';
import type { Scheduler, TimerHandle } from './timers.js';

export interface TokenRefresherDeps {
  readonly link: Link;
  readonly requests: RequestQueue;
  readonly token: TokenProvider;
  readonly scheduler: Scheduler;
  readonly events: Emitter<ClientEvents>;
  /** Refresh at this fraction of the token's lifetime. */
  readonly refreshRatio: number;
  readonly requestTimeoutMs: number;
}

/**
 * Replaces the connection's token before it expires: at `refreshRatio` of its lifetime (from `iat`, or from when it
 * was obtained, to `exp`) it asks the provider for a fresh token and sends it in a RefreshToken frame. A failed
 * refresh is reported and tried once more halfway to expiry; if the token expires first, the server closes with 3501
 * and the reconnect fetches a new one. Opaque tokens (not a JWT with `exp`) are never refreshed ahead.
 * Single-threaded like the client.
 */
export class TokenRefresher {
  private timer?: TimerHandle;

  constructor(private readonly deps: TokenRefresherDeps) {}

  /** Plans the refresh of `token` (replacing any planned one). */
  schedule(token: string, obtainedAt: number): void {
    this.cancel();
    const times = tokenTimes(token);
    if (!times) {
      return; // opaque token: the server closes with 3501 when it expires, and the client reconnects
    }
    const { scheduler, events } = this.deps;
    const issued = times.issuedAtMs ?? obtainedAt;
    const at = issued + (times.expiresAtMs - issued) * this.deps.refreshRatio;
    const delay = Math.max(0, at - scheduler.now());
    this.timer = scheduler.setTimeout(() => {
      this.timer = undefined;
      this.refresh().catch((e: unknown) => {
        events.emit('error', asTokenError(e, (text) => `token refresh failed: ${text}`));
        // Try again halfway to expiry; if it expires first, the server closes 3501 and the reconnect fetches a token.
        const remaining = times.expiresAtMs - scheduler.now();
        if (this.deps.link.current?.connected && remaining > 2000 && this.timer === undefined) {
          this.timer = scheduler.setTimeout(() => {
            this.timer = undefined;
            this.refresh().catch((e2: unknown) => events.emit('error', asTokenError(e2, (text) => text)));
          }, remaining / 2);
        }
      });
    }, delay);
  }

  /** The connection is gone (its successor plans its own refresh). */
  cancel(): void {
    if (this.timer !== undefined) {
      this.deps.scheduler.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** Replaces the current connection's token now; rejects with NOT_CONNECTED while not connected. */
  async refresh(): Promise<void> {
    const conn = this.deps.link.current;
    if (!conn?.connected) {
      throw new SwitchboardError('not connected', 'NOT_CONNECTED', true);
    }
    const token = await this.deps.token({ reason: 'refresh' });
    if (conn !== this.deps.link.current) {
      return; // reconnected meanwhile: the new connection fetched its own token
    }
    await this.deps.requests.submit(
      'refresh',
      (requestId) => clientFrame({ case: 'refresh', value: { requestId, token } }),
      this.deps.requestTimeoutMs,
      false,
    );
    if (conn === this.deps.link.current) {
      this.schedule(token, this.deps.scheduler.now());
    }
  }
}

function asTokenError(e: unknown, message: (text: string) => string): SwitchboardError {
  return e instanceof SwitchboardError ? e : new SwitchboardError(message(String(e)), 'TOKEN', true);
}
