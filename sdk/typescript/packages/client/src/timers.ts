/**
 * Time and randomness seams. The client never touches the global clock, timers or Math.random directly, so
 * tests drive its state machine with a fake scheduler and a scripted random source.
 */

/** An opaque handle returned by {@link Scheduler.setTimeout}. */
export type TimerHandle = unknown;

/** Timers the client schedules its reconnects, timeouts, pings, token refreshes and typing expiry with. */
export interface Scheduler {
  /** Milliseconds since the epoch (like Date.now()). */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** A random source returning numbers in [0, 1), like Math.random. Used for backoff jitter and message ids. */
export type RandomSource = () => number;

/** The real clock and timers of the platform (browser or Node). */
export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => globalThis.setTimeout(callback, delayMs),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};
