/** Exponential backoff settings; every delay is drawn with full jitter from [0, min(maxMs, initialMs * multiplier^attempt)). */
export interface BackoffOptions {
  /** Ceiling of the first delay (default 500 ms). */
  initialMs?: number;
  /** Cap of every delay's ceiling (default 30 000 ms). */
  maxMs?: number;
  /** Growth of the ceiling per attempt (default 2). */
  multiplier?: number;
}

/** Full-jitter exponential backoff ("Exponential Backoff And Jitter", AWS architecture blog). Not thread-safe: one owner. */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly multiplier: number;
  private attempt = 0;

  constructor(options: BackoffOptions, private readonly random: () => number) {
    this.initialMs = positive('backoff.initialMs', options.initialMs ?? 500);
    this.maxMs = positive('backoff.maxMs', options.maxMs ?? 30_000);
    this.multiplier = options.multiplier ?? 2;
    if (!(this.multiplier >= 1)) {
      throw new RangeError(`backoff.multiplier: ${this.multiplier} (expected: >= 1)`);
    }
    if (this.maxMs < this.initialMs) {
      throw new RangeError(`backoff.maxMs: ${this.maxMs} (expected: >= initialMs ${this.initialMs})`);
    }
  }

  /** The ceiling of the delay for the given attempt (0-based). */
  ceilingMs(attempt: number): number {
    return Math.min(this.maxMs, this.initialMs * Math.pow(this.multiplier, attempt));
  }

  /** The next delay: uniformly random in [0, ceiling), then the attempt counter grows. */
  next(): number {
    const delay = Math.floor(this.random() * this.ceilingMs(this.attempt));
    this.attempt++;
    return delay;
  }

  /** Attempts since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}

export function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`${name}: ${value} (expected: a positive number)`);
  }
  return value;
}
