/** How the client reaches the gateway: 'auto' falls back to HTTP when a WebSocket cannot open, 'never' and 'always' fix it. */
export type HttpFallbackMode = 'auto' | 'never' | 'always';

/**
 * Chooses the transport of each connection attempt. In 'auto' mode a WebSocket that closes before it ever opened (a
 * proxy refusing the upgrade) makes the following attempts use the HTTP fallback; once retryMs have passed since, the
 * next attempt tries a WebSocket again, and stays on it if it opens. Single-threaded like the client.
 */
export class TransportChoice {
  private fallbackSince: number | undefined;

  constructor(
    private readonly mode: HttpFallbackMode,
    private readonly retryMs: number,
  ) {}

  /** Whether the attempt starting at `now` uses the HTTP fallback. */
  useFallback(now: number): boolean {
    if (this.mode !== 'auto') {
      return this.mode === 'always';
    }
    if (this.fallbackSince !== undefined && now - this.fallbackSince >= this.retryMs) {
      this.fallbackSince = undefined;
    }
    return this.fallbackSince !== undefined;
  }

  /** A WebSocket attempt closed before it opened. */
  webSocketFailedToOpen(now: number): void {
    if (this.mode === 'auto' && this.fallbackSince === undefined) {
      this.fallbackSince = now;
    }
  }
}
