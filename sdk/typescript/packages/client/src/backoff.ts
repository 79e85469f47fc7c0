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
    const resolved = resolveBackoff(options);
    this.initialMs = resolved.initialMs;
    this.maxMs = resolved.maxMs;
    this.multiplier = resolved.multiplier;
  }

  /** The ceiling of the delay for the given attempt (0-based). */
  ceilingMs(attempt: number): number {
    return Math.min(this.maxMs, this.initialMs * Math.pow(this.multiplier, attempt));
  }

  /** The next delay: uniformly random in [0, ceiling), then the attempt counter grows. */
  next(): number {
    const delay = this.delayMs(this.attempt);
    this.attempt++;
    return delay;
  }

  /** A delay for the given attempt (0-based), uniformly random in [0, ceiling); the counter is left alone. */
  delayMs(attempt: number): number {
    return Math.floor(this.random() * this.ceilingMs(attempt));
  }

  /** Attempts since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** The settings with their defaults; throws a RangeError naming the first bad one. */
export function resolveBackoff(options: BackoffOptions): Required<BackoffOptions> {
  const initialMs = positive('backoff.initialMs', options.initialMs ?? 500);
  const maxMs = positive('backoff.maxMs', options.maxMs ?? 30_000);
  const multiplier = options.multiplier ?? 2;
  if (!(multiplier >= 1)) {
    throw new RangeError(`backoff.multiplier: ${multiplier} (expected: >= 1)`);
  }
  if (maxMs < initialMs) {
    throw new RangeError(`backoff.maxMs: ${maxMs} (expected: >= initialMs ${initialMs})`);
  }
  return { initialMs, maxMs, multiplier };
}

export function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`${name}: ${value} (expected: a positive number)`);
  }
  return value;
}
