import { Backoff } from './backoff.js';
import type { RandomSource } from './timers.js';

/** How the client reaches the gateway: 'auto' falls back to HTTP when a WebSocket cannot open, 'never' and 'always' fix it. */
export type HttpFallbackMode = 'auto' | 'never' | 'always';

/**
 * Chooses the transport of each connection attempt, and when the client on the HTTP fallback tries a WebSocket again
 * (docs/protocol.md section 15). In 'auto' mode:
 *
 * - A WebSocket that closes before it opened (a proxy refusing the upgrade, or a gateway that is down: a browser
 *   cannot tell them apart) makes the next attempt try the fallback.
 * - That attempt decides. If its event stream opens, the HTTP endpoint answers while the upgrade failed: the client
 *   stays on the fallback. If it does not open either, the gateway is down, not the upgrade refused: the attempt after
 *   it is a WebSocket again. So an outage never leaves clients on the fallback, and costs no extra requests (one
 *   attempt per backoff step, alternating).
 * - While connected on the fallback the client tries a WebSocket beside it (an upgrade): at once, then after
 *   full-jitter delays growing from the reconnect backoff's first delay up to `retryMs`. A WebSocket that reaches
 *   Connected takes the session over (the rooms resume on it) and the client is back on WebSockets.
 *
 * Single-threaded like the client.
 */
export class TransportChoice {
  private onFallback = false;
  /** The last WebSocket closed before it opened: the next attempt tries the fallback, which then decides. */
  private trying = false;
  private readonly upgrades: Backoff;

  constructor(
    private readonly mode: HttpFallbackMode,
    retryMs: number,
    firstUpgradeDelayMs: number,
    random: RandomSource,
  ) {
    this.upgrades = new Backoff({ initialMs: Math.min(firstUpgradeDelayMs, retryMs), maxMs: retryMs }, random);
  }

  /** Whether the next attempt uses the HTTP fallback. */
  useFallback(): boolean {
    if (this.mode !== 'auto') {
      return this.mode === 'always';
    }
    return this.onFallback || this.trying;
  }

  /** A WebSocket attempt closed before it opened. */
  webSocketFailedToOpen(): void {
    if (this.mode === 'auto' && !this.onFallback) {
      this.trying = true;
    }
  }

  /** A fallback attempt's event stream opened: the HTTP endpoint answers. */
  fallbackOpened(): void {
    if (this.mode === 'auto' && this.trying) {
      this.trying = false;
      this.onFallback = true;
      this.upgrades.reset();
    }
  }

  /** A fallback attempt ended before its stream opened. */
  fallbackFailedToOpen(): void {
    // Tried because a WebSocket failed, and HTTP fails too: the gateway is unreachable; try a WebSocket next.
    this.trying = false;
  }

  /**
   * The delay before the next upgrade attempt of a client connected on the fallback (0 for the first one after the
   * client moved to the fallback); undefined when it does not try (not 'auto').
   */
  nextUpgradeDelayMs(): number | undefined {
    if (this.mode !== 'auto' || !this.onFallback) {
      return undefined;
    }
    const first = this.upgrades.attempts === 0;
    const delay = this.upgrades.next();
    return first ? 0 : delay;
  }

  /** A WebSocket reached Connected: the client is on WebSockets again. */
  upgraded(): void {
    this.onFallback = false;
    this.trying = false;
  }
}
